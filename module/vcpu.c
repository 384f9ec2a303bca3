// SPDX-License-Identifier: GPL-2.0
/*
 * The run loop.
 *
 * MV_RUN loops entering the guest until something needs userspace.  The
 * host stays in charge: every iteration checks for signals, rescheduling,
 * administrator requests (pause, destroy) and vCPU requests with
 * interrupts disabled just before the world switch, and any of those
 * arriving while the guest runs sends an IPI that forces an exit.  A guest
 * spinning in "jmp $" therefore returns to userspace with -EINTR as soon as
 * a signal is pending.
 */
#include <linux/sched/signal.h>
#include <asm/fpu/api.h>

#include "irqchip.h"
#include "trace.h"

/* A halted vCPU wakes for what ends HLT, one waiting for SIPI for INIT/SIPI. */
static bool mv_vcpu_can_wake(struct mv_vcpu *vcpu)
{
	if (READ_ONCE(vcpu->vm->state) != MV_VM_RUNNING)
		return true;
	if (vcpu->mp_state == MV_MP_HALTED)
		return mv_vcpu_has_wakeup(vcpu);
	return READ_ONCE(vcpu->requests) & (BIT(MV_REQ_INIT) | BIT(MV_REQ_SIPI));
}

/* Why the vCPU cannot enter now; 0 when it can. */
static int mv_vcpu_blocked(struct mv_vcpu *vcpu)
{
	int state = READ_ONCE(vcpu->vm->state);

	if (state == MV_VM_DESTROYED)
		return -ENODEV;
	if (state == MV_VM_CRASHED)
		return -EIO;
	if (signal_pending(current))
		return -EINTR;
	if (state == MV_VM_PAUSED || vcpu->mp_state != MV_MP_RUNNABLE)
		return -EAGAIN;
	return 0;
}

/*
 * Halt polling, as KVM does it: a vCPU that halts waits for its wakeup
 * spinning for a while before it sleeps, because an interrupt that comes
 * soon (the next timer tick, an IPI's answer) costs a sleep and a wakeup
 * otherwise.  Each vCPU's poll time adapts: it grows (from 10 us,
 * doubling) while the halts it sees end within halt_poll_us, and drops to
 * 0 after one that lasts longer, so an idle guest costs no polling.  The
 * poll gives way to anything else the CPU should run and to signals.
 */
static unsigned int mv_halt_poll_us = 200;
MV_UINT_PARAM(halt_poll_us, mv_halt_poll_us, 0, 10000, 0644,
	      "Longest a halted vCPU polls for its wakeup before sleeping, in microseconds (default 200; 0: never)");

#define MV_HALT_POLL_START_NS	10000

static bool mv_vcpu_poll(struct mv_vcpu *vcpu)
{
	u64 stop = ktime_get_ns() + vcpu->halt_poll_ns;

	do {
		if (mv_vcpu_can_wake(vcpu))
			return true;
		cpu_relax();
	} while (!need_resched() && !signal_pending(current) &&
		 ktime_get_ns() < stop);
	return false;
}

/* Halted: poll a while, then sleep until something ends the halt. */
static int mv_vcpu_halt_wait(struct mv_vcpu *vcpu)
{
	u64 max = (u64)READ_ONCE(mv_halt_poll_us) * NSEC_PER_USEC, t0, slept;
	int ret;

	if (vcpu->halt_poll_ns > max)
		vcpu->halt_poll_ns = max;
	if (vcpu->halt_poll_ns && mv_vcpu_poll(vcpu))
		return 0;
	t0 = ktime_get_ns();
	ret = wait_event_interruptible(vcpu->wq, mv_vcpu_can_wake(vcpu));
	slept = ktime_get_ns() - t0;
	if (slept > max)
		vcpu->halt_poll_ns = 0;
	else
		vcpu->halt_poll_ns = min_t(u64, max, vcpu->halt_poll_ns ?
					   2 * (u64)vcpu->halt_poll_ns :
					   MV_HALT_POLL_START_NS);
	return ret;
}

