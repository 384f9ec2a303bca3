/* SPDX-License-Identifier: GPL-2.0 */
/* Between svm.c, svm_event.c and svm_entry.S. */
#ifndef _MV_SVM_H
#define _MV_SVM_H

#include <linux/types.h>

/* One VMRUN; see svm_entry.S.  GIF must be clear. */
void mv_svm_vmrun(u64 vmcb_pa, u64 *regs, u64 host_save_pa);
/* VMRUN of a guest that executes nothing (the ASID scrub). */
void mv_svm_vmrun_bare(u64 vmcb_pa);

/* Between svm.c and svm_event.c. */
#include <asm/svm.h>

#include "minivisor.h"

/* A virtual interrupt pending whatever the guest's TPR (int_ctl bits). */
#define SVM_VIRQ_PENDING	(V_IRQ_MASK | V_IGN_TPR_MASK | (0xf << V_INTR_PRIO_SHIFT))

/* Exit codes <asm/svm.h> of this kernel does not name. */
#define SVM_EXIT_LAST_CR	0x1f
#define SVM_EXIT_LAST_DR	0x3f
#define SVM_EXIT_INVLPGB	0xa0

struct svm_cpu {
	u64 host_tsc_aux;		/* read at this CPU's first VMRUN */
	bool host_tsc_aux_read;
	struct page *hsave;		/* VMRUN's host save area */
	struct page *host_state;	/* VMSAVE/VMLOAD of host state */
	struct page *scrub;		/* VMCB that only flushes an ASID */
	u64 hsave_pa, host_state_pa, scrub_pa;
	u64 asid_gen;
	u32 next_asid;
};

struct svm_vcpu {
	struct mv_vcpu vcpu;		/* first: generic code frees it */
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u64 asid_gen;
	int asid_cpu;
	u8 tlb_ctl;
	u8 nr_invlpga;
	bool dr_native;		/* DR moves not intercepted until the exit */
	bool virq;		/* an interrupt programmed in V_IRQ */
	u64 invlpga[8];
};

static inline struct svm_vcpu *to_svm(struct mv_vcpu *vcpu)
{
	return container_of(vcpu, struct svm_vcpu, vcpu);
}

static inline void svm_set_intercept(struct vmcb *vmcb, int bit)
{
	vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
}

static inline void svm_clr_intercept(struct vmcb *vmcb, int bit)
{
	vmcb->control.intercepts[bit / 32] &= ~BIT(bit % 32);
}

extern bool svm_nrips;

void svm_inject_event(struct mv_vcpu *vcpu, const struct mv_event *ev);
void svm_cancel_event(struct mv_vcpu *vcpu, struct mv_event *ev);
void svm_virq_complete(struct mv_vcpu *vcpu);
bool svm_interrupt_shadow(struct mv_vcpu *vcpu);
void svm_set_iret_intercept(struct mv_vcpu *vcpu, bool on);
void svm_set_irq_window(struct mv_vcpu *vcpu, bool on);
void svm_decode_exit(struct mv_vcpu *vcpu, struct vmcb *vmcb);
void svm_save_interrupted_event(struct mv_vcpu *vcpu, u32 info, u32 err);
void svm_set_dr_intercepts(struct vmcb *vmcb, bool on);
void svm_load_guest_drs(struct mv_vcpu *vcpu, struct vmcb *vmcb);
void svm_save_guest_drs(struct mv_vcpu *vcpu, struct vmcb *vmcb);
bool svm_dr_passthrough(struct mv_vcpu *vcpu);

#endif
