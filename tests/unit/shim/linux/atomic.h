/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MV_SHIM_LINUX_ATOMIC_H
#define MV_SHIM_LINUX_ATOMIC_H

typedef struct {
	long counter;
} atomic_long_t;

#define atomic_long_read(v)	((v)->counter)
#define atomic_long_set(v, i)	((v)->counter = (i))
#define atomic_long_inc(v)	((v)->counter++)

#endif
