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

#include "irqchip.h"
#include "trace.h"

static int mv_handle_msr(struct mv_vcpu *vcpu, bool write)
{
	u32 index = vcpu->regs[MV_RCX];
	u64 val = 0;

	if (write) {
		val = (u32)vcpu->regs[MV_RAX] | (vcpu->regs[MV_RDX] << 32);
		if (mv_set_msr(vcpu, index, val))
			goto gp;
	} else {
		if (mv_get_msr(vcpu, index, &val))
			goto gp;
		vcpu->regs[MV_RAX] = (u32)val;
		vcpu->regs[MV_RDX] = val >> 32;
	}
	trace_mv_msr(vcpu, write, index, val, false);
	return mv_skip_insn(vcpu);
gp:
	trace_mv_msr(vcpu, write, index, val, true);
	mv_queue_exception(vcpu, X86_TRAP_GP, true, 0);
	return MV_RET_GUEST;
}

static int mv_handle_cpuid(struct mv_vcpu *vcpu)
{
	u32 a, b, c, d;

	mv_cpuid_lookup(vcpu, vcpu->regs[MV_RAX], vcpu->regs[MV_RCX],
			&a, &b, &c, &d);
	/* CPUID.1:EDX.APIC says whether IA32_APIC_BASE enables it (as KVM). */
	if ((u32)vcpu->regs[MV_RAX] == 1 && vcpu->lapic &&
	    !(vcpu->lapic->base_msr & MSR_IA32_APICBASE_ENABLE))
		d &= ~BIT(9);
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
	int ret;

	ret = mv_skip_insn(vcpu);
	if (ret != MV_RET_GUEST)
		return ret;
	/* A single step's #DB (queued) ends the halt at once, as in KVM. */
	if (vcpu->exc.valid || mv_vcpu_has_wakeup(vcpu))
		return MV_RET_GUEST;
	/*
	 * Sleep here while something could wake the vCPU: an interrupt, or
	 * with an irqchip an NMI, INIT or SIPI (interrupts off: as hardware
	 * does).  Else nothing can: tell userspace.
	 */
	if ((vcpu->rflags & X86_EFLAGS_IF) || vcpu->lapic) {
		vcpu->mp_state = MV_MP_HALTED;
		return MV_RET_GUEST;
	}
	vcpu->run->exit_reason = MV_EXIT_HLT;
	return MV_RET_USER;
}

