// SPDX-License-Identifier: GPL-2.0
/*
 * The irqchip as a whole (MV_CREATE_IRQCHIP): creating it with its
 * devices on the in-kernel bus, stopping and freeing it with the VM, and
 * the state of the PICs and the I/O APIC (MV_GET/SET_IRQCHIP).  The top
 * of the irqchip files: it calls the PIT, which raises lines through
 * irq.c, which reaches the PICs, the I/O APIC and the local APICs.
 */
#include <linux/slab.h>
#include <asm/apicdef.h>

#include "irqchip.h"

/* Under vm->lock, before any vCPU. */
int mv_irqchip_create(struct mv_vm *vm)
{
	struct mv_irqchip *chip;
	int ret = 0;

	lockdep_assert_held(&vm->lock);
	if (vm->irqchip)
		return -EEXIST;
	if (vm->nr_vcpus)
		return -EBUSY;
	chip = kzalloc(sizeof(*chip), GFP_KERNEL_ACCOUNT);
	if (!chip)
		return -ENOMEM;
	spin_lock_init(&chip->lock);
	chip->vm = vm;
	chip->level_eoi = mv_irq_eoi;
	mv_pic_init(chip);
	mv_ioapic_init(&chip->ioapic);
	mv_pit_init(vm, &chip->pit);
	chip->ioapic_dev = (struct mv_io_dev){
		.ops = &mv_ioapic_ops, .mmio = true,
		.base = IO_APIC_DEFAULT_PHYS_BASE, .len = PAGE_SIZE,
	};
	vm->nr_io_devs = 0;
	ret = ret ?: mv_io_register(vm, &chip->pic_dev[0]);
	ret = ret ?: mv_io_register(vm, &chip->pic_dev[1]);
	ret = ret ?: mv_io_register(vm, &chip->elcr_dev);
	ret = ret ?: mv_io_register(vm, &chip->pit_dev);
	ret = ret ?: mv_io_register(vm, &chip->port61_dev);
	ret = ret ?: mv_io_register(vm, &chip->ioapic_dev);
	if (ret) {
		mv_pit_free(&chip->pit);
		vm->nr_io_devs = 0;
		kfree(chip);
		return ret;
	}
	/*
	 * vCPUs created after this see it (they take vm->lock too); the VM
	 * ioctls look without the lock (pairs with mv_vm_ioctl_irqchip()).
	 */
	smp_store_release(&vm->irqchip, chip);
	return 0;
}

/* The VM is going: no vCPU runs any more; its timers stop firing. */
void mv_irqchip_stop(struct mv_vm *vm)
{
	unsigned int i;

	if (!vm->irqchip)
		return;
	mv_pit_free(&vm->irqchip->pit);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->lapic)
			hrtimer_cancel(&vm->vcpus[i]->lapic->timer);
}

/* The VM is going: no vCPU runs, the timers stop. */
void mv_irqchip_free(struct mv_vm *vm)
{
	if (!vm->irqchip)
		return;
	mv_pit_free(&vm->irqchip->pit);
	vm->nr_io_devs = 0;
	kfree(vm->irqchip);
	vm->irqchip = NULL;
}

int mv_irqchip_get(struct mv_vm *vm, struct mv_irqchip_state *st)
{
	struct mv_irqchip *chip = vm->irqchip;
	u32 id = st->chip_id;
	unsigned long flags;

	if (st->pad || id > MV_IRQCHIP_IOAPIC)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->chip_id = id;
	spin_lock_irqsave(&chip->lock, flags);
	if (id == MV_IRQCHIP_IOAPIC)
		mv_ioapic_get_state(&chip->ioapic, &st->ioapic);
	else
		mv_pic_get_state(&chip->pic[id], &st->pic);
	spin_unlock_irqrestore(&chip->lock, flags);
	return 0;
}

int mv_irqchip_set(struct mv_vm *vm, const struct mv_irqchip_state *st)
{
	struct mv_irqchip *chip = vm->irqchip;
	size_t used = st->chip_id == MV_IRQCHIP_IOAPIC ? sizeof(st->ioapic) :
						     sizeof(st->pic);
	unsigned long flags;
	int ret;

	if (st->pad || st->chip_id > MV_IRQCHIP_IOAPIC ||
	    memchr_inv(st->raw + used, 0, sizeof(st->raw) - used))
		return -EINVAL;
	spin_lock_irqsave(&chip->lock, flags);
	if (st->chip_id == MV_IRQCHIP_IOAPIC)
		ret = mv_ioapic_set_state(vm, &st->ioapic);
	else
		ret = mv_pic_set_state(&chip->pic[st->chip_id], &st->pic);
	if (!ret && st->chip_id != MV_IRQCHIP_IOAPIC)
		mv_pic_update(chip);
	spin_unlock_irqrestore(&chip->lock, flags);
	mv_irq_pic_changed(vm);
	return ret;
}
