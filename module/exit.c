// SPDX-License-Identifier: GPL-2.0
/*
 * Exit handlers: what happens after the guest stopped, for every reason
 * the backend reports.  Each returns 0 to re-enter the guest, 1 to return
 * to userspace (with struct mv_run filled), or a negative errno.
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
#include "trace.h"

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
	if ((old ^ val) & (MV_CR0_PG | MV_CR0_WP | MV_CR0_PE | MV_CR0_CD |
			   MV_CR0_NW | MV_CR0_TS | MV_CR0_MP | MV_CR0_EM |
			   MV_CR0_NE | MV_CR0_AM))
		mv_mmu_reset(vcpu);
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
	if ((old ^ val) & (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE |
			   X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_VME |
			   X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
			   X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |
			   X86_CR4_FSGSBASE))
		mv_mmu_reset(vcpu);
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
	if ((old ^ val) & (MV_EFER_NXE | MV_EFER_LME | MV_EFER_SCE))
		mv_mmu_reset(vcpu);
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
	trace_mv_msr(vcpu, write, index, val, false);
	return mv_skip_insn(vcpu);
gp:
	trace_mv_msr(vcpu, write, index, val, true);
	mv_queue_exception(vcpu, MV_VEC_GP, true, 0);
	return 0;
}

static int mv_handle_cpuid(struct mv_vcpu *vcpu)
{
	u32 a, b, c, d;

	vcpu->stats[MV_STAT_CPUID]++;
	mv_cpuid_lookup(vcpu, vcpu->regs[MV_RAX], vcpu->regs[MV_RCX],
			&a, &b, &c, &d);
	trace_mv_cpuid(vcpu, a, b, c, d);
	vcpu->regs[MV_RAX] = a;
	vcpu->regs[MV_RBX] = b;
	vcpu->regs[MV_RCX] = c;
	vcpu->regs[MV_RDX] = d;
	return mv_skip_insn(vcpu);
}

/* HLT: sleep here while an interrupt could wake us, else tell userspace. */
static int mv_handle_hlt(struct mv_vcpu *vcpu)
{
	vcpu->stats[MV_STAT_HLT]++;
	if (mv_skip_insn(vcpu))
		return -EOPNOTSUPP;
	if (mv_vcpu_irq_pending(vcpu) && (vcpu->rflags & MV_RFLAGS_IF))
		return 0;
	if (vcpu->rflags & MV_RFLAGS_IF) {
		vcpu->halted = true;
		return 0;
	}
	vcpu->run->exit_reason = MV_EXIT_HLT;
	return 1;
}

