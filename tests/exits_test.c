// SPDX-License-Identifier: GPL-2.0
/*
 * Every exit kind, seen from the host: port I/O (all sizes, string and REP
 * forms), MMIO, HLT, interrupts, CPUID, MSRs, hypercalls, triple faults,
 * exceptions, control/debug registers, and what minivisor cannot emulate.
 * Guest programs: tests/guest/real16.S and exits32.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvtest.h"
#include "tvm.h"

#define MEM	(4 << 20)

static char out[8192];
#define MMIO	0xd0000000ull

FIXTURE(vm) {
	struct tvm t;
};

FIXTURE_SETUP(vm)
{
	ASSERT_EQ(0, mv_ensure_loaded());
	ASSERT_EQ(0, tvm_create(&self->t, TVM_MV, MEM, "exits_test"));
}

FIXTURE_TEARDOWN(vm)
{
	tvm_destroy(&self->t);
}

static struct mv_run *mvrun(struct tvm *t)
{
	return t->run;
}

/* Run until the guest's next ucall, failing on anything else. */
#define EXPECT_UCALL(t, want) do {					\
	enum tvm_exit __e = tvm_run(t);					\
	ASSERT_EQ(TVM_EXIT_UCALL, __e) {				\
		TH_LOG("got %s (errno %d), console: %s",		\
		       tvm_exit_name(__e), (t)->err, (t)->console);	\
	}								\
	ASSERT_EQ(want, (t)->uc.cmd) {					\
		TH_LOG("guest assert line %u: %s (%llx vs %llx); console: %s", \
		       (t)->uc.line, (t)->uc.msg,			\
		       (unsigned long long)(t)->uc.args[0],		\
		       (unsigned long long)(t)->uc.args[1], (t)->console); \
	}								\
} while (0)

/* The next exit must be port I/O with these properties. */
#define EXPECT_IO(t, dir_in, sz, prt, cnt) do {				\
	ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));				\
	EXPECT_EQ(dir_in, (t)->io.in);					\
	EXPECT_EQ(sz, (t)->io.size);					\
	EXPECT_EQ(prt, (t)->io.port);					\
	EXPECT_EQ(cnt, (t)->io.count);					\
} while (0)

static uint32_t io_val(struct tvm *t, int i)
{
	uint32_t v = 0;

	memcpy(&v, t->io.data + i * t->io.size, t->io.size);
	return v;
}

