// SPDX-License-Identifier: GPL-2.0
/*
 * The trace events (module/trace.h, events/minivisor/ in tracefs): each
 * fires where the guest or the host made it happen, with the fields the
 * guest's actions imply.  Guest programs: exits32 (port I/O, MMIO, CPUID,
 * MSRs, hypercalls, control registers, exceptions), paging64 (shadow
 * faults, shadow pages made, unsynced, synced and zapped, the guest's own
 * #PF), balloon64 (inflate, deflate, targets, the pressure policy), and
 * guest memory written by the VMM for page sharing (merges, COW breaks).
 * Every event must name the VM MV_GET_VM_STATS names.
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvtest.h"
#include "sharewl.h"
#include "tvm.h"

#define TRACING		"/sys/kernel/tracing"
#define MIB		(1ull << 20)
#define MMIO		0xd0000000ull
#define NONE		UINT64_MAX

static char out[65536];

/* Every event and some of its fields, as the format files must show them. */
static const struct {
	const char *name;
	const char *fields[4];
} events[] = {
	{ "mv_entry", { "u32 vm;", "u32 vcpu;", "u64 rip;" } },
	{ "mv_exit", { "u32 reason;", "u64 rip;", "u64 code;", "u64 info1;" } },
	{ "mv_ipi", { "u32 vm;", "u32 vcpu;", "u32 icr;", "u32 dest;" } },
	{ "mv_mmu_load", { "u32 vm;", "u64 root;", "u8 level;", "u64 cr3;" } },
	{ "mv_userspace_exit", { "u32 vm;", "u32 reason;", "int ret;" } },
	{ "mv_inject", { "u8 type;", "u8 vector;", "u32 error;" } },
	{ "mv_pio", { "u16 port;", "u8 size;", "bool in;", "u32 count;" } },
	{ "mv_mmio", { "u64 gpa;", "u32 len;", "bool write;", "u64 val;" } },
	{ "mv_cr", { "u8 cr;", "bool write;", "u64 val;" } },
	{ "mv_msr", { "u32 index;", "u64 val;", "bool write;", "bool fault;" } },
	{ "mv_cpuid", { "u32 function;", "u32 index;", "u32 eax;", "u32 edx;" } },
	{ "mv_hypercall", { "u64 nr;", "u64 a0;", "u64 a3;", "s64 ret;" } },
	{ "mv_page_fault", { "u64 gva;", "u32 error;", "u8 outcome;", "u64 gpa;" } },
	{ "mv_sp_new", { "u32 vm;", "u64 gfn;", "u32 role;", "u8 level;" } },
	{ "mv_sp_sync", { "u64 gfn;", "u8 level;" } },
	{ "mv_sp_unsync", { "u64 gfn;", "u8 level;" } },
	{ "mv_sp_zap", { "u64 gfn;", "u8 level;" } },
	{ "mv_share_merge", { "u32 vm;", "u64 gfn;", "bool zero;", "unsigned int users;" } },
	{ "mv_share_cow", { "u32 vm;", "u64 gfn;", "bool zero;" } },
	{ "mv_balloon_inflate", { "u32 vm;", "u32 vcpu;", "u64 count;", "u64 done;" } },
	{ "mv_balloon_deflate", { "u32 vm;", "u64 count;", "u64 done;" } },
	{ "mv_balloon_target", { "u32 vm;", "u64 old;", "u64 new;" } },
	{ "mv_pressure_target", { "u32 vm;", "u64 old;", "u64 new;" } },
};

/* tracefs ------------------------------------------------------------- */

static int tr_write(const char *file, const char *val)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), TRACING "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* A tracefs file's first line, without the newline; -errno. */
static int tr_read(const char *file, char *buf, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), TRACING "/%s", file);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int tracefs_mount(void)
{
	if (access(TRACING "/trace", F_OK) == 0)
		return 0;
	if (mount("tracefs", TRACING, "tracefs", 0, NULL))
		return -errno;
	return access(TRACING "/trace", F_OK) ? -errno : 0;
}

static int events_on(bool on)
{
	return tr_write("events/minivisor/enable", on ? "1" : "0");
}

static int trace_clear(void)
{
	return tr_write("trace", "");
}

/* The trace buffer, parsed ------------------------------------------- */

struct ev {
	char name[24];
	const char *f;		/* the fields' text */
	uint64_t vm;		/* its "vm" field */
};

struct trace {
	char *buf;
	struct ev *ev;
	size_t n;
	bool lost;		/* the buffer overflowed */
};

static void trace_free(struct trace *tr)
{
	free(tr->buf);
	free(tr->ev);
	memset(tr, 0, sizeof(*tr));
}

/* Read TRACING/trace; lines "task-pid [cpu] flags time: name: fields". */
static int trace_load(struct trace *tr)
{
	size_t len = 0, cap = 1 << 20, max_ev = 0;
	char *line, *save, *p;
	ssize_t r;
	int fd;

	memset(tr, 0, sizeof(*tr));
	fd = open(TRACING "/trace", O_RDONLY);
	if (fd < 0)
		return -errno;
	tr->buf = malloc(cap);
	for (;;) {
		if (len + 65536 > cap) {
			cap *= 2;
			tr->buf = realloc(tr->buf, cap);
		}
		if (!tr->buf) {
			close(fd);
			return -ENOMEM;
		}
		r = read(fd, tr->buf + len, cap - len - 1);
		if (r <= 0)
			break;
		len += r;
	}
	close(fd);
	tr->buf[len] = 0;
	for (line = strtok_r(tr->buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long in_buf, written;

		if (line[0] == '#') {
			p = strstr(line, "entries-in-buffer/entries-written:");
			if (p && sscanf(p, "entries-in-buffer/entries-written: %lu/%lu",
					&in_buf, &written) == 2 && in_buf != written)
				tr->lost = true;
			continue;
		}
		p = strstr(line, ": mv_");
		if (!p)
			continue;
		p += 2;
		if (tr->n == max_ev) {
			max_ev = max_ev ? 2 * max_ev : 4096;
			tr->ev = realloc(tr->ev, max_ev * sizeof(*tr->ev));
			if (!tr->ev)
				return -ENOMEM;
		}
		snprintf(tr->ev[tr->n].name, sizeof(tr->ev[0].name), "%.*s",
			 (int)strcspn(p, ":"), p);
		p += strcspn(p, ":");
		tr->ev[tr->n].f = *p ? p + 2 : p;
		tr->n++;
	}
	return 0;
}

/* The token after the word @key in @f, copied to @val; false if none. */
static bool fstr(const char *f, const char *key, char *val, size_t len)
{
	size_t k = strlen(key);
	const char *p;

	for (p = f; (p = strstr(p, key)); p += k) {
		if ((p != f && p[-1] != ' ') || p[k] != ' ')
			continue;
		p += k + 1;
		snprintf(val, len, "%.*s", (int)strcspn(p, " "), p);
		return true;
	}
	return false;
}

/* The number after @key (decimal or 0x...); NONE if absent. */
static uint64_t fnum(const char *f, const char *key)
{
	char v[64], *end;
	uint64_t x;

	if (!fstr(f, key, v, sizeof(v)))
		return NONE;
	x = v[0] == '-' ? (uint64_t)strtoll(v, &end, 0) : strtoull(v, &end, 0);
	return *end && *end != '%' ? NONE : x;
}

/* Is @word one of @f's words? */
static bool fword(const char *f, const char *word)
{
	size_t k = strlen(word);
	const char *p;

	for (p = f; (p = strstr(p, word)); p += k)
		if ((p == f || p[-1] == ' ') && (!p[k] || p[k] == ' '))
			return true;
	return false;
}

static bool is(const struct ev *e, const char *name, uint32_t vm)
{
	return e->vm == vm && !strcmp(e->name, name);
}

static unsigned int count(const struct trace *tr, const char *name, uint32_t vm)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < tr->n; i++)
		n += is(&tr->ev[i], name, vm);
	return n;
}

