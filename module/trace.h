/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events: what a guest does and what minivisor does about it, as
 * KVM's trace events show it for KVM.  They appear under events/minivisor/ in
 * tracefs and as minivisor:* to perf.  Every event names the VM (its ID, as
 * in mvctl and MV_GET_VM_STATS) and, where one vCPU is at work, the vCPU.
 *
 * A disabled event costs a patched-out branch at its call site: arguments
 * are plain values or pointers, and everything else is read in
 * TP_fast_assign, which only runs when the event is on.  This header is
 * read twice by trace.c (CREATE_TRACE_POINTS), and define_trace.h finds it
 * again as "./trace.h" through the -I$(src)/module of Kbuild.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM minivisor

#if !defined(_MV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MV_TRACE_H

#include <linux/tracepoint.h>

#include "minivisor.h"

/* Only trace.c, which includes mmu.h, looks inside (TP_fast_assign). */
struct mv_sp;

/* How a shadow page fault ended: an enum mv_pf_ret, or this (-errno). */
#define MV_TRACE_PF_ERROR	0xff

/* Symbolic names in the format files too, for perf and trace-cmd. */
TRACE_DEFINE_ENUM(MV_PF_RETRY);
TRACE_DEFINE_ENUM(MV_PF_GUEST);
TRACE_DEFINE_ENUM(MV_PF_MMIO);
TRACE_DEFINE_ENUM(MV_PF_EMULATE);
TRACE_DEFINE_ENUM(MV_PF_INTERNAL);
TRACE_DEFINE_ENUM(MVX_NONE);
TRACE_DEFINE_ENUM(MVX_IO);
TRACE_DEFINE_ENUM(MVX_CPUID);
TRACE_DEFINE_ENUM(MVX_RDMSR);
TRACE_DEFINE_ENUM(MVX_WRMSR);
TRACE_DEFINE_ENUM(MVX_HLT);
TRACE_DEFINE_ENUM(MVX_HYPERCALL);
TRACE_DEFINE_ENUM(MVX_PAGE_FAULT);
TRACE_DEFINE_ENUM(MVX_EXCEPTION);
TRACE_DEFINE_ENUM(MVX_CR_ACCESS);
TRACE_DEFINE_ENUM(MVX_DR_ACCESS);
TRACE_DEFINE_ENUM(MVX_INVLPG);
TRACE_DEFINE_ENUM(MVX_INVD);
TRACE_DEFINE_ENUM(MVX_WBINVD);
TRACE_DEFINE_ENUM(MVX_IRQ_WINDOW);
TRACE_DEFINE_ENUM(MVX_SHUTDOWN);
TRACE_DEFINE_ENUM(MVX_INVALID_STATE);
TRACE_DEFINE_ENUM(MVX_UD);
TRACE_DEFINE_ENUM(MVX_IRET);
TRACE_DEFINE_ENUM(MVX_RDTSCP);
TRACE_DEFINE_ENUM(MVX_UNKNOWN);

TRACE_DEFINE_ENUM(MV_EXIT_NONE);
TRACE_DEFINE_ENUM(MV_EXIT_IO);
TRACE_DEFINE_ENUM(MV_EXIT_MMIO);
TRACE_DEFINE_ENUM(MV_EXIT_HLT);
TRACE_DEFINE_ENUM(MV_EXIT_SHUTDOWN);
TRACE_DEFINE_ENUM(MV_EXIT_INTERNAL_ERROR);
TRACE_DEFINE_ENUM(MV_EXIT_INTR);

TRACE_DEFINE_ENUM(MV_EV_INTR);
TRACE_DEFINE_ENUM(MV_EV_NMI);
TRACE_DEFINE_ENUM(MV_EV_EXCEPTION);
TRACE_DEFINE_ENUM(MV_EV_SOFT_INT);

TRACE_DEFINE_ENUM(MV_GMODE_NONPAGING);
TRACE_DEFINE_ENUM(MV_GMODE_32BIT);
TRACE_DEFINE_ENUM(MV_GMODE_PAE);
TRACE_DEFINE_ENUM(MV_GMODE_LONG);

