/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of minivisor.ko, sectioned by the file that
 * implements them.  Generic code (everything but svm*.c and vmx.c) sees the
 * hardware only through struct mv_arch_ops.
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
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/minivisor.h>
#include <asm/fpu/api.h>

#include "decode.h"
#include "version.h"

struct mv_vm;
struct mv_vcpu;

/* Hardware facts found at load time; read-only afterwards. */
struct mv_hw_info {
	enum mv_backend backend;
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
 * Handlers in vcpu.c act on it; the backend never sees these decisions.
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
		} exc;
	};
};

/* An event to deliver on entry. */
enum mv_event_type {
	MV_EV_INTR = 0,		/* external interrupt */
	MV_EV_NMI = 2,
	MV_EV_EXCEPTION = 3,
	MV_EV_SOFT_INT = 4,	/* INTn */
};

struct mv_event {
	bool valid;
	u8 type;		/* enum mv_event_type */
	u8 vector;
	bool has_error;
	u32 error;
};

/**
 * struct mv_arch_ops - what a vendor backend provides
 *
 * Generic code keeps the architectural state it reasons about (GPRs, RIP,
 * RFLAGS, the guest's view of CR0/CR3/CR4/EFER, pending events) in struct
 * mv_vcpu; the backend owns everything else (segments, descriptor tables,
 * MSR state kept in its control block) and the world switch.
 */
