// SPDX-License-Identifier: GPL-2.0
/*
 * Exit handlers: what happens after the guest stopped, for every reason
 * the backend reports.  Each returns an enum mv_ret: MV_RET_GUEST to
 * re-enter the guest, MV_RET_USER to return to userspace (with struct
 * mv_run filled), MV_RET_UNHANDLED when the instruction that exited cannot
 * be decoded (mv_handle_exit() turns that into the internal error), or a
 * negative errno.
 *
 * Everything the guest hands us is checked the way the CPU would check it:
 * control-register and EFER writes against the architecture and the vCPU's
 * CPUID, MSRs against an allow-list (#GP for the rest), string I/O against
 * guest memory one page at a time.
 */
#include <linux/kernel.h>
#include <linux/sched/signal.h>
#include <asm/msr.h>

#include "minivisor.h"

u64 mv_cr4_allowed(struct mv_vcpu *vcpu)
{
	u64 ok = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		 X86_CR4_PCE | X86_CR4_OSXMMEXCPT;

	if (mv_guest_has_pse(vcpu))
		ok |= X86_CR4_PSE;
	if (mv_guest_has_pae(vcpu))
		ok |= X86_CR4_PAE;
	if (mv_guest_has_pge(vcpu))
		ok |= X86_CR4_PGE;
	if (mv_guest_has_fxsr(vcpu))
		ok |= X86_CR4_OSFXSR;
	if (mv_guest_has_smep(vcpu))
		ok |= X86_CR4_SMEP;
	if (mv_guest_has_smap(vcpu))
		ok |= X86_CR4_SMAP;
	if (mv_guest_has_fsgsbase(vcpu))
		ok |= X86_CR4_FSGSBASE;
	return ok;
}

/* PAE paging outside long mode latches PDPTEs. */
static bool mv_pae_paging(struct mv_vcpu *vcpu, u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & MV_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & MV_EFER_LMA);
}

int mv_set_cr0(struct mv_vcpu *vcpu, u64 val)
{
	u64 old = vcpu->cr0, efer = vcpu->efer;

	val |= MV_CR0_ET;
	if ((val >> 32) || ((val & MV_CR0_PG) && !(val & MV_CR0_PE)) ||
	    ((val & MV_CR0_NW) && !(val & MV_CR0_CD)))
		goto gp;
	if ((val & MV_CR0_PG) && !(old & MV_CR0_PG) && (efer & MV_EFER_LME)) {
		struct mv_segment cs;

		mv_arch->get_segment(vcpu, MV_CS, &cs);
		if (!(vcpu->cr4 & X86_CR4_PAE) || cs.l)
			goto gp;
		efer |= MV_EFER_LMA;
	}
	if (!(val & MV_CR0_PG) && (old & MV_CR0_PG) && mv_is_long_mode(vcpu)) {
		if (mv_long_mode_cs(vcpu))
			goto gp;
		efer &= ~MV_EFER_LMA;
	}
	if (mv_pae_paging(vcpu, val, vcpu->cr4, efer) && !(old & MV_CR0_PG) &&
	    mv_mmu_load_pdptrs(vcpu, vcpu->cr3))
		goto gp;
	vcpu->efer = efer;
	vcpu->cr0 = val;
	/* Only paging and WP change translations; TS, CD, ... do not. */
	if ((old ^ val) & (MV_CR0_PG | MV_CR0_WP))
		mv_mmu_reset(vcpu);
	else if (old != val)
		mv_arch->load_cr(vcpu);
	return 0;
gp:
	mv_queue_exception(vcpu, MV_VEC_GP, true, 0);
	return -EINVAL;
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
	mv_queue_exception(vcpu, MV_VEC_GP, true, 0);
	return -EINVAL;
}

int mv_set_cr3(struct mv_vcpu *vcpu, u64 val)
{
	if ((mv_is_long_mode(vcpu) && (val >> mv_guest_maxphyaddr(vcpu))) ||
	    (mv_pae_paging(vcpu, vcpu->cr0, vcpu->cr4, vcpu->efer) &&
	     mv_mmu_load_pdptrs(vcpu, val))) {
		mv_queue_exception(vcpu, MV_VEC_GP, true, 0);
		return -EINVAL;
	}
	vcpu->cr3 = val;
	mv_mmu_new_cr3(vcpu);
	return 0;
}

