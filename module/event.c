// SPDX-License-Identifier: GPL-2.0
/*
 * What happens to a vCPU from outside its instruction stream: requests
 * other contexts make of it, kicks out of the guest, exceptions (queued
 * and merged the way the CPU does), interrupts from its interrupt sources,
 * and the one way a run ends with an internal error.
 *
 * Interrupt sources are asked in the order they were added, before every
 * entry; the first one with a vector wins, and is acknowledged when the
 * vector goes into the hardware.  Today they are the VMM's interrupt line
 * (MV_INTERRUPT) and the balloon (on vCPU 0); a local APIC is one more.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "minivisor.h"
#include "irqchip.h"
#include "trace.h"

void mv_vcpu_kick(struct mv_vcpu *vcpu)
{
	struct task_struct *task;

	wake_up_interruptible(&vcpu->wq);
	rcu_read_lock();
	task = READ_ONCE(vcpu->task);
	if (task && READ_ONCE(vcpu->mode) == MV_IN_GUEST)
		kick_process(task);
	rcu_read_unlock();
}

void mv_make_request(struct mv_vcpu *vcpu, enum mv_request req)
{
	/* What the vCPU is to look at is written before the request. */
	smp_mb__before_atomic();
	mv_request(vcpu, req);
	/* The request before the mode: pairs with the run loop. */
	smp_mb__after_atomic();
	mv_vcpu_kick(vcpu);
}

int mv_internal_error(struct mv_vcpu *vcpu, u32 suberror, unsigned int n,
		      const u64 *data)
{
	struct mv_run *run = vcpu->run;

	memset(&run->internal, 0, sizeof(run->internal));
	run->exit_reason = MV_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = min_t(unsigned int, n, ARRAY_SIZE(run->internal.data));
	memcpy(run->internal.data, data, run->internal.ndata * sizeof(u64));
	return MV_RET_USER;
}

static bool mv_contributory(u8 vec)
{
	return vec == X86_TRAP_DE || (vec >= X86_TRAP_TS && vec <= X86_TRAP_GP);
}

/*
 * Queue an exception, merging with one already pending (or being
 * delivered) the way the CPU does: two contributory faults, or a #PF then
 * a contributory fault or #PF, make a #DF; a fault on top of #DF shuts the
 * machine down.
 */
void mv_queue_exception(struct mv_vcpu *vcpu, u8 vector, bool has_error,
			u32 error)
{
	struct mv_event *prev = NULL;

	if (vcpu->exc.valid)
		prev = &vcpu->exc;
	else if (vcpu->reinject.valid && vcpu->reinject.type == MV_EV_EXCEPTION)
		prev = &vcpu->reinject;
	if (prev) {
		u8 p = prev->vector;

		prev->valid = false;
		if (p == X86_TRAP_DF) {
			mv_request(vcpu, MV_REQ_TRIPLE_FAULT);
			return;
		}
		if ((mv_contributory(p) && mv_contributory(vector)) ||
		    (p == X86_TRAP_PF && (mv_contributory(vector) ||
					  vector == X86_TRAP_PF))) {
			vector = X86_TRAP_DF;
			has_error = true;
			error = 0;
		}
	}
	/* Real mode pushes no error codes. */
	if (!(vcpu->cr0 & X86_CR0_PE))
		has_error = false;
	vcpu->exc.valid = true;
	vcpu->exc.type = MV_EV_EXCEPTION;
	vcpu->exc.vector = vector;
	vcpu->exc.has_error = has_error;
	vcpu->exc.error = error;
}

/*
 * A #DB, with DR6 as the CPU leaves it (SDM 17.2.3): B0-B3 say which
 * breakpoints matched this time, the other status bits stay until software
 * clears them; payload has the bits this #DB sets, active high (as KVM's
 * exception payload).  Delivering a #DB clears DR7.GD.
 */
void mv_queue_db(struct mv_vcpu *vcpu, u64 payload)
{
	u64 dr6 = (vcpu->dr6 & ~DR_TRAP_BITS) | DR6_RESERVED | payload;

	/* Bit 12 is reserved, zero; the active-low bits (RTM) are cleared. */
	vcpu->dr6 = (dr6 ^ (payload & DR6_RESERVED)) & ~BIT_ULL(12) &
		    0xffffffffULL;
	vcpu->dr7 &= ~MV_DR7_GD;
	mv_queue_exception(vcpu, X86_TRAP_DB, false, 0);
}

void mv_queue_pf(struct mv_vcpu *vcpu, u64 addr, u32 error)
{
	mv_queue_exception(vcpu, X86_TRAP_PF, true, error);
	if (vcpu->exc.valid && vcpu->exc.vector == X86_TRAP_PF)
		vcpu->cr2 = addr;
}

void mv_irq_source_add(struct mv_vcpu *vcpu, const struct mv_irq_source *src)
{
	if (!WARN_ON(vcpu->nr_irq_sources >= MV_MAX_IRQ_SOURCES))
		vcpu->irq_sources[vcpu->nr_irq_sources++] = src;
}