TEST_F(vm, real_mode)
{
	struct tvm *t = &self->t;
	uint32_t v;

	tvm_destroy(t);
	ASSERT_EQ(0, tvm_create(t, TVM_MV, 512 << 10, "real16"));
	ASSERT_EQ(0, tvm_load(t, "real16"));
	EXPECT_IO(t, false, 1, PORT_TEST, 1);
	EXPECT_EQ(0x11, io_val(t, 0));
	EXPECT_IO(t, false, 2, PORT_TEST, 1);
	EXPECT_EQ(0x2222, io_val(t, 0));
	EXPECT_IO(t, false, 4, PORT_TEST, 1);
	EXPECT_EQ(0x33333333, io_val(t, 0));
	/* INs: answer, and the guest echoes. */
	EXPECT_IO(t, true, 1, PORT_TEST_IN, 1);
	t->io.data[0] = 0x7e;
	EXPECT_IO(t, false, 1, PORT_TEST, 1);
	EXPECT_EQ(0x7e, io_val(t, 0));
	EXPECT_IO(t, true, 2, PORT_TEST_IN, 1);
	v = 0xbeef;
	memcpy(t->io.data, &v, 2);
	EXPECT_IO(t, false, 2, PORT_TEST, 1);
	EXPECT_EQ(0xbeef, io_val(t, 0));
	EXPECT_IO(t, true, 4, PORT_TEST_IN, 1);
	v = 0xcafef00d;
	memcpy(t->io.data, &v, 4);
	EXPECT_IO(t, false, 4, PORT_TEST, 1);
	EXPECT_EQ(0xcafef00d, io_val(t, 0));
	/* REP OUTSB went to the console in one exit (tvm_run consumed it). */
	EXPECT_IO(t, false, 4, PORT_TEST, 1);
	EXPECT_STREQ("real mode ok\n", t->console);
	EXPECT_EQ(0x696e694d, io_val(t, 0));	/* CPUID 0x40000000 EBX */
	EXPECT_IO(t, false, 4, PORT_TEST, 1);
	EXPECT_EQ(42, io_val(t, 0));		/* MV_HC_PING(41) */
	/* MMIO at 0xa0010 (byte store), then 0xa0020 (word load). */
	ASSERT_EQ(TVM_EXIT_MMIO, tvm_run(t));
	EXPECT_EQ(0xa0010, t->mmio.gpa);
	EXPECT_EQ(1, t->mmio.len);
	EXPECT_TRUE(t->mmio.is_write);
	EXPECT_EQ(0x5a, t->mmio.data[0]);
	ASSERT_EQ(TVM_EXIT_MMIO, tvm_run(t));
	EXPECT_EQ(0xa0020, t->mmio.gpa);
	EXPECT_EQ(2, t->mmio.len);
	EXPECT_FALSE(t->mmio.is_write);
	t->mmio.data[0] = 0x34;
	t->mmio.data[1] = 0x12;
	EXPECT_IO(t, false, 2, PORT_TEST, 1);
	EXPECT_EQ(0x1234, io_val(t, 0));
	ASSERT_EQ(TVM_EXIT_DEBUG_EXIT, tvm_run(t));
	EXPECT_EQ(0x43, t->exit_code);
}

static void start(struct __test_metadata *_metadata, struct tvm *t, int test,
		  uint64_t arg0)
{
	ASSERT_EQ(0, tvm_load(t, "exits32"));
	ASSERT_EQ(0, tvm_args(t, test, &arg0, 1));
}

TEST_F(vm, port_io_all_forms)
{
	struct tvm *t = &self->t;
	uint32_t i, got = 0;

	start(_metadata, t, T_PIO, 0);
	EXPECT_IO(t, false, 1, PORT_TEST, 1);
	EXPECT_EQ(0x12, io_val(t, 0));
	EXPECT_IO(t, false, 2, PORT_TEST, 1);
	EXPECT_EQ(0x3456, io_val(t, 0));
	EXPECT_IO(t, false, 4, PORT_TEST, 1);
	EXPECT_EQ(0x789abcde, io_val(t, 0));
	EXPECT_IO(t, true, 1, PORT_TEST_IN, 1);
	t->io.data[0] = 0xa5;
	EXPECT_IO(t, true, 2, PORT_TEST_IN, 1);
	memcpy(t->io.data, "\xa6\xa5", 2);
	EXPECT_IO(t, true, 4, PORT_TEST_IN, 1);
	memcpy(t->io.data, "\xa8\xa7\xa6\xa5", 4);
	/* REP OUTSW forwards: the four words in order. */
	ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
	EXPECT_EQ(2, t->io.size);
	ASSERT_EQ(4, t->io.count);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0x1111 * (i + 1), io_val(t, i));
	/* Backwards: the element order is the order they go out. */
	ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
	ASSERT_EQ(4, t->io.count);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0x1111 * (4 - i), io_val(t, i));
	/* REP INSB of 3000 bytes: as many exits as it takes. */
	while (got < 3000) {
		ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
		ASSERT_TRUE(t->io.in);
		ASSERT_EQ(1, t->io.size);
		ASSERT_LE(got + t->io.count, 3000);
		for (i = 0; i < t->io.count; i++)
			t->io.data[i] = (got + i) & 0xff;
		got += t->io.count;
	}
	ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
	EXPECT_EQ(4, t->io.size);
	ASSERT_EQ(4, t->io.count);
	for (i = 0; i < 4; i++)
		memcpy(t->io.data + 4 * i, &i, 4);
	EXPECT_UCALL(t, UCALL_DONE);
}

