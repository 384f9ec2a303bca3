// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests (and VMMs): each test does one thing of the README's
 * hostile-guest catalogue and checks the clean outcome exactly (the fault
 * the architecture gives, the internal error and its data, a shutdown,
 * bounded memory), and that the host goes on (the suite fails on any oops
 * or WARN in the kernel log).  Where KVM (kvm_amd npt=0) can run the same
 * guest, it runs too and must say the same.  Guest programs:
 * tests/guest/hostile.inc.c (hostile32.bin, hostile64.bin).
 *
 * Regression tests for bugs fixed after 9995d11 (each fails there):
 * paged.string_io_and_smsw_across_two_pages, paged.decoded_instructions_
 * at_the_end_of_a_page and nx.*.  The faulting-operand and end-of-RAM
 * tests found two more bugs, fixed since (MV_RET_FAULTED, and
 * mv_operand_straddles() in emulate.c); they fail before the fix.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "mvnl.h"
#include "mvtest.h"
#include "sharewl.h"
#include "tvm.h"

#define MIB		(1ull << 20)
#define FRAME(n)	(32 * MIB + (uint64_t)(n) * 4096)
#define MMIO_ANSWER	0x123456789abcdef0ull
#define EFER_NX		(1ull << 11)

static char out[16384];

/* What one run of a guest did, as the host saw it. */
struct mmio_rec {
	uint64_t gpa, val;
	uint32_t len;
	bool write;
};

struct run_log {
	unsigned int nout, nin, nmmio, nsync;
	uint8_t out_size[1024];
	uint32_t out_val[1024];
	struct mmio_rec mmio[64];
	enum tvm_exit end;
	struct ucall uc;		/* the last ucall */
	struct mv_run run;		/* minivisor's run page at the end */
	char console[16384];
};

struct guest_run;
typedef int (*guest_hook)(struct tvm *t, const struct guest_run *g);

/* A guest program, its arguments, and what the host does for it. */
struct guest_run {
	const char *guest;
	uint32_t test;
	uint64_t args[6];
	uint64_t mem;
	const uint32_t *in;		/* values for IN elements, in order */
	unsigned int nin;
	guest_hook before;		/* after loading, before running */
	guest_hook on_sync;		/* each SYNC: 0 goes on */
	void *ctx;
};

static struct run_log *cur_log;

/*
 * Run @g on @t (created here, destroyed by the caller) until it is done,
 * asserts, or stops for something else the caller judges from @log:
 * PORT_TEST output is logged element by element, PORT_TEST_IN is answered
 * from g->in, MMIO is logged and reads answered with MMIO_ANSWER.
 */
static int run_guest(struct tvm *t, enum tvm_kind kind,
		     const struct guest_run *g, struct run_log *log)
{
	enum tvm_exit e;
	unsigned int i;
	int ret;

	memset(log, 0, sizeof(*log));
	cur_log = log;
	ret = tvm_create(t, kind, g->mem, "hostile_test");
	if (!ret)
		ret = tvm_load(t, g->guest);
	if (!ret)
		ret = tvm_args(t, g->test, g->args, 6);
	if (!ret && g->before)
		ret = g->before(t, g);
	if (ret)
		return ret;
	for (;;) {
		e = tvm_run(t);
		if (e == TVM_EXIT_UCALL) {
			log->uc = t->uc;
			if (t->uc.cmd == UCALL_SYNC) {
				log->nsync++;
				if (g->on_sync && g->on_sync(t, g))
					break;
				continue;
			}
		} else if (e == TVM_EXIT_IO && !t->io.in && t->io.port == PORT_TEST) {
			for (i = 0; i < t->io.count && log->nout < 1024; i++, log->nout++) {
				uint32_t v = 0;

				memcpy(&v, t->io.data + i * t->io.size, t->io.size);
				log->out_size[log->nout] = t->io.size;
				log->out_val[log->nout] = v;
			}
			continue;
		} else if (e == TVM_EXIT_IO && t->io.in && t->io.port == PORT_TEST_IN) {
			for (i = 0; i < t->io.count; i++, log->nin++) {
				uint32_t v = log->nin < g->nin ? g->in[log->nin] : 0xeeeeeeee;

				memcpy(t->io.data + i * t->io.size, &v, t->io.size);
			}
			continue;
		} else if (e == TVM_EXIT_MMIO) {
			struct mmio_rec *m = &log->mmio[log->nmmio < 64 ? log->nmmio++ : 63];

			m->gpa = t->mmio.gpa;
			m->len = t->mmio.len;
			m->write = t->mmio.is_write;
			m->val = 0;
			if (m->write)
				memcpy(&m->val, t->mmio.data, m->len > 8 ? 8 : m->len);
			else
				memcpy(t->mmio.data, &(uint64_t){ MMIO_ANSWER }, 8);
			continue;
		}
		break;
	}
	log->end = e;
	if (kind == TVM_MV)
		memcpy(&log->run, t->run, sizeof(log->run));
	memcpy(log->console, t->console, sizeof(log->console) - 1);
	log->console[sizeof(log->console) - 1] = 0;
	return 0;
}

static const char *log_end(const struct run_log *l)
{
	static char s[256];

	snprintf(s, sizeof(s), "%s, last ucall %u line %u %s (%#llx %#llx)",
		 tvm_exit_name(l->end), l->uc.cmd, l->uc.line, l->uc.msg,
		 (unsigned long long)l->uc.args[0],
		 (unsigned long long)l->uc.args[1]);
	return s;
}

#define ASSERT_DONE(l) ASSERT_TRUE((l)->end == TVM_EXIT_UCALL &&	\
				   (l)->uc.cmd == UCALL_DONE) {		\
	TH_LOG("%s; console:\n%s", log_end(l), (l)->console);		\
}

/* KVM's shadow MMU as the oracle: kvm_amd with npt=0. */
static int kvm_oracle(void)
{
	if (access("/sys/module/kvm_amd", F_OK) == 0) {
		FILE *f = fopen("/sys/module/kvm_amd/parameters/npt", "r");
		char c = 0;

		if (f) {
			c = fgetc(f);
			fclose(f);
		}
		if (c == 'N' || c == '0')
			return 0;
		if (kvm_amd_unload())
			return -1;
	}
	return kvm_amd_load("npt=0");
}

static struct run_log mv_log, kvm_log;
static struct tvm mv_t, kvm_t;

/*
 * @g on minivisor and on KVM: both must end the same way, print the same
 * and send the same port output and MMIO.  The logs stay in mv_log and
 * kvm_log for the caller's own checks.
 */
