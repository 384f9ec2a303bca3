// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend.
 *
 * Everything that knows what a VMCB is lives here, in svm_event.c (events,
 * exit decoding, debug registers) and in svm_entry.S.  The generic code
 * asks for one world switch at a time (svm_run) and gets back a
 * vendor-neutral struct mv_exit.
 *
 * Living next to kvm_amd.  KVM sets EFER.SVME when it creates its first VM
 * and refuses to do so if SVME is already set; it clears SVME when its last
 * VM goes.  So minivisor never leaves SVME set: each world switch, with
 * interrupts off, sets SVME if it was clear (and clears it again after) and
 * points VM_HSAVE_PA at our own host save area (restoring whatever was
 * there).  When another hypervisor has SVM on, we share ASID space with it,
 * so those switches flush the whole TLB on entry.
 */
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/svm.h>

#include "minivisor.h"
#include "svm.h"

#define SVM_CPUID_LEAF		0x8000000a

/* CPUID 0x8000000a EDX bits (AMD APM vol. 3, appendix E.4.10). */
#define SVM_EDX_NP		BIT(0)
#define SVM_EDX_LBRV		BIT(1)
#define SVM_EDX_NRIPS		BIT(3)
#define SVM_EDX_VMCB_CLEAN	BIT(5)
#define SVM_EDX_FLUSH_BY_ASID	BIT(6)
#define SVM_EDX_DECODE_ASSISTS	BIT(7)
#define SVM_EDX_PAUSE_FILTER	BIT(10)
#define SVM_EDX_AVIC		BIT(13)
#define SVM_EDX_VGIF		BIT(16)

#define SVM_IOPM_ORDER		2	/* 12 KiB used */
#define SVM_MSRPM_ORDER		1	/* 8 KiB */

static DEFINE_PER_CPU(struct svm_cpu, svm_cpus);
static struct page *svm_iopm, *svm_msrpm, *svm_empty_pd;
bool svm_nrips;
static bool svm_flush_by_asid;

bool mv_svm_present(void)
{
	if (cpuid_eax(0x80000000) < 0x80000001)
		return false;
	return cpuid_ecx(0x80000001) & BIT(2);
}

static int svm_probe(struct mv_hw_info *hw, const char **why)
{
	static const struct {
		u32 edx_bit;
		enum mv_feature feat;
	} map[] = {
		{ SVM_EDX_NP, MV_FEAT_NPT },
		{ SVM_EDX_LBRV, MV_FEAT_LBR_VIRT },
		{ SVM_EDX_NRIPS, MV_FEAT_NRIPS },
		{ SVM_EDX_VMCB_CLEAN, MV_FEAT_VMCB_CLEAN },
		{ SVM_EDX_FLUSH_BY_ASID, MV_FEAT_FLUSH_BY_ASID },
		{ SVM_EDX_DECODE_ASSISTS, MV_FEAT_DECODE_ASSISTS },
		{ SVM_EDX_PAUSE_FILTER, MV_FEAT_PAUSE_FILTER },
		{ SVM_EDX_AVIC, MV_FEAT_AVIC },
		{ SVM_EDX_VGIF, MV_FEAT_VGIF },
	};
	u32 eax, ebx, ecx, edx;
	u64 vm_cr;
	int i;

	if (rdmsrl_safe(MSR_VM_CR, &vm_cr)) {
		*why = "SVM present but the VM_CR MSR cannot be read";
		return -ENODEV;
	}
	if (vm_cr & BIT_ULL(SVM_VM_CR_SVM_DISABLE)) {
		*why = "SVM disabled by firmware (VM_CR.SVMDIS); enable AMD-V in the BIOS";
		return -ENODEV;
	}
	if (cpuid_eax(0x80000000) < SVM_CPUID_LEAF) {
		*why = "SVM present but CPUID leaf 0x8000000a is missing";
		return -ENODEV;
	}
	cpuid(SVM_CPUID_LEAF, &eax, &ebx, &ecx, &edx);

	hw->backend = MV_BACKEND_SVM;
	hw->caps = MV_HW_RUNS_GUESTS;
	hw->features = 0;
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (edx & map[i].edx_bit)
			hw->features |= BIT_ULL(map[i].feat);
	/* ASID 0 belongs to the host. */
	hw->nr_asids = ebx ? ebx - 1 : 0;
	if (!hw->nr_asids) {
		*why = "SVM reports no guest ASIDs";
		return -ENODEV;
	}
	svm_nrips = edx & SVM_EDX_NRIPS;
	svm_flush_by_asid = edx & SVM_EDX_FLUSH_BY_ASID;
	return 0;
}

