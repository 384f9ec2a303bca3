// SPDX-License-Identifier: GPL-2.0
/*
 * Paging tests and benchmarks, built twice: paging32.bin (32-bit two-level
 * and PAE, chosen by GARGS->arg[0]) and paging64.bin (long mode).  Each
 * test checks the architected outcome itself and prints what it saw, so the
 * host can also require the same output under KVM (npt=0): KVM is the
 * oracle for architectural behaviour.
 *
 * Layout (guest-physical = kernel virtual, identity-mapped):
 *   0x10000       this program        1 MiB .. 16 MiB  page-table pool
 *   32 MiB        probe data page     TEST_VA + 32 MiB probes map it
 *   64 MiB        roots test tables   128 MiB and up: touch/bench memory
 */
#include "pt.h"

#define MIB		(1ul << 20)
#define POOL_START	(1 * MIB)
#define POOL_END	(16 * MIB)
#define DATA_PA		(32 * MIB)
#define DATA_PA2	(33 * MIB)
#define ROOTS_PA	(64 * MIB)
#define IDENTITY	(128 * MIB)

#ifdef __x86_64__
#define TEST_VA		0x8000000000ull		/* PML4 slot 1 */
#else
#define TEST_VA		0x40000000ull		/* 1 GiB */
#endif
#define PROBE_VA	(TEST_VA + DATA_PA)

#define X86_CR0_WP	(1ul << 16)
#define X86_CR4_PGE	(1ul << 7)
#define X86_CR4_SMEP	(1ul << 20)
#define X86_CR4_SMAP	(1ul << 21)
#define X86_EFLAGS_AC	(1ul << 18)

#define PF_P		1
#define PF_W		2
#define PF_U		4
#define PF_RSVD		8
#define PF_I		16

extern volatile uintptr_t fetch_target;

static struct pt kpt;
static int mode;
static bool nxe;

/* FNV-1a over what the probes saw, for comparing runs. */
static uint64_t hash = 0xcbf29ce484222325ull;

static void hash_add(uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++) {
		hash ^= (v >> (i * 8)) & 0xff;
		hash *= 0x100000001b3ull;
	}
}

static void setup(void)
{
#ifdef __x86_64__
	mode = PM_LONG;
#else
	mode = GARGS->arg[0] == PM_PAE ? PM_PAE : PM_32;
#endif
	pt_pool_init(POOL_START, POOL_END);
	pt_init(&kpt, mode);
	pt_identity(&kpt, IDENTITY);
	/*
	 * Create the test region's upper tables now: PAE latches its PDPTEs
	 * at CR3 load, so one added later would not be seen.
	 */
	pt_map(&kpt, TEST_VA, DATA_PA, 1, PTE_W);
	pt_set(&kpt, TEST_VA, 1, 0);
	pt_activate(&kpt);
	if (mode != PM_32) {
		uint64_t efer;

		GUEST_ASSERT_EQ(rdmsr_safe(0xc0000080, &efer), NO_EXCEPTION);
		GUEST_ASSERT_EQ(wrmsr_safe(0xc0000080, efer | (1u << 11)),
				NO_EXCEPTION);
		nxe = true;
	}
	tss_init();
	idt_set_dpl(USER_RETURN_VEC, 3);
	/* The probe page starts with "jmp *%rcx" (or %ecx) for fetches. */
	*(volatile uint16_t *)DATA_PA = 0xe1ff;
}

static void flush_all(void)
{
	write_cr3(read_cr3());
}