TEST_F(vm, mmio_reads_and_writes)
{
	static const struct {
		uint64_t gpa;
		uint32_t len;
		uint64_t val;
	} writes[] = {
		{ MMIO + 1, 1, 0x11 },
		{ MMIO + 2, 2, 0x2233 },
		{ MMIO + 4, 4, 0x44556677 },
		{ MMIO + 3, 1, 0x88 },
		{ MMIO + 12, 4, 0x99aabbcc },
		{ MMIO + 0x40, 1, 0xee },
	};
	static const struct {
		uint64_t gpa;
		uint32_t len;
	} reads[] = {
		{ MMIO + 0x10, 1 }, { MMIO + 0x20, 2 }, { MMIO + 0x40, 4 },
		{ MMIO + 0x40, 1 }, { MMIO + 0x40, 2 }, { MMIO + 0x80, 4 },
	};
	struct tvm *t = &self->t;
	uint64_t v;
	unsigned int i;

	start(_metadata, t, T_MMIO, MMIO);
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		ASSERT_EQ(TVM_EXIT_MMIO, tvm_run(t)) {
			TH_LOG("write %u: %s", i, t->console);
		}
		EXPECT_EQ(writes[i].gpa, t->mmio.gpa);
		EXPECT_EQ(writes[i].len, t->mmio.len);
		EXPECT_TRUE(t->mmio.is_write);
		v = 0;
		memcpy(&v, t->mmio.data, t->mmio.len);
		EXPECT_EQ(writes[i].val, v);
	}
	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		ASSERT_EQ(TVM_EXIT_MMIO, tvm_run(t)) {
			TH_LOG("read %u: %s", i, t->console);
		}
		EXPECT_EQ(reads[i].gpa, t->mmio.gpa);
		EXPECT_EQ(reads[i].len, t->mmio.len);
		EXPECT_FALSE(t->mmio.is_write);
		memcpy(t->mmio.data, "\x81\x82\x83\x84\x85\x86\x87\x88", 8);
	}
	EXPECT_UCALL(t, UCALL_DONE);
}

/*
 * struct mv_run is the VMM's to scribble on: a length or count rewritten
 * between exit and re-entry must not make the kernel copy more than the
 * instruction moves (a stack overflow, a read past the run page).
 */
TEST_F(vm, rewritten_run_page_is_harmless)
{
	struct tvm *t = &self->t;
	struct mv_run *run = mvrun(t);
	unsigned int i, got = 0;

	start(_metadata, t, T_MMIO, MMIO);
	for (i = 0; i < 6; i++)
		ASSERT_EQ(TVM_EXIT_MMIO, tvm_run(t));
	/* The six loads: answer, then claim a huge length. */
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(TVM_EXIT_MMIO, tvm_run(t));
		ASSERT_FALSE(t->mmio.is_write);
		memcpy(t->mmio.data, "\x81\x82\x83\x84\x85\x86\x87\x88", 8);
		run->mmio.len = 0xffffffff;
	}
	EXPECT_UCALL(t, UCALL_DONE);

	tvm_destroy(t);
	ASSERT_EQ(0, tvm_create(t, TVM_MV, MEM, "exits_test"));
	run = mvrun(t);
	start(_metadata, t, T_PIO, 0);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));	/* OUT b/w/l */
	EXPECT_IO(t, true, 1, PORT_TEST_IN, 1);
	t->io.data[0] = 0xa5;
	EXPECT_IO(t, true, 2, PORT_TEST_IN, 1);
	memcpy(t->io.data, "\xa6\xa5", 2);
	EXPECT_IO(t, true, 4, PORT_TEST_IN, 1);
	memcpy(t->io.data, "\xa8\xa7\xa6\xa5", 4);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));	/* REP OUTSW x 2 */
	/* REP INSB: claim far more elements than the exit asked for. */
	while (got < 3000) {
		ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
		ASSERT_TRUE(t->io.in);
		for (i = 0; i < t->io.count; i++)
			t->io.data[i] = (got + i) & 0xff;
		got += t->io.count;
		run->io.count = 1 << 20;
	}
	ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
	for (i = 0; i < 4; i++)
		memcpy(t->io.data + 4 * i, &i, 4);
	EXPECT_UCALL(t, UCALL_DONE);
}

