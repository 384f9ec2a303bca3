// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC, one per vCPU, emulated in the module.
 *
 * The guest reaches it through the xAPIC page (MMIO at the APIC base,
 * through the in-kernel I/O bus) or, in x2APIC mode, MSRs 0x800-0x8ff;
 * IA32_APIC_BASE switches between the two.  Interrupts arrive in the IRR
 * from any context (atomic bit operations: an IPI from another vCPU, the
 * I/O APIC, an MSI, the timer's hrtimer), and the owner vCPU is asked to
 * look (an event request).  Everything else is its own vCPU's.
 *
 * Delivery follows the architecture: the highest vector in the IRR is
 * taken when its priority class is above the processor priority, PPR =
 * max(TPR, the highest in-service class); taking it moves it to the ISR;
 * EOI clears the highest in-service vector and, when it came in level
 * triggered (TMR), tells the I/O APIC.  CR8 is TPR[7:4] in 64-bit mode.
 *
 * The timer counts a 1 GHz bus clock divided by TDCR, on an hrtimer:
 * one-shot and periodic from TMICT (TMCCT is computed from the time left),
 * TSC-deadline from IA32_TSC_DEADLINE.  A periodic timer never runs
 * faster than min_timer_period_us, so no guest can storm the host with
 * expiries (a one-shot timer costs the guest an exit per shot).
 */
#include <linux/hrtimer.h>
#include <linux/slab.h>
#include <asm/apicdef.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "irqchip.h"
#include "trace.h"

unsigned int mv_min_timer_period_us = 200;
MV_UINT_PARAM(min_timer_period_us, mv_min_timer_period_us, 10, 1000000, 0644,
	      "Shortest period of a guest's periodic APIC or PIT timer, in microseconds (default 200)");

#define APICBASE_BSP		BIT_ULL(8)
#define APICBASE_EXTD		BIT_ULL(10)
#define APICBASE_EN		BIT_ULL(11)
#define APIC_VERSION		0x14	/* an integrated APIC */
#define APIC_NR_LVTS		6	/* timer, thermal, perf, LINT0/1, error */
#define APIC_LVT_TIMER_MODE	(3 << 17)
#define X2APIC_BROADCAST	0xffffffff
#define ESR_SEND_ILLEGAL	5	/* ESR bits: an IPI with vector 0-15 */
#define ESR_RECV_ILLEGAL	6	/* a vector 0-15 arrived */

static inline u32 reg(struct mv_lapic *a, u32 off)
{
	return a->regs[off >> 2];
}

static inline void set_reg(struct mv_lapic *a, u32 off, u32 val)
{
	a->regs[off >> 2] = val;
}

bool mv_lapic_x2apic(struct mv_lapic *a)
{
	return (a->base_msr & (APICBASE_EN | APICBASE_EXTD)) ==
	       (APICBASE_EN | APICBASE_EXTD);
}

static bool mv_lapic_hw_enabled(struct mv_lapic *a)
{
	return a->base_msr & APICBASE_EN;
}

/* Hardware and software (SVR) enabled: fixed interrupts are taken. */
static bool mv_lapic_enabled(struct mv_lapic *a)
{
	return mv_lapic_hw_enabled(a) && (reg(a, APIC_SPIV) & APIC_SPIV_APIC_ENABLED);
}

/* The APIC ID as the bus matches it: 8 bits in xAPIC mode, 32 in x2APIC. */
static u32 mv_lapic_id(struct mv_lapic *a)
{
	return mv_lapic_x2apic(a) ? a->vcpu->index : reg(a, APIC_ID) >> 24;
}

static int mv_highest(const unsigned long *bits)
{
	int v = find_last_bit(bits, 256);

	return v < 256 ? v : -1;
}

static u32 mv_lapic_ppr(struct mv_lapic *a)
{
	u32 tpr = reg(a, APIC_TASKPRI) & 0xff;
	int isrv = mv_highest(a->isr);

	if (isrv >= 0 && (isrv & 0xf0) > (tpr & 0xf0))
		return isrv & 0xf0;
	return tpr;
}

/* Arbitration priority for lowest-priority delivery: its TPR. */
u32 mv_lapic_priority(struct mv_lapic *a)
{
	return READ_ONCE(a->regs[APIC_TASKPRI >> 2]) & 0xff;
}

/* The owner must look at its interrupt sources again. */
static void mv_lapic_poke(struct mv_lapic *a)
{
	mv_make_request(a->vcpu, MV_REQ_EVENT);
}

/* Interrupt source: the highest requested vector above PPR, or -1. */
static int mv_lapic_pending(struct mv_vcpu *vcpu)
{
	struct mv_lapic *a = vcpu->lapic;
	int v;

	if (!mv_lapic_enabled(a))
		return -1;
	v = mv_highest(a->irr);
	if (v < 0 || (v & 0xf0) <= (mv_lapic_ppr(a) & 0xf0))
		return -1;
	return v;
}

static int mv_lapic_ack(struct mv_vcpu *vcpu, int vector)
{
	struct mv_lapic *a = vcpu->lapic;

	if (!test_and_clear_bit(vector, a->irr))
		return -1;
	set_bit(vector, a->isr);
	return vector;
}

const struct mv_irq_source mv_lapic_irq_source = {
	.pending = mv_lapic_pending,
	.ack = mv_lapic_ack,
};

/* Set @vector in the IRR (from any context) and tell the vCPU. */
static void mv_lapic_request(struct mv_lapic *a, u8 vector, bool level)
{
	if (level)
		set_bit(vector, a->tmr);
	else
		clear_bit(vector, a->tmr);
	if (!test_and_set_bit(vector, a->irr))
		mv_lapic_poke(a);
}

/*
 * An error the ESR will show once written (from any context); the error
 * LVT, unmasked and with a legal vector, interrupts for it.
 */
static void mv_lapic_error(struct mv_lapic *a, int bit)
{
	u32 lvterr = READ_ONCE(a->regs[APIC_LVTERR >> 2]);

	if (test_and_set_bit(bit, &a->esr_pending))
		return;
	if (!(lvterr & APIC_LVT_MASKED) && (lvterr & APIC_VECTOR_MASK) >= 16)
		mv_lapic_request(a, lvterr & APIC_VECTOR_MASK, false);
}

/* A local interrupt (LVT, fixed delivery): vectors 0-15 are illegal. */
static void mv_lapic_local_irq(struct mv_lapic *a, u32 lvt)
{
	if ((lvt & APIC_VECTOR_MASK) < 16)
		mv_lapic_error(a, ESR_RECV_ILLEGAL);
	else
		mv_lapic_request(a, lvt & APIC_VECTOR_MASK, false);
}

/* A message on the APIC bus this APIC is a destination of. */
void mv_lapic_accept(struct mv_lapic *a, const struct mv_apic_irq *irq)
{
	struct mv_vcpu *vcpu = a->vcpu;

	switch (irq->delivery_mode) {
	case APIC_DM_FIXED >> 8:
	case APIC_DM_LOWEST >> 8:
		if (!mv_lapic_enabled(a))
			return;
		/* Vectors 0-15 are illegal: the receiver drops them. */
		if (irq->vector < 16)
			mv_lapic_error(a, ESR_RECV_ILLEGAL);
		else
			mv_lapic_request(a, irq->vector, irq->level);
		break;
	case APIC_DM_NMI >> 8:
		atomic_inc(&vcpu->nmi_pending);
		mv_make_request(vcpu, MV_REQ_EVENT);
		break;
	case APIC_DM_INIT >> 8:
		/* The level de-assert of an INIT IPI does nothing today. */
		if (irq->assert || !irq->level)
			mv_make_request(vcpu, MV_REQ_INIT);
		break;
	case APIC_DM_STARTUP >> 8:
		WRITE_ONCE(a->sipi_vector, irq->vector);
		mv_make_request(vcpu, MV_REQ_SIPI);
		break;
	default:		/* SMI, remote read, ExtINT: not supported */
		break;
	}
}

/* The x2APIC's logical ID, derived from its ID: cluster and bit. */
static u32 mv_x2apic_ldr(struct mv_lapic *a)
{
	u32 id = a->vcpu->index;

	return ((id >> 4) << 16) | BIT(id & 0xf);
}

/* Is this APIC one of @irq's destinations (no shorthand)? */
bool mv_lapic_match(struct mv_lapic *a, const struct mv_apic_irq *irq)
{
	u32 ldr = READ_ONCE(a->regs[APIC_LDR >> 2]), dest = irq->dest;

	if (!mv_lapic_hw_enabled(a))
		return false;
	if (mv_lapic_x2apic(a)) {
		ldr = mv_x2apic_ldr(a);
		if (!irq->x2apic_dest && dest == 0xff)
			dest = X2APIC_BROADCAST;
		if (dest == X2APIC_BROADCAST)
			return true;
		if (!irq->logical)
			return dest == mv_lapic_id(a);
		/* Cluster in bits 31:16, a bitmap of 16 in 15:0. */
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (!irq->logical)
		return dest == 0xff || dest == mv_lapic_id(a);
	if (dest == 0xff)
		return true;
	ldr >>= 24;
	if ((reg(a, APIC_DFR) >> 28) == 0xf)		/* flat */
		return dest & ldr;
	/* Cluster: the high nibble names it, the low one is a bitmap. */
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

/* The APIC bus ---------------------------------------------------------- */

/* Does @irq, sent by @src, go to @vcpu? */
static bool mv_bus_dest(struct mv_vcpu *vcpu, struct mv_vcpu *src,
			const struct mv_apic_irq *irq)
{
	switch (irq->shorthand) {
	case APIC_DEST_SELF >> 18:
		return vcpu == src;
	case APIC_DEST_ALLINC >> 18:
		return true;
	case APIC_DEST_ALLBUT >> 18:
		return vcpu != src;
	default:
		return mv_lapic_match(vcpu->lapic, irq);
	}
}

int mv_apic_bus_deliver(struct mv_vm *vm, struct mv_vcpu *src,
			const struct mv_apic_irq *irq)
{
	/* Pairs with the release in mv_vcpu_create(). */
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);
	bool lowest = irq->delivery_mode == APIC_DM_LOWEST >> 8;
	struct mv_vcpu *best = NULL;

	for (i = 0; i < n; i++) {
		struct mv_vcpu *v = vm->vcpus[i];

		if (!v->lapic || !mv_bus_dest(v, src, irq))
			continue;
		if (!lowest) {
			mv_lapic_accept(v->lapic, irq);
			continue;
		}
		/* Lowest priority: the destination with the lowest TPR takes it. */
		if (!best || mv_lapic_priority(v->lapic) < mv_lapic_priority(best->lapic))
			best = v;
	}
	if (best)
		mv_lapic_accept(best->lapic, irq);
	return 0;
}

/* The timer ------------------------------------------------------------- */

static u32 mv_lapic_divide(struct mv_lapic *a)
{
	u32 tdcr = reg(a, APIC_TDCR);
	u32 shift = ((tdcr & 3) | ((tdcr & 8) >> 1)) + 1;

	return (1U << shift) & 0xff ?: 1;	/* 0b111: divide by 1 */
}

static u32 mv_lapic_timer_mode(struct mv_lapic *a)
{
	return reg(a, APIC_LVTT) & APIC_LVT_TIMER_MODE;
}

/* The timer's interrupt, unless its LVT is masked. */
static void mv_lapic_timer_irq(struct mv_lapic *a)
{
	u32 lvtt = reg(a, APIC_LVTT);

	if (!(lvtt & APIC_LVT_MASKED) && mv_lapic_enabled(a))
		mv_lapic_local_irq(a, lvtt);
}

static enum hrtimer_restart mv_lapic_timer_fn(struct hrtimer *t)
{
	struct mv_lapic *a = container_of(t, struct mv_lapic, timer);

	mv_lapic_timer_irq(a);
	if (mv_lapic_timer_mode(a) == APIC_LVT_TIMER_PERIODIC && a->period) {
		hrtimer_forward_now(t, a->period);
		a->target = hrtimer_get_expires(t);
		return HRTIMER_RESTART;
	}
	a->target = 0;
	if (mv_lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
		a->tsc_deadline = 0;
	return HRTIMER_NORESTART;
}

static void mv_lapic_timer_stop(struct mv_lapic *a)
{
	hrtimer_cancel(&a->timer);
	a->target = 0;
	a->period = 0;
}

/*
 * A one-shot or deadline timer due within MV_TIMER_NOW_NS of its arming
 * fires from here, once that time has passed: waiting so little in the
 * kernel costs less than arming an hrtimer and taking its interrupt (KVM
 * expires timers within its timer_advance_ns the same way).  Never early.
 */
#define MV_TIMER_NOW_NS		1000

static void mv_lapic_arm(struct mv_lapic *a, u64 ns)
{
	u64 end;

	if (ns > MV_TIMER_NOW_NS ||
	    mv_lapic_timer_mode(a) == APIC_LVT_TIMER_PERIODIC) {
		a->target = ktime_add_ns(ktime_get(), ns);
		hrtimer_start(&a->timer, a->target, HRTIMER_MODE_ABS_PINNED);
		return;
	}
	end = ktime_get_ns() + ns;
	while (ktime_get_ns() < end)
		cpu_relax();
	a->target = 0;
	if (mv_lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
		a->tsc_deadline = 0;
	mv_lapic_timer_irq(a);
}

/* TMICT was written (or the mode changed): one-shot and periodic modes. */
static void mv_lapic_timer_start(struct mv_lapic *a)
{
	u64 ns = (u64)reg(a, APIC_TMICT) * mv_lapic_divide(a);
	u64 min_ns = (u64)READ_ONCE(mv_min_timer_period_us) * NSEC_PER_USEC;

	mv_lapic_timer_stop(a);
	if (!ns || mv_lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
		return;
	if (mv_lapic_timer_mode(a) == APIC_LVT_TIMER_PERIODIC)
		a->period = ns_to_ktime(max(ns, min_ns));
	mv_lapic_arm(a, ns);
}

/* The current count: what is left, in (divided) bus cycles. */
static u32 mv_lapic_tmcct(struct mv_lapic *a)
{
	s64 left;

	if (!reg(a, APIC_TMICT) || !a->target ||
	    mv_lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	left = ktime_to_ns(ktime_sub(a->target, ktime_get()));
	if (left <= 0)
		return 0;
	return min_t(u64, div_u64(left, mv_lapic_divide(a)), reg(a, APIC_TMICT));
}

static u64 mv_guest_tsc(struct mv_vcpu *vcpu)
{
	u64 tsc = 0;

	mv_arch->get_msr(vcpu, MSR_IA32_TSC, &tsc);
	return tsc;
}

/* IA32_TSC_DEADLINE: 0 disarms; a past deadline fires at once. */
static void mv_lapic_set_deadline(struct mv_lapic *a, u64 deadline)
{
	u64 now, ns = 0;

	a->tsc_deadline = deadline;
	hrtimer_cancel(&a->timer);
	a->target = 0;
	if (mv_lapic_timer_mode(a) != APIC_LVT_TIMER_TSCDEADLINE || !deadline)
		return;
	now = mv_guest_tsc(a->vcpu);
	if (deadline > now && tsc_khz)
		ns = mul_u64_u32_div(deadline - now, USEC_PER_SEC, tsc_khz);
	mv_lapic_arm(a, ns);
}

/* Register writes -------------------------------------------------------- */

/* EOI: the highest in-service vector is done. */
static void mv_lapic_eoi(struct mv_lapic *a)
{
	int v = mv_highest(a->isr);

	if (v < 0)
		return;
	clear_bit(v, a->isr);
	if (test_bit(v, a->tmr))
		a->vcpu->vm->irqchip->level_eoi(a->vcpu->vm, v);
	/* A lower vector may be deliverable now. */
	a->vcpu->irq_wanted = true;
}

/* ICR low written (xAPIC), or the x2APIC ICR: send an IPI. */
static void mv_lapic_send_ipi(struct mv_lapic *a, u32 low, u32 dest)
{
	struct mv_apic_irq irq = {
		.vector = low & APIC_VECTOR_MASK,
		.delivery_mode = (low & APIC_DM_FIXED_MASK) >> 8,
		.logical = low & APIC_DEST_LOGICAL,
		.level = low & APIC_INT_LEVELTRIG,
		.assert = low & APIC_INT_ASSERT,
		.shorthand = (low >> 18) & 3,
		.dest = dest,
		.x2apic_dest = mv_lapic_x2apic(a),
	};

	trace_mv_ipi(a->vcpu, low, dest);
	if (irq.vector < 16 && (irq.delivery_mode == APIC_DM_FIXED >> 8 ||
				irq.delivery_mode == APIC_DM_LOWEST >> 8)) {
		mv_lapic_error(a, ESR_SEND_ILLEGAL);
		return;
	}
	mv_apic_bus_deliver(a->vcpu->vm, a->vcpu, &irq);
}

static const u32 mv_lvt_masks[APIC_NR_LVTS] = {
	0x000710ff | APIC_LVT_TIMER_MODE,	/* timer: vector, mask, mode */
	0x000117ff,				/* thermal */
	0x000117ff,				/* performance */
	0x0001f7ff,				/* LINT0 */
	0x0001f7ff,				/* LINT1 */
	0x000110ff,				/* error */
};

static int mv_lvt_index(u32 off)
{
	return off >= APIC_LVTT && off <= APIC_LVTERR ?
	       (off - APIC_LVTT) >> 4 : -1;
}

static void mv_lapic_write_lvt(struct mv_lapic *a, u32 off, u32 val)
{
	int i = mv_lvt_index(off);
	u32 old = reg(a, off);

	val &= mv_lvt_masks[i];
	/*
	 * Without TSC-deadline in CPUID, bit 18 of the timer mode is
	 * reserved; mode 3 stays as written and counts as one-shot.
	 */
	if (off == APIC_LVTT && !mv_guest_has(a->vcpu, 1, MV_CPUID_ECX, 24))
		val &= ~APIC_LVT_TIMER_TSCDEADLINE;
	if (!(reg(a, APIC_SPIV) & APIC_SPIV_APIC_ENABLED))
		val |= APIC_LVT_MASKED;
	set_reg(a, off, val);
	/* A new timer mode starts stopped: no count, no deadline. */
	if (off == APIC_LVTT && ((old ^ val) & APIC_LVT_TIMER_MODE)) {
		mv_lapic_timer_stop(a);
		a->tsc_deadline = 0;
		set_reg(a, APIC_TMICT, 0);
	}
	if (off == APIC_LVT0)
		mv_irq_pic_changed(a->vcpu->vm);
}

static void mv_lapic_write_svr(struct mv_lapic *a, u32 val)
{
	int i;

	/* Vector, enable, focus; no EOI-broadcast suppression (LVR bit 24). */
	set_reg(a, APIC_SPIV, val & 0x3ff);
	if (val & APIC_SPIV_APIC_ENABLED)
		return;
	/* Software disabled: every LVT masked. */
	for (i = 0; i < APIC_NR_LVTS; i++)
		set_reg(a, APIC_LVTT + 0x10 * i,
			reg(a, APIC_LVTT + 0x10 * i) | APIC_LVT_MASKED);
	mv_irq_pic_changed(a->vcpu->vm);
}

/* A write of @val to register @off; -EINVAL when the register refuses it. */
static int mv_lapic_write(struct mv_lapic *a, u32 off, u32 val)
{
	bool x2 = mv_lapic_x2apic(a);

	switch (off) {
	case APIC_ID:
		if (x2)
			return -EINVAL;
		set_reg(a, APIC_ID, val & 0xff000000);
		break;
	case APIC_TASKPRI:
		set_reg(a, APIC_TASKPRI, val & 0xff);
		a->vcpu->irq_wanted = true;
		break;
	case APIC_EOI:
		if (x2 && val)
			return -EINVAL;
		mv_lapic_eoi(a);
		break;
	case APIC_LDR:
		if (x2)
			return -EINVAL;
		set_reg(a, APIC_LDR, val & APIC_LDR_MASK);
		break;
	case APIC_DFR:
		if (x2)
			return -EINVAL;
		set_reg(a, APIC_DFR, val | 0x0fffffff);
		break;
	case APIC_SPIV:
		mv_lapic_write_svr(a, val);
		break;
	case APIC_ESR:
		if (x2 && val)
			return -EINVAL;
		/* A write makes the errors since the last one readable. */
		set_reg(a, APIC_ESR, xchg(&a->esr_pending, 0));
		break;
	case APIC_ICR:
		set_reg(a, APIC_ICR, val & ~APIC_ICR_BUSY);
		if (!x2)
			mv_lapic_send_ipi(a, val, reg(a, APIC_ICR2) >> 24);
		break;
	case APIC_ICR2:
		if (x2)
			return -EINVAL;
		set_reg(a, APIC_ICR2, val & 0xff000000);
		break;
	case APIC_LVTT ... APIC_LVTERR:
		if ((off & 0xf) || mv_lvt_index(off) < 0)
			return -EINVAL;
		mv_lapic_write_lvt(a, off, val);
		break;
	case APIC_TMICT:
		/* The deadline mode ignores the initial count. */
		if (mv_lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
			break;
		set_reg(a, APIC_TMICT, val);
		mv_lapic_timer_start(a);
		break;
	case APIC_TDCR:
		set_reg(a, APIC_TDCR, val & 0xb);
		break;
	case APIC_SELF_IPI:
		/* x2APIC only; bits 31:8 are reserved (#GP, as KVM) */
		if (!x2 || (val & ~APIC_VECTOR_MASK))
			return -EINVAL;
		mv_lapic_send_ipi(a, APIC_DEST_SELF | (val & APIC_VECTOR_MASK), 0);
		break;
	default:
		/*
		 * Read-only and reserved registers: an xAPIC ignores the
		 * write, an x2APIC refuses it (#GP).
		 */
		if (x2)
			return -EINVAL;
	}
	return 0;
}

/* 32-bit word @w of a 256-bit bitmap, and back. */
static u32 mv_bits_word(const unsigned long *bits, u32 w)
{
	return bits[w / (BITS_PER_LONG / 32)] >> (32 * (w % (BITS_PER_LONG / 32)));
}

static void mv_bits_set_word(unsigned long *bits, u32 w, u32 val)
{
	unsigned int shift = 32 * (w % (BITS_PER_LONG / 32));
	unsigned long *l = &bits[w / (BITS_PER_LONG / 32)];

	*l = (*l & ~(0xffffffffUL << shift)) | ((unsigned long)val << shift);
}

/* A 256-bit register (ISR, TMR, IRR): its 32-bit word at @off. */
static u32 mv_lapic_bits(const unsigned long *bits, u32 off, u32 base)
{
	return mv_bits_word(bits, (off - base) >> 4);
}

static int mv_lapic_read(struct mv_lapic *a, u32 off, u32 *val)
{
	bool x2 = mv_lapic_x2apic(a);

	switch (off) {
	case APIC_ID:
		*val = x2 ? a->vcpu->index : reg(a, APIC_ID);
		break;
	case APIC_LVR:
		*val = APIC_VERSION | ((APIC_NR_LVTS - 1) << 16);
		break;
	case APIC_PROCPRI:
		*val = mv_lapic_ppr(a);
		break;
	case APIC_LDR:
		*val = x2 ? mv_x2apic_ldr(a) : reg(a, APIC_LDR);
		break;
	case APIC_DFR:
		if (x2)
			return -EINVAL;
		*val = reg(a, APIC_DFR);
		break;
	case APIC_ISR ... APIC_ISR + 0x70:
		*val = mv_lapic_bits(a->isr, off, APIC_ISR);
		break;
	case APIC_TMR ... APIC_TMR + 0x70:
		*val = mv_lapic_bits(a->tmr, off, APIC_TMR);
		break;
	case APIC_IRR ... APIC_IRR + 0x70:
		*val = mv_lapic_bits(a->irr, off, APIC_IRR);
		break;
	case APIC_TMCCT:
		*val = mv_lapic_tmcct(a);
		break;
	case APIC_ICR2:
		if (x2)
			return -EINVAL;
		*val = reg(a, APIC_ICR2);
		break;
	case APIC_EOI:
	case APIC_SELF_IPI:
		if (x2)
			return -EINVAL;	/* write-only */
		*val = 0;
		break;
	case APIC_TASKPRI: case APIC_ARBPRI: case APIC_SPIV: case APIC_ESR:
	case APIC_ICR: case APIC_LVTT ... APIC_LVTERR: case APIC_TMICT:
	case APIC_TDCR:
		if (x2 && off == APIC_ARBPRI)
			return -EINVAL;
		*val = reg(a, off);
		break;
	default:
		if (x2)
			return -EINVAL;
		*val = 0;
	}
	return 0;
}

/* The xAPIC page on the I/O bus --------------------------------------- */

bool mv_lapic_mmio_hit(struct mv_vcpu *vcpu, u64 gpa)
{
	struct mv_lapic *a = vcpu->lapic;

	return a && mv_lapic_hw_enabled(a) && !mv_lapic_x2apic(a) &&
	       (gpa & PAGE_MASK) == (a->base_msr & MSR_IA32_APICBASE_BASE);
}

/* 32-bit accesses to 16-byte aligned registers; others read as 0. */
int mv_lapic_mmio(struct mv_vcpu *vcpu, u64 gpa, int len, void *val,
		  bool write)
{
	struct mv_lapic *a = vcpu->lapic;
	u32 off = gpa & 0xfff, v = 0;

	if (len != 4 || (off & 0xf)) {
		if (!write)
			memset(val, 0, len);
		return 0;
	}
	if (write) {
		memcpy(&v, val, 4);
		mv_lapic_write(a, off, v);
		return 0;
	}
	mv_lapic_read(a, off, &v);
	memcpy(val, &v, 4);
	return 0;
}

/* MSRs: IA32_APIC_BASE, IA32_TSC_DEADLINE, x2APIC ------------------------ */

static int mv_lapic_set_base(struct mv_lapic *a, u64 val)
{
	struct mv_vcpu *vcpu = a->vcpu;
	u64 rsvd = ~(GENMASK_ULL(mv_guest_maxphyaddr(vcpu) - 1, 12) |
		     APICBASE_EN | APICBASE_EXTD | APICBASE_BSP);
	bool was_x2 = mv_lapic_x2apic(a);

	if (val & rsvd)
		return -EINVAL;
	if ((val & APICBASE_EXTD) && !mv_guest_has(vcpu, 1, MV_CPUID_ECX, 21))
		return -EINVAL;
	/* EXTD without EN, and x2APIC straight back to xAPIC, are invalid. */
	if ((val & (APICBASE_EN | APICBASE_EXTD)) == APICBASE_EXTD ||
	    (was_x2 && (val & APICBASE_EN) && !(val & APICBASE_EXTD)))
		return -EINVAL;
	/*
	 * Disabled, it takes no interrupts and its page is gone, but keeps
	 * its registers (as KVM does); enabled again in xAPIC mode, its ID
	 * is the vCPU's.
	 */
	if ((val & APICBASE_EN) && !(a->base_msr & APICBASE_EN))
		set_reg(a, APIC_ID, vcpu->index << 24);
	a->base_msr = val;
	if (!was_x2 && mv_lapic_x2apic(a))
		set_reg(a, APIC_LDR, 0);	/* derived from the ID now */
	mv_irq_pic_changed(vcpu->vm);
	return 0;
}

/* The MSRs the local APIC answers: 0, -EINVAL (#GP) or -ENOENT (not ours). */
int mv_lapic_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *val)
{
	struct mv_lapic *a = vcpu->lapic;
	u32 lo, hi = 0;

	if (!a)
		return -ENOENT;
	if (index == MSR_IA32_APICBASE) {
		*val = a->base_msr;
		return 0;
	}
	if (index == MSR_IA32_TSC_DEADLINE) {
		*val = a->tsc_deadline;
		return 0;
	}
	if (index < APIC_BASE_MSR || index > APIC_BASE_MSR + 0xff)
		return -ENOENT;
	if (!mv_lapic_x2apic(a) || mv_lapic_read(a, (index - APIC_BASE_MSR) << 4, &lo))
		return -EINVAL;
	if (index == APIC_BASE_MSR + (APIC_ICR >> 4))
		hi = reg(a, APIC_ICR2);
	*val = ((u64)hi << 32) | lo;
	return 0;
}

int mv_lapic_set_msr(struct mv_vcpu *vcpu, u32 index, u64 val)
{
	struct mv_lapic *a = vcpu->lapic;
	u32 off = (index - APIC_BASE_MSR) << 4;

	if (!a)
		return -ENOENT;
	if (index == MSR_IA32_APICBASE)
		return mv_lapic_set_base(a, val);
	if (index == MSR_IA32_TSC_DEADLINE) {
		if (!mv_guest_has(vcpu, 1, MV_CPUID_ECX, 24))
			return -EINVAL;
		mv_lapic_set_deadline(a, val);
		return 0;
	}
	if (index < APIC_BASE_MSR || index > APIC_BASE_MSR + 0xff)
		return -ENOENT;
	if (!mv_lapic_x2apic(a))
		return -EINVAL;
	if (off == APIC_ICR) {
		/* One 64-bit register: the destination in the high half. */
		set_reg(a, APIC_ICR2, val >> 32);
		set_reg(a, APIC_ICR, (u32)val & ~APIC_ICR_BUSY);
		mv_lapic_send_ipi(a, val, val >> 32);
		return 0;
	}
	/* Reserved bits of the x2APIC registers are 63:32. */
	if (val >> 32)
		return -EINVAL;
	return mv_lapic_write(a, off, val);
}

/* TPR as CR8 (64-bit mode): TPR[7:4]. */
u64 mv_lapic_get_cr8(struct mv_vcpu *vcpu)
{
	return vcpu->lapic ? (reg(vcpu->lapic, APIC_TASKPRI) >> 4) & 0xf :
			     vcpu->cr8;
}

void mv_lapic_set_cr8(struct mv_vcpu *vcpu, u64 val)
{
	if (!vcpu->lapic) {
		vcpu->cr8 = val & 0xf;
		return;
	}
	set_reg(vcpu->lapic, APIC_TASKPRI, (val & 0xf) << 4);
	vcpu->irq_wanted = true;
}

/* Life cycle and state ------------------------------------------------- */

/* Power-on (@power) or INIT reset: INIT keeps the base and the ID. */
void mv_lapic_reset(struct mv_vcpu *vcpu, bool power)
{
	struct mv_lapic *a = vcpu->lapic;
	u32 id = power ? vcpu->index << 24 : reg(a, APIC_ID);
	int i;

	mv_lapic_timer_stop(a);
	a->tsc_deadline = 0;
	memset(a->regs, 0, sizeof(a->regs));
	bitmap_zero(a->irr, 256);
	bitmap_zero(a->isr, 256);
	bitmap_zero(a->tmr, 256);
	a->esr_pending = 0;
	set_reg(a, APIC_ID, id);
	set_reg(a, APIC_DFR, 0xffffffff);
	set_reg(a, APIC_SPIV, 0xff);
	for (i = 0; i < APIC_NR_LVTS; i++)
		set_reg(a, APIC_LVTT + 0x10 * i, APIC_LVT_MASKED);
	/* The BSP's LINT0 takes the PIC's interrupts, as firmware leaves it. */
	if (!vcpu->index)
		set_reg(a, APIC_LVT0, APIC_MODE_EXTINT << 8);
	if (power)
		a->base_msr = APIC_DEFAULT_PHYS_BASE | APICBASE_EN |
			      (vcpu->index ? 0 : APICBASE_BSP);
}

int mv_lapic_create(struct mv_vcpu *vcpu)
{
	struct mv_lapic *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a)
		return -ENOMEM;
	a->vcpu = vcpu;
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED);
	a->timer.function = mv_lapic_timer_fn;
	vcpu->lapic = a;
	mv_lapic_reset(vcpu, true);
	return 0;
}

void mv_lapic_free(struct mv_vcpu *vcpu)
{
	if (!vcpu->lapic)
		return;
	hrtimer_cancel(&vcpu->lapic->timer);
	kfree(vcpu->lapic);
	vcpu->lapic = NULL;
}

static void mv_lapic_put_bits(u8 *page, u32 base, const unsigned long *bits)
{
	u32 i, w;

	for (i = 0; i < 8; i++) {
		w = mv_bits_word(bits, i);
		memcpy(page + base + 0x10 * i, &w, 4);
	}
}

void mv_lapic_get_state(struct mv_vcpu *vcpu, struct mv_lapic_state *st)
{
	struct mv_lapic *a = vcpu->lapic;
	u32 v;

	memcpy(st->regs, a->regs, sizeof(st->regs));
	mv_lapic_put_bits(st->regs, APIC_ISR, a->isr);
	mv_lapic_put_bits(st->regs, APIC_TMR, a->tmr);
	mv_lapic_put_bits(st->regs, APIC_IRR, a->irr);
	v = mv_lapic_ppr(a);
	memcpy(st->regs + APIC_PROCPRI, &v, 4);
	v = mv_lapic_tmcct(a);
	memcpy(st->regs + APIC_TMCCT, &v, 4);
	v = APIC_VERSION | ((APIC_NR_LVTS - 1) << 16);
	memcpy(st->regs + APIC_LVR, &v, 4);
}

int mv_lapic_set_state(struct mv_vcpu *vcpu, const struct mv_lapic_state *st)
{
	struct mv_lapic *a = vcpu->lapic;
	u32 i, w;

	mv_lapic_timer_stop(a);
	memcpy(a->regs, st->regs, sizeof(a->regs));
	for (i = 0; i < 8; i++) {
		memcpy(&w, st->regs + APIC_ISR + 0x10 * i, 4);
		mv_bits_set_word(a->isr, i, w);
		memcpy(&w, st->regs + APIC_TMR + 0x10 * i, 4);
		mv_bits_set_word(a->tmr, i, w);
		memcpy(&w, st->regs + APIC_IRR + 0x10 * i, 4);
		mv_bits_set_word(a->irr, i, w);
	}
	/* Keep what the registers can hold: as written through the page. */
	for (i = 0; i < APIC_NR_LVTS; i++)
		set_reg(a, APIC_LVTT + 0x10 * i,
			reg(a, APIC_LVTT + 0x10 * i) & mv_lvt_masks[i]);
	set_reg(a, APIC_TDCR, reg(a, APIC_TDCR) & 0xb);
	set_reg(a, APIC_SPIV, reg(a, APIC_SPIV) & 0x3ff);
	mv_lapic_timer_start(a);
	vcpu->irq_wanted = true;
	mv_irq_pic_changed(vcpu->vm);
	return 0;
}

/*
 * The vCPU moved to this CPU: so does its timer, which then fires where
 * the guest runs (an expiry elsewhere would need an IPI to reach it).
 */
void mv_lapic_migrate_timer(struct mv_vcpu *vcpu)
{
	struct hrtimer *t = &vcpu->lapic->timer;

	if (hrtimer_cancel(t))
		hrtimer_start_expires(t, HRTIMER_MODE_ABS_PINNED);
}

/* Does LINT0 take the PIC's output (ExtINT), as vCPU 0's does by default? */
bool mv_lapic_accepts_pic(struct mv_vcpu *vcpu)
{
	struct mv_lapic *a = vcpu->lapic;
	u32 lvt0 = reg(a, APIC_LVT0);

	if (!mv_lapic_hw_enabled(a))
		return true;
	return !(lvt0 & APIC_LVT_MASKED) &&
	       ((lvt0 >> 8) & 7) == APIC_MODE_EXTINT;
}