/* One access; returns the #PF error code, or -1 if it did not fault. */
static long probe(int op, bool user, uint64_t va)
{
	volatile uint8_t *p = (void *)(uintptr_t)va;
	uint8_t v;

	ex_vector = NO_EXCEPTION;
	ex_cr2 = 0;
	if (user) {
		run_user(op, va);
	} else if (op == USER_READ) {
		asm volatile("1: movb (%1), %0\n2:\n" EX_ENTRY
			     : "=q"(v) : "r"(p) : "memory");
	} else if (op == USER_WRITE) {
		asm volatile("1: movb $0x5a, 8(%0)\n2:\n" EX_ENTRY
			     : : "r"(p) : "memory");
	} else {
		fetch_target = (uintptr_t)va;
#ifdef __x86_64__
		asm volatile("lea 1f(%%rip), %%rcx; jmp *%0; 1:"
			     : : "r"(p) : "rcx", "memory");
#else
		asm volatile("mov $1f, %%ecx; jmp *%0; 1:"
			     : : "r"(p) : "ecx", "memory");
#endif
		fetch_target = 0;
	}
	if (ex_vector == NO_EXCEPTION)
		return -1;
	GUEST_ASSERT_EQ(ex_vector, 14);
	GUEST_ASSERT_EQ(ex_cr2, (unsigned long)va + (op == USER_WRITE ? 8 : 0));
	return ex_error;
}

/* What the architecture says a probe must do. */
static long expected(int op, bool user, bool u, bool w, bool x, bool wp,
		     bool smep, bool smap, bool ac)
{
	long err = PF_P | (op == USER_WRITE ? PF_W : 0) | (user ? PF_U : 0) |
		   (op == USER_FETCH && (nxe || smep) ? PF_I : 0);

	if (user && !u)
		return err;
	if (op == USER_WRITE && !w && (user || wp))
		return err;
	if (op == USER_FETCH && !x)
		return err;
	if (!user && u && op == USER_FETCH && smep)
		return err;
	if (!user && u && op != USER_FETCH && smap && !ac)
		return err;
	return -1;
}

/*
 * Set the rights of every entry on PROBE_VA's path: bit (l - 1) of each
 * mask is the bit of the entry at level l.  @leaf is the leaf level.
 */
static void set_path(int leaf, unsigned int um, unsigned int wm,
		     unsigned int xm)
{
	uint64_t size = 1ull << pt_shift(mode, leaf);
	uint64_t va = PROBE_VA & ~(size - 1), pa = DATA_PA & ~(size - 1);
	int l, top = pt_levels(mode);

	pt_map(&kpt, va, pa, leaf, 0);
	for (l = top; l >= leaf; l--) {
		uint64_t e = pt_get(&kpt, va, l);

		if (mode == PM_PAE && l == 3)
			continue;		/* PDPTEs carry no rights */
		e &= ~(PTE_U | PTE_W | PTE_NX | PTE_A | PTE_D);
		if (um & (1u << (l - 1)))
			e |= PTE_U;
		if (wm & (1u << (l - 1)))
			e |= PTE_W;
		if (nxe && (xm & (1u << (l - 1))))
			e |= PTE_NX;
		pt_set(&kpt, va, l, e);
	}
	flush_all();
}

static void set_ac(bool on)
{
	unsigned long fl;

	asm volatile("pushf; pop %0" : "=r"(fl));
	fl = on ? fl | X86_EFLAGS_AC : fl & ~X86_EFLAGS_AC;
	asm volatile("push %0; popf" : : "r"(fl) : "memory", "cc");
}

/* Bit k of @m goes to the k-th level (from @leaf up) that carries rights. */
static unsigned int spread(unsigned int m, int leaf)
{
	unsigned int out = 0;
	int l, k = 0;

	for (l = leaf; l <= pt_levels(mode); l++) {
		if (mode == PM_PAE && l == 3)
			continue;
		if (m & (1u << k))
			out |= 1u << (l - 1);
		k++;
	}
	return out;
}

struct tally {
	unsigned long probes, mismatches;
};