TEST_F(vm, hlt_with_interrupts_off_exits)
{
	struct tvm *t = &self->t;
	struct mv_regs r;

	start(_metadata, t, T_HLT, 0);
	ASSERT_EQ(TVM_EXIT_HLT, tvm_run(t));
	EXPECT_EQ(0, mvrun(t)->if_flag);
	ASSERT_EQ(0, ioctl(t->vcpu, MV_GET_REGS, &r));
	/* RIP is past the HLT: running again continues the guest. */
	EXPECT_UCALL(t, UCALL_SYNC);
	EXPECT_UCALL(t, UCALL_DONE);
}

struct irq_arg {
	int fd;
	int vector;
	int delay_ms;
	int ret;
};

static void *raise_irq(void *p)
{
	struct irq_arg *a = p;
	struct mv_interrupt irq = { .vector = a->vector };

	usleep(a->delay_ms * 1000);
	a->ret = ioctl(a->fd, MV_INTERRUPT, &irq) ? -errno : 0;
	return NULL;
}

TEST_F(vm, interrupts_wake_halt_and_wait_for_if)
{
	struct tvm *t = &self->t;
	struct mv_interrupt irq = { .vector = 0x30 };
	struct irq_arg a = { .vector = 0x30, .delay_ms = 300 };
	pthread_t th;

	start(_metadata, t, T_IRQ, 0);
	EXPECT_UCALL(t, UCALL_SYNC);
	/* The guest halts with IF=1; another thread raises the interrupt. */
	a.fd = t->vcpu;
	ASSERT_EQ(0, pthread_create(&th, NULL, raise_irq, &a));
	EXPECT_UCALL(t, UCALL_SYNC);
	pthread_join(th, NULL);
	EXPECT_EQ(0, a.ret);
	EXPECT_EQ(2, t->uc.args[0]);
	/* Raised while IF=0: pending until the guest's STI. */
	ASSERT_EQ(0, ioctl(t->vcpu, MV_INTERRUPT, &irq));
	EXPECT_EQ(-1, ioctl(t->vcpu, MV_INTERRUPT, &irq));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_UCALL(t, UCALL_DONE);
	irq.vector = 256;
	EXPECT_EQ(-1, ioctl(t->vcpu, MV_INTERRUPT, &irq));
	EXPECT_EQ(EINVAL, errno);
}

static int set_cpuid_with_extra(int vcpu)
{
	struct {
		struct mv_cpuid c;
		struct mv_cpuid_entry e[MV_CPUID_MAX_ENTRIES];
	} tab = { .c.nent = MV_CPUID_MAX_ENTRIES };
	struct mv_cpuid_entry *x;

	if (ioctl(vcpu, MV_GET_CPUID, &tab))
		return -errno;
	x = &tab.c.entries[tab.c.nent++];
	memset(x, 0, sizeof(*x));
	x->function = 0x4000beef;
	x->index = 7;
	x->flags = MV_CPUID_INDEXED;
	x->eax = 0x1234;
	x->ebx = 0x5678;
	x->ecx = 0x9abc;
	x->edx = 0xdef0;
	return ioctl(vcpu, MV_SET_CPUID, &tab) ? -errno : 0;
}

