// SPDX-License-Identifier: GPL-2.0
/*
 * The balloon: a guest driver (tests/guest/balloon.c) follows targets set
 * with mvctl and MV_SET_BALLOON; the host gets the memory back; deflated
 * pages come back zeroed and usable; hostile requests; the balloon with
 * page sharing and copy-on-write on the same memory; targets changing
 * faster than the guest follows; kill -9; and the host-pressure policy
 * ballooning the idle VM first when a memory hog squeezes the host.
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

static char out[65536];

#define MIB		(1ull << 20)
#define POOL_GFN	(16 * MIB / 4096)	/* the driver's pages start here */

/* A VM running balloon64's driver in a thread of ours. */
struct bvm {
	struct tvm t;
	pthread_t thread;
	bool running;
	volatile uint64_t held;		/* what the guest last reported */
	volatile unsigned int syncs;
	volatile bool failed, stop;
	char why[256];
	uint32_t id;
	uint64_t pool;			/* pages */
};

static void on_usr1(int sig)
{
	(void)sig;
}

static void *bvm_thread(void *arg)
{
	struct bvm *b = arg;

	for (;;) {
		enum tvm_exit e = tvm_run(&b->t);

		if (e == TVM_EXIT_UCALL && b->t.uc.cmd == UCALL_SYNC) {
			if (b->t.uc.args[0] == 2)
				b->held = b->t.uc.args[1];
			b->syncs++;
			continue;
		}
		if (e == TVM_EXIT_INTR && !b->stop)
			continue;
		if (e == TVM_EXIT_INTR)
			return NULL;
		snprintf(b->why, sizeof(b->why), "%s: %s (line %u) %#llx %#llx %.100s",
			 tvm_exit_name(e), b->t.uc.msg, b->t.uc.line,
			 (unsigned long long)b->t.uc.args[0],
			 (unsigned long long)b->t.uc.args[1], b->t.console);
		b->failed = true;
		return NULL;
	}
}

/*
 * A VM of @mem bytes whose guest fills the pool and runs the driver; the
 * pool's content depends on the gfn and @salt only.
 */
static int bvm_start_salted(struct bvm *b, uint64_t mem, uint64_t flags,
			    const char *name, uint64_t salt)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	uint64_t args[4];
	struct mv_vm_stats st;
	int i;

	memset(b, 0, sizeof(*b));
	b->pool = (mem - 16 * MIB) / 4096;
	args[0] = POOL_GFN;
	args[1] = b->pool;
	args[2] = flags;
	args[3] = salt;
	sigaction(SIGUSR1, &sa, NULL);
	if (tvm_create(&b->t, TVM_MV, mem, name) || tvm_load(&b->t, "balloon64") ||
	    tvm_args(&b->t, BL_DRIVER, args, 4))
		return -1;
	if (ioctl(b->t.vm, MV_GET_VM_STATS, &st))
		return -1;
	b->id = st.id;
	if (pthread_create(&b->thread, NULL, bvm_thread, b))
		return -1;
	b->running = true;
	/* Filled and the first adjustment reported. */
	for (i = 0; i < 6000 && b->syncs < 2 && !b->failed; i++)
		usleep(10000);
	return b->syncs >= 2 ? 0 : -1;
}

/* A VM of its own: nothing in its pool is shared with another. */
static int bvm_start(struct bvm *b, uint64_t mem, uint64_t flags,
		     const char *name)
{
	static uint64_t salt;

	return bvm_start_salted(b, mem, flags, name, ++salt);
}

static void bvm_stop(struct bvm *b)
{
	if (b->running) {
		b->stop = true;
		pthread_kill(b->thread, SIGUSR1);
		pthread_join(b->thread, NULL);
		b->running = false;
	}
	tvm_destroy(&b->t);
}

static void stats(struct bvm *b, struct mv_vm_stats *st)
{
	tvm_stats(&b->t, st);
}

/* Until the balloon holds its target (and the guest said so); 0 or -1. */
static int wait_reached(struct bvm *b, int seconds)
{
	struct mv_vm_stats st;
	int i;

	for (i = 0; i < seconds * 50 && !b->failed; i++) {
		if (tvm_stats(&b->t, &st))
			return -1;
		if (st.balloon_pages == st.balloon_target && b->held == st.balloon_pages)
			return 0;
		usleep(20000);
	}
	return -1;
}

