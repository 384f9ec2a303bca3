// SPDX-License-Identifier: GPL-2.0
/*
 * mvbench - the same guest programs under minivisor and under KVM, in the
 * same boot, timed side by side.  Prints one line per figure:
 *
 *   BENCH <name> minivisor=<v> <reference>=<v> ratio=<minivisor/reference> unit=<u>
 *
 * References: kvm-npt0 (kvm_amd npt=0, KVM's shadow paging) and kvm-npt1
 * (kvm_amd npt=1).  Each figure is the median of several runs.  Only ratios
 * mean anything: absolute times are those of an emulated CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/mman.h>

#include "mvbench.h"
#include "mvtest.h"
#include "sharewl.h"
#include "tvm.h"

#define REPEAT	5

struct bench {
	const char *name;
	const char *guest;
	uint32_t test;
	uint64_t iters;		/* what one figure is divided by */
	uint64_t mem;
	/* Paging benchmarks: count from the guest's SYNC, in a fresh VM. */
	bool paging;
	/* Run minivisor with mmu_unsync off (write-protect every table). */
	bool wp_mode;
	/*
	 * share64 S_TOUCH: under minivisor the pages are made identical and
	 * merged first, so each write is a COW break.  Under KVM they are
	 * fresh (COW_MV: each write a first-touch fault), or merged by KSM
	 * too (COW_BOTH: each write a KSM COW break).
	 */
	int cow;
	/* irq64 benchmarks: an in-kernel irqchip on both sides. */
	bool irqchip;
};

enum { COW_NONE, COW_MV, COW_BOTH };

#define MIB (1ull << 20)

static const struct bench benches[] = {
	{ "pio-exit-roundtrip", "bench32", B_PIO, 3000, 4 * MIB, false, false, COW_NONE, false },
	{ "cpuid-exit", "bench32", B_CPUID, 6000, 4 * MIB, false, false, COW_NONE, false },
	{ "hypercall-roundtrip", "bench32", B_HYPERCALL, 6000, 4 * MIB, false, false, COW_NONE, false },
	{ "first-touch-fault", "paging64", B_FIRST_TOUCH, 4096, 160 * MIB, true, false, COW_NONE, false },
	{ "context-switch-8x16", "paging64", B_CTXSW, 8 * 40, 160 * MIB, true, false, COW_NONE, false },
	{ "pt-update-invlpg", "paging64", B_PTUPDATE, 3000, 160 * MIB, true, false, COW_NONE, false },
	{ "pt-update-invlpg-wp", "paging64", B_PTUPDATE, 3000, 160 * MIB, true, true, COW_NONE, false },
	{ "touch-fresh-pages", "share64", S_TOUCH, 4096, 32 * MIB, true, false, COW_NONE, false },
	{ "cow-break-vs-first-touch", "share64", S_TOUCH, 4096, 32 * MIB, true, false, COW_MV, false },
	{ "cow-break-vs-ksm-cow", "share64", S_TOUCH, 4096, 32 * MIB, true, false, COW_BOTH, false },
	{ "lapic-oneshot-tick", "irq64", IB_ONESHOT, 2000, 64 * MIB, false, false, COW_NONE, true },
	{ "tsc-deadline-tick", "irq64", IB_DEADLINE, 2000, 64 * MIB, false, false, COW_NONE, true },
	{ "self-ipi-eoi", "irq64", IB_SELF_IPI, 2000, 64 * MIB, false, false, COW_NONE, true },
};

#define NBENCH (sizeof(benches) / sizeof(benches[0]))

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static int set_unsync(bool on)
{
	FILE *f = fopen("/sys/module/minivisor/parameters/mmu_unsync", "w");

	if (!f)
		return -1;
	fputs(on ? "Y" : "N", f);
	return fclose(f);
}

static long ksm_default_pages, ksm_default_ms;

/*
 * Let the scanner (minivisor's, or KSM for a KVM guest) merge the guest's
 * @n identical pages into one, then stop it or put it back to defaults.
 */
static int wait_merged(struct tvm *t, uint64_t n)
{
	struct mv_vm_stats st = { 0 };
	uint64_t merged = 0;
	int i;

	if (t->kind == TVM_MV) {
		if (share_set_mv(true, MV_SHARE_MAX_SCAN_PAGES, 1))
			return -1;
	} else if (madvise(t->kvm_mem, t->mem_size, MADV_MERGEABLE) ||
		   ksm_write("pages_to_scan", 10000) ||
		   ksm_write("sleep_millisecs", 1) || ksm_write("run", 1)) {
		fprintf(stderr, "mvbench: cannot start KSM\n");
		return -1;
	}
	for (i = 0; i < 1200 && merged < n; i++) {
		if (t->kind == TVM_MV)
			merged = ioctl(t->vm, MV_GET_VM_STATS, &st) ? 0 : st.pages_shared;
		else
			merged = ksm_read("pages_sharing") + 1;
		usleep(50000);
	}
	/* Stop, keeping what was merged: nothing merges again meanwhile. */
	if (t->kind == TVM_MV) {
		share_set_mv(false, 256, 20);
	} else {
		ksm_write("run", 0);
		ksm_write("pages_to_scan", ksm_default_pages);
		ksm_write("sleep_millisecs", ksm_default_ms);
	}
	if (merged < n) {
		fprintf(stderr, "mvbench: only %llu of %llu pages merged\n",
			(unsigned long long)merged, (unsigned long long)n);
		return -1;
	}
	return 0;
}