static void both(struct __test_metadata *_metadata, const struct guest_run *g)
{
	unsigned int i;

	ASSERT_EQ(0, run_guest(&mv_t, TVM_MV, g, &mv_log));
	tvm_destroy(&mv_t);
	ASSERT_EQ(0, kvm_oracle());
	ASSERT_EQ(0, run_guest(&kvm_t, TVM_KVM, g, &kvm_log));
	tvm_destroy(&kvm_t);
	TH_LOG("minivisor: %s\n%s", log_end(&mv_log), mv_log.console);
	EXPECT_EQ(kvm_log.end, mv_log.end) {
		TH_LOG("kvm: %s\n%s", log_end(&kvm_log), kvm_log.console);
	}
	EXPECT_EQ(kvm_log.uc.cmd, mv_log.uc.cmd);
	EXPECT_STREQ(kvm_log.console, mv_log.console);
	EXPECT_EQ(kvm_log.nout, mv_log.nout);
	for (i = 0; i < mv_log.nout && i < kvm_log.nout; i++) {
		EXPECT_EQ(kvm_log.out_size[i], mv_log.out_size[i]);
		EXPECT_EQ(kvm_log.out_val[i], mv_log.out_val[i]) {
			TH_LOG("output element %u: minivisor %#x, kvm %#x", i,
			       mv_log.out_val[i], kvm_log.out_val[i]);
		}
	}
	EXPECT_EQ(kvm_log.nmmio, mv_log.nmmio);
	for (i = 0; i < mv_log.nmmio && i < kvm_log.nmmio; i++) {
		EXPECT_EQ(kvm_log.mmio[i].gpa, mv_log.mmio[i].gpa);
		EXPECT_EQ(kvm_log.mmio[i].len, mv_log.mmio[i].len);
		EXPECT_EQ(kvm_log.mmio[i].write, mv_log.mmio[i].write);
		EXPECT_EQ(kvm_log.mmio[i].val, mv_log.mmio[i].val);
	}
}

/* The output elements must be exactly these (size, value) pairs. */
static void expect_out(struct __test_metadata *_metadata,
		       const struct run_log *l, const uint32_t (*want)[2],
		       unsigned int n)
{
	unsigned int i;

	EXPECT_EQ(n, l->nout) {
		for (i = 0; i < l->nout; i++)
			TH_LOG("output element %u: %u bytes, %#x", i,
			       l->out_size[i], l->out_val[i]);
	}
	for (i = 0; i < n && i < l->nout; i++) {
		EXPECT_EQ(want[i][0], l->out_size[i]);
		EXPECT_EQ(want[i][1], l->out_val[i]) {
			TH_LOG("output element %u: %#x, want %#x", i,
			       l->out_val[i], want[i][1]);
		}
	}
}

static void expect_mmio(struct __test_metadata *_metadata,
			const struct run_log *l, unsigned int i, uint64_t gpa,
			uint32_t len, bool write, uint64_t val)
{
	ASSERT_LT(i, l->nmmio);
	EXPECT_EQ(gpa, l->mmio[i].gpa);
	EXPECT_EQ(len, l->mmio[i].len);
	EXPECT_EQ(write, l->mmio[i].write);
	if (write)
		EXPECT_EQ(val, l->mmio[i].val);
}

/* A crashed VM runs no more. */
static void expect_crashed(struct __test_metadata *_metadata, struct tvm *t)
{
	EXPECT_EQ(TVM_EXIT_ERROR, tvm_run_once(t));
	EXPECT_EQ(EIO, t->err);
}

/* No VM yet: nothing for the teardown to close. */
static void no_vms(void)
{
	mv_t.dev = mv_t.vm = mv_t.vcpu = -1;
	kvm_t.dev = kvm_t.vm = kvm_t.vcpu = -1;
}

FIXTURE(hv) {
	int unused;
};

FIXTURE_SETUP(hv)
{
	no_vms();
	ASSERT_EQ(0, mv_ensure_loaded());
}

FIXTURE_TEARDOWN(hv)
{
	tvm_destroy(&mv_t);
	tvm_destroy(&kvm_t);
}

/* The paging modes: 32-bit two-level, PAE, long mode. */
FIXTURE(paged) {
	int unused;
};

FIXTURE_VARIANT(paged) {
	const char *guest;
	uint64_t mode;
};

FIXTURE_VARIANT_ADD(paged, two_level) {
	.guest = "hostile32", .mode = 1,
};

FIXTURE_VARIANT_ADD(paged, pae) {
	.guest = "hostile32", .mode = 2,
};

FIXTURE_VARIANT_ADD(paged, long_mode) {
	.guest = "hostile64", .mode = 3,
};

FIXTURE_SETUP(paged)
{
	no_vms();
	ASSERT_EQ(0, mv_ensure_loaded());
}

FIXTURE_TEARDOWN(paged)
{
	tvm_destroy(&mv_t);
	tvm_destroy(&kvm_t);
}

/*
 * Regression (string I/O and SMSW/LMSW elements across two pages on
 * frames that are not adjacent: 9995d11 used the first frame's next
 * bytes): every element's bytes come from and go to the right frames,
 * and the frame after the first is never touched.
 */
TEST_F_TIMEOUT(paged, string_io_and_smsw_across_two_pages, 300)
{
	static const uint32_t in[] = { 0xa4a3a2a1, 0xb1b0, 0xb3b2, 0xb5b4 };
	static const uint32_t want[][2] = {
		{ 4, 0x21201716 },			/* outsl at +4094 */
		{ 2, 0x2017 },				/* outsw at +4095 */
		{ 4, 0x15141312 }, { 4, 0x21201716 },	/* rep outsl from +4090 */
		{ 4, 0x25242322 },
		{ 4, 0x21201716 },			/* std; outsl */
		{ 2, 0x2221 }, { 2, 0x2017 }, { 2, 0x1615 },	/* std; rep outsw */
	};
	struct guest_run g = {
		.guest = variant->guest, .test = H_STRADDLE,
		.args = { variant->mode }, .mem = 160 * MIB,
		.in = in, .nin = 4,
	};

	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	expect_out(_metadata, &mv_log, want, sizeof(want) / sizeof(want[0]));
	EXPECT_EQ(4, mv_log.nin);
	EXPECT_NE(NULL, strstr(mv_log.console, "smsw/lmsw across the pages: ok"));
}

/*
 * Found by this test (a regression of the fix above, 6b2022a; fixed by
 * MV_RET_FAULTED: the walk says it queued a #PF, the caller stops):
 * string I/O and SMSW/LMSW whose memory operand faults - the second page
 * of a straddling element absent or read-only, and also a plain page
 * absent, read-only, or supervisor-only for ring 3.  The CPU's outcome
 * (KVM's too): a #PF with CR2 on that page at the instruction, which does
 * nothing, no port I/O.  mv_string_pages() and mv_copy_linear() return
 * MV_RET_GUEST both when the translation worked and when they queued the
 * #PF, so their callers carry on: the element goes out from (or comes in
 * to) the guest-physical address of the string instruction before, the
 * instruction completes, and the #PF comes after it.  A ring-3 OUTSB
 * from a kernel-only page sends the kernel's last OUTS byte.
 */
