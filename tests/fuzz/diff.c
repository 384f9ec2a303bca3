// SPDX-License-Identifier: GPL-2.0
/*
 * The differential lane: every input runs on minivisor and on KVM (kvm_amd npt=0, KVM's
 * shadow MMU) and the outcomes are compared: the exit (debug-exit, the
 * vector a stub reported, HLT, shutdown...) and, where the architecture
 * defines it, the final state: GPRs, RIP, RFLAGS, CR0/2/3/4, EFER,
 * segments, GDTR/IDTR and the data and stack pages.  A difference is only
 * believed once it repeats on VMs created for it (else it is left over
 * from an earlier input: "history") and each engine repeats itself (else
 * "nondet": RDTSC and the like); then the body is cut short template by
 * template to find the first instruction after which the two differ, and
 * the difference is checked against the list of known, explained ones
 * (known_names, the README's "Fuzzing" section).  What remains is a
 * divergence, printed with its reproducer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "guest.h"

const char *const known_names[KD_NR] = {
	"mv-emulation", "mv-page-table", "msr", "kvm-emulation", "hypercall",
	"time", "cpuid", "tcg-fetch", "shutdown-state", "kvm-stuck", "mv-bug-rf", "mv-bug-tf",
	"mv-bug-strio", "mv-bug-cr0", "mv-bug-stuck",
};

/*
 * Time budgets.  A case that spins is given up on after this long; a VM's
 * first runs are slow (every guest page, shadow page and translation is
 * new), so a case re-run on fresh VMs gets much longer.
 */
#define DIFF_TIMEOUT_MS		20
/* CR0 bits 6-15, 17, 19-28: writes ignored */
#define CR0_RESERVED		0x1ffaffc0ull
#define FRESH_TIMEOUT_MS	300

/* ---- comparing ---- */

static bool long64(const struct gresult *r)
{
	return (r->sregs.efer & EFER_LMA_BIT) && r->sregs.cs.l;
}

/* Outcomes after which the architectural state means something. */
static bool state_defined(enum outcome o)
{
	return o == O_DEBUG_EXIT || o == O_EXCEPTION || o == O_HLT || o == O_HALTED;
}

static bool seg_eq(const struct mv_segment *a, const struct mv_segment *b, bool code_data)
{
	uint8_t ta = a->type, tb = b->type;

	if (a->selector != b->selector)
		return false;
	if (a->unusable || b->unusable || !a->present || !b->present)
		return (a->unusable || !a->present) == (b->unusable || !b->present);
	if (code_data) {	/* the accessed bit is the CPU's to set */
		ta &= ~1;
		tb &= ~1;
	} else {		/* TR: busy or not */
		ta &= ~2;
		tb &= ~2;
	}
	/* G only scales the limit: the limits are compared */
	return a->base == b->base && a->limit == b->limit && ta == tb && a->s == b->s &&
	       a->dpl == b->dpl && a->db == b->db && a->l == b->l;
}

/* Names what differs into @why; true when equal. */
static bool results_equal(const struct gresult *m, const struct gresult *k,
			  char *why, size_t len)
{
	const __u64 *a = &m->regs.rax, *b = &k->regs.rax;
	static const char *const gpr[] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9",
		"r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags",
	};
	uint64_t mask = long64(m) && long64(k) ? ~0ull : 0xffffffffull;
	size_t o = 0;
	int i;

	why[0] = 0;