/* The last @name event of @vm before event @i; NULL if none. */
static const struct ev *before(const struct trace *tr, size_t i,
			       const char *name, uint32_t vm)
{
	while (i--)
		if (is(&tr->ev[i], name, vm))
			return &tr->ev[i];
	return NULL;
}

/* Print @vm's events of @name (or all), to see what went wrong. */
static void dump(struct __test_metadata *_metadata, const struct trace *tr,
		 const char *name, uint32_t vm)
{
	unsigned int shown = 0;
	size_t i;

	for (i = 0; i < tr->n && shown < 60; i++) {
		if (tr->ev[i].vm != vm || (name && strcmp(tr->ev[i].name, name)))
			continue;
		TH_LOG("  %s: %s", tr->ev[i].name, tr->ev[i].f);
		shown++;
	}
}

/*
 * Does @f hold every one of @want: "key value" pairs (numbers compared as
 * numbers, whatever their base) or single words?
 */
static bool fmatch(const char *f, const char *const *want)
{
	int k;

	for (k = 0; want[k]; k++) {
		const char *sp = strchr(want[k], ' ');
		char key[32], val[64];

		if (!sp) {
			if (!fword(f, want[k]))
				return false;
			continue;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(sp - want[k]), want[k]);
		sp++;
		if (!fstr(f, key, val, sizeof(val)))
			return false;
		if ((*sp >= '0' && *sp <= '9') || *sp == '-') {
			if (fnum(f, key) != (*sp == '-' ? (uint64_t)strtoll(sp, NULL, 0) :
					     strtoull(sp, NULL, 0)))
				return false;
		} else if (strcmp(val, sp)) {
			return false;
		}
	}
	return true;
}

/* The first @name event of @vm from event @from on matching @want. */
static const struct ev *find_from(const struct trace *tr, size_t from,
				  const char *name, uint32_t vm,
				  const char *const *want)
{
	size_t i;

	for (i = from; i < tr->n; i++)
		if (is(&tr->ev[i], name, vm) && fmatch(tr->ev[i].f, want))
			return &tr->ev[i];
	return NULL;
}

#define FIND(tr, name, vm, ...) ({					\
	const char *const __w[] = { __VA_ARGS__, NULL };		\
	find_from(tr, 0, name, vm, __w);				\
})

/* An event like this must be there; else show what there was. */
#define EXPECT_EV(tr, name, vm, ...) ({					\
	const struct ev *__e = FIND(tr, name, vm, __VA_ARGS__);	\
	EXPECT_NE(NULL, __e) {						\
		TH_LOG("no %s with %s for vm %u; there were:",		\
		       name, #__VA_ARGS__, vm);				\
		dump(_metadata, tr, name, vm);				\
	}								\
	__e;								\
})

static size_t ev_index(const struct trace *tr, const struct ev *e)
{
	return e - tr->ev;
}

/* Tests ---------------------------------------------------------------- */

FIXTURE(tr) {
	char buffer_kb[32], clock[64];
	struct tvm t, t2;
	uint32_t id;
	bool svm;
	bool share_changed, policy_changed;
	/* The balloon test's guest runs in a thread. */
	pthread_t thread;
	bool running;
	volatile bool stop, failed;
	volatile unsigned int syncs;
	volatile uint64_t held;
	char why[256];
};

FIXTURE_SETUP(tr)
{
	char clocks[512], *p, *q;
	int ret;

	self->t.dev = self->t.vm = self->t.vcpu = -1;
	self->t2.dev = self->t2.vm = self->t2.vcpu = -1;
	ASSERT_EQ(0, mv_ensure_loaded());
	ret = tracefs_mount();
	if (ret == -ENODEV)
		SKIP(return, "this kernel has no tracefs");
	ASSERT_EQ(0, ret);
	/* The module is loaded: its events must be there. */
	ASSERT_EQ(0, access(TRACING "/events/minivisor/enable", W_OK));
	ASSERT_EQ(0, events_on(false));
	/* Room for every test's events; one clock for all CPUs. */
	ASSERT_EQ(0, tr_read("buffer_size_kb", self->buffer_kb, sizeof(self->buffer_kb)));
	ASSERT_EQ(0, tr_write("buffer_size_kb", "8192"));
	ASSERT_EQ(0, tr_read("trace_clock", clocks, sizeof(clocks)));
	p = strchr(clocks, '[');
	q = p ? strchr(p, ']') : NULL;
	ASSERT_NE(NULL, q);
	snprintf(self->clock, sizeof(self->clock), "%.*s", (int)(q - p - 1), p + 1);
	ASSERT_EQ(0, tr_write("trace_clock", "global"));
	ASSERT_EQ(0, tr_write("tracing_on", "1"));
	ASSERT_EQ(0, trace_clear());
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j info"));
	self->svm = strstr(out, "\"svm\"");
}

