// SPDX-License-Identifier: GPL-2.0
/*
 * The host stays in charge: register round trips, bad ioctl arguments,
 * the memory limit, signals, kill -9, administrator control over netlink
 * (mvctl vm list/show/pause/resume/destroy, monitor events), unprivileged
 * callers, mvrun, and minivisor running next to KVM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvnl.h"
#include "mvtest.h"
#include "sharewl.h"
#include "tvm.h"

static char out[32768];

struct totals {
	uint64_t guest_pages, mmu_pages, foreign_flushes;
	uint32_t nr_vms;
};

static int totals_cb(struct nlattr **a, uint8_t cmd, void *arg)
{
	struct totals *t = arg;

	(void)cmd;
	t->guest_pages = nla_get_u64(a[MV_A_GUEST_PAGES]);
	t->mmu_pages = nla_get_u64(a[MV_A_MMU_PAGES]);
	t->nr_vms = nla_get_u32(a[MV_A_NR_VMS]);
	t->foreign_flushes = nla_get_u64(a[MV_A_FOREIGN_FLUSHES]);
	return 0;
}

static int get_totals(struct totals *t)
{
	struct mvnl nl;
	int ret = mvnl_open(&nl);

	if (ret)
		return ret;
	ret = mvnl_request(&nl, MV_CMD_GET_INFO, false, NULL, NULL, totals_cb, t);
	mvnl_close(&nl);
	return ret;
}

/* Everything VMs held is back; VMs go away asynchronously after exit(). */
static bool wait_all_freed(struct totals *t)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (!get_totals(t) && !t->nr_vms && !t->guest_pages && !t->mmu_pages)
			return true;
		usleep(20000);
	}
	return false;
}

FIXTURE(ctl) {
	struct tvm t;
};

FIXTURE_SETUP(ctl)
{
	ASSERT_EQ(0, mv_ensure_loaded());
	ASSERT_EQ(0, tvm_create(&self->t, TVM_MV, 4 << 20, "control_test"));
}

FIXTURE_TEARDOWN(ctl)
{
	tvm_destroy(&self->t);
}

