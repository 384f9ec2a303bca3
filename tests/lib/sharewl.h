/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A page-sharing workload: N VMs (minivisor or KVM), each in a process of
 * its own, running share64.bin.  Used by the sharing tests, make demo and
 * make bench.  After the guests have filled their memory, each child takes
 * a snapshot of its VM's memory so the parent knows the ideal: guest pages
 * in use minus the distinct non-zero contents among them.
 */
#ifndef MV_SHAREWL_H
#define MV_SHAREWL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tvm.h"

#define WL_MAX_VMS	32

struct wl_params {
	enum tvm_kind kind;
	unsigned int vms;
	uint64_t mem;			/* bytes per VM */
	uint64_t image, unique, zero, volatile_pages;	/* pages per VM */
	uint64_t free_pages;		/* S_FILL: dirty free memory, the balloon's */
	uint32_t test;			/* S_FILL or S_STRESS */
	uint64_t steps;			/* S_STRESS */
	unsigned int round_ms;		/* S_FILL: pause between rounds */
	bool mergeable;			/* KVM: madvise(MADV_MERGEABLE) */
	/*
	 * S_STRESS: in even VMs a VMM thread keeps rewriting the upper half
	 * of the image (with content other VMs hold too, or not), while the
	 * odd VMs' guests check that half is what they filled.
	 */
	bool vmm_writer;
	uint32_t domain;		/* minivisor sharing domain */
	const char *name;		/* VM names: <name>-<i> */
};

struct wl {
	struct wl_params p;
	unsigned int n;			/* children started */
	pid_t pid[WL_MAX_VMS];
	int fd[WL_MAX_VMS];		/* their reports */
	uint32_t id[WL_MAX_VMS];	/* minivisor VM IDs */
	uint64_t guest_pages;		/* in use after the fill, all VMs */
	uint64_t distinct;		/* distinct non-zero contents */
	uint64_t ideal;			/* guest_pages - distinct */
	char err[256];
};

/*
 * Start the VMs and wait until every guest has filled its memory and its
 * snapshot is in; 0, or -1 with w->err set (everything started is killed).
 */
int wl_start(struct wl *w, const struct wl_params *p);
/* S_STRESS: wait up to @timeout_s for every guest to finish; 0 or -1. */
int wl_wait(struct wl *w, int timeout_s);
/* kill -9 every child and reap it. */
void wl_kill(struct wl *w);

/* Page-sharing figures at one moment, from minivisor or from KSM. */
struct share_sample {
	double t;			/* seconds, CLOCK_MONOTONIC */
	uint64_t guest_pages;		/* guest memory in use */
	uint64_t host_pages;		/* host pages holding it (minivisor) */
	uint64_t saved;			/* pages saved */
	uint64_t frames, sharing, zero;
	uint64_t full_scans, scanned;	/* scanned: minivisor only */
	uint64_t tracked;		/* KSM: pages it keeps track of */
	long long cpu_ns;		/* scanner thread CPU time */
	uint64_t balloon_pages;		/* all VMs' balloons (minivisor) */
};

double wl_now(void);
int share_sample_mv(struct share_sample *s);
int share_sample_ksm(struct share_sample *s);
/* minivisor's scanner: on/off and rate, over netlink; 0 or -errno. */
int share_set_mv(bool on, uint32_t pages, uint32_t interval_ms);
/* A VM's balloon target: the memory it should keep; 0 or -errno. */
int balloon_set_mv(uint32_t id, uint64_t mem_bytes);

/* KSM's sysfs knobs and counters (/sys/kernel/mm/ksm/NAME). */
int ksm_write(const char *name, unsigned long val);
long ksm_read(const char *name);
/*
 * CPU time a task called @comm (ksmd, minivisor-share) has used so far, in
 * ns, from /proc/PID/schedstat; -1 if it cannot be read.
 */
long long task_cpu_ns(const char *comm);

#endif