/* vcpu.c: the run loop */

TRACE_EVENT(mv_entry,
	    TP_PROTO(struct mv_vcpu *vcpu),
	    TP_ARGS(vcpu),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u64, rip)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->rip = vcpu->rip;
	),

	TP_printk("vm %u vcpu %u rip 0x%llx",
		  __entry->vm, __entry->vcpu, __entry->rip)
);

/* A vCPU got a (new) shadow root: after a mode change, a CR3 load ... */
TRACE_EVENT(mv_mmu_load,
	    TP_PROTO(struct mv_vcpu *vcpu),
	    TP_ARGS(vcpu),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u64, root)
			 __field(u8, level)
			 __field(u64, cr3)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->root = vcpu->mmu.root_pa;
		       __entry->level = vcpu->mmu.root_level;
		       __entry->cr3 = vcpu->cr3;
	),

	TP_printk("vm %u vcpu %u root 0x%llx level %u cr3 0x%llx",
		  __entry->vm, __entry->vcpu, __entry->root, __entry->level,
		  __entry->cr3)
);

/* A local APIC sends an IPI (ICR written). */
TRACE_EVENT(mv_ipi,
	    TP_PROTO(struct mv_vcpu *vcpu, u32 icr, u32 dest),
	    TP_ARGS(vcpu, icr, dest),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u32, icr)
			 __field(u32, dest)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->icr = icr;
		       __entry->dest = dest;
	),

	TP_printk("vm %u vcpu %u icr 0x%x (vector %u mode %u) dest 0x%x",
		  __entry->vm, __entry->vcpu, __entry->icr,
		  __entry->icr & 0xff, (__entry->icr >> 8) & 7, __entry->dest)
);

TRACE_EVENT(mv_exit,
	    TP_PROTO(struct mv_vcpu *vcpu),
	    TP_ARGS(vcpu),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u32, reason)
			 __field(u64, rip)
			 __field(u64, rflags)
			 __field(u64, code)
			 __field(u64, info1)
			 __field(u64, info2)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->reason = vcpu->exit.kind;
		       __entry->rip = vcpu->rip;
		       __entry->rflags = vcpu->rflags;
		       __entry->code = vcpu->exit.code;
		       __entry->info1 = vcpu->exit.info1;
		       __entry->info2 = vcpu->exit.info2;
	),

	TP_printk("vm %u vcpu %u reason %s rip 0x%llx rflags 0x%llx code 0x%llx info1 0x%llx info2 0x%llx",
		  __entry->vm, __entry->vcpu,
		  __print_symbolic(__entry->reason,
				   { MVX_NONE, "host_intr" },
				   { MVX_IO, "io" },
				   { MVX_CPUID, "cpuid" },
				   { MVX_RDMSR, "rdmsr" },
				   { MVX_WRMSR, "wrmsr" },
				   { MVX_HLT, "hlt" },
				   { MVX_HYPERCALL, "hypercall" },
				   { MVX_PAGE_FAULT, "page_fault" },
				   { MVX_EXCEPTION, "exception" },
				   { MVX_CR_ACCESS, "cr_access" },
				   { MVX_DR_ACCESS, "dr_access" },
				   { MVX_INVLPG, "invlpg" },
				   { MVX_INVD, "invd" },
				   { MVX_WBINVD, "wbinvd" },
				   { MVX_IRQ_WINDOW, "irq_window" },
				   { MVX_SHUTDOWN, "shutdown" },
				   { MVX_INVALID_STATE, "invalid_state" },
				   { MVX_UD, "ud" },
				   { MVX_IRET, "iret" },
				   { MVX_RDTSCP, "rdtscp" },
				   { MVX_UNKNOWN, "unknown" }),
		  __entry->rip, __entry->rflags, __entry->code, __entry->info1,
		  __entry->info2)
);

