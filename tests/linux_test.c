// SPDX-License-Identifier: GPL-2.0
/*
 * The stock Linux kernel as a guest of mvrun: the very kernel image the
 * test machine boots (/mv/guests/vmlinuz) with the small busybox image
 * (/mv/guests/linux-guest.cpio, scripts/linux-guest/init), whose /init
 * does what mvg= on the command line says.  Boots to /init with one and
 * two vCPUs (nproc right, a kernel log free of BUG, WARNING, unchecked
 * MSR accesses, unstable clocksources and failed calibrations), the end
 * statuses of poweroff, halt, reboot and panic, the console typed into
 * through a pseudo-terminal (raw mode, echo, the Ctrl-A x escape, the
 * terminal as it was afterwards) and fed from a pipe.  With mvg=check:
 * time kept (1 s sleeps against the host's clock) and a checksum by 8
 * processes at once against the one the test machine computes; two VMs
 * at once; one beside a KVM guest.  kill -9 mid-boot and ten boots in a
 * row leave nothing behind; four vCPUs boot too.
 *
 * Each boot takes tens of seconds under the emulated machine: few boots,
 * generous time-outs.  The boot times are printed as diagnostics.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kvm_util.h"
#include "mvtest.h"

#define KERNEL	"/mv/guests/vmlinuz"
#define INITRD	"/mv/guests/linux-guest.cpio"
#define MVRUN	"exec mvrun --kernel " KERNEL " --initrd " INITRD " --mem 256M "
#define BOOT_S	400		/* the most one boot may take here */
#define FLIGHT	"/sys/kernel/tracing/instances/linux_test"	/* flight_start() */

/* A running mvrun: its output as it comes, its input. */
struct vmproc {
	pid_t pid;
	int out;		/* stdout and stderr (the pty master for a pty) */
	int in;			/* a pipe or the pty master; -1 for /dev/null */
	bool pty;
	struct timespec start;
	struct timespec last_out;	/* when it last wrote something */
	bool frozen;			/* the flight recorder stopped for its silence */
	char buf[1 << 20];
	size_t len;
};

