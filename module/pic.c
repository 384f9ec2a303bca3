// SPDX-License-Identifier: GPL-2.0
/*
 * The two 8259A interrupt controllers of a PC: the master at ports
 * 0x20/0x21 with the slave's output on its IRQ 2, the slave at 0xa0/0xa1,
 * and the edge/level control registers (ELCR) at 0x4d0/0x4d1.
 *
 * Each chip latches requests in IRR (an edge sets the bit, or the line's
 * level does, per its ELCR bit), masks them with IMR, and presents the
 * highest-priority one that outranks everything in service (ISR) on its
 * output.  Priorities rotate: IRQ priority_add is the highest, and
 * priority_add - 1 the lowest.  The INTA cycle (mv_pic_ack) moves the
 * master's request from IRR to ISR and, for IRQ 2, the slave's as well;
 * software ends the service with an EOI, or the chip does at the INTA in
 * auto-EOI mode.
 *
 * The master's IRQ 2 is wired to the slave's output and follows it: its
 * IRR bit is set while the slave asks.  IRQ 2 has no other source, so a
 * device line 2 reaches the I/O APIC only.
 *
 * What the model leaves out: single mode (ICW1 SNGL; a PC is always
 * cascaded, so ICW3 is always expected), ICW1 LTIM (the ELCR decides, as
 * on the PIIX), the 8080 mode and buffered-mode bits of ICW4.
 *
 * Reads: the command port gives IRR or ISR (OCW3), or after a poll
 * command the poll byte; the data port gives IMR, also during the
 * initialization sequence; the ELCR reads back.  Everything here runs
 * under irqchip->lock.
 */
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "irqchip.h"

#define PIC_MASTER_PORT		0x20
#define PIC_SLAVE_PORT		0xa0
#define PIC_ELCR_PORT		0x4d0

#define PIC_ICW1		BIT(4)	/* command port: ICW1, else an OCW */
#define PIC_ICW1_IC4		BIT(0)	/* ICW4 follows */
#define PIC_ICW4_AEOI		BIT(1)
#define PIC_ICW4_SFNM		BIT(4)
#define PIC_OCW3		BIT(3)	/* command port: OCW3, else OCW2 */
#define PIC_OCW3_RIS		BIT(0)	/* read ISR (with RR) */
#define PIC_OCW3_RR		BIT(1)	/* select the register read */
#define PIC_OCW3_POLL		BIT(2)
#define PIC_OCW3_SMM		BIT(5)	/* special mask mode (with ESMM) */
#define PIC_OCW3_ESMM		BIT(6)
#define PIC_POLL_INT		BIT(7)	/* poll byte: a request was there */
#define PIC_SPURIOUS		7	/* the IRQ an INTA gets with none */

/* OCW2 commands: bits 7-5 (R, SL, EOI) */
enum {
	PIC_ROTATE_AEOI_CLEAR,
	PIC_EOI,
	PIC_NOP,
	PIC_SPECIFIC_EOI,
	PIC_ROTATE_AEOI_SET,
	PIC_ROTATE_EOI,
	PIC_SET_PRIORITY,
	PIC_ROTATE_SPECIFIC_EOI,
};

/* The VM, for mv_irq_pic_changed(): the PIT's, the one we have a pointer to */
static struct mv_vm *pic_vm(struct mv_irqchip *chip)
{
	return chip->vm;
}

/* 0 for the highest priority, 7 for the lowest */
static unsigned int pic_prio(const struct mv_pic *p, unsigned int irq)
{
	return (irq - p->priority_add) & 7;
}

/* The highest-priority IRQ of @mask, or -1 */
static int pic_highest(const struct mv_pic *p, u8 mask)
{
	unsigned int i, irq;

	for (i = 0; i < 8; i++) {
		irq = (p->priority_add + i) & 7;
		if (mask & BIT(irq))
			return irq;
	}
	return -1;
}

/*
 * The request on the chip's output: the highest-priority unmasked one, if
 * it outranks what is in service, or -1.  In special mask mode, levels
 * masked in IMR do not hold back lower ones while in service; in special
 * fully nested mode, the master lets a slave interrupt its own service.
 */
static int pic_request(const struct mv_pic *p, bool master)
{
	u8 in_service = p->isr;
	int irq, cur;

	irq = pic_highest(p, p->irr & ~p->imr);
	if (irq < 0)
		return -1;
	if (p->special_mask)
		in_service &= ~p->imr;
	cur = pic_highest(p, in_service);
	if (cur < 0 || pic_prio(p, irq) < pic_prio(p, cur))
		return irq;
	if (master && p->special_fully_nested && irq == MV_PIC_CASCADE_IRQ &&
	    cur == MV_PIC_CASCADE_IRQ)
		return irq;
	return -1;
}