FIXTURE_TEARDOWN(tr)
{
	if (self->running) {
		self->stop = true;
		pthread_kill(self->thread, SIGUSR1);
		pthread_join(self->thread, NULL);
	}
	tvm_destroy(&self->t);
	tvm_destroy(&self->t2);
	if (self->share_changed)
		share_set_mv(true, 256, 20);
	if (self->policy_changed)
		run_cmd(out, sizeof(out), -1,
			"mvctl balloon set auto on tax 75 floor 25 free-target 0");
	events_on(false);
	trace_clear();
	if (self->clock[0])
		tr_write("trace_clock", self->clock);
	if (self->buffer_kb[0])
		tr_write("buffer_size_kb", self->buffer_kb);
}

/* A fresh VM running exits32's sub-test @test; its ID in self->id. */
static void start_exits(struct __test_metadata *_metadata,
			FIXTURE_DATA(tr) * self, int test, uint64_t arg0)
{
	struct mv_vm_stats st;

	tvm_destroy(&self->t);
	ASSERT_EQ(0, tvm_create(&self->t, TVM_MV, 4 << 20, "trace_test"));
	ASSERT_EQ(0, tvm_load(&self->t, "exits32"));
	ASSERT_EQ(0, tvm_args(&self->t, test, &arg0, 1));
	ASSERT_EQ(0, tvm_stats(&self->t, &st));
	self->id = st.id;
}

#define EXPECT_UCALL(t, want) do {					\
	enum tvm_exit __x = tvm_run(t);					\
	ASSERT_EQ(TVM_EXIT_UCALL, __x) {				\
		TH_LOG("got %s (errno %d), console: %s",		\
		       tvm_exit_name(__x), (t)->err, (t)->console);	\
	}								\
	ASSERT_EQ(want, (t)->uc.cmd) {					\
		TH_LOG("guest assert line %u: %s (%llx vs %llx)",	\
		       (t)->uc.line, (t)->uc.msg,			\
		       (unsigned long long)(t)->uc.args[0],		\
		       (unsigned long long)(t)->uc.args[1]);		\
	}								\
} while (0)

static void load(struct __test_metadata *_metadata, struct trace *tr)
{
	size_t i;

	ASSERT_EQ(0, events_on(false));
	ASSERT_EQ(0, trace_load(tr));
	for (i = 0; i < tr->n; i++)
		tr->ev[i].vm = fnum(tr->ev[i].f, "vm");
	ASSERT_FALSE(tr->lost) {
		TH_LOG("the trace buffer overflowed: %zu events kept", tr->n);
	}
}

/*
 * Entries and exits pair up (one world switch each); every exit a handler
 * traced is preceded by the exit that caused it.
 */
static void check_switches(struct __test_metadata *_metadata,
			   const struct trace *tr, uint32_t id)
{
	unsigned int entries = count(tr, "mv_entry", id);

	EXPECT_LT(0, entries);
	EXPECT_EQ(entries, count(tr, "mv_exit", id));
	EXPECT_LT(0, count(tr, "mv_userspace_exit", id));
}

TEST_F(tr, every_event_is_registered_with_its_fields)
{
	char path[256], buf[8192], line[64];
	unsigned int i, k;
	FILE *f;
	size_t n;

	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(path, sizeof(path), TRACING "/events/minivisor/%s/format",
			 events[i].name);
		f = fopen(path, "r");
		ASSERT_NE(NULL, f) {
			TH_LOG("no %s", path);
		}
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		for (k = 0; k < 4 && events[i].fields[k]; k++) {
			char want[64];

			snprintf(want, sizeof(want), "field:%s", events[i].fields[k]);
			EXPECT_NE(NULL, strstr(buf, want)) {
				TH_LOG("%s has no %s", events[i].name, want);
			}
		}
		EXPECT_NE(NULL, strstr(buf, "print fmt: \"vm %u"));
		/* Symbols resolved in the format file, for perf and trace-cmd. */
		EXPECT_EQ(NULL, strstr(buf, "MVX_"));
		EXPECT_EQ(NULL, strstr(buf, "MV_EXIT_"));
	}
	/* Per event, and for all of them. */
	ASSERT_EQ(0, tr_write("events/minivisor/mv_exit/enable", "1"));
	ASSERT_EQ(0, tr_read("events/minivisor/mv_exit/enable", line, sizeof(line)));
	EXPECT_STREQ("1", line);
	ASSERT_EQ(0, tr_read("events/minivisor/enable", line, sizeof(line)));
	EXPECT_STREQ("X", line);	/* some on, some off */
	ASSERT_EQ(0, events_on(true));
	ASSERT_EQ(0, tr_read("events/minivisor/mv_pio/enable", line, sizeof(line)));
	EXPECT_STREQ("1", line);
	ASSERT_EQ(0, events_on(false));
	ASSERT_EQ(0, tr_read("events/minivisor/mv_exit/enable", line, sizeof(line)));
	EXPECT_STREQ("0", line);
	f = fopen(TRACING "/available_events", "r");
	ASSERT_NE(NULL, f);
	n = 0;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "minivisor:mv_", 13);
	fclose(f);
	EXPECT_EQ(sizeof(events) / sizeof(events[0]), n);
}

