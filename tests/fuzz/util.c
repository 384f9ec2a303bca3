// SPDX-License-Identifier: GPL-2.0
/*
 * mvfuzz's common utilities: clocks, one-line reports (say, host_fault,
 * api_violation, fuzzer_error), the counted ioctl wrapper, the sets of VM
 * IDs the netlink lanes may or may not touch, per-thread run timers, the
 * fault guard for memory that may vanish, and the module's figures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "mvtest.h"

uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

uint64_t now_ms(void)
{
	return now_us() / 1000;
}

void fz_heartbeat(void)
{
	__atomic_store_n(&my->heartbeat_ms, now_ms(), __ATOMIC_RELAXED);
}

static void vsay(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048];
	int n = 0;

	if (prefix)
		n = snprintf(buf, sizeof(buf), "%s", prefix);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(1, buf, n) < 0)
		return;
}

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(NULL, fmt, ap);
	va_end(ap);
}

/* Charge a failure to the lane running, or to the orchestrator. */
static void count_failure(void)
{
	fz_add(my ? &my->failures : &fz->main_faults, 1);
}

void host_fault(const char *fmt, ...)
{
	va_list ap;

	fz_add(&fz->host_faults, 1);
	count_failure();
	va_start(ap, fmt);
	vsay("HOST-FAULT ", fmt, ap);
	va_end(ap);
}

void api_violation(const char *fmt, ...)
{
	va_list ap;

	count_failure();
	if (fz_add(&fz->api_violations, 1), fz_get(&fz->api_violations) > 50)
		return;
	va_start(ap, fmt);
	vsay("API-VIOLATION ", fmt, ap);
	va_end(ap);
}

void fuzzer_error(const char *fmt, ...)
{
	va_list ap;

	fz_add(&fz->fuzzer_errors, 1);
	count_failure();
	va_start(ap, fmt);
	vsay("FUZZER-ERROR ", fmt, ap);
	va_end(ap);
}

long fz_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	fz_add(&my->ioctls, 1);
	return ioctl(fd, cmd, arg);
}

const char *case_name(enum lane lane, uint64_t nr)
{
	static __thread char buf[64];

	snprintf(buf, sizeof(buf), "%s:%llu", lane_names[lane], (unsigned long long)nr);
	return buf;
}

/* ---- VM ID sets ---- */

void ids_add(uint32_t *set, uint32_t id)
{
	int i;

	for (i = 0; i < FZ_MAX_IDS; i++) {
		uint32_t zero = 0;

		if (__atomic_compare_exchange_n(&set[i], &zero, id, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return;
	}
}

void ids_del(uint32_t *set, uint32_t id)
{
	int i;

	for (i = 0; i < FZ_MAX_IDS; i++) {
		uint32_t cur = id;

		__atomic_compare_exchange_n(&set[i], &cur, 0, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
	}
}

bool ids_has(const uint32_t *set, uint32_t id)
{
	int i;

	for (i = 0; i < FZ_MAX_IDS; i++)
		if (id && __atomic_load_n(&set[i], __ATOMIC_RELAXED) == id)
			return true;
	return false;
}

uint32_t ids_pick(struct rng *r, const uint32_t *set)
{
	uint32_t live[FZ_MAX_IDS];
	int i, n = 0;

	for (i = 0; i < FZ_MAX_IDS; i++) {
		uint32_t id = __atomic_load_n(&set[i], __ATOMIC_RELAXED);

		if (id)
			live[n++] = id;
	}
	return n ? live[rn(r, n)] : 0;
}

/* ---- run timers and fault guards ---- */

static __thread timer_t run_tmr;
static __thread bool run_tmr_ok;

static void on_timer(int sig)
{
	(void)sig;
}

int run_timer_init(void)
{
	struct sigevent sev = { 0 };

	if (run_tmr_ok)
		return 0;
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR2;
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &run_tmr))
		return -errno;
	run_tmr_ok = true;
	return 0;
}

void run_timer_arm(unsigned int ms)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L },
		.it_interval = { .tv_nsec = 4 * 1000000L },
	};

	if (run_timer_init())
		return;
	timer_settime(run_tmr, 0, &its, NULL);
}

void run_timer_disarm(void)
{
	struct itimerspec its = { 0 };

	if (run_tmr_ok)
		timer_settime(run_tmr, 0, &its, NULL);
}

static __thread sigjmp_buf probe_jmp;
static __thread volatile int probing;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	char buf[160];
	int n;

	(void)uc;
	if (probing)
		siglongjmp(probe_jmp, 1);
	n = snprintf(buf, sizeof(buf),
		     "FUZZER-ERROR lane %s case %llu: signal %d at address %p\n",
		     my ? lane_names[my_lane] : "main",
		     my ? (unsigned long long)my->cur_case : 0ull, sig, si->si_addr);
	if (write(1, buf, n) < 0)
		_exit(99);
	if (fz) {
		fz_add(&fz->fuzzer_errors, 1);
		count_failure();
	}
	_exit(99);
}

void fault_guard_init(void)
{
	struct sigaction sa = { 0 };

	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timer;	/* no SA_RESTART: runs return EINTR */
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool probe_mem(void (*fn)(void *), void *arg)
{
	if (sigsetjmp(probe_jmp, 1)) {
		probing = 0;
		return false;
	}
	probing = 1;
	fn(arg);
	probing = 0;
	return true;
}

/* ---- module state ---- */

int mv_get_info(struct mv_info *info)
{
	char out[4096];
	int ret = run_cmd(out, sizeof(out), -1, "mvctl -j info");

	if (ret)
		return -1;
	info->nr_vms = json_u64(out, "nr_vms");
	info->guest_pages = json_u64(out, "guest_pages");
	info->mmu_pages = json_u64(out, "mmu_pages");
	return 0;
}