static int mv_handle_pf(struct mv_vcpu *vcpu)
{
	u64 gpa = 0;
	int ret;

	ret = mv_mmu_page_fault(vcpu, vcpu->exit.pf.addr, vcpu->exit.pf.error,
				&gpa);
	trace_mv_page_fault(vcpu, ret, gpa);
	switch (ret) {
	case MV_PF_RETRY:
	case MV_PF_GUEST:
		return MV_RET_GUEST;
	case MV_PF_MMIO:
		/*
		 * Not RAM: emulate the access for userspace; but an event's
		 * delivery (its frame on a stack in MMIO) is no instruction.
		 */
		if (vcpu->reinject.valid)
			return mv_internal_error(vcpu, MV_INTERNAL_DELIVERY, 1,
						 &vcpu->exit.pf.addr);
		return mv_emulate_mmio(vcpu, gpa);
	case MV_PF_EMULATE:
		return mv_emulate_store(vcpu, gpa);
	case MV_PF_INTERNAL:
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

	if (vcpu->rflags & X86_EFLAGS_DF)
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
		mv_complete_insn(vcpu, x->io.next_rip);
}

/*
 * Translate the guest memory a string instruction moves, at @lin: one
 * page, or for a single element that straddles two, both (vcpu->mmio_gpa
 * and, for the bytes past the first page, vcpu->mmio_gpa2).
 */
static int mv_string_pages(struct mv_vcpu *vcpu, u64 lin, u32 size, bool in)
{
	u32 access = in ? X86_PF_WRITE : 0, first;
	u64 gpa, gpa2 = 0;
	int ret;

	ret = mv_mmu_gva_to_gpa(vcpu, lin, access, &gpa);
	if (ret)	/* #PF queued (MV_RET_FAULTED), or an internal error */
		return mv_xlate_to_ret(ret);
	first = PAGE_SIZE - (lin & ~PAGE_MASK);
	if (first < size) {
		ret = mv_mmu_gva_to_gpa(vcpu, lin + first, access, &gpa2);
		if (ret)
			return mv_xlate_to_ret(ret);
		if ((gpa2 >> PAGE_SHIFT) >= vcpu->vm->mem.nr_pages)
			return mv_emulation_failed(vcpu, gpa2);
	} else {
		first = 0;
	}
	if ((gpa >> PAGE_SHIFT) >= vcpu->vm->mem.nr_pages)
		return mv_emulation_failed(vcpu, gpa);
	vcpu->mmio_gpa = gpa;
	vcpu->mmio_gpa2 = gpa2;
	vcpu->mmio_split = first;
	return MV_RET_GUEST;
}

/* Copy @len bytes between @data and the pages mv_string_pages() found. */
static int mv_string_copy(struct mv_vcpu *vcpu, void *data, u32 len,
			  bool write)
{
	u32 first = vcpu->mmio_split ? vcpu->mmio_split : len;
	int ret;

	ret = mv_mem_copy(vcpu->vm, vcpu->mmio_gpa, data, first, write);
	if (!ret && first < len)
		ret = mv_mem_copy(vcpu->vm, vcpu->mmio_gpa2, data + first,
				  len - first, write);
	return ret;
}

/*
 * The segment checks a string instruction's memory operand passes before
 * any element moves (outside 64-bit mode, which has none): in protected
 * mode a null (unusable) segment, a code segment for INS or an
 * execute-only one for OUTS; in every mode an offset of the @len bytes at
 * @off past the limit (expand-down segments the other way).
 */
static bool mv_string_seg_ok(struct mv_vcpu *vcpu, int seg, u64 off, u32 len,
			     bool write)
{
	bool pm = (vcpu->cr0 & X86_CR0_PE) && !(vcpu->rflags & X86_EFLAGS_VM);
	struct mv_segment s;
	u64 last = off + len - 1, top;
	bool ok = true;

	if (mv_long_mode_cs(vcpu))
		return true;
	mv_arch->get_segment(vcpu, seg, &s);
	if (pm && (s.unusable || !s.present || !s.s))
		ok = false;
	else if (pm && (s.type & 8))		/* code: never written, read if R */
		ok = !write && (s.type & 2);
	else if (pm && write && !(s.type & 2))	/* data, read-only */
		ok = false;
	if (ok && pm && !(s.type & 8) && (s.type & 4)) {
		/* expand-down: above the limit, up to 64 KiB or 4 GiB */
		top = s.db ? 0xffffffffULL : 0xffffULL;
		ok = off > s.limit && last <= top;
	} else if (ok) {
		ok = last <= s.limit && last >= off;
	}
	return ok;
}

/* IN/OUT (not string) to a device in the kernel: done here; true if so. */
static bool mv_handle_io_kernel(struct mv_vcpu *vcpu)
{
	struct mv_exit *x = &vcpu->exit;
	u32 v = 0;

	if (!vcpu->vm->nr_io_devs)
		return false;
	if (x->io.in) {
		if (mv_io_read(vcpu, false, x->io.port, x->io.size, &v))
			return false;
		mv_gpr_write(vcpu, MV_RAX, x->io.size, v);
	} else {
		v = vcpu->regs[MV_RAX];
		if (mv_io_write(vcpu, false, x->io.port, x->io.size, &v))
			return false;
	}
	mv_complete_insn(vcpu, x->io.next_rip);
	return true;
}

static int mv_handle_io(struct mv_vcpu *vcpu)
{
	struct mv_exit *x = &vcpu->exit;
	struct mv_run *run = vcpu->run;
	void *data = (void *)run + MV_RUN_IO_DATA_OFFSET;
	u32 count = 1, room, size = x->io.size;
	u64 lin, mask, off;
	int reg, seg, ret;

	if (!x->io.string && mv_handle_io_kernel(vcpu))
		return MV_RET_GUEST;
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
			mv_complete_insn(vcpu, x->io.next_rip);
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
			mv_complete_insn(vcpu, x->io.next_rip);
			return MV_RET_GUEST;
		}
		count = min_t(u64, c, (MV_RUN_SIZE - MV_RUN_IO_DATA_OFFSET) / size);
	}
	lin = mv_seg_base(vcpu, seg) + (vcpu->regs[reg] & mask);
	if (!mv_long_mode_cs(vcpu))
		lin = (u32)lin;
	off = vcpu->regs[reg] & mask;
	/*
	 * Stay within one page of guest memory, in either direction; an
	 * element across two pages goes alone (mv_string_pages()).
	 */
	if ((lin & ~PAGE_MASK) + size > PAGE_SIZE)
		room = 1;
	else if (vcpu->rflags & X86_EFLAGS_DF)
		room = ((lin & ~PAGE_MASK) + size) / size;
	else
		room = (PAGE_SIZE - (lin & ~PAGE_MASK)) / size;
	count = clamp_t(u32, min(count, room), 1, count);
	/*
	 * Elements past the limit: the first faults before anything moves
	 * (#GP, #SS for SS), later ones go one at a time up to it.
	 */
	if (!mv_string_seg_ok(vcpu, seg, (vcpu->rflags & X86_EFLAGS_DF ?
					  off - (count - 1) * size : off) & mask,
			      count * size, x->io.in)) {
		if (!mv_string_seg_ok(vcpu, seg, off, size, x->io.in)) {
			mv_queue_exception(vcpu, seg == MV_SS ? X86_TRAP_SS :
					   X86_TRAP_GP, true, 0);
			return MV_RET_GUEST;
		}
		count = 1;
	}
	if (vcpu->rflags & X86_EFLAGS_DF)
		lin -= (count - 1) * size;
	ret = mv_string_pages(vcpu, lin, size, x->io.in);
	if (ret == MV_RET_FAULTED)	/* no element moved, no port touched */
		return MV_RET_GUEST;
	if (ret != MV_RET_GUEST)
		return ret;
	run->io.count = count;
	vcpu->pending_count = count;
	if (x->io.in) {
		vcpu->pending = MV_PENDING_INS;
		return MV_RET_USER;
	}
	if (mv_string_copy(vcpu, data, count * size, false))
		return -EFAULT;
	if (vcpu->rflags & X86_EFLAGS_DF) {
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
	return MV_RET_USER;
}