/*
 * Free host memory: MemFree, plus the free pages parked in the per-CPU
 * lists of the page allocator (/proc/zoneinfo), which MemFree leaves out.
 */
static uint64_t host_free(void)
{
	uint64_t pcp = 0, n;
	char line[256];
	FILE *f = fopen("/proc/zoneinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %llu", (unsigned long long *)&n) == 1)
			pcp += n;
	if (f)
		fclose(f);
	return meminfo("MemFree") + pcp * 4096;
}

/* The host's free memory once freeing settles (pages go after a grace period). */
static uint64_t settled_free(void)
{
	uint64_t prev = 0, now = host_free();
	int i;

	for (i = 0; i < 20 && now != prev; i++) {
		usleep(100000);
		prev = now;
		now = host_free();
	}
	return now;
}

/* Pages the guest driver's books take for @n pages held (8 bytes each). */
static uint64_t books(uint64_t n)
{
	return (n * 8 + 4095) / 4096;
}

static int set_policy(const char *args)
{
	return run_cmd(out, sizeof(out), -1, "mvctl balloon set %s", args);
}

FIXTURE(bl) {
	struct bvm a, b;
};

FIXTURE_SETUP(bl)
{
	ASSERT_EQ(0, mv_ensure_loaded());
	/* The pressure policy stays out of the way unless a test wants it. */
	ASSERT_EQ(0, set_policy("auto off"));
	memset(&self->a, 0, sizeof(self->a));
	memset(&self->b, 0, sizeof(self->b));
	self->a.t.dev = self->a.t.vm = self->a.t.vcpu = -1;
	self->b.t.dev = self->b.t.vm = self->b.t.vcpu = -1;
}

FIXTURE_TEARDOWN(bl)
{
	bvm_stop(&self->a);
	bvm_stop(&self->b);
	set_policy("auto on tax 75 floor 25 free-target 0");
	run_cmd(out, sizeof(out), -1, "mvctl share set on pages 256 interval 20");
}

TEST_F_TIMEOUT(bl, inflate_gives_memory_back_and_deflate_zeroed_pages, 300)
{
	struct bvm *b = &self->a;
	struct mv_vm_stats st0, st;
	uint64_t before, after, want = 128 * MIB;

	ASSERT_EQ(0, bvm_start(b, 256 * MIB, BL_ACTIVE, "balloon")) {
		TH_LOG("%s", b->why);
	}
	stats(b, &st0);
	EXPECT_EQ(0, st0.balloon_target);
	before = settled_free();

	/* Shrink by 128M with mvctl: the host gets at least that back. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm balloon %u -128M", b->id)) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(0, wait_reached(b, 60)) {
		TH_LOG("guest holds %llu; %s", (unsigned long long)b->held, b->why);
	}
	after = settled_free();
	stats(b, &st);
	EXPECT_EQ(want / 4096, st.balloon_pages);
	EXPECT_EQ(want / 4096, st.balloon_inflated);
	/* Its pages went, but for the driver's books of them. */
	EXPECT_EQ(st0.pages_used - want / 4096 + books(want / 4096), st.pages_used);
	TH_LOG("free host memory %llu MiB -> %llu MiB",
	       (unsigned long long)(before >> 20), (unsigned long long)(after >> 20));
	EXPECT_LE(before + want - books(want / 4096) * 4096, after);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j vm show %u", b->id));
	EXPECT_EQ(want / 4096, json_u64(out, "balloon_pages"));
	EXPECT_EQ(128 * MIB, json_u64(out, "balloon_mem_bytes"));
	EXPECT_EQ(b->pool - want / 4096, json_u64(out, "guest_free_pages"));

	/* Back to full: the guest deflates, finds zeros, uses them again. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm balloon %u full", b->id));
	ASSERT_EQ(0, wait_reached(b, 60)) {
		TH_LOG("guest holds %llu; %s", (unsigned long long)b->held, b->why);
	}
	stats(b, &st);
	EXPECT_EQ(0, st.balloon_pages);
	EXPECT_EQ(want / 4096, st.balloon_deflated);
	/* The guest keeps reading (and checking) all its memory. */
	sleep(2);
	EXPECT_FALSE(b->failed) {
		TH_LOG("%s", b->why);
	}
	stats(b, &st);
	EXPECT_EQ(st0.pages_used + books(want / 4096), st.pages_used);
}