static void svm_hw_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpus, cpu);

		if (sc->hsave)
			__free_page(sc->hsave);
		if (sc->host_state)
			__free_page(sc->host_state);
		if (sc->scrub)
			__free_page(sc->scrub);
		memset(sc, 0, sizeof(*sc));
	}
	if (svm_iopm)
		__free_pages(svm_iopm, SVM_IOPM_ORDER);
	if (svm_msrpm)
		__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
	if (svm_empty_pd)
		__free_page(svm_empty_pd);
	svm_iopm = NULL;
	svm_msrpm = NULL;
	svm_empty_pd = NULL;
}

/* Called under the VM list mutex. */
static unsigned int svm_hw_users;

/*
 * The scrub guest: paging on over an empty page directory, interrupts
 * enabled and a virtual interrupt pending, so VMRUN flushes the TLB as told
 * and the VINTR intercept fires before the first instruction.  Nothing of
 * it can be cached.
 */
static void svm_scrub_init(struct vmcb *v)
{
	struct vmcb_seg code = {
		.selector = 8, .limit = 0xffffffff,
		.attrib = 0xb | SVM_SELECTOR_S_MASK | SVM_SELECTOR_P_MASK |
			  SVM_SELECTOR_DB_MASK | SVM_SELECTOR_G_MASK,
	};
	struct vmcb_seg data = code;
	int i;

	for (i = 0; i < 32; i++)
		svm_set_intercept(v, INTERCEPT_EXCEPTION_OFFSET + i);
	svm_set_intercept(v, INTERCEPT_INTR);
	svm_set_intercept(v, INTERCEPT_NMI);
	svm_set_intercept(v, INTERCEPT_VINTR);
	svm_set_intercept(v, INTERCEPT_SHUTDOWN);
	svm_set_intercept(v, INTERCEPT_VMRUN);
	v->control.iopm_base_pa = page_to_phys(svm_iopm);
	v->control.msrpm_base_pa = page_to_phys(svm_msrpm);
	v->control.int_ctl = V_INTR_MASKING_MASK | SVM_VIRQ_PENDING;
	data.selector = 0x10;
	data.attrib = 0x3 | SVM_SELECTOR_S_MASK | SVM_SELECTOR_P_MASK |
		      SVM_SELECTOR_DB_MASK | SVM_SELECTOR_G_MASK;
	v->save.cs = code;
	v->save.ss = data;
	v->save.ds = data;
	v->save.es = data;
	v->save.gdtr.limit = 0xffff;
	v->save.idtr.limit = 0xffff;
	v->save.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
	v->save.cr3 = page_to_phys(svm_empty_pd);
	v->save.efer = EFER_SVME;
	v->save.rflags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	v->save.dr6 = MV_DR6_RESET;
	v->save.dr7 = MV_DR7_RESET;
	v->save.g_pat = MV_PAT_RESET;
}

static int svm_hw_get(void)
{
	int cpu;

	if (svm_hw_users++)
		return 0;
	/* Intercept every port and every MSR. */
	svm_iopm = alloc_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	svm_empty_pd = alloc_page(GFP_KERNEL | __GFP_ZERO | __GFP_DMA32);
	if (!svm_iopm || !svm_msrpm || !svm_empty_pd)
		goto err;
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpus, cpu);
		int node = cpu_to_node(cpu);

		sc->hsave = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		sc->host_state = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		sc->scrub = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		if (!sc->hsave || !sc->host_state || !sc->scrub)
			goto err;
		sc->hsave_pa = page_to_phys(sc->hsave);
		sc->host_state_pa = page_to_phys(sc->host_state);
		sc->scrub_pa = page_to_phys(sc->scrub);
		svm_scrub_init(page_address(sc->scrub));
		/* Force the first vCPU on this CPU to start a generation. */
		sc->asid_gen = 1;
		sc->next_asid = mv_hw.nr_asids + 1;
	}
	return 0;
