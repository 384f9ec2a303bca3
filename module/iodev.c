// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel I/O bus: registers emulated in the module, by port (PIO)
 * or guest-physical address (MMIO), found before an access would go to
 * userspace.  The set of devices is fixed before the first vCPU exists
 * (MV_CREATE_IRQCHIP refuses later), so lookups take no lock.  Each
 * vCPU's local APIC page is looked up first: it moves with IA32_APIC_BASE.
 */
#include "irqchip.h"

int mv_io_register(struct mv_vm *vm, struct mv_io_dev *dev)
{
	lockdep_assert_held(&vm->lock);
	if (vm->nr_vcpus || vm->nr_io_devs >= MV_MAX_IO_DEVS)
		return -EBUSY;
	vm->io_devs[vm->nr_io_devs++] = dev;
	return 0;
}

static struct mv_io_dev *mv_io_find(struct mv_vm *vm, bool mmio, u64 addr,
				    int len)
{
	unsigned int i;

	for (i = 0; i < vm->nr_io_devs; i++) {
		struct mv_io_dev *d = vm->io_devs[i];

		if (d->mmio == mmio && addr >= d->base &&
		    addr + len <= d->base + d->len)
			return d;
	}
	return NULL;
}

int mv_io_read(struct mv_vcpu *vcpu, bool mmio, u64 addr, int len, void *val)
{
	struct mv_io_dev *d;

	if (mmio && mv_lapic_mmio_hit(vcpu, addr))
		return mv_lapic_mmio(vcpu, addr, len, val, false);
	d = mv_io_find(vcpu->vm, mmio, addr, len);
	if (!d || d->ops->read(d, vcpu, addr, len, val))
		return -ENOENT;
	return 0;
}

int mv_io_write(struct mv_vcpu *vcpu, bool mmio, u64 addr, int len,
		const void *val)
{
	struct mv_io_dev *d;

	if (mmio && mv_lapic_mmio_hit(vcpu, addr))
		return mv_lapic_mmio(vcpu, addr, len, (void *)val, true);
	d = mv_io_find(vcpu->vm, mmio, addr, len);
	if (!d || d->ops->write(d, vcpu, addr, len, val))
		return -ENOENT;
	return 0;
}