static void run_probes(struct tally *t, const char *what, int leaf,
		       unsigned int um, unsigned int wm, unsigned int xm,
		       bool wp, bool smep, bool smap, bool ac)
{
	int top = pt_levels(mode), l, op, user;
	bool u = true, w = true, x = true;
	unsigned long cr4 = read_cr4();

	for (l = top; l >= leaf; l--) {
		if (mode == PM_PAE && l == 3)
			continue;
		u &= !!(um & (1u << (l - 1)));
		w &= !!(wm & (1u << (l - 1)));
		if (nxe)
			x &= !(xm & (1u << (l - 1)));
	}
	write_cr0(wp ? read_cr0() | X86_CR0_WP : read_cr0() & ~X86_CR0_WP);
	cr4 &= ~(X86_CR4_SMEP | X86_CR4_SMAP);
	write_cr4(cr4 | (smep ? X86_CR4_SMEP : 0) | (smap ? X86_CR4_SMAP : 0));
	for (user = 0; user < 2; user++) {
		for (op = USER_READ; op <= USER_FETCH; op++) {
			long want = expected(op, user, u, w, x, wp, smep, smap, ac);
			long got;

			set_path(leaf, um, wm, xm);
			if (!user && ac)
				set_ac(true);
			got = probe(op, user, PROBE_VA);
			if (!user && ac)
				set_ac(false);
			t->probes++;
			hash_add(((uint64_t)leaf << 56) | ((uint64_t)um << 48) |
				 ((uint64_t)wm << 40) | ((uint64_t)xm << 32) |
				 (wp << 30) | (smep << 29) | (smap << 28) |
				 (ac << 27) | (user << 26) | (op << 24) |
				 (got & 0xffff));
			if (got != want) {
				if (t->mismatches++ < 10)
					guest_printf("MISMATCH %s leaf %d u %x w %x nx %x wp %d smep %d smap %d ac %d %s %s: got %ld want %ld\n",
						     what, leaf, um, wm, xm, wp, smep,
						     smap, ac, user ? "user" : "kernel",
						     op == USER_READ ? "read" :
						     op == USER_WRITE ? "write" : "fetch",
						     got, want);
			}
		}
	}
	write_cr4(cr4);
	write_cr0(read_cr0() | X86_CR0_WP);
}

static const char *mode_name(void)
{
	return mode == PM_32 ? "32-bit" : mode == PM_PAE ? "pae" : "long";
}

/*
 * The permission matrix: every combination of U/S and R/W at every level
 * of the path, NX at no level or at one level, CR0.WP on and off, user and
 * supervisor reads, writes and fetches, for each page size.
 */
static void test_matrix(void)
{
	int top = pt_levels(mode), leaf, maxleaf;
	struct tally t = { 0, 0 };

	maxleaf = mode == PM_LONG ? 3 : 2;
	for (leaf = 1; leaf <= maxleaf; leaf++) {
		unsigned int n = top - leaf + 1, um, wm, xi, wp;

		if (mode == PM_PAE)
			n--;		/* the PDPTE has no rights */
		for (um = 0; um < (1u << n); um++) {
			for (wm = 0; wm < (1u << n); wm++) {
				for (xi = 0; xi <= (nxe ? n : 0); xi++) {
					unsigned int U = spread(um, leaf);
					unsigned int W = spread(wm, leaf);
					unsigned int X = xi ? spread(1u << (xi - 1), leaf) : 0;

					for (wp = 0; wp < 2; wp++)
						run_probes(&t, "matrix", leaf, U, W, X,
							   wp, false, false, false);
				}
			}
		}
	}
	guest_printf("matrix %s: %lu probes, %lu mismatches, hash %llx\n",
		     mode_name(), t.probes, t.mismatches,
		     (unsigned long long)hash);
	GUEST_ASSERT_EQ(t.mismatches, 0);
	GUEST_DONE();
}

