/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel interrupt controllers and timers (MV_CREATE_IRQCHIP):
 * local APICs (lapic.c), the I/O APIC (ioapic.c), the 8259 pair (pic.c),
 * the 8254 PIT (pit.c), wired together by irq.c and put together by
 * irqchip.c, plus the in-kernel I/O bus (iodev.c) their registers sit on.
 * Calls go one way, irqchip.c -> pit.c -> irq.c -> pic.c, ioapic.c ->
 * lapic.c -> event.c; the one way back up, a level-triggered EOI from a
 * local APIC to the I/O APIC, is the hook irqchip->level_eoi.
 *
 * Wiring, as on a PC: a device raises a GSI (MV_IRQ_LINE, or the PIT on
 * GSI 0); GSIs 0-15 go to the PICs and to the I/O APIC pin of the same
 * number (GSI 0 to pin 2), 16-23 to the I/O APIC only.  The master PIC's
 * output is vCPU 0's LINT0 (ExtINT, taken when that LVT says so or the
 * APIC is off).  The I/O APIC, MSIs and IPIs send messages on the "APIC
 * bus" (mv_apic_bus_deliver()), which the local APICs accept by
 * destination.  A local APIC is an interrupt source of its vCPU
 * (event.c); so is the PIC, on vCPU 0.
 *
 * Locking: irqchip->lock (a spinlock taken with interrupts off, as the
 * PIT's hrtimer takes it; innermost but for the local APICs'
 * own) guards the PICs, the I/O APIC and the line levels; each local
 * APIC's IRR is set with atomic bit operations from any context, and
 * everything else of it is its own vCPU's; the PIT has its own lock, and
 * calls into the lines with it dropped.
 */
#ifndef _MV_IRQCHIP_H
#define _MV_IRQCHIP_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "minivisor.h"

/* iodev.c: registers emulated in the kernel, by port or guest-physical address */
struct mv_io_dev;

struct mv_io_ops {
	/* @addr within [base, base + len); 0, or -EOPNOTSUPP (userspace's) */
	int (*read)(struct mv_io_dev *dev, struct mv_vcpu *vcpu, u64 addr,
		    int len, void *val);
	int (*write)(struct mv_io_dev *dev, struct mv_vcpu *vcpu, u64 addr,
		     int len, const void *val);
};

struct mv_io_dev {
	const struct mv_io_ops *ops;
	u64 base, len;
	bool mmio;			/* else port I/O */
};

#define MV_MAX_IO_DEVS	8

/*
 * Whether byte @i of an access at @addr lands on @dev: an access wider than
 * a device's registers goes to them a byte at a time, as on the ISA bus.
 */
static inline bool mv_io_byte_on(const struct mv_io_dev *dev, u64 addr, int i)
{
	return addr + i >= dev->base && addr + i - dev->base < dev->len;
}

/* Before any vCPU exists: the set is fixed once vCPUs run. */
int mv_io_register(struct mv_vm *vm, struct mv_io_dev *dev);
/* 0 when an in-kernel device took the access, -ENOENT when none is there. */
int mv_io_read(struct mv_vcpu *vcpu, bool mmio, u64 addr, int len, void *val);
int mv_io_write(struct mv_vcpu *vcpu, bool mmio, u64 addr, int len,
		const void *val);

/* A message on the APIC bus: from the I/O APIC, an MSI or an IPI. */
struct mv_apic_irq {
	u8 vector;
	u8 delivery_mode;		/* APIC_DM_* >> 8 */
	bool logical;			/* destination mode */
	bool level;			/* level-triggered (EOI goes to the I/O APIC) */
	bool assert;			/* INIT level de-assert is 0 */
	u8 shorthand;			/* APIC_DEST_SELF... >> 18; 0: none */
	u32 dest;			/* APIC ID, or logical set */
	bool x2apic_dest;		/* 32-bit destination (x2APIC IPI, MSI ext) */
};

