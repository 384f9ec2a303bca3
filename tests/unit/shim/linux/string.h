/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MV_SHIM_LINUX_STRING_H
#define MV_SHIM_LINUX_STRING_H

#include <string.h>

/* The first byte of @s that is not @c, or NULL. */
static inline void *memchr_inv(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

#endif
