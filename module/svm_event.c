// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend: events and exits.  Event injection in EVENTINJ's
 * encoding, interrupt and IRET windows, the decoding of a #VMEXIT into a
 * vendor-neutral struct mv_exit, the event an exit interrupted, and the
 * guest's debug registers around VMRUN (#DB and its DR6 are events too).
 */
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <asm/processor.h>
#include <asm/debugreg.h>
#include <asm/svm.h>

#include "minivisor.h"
#include "svm.h"

/* enum mv_event_type in EVENTINJ/EXITINTINFO's encoding, and back. */
static const u32 svm_event_types[] = {
	[MV_EV_INTR] = SVM_EVTINJ_TYPE_INTR,
	[MV_EV_NMI] = SVM_EVTINJ_TYPE_NMI,
	[MV_EV_EXCEPTION] = SVM_EVTINJ_TYPE_EXEPT,
	[MV_EV_SOFT_INT] = SVM_EVTINJ_TYPE_SOFT,
};

static int svm_event_type(u32 info)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(svm_event_types); i++)
		if ((info & SVM_EVTINJ_TYPE_MASK) == svm_event_types[i])
			return i;
	return -1;
}

/*
 * External interrupts go in as a virtual interrupt (V_IRQ with the vector,
 * the TPR ignored) rather than through EVENTINJ, when the guest can take
 * one: both are the architecture's (APM vol. 2, 15.20 and 15.21.4), and
 * with IF set and no interrupt shadow the virtual interrupt is taken at
 * the first instruction boundary after VMRUN, as an injected one would
 * be.  The reason is the testbed: QEMU's TCG emulation of VMRUN delivers
 * an EVENTINJ interrupt but leaves its vector as a pending exception,
 * which the next request to leave the CPU loop before any #VMEXIT
 * delivers again - to the guest, its handler entered a second time at
 * its first instruction, with IF clear (a spinlock taken twice, an entry
 * that sees the kernel's CS with the user's GS).  The virtual-interrupt
 * path there has no such leftover.  An interrupt for a guest that cannot
 * take one now (only ever a re-injection after userspace changed its
 * registers) goes through EVENTINJ, which does not wait for IF.
 */
static bool svm_virq_inject(struct mv_vcpu *vcpu, u8 vector)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;

	if (!(vcpu->rflags & X86_EFLAGS_IF) || svm_interrupt_shadow(vcpu))
		return false;
	vmcb->control.int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	vmcb->control.int_ctl |= SVM_VIRQ_PENDING;
	vmcb->control.int_vector = vector;
	svm_clr_intercept(vmcb, INTERCEPT_VINTR);
	svm->virq = true;
	return true;
}

void svm_inject_event(struct mv_vcpu *vcpu, const struct mv_event *ev)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	if (ev->type == MV_EV_INTR && svm_virq_inject(vcpu, ev->vector))
		return;
	c->event_inj = ev->vector | svm_event_types[ev->type] |
		       SVM_EVTINJ_VALID |
		       (ev->has_error ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = ev->error;
}

/* Take the interrupt programmed in V_IRQ back out of it, as an event. */
static struct mv_event svm_virq_take(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	svm->virq = false;
	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	return (struct mv_event){ .valid = true, .type = MV_EV_INTR,
				  .vector = c->int_vector };
}

/*
 * After #VMEXIT: a virtual interrupt still in V_IRQ was not taken (a host
 * interrupt's exit came first), or QEMU's delivery of it was cut short by
 * an exit (QEMU leaves V_IRQ set then, and EXITINTINFO names it): either
 * way it goes in again at the next entry, once.
 */
void svm_virq_complete(struct mv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct mv_event ev;

	if (!svm->virq)
		return;
	if (!(svm->vmcb->control.int_ctl & V_IRQ_MASK)) {
		svm->virq = false;
		return;
	}
	ev = svm_virq_take(svm);
	if (!vcpu->reinject.valid)
		vcpu->reinject = ev;
}

void svm_cancel_event(struct mv_vcpu *vcpu, struct mv_event *ev)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;
	int type = svm_event_type(c->event_inj);

	memset(ev, 0, sizeof(*ev));
	if (svm->virq) {
		*ev = svm_virq_take(svm);
	} else if ((c->event_inj & SVM_EVTINJ_VALID) && type >= 0) {
		ev->valid = true;
		ev->type = type;
		ev->vector = c->event_inj & SVM_EVTINJ_VEC_MASK;
		ev->has_error = !!(c->event_inj & SVM_EVTINJ_VALID_ERR);
		ev->error = c->event_inj_err;
	}
	c->event_inj = 0;
	c->event_inj_err = 0;
}

