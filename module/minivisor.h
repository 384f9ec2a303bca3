/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of minivisor.ko, sectioned by the file that
 * implements them, bottom layer first.  Generic code (everything but svm*.c
 * and vmx.c) sees the hardware only through struct mv_arch_ops.
 *
 * Layers: a file calls only into files below it (and into the backend,
 * through mv_arch):
 *
 *   main.c       module load/unload: puts the pieces together
 *   dev.c        /dev/minivisor, VM and vCPU descriptors: the ioctls
 *   netlink.c    the control plane
 *   pressure.c   the host-pressure balloon policy
 *   vcpu.c       the run loop
 *   exit.c       exit handlers          hypercall.c  hypercalls
 *   emulate.c    emulating what exits   decode.c     instruction decoding
 *   vm.c         VM and vCPU objects: creation, the VM table, teardown
 *   regs.c       architectural register state: CRs, EFER, MSRs, reset
 *   balloon.c    the balloon            share.c      page sharing
 *   fault.c      the shadow MMU's front end: faults, CR3, INVLPG, unsync
 *   walk.c       the guest page-table walker
 *   mmu.c        the shadow MMU's core: shadow pages, reverse maps, roots
 *   event.c      vCPU requests, exceptions, interrupt sources, kicks
 *   notify.c     control-plane events (netlink.c listens)
 *   mem.c        guest-physical memory      cpuid.c  the guest's CPUID
 *
 * Upward calls go through hooks installed from above: guest-memory hooks
 * (struct mv_mem_hooks: copy-on-write, first touch, written tables), the
 * control-plane notifier (notify.c), and interrupt sources (struct
 * mv_irq_source).
 *
 * Locking.  Each lock is described where it is declared; this is the
 * order, outermost first.  A lock may only be taken while holding locks
 * above it in the list:
 *
 *   genl_mutex (the kernel's) netlink commands; destroy takes vm->alive
 *   vm->alive (rwsem)         read by every VM/vCPU ioctl, written by destroy
 *   vm->lock (mutex)          vCPU creation
 *   vcpu->mutex               one vCPU ioctl at a time (MV_RUN included)
 *   mv_share_rules (rwsem)    share.c: domains and policies
 *   mv_policy_lock (mutex)    pressure.c: the policy's state
 *   mv_vms_mutex              vm.c: VM count, backend users
 *   mv_srcu (SRCU read side)  guest pages looked at may not be freed
 *   --- sleeping above, spinning below ---
 *   vm->mmu_lock (spinlock)   shadow tables, slot changes, kernel writes
 *   mv_share_lock (spinlock)  share.c: frames, hints, counters
 *   vcpu->irq_lock, vm->state_lock, mv_free_lock, the VM table's xa_lock
 *                             (innermost)
 *
 * No lock is held across a wait for other vCPUs (mv_mmu_flush_remote()
 * kicks them and waits for them with no lock held).  VM state changes
 * (running, paused, crashed, destroyed) happen under vm->state_lock, an
 * innermost lock: a vCPU that crashes its VM takes no other.
 */
#ifndef _MV_MINIVISOR_H
#define _MV_MINIVISOR_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/srcu.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/minivisor.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trap_pf.h>
#include <asm/trapnr.h>

#include "decode.h"
#include "version.h"

struct mv_vm;
struct mv_vcpu;
struct mv_irqchip;
struct mv_io_dev;
struct mv_lapic;

/* What a backend can do (mv_hw_info.caps). */
#define MV_HW_RUNS_GUESTS	BIT(0)	/* VMs can be created and run */

/* Hardware facts found at load time; read-only afterwards. */
struct mv_hw_info {
	enum mv_backend backend;
	u32 caps;		/* MV_HW_* */
	u64 features;		/* BIT(enum mv_feature) */
	u32 nr_asids;		/* usable ASIDs or VPIDs */
};

/* General registers in hardware encoding order. */
enum mv_gpr {
	MV_RAX, MV_RCX, MV_RDX, MV_RBX, MV_RSP, MV_RBP, MV_RSI, MV_RDI,
	MV_R8, MV_R9, MV_R10, MV_R11, MV_R12, MV_R13, MV_R14, MV_R15,
	MV_NR_GPRS
};

/* Segment registers in hardware encoding order, then the system ones. */
enum mv_seg {
	MV_ES, MV_CS, MV_SS, MV_DS, MV_FS, MV_GS, MV_TR, MV_LDTR, MV_NR_SEGS
};

/*
 * Why the guest stopped, decoded by the backend into vendor-neutral terms.
 * Handlers in exit.c act on it; the backend never sees these decisions.
 */
enum mv_exit_kind {
	MVX_NONE,		/* host interrupt/NMI: nothing to do */
	MVX_IO,			/* IN/OUT/INS/OUTS */
	MVX_CPUID,
	MVX_RDMSR,
	MVX_WRMSR,
	MVX_HLT,
	MVX_HYPERCALL,
	MVX_PAGE_FAULT,		/* #PF intercepted: shadow MMU */
	MVX_EXCEPTION,		/* other intercepted exception */
	MVX_CR_ACCESS,		/* MOV to/from CR, LMSW, CLTS, SMSW */
	MVX_DR_ACCESS,		/* MOV to/from DR */
	MVX_INVLPG,
	MVX_INVD,
	MVX_WBINVD,
	MVX_IRQ_WINDOW,		/* the guest can take an interrupt now */
	MVX_SHUTDOWN,		/* triple fault */
	MVX_INVALID_STATE,	/* the hardware refused the guest state */
	MVX_UD,			/* instruction we refuse with #UD */
	MVX_IRET,		/* IRET, intercepted to end NMI blocking */
	MVX_RDTSCP,
	MVX_UNKNOWN,
};

struct mv_exit {
	enum mv_exit_kind kind;
	u64 code;		/* vendor exit code, for internal errors */
	u64 info1, info2;
	u64 next_rip;		/* 0 when the hardware did not say */
	union {
		struct {
			u16 port;
			u8 size;	/* 1, 2, 4 */
			u8 in;
			u8 string;
			u8 rep;
			u8 addr_size;	/* 2, 4, 8: decoded, string I/O only */
			u64 next_rip;
		} io;
		struct {
			u64 addr;	/* faulting linear address (CR2) */
			u32 error;	/* #PF error code */
		} pf;
		struct {
			u8 vector;
			u8 has_error;
			u32 error;
			u64 db_payload;	/* #DB: the DR6 bits it set */
		} exc;
	};
};

/*
 * What handling an exit, or a step of it, decided.  Exit handlers, the
 * emulator and the shadow MMU's front end return these; negative values
 * are host errors (-ENOMEM, -EINTR, ...) that end MV_RUN with that errno.
 */
enum mv_ret {
	MV_RET_GUEST = 0,	/* done (or an exception queued): re-enter */
	MV_RET_USER,		/* struct mv_run is filled: back to userspace */
	MV_RET_UNHANDLED,	/* the instruction cannot be decoded/emulated */
	/*
	 * Of the emulator's helpers only: an access faulted (the exception
	 * is queued), the instruction stops there; handlers give their
	 * caller MV_RET_GUEST for it.
	 */
	MV_RET_FAULTED,
};

/* An event to deliver on entry; backends translate the type. */
enum mv_event_type {
	MV_EV_INTR,		/* external interrupt */
	MV_EV_NMI,
	MV_EV_EXCEPTION,
	MV_EV_SOFT_INT,		/* INTn */
};

struct mv_event {
	bool valid;
	u8 type;		/* enum mv_event_type */
	u8 vector;
	bool has_error;
	u32 error;
};

/* How much of a vCPU's TLB a flush takes (mv_arch_ops.flush_tlb). */
enum mv_flush_kind { MV_FLUSH_ALL, MV_FLUSH_NONGLOBAL };

/**
 * struct mv_arch_ops - what a vendor backend provides
 *
 * Generic code keeps the architectural state it reasons about (GPRs, RIP,
 * RFLAGS, the guest's view of CR0/CR3/CR4/EFER, pending events) in struct
 * mv_vcpu; the backend owns everything else (segments, descriptor tables,
 * MSR state kept in its control block) and the world switch.  Its per-vCPU
 * state embeds struct mv_vcpu at offset 0 (container_of), @vcpu_size bytes
 * in all, allocated zeroed by generic code.
 */
struct mv_arch_ops {
	const char *name;
	size_t vcpu_size;
	/*
	 * Check that this CPU offers the extension and that firmware has not
	 * disabled it.  Fills @hw and returns 0, or returns -ENODEV and points
	 * @why at a sentence naming the reason.
	 */
	int (*probe)(struct mv_hw_info *hw, const char **why);
	/* First VM created / last VM gone: per-CPU areas. */
	int (*hw_get)(void);
	void (*hw_put)(void);

	int (*vcpu_init)(struct mv_vcpu *vcpu);
	void (*vcpu_destroy)(struct mv_vcpu *vcpu);
	/* Architectural reset state (real mode, CS:IP f000:fff0). */
	void (*vcpu_reset)(struct mv_vcpu *vcpu);
	/* One world switch; IRQs and preemption off.  Fills vcpu->exit. */
	void (*run)(struct mv_vcpu *vcpu);

	void (*get_segment)(struct mv_vcpu *vcpu, enum mv_seg seg,
			    struct mv_segment *s);
	void (*set_segment)(struct mv_vcpu *vcpu, enum mv_seg seg,
			    const struct mv_segment *s);
	void (*get_dtable)(struct mv_vcpu *vcpu, bool idt, struct mv_dtable *d);
	void (*set_dtable)(struct mv_vcpu *vcpu, bool idt,
			   const struct mv_dtable *d);
	int (*get_cpl)(struct mv_vcpu *vcpu);
	/*
	 * The guest's CR0/CR4/EFER or the shadow root changed: compose the
	 * hardware's.  Shadow paging needs the hardware to page, on
	 * vcpu->mmu.root_pa (4-level when vcpu->mmu.root_level is 4, else
	 * PAE), with CR0.WP (read-only entries must stop the supervisor too)
	 * and EFER.NXE (fetch faults must say so) set.  How a guest without
	 * paging maps onto that is the backend's choice.
	 */
	void (*load_cr)(struct mv_vcpu *vcpu);
	/* Flush the vCPU's guest TLB before the next entry. */
	void (*flush_tlb)(struct mv_vcpu *vcpu, enum mv_flush_kind kind);
	/* Flush one linear address's translation before the next entry. */
	void (*flush_gva)(struct mv_vcpu *vcpu, u64 gva);
	void (*inject_event)(struct mv_vcpu *vcpu, const struct mv_event *ev);
	/*
	 * Take back what inject_event() programmed, not yet entered, into
	 * @ev (valid false if nothing was): the vCPU leaves for userspace,
	 * or INIT resets it, before the event reaches the guest.
	 */
	void (*cancel_event)(struct mv_vcpu *vcpu, struct mv_event *ev);
	bool (*interrupt_shadow)(struct mv_vcpu *vcpu);
	/* Ask for MVX_IRQ_WINDOW as soon as the guest can take one. */
	void (*set_irq_window)(struct mv_vcpu *vcpu, bool on);
	/* Exit (MVX_IRET) at the guest's next IRET: it ends NMI blocking. */
	void (*set_iret_intercept)(struct mv_vcpu *vcpu, bool on);
	/*
	 * Optional: let the guest run its debug-register moves itself until
	 * the next exit (true), as KVM does; the backend then loads vcpu->dr[],
	 * dr6 and dr7 into the hardware and reads them back after the exit.
	 */
	bool (*dr_passthrough)(struct mv_vcpu *vcpu);
	/* The vCPU's CPUID table changed: intercepts that follow it. */
	void (*cpuid_changed)(struct mv_vcpu *vcpu);
	/*
	 * MSRs whose state the backend keeps (segment bases, SYSCALL and
	 * SYSENTER MSRs, TSC).  0, or -ENOENT when not one of them.
	 */
	int (*get_msr)(struct mv_vcpu *vcpu, u32 index, u64 *val);
	int (*set_msr)(struct mv_vcpu *vcpu, u32 index, u64 val);
};

/* main.c */
extern struct mv_hw_info mv_hw;
extern const struct mv_arch_ops *mv_arch;
extern atomic_long_t mv_guest_pages;	/* all VMs */
extern atomic_long_t mv_mmu_pages;	/* all VMs */
/* World switches made while another hypervisor had the hardware on. */
extern atomic_long_t mv_foreign_flushes;

/*
 * An unsigned module parameter within [@lo, @hi], checked at load and at
 * every write through sysfs (-EINVAL otherwise), described by @desc.
 * Parameters are defined next to the code that owns them.
 */
#define MV_UINT_PARAM(name, var, lo, hi, perm, desc)			\
	static struct mv_uint_param mv_p_##name = { &(var), lo, hi };	\
	module_param_cb(name, &mv_uint_param_ops, &mv_p_##name, perm);	\
	__MODULE_INFO(parmtype, name##type, #name ":uint");		\
	__MODULE_INFO(parm, name##_about, #name ":" desc)

struct mv_uint_param {
	unsigned int *val;
	unsigned int min, max;
};

extern const struct kernel_param_ops mv_uint_param_ops;

/* svm.c, vmx.c */
extern const struct mv_arch_ops mv_svm_ops;
extern const struct mv_arch_ops mv_vmx_ops;
bool mv_svm_present(void);
bool mv_vmx_present(void);

/* cpuid.c */
struct mv_cpuid_entry *mv_cpuid_default(unsigned int *nent);
void mv_cpuid_lookup(struct mv_vcpu *vcpu, u32 function, u32 index,
		     u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);
bool mv_guest_has(struct mv_vcpu *vcpu, u32 function, int reg, int bit);

/* The CPUID feature bits the MMU and CR/EFER checks consult. */
#define MV_CPUID_EDX		3
#define MV_CPUID_ECX		2
#define MV_CPUID_EBX		1
#define mv_guest_has_pse(v)	mv_guest_has(v, 1, MV_CPUID_EDX, 3)
#define mv_guest_has_pae(v)	mv_guest_has(v, 1, MV_CPUID_EDX, 6)
#define mv_guest_has_pge(v)	mv_guest_has(v, 1, MV_CPUID_EDX, 13)
#define mv_guest_has_pse36(v)	mv_guest_has(v, 1, MV_CPUID_EDX, 17)
#define mv_guest_has_fxsr(v)	mv_guest_has(v, 1, MV_CPUID_EDX, 24)
#define mv_guest_has_nx(v)	mv_guest_has(v, 0x80000001, MV_CPUID_EDX, 20)
#define mv_guest_has_lm(v)	mv_guest_has(v, 0x80000001, MV_CPUID_EDX, 29)
#define mv_guest_has_syscall(v)	mv_guest_has(v, 0x80000001, MV_CPUID_EDX, 11)
#define mv_guest_has_gbpages(v)	mv_guest_has(v, 0x80000001, MV_CPUID_EDX, 26)
#define mv_guest_has_rdtscp(v)	mv_guest_has(v, 0x80000001, MV_CPUID_EDX, 27)
#define mv_guest_has_tsc_adjust(v) mv_guest_has(v, 7, MV_CPUID_EBX, 1)
#define mv_guest_has_smep(v)	mv_guest_has(v, 7, MV_CPUID_EBX, 7)
#define mv_guest_has_smap(v)	mv_guest_has(v, 7, MV_CPUID_EBX, 20)
#define mv_guest_has_fsgsbase(v) mv_guest_has(v, 7, MV_CPUID_EBX, 0)
u8 mv_guest_maxphyaddr(struct mv_vcpu *vcpu);
/* With an irqchip: APIC, x2APIC, TSC-deadline, ARAT and the APIC ID. */
void mv_cpuid_add_irqchip(struct mv_vcpu *vcpu);
/* The local APIC timer's bus: 1 GHz (1 ns per tick). */
#define MV_APIC_BUS_KHZ		1000000

/* mem.c: guest-physical memory */
struct mv_hint;
struct mv_mem {
	unsigned long nr_pages;
	struct page **pages;	/* NULL until first touch */
	struct mv_hint **hints;	/* share.c: a page's hint entry, if any */
	atomic_long_t used;	/* slots on a private page */
	atomic_long_t shared;	/* slots on a shared frame */
	atomic_long_t zero;	/* slots on the zero page */
	atomic_long_t cow_breaks;
};

/*
 * What layers above mem.c do about guest memory, as KVM's page-track
 * notifiers: installed once at load (main.c), called by mem.c.
 */
struct mv_mem_hooks {
	/* A private page to write @gfn into (copy-on-write); NULL outside RAM. */
	struct page *(*page_w)(struct mv_vm *vm, u64 gfn);
	/* @gfn's slot was just filled by its first touch. */
	void (*filled)(struct mv_vm *vm, u64 gfn);
	/* The kernel wrote into @gfn (it may be a shadowed guest table). */
	void (*written)(struct mv_vm *vm, u64 gfn);
	/* Teardown empties a slot that maps shared @page. */
	void (*release)(struct mv_vm *vm, struct page *page);
};

void mv_mem_set_hooks(const struct mv_mem_hooks *hooks);

/* Readers of guest pages hold it; freed pages wait for its grace period. */
extern struct srcu_struct mv_srcu;

#define mv_zero_page()	ZERO_PAGE(0)

/* Shared pages (a frame, or the zero page) are never written in place. */
static inline bool mv_page_shared(struct page *page)
{
	return page == mv_zero_page() || page_private(page);
}

int mv_mem_init(struct mv_mem *mem, u64 size);
void mv_mem_free(struct mv_vm *vm);
void mv_mem_free_page(struct page *page);
void mv_mem_defer_free(struct page *page);
void mv_mem_reap(void);
void mv_mem_exit(void);
bool mv_mem_private(struct mv_vm *vm, u64 gfn, struct page *page);
/* The page behind @gfn, allocated zeroed on first touch; NULL outside RAM. */
struct page *mv_mem_page(struct mv_vm *vm, u64 gfn);
/* The same, private and so writable (through the page_w hook). */
struct page *mv_mem_page_w(struct mv_vm *vm, u64 gfn);
int mv_mem_copy(struct mv_vm *vm, u64 gpa, void *buf, u64 len, bool write);
/*
 * Read-modify-write @len (1, 2, 4 or 8) bytes at @gpa, within one page,
 * atomically for every other write through this file: @fn gets the old
 * value and returns whether to store *@new.  @fn runs under the MMU lock.
 */
int mv_mem_update(struct mv_vm *vm, u64 gpa, unsigned int len,
		  bool (*fn)(void *ctx, u64 old, u64 *new), void *ctx);
int mv_mem_copy_user(struct mv_vm *vm, u64 gpa, void __user *buf, u64 len,
		     bool write);

/* notify.c: control-plane events */
/*
 * Something the control plane tells the world about (netlink.c listens):
 * @cmd is the MV_CMD_EVENT_* command, @vm the VM (NULL for scan-done).
 * Called in process context, with no spinlock held.
 */
void mv_notify(u8 cmd, struct mv_vm *vm);
int mv_notify_register(struct notifier_block *nb);
void mv_notify_unregister(struct notifier_block *nb);

/* event.c: vCPU requests, kicks, exceptions and interrupts */
/*
 * vCPU requests: what a vCPU must do before it enters the guest again,
 * asked for from any context (another vCPU, an ioctl thread, the page
 * scanner, the pressure worker) by setting a bit in vcpu->requests.
 * mv_make_request() also kicks the vCPU out of the guest.  The run loop
 * looks at them with interrupts off after it announced it is entering, so
 * a request made at any moment is seen before the next entry or forces an
 * exit right after it.
 */
enum mv_request {
	MV_REQ_TLB_FLUSH,		/* every translation of ours goes */
	MV_REQ_TLB_FLUSH_NONGLOBAL,	/* the non-global ones (CR3 load) */
	MV_REQ_TRIPLE_FAULT,		/* shut down */
	MV_REQ_EVENT,			/* an interrupt source may have one */
	MV_REQ_INIT,			/* an INIT IPI: reset, wait for SIPI */
	MV_REQ_SIPI,			/* a startup IPI (lapic->sipi_vector) */
	MV_NR_REQUESTS
};

/* Requests the run loop handles with interrupts on, before entering. */
#define MV_REQ_MASK_EXIT	(BIT(MV_REQ_TRIPLE_FAULT) | BIT(MV_REQ_EVENT) | \
				 BIT(MV_REQ_INIT) | BIT(MV_REQ_SIPI))

/* mv_request() and mv_check_request() are below struct mv_vcpu. */
/* Set @req and make sure the vCPU sees it soon: wake it, kick it out. */
void mv_make_request(struct mv_vcpu *vcpu, enum mv_request req);
/* Out of the guest (if in it) and awake (if halted), now. */
void mv_vcpu_kick(struct mv_vcpu *vcpu);

/*
 * An interrupt source: something that can interrupt a vCPU (the VMM's
 * interrupt line, the balloon, later the local APIC).  Asked in the order
 * they were added; the first with an interrupt wins.
 */
struct mv_irq_source {
	/* The vector this source wants delivered now, or -1. */
	int (*pending)(struct mv_vcpu *vcpu);
	/*
	 * @vector, from pending(), is being delivered: take it.  Returns the
	 * vector to deliver (an 8259 may answer another), or -1: none now.
	 */
	int (*ack)(struct mv_vcpu *vcpu, int vector);
};

#define MV_MAX_IRQ_SOURCES	4

/* Before the vCPU runs for the first time. */
void mv_irq_source_add(struct mv_vcpu *vcpu, const struct mv_irq_source *src);
bool mv_vcpu_irq_pending(struct mv_vcpu *vcpu);
/* Something that ends a HLT: a takeable interrupt, an NMI, INIT, SIPI. */
bool mv_vcpu_has_wakeup(struct mv_vcpu *vcpu);
/* MV_INTERRUPT: raise the VMM's line; -EBUSY while one is pending. */
int mv_irq_line_raise(struct mv_vcpu *vcpu, u8 vector);
bool mv_irq_line_is_pending(struct mv_vcpu *vcpu);
void mv_irq_line_init(struct mv_vcpu *vcpu);
/* Before entry: program an exception, a re-injection or an interrupt. */
void mv_inject_events(struct mv_vcpu *vcpu);
void mv_cancel_events(struct mv_vcpu *vcpu);
/* The guest ran into an IRET with NMIs blocked. */
void mv_nmi_iret(struct mv_vcpu *vcpu);
/* A #DB ended the single step of an NMI window: true when it was ours alone. */
bool mv_nmi_singlestep_done(struct mv_vcpu *vcpu);

void mv_queue_db(struct mv_vcpu *vcpu, u64 payload);
void mv_queue_exception(struct mv_vcpu *vcpu, u8 vector, bool has_error,
			u32 error);
void mv_queue_pf(struct mv_vcpu *vcpu, u64 addr, u32 error);
/*
 * The one way a run ends with MV_EXIT_INTERNAL_ERROR: fills struct mv_run
 * and returns MV_RET_USER.
 */
int mv_internal_error(struct mv_vcpu *vcpu, u32 suberror, unsigned int n,
		      const u64 *data);

/* mmu.c: the shadow MMU's core */
struct mv_sp;
struct mv_mmu_state;
struct mv_pte_list_desc;

struct mv_mmu_vm {
	/* Under vm->mmu_lock: */
	struct list_head pages;		/* every shadow page, newest first */
	unsigned long nr_pages;
	unsigned long max_pages;
	/*
	 * Bumped under the lock whenever entries are downgraded or removed;
	 * flushed_gen is the newest such generation no vCPU can still hold
	 * a translation from (mv_mmu_flush_to()).
	 */
	u64 flush_gen;
	atomic64_t flushed_gen;
	struct mv_mmu_state *s;
};

#define MV_MMU_CACHE	8

struct mv_mmu_vcpu {
	struct mv_sp *root;		/* long mode: the PML4 shadow page */
	u64 *pae_root;			/* other modes: 4 PDPTEs, below 4 GiB */
	u64 root_pa;			/* what the hardware CR3 gets */
	int root_level;			/* 4: a PML4; 3: a PAE root */
	bool root_valid;
	/* Filled before taking the MMU lock, used under it. */
	struct mv_sp *sp_cache[MV_MMU_CACHE];
	int nr_sp_cache;
	struct mv_pte_list_desc *desc_cache[MV_MMU_CACHE];
	int nr_desc_cache;
	atomic_t exits;			/* bumped on every exit */
};

extern unsigned int mv_max_mmu_pages;
int mv_mmu_init(void);
void mv_mmu_exit(void);
int mv_mmu_vm_init(struct mv_vm *vm);
void mv_mmu_vm_free(struct mv_vm *vm);
int mv_mmu_vcpu_init(struct mv_vcpu *vcpu);
void mv_mmu_vcpu_free(struct mv_vcpu *vcpu);
/* Before entry, IRQs off: apply a pending TLB flush. */
void mv_mmu_prepare_entry(struct mv_vcpu *vcpu);
/* Before entry: make sure a root exists; 0 or -ENOMEM. */
int mv_mmu_load(struct mv_vcpu *vcpu);
/* Drop the vCPU's root; a new one is built before entry. */
void mv_mmu_unload(struct mv_vcpu *vcpu);
/* Under the MMU lock: drop, or point at @page read-only, @gfn's mappings. */
void mv_rmap_drop(struct mv_vm *vm, u64 gfn);
void mv_rmap_retarget(struct mv_vm *vm, u64 gfn, struct page *page);
bool mv_rmap_write_protect(struct mv_vm *vm, u64 gfn);
bool mv_rmap_test_and_clear_young(struct mv_vm *vm, u64 gfn);
/* Under the MMU lock: zap every shadow page of guest table @gfn. */
bool mv_mmu_zap_gfn(struct mv_vm *vm, u64 gfn);
/* Is @gfn a guest table we shadow?  (A hint without the lock.) */
bool mv_mmu_gfn_shadowed(struct mv_vm *vm, u64 gfn);
/* Make every vCPU drop stale translations before it runs again. */
void mv_mmu_flush_remote(struct mv_vm *vm);
/* Flush unless what generation @gen owes was flushed already. */
void mv_mmu_flush_to(struct mv_vm *vm, u64 gen);
/* After changes under the lock, without it: flush, free zapped pages. */
void mv_mmu_commit(struct mv_vm *vm);
/*
 * Under the lock: is every change made so far flushed from every TLB?
 * If not, the caller drops the lock, flushes (mv_mmu_commit()) and looks
 * again.
 */
bool mv_mmu_flushed(struct mv_vm *vm);

/* walk.c: the guest page-table walker (interface in mmu.h) */

/* fault.c: the shadow MMU's front end */
extern bool mv_mmu_unsync;
/*
 * The guest's paging mode or a translation-relevant bit of CR0/CR4/EFER
 * changed: unsync tables catch up, the root goes, the TLB is flushed.
 */
void mv_mmu_reset(struct mv_vcpu *vcpu);

/* What a shadow page fault came to (as KVM's RET_PF_*). */
enum mv_pf_ret {
	MV_PF_RETRY,		/* mapped now, or changed under us: run it again */
	MV_PF_GUEST,		/* the guest's own tables deny it: #PF queued */
	MV_PF_MMIO,		/* not RAM: emulate the access at *gpa */
	MV_PF_EMULATE,		/* a table written through itself: emulate */
	MV_PF_INTERNAL,		/* an internal error was reported */
};

/* A #PF exit: an enum mv_pf_ret (*gpa set for MMIO/EMULATE), or -errno. */
int mv_mmu_page_fault(struct mv_vcpu *vcpu, u64 addr, u32 error, u64 *gpa);
/* The guest loaded CR3: sync unsync tables, switch roots, flush. */
void mv_mmu_new_cr3(struct mv_vcpu *vcpu);
/* Read the PDPTEs of a PAE CR3; -EINVAL when reserved bits are set. */
int mv_mmu_load_pdptrs(struct mv_vcpu *vcpu, u64 cr3);
void mv_mmu_sync_unsync(struct mv_vcpu *vcpu);
/* The guest's whole TLB goes, global entries too. */
void mv_mmu_flush_guest_tlb(struct mv_vcpu *vcpu);
/* The kernel wrote guest page @gfn (the mem.c written hook). */
void mv_mmu_gfn_written(struct mv_vm *vm, u64 gfn);
/* INVLPG of @gva by the guest. */
void mv_mmu_invlpg(struct mv_vcpu *vcpu, u64 gva);
/*
 * Translate a linear address for the emulator: MV_XLATE_OK with *gpa set;
 * MV_XLATE_FAULT after queueing the #PF the guest must see; MV_XLATE_USER
 * after reporting an internal error (a guest table outside RAM); -ENOMEM.
 */
enum mv_xlate_ret { MV_XLATE_OK, MV_XLATE_FAULT, MV_XLATE_USER };
int mv_mmu_gva_to_gpa(struct mv_vcpu *vcpu, u64 gva, u32 access, u64 *gpa);
/* The same with no side effect (no #PF, no A/D bits): 0 or -EFAULT. */
int mv_mmu_gva_peek(struct mv_vcpu *vcpu, u64 gva, u32 access, u64 *gpa);

/* share.c: content-based page sharing */
struct mv_share_stats {
	u64 frames, sharing;		/* frames with 2+ users; their users */
	u64 merges, zero_merges, cow_breaks, volatile_pages, collisions;
	u64 hints, full_scans, scanned, cpu_ns;
	/* Filled in by mv_share_get_stats() */
	u64 zero, guest_pages, host_pages;
};

struct mv_share_rule {
	u32 domain;
	enum mv_share_policy policy;
};

/* The settings netlink shows and changes (checked by its policy). */
struct mv_share_config {
	bool enabled;
	u32 scan_pages, interval_ms;
};

int mv_share_init(void);
void mv_share_exit(void);
/* A new VM joins the scanner's list; mv_share_forget_vm() takes it off. */
void mv_share_add_vm(struct mv_vm *vm);
void mv_share_forget_vm(struct mv_vm *vm);
/* The mem.c page_w and release hooks. */
struct page *mv_share_page_w(struct mv_vm *vm, u64 gfn);
void mv_share_release(struct mv_vm *vm, struct page *page);
void mv_share_forget_gfn(struct mv_vm *vm, u64 gfn);
int mv_share_set_domain(struct mv_vm *vm, u32 domain);
int mv_share_set_policy(u32 domain, enum mv_share_policy pol);
unsigned int mv_share_get_rules(struct mv_share_rule *rules, unsigned int max);
void mv_share_get_stats(struct mv_share_stats *st);
void mv_share_get_config(struct mv_share_config *cfg);
/* Change what is given: NULL-free, each field only if its flag says so. */
void mv_share_configure(const bool *enabled, const u32 *scan_pages,
			const u32 *interval_ms);

/* balloon.c, pressure.c: the balloon and the host-pressure policy */
#define MV_SAMPLE_PAGES	64

struct mv_balloon {
	unsigned long *inflated;	/* gfn bitmap; set under the MMU lock */
	u64 admin_target;		/* pages, set by an administrator */
	u64 auto_target;		/* pages the pressure policy adds */
	u64 reached;			/* 1 + target a reached event went for */
	atomic_long_t inflated_total, deflated_total;
	u64 guest_free, guest_avail;	/* what the guest last reported */
	u8 vector;			/* notify on target changes; 0: don't */
	bool irq_owed;			/* the target changed: tell vCPU 0 */
	/* The policy's, under its lock: active memory, sampled ... */
	u32 active_pct;
	bool sampled;
	unsigned int nr_sample;
	u64 sample[MV_SAMPLE_PAGES];
	/* ... and whether the guest follows. */
	u64 last_target, pending_mark;
	unsigned long progress_at;
	bool raised;
};

struct mv_balloon_policy_stats {
	bool pressure;
	u64 reclaimed, raises, releases, shrinker_calls;
};

/* The policy's settings (netlink shows and changes them). */
struct mv_balloon_config {
	bool autob;
	u32 tax_pct, floor_pct, free_target_mb;
};

int mv_balloon_init(struct mv_vm *vm);
void mv_balloon_free(struct mv_vm *vm);
/* vCPU 0 hears of target changes through this interrupt source. */
extern const struct mv_irq_source mv_balloon_irq_source;
u64 mv_balloon_target(struct mv_vm *vm);
u64 mv_balloon_pages(struct mv_vm *vm);
void mv_balloon_reset(struct mv_vm *vm);
void mv_balloon_notify(struct mv_vm *vm);
void mv_balloon_set(struct mv_vm *vm, u64 mem_pages);
/* The mem.c filled hook: an inflated gfn touched is back in use. */
void mv_balloon_touched(struct mv_vm *vm, u64 gfn);
s64 mv_balloon_hypercall(struct mv_vcpu *vcpu, u64 nr, u64 a0, u64 a1);
int mv_pressure_init(void);
void mv_pressure_exit(void);
void mv_pressure_get_stats(struct mv_balloon_policy_stats *st);
void mv_pressure_get_config(struct mv_balloon_config *cfg);
void mv_pressure_configure(const bool *autob, const u32 *tax_pct,
			   const u32 *floor_pct, const u32 *free_target_mb);

/* regs.c: architectural register state */
void mv_regs_reset(struct mv_vcpu *vcpu);
void mv_get_regs(struct mv_vcpu *vcpu, struct mv_regs *r);
int mv_set_regs(struct mv_vcpu *vcpu, const struct mv_regs *r);
void mv_get_sregs(struct mv_vcpu *vcpu, struct mv_sregs *sr);
int mv_set_sregs(struct mv_vcpu *vcpu, const struct mv_sregs *sr);
/* A CR, EFER or MSR write the architecture refuses is -EINVAL (#GP). */
int mv_set_cr0(struct mv_vcpu *vcpu, u64 val);
int mv_set_cr3(struct mv_vcpu *vcpu, u64 val);
int mv_set_cr4(struct mv_vcpu *vcpu, u64 val);
int mv_set_efer(struct mv_vcpu *vcpu, u64 val);
/* CR8: the local APIC's TPR[7:4] (lapic.c; a plain value without one). */
u64 mv_lapic_get_cr8(struct mv_vcpu *vcpu);
void mv_lapic_set_cr8(struct mv_vcpu *vcpu, u64 val);
/* The local APIC's MSRs: 0, -EINVAL (#GP), or -ENOENT (not its). */
int mv_lapic_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *val);
int mv_lapic_set_msr(struct mv_vcpu *vcpu, u32 index, u64 val);

/* msr.c: the guest's MSRs; -EINVAL means #GP */
int mv_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *val);
int mv_set_msr(struct mv_vcpu *vcpu, u32 index, u64 val);

/* vm.c: VM and vCPU objects */
struct mv_vm {
	struct kref ref;
	u32 id;
	char name[MV_VM_NAME_LEN];
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct mv_mem mem;
	/*
	 * The shadow tables, every change of a guest-memory slot (merge,
	 * copy-on-write, balloon) and every kernel write into a guest page.
	 * Nests inside everything but mv_share_lock and the innermost locks.
	 */
	spinlock_t mmu_lock;
	struct mv_mmu_vm mmu;
	u32 share_domain;
	struct list_head share_link;	/* share.c's VM list, under its lock */
	struct list_head share_hints;	/* under the share lock */
	bool dying;			/* memory about to be freed */
	bool share_recheck;		/* unsharing ran out of memory */
	struct mv_balloon balloon;

	struct mutex lock;		/* vCPU creation: vcpus[], nr_vcpus */
	/* Held for reading by every ioctl; for writing by destroy. */
	struct rw_semaphore alive;
	spinlock_t state_lock;		/* state changes, crash_reason */
	int state;			/* enum mv_vm_state */
	char crash_reason[64];
	wait_queue_head_t state_wq;	/* pause/resume/destroy */

	struct mv_vcpu *vcpus[MV_MAX_VCPUS];
	unsigned int nr_vcpus;

	/* MV_CREATE_IRQCHIP (before any vCPU; fixed afterwards). */
	struct mv_irqchip *irqchip;
	struct mv_io_dev *io_devs[8];
	unsigned int nr_io_devs;
	atomic_long_t unhandled_msrs;	/* refused with #GP */
};

/* Entries were downgraded or removed: a flush is owed.  Under the lock. */
static inline void mv_mmu_dirty(struct mv_vm *vm)
{
	lockdep_assert_held(&vm->mmu_lock);
	vm->mmu.flush_gen++;
}

extern unsigned int mv_max_vms;
int mv_vm_init(void);
void mv_vm_exit(void);
unsigned int mv_vm_count(void);
/* A new VM behind a descriptor with @fops; the descriptor, or -errno. */
int mv_vm_create(const struct mv_vm_config *cfg,
		 const struct file_operations *fops);
/* Takes a reference; NULL when no such VM.  mv_vm_put() drops it. */
struct mv_vm *mv_vm_get_by_id(u32 id);
/* The first VM with id >= *id, referenced; *id set to its id. */
struct mv_vm *mv_vm_get_next(u32 *id);
void mv_vm_put(struct mv_vm *vm);
int mv_vm_pause(struct mv_vm *vm, bool pause);
int mv_vm_destroy(struct mv_vm *vm);
void mv_vm_crashed(struct mv_vm *vm, const char *reason);
void mv_vm_exits(struct mv_vm *vm, u64 *stats);
/* A new vCPU behind a descriptor with @fops; the descriptor, or -errno. */
int mv_vcpu_create(struct mv_vm *vm, unsigned long index,
		   const struct file_operations *fops);

/* decode.c (decode.h: struct mv_insn, the decoder), emulate.c */
/*
 * The emulator's entry points return an enum mv_ret or -errno.  The MMIO
 * access at @gpa: MV_RET_USER with struct mv_run filled for userspace.
 */
int mv_emulate_mmio(struct mv_vcpu *vcpu, u64 gpa);
void mv_emulate_mmio_complete(struct mv_vcpu *vcpu);
int mv_emulate_mmio_alu_done(struct mv_vcpu *vcpu);
int mv_emulate_cr_dr(struct mv_vcpu *vcpu);
/* A MOV store to guest RAM at @gpa (a page table written through itself). */
int mv_emulate_store(struct mv_vcpu *vcpu, u64 gpa);
int mv_emulate_invlpg(struct mv_vcpu *vcpu);
/* The instruction is done, the guest goes on at @next_rip (single-step trap). */
void mv_complete_insn(struct mv_vcpu *vcpu, u64 next_rip);
int mv_skip_insn(struct mv_vcpu *vcpu);
bool mv_insn_is_hypercall(struct mv_vcpu *vcpu);
/* RIP past the instruction in vcpu->insn. */
void mv_skip_decoded(struct mv_vcpu *vcpu);
/* The instruction at RIP (accessing @gpa) cannot be emulated: MV_RET_USER. */
int mv_emulation_failed(struct mv_vcpu *vcpu, u64 gpa);
/* An enum mv_xlate_ret as the emulator's helpers return it. */
static inline int mv_xlate_to_ret(int xlate)
{
	if (xlate < 0)
		return xlate;
	if (xlate == MV_XLATE_FAULT)
		return MV_RET_FAULTED;
	return xlate == MV_XLATE_USER ? MV_RET_USER : MV_RET_GUEST;
}

/* hypercall.c */
void mv_hypercall(struct mv_vcpu *vcpu);

/* exit.c */
int mv_handle_exit(struct mv_vcpu *vcpu);
int mv_complete_pending(struct mv_vcpu *vcpu);

/* vcpu.c */
enum mv_vcpu_mode { MV_OUTSIDE_GUEST, MV_IN_GUEST };
enum mv_mp_state {
	MV_MP_RUNNABLE,
	MV_MP_HALTED,		/* HLT: until an interrupt it can take */
	MV_MP_WAIT_SIPI,	/* an AP after INIT (or creation, with irqchip) */
};

struct mv_vcpu {
	struct mv_vm *vm;
	unsigned int index;
	struct mutex mutex;		/* one ioctl at a time */
	int srcu_idx;			/* our mv_srcu read side, under mutex */
	struct mv_run *run;
	struct task_struct *task;	/* in MV_RUN, else NULL */
	int mode;			/* enum mv_vcpu_mode */
	unsigned long requests;		/* BIT(enum mv_request) */
	wait_queue_head_t wq;		/* halt */

	u64 regs[MV_NR_GPRS];
	u64 rip, rflags;
	u64 cr0, cr2, cr3, cr4, efer;	/* as the guest sees them */
	u64 pdptrs[4];			/* PAE: latched at CR3 load */
	u64 pat;
	u64 mtrr_def_type;
	u64 misc_enable;		/* IA32_MISC_ENABLE */
	u64 tsc_aux;			/* IA32_TSC_AUX: RDTSCP's ECX */
	u64 tsc_adjust;			/* IA32_TSC_ADJUST */
	u64 dr[4], dr6, dr7;
	int mp_state;			/* enum mv_mp_state */
	u32 halt_poll_ns;		/* how long HLT polls before sleeping (vcpu.c) */

	struct mv_cpuid_entry *cpuid;
	unsigned int cpuid_nent;

	struct mv_event reinject;	/* interrupted by the last exit */
	struct mv_event exc;		/* exception to deliver */
	bool event_programmed;		/* in the hardware, not yet entered */
	const struct mv_irq_source *irq_sources[MV_MAX_IRQ_SOURCES];
	unsigned int nr_irq_sources;
	bool irq_wanted;		/* a source may have one: ask them */
	spinlock_t irq_lock;		/* irq_pending and irq_vector */
	bool irq_pending;		/* the VMM's line (MV_INTERRUPT) */
	u8 irq_vector;
	struct mv_lapic *lapic;		/* with MV_CREATE_IRQCHIP */
	int cpu;			/* where it last entered the guest (-1: never) */
	atomic_t nmi_pending;		/* NMIs to deliver */
	bool nmi_masked;		/* in an NMI handler: until IRET */
	u64 nmi_iret_rip;		/* that IRET: NMIs wait until past it */
	bool nmi_singlestep;		/* TF set for one instruction: NMI window */
	u64 nmi_ss_flags;		/* the guest's own TF and RF, meanwhile */
	u64 nmi_ss_rip;			/* where the step started */
	u64 cr8;			/* without a local APIC */

	struct mv_exit exit;
	/* What the next MV_RUN must finish first. */
	enum { MV_PENDING_NONE, MV_PENDING_IO_IN, MV_PENDING_INS,
	       MV_PENDING_OUTS, MV_PENDING_MMIO_READ, MV_PENDING_MMIO_ALU } pending;
	struct mv_insn insn;		/* the instruction being emulated */
	u64 mmio_gpa;
	u32 pending_count;		/* INS: elements; MMIO read: bytes */
	u64 mmio_gpa2;			/* string I/O: an element's 2nd page */
	u32 mmio_split;			/* bytes in the 1st page; 0: one page */

	struct fpu_guest gfpu;
	struct mv_mmu_vcpu mmu;
	u64 stats[__MV_STAT_COUNT];
};

long mv_vcpu_run(struct mv_vcpu *vcpu);

/* event.c, inline: the request bits. */
static inline void mv_request(struct mv_vcpu *vcpu, enum mv_request req)
{
	set_bit(req, &vcpu->requests);
}

static inline bool mv_check_request(struct mv_vcpu *vcpu,
				    enum mv_request req)
{
	if (!test_bit(req, &vcpu->requests))
		return false;
	clear_bit(req, &vcpu->requests);
	/* What the requester wrote before asking is visible now. */
	smp_mb__after_atomic();
	return true;
}

/* dev.c */
int mv_dev_init(void);
void mv_dev_exit(void);

/* netlink.c */
int mv_netlink_init(void);
void mv_netlink_exit(void);

/* The low @size bytes (1, 2, 4 or 8) of a value. */
static inline u64 mv_size_mask(int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static inline u64 mv_gpr_read(struct mv_vcpu *vcpu, int reg, int size)
{
	return vcpu->regs[reg] & mv_size_mask(size);
}

/* Write like the hardware: 32-bit writes zero-extend, narrower merge. */
static inline void mv_gpr_write(struct mv_vcpu *vcpu, int reg, int size, u64 v)
{
	switch (size) {
	case 1:
		vcpu->regs[reg] = (vcpu->regs[reg] & ~0xffULL) | (u8)v;
		break;
	case 2:
		vcpu->regs[reg] = (vcpu->regs[reg] & ~0xffffULL) | (u16)v;
		break;
	case 4:
		vcpu->regs[reg] = (u32)v;
		break;
	default:
		vcpu->regs[reg] = v;
	}
}

/* Architectural reset values. */
#define MV_PAT_RESET		0x0007040600070406ULL
#define MV_DR6_RESET		DR6_RESERVED	/* 0xffff0ff0 */
#define MV_DR7_RESET		0x400ULL	/* bit 10 reads as one */
/* DR6 bits software can see change: B0-B3, BD, BS, BT (no RTM, no BLD). */
#define MV_DR6_BD		BIT(13)
#define MV_DR6_VOLATILE		(DR_TRAP_BITS | MV_DR6_BD | DR_STEP | DR_SWITCH)
/* DR7: bits 11, 12, 14, 15 read as zero, bit 10 as one. */
#define MV_DR7_GD		BIT(13)
#define MV_DR7_VOLATILE		0xffff2bffULL
#define MV_DR7_BP_ENABLED	(DR_LOCAL_ENABLE_MASK | DR_GLOBAL_ENABLE_MASK)

static inline bool mv_is_paging(struct mv_vcpu *vcpu)
{
	return vcpu->cr0 & X86_CR0_PG;
}

static inline bool mv_is_long_mode(struct mv_vcpu *vcpu)
{
	return vcpu->efer & EFER_LMA;
}

/* 64-bit mode: long mode with a 64-bit code segment. */
static inline bool mv_long_mode_cs(struct mv_vcpu *vcpu)
{
	struct mv_segment cs;

	if (!mv_is_long_mode(vcpu))
		return false;
	mv_arch->get_segment(vcpu, MV_CS, &cs);
	return cs.l;
}

/* A segment's base; in 64-bit mode only FS and GS have one. */
static inline u64 mv_seg_base(struct mv_vcpu *vcpu, enum mv_seg seg)
{
	struct mv_segment s;

	if (mv_long_mode_cs(vcpu) && seg != MV_FS && seg != MV_GS)
		return 0;
	mv_arch->get_segment(vcpu, seg, &s);
	return s.base;
}

#endif /* _MV_MINIVISOR_H */