/* SMEP and SMAP (with and without RFLAGS.AC) against user and kernel pages. */
static void test_smep_smap(void)
{
	int top = pt_levels(mode), smep, smap, ac, upage;
	unsigned int all = (1u << top) - 1;
	struct tally t = { 0, 0 };
	uint32_t a, b, c, d;

	cpuid(7, 0, &a, &b, &c, &d);
	if (!(b & (1u << 7)) || !(b & (1u << 20))) {
		guest_printf("smep/smap: not offered\n");
		GUEST_DONE();
		return;
	}
	for (smep = 0; smep < 2; smep++)
		for (smap = 0; smap < 2; smap++)
			for (ac = 0; ac < 2; ac++)
				for (upage = 0; upage < 2; upage++)
					run_probes(&t, "smep/smap", 1,
						   upage ? all : all & ~1u, all, 0,
						   true, smep, smap, ac);
	guest_printf("smep/smap %s: %lu probes, %lu mismatches, hash %llx\n",
		     mode_name(), t.probes, t.mismatches,
		     (unsigned long long)hash);
	GUEST_ASSERT_EQ(t.mismatches, 0);
	GUEST_DONE();
}

/*
 * Reserved bits anywhere on the path make every access fault with RSVD:
 * an address bit beyond MAXPHYADDR at each level, PS in a PML4E, bit 21
 * of a 4 MiB page, NX with EFER.NXE clear.
 */
static void test_rsvd(void)
{
	int top = pt_levels(mode), leaf, l, op, n = 0;
	uint32_t a, b, c, d;
	uint64_t bad;
	long got;

	cpuid(0x80000008, 0, &a, &b, &c, &d);
	bad = 1ull << (a & 0xff);
	for (leaf = 1; leaf <= 2; leaf++) {
		for (l = top; l >= leaf; l--) {
			uint64_t e;

			if (mode == PM_32 && !(leaf == 2 && l == 2))
				continue;	/* 4-byte entries: only 4 MiB pages */
			if (mode == PM_PAE && l == 3)
				continue;	/* PDPTEs: checked at CR3 load, below */
			for (op = USER_READ; op <= USER_WRITE; op++) {
				set_path(leaf, ~0u, ~0u, 0);
				e = pt_get(&kpt, PROBE_VA, l);
				pt_set(&kpt, PROBE_VA, l,
				       e | (mode == PM_32 ? 1ull << 21 : bad));
				flush_all();
				got = probe(op, false, PROBE_VA);
				pt_set(&kpt, PROBE_VA, l, e);
				hash_add((leaf << 16) | (l << 8) | (op << 4) | got);
				GUEST_ASSERT_EQ(got, PF_P | PF_RSVD |
						(op == USER_WRITE ? PF_W : 0));
				n++;
			}
		}
	}
	if (mode == PM_PAE) {
		/* A reserved bit in a PDPTE makes the CR3 load itself #GP. */
		uint64_t e = pt_get(&kpt, PROBE_VA, 3);

		pt_set(&kpt, PROBE_VA, 3, e | PTE_W);
		ex_vector = NO_EXCEPTION;
		asm volatile("1: mov %0, %%cr3\n2:\n" EX_ENTRY
			     : : "r"((unsigned long)kpt.cr3) : "memory");
		GUEST_ASSERT_EQ(ex_vector, 13);
		pt_set(&kpt, PROBE_VA, 3, e);
		flush_all();
		n++;
	}
	if (mode == PM_LONG) {
		/* PS in a PML4E is reserved. */
		set_path(1, ~0u, ~0u, 0);
		pt_set(&kpt, PROBE_VA, 4, pt_get(&kpt, PROBE_VA, 4) | PTE_PS);
		flush_all();
		GUEST_ASSERT_EQ(probe(USER_READ, false, PROBE_VA), PF_P | PF_RSVD);
		pt_set(&kpt, PROBE_VA, 4, pt_get(&kpt, PROBE_VA, 4) & ~PTE_PS);
		n++;
	}
	if (nxe) {
		uint64_t efer;

		/* With EFER.NXE clear, NX itself is a reserved bit. */
		set_path(1, ~0u, ~0u, 1);
		rdmsr_safe(0xc0000080, &efer);
		wrmsr_safe(0xc0000080, efer & ~(1ull << 11));
		nxe = false;
		flush_all();
		got = probe(USER_READ, false, PROBE_VA);
		wrmsr_safe(0xc0000080, efer);
		nxe = true;
		GUEST_ASSERT_EQ(got, PF_P | PF_RSVD);
		n++;
	}
	set_path(1, ~0u, ~0u, 0);
	guest_printf("rsvd %s: %d probes, hash %llx\n", mode_name(), n,
		     (unsigned long long)hash);
	GUEST_DONE();
}

