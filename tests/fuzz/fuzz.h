/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvfuzz: a fuzzer for minivisor's three interfaces (the ioctls of
 * /dev/minivisor and its VM and vCPU descriptors, the "minivisor" generic
 * netlink family, and guests), with KVM (npt=0) in the same boot as the
 * oracle for what guests see.
 *
 * Structure.  Work is split into lanes (ioctl, netlink, netlink as an
 * unprivileged user, guest, differential, race, kill); each lane runs in
 * its own process and numbers its cases 0, 1, 2, ...  A case's input is
 * drawn from a generator seeded by (seed, lane, case) only, so
 * "mvfuzz -s SEED -r LANE:CASE" generates it again.  Lanes keep state
 * between cases (open VMs, a guest VM reused for many runs); where that
 * matters for reproducing a case, the lane says how (ioctl-lane worlds
 * start afresh every FZ_EPOCH cases; a differential divergence is only
 * counted once it repeats on freshly created VMs).
 *
 * Feedback.  After each case a lane asks cov_case_end() whether the case
 * reached kernel code no case reached before (KCOV, when the kernel has
 * /sys/kernel/debug/kcov) and sig_new() whether it showed an outcome not
 * seen before (exit reasons, errnos, extack messages...: cheap, and
 * available on any kernel).  Inputs that did either go to the corpus.
 */
#ifndef MVFUZZ_H
#define MVFUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/minivisor.h>

#include "rng.h"

enum lane {
	L_IOCTL,
	L_NETLINK,
	L_NLUSER,
	L_GUEST,
	L_DIFF,
	L_RACE,
	L_KILL,
	L_NR
};

extern const char *const lane_names[L_NR];

/* ioctl-lane cases share a world of descriptors for this many cases. */
#define FZ_EPOCH	64

/* Known, explained divergences between minivisor and KVM (diff.c). */
enum known_div {
	KD_MV_EMULATION,	/* minivisor cannot emulate an MMIO instruction KVM can */
	KD_MV_PAGE_TABLE,	/* a guest page table outside RAM: minivisor stops, KVM goes on */
	KD_MSR,			/* an MSR one of them implements and the other #GPs */
	KD_KVM_EMULATION,	/* KVM's emulator gives up where minivisor does not */
	KD_HYPERCALL,		/* VMMCALL/VMCALL: each answers its own ABI */
	KD_TIME,		/* one side hit the time or exit budget, the other finished */
	KD_CPUID,		/* CPUID leaves KVM computes itself */
	KD_TCG_FETCH,		/* TCG: a fetch from MMIO / outside RAM */
	KD_SHUTDOWN_STATE,	/* state after a shutdown is undefined */
	KD_KVM_STUCK,		/* KVM makes no progress at an instruction minivisor runs */
	/*
	 * minivisor bugs, reproduced by tests/fuzzfound_test.c: counted
	 * and shown, not failed, until fixed (then drop the class).
	 */
	KD_MV_BUG_RF,		/* no RF in the EFLAGS image of a fault it reflects */
	KD_MV_BUG_TF,		/* no single-step trap after an instruction it completes */
	KD_MV_BUG_STRIO,	/* INS/OUTS whose memory faults (#PF, or #GP/#SS it never
				 * checks for): I/O done, registers advanced */
	KD_MV_BUG_CR0,		/* reserved CR0 bits a MOV to CR0 set are kept */
	KD_MV_BUG_STUCK,	/* spins at an instruction KVM completes (a write into
				 * the page directory that maps it) */
	KD_NR
};

extern const char *const known_names[KD_NR];

struct lane_stat {
	uint64_t cases;
	uint64_t cur_case;
	uint64_t cur_parent;	/* a mutant's parent case + 1; 0: a fresh case */
	uint64_t heartbeat_ms;
	uint64_t ioctls;
	uint64_t netlink;
	uint64_t guest_runs;
	uint64_t differential;
	uint64_t busy_ms;	/* CPU time, for the per-lane rates */
	uint64_t failures;	/* what made this lane fail: faults, violations, divergences */
	int pid;
	int done;	/* the lane returned (MVFUZZ_DIFF_MAX reached): not stuck */
};

#define FZ_MAX_IDS	128
#define FZ_KILL_IDS	FZ_MAX_IDS
#define FZ_SIG_BITS	(1u << 20)
#define FZ_COV_BITS	(1u << 24)

struct fz_shared {
	struct lane_stat lane[L_NR];
	uint64_t divergences;
	uint64_t known;
	uint64_t known_class[KD_NR];
	uint64_t nondet;	/* a side did not repeat itself */
	uint64_t history;	/* gone on fresh VMs: left over from earlier cases */
	uint64_t rejected;	/* a state one side refused to load */
	uint64_t host_faults;
	uint64_t api_violations;
	uint64_t fuzzer_errors;
	uint64_t main_faults;	/* failures seen by the orchestrator itself */
	uint64_t log_faults;	/* bad kernel log lines during the run */
	uint64_t sig_new;
	uint64_t cov_new;
	uint64_t corpus_saved;
	uint64_t mutants;	/* guest inputs made by mutation (KCOV mode) */
	uint64_t cov_edges;	/* distinct edges (hashed) KCOV saw */
	uint64_t kills;
	uint64_t races;
	/* VM IDs the netlink lanes leave alone (guest and differential VMs). */
	uint32_t protected_ids[FZ_MAX_IDS];
	/* VM IDs they may pause, resume, destroy and change. */
	uint32_t exposed_ids[FZ_MAX_IDS];
	/* guest outcomes: [lane is diff][enum outcome], count and time */
	uint64_t outcomes[2][16];
	uint64_t outcome_us[2][16];
	/* VM IDs of the kill lane's VMM of the moment */
	uint32_t kill_ids[FZ_KILL_IDS];
	int stop;
	uint8_t sigmap[FZ_SIG_BITS / 8];
	uint8_t covmap[FZ_COV_BITS / 8];
};

