// SPDX-License-Identifier: GPL-2.0
/*
 * Reproducers of minivisor bugs that make fuzz found (its differential
 * lane, against KVM npt=0), one test each, each run on KVM and on
 * minivisor so a failure shows it is minivisor's: the guest
 * (tests/guest/fuzzfound32.c) reports what it saw, the host judges.
 *
 * Not in tests/ORDER while the bugs are open (make check stays green);
 * run them with: make check-quick TESTS=fuzzfound_test
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvtest.h"
#include "tvm.h"

enum { T_TF_CPUID = 1, T_TF_OUT, T_RF_UD };

FIXTURE(found) {
	struct tvm t;
};

FIXTURE_VARIANT(found) {
	enum tvm_kind kind;
};

FIXTURE_VARIANT_ADD(found, kvm) {
	.kind = TVM_KVM,
};

FIXTURE_VARIANT_ADD(found, minivisor) {
	.kind = TVM_MV,
};

FIXTURE_SETUP(found)
{
	ASSERT_EQ(0, mv_ensure_loaded());
	if (variant->kind == TVM_KVM)
		ASSERT_EQ(0, kvm_amd_load(NULL));
	ASSERT_EQ(0, tvm_create(&self->t, variant->kind, 1 << 20, "fuzzfound"));
}

FIXTURE_TEARDOWN(found)
{
	tvm_destroy(&self->t);
}

/* Run sub-test @test to its report: args[0] seen, [1] expected, [2] count. */
static void report(struct __test_metadata *_metadata, struct tvm *t, int test)
{
	enum tvm_exit e;

	ASSERT_EQ(0, tvm_load(t, "fuzzfound32"));
	ASSERT_EQ(0, tvm_args(t, test, NULL, 0));
	e = tvm_run(t);
	ASSERT_EQ(TVM_EXIT_UCALL, e) {
		TH_LOG("got %s (errno %d), console: %s", tvm_exit_name(e), t->err, t->console);
	}
	ASSERT_EQ(UCALL_SYNC, t->uc.cmd) {
		TH_LOG("guest assert line %u: %s; console: %s", t->uc.line, t->uc.msg,
		       t->console);
	}
}

/*
 * Found as DIVERGENCE seed=7 case=diff:36 (TF set, CPUID: KVM's #DB came
 * after CPUID, minivisor's one instruction later, with that instruction's
 * flags).  An instruction the hypervisor completes for the guest (here
 * CPUID, emulated in the kernel) must still raise the single-step trap
 * when it began with RFLAGS.TF set; minivisor skips RIP past it and the
 * trap comes after the next instruction instead.
 */
TEST_F(found, single_step_trap_after_emulated_cpuid)
{
	report(_metadata, &self->t, T_TF_CPUID);
	EXPECT_EQ(1, self->t.uc.args[2]);
	EXPECT_EQ(self->t.uc.args[1], self->t.uc.args[0]) {
		TH_LOG("#DB reported at %#llx, expected right after CPUID at %#llx",
		       (unsigned long long)self->t.uc.args[0],
		       (unsigned long long)self->t.uc.args[1]);
	}
}

/* The same for an OUT that exits to the VMM (the debug console). */
TEST_F(found, single_step_trap_after_port_io_exit)
{
	report(_metadata, &self->t, T_TF_OUT);
	EXPECT_EQ(1, self->t.uc.args[2]);
	EXPECT_EQ(self->t.uc.args[1], self->t.uc.args[0]) {
		TH_LOG("#DB reported at %#llx, expected right after OUT at %#llx",
		       (unsigned long long)self->t.uc.args[0],
		       (unsigned long long)self->t.uc.args[1]);
	}
}

/*
 * Found as known(mv-bug-rf) in every campaign (memory differs in one bit:
 * the RF bit of the EFLAGS image in an exception frame).  A fault-class
 * exception pushes EFLAGS with RF set (KVM sets RF before injecting one);
 * the exceptions minivisor intercepts and reflects (#UD, #PF, #AC) arrive
 * with RF clear.
 */
TEST_F(found, reflected_fault_pushes_rf)
{
	report(_metadata, &self->t, T_RF_UD);
	EXPECT_EQ(1, self->t.uc.args[2]);
	EXPECT_EQ(1, self->t.uc.args[3]);	/* #UD at the UD2 itself */
	EXPECT_EQ(self->t.uc.args[1], self->t.uc.args[0]) {
		TH_LOG("EFLAGS image of #UD's frame has RF clear");
	}
}

TEST_HARNESS_MAIN