static int mv_handle_pf(struct mv_vcpu *vcpu)
{
	u64 gpa;
	int ret;

	vcpu->stats[MV_STAT_PAGE_FAULT]++;
	ret = mv_mmu_page_fault(vcpu, vcpu->exit.pf.addr, vcpu->exit.pf.error,
				&gpa);
	trace_mv_page_fault(vcpu, ret, gpa);
	if (ret <= 0)
		return ret;
	if (ret == 2)
		return 1;
	/* Not RAM: emulate the access for userspace. */
	return mv_emulate_mmio(vcpu, gpa);
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
			trace_mv_pio(vcpu, 1, data);
			vcpu->rip = x->io.next_rip;
		}
		return 1;
	}

	/*
	 * INS writes ES:rDI; OUTS reads DS:rSI (or the override).  The
	 * address size comes from decoding: not every SVM implementation
	 * reports it in EXITINFO1.
	 */
	if (mv_insn_fetch_decode(vcpu, &vcpu->insn))
		return -EOPNOTSUPP;
	x->io.addr_size = vcpu->insn.addrsize;
	mask = mv_size_mask(x->io.addr_size);
	reg = x->io.in ? MV_RDI : MV_RSI;
	seg = x->io.in ? MV_ES : vcpu->insn.seg;
	if (x->io.rep) {
		u64 c = vcpu->regs[MV_RCX] & mask;

		if (!c) {
			vcpu->rip = x->io.next_rip;
			return 0;
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
		return ret == -ERANGE;
	if ((gpa >> PAGE_SHIFT) >= vcpu->vm->mem.nr_pages) {
		mv_emulation_failed(vcpu, gpa);
		return 1;
	}
	run->io.count = count;
	vcpu->mmio_gpa = gpa;
	if (x->io.in) {
		vcpu->pending = MV_PENDING_INS;
		return 1;
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
	trace_mv_pio(vcpu, count, data);
	mv_string_step(vcpu, reg, count);
	mv_string_done(vcpu);
	return 1;
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
		trace_mv_pio(vcpu, 1, data);
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
		trace_mv_pio(vcpu, count, data);
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

/* 0: keep running; 1: back to userspace; < 0: error. */
int mv_handle_exit(struct mv_vcpu *vcpu)
{
	struct mv_exit *x = &vcpu->exit;
	u64 d[3];
	int ret;

	switch (x->kind) {
	case MVX_NONE:
		vcpu->stats[MV_STAT_HOST_INTR]++;
		return 0;
	/* Those that decode an instruction end below: it may fail. */
	case MVX_IO:
		ret = mv_handle_io(vcpu);
		break;
	case MVX_CPUID:
		ret = mv_handle_cpuid(vcpu);
		break;
	case MVX_RDMSR:
	case MVX_WRMSR:
		ret = mv_handle_msr(vcpu, x->kind == MVX_WRMSR);
		break;
	case MVX_HLT:
		ret = mv_handle_hlt(vcpu);
		break;
	case MVX_HYPERCALL:
		vcpu->stats[MV_STAT_HYPERCALL]++;
		mv_hypercall(vcpu);
		ret = mv_skip_insn(vcpu);
		break;
	case MVX_PAGE_FAULT:
		return mv_handle_pf(vcpu);
	case MVX_EXCEPTION:
		vcpu->stats[MV_STAT_EXCEPTION]++;
		mv_queue_exception(vcpu, x->exc.vector, x->exc.has_error,
				   x->exc.error);
		return 0;
	case MVX_CR_ACCESS:
	case MVX_DR_ACCESS:
		vcpu->stats[x->kind == MVX_CR_ACCESS ? MV_STAT_CR : MV_STAT_OTHER]++;
		ret = mv_emulate_cr_dr(vcpu);
		break;
	case MVX_INVLPG:
		vcpu->stats[MV_STAT_INVLPG]++;
		ret = mv_emulate_invlpg(vcpu);
		break;
	case MVX_INVD:
	case MVX_WBINVD:
		vcpu->stats[MV_STAT_OTHER]++;
		ret = mv_skip_insn(vcpu);
		break;
	case MVX_IRQ_WINDOW:
		vcpu->stats[MV_STAT_INTR_WINDOW]++;
		mv_arch->set_irq_window(vcpu, false);
		return 0;
	case MVX_UD:
		vcpu->stats[MV_STAT_OTHER]++;
		mv_queue_exception(vcpu, MV_VEC_UD, false, 0);
		return 0;
	case MVX_SHUTDOWN:
	case MVX_INVALID_STATE:
		vcpu->stats[MV_STAT_SHUTDOWN]++;
		vcpu->run->exit_reason = MV_EXIT_SHUTDOWN;
		vcpu->run->shutdown.reason = x->kind == MVX_SHUTDOWN ?
			MV_SHUTDOWN_TRIPLE_FAULT : MV_SHUTDOWN_INVALID_STATE;
		mv_vm_crashed(vcpu->vm, x->kind == MVX_SHUTDOWN ? "triple fault" :
			      "invalid guest state");
		return 1;
	default:
		vcpu->stats[MV_STAT_OTHER]++;
		d[0] = x->code;
		d[1] = x->info1;
		d[2] = x->info2;
		mv_internal_error(vcpu, MV_INTERNAL_UNEXPECTED_EXIT, 3, d);
		return 1;
	}
	if (ret == -EOPNOTSUPP) {
		/* An instruction we cannot decode caused this exit. */
		d[0] = x->code;
		d[1] = x->info1;
		d[2] = vcpu->rip;
		mv_internal_error(vcpu, MV_INTERNAL_EMULATION, 3, d);
		return 1;
	}
	return ret;
}
