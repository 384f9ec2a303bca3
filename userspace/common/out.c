// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "out.h"

#define MAX_DEPTH 16

static bool json;
static int depth;
static bool first[MAX_DEPTH];

void out_init(bool want_json)
{
	json = want_json;
	depth = 0;
	first[0] = true;
}

bool out_is_json(void)
{
	return json;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_key(const char *key)
{
	if (!first[depth])
		putchar(',');
	first[depth] = false;
	if (key && depth > 0) {
		json_string(key);
		putchar(':');
	}
}

static void open_container(const char *key, char c)
{
	if (!json)
		return;
	json_key(key);
	putchar(c);
	if (depth < MAX_DEPTH - 1)
		depth++;
	first[depth] = true;
}

static void close_container(char c)
{
	if (!json)
		return;
	putchar(c);
	if (depth > 0)
		depth--;
}

void out_obj_begin(const char *key)
{
	open_container(key, '{');
}

void out_obj_end(void)
{
	close_container('}');
}

void out_arr_begin(const char *key)
{
	open_container(key, '[');
}

void out_arr_end(void)
{
	close_container(']');
}

void out_str(const char *key, const char *fmt, const char *val)
{
	if (json) {
		json_key(key);
		json_string(val);
	} else if (fmt) {
		printf(fmt, val);
	}
}

void out_u64(const char *key, const char *fmt, uint64_t val)
{
	if (json) {
		json_key(key);
		printf("%" PRIu64, val);
	} else if (fmt) {
		printf(fmt, val);
	}
}

void out_s64(const char *key, const char *fmt, int64_t val)
{
	if (json) {
		json_key(key);
		printf("%" PRId64, val);
	} else if (fmt) {
		printf(fmt, val);
	}
}

void out_f64(const char *key, const char *fmt, double val)
{
	if (json) {
		json_key(key);
		printf("%.2f", val);
	} else if (fmt) {
		printf(fmt, val);
	}
}

void out_bool(const char *key, const char *fmt, bool val)
{
	if (json) {
		json_key(key);
		fputs(val ? "true" : "false", stdout);
	} else if (fmt) {
		printf(fmt, val ? "yes" : "no");
	}
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void out_flush(void)
{
	if (json && depth == 0) {
		putchar('\n');
		first[0] = true;
	}
	fflush(stdout);
}
