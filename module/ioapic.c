// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC: 24 pins, each with a redirection entry saying where its
 * interrupt goes on the APIC bus.  Registers are reached through IOREGSEL
 * (base + 0x00) and IOWIN (base + 0x10); version 0x11 (no EOI register).
 *
 * Edge-triggered pins send on a rising edge while unmasked (an edge on a
 * masked pin is lost, as the 82093AA datasheet says and KVM does);
 * level-triggered ones send while asserted and unmasked, and then wait
 * with Remote IRR set until the local APIC's EOI of their vector comes
 * back (mv_ioapic_eoi()), when a line still asserted sends again.
 * Reserved bits of the redirection entries read as zero.  All of it under
 * irqchip->lock.
 */
#include <asm/apicdef.h>

#include "irqchip.h"

#define IOAPIC_REG_SELECT	0x00
#define IOAPIC_REG_WINDOW	0x10
#define IOAPIC_ID		0x00
#define IOAPIC_VERSION		0x01
#define IOAPIC_ARB		0x02
#define IOAPIC_REDIR		0x10
#define IOAPIC_VERSION_ID	0x11

#define REDIR_VECTOR		0xffULL
#define REDIR_MODE		(7ULL << 8)
#define REDIR_LOGICAL		BIT_ULL(11)
#define REDIR_STATUS		BIT_ULL(12)
#define REDIR_POLARITY		BIT_ULL(13)
#define REDIR_REMOTE_IRR	BIT_ULL(14)
#define REDIR_LEVEL		BIT_ULL(15)
#define REDIR_MASKED		BIT_ULL(16)
#define REDIR_DEST_SHIFT	56
/* What the guest can write: the rest is reserved or read-only. */
#define REDIR_WRITABLE		(REDIR_VECTOR | REDIR_MODE | REDIR_LOGICAL | \
				 REDIR_POLARITY | REDIR_LEVEL | REDIR_MASKED | \
				 (0xffULL << REDIR_DEST_SHIFT))

void mv_ioapic_init(struct mv_ioapic *io)
{
	int i;

	memset(io, 0, sizeof(*io));
	io->base = IO_APIC_DEFAULT_PHYS_BASE;
	for (i = 0; i < MV_NR_GSIS; i++)
		io->redir[i] = REDIR_MASKED;
}

/* Send pin @pin's interrupt on the APIC bus. */
static void mv_ioapic_send(struct mv_vm *vm, struct mv_ioapic *io, int pin)
{
	u64 e = io->redir[pin];
	struct mv_apic_irq irq = {
		.vector = e & REDIR_VECTOR,
		.delivery_mode = (e & REDIR_MODE) >> 8,
		.logical = e & REDIR_LOGICAL,
		.level = e & REDIR_LEVEL,
		.assert = true,
		.dest = e >> REDIR_DEST_SHIFT,
	};

	if (irq.level)
		io->redir[pin] |= REDIR_REMOTE_IRR;
	mv_apic_bus_deliver(vm, NULL, &irq);
}

/* A level-triggered pin may have something to send now. */
static void mv_ioapic_service(struct mv_vm *vm, struct mv_ioapic *io, int pin)
{
	u64 e = io->redir[pin];

	if (!(e & REDIR_MASKED) && (e & REDIR_LEVEL) &&
	    (io->line & BIT(pin)) && !(e & REDIR_REMOTE_IRR))
		mv_ioapic_send(vm, io, pin);
}

void mv_ioapic_set_irq(struct mv_vm *vm, int pin, bool level)
{
	struct mv_ioapic *io = &vm->irqchip->ioapic;
	bool was = io->line & BIT(pin);

	lockdep_assert_held(&vm->irqchip->lock);
	if (level)
		io->line |= BIT(pin);
	else
		io->line &= ~BIT(pin);
	if (io->redir[pin] & REDIR_LEVEL)
		mv_ioapic_service(vm, io, pin);
	else if (level && !was && !(io->redir[pin] & REDIR_MASKED))
		mv_ioapic_send(vm, io, pin);
}

/* The EOI of @vector reached us: level pins with it may send again. */
void mv_ioapic_eoi(struct mv_vm *vm, u8 vector)
{
	struct mv_ioapic *io = &vm->irqchip->ioapic;
	int pin;

	lockdep_assert_held(&vm->irqchip->lock);
	for (pin = 0; pin < MV_NR_GSIS; pin++) {
		u64 e = io->redir[pin];

		if ((e & REDIR_VECTOR) != vector || !(e & REDIR_LEVEL) ||
		    !(e & REDIR_REMOTE_IRR))
			continue;
		io->redir[pin] &= ~REDIR_REMOTE_IRR;
		mv_ioapic_service(vm, io, pin);
	}
}

