// SPDX-License-Identifier: GPL-2.0
/*
 * Port 0xf4, QEMU's isa-debug-exit: writing v (a byte, word or dword:
 * kvm-unit-tests' exit() writes a dword) ends the VM with exit status
 * (v << 1) | 1, of which the process keeps the low 8 bits.  Status 0 is
 * out of a guest's reach, so a clean halt is told apart.
 */
#include "mvrun.h"

#define DEBUG_EXIT_PORT	0xf4

static void debugexit_out(struct io_dev *dev, uint16_t off, int size, uint32_t v)
{
	(void)off;
	(void)size;
	vm_stop(dev->priv, ((v << 1) | 1) & 0xff);
}

static struct io_dev debugexit_dev = {
	.name = "isa-debug-exit", .base = DEBUG_EXIT_PORT, .len = 1,
	.out = debugexit_out,
};

int debugexit_init(struct vm *vm)
{
	debugexit_dev.priv = vm;
	return io_register(&debugexit_dev);
}
