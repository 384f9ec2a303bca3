// SPDX-License-Identifier: GPL-2.0
/*
 * Page sharing against KSM, in the same boot: the same workload (share64,
 * as make demo runs it) in minivisor VMs and in KVM VMs whose memory is
 * MADV_MERGEABLE.  Each run fills the guests with the scanner off, then
 * turns it on and samples: pages saved at convergence (as a share of the
 * workload's measured ideal), the time to reach 90% of the ideal, and the
 * scanner's CPU time per page over three complete passes.
 *
 * Rates: each at its defaults (minivisor 256 pages / 20 ms, KSM 100 / 20
 * ms), and KSM at minivisor's default rate (matched).
 *
 * Each side's ideal is measured on its own VMs (KVM's hold a few more
 * pages: transparent huge pages back part of their memory), so the saved
 * figures compare as percentages of the ideal.  KSM's pages per pass are
 * the pages it tracks (it counts no scanned pages in this kernel).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mvbench.h"
#include "sharewl.h"

#define VMS		4
#define MEM_MIB		32
#define TIMEOUT_S	300
#define PASSES		3

struct share_result {
	uint64_t ideal, saved;
	double t90;		/* seconds; < 0: never reached */
	double cpu_per_page;	/* ns */
};

static int sample(enum tvm_kind kind, struct share_sample *s)
{
	return kind == TVM_MV ? share_sample_mv(s) : share_sample_ksm(s);
}

static int scanner(enum tvm_kind kind, bool on, uint32_t pages, uint32_t ms)
{
	if (kind == TVM_MV)
		return share_set_mv(on, pages, ms);
	if (on)
		return ksm_write("pages_to_scan", pages) ||
		       ksm_write("sleep_millisecs", ms) || ksm_write("run", 1);
	/* Off: unmerge everything left from before, then stop. */
	return ksm_write("run", 2) || ksm_write("run", 0);
}

static int share_run(enum tvm_kind kind, uint32_t pages, uint32_t ms,
		     struct share_result *r)
{
	const char *who = kind == TVM_MV ? "minivisor" : "KSM";
	uint64_t per_vm = ((uint64_t)MEM_MIB << 20) - SHARE_BASE;
	struct wl_params p = {
		.kind = kind, .vms = VMS, .mem = (uint64_t)MEM_MIB << 20,
		.image = per_vm / 4096 * 48 / 100, .unique = per_vm / 4096 * 16 / 100,
		.zero = per_vm / 4096 * 32 / 100,
		.volatile_pages = per_vm / 4096 * 2 / 100,
		.test = S_FILL, .round_ms = 200, .mergeable = true,
		.name = "bench",
	};
	struct share_sample s, first = { 0 }, last = { 0 };
	uint64_t scanned = 0, last_fs, passes = 0;
	double t0;
	struct wl w;

