// SPDX-License-Identifier: GPL-2.0
/*
 * mvfuzz: fuzz minivisor's ioctls, its netlink family and its guests, for
 * a while or for one case.
 *
 *   mvfuzz [-s SEED] [-t SECONDS] [-l LANES] [-c CORPUS_DIR] [-k] [-v]
 *   mvfuzz -s SEED -r LANE:CASE[-CASE] run cases by themselves
 *   mvfuzz -f CORPUS_FILE             run a saved guest input by itself
 *
 * LANES is a comma-separated list (default: all): ioctl, netlink, nluser,
 * guest, diff, race, kill.  -k: no KVM (no differential runs).  The run
 * ends with one line
 *   FUZZ seed=... seconds=... ioctls=... netlink=... guest_runs=...
 *        differential=... divergences=... host_faults=... ...
 * and exits 1 when anything counted as a failure happened: a host fault
 * (kernel log, a hung or unkillable task, impossible figures, a VM that
 * outlives its VMM), an API violation, an unexplained divergence, or an
 * error of the fuzzer itself.
 *
 * The orchestrating process forks one process per lane and watches them:
 * heartbeats (a lane stuck for 60 s is a host fault: its stack is
 * printed), the kernel log (/dev/kmsg: a WARNING, BUG, Oops... is a host
 * fault, printed with the case each lane was running), and progress.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "guest.h"
#include "mvtest.h"

const char *const lane_names[L_NR] = {
	"ioctl", "netlink", "nluser", "guest", "diff", "race", "kill",
};

struct fz_shared *fz;
struct lane_stat *my;
enum lane my_lane;
uint64_t fz_seed = 1;
int fz_verbose;
const char *fz_corpus_dir;
bool fz_kvm;
bool fz_mutant;

static uint64_t fz_seconds = 60;

/* ---- the kernel log ---- */

static const char *const bad_log[] = {
	"Oops", "BUG:", "kernel BUG", "WARNING:", "general protection",
	"nable to handle", "lockdep", "possible circular locking",
	"possible recursive locking", "blocked for more than", "soft lockup",
	"hard LOCKUP", "rcu_sched detected stall", "rcu: INFO", "Kernel panic",
	"Call Trace:", "kmemleak", "memory leak", "minivisor: leak",
	"Objects remaining", "Bad page state", "double fault", "segfault at",
};

static void in_flight(char *buf, size_t len)
{
	size_t o = 0;
	int l;

	buf[0] = 0;
	for (l = 0; l < L_NR; l++) {
		uint64_t par = fz_get(&fz->lane[l].cur_parent);

		if (!fz->lane[l].pid)
			continue;
		o += snprintf(buf + o, o < len ? len - o : 0, "%s",
			      case_name(l, fz_get(&fz->lane[l].cur_case)));
		if (par)
			o += snprintf(buf + o, o < len ? len - o : 0, "@%llu",
				      (unsigned long long)par - 1);
		o += snprintf(buf + o, o < len ? len - o : 0, " ");
	}
}

static void *kmsg_watch(void *arg)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
	int context = 0;
	char rec[2048];

	(void)arg;
	if (fd < 0)
		return NULL;
	lseek(fd, 0, SEEK_END);
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		const char *msg;
		size_t i;

		if (n < 0) {
			if (errno == EPIPE || errno == EINTR)
				continue;
			break;
		}
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		for (i = 0; i < sizeof(bad_log) / sizeof(bad_log[0]); i++) {
			if (strstr(msg, bad_log[i])) {
				char cases[512];

				in_flight(cases, sizeof(cases));
				host_fault("kernel log: %.*s (in flight: %s)",
					   (int)strcspn(msg, "\n"), msg, cases);
				fz_add(&fz->log_faults, 1);
				__atomic_fetch_sub(&fz->main_faults, 1, __ATOMIC_RELAXED);
				context = 40;
				break;
			}
		}
		if (i == sizeof(bad_log) / sizeof(bad_log[0]) && context > 0) {
			context--;
			say("kmsg: %.*s", (int)strcspn(msg, "\n"), msg);
		} else if (i == sizeof(bad_log) / sizeof(bad_log[0]) && strstr(msg, "minivisor")) {
			say("kmsg: %.*s", (int)strcspn(msg, "\n"), msg);
		}
	}
	close(fd);
	return NULL;
}

/* A failure the orchestrator saw, charged to lane @l. */
static void blame(int l)
{
	fz_add(&fz->lane[l].failures, 1);
	__atomic_fetch_sub(&fz->main_faults, 1, __ATOMIC_RELAXED);
}