#define DIFF(...) (o += snprintf(why + o, o < len ? len - o : 0, __VA_ARGS__))
	if (m->o != k->o) {
		DIFF("outcome ");
		return false;
	}
	if (m->o == O_EXCEPTION && m->vector != k->vector)
		DIFF("vector ");
	if (!state_defined(m->o))
		return !o;
	for (i = 0; i < 18; i++) {
		uint64_t x = a[i], y = b[i];

		if (i == 17) {	/* RFLAGS: RF is the CPU's business */
			x &= ~0x10000ull;
			y &= ~0x10000ull;
		}
		if ((x ^ y) & (i < 17 ? mask : ~0ull))
			DIFF("%s ", gpr[i]);
	}
	if (m->sregs.cr0 != k->sregs.cr0)
		DIFF("cr0 ");
	if (m->sregs.cr2 != k->sregs.cr2)
		DIFF("cr2 ");
	if (m->sregs.cr3 != k->sregs.cr3)
		DIFF("cr3 ");
	if (m->sregs.cr4 != k->sregs.cr4)
		DIFF("cr4 ");
	if ((m->sregs.efer ^ k->sregs.efer) & ~(1ull << 12))
		DIFF("efer ");
	if (!seg_eq(&m->sregs.cs, &k->sregs.cs, true))
		DIFF("cs ");
	if (!seg_eq(&m->sregs.ss, &k->sregs.ss, true))
		DIFF("ss ");
	if (!seg_eq(&m->sregs.ds, &k->sregs.ds, true))
		DIFF("ds ");
	if (!seg_eq(&m->sregs.es, &k->sregs.es, true))
		DIFF("es ");
	if (!seg_eq(&m->sregs.fs, &k->sregs.fs, true))
		DIFF("fs ");
	if (!seg_eq(&m->sregs.gs, &k->sregs.gs, true))
		DIFF("gs ");
	if (!seg_eq(&m->sregs.tr, &k->sregs.tr, false))
		DIFF("tr ");
	if (!seg_eq(&m->sregs.ldt, &k->sregs.ldt, false))
		DIFF("ldt ");
	if (m->sregs.gdt.base != k->sregs.gdt.base || m->sregs.gdt.limit != k->sregs.gdt.limit)
		DIFF("gdt ");
	if (m->sregs.idt.base != k->sregs.idt.base || m->sregs.idt.limit != k->sregs.idt.limit)
		DIFF("idt ");
	if (m->memhash != k->memhash)
		DIFF("memory ");
#undef DIFF
	return !o;
}

/* ---- running one input on both ---- */

struct pair {
	struct engine mv, kvm;
	bool up;
};

static int pair_up(struct pair *p)
{
	int ret;

	if (p->up)
		return 0;
	ret = eng_create(&p->mv, ENG_MV);
	if (ret)
		return ret;
	ret = eng_create(&p->kvm, ENG_KVM);
	if (ret) {
		eng_destroy(&p->mv);
		return ret;
	}
	p->up = true;
	return 0;
}

static void pair_down(struct pair *p)
{
	if (!p->up)
		return;
	eng_destroy(&p->mv);
	eng_destroy(&p->kvm);
	p->up = false;
}

int eng_run_counted(struct engine *e, const struct ginput *in, struct gresult *r,
		   unsigned int timeout)
{
	int ret;

	if (e->kind == ENG_MV && e->dead) {
		eng_destroy(e);
		ret = eng_create(e, ENG_MV);
		if (ret)
			return ret;
	}
	ret = eng_run(e, in, r, timeout);
	if (ret)
		return ret;
	if (e->kind == ENG_MV) {
		fz_add(&my->guest_runs, 1);
		fz_add(&fz->outcomes[my_lane == L_DIFF][r->o & 15], 1);
		fz_add(&fz->outcome_us[my_lane == L_DIFF][r->o & 15], r->us);
	}
	if (state_defined(r->o))
		r->memhash = eng_memhash(e);
	return 0;
}

static int run_pair(struct pair *p, const struct ginput *in, struct gresult *m,
		    struct gresult *k, unsigned int timeout)
{
	int ret = pair_up(p);

	if (ret)
		return ret;
	ret = eng_run_counted(&p->mv, in, m, timeout);
	if (!ret)
		ret = eng_run_counted(&p->kvm, in, k, timeout);
	return ret;
}

/* The same input on VMs made for it. */
static int run_fresh(const struct ginput *in, struct gresult *m, struct gresult *k)
{
	struct pair p = { 0 };
	int ret = run_pair(&p, in, m, k, FRESH_TIMEOUT_MS);

	pair_down(&p);
	return ret;
}

/* ---- narrowing down and explaining ---- */

/* The input cut after @n body templates (the rest: the debug-exit). */
static void truncate_input(const struct ginput *in, struct ginput *out, uint32_t n)
{
	uint32_t i;

	memcpy(out, in, sizeof(*out));
	for (i = 0; i < out->nchunks; i++) {
		struct gchunk *c = &out->chunk[i];
		uint8_t *code = out->data + c->off;
		uint32_t at;

		if (c->gpa != G_CODE)
			continue;
		at = n < out->nins ? out->ins_off[n] : out->code_len - 4;
		if (at + 4 > c->len)
			return;
		code[at] = 0xb0;
		code[at + 1] = 0;
		code[at + 2] = 0xe6;
		code[at + 3] = PORT_FZ_EXIT;
		memset(code + at + 4, 0xcc, c->len - at - 4);
		out->code_len = at + 4;
	}
}

