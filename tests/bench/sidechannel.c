// SPDX-License-Identifier: GPL-2.0
/*
 * The page-sharing timing side channel, measured (a figure, never a
 * pass/fail on timing).  A victim VM holds SC_PAGES pages (its VMM wrote
 * them); an attacker VM (share64 S_TIMING) holds the same contents - its
 * guesses - and as many pages of its own.  Once the scanner has had its
 * passes, the attacker times one write to each page with RDTSC: a write
 * to a guessed page the victim really holds is a copy-on-write break (an
 * exit, a copy), a write to its own page is a store.  Medians of each,
 * in microseconds of the emulated CPU:
 *
 *   BENCH dedup-sidechannel-<setup> minivisor=<guessed> private=<own> ratio=<r> unit=us
 *
 * for three setups: both VMs in one domain with the default policy
 * (all), both in a zero-only domain, and the two in separate domains.
 * The last two should show no difference.  That the sharing happened
 * (the attacker's pages_shared is SC_PAGES with "all", 0 otherwise) is
 * checked: a run where it did not fails the bench.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvbench.h"
#include "mvnl.h"
#include "sharewl.h"

#define SC_PAGES	256
#define SC_MEM		(16ull << 20)
#define SC_ATTACKER	7	/* share64's VM index: its own pages' seed */

static uint64_t host_tsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* TSC ticks per microsecond (the guest's TSC runs at the host's rate). */
static double tsc_per_us(void)
{
	double t0 = wl_now(), t1;
	uint64_t c0 = host_tsc(), c1;

	usleep(300000);
	c1 = host_tsc();
	t1 = wl_now();
	return (c1 - c0) / ((t1 - t0) * 1e6);
}

struct policy_args {
	uint32_t domain, policy;
};

static int build_policy(struct nl_msg *msg, void *arg)
{
	struct policy_args *a = arg;

	return nla_put_u32(msg, MV_A_SHARE_DOMAIN_ID, a->domain) ||
	       nla_put_u32(msg, MV_A_SHARE_DOMAIN_POLICY, a->policy);
}

static int set_policy(uint32_t domain, uint32_t policy)
{
	struct policy_args a = { domain, policy };
	struct mvnl nl;
	int ret = mvnl_open(&nl);

	if (ret)
		return ret;
	ret = mvnl_request(&nl, MV_CMD_SET_SHARE, false, build_policy, &a, NULL, NULL);
	if (ret)
		fprintf(stderr, "mvbench: sharing policy: %s\n", nl.errmsg);
	mvnl_close(&nl);
	return ret;
}

struct sc_setup {
	const char *name;
	uint32_t attacker_domain, victim_domain;
	uint32_t policy;		/* of the attacker's domain */
};

static const struct sc_setup setups[] = {
	{ "all", 0x5c10, 0x5c10, MV_SHARE_ALL },
	{ "zero-only", 0x5c11, 0x5c11, MV_SHARE_ZERO_ONLY },
	{ "domains", 0x5c12, 0x5c13, MV_SHARE_ALL },
};

/* The victim: the pages the attacker guesses, written by its VMM. */
static int victim_fill(struct tvm *v)
{
	static uint64_t page[512];
	uint64_t i, k;

	for (i = 0; i < SC_PAGES; i++) {
		for (k = 0; k < 512; k++)
			page[k] = share_word(SEED_IMAGE, i, 0, k);
		if (tvm_write(v, SHARE_BASE + i * 4096, page, sizeof(page)))
			return -1;
	}
	return 0;
}

/* Until the scanner made @passes full passes (and, if @want, merged that many). */
static int scan(struct tvm *a, unsigned int passes, uint64_t want,
		uint64_t *shared)
{
	struct share_sample s0, s;
	struct mv_vm_stats st;
	int i;

	if (share_sample_mv(&s0) || share_set_mv(true, 4096, 5))
		return -1;
	for (i = 0; i < 1200; i++) {
		usleep(50000);
		if (share_sample_mv(&s) || tvm_stats(a, &st))
			break;
		*shared = st.pages_shared;
		if (s.full_scans >= s0.full_scans + passes &&
		    (!want || st.pages_shared >= want))
			break;
	}
	return share_set_mv(false, 256, 20);
}