TEST_F_TIMEOUT(paged, string_io_and_smsw_with_faulting_operands, 300)
{
	static const uint32_t want[][2] = { { 1, 0x5e } };	/* the kernel's own OUTSB */
	struct guest_run g = {
		.guest = variant->guest, .test = H_STRADDLE,
		.args = { variant->mode, 1 }, .mem = 160 * MIB,
	};
	static const char *const lines[] = {
		"outsl at +4094, next page absent: #PF error 0 cr2 base+1000\n",
		"outsw at +4095, next page absent: #PF error 0 cr2 base+1000\n",
		"outsb from an absent page: #PF error 0 cr2 base+2000\n",
		"lmsw at +4095, next page absent: #PF error 0 cr2 base+1000\n",
		"smsw to an absent page: #PF error 2 cr2 base+2000\n",
		"smsw at +4095, next page read-only: #PF error 3 cr2 base+1000\n",
		"insl at +4094, next page read-only: #PF error 3 cr2 base+1000\n",
		"insb into a read-only page: #PF error 3 cr2 base+1000\n",
	};
	unsigned int i;

	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		EXPECT_NE(NULL, strstr(mv_log.console, lines[i])) {
			TH_LOG("missing: %s", lines[i]);
		}
	}
	if (variant->mode == 3) {
		EXPECT_NE(NULL, strstr(mv_log.console,
				       "ring 3 outsb from a supervisor page: vector 14 error 5 cr2 base+4000\n"));
		expect_out(_metadata, &mv_log, want, 1);
	} else {
		EXPECT_EQ(0, mv_log.nout);
	}
	/* No port read for an INS that faults (KVM reads first). */
	EXPECT_EQ(0, mv_log.nin);
}

/*
 * Regression (an instruction minivisor decodes, last in a page whose next
 * page is not present: 9995d11 fetched 15 bytes and queued a #PF for the
 * next page): a hypercall through #UD (VMCALL), VMMCALL, MMIO loads and
 * stores, CR0 moves, SMSW, OUTSB, INVLPG, CPUID, RDMSR - no exception.
 * And an MMIO store straddling two pages on frames that are not adjacent
 * stores its own immediate.
 */
TEST_F_TIMEOUT(paged, decoded_instructions_at_the_end_of_a_page, 300)
{
	static const uint32_t want[][2] = { { 1, 0x5a } };
	struct guest_run g = {
		.guest = variant->guest, .test = H_PAGE_END,
		.args = { variant->mode }, .mem = 160 * MIB,
	};

	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	expect_out(_metadata, &mv_log, want, 1);
	ASSERT_EQ(3, mv_log.nmmio);
	expect_mmio(_metadata, &mv_log, 0, H_MMIO_GPA, 4, true, 0x12345678);
	expect_mmio(_metadata, &mv_log, 1, H_MMIO_GPA + 8, 4, false, 0);
	expect_mmio(_metadata, &mv_log, 2, H_MMIO_GPA + 16, 4, true, 0xdeadbeef);
}

/* Triple faults: an empty IDT, a fault minivisor injects into it, a stack that is not there. */
TEST_F_TIMEOUT(paged, triple_faults, 300)
{
	static const char *const how[] = { "ud2, empty idt", "injected #pf, empty idt",
					   "ud2, no stack" };
	struct guest_run g = {
		.guest = variant->guest, .test = H_TRIPLE, .mem = 160 * MIB,
	};
	int i;

	for (i = H_TRIPLE_UD; i <= H_TRIPLE_STACK; i++) {
		g.args[0] = variant->mode;
		g.args[1] = i;
		ASSERT_EQ(0, run_guest(&mv_t, TVM_MV, &g, &mv_log));
		EXPECT_EQ(TVM_EXIT_SHUTDOWN, mv_log.end) {
			TH_LOG("%s: %s\n%s", how[i], log_end(&mv_log), mv_log.console);
		}
		EXPECT_EQ(MV_SHUTDOWN_TRIPLE_FAULT, mv_log.run.shutdown.reason);
		EXPECT_EQ(1, mv_log.nsync);
		expect_crashed(_metadata, &mv_t);
		tvm_destroy(&mv_t);
		ASSERT_EQ(0, kvm_oracle());
		ASSERT_EQ(0, run_guest(&kvm_t, TVM_KVM, &g, &kvm_log));
		EXPECT_EQ(TVM_EXIT_SHUTDOWN, kvm_log.end) {
			TH_LOG("kvm, %s: %s", how[i], log_end(&kvm_log));
		}
		tvm_destroy(&kvm_t);
	}
}

/*
 * Page tables outside RAM: a directory entry naming one, CR3 naming one
 * (PAE: a #GP at the load, as on KVM), a PAE PDPTE naming one.  The run
 * ends with MV_INTERNAL_PAGE_TABLE: the address translated and the
 * entry's guest-physical address.  (KVM injects a #PF instead: what
 * reading no memory gives is not the architecture's to say.)
 */
TEST_F_TIMEOUT(paged, page_tables_outside_ram, 300)
{
	struct guest_run g = {
		.guest = variant->guest, .test = H_PT_OUTSIDE, .mem = 160 * MIB,
	};
	int i;

	for (i = H_OUT_PT; i <= H_OUT_PDPTE; i++) {
		if (i == H_OUT_PDPTE && variant->mode != 2)
			continue;
		g.args[0] = variant->mode;
		g.args[1] = i;
		if (i == H_OUT_CR3 && variant->mode == 2) {
			both(_metadata, &g);
			ASSERT_DONE(&mv_log);
			EXPECT_NE(NULL, strstr(mv_log.console, "cr3 outside ram: vector 13"));
			continue;
		}
		ASSERT_EQ(0, run_guest(&mv_t, TVM_MV, &g, &mv_log));
		ASSERT_EQ(TVM_EXIT_INTERNAL, mv_log.end) {
			TH_LOG("case %d: %s\n%s", i, log_end(&mv_log), mv_log.console);
		}
		EXPECT_EQ(1, mv_log.nsync);
		EXPECT_EQ(MV_INTERNAL_PAGE_TABLE, mv_log.run.internal.suberror);
		EXPECT_EQ(2, mv_log.run.internal.ndata);
		EXPECT_EQ(mv_log.uc.args[1], mv_log.run.internal.data[0]);
		EXPECT_EQ(mv_log.uc.args[2], mv_log.run.internal.data[1]);
		tvm_destroy(&mv_t);
	}
}

