/* SPDX-License-Identifier: GPL-2.0 */
/* What the module code built here takes from <linux/kernel.h>, for userspace. */
#ifndef MV_SHIM_LINUX_KERNEL_H
#define MV_SHIM_LINUX_KERNEL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))
#define PAGE_SIZE	4096UL
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define min_t(type, a, b) ({		\
	type __a = (a), __b = (b);	\
	__a < __b ? __a : __b;		\
})

#define U64_MAX		UINT64_MAX
#define S64_MAX		INT64_MAX
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))

#define hweight8(w)	__builtin_popcount((unsigned int)(w) & 0xff)

/* Sign-extend @value from bit @index, as <linux/bitops.h> does. */
static inline s64 sign_extend64(u64 value, int index)
{
	int shift = 63 - index;

	return (s64)(value << shift) >> shift;
}

#endif