TEST_F_TIMEOUT(bl, targets_over_ioctl_and_netlink_are_checked, 120)
{
	struct bvm *b = &self->a;
	struct mv_balloon_target t = { 0 };
	struct mv_vm_stats st;
	unsigned int i;
	pid_t pid;
	int status;

	ASSERT_EQ(0, bvm_start(b, 64 * MIB, 0, "balloon")) {
		TH_LOG("%s", b->why);
	}
	t.mem_bytes = 40 * MIB;
	ASSERT_EQ(0, ioctl(b->t.vm, MV_SET_BALLOON, &t));
	ASSERT_EQ(0, wait_reached(b, 60)) {
		TH_LOG("%s", b->why);
	}
	stats(b, &st);
	EXPECT_EQ(24 * MIB / 4096, st.balloon_pages);
	/* Hostile arguments. */
	t.mem_bytes = 65 * MIB;
	EXPECT_EQ(-1, ioctl(b->t.vm, MV_SET_BALLOON, &t));
	EXPECT_EQ(ERANGE, errno);
	t.mem_bytes = 40 * MIB + 1;
	EXPECT_EQ(-1, ioctl(b->t.vm, MV_SET_BALLOON, &t));
	EXPECT_EQ(EINVAL, errno);
	t.mem_bytes = 40 * MIB;
	t.flags = ~(__u32)MV_BALLOON_RESET;
	EXPECT_EQ(-1, ioctl(b->t.vm, MV_SET_BALLOON, &t));
	EXPECT_EQ(EINVAL, errno);
	t.flags = 0;
	t.reserved[2] = 1;
	EXPECT_EQ(-1, ioctl(b->t.vm, MV_SET_BALLOON, &t));
	EXPECT_EQ(EINVAL, errno);
	t.reserved[2] = 0;
	EXPECT_EQ(1, run_cmd(out, sizeof(out), -1, "mvctl vm balloon %u 65M", b->id));
	EXPECT_NE(NULL, strstr(out, "more than the VM's memory"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl vm balloon %u lots", b->id));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl vm balloon %u", b->id));
	EXPECT_EQ(1, run_cmd(out, sizeof(out), -1, "mvctl vm balloon 99999 32M"));
	EXPECT_NE(NULL, strstr(out, "no VM"));
	/* Relative sizes stay within the VM. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm balloon %u +1G", b->id));
	ASSERT_EQ(0, wait_reached(b, 60));
	stats(b, &st);
	EXPECT_EQ(0, st.balloon_pages);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm balloon %u -1G", b->id));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j vm show %u", b->id));
	EXPECT_EQ(0, json_u64(out, "balloon_mem_bytes"));
	/*
	 * The guest gives what it has: its pool, not its own code (in
	 * half a second on the stock kernel; wait up to 10 s, for slower
	 * ones, until it has said so too: its last sync is in, not counted
	 * below).
	 */
	for (i = 0; i < 100; i++) {
		usleep(100000);
		stats(b, &st);
		if ((st.balloon_pages == b->pool && b->held == b->pool) || b->failed)
			break;
	}
	EXPECT_EQ(b->pool, st.balloon_pages);
	EXPECT_FALSE(b->failed);

	/*
	 * The VMM resets its guest: no more balloon, and the new guest hears
	 * nothing until it asks (this one, still running, is not told).
	 */
	t.mem_bytes = 64 * MIB;
	t.flags = MV_BALLOON_RESET;
	ASSERT_EQ(0, ioctl(b->t.vm, MV_SET_BALLOON, &t));
	stats(b, &st);
	EXPECT_EQ(0, st.balloon_pages);
	EXPECT_EQ(0, st.balloon_target);
	i = b->syncs;
	t.mem_bytes = 32 * MIB;
	t.flags = 0;
	ASSERT_EQ(0, ioctl(b->t.vm, MV_SET_BALLOON, &t));
	usleep(500000);
	EXPECT_EQ(i, b->syncs);
	t.flags = 2;
	EXPECT_EQ(-1, ioctl(b->t.vm, MV_SET_BALLOON, &t));
	EXPECT_EQ(EINVAL, errno);

	/* Setting targets needs CAP_NET_ADMIN. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (drop_privileges())
			_exit(10);
		if (run_cmd(out, sizeof(out), -1, "mvctl vm balloon %u 32M", b->id) != 1 ||
		    !strstr(out, "CAP_NET_ADMIN"))
			_exit(11);
		if (run_cmd(out, sizeof(out), -1, "mvctl balloon set auto on") != 1)
			_exit(12);
		if (run_cmd(out, sizeof(out), -1, "mvctl -j balloon show"))
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
		TH_LOG("child status %d", status);
	}
}

TEST_F_TIMEOUT(bl, hostile_requests_get_errors, 120)
{
	uint64_t args[2] = { POOL_GFN, 64 * MIB };
	struct mv_vm_stats st;
	struct tvm *t = &self->a.t;
	enum tvm_exit e;

	ASSERT_EQ(0, tvm_create(t, TVM_MV, 64 * MIB, "hostile"));
	ASSERT_EQ(0, tvm_load(t, "balloon64"));
	ASSERT_EQ(0, tvm_args(t, BL_HOSTILE, args, 2));
	e = tvm_run(t);
	ASSERT_EQ(TVM_EXIT_UCALL, e);
	ASSERT_EQ(UCALL_DONE, t->uc.cmd) {
		TH_LOG("guest: %s (line %u) %lld %lld", t->uc.msg, t->uc.line,
		       (long long)t->uc.args[0], (long long)t->uc.args[1]);
	}
	ASSERT_EQ(0, ioctl(t->vm, MV_GET_VM_STATS, &st));
	/* Every page it inflated came back, by deflate or by touch. */
	EXPECT_EQ(0, st.balloon_pages);
	EXPECT_EQ(515, st.balloon_inflated);
	EXPECT_EQ(515, st.balloon_deflated);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j vm show %u", st.id));
	EXPECT_EQ(10, json_u64(out, "guest_free_pages"));
	EXPECT_EQ(20, json_u64(out, "guest_avail_pages"));
}

