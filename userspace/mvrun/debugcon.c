// SPDX-License-Identifier: GPL-2.0
/*
 * Port 0xe9, QEMU's and Bochs' debug console: each byte written goes to
 * stdout (of a wider write, the low byte).  Reading it gives 0xe9, which
 * is how guests tell the console is there.
 */
#include "mvrun.h"

#define DEBUGCON_PORT	0xe9

static uint32_t debugcon_in(struct io_dev *dev, uint16_t off, int size)
{
	(void)dev;
	(void)off;
	(void)size;
	return DEBUGCON_PORT;
}

static void debugcon_out(struct io_dev *dev, uint16_t off, int size, uint32_t v)
{
	uint8_t c = v;

	(void)dev;
	(void)off;
	(void)size;
	console_write(&c, 1);
}

static struct io_dev debugcon_dev = {
	.name = "debug console", .base = DEBUGCON_PORT, .len = 1,
	.in = debugcon_in, .out = debugcon_out,
};

int debugcon_init(struct vm *vm)
{
	(void)vm;
	return io_register(&debugcon_dev);
}
