/* SPDX-License-Identifier: GPL-2.0 */
/* A clock the test sets: ktime_get() returns mv_fake_now. */
#ifndef MV_SHIM_LINUX_KTIME_H
#define MV_SHIM_LINUX_KTIME_H

#include <linux/kernel.h>

typedef s64 ktime_t;

#define KTIME_MAX	S64_MAX
#define NSEC_PER_SEC	1000000000L
#define NSEC_PER_USEC	1000L

extern ktime_t mv_fake_now;

static inline ktime_t ktime_get(void)
{
	return mv_fake_now;
}

#define ktime_to_ns(t)	((s64)(t))
#define ns_to_ktime(ns)	((ktime_t)(ns))

#endif