struct mv_arch_ops {
	const char *name;
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
	/* Load the hardware CR0/CR3/CR4/EFER the MMU chose. */
	void (*set_hw_cr)(struct mv_vcpu *vcpu, u64 cr0, u64 cr3, u64 cr4,
			  u64 efer);
	/* Flush the vCPU's guest TLB (MV_FLUSH_*) before the next entry. */
	void (*flush_tlb)(struct mv_vcpu *vcpu, int kind);
	/* Flush one linear address's translation before the next entry. */
	void (*flush_gva)(struct mv_vcpu *vcpu, u64 gva);
	void (*inject_event)(struct mv_vcpu *vcpu, const struct mv_event *ev);
	bool (*interrupt_shadow)(struct mv_vcpu *vcpu);
	/* Ask for MVX_IRQ_WINDOW as soon as the guest can take one. */
	void (*set_irq_window)(struct mv_vcpu *vcpu, bool on);
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
extern unsigned int mv_max_vms;
extern unsigned int mv_max_guest_mem_mb;
extern unsigned int mv_max_mmu_pages;
extern bool mv_mmu_unsync;
extern atomic_long_t mv_guest_pages;	/* all VMs */
extern atomic_long_t mv_mmu_pages;	/* all VMs */
/* World switches made while another hypervisor had the hardware on. */
extern atomic_long_t mv_foreign_flushes;

/* svm.c, vmx.c */
extern const struct mv_arch_ops mv_svm_ops;
extern const struct mv_arch_ops mv_vmx_ops;
bool mv_svm_present(void);
bool mv_vmx_present(void);

/* dev.c */
int mv_dev_init(void);
void mv_dev_exit(void);

/* netlink.c */
int mv_netlink_init(void);
void mv_netlink_exit(void);
void mv_nl_event(struct mv_vm *vm, u8 cmd);
void mv_nl_share_event(void);

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
/* The same, private and so writable (share.c: copy-on-write). */
struct page *mv_mem_page_w(struct mv_vm *vm, u64 gfn);
int mv_mem_copy(struct mv_vm *vm, u64 gpa, void *buf, u64 len, bool write);
int mv_mem_copy_user(struct mv_vm *vm, u64 gpa, void __user *buf, u64 len,
		     bool write);

/* mmu.c: shadow paging */
struct mv_sp;
struct mv_mmu_state;
struct mv_pte_list_desc;

struct mv_mmu_vm {
	spinlock_t lock;		/* everything below, and the tables */
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

/* Kinds of TLB flush a vCPU may owe (bits of mv_mmu_vcpu.flush_req). */
#define MV_FLUSH_ALL		1
#define MV_FLUSH_NONGLOBAL	2

#define MV_MMU_CACHE	8

struct mv_mmu_vcpu {
	struct mv_sp *root;		/* long mode: the PML4 shadow page */
	u64 *pae_root;			/* other modes: 4 PDPTEs, below 4 GiB */
	u64 root_pa;			/* what the hardware CR3 gets */
	bool root_valid;
	u64 hw_cr0, hw_cr4, hw_efer;
	/* Filled before taking the MMU lock, used under it. */
	struct mv_sp *sp_cache[MV_MMU_CACHE];
	int nr_sp_cache;
	struct mv_pte_list_desc *desc_cache[MV_MMU_CACHE];
	int nr_desc_cache;
	atomic_t flush_req;		/* flush our TLB before entering */
	atomic_t exits;			/* bumped on every exit */
};

int mv_mmu_init(void);
void mv_mmu_exit(void);
int mv_mmu_vm_init(struct mv_vm *vm);
void mv_mmu_vm_free(struct mv_vm *vm);
int mv_mmu_vcpu_init(struct mv_vcpu *vcpu);
void mv_mmu_vcpu_free(struct mv_vcpu *vcpu);
/* Before entry, IRQs off: apply a pending TLB flush. */
void mv_mmu_prepare_entry(struct mv_vcpu *vcpu);
/* Guest CR0/CR4/EFER changed: choose the hardware values, drop the root. */
void mv_mmu_reset(struct mv_vcpu *vcpu);
/* Before entry: make sure a root exists; 0 or -ENOMEM. */
int mv_mmu_load(struct mv_vcpu *vcpu);
/*
 * A #PF exit.  Returns 0 when handled (retry the instruction, or a fault
 * was queued for the guest), 1 when the address is not RAM (emulate it as
 * MMIO; *gpa filled), 2 when struct mv_run was filled for userspace
 * (internal error), or -errno.
 */
int mv_mmu_page_fault(struct mv_vcpu *vcpu, u64 addr, u32 error, u64 *gpa);
/* The guest loaded CR3: sync unsync tables, switch roots, flush. */
void mv_mmu_new_cr3(struct mv_vcpu *vcpu);
/* Read the PDPTEs of a PAE CR3; -EINVAL when reserved bits are set. */
int mv_mmu_load_pdptrs(struct mv_vcpu *vcpu, u64 cr3);
void mv_mmu_sync_unsync(struct mv_vcpu *vcpu);
/* The VMM wrote guest page @gfn. */
void mv_mmu_gfn_written(struct mv_vm *vm, u64 gfn);
/* Under the MMU lock: drop, or point at @page read-only, @gfn's mappings. */
void mv_rmap_drop(struct mv_vm *vm, u64 gfn);
void mv_rmap_retarget(struct mv_vm *vm, u64 gfn, struct page *page);
bool mv_rmap_write_protect(struct mv_vm *vm, u64 gfn);
bool mv_rmap_test_and_clear_young(struct mv_vm *vm, u64 gfn);
/* Make every vCPU drop stale translations before it runs again. */
void mv_mmu_flush_remote(struct mv_vm *vm);
/* Flush unless what generation @gen owes was flushed already. */
void mv_mmu_flush_to(struct mv_vm *vm, u64 gen);
/* INVLPG of @gva by the guest. */
void mv_mmu_invlpg(struct mv_vcpu *vcpu, u64 gva);
/*
 * Translate a linear address for the emulator.  0; -EFAULT after queueing
 * the #PF the guest must see; -ERANGE after reporting an internal error
 * (a guest table outside RAM: exit to userspace); -ENOMEM.
 */
int mv_mmu_gva_to_gpa(struct mv_vcpu *vcpu, u64 gva, u32 access, u64 *gpa);

/* decode.c: declared in decode.h (struct mv_insn and the decoder) */

/* emulate.c: MMIO, CR/DR moves, INVLPG, skipping an instruction */
/* Emulate the MMIO access of @insn at @gpa; 0, 1 (exit to user) or -errno. */
int mv_emulate_mmio(struct mv_vcpu *vcpu, u64 gpa);
void mv_emulate_mmio_complete(struct mv_vcpu *vcpu);
int mv_emulate_cr_dr(struct mv_vcpu *vcpu);
/* Emulate a MOV store to guest RAM at @gpa: 0, or 1 after an internal error. */
int mv_emulate_store(struct mv_vcpu *vcpu, u64 gpa);
int mv_emulate_invlpg(struct mv_vcpu *vcpu);
int mv_skip_insn(struct mv_vcpu *vcpu);
/* The instruction at RIP (accessing @gpa) cannot be emulated: tell userspace. */
void mv_emulation_failed(struct mv_vcpu *vcpu, u64 gpa);
u64 mv_seg_base(struct mv_vcpu *vcpu, enum mv_seg seg);
bool mv_long_mode_cs(struct mv_vcpu *vcpu);

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
#define mv_guest_has_fxsr(v)	mv_guest_has(v, 1, MV_CPUID_EDX, 24)
#define mv_guest_has_nx(v)	mv_guest_has(v, 0x80000001, MV_CPUID_EDX, 20)
#define mv_guest_has_lm(v)	mv_guest_has(v, 0x80000001, MV_CPUID_EDX, 29)
#define mv_guest_has_syscall(v)	mv_guest_has(v, 0x80000001, MV_CPUID_EDX, 11)
#define mv_guest_has_gbpages(v)	mv_guest_has(v, 0x80000001, MV_CPUID_EDX, 26)
#define mv_guest_has_smep(v)	mv_guest_has(v, 7, MV_CPUID_EBX, 7)
#define mv_guest_has_smap(v)	mv_guest_has(v, 7, MV_CPUID_EBX, 20)
#define mv_guest_has_fsgsbase(v) mv_guest_has(v, 7, MV_CPUID_EBX, 0)
u8 mv_guest_maxphyaddr(struct mv_vcpu *vcpu);

/* share.c: content-based page sharing */
struct mv_share_stats {
	u64 frames, sharing;		/* frames with 2+ users; their users */
	u64 merges, zero_merges, cow_breaks, volatile_pages, collisions;
	u64 hints, full_scans, scanned, cpu_ns;
	/* Filled in by mv_share_get_stats() */
	u64 zero, guest_pages, host_pages;
};

extern bool mv_share_enabled;
extern unsigned int mv_share_scan_pages, mv_share_interval_ms;
extern unsigned int mv_share_hash_bits;
int mv_share_init(void);
void mv_share_exit(void);
void mv_share_release(struct mv_vm *vm, struct page *page);
void mv_share_forget_vm(struct mv_vm *vm);
void mv_share_forget_gfn(struct mv_vm *vm, u64 gfn);
int mv_share_set_domain(struct mv_vm *vm, u32 domain);
int mv_share_set_policy(u32 domain, enum mv_share_policy pol);
struct mv_share_rule {
	u32 domain;
	enum mv_share_policy policy;
};

unsigned int mv_share_get_rules(struct mv_share_rule *rules, unsigned int max);
void mv_share_get_stats(struct mv_share_stats *st);
void mv_share_kick(void);

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

extern bool mv_balloon_auto;
extern unsigned int mv_balloon_tax_pct, mv_balloon_floor_pct;
extern unsigned int mv_balloon_free_target_mb;

struct mv_balloon_policy_stats {
	bool pressure;
	u64 reclaimed, raises, releases, shrinker_calls;
};

/* vm.c */
struct mv_vm {
	struct kref ref;
	u32 id;
	char name[MV_VM_NAME_LEN];
	pid_t pid;
	char comm[TASK_COMM_LEN];
	struct mv_mem mem;
	struct mv_mmu_vm mmu;
	u32 share_domain;
	struct list_head share_hints;	/* under the share lock */
	bool dying;			/* memory about to be freed */
	bool share_recheck;		/* unsharing ran out of memory */
	struct mv_balloon balloon;