enum input { IN_NULL, IN_PIPE, IN_PTY };

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void child_exec(const char *cmd)
{
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

static int vm_start(struct vmproc *p, enum input in, const char *fmt, ...)
{
	int o[2], i[2] = { -1, -1 };
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p->len = 0;
	p->buf[0] = 0;
	p->pty = in == IN_PTY;
	p->frozen = false;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last_out = p->start;
	if (in == IN_PTY) {
		p->pid = forkpty(&p->out, NULL, NULL, NULL);
		if (!p->pid)
			child_exec(cmd);
		p->in = p->out;
		return p->pid > 0 ? 0 : -1;
	}
	if (pipe(o) || (in == IN_PIPE && pipe(i)))
		return -1;
	p->pid = fork();
	if (!p->pid) {
		int null = open("/dev/null", O_RDONLY);

		dup2(in == IN_PIPE ? i[0] : null, 0);
		dup2(o[1], 1);
		dup2(o[1], 2);
		child_exec(cmd);
	}
	close(o[1]);
	p->out = o[0];
	p->in = -1;
	if (in == IN_PIPE) {
		close(i[0]);
		p->in = i[1];
	}
	return p->pid > 0 ? 0 : -1;
}

static void flight_freeze(bool on);
static bool module_empty(int s);

/*
 * Reads what comes for up to @ms milliseconds; false at EOF.  A guest
 * silent for 30 s may be stuck: the flight recorder stops, so that what
 * led there is not overwritten, and goes on when output comes again.
 */
static bool vm_read(struct vmproc *p, int ms)
{
	struct pollfd f = { .fd = p->out, .events = POLLIN };
	ssize_t n;

	if (poll(&f, 1, ms) <= 0) {
		if (!p->frozen && since(&p->last_out) > 30) {
			flight_freeze(true);
			p->frozen = true;
		}
		return true;
	}
	n = read(p->out, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
	if (n <= 0)
		return false;	/* EOF (EIO on a pty whose child has gone) */
	clock_gettime(CLOCK_MONOTONIC, &p->last_out);
	if (p->frozen) {
		flight_freeze(false);
		p->frozen = false;
	}
	p->len += n;
	p->buf[p->len] = 0;
	return true;
}

/* Waits until @needle appears in the output; false after @s seconds or EOF. */
static bool vm_wait_for(struct vmproc *p, const char *needle, int s)
{
	while (!strstr(p->buf, needle) && since(&p->start) < s)
		if (!vm_read(p, 200))
			return strstr(p->buf, needle);
	return strstr(p->buf, needle);
}

/*
 * A VM that should have ended and did not: what the module says of it,
 * and a moment of its trace events, as diagnostics.
 */
static void diagnose(void)
{
	static const char cmd[] =
		"id=$(mvctl vm list | awk 'NR == 2 { print $1 }'); mvctl vm show $id; "
		"T=/sys/kernel/tracing; [ -d $T/events ] || mount -t tracefs nodev $T; "
		"echo > $T/trace; echo 1 > $T/events/minivisor/enable; sleep 0.3; "
		"echo 0 > $T/events/minivisor/enable; tail -n 60 $T/trace | cut -c 1-200; echo > $T/trace";
	char line[512];
	FILE *f = popen(cmd, "r");

	if (!f)
		return;
	printf("# the VM did not end; what it does:\n");
	while (fgets(line, sizeof(line), f))
		printf("#   %s", line);
	pclose(f);
	fflush(stdout);
}

/* Reads to the end and reaps mvrun: its exit status, -1 if killed. */
static int vm_finish(struct vmproc *p, int s)
{
	int status;

	while (since(&p->start) < s && vm_read(p, 200))
		if (waitpid(p->pid, &status, WNOHANG) == p->pid)
			goto reaped;
	/* Its output ended: it is on its way out. */
	while (since(&p->start) < s)
		if (waitpid(p->pid, &status, WNOHANG) == p->pid)
			goto reaped;
		else
			usleep(100 * 1000);
	if (waitpid(p->pid, &status, WNOHANG) != p->pid) {
		diagnose();
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
	}
reaped:
	while (vm_read(p, 0) && p->len < sizeof(p->buf) - 1 && !p->pty)
		;
	close(p->out);
	if (p->in >= 0 && p->in != p->out)
		close(p->in);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The last @n lines of @buf as diagnostics (TH_LOG would cut them short). */
static void show_from(const char *buf, const char *from, int n);

/* The last @n lines of @buf, and the head of any guest oops in it. */
static void show_tail(const char *what, const char *buf, int n)
{
	const char *p = buf + strlen(buf), *eol;

	while (p > buf && n > 0)
		if (*--p == '\n')
			n--;
	printf("# %s, the last lines:\n", what);
	while (*p) {
		eol = strchr(p, '\n');
		printf("#   %.*s\n", (int)(eol ? eol - p : (long)strlen(p)), p);
		p = eol ? eol + 1 : p + strlen(p);
	}
	fflush(stdout);
	show_from(buf, "BUG: ", 60);
	show_from(buf, "general protection fault", 60);
	show_from(buf, "PANIC: ", 60);
}

/* @n lines of @buf from the first that has @from (a kernel oops's head). */
static void show_from(const char *buf, const char *from, int n)
{
	const char *p = strstr(buf, from), *eol;

	if (!p)
		return;
	while (p > buf && p[-1] != '\n')
		p--;
	printf("# from the first \"%s\":\n", from);
	while (*p && n-- > 0) {
		eol = strchr(p, '\n');
		printf("#   %.*s\n", (int)(eol ? eol - p : (long)strlen(p)), p);
		p = eol ? eol + 1 : p + strlen(p);
	}
	fflush(stdout);
}

static void vm_type(struct vmproc *p, const char *s)
{
	ssize_t n = write(p->in, s, strlen(s));

	(void)n;
}

/*
 * The first line of the guest's kernel log that is a sign of trouble.
 * "tsc: Fast TSC calibration failed" is not one: it is the CPU-frequency
 * estimate against the PIT (native_calibrate_cpu_early), which under
 * emulation never gets its readings fast enough; the TSC frequency the
 * kernel uses comes from tsc_early_khz, and it says so next.
 */
static const char *log_trouble(const char *log, char *line, size_t len)
{
	static const char *const bad[] = {
		"BUG:", "WARNING:", "unchecked MSR access", "Call Trace",
		"Oops", "unstable", "calibration failed", "Kernel panic",
	};
	const char *p = log, *eol;
	size_t i, n;

	while (p && *p) {
		eol = strchr(p, '\n');
		n = eol ? (size_t)(eol - p) : strlen(p);
		snprintf(line, len, "%.*s", (int)n, p);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (strstr(line, bad[i]) &&
			    !strstr(line, "tsc: Fast TSC calibration failed"))
				return line;
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

static struct vmproc vm;

/*
 * A flight recorder for each test: minivisor's exit, entry and injection
 * events in a trace instance of their own (the newest few megabytes).  A
 * test that fails shows the last of them, and the last without port I/O
 * exits (a guest's panic message is thousands of them), host interrupt
 * exits (a guest spinning) and entries, so what the vCPUs did before the
 * failure is there to read; while a guest is silent for long (stuck?)
 * the recorder stops (vm_read()).
 */

static void flight_start(void)
{
	if (system("T=/sys/kernel/tracing; [ -d $T/events ] || mount -t tracefs nodev $T; "
		   "rmdir " FLIGHT " 2>/dev/null; mkdir " FLIGHT " && "
		   "echo 4096 > " FLIGHT "/buffer_size_kb && "
		   "for e in mv_exit mv_entry mv_inject; do "
		   "echo 1 > " FLIGHT "/events/minivisor/$e/enable; done") != 0)
		printf("# no flight recorder (tracefs instance %s)\n", FLIGHT);
}

/*
 * The guest runs the test machine's own kernel image, so a guest kernel
 * RIP is a symbol of this kernel's: the same offset from _text (the guest
 * says where its _text is; KASLR moved both).
 */
struct ksym {
	uint64_t off;
	char name[48];
};

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static struct ksym *ksyms_load(size_t *n)
{
	unsigned long long addr, text = 0;
	struct ksym *k = NULL;
	size_t cap = 0;
	char type, name[128];
	FILE *f = fopen("/proc/kallsyms", "r");

	*n = 0;
	if (!f)
		return NULL;
	while (fscanf(f, "%llx %c %127s%*[^\n]", &addr, &type, name) == 3) {
		if (!strcmp(name, "_text"))
			text = addr;
		if ((type != 't' && type != 'T') || !text || addr < text)
			continue;
		if (*n == cap) {
			struct ksym *m = realloc(k, (cap = cap ? 2 * cap : 4096) * sizeof(*k));

			if (!m)
				break;
			k = m;
		}
		k[*n].off = addr - text;
		snprintf(k[*n].name, sizeof(k[*n].name), "%.47s", name);
		(*n)++;
	}
	fclose(f);
	if (k)
		qsort(k, *n, sizeof(*k), ksym_cmp);
	return k;
}

/* @line, with the guest kernel symbol of its "rip 0x..." after it. */
static void print_symbolized(const char *line, const struct ksym *k, size_t n,
			     uint64_t guest_text)
{
	const char *r = strstr(line, "rip 0x");
	uint64_t rip, off;
	size_t lo = 0, hi = n;

	if (!r || !k || !guest_text || (rip = strtoull(r + 4, NULL, 16)) < guest_text) {
		printf("#   %s", line);
		return;
	}
	off = rip - guest_text;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (k[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (!n || k[lo].off > off || off - k[lo].off > 0x100000) {
		printf("#   %s", line);
		return;
	}
	printf("#   %.*s [%s+0x%llx]\n", (int)strcspn(line, "\n"), line, k[lo].name,
	       (unsigned long long)(off - k[lo].off));
}

static void flight_freeze(bool on)
{
	int fd = open(FLIGHT "/tracing_on", O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, on ? "0" : "1", 1) != 1)
		printf("# the flight recorder did not %s\n", on ? "stop" : "go on");
	close(fd);
	if (on)
		printf("# the guest has been silent for 30 s: the flight recorder stops until it speaks\n");
}

static void flight_stop(bool show)
{
	const char *gt = strstr(vm.buf, "mvguest: _text at 0x");
	uint64_t guest_text = gt ? strtoull(gt + strlen("mvguest: _text at "), NULL, 16) : 0;
	struct ksym *k = NULL;
	char line[512];
	size_t n = 0;
	FILE *f;

	if (access(FLIGHT, F_OK))
		return;
	f = show ? popen("echo 0 > " FLIGHT "/tracing_on; tail -n 30 " FLIGHT "/trace; "
			 "echo '(without port I/O, host interrupt exits and entries:)'; "
			 "grep -v -e ' reason io ' -e ' reason host_intr ' -e 'mv_entry:' "
			 FLIGHT "/trace | tail -n 150 | cut -c 1-200", "r") : NULL;
	if (f) {
		printf("# the flight recorder's last events:\n");
		k = ksyms_load(&n);
		while (fgets(line, sizeof(line), f))
			print_symbolized(line, k, n, guest_text);
		free(k);
		pclose(f);
		fflush(stdout);
	}
	if (system("rmdir " FLIGHT))
		printf("# the flight recorder's instance stayed\n");
}

FIXTURE(linuxvm) {
	int unused;
};

FIXTURE_SETUP(linuxvm)
{
	const char *only = getenv("MV_LINUX_TEST");

	/* MV_LINUX_TEST=WORD runs only the tests whose names have WORD. */
	if (only && !strstr(_metadata->name, only))
		SKIP(return, "not selected by MV_LINUX_TEST=%s", only);
	ASSERT_EQ(0, mv_ensure_loaded());
	ASSERT_EQ(0, access(KERNEL, R_OK));
	ASSERT_EQ(0, access(INITRD, R_OK));
	flight_start();
}

FIXTURE_TEARDOWN(linuxvm)
{
	if (!_metadata->skip)
		flight_stop(!_metadata->passed);
}

/* This harness runs a test whose setup said SKIP: leave at once. */
#define SKIPPED()	do { if (_metadata->skip) return; } while (0)

/* Boots with @cpus vCPUs to /init, which shows its kernel log and powers off. */
static void boot_report(struct __test_metadata *_metadata, int cpus)
{
	char want[64], line[256], *log, *end;
	double init_s = 0, uptime = 0;
	const char *p, *bad;

	ASSERT_EQ(0, vm_start(&vm, IN_NULL, MVRUN "--cpus %d --append 'quiet mvg=report'", cpus));
	if (vm_wait_for(&vm, "mvguest: /init reached", BOOT_S))
		init_s = since(&vm.start);
	EXPECT_EQ(0, vm_finish(&vm, BOOT_S)) {
		show_tail("mvrun's output", vm.buf, 40);
		show_from(vm.buf, "BUG: ", 80);
	}
	p = strstr(vm.buf, "mvguest: /init reached at ");
	ASSERT_NE(NULL, p);
	uptime = strtod(p + strlen("mvguest: /init reached at "), NULL);
	snprintf(want, sizeof(want), "s of uptime with %d CPUs", cpus);
	EXPECT_NE(NULL, strstr(p, want));
	printf("# linux, %d vCPU%s: /init at %.2f s of guest uptime, %.1f s after mvrun started; %.1f s in all\n",
	       cpus, cpus > 1 ? "s" : "", uptime, init_s, since(&vm.start));
	log = strstr(vm.buf, "mvguest: dmesg begin");
	end = log ? strstr(log, "mvguest: dmesg end") : NULL;
	ASSERT_NE(NULL, end);
	*end = 0;
	bad = log_trouble(log, line, sizeof(line));
	EXPECT_EQ(NULL, bad) {
		TH_LOG("the guest's log says: %s", bad);
	}
	snprintf(want, sizeof(want), "Brought up 1 node, %d CPU", cpus);
	EXPECT_NE(NULL, strstr(log, want));
	EXPECT_NE(NULL, strstr(log, "serial8250: ttyS0 at I/O 0x3f8 (irq = 4"));
	EXPECT_NE(NULL, strstr(log, "rtc_cmos rtc_cmos: setting system clock"));
	EXPECT_NE(NULL, strstr(log, "i8042: No controller found"));
	EXPECT_NE(NULL, strstr(log, "TSC deadline timer available"));
}

/* One boot_report() test for @n vCPUs. */
#define BOOT_TEST(words, n)						\
	TEST_F_TIMEOUT(linuxvm, boots_to_init_with_##words, BOOT_S + 60)	\
	{								\
		SKIPPED();						\
		boot_report(_metadata, n);				\
	}

BOOT_TEST(one_vcpu, 1)
BOOT_TEST(two_vcpus, 2)
BOOT_TEST(four_vcpus, 4)
BOOT_TEST(eight_vcpus, 8)

/*
 * Four vCPUs, every one busy in a guest loop: mvctl pauses the VM (what
 * is typed then gets no answer), resumes it (the answer comes), and
 * destroys it, which ends mvrun with 72 and leaves nothing behind.
 */
TEST_F_TIMEOUT(linuxvm, pause_resume_destroy_with_every_vcpu_busy, BOOT_S + 120)
{
	char id[32], out[4096];

	SKIPPED();
	ASSERT_EQ(0, vm_start(&vm, IN_PIPE, MVRUN "--cpus 4 --append 'quiet mvg=shell'"));
	ASSERT_TRUE(vm_wait_for(&vm, "mvguest: a shell on the console", BOOT_S)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	ASSERT_TRUE(vm_wait_for(&vm, "# ", BOOT_S));
	vm_type(&vm, "for i in 1 2 3 4; do (while :; do :; done) & done; echo spin$((2*3))\n");
	ASSERT_TRUE(vm_wait_for(&vm, "spin6", since(&vm.start) + 60)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	ASSERT_EQ(0, run_cmd(id, sizeof(id), -1, "mvctl vm list | awk 'NR == 2 { print $1 }'"));
	id[strcspn(id, "\n")] = 0;
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm pause %s", id)) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j vm show %s", id));
	EXPECT_NE(NULL, strstr(out, "\"state\":\"paused\"")) {
		TH_LOG("%s", out);
	}
	vm_type(&vm, "echo alive$((3*3))\n");
	EXPECT_FALSE(vm_wait_for(&vm, "alive9", since(&vm.start) + 3));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm resume %s", id)) {
		TH_LOG("%s", out);
	}
	EXPECT_TRUE(vm_wait_for(&vm, "alive9", since(&vm.start) + 60)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm destroy %s", id)) {
		TH_LOG("%s", out);
	}
	close(vm.in);
	vm.in = -1;
	EXPECT_EQ(72, vm_finish(&vm, since(&vm.start) + 30)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	EXPECT_TRUE(module_empty(10));
}

/* What mvg=check in scripts/linux-guest/init computes: keep the two alike. */
#define CHECKSUM_SH							\
	"cd $(mktemp -d) && for i in 0 1 2 3 4 5 6 7; do "		\
	"seq $i 8 79999 | md5sum > part$i & done; wait; "		\
	"cat part? | md5sum | cut -d' ' -f1; rm -r \"$PWD\""

#define TICKS	4		/* mvg=check: uptime lines, 1 s of sleep apart */

/* A guest running mvg=check: when its ticks came, what they said. */
struct checkrun {
	double host[TICKS];	/* seconds after mvrun started */
	double guest[TICKS];	/* the guest's uptime in the line */
	int ticks;
	char sum[40];
};

/*
 * Reads what came and notes the host time of each new tick line (to the
 * 10 ms it polls at); true once the checksum line is whole.
 */
static bool check_pump(struct vmproc *p, struct checkrun *c, int ms)
{
	const char *t = p->buf, *sum;
	int n = 0;

	vm_read(p, ms);
	while (n < TICKS && (t = strstr(t, "mvguest: tick ")) && strchr(t, '\n')) {
		t += strlen("mvguest: tick ");
		if (n++ < c->ticks)
			continue;
		c->host[c->ticks] = since(&p->start);
		c->guest[c->ticks++] = strtod(t, NULL);
	}
	sum = strstr(p->buf, "mvguest: checksum ");
	if (!sum || !strchr(sum, '\n'))
		return false;
	sscanf(sum + strlen("mvguest: checksum "), "%39s", c->sum);
	return true;
}

/* True once @pid has ended (it stays to be reaped by vm_finish()). */
static bool vm_gone(pid_t pid)
{
	siginfo_t si = { 0 };

	return waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) || si.si_pid;
}

/* The checksum the test machine itself computes: the oracle. */
static void native_checksum(struct __test_metadata *_metadata, char *sum, size_t len)
{
	ASSERT_EQ(0, run_cmd(sum, len, -1, "%s", CHECKSUM_SH));
	sum[strcspn(sum, "\n")] = 0;
	ASSERT_EQ(32, strlen(sum));
}

/* Host seconds between the first and the last tick, and the guest's. */
static void check_times(const struct checkrun *c, double *host, double *guest)
{
	*host = c->host[TICKS - 1] - c->host[0];
	*guest = c->guest[TICKS - 1] - c->guest[0];
}

/*
 * Time kept: three 1 s sleeps in the guest take as long on the host's
 * clock as on the guest's (within 10%), and about 3 s on the guest's
 * (its own overhead of fork, exec and echo, measured alike on both
 * clocks, on top).  And a checksum computed by 8 processes at once on
 * two vCPUs is the one the test machine computes natively.
 */
TEST_F_TIMEOUT(linuxvm, keeps_time_and_sums_in_parallel, BOOT_S + 60)
{
	struct checkrun c = { 0 };
	char want[128];
	double h, g;

	SKIPPED();
	native_checksum(_metadata, want, sizeof(want));
	ASSERT_EQ(0, vm_start(&vm, IN_NULL, MVRUN "--cpus 2 --append 'quiet mvg=check'"));
	while (!check_pump(&vm, &c, 10) && since(&vm.start) < BOOT_S && !vm_gone(vm.pid))
		;
	EXPECT_EQ(0, vm_finish(&vm, BOOT_S)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	ASSERT_EQ(TICKS, c.ticks) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	check_times(&c, &h, &g);
	printf("# three 1 s sleeps: %.3f s on the host's clock, %.2f s on the guest's\n", h, g);
	EXPECT_GE(g, 3.0);
	EXPECT_LT(g, 4.5);
	EXPECT_LE(h > g ? h - g : g - h, 0.1 * g) {
		TH_LOG("host %.3f s, guest %.2f s", h, g);
	}
	EXPECT_STREQ(want, c.sum);
}

/* The VMs, guest pages and shadow pages the module has now. */
static void module_holds(uint64_t *vms, uint64_t *pages, uint64_t *mmu)
{
	char out[4096];

	*vms = *pages = *mmu = ~0ull;
	if (run_cmd(out, sizeof(out), -1, "mvctl -j info"))
		return;
	*vms = json_u64(out, "nr_vms");
	*pages = json_u64(out, "guest_pages");
	*mmu = json_u64(out, "mmu_pages");
}

/* True once the module holds no VM, guest page or shadow page (within @s). */
static bool module_empty(int s)
{
	uint64_t vms, pages, mmu;
	int i;

	for (i = 0; i < s * 10; i++) {
		module_holds(&vms, &pages, &mmu);
		if (!vms && !pages && !mmu)
			return true;
		usleep(100 * 1000);
	}
	printf("# the module still holds %llu VMs, %llu guest pages, %llu shadow pages\n",
	       (unsigned long long)vms, (unsigned long long)pages, (unsigned long long)mmu);
	return false;
}

/*
 * kill -9 of mvrun while the guest boots, with both vCPUs running (the
 * second has just been started): every VM, guest page and shadow page it
 * had is gone within 10 s.
 */
TEST_F_TIMEOUT(linuxvm, kill_9_mid_boot_frees_everything, BOOT_S + 60)
{
	int status;

	SKIPPED();
	ASSERT_TRUE(module_empty(10));
	ASSERT_EQ(0, vm_start(&vm, IN_NULL, MVRUN "--cpus 2 --append 'mvg=report'"));
	EXPECT_TRUE(vm_wait_for(&vm, "smp: Bringing up secondary CPUs", BOOT_S)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	usleep(300 * 1000);
	ASSERT_EQ(0, kill(vm.pid, SIGKILL));
	ASSERT_EQ(vm.pid, waitpid(vm.pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(vm.out);
	EXPECT_TRUE(module_empty(10));
}

/*
 * Ten boots in a row, each to /init and a poweroff: each ends with 0 and
 * leaves nothing in the module, and the host's available memory after
 * the tenth is what it was after the first (within 32 MiB; one guest is
 * 256 MiB).
 */
TEST_F_TIMEOUT(linuxvm, ten_boots_in_a_row_without_a_leak, 10 * BOOT_S)
{
	uint64_t first = 0, last;
	int i;

	SKIPPED();
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, vm_start(&vm, IN_NULL, MVRUN "--append 'quiet mvg=poweroff'"));
		ASSERT_EQ(0, vm_finish(&vm, BOOT_S)) {
			TH_LOG("boot %d", i + 1);
			show_tail("mvrun's output", vm.buf, 30);
		}
		ASSERT_TRUE(module_empty(10)) {
			TH_LOG("after boot %d", i + 1);
		}
		if (!i)
			first = meminfo("MemAvailable") >> 10;
	}
	last = meminfo("MemAvailable") >> 10;
	printf("# available memory: %llu kB after the first boot, %llu kB after the tenth\n",
	       (unsigned long long)first, (unsigned long long)last);
	EXPECT_GT(last + 32 * 1024, first);
}

static struct vmproc vm2;

/*
 * Two Linux VMs at once, of 2 and 1 vCPUs: both run mvg=check to the
 * end, the module has both meanwhile, and both get the right checksum.
 * Their clocks are printed, not judged (two guests share two CPUs).
 */
TEST_F_TIMEOUT(linuxvm, two_linux_vms_at_once, 2 * BOOT_S)
{
	struct checkrun a = { 0 }, b = { 0 };
	bool done_a = false, done_b = false;
	uint64_t vms = 0, pages, mmu;
	char want[128];
	double h, g;

	SKIPPED();
	native_checksum(_metadata, want, sizeof(want));
	ASSERT_EQ(0, vm_start(&vm, IN_NULL, MVRUN "--cpus 2 --append 'quiet mvg=check'"));
	ASSERT_EQ(0, vm_start(&vm2, IN_NULL, MVRUN "--cpus 1 --append 'quiet mvg=check'"));
	while ((!done_a || !done_b) && since(&vm.start) < 2 * BOOT_S) {
		if (!done_a)
			done_a = check_pump(&vm, &a, 50);
		if (!done_b)
			done_b = check_pump(&vm2, &b, 50);
		if (a.ticks && b.ticks && !vms)
			module_holds(&vms, &pages, &mmu);
		if ((!done_a && vm_gone(vm.pid)) || (!done_b && vm_gone(vm2.pid)))
			break;
	}
	EXPECT_EQ(2, vms);
	EXPECT_EQ(0, vm_finish(&vm, 2 * BOOT_S)) {
		show_tail("the first VM's output", vm.buf, 30);
	}
	EXPECT_EQ(0, vm_finish(&vm2, 2 * BOOT_S)) {
		show_tail("the second VM's output", vm2.buf, 30);
	}
	EXPECT_STREQ(want, a.sum);
	EXPECT_STREQ(want, b.sum);
	if (a.ticks == TICKS && b.ticks == TICKS) {
		check_times(&a, &h, &g);
		printf("# 2 vCPUs: three 1 s sleeps, %.3f s host, %.2f s guest\n", h, g);
		check_times(&b, &h, &g);
		printf("# 1 vCPU: three 1 s sleeps, %.3f s host, %.2f s guest\n", h, g);
	}
	EXPECT_TRUE(module_empty(10));
}

/*
 * A KVM guest beside: real-mode code that counts in AL and writes each
 * value to port 0xe9, forever (mov al, 0; out 0xe9, al; inc al; jmp
 * back), run in a child until the parent closes @stop.  Exits 0 when
 * every value came in order, 1 when one did not, 2 when KVM failed.
 */
static const uint8_t kvm_counter[] = { 0xb0, 0x00, 0xe6, 0xe9, 0xfe, 0xc0, 0xeb, 0xfa };

static void kvm_beside(int stop)
{
	struct pollfd f = { .fd = stop, .events = POLLIN };
	struct kvm_tvm t;
	unsigned long n = 0;
	uint8_t want = 0;

	if (kvm_tvm_create(&t, 1 << 20))
		_exit(2);
	memcpy(t.mem + 0x10000, kvm_counter, sizeof(kvm_counter));
	if (kvm_tvm_reset_real(&t, 0x1000))
		_exit(2);
	for (;;) {
		if (!(n % 256) && poll(&f, 1, 0) > 0)
			break;
		if (kvm_tvm_run(&t) != KVM_EXIT_IO || t.run->io.port != 0xe9 ||
		    *((uint8_t *)t.run + t.run->io.data_offset) != want++) {
			printf("# the KVM guest's exit %lu was not its next OUT\n", n);
			fflush(stdout);
			_exit(1);
		}
		n++;
	}
	printf("# the KVM guest beside it made %lu port exits, in order\n", n);
	fflush(stdout);
	kvm_tvm_destroy(&t);
	_exit(n ? 0 : 1);
}

/*
 * A Linux guest under minivisor while a KVM guest runs beside it, on the
 * same two CPUs: both right (the checksum; every KVM exit in order), and
 * how often minivisor had to flush for KVM's world switches is printed.
 */
TEST_F_TIMEOUT(linuxvm, beside_a_kvm_guest, BOOT_S + 60)
{
	struct checkrun c = { 0 };
	char want[128], out[4096];
	uint64_t before, after;
	bool had_kvm = !access("/sys/module/kvm_amd", F_OK);
	int stop[2], status;
	pid_t kid;

	SKIPPED();
	native_checksum(_metadata, want, sizeof(want));
	ASSERT_EQ(0, kvm_amd_load(NULL));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j info"));
	before = json_u64(out, "foreign_flushes");
	ASSERT_EQ(0, pipe(stop));
	fflush(stdout);
	kid = fork();
	ASSERT_LE(0, kid);
	if (!kid) {
		close(stop[1]);
		kvm_beside(stop[0]);
	}
	close(stop[0]);
	ASSERT_EQ(0, vm_start(&vm, IN_NULL, MVRUN "--cpus 2 --append 'quiet mvg=check'"));
	while (!check_pump(&vm, &c, 10) && since(&vm.start) < BOOT_S && !vm_gone(vm.pid))
		;
	EXPECT_EQ(0, vm_finish(&vm, BOOT_S)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	close(stop[1]);
	ASSERT_EQ(kid, waitpid(kid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("the KVM guest's runner ended with %#x", status);
	}
	EXPECT_STREQ(want, c.sum);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j info"));
	after = json_u64(out, "foreign_flushes");
	printf("# minivisor flushed for another hypervisor %llu times meanwhile\n",
	       (unsigned long long)(after - before));
	if (!had_kvm)
		EXPECT_EQ(0, kvm_amd_unload());
}

/* How each way out of the guest ends mvrun. */
TEST_F_TIMEOUT(linuxvm, poweroff_halt_reboot_and_panic_statuses, 4 * BOOT_S)
{
	static const struct { const char *action; int status; const char *says; } ends[] = {
		{ "poweroff", 0, "reboot: System halted" },
		{ "reboot", 70, "reboot: Restarting system" },
		{ "panic", 74, "Kernel panic - not syncing: sysrq triggered crash" },
	};
	size_t i;

	SKIPPED();
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		ASSERT_EQ(0, vm_start(&vm, IN_NULL, MVRUN "--append 'quiet mvg=%s'",
				      ends[i].action));
		EXPECT_EQ(ends[i].status, vm_finish(&vm, BOOT_S)) {
			show_tail(ends[i].action, vm.buf, 20);
		}
		EXPECT_NE(NULL, strstr(vm.buf, ends[i].says)) {
			show_tail(ends[i].action, vm.buf, 20);
		}
	}
	EXPECT_NE(NULL, strstr(vm.buf, "mvrun: the guest's kernel panicked"));
}

/*
 * A shell on the guest's console, typed into through a pseudo-terminal:
 * mvrun puts it in raw mode (so the guest echoes, not the host), what
 * is typed reaches the shell, its answer comes back; Ctrl-C goes to the
 * guest; the shell's poweroff ends mvrun with 0, and the terminal is as
 * it was before.
 */
TEST_F_TIMEOUT(linuxvm, console_through_a_pty, BOOT_S + 120)
{
	struct termios during;

	SKIPPED();
	ASSERT_EQ(0, vm_start(&vm, IN_PTY, MVRUN "--append 'quiet mvg=shell'"));
	ASSERT_TRUE(vm_wait_for(&vm, "mvguest: a shell on the console", BOOT_S)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	ASSERT_EQ(0, tcgetattr(vm.out, &during));
	EXPECT_FALSE(during.c_lflag & (ICANON | ECHO | ISIG)) {
		TH_LOG("lflag %#x", during.c_lflag);
	}
	/* The prompt, then a command whose answer differs from its echo. */
	ASSERT_TRUE(vm_wait_for(&vm, "# ", BOOT_S));
	vm_type(&vm, "echo mv$((6*7))ok\r");
	EXPECT_TRUE(vm_wait_for(&vm, "mv42ok", since(&vm.start) + 60)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	/* Ctrl-C interrupts the guest's sleep (well before its 100 s), not mvrun. */
	vm_type(&vm, "sleep 100\r");
	usleep(500 * 1000);
	vm_type(&vm, "\x03");
	vm_type(&vm, "echo after$((1+1))\r");
	EXPECT_TRUE(vm_wait_for(&vm, "after2", since(&vm.start) + 60)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	vm_type(&vm, "poweroff -f\r");
	ASSERT_EQ(0, vm_finish(&vm, since(&vm.start) + 60)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
}

/*
 * Ctrl-A x on the terminal ends mvrun with 130, and leaves the terminal
 * as it found it (checked from a process still holding the pty).
 */
TEST_F_TIMEOUT(linuxvm, ctrl_a_x_quits_and_restores_the_terminal, BOOT_S + 60)
{
	struct termios before, after;
	char slave[64];
	pid_t pid;
	int fd;

	SKIPPED();
	/* A shell keeps the pty open; mvrun runs in it, then the shell waits. */
	pid = forkpty(&fd, slave, NULL, NULL);
	ASSERT_LE(0, pid);
	if (!pid)
		child_exec("stty -a > /tmp/linux_test.before; "
			   "mvrun --kernel " KERNEL " --initrd " INITRD " --mem 256M "
			   "--append 'quiet mvg=shell'; echo \"mvrun-status=$?\"; "
			   "stty -a > /tmp/linux_test.after; sleep 1");
	vm.pid = pid;
	vm.out = vm.in = fd;
	vm.pty = true;
	vm.len = 0;
	vm.buf[0] = 0;
	vm.frozen = false;
	clock_gettime(CLOCK_MONOTONIC, &vm.start);
	vm.last_out = vm.start;
	ASSERT_TRUE(vm_wait_for(&vm, "mvguest: a shell on the console", BOOT_S)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	ASSERT_EQ(0, tcgetattr(fd, &before));
	EXPECT_FALSE(before.c_lflag & ICANON);
	vm_type(&vm, "\x01x");
	EXPECT_TRUE(vm_wait_for(&vm, "mvrun-status=130", since(&vm.start) + 30)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	EXPECT_NE(NULL, strstr(vm.buf, "Ctrl-A x: quitting"));
	usleep(300 * 1000);
	ASSERT_EQ(0, tcgetattr(fd, &after));
	EXPECT_TRUE(after.c_lflag & ICANON);
	EXPECT_TRUE(after.c_lflag & ECHO);
	vm_finish(&vm, since(&vm.start) + 10);
	EXPECT_EQ(0, system("cmp -s /tmp/linux_test.before /tmp/linux_test.after")) {
		system("diff /tmp/linux_test.before /tmp/linux_test.after >&2");
	}
	unlink("/tmp/linux_test.before");
	unlink("/tmp/linux_test.after");
}

/*
 * stdin a pipe, not a terminal: what is written to it reaches the guest's
 * shell as it is (no escape), and its end is no end of the guest.
 */
TEST_F_TIMEOUT(linuxvm, console_fed_from_a_pipe, BOOT_S + 60)
{
	SKIPPED();
	ASSERT_EQ(0, vm_start(&vm, IN_PIPE, MVRUN "--append 'quiet mvg=shell'"));
	ASSERT_TRUE(vm_wait_for(&vm, "mvguest: a shell on the console", BOOT_S)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	ASSERT_TRUE(vm_wait_for(&vm, "# ", BOOT_S));
	vm_type(&vm, "echo \x01piped$((1+1))\n");
	EXPECT_TRUE(vm_wait_for(&vm, "piped2", since(&vm.start) + 60)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
	vm_type(&vm, "poweroff -f\n");
	close(vm.in);
	vm.in = -1;
	EXPECT_EQ(0, vm_finish(&vm, since(&vm.start) + 60)) {
		show_tail("mvrun's output", vm.buf, 30);
	}
}

TEST_F_TIMEOUT(linuxvm, refusals, 60)
{
	static const char old[0x300] = { [0x202] = 'H', 'd', 'r', 'S', [0x206] = 0x01, 0x02 };
	char out[4096];
	FILE *f = fopen("/tmp/linux_test.bz", "w");

	SKIPPED();
	ASSERT_NE(NULL, f);
	ASSERT_EQ(sizeof(old), fwrite(old, 1, sizeof(old), f));
	fclose(f);
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, "mvrun --kernel /tmp/linux_test.bz"));
	EXPECT_NE(NULL, strstr(out, "boot protocol 2.01: mvrun needs 2.12 or later")) {
		TH_LOG("%s", out);
	}
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, "mvrun --kernel " KERNEL " --mem 32M"));
	EXPECT_NE(NULL, strstr(out, "MiB of guest memory")) {
		TH_LOG("%s", out);
	}
	unlink("/tmp/linux_test.bz");
}

TEST_HARNESS_MAIN
