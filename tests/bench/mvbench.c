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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mvtest.h"
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
};

#define MIB (1ull << 20)

static const struct bench benches[] = {
	{ "pio-exit-roundtrip", "bench32", B_PIO, 3000, 4 * MIB, false, false },
	{ "cpuid-exit", "bench32", B_CPUID, 6000, 4 * MIB, false, false },
	{ "hypercall-roundtrip", "bench32", B_HYPERCALL, 6000, 4 * MIB, false, false },
	{ "first-touch-fault", "paging64", B_FIRST_TOUCH, 4096, 160 * MIB, true, false },
	{ "context-switch-8x16", "paging64", B_CTXSW, 8 * 40, 160 * MIB, true, false },
	{ "pt-update-invlpg", "paging64", B_PTUPDATE, 3000, 160 * MIB, true, false },
	{ "pt-update-invlpg-wp", "paging64", B_PTUPDATE, 3000, 160 * MIB, true, true },
};

#define NBENCH (sizeof(benches) / sizeof(benches[0]))

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int set_unsync(bool on)
{
	FILE *f = fopen("/sys/module/minivisor/parameters/mmu_unsync", "w");

	if (!f)
		return -1;
	fputs(on ? "Y" : "N", f);
	return fclose(f);
}

/* Microseconds per iteration, or a negative value on failure. */
static double run_once(struct tvm *t, const struct bench *b, uint64_t iters)
{
	uint64_t args[6] = { 3, iters };
	enum tvm_exit e;
	double t0;

	if (!b->paging)
		args[0] = iters;
	else if (b->test == B_CTXSW)
		args[1] = iters / 8;	/* rounds of 8 switches */
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
	}
	t0 = now();
	while ((e = tvm_run(t)) == TVM_EXIT_IO && !t->io.in &&
	       t->io.port == PORT_TEST)
		;
	if (e != TVM_EXIT_UCALL || t->uc.cmd != UCALL_DONE) {
		fprintf(stderr, "mvbench: %s: unexpected %s (cmd %u) %s\n", b->name,
			tvm_exit_name(e), t->uc.cmd, t->console);
		return -1;
	}
	if (getenv("MVBENCH_VERBOSE"))
		fprintf(stderr, "%s: %llu iterations in %.3f s\n", b->name,
			(unsigned long long)iters, now() - t0);
	return (now() - t0) * 1e6 / iters;
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
		qsort(v, REPEAT, sizeof(v[0]), cmp_double);
		return v[REPEAT / 2];
	}
	if (tvm_create(&t, kind, b->mem, "mvbench")) {
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
	qsort(v, REPEAT, sizeof(v[0]), cmp_double);
	return v[REPEAT / 2];
}

int main(int argc, char **argv)
{
	static const char *const refs[] = { "kvm-npt0", "kvm-npt1" };
	double mv[NBENCH], ref[2][NBENCH];
	unsigned int i, r;
	int ret = 0;

	(void)argc;
	(void)argv;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mv_ensure_loaded()) {
		fprintf(stderr, "mvbench: cannot load minivisor\n");
		return 1;
	}
	for (i = 0; i < NBENCH; i++) {
		if (benches[i].wp_mode && set_unsync(false))
			return 1;
		mv[i] = measure(TVM_MV, &benches[i]);
		if (benches[i].wp_mode)
			set_unsync(true);
	}
	for (r = 0; r < 2; r++) {
		if (kvm_amd_unload() || kvm_amd_load(r ? "npt=1" : "npt=0")) {
			fprintf(stderr, "mvbench: cannot load kvm_amd %s\n", refs[r]);
			return 1;
		}
		for (i = 0; i < NBENCH; i++) {
			/* The -wp variant compares against the same KVM run. */
			if (i && benches[i].wp_mode &&
			    !strncmp(benches[i].name, benches[i - 1].name,
				     strlen(benches[i - 1].name)))
				ref[r][i] = ref[r][i - 1];
			else
				ref[r][i] = measure(TVM_KVM, &benches[i]);
		}
	}
	kvm_amd_unload();
	for (i = 0; i < NBENCH; i++) {
		for (r = 0; r < 2; r++) {
			if (mv[i] <= 0 || ref[r][i] <= 0) {
				printf("# %s: no figure (a run failed)\n", benches[i].name);
				ret = 1;
				continue;
			}
			printf("BENCH %s minivisor=%.2f %s=%.2f ratio=%.2f unit=us\n",
			       benches[i].name, mv[i], refs[r], ref[r][i],
			       mv[i] / ref[r][i]);
		}
	}
	return ret;
}
