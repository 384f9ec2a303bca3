// SPDX-License-Identifier: GPL-2.0
/*
 * Reproducers of minivisor bugs that make fuzz found (its differential
 * lane, against KVM npt=0), one test each, each run on KVM and on
 * minivisor so a failure shows it is minivisor's: the guest
 * (tests/guest/fuzzfound32.c) reports what it saw, the host judges.
 *
 * The fixed bugs' tests are fuzzfound_test, in make check (each failed
 * before its fix).  The same file built with MV_OPEN_BUGS is
 * fuzzopen_test: the reproducers of the bugs still open, kept out of
 * tests/ORDER (make check-quick TESTS=fuzzopen_test runs them); a fix
 * moves its test above the #ifdef.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvtest.h"
#include "tvm.h"

enum { T_TF_CPUID = 1, T_TF_OUT, T_RF_UD, T_OUTS_PF, T_INS_PF, T_CR0_RSVD,
       T_INS_ES_CODE, T_INS_PF_MMIO, T_PD_SELF_RMW };

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

static void on_alarm(int sig)
{
	(void)sig;
}

FIXTURE_SETUP(found)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */

	/* A guest that makes no progress: the run returns after 5 s. */
	sigaction(SIGALRM, &sa, NULL);
	alarm(5);
	ASSERT_EQ(0, mv_ensure_loaded());
	if (variant->kind == TVM_KVM)
		ASSERT_EQ(0, kvm_amd_load(NULL));
	ASSERT_EQ(0, tvm_create(&self->t, variant->kind, 4 << 20, "fuzzfound"));
}

FIXTURE_TEARDOWN(found)
{
	alarm(0);
	tvm_destroy(&self->t);
}

/*
 * Run sub-test @test to its report: args[0] seen, [1] expected, [2] count.
 * Returns how many exits for port I/O to PORT_TEST (OUT) and from
 * PORT_TEST_IN (IN, answered 0x5a) came on the way: OUTs | INs << 8.
 */
