/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's short type names, on top of the uapi <linux/types.h>. */
#ifndef MV_SHIM_LINUX_TYPES_H
#define MV_SHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#define DECLARE_BITMAP(name, bits) \
	unsigned long name[((bits) + 8 * sizeof(long) - 1) / (8 * sizeof(long))]

#endif