TEST_F(tr, port_io)
{
	struct tvm *t = &self->t;
	struct trace tr;
	uint32_t got = 0, i, n = 0, uio = 0;
	size_t k;

	start_exits(_metadata, self, T_PIO, 0);
	ASSERT_EQ(0, events_on(true));
	/* exits_test's port_io_all_forms, answering the INs. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
	ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
	t->io.data[0] = 0xa5;
	ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
	memcpy(t->io.data, "\xa6\xa5", 2);
	ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
	memcpy(t->io.data, "\xa8\xa7\xa6\xa5", 4);
	ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
	ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
	while (got < 3000) {
		ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
		for (i = 0; i < t->io.count; i++)
			t->io.data[i] = (got + i) & 0xff;
		got += t->io.count;
	}
	ASSERT_EQ(TVM_EXIT_IO, tvm_run(t));
	for (i = 0; i < 4; i++)
		memcpy(t->io.data + 4 * i, &i, 4);
	EXPECT_UCALL(t, UCALL_DONE);
	load(_metadata, &tr);

	EXPECT_EV(&tr, "mv_pio", self->id, "vcpu 0", "out", "port 0x500", "size 1",
		  "count 1", "val 0x12");
	EXPECT_EV(&tr, "mv_pio", self->id, "out", "port 0x500", "size 2", "val 0x3456");
	EXPECT_EV(&tr, "mv_pio", self->id, "out", "port 0x500", "size 4",
		  "val 0x789abcde");
	/* INs are traced when userspace has supplied the data. */
	EXPECT_EV(&tr, "mv_pio", self->id, "in", "port 0x501", "size 1", "count 1",
		  "val 0xa5");
	EXPECT_EV(&tr, "mv_pio", self->id, "in", "port 0x501", "size 2", "val 0xa5a6");
	EXPECT_EV(&tr, "mv_pio", self->id, "in", "port 0x501", "size 4",
		  "val 0xa5a6a7a8");
	/* REP OUTSW forwards, then backwards: the first element out. */
	EXPECT_EV(&tr, "mv_pio", self->id, "out", "size 2", "count 4", "val 0x1111");
	EXPECT_EV(&tr, "mv_pio", self->id, "out", "size 2", "count 4", "val 0x4444");
	EXPECT_EV(&tr, "mv_pio", self->id, "in", "size 4", "count 4", "val 0x0");
	/* The ucall: an OUTL of the block's address. */
	EXPECT_EV(&tr, "mv_pio", self->id, "out", "port 0x5e0", "size 4");
	got = 0;
	for (k = 0; k < tr.n; k++) {
		const struct ev *e = &tr.ev[k], *x;

		if (is(e, "mv_userspace_exit", self->id) && fword(e->f, "io"))
			uio++;
		if (!is(e, "mv_pio", self->id))
			continue;
		n++;
		if (fword(e->f, "in") && fnum(e->f, "port") == 0x501 &&
		    fnum(e->f, "size") == 1 && fnum(e->f, "count") > 1)
			got += fnum(e->f, "count");
		/* Caused by an I/O exit of the same port. */
		x = before(&tr, k, "mv_exit", self->id);
		ASSERT_NE(NULL, x);
		EXPECT_TRUE(fword(x->f, "io")) {
			TH_LOG("%s after %s", e->f, x->f);
		}
		if (self->svm) {
			EXPECT_EQ(0x7b, fnum(x->f, "code"));	/* SVM_EXIT_IOIO */
			EXPECT_EQ(fnum(e->f, "port"), fnum(x->f, "info1") >> 16);
		}
	}
	EXPECT_EQ(3000, got);
	/* One event per exit to userspace for I/O. */
	EXPECT_EQ(uio, n);
	EXPECT_LE(11, n);
	check_switches(_metadata, &tr, self->id);
	trace_free(&tr);
}

TEST_F(tr, mmio)
{
	struct tvm *t = &self->t;
	const struct ev *e, *x;
	struct trace tr;
	int i;

	start_exits(_metadata, self, T_MMIO, MMIO);
	ASSERT_EQ(0, events_on(true));
	for (i = 0; i < 6; i++)
		ASSERT_EQ(TVM_EXIT_MMIO, tvm_run(t));
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(TVM_EXIT_MMIO, tvm_run(t));
		memcpy(t->mmio.data, "\x81\x82\x83\x84\x85\x86\x87\x88", 8);
	}
	EXPECT_UCALL(t, UCALL_DONE);
	load(_metadata, &tr);

	EXPECT_EV(&tr, "mv_mmio", self->id, "vcpu 0", "write", "gpa 0xd0000001",
		  "len 1", "val 0x11");
	EXPECT_EV(&tr, "mv_mmio", self->id, "write", "gpa 0xd0000002", "len 2",
		  "val 0x2233");
	EXPECT_EV(&tr, "mv_mmio", self->id, "write", "gpa 0xd000000c", "len 4",
		  "val 0x99aabbcc");
	/* Reads: the value userspace answered, cut to the access size. */
	EXPECT_EV(&tr, "mv_mmio", self->id, "read", "gpa 0xd0000010", "len 1",
		  "val 0x81");
	EXPECT_EV(&tr, "mv_mmio", self->id, "read", "gpa 0xd0000020", "len 2",
		  "val 0x8281");
	EXPECT_EV(&tr, "mv_mmio", self->id, "read", "gpa 0xd0000080", "len 4",
		  "val 0x84838281");
	EXPECT_EQ(12, count(&tr, "mv_mmio", self->id));
	/* Paging off: the shadow fault says MMIO, at the same address. */
	e = EXPECT_EV(&tr, "mv_page_fault", self->id, "gva 0xd0000001",
		      "outcome mmio", "gpa 0xd0000001");
	if (e) {
		x = before(&tr, ev_index(&tr, e), "mv_exit", self->id);
		ASSERT_NE(NULL, x);
		EXPECT_TRUE(fword(x->f, "page_fault"));
		if (self->svm)
			EXPECT_EQ(0xd0000001, fnum(x->f, "info2"));	/* CR2 */
	}
	check_switches(_metadata, &tr, self->id);
	trace_free(&tr);
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

TEST_F(tr, cpuid)
{
	const struct ev *e;
	struct trace tr;

	start_exits(_metadata, self, T_CPUID, 0);
	ASSERT_EQ(0, set_cpuid_with_extra(self->t.vcpu));
	ASSERT_EQ(0, events_on(true));
	EXPECT_UCALL(&self->t, UCALL_SYNC);
	EXPECT_UCALL(&self->t, UCALL_DONE);
	load(_metadata, &tr);

	e = EXPECT_EV(&tr, "mv_cpuid", self->id, "vcpu 0", "func 0x1", "index 0x0");
	if (e)
		EXPECT_TRUE(fnum(e->f, "ecx") & (1u << 31));	/* hypervisor */
	EXPECT_EV(&tr, "mv_cpuid", self->id, "func 0x40000000", "eax 0x40000010",
		  "ebx 0x696e694d", "ecx 0x6f736956", "edx 0x72");
	EXPECT_EV(&tr, "mv_cpuid", self->id, "func 0x4000beef", "index 0x7",
		  "eax 0x1234", "ebx 0x5678", "ecx 0x9abc", "edx 0xdef0");
	EXPECT_EV(&tr, "mv_cpuid", self->id, "func 0x4000dead", "eax 0x0",
		  "ebx 0x0", "ecx 0x0", "edx 0x0");
	if (e && self->svm) {
		const struct ev *x = before(&tr, ev_index(&tr, e), "mv_exit", self->id);

		ASSERT_NE(NULL, x);
		EXPECT_TRUE(fword(x->f, "cpuid"));
		EXPECT_EQ(0x72, fnum(x->f, "code"));		/* SVM_EXIT_CPUID */
	}
	check_switches(_metadata, &tr, self->id);
	trace_free(&tr);
}