/* The source with an interrupt for us, and its vector; NULL if none. */
static const struct mv_irq_source *mv_irq_find(struct mv_vcpu *vcpu,
					       int *vector)
{
	unsigned int i;

	for (i = 0; i < vcpu->nr_irq_sources; i++) {
		*vector = vcpu->irq_sources[i]->pending(vcpu);
		if (*vector >= 0)
			return vcpu->irq_sources[i];
	}
	return NULL;
}

bool mv_vcpu_irq_pending(struct mv_vcpu *vcpu)
{
	int vector;

	return mv_irq_find(vcpu, &vector);
}

bool mv_vcpu_has_wakeup(struct mv_vcpu *vcpu)
{
	if (READ_ONCE(vcpu->requests) & (BIT(MV_REQ_INIT) | BIT(MV_REQ_SIPI)))
		return true;
	if (atomic_read(&vcpu->nmi_pending) && !vcpu->nmi_masked)
		return true;
	return (vcpu->rflags & X86_EFLAGS_IF) && mv_vcpu_irq_pending(vcpu);
}

/* The VMM's interrupt line: one vector at a time. */
static int mv_irq_line_pending(struct mv_vcpu *vcpu)
{
	/* Pairs with the release in mv_irq_line_raise(): the vector is set. */
	return smp_load_acquire(&vcpu->irq_pending) ?
	       READ_ONCE(vcpu->irq_vector) : -1;
}

static int mv_irq_line_ack(struct mv_vcpu *vcpu, int vector)
{
	spin_lock(&vcpu->irq_lock);
	if (vcpu->irq_pending && vcpu->irq_vector == vector)
		WRITE_ONCE(vcpu->irq_pending, false);
	else
		vector = -1;
	spin_unlock(&vcpu->irq_lock);
	return vector;
}

static const struct mv_irq_source mv_irq_line = {
	.pending = mv_irq_line_pending,
	.ack = mv_irq_line_ack,
};

void mv_irq_line_init(struct mv_vcpu *vcpu)
{
	spin_lock_init(&vcpu->irq_lock);
	mv_irq_source_add(vcpu, &mv_irq_line);
}

int mv_irq_line_raise(struct mv_vcpu *vcpu, u8 vector)
{
	int ret = 0;

	spin_lock(&vcpu->irq_lock);
	if (vcpu->irq_pending) {
		ret = -EBUSY;
	} else {
		WRITE_ONCE(vcpu->irq_vector, vector);
		/* The vector before the flag: readers take no lock. */
		smp_store_release(&vcpu->irq_pending, true);
	}
	spin_unlock(&vcpu->irq_lock);
	if (!ret)
		mv_make_request(vcpu, MV_REQ_EVENT);
	return ret;
}

bool mv_irq_line_is_pending(struct mv_vcpu *vcpu)
{
	return READ_ONCE(vcpu->irq_pending);
}

/*
 * Program the next event into the hardware: an exception first, then an
 * event the last exit interrupted, then an interrupt if the guest can take
 * one now (else ask to hear when it can).  Nothing if one is programmed.
 */
/* Single-step the guest's next instruction: an exit (#DB) right after it. */
static void mv_nmi_singlestep(struct mv_vcpu *vcpu)
{
	if (vcpu->nmi_singlestep)
		return;
	vcpu->nmi_singlestep = true;
	vcpu->nmi_ss_rip = vcpu->rip;
	vcpu->nmi_ss_flags = vcpu->rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF);
	vcpu->rflags |= X86_EFLAGS_TF | X86_EFLAGS_RF;
}

/*
 * The step is over (a #DB, or the guest moved on through another exit):
 * the guest's flags as they were.  True when the #DB was ours alone, not
 * one the guest's own TF asked for.
 */
bool mv_nmi_singlestep_done(struct mv_vcpu *vcpu)
{
	if (!vcpu->nmi_singlestep)
		return false;
	vcpu->nmi_singlestep = false;
	vcpu->rflags &= ~((X86_EFLAGS_TF | X86_EFLAGS_RF) & ~vcpu->nmi_ss_flags);
	return !(vcpu->nmi_ss_flags & X86_EFLAGS_TF);
}

/*
 * An NMI, if one waits and the guest is not in an NMI handler; true when
 * programmed.  NMI blocking lasts until the handler's IRET has run: the
 * IRET exits (intercepted before it runs), and NMIs wait until RIP has
 * moved past it.  Past the IRET, or past an STI/MOV SS shadow, is one
 * instruction away: single-stepping it gives the exit (interrupt windows
 * need IF, which an NMI does not).
 */
