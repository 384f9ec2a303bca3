// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's fw_cfg, the legacy I/O interface: a 16-bit write to the selector
 * port (0x510) picks an item and rewinds it; each byte read from the data
 * port (0x511) is the item's next byte, and 0 past its end.  Items are
 * little-endian numbers unless said otherwise.  A key mvrun does not know
 * reads as zeros, as an absent item does in QEMU.  The DMA interface is
 * not offered (FW_CFG_ID bit 1 is clear), and writes to the data port are
 * ignored.
 *
 * The items are the ones guests of this platform ask for: kvm-unit-tests
 * (lib/x86/fwcfg.c) reads FW_CFG_NB_CPUS to know how many APs to wait for,
 * FW_CFG_RAM_SIZE, and key 0x11 as a memory limit where 0 means none
 * (QEMU's FW_CFG_KERNEL_DATA; mvrun gives no kernel there, so it reads 0).
 */
#include <string.h>

#include "mvrun.h"

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511

#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_ID		0x01
#define FW_CFG_RAM_SIZE		0x03
#define FW_CFG_NOGRAPHIC	0x04
#define FW_CFG_NB_CPUS		0x05
#define FW_CFG_MAX_CPUS		0x0f

#define FW_CFG_ID_TRADITIONAL	0x1

struct fw_item {
	uint16_t key;
	uint8_t len;
	uint8_t data[8];
};

struct fwcfg {
	struct fw_item items[8];
	int nr_items;
	const struct fw_item *sel;	/* NULL: an unknown key */
	uint32_t offset;
};

static struct fwcfg fwcfg;

static void add_item(struct fwcfg *f, uint16_t key, const void *data, uint8_t len)
{
	struct fw_item *it = &f->items[f->nr_items++];

	it->key = key;
	it->len = len;
	memcpy(it->data, data, len);
}

static void add_number(struct fwcfg *f, uint16_t key, uint64_t v, uint8_t len)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < len; i++)
		b[i] = v >> (8 * i);
	add_item(f, key, b, len);
}

static void fwcfg_select(struct fwcfg *f, uint16_t key)
{
	int i;

	f->sel = NULL;
	f->offset = 0;
	for (i = 0; i < f->nr_items; i++)
		if (f->items[i].key == key)
			f->sel = &f->items[i];
}

static uint8_t fwcfg_next(struct fwcfg *f)
{
	if (!f->sel || f->offset >= f->sel->len)
		return 0;
	return f->sel->data[f->offset++];
}

static uint32_t fwcfg_in(struct io_dev *dev, uint16_t off, int size)
{
	uint32_t v = 0;
	int i;

	if (off != FW_CFG_PORT_DATA - FW_CFG_PORT_SEL)
		return 0;
	/* A wider read takes that many bytes, in order. */
	for (i = 0; i < size; i++)
		v |= (uint32_t)fwcfg_next(dev->priv) << (8 * i);
	return v;
}

static void fwcfg_out(struct io_dev *dev, uint16_t off, int size, uint32_t v)
{
	(void)size;
	if (off == 0)
		fwcfg_select(dev->priv, v & 0xffff);
}

static struct io_dev fwcfg_dev = {
	.name = "fw_cfg", .base = FW_CFG_PORT_SEL, .len = 2,
	.in = fwcfg_in, .out = fwcfg_out, .priv = &fwcfg,
};

int fwcfg_init(struct vm *vm)
{
	struct fwcfg *f = &fwcfg;

	add_item(f, FW_CFG_SIGNATURE, "QEMU", 4);
	add_number(f, FW_CFG_ID, FW_CFG_ID_TRADITIONAL, 4);
	add_number(f, FW_CFG_RAM_SIZE, vm->mem_size, 8);
	add_number(f, FW_CFG_NOGRAPHIC, 1, 2);
	add_number(f, FW_CFG_NB_CPUS, vm->nr_vcpus, 2);
	add_number(f, FW_CFG_MAX_CPUS, vm->nr_vcpus, 2);
	return io_register(&fwcfg_dev);
}