/*
 * The first body template after which minivisor and KVM differ (0-based),
 * found by cutting the body short; -1 when cutting makes it go away.
 */
static int first_divergent(const struct ginput *in)
{
	static struct ginput cut;
	struct gresult m, k;
	char why[256];
	int lo = 0, hi = in->nins;	/* equal with lo templates, differ with hi */

	truncate_input(in, &cut, 0);
	if (run_fresh(&cut, &m, &k) || !results_equal(&m, &k, why, sizeof(why)))
		return -1;
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;

		truncate_input(in, &cut, mid);
		if (run_fresh(&cut, &m, &k))
			return -1;
		if (results_equal(&m, &k, why, sizeof(why)))
			lo = mid;
		else
			hi = mid;
	}
	return hi - 1;
}

static const uint8_t *code_of(const struct ginput *in)
{
	uint32_t i;

	for (i = 0; i < in->nchunks; i++)
		if (in->chunk[i].gpa == G_CODE)
			return in->data + in->chunk[i].off;
	return NULL;
}

/* The opcode of the template @t, past prefixes: "0f 32" -> 0x0f32. */
static unsigned int template_opcode(const struct ginput *in, int t, int64_t *rcx)
{
	const uint8_t *c = code_of(in);
	uint32_t at, end;

	*rcx = -1;
	if (!c || t < 0 || (uint32_t)t >= in->nins)
		return 0;
	at = in->ins_off[t];
	end = (uint32_t)t + 1 < in->nins ? in->ins_off[t + 1] : in->code_len;
	/* mov ecx, imm32 (b9) / mov rcx, imm64 (48 b9) before an MSR access */
	if (at + 5 <= end && c[at] == 0xb9)
		memcpy(rcx, c + at + 1, 4), *rcx &= 0xffffffff;
	else if (at + 6 <= end && c[at] == 0x66 && c[at + 1] == 0xb9)
		memcpy(rcx, c + at + 2, 4), *rcx &= 0xffffffff;
	else if (at + 10 <= end && c[at] == 0x48 && c[at + 1] == 0xb9)
		memcpy(rcx, c + at + 2, 8);
	/* find the last 0f xx in the template (after its mov-immediates) */
	for (; end >= at + 2; end--)
		if (c[end - 2] == 0x0f)
			return 0x0f00 | c[end - 1];
	return c[at];
}

/*
 * Whether template @t is, or begins with, a string I/O instruction: the
 * string-I/O template ends with its one-byte opcode (after the MOVs that
 * set up rCX and rDX); raw bytes may begin with one (after prefixes).
 */
static bool template_strio(const struct ginput *in, int t)
{
	const uint8_t *c = code_of(in);
	uint32_t at, end;

	if (!c || t < 0 || (uint32_t)t >= in->nins)
		return false;
	at = in->ins_off[t];
	end = (uint32_t)t + 1 < in->nins ? in->ins_off[t + 1] : in->code_len;
	if (end > at && (c[end - 1] & 0xfc) == 0x6c)
		return true;
	for (; at < end; at++) {
		uint8_t b = c[at];

		if (b != 0x66 && b != 0x67 && b != 0xf2 && b != 0xf3 && b != 0x26 &&
		    b != 0x2e && b != 0x36 && b != 0x3e && b != 0x64 && b != 0x65 &&
		    !(in->mode == GM_LONG && (b & 0xf0) == 0x40))
			return (b & 0xfc) == 0x6c;
	}
	return false;
}

/*
 * The only bytes that differ in the compared pages are the byte of the
 * EFLAGS image the exception frame at the final stack pointer holds RF in
 * (bit 16), set by KVM and clear by minivisor.
 */
