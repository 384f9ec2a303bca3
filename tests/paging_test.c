// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow paging against the architecture and against KVM.  Every guest in
 * tests/guest/paging.inc.c checks the architected outcome itself; here each
 * also runs under KVM with npt=0 (KVM's shadow MMU) in the same boot, and
 * the two must print exactly the same thing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvtest.h"
#include "tvm.h"

#define MIB (1ull << 20)

static char mv_out[65536], kvm_out[65536];

/* Run one guest test on @kind to its DONE; the console goes to @out. */
static int run_guest_n(struct __test_metadata *_metadata, enum tvm_kind kind,
		       const char *guest, uint32_t test, const uint64_t *args,
		       int nargs, uint64_t mem, char *out, size_t len, int runs)
{
	struct tvm t;
	enum tvm_exit e;
	int ret;

	ret = tvm_create(&t, kind, mem, "paging_test");
	if (ret)
		return ret;
again:
	ret = tvm_load(&t, guest);
	if (!ret)
		ret = tvm_args(&t, test, args, nargs);
	while (!ret) {
		e = tvm_run(&t);
		if (e == TVM_EXIT_UCALL && t.uc.cmd == UCALL_SYNC)
			continue;
		if (e == TVM_EXIT_MMIO && kind == TVM_MV) {
			struct mv_regs r;

			ioctl(t.vcpu, MV_GET_REGS, &r);
			TH_LOG("mmio %s %llx len %u at rip %llx", t.mmio.is_write ?
			       "write" : "read", (unsigned long long)t.mmio.gpa,
			       t.mmio.len, (unsigned long long)r.rip);
		}
		if (e != TVM_EXIT_UCALL || t.uc.cmd != UCALL_DONE) {
			TH_LOG("%s: %s %u: %s (cmd %u line %u %s: %llx vs %llx)",
			       kind == TVM_MV ? "minivisor" : "kvm", guest, test,
			       tvm_exit_name(e), t.uc.cmd, t.uc.line, t.uc.msg,
			       (unsigned long long)t.uc.args[0],
			       (unsigned long long)t.uc.args[1]);
			ret = -EIO;
		}
		break;
	}
	if (!ret && --runs > 0)
		goto again;
	snprintf(out, len, "%s", t.console);
	tvm_destroy(&t);
	return ret;
}

static int run_guest(struct __test_metadata *_metadata, enum tvm_kind kind,
		     const char *guest, uint32_t test, const uint64_t *args,
		     int nargs, uint64_t mem, char *out, size_t len)
{
	return run_guest_n(_metadata, kind, guest, test, args, nargs, mem, out,
			   len, 1);
}

/* Same guest on both; both must finish, and say the same. */
static void both(struct __test_metadata *_metadata, const char *guest,
		 uint32_t test, uint64_t mode, uint64_t a1, uint64_t a2,
		 uint64_t mem)
{
	uint64_t args[3] = { mode, a1, a2 };

	int mv, kvm;

	mv = run_guest(_metadata, TVM_MV, guest, test, args, 3, mem, mv_out,
		       sizeof(mv_out));
	ASSERT_EQ(0, kvm_amd_load("npt=0"));
	kvm = run_guest(_metadata, TVM_KVM, guest, test, args, 3, mem, kvm_out,
			sizeof(kvm_out));
	EXPECT_EQ(0, mv) {
		TH_LOG("minivisor console:\n%s", mv_out);
	}
	ASSERT_EQ(0, kvm) {
		TH_LOG("kvm console:\n%s", kvm_out);
	}
	TH_LOG("%s", mv_out);
	EXPECT_STREQ(kvm_out, mv_out);
}

FIXTURE(paging) {
	int unused;
};

FIXTURE_VARIANT(paging) {
	const char *guest;
	uint64_t mode;
};

FIXTURE_VARIANT_ADD(paging, two_level) {
	.guest = "paging32", .mode = 1,
};

FIXTURE_VARIANT_ADD(paging, pae) {
	.guest = "paging32", .mode = 2,
};

FIXTURE_VARIANT_ADD(paging, long_mode) {
	.guest = "paging64", .mode = 3,
};

FIXTURE_SETUP(paging)
{
	ASSERT_EQ(0, mv_ensure_loaded());
	/* KVM's shadow MMU is the oracle. */
	if (access("/sys/module/kvm_amd", F_OK) == 0) {
		FILE *f = fopen("/sys/module/kvm_amd/parameters/npt", "r");
		char c = 0;

		if (f) {
			c = fgetc(f);
			fclose(f);
		}
		if (c != 'N' && c != '0')
			ASSERT_EQ(0, kvm_amd_unload());
	}
	ASSERT_EQ(0, kvm_amd_load("npt=0"));
}

FIXTURE_TEARDOWN(paging)
{
}

TEST_F_TIMEOUT(paging, permission_matrix, 900)
{
	both(_metadata, variant->guest, P_MATRIX, variant->mode, 0, 0, 160 * MIB);
}

TEST_F_TIMEOUT(paging, smep_smap, 300)
{
	both(_metadata, variant->guest, P_SMEP_SMAP, variant->mode, 0, 0, 160 * MIB);
	/* The testbed's CPU has both: the guest must have tested them. */
	EXPECT_EQ(NULL, strstr(mv_out, "not offered"));
}

TEST_F_TIMEOUT(paging, reserved_bits, 300)
{
	both(_metadata, variant->guest, P_RSVD, variant->mode, 0, 0, 160 * MIB);
}

TEST_F_TIMEOUT(paging, accessed_and_dirty_bits, 300)
{
	both(_metadata, variant->guest, P_AD, variant->mode, 0, 0, 160 * MIB);
}

/*
 * The same VM runs the guest again, loaded over itself: it starts with
 * paging off and writes pages that were its shadowed tables (the write
 * must unshadow them; it looped on the #PF before).  KVM too.
 */
static void on_alarm(int sig)
{
	(void)sig;
}

TEST_F_TIMEOUT(paging, a_guest_loaded_again_over_its_old_tables, 300)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	uint64_t args[3] = { variant->mode, 0, 0 };
	int ret;

	/* A run that loops ends on the alarm (MV_RUN and KVM_RUN: EINTR). */
	sigaction(SIGALRM, &sa, NULL);
	alarm(60);
	ret = run_guest_n(_metadata, TVM_MV, variant->guest, P_AD, args, 3,
			  160 * MIB, mv_out, sizeof(mv_out), 3);
	EXPECT_EQ(0, ret) {
		TH_LOG("minivisor console:\n%s", mv_out);
	}
	ASSERT_EQ(0, kvm_amd_load("npt=0"));
	alarm(60);
	ret = run_guest_n(_metadata, TVM_KVM, variant->guest, P_AD, args, 3,
			  160 * MIB, kvm_out, sizeof(kvm_out), 3);
	alarm(0);
	ASSERT_EQ(0, ret) {
		TH_LOG("kvm console:\n%s", kvm_out);
	}
	EXPECT_STREQ(kvm_out, mv_out);
}