u64 mv_efer_allowed(struct mv_vcpu *vcpu)
{
	u64 ok = 0;

	if (mv_guest_has_syscall(vcpu))
		ok |= MV_EFER_SCE;
	if (mv_guest_has_lm(vcpu))
		ok |= MV_EFER_LME | MV_EFER_LMA;
	if (mv_guest_has_nx(vcpu))
		ok |= MV_EFER_NXE;
	return ok;
}

int mv_set_efer(struct mv_vcpu *vcpu, u64 val)
{
	u64 old = vcpu->efer;

	if (val & ~mv_efer_allowed(vcpu))
		return -EINVAL;
	/* LME cannot change while paging is on; LMA is read-only. */
	if (mv_is_paging(vcpu) && ((val ^ old) & MV_EFER_LME))
		return -EINVAL;
	val = (val & ~MV_EFER_LMA) | (old & MV_EFER_LMA);
	vcpu->efer = val;
	/* LME only changes with paging off, where it translates nothing. */
	if ((old ^ val) & MV_EFER_NXE)
		mv_mmu_reset(vcpu);
	else if (old != val)
		mv_arch->load_cr(vcpu);
	return 0;
}

static bool mv_canonical(u64 v)
{
	return (u64)(((s64)v << 16) >> 16) == v;
}

static bool mv_valid_pat(u64 v)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = (v >> (i * 8)) & 0xff;

		if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
			return false;
	}
	return true;
}

static int mv_msr_get(struct mv_vcpu *vcpu, u32 index, u64 *val)
{
	switch (index) {
	case MSR_EFER:
		*val = vcpu->efer;
		return 0;
	case MSR_IA32_CR_PAT:
		*val = vcpu->pat;
		return 0;
	/* STAR exists without long mode too: it is the default case. */
	case MSR_LSTAR: case MSR_CSTAR: case MSR_SYSCALL_MASK:
	case MSR_KERNEL_GS_BASE: case MSR_FS_BASE: case MSR_GS_BASE:
		if (!mv_guest_has_lm(vcpu))
			return -EINVAL;
		fallthrough;
	default:
		return mv_arch->get_msr(vcpu, index, val) ? -EINVAL : 0;
	}
}

static int mv_msr_set(struct mv_vcpu *vcpu, u32 index, u64 val)
{
	switch (index) {
	case MSR_EFER:
		return mv_set_efer(vcpu, val);
	case MSR_IA32_CR_PAT:
		if (!mv_valid_pat(val))
			return -EINVAL;
		vcpu->pat = val;
		return 0;
	case MSR_LSTAR: case MSR_CSTAR: case MSR_KERNEL_GS_BASE:
	case MSR_FS_BASE: case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP: case MSR_IA32_SYSENTER_EIP:
		if (!mv_canonical(val))
			return -EINVAL;
		if (index != MSR_IA32_SYSENTER_ESP &&
		    index != MSR_IA32_SYSENTER_EIP && !mv_guest_has_lm(vcpu))
			return -EINVAL;
		break;
	case MSR_SYSCALL_MASK:
		if (!mv_guest_has_lm(vcpu))
			return -EINVAL;
		break;
	}
	return mv_arch->set_msr(vcpu, index, val) ? -EINVAL : 0;
}

static int mv_handle_msr(struct mv_vcpu *vcpu, bool write)
{
	u32 index = vcpu->regs[MV_RCX];
	u64 val;

	vcpu->stats[MV_STAT_MSR]++;
	if (write) {
		val = (u32)vcpu->regs[MV_RAX] | (vcpu->regs[MV_RDX] << 32);
		if (mv_msr_set(vcpu, index, val))
			goto gp;
	} else {
		if (mv_msr_get(vcpu, index, &val))
			goto gp;
		vcpu->regs[MV_RAX] = (u32)val;
		vcpu->regs[MV_RDX] = val >> 32;
	}
	return mv_skip_insn(vcpu);
gp:
	mv_queue_exception(vcpu, MV_VEC_GP, true, 0);
	return MV_RET_GUEST;
}

static int mv_handle_cpuid(struct mv_vcpu *vcpu)
{
	u32 a, b, c, d;

	vcpu->stats[MV_STAT_CPUID]++;
	mv_cpuid_lookup(vcpu, vcpu->regs[MV_RAX], vcpu->regs[MV_RCX],
			&a, &b, &c, &d);
	vcpu->regs[MV_RAX] = a;
	vcpu->regs[MV_RBX] = b;
	vcpu->regs[MV_RCX] = c;
	vcpu->regs[MV_RDX] = d;
	return mv_skip_insn(vcpu);
}

