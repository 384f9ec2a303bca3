// SPDX-License-Identifier: GPL-2.0
/*
 * The architectural register state generic code keeps, and its rules.
 *
 * Everything the guest or the VMM hands us is checked the way the CPU
 * would check it: control-register and EFER writes against the
 * architecture and the vCPU's CPUID (a refused write is a #GP for the
 * guest, EINVAL for the VMM), MSRs against an allow-list.  Changes that
 * alter how guest addresses translate go to the shadow MMU; the rest only
 * changes what the hardware runs with (mv_arch->load_cr).
 */
#include <linux/kernel.h>
#include <asm/msr.h>

#include "minivisor.h"

/* A control bit the guest may set only when its CPUID offers a feature. */
struct mv_cpuid_gate {
	u32 function;
	u8 reg, bit;		/* MV_CPUID_*, bit number */
	u64 allows;
};

static const struct mv_cpuid_gate mv_cr4_gates[] = {
	{ 1, MV_CPUID_EDX, 3, X86_CR4_PSE },
	{ 1, MV_CPUID_EDX, 6, X86_CR4_PAE },
	{ 1, MV_CPUID_EDX, 13, X86_CR4_PGE },
	{ 1, MV_CPUID_EDX, 24, X86_CR4_OSFXSR },
	{ 7, MV_CPUID_EBX, 7, X86_CR4_SMEP },
	{ 7, MV_CPUID_EBX, 20, X86_CR4_SMAP },
	{ 7, MV_CPUID_EBX, 0, X86_CR4_FSGSBASE },
	{ 7, MV_CPUID_ECX, 2, X86_CR4_UMIP },
};

static const struct mv_cpuid_gate mv_efer_gates[] = {
	{ 0x80000001, MV_CPUID_EDX, 11, EFER_SCE },
	{ 0x80000001, MV_CPUID_EDX, 29, EFER_LME | EFER_LMA },
	{ 0x80000001, MV_CPUID_EDX, 20, EFER_NX },
};

static u64 mv_gated(struct mv_vcpu *vcpu, const struct mv_cpuid_gate *g,
		    unsigned int n)
{
	u64 ok = 0;

	while (n--)
		if (mv_guest_has(vcpu, g[n].function, g[n].reg, g[n].bit))
			ok |= g[n].allows;
	return ok;
}

static u64 mv_cr4_allowed(struct mv_vcpu *vcpu)
{
	u64 ok = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		 X86_CR4_PCE | X86_CR4_OSXMMEXCPT |
		 mv_gated(vcpu, mv_cr4_gates, ARRAY_SIZE(mv_cr4_gates));

	/* UMIP is the hardware's to enforce (SGDT, SIDT, SLDT, STR). */
	if (!boot_cpu_has(X86_FEATURE_UMIP))
		ok &= ~X86_CR4_UMIP;
	return ok;
}

/* PAE paging outside long mode latches PDPTEs. */
static bool mv_pae_paging(struct mv_vcpu *vcpu, u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & EFER_LMA);
}

/* A control-register write the CPU refuses: #GP(0) for the guest. */
static int mv_gp(struct mv_vcpu *vcpu)
{
	mv_queue_exception(vcpu, X86_TRAP_GP, true, 0);
	return -EINVAL;
}

#define MV_CR0_KNOWN	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
			 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
			 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)

int mv_set_cr0(struct mv_vcpu *vcpu, u64 val)
{
	u64 old = vcpu->cr0, efer = vcpu->efer;

	val |= X86_CR0_ET;
	/* The reserved bits of the low half are ignored (KVM: cleared). */
	val &= MV_CR0_KNOWN | GENMASK_ULL(63, 32);
	if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
	    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
		goto gp;
	if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & EFER_LME)) {
		struct mv_segment cs;

		mv_arch->get_segment(vcpu, MV_CS, &cs);
		if (!(vcpu->cr4 & X86_CR4_PAE) || cs.l)
			goto gp;
		efer |= EFER_LMA;
	}
	if (!(val & X86_CR0_PG) && (old & X86_CR0_PG) && mv_is_long_mode(vcpu)) {
		if (mv_long_mode_cs(vcpu))
			goto gp;
		efer &= ~EFER_LMA;
	}
	if (mv_pae_paging(vcpu, val, vcpu->cr4, efer) && !(old & X86_CR0_PG) &&
	    mv_mmu_load_pdptrs(vcpu, vcpu->cr3))
		goto gp;
	vcpu->efer = efer;
	vcpu->cr0 = val;
	/* Only paging and WP change translations; TS, CD, ... do not. */
	if ((old ^ val) & (X86_CR0_PG | X86_CR0_WP))
		mv_mmu_reset(vcpu);
	else if (old != val)
		mv_arch->load_cr(vcpu);
	return 0;
gp:
	return mv_gp(vcpu);
}