	memset(r, 0, sizeof(*r));
	r->t90 = -1;
	if (scanner(kind, false, pages, ms)) {
		fprintf(stderr, "mvbench: cannot stop the %s scanner\n", who);
		return -1;
	}
	if (wl_start(&w, &p)) {
		fprintf(stderr, "mvbench: %s workload: %s\n", who, w.err);
		return -1;
	}
	r->ideal = w.ideal;
	if (scanner(kind, true, pages, ms) || sample(kind, &s)) {
		fprintf(stderr, "mvbench: cannot start the %s scanner\n", who);
		wl_kill(&w);
		return -1;
	}
	t0 = s.t;
	last_fs = s.full_scans;
	for (;;) {
		usleep(100000);
		if (sample(kind, &s))
			break;
		if (r->t90 < 0 && s.saved * 10 >= r->ideal * 9)
			r->t90 = s.t - t0;
		if (s.full_scans != last_fs) {
			/* A pass ended: the window runs from the first such end. */
			if (!first.t) {
				first = s;
			} else {
				passes += s.full_scans - last_fs;
				/* KSM counts no pages; a pass is what it tracks. */
				scanned += kind == TVM_MV ? s.scanned - last.scanned :
					   (s.full_scans - last_fs) * s.tracked;
			}
			/* Converged: the last pass gained nothing, and enough passes. */
			if (passes >= PASSES && s.saved == last.saved && r->t90 >= 0)
				break;
			last = s;
			last_fs = s.full_scans;
		}
		if (s.t - t0 > TIMEOUT_S) {
			fprintf(stderr, "mvbench: %s did not converge in %d s (%llu of %llu pages saved)\n",
				who, TIMEOUT_S, (unsigned long long)s.saved,
				(unsigned long long)r->ideal);
			break;
		}
	}
	r->saved = s.saved;
	if (scanned && s.cpu_ns > 0 && first.cpu_ns > 0)
		r->cpu_per_page = (double)(s.cpu_ns - first.cpu_ns) / scanned;
	fprintf(stderr, "%s at %u pages / %u ms: ideal %llu, saved %llu, 90%% after %.1f s, %.0f ns CPU per page over %llu passes\n",
		who, pages, ms, (unsigned long long)r->ideal,
		(unsigned long long)r->saved, r->t90, r->cpu_per_page,
		(unsigned long long)passes);
	wl_kill(&w);
	scanner(kind, false, pages, ms);
	return r->t90 >= 0 && r->cpu_per_page > 0 ? 0 : -1;
}

static void line(const char *name, double mv, const char *ref, double v,
		 const char *unit)
{
	printf("BENCH %s minivisor=%.2f %s=%.2f ratio=%.2f unit=%s\n", name, mv,
	       ref, v, v ? mv / v : 0, unit);
}

int bench_sharing(long ksm_pages, long ksm_ms)
{
	struct share_result mv, ksm, ksm_matched;
	int ret = 0;

	if (ksm_pages <= 0 || ksm_ms <= 0) {
		printf("# share: no KSM in this kernel (/sys/kernel/mm/ksm)\n");
		return -1;
	}
	ret |= share_run(TVM_KVM, ksm_pages, ksm_ms, &ksm);
	ret |= share_run(TVM_KVM, 256, 20, &ksm_matched);
	ret |= share_run(TVM_MV, 256, 20, &mv);
	ksm_write("pages_to_scan", ksm_pages);
	ksm_write("sleep_millisecs", ksm_ms);
	if (ret) {
		printf("# share: a run failed; no figures\n");
		return -1;
	}
	printf("# share: %d VMs of %d MiB each; KSM's defaults %ld pages / %ld ms, matched: minivisor's 256 / 20\n",
	       VMS, MEM_MIB, ksm_pages, ksm_ms);
	printf("# share: saved pages (of the ideal): minivisor %llu (%llu), KSM default %llu (%llu), KSM matched %llu (%llu)\n",
	       (unsigned long long)mv.saved, (unsigned long long)mv.ideal,
	       (unsigned long long)ksm.saved, (unsigned long long)ksm.ideal,
	       (unsigned long long)ksm_matched.saved,
	       (unsigned long long)ksm_matched.ideal);
	line("share-saved-pct-of-ideal-default", 100.0 * mv.saved / mv.ideal,
	     "ksm", 100.0 * ksm.saved / ksm.ideal, "%");
	line("share-saved-pct-of-ideal-matched", 100.0 * mv.saved / mv.ideal,
	     "ksm", 100.0 * ksm_matched.saved / ksm_matched.ideal, "%");
	line("share-time-to-90pct-default", mv.t90, "ksm", ksm.t90, "s");
	line("share-time-to-90pct-matched", mv.t90, "ksm", ksm_matched.t90, "s");
	line("share-cpu-per-page-default", mv.cpu_per_page, "ksm",
	     ksm.cpu_per_page, "ns");
	line("share-cpu-per-page-matched", mv.cpu_per_page, "ksm",
	     ksm_matched.cpu_per_page, "ns");
	return 0;
}