/* A sharing counter; 0 if mvctl fails (so a rise cannot be seen). */
static uint64_t share_counter(const char *key)
{
	if (run_cmd(out, sizeof(out), -1, "mvctl -j share show"))
		return 0;
	return json_u64(out, key);
}

/*
 * Two VMs whose pool pages are identical (the pattern depends on the gfn
 * only): sharing merges them, while B keeps storing the values its pages
 * hold (a copy-on-write break whenever one was merged) and A balloons half
 * its pool away (its shared pages lose a user) and takes it back (zeroed,
 * refilled, merged again).  Both guests check everything they hold.
 */
TEST_F_TIMEOUT(bl, balloon_sharing_and_cow_on_one_vm, 300)
{
	struct bvm *a = &self->a, *b = &self->b;
	struct mv_vm_stats sa0, sa, sb0, sb;
	uint64_t merges0;
	int i;

	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl share set on pages 4096 interval 5"));
	merges0 = share_counter("merges");
	ASSERT_EQ(0, bvm_start_salted(a, 48 * MIB, BL_ACTIVE, "bl-share-a", 0));
	ASSERT_EQ(0, bvm_start_salted(b, 48 * MIB, BL_WRITE, "bl-share-b", 0));
	for (i = 0; i < 300; i++) {
		stats(b, &sb0);
		if (share_counter("merges") >= merges0 + a->pool / 2 && sb0.cow_breaks)
			break;
		usleep(100000);
	}
	EXPECT_LE(merges0 + a->pool / 2, share_counter("merges"));
	EXPECT_LT(0, sb0.cow_breaks);
	stats(a, &sa0);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm balloon %u -16M", a->id));
	ASSERT_EQ(0, wait_reached(a, 60)) {
		TH_LOG("%s", a->why);
	}
	stats(a, &sa);
	EXPECT_EQ(16 * MIB / 4096, sa.balloon_pages);
	EXPECT_EQ(sa0.pages_used - 16 * MIB / 4096 + books(16 * MIB / 4096),
		  sa.pages_used);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm balloon %u full", a->id));
	ASSERT_EQ(0, wait_reached(a, 60));
	/* Refilled pages merge with B's again, and B goes on breaking them. */
	merges0 = share_counter("merges");
	sleep(3);
	EXPECT_LT(merges0, share_counter("merges"));
	stats(a, &sa);
	stats(b, &sb);
	EXPECT_EQ(sa0.pages_used + books(16 * MIB / 4096), sa.pages_used);
	EXPECT_LT(sb0.cow_breaks, sb.cow_breaks);
	EXPECT_FALSE(a->failed) {
		TH_LOG("A: %s", a->why);
	}
	EXPECT_FALSE(b->failed) {
		TH_LOG("B: %s", b->why);
	}
}