TRACE_EVENT(mv_userspace_exit,
	    TP_PROTO(struct mv_vcpu *vcpu, int ret),
	    TP_ARGS(vcpu, ret),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u32, reason)
			 __field(int, ret)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->reason = vcpu->run->exit_reason;
		       /* What MV_RUN returns: 0, or -errno. */
		       __entry->ret = ret < 0 ? ret : 0;
	),

	TP_printk("vm %u vcpu %u reason %s ret %d",
		  __entry->vm, __entry->vcpu,
		  __print_symbolic(__entry->reason,
				   { MV_EXIT_NONE, "none" },
				   { MV_EXIT_IO, "io" },
				   { MV_EXIT_MMIO, "mmio" },
				   { MV_EXIT_HLT, "hlt" },
				   { MV_EXIT_SHUTDOWN, "shutdown" },
				   { MV_EXIT_INTERNAL_ERROR, "internal_error" },
				   { MV_EXIT_INTR, "intr" }),
		  __entry->ret)
);

TRACE_EVENT(mv_inject,
	    TP_PROTO(struct mv_vcpu *vcpu, const struct mv_event *ev, bool reinject),
	    TP_ARGS(vcpu, ev, reinject),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u8, type)
			 __field(u8, vector)
			 __field(bool, has_error)
			 __field(bool, reinject)
			 __field(u32, error)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->type = ev->type;
		       __entry->vector = ev->vector;
		       __entry->has_error = ev->has_error;
		       __entry->reinject = reinject;
		       __entry->error = ev->has_error ? ev->error : 0;
	),

	TP_printk("vm %u vcpu %u %s vector %u has_error %u error 0x%x%s",
		  __entry->vm, __entry->vcpu,
		  __print_symbolic(__entry->type,
				   { MV_EV_INTR, "intr" },
				   { MV_EV_NMI, "nmi" },
				   { MV_EV_EXCEPTION, "exception" },
				   { MV_EV_SOFT_INT, "soft_int" }),
		  __entry->vector, __entry->has_error, __entry->error,
		  __entry->reinject ? " reinjected" : "")
);

/* exit.c, emulate.c, hypercall.c: exits handled in the kernel */

TRACE_EVENT(mv_pio,
	    TP_PROTO(struct mv_vcpu *vcpu, u32 count, const void *data),
	    TP_ARGS(vcpu, count, data),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u16, port)
			 __field(u8, size)
			 __field(bool, in)
			 __field(u32, count)
			 __field(u32, val)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->port = vcpu->exit.io.port;
		       __entry->size = vcpu->exit.io.size;
		       __entry->in = vcpu->exit.io.in;
		       __entry->count = count;
		       __entry->val = 0;
		       memcpy(&__entry->val, data, min_t(u8, vcpu->exit.io.size, 4));
	),

	TP_printk("vm %u vcpu %u %s port 0x%x size %u count %u val 0x%x",
		  __entry->vm, __entry->vcpu, __entry->in ? "in" : "out",
		  __entry->port, __entry->size, __entry->count, __entry->val)
);

TRACE_EVENT(mv_mmio,
	    TP_PROTO(struct mv_vcpu *vcpu, bool write, u64 gpa, u32 len, u64 val),
	    TP_ARGS(vcpu, write, gpa, len, val),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(bool, write)
			 __field(u32, len)
			 __field(u64, gpa)
			 __field(u64, val)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->write = write;
		       __entry->len = len;
		       __entry->gpa = gpa;
		       __entry->val = len < 8 ? val & (BIT_ULL(len * 8) - 1) : val;
	),

	TP_printk("vm %u vcpu %u %s gpa 0x%llx len %u val 0x%llx",
		  __entry->vm, __entry->vcpu, __entry->write ? "write" : "read",
		  __entry->gpa, __entry->len, __entry->val)
);

TRACE_EVENT(mv_cr,
	    TP_PROTO(struct mv_vcpu *vcpu, unsigned int cr, bool write, u64 val),
	    TP_ARGS(vcpu, cr, write, val),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u8, cr)
			 __field(bool, write)
			 __field(u64, val)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->cr = cr;
		       __entry->write = write;
		       __entry->val = val;
	),

	TP_printk("vm %u vcpu %u cr%u %s 0x%llx",
		  __entry->vm, __entry->vcpu, __entry->cr,
		  __entry->write ? "write" : "read", __entry->val)
);