/* The same guests with paging off, and real mode's (tests/guest/triple16.S). */
TEST_F_TIMEOUT(hv, triple_faults_without_paging, 120)
{
	struct guest_run g = { .guest = "hostile32", .test = H_TRIPLE, .mem = 4 * MIB };
	int i, k;

	for (i = H_TRIPLE_UD; i <= H_TRIPLE_INJECTED + 1; i++) {
		for (k = 0; k < 2; k++) {
			struct tvm *t = k ? &kvm_t : &mv_t;
			struct run_log *l = k ? &kvm_log : &mv_log;

			if (k)
				ASSERT_EQ(0, kvm_oracle());
			if (i <= H_TRIPLE_INJECTED) {
				g.args[1] = i;
				ASSERT_EQ(0, run_guest(t, k ? TVM_KVM : TVM_MV, &g, l));
				EXPECT_EQ(1, l->nsync);
			} else {
				/* Real mode: INT3 through a zero-limit IVT. */
				ASSERT_EQ(0, tvm_create(t, k ? TVM_KVM : TVM_MV, 1 * MIB, "triple16"));
				ASSERT_EQ(0, tvm_load(t, "triple16"));
				l->end = tvm_run(t);
				if (!k)
					memcpy(&l->run, t->run, sizeof(l->run));
			}
			EXPECT_EQ(TVM_EXIT_SHUTDOWN, l->end) {
				TH_LOG("case %d on %s: %s", i, k ? "kvm" : "minivisor",
				       log_end(l));
			}
			if (!k) {
				EXPECT_EQ(MV_SHUTDOWN_TRIPLE_FAULT, l->run.shutdown.reason);
				expect_crashed(_metadata, t);
			}
			tvm_destroy(t);
		}
	}
}

/*
 * A fault while delivering a fault: UD2 on a stack that is not present
 * makes #PF, then #DF, delivered on a stack of its own (IST); KVM agrees
 * on everything the handler sees.
 */
TEST_F_TIMEOUT(hv, fault_during_event_delivery_is_a_double_fault, 120)
{
	struct guest_run g = { .guest = "hostile64", .test = H_DOUBLE, .mem = 160 * MIB };

	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	EXPECT_NE(NULL, strstr(mv_log.console, "1 #DF, error 0"));
}

/*
 * Regression (two vCPUs, EFER.NXE=1 and 0, on one set of tables with XD
 * in a directory entry and an unsync last-level table: 9995d11 resynced
 * with the NX of the vCPU doing it): the NXE=1 vCPU still faults when it
 * executes there, whichever way the NXE=0 vCPU resyncs.  Raw vCPU ioctls
 * (tvm has one vCPU), on minivisor and on KVM.
 */
enum nx_how { NX_BY_CR3_LOAD, NX_BY_NEW_VCPU, NX_BY_SET_SREGS };

struct nx_ctx {
	enum nx_how how;
	int fd;			/* vCPU 1 */
	void *run;
	size_t run_size;
	uint64_t entry, stack;
	int err;
	char why[128];
};

static int nx_fail(struct nx_ctx *c, const char *what)
{
	snprintf(c->why, sizeof(c->why), "%s: %s", what, strerror(errno));
	c->err = -1;
	return -1;
}