#define RUN_LIMIT_S	120

static void on_alarm(int sig)
{
	(void)sig;
}

/* Microseconds per iteration, or a negative value on failure. */
static double run_once(struct tvm *t, const struct bench *b, uint64_t iters)
{
	uint64_t args[6] = { 3, iters };
	enum tvm_exit e;
	double t0;

	if (b->irqchip) {
		args[0] = 0;
		args[1] = iters;
	} else if (!b->paging) {
		args[0] = iters;
	} else if (b->test == B_CTXSW) {
		args[1] = iters / 8;	/* rounds of 8 switches */
	}
	if (b->test == S_TOUCH && !strcmp(b->guest, "share64")) {
		args[0] = 0;
		args[2] = b->cow == COW_BOTH || (b->cow && t->kind == TVM_MV);
	}
	if (tvm_load(t, b->guest) || tvm_args(t, b->test, args, 6))
		return -1;
	if (b->paging) {
		/* Setup runs untimed, up to the guest's SYNC. */
		e = tvm_run(t);
		if (e != TVM_EXIT_UCALL || t->uc.cmd != UCALL_SYNC) {
			fprintf(stderr, "mvbench: %s: no SYNC (%s) %s\n", b->name,
				tvm_exit_name(e), t->console);
			return -1;
		}
		if (args[2] && wait_merged(t, iters))
			return -1;
	}
	t0 = wl_now();
	/* A run that hangs ends on the alarm (EINTR): no figure, not a hang. */
	alarm(RUN_LIMIT_S);
	while ((e = tvm_run(t)) == TVM_EXIT_IO && !t->io.in &&
	       t->io.port == PORT_TEST)
		;
	alarm(0);
	if (e != TVM_EXIT_UCALL || t->uc.cmd != UCALL_DONE) {
		fprintf(stderr, "mvbench: %s: unexpected %s (cmd %u) %s\n", b->name,
			tvm_exit_name(e), t->uc.cmd, t->console);
		return -1;
	}
	if (getenv("MVBENCH_VERBOSE"))
		fprintf(stderr, "%s: %llu iterations in %.3f s\n", b->name,
			(unsigned long long)iters, wl_now() - t0);
	return (wl_now() - t0) * 1e6 / iters;
}

static double measure(enum tvm_kind kind, const struct bench *b)
{
	double v[REPEAT];
	struct tvm t;
	int i;

	if (b->paging) {
		/* A fresh VM each time: first touches must really be first. */
		for (i = 0; i < REPEAT; i++) {
			if (tvm_create(&t, kind, b->mem, "mvbench"))
				return -1;
			v[i] = run_once(&t, b, b->iters);
			tvm_destroy(&t);
			if (v[i] < 0)
				return -1;
		}
		return median(v, REPEAT);
	}
	if (b->irqchip ? tvm_create_irqchip(&t, kind, b->mem, "mvbench", 1) :
			 tvm_create(&t, kind, b->mem, "mvbench")) {
		fprintf(stderr, "mvbench: cannot create a %s VM: %s\n",
			kind == TVM_MV ? "minivisor" : "KVM", strerror(errno));
		return -1;
	}
	/* Warm up: fault in the guest's memory, fill caches. */
	if (run_once(&t, b, b->iters / 10 + 1) < 0) {
		tvm_destroy(&t);
		return -1;
	}
	for (i = 0; i < REPEAT; i++) {
		v[i] = run_once(&t, b, b->iters);
		if (v[i] < 0) {
			tvm_destroy(&t);
			return -1;
		}
	}
	tvm_destroy(&t);
	return median(v, REPEAT);
}

/* mvbench [NAME...]: only the figures whose names start with a NAME. */
static bool wanted(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strncmp(name, argv[i], strlen(argv[i])))
			return true;
	return argc < 2;
}

#define CYCLES	3

/*
 * MVBENCH_AB=/path/to/base/minivisor.ko: this module against that one,
 * in one boot, cycle after cycle (the emulated host's speed drifts less
 * within a boot than between boots).  Exit and paging figures only.
 */