TRACE_EVENT(mv_msr,
	    TP_PROTO(struct mv_vcpu *vcpu, bool write, u32 index, u64 val,
		     bool fault),
	    TP_ARGS(vcpu, write, index, val, fault),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u32, index)
			 __field(bool, write)
			 __field(bool, fault)
			 __field(u64, val)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->index = index;
		       __entry->write = write;
		       __entry->fault = fault;
		       /* A refused read has no value. */
		       __entry->val = write || !fault ? val : 0;
	),

	TP_printk("vm %u vcpu %u %s 0x%x val 0x%llx%s",
		  __entry->vm, __entry->vcpu,
		  __entry->write ? "wrmsr" : "rdmsr", __entry->index,
		  __entry->val, __entry->fault ? " #GP" : "")
);

TRACE_EVENT(mv_cpuid,
	    TP_PROTO(struct mv_vcpu *vcpu, u32 eax, u32 ebx, u32 ecx, u32 edx),
	    TP_ARGS(vcpu, eax, ebx, ecx, edx),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u32, function)
			 __field(u32, index)
			 __field(u32, eax)
			 __field(u32, ebx)
			 __field(u32, ecx)
			 __field(u32, edx)
	),

	/* Called before the outputs overwrite the inputs. */
	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->function = vcpu->regs[MV_RAX];
		       __entry->index = vcpu->regs[MV_RCX];
		       __entry->eax = eax;
		       __entry->ebx = ebx;
		       __entry->ecx = ecx;
		       __entry->edx = edx;
	),

	TP_printk("vm %u vcpu %u func 0x%x index 0x%x eax 0x%x ebx 0x%x ecx 0x%x edx 0x%x",
		  __entry->vm, __entry->vcpu, __entry->function, __entry->index,
		  __entry->eax, __entry->ebx, __entry->ecx, __entry->edx)
);

TRACE_EVENT(mv_hypercall,
	    TP_PROTO(struct mv_vcpu *vcpu, u64 nr, s64 ret),
	    TP_ARGS(vcpu, nr, ret),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u64, nr)
			 __field(u64, a0)
			 __field(u64, a1)
			 __field(u64, a2)
			 __field(u64, a3)
			 __field(s64, ret)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->nr = nr;
		       __entry->a0 = vcpu->regs[MV_RBX];
		       __entry->a1 = vcpu->regs[MV_RCX];
		       __entry->a2 = vcpu->regs[MV_RDX];
		       __entry->a3 = vcpu->regs[MV_RSI];
		       __entry->ret = ret;
	),

	TP_printk("vm %u vcpu %u nr 0x%llx a0 0x%llx a1 0x%llx a2 0x%llx a3 0x%llx ret %lld",
		  __entry->vm, __entry->vcpu, __entry->nr, __entry->a0,
		  __entry->a1, __entry->a2, __entry->a3, __entry->ret)
);

/* exit.c, fault.c, mmu.c: the shadow MMU */

TRACE_EVENT(mv_page_fault,
	    TP_PROTO(struct mv_vcpu *vcpu, int ret, u64 gpa),
	    TP_ARGS(vcpu, ret, gpa),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u64, gva)
			 __field(u32, error)
			 __field(u8, outcome)
			 __field(int, ret)
			 __field(u64, gpa)
	),

	/* After mv_mmu_page_fault(): @gpa only means something past the walk. */
	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->gva = vcpu->exit.pf.addr;
		       __entry->error = vcpu->exit.pf.error;
		       __entry->ret = ret;
		       __entry->outcome = ret < 0 ? MV_TRACE_PF_ERROR : ret;
		       __entry->gpa = ret == MV_PF_RETRY || ret == MV_PF_MMIO ||
				      ret == MV_PF_EMULATE ? gpa : 0;
	),

	TP_printk("vm %u vcpu %u gva 0x%llx error 0x%x outcome %s gpa 0x%llx ret %d",
		  __entry->vm, __entry->vcpu, __entry->gva, __entry->error,
		  __print_symbolic(__entry->outcome,
				   { MV_PF_RETRY, "shadow" },
				   { MV_PF_GUEST, "guest" },
				   { MV_PF_MMIO, "mmio" },
				   { MV_PF_EMULATE, "emulate" },
				   { MV_PF_INTERNAL, "internal" },
				   { MV_TRACE_PF_ERROR, "error" }),
		  __entry->gpa, __entry->ret)
);