/* After anything that can change the outputs: the cascade, then vCPU 0 */
static void pic_update(struct mv_irqchip *chip)
{
	struct mv_pic *m = &chip->pic[0];
	struct mv_vm *vm = pic_vm(chip);

	if (pic_request(&chip->pic[1], false) >= 0) {
		m->irr |= BIT(MV_PIC_CASCADE_IRQ);
		m->last_irr |= BIT(MV_PIC_CASCADE_IRQ);
	} else {
		m->irr &= ~BIT(MV_PIC_CASCADE_IRQ);
		m->last_irr &= ~BIT(MV_PIC_CASCADE_IRQ);
	}
	if (vm && pic_request(m, true) >= 0)
		mv_irq_pic_changed(vm);
}

void mv_pic_update(struct mv_irqchip *chip)
{
	lockdep_assert_held(&chip->lock);
	pic_update(chip);
}

void mv_pic_init(struct mv_irqchip *chip)
{
	static const u16 ports[2] = { PIC_MASTER_PORT, PIC_SLAVE_PORT };
	struct mv_pic *p;
	unsigned int i, irq;

	for (i = 0; i < 2; i++) {
		p = &chip->pic[i];
		memset(p, 0, sizeof(*p));
		/* Masked until the guest initializes it: vectors 0-7 are faults */
		p->imr = 0xff;
		p->elcr_mask = i ? 0xde : 0xf8;
		/* The lines keep their levels. */
		for (irq = 0; irq < 8; irq++)
			if (chip->levels[i * 8 + irq])
				p->last_irr |= BIT(irq);
		chip->pic_dev[i] = (struct mv_io_dev){
			.ops = &mv_pic_ops, .base = ports[i], .len = 2,
		};
	}
	chip->pic[0].last_irr &= ~BIT(MV_PIC_CASCADE_IRQ);
	chip->elcr_dev = (struct mv_io_dev){
		.ops = &mv_elcr_ops, .base = PIC_ELCR_PORT, .len = 2,
	};
}

void mv_pic_set_irq(struct mv_irqchip *chip, int irq, bool level)
{
	struct mv_pic *p;
	u8 bit;

	lockdep_assert_held(&chip->lock);
	if (irq < 0 || irq >= 16 || irq == MV_PIC_CASCADE_IRQ)
		return;
	p = &chip->pic[irq >> 3];
	bit = BIT(irq & 7);
	if (p->elcr & bit) {
		if (level)
			p->irr |= bit;
		else
			p->irr &= ~bit;
	} else if (level && !(p->last_irr & bit)) {
		p->irr |= bit;
	}
	if (level)
		p->last_irr |= bit;
	else
		p->last_irr &= ~bit;
	pic_update(chip);
}

/* The INTA cycle on one chip: the request goes in service */
static void pic_intack(struct mv_pic *p, unsigned int irq)
{
	u8 bit = BIT(irq);

	p->isr |= bit;
	/* A level request stays while its line is up. */
	if (!(p->elcr & bit))
		p->irr &= ~bit;
	if (p->auto_eoi) {
		p->isr &= ~bit;
		if (p->rotate_on_aeoi)
			p->priority_add = (irq + 1) & 7;
	}
}

int mv_pic_pending(struct mv_irqchip *chip)
{
	int irq, irq2;

	lockdep_assert_held(&chip->lock);
	irq = pic_request(&chip->pic[0], true);
	if (irq < 0)
		return -1;
	if (irq != MV_PIC_CASCADE_IRQ)
		return chip->pic[0].vector_base + irq;
	irq2 = pic_request(&chip->pic[1], false);
	return chip->pic[1].vector_base + (irq2 < 0 ? PIC_SPURIOUS : irq2);
}

/*
 * The master's request goes in service; for the cascade, the slave's too,
 * or when the slave has nothing the slave answers with its IRQ 7 (15), the
 * spurious interrupt, in service on the master only.
 */
int mv_pic_ack(struct mv_irqchip *chip)
{
	struct mv_pic *m = &chip->pic[0], *s = &chip->pic[1];
	int irq, irq2, vec;

	lockdep_assert_held(&chip->lock);
	irq = pic_request(m, true);
	if (irq < 0)
		return -1;
	pic_intack(m, irq);
	if (irq == MV_PIC_CASCADE_IRQ) {
		irq2 = pic_request(s, false);
		if (irq2 >= 0)
			pic_intack(s, irq2);
		else
			irq2 = PIC_SPURIOUS;
		vec = s->vector_base + irq2;
	} else {
		vec = m->vector_base + irq;
	}
	pic_update(chip);
	return vec;
}

/*
 * ICW1: the initialization sequence starts.  Edge requests go (a line has
 * to rise again), so do the mask, what is in service, the rotation, special
 * mask mode and, until ICW4 says otherwise, auto-EOI and SFNM; reads give
 * IRR.
 */
