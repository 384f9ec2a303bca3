/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pic_test.c and pit_test.c share: TAP output, checks, and port I/O
 * on a struct mv_irqchip's devices.  Each test runs on a fresh chip.
 */
#ifndef MV_IRQCHIP_TEST_H
#define MV_IRQCHIP_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irqchip.h"

struct test {
	const char *name;
	void (*fn)(void);
};

static bool test_bad;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		test_bad = true;					\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		printf("#   %s:%d: %s is %lld (%#llx), expected %lld (%#llx)\n", \
		       __FILE__, __LINE__, #a, _a, _a, _b, _b);		\
		test_bad = true;					\
	}								\
} while (0)

static struct mv_irqchip chip;
static struct mv_vm vm = { .irqchip = &chip };
static struct mv_vcpu vcpu = { .vm = &vm };

/* The device at @port, or abort: a test touching an unknown port is wrong */
static struct mv_io_dev *test_dev(u64 port)
{
	struct mv_io_dev *devs[] = {
		&chip.pic_dev[0], &chip.pic_dev[1], &chip.elcr_dev,
		&chip.pit_dev, &chip.port61_dev,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(devs); i++)
		if (devs[i]->ops && port >= devs[i]->base &&
		    port < devs[i]->base + devs[i]->len)
			return devs[i];
	printf("# no device at port %#llx\n", (unsigned long long)port);
	abort();
}

static u32 in_n(u64 port, int len)
{
	struct mv_io_dev *dev = test_dev(port);
	u32 v = 0;

	CHECK_EQ(dev->ops->read(dev, &vcpu, port, len, &v), 0);
	return v;
}

static void out_n(u64 port, int len, u32 v)
{
	struct mv_io_dev *dev = test_dev(port);

	CHECK_EQ(dev->ops->write(dev, &vcpu, port, len, &v), 0);
}

static u8 inb(u64 port)
{
	return in_n(port, 1);
}

/* The kernel's argument order: value, then port */
static void outb(u8 v, u64 port)
{
	out_n(port, 1, v);
}

/* A fixed-seed generator for the hostile-input tests */
static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state >> 16;
}

static void setup(void);

static int run_tests(const struct test *tests, unsigned int n)
{
	unsigned int i, failed = 0;

	printf("TAP version 13\n1..%u\n", n);
	for (i = 0; i < n; i++) {
		test_bad = false;
		setup();
		tests[i].fn();
		printf("%sok %u - %s\n", test_bad ? "not " : "", i + 1,
		       tests[i].name);
		failed += test_bad;
	}
	printf("# %u tests, %u failed\n", n, failed);
	return failed ? 1 : 0;
}

#endif