static int bench_ab(const char *base, int argc, char **argv)
{
	static double mv[CYCLES][2][NBENCH];
	double a[CYCLES], b[CYCLES], q[CYCLES];
	unsigned int i, c, k;

	printf("# A/B: this module against %s; median of %d cycles\n", base,
	       CYCLES);
	for (c = 0; c < CYCLES; c++) {
		for (k = 0; k < 2; k++) {
			if (mv_unload() ||
			    mv_load_path(k ? base : MV_KO, NULL) ||
			    share_set_mv(false, 256, 20)) {
				fprintf(stderr, "mvbench: cannot load %s\n",
					k ? base : MV_KO);
				return 1;
			}
			for (i = 0; i < NBENCH; i++) {
				if (!wanted(argc, argv, benches[i].name))
					continue;
				if (benches[i].wp_mode && set_unsync(false))
					return 1;
				mv[c][k][i] = measure(TVM_MV, &benches[i]);
				if (benches[i].wp_mode)
					set_unsync(true);
			}
		}
	}
	for (i = 0; i < NBENCH; i++) {
		if (!wanted(argc, argv, benches[i].name))
			continue;
		for (c = 0; c < CYCLES; c++) {
			a[c] = mv[c][0][i];
			b[c] = mv[c][1][i];
			q[c] = a[c] > 0 && b[c] > 0 ? a[c] / b[c] : 0;
		}
		printf("BENCH %s minivisor=%.2f minivisor-base=%.2f ratio=%.2f unit=us\n",
		       benches[i].name, median(a, CYCLES), median(b, CYCLES),
		       median(q, CYCLES));
	}
	mv_unload();
	return mv_load(NULL) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const char *const refs[] = { "kvm-npt0", "kvm-npt1" };
	static double mv[CYCLES][NBENCH], ref[CYCLES][2][NBENCH];
	double a[CYCLES], b[CYCLES], q[CYCLES];
	unsigned int i, r, c;
	int ret = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = on_alarm }, NULL);
	if (mv_ensure_loaded()) {
		fprintf(stderr, "mvbench: cannot load minivisor\n");
		return 1;
	}
	if (getenv("MVBENCH_AB"))
		return bench_ab(getenv("MVBENCH_AB"), argc, argv);
	/* KSM as the kernel booted, before anything changes it. */
	ksm_default_pages = ksm_read("pages_to_scan");
	ksm_default_ms = ksm_read("sleep_millisecs");
	/*
	 * Exits and faults are timed with page sharing off, as KVM's are
	 * with KSM off (its default); the scanner's own cost is a figure of
	 * its own (share-cpu-per-page).  Minivisor, then KVM npt=0, then
	 * npt=1, three times over: the host's speed drifts, and each ratio
	 * is the median of the three cycles' ratios.
	 */
	if (share_set_mv(false, 256, 20)) {
		fprintf(stderr, "mvbench: cannot switch page sharing off\n");
		return 1;
	}
	printf("# exit and paging figures: page sharing off (KSM off for KVM); median of %d cycles\n",
	       CYCLES);
	if (wanted(argc, argv, "balloon-") && bench_balloon())
		ret = 1;
	for (c = 0; c < CYCLES; c++) {
		for (i = 0; i < NBENCH; i++) {
			if (!wanted(argc, argv, benches[i].name))
				continue;
			if (benches[i].wp_mode && set_unsync(false))
				return 1;
			mv[c][i] = measure(TVM_MV, &benches[i]);
			if (benches[i].wp_mode)
				set_unsync(true);
		}
		for (r = 0; r < 2; r++) {
			if (kvm_amd_unload() || kvm_amd_load(r ? "npt=1" : "npt=0")) {
				fprintf(stderr, "mvbench: cannot load kvm_amd %s\n", refs[r]);
				return 1;
			}
			for (i = 0; i < NBENCH; i++) {
				if (!wanted(argc, argv, benches[i].name))
					continue;
				/* The -wp variant compares against the same KVM run. */
				if (i && benches[i].wp_mode &&
				    !strncmp(benches[i].name, benches[i - 1].name,
					     strlen(benches[i - 1].name)))
					ref[c][r][i] = ref[c][r][i - 1];
				else
					ref[c][r][i] = measure(TVM_KVM, &benches[i]);
			}
		}
	}
	/* kvm_amd (npt=1) is loaded: page sharing against KSM. */
	if (wanted(argc, argv, "share-") &&
	    bench_sharing(ksm_default_pages, ksm_default_ms))
		ret = 1;
	if (wanted(argc, argv, "dedup-") && bench_sidechannel())
		ret = 1;
	kvm_amd_unload();
	share_set_mv(true, 256, 20);
	for (i = 0; i < NBENCH; i++) {
		if (!wanted(argc, argv, benches[i].name))
			continue;
		for (r = 0; r < 2; r++) {
			bool ok = true;

			for (c = 0; c < CYCLES; c++) {
				ok = ok && mv[c][i] > 0 && ref[c][r][i] > 0;
				a[c] = mv[c][i];
				b[c] = ref[c][r][i];
				q[c] = ok ? a[c] / b[c] : 0;
			}
			if (!ok) {
				printf("# %s: no figure (a run failed)\n", benches[i].name);
				ret = 1;
				continue;
			}
			printf("BENCH %s minivisor=%.2f %s=%.2f ratio=%.2f unit=us\n",
			       benches[i].name, median(a, CYCLES), refs[r],
			       median(b, CYCLES), median(q, CYCLES));
		}
	}
	return ret;
}
