// SPDX-License-Identifier: GPL-2.0
/*
 * mvdemo - what page sharing saves, shown on N VMs (make demo).
 *
 *   mvdemo [-n VMS] [-m MIB] [-t SECONDS]
 *
 * Starts VMS guests (share64.bin), each in a process of its own as a VMM
 * would be, whose memory holds a realistic mix: "OS image" pages the same
 * in every VM, data of their own, zero pages and pages they keep
 * rewriting.  The guests keep running (and checking their memory) while
 * the scanner works at its default settings; mvdemo samples the module's
 * figures twice a second and prints a progress line.  Then every VM is
 * asked to balloon its free memory away, and the host's memory drops
 * again.  At the end: a table over time, the series for plotting (SERIES
 * lines), a BALLOON line and the final DEMO line (the sharing figures at
 * convergence).
 *
 * The ideal is measured, not assumed: after filling, each VMM hashes its
 * guest's memory, and ideal = guest pages in use - distinct non-zero
 * page contents among them.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvtest.h"
#include "sharewl.h"

#define MAX_SAMPLES	4096

static double mib(uint64_t pages)
{
	return pages * 4096.0 / (1 << 20);
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0;
}

static void row(const struct share_sample *s, double t0, unsigned int vms,
		uint64_t ideal)
{
	printf("%6.1f %4u %9.1f %9.1f %7llu %8llu %7llu %9.1f %6.1f%% %6.1f%% %11.1f\n",
	       s->t - t0, vms, mib(s->guest_pages), mib(s->host_pages),
	       (unsigned long long)s->frames, (unsigned long long)s->sharing,
	       (unsigned long long)s->zero, mib(s->saved),
	       pct(s->saved, s->guest_pages), pct(ideal, s->guest_pages),
	       mib(s->balloon_pages));
}

static void header(void)
{
	printf("%6s %4s %9s %9s %7s %8s %7s %9s %7s %7s %11s\n", "t(s)", "VMs",
	       "guest-MiB", "host-MiB", "frames", "sharing", "zero", "saved-MiB",
	       "saved", "ideal", "balloon-MiB");
}

static char balloon_line[256];

/*
 * Phase two: every VM is asked to give back its free memory (as
 * 'mvctl vm balloon ID -SIZE' would); sample until the balloons hold it.
 * Returns the samples now taken in all.
 */
static unsigned int balloon_phase(struct wl *w, const struct wl_params *p,
				  struct share_sample *s, unsigned int n,
				  double t0)
{
	uint64_t want = p->free_pages * p->vms, host0 = s[n - 1].host_pages;
	double start = wl_now();
	unsigned int i, done = 0;

	if (!p->free_pages)
		return n;
	printf("\nmvdemo: ballooning: every VM gives back its %.1f MiB of free memory (mvctl vm balloon ID -%.0fM)\n",
	       mib(p->free_pages), mib(p->free_pages));
	for (i = 0; i < w->n; i++) {
		if (balloon_set_mv(w->id[i], p->mem - p->free_pages * 4096)) {
			fprintf(stderr, "mvdemo: cannot set VM %u's balloon target\n",
				w->id[i]);
			return n;
		}
	}
	while (n < MAX_SAMPLES && !share_sample_mv(&s[n])) {
		printf("balloon:  %5.1f s: %.1f MiB of %.1f MiB given back; host memory %.1f MiB\n",
		       s[n].t - t0, mib(s[n].balloon_pages), mib(want),
		       mib(s[n].host_pages));
		n++;
		/* There, and two seconds more to see it stay. */
		if (s[n - 1].balloon_pages < want)
			done = 0;
		else if (++done > 4)
			break;
		if (wl_now() - start > 60)
			break;
		usleep(500000);
	}
	snprintf(balloon_line, sizeof(balloon_line),
		 "BALLOON vms=%u given_mib=%.1f host_mib_before=%.1f host_mib_after=%.1f returned_mib=%.1f",
		 p->vms, mib(s[n - 1].balloon_pages), mib(host0),
		 mib(s[n - 1].host_pages),
		 host0 > s[n - 1].host_pages ? mib(host0 - s[n - 1].host_pages) : 0.0);
	return n;
}