static u32 mv_ioapic_read_reg(struct mv_ioapic *io)
{
	u32 sel = io->ioregsel, pin;

	switch (sel) {
	case IOAPIC_ID:
	case IOAPIC_ARB:
		return (io->id & 0xf) << 24;
	case IOAPIC_VERSION:
		return IOAPIC_VERSION_ID | ((MV_NR_GSIS - 1) << 16);
	}
	pin = (sel - IOAPIC_REDIR) / 2;
	if (sel < IOAPIC_REDIR || pin >= MV_NR_GSIS)
		return 0xffffffff;	/* no such register */
	return sel & 1 ? io->redir[pin] >> 32 : (u32)io->redir[pin];
}

static void mv_ioapic_write_reg(struct mv_vm *vm, struct mv_ioapic *io,
				u32 val)
{
	u32 sel = io->ioregsel, pin;
	u64 e;

	if (sel == IOAPIC_ID) {
		io->id = (val >> 24) & 0xf;
		return;
	}
	pin = (sel - IOAPIC_REDIR) / 2;
	if (sel < IOAPIC_REDIR || pin >= MV_NR_GSIS)
		return;
	e = io->redir[pin];
	if (sel & 1)
		e = (e & 0xffffffffULL) | ((u64)val << 32);
	else
		e = (e & ~0xffffffffULL) | val;
	io->redir[pin] = (io->redir[pin] & ~REDIR_WRITABLE) |
			 (e & REDIR_WRITABLE);
	/* An edge pin has no Remote IRR. */
	if (!(io->redir[pin] & REDIR_LEVEL))
		io->redir[pin] &= ~REDIR_REMOTE_IRR;
	mv_ioapic_service(vm, io, pin);
}

static int mv_ioapic_mmio(struct mv_io_dev *dev, struct mv_vcpu *vcpu,
			  u64 addr, int len, void *val, bool write)
{
	struct mv_irqchip *chip = container_of(dev, struct mv_irqchip, ioapic_dev);
	struct mv_ioapic *io = &chip->ioapic;
	u32 off = addr - dev->base, v = 0;
	unsigned long flags;

	if (write)
		memcpy(&v, val, min(len, 4));
	spin_lock_irqsave(&chip->lock, flags);
	switch (off) {
	case IOAPIC_REG_SELECT:
		if (write)
			io->ioregsel = v & 0xff;
		else
			v = io->ioregsel;
		break;
	case IOAPIC_REG_WINDOW:
		if (write)
			mv_ioapic_write_reg(vcpu->vm, io, v);
		else
			v = mv_ioapic_read_reg(io);
		break;
	default:		/* reads as nothing, writes go nowhere */
		v = 0;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	if (!write) {
		memset(val, 0, len);
		memcpy(val, &v, min(len, 4));
	}
	return 0;
}

static int mv_ioapic_read(struct mv_io_dev *dev, struct mv_vcpu *vcpu,
			  u64 addr, int len, void *val)
{
	return mv_ioapic_mmio(dev, vcpu, addr, len, val, false);
}

static int mv_ioapic_write(struct mv_io_dev *dev, struct mv_vcpu *vcpu,
			   u64 addr, int len, const void *val)
{
	return mv_ioapic_mmio(dev, vcpu, addr, len, (void *)val, true);
}

const struct mv_io_ops mv_ioapic_ops = {
	.read = mv_ioapic_read,
	.write = mv_ioapic_write,
};

void mv_ioapic_get_state(struct mv_ioapic *io, struct mv_ioapic_state *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	st->base = io->base;
	st->id = io->id;
	st->ioregsel = io->ioregsel;
	st->irr = io->line;
	for (i = 0; i < MV_NR_GSIS; i++)
		st->redir[i] = io->redir[i];
}

int mv_ioapic_set_state(struct mv_vm *vm, const struct mv_ioapic_state *st)
{
	struct mv_ioapic *io = &vm->irqchip->ioapic;
	int i;

	lockdep_assert_held(&vm->irqchip->lock);
	if (st->base != io->base || st->id > 0xf || st->pad ||
	    (st->irr >> MV_NR_GSIS))
		return -EINVAL;
	io->id = st->id;
	io->ioregsel = st->ioregsel & 0xff;
	io->line = st->irr;
	for (i = 0; i < MV_NR_GSIS; i++)
		io->redir[i] = st->redir[i] & (REDIR_WRITABLE | REDIR_REMOTE_IRR);
	for (i = 0; i < MV_NR_GSIS; i++)
		mv_ioapic_service(vm, io, i);
	return 0;
}