/* lapic.c: a vCPU's local APIC */
struct mv_lapic {
	struct mv_vcpu *vcpu;
	u64 base_msr;			/* IA32_APIC_BASE */
	u32 regs[MV_LAPIC_SIZE / 4];	/* plain registers, by offset / 4 */
	/* Set from any context with atomic bit operations: */
	DECLARE_BITMAP(irr, 256);
	/* The vCPU's own: */
	DECLARE_BITMAP(isr, 256);
	DECLARE_BITMAP(tmr, 256);
	struct hrtimer timer;
	ktime_t period;			/* periodic mode: the period */
	ktime_t target;			/* when the timer fires */
	u64 tsc_deadline;		/* IA32_TSC_DEADLINE, guest TSC */
	unsigned long esr_pending;	/* errors since the last ESR write (atomic) */
	u8 sipi_vector;			/* latched by a SIPI */
};

/* pic.c: the two 8259s */
struct mv_pic {
	u8 irr, isr, imr, elcr, last_irr;
	u8 vector_base, icw_step, icw4, auto_eoi;
	u8 read_isr, special_mask, poll, rotate_on_aeoi;
	u8 priority_add, special_fully_nested;
	u8 elcr_mask;			/* ELCR bits that exist */
};

/* pic.c: the master's input the slave's output drives */
#define MV_PIC_CASCADE_IRQ	2

/* ioapic.c */
struct mv_ioapic {
	u64 base;
	u32 id, ioregsel;
	u64 redir[MV_NR_GSIS];
	u32 line;			/* pins asserted now */
};

/* pit.c: the 8254 */
struct mv_pit_chan {
	u32 count;			/* 0: 65536 */
	u16 latched_count;
	u8 count_latched, status_latched, status;
	u8 read_state, write_state, write_latch;
	u8 rw_mode, mode, bcd, gate;
	/* MV_PIT_NOT_COUNTING: no count since the mode, or held by the gate */
	ktime_t count_load_time;
};

#define MV_PIT_NOT_COUNTING	KTIME_MAX
/* The 8254's input clock, Hz */
#define MV_PIT_HZ		1193182

struct mv_pit {
	spinlock_t lock;		/* the channels, speaker */
	struct mv_pit_chan chan[3];
	u32 speaker;
	struct hrtimer timer;		/* channel 0's interrupt */
	ktime_t period;			/* 0: one-shot */
	struct mv_vm *vm;		/* NULL once freed */
	bool armed;			/* the timer's expiry is an edge of OUT 0 */
	u8 refresh;			/* port 0x61 bit 4: toggles on each read */
	atomic_long_t bcd_refused;	/* control words asking for BCD */
};

/* irq.c */
enum mv_irq_src { MV_IRQ_SRC_USER, MV_IRQ_SRC_PIT, MV_NR_IRQ_SRCS };

struct mv_irqchip {
	spinlock_t lock;		/* pic, ioapic, levels */
	struct mv_vm *vm;
	struct mv_pic pic[2];
	struct mv_ioapic ioapic;
	struct mv_pit pit;
	u8 levels[MV_NR_GSIS];		/* BIT(enum mv_irq_src) asserting */
	struct mv_io_dev pic_dev[2], elcr_dev, ioapic_dev, pit_dev, port61_dev;
	/* A local APIC saw the EOI of level-triggered @vector (mv_irq_eoi). */
	void (*level_eoi)(struct mv_vm *vm, u8 vector);
};

/* irqchip.c */
int mv_irqchip_create(struct mv_vm *vm);
void mv_irqchip_stop(struct mv_vm *vm);
void mv_irqchip_free(struct mv_vm *vm);
int mv_irqchip_get(struct mv_vm *vm, struct mv_irqchip_state *st);
int mv_irqchip_set(struct mv_vm *vm, const struct mv_irqchip_state *st);

/* irq.c */
extern const struct mv_irq_source mv_pic_irq_source;
/* A device's line at @level; 0 or -EINVAL. */
int mv_irq_set(struct mv_vm *vm, u32 gsi, enum mv_irq_src src, bool level);
int mv_irq_msi(struct mv_vm *vm, const struct mv_msi *msi);
void mv_irq_eoi(struct mv_vm *vm, u8 vector);

