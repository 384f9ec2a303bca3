// SPDX-License-Identifier: GPL-2.0
/*
 * Balloon rates: a guest touches 64 MiB of fresh memory, inflates all of
 * it, and deflates it again (balloon64 BL_RATE); each phase is timed from
 * one SYNC to the next (inflating: until the host has the pages back).
 * Giving memory back should cost less than using it: the inflate and
 * deflate rates are printed as ratios to the touch rate.  Minivisor only (KVM has no such balloon); median of five runs.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvbench.h"
#include "mvnl.h"
#include "sharewl.h"

#define PAGES	16384			/* 64 MiB */
#define RUNS	5

static int info_cb(struct nlattr **a, uint8_t cmd, void *arg)
{
	(void)cmd;
	*(uint64_t *)arg = mvnl_u64(a, MV_A_GUEST_PAGES);
	return 0;
}

/* Host pages holding guest memory, all VMs (the module's count); 0 or -1. */
static int host_pages(struct mvnl *nl, uint64_t *pages)
{
	if (!mvnl_request(nl, MV_CMD_GET_INFO, false, NULL, NULL, info_cb, pages))
		return 0;
	fprintf(stderr, "mvbench: balloon: %s\n", nl->errmsg);
	return -1;
}

/*
 * Seconds of touching, inflating and deflating; 0 or -1.  Inflating ends
 * when the host has the pages back (they are freed after a grace period,
 * by a worker), not when the guest's last hypercall returns.
 */
static int run(double *touch, double *inflate, double *deflate)
{
	uint64_t args[2] = { (16 << 20) / 4096, PAGES }, before = 0, now;
	double t[5], deadline;
	struct mvnl nl;
	struct tvm vm;
	int phase, ret = -1;

	if (mvnl_open(&nl)) {
		fprintf(stderr, "mvbench: balloon: %s\n", nl.errmsg);
		return -1;
	}
	if (tvm_create(&vm, TVM_MV, (16 << 20) + PAGES * 4096ull, "mvbench") ||
	    tvm_load(&vm, "balloon64") || tvm_args(&vm, BL_RATE, args, 2))
		goto out;
	for (phase = 1; phase <= 4; phase++) {
		enum tvm_exit e = tvm_run(&vm);

		if (e != TVM_EXIT_UCALL || vm.uc.cmd != UCALL_SYNC ||
		    vm.uc.args[0] != (uint64_t)phase) {
			fprintf(stderr, "mvbench: balloon: phase %d: %s %s (line %u)\n",
				phase, tvm_exit_name(e), vm.uc.msg, vm.uc.line);
			goto out;
		}
		if (phase == 2 && host_pages(&nl, &before))
			goto out;
		for (deadline = wl_now() + 60; phase == 3;) {
			if (host_pages(&nl, &now))
				goto out;
			if (now + PAGES <= before)
				break;
			if (wl_now() > deadline) {
				fprintf(stderr, "mvbench: balloon: the host did not get the pages back\n");
				goto out;
			}
		}
		t[phase] = wl_now();
	}
	*touch = t[2] - t[1];
	*inflate = t[3] - t[2];
	*deflate = t[4] - t[3];
	ret = 0;
out:
	tvm_destroy(&vm);
	mvnl_close(&nl);
	return ret;
}

int bench_balloon(void)
{
	double touch[RUNS], inflate[RUNS], deflate[RUNS], t, in, de;
	double mib = PAGES * 4096.0 / (1 << 20);
	int i;

	for (i = 0; i < RUNS; i++)
		if (run(&touch[i], &inflate[i], &deflate[i]))
			return -1;
	t = median(touch, RUNS);
	in = median(inflate, RUNS);
	de = median(deflate, RUNS);
	printf("BENCH balloon-inflate minivisor=%.1f guest-touch=%.1f ratio=%.2f unit=MiB/s\n",
	       mib / in, mib / t, t / in);
	printf("BENCH balloon-deflate minivisor=%.1f guest-touch=%.1f ratio=%.2f unit=MiB/s\n",
	       mib / de, mib / t, t / de);
	return 0;
}