/* Accessed and Dirty bits: set exactly when the hardware would. */
static void test_ad(void)
{
	int leaf, l, top = pt_levels(mode);
	volatile uint8_t *p = (void *)(uintptr_t)PROBE_VA;

	for (leaf = 1; leaf <= 2; leaf++) {
		set_path(leaf, 0, ~0u, 0);
		for (l = top; l >= leaf; l--) {
			if (mode == PM_PAE && l == 3)
				continue;
			GUEST_ASSERT(!(pt_get(&kpt, PROBE_VA, l) & (PTE_A | PTE_D)));
		}
		(void)*p;
		for (l = top; l >= leaf; l--) {
			uint64_t e = pt_get(&kpt, PROBE_VA, l);

			if (mode == PM_PAE && l == 3)
				continue;
			GUEST_ASSERT(e & PTE_A);
			GUEST_ASSERT(!(e & PTE_D));
		}
		p[8] = 1;
		GUEST_ASSERT(pt_get(&kpt, PROBE_VA, leaf) & PTE_D);
		for (l = top; l > leaf; l--)
			GUEST_ASSERT(!(pt_get(&kpt, PROBE_VA, l) & PTE_D));
		/* Cleared and flushed: the next access sets them again. */
		pt_set(&kpt, PROBE_VA, leaf,
		       pt_get(&kpt, PROBE_VA, leaf) & ~(PTE_A | PTE_D));
		invlpg(p);
		(void)*p;
		GUEST_ASSERT(pt_get(&kpt, PROBE_VA, leaf) & PTE_A);
		GUEST_ASSERT(!(pt_get(&kpt, PROBE_VA, leaf) & PTE_D));
		p[8] = 2;
		GUEST_ASSERT(pt_get(&kpt, PROBE_VA, leaf) & PTE_D);
		guest_printf("ad %s leaf %d: ok\n", mode_name(), leaf);
	}
	GUEST_DONE();
}

/* Two virtual addresses on one frame see each other's writes. */
static void test_alias(void)
{
	volatile uint32_t *a = (void *)(uintptr_t)(TEST_VA + 0x1000);
	volatile uint32_t *b = (void *)(uintptr_t)(TEST_VA + 0x5000);
	int i;

	pt_map(&kpt, (uintptr_t)a, DATA_PA2, 1, PTE_W);
	pt_map(&kpt, (uintptr_t)b, DATA_PA2, 1, PTE_W);
	for (i = 0; i < 100; i++) {
		a[i] = 0x1000 + i;
		GUEST_ASSERT_EQ(b[i], 0x1000 + i);
		b[i + 100] = 0x2000 + i;
		GUEST_ASSERT_EQ(a[i + 100], 0x2000 + i);
	}
	GUEST_ASSERT_EQ(*(volatile uint32_t *)DATA_PA2, 0x1000);
	guest_printf("alias %s: ok\n", mode_name());
	GUEST_DONE();
}

/*
 * Page tables that map themselves: a recursive slot makes the tables
 * readable and writable as ordinary memory; change a mapping that way.
 */