extern struct fz_shared *fz;
extern struct lane_stat *my;	/* this process's lane */
extern enum lane my_lane;
extern uint64_t fz_seed;
extern int fz_verbose;
extern const char *fz_corpus_dir;
extern bool fz_kvm;		/* KVM is there for the differential lane */
extern bool fz_mutant;		/* this lane's case is a mutant (guide.c) */

static inline void fz_add(uint64_t *p, uint64_t n)
{
	__atomic_fetch_add(p, n, __ATOMIC_RELAXED);
}

static inline uint64_t fz_get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline bool fz_stopping(void)
{
	return __atomic_load_n(&fz->stop, __ATOMIC_RELAXED);
}

uint64_t now_ms(void);
uint64_t now_us(void);
void fz_heartbeat(void);

/* One line to stdout in one write (lanes print concurrently). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A host fault: counted, printed with the case that saw it. */
void host_fault(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The module broke a promise its uapi header makes. */
void api_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The fuzzer itself went wrong (counted, fails the run). */
void fuzzer_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Counted wrappers: every minivisor ioctl and netlink message. */
long fz_ioctl(int fd, unsigned long cmd, unsigned long arg);
#define FZ_IOCTL(fd, cmd, arg) fz_ioctl((fd), (cmd), (unsigned long)(arg))

/* Protected/exposed VM IDs for the netlink lanes. */
void ids_add(uint32_t *set, uint32_t id);
void ids_del(uint32_t *set, uint32_t id);
bool ids_has(const uint32_t *set, uint32_t id);
uint32_t ids_pick(struct rng *r, const uint32_t *set);

/*
 * Per-thread timers for MV_RUN: a signal (no SA_RESTART) every @ms
 * milliseconds interrupts a run, so no thread waits forever on a guest.
 */
int run_timer_init(void);
void run_timer_arm(unsigned int ms);
void run_timer_disarm(void);

/*
 * Reads of memory that may vanish under us (a run page another thread
 * unmaps): run @fn(@arg) with SIGSEGV/SIGBUS caught; false if it faulted.
 */
bool probe_mem(void (*fn)(void *), void *arg);
void fault_guard_init(void);

/* ---- coverage feedback and corpus (cov.c) ---- */

struct cov;
/* Per thread that runs cases; never NULL (a blind backend without KCOV). */
struct cov *cov_thread_init(void);
void cov_case_begin(struct cov *c);
/*
 * The hook for coverage guidance: true when the case run since
 * cov_case_begin() reached kernel code (KCOV edges) no earlier case of
 * this run reached.  Always false without KCOV (the stock kernel).
 */
bool cov_case_end(struct cov *c);
const char *cov_backend(void);
/* KCOV works in this process: the guest lanes mutate what reached new code. */
bool cov_guided(void);
/* A cheap outcome signature: true the first time @sig is seen. */
bool sig_new(uint64_t sig);
uint64_t sig_hash(const void *p, size_t n, uint64_t h);
/* Keep an input worth keeping: DIR/<lane>-<seed>-<case>.<why>. */
void corpus_save(enum lane lane, uint64_t nr, const char *why,
		 const void *input, size_t len);

/* ---- lanes ---- */
void lane_ioctl(void);
void lane_netlink(bool unprivileged);
void lane_guest(void);
void lane_diff(void);
void lane_race(void);
void lane_kill(void);

/* Run one case of a lane by itself (replay); returns 0 or 1 (bad). */
int replay_case(enum lane lane, uint64_t nr);
int replay_ioctl(uint64_t nr);
int replay_netlink(uint64_t nr, bool unprivileged);
int replay_guest(uint64_t nr);
int replay_diff(uint64_t nr);
int replay_race(uint64_t nr);
int replay_kill(uint64_t nr);
/* mvfuzz -f FILE: a guest input saved in the corpus. */
int replay_file(const char *path);

/* The case a lane works on, for reports: "diff:1234". */
const char *case_name(enum lane lane, uint64_t nr);

/* ---- netlink helpers (nl.c), used by other lanes too ---- */
int nl_family(void);
int nl_open(void);
/* Send one request for @cmd with a u32 VM ID (0: none); 0 or -errno. */
int nl_vm_cmd(int fd, uint8_t cmd, uint32_t id);
/* Drain whatever waits on @fd; returns the messages read. */
int nl_drain(int fd);

/* ---- module state (mvfuzz.c) ---- */
struct mv_info {
	uint64_t nr_vms, guest_pages, mmu_pages;
};
int mv_get_info(struct mv_info *info);

#endif
