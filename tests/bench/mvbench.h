/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MV_MVBENCH_H
#define MV_MVBENCH_H

/*
 * Page sharing side by side with KSM (share.c): prints its BENCH lines;
 * needs kvm_amd loaded.  KSM's defaults are those the kernel booted with.
 * 0, or -1 if a run failed.
 */
int bench_sharing(long ksm_pages, long ksm_ms);

/* The median of @n values (sorts them). */
double median(double *v, int n);

/* Balloon inflate/deflate rates against touching memory (balloon.c). */
int bench_balloon(void);

/*
 * The page-sharing timing side channel (sidechannel.c): a write to a page
 * another VM holds too against one to a page of one's own, with the
 * policies that close it; 0, or -1 if a run failed or did not share.
 */
int bench_sidechannel(void);

#endif