/* Targets change faster than the guest follows: it ends where told. */
TEST_F_TIMEOUT(bl, racing_targets, 300)
{
	struct bvm *b = &self->a;
	struct mv_balloon_target t = { 0 };
	struct mv_vm_stats st;
	unsigned int seed = 1;
	int i;

	ASSERT_EQ(0, bvm_start(b, 64 * MIB, BL_ACTIVE, "racing"));
	for (i = 0; i < 150; i++) {
		t.mem_bytes = (16 + rand_r(&seed) % 48) * MIB;
		ASSERT_EQ(0, ioctl(b->t.vm, MV_SET_BALLOON, &t));
		usleep(rand_r(&seed) % 20000);
	}
	t.mem_bytes = 64 * MIB;
	ASSERT_EQ(0, ioctl(b->t.vm, MV_SET_BALLOON, &t));
	ASSERT_EQ(0, wait_reached(b, 60)) {
		TH_LOG("%s", b->why);
	}
	stats(b, &st);
	EXPECT_EQ(0, st.balloon_pages);
	EXPECT_EQ(st.balloon_inflated, st.balloon_deflated);
	EXPECT_LT(0, st.balloon_inflated);
	sleep(1);
	EXPECT_FALSE(b->failed) {
		TH_LOG("%s", b->why);
	}
}

TEST_F_TIMEOUT(bl, monitor_reports_target_reached, 120)
{
	struct bvm *b = &self->a;
	struct monitor mon;
	char want[128], why[1024];
	bool seen;

	ASSERT_EQ(0, bvm_start(b, 48 * MIB, 0, "watched-balloon"));
	ASSERT_EQ(0, monitor_start(&mon, true, 20000, why, sizeof(why))) {
		TH_LOG("%s", why);
	}
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm balloon %u 40M", b->id));
	snprintf(want, sizeof(want), "{\"event\":\"balloon-target-reached\",\"id\":%u,", b->id);
	seen = monitor_wait_for(&mon, want, 10000, out, sizeof(out));
	monitor_stop(&mon, out, sizeof(out));
	EXPECT_TRUE(seen) {
		TH_LOG("monitor printed: %s", out);
	}
	EXPECT_NE(NULL, strstr(out, "\"balloon_pages\":2048"));
	EXPECT_NE(NULL, strstr(out, "\"mem_target_bytes\":41943040"));
}