TEST_F_TIMEOUT(paging, aliasing, 300)
{
	both(_metadata, variant->guest, P_ALIAS, variant->mode, 0, 0, 160 * MIB);
}

TEST_F_TIMEOUT(paging, tables_that_map_themselves, 300)
{
	if (variant->mode == 2)
		SKIP(return, "the guest has no recursive slot in PAE");
	both(_metadata, variant->guest, P_SELFMAP, variant->mode, 0, 0, 160 * MIB);
}

TEST_F_TIMEOUT(paging, many_address_spaces, 300)
{
	both(_metadata, variant->guest, P_MANY, variant->mode, 64, 6, 160 * MIB);
}

TEST_F_TIMEOUT(paging, invlpg_and_global_pages, 300)
{
	both(_metadata, variant->guest, P_INVLPG, variant->mode, 0, 0, 160 * MIB);
}

TEST_F_TIMEOUT(paging, guest_page_fault_handler, 300)
{
	both(_metadata, variant->guest, P_PF_HANDLER, variant->mode, 0, 0, 160 * MIB);
}

TEST_F_TIMEOUT(paging, touch_256_mib, 600)
{
	both(_metadata, variant->guest, P_TOUCH, variant->mode, 256, 0, 384 * MIB);
}

TEST_F_TIMEOUT(paging, shadow_memory_is_bounded, 600)
{
	unsigned int max = 0, n = 10000;
	uint64_t args[2] = { variant->mode, n };
	struct mv_vm_stats st;
	struct tvm t;
	enum tvm_exit e;
	FILE *f;

	f = fopen("/sys/module/minivisor/parameters/max_mmu_pages", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%u", &max));
	fclose(f);
	ASSERT_EQ(0, tvm_create(&t, TVM_MV, 128 * MIB, "roots"));
	ASSERT_EQ(0, tvm_load(&t, variant->guest));
	ASSERT_EQ(0, tvm_args(&t, P_ROOTS, args, 2));
	while ((e = tvm_run(&t)) == TVM_EXIT_UCALL && t.uc.cmd == UCALL_SYNC) {
		ASSERT_EQ(0, ioctl(t.vm, MV_GET_VM_STATS, &st));
		EXPECT_GE(max, st.mmu_pages) {
			TH_LOG("after %llu address spaces: %llu shadow pages",
			       (unsigned long long)t.uc.args[1],
			       (unsigned long long)st.mmu_pages);
		}
	}
	EXPECT_EQ(TVM_EXIT_UCALL, e) {
		struct mv_regs r;
		struct mv_sregs s;

		ioctl(t.vcpu, MV_GET_REGS, &r);
		ioctl(t.vcpu, MV_GET_SREGS, &s);
		TH_LOG("%s: rip %llx rsp %llx cr2 %llx cr3 %llx; %s", tvm_exit_name(e),
		       (unsigned long long)r.rip, (unsigned long long)r.rsp,
		       (unsigned long long)s.cr2, (unsigned long long)s.cr3,
		       t.console);
	}
	EXPECT_EQ(UCALL_DONE, t.uc.cmd) {
		TH_LOG("%s", t.console);
	}
	ASSERT_EQ(0, ioctl(t.vm, MV_GET_VM_STATS, &st));
	EXPECT_GE(max, st.mmu_pages);
	tvm_destroy(&t);
}

static int set_unsync(const char *v)
{
	int fd = open("/sys/module/minivisor/parameters/mmu_unsync", O_WRONLY);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, v, 1) == 1 ? 0 : -errno;
	close(fd);
	return ret;
}