static int nx_create(struct tvm *t, struct nx_ctx *c)
{
	c->fd = ioctl(t->vm, t->kind == TVM_MV ? MV_CREATE_VCPU : KVM_CREATE_VCPU, 1);
	if (c->fd < 0)
		return nx_fail(c, "create vCPU 1");
	c->run_size = t->kind == TVM_MV ? MV_RUN_SIZE :
		      (size_t)ioctl(t->dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	c->run = mmap(NULL, c->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED)
		return nx_fail(c, "mmap vCPU 1");
	if (t->kind == TVM_KVM) {
		static struct {
			struct kvm_cpuid2 c;
			struct kvm_cpuid_entry2 e[MV_CPUID_MAX_ENTRIES];
		} cpuid;

		cpuid.c.nent = MV_CPUID_MAX_ENTRIES;
		if (ioctl(t->vcpu, KVM_GET_CPUID2, &cpuid) ||
		    ioctl(c->fd, KVM_SET_CPUID2, &cpuid))
			return nx_fail(c, "vCPU 1's CPUID");
	}
	return 0;
}

/* vCPU 1: vCPU 0's long mode, EFER.NXE clear, at ap_entry. */
static int nx_sregs(struct tvm *t, struct nx_ctx *c)
{
	if (t->kind == TVM_MV) {
		struct mv_regs r = { .rip = c->entry, .rsp = c->stack, .rflags = 2 };
		struct mv_sregs s;

		if (ioctl(t->vcpu, MV_GET_SREGS, &s))
			return nx_fail(c, "vCPU 0's sregs");
		s.efer &= ~EFER_NX;
		if (ioctl(c->fd, MV_SET_SREGS, &s) || ioctl(c->fd, MV_SET_REGS, &r))
			return nx_fail(c, "vCPU 1's registers");
	} else {
		struct kvm_regs r = { .rip = c->entry, .rsp = c->stack, .rflags = 2 };
		struct kvm_sregs s;

		if (ioctl(t->vcpu, KVM_GET_SREGS, &s))
			return nx_fail(c, "vCPU 0's sregs");
		s.efer &= ~EFER_NX;
		if (ioctl(c->fd, KVM_SET_SREGS, &s) || ioctl(c->fd, KVM_SET_REGS, &r))
			return nx_fail(c, "vCPU 1's registers");
	}
	return 0;
}

/* vCPU 1 runs ap_entry: a CR3 load, then HLT. */
static int nx_run_ap(struct tvm *t, struct nx_ctx *c)
{
	static struct tvm t1;
	enum tvm_exit e;

	memcpy(&t1, t, sizeof(t1));
	t1.vcpu = c->fd;
	t1.run = c->run;
	do
		e = tvm_run_once(&t1);
	while (e == TVM_EXIT_INTR);
	if (e != TVM_EXIT_HLT) {
		snprintf(c->why, sizeof(c->why), "vCPU 1 ended with %s (errno %d)",
			 tvm_exit_name(e), t1.err);
		c->err = -1;
		return -1;
	}
	return 0;
}

static int nx_sync(struct tvm *t, const struct guest_run *g)
{
	struct nx_ctx *c = g->ctx;

	if (t->uc.args[0] == 1) {
		c->entry = t->uc.args[2];
		c->stack = t->uc.args[3];
		if (c->how == NX_BY_NEW_VCPU)
			return 0;
		if (nx_create(t, c))
			return -1;
		return c->how == NX_BY_CR3_LOAD ? nx_sregs(t, c) : 0;
	}
	/* SYNC 2: vCPU 0 made the table unsync; the NXE=0 vCPU resyncs it. */
	switch (c->how) {
	case NX_BY_CR3_LOAD:
		return nx_run_ap(t, c);
	case NX_BY_NEW_VCPU:
		return nx_create(t, c);
	default:
		return nx_sregs(t, c);
	}
}

FIXTURE(nx) {
	struct nx_ctx c;
};

FIXTURE_VARIANT(nx) {
	enum nx_how how;
};

FIXTURE_VARIANT_ADD(nx, resync_by_cr3_load) {
	.how = NX_BY_CR3_LOAD,
};

FIXTURE_VARIANT_ADD(nx, resync_by_new_vcpu) {
	.how = NX_BY_NEW_VCPU,
};

FIXTURE_VARIANT_ADD(nx, resync_by_set_sregs) {
	.how = NX_BY_SET_SREGS,
};

FIXTURE_SETUP(nx)
{
	no_vms();
	ASSERT_EQ(0, mv_ensure_loaded());
}

FIXTURE_TEARDOWN(nx)
{
}

TEST_F_TIMEOUT(nx, no_execute_survives_a_resync_by_a_vcpu_without_nxe, 120)
{
	struct guest_run g = {
		.guest = "hostile64", .test = H_NX_VCPUS, .mem = 160 * MIB,
		.on_sync = nx_sync, .ctx = &self->c,
	};
	int k;

	for (k = 0; k < 2; k++) {
		struct tvm *t = k ? &kvm_t : &mv_t;
		struct run_log *l = k ? &kvm_log : &mv_log;

		memset(&self->c, 0, sizeof(self->c));
		self->c.how = variant->how;
		self->c.fd = -1;
		if (k)
			ASSERT_EQ(0, kvm_oracle());
		ASSERT_EQ(0, run_guest(t, k ? TVM_KVM : TVM_MV, &g, l));
		EXPECT_EQ(0, self->c.err) {
			TH_LOG("%s: %s", k ? "kvm" : "minivisor", self->c.why);
		}
		EXPECT_EQ(2, l->nsync);
		EXPECT_TRUE(l->end == TVM_EXIT_UCALL && l->uc.cmd == UCALL_DONE) {
			TH_LOG("%s: %s\n%s", k ? "kvm" : "minivisor", log_end(l),
			       l->console);
		}
		if (self->c.run && self->c.run != MAP_FAILED)
			munmap(self->c.run, self->c.run_size);
		if (self->c.fd >= 0)
			close(self->c.fd);
		tvm_destroy(t);
	}
	EXPECT_STREQ(kvm_log.console, mv_log.console);
}

/*
 * A directory that is also its own page table: read it as a page, write
 * a directory entry through itself (a store whose translation uses the
 * very table it writes: emulated), a page-table entry through it.
 */
TEST_F_TIMEOUT(hv, directory_that_is_its_own_page_table, 120)
{
	struct guest_run g = { .guest = "hostile64", .test = H_SELF_TABLE, .mem = 160 * MIB };

	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	EXPECT_NE(NULL, strstr(mv_log.console, "#PF error 0 cr2 base+5000"));
}

/*
 * An INVLPG storm: 30000 pseudo-random operations on 64 pages (map,
 * unmap, INVLPG of mapped, far and non-canonical addresses, checked
 * reads); the shadow stays within max_mmu_pages all along, and the guest
 * sees what KVM's does.
 */
static unsigned int max_mmu;
static uint64_t most_mmu;

static int storm_sync(struct tvm *t, const struct guest_run *g)
{
	struct mv_vm_stats st;

	(void)g;
	if (t->kind == TVM_MV && !tvm_stats(t, &st) && st.mmu_pages > most_mmu)
		most_mmu = st.mmu_pages;
	return 0;
}

TEST_F_TIMEOUT(hv, invlpg_storm, 600)
{
	struct guest_run g = {
		.guest = "hostile64", .test = H_INVLPG_STORM, .args = { 3, 30000 },
		.mem = 160 * MIB, .on_sync = storm_sync,
	};
	FILE *f = fopen("/sys/module/minivisor/parameters/max_mmu_pages", "r");

	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%u", &max_mmu));
	fclose(f);
	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	EXPECT_EQ(3, mv_log.nsync);
	EXPECT_LT(0, most_mmu);
	EXPECT_GE(max_mmu, most_mmu);
}

/* A 2 MiB guest page across the end of RAM: RAM up to it, MMIO after. */
static int mark_edge(struct tvm *t, const struct guest_run *g)
{
	uint32_t v = 0x13579bdf;

	return tvm_write(t, ((g->mem - 1) & ~0x1fffffull) + 0x100, &v, 4);
}

TEST_F_TIMEOUT(hv, large_page_across_the_end_of_ram, 120)
{
	struct guest_run g = {
		.guest = "hostile64", .test = H_LARGE_PAST_RAM,
		.args = { 3, 161 * MIB }, .mem = 161 * MIB, .before = mark_edge,
	};

	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	ASSERT_EQ(2, mv_log.nmmio);
	expect_mmio(_metadata, &mv_log, 0, 161 * MIB + 0x10, 4, false, 0);
	expect_mmio(_metadata, &mv_log, 1, 161 * MIB + 0x20, 4, true, 0x77665544);
	EXPECT_NE(NULL, strstr(mv_log.console, "ram 13579bdf, mmio 9abcdef0"));
}

/*
 * Hypercalls from ring 3 (VMMCALL, and VMCALL through #UD): -EPERM, and
 * nothing done.  (KVM answers VMMCALL the same, and emulates VMCALL as
 * privileged: #GP.)
 */
TEST_F_TIMEOUT(hv, hypercalls_from_ring_3_are_refused, 120)
{
	struct guest_run g = { .guest = "hostile64", .test = H_USER_HYPERCALL, .mem = 160 * MIB };
	struct mv_vm_stats st;

	ASSERT_EQ(0, run_guest(&mv_t, TVM_MV, &g, &mv_log));
	ASSERT_DONE(&mv_log);
	/* -EPERM, and the inflate took nothing. */
	EXPECT_NE(NULL, strstr(mv_log.console, "vmmcall (ping) from ring 3: exception 255, rax -1\n"));
	EXPECT_NE(NULL, strstr(mv_log.console, "vmcall (balloon inflate) from ring 3: exception 255, rax -1\n"));
	ASSERT_EQ(0, tvm_stats(&mv_t, &st));
	EXPECT_EQ(0, st.balloon_inflated);
}

/*
 * Exceptions without end: a #PF handler that fixes nothing, TF set
 * forever.  A signal still gets the VMM back within a bound, every time.
 */
static void on_alarm(int sig)
{
	(void)sig;
}

static uint64_t vm_counter(struct tvm *t, const char *key)
{
	struct mv_vm_stats st;

	if (tvm_stats(t, &st) ||
	    run_cmd(out, sizeof(out), -1, "mvctl -j vm show %u", st.id))
		return 0;
	return json_u64(out, key);
}

TEST_F_TIMEOUT(hv, endless_exceptions_still_stop_for_signals, 300)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	struct itimerspec its = { .it_value.tv_nsec = 200 * 1000 * 1000 };
	timer_t timer;
	int how, k, i;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, timer_create(CLOCK_MONOTONIC, &sev, &timer));
	for (how = 0; how < 2; how++) {
		for (k = 0; k < 2; k++) {
			struct tvm *t = k ? &kvm_t : &mv_t;

			if (k)
				ASSERT_EQ(0, kvm_oracle());
			ASSERT_EQ(0, tvm_create(t, k ? TVM_KVM : TVM_MV, 160 * MIB, "loop"));
			ASSERT_EQ(0, tvm_load(t, "hostile64"));
			ASSERT_EQ(0, tvm_args(t, H_EXC_LOOP, (uint64_t[]){ 3, how }, 2));
			ASSERT_EQ(TVM_EXIT_UCALL, tvm_run(t));
			ASSERT_EQ(UCALL_SYNC, t->uc.cmd);
			for (i = 0; i < 3; i++) {
				double t0, dt;

				ASSERT_EQ(0, timer_settime(timer, 0, &its, NULL));
				t0 = wl_now();
				ASSERT_EQ(TVM_EXIT_INTR, tvm_run(t)) {
					TH_LOG("%s, loop %d: %s", k ? "kvm" : "minivisor",
					       how, t->console);
				}
				dt = wl_now() - t0;
				EXPECT_LT(dt, 2.0);
				EXPECT_GT(dt, 0.15);
			}
			if (!k)
				EXPECT_LT(100, vm_counter(t, how ? "exception" : "page-fault"));
			tvm_destroy(t);
		}
	}
	timer_delete(timer);
}