err:
	svm_hw_free();
	svm_hw_users = 0;
	return -ENOMEM;
}

static void svm_hw_put(void)
{
	if (!--svm_hw_users)
		svm_hw_free();
}

static u16 svm_attr(const struct mv_segment *s)
{
	if (s->unusable)
		return 0;
	return (s->type & SVM_SELECTOR_TYPE_MASK) |
	       (s->s << SVM_SELECTOR_S_SHIFT) |
	       ((s->dpl & 3) << SVM_SELECTOR_DPL_SHIFT) |
	       (s->present << SVM_SELECTOR_P_SHIFT) |
	       (s->avl << SVM_SELECTOR_AVL_SHIFT) |
	       (s->l << SVM_SELECTOR_L_SHIFT) |
	       (s->db << SVM_SELECTOR_DB_SHIFT) |
	       (s->g << SVM_SELECTOR_G_SHIFT);
}

/* Where each segment register lives in the save area, by enum mv_seg. */
static const u16 svm_seg_offsets[MV_NR_SEGS] = {
	[MV_ES] = offsetof(struct vmcb_save_area, es),
	[MV_CS] = offsetof(struct vmcb_save_area, cs),
	[MV_SS] = offsetof(struct vmcb_save_area, ss),
	[MV_DS] = offsetof(struct vmcb_save_area, ds),
	[MV_FS] = offsetof(struct vmcb_save_area, fs),
	[MV_GS] = offsetof(struct vmcb_save_area, gs),
	[MV_TR] = offsetof(struct vmcb_save_area, tr),
	[MV_LDTR] = offsetof(struct vmcb_save_area, ldtr),
};

static struct vmcb_seg *svm_seg(struct vmcb *vmcb, enum mv_seg seg)
{
	return (void *)&vmcb->save + svm_seg_offsets[seg % MV_NR_SEGS];
}

static void svm_get_segment(struct mv_vcpu *vcpu, enum mv_seg seg,
			    struct mv_segment *s)
{
	struct vmcb_seg *v = svm_seg(to_svm(vcpu)->vmcb, seg);

	memset(s, 0, sizeof(*s));
	s->base = v->base;
	s->limit = v->limit;
	s->selector = v->selector;
	s->type = v->attrib & SVM_SELECTOR_TYPE_MASK;
	s->s = !!(v->attrib & SVM_SELECTOR_S_MASK);
	s->dpl = (v->attrib & SVM_SELECTOR_DPL_MASK) >> SVM_SELECTOR_DPL_SHIFT;
	s->present = !!(v->attrib & SVM_SELECTOR_P_MASK);
	s->avl = !!(v->attrib & SVM_SELECTOR_AVL_MASK);
	s->l = !!(v->attrib & SVM_SELECTOR_L_MASK);
	s->db = !!(v->attrib & SVM_SELECTOR_DB_MASK);
	s->g = !!(v->attrib & SVM_SELECTOR_G_MASK);
	s->unusable = !s->present;
}

static void svm_set_segment(struct mv_vcpu *vcpu, enum mv_seg seg,
			    const struct mv_segment *s)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_seg *v = svm_seg(vmcb, seg);

	v->base = s->base;
	v->limit = s->limit;
	v->selector = s->selector;
	v->attrib = svm_attr(s);
	/* The CPL is SS.DPL (CS.DPL would be wrong for conforming code). */
	if (seg == MV_SS)
		vmcb->save.cpl = s->dpl & 3;
}

static void svm_get_dtable(struct mv_vcpu *vcpu, bool idt, struct mv_dtable *d)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_seg *v = idt ? &vmcb->save.idtr : &vmcb->save.gdtr;

	memset(d, 0, sizeof(*d));
	d->base = v->base;
	d->limit = v->limit;
}

static void svm_set_dtable(struct mv_vcpu *vcpu, bool idt,
			   const struct mv_dtable *d)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_seg *v = idt ? &vmcb->save.idtr : &vmcb->save.gdtr;

	v->base = d->base;
	v->limit = d->limit;
}

static int svm_get_cpl(struct mv_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cpl;
}