/* HLT: sleep here while an interrupt could wake us, else tell userspace. */
static int mv_handle_hlt(struct mv_vcpu *vcpu)
{
	int ret;

	vcpu->stats[MV_STAT_HLT]++;
	ret = mv_skip_insn(vcpu);
	if (ret != MV_RET_GUEST)
		return ret;
	if (mv_vcpu_irq_pending(vcpu) && (vcpu->rflags & MV_RFLAGS_IF))
		return MV_RET_GUEST;
	if (vcpu->rflags & MV_RFLAGS_IF) {
		vcpu->halted = true;
		return MV_RET_GUEST;
	}
	vcpu->run->exit_reason = MV_EXIT_HLT;
	return MV_RET_USER;
}

static int mv_handle_pf(struct mv_vcpu *vcpu)
{
	u64 gpa;
	int ret;

	vcpu->stats[MV_STAT_PAGE_FAULT]++;
	ret = mv_mmu_page_fault(vcpu, vcpu->exit.pf.addr, vcpu->exit.pf.error,
				&gpa);
	switch (ret) {
	case MV_PF_RETRY:
	case MV_PF_GUEST:
		return MV_RET_GUEST;
	case MV_PF_MMIO:
		/* Not RAM: emulate the access for userspace. */
		return mv_emulate_mmio(vcpu, gpa);
	case MV_PF_EMULATE:
		return mv_emulate_store(vcpu, gpa);
	case MV_PF_USER:
		return MV_RET_USER;
	default:
		return ret;
	}
}

static void mv_string_step(struct mv_vcpu *vcpu, int reg, u32 count)
{
	struct mv_exit *x = &vcpu->exit;
	u64 mask = mv_size_mask(x->io.addr_size);
	s64 delta = (s64)count * x->io.size;
	u64 v = vcpu->regs[reg];

	if (vcpu->rflags & MV_RFLAGS_DF)
		delta = -delta;
	v = (v & ~mask) | ((v + delta) & mask);
	vcpu->regs[reg] = v;
	if (x->io.rep) {
		u64 c = vcpu->regs[MV_RCX];

		vcpu->regs[MV_RCX] = (c & ~mask) | ((c - count) & mask);
	}
}

/* Finish a string instruction, or leave RIP for the next iteration. */
static void mv_string_done(struct mv_vcpu *vcpu)
{
	struct mv_exit *x = &vcpu->exit;

	if (!x->io.rep || !(vcpu->regs[MV_RCX] & mv_size_mask(x->io.addr_size)))
		vcpu->rip = x->io.next_rip;
}

