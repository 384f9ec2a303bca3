/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One-CPU hrtimers on the fake clock: the test runs what expires with
 * mv_fake_run_timer().  A timer is queued (waiting) or not, and running
 * (its function being called) or not, as the kernel's are.
 */
#ifndef MV_SHIM_LINUX_HRTIMER_H
#define MV_SHIM_LINUX_HRTIMER_H

#include <string.h>
#include <linux/ktime.h>

enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };
enum hrtimer_mode { HRTIMER_MODE_ABS, HRTIMER_MODE_ABS_PINNED };

#define CLOCK_MONOTONIC	1

struct hrtimer {
	ktime_t expires;
	enum hrtimer_restart (*function)(struct hrtimer *timer);
	bool queued, running;
	unsigned int starts;		/* hrtimer_start() calls, for tests */
};

static inline void hrtimer_init(struct hrtimer *t, int clock,
				enum hrtimer_mode mode)
{
	memset(t, 0, sizeof(*t));
}

static inline void hrtimer_start(struct hrtimer *t, ktime_t when,
				 enum hrtimer_mode mode)
{
	t->expires = when;
	t->queued = true;
	t->starts++;
}

static inline int hrtimer_try_to_cancel(struct hrtimer *t)
{
	if (t->queued) {
		t->queued = false;
		return 1;
	}
	return t->running ? -1 : 0;
}

static inline int hrtimer_cancel(struct hrtimer *t)
{
	return hrtimer_try_to_cancel(t) > 0;
}

static inline bool hrtimer_is_queued(struct hrtimer *t)
{
	return t->queued;
}

static inline void hrtimer_set_expires(struct hrtimer *t, ktime_t when)
{
	t->expires = when;
}

/*
 * Run @t if it is queued and expires by @until: the clock moves to its
 * expiry first.  Returns whether it ran.
 */
static inline bool mv_fake_run_timer(struct hrtimer *t, ktime_t until)
{
	enum hrtimer_restart r;

	if (!t->queued || t->expires > until)
		return false;
	if (t->expires > mv_fake_now)
		mv_fake_now = t->expires;
	t->queued = false;
	t->running = true;
	r = t->function(t);
	t->running = false;
	if (r == HRTIMER_RESTART && !t->queued)
		t->queued = true;
	return true;
}

#endif