/*
 * The hardware control registers for the guest's: paging always on, on
 * the shadow root (a guest with paging off runs in "paged real mode" on an
 * identity map, which SVM allows with CR0.PE clear), CR0.WP always set so
 * read-only shadow entries stop supervisor writes too, caching always on.
 * With guest paging on, NX is always on in hardware, so that every fetch
 * fault says it is a fetch (SMAP, for data accesses only, needs to know);
 * the shadow entries carry NX only where the guest's rights say so.
 */
static void svm_load_cr(struct mv_vcpu *vcpu)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	u64 cr4_keep = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		       X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |
		       X86_CR4_FSGSBASE | X86_CR4_UMIP;
	u64 efer = vcpu->efer & (EFER_SCE | EFER_NX);
	u64 cr4 = (vcpu->cr4 & cr4_keep) | X86_CR4_PAE;

	if (vcpu->cr0 & X86_CR0_PG) {
		cr4 |= vcpu->cr4 & (X86_CR4_PGE | X86_CR4_SMEP | X86_CR4_SMAP);
		efer |= EFER_NX;
	}
	if (vcpu->mmu.root_level == 4)
		efer |= EFER_LME | EFER_LMA;
	save->cr0 = (vcpu->cr0 | X86_CR0_PG | X86_CR0_WP) &
		    ~(X86_CR0_CD | X86_CR0_NW);
	save->cr3 = vcpu->mmu.root_pa;
	save->cr4 = cr4;
	/* VMRUN requires SVME in the guest's EFER; the guest never sees it. */
	save->efer = efer | EFER_SVME;
}

/* How much a TLB_CONTROL value flushes, to keep the strongest. */
static int svm_tlb_rank(u8 ctl)
{
	switch (ctl) {
	case TLB_CONTROL_FLUSH_ALL_ASID:
		return 3;
	case TLB_CONTROL_FLUSH_ASID:
		return 2;
	case TLB_CONTROL_FLUSH_ASID_LOCAL:
		return 1;
	default:
		return 0;
	}
}

static void svm_want_flush(struct svm_vcpu *svm, u8 ctl)
{
	if (!svm_flush_by_asid)
		ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	if (svm_tlb_rank(ctl) > svm_tlb_rank(svm->tlb_ctl))
		svm->tlb_ctl = ctl;
}

static void svm_flush_tlb(struct mv_vcpu *vcpu, enum mv_flush_kind kind)
{
	svm_want_flush(to_svm(vcpu), kind == MV_FLUSH_ALL ?
		       TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ASID_LOCAL);
}

/* INVLPGA needs SVM on, so queue the address for the next world switch. */
static void svm_flush_gva(struct mv_vcpu *vcpu, u64 gva)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (svm->nr_invlpga < ARRAY_SIZE(svm->invlpga))
		svm->invlpga[svm->nr_invlpga++] = gva;
	else
		svm_want_flush(svm, TLB_CONTROL_FLUSH_ASID);
}

/* The MSRs whose state lives in the VMCB's save area, and where. */
static const struct {
	u32 msr;
	u16 offset;
	bool low32;		/* only the low 32 bits exist */
} svm_save_msrs[] = {
	{ MSR_FS_BASE, offsetof(struct vmcb_save_area, fs.base) },
	{ MSR_GS_BASE, offsetof(struct vmcb_save_area, gs.base) },
	{ MSR_KERNEL_GS_BASE, offsetof(struct vmcb_save_area, kernel_gs_base) },
	{ MSR_STAR, offsetof(struct vmcb_save_area, star) },
	{ MSR_LSTAR, offsetof(struct vmcb_save_area, lstar) },
	{ MSR_CSTAR, offsetof(struct vmcb_save_area, cstar) },
	{ MSR_SYSCALL_MASK, offsetof(struct vmcb_save_area, sfmask), true },
	{ MSR_IA32_SYSENTER_CS, offsetof(struct vmcb_save_area, sysenter_cs),
	  true },
	{ MSR_IA32_SYSENTER_ESP, offsetof(struct vmcb_save_area, sysenter_esp) },
	{ MSR_IA32_SYSENTER_EIP, offsetof(struct vmcb_save_area, sysenter_eip) },
};