static void test_selfmap(void)
{
	volatile uint8_t *v = (void *)(uintptr_t)(TEST_VA + 0x3000);
	uint64_t pte_va, pte;

	pt_map(&kpt, (uintptr_t)v, DATA_PA, 1, PTE_W);
	*(volatile uint8_t *)(DATA_PA + 100) = 0x11;
	*(volatile uint8_t *)(DATA_PA2 + 100) = 0x22;
	GUEST_ASSERT_EQ(v[100], 0x11);
	if (mode == PM_LONG) {
		/* PML4[511] -> PML4. */
		((volatile uint64_t *)(uintptr_t)kpt.cr3)[511] = kpt.cr3 | PTE_P | PTE_W;
		flush_all();
		pte_va = 0xffffff8000000000ull |
			 (((uint64_t)(uintptr_t)v >> 9) & 0x7ffffffff8ull);
		pte = *(volatile uint64_t *)(uintptr_t)pte_va;
		GUEST_ASSERT_EQ(pte, pt_get(&kpt, (uintptr_t)v, 1));
		*(volatile uint64_t *)(uintptr_t)pte_va =
			(pte & ~0xffffffffff000ull) | DATA_PA2;
	} else if (mode == PM_32) {
		/* PDE[1023] -> PD: the PTEs appear at 0xffc00000. */
		((volatile uint32_t *)(uintptr_t)kpt.cr3)[1023] = kpt.cr3 | PTE_P | PTE_W;
		flush_all();
		pte_va = 0xffc00000u + (((uint32_t)(uintptr_t)v >> 12) << 2);
		pte = *(volatile uint32_t *)(uintptr_t)pte_va;
		GUEST_ASSERT_EQ(pte, pt_get(&kpt, (uintptr_t)v, 1));
		*(volatile uint32_t *)(uintptr_t)pte_va =
			(pte & 0xfff) | DATA_PA2;
	} else {
		guest_printf("selfmap %s: no recursive slot in PAE\n", mode_name());
		GUEST_DONE();
		return;
	}
	invlpg(v);
	GUEST_ASSERT_EQ(v[100], 0x22);
	GUEST_ASSERT_EQ(pt_get(&kpt, (uintptr_t)v, 1) & ~0xfffull, DATA_PA2);
	guest_printf("selfmap %s: ok\n", mode_name());
	GUEST_DONE();
}

/*
 * Many address spaces: each maps TEST_VA to its own frame; switch among
 * them round after round and check each sees its own data.
 */
static void test_many(void)
{
	unsigned int n = GARGS->arg[1], rounds = GARGS->arg[2], i, r;
	static struct pt as[64];
	volatile uint32_t *v = (void *)(uintptr_t)TEST_VA;

	GUEST_ASSERT(n <= 64);
	GUEST_ASSERT(ROOTS_PA + n * 4096ull <= IDENTITY);
	for (i = 0; i < n; i++) {
		pt_init(&as[i], mode);
		pt_identity(&as[i], IDENTITY);
		pt_map(&as[i], TEST_VA, DATA_PA + 0x100000 + i * 4096, 1, PTE_W);
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			pt_activate(&as[i]);
			if (r)
				GUEST_ASSERT_EQ(v[r & 63], (i << 16) | (r - 1));
			v[r & 63] = 0;
			v[(r + 1) & 63] = (i << 16) | r;
		}
	}
	pt_activate(&kpt);
	guest_printf("many %s: %u address spaces, %u rounds: ok\n", mode_name(),
		     n, rounds);
	GUEST_DONE();
}

/*
 * Thousands of address spaces: each a fresh copy of the root table.  The
 * guest only switches and touches; the host watches that minivisor's shadow
 * memory stays within its bound.
 */
static void test_roots(void)
{
	unsigned int n = GARGS->arg[1], i;
	uint64_t base = ROOTS_PA;
	volatile uint32_t *v = (void *)(uintptr_t)(TEST_VA);

	GUEST_ASSERT(ROOTS_PA + n * 4096ull <= IDENTITY);
	pt_map(&kpt, TEST_VA, DATA_PA, 1, PTE_W);
	for (i = 0; i < n; i++) {
		struct pt t = { mode, base + (uint64_t)i * 4096 };

		memcpy((void *)(uintptr_t)t.cr3, (void *)(uintptr_t)kpt.cr3, 4096);
		pt_activate(&t);
		v[0] = i;
		GUEST_ASSERT_EQ(*(volatile uint32_t *)DATA_PA, i);
		if (i % 1000 == 999)
			GUEST_SYNC2(1, i + 1);
	}
	pt_activate(&kpt);
	guest_printf("roots %s: %u address spaces: ok\n", mode_name(), n);
	GUEST_DONE();
}