/* kill -9 of a VMM whose guest holds a balloon: everything comes back. */
TEST(kill_9_with_a_balloon)
{
	struct mv_vm_stats st;
	int round, i;

	ASSERT_EQ(0, mv_ensure_loaded());
	for (round = 0; round < 4; round++) {
		int pipefd[2];
		pid_t pid;
		char c;

		ASSERT_EQ(0, pipe(pipefd));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			struct mv_balloon_target t = { .mem_bytes = 32 * MIB };
			struct bvm b;

			close(pipefd[0]);
			if (bvm_start(&b, 64 * MIB, BL_ACTIVE, "doomed") ||
			    ioctl(b.t.vm, MV_SET_BALLOON, &t) || wait_reached(&b, 60))
				_exit(1);
			write(pipefd[1], "r", 1);
			for (;;)
				pause();
		}
		close(pipefd[1]);
		ASSERT_EQ(1, read(pipefd[0], &c, 1));
		close(pipefd[0]);
		usleep(round * 100000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	/* Everything back: no VM, no guest page. */
	for (i = 0; i < 250; i++) {
		ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j info"));
		if (!json_u64(out, "nr_vms") && !json_u64(out, "guest_pages"))
			break;
		usleep(20000);
	}
	EXPECT_EQ(0, json_u64(out, "nr_vms"));
	EXPECT_EQ(0, json_u64(out, "guest_pages"));
	(void)st;
}

/* A process that takes host memory until MemAvailable is below @floor. */
static pid_t hog(uint64_t floor, int *ready)
{
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid)
		goto parent;
	close(fds[0]);
	while (meminfo("MemAvailable") > floor) {
		void *p = mmap(NULL, 16 * MIB, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			break;
		memset(p, 0x5a, 16 * MIB);
	}
	write(fds[1], "r", 1);
	for (;;)
		pause();
parent:
	close(fds[1]);
	*ready = fds[0];
	return pid;
}

/*
 * Squeeze the host: the policy balloons the idle VM first (idle memory
 * tax) and stops at its floor; when the hog goes, it gives everything
 * back.  With the policy off, the same squeeze balloons nothing.
 */
TEST_F_TIMEOUT(bl, pressure_policy_balloons_idle_memory_first, 600)
{
	struct bvm *active = &self->a, *idle = &self->b;
	struct mv_vm_stats sa, si;
	uint64_t avail, free_target;
	bool saw_pressure = false;
	char c;
	int ready, i;
	pid_t pid;

	ASSERT_EQ(0, bvm_start(active, 256 * MIB, BL_ACTIVE, "active"));
	ASSERT_EQ(0, bvm_start(idle, 256 * MIB, 0, "idle"));
	/*
	 * Let the sampler see who is idle (a sample every 2 s, while the
	 * policy is on; with a free target of 1 MiB there is no pressure).
	 */
	ASSERT_EQ(0, set_policy("auto on free-target 1"));
	sleep(7);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j vm show %u", idle->id));
	TH_LOG("idle VM active %llu%%", (unsigned long long)json_u64(out, "active_pct"));
	EXPECT_GT(30, json_u64(out, "active_pct"));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j vm show %u", active->id));
	TH_LOG("active VM active %llu%%", (unsigned long long)json_u64(out, "active_pct"));
	EXPECT_LT(70, json_u64(out, "active_pct"));

	/* Keep 160 MiB more than there is now: a squeeze of that much. */
	avail = meminfo("MemAvailable");
	free_target = avail / MIB - 200;
	pid = hog((free_target - 160) * MIB, &ready);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(ready, &c, 1));
	TH_LOG("MemAvailable %llu MiB -> %llu MiB with the hog; keeping %llu MiB free",
	       (unsigned long long)(avail >> 20),
	       (unsigned long long)(meminfo("MemAvailable") >> 20),
	       (unsigned long long)free_target);

	/* Policy off: nothing happens. */
	ASSERT_EQ(0, set_policy("auto off"));
	sleep(2);
	stats(idle, &si);
	EXPECT_EQ(0, si.balloon_target);

	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1,
			     "mvctl balloon set auto on tax 75 floor 25 free-target %llu",
			     (unsigned long long)free_target));
	/* It says so while it lasts (it may be over within a second). */
	for (i = 0; i < 300; i++) {
		if (!run_cmd(out, sizeof(out), -1, "mvctl -j balloon show") &&
		    strstr(out, "\"pressure\":true"))
			saw_pressure = true;
		if (meminfo("MemAvailable") >= free_target * MIB)
			break;
		usleep(100000);
	}
	stats(active, &sa);
	stats(idle, &si);
	TH_LOG("after %d.%d s: MemAvailable %llu MiB; balloons: idle %llu pages, active %llu pages",
	       i / 10, i % 10, (unsigned long long)(meminfo("MemAvailable") >> 20),
	       (unsigned long long)si.balloon_pages, (unsigned long long)sa.balloon_pages);
	EXPECT_LE(free_target * MIB, meminfo("MemAvailable"));
	/* The idle one gave (nearly) all of it; never below its floor. */
	EXPECT_LT(sa.balloon_pages * 4, si.balloon_pages);
	EXPECT_GE(idle->pool, si.balloon_target);
	EXPECT_GE(256 * MIB / 4096 * 3 / 4, si.balloon_target);
	EXPECT_TRUE(saw_pressure);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j balloon show"));
	EXPECT_LT(0, json_u64(out, "raises"));

	/*
	 * The hog goes: so does the ballooning.  The idle guest deflates at
	 * its own pace: wait up to 2 minutes (under check-debug's kernel it
	 * gave back at most 800 pages a second: over 30 s for its balloon).
	 */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(ready);
	for (i = 0; i < 1200; i++) {
		stats(active, &sa);
		stats(idle, &si);
		if (!si.balloon_target && !sa.balloon_target &&
		    !si.balloon_pages && !sa.balloon_pages)
			break;
		usleep(100000);
	}
	EXPECT_EQ(0, si.balloon_pages);
	EXPECT_EQ(0, sa.balloon_pages);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j balloon show"));
	EXPECT_NE(NULL, strstr(out, "\"pressure\":false"));
	EXPECT_LT(0, json_u64(out, "releases"));
	EXPECT_FALSE(active->failed) {
		TH_LOG("%s", active->why);
	}
	EXPECT_FALSE(idle->failed) {
		TH_LOG("%s", idle->why);
	}
}

TEST_HARNESS_MAIN
