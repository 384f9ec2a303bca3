// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line numbers for mvctl and mvrun.
 */
#include <string.h>

#include "parse.h"

/* Leading decimal digits of @s into *@v; NULL on overflow or none. */
static const char *parse_digits(const char *s, uint64_t *v)
{
	const char *p = s;
	uint64_t n = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - (*p - '0')) / 10)
			return NULL;
		n = n * 10 + (*p - '0');
	}
	if (p == s)
		return NULL;
	*v = n;
	return p;
}

int mv_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	const char *end;
	uint64_t n;

	end = parse_digits(s, &n);
	if (!end || *end || n < min || n > max)
		return -1;
	*v = n;
	return 0;
}

int mv_parse_size(const char *s, uint64_t *bytes)
{
	unsigned int shift;
	const char *end;
	uint64_t n;

	end = parse_digits(s, &n);
	if (!end)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	default: shift = 0;
	}
	if (shift) {
		end++;
		if (!strcmp(end, "B") || !strcmp(end, "iB"))
			end += strlen(end);
	}
	if (*end || (n << shift) >> shift != n)
		return -1;
	*bytes = n << shift;
	return 0;
}