static bool only_frame_rf(struct pair *p, const struct gresult *m, const struct gresult *k)
{
	static uint8_t a[3 * 4096], b[3 * 4096];
	const struct mv_sregs *s = &m->sregs;
	bool lm = (s->efer & EFER_LMA_BIT) != 0;
	unsigned int w = lm ? 8 : 4, i, ndiff = 0;
	uint64_t gpa, la;
	int v = m->vector;
	bool err = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
	char why[256];

	if (m->o != O_EXCEPTION || k->o != O_EXCEPTION || !(s->cr0 & 1))
		return false;
	{
		struct gresult x = *m, y = *k;

		x.memhash = y.memhash = 0;
		if (!results_equal(&x, &y, why, sizeof(why)))
			return false;
	}
	la = (lm ? 0 : s->ss.base) + (m->regs.rsp & (lm ? ~0ull : 0xffffffffull)) +
	     (err ? w : 0) + 2 * w + 2;
	if (!eng_translate(&p->mv, s, la, &gpa) || gpa < G_DATA || gpa >= G_DATA + sizeof(a))
		return false;
	if (eng_read(&p->mv, G_DATA, a, sizeof(a)) || eng_read(&p->kvm, G_DATA, b, sizeof(b)))
		return false;
	for (i = 0; i < sizeof(a); i++) {
		if (a[i] == b[i])
			continue;
		if (G_DATA + i != gpa || (a[i] ^ b[i]) != 0x01 || (a[i] & 1))
			return false;
		ndiff++;
	}
	return ndiff == 1;
}

/*
 * Known, explained divergences.  @t is the first divergent body template
 * (-1 if unknown); @p holds the VMs that ran it last.
 */
static int classify(const struct ginput *in, const struct gresult *m,
		    const struct gresult *k, int t, struct pair *p)
{
	int64_t rcx;
	unsigned int op = template_opcode(in, t, &rcx);

	if (only_frame_rf(p, m, k))
		return KD_MV_BUG_RF;
	/* a #DB on either side: the single-step trap minivisor drops */
	if ((m->o == O_EXCEPTION && m->vector == 1) || (k->o == O_EXCEPTION && k->vector == 1))
		return KD_MV_BUG_TF;
	/* nothing but reserved bits of CR0 differ */
	if ((m->sregs.cr0 ^ k->sregs.cr0) && !((m->sregs.cr0 ^ k->sregs.cr0) & ~CR0_RESERVED)) {
		struct gresult x = *m;
		char why[256];

		x.sregs.cr0 = k->sregs.cr0;
		if (results_equal(&x, k, why, sizeof(why)))
			return KD_MV_BUG_CR0;
	}
	/*
	 * INS/OUTS and KVM saw a #PF, #GP or #SS: minivisor did the I/O and
	 * moved on (it never checks the segment; a #PF it queues it ignores)
	 */
	if (template_strio(in, t) && k->o == O_EXCEPTION &&
	    (k->vector == 14 || k->vector == 13 || k->vector == 12))
		return KD_MV_BUG_STRIO;

	if (m->o == O_INTERNAL && m->suberror == MV_INTERNAL_EMULATION &&
	    k->o != O_INTERNAL)
		return KD_MV_EMULATION;
	/* an event whose frame goes to MMIO: delivered by neither (KVM spins) */
	if (m->o == O_INTERNAL && m->suberror == MV_INTERNAL_DELIVERY &&
	    k->o != O_INTERNAL)
		return KD_MV_EMULATION;
	if (m->o == O_INTERNAL && m->suberror == MV_INTERNAL_PAGE_TABLE)
		return KD_MV_PAGE_TABLE;
	if (k->o == O_INTERNAL && m->o != O_INTERNAL)
		return KD_KVM_EMULATION;
	/*
	 * Out of time or exits on one side only: known only if the other side
	 * needed much of the budget too (a guest that spins on one and not
	 * the other is a divergence: a livelock, or a missed exit).
	 */
	/*
	 * KVM spun, without an exit, on the very instruction the two differ
	 * at, where minivisor went on (seen: a write into the code page being
	 * executed, under npt=0): KVM's livelock, not ours.
	 */
	if (k->o == O_TIMEOUT && !k->user_exits && state_defined(m->o) && t >= 0 &&
	    (uint32_t)t < in->nins &&
	    k->sregs.cs.base + k->regs.rip == in->code_va + in->ins_off[t])
		return KD_KVM_STUCK;
	/* the same the other way round: a minivisor bug (fuzzfound_test) */
	if (m->o == O_TIMEOUT && k->o != O_TIMEOUT && k->o != O_BUDGET &&
	    t >= 0 && (uint32_t)t < in->nins &&
	    m->sregs.cs.base + m->regs.rip == in->code_va + in->ins_off[t])
		return KD_MV_BUG_STUCK;
	if ((m->o == O_TIMEOUT || m->o == O_BUDGET) && (k->o == O_TIMEOUT || k->o == O_BUDGET ||
							k->us > FRESH_TIMEOUT_MS * 500ull ||
							k->user_exits > 1000))
		return KD_TIME;
	if ((k->o == O_TIMEOUT || k->o == O_BUDGET) && (m->us > FRESH_TIMEOUT_MS * 500ull ||
							m->user_exits > 1000))
		return KD_TIME;
	if (op == 0x0f30 || op == 0x0f32)
		return KD_MSR;
	if (op == 0x0fa2)
		return KD_CPUID;
	(void)rcx;
	return -1;
}