TEST_F(tr, msrs_and_the_gp_they_inject)
{
	const struct ev *e;
	struct trace tr;

	start_exits(_metadata, self, T_MSR, 0);
	ASSERT_EQ(0, events_on(true));
	EXPECT_UCALL(&self->t, UCALL_DONE);
	load(_metadata, &tr);

	EXPECT_EV(&tr, "mv_msr", self->id, "vcpu 0", "wrmsr 0x174", "val 0x10");
	EXPECT_EV(&tr, "mv_msr", self->id, "rdmsr 0x174", "val 0x10");
	EXPECT_EQ(NULL, FIND(&tr, "mv_msr", self->id, "wrmsr 0x174", "#GP"));
	/* A PAT with a bad type: refused, and a #GP(0) goes to the guest. */
	e = EXPECT_EV(&tr, "mv_msr", self->id, "wrmsr 0x277",
		      "val 0x7040600070402", "#GP");
	if (e) {
		const char *const w[] = { "exception", "vector 13", "has_error 1",
					  "error 0x0", NULL };

		EXPECT_NE(NULL, find_from(&tr, ev_index(&tr, e), "mv_inject",
					  self->id, w));
	}
	EXPECT_EV(&tr, "mv_msr", self->id, "rdmsr 0x48", "val 0x0", "#GP");
	EXPECT_EV(&tr, "mv_msr", self->id, "wrmsr 0xc0000082",
		  "val 0x8000000000000000", "#GP");
	EXPECT_EV(&tr, "mv_msr", self->id, "wrmsr 0x1b", "#GP");
	check_switches(_metadata, &tr, self->id);
	trace_free(&tr);
}

TEST_F(tr, hypercalls)
{
	struct trace tr;
	char ver[32];

	start_exits(_metadata, self, T_HYPERCALL, 0);
	ASSERT_EQ(0, events_on(true));
	EXPECT_UCALL(&self->t, UCALL_DONE);
	load(_metadata, &tr);

	EXPECT_EV(&tr, "mv_hypercall", self->id, "vcpu 0", "nr 0x1000", "a0 0x29",
		  "ret 42");
	snprintf(ver, sizeof(ver), "ret %u", MV_API_VERSION);
	EXPECT_EV(&tr, "mv_hypercall", self->id, "nr 0x1001", ver);
	EXPECT_EV(&tr, "mv_hypercall", self->id, "nr 0xdead", "a0 0x1", "a1 0x2",
		  "a2 0x3", "a3 0x4", "ret -38");
	/* The same through VMCALL, Intel's spelling, taken as #UD here. */
	EXPECT_EV(&tr, "mv_hypercall", self->id, "nr 0x1000", "a0 0x63",
		  "ret 100");
	EXPECT_EQ(6, count(&tr, "mv_hypercall", self->id));
	check_switches(_metadata, &tr, self->id);
	trace_free(&tr);
}

/*
 * The first mv_cr event of @id from event @from on, "crN read|write value"
 * with (value & @mask) == @val: its index + 1, or 0.
 */
static size_t cr_event_from(const struct trace *tr, size_t from, uint32_t id,
			    unsigned int cr, bool write, uint64_t val,
			    uint64_t mask)
{
	size_t i;

	for (i = from; i < tr->n; i++) {
		const char *p = strstr(tr->ev[i].f, " cr");
		unsigned long long v;
		unsigned int n;
		char rw[8];

		if (!is(&tr->ev[i], "mv_cr", id) || !p ||
		    sscanf(p, " cr%u %7s %llx", &n, rw, &v) != 3)
			continue;
		if (n == cr && !strcmp(rw, write ? "write" : "read") &&
		    (v & mask) == (val & mask))
			return i + 1;
	}
	return 0;
}

#define cr_event(tr, id, cr, write, val, mask) \
	(cr_event_from(tr, 0, id, cr, write, val, mask) != 0)

TEST_F(tr, control_registers)
{
	struct trace tr;
	size_t ts;

	start_exits(_metadata, self, T_CR_DR, 0);
	ASSERT_EQ(0, events_on(true));
	EXPECT_UCALL(&self->t, UCALL_DONE);
	load(_metadata, &tr);

	/* PE on, paging off; then TS set by a write and cleared by CLTS. */
	EXPECT_TRUE(cr_event(&tr, self->id, 0, false, 0x1, 0x80000001));
	ts = cr_event_from(&tr, 0, self->id, 0, true, 0x9, 0x80000009);
	EXPECT_NE(0, ts);
	EXPECT_NE(0, cr_event_from(&tr, ts, self->id, 0, true, 0x1, 0x80000009));
	EXPECT_TRUE(cr_event(&tr, self->id, 4, false, 0, ~0ull));
	EXPECT_TRUE(cr_event(&tr, self->id, 4, true, 0x200, ~0ull));
	EXPECT_TRUE(cr_event(&tr, self->id, 4, false, 0x200, ~0ull));
	/* Refused writes are accesses too; each injects a #GP. */
	EXPECT_TRUE(cr_event(&tr, self->id, 4, true, 0x40200, ~0ull));
	EXPECT_TRUE(cr_event(&tr, self->id, 0, true, 0x80000000, ~0ull));
	EXPECT_LE(2, count(&tr, "mv_inject", self->id));
	EXPECT_EV(&tr, "mv_inject", self->id, "exception", "vector 13", "has_error 1");
	/*
	 * CR0.PE, TS and CR4.OSFXSR change no translation: the shadow root
	 * built for the first entry stays (each used to cost a new one).
	 */
	EXPECT_EQ(1, count(&tr, "mv_mmu_load", self->id));
	if (_metadata->passed == 0)
		dump(_metadata, &tr, "mv_cr", self->id);
	check_switches(_metadata, &tr, self->id);
	trace_free(&tr);
}

TEST_F(tr, exceptions_injected)
{
	struct trace tr;
	unsigned int ud = 0;
	size_t i;

	start_exits(_metadata, self, T_EXCEPTIONS, 0);
	ASSERT_EQ(0, events_on(true));
	EXPECT_UCALL(&self->t, UCALL_DONE);
	load(_metadata, &tr);

	/* VMLOAD, STGI, VMRUN, CLGI: #UD, no error code. */
	for (i = 0; i < tr.n; i++)
		ud += is(&tr.ev[i], "mv_inject", self->id) &&
		      !fword(tr.ev[i].f, "reinjected") &&
		      fmatch(tr.ev[i].f, (const char *const[]){ "exception", "vector 6",
				"has_error 0", NULL });
	EXPECT_EQ(4, ud);
	EXPECT_EV(&tr, "mv_exit", self->id, "reason ud");
	/* The single step's #DB, intercepted and reflected. */
	EXPECT_EV(&tr, "mv_exit", self->id, "reason exception");
	EXPECT_EV(&tr, "mv_inject", self->id, "exception", "vector 1");
	check_switches(_metadata, &tr, self->id);
	trace_free(&tr);
}