/* Paused, halted, or waiting for SIPI: sleep until that changes. */
static int mv_vcpu_wait(struct mv_vcpu *vcpu)
{
	struct mv_vm *vm = vcpu->vm;
	int ret = 0;

	if (vcpu->mp_state == MV_MP_HALTED)
		ret = mv_vcpu_halt_wait(vcpu);
	else if (vcpu->mp_state != MV_MP_RUNNABLE)
		ret = wait_event_interruptible(vcpu->wq, mv_vcpu_can_wake(vcpu));
	if (!ret && READ_ONCE(vm->state) == MV_VM_PAUSED)
		ret = wait_event_interruptible(vm->state_wq,
					       READ_ONCE(vm->state) != MV_VM_PAUSED);
	return ret;
}

/* INIT: the reset state, but the local APIC's base and ID; wait for SIPI. */
static void mv_vcpu_init(struct mv_vcpu *vcpu)
{
	/* No event survives INIT, not even one already in the hardware. */
	mv_cancel_events(vcpu);
	vcpu->exc.valid = false;
	vcpu->reinject.valid = false;
	mv_arch->set_irq_window(vcpu, false);
	mv_arch->set_iret_intercept(vcpu, false);
	vcpu->nmi_masked = false;
	vcpu->nmi_iret_rip = 0;
	vcpu->nmi_singlestep = false;
	vcpu->pending = MV_PENDING_NONE;
	mv_regs_reset(vcpu);
	if (vcpu->lapic)
		mv_lapic_reset(vcpu, false);
	vcpu->mp_state = MV_MP_WAIT_SIPI;
}

/* SIPI with vector V: real mode at V000:0000, running. */
static void mv_vcpu_sipi(struct mv_vcpu *vcpu)
{
	u8 vector = READ_ONCE(vcpu->lapic->sipi_vector);
	struct mv_segment cs;

	mv_arch->get_segment(vcpu, MV_CS, &cs);
	cs.selector = vector << 8;
	cs.base = (u64)vector << 12;
	mv_arch->set_segment(vcpu, MV_CS, &cs);
	vcpu->rip = 0;
	vcpu->mp_state = MV_MP_RUNNABLE;
}

/*
 * Requests that need interrupts on: a triple fault ends the run; an event
 * request says the interrupt sources are worth asking again, which
 * mv_inject_events() does until it finds them all quiet.
 */
static int mv_vcpu_service_requests(struct mv_vcpu *vcpu)
{
	if (mv_check_request(vcpu, MV_REQ_TRIPLE_FAULT)) {
		vcpu->exit.kind = MVX_SHUTDOWN;
		return mv_handle_exit(vcpu);
	}
	if (mv_check_request(vcpu, MV_REQ_INIT))
		mv_vcpu_init(vcpu);
	if (mv_check_request(vcpu, MV_REQ_SIPI) &&
	    vcpu->mp_state == MV_MP_WAIT_SIPI)
		mv_vcpu_sipi(vcpu);
	if (mv_check_request(vcpu, MV_REQ_EVENT))
		vcpu->irq_wanted = true;
	return MV_RET_GUEST;
}