DECLARE_EVENT_CLASS(mv_sp_class,
		    TP_PROTO(struct mv_vm *vm, struct mv_sp *sp),
		    TP_ARGS(vm, sp),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u64, gfn)
			 __field(u32, role)
			 __field(u8, level)
			 __field(u8, gmode)
			 __field(u8, quadrant)
			 __field(u8, access)
			 __field(bool, direct)
			 __field(bool, unsync)
			 __field(int, root_count)
	),

	TP_fast_assign(__entry->vm = vm->id;
		       __entry->gfn = sp->gfn;
		       __entry->role = sp->role.word;
		       __entry->level = sp->role.level;
		       __entry->gmode = sp->role.gmode;
		       __entry->quadrant = sp->role.quadrant;
		       __entry->access = sp->role.access;
		       __entry->direct = sp->role.direct;
		       __entry->unsync = sp->unsync;
		       __entry->root_count = sp->root_count;
	),

	TP_printk("vm %u gfn 0x%llx role 0x%x level %u mode %s quadrant %u access %s%s%s direct %u unsync %u roots %d",
		  __entry->vm, __entry->gfn, __entry->role, __entry->level,
		  __print_symbolic(__entry->gmode,
				   { MV_GMODE_NONPAGING, "nonpaging" },
				   { MV_GMODE_32BIT, "32bit" },
				   { MV_GMODE_PAE, "pae" },
				   { MV_GMODE_LONG, "long" }),
		  __entry->quadrant,
		  __entry->access & ACC_U ? "u" : "-",
		  __entry->access & ACC_W ? "w" : "-",
		  __entry->access & ACC_X ? "x" : "-",
		  __entry->direct, __entry->unsync, __entry->root_count)
);

/* A shadow page was created for a guest table (or a direct range). */
DEFINE_EVENT(mv_sp_class, mv_sp_new,
	     TP_PROTO(struct mv_vm *vm, struct mv_sp *sp),
	     TP_ARGS(vm, sp)
);

/* An unsync table was brought in line with the guest's (CR3 load, ...). */
DEFINE_EVENT(mv_sp_class, mv_sp_sync,
	     TP_PROTO(struct mv_vm *vm, struct mv_sp *sp),
	     TP_ARGS(vm, sp)
);

/* The guest wrote a last-level table: writable until the next resync. */
DEFINE_EVENT(mv_sp_class, mv_sp_unsync,
	     TP_PROTO(struct mv_vm *vm, struct mv_sp *sp),
	     TP_ARGS(vm, sp)
);

/* A shadow page left the MMU (unshadowed, recycled, VMM write, teardown). */
DEFINE_EVENT(mv_sp_class, mv_sp_zap,
	     TP_PROTO(struct mv_vm *vm, struct mv_sp *sp),
	     TP_ARGS(vm, sp)
);

/* share.c: page sharing */

TRACE_EVENT(mv_share_merge,
	    TP_PROTO(struct mv_vm *vm, u64 gfn, struct page *target,
		     unsigned int users),
	    TP_ARGS(vm, gfn, target, users),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u64, gfn)
			 __field(bool, zero)
			 __field(unsigned long, pfn)
			 __field(unsigned int, users)
			 __field(u32, domain)
	),

	TP_fast_assign(__entry->vm = vm->id;
		       __entry->gfn = gfn;
		       __entry->zero = target == mv_zero_page();
		       __entry->pfn = page_to_pfn(target);
		       __entry->users = users;
		       __entry->domain = READ_ONCE(vm->share_domain);
	),

	TP_printk("vm %u gfn 0x%llx into %s pfn 0x%lx users %u domain %u",
		  __entry->vm, __entry->gfn, __entry->zero ? "zero" : "frame",
		  __entry->pfn, __entry->users, __entry->domain)
);