static void report(const char *what, uint64_t nr, const struct ginput *in,
		   const struct gresult *m, const struct gresult *k, const char *why,
		   int t)
{
	const uint8_t *c = code_of(in);
	char ins[128] = "";

	if (c && t >= 0 && (uint32_t)t < in->nins) {
		uint32_t at = in->ins_off[t], end, o = 0;

		end = (uint32_t)t + 1 < in->nins ? in->ins_off[t + 1] : in->code_len;
		for (; at < end && o + 4 < sizeof(ins); at++)
			o += snprintf(ins + o, sizeof(ins) - o, "%02x ", c[at]);
	}
	say("%s seed=%llu case=%s mode=%s mv=%s kvm=%s differs: %s at template %d (code+%#x: %s)",
	    what, (unsigned long long)fz_seed, case_name(L_DIFF, nr), gmode_names[in->mode],
	    outcome_names[m->o], outcome_names[k->o], why, t,
	    t >= 0 && (uint32_t)t < in->nins ? in->ins_off[t] : 0, ins);
	say_reproduce(L_DIFF, nr);
	if (fz_verbose || !strcmp(what, "DIVERGENCE")) {
		ginput_print(in, "  input:");
		gresult_print(m, "mv");
		gresult_print(k, "kvm");
	}
}

static bool settle_(uint64_t nr, const struct ginput *in, bool replay, uint64_t *shown);

/*
 * A difference seen in the lane's VMs: believe it or not, explain it or
 * report it.  Returns true for an unexplained divergence.
 */
static bool settle(uint64_t nr, const struct ginput *in, bool replay)
{
	static uint64_t shown[KD_NR], nshow;
	static int show = -1;

	if (show < 0)
		show = getenv("MVFUZZ_SHOW") ? atoi(getenv("MVFUZZ_SHOW")) : 0;
	if (nshow++ < (uint64_t)show)
		replay = true;
	return settle_(nr, in, replay, shown);
}

static bool settle_(uint64_t nr, const struct ginput *in, bool replay, uint64_t *shown)
{
	struct pair kept = { 0 };
	struct gresult m2, k2, m3, k3;
	char why[256], why3[256];
	int t, kd;

	if (run_fresh(in, &m2, &k2))
		return false;
	if (results_equal(&m2, &k2, why, sizeof(why))) {
		fz_add(&fz->history, 1);
		if (fz_verbose || replay)
			say("history case=%s: equal on fresh VMs (%s)", case_name(L_DIFF, nr),
			    outcome_names[m2.o]);
		return false;
	}
	if (m2.o == O_REJECTED || k2.o == O_REJECTED) {
		fz_add(&fz->rejected, 1);
		if (fz_verbose || replay || fz_get(&fz->rejected) <= 5)
			say("rejected case=%s: the initial state was refused by %s (errno %d)",
			    case_name(L_DIFF, nr), m2.o == O_REJECTED ? "minivisor" : "KVM",
			    m2.o == O_REJECTED ? m2.err : k2.err);
		return false;
	}
	if (run_pair(&kept, in, &m3, &k3, FRESH_TIMEOUT_MS)) {
		pair_down(&kept);
		return false;
	}
	if (!results_equal(&m2, &m3, why3, sizeof(why3)) ||
	    !results_equal(&k3, &k2, why3, sizeof(why3))) {
		pair_down(&kept);
		fz_add(&fz->nondet, 1);
		if (fz_verbose || replay) {
			say("nondet case=%s: a side did not repeat itself (%s; first %s)",
			    case_name(L_DIFF, nr), why3, why);
			report("nondet", nr, in, &m2, &k2, why, -1);
			gresult_print(&m3, "mv3");
			gresult_print(&k3, "kvm3");
		}
		return false;
	}
	t = first_divergent(in);
	kd = classify(in, &m2, &k2, t, &kept);
	pair_down(&kept);
	if (kd >= 0) {
		fz_add(&fz->known, 1);
		fz_add(&fz->known_class[kd], 1);
		if (replay || fz_verbose || ++shown[kd] <= 2) {
			char what[64];

			snprintf(what, sizeof(what), "known(%s)", known_names[kd]);
			report(what, nr, in, &m2, &k2, why, t);
		}
		return false;
	}
	fz_add(&fz->divergences, 1);
	fz_add(&my->failures, 1);
	report("DIVERGENCE", nr, in, &m2, &k2, why, t);
	corpus_save(L_DIFF, nr, "div", in, ginput_size(in));
	return true;
}