static u64 *svm_msr_slot(struct vmcb *vmcb, u32 index, bool *low32)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(svm_save_msrs); i++) {
		if (svm_save_msrs[i].msr != index)
			continue;
		*low32 = svm_save_msrs[i].low32;
		return (void *)&vmcb->save + svm_save_msrs[i].offset;
	}
	return NULL;
}

static int svm_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *val)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	bool low32;
	u64 *slot;

	if (index == MSR_IA32_TSC) {
		*val = rdtsc() + vmcb->control.tsc_offset;
		return 0;
	}
	slot = svm_msr_slot(vmcb, index, &low32);
	if (!slot)
		return -ENOENT;
	*val = *slot;
	return 0;
}

static int svm_set_msr(struct mv_vcpu *vcpu, u32 index, u64 val)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	bool low32;
	u64 *slot;

	if (index == MSR_IA32_TSC) {
		vmcb->control.tsc_offset = val - rdtsc();
		return 0;
	}
	slot = svm_msr_slot(vmcb, index, &low32);
	if (!slot)
		return -ENOENT;
	*slot = low32 ? (u32)val : val;
	return 0;
}

static void svm_vcpu_reset(struct mv_vcpu *vcpu)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	struct mv_segment data = {
		.limit = 0xffff, .type = 3, .s = 1, .present = 1,
	};
	struct mv_segment code = data;
	struct mv_segment sys = {
		.limit = 0xffff, .type = 2, .present = 1,	/* LDT */
	};
	struct mv_dtable dt = { .limit = 0xffff };
	int seg;

	for (seg = MV_ES; seg <= MV_GS; seg++)
		svm_set_segment(vcpu, seg, &data);
	code.type = 0xb;		/* execute/read, accessed */
	code.selector = 0xf000;
	code.base = 0xffff0000;
	svm_set_segment(vcpu, MV_CS, &code);
	svm_set_segment(vcpu, MV_LDTR, &sys);
	sys.type = 0xb;			/* busy 32-bit TSS */
	svm_set_segment(vcpu, MV_TR, &sys);
	svm_set_dtable(vcpu, false, &dt);
	svm_set_dtable(vcpu, true, &dt);
	save->dr6 = MV_DR6_RESET;
	save->dr7 = MV_DR7_RESET;
	save->cpl = 0;
	save->kernel_gs_base = 0;
	save->star = 0;
	save->lstar = 0;
	save->cstar = 0;
	save->sfmask = 0;
	save->sysenter_cs = 0;
	save->sysenter_esp = 0;
	save->sysenter_eip = 0;
	save->g_pat = MV_PAT_RESET;
}

static int svm_vcpu_init(struct mv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb;
	struct page *page;
	static const int intercepts[] = {
		INTERCEPT_CR0_READ, INTERCEPT_CR3_READ, INTERCEPT_CR4_READ,
		INTERCEPT_CR8_READ, INTERCEPT_CR8_WRITE,
		INTERCEPT_CR0_WRITE, INTERCEPT_CR3_WRITE, INTERCEPT_CR4_WRITE,
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_CPUID,
		INTERCEPT_INVD, INTERCEPT_HLT, INTERCEPT_INVLPG,
		INTERCEPT_INVLPGA, INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT,
		INTERCEPT_SHUTDOWN, INTERCEPT_VMRUN, INTERCEPT_VMMCALL,
		INTERCEPT_VMLOAD, INTERCEPT_VMSAVE, INTERCEPT_STGI,
		INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_RDTSCP,
		INTERCEPT_WBINVD, INTERCEPT_MONITOR, INTERCEPT_MWAIT,
		INTERCEPT_MWAIT_COND, INTERCEPT_XSETBV, INTERCEPT_RDPRU,
		INTERCEPT_INVPCID, INTERCEPT_INVLPGB,
	};
	int i;

	BUILD_BUG_ON(offsetof(struct svm_vcpu, vcpu));
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm->asid_cpu = -1;
	vmcb = svm->vmcb;

	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		svm_set_intercept(vmcb, intercepts[i]);
	svm_set_dr_intercepts(vmcb, true);
	/*
	 * #PF for the shadow MMU.  #UD because Intel's VMCALL raises it here
	 * and is a hypercall too.  #DB and #AC because a guest can otherwise
	 * wedge the CPU in an endless exception-delivery loop that no host
	 * interrupt breaks; we reflect them.
	 */
	svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_PF);
	svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_UD);
	svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_DB);
	svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_AC);

	vmcb->control.iopm_base_pa = page_to_phys(svm_iopm);
	vmcb->control.msrpm_base_pa = page_to_phys(svm_msrpm);
	/* Physical interrupts follow the host's RFLAGS.IF, not the guest's. */
	vmcb->control.int_ctl = V_INTR_MASKING_MASK;
	svm->tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	svm_vcpu_reset(vcpu);
	return 0;
}