static int mv_handle_io(struct mv_vcpu *vcpu)
{
	struct mv_exit *x = &vcpu->exit;
	struct mv_run *run = vcpu->run;
	void *data = (void *)run + MV_RUN_IO_DATA_OFFSET;
	u32 count = 1, room, size = x->io.size;
	u64 lin, gpa, mask;
	int reg, seg, ret;

	vcpu->stats[MV_STAT_IO]++;
	run->exit_reason = MV_EXIT_IO;
	run->io.direction = x->io.in ? MV_IO_IN : MV_IO_OUT;
	run->io.size = size;
	run->io.port = x->io.port;
	run->io.data_offset = MV_RUN_IO_DATA_OFFSET;

	if (!x->io.string) {
		run->io.count = 1;
		if (x->io.in) {
			vcpu->pending = MV_PENDING_IO_IN;
		} else {
			u32 v = vcpu->regs[MV_RAX];

			memcpy(data, &v, size);
			vcpu->rip = x->io.next_rip;
		}
		return MV_RET_USER;
	}

	/*
	 * INS writes ES:rDI; OUTS reads DS:rSI (or the override).  The
	 * address size comes from decoding: not every SVM implementation
	 * reports it in EXITINFO1.
	 */
	if (mv_insn_fetch_decode(vcpu, &vcpu->insn))
		return MV_RET_UNHANDLED;
	x->io.addr_size = vcpu->insn.addrsize;
	mask = mv_size_mask(x->io.addr_size);
	reg = x->io.in ? MV_RDI : MV_RSI;
	seg = x->io.in ? MV_ES : vcpu->insn.seg;
	if (x->io.rep) {
		u64 c = vcpu->regs[MV_RCX] & mask;

		if (!c) {
			vcpu->rip = x->io.next_rip;
			return MV_RET_GUEST;
		}
		count = min_t(u64, c, (MV_RUN_SIZE - MV_RUN_IO_DATA_OFFSET) / size);
	}
	lin = mv_seg_base(vcpu, seg) + (vcpu->regs[reg] & mask);
	if (!mv_long_mode_cs(vcpu))
		lin = (u32)lin;
	/* Stay within one page of guest memory, in either direction. */
	if (vcpu->rflags & MV_RFLAGS_DF)
		room = ((lin & ~PAGE_MASK) + size) / size;
	else
		room = (PAGE_SIZE - (lin & ~PAGE_MASK)) / size;
	count = clamp_t(u32, min(count, room), 1, count);
	if (vcpu->rflags & MV_RFLAGS_DF)
		lin -= (count - 1) * size;
	ret = mv_mmu_gva_to_gpa(vcpu, lin, x->io.in ? MV_PF_WRITE : 0, &gpa);
	if (ret)	/* #PF queued for the guest, or an internal error */
		return mv_xlate_to_ret(ret);
	if ((gpa >> PAGE_SHIFT) >= vcpu->vm->mem.nr_pages)
		return mv_emulation_failed(vcpu, gpa);
	run->io.count = count;
	vcpu->mmio_gpa = gpa;
	if (x->io.in) {
		vcpu->pending = MV_PENDING_INS;
		return MV_RET_USER;
	}
	if (mv_mem_copy(vcpu->vm, gpa, data, count * size, false))
		return -EFAULT;
	if (vcpu->rflags & MV_RFLAGS_DF) {
		/* Userspace sees the elements in the order they go out. */
		u8 tmp[8];
		u32 i;

		for (i = 0; i < count / 2; i++) {
			memcpy(tmp, data + i * size, size);
			memcpy(data + i * size, data + (count - 1 - i) * size, size);
			memcpy(data + (count - 1 - i) * size, tmp, size);
		}
	}
	mv_string_step(vcpu, reg, count);
	mv_string_done(vcpu);
	return MV_RET_USER;
}

/* Complete what the last exit to userspace left open. */
int mv_complete_pending(struct mv_vcpu *vcpu)
{
	struct mv_run *run = vcpu->run;
	void *data = (void *)run + MV_RUN_IO_DATA_OFFSET;
	u32 count = run->io.count, size = vcpu->exit.io.size, v = 0;
	int ret = 0;

	switch (vcpu->pending) {
	case MV_PENDING_NONE:
		break;
	case MV_PENDING_IO_IN:
		memcpy(&v, data, size);
		mv_gpr_write(vcpu, MV_RAX, size, v);
		vcpu->rip = vcpu->exit.io.next_rip;
		break;
	case MV_PENDING_INS:
		if (vcpu->rflags & MV_RFLAGS_DF) {
			u32 i;

			/* Element i went to the i-th lower address. */
			for (i = 0; i < count && !ret; i++)
				ret = mv_mem_copy(vcpu->vm, vcpu->mmio_gpa +
						  (count - 1 - i) * size,
						  data + i * size, size, true);
		} else {
			ret = mv_mem_copy(vcpu->vm, vcpu->mmio_gpa, data,
					  count * size, true);
		}
		mv_string_step(vcpu, MV_RDI, count);
		mv_string_done(vcpu);
		break;
	case MV_PENDING_MMIO_READ:
		mv_emulate_mmio_complete(vcpu);
		break;
	default:
		break;
	}
	vcpu->pending = MV_PENDING_NONE;
	return ret;
}

static int mv_handle_host_intr(struct mv_vcpu *vcpu)
{
	vcpu->stats[MV_STAT_HOST_INTR]++;
	return MV_RET_GUEST;
}

static int mv_handle_rdmsr(struct mv_vcpu *vcpu)
{
	return mv_handle_msr(vcpu, false);
}

static int mv_handle_wrmsr(struct mv_vcpu *vcpu)
{
	return mv_handle_msr(vcpu, true);
}

static int mv_handle_hypercall(struct mv_vcpu *vcpu)
{
	vcpu->stats[MV_STAT_HYPERCALL]++;
	mv_hypercall(vcpu);
	return mv_skip_insn(vcpu);
}

