/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Spinlocks for single-threaded tests: taking one twice, releasing one
 * not held, or asserting one held that is not, aborts the test.
 */
#ifndef MV_SHIM_LINUX_SPINLOCK_H
#define MV_SHIM_LINUX_SPINLOCK_H

#include <assert.h>

typedef struct {
	int held;
} spinlock_t;

#define spin_lock_init(l)	((l)->held = 0)
#define spin_lock(l)		do { assert(!(l)->held); (l)->held = 1; } while (0)
#define spin_unlock(l)		do { assert((l)->held); (l)->held = 0; } while (0)
#define spin_lock_irqsave(l, flags) \
	do { (flags) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, flags) \
	do { (void)(flags); spin_unlock(l); } while (0)
#define lockdep_assert_held(l)	assert((l)->held)

#endif