int mv_set_cr4(struct mv_vcpu *vcpu, u64 val)
{
	u64 old = vcpu->cr4;

	if (val & ~mv_cr4_allowed(vcpu))
		goto gp;
	if (mv_is_long_mode(vcpu) && !(val & X86_CR4_PAE))
		goto gp;
	if (mv_pae_paging(vcpu, vcpu->cr0, val, vcpu->efer) &&
	    ((old ^ val) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE |
			    X86_CR4_SMEP)) &&
	    mv_mmu_load_pdptrs(vcpu, vcpu->cr3))
		goto gp;
	vcpu->cr4 = val;
	/* The bits that change how tables are read reset the MMU ... */
	if ((old ^ val) & (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_SMEP |
			   X86_CR4_SMAP)) {
		mv_mmu_reset(vcpu);
		return 0;
	}
	/* ... toggling PGE flushes every translation, global ones too ... */
	if ((old ^ val) & X86_CR4_PGE)
		mv_mmu_flush_guest_tlb(vcpu);
	/* ... and the rest only changes what the hardware runs with. */
	if (old != val)
		mv_arch->load_cr(vcpu);
	return 0;
gp:
	return mv_gp(vcpu);
}

int mv_set_cr3(struct mv_vcpu *vcpu, u64 val)
{
	if ((mv_is_long_mode(vcpu) && (val >> mv_guest_maxphyaddr(vcpu))) ||
	    (mv_pae_paging(vcpu, vcpu->cr0, vcpu->cr4, vcpu->efer) &&
	     mv_mmu_load_pdptrs(vcpu, val)))
		return mv_gp(vcpu);
	vcpu->cr3 = val;
	mv_mmu_new_cr3(vcpu);
	return 0;
}

static u64 mv_efer_allowed(struct mv_vcpu *vcpu)
{
	return mv_gated(vcpu, mv_efer_gates, ARRAY_SIZE(mv_efer_gates));
}

int mv_set_efer(struct mv_vcpu *vcpu, u64 val)
{
	u64 old = vcpu->efer;

	if (val & ~mv_efer_allowed(vcpu))
		return -EINVAL;
	/* LME cannot change while paging is on; LMA is read-only. */
	if (mv_is_paging(vcpu) && ((val ^ old) & EFER_LME))
		return -EINVAL;
	val = (val & ~EFER_LMA) | (old & EFER_LMA);
	vcpu->efer = val;
	/* LME only changes with paging off, where it translates nothing. */
	if ((old ^ val) & EFER_NX)
		mv_mmu_reset(vcpu);
	else if (old != val)
		mv_arch->load_cr(vcpu);
	return 0;
}

/* The segments of struct mv_sregs, in enum mv_seg order. */
static void mv_sregs_segs(const struct mv_sregs *sr,
			  const struct mv_segment *segs[MV_NR_SEGS])
{
	segs[MV_ES] = &sr->es;
	segs[MV_CS] = &sr->cs;
	segs[MV_SS] = &sr->ss;
	segs[MV_DS] = &sr->ds;
	segs[MV_FS] = &sr->fs;
	segs[MV_GS] = &sr->gs;
	segs[MV_TR] = &sr->tr;
	segs[MV_LDTR] = &sr->ldt;
}

void mv_get_sregs(struct mv_vcpu *vcpu, struct mv_sregs *sr)
{
	const struct mv_segment *segs[MV_NR_SEGS];
	int i;

	memset(sr, 0, sizeof(*sr));
	mv_sregs_segs(sr, segs);
	for (i = 0; i < MV_NR_SEGS; i++)
		mv_arch->get_segment(vcpu, i, (struct mv_segment *)segs[i]);
	mv_arch->get_dtable(vcpu, false, &sr->gdt);
	mv_arch->get_dtable(vcpu, true, &sr->idt);
	sr->cr0 = vcpu->cr0;
	sr->cr2 = vcpu->cr2;
	sr->cr3 = vcpu->cr3;
	sr->cr4 = vcpu->cr4;
	sr->efer = vcpu->efer;
}

static bool mv_seg_ok(const struct mv_segment *s)
{
	return s->type < 16 && s->s < 2 && s->dpl < 4 && s->present < 2 &&
	       s->avl < 2 && s->l < 2 && s->db < 2 && s->g < 2 &&
	       s->unusable < 2 && !s->pad;
}