/* paging64's sub-test @test in a fresh VM of @mem bytes, to its DONE. */
static void run_paging(struct __test_metadata *_metadata, struct tvm *t,
		       uint32_t test, uint64_t mem, uint32_t *id)
{
	uint64_t args[3] = { 3, 0, 0 };		/* long mode */
	struct mv_vm_stats st;
	enum tvm_exit e;

	ASSERT_EQ(0, tvm_create(t, TVM_MV, mem, "trace_test"));
	ASSERT_EQ(0, tvm_load(t, "paging64"));
	ASSERT_EQ(0, tvm_args(t, test, args, 3));
	ASSERT_EQ(0, tvm_stats(t, &st));
	*id = st.id;
	do {
		e = tvm_run(t);
	} while (e == TVM_EXIT_UCALL && t->uc.cmd == UCALL_SYNC);
	ASSERT_EQ(TVM_EXIT_UCALL, e) {
		TH_LOG("%s: %s", tvm_exit_name(e), t->console);
	}
	ASSERT_EQ(UCALL_DONE, t->uc.cmd) {
		TH_LOG("guest assert line %u: %s", t->uc.line, t->uc.msg);
	}
	tvm_destroy(t);
}

#define TEST_VA		0x8000000000ull		/* paging64's test region */

TEST_F_TIMEOUT(tr, shadow_paging, 300)
{
	char unsync_was[8] = "";
	uint32_t inv, pf;
	const struct ev *e;
	struct trace tr;
	size_t i;

	/* Leaf tables go unsync (the default); restored below. */
	ASSERT_EQ(0, run_cmd(unsync_was, sizeof(unsync_was), -1,
			     "cat /sys/module/minivisor/parameters/mmu_unsync"));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1,
			     "echo Y > /sys/module/minivisor/parameters/mmu_unsync"));
	ASSERT_EQ(0, events_on(true));
	run_paging(_metadata, &self->t, P_INVLPG, 160 * MIB, &inv);
	run_paging(_metadata, &self->t, P_PF_HANDLER, 160 * MIB, &pf);
	run_cmd(out, sizeof(out), -1,
		"echo %c > /sys/module/minivisor/parameters/mmu_unsync",
		unsync_was[0] == 'N' ? 'N' : 'Y');
	/* Both VMs are gone: their shadow pages went with them. */
	load(_metadata, &tr);

	/* INVLPG: a long-mode root; a remapped leaf goes unsync and is synced. */
	EXPECT_EV(&tr, "mv_sp_new", inv, "level 4", "mode long", "direct 0");
	EXPECT_EV(&tr, "mv_sp_new", inv, "level 1", "mode long");
	EXPECT_LT(0, count(&tr, "mv_sp_unsync", inv));
	EXPECT_LT(0, count(&tr, "mv_sp_sync", inv));
	for (i = 0; i < tr.n; i++) {
		char gfn[32];
		const char *w[] = { gfn, "level 1", "mode long", NULL };

		if (!is(&tr.ev[i], "mv_sp_unsync", inv) &&
		    !is(&tr.ev[i], "mv_sp_sync", inv))
			continue;
		/* A last-level table shadowed before, unsync when synced. */
		snprintf(gfn, sizeof(gfn), "gfn 0x%llx",
			 (unsigned long long)fnum(tr.ev[i].f, "gfn"));
		EXPECT_EQ(1, fnum(tr.ev[i].f, "level"));
		EXPECT_EQ(1, fnum(tr.ev[i].f, "unsync")) {
			TH_LOG("%s: %s", tr.ev[i].name, tr.ev[i].f);
		}
		{
			bool made = false;
			size_t j;

			for (j = 0; j < i && !made; j++)
				made = is(&tr.ev[j], "mv_sp_new", inv) &&
				       fmatch(tr.ev[j].f, w);
			EXPECT_TRUE(made) {
				TH_LOG("%s of a table never shadowed: %s",
				       tr.ev[i].name, tr.ev[i].f);
			}
		}
	}
	/* The first touch of TEST_VA + 0x7000 (mapped to 32 MiB). */
	EXPECT_EV(&tr, "mv_page_fault", inv, "vcpu 0", "gva 0x8000007000",
		  "outcome shadow", "gpa 0x2000000");
	EXPECT_EV(&tr, "mv_exit", inv, "reason invlpg");
	/* Every shadow page made was zapped, at the latest at teardown. */
	EXPECT_LT(0, count(&tr, "mv_sp_new", inv));
	EXPECT_EQ(count(&tr, "mv_sp_new", inv), count(&tr, "mv_sp_zap", inv));
	EXPECT_EQ(count(&tr, "mv_sp_new", pf), count(&tr, "mv_sp_zap", pf));

	/* The guest's own #PF handler: its faults, injected with its error codes. */
	e = EXPECT_EV(&tr, "mv_page_fault", pf, "gva 0x8000100000", "outcome guest");
	if (e) {
		const char *const w[] = { "exception", "vector 14", "has_error 1",
					  "error 0x0", NULL };

		EXPECT_NE(NULL, find_from(&tr, ev_index(&tr, e), "mv_inject", pf, w));
		if (self->svm) {
			const struct ev *x = before(&tr, ev_index(&tr, e), "mv_exit", pf);

			ASSERT_NE(NULL, x);
			EXPECT_TRUE(fword(x->f, "page_fault"));
			EXPECT_EQ(TEST_VA + 0x100000, fnum(x->f, "info2"));
		}
	}
	e = EXPECT_EV(&tr, "mv_page_fault", pf, "gva 0x8000101008", "outcome guest");
	if (e) {
		const char *const w[] = { "exception", "vector 14", "error 0x2", NULL };
		const char *const s[] = { "gva 0x8000101008", "outcome shadow",
					  "gpa 0x2801008", NULL };
		size_t k = ev_index(&tr, e);

		EXPECT_NE(NULL, find_from(&tr, k, "mv_inject", pf, w));
		/* Mapped by the handler (to 40 MiB + 4 KiB): the retry. */
		EXPECT_NE(NULL, find_from(&tr, k, "mv_page_fault", pf, s));
	}
	check_switches(_metadata, &tr, inv);
	check_switches(_metadata, &tr, pf);
	trace_free(&tr);
}