/*
 * The balloon given a page the guest has mapped (it reads zeros at once)
 * and a live page table (its mappings go with it).
 */
TEST_F_TIMEOUT(hv, balloon_takes_mapped_pages_and_live_page_tables, 120)
{
	struct guest_run g = { .guest = "hostile64", .test = H_BALLOON_SELF, .mem = 160 * MIB };
	struct mv_vm_stats st;

	ASSERT_EQ(0, run_guest(&mv_t, TVM_MV, &g, &mv_log));
	ASSERT_DONE(&mv_log);
	EXPECT_NE(NULL, strstr(mv_log.console,
			       "a read through a page table given away: #PF error 0 cr2 base+0"));
	ASSERT_EQ(0, tvm_stats(&mv_t, &st));
	EXPECT_EQ(2, st.balloon_inflated);
	EXPECT_GE(st.mem_pages, st.pages_used);
}

/*
 * The guest's page-table entries written by INSL, by REP INSB (a byte at
 * a time) and by its VMM (MV_WRITE_GUEST): after INVLPG the new mapping
 * holds, on minivisor as on KVM for INS.  (KVM npt=0 keeps translating
 * through what the VMM overwrote: it sees no write to a write-protected
 * table that does not come through it, and INVLPG resyncs unsync tables
 * only.)
 */
static int rewrite_pte(struct tvm *t, const struct guest_run *g)
{
	uint64_t pte = FRAME(32) | 3;

	(void)g;
	return tvm_write(t, t->uc.args[1], &pte, 8);
}

TEST_F_TIMEOUT(hv, page_tables_written_by_ins_and_by_the_vmm, 120)
{
	static const uint32_t in[] = {
		(uint32_t)FRAME(33) | 3,
		3, 0x20, 0x02, 0x02, 0, 0, 0, 0,	/* FRAME(34) | 3, bytewise */
	};
	struct guest_run g = {
		.guest = "hostile64", .test = H_PT_WRITES, .mem = 160 * MIB,
		.in = in, .nin = 9, .on_sync = rewrite_pte,
	};

	ASSERT_EQ(0x2022000, FRAME(34));
	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	EXPECT_EQ(9, mv_log.nin);
	g.args[1] = 1;
	ASSERT_EQ(0, run_guest(&mv_t, TVM_MV, &g, &mv_log));
	ASSERT_DONE(&mv_log);
	EXPECT_EQ(1, mv_log.nsync);
	EXPECT_NE(NULL, strstr(mv_log.console, "written by the VMM: ok"));
}

/*
 * Two page-table writes a Linux kernel makes at boot, which minivisor
 * once could not take (an internal error for the first, a livelock in
 * the kernel for the second): REP STOSQ clearing slots of the live PML4
 * (reset_early_page_tables()), and a store into the page directory that
 * maps the code doing it (set_pmd()), through an alias the directory
 * plays no part in.  Both are emulated; the guest sees what KVM's does.
 */
TEST_F_TIMEOUT(hv, page_table_writes_linux_makes, 120)
{
	struct guest_run g = { .guest = "hostile64", .test = H_LINUX_PT_WRITES, .mem = 160 * MIB };

	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	EXPECT_NE(NULL, strstr(mv_log.console, "rep stosq cleared PML4 slots 2-255"));
	EXPECT_NE(NULL, strstr(mv_log.console, "then cleared: #PF error 0 cr2 base+0"));
}

/*
 * Read-modify-write instructions (LOCK OR, AND, XCHG, CMPXCHG, XADD, the
 * bit tests, INC, NEG, NOT, ADD/SUB/ADC/SBB at every size) on entries of
 * the live PML4 through translations that use it, and on MMIO: minivisor
 * emulates each (it knew only MOV and STOS: an internal error, which
 * kvm-unit-tests' smap and access hit); values, flags and the MMIO reads
 * and writes must be KVM's.
 */
TEST_F_TIMEOUT(hv, read_modify_writes_of_live_page_tables_and_mmio, 120)
{
	struct guest_run g = { .guest = "hostile64", .test = H_PT_RMW, .mem = 160 * MIB };

	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	EXPECT_NE(NULL, strstr(mv_log.console, "rmw: the PML4 still maps"));
	EXPECT_NE(NULL, strstr(mv_log.console, "rmw lock or: mem 1230 reg 0 flags 4"));
	/* reads and writes of the MMIO part, each one access */
	EXPECT_LE(20, mv_log.nmmio);
}

/*
 * A debugger in the guest: execute breakpoints (DR0 written before DR7
 * and after), write and read/write watchpoints, single steps over the
 * instructions the VMM emulates, general detect, ICEBP, DR4/DR5 aliases
 * and what DR6/DR7 keep of a write (tests/guest/dbg64.c).  The guest's
 * debug registers must reach the hardware and the #DBs' DR6 the guest:
 * every line KVM's.
 */