TEST_F(ctl, register_round_trips)
{
	struct mv_regs r, r2;
	struct mv_sregs s, s2;
	int fd = self->t.vcpu;
	uint64_t *w;
	unsigned int i;

	for (i = 0, w = (uint64_t *)&r; i < 16; i++)
		w[i] = 0x1111111111111111ull * (i + 1);
	r.rip = 0x1234;
	r.rflags = 0x202;
	ASSERT_EQ(0, ioctl(fd, MV_SET_REGS, &r));
	ASSERT_EQ(0, ioctl(fd, MV_GET_REGS, &r2));
	EXPECT_EQ(0, memcmp(&r, &r2, sizeof(r)));

	ASSERT_EQ(0, ioctl(fd, MV_GET_SREGS, &s));
	/* The reset state: real mode at f000:fff0. */
	EXPECT_EQ(0xf000, s.cs.selector);
	EXPECT_EQ(0xffff0000, s.cs.base);
	EXPECT_EQ(0x60000010, s.cr0);
	/* 32-bit protected mode, flat. */
	s.cs.base = 0;
	s.cs.limit = 0xffffffff;
	s.cs.selector = 8;
	s.cs.db = 1;
	s.cs.g = 1;
	s.ds = s.cs;
	s.ds.type = 3;
	s.ds.selector = 0x10;
	s.cr0 = 0x11;
	s.cr3 = 0x5000;
	s.cr2 = 0xdeadbeef;
	s.cr4 = 0x200;
	s.gdt.base = 0x2000;
	s.gdt.limit = 0x3f;
	ASSERT_EQ(0, ioctl(fd, MV_SET_SREGS, &s));
	ASSERT_EQ(0, ioctl(fd, MV_GET_SREGS, &s2));
	EXPECT_EQ(0, memcmp(&s.cs, &s2.cs, sizeof(s.cs)));
	EXPECT_EQ(0, memcmp(&s.ds, &s2.ds, sizeof(s.ds)));
	EXPECT_EQ(s.cr0, s2.cr0);
	EXPECT_EQ(s.cr2, s2.cr2);
	EXPECT_EQ(s.cr3, s2.cr3);
	EXPECT_EQ(s.cr4, s2.cr4);
	EXPECT_EQ(0x2000, s2.gdt.base);
	EXPECT_EQ(0x3f, s2.gdt.limit);

	/* Architecturally invalid states are refused and change nothing. */
	s2 = s;
	s2.cr0 = 0x80000000;			/* PG without PE */
	EXPECT_EQ(-1, ioctl(fd, MV_SET_SREGS, &s2));
	EXPECT_EQ(EINVAL, errno);
	s2 = s;
	s2.cr0 = 0x20000001;			/* NW without CD */
	EXPECT_EQ(-1, ioctl(fd, MV_SET_SREGS, &s2));
	s2 = s;
	s2.cr4 = 1ull << 18;			/* OSXSAVE: not offered */
	EXPECT_EQ(-1, ioctl(fd, MV_SET_SREGS, &s2));
	s2 = s;
	s2.efer = 1ull << 12;			/* SVME */
	EXPECT_EQ(-1, ioctl(fd, MV_SET_SREGS, &s2));
	s2 = s;
	s2.efer = 1ull << 10;			/* LMA without LME and PG */
	EXPECT_EQ(-1, ioctl(fd, MV_SET_SREGS, &s2));
	s2 = s;
	s2.cs.dpl = 7;
	EXPECT_EQ(-1, ioctl(fd, MV_SET_SREGS, &s2));
	s2 = s;
	s2.reserved[3] = 1;
	EXPECT_EQ(-1, ioctl(fd, MV_SET_SREGS, &s2));
	ASSERT_EQ(0, ioctl(fd, MV_GET_SREGS, &s2));
	EXPECT_EQ(s.cr0, s2.cr0);

	r2 = r;
	r2.rflags = 2 | (1ull << 17);		/* VM */
	EXPECT_EQ(-1, ioctl(fd, MV_SET_REGS, &r2));
	EXPECT_EQ(EINVAL, errno);
	r2.rflags = 2 | (1ull << 40);		/* reserved */
	EXPECT_EQ(-1, ioctl(fd, MV_SET_REGS, &r2));
	ASSERT_EQ(0, ioctl(fd, MV_GET_REGS, &r2));
	EXPECT_EQ(r.rflags, r2.rflags);
}