static int mv_handle_exception(struct mv_vcpu *vcpu)
{
	struct mv_exit *x = &vcpu->exit;

	if (x->exc.vector == MV_VEC_UD && mv_insn_is_hypercall(vcpu)) {
		vcpu->stats[MV_STAT_HYPERCALL]++;
		mv_hypercall(vcpu);
		mv_skip_decoded(vcpu);
		return MV_RET_GUEST;
	}
	vcpu->stats[MV_STAT_EXCEPTION]++;
	mv_queue_exception(vcpu, x->exc.vector, x->exc.has_error, x->exc.error);
	return MV_RET_GUEST;
}

static int mv_handle_cr(struct mv_vcpu *vcpu)
{
	vcpu->stats[MV_STAT_CR]++;
	return mv_emulate_cr_dr(vcpu);
}

static int mv_handle_dr(struct mv_vcpu *vcpu)
{
	vcpu->stats[MV_STAT_OTHER]++;
	return mv_emulate_cr_dr(vcpu);
}

static int mv_handle_invlpg(struct mv_vcpu *vcpu)
{
	vcpu->stats[MV_STAT_INVLPG]++;
	return mv_emulate_invlpg(vcpu);
}

/* INVD, WBINVD: nothing to do for memory we keep coherent. */
static int mv_handle_nop(struct mv_vcpu *vcpu)
{
	vcpu->stats[MV_STAT_OTHER]++;
	return mv_skip_insn(vcpu);
}

static int mv_handle_irq_window(struct mv_vcpu *vcpu)
{
	vcpu->stats[MV_STAT_INTR_WINDOW]++;
	mv_arch->set_irq_window(vcpu, false);
	return MV_RET_GUEST;
}

static int mv_handle_ud(struct mv_vcpu *vcpu)
{
	vcpu->stats[MV_STAT_OTHER]++;
	mv_queue_exception(vcpu, MV_VEC_UD, false, 0);
	return MV_RET_GUEST;
}

static int mv_handle_shutdown(struct mv_vcpu *vcpu)
{
	bool triple = vcpu->exit.kind == MVX_SHUTDOWN;

	vcpu->stats[MV_STAT_SHUTDOWN]++;
	vcpu->run->exit_reason = MV_EXIT_SHUTDOWN;
	vcpu->run->shutdown.reason = triple ? MV_SHUTDOWN_TRIPLE_FAULT :
					      MV_SHUTDOWN_INVALID_STATE;
	mv_vm_crashed(vcpu->vm, triple ? "triple fault" : "invalid guest state");
	return MV_RET_USER;
}

static int (*const mv_exit_handlers[])(struct mv_vcpu *vcpu) = {
	[MVX_NONE] = mv_handle_host_intr,
	[MVX_IO] = mv_handle_io,
	[MVX_CPUID] = mv_handle_cpuid,
	[MVX_RDMSR] = mv_handle_rdmsr,
	[MVX_WRMSR] = mv_handle_wrmsr,
	[MVX_HLT] = mv_handle_hlt,
	[MVX_HYPERCALL] = mv_handle_hypercall,
	[MVX_PAGE_FAULT] = mv_handle_pf,
	[MVX_EXCEPTION] = mv_handle_exception,
	[MVX_CR_ACCESS] = mv_handle_cr,
	[MVX_DR_ACCESS] = mv_handle_dr,
	[MVX_INVLPG] = mv_handle_invlpg,
	[MVX_INVD] = mv_handle_nop,
	[MVX_WBINVD] = mv_handle_nop,
	[MVX_IRQ_WINDOW] = mv_handle_irq_window,
	[MVX_UD] = mv_handle_ud,
	[MVX_SHUTDOWN] = mv_handle_shutdown,
	[MVX_INVALID_STATE] = mv_handle_shutdown,
};

/* Handle the exit in vcpu->exit: an enum mv_ret but MV_RET_UNHANDLED. */
int mv_handle_exit(struct mv_vcpu *vcpu)
{
	struct mv_exit *x = &vcpu->exit;
	u64 d[3] = { x->code, x->info1, x->info2 };
	int ret;

	if (x->kind >= ARRAY_SIZE(mv_exit_handlers) ||
	    !mv_exit_handlers[x->kind]) {
		vcpu->stats[MV_STAT_OTHER]++;
		return mv_internal_error(vcpu, MV_INTERNAL_UNEXPECTED_EXIT, 3, d);
	}
	ret = mv_exit_handlers[x->kind](vcpu);
	if (ret != MV_RET_UNHANDLED)
		return ret;
	/* An instruction we cannot decode caused this exit. */
	d[2] = vcpu->rip;
	return mv_internal_error(vcpu, MV_INTERNAL_EMULATION, 3, d);
}