static void pic_icw1(struct mv_pic *p, u8 val)
{
	p->icw_step = 2;
	p->icw4 = val & PIC_ICW1_IC4;
	p->irr &= p->elcr;
	p->isr = 0;
	p->imr = 0;
	p->priority_add = 0;
	p->special_mask = 0;
	p->read_isr = 0;
	p->poll = 0;
	p->rotate_on_aeoi = 0;
	p->auto_eoi = 0;
	p->special_fully_nested = 0;
}

static void pic_ocw2(struct mv_pic *p, u8 val)
{
	unsigned int cmd = val >> 5;
	int irq = val & 7;

	switch (cmd) {
	case PIC_ROTATE_AEOI_CLEAR:
	case PIC_ROTATE_AEOI_SET:
		p->rotate_on_aeoi = cmd == PIC_ROTATE_AEOI_SET;
		break;
	case PIC_EOI:
	case PIC_ROTATE_EOI:
		/* The highest in service; in special mask mode, not a masked one */
		irq = pic_highest(p, p->isr & ~(p->special_mask ? p->imr : 0));
		if (irq < 0)
			break;
		p->isr &= ~BIT(irq);
		if (cmd == PIC_ROTATE_EOI)
			p->priority_add = (irq + 1) & 7;
		break;
	case PIC_SPECIFIC_EOI:
		p->isr &= ~BIT(irq);
		break;
	case PIC_ROTATE_SPECIFIC_EOI:
		p->isr &= ~BIT(irq);
		p->priority_add = (irq + 1) & 7;
		break;
	case PIC_SET_PRIORITY:
		p->priority_add = (irq + 1) & 7;
		break;
	default:
		break;
	}
}

static void pic_ocw3(struct mv_pic *p, u8 val)
{
	if (val & PIC_OCW3_ESMM)
		p->special_mask = !!(val & PIC_OCW3_SMM);
	if (val & PIC_OCW3_POLL)
		p->poll = 1;
	if (val & PIC_OCW3_RR)
		p->read_isr = val & PIC_OCW3_RIS;
}

static void pic_write(struct mv_irqchip *chip, struct mv_pic *p, bool data,
		      u8 val)
{
	if (!data) {
		if (val & PIC_ICW1)
			pic_icw1(p, val);
		else if (val & PIC_OCW3)
			pic_ocw3(p, val);
		else
			pic_ocw2(p, val);
	} else if (p->icw_step == 2) {
		p->vector_base = val & 0xf8;
		p->icw_step = 3;
	} else if (p->icw_step == 3) {
		/* ICW3: who is whose slave is fixed by the wiring */
		p->icw_step = p->icw4 ? 4 : 0;
	} else if (p->icw_step == 4) {
		p->auto_eoi = !!(val & PIC_ICW4_AEOI);
		p->special_fully_nested = !!(val & PIC_ICW4_SFNM);
		p->icw_step = 0;
	} else {
		p->imr = val;
	}
	pic_update(chip);
}

/*
 * A poll command makes the next read an INTA on this chip alone: the poll
 * byte is 0x80 | the IRQ put in service, or 0x07 when none asks.
 */
static u8 pic_poll(struct mv_irqchip *chip, struct mv_pic *p)
{
	int irq = pic_request(p, p == &chip->pic[0]);

	p->poll = 0;
	if (irq < 0)
		return PIC_SPURIOUS;
	pic_intack(p, irq);
	pic_update(chip);
	return PIC_POLL_INT | irq;
}

static u8 pic_read(struct mv_irqchip *chip, struct mv_pic *p, bool data)
{
	if (p->poll)
		return pic_poll(chip, p);
	if (data)
		return p->imr;
	return p->read_isr ? p->isr : p->irr;
}

static struct mv_irqchip *pic_dev_chip(struct mv_io_dev *dev,
				       struct mv_pic **p)
{
	struct mv_irqchip *chip;

	if (dev->base == PIC_SLAVE_PORT) {
		chip = container_of(dev, struct mv_irqchip, pic_dev[1]);
		*p = &chip->pic[1];
	} else {
		chip = container_of(dev, struct mv_irqchip, pic_dev[0]);
		*p = &chip->pic[0];
	}
	return chip;
}

static int pic_port_read(struct mv_io_dev *dev, struct mv_vcpu *vcpu,
			 u64 addr, int len, void *val)
{
	struct mv_pic *p;
	struct mv_irqchip *chip = pic_dev_chip(dev, &p);
	unsigned long flags;
	u8 *b = val;
	int i;

	spin_lock_irqsave(&chip->lock, flags);
	for (i = 0; i < len; i++)
		b[i] = mv_io_byte_on(dev, addr, i) ?
		       pic_read(chip, p, (addr + i - dev->base) & 1) : 0xff;
	spin_unlock_irqrestore(&chip->lock, flags);
	return 0;
}