int main(int argc, char **argv)
{
	struct wl_params p = {
		.kind = TVM_MV, .vms = 8, .test = S_FILL, .round_ms = 200,
		.name = "demo",
	};
	static struct share_sample s[MAX_SAMPLES];
	struct share_sample last;
	unsigned int mem_mib = 64, timeout = 300, n = 0, i, step;
	uint64_t per_vm, best = 0;
	double t0, stable_since = 0;
	struct wl w;
	int c;

	while ((c = getopt(argc, argv, "n:m:t:")) != -1) {
		switch (c) {
		case 'n':
			p.vms = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			mem_mib = strtoul(optarg, NULL, 0);
			break;
		case 't':
			timeout = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: mvdemo [-n VMS] [-m MIB] [-t SECONDS]\n");
			return 2;
		}
	}
	if (!p.vms || p.vms > WL_MAX_VMS || mem_mib < 16 || mem_mib > 1024) {
		fprintf(stderr, "mvdemo: 1 to %d VMs of 16 to 1024 MiB\n", WL_MAX_VMS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (mv_ensure_loaded()) {
		fprintf(stderr, "mvdemo: cannot load minivisor\n");
		return 1;
	}
	/*
	 * Guest memory above SHARE_BASE: 40% image, 12% own data, 24% zero
	 * pages, 2% rewritten all the time, and 20% free memory, dirty with
	 * old data, that the guest's balloon driver may give back.
	 */
	p.mem = (uint64_t)mem_mib << 20;
	per_vm = (p.mem - SHARE_BASE) / 4096;
	p.image = per_vm * 40 / 100;
	p.unique = per_vm * 12 / 100;
	p.zero = per_vm * 24 / 100;
	p.volatile_pages = per_vm * 2 / 100;
	p.free_pages = per_vm * 20 / 100;
	printf("mvdemo: %u VMs of %u MiB; each guest fills %.1f MiB: %.1f MiB OS image (the same in every VM), %.1f MiB data of its own, %.1f MiB zero pages, %.1f MiB it keeps rewriting, %.1f MiB free (old data)\n",
	       p.vms, mem_mib,
	       mib(p.image + p.unique + p.zero + p.volatile_pages + p.free_pages),
	       mib(p.image), mib(p.unique), mib(p.zero), mib(p.volatile_pages),
	       mib(p.free_pages));

	/* Fill with the scanner off, so the clock starts on full memory. */
	if (share_set_mv(false, 0, 0)) {
		fprintf(stderr, "mvdemo: cannot switch the scanner off (netlink)\n");
		return 1;
	}
	if (wl_start(&w, &p)) {
		fprintf(stderr, "mvdemo: %s\n", w.err);
		share_set_mv(true, 0, 0);
		return 1;
	}
	printf("mvdemo: guests filled: %.1f MiB in use; ideal saving %.1f MiB (%.1f%%); scanner on at its defaults\n",
	       mib(w.guest_pages), mib(w.ideal), pct(w.ideal, w.guest_pages));
	if (share_set_mv(true, 0, 0)) {
		fprintf(stderr, "mvdemo: cannot switch the scanner on\n");
		wl_kill(&w);
		return 1;
	}
	t0 = wl_now();
	for (;;) {
		struct share_sample *cur = &s[n];

		if (share_sample_mv(cur)) {
			fprintf(stderr, "mvdemo: cannot read the sharing figures\n");
			break;
		}
		printf("progress: %5.1f s: saved %.1f MiB = %.1f%% of the ideal; %llu full scans\n",
		       cur->t - t0, mib(cur->saved), pct(cur->saved, w.ideal),
		       (unsigned long long)cur->full_scans - s[0].full_scans);
		if (cur->saved > best + best / 1000) {
			best = cur->saved;
			stable_since = cur->t;
		}
		n++;
		/* Converged: near the ideal and no gain for 3 s, or time up. */
		if ((cur->saved >= w.ideal * 99 / 100 && cur->t - stable_since >= 3) ||
		    cur->t - t0 >= timeout || n == MAX_SAMPLES)
			break;
		usleep(500000);
	}
	if (!n) {
		wl_kill(&w);
		return 1;
	}
	last = s[n - 1];
	n = balloon_phase(&w, &p, s, n, t0);
	wl_kill(&w);

	printf("\nOver time (MiB; saved and ideal as a share of guest memory in use):\n");
	header();
	step = n > 20 ? (n + 19) / 20 : 1;
	for (i = 0; i < n; i += step)
		row(&s[i], t0, p.vms, w.ideal);
	if ((n - 1) % step)
		row(&s[n - 1], t0, p.vms, w.ideal);
	for (i = 0; i < n; i++)
		printf("SERIES %.1f %.2f %.2f %.2f %.2f %llu %llu %llu %.2f\n",
		       s[i].t - t0, mib(s[i].guest_pages), mib(s[i].host_pages),
		       mib(s[i].saved), mib(w.ideal), (unsigned long long)s[i].frames,
		       (unsigned long long)s[i].sharing, (unsigned long long)s[i].zero,
		       mib(s[i].balloon_pages));
	if (balloon_line[0])
		printf("%s\n", balloon_line);
	/* The sharing figures as they were once converged. */
	printf("DEMO vms=%u guest_mib=%.1f host_mib=%.1f saved_mib=%.1f saved_pct=%.1f ideal_pct=%.1f\n",
	       p.vms, mib(last.guest_pages), mib(last.host_pages),
	       mib(last.saved), pct(last.saved, last.guest_pages),
	       pct(w.ideal, last.guest_pages));
	return 0;
}
