/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line numbers for mvctl and mvrun: decimal only (no octal, hex,
 * sign or spaces), range and overflow checked.
 */
#ifndef MV_PARSE_H
#define MV_PARSE_H

#include <stdint.h>

/* A decimal number in [@min, @max]: 0, or -1 (and *@v untouched). */
int mv_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v);

/*
 * A size: a decimal number of bytes with an optional K, M or G suffix
 * (KiB, MiB, GiB; "M", "MB" and "MiB" alike): 0, or -1.
 */
int mv_parse_size(const char *s, uint64_t *bytes);

#endif