uint64_t guest_sig(const struct ginput *in, const struct gresult *r, int lane)
{
	uint64_t v[6] = { lane, in->mode | (in->flags & GI_USER) << 8, r->o,
			  r->vector, r->suberror, r->err };

	return sig_hash(v, sizeof(v), 0x6775657374ull);
}

void gen_query_caps(void)
{
	struct {
		struct mv_cpuid c;
		struct mv_cpuid_entry e[MV_CPUID_MAX_ENTRIES];
	} mc = { .c.nent = MV_CPUID_MAX_ENTRIES };
	struct engine e;

	if (eng_create(&e, ENG_MV))
		return;
	if (!FZ_IOCTL(e.vcpu, MV_GET_CPUID, &mc))
		gen_set_caps(mc.e, mc.c.nent);
	eng_destroy(&e);
}

static struct ginput input;
static struct engine solo;

void lane_diff(void)
{
	struct cov *cov = cov_thread_init();
	struct pair p = { 0 };
	uint64_t nr, kvm_off_until = 0, max = UINT64_MAX;
	/* MVFUZZ_DIFF_MAX=n: the lane stops after case n - 1 (fuzz_smoke). */
	const char *env = getenv("MVFUZZ_DIFF_MAX");

	if (env)
		max = strtoull(env, NULL, 10);
	gen_query_caps();
	for (nr = 0; !fz_stopping() && nr < max; nr++) {
		struct gresult m, k;
		struct rng r;
		char why[256];
		bool kvm_now;

		my->cur_case = nr;
		fz_heartbeat();
		rng_seed(&r, fz_seed, L_DIFF, nr);
		fz_mutant = gq_mutant(&input, L_DIFF, nr);
		if (!fz_mutant)
			gen_guest(&input, &r, lane_gen_flags(L_DIFF));
		/*
		 * Now and then no KVM VM exists for a while: minivisor's world
		 * switch without another hypervisor's SVM on (and kvm_amd
		 * switching it off under running minivisor vCPUs).
		 */
		if (nr % 1000 == 999 && fz_kvm) {
			pair_down(&p);
			kvm_off_until = nr + 200;
		}
		kvm_now = fz_kvm && nr >= kvm_off_until;
		cov_case_begin(cov);
		if (!kvm_now) {
			if (!solo.run && eng_create(&solo, ENG_MV)) {
				usleep(10000);
				continue;
			}
			eng_run_counted(&solo, &input, &m, DIFF_TIMEOUT_MS);
			keep_if_new(L_DIFF, nr, &input, &m, cov, &r);
			fz_add(&my->cases, 1);
			continue;
		}
		if (solo.run)
			eng_destroy(&solo);
		if (run_pair(&p, &input, &m, &k, DIFF_TIMEOUT_MS)) {
			pair_down(&p);
			usleep(10000);
			continue;
		}
		fz_add(&my->differential, 1);
		keep_if_new(L_DIFF, nr, &input, &m, cov, &r);
		if (!results_equal(&m, &k, why, sizeof(why))) {
			settle(nr, &input, false);
			pair_down(&p);	/* the next input starts on the same page */
		}
		fz_add(&my->cases, 1);
	}
	pair_down(&p);
	if (solo.run)
		eng_destroy(&solo);
}