TEST_F(vm, cpuid_from_the_table)
{
	struct tvm *t = &self->t;
	struct {
		struct mv_cpuid c;
		struct mv_cpuid_entry e[MV_CPUID_MAX_ENTRIES + 1];
	} tab = { .c.nent = 1 };
	int dev;

	start(_metadata, t, T_CPUID, 0);
	ASSERT_EQ(0, set_cpuid_with_extra(t->vcpu));
	EXPECT_UCALL(t, UCALL_SYNC);
	EXPECT_EQ(0x40000010, t->uc.args[1]);	/* max leaf: timing */
	EXPECT_UCALL(t, UCALL_DONE);

	/* Too small a buffer says how much is needed. */
	EXPECT_EQ(-1, ioctl(t->vcpu, MV_GET_CPUID, &tab));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_LT(5, tab.c.nent);
	dev = open("/dev/minivisor", O_RDWR);
	ASSERT_LE(0, dev);
	tab.c.nent = 2;
	EXPECT_EQ(-1, ioctl(dev, MV_GET_DEFAULT_CPUID, &tab));
	EXPECT_EQ(E2BIG, errno);
	tab.c.nent = MV_CPUID_MAX_ENTRIES;
	EXPECT_EQ(0, ioctl(dev, MV_GET_DEFAULT_CPUID, &tab));
	close(dev);
	/* Bad tables. */
	tab.c.nent = MV_CPUID_MAX_ENTRIES + 1;
	EXPECT_EQ(-1, ioctl(t->vcpu, MV_SET_CPUID, &tab));
	EXPECT_EQ(E2BIG, errno);
	tab.c.nent = 1;
	tab.c.entries[0].flags = 0x80;
	EXPECT_EQ(-1, ioctl(t->vcpu, MV_SET_CPUID, &tab));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vm, msrs_allowed_and_refused)
{
	struct tvm *t = &self->t;

	start(_metadata, t, T_MSR, 0);
	EXPECT_UCALL(t, UCALL_DONE);
}

TEST_F(vm, hypercalls)
{
	struct tvm *t = &self->t;

	start(_metadata, t, T_HYPERCALL, 0);
	EXPECT_UCALL(t, UCALL_DONE);
}

TEST_F(vm, triple_fault_crashes_the_vm)
{
	struct tvm *t = &self->t;

	start(_metadata, t, T_TRIPLE, 0);
	EXPECT_UCALL(t, UCALL_SYNC);
	ASSERT_EQ(TVM_EXIT_SHUTDOWN, tvm_run(t));
	EXPECT_EQ(MV_SHUTDOWN_TRIPLE_FAULT, mvrun(t)->shutdown.reason);
	/* A crashed VM does not run again. */
	EXPECT_EQ(TVM_EXIT_ERROR, tvm_run_once(t));
	EXPECT_EQ(EIO, t->err);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm list"));
	EXPECT_NE(NULL, strstr(out, "crashed"));
}

TEST_F(vm, exceptions_reflected_to_the_guest)
{
	struct tvm *t = &self->t;

	start(_metadata, t, T_EXCEPTIONS, 0);
	EXPECT_UCALL(t, UCALL_DONE);
}

TEST_F(vm, control_and_debug_registers)
{
	struct tvm *t = &self->t;

	start(_metadata, t, T_CR_DR, 0);
	EXPECT_UCALL(t, UCALL_DONE);
}

TEST_F(vm, unemulated_mmio_is_an_internal_error)
{
	struct tvm *t = &self->t;
	struct mv_run *run = t->run;

	start(_metadata, t, T_BAD_MMIO, MMIO);
	ASSERT_EQ(TVM_EXIT_INTERNAL, tvm_run(t));
	EXPECT_EQ(MV_INTERNAL_EMULATION, run->internal.suberror);
	EXPECT_EQ(4, run->internal.ndata);
	/* shll $1, (%reg): D1 /4 (the emulator runs ADD and its kin, not shifts) */
	EXPECT_EQ(0xd1, run->internal.data[1] & 0xff);
	EXPECT_EQ(MMIO, run->internal.data[3]);
}

TEST_HARNESS_MAIN