bool svm_interrupt_shadow(struct mv_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK;
}

void svm_set_iret_intercept(struct mv_vcpu *vcpu, bool on)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (on)
		svm_set_intercept(vmcb, INTERCEPT_IRET);
	else
		svm_clr_intercept(vmcb, INTERCEPT_IRET);
}

void svm_set_irq_window(struct mv_vcpu *vcpu, bool on)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	/* An interrupt waiting in V_IRQ is taken as soon as it can be. */
	if (to_svm(vcpu)->virq)
		return;
	vmcb->control.int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	if (on) {
		/* A dummy virtual interrupt: VINTR exits when it could be taken. */
		vmcb->control.int_ctl |= SVM_VIRQ_PENDING;
		svm_set_intercept(vmcb, INTERCEPT_VINTR);
	} else {
		svm_clr_intercept(vmcb, INTERCEPT_VINTR);
	}
}

/* The exit codes that mean one thing, whatever the exit information. */
static const struct {
	u32 code;
	enum mv_exit_kind kind;
} svm_exit_kinds[] = {
	{ SVM_EXIT_INTR, MVX_NONE }, { SVM_EXIT_NMI, MVX_NONE },
	{ SVM_EXIT_SMI, MVX_NONE }, { SVM_EXIT_VINTR, MVX_IRQ_WINDOW },
	{ SVM_EXIT_CPUID, MVX_CPUID }, { SVM_EXIT_HLT, MVX_HLT },
	{ SVM_EXIT_INVLPG, MVX_INVLPG }, { SVM_EXIT_INVD, MVX_INVD },
	{ SVM_EXIT_WBINVD, MVX_WBINVD }, { SVM_EXIT_VMMCALL, MVX_HYPERCALL },
	{ SVM_EXIT_SHUTDOWN, MVX_SHUTDOWN }, { SVM_EXIT_IRET, MVX_IRET },
	{ SVM_EXIT_RDTSCP, MVX_RDTSCP },
	{ (u32)SVM_EXIT_ERR, MVX_INVALID_STATE },
};

/* Instructions the guest may not run: #UD, as on a CPU without them. */
static const u32 svm_ud_exits[] = {
	SVM_EXIT_VMRUN, SVM_EXIT_VMLOAD, SVM_EXIT_VMSAVE, SVM_EXIT_STGI,
	SVM_EXIT_CLGI, SVM_EXIT_SKINIT, SVM_EXIT_MONITOR,
	SVM_EXIT_MWAIT, SVM_EXIT_MWAIT_COND, SVM_EXIT_XSETBV, SVM_EXIT_RDPRU,
	SVM_EXIT_INVLPGA, SVM_EXIT_INVPCID, SVM_EXIT_INVLPGB,
};

static enum mv_exit_kind svm_exit_kind(u32 code)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(svm_exit_kinds); i++)
		if (svm_exit_kinds[i].code == code)
			return svm_exit_kinds[i].kind;
	for (i = 0; i < ARRAY_SIZE(svm_ud_exits); i++)
		if (svm_ud_exits[i] == code)
			return MVX_UD;
	return MVX_UNKNOWN;
}