TEST_F_TIMEOUT(hv, debug_registers, 120)
{
	static const uint32_t in[] = { 0x5a };
	struct guest_run g = { .guest = "dbg64", .test = 1, .mem = 64 * MIB,
			       .in = in, .nin = 1 };

	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	EXPECT_NE(NULL, strstr(mv_log.console,
			       "execute breakpoint, DR0 then DR7: 1 #DB [0 dr6 ffff0ff1]"));
	EXPECT_NE(NULL, strstr(mv_log.console,
			       "write watchpoint, BS left set: 1 #DB [0 dr6 ffff4ff2]"));
	EXPECT_NE(NULL, strstr(mv_log.console, "read/write watchpoint: 1 #DB [0 dr6 ffff0ff2]"));
	EXPECT_NE(NULL, strstr(mv_log.console, "CR4.DE=0: DR4 ffff4ff1 DR5 10400"));
}

/*
 * An INVLPG that found no shadow path to an unsync page table (a write
 * to the directory above had just unshadowed it): when the path came
 * back, minivisor linked the table with its stale entries, and the page
 * the guest had changed and flushed still showed its old frame (a stock
 * Linux guest with one vCPU crashed or misbehaved now and then at /init).
 * An unsync table is now resynced when it is linked again.
 */
TEST_F_TIMEOUT(hv, invlpg_while_an_unsync_table_is_unlinked, 120)
{
	struct guest_run g = { .guest = "hostile64", .test = H_UNSYNC_RELINK, .mem = 160 * MIB };

	both(_metadata, &g);
	ASSERT_DONE(&mv_log);
	EXPECT_NE(NULL, strstr(mv_log.console, "after INVLPG the page reads 7171717171717171"));
}

/*
 * String I/O with ECX = 0xffffffff, paging off: at most 3 KiB per exit,
 * every element in order, until the address leaves RAM: an internal
 * error naming the first address outside, with RCX and RSI/RDI counting
 * exactly what was done.  Up from 64 KiB below the end, and down (DF=1)
 * from 0x3000 through address 0 (wrapping to 4 GiB).
 */
#define HUGE_MEM	(4 * MIB)

TEST_F_TIMEOUT(hv, string_io_with_huge_counts, 300)
{
	struct mv_regs r;
	struct tvm *t = &mv_t;
	struct mv_run *run;
	static uint8_t mem[64 << 10];
	uint64_t total;
	enum tvm_exit e;
	int op;

	for (op = H_HUGE_INS; op <= H_HUGE_INS_DOWN; op++) {
		uint64_t start = op == H_HUGE_INS_DOWN ? 0x3000 : HUGE_MEM - sizeof(mem);
		uint64_t want = op == H_HUGE_INS_DOWN ? 0x3002 : sizeof(mem);
		uint64_t args[4] = { 0, op, start, HUGE_MEM };
		unsigned int exits = 0, i;

		ASSERT_EQ(0, tvm_create(t, TVM_MV, HUGE_MEM, "huge"));
		ASSERT_EQ(0, tvm_load(t, "hostile32"));
		ASSERT_EQ(0, tvm_args(t, H_HUGE_STRING, args, 4));
		run = t->run;
		total = 0;
		while ((e = tvm_run(t)) == TVM_EXIT_IO) {
			uint32_t bytes = t->io.count * t->io.size;

			exits++;
			ASSERT_EQ(op == H_HUGE_OUTS ? PORT_TEST : PORT_TEST_IN, t->io.port);
			ASSERT_EQ(op == H_HUGE_INS_DOWN ? 2 : 1, t->io.size);
			ASSERT_GE(3072, bytes);
			ASSERT_GE(want, total + bytes);
			for (i = 0; i < bytes; i++) {
				uint8_t v = (start + total + i) ^ 0x5a;

				if (op == H_HUGE_OUTS) {
					ASSERT_EQ(v, t->io.data[i]);
				} else {
					t->io.data[i] = total + i;
				}
			}
			total += bytes;
		}
		ASSERT_EQ(TVM_EXIT_INTERNAL, e) {
			TH_LOG("op %d: %s after %llu bytes: %s", op, tvm_exit_name(e),
			       (unsigned long long)total, t->console);
		}
		EXPECT_EQ(want, total);
		EXPECT_LE(want / 3072, exits);
		EXPECT_EQ(MV_INTERNAL_EMULATION, run->internal.suberror);
		EXPECT_LE(HUGE_MEM, run->internal.data[3]);
		if (op != H_HUGE_INS_DOWN)
			EXPECT_EQ(HUGE_MEM, run->internal.data[3]);
		ASSERT_EQ(0, ioctl(t->vcpu, MV_GET_REGS, &r));
		EXPECT_EQ(0xffffffff - want / (op == H_HUGE_INS_DOWN ? 2 : 1), r.rcx);
		if (op == H_HUGE_OUTS) {
			EXPECT_EQ(HUGE_MEM, r.rsi);
		} else {
			EXPECT_EQ(op == H_HUGE_INS ? HUGE_MEM : 0xfffffffe, r.rdi);
		}
		if (op == H_HUGE_INS) {
			ASSERT_EQ(0, tvm_read(t, start, mem, sizeof(mem)));
			for (i = 0; i < sizeof(mem); i++)
				ASSERT_EQ((uint8_t)i, mem[i]);
		}
		tvm_destroy(t);
	}
}

/*
 * REP MOVSB to MMIO, from MMIO, and from RAM past the end of RAM: not
 * emulated, an internal error naming F3 A4 and the guest-physical address
 * outside RAM; what was copied before it stays, RCX/RSI/RDI say so.  (KVM
 * emulates it, one MMIO exit per byte.)
 */
TEST_F_TIMEOUT(hv, rep_movs_across_mmio, 120)
{
	struct tvm *t = &mv_t;
	uint8_t got[8];
	struct mv_regs r;
	struct mv_run *run;
	int op, i;

	for (op = H_MOVS_TO_MMIO; op <= H_MOVS_PAST_RAM; op++) {
		struct guest_run g = {
			.guest = "hostile32", .test = H_REP_MOVS,
			.args = { 0, op, 4 * MIB }, .mem = 4 * MIB,
		};
		uint64_t s, d, gpa, done = op == H_MOVS_PAST_RAM ? 8 : 0;

		ASSERT_EQ(0, run_guest(t, TVM_MV, &g, &mv_log));
		run = t->run;
		s = mv_log.uc.args[1];
		d = mv_log.uc.args[2];
		gpa = op == H_MOVS_PAST_RAM ? 4 * MIB : H_MMIO_GPA;
		ASSERT_EQ(TVM_EXIT_INTERNAL, mv_log.end) {
			TH_LOG("op %d: %s", op, log_end(&mv_log));
		}
		EXPECT_EQ(0, mv_log.nmmio);
		EXPECT_EQ(MV_INTERNAL_EMULATION, run->internal.suberror);
		EXPECT_EQ(0xa4f3, run->internal.data[1] & 0xffff);
		EXPECT_EQ(gpa, run->internal.data[3]);
		ASSERT_EQ(0, ioctl(t->vcpu, MV_GET_REGS, &r));
		EXPECT_EQ(16 - done, r.rcx);
		EXPECT_EQ(s + done, r.rsi);
		EXPECT_EQ(d + done, r.rdi);
		if (op == H_MOVS_PAST_RAM) {
			ASSERT_EQ(0, tvm_read(t, 4 * MIB - 8, got, 8));
			for (i = 0; i < 8; i++)
				EXPECT_EQ(0xe0 + i, got[i]);
		}
		tvm_destroy(t);
	}
}