/* Entered and left with mv_srcu held; dropped while the guest runs. */
static int mv_vcpu_run_loop(struct mv_vcpu *vcpu)
	__must_hold(&mv_srcu)
{
	struct mv_vm *vm = vcpu->vm;
	int ret;

	for (;;) {
		if (READ_ONCE(vcpu->requests) & MV_REQ_MASK_EXIT) {
			ret = mv_vcpu_service_requests(vcpu);
			if (ret != MV_RET_GUEST)
				break;
		}
		ret = mv_vcpu_blocked(vcpu);
		if (ret == -EAGAIN) {
			srcu_read_unlock(&mv_srcu, vcpu->srcu_idx);
			ret = mv_vcpu_wait(vcpu);
			vcpu->srcu_idx = srcu_read_lock(&mv_srcu);
			if (!ret && vcpu->mp_state == MV_MP_HALTED &&
			    mv_vcpu_has_wakeup(vcpu))
				vcpu->mp_state = MV_MP_RUNNABLE;
			continue;
		}
		if (ret)
			break;
		cond_resched();
		ret = mv_mmu_load(vcpu);
		if (ret)
			break;
		mv_inject_events(vcpu);

		/* No guest page is looked at while the guest runs. */
		srcu_read_unlock(&mv_srcu, vcpu->srcu_idx);
		preempt_disable();
		if (unlikely(vcpu->cpu != smp_processor_id())) {
			vcpu->cpu = smp_processor_id();
			if (vcpu->lapic)
				mv_lapic_migrate_timer(vcpu);
		}
		local_irq_disable();
		/*
		 * Publish IN_GUEST before looking at requests; requesters write
		 * their request before reading the mode (mv_make_request(),
		 * mv_mmu_flush_remote()), so one of us sees the other: either
		 * we see the request here, or they see us in the guest and
		 * kick us out of it.
		 */
		smp_store_mb(vcpu->mode, MV_IN_GUEST);
		if (signal_pending(current) || need_resched() ||
		    READ_ONCE(vm->state) != MV_VM_RUNNING ||
		    !vcpu->mmu.root_valid ||
		    (READ_ONCE(vcpu->requests) & MV_REQ_MASK_EXIT)) {
			WRITE_ONCE(vcpu->mode, MV_OUTSIDE_GUEST);
			local_irq_enable();
			preempt_enable();
			vcpu->srcu_idx = srcu_read_lock(&mv_srcu);
			continue;
		}
		mv_mmu_prepare_entry(vcpu);
		if (test_thread_flag(TIF_NEED_FPU_LOAD))
			switch_fpu_return();
		trace_mv_entry(vcpu);
		mv_arch->run(vcpu);
		vcpu->event_programmed = false;
		atomic_inc(&vcpu->mmu.exits);
		WRITE_ONCE(vcpu->mode, MV_OUTSIDE_GUEST);
		local_irq_enable();
		preempt_enable();
		vcpu->srcu_idx = srcu_read_lock(&mv_srcu);

		trace_mv_exit(vcpu);
		ret = mv_handle_exit(vcpu);
		if (ret != MV_RET_GUEST)
			break;
	}
	mv_cancel_events(vcpu);
	if (ret == -EINTR)
		vcpu->run->exit_reason = MV_EXIT_INTR;
	if (ret == -EIO)
		vcpu->run->exit_reason = MV_EXIT_SHUTDOWN;
	return ret;
}

long mv_vcpu_run(struct mv_vcpu *vcpu)
{
	struct mv_run *run = vcpu->run;
	int ret;

	ret = mv_vcpu_blocked(vcpu);
	if (ret == -ENODEV || ret == -EIO) {
		run->exit_reason = ret == -EIO ? MV_EXIT_SHUTDOWN : MV_EXIT_NONE;
		return ret;
	}
	WRITE_ONCE(vcpu->task, current);
	fpu_swap_kvm_fpstate(&vcpu->gfpu, true);
	/* Guest pages we look at stay until we are done with them (mem.c). */
	vcpu->srcu_idx = srcu_read_lock(&mv_srcu);
	ret = mv_complete_pending(vcpu);
	if (!ret)
		ret = mv_vcpu_run_loop(vcpu);
	srcu_read_unlock(&mv_srcu, vcpu->srcu_idx);
	fpu_swap_kvm_fpstate(&vcpu->gfpu, false);
	WRITE_ONCE(vcpu->task, NULL);
	run->if_flag = !!(vcpu->rflags & X86_EFLAGS_IF);
	run->interrupt_pending = mv_irq_line_is_pending(vcpu);
	trace_mv_userspace_exit(vcpu, ret);
	return ret < 0 ? ret : 0;
}
