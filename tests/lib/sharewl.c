// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mvnl.h"
#include "sharewl.h"

enum { MSG_READY = 1, MSG_DONE, MSG_ERROR };

struct wl_msg {
	uint32_t kind;
	uint32_t vm;
	uint32_t id;			/* minivisor VM ID */
	uint32_t pad;
	uint64_t pages_used;
	uint64_t nhash;			/* MSG_READY: hashes that follow */
	char text[240];
};

#define CHUNK	(1u << 20)

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static uint64_t page_hash(const uint64_t *w)
{
	uint64_t h = 0x243f6a8885a308d3ull;
	int i;

	for (i = 0; i < 512; i++) {
		h ^= w[i] * 0x9e3779b97f4a7c15ull;
		h = (h << 31 | h >> 33) * 0xbf58476d1ce4e5b9ull;
	}
	return h;
}

/* Guest pages in use now, as the hypervisor counts them. */
static uint64_t pages_in_use(struct tvm *t)
{
	struct mv_vm_stats st;
	unsigned char *vec;
	uint64_t i, n = 0, pages = t->mem_size / 4096;

	if (t->kind == TVM_MV)
		return ioctl(t->vm, MV_GET_VM_STATS, &st) ? 0 : st.pages_used;
	vec = malloc(pages);
	if (vec && !mincore(t->kvm_mem, t->mem_size, vec))
		for (i = 0; i < pages; i++)
			n += vec[i] & 1;
	free(vec);
	return n;
}

/* Report this VM's pages in use and the hashes of its non-zero pages. */
static int snapshot(struct tvm *t, unsigned int i, int fd)
{
	struct wl_msg m = { .kind = MSG_READY, .vm = i };
	uint64_t *hashes, *buf, off, k, n = 0;
	struct mv_vm_stats st;
	int ret;

	m.pages_used = pages_in_use(t);
	if (t->kind == TVM_MV && !ioctl(t->vm, MV_GET_VM_STATS, &st))
		m.id = st.id;
	hashes = malloc(t->mem_size / 4096 * sizeof(*hashes));
	buf = malloc(CHUNK);
	if (!hashes || !buf)
		return -1;
	for (off = 0; off < t->mem_size; off += CHUNK) {
		uint64_t len = t->mem_size - off < CHUNK ? t->mem_size - off : CHUNK;

		if (tvm_read(t, off, buf, len))
			return -1;
		for (k = 0; k < len / 8; k += 512) {
			int z = 1, j;

			for (j = 0; j < 512 && z; j++)
				z = !buf[k + j];
			if (!z)
				hashes[n++] = page_hash(&buf[k]);
		}
	}
	m.nhash = n;
	ret = write_all(fd, &m, sizeof(m)) || write_all(fd, hashes, n * 8);
	free(hashes);
	free(buf);
	return ret;
}