static int sc_run(const struct sc_setup *su, double tsc_us)
{
	static uint64_t deltas[2 * SC_PAGES];
	static double shared_us[SC_PAGES], own_us[SC_PAGES];
	uint64_t args[6] = { SC_ATTACKER, SC_PAGES }, shared = 0, i;
	bool want_shared = su->policy == MV_SHARE_ALL &&
			   su->attacker_domain == su->victim_domain;
	double ms, mo, thr;
	unsigned int right = 0;
	struct tvm v, a;
	enum tvm_exit e;
	int ret = -1;

	memset(&v, 0, sizeof(v));
	memset(&a, 0, sizeof(a));
	v.dev = v.vm = v.vcpu = a.dev = a.vm = a.vcpu = -1;
	if (su->policy != MV_SHARE_ALL && set_policy(su->attacker_domain, su->policy))
		return -1;
	if (share_set_mv(false, 256, 20) ||
	    tvm_create_in(&v, TVM_MV, SC_MEM, "sc-victim", su->victim_domain) ||
	    victim_fill(&v) ||
	    tvm_create_in(&a, TVM_MV, SC_MEM, "sc-attacker", su->attacker_domain) ||
	    tvm_load(&a, "share64") || tvm_args(&a, S_TIMING, args, 6)) {
		fprintf(stderr, "mvbench: dedup %s: cannot set up the VMs\n", su->name);
		goto out;
	}
	e = tvm_run(&a);
	if (e != TVM_EXIT_UCALL || a.uc.cmd != UCALL_SYNC) {
		fprintf(stderr, "mvbench: dedup %s: no SYNC (%s) %s\n", su->name,
			tvm_exit_name(e), a.console);
		goto out;
	}
	/* The scanner's turn: a few passes over both VMs, then it stops. */
	if (scan(&a, 3, want_shared ? SC_PAGES : 0, &shared))
		goto out;
	if (shared != (want_shared ? SC_PAGES : 0)) {
		fprintf(stderr, "mvbench: dedup %s: the attacker has %llu pages shared, not %d\n",
			su->name, (unsigned long long)shared,
			want_shared ? SC_PAGES : 0);
		goto out;
	}
	e = tvm_run(&a);
	if (e != TVM_EXIT_UCALL || a.uc.cmd != UCALL_SYNC || a.uc.args[0] != 2 ||
	    tvm_read(&a, a.uc.args[1], deltas, sizeof(deltas)) ||
	    tvm_run(&a) != TVM_EXIT_UCALL || a.uc.cmd != UCALL_DONE) {
		fprintf(stderr, "mvbench: dedup %s: the timing run failed (%s) %s\n",
			su->name, tvm_exit_name(e), a.console);
		goto out;
	}
	for (i = 0; i < SC_PAGES; i++) {
		shared_us[i] = deltas[i] / tsc_us;
		own_us[i] = deltas[SC_PAGES + i] / tsc_us;
	}
	ms = median(shared_us, SC_PAGES);
	mo = median(own_us, SC_PAGES);
	/* One write per page, told apart at the geometric mean of the medians. */
	thr = sqrt(ms * mo);
	for (i = 0; i < SC_PAGES; i++)
		right += (shared_us[i] > thr) + (own_us[i] <= thr);
	printf("# dedup-sidechannel-%s: attacker pages shared %llu of %d; %d writes each; one write per page tells guessed from own right %.1f%% of the time (50%%: no better than chance)\n",
	       su->name, (unsigned long long)shared, SC_PAGES, SC_PAGES,
	       100.0 * right / (2 * SC_PAGES));
	printf("BENCH dedup-sidechannel-%s minivisor=%.2f private=%.2f ratio=%.2f unit=us\n",
	       su->name, ms, mo, mo > 0 ? ms / mo : 0);
	ret = 0;
out:
	tvm_destroy(&a);
	tvm_destroy(&v);
	if (su->policy != MV_SHARE_ALL)
		set_policy(su->attacker_domain, MV_SHARE_ALL);
	return ret;
}

int bench_sidechannel(void)
{
	double tsc_us = tsc_per_us();
	unsigned int i;
	int ret = 0;

	printf("# dedup side channel: %d pages a victim VM holds, guessed by an attacker VM, against %d of its own; TSC %.1f ticks/us\n",
	       SC_PAGES, SC_PAGES, tsc_us);
	for (i = 0; i < sizeof(setups) / sizeof(setups[0]); i++)
		if (sc_run(&setups[i], tsc_us))
			ret = -1;
	share_set_mv(false, 256, 20);
	return ret;
}