/* Complete what the last exit to userspace left open. */
int mv_complete_pending(struct mv_vcpu *vcpu)
{
	struct mv_run *run = vcpu->run;
	void *data = (void *)run + MV_RUN_IO_DATA_OFFSET;
	/* Our own record of the exit: the VMM may have changed struct mv_run. */
	u32 count = vcpu->pending_count, size = vcpu->exit.io.size, v = 0;
	int ret = 0;

	switch (vcpu->pending) {
	case MV_PENDING_NONE:
		break;
	case MV_PENDING_IO_IN:
		memcpy(&v, data, size);
		mv_gpr_write(vcpu, MV_RAX, size, v);
		trace_mv_pio(vcpu, 1, data);
		mv_complete_insn(vcpu, vcpu->exit.io.next_rip);
		break;
	case MV_PENDING_INS:
		if (vcpu->rflags & X86_EFLAGS_DF && count > 1) {
			u32 i;

			/* Element i went to the i-th lower address. */
			for (i = 0; i < count && !ret; i++)
				ret = mv_mem_copy(vcpu->vm, vcpu->mmio_gpa +
						  (count - 1 - i) * size,
						  data + i * size, size, true);
		} else {
			ret = mv_string_copy(vcpu, data, count * size, true);
		}
		trace_mv_pio(vcpu, count, data);
		mv_string_step(vcpu, MV_RDI, count);
		mv_string_done(vcpu);
		break;
	case MV_PENDING_MMIO_READ:
		mv_emulate_mmio_complete(vcpu);
		break;
	case MV_PENDING_MMIO_ALU:
		ret = mv_emulate_mmio_alu_done(vcpu);
		break;
	default:
		break;
	}
	vcpu->pending = MV_PENDING_NONE;
	return ret;
}