static void child_fail(int fd, unsigned int i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

static void child_fail(int fd, unsigned int i, const char *fmt, ...)
{
	struct wl_msg m = { .kind = MSG_ERROR, .vm = i };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	write_all(fd, &m, sizeof(m));
	_exit(1);
}

struct vmm_writer {
	struct tvm *t;
	uint64_t first, end;		/* image pages it rewrites */
	volatile bool stop;
	uint64_t writes;
	int err;
};

/* Rewrite random pages of the VMM's half with random versions. */
static void *vmm_writer_fn(void *arg)
{
	struct vmm_writer *v = arg;
	uint64_t x = 0x9e3779b97f4a7c15ull ^ v->first, buf[512];

	while (!v->stop) {
		uint64_t idx, ver;
		int k;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		idx = v->first + x % (v->end - v->first);
		ver = (x >> 40) % 3;
		for (k = 0; k < 512; k++)
			buf[k] = share_word(SEED_IMAGE, idx, ver, k);
		if (tvm_write(v->t, SHARE_BASE + idx * 4096, buf, sizeof(buf))) {
			v->err = errno;
			break;
		}
		v->writes++;
	}
	return NULL;
}

static void child(const struct wl_params *p, unsigned int i, int fd)
{
	uint64_t args[6] = { i, p->image, p->unique, p->zero,
			     p->volatile_pages,
			     p->test == S_FILL ? p->free_pages : p->steps };
	struct vmm_writer vw = { .first = p->image / 2, .end = p->image };
	bool writer = p->vmm_writer && p->test == S_STRESS && !(i % 2) &&
		      p->image >= 2;
	pthread_t thread;
	struct wl_msg done = { .kind = MSG_DONE, .vm = i };
	char name[MV_VM_NAME_LEN];
	enum tvm_exit e;
	struct tvm t;
	int ret;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(name, sizeof(name), "%s-%u", p->name ? p->name : "wl", i);
	ret = tvm_create_in(&t, p->kind, p->mem, name, p->domain);
	if (ret)
		child_fail(fd, i, "cannot create the VM: %s", strerror(-ret));
	if (p->kind == TVM_KVM && p->mergeable &&
	    madvise(t.kvm_mem, t.mem_size, MADV_MERGEABLE))
		child_fail(fd, i, "madvise(MADV_MERGEABLE): %s", strerror(errno));
	if (writer)
		args[0] |= SHARE_VMM_HALF;
	ret = tvm_load(&t, "share64");
	if (!ret)
		ret = tvm_args(&t, p->test, args, 6);
	if (ret)
		child_fail(fd, i, "cannot load share64: %s", strerror(-ret));
	vw.t = &t;
	for (;;) {
		e = tvm_run(&t);
		if (e == TVM_EXIT_UCALL && t.uc.cmd == UCALL_SYNC) {
			if (t.uc.args[0] == 1 && snapshot(&t, i, fd))
				child_fail(fd, i, "snapshot failed");
			/* Filled: from now on the VMM rewrites its half. */
			if (t.uc.args[0] == 1 && writer &&
			    pthread_create(&thread, NULL, vmm_writer_fn, &vw))
				child_fail(fd, i, "cannot start the VMM writer");
			if (t.uc.args[0] == 2 && p->round_ms)
				usleep(p->round_ms * 1000);
			continue;
		}
		if (e == TVM_EXIT_UCALL && t.uc.cmd == UCALL_DONE) {
			if (writer) {
				vw.stop = true;
				pthread_join(thread, NULL);
				if (vw.err || !vw.writes)
					child_fail(fd, i, "VMM writer: %s after %llu writes",
						   strerror(vw.err),
						   (unsigned long long)vw.writes);
			}
			write_all(fd, &done, sizeof(done));
			_exit(0);
		}
		if (e == TVM_EXIT_UCALL)
			child_fail(fd, i, "guest: %s (line %u) %#llx %#llx", t.uc.msg,
				   t.uc.line, (unsigned long long)t.uc.args[0],
				   (unsigned long long)t.uc.args[1]);
		child_fail(fd, i, "unexpected exit %s (%s) %s", tvm_exit_name(e),
			   strerror(t.err), t.console);
	}
}

double wl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}