/* INVLPG: a changed mapping is seen after INVLPG (and CR3 reloads). */
static void test_invlpg(void)
{
	volatile uint32_t *v = (void *)(uintptr_t)(TEST_VA + 0x7000);
	int i;

	*(volatile uint32_t *)DATA_PA = 0xaaaa;
	*(volatile uint32_t *)DATA_PA2 = 0xbbbb;
	for (i = 0; i < 50; i++) {
		pt_map(&kpt, (uintptr_t)v, i & 1 ? DATA_PA2 : DATA_PA, 1, PTE_W);
		invlpg(v);
		GUEST_ASSERT_EQ(*v, i & 1 ? 0xbbbb : 0xaaaa);
	}
	/* Unmapped and flushed: the next access faults, not-present. */
	pt_set(&kpt, (uintptr_t)v, 1, 0);
	invlpg(v);
	GUEST_ASSERT_EQ(probe(USER_READ, false, (uintptr_t)v), 0);
	/* Global pages survive CR3 reloads; toggling CR4.PGE flushes them. */
	{
		uint32_t a, b, c, d;

		cpuid(1, 0, &a, &b, &c, &d);
		if (d & (1u << 13)) {
			write_cr4(read_cr4() | X86_CR4_PGE);
			pt_map(&kpt, (uintptr_t)v, DATA_PA, 1, PTE_W | PTE_G);
			invlpg(v);
			GUEST_ASSERT_EQ(*v, 0xaaaa);
			flush_all();
			GUEST_ASSERT_EQ(*v, 0xaaaa);
			pt_map(&kpt, (uintptr_t)v, DATA_PA2, 1, PTE_W | PTE_G);
			write_cr4(read_cr4() & ~X86_CR4_PGE);
			write_cr4(read_cr4() | X86_CR4_PGE);
			GUEST_ASSERT_EQ(*v, 0xbbbb);
			write_cr4(read_cr4() & ~X86_CR4_PGE);
		}
	}
	guest_printf("invlpg %s: ok\n", mode_name());
	GUEST_DONE();
}

/* Demand paging by the guest's own #PF handler. */
static volatile unsigned long pf_count, pf_next_pa;
static volatile long pf_last_err;
static volatile uint64_t pf_last_cr2;

static void pf_handler(struct ex_regs *regs)
{
	uint64_t cr2 = read_cr2();

	pf_count++;
	pf_last_err = regs->error;
	pf_last_cr2 = cr2;
	pt_map(&kpt, cr2 & ~0xfffull, pf_next_pa, 1, PTE_W);
	pf_next_pa += 4096;
}

static void test_pf_handler(void)
{
	volatile uint8_t *base = (void *)(uintptr_t)(TEST_VA + 0x100000);
	unsigned int i;

	pf_next_pa = 40 * MIB;
	set_handler(14, pf_handler);
	for (i = 0; i < 64; i++) {
		volatile uint8_t *p = base + i * 4096 + (i * 8 % 4096);

		if (i & 1)
			p[0] = i;
		else
			(void)p[0];
		GUEST_ASSERT_EQ(pf_count, i + 1);
		GUEST_ASSERT_EQ(pf_last_cr2, (uintptr_t)p);
		GUEST_ASSERT_EQ(pf_last_err, i & 1 ? PF_W : 0);
	}
	for (i = 0; i < 64; i += 2)
		GUEST_ASSERT_EQ(base[(i + 1) * 4096 + ((i + 1) * 8 % 4096)], i + 1);
	GUEST_ASSERT_EQ(pf_count, 64);
	set_handler(14, NULL);
	guest_printf("pf handler %s: ok\n", mode_name());
	GUEST_DONE();
}