TEST_F_TIMEOUT(tr, page_sharing_merges_and_cow_breaks, 120)
{
	static const uint64_t zero[512];
	uint64_t page[512], word = 0xfeedface;
	struct mv_vm_stats sa, sb;
	const struct ev *m, *e;
	uint32_t a, b;
	struct trace tr;
	char pfn[48];
	int i;

	self->share_changed = true;
	ASSERT_EQ(0, share_set_mv(false, 256, 20));
	ASSERT_EQ(0, tvm_create(&self->t, TVM_MV, 1 << 20, "trace_test"));
	ASSERT_EQ(0, tvm_create(&self->t2, TVM_MV, 1 << 20, "trace_test"));
	for (i = 0; i < 512; i++)
		page[i] = share_word(0x7777, 0, 0, i);
	/* gfn 10: the same page in both; gfn 20: zeros in both. */
	ASSERT_EQ(0, tvm_write(&self->t, 10 * 4096, page, 4096));
	ASSERT_EQ(0, tvm_write(&self->t2, 10 * 4096, page, 4096));
	ASSERT_EQ(0, tvm_write(&self->t, 20 * 4096, zero, 4096));
	ASSERT_EQ(0, tvm_write(&self->t2, 20 * 4096, zero, 4096));
	ASSERT_EQ(0, tvm_stats(&self->t, &sa));
	ASSERT_EQ(0, tvm_stats(&self->t2, &sb));
	a = sa.id;
	b = sb.id;
	ASSERT_EQ(0, events_on(true));
	ASSERT_EQ(0, share_set_mv(true, 4096, 5));
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, tvm_stats(&self->t, &sa));
		ASSERT_EQ(0, tvm_stats(&self->t2, &sb));
		if (sa.pages_shared == 1 && sb.pages_shared == 1 &&
		    sa.pages_zero == 1 && sb.pages_zero == 1)
			break;
		usleep(20000);
	}
	ASSERT_EQ(0, share_set_mv(false, 256, 20));
	ASSERT_EQ(1, sa.pages_shared);
	ASSERT_EQ(1, sb.pages_shared);
	/* The VMM writes: B's copy of the frame, A's copy of the zero page. */
	ASSERT_EQ(0, tvm_write(&self->t2, 10 * 4096 + 8, &word, 8));
	ASSERT_EQ(0, tvm_write(&self->t, 20 * 4096 + 16, &word, 8));
	ASSERT_EQ(0, tvm_stats(&self->t, &sa));
	ASSERT_EQ(0, tvm_stats(&self->t2, &sb));
	EXPECT_EQ(1, sa.cow_breaks);
	EXPECT_EQ(1, sb.cow_breaks);
	load(_metadata, &tr);

	EXPECT_EV(&tr, "mv_share_merge", a, "gfn 0x14", "into zero", "domain 0");
	EXPECT_EV(&tr, "mv_share_merge", b, "gfn 0x14", "into zero", "domain 0");
	/*
	 * The page seen first became the frame; the other merged into it,
	 * its second user.
	 */
	EXPECT_EQ(1, count(&tr, "mv_share_merge", a) + count(&tr, "mv_share_merge", b) - 2);
	m = FIND(&tr, "mv_share_merge", a, "gfn 0xa", "into frame");
	if (!m)
		m = FIND(&tr, "mv_share_merge", b, "gfn 0xa", "into frame");
	ASSERT_NE(NULL, m) {
		dump(_metadata, &tr, "mv_share_merge", a);
		dump(_metadata, &tr, "mv_share_merge", b);
	}
	EXPECT_EQ(2, fnum(m->f, "users"));
	EXPECT_EQ(0, fnum(m->f, "domain"));
	snprintf(pfn, sizeof(pfn), "pfn 0x%llx", (unsigned long long)fnum(m->f, "pfn"));
	/* B's write copied that frame, which A still uses. */
	e = EXPECT_EV(&tr, "mv_share_cow", b, "gfn 0xa", "from frame", pfn);
	if (e) {
		EXPECT_FALSE(fword(e->f, "freed"));
		EXPECT_NE(fnum(m->f, "pfn"), fnum(e->f, "copy"));
	}
	EXPECT_EV(&tr, "mv_share_cow", a, "gfn 0x14", "from zero");
	EXPECT_EQ(1, count(&tr, "mv_share_cow", a));
	EXPECT_EQ(1, count(&tr, "mv_share_cow", b));
	trace_free(&tr);
}