/* Read exactly @len bytes from @fd before @deadline; 0 or -1. */
static int read_until(int fd, void *buf, size_t len, double deadline)
{
	char *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ms = (deadline - wl_now()) * 1000;
		ssize_t n;

		if (ms <= 0 || poll(&pfd, 1, ms) <= 0)
			return -1;
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The next message of child @i; -1 with w->err set on failure. */
static int wl_msg(struct wl *w, unsigned int i, struct wl_msg *m, int expect,
		  double deadline)
{
	if (read_until(w->fd[i], m, sizeof(*m), deadline)) {
		snprintf(w->err, sizeof(w->err), "VM %u: no report in time (or it died)", i);
		return -1;
	}
	m->text[sizeof(m->text) - 1] = 0;
	if (m->kind == MSG_ERROR) {
		snprintf(w->err, sizeof(w->err), "VM %u: %s", i, m->text);
		return -1;
	}
	if ((int)m->kind != expect) {
		snprintf(w->err, sizeof(w->err), "VM %u: unexpected report %u", i, m->kind);
		return -1;
	}
	return 0;
}

int wl_start(struct wl *w, const struct wl_params *p)
{
	uint64_t *all = NULL, n = 0, cap = 0;
	double deadline = wl_now() + 600;
	struct wl_msg m;
	unsigned int i;

	memset(w, 0, sizeof(*w));
	w->p = *p;
	if (p->vms > WL_MAX_VMS) {
		snprintf(w->err, sizeof(w->err), "at most %d VMs", WL_MAX_VMS);
		return -1;
	}
	fflush(NULL);
	for (i = 0; i < p->vms; i++) {
		int fds[2];
		pid_t pid;

		if (pipe2(fds, O_CLOEXEC)) {
			snprintf(w->err, sizeof(w->err), "pipe: %s", strerror(errno));
			goto fail;
		}
		pid = fork();
		if (pid < 0) {
			close(fds[0]);
			close(fds[1]);
			snprintf(w->err, sizeof(w->err), "fork: %s", strerror(errno));
			goto fail;
		}
		if (!pid) {
			close(fds[0]);
			child(p, i, fds[1]);
		}
		close(fds[1]);
		w->pid[i] = pid;
		w->fd[i] = fds[0];
		w->n++;
	}
	for (i = 0; i < w->n; i++) {
		if (wl_msg(w, i, &m, MSG_READY, deadline))
			goto fail;
		if (n + m.nhash > cap) {
			uint64_t *bigger;

			cap = (n + m.nhash) * 2;
			bigger = realloc(all, cap * sizeof(*all));
			if (!bigger) {
				snprintf(w->err, sizeof(w->err), "out of memory");
				goto fail;
			}
			all = bigger;
		}
		if (read_until(w->fd[i], all + n, m.nhash * 8, deadline)) {
			snprintf(w->err, sizeof(w->err), "VM %u: short snapshot", i);
			goto fail;
		}
		n += m.nhash;
		w->guest_pages += m.pages_used;
		w->id[i] = m.id;
	}
	if (n)
		qsort(all, n, sizeof(*all), cmp_u64);
	for (uint64_t k = 0; k < n; k++)
		w->distinct += !k || all[k] != all[k - 1];
	w->ideal = w->guest_pages > w->distinct ? w->guest_pages - w->distinct : 0;
	free(all);
	return 0;
fail:
	free(all);
	wl_kill(w);
	return -1;
}

int wl_wait(struct wl *w, int timeout_s)
{
	double deadline = wl_now() + timeout_s;
	struct wl_msg m;
	unsigned int i;

	for (i = 0; i < w->n; i++)
		if (wl_msg(w, i, &m, MSG_DONE, deadline))
			return -1;
	return 0;
}

void wl_kill(struct wl *w)
{
	unsigned int i;

	for (i = 0; i < w->n; i++)
		if (w->pid[i] > 0)
			kill(w->pid[i], SIGKILL);
	for (i = 0; i < w->n; i++) {
		if (w->pid[i] > 0)
			waitpid(w->pid[i], NULL, 0);
		close(w->fd[i]);
		w->pid[i] = 0;
	}
	w->n = 0;
}

int ksm_write(const char *name, unsigned long val)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%lu\n", val);
	return fclose(f) ? -1 : 0;
}

long ksm_read(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Time on the CPU of the first task called @comm, from schedstat, in ns. */
long long task_cpu_ns(const char *comm)
{
	char path[300], buf[64];
	struct dirent *d;
	long long ns = -1;
	DIR *dir = opendir("/proc");
	FILE *f;

	while (dir && ns < 0 && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		buf[strcspn(buf, "\n")] = 0;
		if (strcmp(buf, comm))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/schedstat", d->d_name);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%lld", &ns) != 1)
				ns = -1;
			fclose(f);
		}
	}
	if (dir)
		closedir(dir);
	return ns;
}