/* Touch a large region through 4 KiB pages and verify every byte. */
static void test_touch(void)
{
	uint64_t mib = GARGS->arg[1], len = mib * MIB, off;
	uint64_t va0 = TEST_VA + 0x10000000ull, pa0 = IDENTITY;
	volatile uint64_t *p = (void *)(uintptr_t)va0;

	for (off = 0; off < len; off += 4096)
		pt_map(&kpt, va0 + off, pa0 + off, 1, PTE_W);
	flush_all();
	for (off = 0; off < len / 8; off++)
		p[off] = off * 0x9e3779b97f4a7c15ull;
	for (off = 0; off < len / 8; off++)
		if (p[off] != off * 0x9e3779b97f4a7c15ull)
			GUEST_ASSERT_EQ(p[off], off * 0x9e3779b97f4a7c15ull);
	guest_printf("touch %s: %llu MiB: ok\n", mode_name(),
		     (unsigned long long)mib);
	GUEST_DONE();
}

/* Benchmarks: the host times from the SYNC to the DONE. */

static void bench_first_touch(void)
{
	uint64_t n = GARGS->arg[1], i, va0 = TEST_VA + 0x10000000ull;

	for (i = 0; i < n; i++)
		pt_map(&kpt, va0 + i * 4096, IDENTITY + i * 4096, 1, PTE_W);
	flush_all();
	GUEST_SYNC(1);
	for (i = 0; i < n; i++)
		*(volatile uint8_t *)(uintptr_t)(va0 + i * 4096) = 1;
	GUEST_DONE();
}

static void bench_ctxsw(void)
{
	unsigned int rounds = GARGS->arg[1], r, i, j;
	static struct pt as[8];

	for (i = 0; i < 8; i++) {
		pt_init(&as[i], mode);
		pt_identity(&as[i], IDENTITY);
		for (j = 0; j < 16; j++)
			pt_map(&as[i], TEST_VA + j * 4096,
			       DATA_PA + (i * 16 + j) * 4096, 1, PTE_W);
	}
	GUEST_SYNC(1);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 8; i++) {
			pt_activate(&as[i]);
			for (j = 0; j < 16; j++)
				*(volatile uint32_t *)(uintptr_t)(TEST_VA + j * 4096) += 1;
		}
	}
	pt_activate(&kpt);
	GUEST_DONE();
}

static void bench_ptupdate(void)
{
	unsigned int n = GARGS->arg[1], i;
	volatile uint32_t *v = (void *)(uintptr_t)(TEST_VA + 0x9000);

	pt_map(&kpt, (uintptr_t)v, DATA_PA, 1, PTE_W);
	flush_all();
	GUEST_SYNC(1);
	for (i = 0; i < n; i++) {
		pt_map(&kpt, (uintptr_t)v, DATA_PA + (i & 7) * 4096, 1, PTE_W);
		invlpg(v);
		*v = i;
		pt_set(&kpt, (uintptr_t)v, 1, 0);
		invlpg(v);
	}
	GUEST_DONE();
}

int guest_main(void)
{
	setup();
	switch (GARGS->test) {
	case P_MATRIX: test_matrix(); break;
	case P_SMEP_SMAP: test_smep_smap(); break;
	case P_AD: test_ad(); break;
	case P_RSVD: test_rsvd(); break;
	case P_ALIAS: test_alias(); break;
	case P_SELFMAP: test_selfmap(); break;
	case P_MANY: test_many(); break;
	case P_ROOTS: test_roots(); break;
	case P_INVLPG: test_invlpg(); break;
	case P_PF_HANDLER: test_pf_handler(); break;
	case P_TOUCH: test_touch(); break;
	case B_FIRST_TOUCH: bench_first_touch(); break;
	case B_CTXSW: bench_ctxsw(); break;
	case B_PTUPDATE: bench_ptupdate(); break;
	default:
		guest_printf("unknown test %u\n", GARGS->test);
		return 0x7e;
	}
	return 0;
}