TEST_F(ctl, bad_ioctl_arguments)
{
	struct mv_vm_config cfg = { .mem_size = 1 << 20 };
	struct mv_guest_mem m = { 0 };
	struct mv_exception e = { 0 };
	char buf[16];
	int dev, vm, fd;
	void *p;

	dev = open("/dev/minivisor", O_RDWR);
	ASSERT_LE(0, dev);
	/* Creating VMs: bad pointers, sizes, flags, names. */
	EXPECT_EQ(-1, ioctl(dev, MV_CREATE_VM, NULL));
	EXPECT_EQ(EFAULT, errno);
	cfg.mem_size = 12345;
	EXPECT_EQ(-1, ioctl(dev, MV_CREATE_VM, &cfg));
	EXPECT_EQ(EINVAL, errno);
	cfg.mem_size = 4096;
	EXPECT_EQ(-1, ioctl(dev, MV_CREATE_VM, &cfg));
	cfg.mem_size = 1ull << 50;
	EXPECT_EQ(-1, ioctl(dev, MV_CREATE_VM, &cfg));
	cfg.mem_size = 1 << 20;
	cfg.flags = 1;
	EXPECT_EQ(-1, ioctl(dev, MV_CREATE_VM, &cfg));
	cfg.flags = 0;
	cfg.reserved[5] = 1;
	EXPECT_EQ(-1, ioctl(dev, MV_CREATE_VM, &cfg));
	cfg.reserved[5] = 0;
	memset(cfg.name, 'x', sizeof(cfg.name));	/* no NUL */
	EXPECT_EQ(-1, ioctl(dev, MV_CREATE_VM, &cfg));
	strcpy(cfg.name, "tab\there");
	EXPECT_EQ(-1, ioctl(dev, MV_CREATE_VM, &cfg));
	/* An ioctl with the right number but the wrong size is unknown. */
	EXPECT_EQ(-1, ioctl(dev, _IOW(MV_IO, 0x01, char[8]), buf));
	EXPECT_EQ(ENOTTY, errno);

	vm = self->t.vm;
	/* VM ioctls on the device, vCPU ioctls on the VM, and so on. */
	EXPECT_EQ(-1, ioctl(dev, MV_CREATE_VCPU, 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(vm, MV_RUN, 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->t.vcpu, MV_CREATE_VCPU, 1));
	EXPECT_EQ(ENOTTY, errno);
	/* vCPU indices. */
	EXPECT_EQ(-1, ioctl(vm, MV_CREATE_VCPU, MV_MAX_VCPUS));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(vm, MV_CREATE_VCPU, 0));
	EXPECT_EQ(EEXIST, errno);
	fd = ioctl(vm, MV_CREATE_VCPU, 1);
	EXPECT_LE(0, fd);
	close(fd);
	/* Guest memory access outside RAM, with bad buffers or flags. */
	m.gpa = (4 << 20) - 8;
	m.size = 16;
	m.uaddr = (uintptr_t)buf;
	EXPECT_EQ(-1, ioctl(vm, MV_WRITE_GUEST, &m));
	EXPECT_EQ(EINVAL, errno);
	m.gpa = ~0ull - 4;
	EXPECT_EQ(-1, ioctl(vm, MV_READ_GUEST, &m));
	EXPECT_EQ(EINVAL, errno);
	m.gpa = 0;
	m.uaddr = 0x10;
	EXPECT_EQ(-1, ioctl(vm, MV_WRITE_GUEST, &m));
	EXPECT_EQ(EFAULT, errno);
	m.uaddr = (uintptr_t)buf;
	m.flags = 1;
	EXPECT_EQ(-1, ioctl(vm, MV_READ_GUEST, &m));
	EXPECT_EQ(EINVAL, errno);
	/* The run area: only the exact size at offset 0. */
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, self->t.vcpu, 0);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->t.vcpu, 4096);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(-1, ioctl(self->t.vcpu, MV_RUN, 1));
	EXPECT_EQ(EINVAL, errno);
	/* Exceptions: NMI, reserved vectors, error codes where none exist. */
	e.vector = 2;
	EXPECT_EQ(-1, ioctl(self->t.vcpu, MV_INJECT_EXCEPTION, &e));
	EXPECT_EQ(EINVAL, errno);
	e.vector = 40;
	EXPECT_EQ(-1, ioctl(self->t.vcpu, MV_INJECT_EXCEPTION, &e));
	e.vector = 6;
	e.has_error_code = 1;
	EXPECT_EQ(-1, ioctl(self->t.vcpu, MV_INJECT_EXCEPTION, &e));
	EXPECT_EQ(-1, ioctl(self->t.vcpu, MV_GET_REGS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->t.vcpu, MV_SET_SREGS, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	close(dev);
}

TEST_F(ctl, memory_is_bounded_by_the_vm_size)
{
	struct tvm *t = &self->t;
	struct mv_vm_stats st;
	uint64_t args[2] = { 0x100000, 256 };	/* 1 MiB .. 2 MiB */
	enum tvm_exit e;
	int mmio = 0;

	ASSERT_EQ(0, ioctl(t->vm, MV_GET_VM_STATS, &st));
	EXPECT_EQ(1024, st.mem_pages);
	ASSERT_EQ(0, tvm_load(t, "exits32"));
	ASSERT_EQ(0, tvm_args(t, T_TOUCH, args, 2));
	ASSERT_EQ(TVM_EXIT_UCALL, tvm_run(t));
	ASSERT_EQ(UCALL_DONE, t->uc.cmd) {
		TH_LOG("%s", t->console);
	}
	ASSERT_EQ(0, ioctl(t->vm, MV_GET_VM_STATS, &st));
	EXPECT_LE(256 + 3, st.pages_used);
	EXPECT_GE(1024, st.pages_used);

	/* Now 3 MiB .. 5 MiB: the part past 4 MiB is not RAM but MMIO. */
	tvm_destroy(t);
	ASSERT_EQ(0, tvm_create(t, TVM_MV, 4 << 20, "bounded"));
	ASSERT_EQ(0, tvm_load(t, "exits32"));
	args[0] = 3 << 20;
	args[1] = 512;
	ASSERT_EQ(0, tvm_args(t, T_TOUCH, args, 2));
	while ((e = tvm_run(t)) == TVM_EXIT_MMIO) {
		EXPECT_LE(4ull << 20, t->mmio.gpa);
		if (!t->mmio.is_write)
			memset(t->mmio.data, 0, 8);
		mmio++;
	}
	/* Writes went nowhere, so reading them back fails the guest's check. */
	EXPECT_EQ(TVM_EXIT_UCALL, e);
	EXPECT_EQ(UCALL_ASSERT, t->uc.cmd);
	EXPECT_EQ(256 + 1, mmio);
	ASSERT_EQ(0, ioctl(t->vm, MV_GET_VM_STATS, &st));
	EXPECT_GE(1024, st.pages_used);
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST_F_TIMEOUT(ctl, signal_interrupts_a_spinning_guest, 120)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct tvm *t = &self->t;
	timer_t timer;
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	struct itimerspec its = { .it_value.tv_nsec = 200 * 1000 * 1000 };
	double t0, dt;
	int i;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, timer_create(CLOCK_MONOTONIC, &sev, &timer));
	ASSERT_EQ(0, tvm_load(t, "exits32"));
	ASSERT_EQ(0, tvm_args(t, T_SPIN, NULL, 0));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, timer_settime(timer, 0, &its, NULL));
		t0 = wl_now();
		ASSERT_EQ(TVM_EXIT_INTR, tvm_run(t));
		dt = wl_now() - t0;
		EXPECT_EQ(MV_EXIT_INTR, ((struct mv_run *)t->run)->exit_reason);
		/* 200 ms plus scheduling slack, even under emulation. */
		EXPECT_LT(dt, 2.0);
		EXPECT_GT(dt, 0.15);
	}
	timer_delete(timer);
}

