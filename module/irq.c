// SPDX-License-Identifier: GPL-2.0
/*
 * The wiring of device lines (GSIs) to the PICs and the I/O APIC, MSIs,
 * the PIC as vCPU 0's interrupt source, and the EOIs of level-triggered
 * interrupts back to the I/O APIC.  irqchip.h draws the picture.
 */
#include <asm/apicdef.h>

#include "irqchip.h"

/* The PIC's output, as an interrupt source of vCPU 0 (ExtINT on LINT0). */
static int mv_pic_src_pending(struct mv_vcpu *vcpu)
{
	struct mv_irqchip *chip = vcpu->vm->irqchip;
	unsigned long flags;
	int v;

	if (!mv_lapic_accepts_pic(vcpu))
		return -1;
	spin_lock_irqsave(&chip->lock, flags);
	v = mv_pic_pending(chip);
	spin_unlock_irqrestore(&chip->lock, flags);
	return v;
}

static int mv_pic_src_ack(struct mv_vcpu *vcpu, int vector)
{
	struct mv_irqchip *chip = vcpu->vm->irqchip;
	unsigned long flags;
	int v;

	spin_lock_irqsave(&chip->lock, flags);
	v = mv_pic_ack(chip);
	spin_unlock_irqrestore(&chip->lock, flags);
	return v;
}

const struct mv_irq_source mv_pic_irq_source = {
	.pending = mv_pic_src_pending,
	.ack = mv_pic_src_ack,
};

int mv_irq_set(struct mv_vm *vm, u32 gsi, enum mv_irq_src src, bool level)
{
	struct mv_irqchip *chip = vm->irqchip;
	unsigned long flags;
	bool line;

	if (!chip || gsi >= MV_NR_GSIS)
		return -EINVAL;
	spin_lock_irqsave(&chip->lock, flags);
	if (level)
		chip->levels[gsi] |= BIT(src);
	else
		chip->levels[gsi] &= ~BIT(src);
	line = chip->levels[gsi];
	if (gsi < 16)
		mv_pic_set_irq(chip, gsi, line);
	/* As on a PC, ISA IRQ 0 (the PIT) is wired to I/O APIC pin 2. */
	mv_ioapic_set_irq(vm, gsi ? gsi : 2, line);
	spin_unlock_irqrestore(&chip->lock, flags);
	return 0;
}

/* An MSI: address 0xfeeXXXXX names the destination, data the vector. */
int mv_irq_msi(struct mv_vm *vm, const struct mv_msi *msi)
{
	struct mv_apic_irq irq = {
		.vector = msi->data & 0xff,
		.delivery_mode = (msi->data >> 8) & 7,
		.logical = msi->address & BIT(2),
		.level = msi->data & BIT(15),
		.assert = true,
		.dest = (msi->address >> 12) & 0xff,
	};
	unsigned int i;

	if (msi->flags || (msi->address >> 20) != 0xfee)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(msi->pad); i++)
		if (msi->pad[i])
			return -EINVAL;
	if (irq.delivery_mode != APIC_DM_FIXED >> 8 &&
	    irq.delivery_mode != APIC_DM_LOWEST >> 8 &&
	    irq.delivery_mode != APIC_DM_NMI >> 8)
		return -EINVAL;
	return mv_apic_bus_deliver(vm, NULL, &irq);
}

/* Installed as the irqchip's level_eoi (irqchip.c): lapic.c calls it. */
void mv_irq_eoi(struct mv_vm *vm, u8 vector)
{
	struct mv_irqchip *chip = vm->irqchip;
	unsigned long flags;

	spin_lock_irqsave(&chip->lock, flags);
	mv_ioapic_eoi(vm, vector);
	spin_unlock_irqrestore(&chip->lock, flags);
}