static void svm_vcpu_destroy(struct mv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (svm->vmcb)
		free_page((unsigned long)svm->vmcb);
	svm->vmcb = NULL;
}

/*
 * ASIDs are handed out per physical CPU; a new generation (and a full
 * flush) starts when they run out.  A vCPU that moved, or whose generation
 * is stale, gets a fresh one.
 */
static void svm_assign_asid(struct svm_vcpu *svm, struct svm_cpu *sc, int cpu)
{
	if (svm->asid_cpu == cpu && svm->asid_gen == sc->asid_gen)
		return;
	if (sc->next_asid > mv_hw.nr_asids) {
		sc->asid_gen++;
		sc->next_asid = 1;
		svm->tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	svm->vmcb->control.asid = sc->next_asid++;
	svm->asid_gen = sc->asid_gen;
	svm->asid_cpu = cpu;
	svm_want_flush(svm, TLB_CONTROL_FLUSH_ASID);
}

/*
 * Another hypervisor (kvm_amd) hands out ASIDs from the same space and
 * trusts its own flushes: before it can run on this CPU again, leave no
 * translation of ours tagged with the ASID we used.  Called with GIF=1,
 * interrupts off, after our guest's #VMEXIT.
 */
static void svm_scrub_asid(struct svm_cpu *sc, u32 asid)
{
	struct vmcb *v = page_address(sc->scrub);

	v->control.asid = asid;
	v->control.tlb_ctl = svm_flush_by_asid ? TLB_CONTROL_FLUSH_ASID :
						 TLB_CONTROL_FLUSH_ALL_ASID;
	v->control.clean = 0;
	v->control.int_ctl |= V_IRQ_MASK;
	v->save.rip = 0;
	v->save.rflags = X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	asm volatile("clgi" ::: "memory");
	mv_svm_vmrun_bare(sc->scrub_pa);
	asm volatile("stgi" ::: "memory");
	atomic_long_inc(&mv_foreign_flushes);
}

/*
 * RDTSCP runs in the guest, as in KVM (Linux's clock reads use it), when
 * its CPUID offers it; else it exits for its #UD.  The guest's
 * IA32_TSC_AUX is what RDTSCP and RDPID read: svm_run() loads it.
 */
static void svm_cpuid_changed(struct mv_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (mv_guest_has_rdtscp(vcpu) && boot_cpu_has(X86_FEATURE_RDTSCP))
		svm_clr_intercept(vmcb, INTERCEPT_RDTSCP);
	else
		svm_set_intercept(vmcb, INTERCEPT_RDTSCP);
}

/*
 * IA32_TSC_AUX in the hardware is the guest's while it runs, when it
 * differs from the host's (Linux: CPU and node number, which only the
 * vDSO's getcpu reads, in userspace; the kernel's entry code stopped
 * reading it for KVM's sake); the host's comes back right after the exit.
 * True when the host's must come back.
 */
static bool svm_load_tsc_aux(struct mv_vcpu *vcpu, struct svm_cpu *sc)
{
	if (!boot_cpu_has(X86_FEATURE_RDTSCP) && !boot_cpu_has(X86_FEATURE_RDPID))
		return false;
	if (!sc->host_tsc_aux_read) {
		rdmsrl(MSR_TSC_AUX, sc->host_tsc_aux);
		sc->host_tsc_aux_read = true;
	}
	if (vcpu->tsc_aux == sc->host_tsc_aux)
		return false;
	wrmsrl(MSR_TSC_AUX, vcpu->tsc_aux);
	return true;
}

static void svm_run(struct mv_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	int cpu = smp_processor_id();
	struct svm_cpu *sc = per_cpu_ptr(&svm_cpus, cpu);
	u64 efer, old_hsave = 0;
	bool foreign, tsc_aux;

	rdmsrl(MSR_EFER, efer);
	foreign = efer & EFER_SVME;
	if (foreign) {
		/* Someone else (kvm_amd) has SVM on: borrow, then give back. */
		rdmsrl(MSR_VM_HSAVE_PA, old_hsave);
		svm->tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	} else {
		wrmsrl(MSR_EFER, efer | EFER_SVME);
	}
	wrmsrl(MSR_VM_HSAVE_PA, sc->hsave_pa);

	svm_assign_asid(svm, sc, cpu);
	if (svm->nr_invlpga && svm_tlb_rank(svm->tlb_ctl) < 2) {
		int i;

		for (i = 0; i < svm->nr_invlpga; i++)
			asm volatile("invlpga %0, %1" : :
				     "a"(svm->invlpga[i]),
				     "c"(vmcb->control.asid) : "memory");
	}
	svm->nr_invlpga = 0;
	vmcb->control.tlb_ctl = svm->tlb_ctl;
	svm->tlb_ctl = TLB_CONTROL_DO_NOTHING;
	vmcb->control.clean = 0;
	vmcb->save.rax = vcpu->regs[MV_RAX];
	vmcb->save.rsp = vcpu->regs[MV_RSP];
	vmcb->save.rip = vcpu->rip;
	vmcb->save.rflags = vcpu->rflags;
	vmcb->save.cr2 = vcpu->cr2;
	svm_load_guest_drs(vcpu, vmcb);
	tsc_aux = svm_load_tsc_aux(vcpu, sc);

	/*
	 * With V_INTR_MASKING the host's RFLAGS.IF at VMRUN decides whether
	 * physical interrupts stop the guest, so IF must be set; GIF=0 keeps
	 * them from reaching host code on either side of the switch.
	 */
	asm volatile("clgi" ::: "memory");
	raw_local_irq_enable();
	mv_svm_vmrun(svm->vmcb_pa, vcpu->regs, sc->host_state_pa);
	raw_local_irq_disable();
	asm volatile("stgi" ::: "memory");

	if (foreign) {
		svm_scrub_asid(sc, vmcb->control.asid);
		wrmsrl(MSR_VM_HSAVE_PA, old_hsave);
	} else {
		wrmsrl(MSR_EFER, efer);
	}
	if (tsc_aux)
		wrmsrl(MSR_TSC_AUX, sc->host_tsc_aux);
	svm_save_guest_drs(vcpu, vmcb);
	/* #VMEXIT left DR7 at its reset value. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();

	vcpu->regs[MV_RAX] = vmcb->save.rax;
	vcpu->regs[MV_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->rflags = vmcb->save.rflags;
	vcpu->cr2 = vmcb->save.cr2;
	vmcb->control.event_inj = 0;
	svm_save_interrupted_event(vcpu, vmcb->control.exit_int_info,
				   vmcb->control.exit_int_info_err);
	svm_virq_complete(vcpu);
	svm_decode_exit(vcpu, vmcb);
}

const struct mv_arch_ops mv_svm_ops = {
	.name = "svm",
	.vcpu_size = sizeof(struct svm_vcpu),
	.probe = svm_probe,
	.hw_get = svm_hw_get,
	.hw_put = svm_hw_put,
	.vcpu_init = svm_vcpu_init,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_reset = svm_vcpu_reset,
	.run = svm_run,
	.get_segment = svm_get_segment,
	.set_segment = svm_set_segment,
	.get_dtable = svm_get_dtable,
	.set_dtable = svm_set_dtable,
	.get_cpl = svm_get_cpl,
	.load_cr = svm_load_cr,
	.flush_tlb = svm_flush_tlb,
	.flush_gva = svm_flush_gva,
	.inject_event = svm_inject_event,
	.cancel_event = svm_cancel_event,
	.interrupt_shadow = svm_interrupt_shadow,
	.set_irq_window = svm_set_irq_window,
	.set_iret_intercept = svm_set_iret_intercept,
	.dr_passthrough = svm_dr_passthrough,
	.cpuid_changed = svm_cpuid_changed,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
};