static bool mv_inject_nmi(struct mv_vcpu *vcpu)
{
	struct mv_event ev = { .valid = true, .type = MV_EV_NMI,
			       .vector = X86_TRAP_NMI };

	if (vcpu->nmi_singlestep && vcpu->rip != vcpu->nmi_ss_rip)
		mv_nmi_singlestep_done(vcpu);
	if (!atomic_read(&vcpu->nmi_pending) || vcpu->nmi_masked)
		return false;
	if (vcpu->event_programmed) {
		mv_arch->set_irq_window(vcpu, true);
		return false;
	}
	if (mv_arch->interrupt_shadow(vcpu) ||
	    (vcpu->nmi_iret_rip && vcpu->nmi_iret_rip == vcpu->rip)) {
		mv_nmi_singlestep(vcpu);
		return false;
	}
	if (vcpu->nmi_singlestep)
		mv_nmi_singlestep_done(vcpu);
	vcpu->nmi_iret_rip = 0;
	atomic_dec(&vcpu->nmi_pending);
	vcpu->nmi_masked = true;
	mv_arch->set_iret_intercept(vcpu, true);
	trace_mv_inject(vcpu, &ev, false);
	mv_arch->inject_event(vcpu, &ev);
	vcpu->event_programmed = true;
	return true;
}

/* Faults, as opposed to traps (#DB, #BP, #OF) and aborts (#DF, #MC). */
static bool mv_exception_is_fault(u8 vector)
{
	switch (vector) {
	case X86_TRAP_DB: case X86_TRAP_BP: case X86_TRAP_OF:
	case X86_TRAP_DF: case X86_TRAP_MC:
		return false;
	default:
		return vector < 32;
	}
}

void mv_inject_events(struct mv_vcpu *vcpu)
{
	struct mv_event ev = { .valid = true, .type = MV_EV_INTR };
	const struct mv_irq_source *src;
	int vector;

	if (!vcpu->event_programmed && (vcpu->exc.valid || vcpu->reinject.valid)) {
		struct mv_event *e = vcpu->exc.valid ? &vcpu->exc :
						       &vcpu->reinject;

		/*
		 * A fault's frame has RF set (SDM 17.3.1.1); as KVM, only a
		 * new one's: a re-injected event goes as it was.
		 */
		if (e == &vcpu->exc && e->type == MV_EV_EXCEPTION &&
		    mv_exception_is_fault(e->vector))
			vcpu->rflags |= X86_EFLAGS_RF;
		trace_mv_inject(vcpu, e, e == &vcpu->reinject);
		mv_arch->inject_event(vcpu, e);
		e->valid = false;
		vcpu->event_programmed = true;
	}
	mv_inject_nmi(vcpu);
	/*
	 * Sources are only asked while one may have something: since an
	 * event request (every source that raises one makes it), until they
	 * were all found quiet.
	 */
	if (!vcpu->irq_wanted)
		return;
	src = mv_irq_find(vcpu, &vector);
	if (!src) {
		vcpu->irq_wanted = false;
		return;
	}
	/* Not now: hear as soon as the guest can take it (after an event). */
	if (vcpu->event_programmed || !(vcpu->rflags & X86_EFLAGS_IF) ||
	    mv_arch->interrupt_shadow(vcpu)) {
		mv_arch->set_irq_window(vcpu, true);
		return;
	}
	vector = src->ack(vcpu, vector);
	mv_arch->set_irq_window(vcpu, false);
	if (vector < 0)
		return;
	ev.vector = vector;
	trace_mv_inject(vcpu, &ev, false);
	mv_arch->inject_event(vcpu, &ev);
	vcpu->event_programmed = true;
}

/*
 * The vCPU leaves the run loop with an event programmed but not entered
 * (a signal came between programming and entry): take it back, to go
 * first at the next entry as an event the last exit interrupted does, so
 * that what changes meanwhile (registers set by userspace, an INIT) never
 * meets a stale one in the hardware.  An interrupt acknowledged from its
 * source stays acknowledged: it is delivered, not asked for again.
 */
void mv_cancel_events(struct mv_vcpu *vcpu)
{
	struct mv_event ev;

	if (!vcpu->event_programmed)
		return;
	vcpu->event_programmed = false;
	mv_arch->cancel_event(vcpu, &ev);
	if (!ev.valid)
		return;
	/* An exception that went ahead of an interrupted event: it waits. */
	if (vcpu->reinject.valid)
		vcpu->exc = ev;
	else
		vcpu->reinject = ev;
}

/* The guest's IRET ends NMI blocking once it has run. */
void mv_nmi_iret(struct mv_vcpu *vcpu)
{
	mv_arch->set_iret_intercept(vcpu, false);
	vcpu->nmi_masked = false;
	vcpu->nmi_iret_rip = vcpu->rip;
}

/* The PIC's output may have changed: vCPU 0 looks again (any context). */
void mv_irq_pic_changed(struct mv_vm *vm)
{
	/* Pairs with the release in mv_vcpu_create(). */
	if (smp_load_acquire(&vm->nr_vcpus))
		mv_make_request(vm->vcpus[0], MV_REQ_EVENT);
}
