/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MV_SHIM_LINUX_MATH64_H
#define MV_SHIM_LINUX_MATH64_H

#include <linux/types.h>

/* a * mul / div with a 128-bit product, as x86-64's (which faults on overflow) */
static inline u64 mul_u64_u32_div(u64 a, u32 mul, u32 div)
{
	unsigned __int128 q = (unsigned __int128)a * mul / div;

	if (q >> 64)
		__builtin_trap();
	return (u64)q;
}

static inline u64 div_u64_rem(u64 a, u32 b, u32 *rem)
{
	*rem = a % b;
	return a / b;
}

static inline u64 div64_u64(u64 a, u64 b)
{
	return a / b;
}

#endif
