// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's pc-testdev, which kvm-unit-tests' runner always adds and some
 * tests use whatever TEST_DEVICE says:
 *
 *   0x2000-0x2017  interrupt lines: writing v sets GSI (port - 0x2000) to
 *                  v != 0, through the irqchip (MV_IRQ_LINE); the ioapic
 *                  test raises and lowers its lines this way
 *   0xe0-0xe3      a 32-bit scratch register, read and written in any
 *                  width at any of its bytes
 *   0xe4-0xe7      "flush this page": the guest-physical address written
 *                  is a page QEMU unmaps and maps again, so that the
 *                  accelerator faults on it next; guest memory is the
 *                  module's here and nothing of it is cached in mvrun, so
 *                  there is nothing to flush
 *   0xff000000     64 KiB of MMIO that hold what is written (the emulator
 *                  test's "IORAM"), reads as written, zeros at first
 *
 * Reads of the interrupt lines and the flush port give all ones, as an
 * undecoded port would (QEMU's do not define them).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "mvrun.h"

#define IRQ_PORT	0x2000
#define SCRATCH_PORT	0xe0
#define FLUSH_PORT	0xe4

static struct vm *tvm;
static uint32_t scratch;
static uint8_t iomem[TESTDEV_IOMEM_SIZE];
static pthread_mutex_t iomem_lock = PTHREAD_MUTEX_INITIALIZER;

static uint32_t width_mask(int size)
{
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static uint32_t scratch_in(struct io_dev *dev, uint16_t off, int size)
{
	(void)dev;
	return (scratch >> (8 * off)) & width_mask(size);
}

static void scratch_out(struct io_dev *dev, uint16_t off, int size, uint32_t v)
{
	uint64_t mask = (uint64_t)width_mask(size) << (8 * off);

	(void)dev;
	scratch = (scratch & ~mask) | (((uint64_t)v << (8 * off)) & mask);
}

static uint32_t ones_in(struct io_dev *dev, uint16_t off, int size)
{
	(void)dev;
	(void)off;
	return width_mask(size);
}

static void irq_out(struct io_dev *dev, uint16_t off, int size, uint32_t v)
{
	struct mv_irq_level l = { .gsi = off, .level = (v & width_mask(size)) != 0 };

	(void)dev;
	if (tvm->irqchip && ioctl(tvm->fd, MV_IRQ_LINE, &l) && verbose)
		fprintf(stderr, "mvrun: pc-testdev: GSI %u to %u: %s\n", l.gsi, l.level,
			strerror(errno));
}

static void flush_out(struct io_dev *dev, uint16_t off, int size, uint32_t v)
{
	(void)dev;
	(void)off;
	(void)size;
	(void)v;
}

static struct io_dev irq_dev = {
	.name = "pc-testdev irq", .base = IRQ_PORT, .len = MV_NR_GSIS,
	.in = ones_in, .out = irq_out,
};
static struct io_dev scratch_dev = {
	.name = "pc-testdev ioport", .base = SCRATCH_PORT, .len = 4,
	.in = scratch_in, .out = scratch_out,
};
static struct io_dev flush_dev = {
	.name = "pc-testdev flush-page", .base = FLUSH_PORT, .len = 4,
	.in = ones_in, .out = flush_out,
};

bool testdev_mmio(struct mv_run *run)
{
	uint64_t gpa = run->mmio.gpa;
	uint32_t len = run->mmio.len;

	if (gpa < TESTDEV_IOMEM_BASE || len > sizeof(run->mmio.data) ||
	    gpa - TESTDEV_IOMEM_BASE + len > TESTDEV_IOMEM_SIZE)
		return false;
	gpa -= TESTDEV_IOMEM_BASE;
	pthread_mutex_lock(&iomem_lock);
	if (run->mmio.is_write)
		memcpy(iomem + gpa, run->mmio.data, len);
	else
		memcpy(run->mmio.data, iomem + gpa, len);
	pthread_mutex_unlock(&iomem_lock);
	return true;
}

int testdev_init(struct vm *vm)
{
	tvm = vm;
	if (io_register(&irq_dev) || io_register(&scratch_dev) || io_register(&flush_dev))
		return -1;
	return 0;
}