/* ---- lanes ---- */

static void (*const lane_fn[L_NR])(void) = {
	[L_IOCTL] = lane_ioctl,
	[L_GUEST] = lane_guest,
	[L_DIFF] = lane_diff,
	[L_RACE] = lane_race,
	[L_KILL] = lane_kill,
};

static const int lane_nice[L_NR] = {
	[L_IOCTL] = 5, [L_NETLINK] = 5, [L_NLUSER] = 5, [L_GUEST] = 0, [L_DIFF] = 0,
	[L_RACE] = 10, [L_KILL] = 10,
};

static void lane_enter(enum lane l)
{
	my_lane = l;
	my = &fz->lane[l];
	my->heartbeat_ms = now_ms();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, lane_names[l]);
	/*
	 * One emulated CPU's worth of time is shared by all lanes: guests
	 * are the expensive, scarce part; the others reach their rates with
	 * less (threads inherit this).
	 */
	if (setpriority(PRIO_PROCESS, 0, lane_nice[l]))
		(void)0;
}

static pid_t start_lane(enum lane l)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	lane_enter(l);
	if (l == L_NETLINK || l == L_NLUSER)
		lane_netlink(l == L_NLUSER);
	else
		lane_fn[l]();
	__atomic_store_n(&my->done, 1, __ATOMIC_RELAXED);
	_exit(0);
}

static uint64_t lane_cpu_ms(pid_t pid)
{
	char path[64], buf[512];
	unsigned long ut = 0, st = 0;
	char *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2)
		return 0;
	return (ut + st) * 1000 / sysconf(_SC_CLK_TCK);
}

static uint64_t sum(size_t off)
{
	uint64_t s = 0;
	int l;

	for (l = 0; l < L_NR; l++)
		s += fz_get((uint64_t *)((char *)&fz->lane[l] + off));
	return s;
}

#define SUM(field) sum(offsetof(struct lane_stat, field))

static void progress(uint64_t t0)
{
	double s = (now_ms() - t0) / 1000.0;

	say("# t=%.0fs ioctls=%llu netlink=%llu guest_runs=%llu differential=%llu divergences=%llu known=%llu host_faults=%llu (%.0f ioctls/s %.0f netlink/s %.0f runs/s %.0f diff/s)",
	    s, (unsigned long long)SUM(ioctls), (unsigned long long)SUM(netlink),
	    (unsigned long long)SUM(guest_runs), (unsigned long long)SUM(differential),
	    (unsigned long long)fz_get(&fz->divergences), (unsigned long long)fz_get(&fz->known),
	    (unsigned long long)fz_get(&fz->host_faults),
	    SUM(ioctls) / s, SUM(netlink) / s, SUM(guest_runs) / s, SUM(differential) / s);
}

static void print_file(const char *path, const char *what, pid_t tid)
{
	char buf[4096];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		say("  %s of %d:%s%s", what, tid, strchr(buf, '\n') == buf + n - 1 ? " " : "\n",
		    buf);
	}
}

/*
 * Where a stuck lane is, every thread of it: the kernel stack (empty while
 * it runs), the system call it is in and its state.
 */
static void print_stack(pid_t pid)
{
	char path[96];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		pid_t tid = atoi(d->d_name);
		static const char *const what[] = { "stat", "syscall", "wchan", "stack" };
		unsigned int i;

		if (tid <= 0)
			continue;
		for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
			snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", pid, tid, what[i]);
			print_file(path, what[i], tid);
		}
	}
	closedir(dir);
}

/* Wait for the lanes; a lane that will not stop is a host fault. */
static void reap(pid_t *pids)
{
	uint64_t deadline = now_ms() + 30000;
	int l, left;

	for (;;) {
		left = 0;
		for (l = 0; l < L_NR; l++) {
			int status;

			if (!pids[l])
				continue;
			if (waitpid(pids[l], &status, WNOHANG) == pids[l]) {
				if (!WIFEXITED(status) || WEXITSTATUS(status))
					fuzzer_error("lane %s ended with status %#x",
						     lane_names[l], status), blame(l);
				pids[l] = 0;
				fz->lane[l].pid = 0;
				continue;
			}
			left++;
		}
		if (!left)
			return;
		if (now_ms() > deadline)
			break;
		usleep(50000);
	}
	for (l = 0; l < L_NR; l++) {
		if (!pids[l])
			continue;
		host_fault("lane %s (pid %d, case %s) did not stop within 30 s", lane_names[l],
			   pids[l], case_name(l, fz->lane[l].cur_case));
		blame(l);
		print_stack(pids[l]);
		kill(pids[l], SIGKILL);
	}
	deadline = now_ms() + 20000;
	for (l = 0; l < L_NR; l++) {
		while (pids[l] && waitpid(pids[l], NULL, WNOHANG) != pids[l]) {
			if (now_ms() > deadline) {
				host_fault("lane %s (pid %d) cannot be killed", lane_names[l],
					   pids[l]);
				blame(l);
				print_stack(pids[l]);
				break;
			}
			usleep(50000);
		}
		pids[l] = 0;
	}
}