TEST_F_TIMEOUT(ctl, kill_9_frees_everything, 300)
{
	struct totals tot;
	int i, status;

	tvm_destroy(&self->t);
	ASSERT_TRUE(wait_all_freed(&tot)) {
		TH_LOG("before: %u VMs, %llu guest pages, %llu shadow pages",
		       tot.nr_vms, (unsigned long long)tot.guest_pages,
		       (unsigned long long)tot.mmu_pages);
	}
	for (i = 0; i < 20; i++) {
		uint64_t args[2] = { 0x100000, 64 + i };
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			struct tvm t;

			if (tvm_create(&t, TVM_MV, 8 << 20, "doomed") ||
			    tvm_load(&t, "exits32") ||
			    tvm_args(&t, T_TOUCH, args, 2) ||
			    tvm_run(&t) != TVM_EXIT_UCALL)
				_exit(1);
			/* Memory touched; now spin until killed. */
			tvm_args(&t, T_SPIN, NULL, 0);
			tvm_load(&t, "exits32");
			for (;;)
				tvm_run(&t);
		}
		usleep(300000 + i * 20000);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status));
		ASSERT_TRUE(wait_all_freed(&tot)) {
			TH_LOG("round %d: %u VMs, %llu guest pages, %llu shadow pages left",
			       i, tot.nr_vms, (unsigned long long)tot.guest_pages,
			       (unsigned long long)tot.mmu_pages);
		}
	}
}