	struct mutex lock;		/* vCPU creation, state changes */
	/* Held for reading by every ioctl; for writing by destroy. */
	struct rw_semaphore alive;
	int state;			/* enum mv_vm_state */
	char crash_reason[64];
	wait_queue_head_t state_wq;	/* pause/resume/destroy */

	struct mv_vcpu *vcpus[MV_MAX_VCPUS];
	unsigned int nr_vcpus;
};

/* Entries were downgraded or removed: a flush is owed.  Under the lock. */
static inline void mv_mmu_dirty(struct mv_vm *vm)
{
	lockdep_assert_held(&vm->mmu.lock);
	vm->mmu.flush_gen++;
}

int mv_vm_init(void);
void mv_vm_exit(void);
unsigned int mv_vm_count(void);
int mv_vm_create(const struct mv_vm_config __user *ucfg);
/* Takes a reference; NULL when no such VM.  mv_vm_put() drops it. */
struct mv_vm *mv_vm_get_by_id(u32 id);
/* The first VM with id >= *id, referenced; *id set to its id. */
struct mv_vm *mv_vm_get_next(u32 *id);
void mv_vm_put(struct mv_vm *vm);
int mv_vm_pause(struct mv_vm *vm, bool pause);
int mv_vm_destroy(struct mv_vm *vm);
void mv_vm_crashed(struct mv_vm *vm, const char *reason);
void mv_vm_exits(struct mv_vm *vm, u64 *stats);

/* vcpu.c */
enum mv_vcpu_mode { MV_OUTSIDE_GUEST, MV_IN_GUEST };

struct mv_vcpu {
	struct mv_vm *vm;
	unsigned int index;
	struct mutex mutex;		/* one ioctl at a time */
	int srcu_idx;			/* our mv_srcu read side, under mutex */
	struct mv_run *run;
	struct task_struct *task;	/* in MV_RUN, else NULL */
	int mode;			/* enum mv_vcpu_mode */
	wait_queue_head_t wq;		/* halt */