/* Every lane's own child processes too (kill lane VMMs, unprivileged). */
static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static bool kvm_npt0(void)
{
	char c = 0;
	FILE *f = fopen("/sys/module/kvm_amd/parameters/npt", "r");

	if (!f)
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = 0;
	fclose(f);
	return c == 'N' || c == '0';
}

static void setup_kvm(bool want)
{
	int ret;

	if (!want)
		return;
	/* KVM's shadow MMU is the oracle: reload kvm_amd if it has NPT on */
	if (!access("/sys/module/kvm_amd", F_OK) && !kvm_npt0() && kvm_amd_unload())
		say("# kvm_amd is loaded with npt=1 and in use");
	ret = kvm_amd_load("npt=0");
	if (ret)
		say("# kvm_amd not loaded (%s): no differential runs", strerror(-ret));
	else if (!kvm_npt0())
		say("# kvm_amd is loaded with npt=1: no differential runs (the oracle is KVM's shadow MMU)");
	else if (access("/dev/kvm", R_OK | W_OK))
		say("# no /dev/kvm: no differential runs");
	else
		fz_kvm = true;
}

static int parse_lanes(const char *s, bool *on)
{
	char buf[256], *tok, *save;
	int l;

	snprintf(buf, sizeof(buf), "%s", s);
	memset(on, 0, sizeof(bool) * L_NR);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (l = 0; l < L_NR; l++)
			if (!strcmp(tok, lane_names[l]))
				break;
		if (l == L_NR)
			return -1;
		on[l] = true;
	}
	return 0;
}

int replay_case(enum lane lane, uint64_t nr)
{
	switch (lane) {
	case L_IOCTL:
		return replay_ioctl(nr);
	case L_NETLINK:
	case L_NLUSER:
		return replay_netlink(nr, lane == L_NLUSER);
	case L_GUEST:
		return replay_guest(nr);
	case L_DIFF:
		return replay_diff(nr);
	case L_RACE:
		return replay_race(nr);
	case L_KILL:
		return replay_kill(nr);
	default:
		return 1;
	}
}

/*
 * The verdict, as TAP (make check tallies it): one test per lane (its
 * cases, calls and rates; it fails on any host fault, API violation,
 * unexplained divergence or fuzzer error it saw), and two for the whole
 * run: the kernel log while it ran, and what the orchestrator checked
 * (lanes that stopped, nothing left behind).  True when anything failed.
 */
