/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One print path for text and JSON, in the manner of iproute2's
 * print_uint(PRINT_ANY, ...): each call names the JSON key and the text
 * format; in JSON mode the key is used, in text mode the format (a NULL
 * format prints nothing in text mode).
 */
#ifndef MV_OUT_H
#define MV_OUT_H

#include <stdbool.h>
#include <stdint.h>

void out_init(bool json);
bool out_is_json(void);
void out_obj_begin(const char *key);
void out_obj_end(void);
void out_arr_begin(const char *key);
void out_arr_end(void);
void out_str(const char *key, const char *fmt, const char *val);
void out_u64(const char *key, const char *fmt, uint64_t val);
void out_s64(const char *key, const char *fmt, int64_t val);
/* JSON: two decimals. */
void out_f64(const char *key, const char *fmt, double val);
void out_bool(const char *key, const char *fmt, bool val);
/* Text mode only. */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Ends a top-level JSON value with a newline and flushes. */
void out_flush(void);

#endif