/* event.c: the PIC's output may have changed, vCPU 0 asks it again (any context). */
void mv_irq_pic_changed(struct mv_vm *vm);

/* lapic.c */
extern unsigned int mv_min_timer_period_us;
extern const struct mv_irq_source mv_lapic_irq_source;
int mv_lapic_create(struct mv_vcpu *vcpu);
void mv_lapic_free(struct mv_vcpu *vcpu);
/* Power-on (@power) or INIT reset. */
void mv_lapic_reset(struct mv_vcpu *vcpu, bool power);
bool mv_lapic_x2apic(struct mv_lapic *a);
bool mv_lapic_match(struct mv_lapic *a, const struct mv_apic_irq *irq);
/* Deliver on the APIC bus from @src (NULL: not a vCPU); 0 or -EINVAL. */
int mv_apic_bus_deliver(struct mv_vm *vm, struct mv_vcpu *src,
			const struct mv_apic_irq *irq);
u32 mv_lapic_priority(struct mv_lapic *a);
void mv_lapic_accept(struct mv_lapic *a, const struct mv_apic_irq *irq);
bool mv_lapic_accepts_pic(struct mv_vcpu *vcpu);
/* The vCPU runs on another CPU now: its timer follows (preemption off). */
void mv_lapic_migrate_timer(struct mv_vcpu *vcpu);
bool mv_lapic_mmio_hit(struct mv_vcpu *vcpu, u64 gpa);
int mv_lapic_mmio(struct mv_vcpu *vcpu, u64 gpa, int len, void *val,
		  bool write);
void mv_lapic_get_state(struct mv_vcpu *vcpu, struct mv_lapic_state *st);
int mv_lapic_set_state(struct mv_vcpu *vcpu, const struct mv_lapic_state *st);

/* pic.c, under irqchip->lock; the port callbacks take it (irqsave) */
/* Both chips as on power-up (masked); fills pic_dev[] and elcr_dev in. */
void mv_pic_init(struct mv_irqchip *chip);
void mv_pic_set_irq(struct mv_irqchip *chip, int irq, bool level);
/* The master's output: the vector INTA would give, or -1. */
int mv_pic_pending(struct mv_irqchip *chip);
/* INTA: the vector taken (-1 if the output dropped meanwhile). */
int mv_pic_ack(struct mv_irqchip *chip);
void mv_pic_get_state(struct mv_pic *p, struct mv_pic_state *st);
int mv_pic_set_state(struct mv_pic *p, const struct mv_pic_state *st);
/* After mv_pic_set_state(): the cascade and the output follow the new state. */
void mv_pic_update(struct mv_irqchip *chip);
extern const struct mv_io_ops mv_pic_ops, mv_elcr_ops;

/* ioapic.c, under irqchip->lock */
void mv_ioapic_init(struct mv_ioapic *io);
void mv_ioapic_set_irq(struct mv_vm *vm, int pin, bool level);
void mv_ioapic_eoi(struct mv_vm *vm, u8 vector);
void mv_ioapic_get_state(struct mv_ioapic *io, struct mv_ioapic_state *st);
int mv_ioapic_set_state(struct mv_vm *vm, const struct mv_ioapic_state *st);
extern const struct mv_io_ops mv_ioapic_ops;

/* pit.c; the shortest period of a periodic timer is lapic.c's. */
/* @pit is @vm's irqchip's; fills pit_dev and port61_dev in. */
void mv_pit_init(struct mv_vm *vm, struct mv_pit *pit);
/* Before the VM goes: the timer is cancelled and never armed again. */
void mv_pit_free(struct mv_pit *pit);
void mv_pit_get_state(struct mv_pit *pit, struct mv_pit_state *st);
int mv_pit_set_state(struct mv_pit *pit, const struct mv_pit_state *st);
extern const struct mv_io_ops mv_pit_ops, mv_port61_ops;

#endif /* _MV_IRQCHIP_H */