static bool tap_report(const bool *on, uint64_t secs)
{
	static const char *const what[L_NR] = {
		"ioctls", "netlink messages", "netlink messages", "guest runs",
		"differential runs", "ioctls", "kills",
	};
	int l, n = 0;
	bool fail = false;

	for (l = 0; l < L_NR; l++) {
		struct lane_stat *s = &fz->lane[l];
		uint64_t calls;

		if (!on[l])
			continue;
		calls = l == L_IOCTL || l == L_RACE ? s->ioctls :
			l == L_NETLINK || l == L_NLUSER ? s->netlink :
			l == L_GUEST ? s->guest_runs : l == L_DIFF ? s->differential : s->cases;
		say("%sok %d fuzz %s: %llu cases (%.1f/s), %llu %s (%.0f/s), cpu %.1fs%s",
		    s->failures ? "not " : "", ++n, lane_names[l],
		    (unsigned long long)s->cases, (double)s->cases / secs,
		    (unsigned long long)calls, what[l], (double)calls / secs,
		    s->busy_ms / 1000.0, s->failures ? ", failures (see above)" : "");
		fail |= s->failures != 0;
	}
	say("%sok %d fuzz: kernel log free of oops/BUG/WARN while fuzzing", fz->log_faults ? "not " : "",
	    ++n);
	say("%sok %d fuzz: lanes stopped, no VM, guest page or shadow page left",
	    fz->main_faults ? "not " : "", ++n);
	say("1..%d", n);
	return fail || fz->log_faults || fz->main_faults;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mvfuzz [-s SEED] [-t SECONDS] [-l LANES] [-c CORPUS_DIR] [-k] [-v]\n"
		"       mvfuzz -s SEED -r LANE:CASE[-CASE]  (LANE:CASE@PARENT: a mutant)\n"
		"       mvfuzz -f CORPUS_FILE        (a guest input: diff-* or guest-*)\n"
		"lanes: ioctl,netlink,nluser,guest,diff,race,kill (default: all)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	pid_t pids[L_NR] = { 0 };
	bool on[L_NR], want_kvm = true, fail;
	const char *replay = NULL, *replay_path = NULL;
	uint64_t t0, last_progress, last_inflight, secs;
	struct mv_info info = { 0 };
	pthread_t kmsg;
	int opt, l, ret, i;

	for (l = 0; l < L_NR; l++)
		on[l] = true;
	while ((opt = getopt(argc, argv, "s:t:l:c:r:f:kv")) != -1) {
		switch (opt) {
		case 's':
			fz_seed = strtoull(optarg, NULL, 10);
			break;
		case 't':
			fz_seconds = strtoull(optarg, NULL, 10);
			break;
		case 'l':
			if (parse_lanes(optarg, on))
				usage();
			break;
		case 'c':
			fz_corpus_dir = optarg;
			break;
		case 'r':
			replay = optarg;
			break;
		case 'f':
			replay_path = optarg;
			break;
		case 'k':
			want_kvm = false;
			break;
		case 'v':
			fz_verbose++;
			break;
		default:
			usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	fz = mmap(NULL, sizeof(*fz), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fz == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	fault_guard_init();
	ret = mv_ensure_loaded();
	if (ret) {
		say("FUZZ-ERROR cannot load minivisor: %s", strerror(-ret));
		return 1;
	}
	if (fz_corpus_dir)
		mkdir(fz_corpus_dir, 0755);
	setup_kvm(want_kvm && (on[L_DIFF] || replay || replay_path));

	if (replay_path) {
		lane_enter(L_DIFF);
		fz_verbose++;
		say("# replay seed=%llu file=%s", (unsigned long long)fz_seed, replay_path);
		ret = replay_file(replay_path);
		say("# replay done: %s", ret ? "bad" : "ok");
		return ret;
	}

	if (replay) {
		char *colon = strchr(replay, ':');

		if (!colon)
			usage();
		*colon = 0;
		for (l = 0; l < L_NR; l++)
			if (!strcmp(replay, lane_names[l]))
				break;
		if (l == L_NR)
			usage();
		lane_enter(l);
		fz_verbose++;
		{
			char *dash = strchr(colon + 1, '-'), *at = strchr(colon + 1, '@');
			uint64_t a = strtoull(colon + 1, NULL, 10), b = dash ? strtoull(dash + 1, NULL, 10) : a, c;

			if (at) {	/* a mutant: lane:case@parent */
				if (l != L_GUEST && l != L_DIFF)
					usage();
				say("# replay seed=%llu case=%s:%llu, a mutant of case %s", (unsigned long long)fz_seed,
				    replay, (unsigned long long)a, at + 1);
				ret = replay_mutant(l, a, strtoull(at + 1, NULL, 10));
				say("# replay done: %s", ret ? "bad" : "ok");
				return ret;
			}
			ret = 0;
			for (c = a; c <= b; c++) {
				say("# replay seed=%llu case=%s:%llu", (unsigned long long)fz_seed,
				    replay, (unsigned long long)c);
				ret |= replay_case(l, c);
			}
		}
		say("# replay done: %s", ret ? "bad" : "ok");
		return ret;
	}

	say("# mvfuzz seed=%llu seconds=%llu coverage=%s kvm=%s corpus=%s", (unsigned long long)fz_seed,
	    (unsigned long long)fz_seconds, cov_backend(), fz_kvm ? "npt=0" : "none",
	    fz_corpus_dir ? fz_corpus_dir : "none");
	say("# mode: %s", strcmp(cov_backend(), "kcov") ?
	    "blind (no /sys/kernel/debug/kcov): fresh inputs only, the corpus keeps new outcome signatures" :
	    "KCOV-guided: edges of the module's ioctl, netlink and run paths; half the guest-lane cases mutate fresh inputs that reached new edges (case N@M: a mutant of case M)");
	pthread_create(&kmsg, NULL, kmsg_watch, NULL);
	t0 = last_progress = last_inflight = now_ms();
	for (l = 0; l < L_NR; l++) {
		/* without KVM the diff lane still runs minivisor alone */
		if (!on[l])
			continue;
		pids[l] = start_lane(l);
		fz->lane[l].pid = pids[l];
	}
	while (now_ms() < t0 + fz_seconds * 1000) {
		usleep(200000);
		for (l = 0; l < L_NR; l++) {
			uint64_t hb = fz_get(&fz->lane[l].heartbeat_ms);

			if (!pids[l] || __atomic_load_n(&fz->lane[l].done, __ATOMIC_RELAXED))
				continue;
			if (hb && now_ms() > hb + 60000) {
				host_fault("lane %s stuck for 60 s in case %s", lane_names[l],
					   case_name(l, fz->lane[l].cur_case));
				blame(l);
				print_stack(pids[l]);
				fz->lane[l].heartbeat_ms = now_ms();
			}
		}
		if (now_ms() > last_inflight + 2000) {
			char cases[512];

			last_inflight = now_ms();
			in_flight(cases, sizeof(cases));
			say("# inflight t=%llus %s", (unsigned long long)(now_ms() - t0) / 1000, cases);
		}
		if (now_ms() > last_progress + 10000) {
			last_progress = now_ms();
			progress(t0);
		}
	}
	for (l = 0; l < L_NR; l++)
		if (pids[l])
			fz->lane[l].busy_ms = lane_cpu_ms(pids[l]);
	__atomic_store_n(&fz->stop, 1, __ATOMIC_RELAXED);
	secs = (now_ms() - t0) / 1000;
	reap(pids);
	reap_orphans();

	/* Nothing may be left: VMs go once their last reference does. */
	for (i = 0; i < 100; i++) {
		if (mv_get_info(&info)) {
			host_fault("mvctl -j info failed after the run");
			break;
		}
		if (!info.nr_vms && !info.guest_pages && !info.mmu_pages)
			break;
		usleep(100000);
	}
	if (info.nr_vms || info.guest_pages || info.mmu_pages)
		host_fault("left after the run: nr_vms %llu guest_pages %llu mmu_pages %llu",
			   (unsigned long long)info.nr_vms,
			   (unsigned long long)info.guest_pages,
			   (unsigned long long)info.mmu_pages);
	usleep(200000);	/* the last kernel messages */

	for (l = 0; l < 2; l++) {
		char buf[1024];
		size_t o = 0;
		int k;

		for (k = 0; k < 11; k++)
			if (fz->outcomes[l][k])
				o += snprintf(buf + o, sizeof(buf) - o, " %s=%llu/%llums",
					      outcome_names[k], (unsigned long long)fz->outcomes[l][k],
					      (unsigned long long)fz->outcome_us[l][k] / 1000);
		if (o)
			say("# outcomes %s:%s", l ? "diff" : "guest", buf);
	}
	for (l = 0; l < KD_NR; l++)
		if (fz->known_class[l])
			say("# known %-14s %llu", known_names[l],
			    (unsigned long long)fz->known_class[l]);
	if (!secs)
		secs = 1;
	fail = tap_report(on, secs);
	say("FUZZ seed=%llu seconds=%llu cases=%llu exec/s=%.0f ioctls=%llu netlink=%llu guest_runs=%llu differential=%llu divergences=%llu host_faults=%llu known=%llu nondet=%llu history=%llu rejected=%llu api_violations=%llu fuzzer_errors=%llu kills=%llu races=%llu signatures=%llu coverage=%s coverage_new=%llu coverage_edges=%llu mutants=%llu corpus=%llu result=%s",
	    (unsigned long long)fz_seed, (unsigned long long)secs,
	    (unsigned long long)SUM(cases), (double)SUM(cases) / secs,
	    (unsigned long long)SUM(ioctls), (unsigned long long)SUM(netlink),
	    (unsigned long long)SUM(guest_runs), (unsigned long long)SUM(differential),
	    (unsigned long long)fz->divergences, (unsigned long long)fz->host_faults,
	    (unsigned long long)fz->known, (unsigned long long)fz->nondet,
	    (unsigned long long)fz->history, (unsigned long long)fz->rejected,
	    (unsigned long long)fz->api_violations, (unsigned long long)fz->fuzzer_errors,
	    (unsigned long long)fz->kills, (unsigned long long)fz->races,
	    (unsigned long long)fz->sig_new, cov_backend(),
	    (unsigned long long)fz->cov_new, (unsigned long long)fz->cov_edges,
	    (unsigned long long)fz->mutants,
	    (unsigned long long)fz->corpus_saved, fail ? "fail" : "ok");
	return fail;
}