/*
 * Found by this test (fixed: emulate.c's mv_operand_straddles() makes such
 * an access an internal error instead): an access half in RAM,
 * half in MMIO - a 4-byte store or load at RAM's last 2 bytes.  The #PF
 * comes for the MMIO page, at its first byte; minivisor emulates the
 * whole access there: a 4-byte MMIO write of all four bytes at the end
 * of RAM (the 2 bytes meant for RAM never land, the MMIO gets the wrong
 * ones), or a 4-byte MMIO read whose value the guest gets whole.  A
 * clean outcome is the internal error minivisor gives any access
 * straddling RAM and MMIO it cannot split, or the split done right (2
 * bytes to RAM, 2 to MMIO at the end of RAM, as KVM does).  A jump to
 * MMIO is an internal error (on KVM too).
 */
static uint64_t edge_word;

static int edge_sync(struct tvm *t, const struct guest_run *g)
{
	(void)g;
	if (t->uc.args[0] == 2)
		edge_word = t->uc.args[1];
	return 0;
}

TEST_F_TIMEOUT(hv, accesses_across_the_end_of_ram, 120)
{
	struct tvm *t = &mv_t;
	struct mv_run *run;
	int op;

	for (op = H_EDGE_STORE; op <= H_EDGE_FETCH; op++) {
		struct guest_run g = {
			.guest = "hostile32", .test = H_MMIO_EDGE,
			.args = { 0, op, 4 * MIB }, .mem = 4 * MIB,
			.on_sync = edge_sync,
		};
		const struct mmio_rec *m = &mv_log.mmio[0];
		bool internal, split;

		edge_word = 0;
		ASSERT_EQ(0, run_guest(t, TVM_MV, &g, &mv_log));
		run = t->run;
		internal = mv_log.end == TVM_EXIT_INTERNAL &&
			   run->internal.suberror == MV_INTERNAL_EMULATION &&
			   mv_log.nmmio == 0;
		if (op == H_EDGE_FETCH) {
			EXPECT_TRUE(internal);
			EXPECT_EQ(H_MMIO_GPA, run->internal.data[0]);
			EXPECT_EQ(H_MMIO_GPA, run->internal.data[3]);
			tvm_destroy(t);
			continue;
		}
		internal = internal && run->internal.data[3] >= 4 * MIB - 2 &&
			   run->internal.data[3] <= 4 * MIB;
		split = mv_log.end == TVM_EXIT_UCALL && mv_log.uc.cmd == UCALL_DONE &&
			mv_log.nmmio == 1 && m->gpa == 4 * MIB && m->len == 2 &&
			m->write == (op == H_EDGE_STORE) &&
			(op == H_EDGE_STORE ? m->val == 0x4433 && edge_word == 0x22118899 :
					      edge_word == ((MMIO_ANSWER & 0xffff) << 16 | 0xbbaa));
		EXPECT_TRUE(internal || split) {
			TH_LOG("%s at RAM's last 2 bytes: %s, %u MMIO accesses",
			       op == H_EDGE_STORE ? "a 4-byte store" : "a 4-byte load",
			       log_end(&mv_log), mv_log.nmmio);
			if (mv_log.nmmio)
				TH_LOG("MMIO %s at %#llx, %u bytes, value %#llx; the guest then saw %#llx %s",
				       m->write ? "write" : "read",
				       (unsigned long long)m->gpa, m->len,
				       (unsigned long long)m->val,
				       (unsigned long long)edge_word,
				       op == H_EDGE_STORE ? "at RAM's last 4 bytes (was 0xbbaa8899)" :
							    "as the loaded value");
		}
		EXPECT_EQ(1 + split, mv_log.nsync);
		tvm_destroy(t);
	}
	/* KVM cannot fetch from MMIO either. */
	{
		struct guest_run g = {
			.guest = "hostile32", .test = H_MMIO_EDGE,
			.args = { 0, H_EDGE_FETCH, 4 * MIB }, .mem = 4 * MIB,
		};

		ASSERT_EQ(0, kvm_oracle());
		ASSERT_EQ(0, run_guest(&kvm_t, TVM_KVM, &g, &kvm_log));
		EXPECT_EQ(TVM_EXIT_INTERNAL, kvm_log.end);
	}
}

/* A VMM creating VMs without end: max_vms of them, then ENOSPC. */
static int nr_vms_cb(struct nlattr **a, uint8_t cmd, void *arg)
{
	(void)cmd;
	*(uint32_t *)arg = nla_get_u32(a[MV_A_NR_VMS]);
	return 0;
}

static int nr_vms(uint32_t *n)
{
	struct mvnl nl;
	int ret = mvnl_open(&nl);

	if (ret)
		return ret;
	ret = mvnl_request(&nl, MV_CMD_GET_INFO, false, NULL, NULL, nr_vms_cb, n);
	mvnl_close(&nl);
	return ret;
}

TEST_F_TIMEOUT(hv, vms_without_end_stop_at_max_vms, 120)
{
	struct mv_vm_config cfg = { .mem_size = 1 * MIB };
	static int fds[4096];
	unsigned int max = 0, n = 0, i;
	uint32_t before = 0, now = 0;
	int dev;
	FILE *f = fopen("/sys/module/minivisor/parameters/max_vms", "r");

	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%u", &max));
	fclose(f);
	/* VMs of earlier tests go away asynchronously. */
	for (i = 0; i < 200 && (nr_vms(&before) || before); i++)
		usleep(20000);
	dev = open("/dev/minivisor", O_RDWR);
	ASSERT_LE(0, dev);
	while (n < 4096 && (fds[n] = ioctl(dev, MV_CREATE_VM, &cfg)) >= 0)
		n++;
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(max - before, n);
	ASSERT_EQ(0, nr_vms(&now));
	EXPECT_EQ(max, now);
	for (i = 0; i < n; i++)
		close(fds[i]);
	close(dev);
	for (i = 0; i < 200 && (nr_vms(&now) || now > before); i++)
		usleep(20000);
	EXPECT_EQ(before, now);
}

TEST_HARNESS_MAIN