/* How long @in takes on @kind, run after run (MVFUZZ_REPEAT=n). */
void eng_repeat(enum eng_kind kind, const struct ginput *in, int n, unsigned int timeout)
{
	struct engine e;
	struct gresult res;
	uint64_t t[1000];
	int i;

	if (n > 1000)
		n = 1000;
	if (n < 1 || eng_create(&e, kind))
		return;
	for (i = 0; i < n; i++) {
		if (e.dead || getenv("MVFUZZ_FRESH")) {
			uint64_t t0 = now_us();

			eng_destroy(&e);
			if (eng_create(&e, kind))
				return;
			if (i < 3)
				say("  recreated in %lluus", (unsigned long long)(now_us() - t0));
		}
		eng_run(&e, in, &res, timeout);
		t[i] = res.us;
		if (i < 3 || i == n - 1)
			say("  %s run %d: %s %lluus", kind == ENG_MV ? "mv" : "kvm", i,
			    outcome_names[res.o], (unsigned long long)res.us);
	}
	for (i = 1; i < n; i++) {
		uint64_t x = t[i];
		int j = i - 1;

		while (j >= 0 && t[j] > x) {
			t[j + 1] = t[j];
			j--;
		}
		t[j + 1] = x;
	}
	say("  %s: %d runs: min %llu median %llu max %llu us", kind == ENG_MV ? "mv" : "kvm", n,
	    (unsigned long long)t[0], (unsigned long long)t[n / 2], (unsigned long long)t[n - 1]);
	eng_destroy(&e);
}

/* The bytes that differ in the compared pages. */
static void mem_diff(const struct ginput *in)
{
	static uint8_t a[3 * 4096], b[3 * 4096];
	struct pair p = { 0 };
	struct gresult m, k;
	int i, n = 0;

	if (run_pair(&p, in, &m, &k, FRESH_TIMEOUT_MS))
		return;
	if (!eng_read(&p.mv, G_DATA, a, sizeof(a)) && !eng_read(&p.kvm, G_DATA, b, sizeof(b)))
		for (i = 0; i < (int)sizeof(a) && n < 24; i++)
			if (a[i] != b[i]) {
				say("  memory %#x: mv %02x kvm %02x", G_DATA + i, a[i], b[i]);
				n++;
			}
	/* MVFUZZ_PEEK=gpa,...: 16 bytes there on both, for hypotheses */
	if (getenv("MVFUZZ_PEEK")) {
		char *s = getenv("MVFUZZ_PEEK"), *end;

		for (; *s; s = *end ? end + 1 : end) {
			uint64_t gpa = strtoull(s, &end, 0);

			if (end == s || eng_read(&p.mv, gpa, a, 16) || eng_read(&p.kvm, gpa, b, 16))
				break;
			for (i = 0; i < 16; i++)
				if (a[i] != b[i])
					say("  peek %#llx: mv %02x kvm %02x", (unsigned long long)gpa + i,
					    a[i], b[i]);
		}
	}
	pair_down(&p);
}

int replay_diff(uint64_t nr)
{
	struct rng r;

	gen_query_caps();
	rng_seed(&r, fz_seed, L_DIFF, nr);
	gen_guest(&input, &r, 0);
	return replay_diff_in(&input, nr);
}

/* Run @in on both, fresh VMs, and explain what differs. */
int replay_diff_in(const struct ginput *in, uint64_t nr)
{
	struct gresult m, k;
	char why[256];

	if (in != &input)
		memcpy(&input, in, ginput_size(in));
	ginput_print(&input, "input:");
	if (getenv("MVFUZZ_REPEAT")) {
		eng_repeat(ENG_MV, &input, atoi(getenv("MVFUZZ_REPEAT")), FRESH_TIMEOUT_MS);
		if (fz_kvm)
			eng_repeat(ENG_KVM, &input, atoi(getenv("MVFUZZ_REPEAT")), FRESH_TIMEOUT_MS);
		return 0;
	}
	if (!fz_kvm) {
		say("replay: no KVM here");
		return 1;
	}
	if (run_fresh(&input, &m, &k)) {
		say("replay: cannot create the VMs");
		return 1;
	}
	gresult_print(&m, "mv");
	gresult_print(&k, "kvm");
	if (results_equal(&m, &k, why, sizeof(why))) {
		say("replay %s: equal", case_name(L_DIFF, nr));
		return 0;
	}
	if (strstr(why, "memory"))
		mem_diff(&input);
	return settle(nr, &input, true);
}