	u64 regs[MV_NR_GPRS];
	u64 rip, rflags;
	u64 cr0, cr2, cr3, cr4, efer;	/* as the guest sees them */
	u64 pdptrs[4];			/* PAE: latched at CR3 load */
	u64 pat;
	u64 dr[4], dr6, dr7;

	struct mv_cpuid_entry *cpuid;
	unsigned int cpuid_nent;

	struct mv_event reinject;	/* interrupted by the last exit */
	struct mv_event exc;		/* exception to deliver */
	bool event_programmed;		/* in the hardware, not yet entered */
	bool triple_fault;
	spinlock_t irq_lock;		/* irq_pending and irq_vector */
	bool irq_pending;
	u8 irq_vector;
	bool balloon_irq;		/* the balloon target changed */
	bool halted;

	struct mv_exit exit;
	/* What the next MV_RUN must finish first. */
	enum { MV_PENDING_NONE, MV_PENDING_IO_IN, MV_PENDING_INS,
	       MV_PENDING_OUTS, MV_PENDING_MMIO_READ } pending;
	struct mv_insn insn;		/* the instruction being emulated */
	u64 mmio_gpa;

	struct fpu_guest gfpu;
	struct mv_mmu_vcpu mmu;
	u64 stats[__MV_STAT_COUNT];
	void *arch;
};

/* An interrupt waits: the VMM's or the balloon's. */
static inline bool mv_vcpu_irq_pending(struct mv_vcpu *vcpu)
{
	return READ_ONCE(vcpu->irq_pending) || READ_ONCE(vcpu->balloon_irq);
}

int mv_vcpu_create(struct mv_vm *vm, unsigned long index);
long mv_get_default_cpuid(struct mv_cpuid __user *ucpuid);
void mv_vcpu_free(struct mv_vcpu *vcpu);
void mv_vcpu_kick(struct mv_vcpu *vcpu);

int mv_balloon_init(struct mv_vm *vm);
void mv_balloon_free(struct mv_vm *vm);
u64 mv_balloon_target(struct mv_vm *vm);
u64 mv_balloon_pages(struct mv_vm *vm);
void mv_balloon_reset(struct mv_vm *vm);
void mv_balloon_notify(struct mv_vm *vm);
void mv_balloon_set(struct mv_vm *vm, u64 mem_pages);
void mv_balloon_touched(struct mv_vm *vm, u64 gfn);
s64 mv_balloon_hypercall(struct mv_vcpu *vcpu, u64 nr, u64 a0, u64 a1);
int mv_pressure_init(void);
void mv_pressure_exit(void);
void mv_pressure_kick(void);
void mv_pressure_get_stats(struct mv_balloon_policy_stats *st);

void mv_queue_exception(struct mv_vcpu *vcpu, u8 vector, bool has_error,
			u32 error);
void mv_queue_pf(struct mv_vcpu *vcpu, u64 addr, u32 error);
/* exit.c */
int mv_handle_exit(struct mv_vcpu *vcpu);
int mv_complete_pending(struct mv_vcpu *vcpu);
u64 mv_cr4_allowed(struct mv_vcpu *vcpu);
u64 mv_efer_allowed(struct mv_vcpu *vcpu);
int mv_set_cr0(struct mv_vcpu *vcpu, u64 val);
int mv_set_cr3(struct mv_vcpu *vcpu, u64 val);
int mv_set_cr4(struct mv_vcpu *vcpu, u64 val);
int mv_set_efer(struct mv_vcpu *vcpu, u64 val);
void mv_internal_error(struct mv_vcpu *vcpu, u32 suberror, unsigned int n,
		       const u64 *data);

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

/* x86 architectural bits the generic code checks. */
#define MV_CR0_PE	BIT_ULL(0)
#define MV_CR0_MP	BIT_ULL(1)
#define MV_CR0_EM	BIT_ULL(2)
#define MV_CR0_TS	BIT_ULL(3)
#define MV_CR0_ET	BIT_ULL(4)
#define MV_CR0_NE	BIT_ULL(5)
#define MV_CR0_WP	BIT_ULL(16)
#define MV_CR0_AM	BIT_ULL(18)
#define MV_CR0_NW	BIT_ULL(29)
#define MV_CR0_CD	BIT_ULL(30)
#define MV_CR0_PG	BIT_ULL(31)

#define MV_EFER_SCE	BIT_ULL(0)
#define MV_EFER_LME	BIT_ULL(8)
#define MV_EFER_LMA	BIT_ULL(10)
#define MV_EFER_NXE	BIT_ULL(11)

#define MV_RFLAGS_IF	BIT_ULL(9)
#define MV_RFLAGS_DF	BIT_ULL(10)
#define MV_RFLAGS_VM	BIT_ULL(17)

#define MV_PF_PRESENT	BIT(0)
#define MV_PF_WRITE	BIT(1)
#define MV_PF_USER	BIT(2)
#define MV_PF_RSVD	BIT(3)
#define MV_PF_FETCH	BIT(4)

#define MV_VEC_DE	0
#define MV_VEC_DB	1
#define MV_VEC_NMI	2
#define MV_VEC_UD	6
#define MV_VEC_DF	8
#define MV_VEC_TS	10
#define MV_VEC_NP	11
#define MV_VEC_SS	12
#define MV_VEC_GP	13
#define MV_VEC_PF	14
#define MV_VEC_MC	18

static inline bool mv_is_paging(struct mv_vcpu *vcpu)
{
	return vcpu->cr0 & MV_CR0_PG;
}

static inline bool mv_is_long_mode(struct mv_vcpu *vcpu)
{
	return vcpu->efer & MV_EFER_LMA;
}

/* hypercall.c */
void mv_hypercall(struct mv_vcpu *vcpu);

#endif /* _MV_MINIVISOR_H */
