// SPDX-License-Identifier: GPL-2.0
/*
 * Ports 0x60 (data) and 0x64 (status and command): an i8042 keyboard
 * controller with nothing attached, there for the CPU reset line it
 * drives, which is how Linux reboots with reboot=k.  A reset ends the VM
 * (lifecycle.c says with which status).
 *
 * Reset: command 0xfe (pulse output port bit 0, what Linux writes), or
 * command 0xd1 (write the output port) followed by a data byte with bit 0
 * (the reset line, active low) clear.  Every other command and data byte
 * is ignored.
 *
 * Status reads as a bus with no controller behind it (all ones), except
 * bit 1, "input buffer full", which reads clear: a command is taken at
 * once, so the reboot code's wait for the input buffer (kb_wait, up to
 * 65536 reads) ends at the first read.  The output buffer always looks
 * full and data reads 0xff, so Linux's probe (i8042_controller_check)
 * drains it 16 times, says "i8042: No controller found" and leaves the
 * keyboard and mouse alone: about 35 port reads, none of the self-test
 * and keyboard time-outs (half a second and more) that a controller
 * answering commands with no keyboard behind it costs.
 */
#include "mvrun.h"

#define I8042_DATA	0x60
#define I8042_CMD	0x64
#define STATUS		0xfd	/* all ones but IBF */
#define CMD_WRITE_OUTPUT 0xd1
#define CMD_PULSE_RESET	0xfe
#define OUTPUT_RESET	0x01	/* output port bit 0: CPU reset, active low */

struct i8042 {
	struct vm *vm;
	uint8_t pending_cmd;	/* a command waiting for its data byte */
};

static struct i8042 kbc;

static uint32_t i8042_in(struct io_dev *dev, uint16_t off, int size)
{
	(void)off;
	(void)size;
	return dev->base == I8042_CMD ? STATUS : 0xff;
}

static void i8042_out(struct io_dev *dev, uint16_t off, int size, uint32_t v)
{
	struct i8042 *k = dev->priv;

	(void)off;
	(void)size;
	v &= 0xff;
	if (dev->base == I8042_CMD) {
		k->pending_cmd = v == CMD_WRITE_OUTPUT ? v : 0;
		if (v == CMD_PULSE_RESET)
			lifecycle_reset(k->vm);
		return;
	}
	if (k->pending_cmd == CMD_WRITE_OUTPUT && !(v & OUTPUT_RESET))
		lifecycle_reset(k->vm);
	k->pending_cmd = 0;
}

static struct io_dev data_dev = {
	.name = "i8042 data", .base = I8042_DATA, .len = 1,
	.in = i8042_in, .out = i8042_out, .priv = &kbc,
};

static struct io_dev cmd_dev = {
	.name = "i8042 command", .base = I8042_CMD, .len = 1,
	.in = i8042_in, .out = i8042_out, .priv = &kbc,
};

int i8042_init(struct vm *vm)
{
	kbc.vm = vm;
	return io_register(&data_dev) || io_register(&cmd_dev) ? -1 : 0;
}