static int pic_port_write(struct mv_io_dev *dev, struct mv_vcpu *vcpu,
			  u64 addr, int len, const void *val)
{
	struct mv_pic *p;
	struct mv_irqchip *chip = pic_dev_chip(dev, &p);
	const u8 *b = val;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&chip->lock, flags);
	for (i = 0; i < len; i++)
		if (mv_io_byte_on(dev, addr, i))
			pic_write(chip, p, (addr + i - dev->base) & 1, b[i]);
	spin_unlock_irqrestore(&chip->lock, flags);
	return 0;
}

const struct mv_io_ops mv_pic_ops = {
	.read = pic_port_read,
	.write = pic_port_write,
};

static int elcr_port_read(struct mv_io_dev *dev, struct mv_vcpu *vcpu,
			  u64 addr, int len, void *val)
{
	struct mv_irqchip *chip = container_of(dev, struct mv_irqchip,
					       elcr_dev);
	unsigned long flags;
	u8 *b = val;
	int i;

	spin_lock_irqsave(&chip->lock, flags);
	for (i = 0; i < len; i++)
		b[i] = mv_io_byte_on(dev, addr, i) ?
		       chip->pic[(addr + i - dev->base) & 1].elcr : 0xff;
	spin_unlock_irqrestore(&chip->lock, flags);
	return 0;
}

/* Bits that cannot be level are 0; a level input's request is its line. */
static void elcr_write(struct mv_irqchip *chip, struct mv_pic *p, u8 val)
{
	p->elcr = val & p->elcr_mask;
	p->irr = (p->irr & ~p->elcr) | (p->last_irr & p->elcr);
	pic_update(chip);
}

static int elcr_port_write(struct mv_io_dev *dev, struct mv_vcpu *vcpu,
			   u64 addr, int len, const void *val)
{
	struct mv_irqchip *chip = container_of(dev, struct mv_irqchip,
					       elcr_dev);
	const u8 *b = val;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&chip->lock, flags);
	for (i = 0; i < len; i++)
		if (mv_io_byte_on(dev, addr, i))
			elcr_write(chip, &chip->pic[(addr + i - dev->base) & 1],
				   b[i]);
	spin_unlock_irqrestore(&chip->lock, flags);
	return 0;
}

const struct mv_io_ops mv_elcr_ops = {
	.read = elcr_port_read,
	.write = elcr_port_write,
};

void mv_pic_get_state(struct mv_pic *p, struct mv_pic_state *st)
{
	memset(st, 0, sizeof(*st));
	st->irr = p->irr;
	st->isr = p->isr;
	st->imr = p->imr;
	st->elcr = p->elcr;
	st->vector_base = p->vector_base;
	st->icw_step = p->icw_step;
	st->icw4 = p->icw4;
	st->auto_eoi = p->auto_eoi;
	st->read_isr = p->read_isr;
	st->special_mask = p->special_mask;
	st->poll = p->poll;
	st->rotate_on_aeoi = p->rotate_on_aeoi;
	st->priority_add = p->priority_add;
	st->special_fully_nested = p->special_fully_nested;
	st->last_irr = p->last_irr;
}

static bool pic_state_valid(const struct mv_pic *p,
			    const struct mv_pic_state *st)
{
	if (st->icw_step == 1 || st->icw_step > 4 ||
	    (st->icw_step == 4 && !st->icw4))
		return false;
	if ((st->icw4 | st->auto_eoi | st->read_isr | st->special_mask |
	     st->poll | st->rotate_on_aeoi | st->special_fully_nested) > 1)
		return false;
	return st->priority_add < 8 && !(st->vector_base & 7) &&
	       !(st->elcr & ~p->elcr_mask) && !st->pad;
}

/* The lines' levels in last_irr are the caller's to keep right. */
int mv_pic_set_state(struct mv_pic *p, const struct mv_pic_state *st)
{
	if (!pic_state_valid(p, st))
		return -EINVAL;
	p->irr = st->irr;
	p->isr = st->isr;
	p->imr = st->imr;
	p->elcr = st->elcr;
	p->vector_base = st->vector_base;
	p->icw_step = st->icw_step;
	p->icw4 = st->icw4;
	p->auto_eoi = st->auto_eoi;
	p->read_isr = st->read_isr;
	p->special_mask = st->special_mask;
	p->poll = st->poll;
	p->rotate_on_aeoi = st->rotate_on_aeoi;
	p->priority_add = st->priority_add;
	p->special_fully_nested = st->special_fully_nested;
	p->last_irr = st->last_irr;
	return 0;
}