TRACE_EVENT(mv_share_cow,
	    TP_PROTO(struct mv_vm *vm, u64 gfn, struct page *from, struct page *copy,
		     bool freed),
	    TP_ARGS(vm, gfn, from, copy, freed),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u64, gfn)
			 __field(bool, zero)
			 __field(bool, freed)
			 __field(unsigned long, from)
			 __field(unsigned long, copy)
	),

	TP_fast_assign(__entry->vm = vm->id;
		       __entry->gfn = gfn;
		       __entry->zero = from == mv_zero_page();
		       __entry->freed = freed;
		       __entry->from = page_to_pfn(from);
		       __entry->copy = page_to_pfn(copy);
	),

	TP_printk("vm %u gfn 0x%llx from %s pfn 0x%lx copy 0x%lx%s",
		  __entry->vm, __entry->gfn, __entry->zero ? "zero" : "frame",
		  __entry->from, __entry->copy,
		  __entry->freed ? " freed" : "")
);

/* balloon.c, pressure.c: the balloon and the host-pressure policy */

DECLARE_EVENT_CLASS(mv_balloon_class,
		    TP_PROTO(struct mv_vcpu *vcpu, u64 count, u64 done),
		    TP_ARGS(vcpu, count, done),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u32, vcpu)
			 __field(u64, count)
			 __field(u64, done)
			 __field(u64, held)
			 __field(u64, target)
	),

	TP_fast_assign(__entry->vm = vcpu->vm->id;
		       __entry->vcpu = vcpu->index;
		       __entry->count = count;
		       __entry->done = done;
		       __entry->held = mv_balloon_pages(vcpu->vm);
		       __entry->target = mv_balloon_target(vcpu->vm);
	),

	TP_printk("vm %u vcpu %u count %llu done %llu held %llu target %llu",
		  __entry->vm, __entry->vcpu, __entry->count, __entry->done,
		  __entry->held, __entry->target)
);

/* The guest gave @done of the @count pages in its list back. */
DEFINE_EVENT(mv_balloon_class, mv_balloon_inflate,
	     TP_PROTO(struct mv_vcpu *vcpu, u64 count, u64 done),
	     TP_ARGS(vcpu, count, done)
);

/* The guest took @done of the @count pages in its list back. */
DEFINE_EVENT(mv_balloon_class, mv_balloon_deflate,
	     TP_PROTO(struct mv_vcpu *vcpu, u64 count, u64 done),
	     TP_ARGS(vcpu, count, done)
);

DECLARE_EVENT_CLASS(mv_target_class,
		    TP_PROTO(struct mv_vm *vm, u64 old, u64 new),
		    TP_ARGS(vm, old, new),

	TP_STRUCT__entry(__field(u32, vm)
			 __field(u64, old)
			 __field(u64, new)
			 __field(u64, pages)
			 __field(u32, active_pct)
	),

	TP_fast_assign(__entry->vm = vm->id;
		       __entry->old = old;
		       __entry->new = new;
		       __entry->pages = vm->mem.nr_pages;
		       __entry->active_pct = READ_ONCE(vm->balloon.active_pct);
	),

	TP_printk("vm %u target %llu -> %llu pages of %llu active %u%%",
		  __entry->vm, __entry->old, __entry->new, __entry->pages,
		  __entry->active_pct)
);

/* The administrator's (netlink) or the VMM's (ioctl) balloon target. */
DEFINE_EVENT(mv_target_class, mv_balloon_target,
	     TP_PROTO(struct mv_vm *vm, u64 old, u64 new),
	     TP_ARGS(vm, old, new)
);

/* The pressure policy's part of the target: one step up, or a release. */
DEFINE_EVENT(mv_target_class, mv_pressure_target,
	     TP_PROTO(struct mv_vm *vm, u64 old, u64 new),
	     TP_ARGS(vm, old, new)
);

#endif /* _MV_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