/* balloon64's driver running in a thread of ours. */
static void *bvm_thread(void *arg)
{
	FIXTURE_DATA(tr) *self = arg;
	struct tvm *t = &self->t;

	for (;;) {
		enum tvm_exit e = tvm_run(t);

		if (e == TVM_EXIT_UCALL && t->uc.cmd == UCALL_SYNC) {
			if (t->uc.args[0] == 2)
				self->held = t->uc.args[1];
			self->syncs++;
			continue;
		}
		if (e == TVM_EXIT_INTR && !self->stop)
			continue;
		if (e != TVM_EXIT_INTR) {
			snprintf(self->why, sizeof(self->why), "%s: %s (line %u) %.100s",
				 tvm_exit_name(e), t->uc.msg, t->uc.line, t->console);
			self->failed = true;
		}
		return NULL;
	}
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* Until the balloon holds @pages (and the guest says so); 0 or -1. */
static int wait_held(FIXTURE_DATA(tr) * self, uint64_t pages, int seconds)
{
	struct mv_vm_stats st;
	int i;

	for (i = 0; i < seconds * 50 && !self->failed; i++) {
		if (tvm_stats(&self->t, &st))
			return -1;
		if (st.balloon_pages == pages && st.balloon_target == pages &&
		    self->held == pages)
			return 0;
		usleep(20000);
	}
	return -1;
}

static int set_keep(struct tvm *t, uint64_t bytes)
{
	struct mv_balloon_target bt = { .mem_bytes = bytes };

	return ioctl(t->vm, MV_SET_BALLOON, &bt) ? -errno : 0;
}

/* /proc/meminfo's MemAvailable, in MiB. */
static uint64_t mem_available_mib(void)
{
	return meminfo("MemAvailable") >> 20;
}

#define BL_MEM		(64 * MIB)
#define BL_PAGES	(BL_MEM / 4096)
#define BL_POOL_GFN	(16 * MIB / 4096)
/* The policy leaves the VM its floor (balloon_floor_pct, 25%). */
#define BL_AUTO_MAX	(BL_PAGES - BL_PAGES / 4)

TEST_F_TIMEOUT(tr, balloon_and_pressure_policy, 300)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	uint64_t args[4] = { BL_POOL_GFN, BL_PAGES - BL_POOL_GFN, 0, 77 };
	uint64_t inflated = 0, deflated = 0, prev_new = 0, top = 0;
	unsigned int raises = 0, releases = 0, irqs = 0;
	struct mv_vm_stats st;
	char from[32], full[48];
	struct trace tr;
	size_t i;

	self->policy_changed = true;
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl balloon set auto off"));
	sigaction(SIGUSR1, &sa, NULL);
	ASSERT_EQ(0, tvm_create(&self->t, TVM_MV, BL_MEM, "trace_test"));
	ASSERT_EQ(0, tvm_load(&self->t, "balloon64"));
	ASSERT_EQ(0, tvm_args(&self->t, BL_DRIVER, args, 4));
	ASSERT_EQ(0, tvm_stats(&self->t, &st));
	self->id = st.id;
	ASSERT_EQ(0, pthread_create(&self->thread, NULL, bvm_thread, self));
	self->running = true;
	/* The pool filled, and the first adjustment reported. */
	for (i = 0; i < 6000 && self->syncs < 2 && !self->failed; i++)
		usleep(10000);
	ASSERT_LE(2, self->syncs) {
		TH_LOG("%s", self->why);
	}

	ASSERT_EQ(0, trace_clear());
	ASSERT_EQ(0, events_on(true));
	/* The VMM's target: keep 56 MiB, then all of it again. */
	ASSERT_EQ(0, set_keep(&self->t, BL_MEM - 8 * MIB));
	ASSERT_EQ(0, wait_held(self, 2048, 60)) {
		TH_LOG("%s", self->why);
	}
	ASSERT_EQ(0, set_keep(&self->t, BL_MEM));
	ASSERT_EQ(0, wait_held(self, 0, 60));
	/* Keep far more free than there is: the policy takes what it may. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1,
			     "mvctl balloon set auto on free-target %llu",
			     (unsigned long long)mem_available_mib() + 512));
	ASSERT_EQ(0, wait_held(self, BL_AUTO_MAX, 60)) {
		tvm_stats(&self->t, &st);
		TH_LOG("target %llu, held %llu", (unsigned long long)st.balloon_target,
		       (unsigned long long)st.balloon_pages);
	}
	/* Off: it gives everything back. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl balloon set auto off"));
	ASSERT_EQ(0, wait_held(self, 0, 60));
	load(_metadata, &tr);

	EXPECT_EV(&tr, "mv_balloon_target", self->id, "target 0", "-> 2048", "of 16384");
	EXPECT_EV(&tr, "mv_balloon_target", self->id, "target 2048", "-> 0");
	EXPECT_EV(&tr, "mv_balloon_inflate", self->id, "vcpu 0", "held 2048",
		  "target 2048");
	EXPECT_EV(&tr, "mv_balloon_deflate", self->id, "vcpu 0", "held 0", "target 0");
	snprintf(full, sizeof(full), "held %llu", (unsigned long long)BL_AUTO_MAX);
	EXPECT_EV(&tr, "mv_balloon_inflate", self->id, full);
	for (i = 0; i < tr.n; i++) {
		const struct ev *e = &tr.ev[i];

		if (is(e, "mv_balloon_inflate", self->id) ||
		    is(e, "mv_balloon_deflate", self->id)) {
			EXPECT_GE(MV_BALLOON_BATCH, fnum(e->f, "count"));
			EXPECT_GE(fnum(e->f, "count"), fnum(e->f, "done"));
			if (!strcmp(e->name, "mv_balloon_inflate"))
				inflated += fnum(e->f, "done");
			else
				deflated += fnum(e->f, "done");
		}
		if (is(e, "mv_inject", self->id) && fmatch(e->f,
		    (const char *const[]){ "intr", "vector 48", NULL }))
			irqs++;
		if (!is(e, "mv_pressure_target", self->id))
			continue;
		/* Steps of a megabyte up from nothing, then all of it back. */
		if (fnum(e->f, "->") > fnum(e->f, "target")) {
			EXPECT_EQ(prev_new, fnum(e->f, "target"));
			EXPECT_GE(256, fnum(e->f, "->") - fnum(e->f, "target"));
			prev_new = top = fnum(e->f, "->");
			raises++;
		} else {
			EXPECT_EQ(top, fnum(e->f, "target"));
			EXPECT_EQ(0, fnum(e->f, "->"));
			releases++;
		}
	}
	EXPECT_EQ(BL_AUTO_MAX, top);
	EXPECT_EQ(BL_AUTO_MAX / 256, raises);
	EXPECT_EQ(1, releases);
	snprintf(from, sizeof(from), "target %llu", (unsigned long long)BL_AUTO_MAX);
	EXPECT_EV(&tr, "mv_pressure_target", self->id, from, "-> 0", "of 16384");
	EXPECT_EQ(2048 + BL_AUTO_MAX, inflated);
	EXPECT_EQ(2048 + BL_AUTO_MAX, deflated);
	/* The guest heard of each target change (vector 0x30, vCPU 0). */
	EXPECT_LE(3, irqs);
	EXPECT_EV(&tr, "mv_hypercall", self->id, "nr 0x1100", "a0 0x30");
	EXPECT_EV(&tr, "mv_hypercall", self->id, "nr 0x1101");
	EXPECT_FALSE(self->failed) {
		TH_LOG("%s", self->why);
	}
	trace_free(&tr);
}

TEST_F(tr, nothing_is_recorded_while_disabled)
{
	struct trace tr;
	size_t i, mine = 0;

	ASSERT_EQ(0, events_on(true));
	ASSERT_EQ(0, events_on(false));
	ASSERT_EQ(0, trace_clear());
	start_exits(_metadata, self, T_CPUID, 0);
	ASSERT_EQ(0, set_cpuid_with_extra(self->t.vcpu));
	EXPECT_UCALL(&self->t, UCALL_SYNC);
	EXPECT_UCALL(&self->t, UCALL_DONE);
	load(_metadata, &tr);
	for (i = 0; i < tr.n; i++)
		mine += tr.ev[i].vm == self->id;
	EXPECT_EQ(0, mine);
	EXPECT_EQ(0, tr.n);
	trace_free(&tr);
}

TEST_HARNESS_MAIN
