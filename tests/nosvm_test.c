// SPDX-License-Identifier: GPL-2.0
/*
 * Booted with -cpu max,-svm: a CPU with neither SVM nor VMX.  The module
 * must refuse to load, with one clear log line and -ENODEV, and leave
 * nothing registered.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvnl.h"
#include "mvtest.h"

TEST(refuses_without_svm_or_vmx)
{
	unsigned int a, b, c, d;
	char line[512];
	struct mvnl nl;
	int kmsg;

	/* The premise: this CPU really lacks both. */
	__cpuid(0x80000001, a, b, c, d);
	ASSERT_EQ(0, c & (1u << 2));
	__cpuid(1, a, b, c, d);
	ASSERT_EQ(0, c & (1u << 5));

	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);
	EXPECT_EQ(-ENODEV, mv_load(NULL));
	ASSERT_TRUE(kmsg_find(kmsg, "minivisor: not loading:", line, sizeof(line)));
	TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "no SVM or VMX on this CPU"));
	close(kmsg);

	EXPECT_FALSE(mv_loaded());
	EXPECT_NE(0, access("/dev/minivisor", F_OK));
	EXPECT_NE(0, mvnl_open(&nl));
	EXPECT_NE(NULL, strstr(nl.errmsg, "not loaded"));
}

TEST_HARNESS_MAIN