static int report(struct __test_metadata *_metadata, struct tvm *t, int test)
{
	enum tvm_exit e;
	int ios = 0;

	ASSERT_EQ(0, tvm_load(t, "fuzzfound32"));
	ASSERT_EQ(0, tvm_args(t, test, NULL, 0));
	while ((e = tvm_run(t)) == TVM_EXIT_MMIO ||
	       (e == TVM_EXIT_IO && (t->io.port == PORT_TEST || t->io.port == PORT_TEST_IN))) {
		if (e == TVM_EXIT_MMIO) {
			memset(t->mmio.data, 0, 8);
		} else if (t->io.in) {
			memset(t->io.data, 0x5a, t->io.size * t->io.count);
			ios += 0x100;
		} else {
			ios++;
		}
	}
	ASSERT_EQ(TVM_EXIT_UCALL, e) {
		TH_LOG("got %s (errno %d)%s, console: %s", tvm_exit_name(e), t->err,
		       e == TVM_EXIT_INTR ? ": no progress in 5 s" : "", t->console);
	}
	ASSERT_EQ(UCALL_SYNC, t->uc.cmd) {
		TH_LOG("guest assert line %u: %s; console: %s", t->uc.line, t->uc.msg,
		       t->console);
	}
	return ios;
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

/*
 * Found as DIVERGENCE seed=4 case=diff:338 (long mode, OUTSB from a page
 * that is not present: KVM's #PF frame points at the OUTSB, minivisor's
 * after it, and RSI moved).  A string OUT whose source read faults must
 * fault at the instruction, without doing the I/O or moving RSI;
 * minivisor exits to the VMM with an OUT of a byte read from wherever
 * vcpu->mmio_gpa pointed last (see the INS case for the cause), then
 * delivers the #PF with RIP past the OUTSB.
 */
TEST_F(found, outs_from_a_missing_page_faults_without_io)
{
	int ios = report(_metadata, &self->t, T_OUTS_PF);

	EXPECT_EQ(0, ios) {
		TH_LOG("the VMM saw an OUT the guest's OUTSB never completed");
	}
	EXPECT_EQ(1, self->t.uc.args[2]);
	EXPECT_EQ(0, self->t.uc.args[3]) {
		TH_LOG("ESI moved by %llu", (unsigned long long)self->t.uc.args[3]);
	}
	EXPECT_EQ(self->t.uc.args[1], self->t.uc.args[0]) {
		TH_LOG("#PF reported at %#llx, expected at the OUTSB, %#llx",
		       (unsigned long long)self->t.uc.args[0],
		       (unsigned long long)self->t.uc.args[1]);
	}
}

/*
 * Found as DIVERGENCE seed=11 case=diff:35 (long mode, REP INSD into a
 * page that is not present: KVM faults on the first element, minivisor
 * ends with RCX 0 and RDI past all seven).  The root cause is the one of
 * the OUTS case: mv_string_pages() answers MV_RET_GUEST both when the
 * translation succeeded and when it queued a #PF, and mv_handle_io() goes
 * on with the I/O through vcpu->mmio_gpa as the last access left it.  For
 * INS that writes the VMM's data into the page the previous string or
 * MMIO access used: here the source page of an earlier OUTSB.  (That the
 * VMM is asked for the IN is not wrong in itself: KVM asks too, then
 * faults on the write.)
 */
TEST_F(found, ins_into_a_missing_page_faults_without_io)
{
	int ios = report(_metadata, &self->t, T_INS_PF);

	/* the OUTSB before; KVM too asks for the IN before it faults */
	EXPECT_EQ(1, ios & 0xff);
	EXPECT_EQ(1, self->t.uc.args[2]);
	EXPECT_EQ(0x11, self->t.uc.args[3] & 0xff) {
		TH_LOG("the OUTSB's source page was overwritten with %#llx (the IN's data)",
		       (unsigned long long)self->t.uc.args[3] & 0xff);
	}
	EXPECT_EQ(0, self->t.uc.args[3] >> 8) {
		TH_LOG("EDI moved by %llu", (unsigned long long)self->t.uc.args[3] >> 8);
	}
	EXPECT_EQ(self->t.uc.args[1], self->t.uc.args[0]) {
		TH_LOG("#PF reported at %#llx, expected at the INSB, %#llx",
		       (unsigned long long)self->t.uc.args[0],
		       (unsigned long long)self->t.uc.args[1]);
	}
}

/*
 * Found as DIVERGENCE seed=11 case=diff:196 (prot16, MOV to CR0 of a
 * random value: the final CR0 differs in reserved bits only).
 * mv_set_cr0() ORs in ET but keeps bits 6-15, 17 and 19-28 of what the
 * guest wrote; they are ignored by the CPU and by KVM, so the guest reads
 * them back (MOV from CR0, SMSW) and MV_GET_SREGS reports them.
 */
TEST_F(found, cr0_reserved_bits_are_ignored)
{
	report(_metadata, &self->t, T_CR0_RSVD);
	EXPECT_EQ(0, self->t.uc.args[0]) {
		TH_LOG("wrote reserved CR0 bits %#llx, read back %#llx",
		       (unsigned long long)self->t.uc.args[2],
		       (unsigned long long)self->t.uc.args[0]);
	}
}

/*
 * The guest lane's API-VIOLATION seed=21 case=guest:2708 (MV_RUN failed
 * with EINVAL; not on a fresh VM): the same INS, after an MMIO access.
 * The stale vcpu->mmio_gpa is then outside RAM, mv_mem_copy() refuses
 * it, and MV_RUN fails with EINVAL: a guest makes its VMM's MV_RUN fail.
 */
TEST_F(found, ins_into_a_missing_page_after_mmio_faults)
{
	report(_metadata, &self->t, T_INS_PF_MMIO);
	EXPECT_EQ(1, self->t.uc.args[2]);
	EXPECT_EQ(0, self->t.uc.args[3] >> 8);
	EXPECT_EQ(self->t.uc.args[1], self->t.uc.args[0]);
}

/*
 * Found as DIVERGENCE seed=21 case=diff:167 (PAE, SHR of a dword at a VA
 * that maps the guest's own page directory: KVM goes on, minivisor spins
 * at that instruction until the VMM gives up).  The write faults on the
 * write-protected directory; minivisor zaps that directory's shadow page
 * to let the write through (it does not emulate a read-modify-write), the
 * re-entry's fetch of the same instruction faults because the shadow is
 * gone, rebuilding it write-protects the directory again, and so on: in
 * the trace, 5100 rounds of "page_fault gva 0xfffff699 error 0x3",
 * "sp_zap gfn 0x111 level 2", "page_fault gva 0x1002b error 0x10",
 * "sp_new gfn 0x111" in 3 s, and the instruction never retires.  KVM
 * emulates such a write; so does minivisor now (a write whose own fetch
 * goes through the table it writes is emulated, and the emulator runs
 * read-modify-writes).  Here: an ADD of 0 to an unused entry.
 */
TEST_F(found, rmw_of_own_page_directory_completes)
{
	report(_metadata, &self->t, T_PD_SELF_RMW);
	EXPECT_EQ(0, self->t.uc.args[2]);
}
/*
 * Found as DIVERGENCE seed=12 case=diff:29 (prot16, REP INSB with ES a
 * code segment: KVM #GP, minivisor finished the loop).  mv_handle_io()
 * forms ES:rDI (DS:rSI for OUTS) from the segment base alone: no check
 * of the segment's type (writable for INS, readable for OUTS), limit,
 * or of a null selector, so string I/O writes through segments the guest
 * cannot write and past their limits.
 */
TEST_F(found, ins_through_a_code_segment_faults)
{
	report(_metadata, &self->t, T_INS_ES_CODE);
	EXPECT_EQ(1, self->t.uc.args[2]) {
		TH_LOG("%llu #GPs", (unsigned long long)self->t.uc.args[2]);
	}
	EXPECT_EQ(0x11, self->t.uc.args[3] & 0xff) {
		TH_LOG("written through ES (a code segment): %#llx",
		       (unsigned long long)self->t.uc.args[3] & 0xff);
	}
	EXPECT_EQ(0, self->t.uc.args[3] >> 8) {
		TH_LOG("EDI moved by %llu", (unsigned long long)self->t.uc.args[3] >> 8);
	}
	EXPECT_EQ(self->t.uc.args[1], self->t.uc.args[0]);
}

#ifdef MV_OPEN_BUGS
/* No bug the fuzzer found is open now; a new one's reproducer goes here. */
#endif

TEST_HARNESS_MAIN