static int mv_handle_nothing(struct mv_vcpu *vcpu)
{
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

/*
 * A debug-register move: the guest runs it (and the ones after it) itself
 * until the next exit where the backend can do that, else it is emulated.
 * A debugger in the guest moves DR6/DR7 on every #DB and context switch.
 */
static int mv_handle_dr(struct mv_vcpu *vcpu)
{
	if (mv_arch->dr_passthrough && mv_arch->dr_passthrough(vcpu))
		return MV_RET_GUEST;
	return mv_emulate_cr_dr(vcpu);
}

/* RDTSCP: the guest's TSC in EDX:EAX, IA32_TSC_AUX in ECX; #UD if not offered. */
static int mv_handle_rdtscp(struct mv_vcpu *vcpu)
{
	u64 tsc;

	if (!mv_guest_has_rdtscp(vcpu) || mv_arch->get_msr(vcpu, MSR_IA32_TSC, &tsc)) {
		mv_queue_exception(vcpu, X86_TRAP_UD, false, 0);
		return MV_RET_GUEST;
	}
	vcpu->regs[MV_RAX] = (u32)tsc;
	vcpu->regs[MV_RDX] = tsc >> 32;
	vcpu->regs[MV_RCX] = (u32)vcpu->tsc_aux;
	return mv_skip_insn(vcpu);
}

static int mv_handle_hypercall(struct mv_vcpu *vcpu)
{
	mv_hypercall(vcpu);
	return mv_skip_insn(vcpu);
}

static int mv_handle_exception(struct mv_vcpu *vcpu)
{
	struct mv_exit *x = &vcpu->exit;

	if (x->exc.vector == X86_TRAP_UD && mv_insn_is_hypercall(vcpu)) {
		vcpu->stats[MV_STAT_HYPERCALL]++;
		mv_hypercall(vcpu);
		mv_skip_decoded(vcpu);
		return MV_RET_GUEST;
	}
	/* The single step that opens an NMI window is not the guest's. */
	if (x->exc.vector == X86_TRAP_DB && mv_nmi_singlestep_done(vcpu))
		return MV_RET_GUEST;
	vcpu->stats[MV_STAT_EXCEPTION]++;
	if (x->exc.vector == X86_TRAP_DB) {
		mv_queue_db(vcpu, x->exc.db_payload);
		return MV_RET_GUEST;
	}
	mv_queue_exception(vcpu, x->exc.vector, x->exc.has_error, x->exc.error);
	return MV_RET_GUEST;
}

static int mv_handle_irq_window(struct mv_vcpu *vcpu)
{
	mv_arch->set_irq_window(vcpu, false);
	return MV_RET_GUEST;
}

/* IRET with NMIs blocked: it unblocks them once it has run. */
static int mv_handle_iret(struct mv_vcpu *vcpu)
{
	mv_nmi_iret(vcpu);
	return MV_RET_GUEST;
}

static int mv_handle_ud(struct mv_vcpu *vcpu)
{
	mv_queue_exception(vcpu, X86_TRAP_UD, false, 0);
	return MV_RET_GUEST;
}

static int mv_handle_shutdown(struct mv_vcpu *vcpu)
{
	bool triple = vcpu->exit.kind == MVX_SHUTDOWN;

	vcpu->run->exit_reason = MV_EXIT_SHUTDOWN;
	vcpu->run->shutdown.reason = triple ? MV_SHUTDOWN_TRIPLE_FAULT :
					      MV_SHUTDOWN_INVALID_STATE;
	mv_vm_crashed(vcpu->vm, triple ? "triple fault" : "invalid guest state");
	return MV_RET_USER;
}

/* No counter: the handler counts (it knows better). */
#define MV_STAT_SELF	-1

/* Each exit kind: its handler and the exit counter it bumps. */
static const struct {
	int (*fn)(struct mv_vcpu *vcpu);
	int stat;
} mv_exit_handlers[] = {
	[MVX_NONE] = { mv_handle_nothing, MV_STAT_HOST_INTR },
	[MVX_IO] = { mv_handle_io, MV_STAT_IO },
	[MVX_CPUID] = { mv_handle_cpuid, MV_STAT_CPUID },
	[MVX_RDMSR] = { mv_handle_rdmsr, MV_STAT_MSR },
	[MVX_WRMSR] = { mv_handle_wrmsr, MV_STAT_MSR },
	[MVX_HLT] = { mv_handle_hlt, MV_STAT_HLT },
	[MVX_HYPERCALL] = { mv_handle_hypercall, MV_STAT_HYPERCALL },
	[MVX_PAGE_FAULT] = { mv_handle_pf, MV_STAT_PAGE_FAULT },
	[MVX_EXCEPTION] = { mv_handle_exception, MV_STAT_SELF },
	[MVX_CR_ACCESS] = { mv_emulate_cr_dr, MV_STAT_CR },
	[MVX_DR_ACCESS] = { mv_handle_dr, MV_STAT_OTHER },
	[MVX_RDTSCP] = { mv_handle_rdtscp, MV_STAT_OTHER },
	[MVX_INVLPG] = { mv_emulate_invlpg, MV_STAT_INVLPG },
	/* INVD, WBINVD: nothing to do for memory we keep coherent. */
	[MVX_INVD] = { mv_skip_insn, MV_STAT_OTHER },
	[MVX_WBINVD] = { mv_skip_insn, MV_STAT_OTHER },
	[MVX_IRQ_WINDOW] = { mv_handle_irq_window, MV_STAT_INTR_WINDOW },
	[MVX_UD] = { mv_handle_ud, MV_STAT_OTHER },
	[MVX_IRET] = { mv_handle_iret, MV_STAT_OTHER },
	[MVX_SHUTDOWN] = { mv_handle_shutdown, MV_STAT_SHUTDOWN },
	[MVX_INVALID_STATE] = { mv_handle_shutdown, MV_STAT_SHUTDOWN },
};

/* Handle the exit in vcpu->exit: an enum mv_ret but MV_RET_UNHANDLED. */
int mv_handle_exit(struct mv_vcpu *vcpu)
{
	struct mv_exit *x = &vcpu->exit;
	u64 d[3] = { x->code, x->info1, x->info2 };
	int ret;

	if (x->kind >= ARRAY_SIZE(mv_exit_handlers) ||
	    !mv_exit_handlers[x->kind].fn) {
		vcpu->stats[MV_STAT_OTHER]++;
		return mv_internal_error(vcpu, MV_INTERNAL_UNEXPECTED_EXIT, 3, d);
	}
	if (mv_exit_handlers[x->kind].stat != MV_STAT_SELF)
		vcpu->stats[mv_exit_handlers[x->kind].stat]++;
	ret = mv_exit_handlers[x->kind].fn(vcpu);
	if (ret != MV_RET_UNHANDLED)
		return ret;
	/* An instruction we cannot decode caused this exit. */
	d[2] = vcpu->rip;
	return mv_internal_error(vcpu, MV_INTERNAL_EMULATION, 3, d);
}
