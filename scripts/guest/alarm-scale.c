// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD for make check-debug's test machine: alarm(s) becomes
 * alarm(s * MV_ALARM_SCALE).  The kselftest harness times each test with
 * alarm(); under the debug kernel (KASAN, lockdep, kmemleak) the suite runs
 * several times slower, and a test's timeout should stretch with it.
 * Nothing else in the suite calls alarm().
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

unsigned int alarm(unsigned int seconds)
{
	static unsigned int (*real)(unsigned int);
	static unsigned int scale;
	const char *e;

	if (!real)
		real = (unsigned int (*)(unsigned int))dlsym(RTLD_NEXT, "alarm");
	if (!scale) {
		e = getenv("MV_ALARM_SCALE");
		scale = e ? (unsigned int)strtoul(e, NULL, 10) : 1;
		if (!scale)
			scale = 1;
	}
	return real(seconds * scale) / scale;
}