/* Decode a #VMEXIT into vendor-neutral terms. */
void svm_decode_exit(struct mv_vcpu *vcpu, struct vmcb *vmcb)
{
	struct vmcb_control_area *c = &vmcb->control;
	struct mv_exit *x = &vcpu->exit;
	u32 code = c->exit_code;
	u64 i1 = c->exit_info_1;

	x->code = code;
	x->info1 = i1;
	x->info2 = c->exit_info_2;
	x->next_rip = svm_nrips ? c->next_rip : 0;

	if (code <= SVM_EXIT_LAST_CR || code == SVM_EXIT_CR0_SEL_WRITE) {
		x->kind = MVX_CR_ACCESS;
	} else if (code <= SVM_EXIT_LAST_DR) {
		x->kind = MVX_DR_ACCESS;
	} else if (code < SVM_EXIT_EXCP_BASE + 32) {
		u8 vec = code - SVM_EXIT_EXCP_BASE;

		if (vec == X86_TRAP_PF) {
			x->kind = MVX_PAGE_FAULT;
			x->pf.error = i1;
			x->pf.addr = c->exit_info_2;
		} else {
			x->kind = MVX_EXCEPTION;
			x->exc.vector = vec;
			x->exc.has_error = vec == X86_TRAP_AC;	/* pushes 0 */
			x->exc.error = 0;
			/* VMRUN loaded DR6_RESERVED: what differs is new. */
			x->exc.db_payload = vmcb->save.dr6 ^ DR6_RESERVED;
		}
		/* NRIP is only saved for instruction intercepts. */
		x->next_rip = 0;
	} else if (code == SVM_EXIT_IOIO) {
		x->kind = MVX_IO;
		x->io.port = i1 >> 16;
		x->io.in = i1 & SVM_IOIO_TYPE_MASK;
		x->io.string = !!(i1 & SVM_IOIO_STR_MASK);
		x->io.rep = !!(i1 & SVM_IOIO_REP_MASK);
		x->io.size = (i1 & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
		x->io.next_rip = c->exit_info_2;
	} else if (code == SVM_EXIT_MSR) {
		x->kind = i1 ? MVX_WRMSR : MVX_RDMSR;
	} else {
		x->kind = svm_exit_kind(code);
	}
}

/*
 * An exit in the middle of delivering an event (say, a shadow page fault on
 * the guest's stack while it takes an interrupt) must deliver it again.
 * Software interrupts and INT3/INTO are not re-injected: RIP still points
 * at the instruction, which simply runs again.
 */
void svm_save_interrupted_event(struct mv_vcpu *vcpu, u32 info, u32 err)
{
	int type = svm_event_type(info);
	u8 vec = info & SVM_EXITINTINFO_VEC_MASK;

	vcpu->reinject.valid = false;
	if (!(info & SVM_EXITINTINFO_VALID) || type < 0)
		return;
	/*
	 * No exception has a vector past 31: QEMU names a virtual interrupt
	 * cut short this way; the CPU says INTR.
	 */
	if (type == MV_EV_EXCEPTION && vec >= 32)
		type = MV_EV_INTR;
	if (type == MV_EV_SOFT_INT ||
	    (type == MV_EV_EXCEPTION && (vec == X86_TRAP_BP || vec == X86_TRAP_OF)))
		return;
	vcpu->reinject.valid = true;
	vcpu->reinject.type = type;
	vcpu->reinject.vector = vec;
	vcpu->reinject.has_error = !!(info & SVM_EXITINTINFO_VALID_ERR);
	vcpu->reinject.error = err;
}

/* MOV from and to DR0-DR7 (the VMCB has them in one word, 16 bits each). */
void svm_set_dr_intercepts(struct vmcb *vmcb, bool on)
{
	int i;

	for (i = 0; i < 8; i++) {
		if (on) {
			svm_set_intercept(vmcb, INTERCEPT_DR0_READ + i);
			svm_set_intercept(vmcb, INTERCEPT_DR0_WRITE + i);
		} else {
			svm_clr_intercept(vmcb, INTERCEPT_DR0_READ + i);
			svm_clr_intercept(vmcb, INTERCEPT_DR0_WRITE + i);
		}
	}
}

/*
 * The guest's debug registers, when it enabled a breakpoint or moves them
 * itself: DR6 and DR7 travel in the VMCB, DR0-DR3 are loaded here
 * (interrupts off); the host's own, if it has any armed, are off meanwhile
 * and come back after #VMEXIT.  Otherwise the VMCB's DR6 is the reset
 * value, and what a #DB changes in it is that #DB's payload.
 */
void svm_load_guest_drs(struct mv_vcpu *vcpu, struct vmcb *vmcb)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	lockdep_assert_irqs_disabled();
	vmcb->save.dr7 = vcpu->dr7;
	vmcb->save.dr6 = svm->dr_native ? vcpu->dr6 : DR6_RESERVED;
	if (!svm->dr_native && !(vcpu->dr7 & MV_DR7_BP_ENABLED))
		return;
	if (hw_breakpoint_active())
		set_debugreg(0UL, 7);
	set_debugreg(vcpu->dr[0], 0);
	set_debugreg(vcpu->dr[1], 1);
	set_debugreg(vcpu->dr[2], 2);
	set_debugreg(vcpu->dr[3], 3);
}

/* After #VMEXIT: what the guest's own DR moves left, intercepted again. */
void svm_save_guest_drs(struct mv_vcpu *vcpu, struct vmcb *vmcb)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (!svm->dr_native)
		return;
	get_debugreg(vcpu->dr[0], 0);
	get_debugreg(vcpu->dr[1], 1);
	get_debugreg(vcpu->dr[2], 2);
	get_debugreg(vcpu->dr[3], 3);
	/*
	 * The guest's DR6 is the hardware's; at a #DB that is its payload too
	 * (svm_decode_exit()), which mv_queue_db() merges into the same value.
	 */
	vcpu->dr6 = vmcb->save.dr6;
	vcpu->dr7 = vmcb->save.dr7;
	svm->dr_native = false;
	svm_set_dr_intercepts(vmcb, true);
}

bool svm_dr_passthrough(struct mv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->dr_native = true;
	svm_set_dr_intercepts(svm->vmcb, false);
	return true;
}