int mv_set_sregs(struct mv_vcpu *vcpu, const struct mv_sregs *sr)
{
	const struct mv_segment *segs[MV_NR_SEGS];
	bool lma = sr->efer & EFER_LMA;
	unsigned int i;

	mv_sregs_segs(sr, segs);
	for (i = 0; i < ARRAY_SIZE(sr->reserved); i++)
		if (sr->reserved[i])
			return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		if (!mv_seg_ok(segs[i]))
			return -EINVAL;
	if (sr->gdt.pad[0] || sr->gdt.pad[1] || sr->gdt.pad[2] ||
	    sr->idt.pad[0] || sr->idt.pad[1] || sr->idt.pad[2])
		return -EINVAL;
	if ((sr->cr0 >> 32) || ((sr->cr0 & X86_CR0_PG) && !(sr->cr0 & X86_CR0_PE)) ||
	    ((sr->cr0 & X86_CR0_NW) && !(sr->cr0 & X86_CR0_CD)))
		return -EINVAL;
	if (sr->cr4 & ~mv_cr4_allowed(vcpu))
		return -EINVAL;
	if (sr->efer & ~mv_efer_allowed(vcpu))
		return -EINVAL;
	if (lma != ((sr->efer & EFER_LME) && (sr->cr0 & X86_CR0_PG)))
		return -EINVAL;
	if (lma && (!(sr->cr4 & X86_CR4_PAE) || (sr->cs.l && sr->cs.db)))
		return -EINVAL;
	if (lma && (sr->cr3 >> mv_guest_maxphyaddr(vcpu)))
		return -EINVAL;
	if ((sr->cr0 & X86_CR0_PG) && (sr->cr4 & X86_CR4_PAE) && !lma &&
	    mv_mmu_load_pdptrs(vcpu, sr->cr3))
		return -EINVAL;

	for (i = 0; i < ARRAY_SIZE(segs); i++)
		mv_arch->set_segment(vcpu, i, segs[i]);
	mv_arch->set_dtable(vcpu, false, &sr->gdt);
	mv_arch->set_dtable(vcpu, true, &sr->idt);
	vcpu->cr0 = sr->cr0 | X86_CR0_ET;
	vcpu->cr2 = sr->cr2;
	vcpu->cr3 = sr->cr3;
	vcpu->cr4 = sr->cr4;
	vcpu->efer = sr->efer;
	if (vcpu->mp_state == MV_MP_HALTED)
		vcpu->mp_state = MV_MP_RUNNABLE;
	mv_mmu_reset(vcpu);
	return 0;
}

int mv_set_regs(struct mv_vcpu *vcpu, const struct mv_regs *r)
{
	/* Reserved RFLAGS bits, and virtual-8086 mode, are refused. */
	if ((r->rflags & ~0x3f7fd7ULL) || (r->rflags & X86_EFLAGS_VM))
		return -EINVAL;
	memcpy(vcpu->regs, r, sizeof(vcpu->regs));
	/* struct mv_regs lists RSP and RBP after RDI; we keep hardware order. */
	vcpu->regs[MV_RAX] = r->rax;
	vcpu->regs[MV_RBX] = r->rbx;
	vcpu->regs[MV_RCX] = r->rcx;
	vcpu->regs[MV_RDX] = r->rdx;
	vcpu->regs[MV_RSI] = r->rsi;
	vcpu->regs[MV_RDI] = r->rdi;
	vcpu->regs[MV_RSP] = r->rsp;
	vcpu->regs[MV_RBP] = r->rbp;
	vcpu->rip = r->rip;
	vcpu->rflags = r->rflags | X86_EFLAGS_FIXED;
	if (vcpu->mp_state == MV_MP_HALTED)
		vcpu->mp_state = MV_MP_RUNNABLE;
	/* New registers abandon an IN or MMIO read waiting for its data. */
	vcpu->pending = MV_PENDING_NONE;
	return 0;
}

void mv_get_regs(struct mv_vcpu *vcpu, struct mv_regs *r)
{
	memcpy(r, vcpu->regs, sizeof(vcpu->regs));
	r->rax = vcpu->regs[MV_RAX];
	r->rbx = vcpu->regs[MV_RBX];
	r->rcx = vcpu->regs[MV_RCX];
	r->rdx = vcpu->regs[MV_RDX];
	r->rsi = vcpu->regs[MV_RSI];
	r->rdi = vcpu->regs[MV_RDI];
	r->rsp = vcpu->regs[MV_RSP];
	r->rbp = vcpu->regs[MV_RBP];
	r->rip = vcpu->rip;
	r->rflags = vcpu->rflags;
}

/* The x86 reset state, as far as generic code keeps it. */
void mv_regs_reset(struct mv_vcpu *vcpu)
{
	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->rip = 0xfff0;
	vcpu->rflags = X86_EFLAGS_FIXED;
	vcpu->cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
	vcpu->cr2 = 0;
	vcpu->cr3 = 0;
	vcpu->cr4 = 0;
	vcpu->efer = 0;
	vcpu->pat = MV_PAT_RESET;
	vcpu->dr6 = MV_DR6_RESET;
	vcpu->dr7 = MV_DR7_RESET;
	vcpu->mp_state = MV_MP_RUNNABLE;
	mv_arch->vcpu_reset(vcpu);
	mv_mmu_reset(vcpu);
}