/* A guest reporting progress on PORT_TEST; counts exits in a thread. */
struct progress {
	struct tvm *t;
	volatile unsigned long count;
	volatile int done;
	int err;
};

static void *progress_thread(void *p)
{
	struct progress *pr = p;

	for (;;) {
		enum tvm_exit e = tvm_run(pr->t);

		if (e == TVM_EXIT_IO) {
			pr->count++;
			continue;
		}
		if (e == TVM_EXIT_INTR)
			continue;
		pr->err = pr->t->err;
		pr->done = 1;
		return NULL;
	}
}

static unsigned long progress_in(struct progress *pr, int ms)
{
	unsigned long c0 = pr->count;

	usleep(ms * 1000);
	return pr->count - c0;
}

TEST_F_TIMEOUT(ctl, mvctl_controls_a_running_vm, 180)
{
	struct progress pr = { .t = &self->t };
	struct mv_vm_stats st;
	struct totals tot;
	char cmd[64];
	pthread_t th;

	ASSERT_EQ(0, ioctl(self->t.vm, MV_GET_VM_STATS, &st));
	ASSERT_EQ(0, tvm_load(&self->t, "exits32"));
	ASSERT_EQ(0, tvm_args(&self->t, T_PROGRESS, NULL, 0));
	ASSERT_EQ(0, pthread_create(&th, NULL, progress_thread, &pr));
	EXPECT_LT(0, progress_in(&pr, 500));

	/* The listing shows the VM with its owner and its exits. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm list"));
	TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "\n%-5u control_test     %-7d 4M", st.id, getpid());
	EXPECT_NE(NULL, strstr(out, cmd));
	EXPECT_NE(NULL, strstr(out, "running"));
	snprintf(cmd, sizeof(cmd), "mvctl -j vm show %u", st.id);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "%s", cmd));
	EXPECT_EQ(st.id, json_u64(out, "id"));
	EXPECT_EQ((uint64_t)getpid(), json_u64(out, "pid"));
	EXPECT_EQ(4 << 20, json_u64(out, "mem_bytes"));
	EXPECT_EQ(1, json_u64(out, "vcpus"));
	EXPECT_LT(0, json_u64(out, "io"));
	EXPECT_LT(0, json_u64(out, "pages_used"));
	EXPECT_NE(NULL, strstr(out, "\"state\":\"running\""));
	EXPECT_NE(NULL, strstr(out, "\"name\":\"control_test\""));

	/* Pause: no progress; resume: progress again. */
	snprintf(cmd, sizeof(cmd), "mvctl vm pause %u", st.id);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "%s", cmd)) {
		TH_LOG("%s", out);
	}
	usleep(100000);
	EXPECT_EQ(0, progress_in(&pr, 500));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm show %u", st.id));
	EXPECT_NE(NULL, strstr(out, "paused"));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm resume %u", st.id));
	EXPECT_LT(0, progress_in(&pr, 500));

	/* Unprivileged users may look but not touch. */
	EXPECT_EQ(0, run_cmd(out, sizeof(out), 1, "mvctl vm list"));
	EXPECT_EQ(1, run_cmd(out, sizeof(out), 1, "mvctl vm pause %u", st.id));
	EXPECT_NE(NULL, strstr(out, "permission denied")) {
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "CAP_NET_ADMIN"));
	EXPECT_EQ(1, run_cmd(out, sizeof(out), 1, "mvctl vm destroy %u", st.id));
	EXPECT_NE(NULL, strstr(out, "permission denied"));
	EXPECT_LT(0, progress_in(&pr, 300));

	/* Errors name the problem. */
	EXPECT_EQ(1, run_cmd(out, sizeof(out), -1, "mvctl vm pause 999999"));
	EXPECT_NE(NULL, strstr(out, "no VM with this ID"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl vm pause"));
	EXPECT_NE(NULL, strstr(out, "needs a VM ID"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl vm show abc"));
	EXPECT_NE(NULL, strstr(out, "not a VM ID"));

	/* Destroy: the VMM's run ends with ENODEV, memory goes back at once. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm destroy %u", st.id));
	pthread_join(th, NULL);
	EXPECT_TRUE(pr.done);
	EXPECT_EQ(ENODEV, pr.err);
	ASSERT_EQ(0, get_totals(&tot));
	EXPECT_EQ(0, tot.guest_pages);
	EXPECT_EQ(0, tot.mmu_pages);
	EXPECT_EQ(0, tot.nr_vms);
	EXPECT_EQ(-1, ioctl(self->t.vm, MV_GET_VM_STATS, &st));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, ioctl(self->t.vcpu, MV_RUN, 0));
	EXPECT_EQ(ENODEV, errno);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm list"));
	EXPECT_STREQ("no VMs\n", out);
	EXPECT_EQ(1, run_cmd(out, sizeof(out), -1, "mvctl vm destroy %u", st.id));
}

TEST_F_TIMEOUT(ctl, monitor_prints_events, 120)
{
	struct tvm *t = &self->t;
	struct mv_vm_stats st;
	struct monitor mon;
	char want[128], why[1024];
	struct tvm t2;

	tvm_destroy(t);
	ASSERT_EQ(0, monitor_start(&mon, true, 20000, why, sizeof(why))) {
		TH_LOG("%s", why);
	}
	ASSERT_EQ(0, tvm_create(&t2, TVM_MV, 1 << 20, "watched"));
	ASSERT_EQ(0, ioctl(t2.vm, MV_GET_VM_STATS, &st));
	ASSERT_EQ(0, tvm_load(&t2, "exits32"));
	ASSERT_EQ(0, tvm_args(&t2, T_TRIPLE, NULL, 0));
	ASSERT_EQ(TVM_EXIT_UCALL, tvm_run(&t2));
	ASSERT_EQ(TVM_EXIT_SHUTDOWN, tvm_run(&t2));
	tvm_destroy(&t2);
	/* mvrun puts its VM in the sharing domain it is given. */
	EXPECT_EQ(0x43, run_cmd(want, sizeof(want), -1,
				"mvrun --domain 9 --name domained /mv/guests/hello16.bin"));
	/* Events come in order: this one is the last the test looks at. */
	monitor_wait_for(&mon, "\"share_domain\":9}", 10000, out, sizeof(out));
	monitor_stop(&mon, out, sizeof(out));
	TH_LOG("%s", out);
	snprintf(want, sizeof(want), "{\"event\":\"vm-created\",\"id\":%u,\"name\":\"watched\",\"pid\":%d",
		 st.id, getpid());
	EXPECT_NE(NULL, strstr(out, want));
	snprintf(want, sizeof(want), "{\"event\":\"vm-crashed\",\"id\":%u,", st.id);
	EXPECT_NE(NULL, strstr(out, want));
	EXPECT_NE(NULL, strstr(out, "\"reason\":\"triple fault\""));
	snprintf(want, sizeof(want), "{\"event\":\"vm-destroyed\",\"id\":%u,", st.id);
	EXPECT_NE(NULL, strstr(out, want));
	EXPECT_NE(NULL, strstr(out, "\"name\":\"domained\""));
	EXPECT_NE(NULL, strstr(out, "\"share_domain\":9}"));
}

struct kvm_loop {
	int iterations;
	int ok;
};

static void *kvm_thread(void *p)
{
	struct kvm_loop *k = p;
	struct tvm t;
	int i;

	if (tvm_create(&t, TVM_KVM, 4 << 20, NULL))
		return NULL;
	for (i = 0; i < k->iterations; i++) {
		if (tvm_load(&t, "exits32") || tvm_args(&t, T_HYPERCALL, NULL, 0))
			break;
		/* Under KVM, our hypercalls fail: the guest asserts, fine. */
		if (tvm_run(&t) != TVM_EXIT_UCALL)
			break;
		k->ok++;
	}
	tvm_destroy(&t);
	return NULL;
}

TEST_F_TIMEOUT(ctl, runs_alongside_kvm_amd, 300)
{
	struct kvm_loop k = { .iterations = 30 };
	struct tvm *t = &self->t;
	struct totals before, after;
	pthread_t th;
	int i, ok = 0;

	ASSERT_EQ(0, kvm_amd_load(NULL));
	ASSERT_EQ(0, get_totals(&before));
	ASSERT_EQ(0, pthread_create(&th, NULL, kvm_thread, &k));
	for (i = 0; i < 30; i++) {
		ASSERT_EQ(0, tvm_load(t, "exits32"));
		ASSERT_EQ(0, tvm_args(t, T_HYPERCALL, NULL, 0));
		ASSERT_EQ(TVM_EXIT_UCALL, tvm_run(t));
		ASSERT_EQ(UCALL_DONE, t->uc.cmd);
		ok++;
	}
	pthread_join(th, NULL);
	EXPECT_EQ(30, ok);
	EXPECT_EQ(30, k.ok);
	/*
	 * With a KVM VM alive, SVM stays on: our switches borrowed it and
	 * flushed our ASID on the way out (two CPUs, so not necessarily all).
	 */
	ASSERT_EQ(0, get_totals(&after));
	EXPECT_LT(before.foreign_flushes, after.foreign_flushes);
	EXPECT_EQ(0, kvm_amd_unload());
}

TEST(mvrun_runs_guests_and_reports)
{
	ASSERT_EQ(0, mv_ensure_loaded());
	EXPECT_EQ(0x43, run_cmd(out, sizeof(out), -1, "mvrun /mv/guests/hello16.bin"));
	EXPECT_STREQ("Hello from real mode!\n", out);
	/* isa-debug-exit: (v << 1) | 1 */
	EXPECT_EQ((0x7e << 1 | 1) & 0xff,
		  run_cmd(out, sizeof(out), -1, "mvrun --name x /mv/guests/exits32.bin"));
	EXPECT_NE(NULL, strstr(out, "unknown test 0"));
	/* Failures say what to do. */
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, "mvrun /nonexistent.bin"));
	EXPECT_NE(NULL, strstr(out, "cannot open /nonexistent.bin"));
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1,
			      "mvrun --mem 64K /mv/guests/exits32.bin"));
	EXPECT_NE(NULL, strstr(out, "too big"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvrun --mem lots x.bin"));
	EXPECT_NE(NULL, strstr(out, "bad memory size"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvrun --domain -1 x.bin"));
	EXPECT_NE(NULL, strstr(out, "bad sharing domain"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvrun"));
	EXPECT_NE(NULL, strstr(out, "Usage"));
	EXPECT_EQ(64, run_cmd(out, sizeof(out), 1, "mvrun /mv/guests/hello16.bin"));
	EXPECT_NE(NULL, strstr(out, "permission denied"));
	EXPECT_NE(NULL, strstr(out, "minivisor' group"));
	ASSERT_EQ(0, mv_unload());
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, "mvrun /mv/guests/hello16.bin"));
	EXPECT_NE(NULL, strstr(out, "module is not loaded"));
	ASSERT_EQ(0, mv_load(NULL));
}

TEST(mvrun_reports_a_crash)
{
	ASSERT_EQ(0, mv_ensure_loaded());
	EXPECT_EQ(66, run_cmd(out, sizeof(out), -1, "mvrun /mv/guests/triple16.bin"));
	EXPECT_NE(NULL, strstr(out, "the guest crashed: triple fault"));
	EXPECT_NE(NULL, strstr(out, "rip "));
	EXPECT_NE(NULL, strstr(out, "cr0 "));
}

TEST_HARNESS_MAIN