static int sample_cb(struct nlattr **a, uint8_t cmd, void *arg)
{
	struct share_sample *s = arg;

	(void)cmd;
	s->guest_pages = mvnl_u64(a, MV_A_SHARE_GUEST_PAGES);
	s->host_pages = mvnl_u64(a, MV_A_SHARE_HOST_PAGES);
	s->saved = mvnl_u64(a, MV_A_SHARE_SAVED);
	s->frames = mvnl_u64(a, MV_A_SHARE_FRAMES);
	s->sharing = mvnl_u64(a, MV_A_SHARE_SHARING);
	s->zero = mvnl_u64(a, MV_A_SHARE_ZERO);
	s->full_scans = mvnl_u64(a, MV_A_SHARE_FULL_SCANS);
	s->scanned = mvnl_u64(a, MV_A_SHARE_SCANNED);
	s->cpu_ns = mvnl_u64(a, MV_A_SHARE_CPU_NS);
	return 0;
}

static int balloon_cb(struct nlattr **a, uint8_t cmd, void *arg)
{
	struct share_sample *s = arg;

	(void)cmd;
	s->balloon_pages += mvnl_u64(a, MV_A_VM_BALLOON_PAGES);
	return 0;
}

int share_sample_mv(struct share_sample *s)
{
	struct mvnl nl;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = mvnl_open(&nl);
	if (ret)
		return ret;
	ret = mvnl_request(&nl, MV_CMD_GET_SHARE, false, NULL, NULL, sample_cb, s);
	if (!ret)
		ret = mvnl_request(&nl, MV_CMD_GET_VM, true, NULL, NULL,
				   balloon_cb, s);
	mvnl_close(&nl);
	s->t = wl_now();
	return ret;
}

struct balloon_args {
	uint32_t id;
	uint64_t bytes;
};

static int build_balloon(struct nl_msg *msg, void *arg)
{
	struct balloon_args *b = arg;

	return nla_put_u32(msg, MV_A_VM_ID, b->id) ||
	       nla_put_u64(msg, MV_A_VM_BALLOON_TARGET, b->bytes);
}

int balloon_set_mv(uint32_t id, uint64_t mem_bytes)
{
	struct balloon_args b = { id, mem_bytes };
	struct mvnl nl;
	int ret = mvnl_open(&nl);

	if (ret)
		return ret;
	ret = mvnl_request(&nl, MV_CMD_VM_SET, false, build_balloon, &b, NULL, NULL);
	mvnl_close(&nl);
	return ret;
}

int share_sample_ksm(struct share_sample *s)
{
	long shared = ksm_read("pages_shared"), sharing = ksm_read("pages_sharing");
	long unshared = ksm_read("pages_unshared"), vol = ksm_read("pages_volatile");
	long full = ksm_read("full_scans");

	memset(s, 0, sizeof(*s));
	if (shared < 0 || sharing < 0 || unshared < 0 || vol < 0 || full < 0)
		return -ENOENT;
	s->t = wl_now();
	s->frames = shared;
	s->sharing = sharing + shared;
	s->saved = sharing;
	s->full_scans = full;
	s->tracked = shared + sharing + unshared + vol;
	s->cpu_ns = task_cpu_ns("ksmd");
	return 0;
}

struct set_args {
	bool on;
	uint32_t pages, interval_ms;
};

static int build_set(struct nl_msg *msg, void *arg)
{
	struct set_args *a = arg;

	if (nla_put_u8(msg, MV_A_SHARE_ENABLED, a->on))
		return -1;
	if (a->pages && nla_put_u32(msg, MV_A_SHARE_SCAN_PAGES, a->pages))
		return -1;
	if (a->interval_ms &&
	    nla_put_u32(msg, MV_A_SHARE_SCAN_INTERVAL_MS, a->interval_ms))
		return -1;
	return 0;
}

int share_set_mv(bool on, uint32_t pages, uint32_t interval_ms)
{
	struct set_args a = { on, pages, interval_ms };
	struct mvnl nl;
	int ret = mvnl_open(&nl);

	if (ret)
		return ret;
	ret = mvnl_request(&nl, MV_CMD_SET_SHARE, false, build_set, &a, NULL, NULL);
	mvnl_close(&nl);
	return ret;
}