/* The other way of seeing guest table updates: trap every write. */
TEST_F_TIMEOUT(paging, write_protect_mode, 600)
{
	ASSERT_EQ(0, set_unsync("N"));
	both(_metadata, variant->guest, P_INVLPG, variant->mode, 0, 0, 160 * MIB);
	if (variant->mode != 2)
		both(_metadata, variant->guest, P_SELFMAP, variant->mode, 0, 0, 160 * MIB);
	both(_metadata, variant->guest, P_AD, variant->mode, 0, 0, 160 * MIB);
	both(_metadata, variant->guest, P_PF_HANDLER, variant->mode, 0, 0, 160 * MIB);
	both(_metadata, variant->guest, P_MANY, variant->mode, 16, 4, 160 * MIB);
	ASSERT_EQ(0, set_unsync("Y"));
}

/* real -> protected -> paging -> PAE -> long mode -> and back to real mode */
TEST(mode_switches_there_and_back)
{
	struct tvm t;
	int i, code[2];
	char out[2][256];

	ASSERT_EQ(0, mv_ensure_loaded());
	ASSERT_EQ(0, kvm_amd_load(NULL));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, tvm_create(&t, i ? TVM_KVM : TVM_MV, 8 * MIB, "modes"));
		ASSERT_EQ(0, tvm_load(&t, "modes16"));
		code[i] = tvm_run_to_end(&t);
		memcpy(out[i], t.console, sizeof(out[i]) - 1);
		out[i][sizeof(out[i]) - 1] = 0;
		tvm_destroy(&t);
	}
	EXPECT_EQ(0x55, code[0]) {
		TH_LOG("minivisor: %s", out[0]);
	}
	EXPECT_STREQ("RPGALcpr\n", out[0]);
	EXPECT_EQ(code[1], code[0]);
	EXPECT_STREQ(out[1], out[0]);
}

TEST_HARNESS_MAIN
