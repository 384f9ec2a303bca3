// SPDX-License-Identifier: GPL-2.0
/*
 * A guest trying to hurt its host, built twice: hostile32.bin (paging off,
 * 32-bit two-level or PAE, by GARGS->arg[0]) and hostile64.bin (long
 * mode).  Each sub-test does one thing of the README's hostile-guest
 * catalogue and, where the architecture defines the outcome, checks it
 * and prints what it saw, so tests/hostile_test.c can also require the
 * same output under KVM (npt=0).  Where only the host can judge (an
 * internal error, a shutdown), the guest just does it.
 *
 * Layout (guest-physical = kernel virtual, identity-mapped below 128 MiB):
 *   0x10000      this program         1 MiB .. 16 MiB   page-table pool
 *   32 MiB + 4 KiB * n: FRAME(n), the pages the tests map and look at
 *   TEST_VA      where tests map them (its upper tables made at setup)
 *   H_MMIO_GPA   not RAM
 */
#include "pt.h"

#define MIB		(1ul << 20)
#define POOL_START	(1 * MIB)
#define POOL_END	(16 * MIB)
#define IDENTITY	(128 * MIB)
#define FRAME(n)	(32 * MIB + (uint64_t)(n) * 4096)
#define ADDR_MASK	0x000ffffffffff000ull

#ifdef __x86_64__
#define TEST_VA		0x8000000000ull		/* PML4 slot 1 */
#else
#define TEST_VA		0x40000000ull		/* 1 GiB */
#endif

#define X86_CR0_WP	(1ul << 16)
#define X86_CR0_TS	(1ul << 3)
#define PF_P		1
#define PF_W		2
#define PF_I		16

extern volatile uintptr_t fetch_target;

static struct pt kpt;
static int mode;

static volatile uint8_t *b8(uint64_t a)
{
	return (volatile uint8_t *)(uintptr_t)a;
}

static volatile uint64_t *q64(uint64_t a)
{
	return (volatile uint64_t *)(uintptr_t)a;
}

static void setup(void)
{
#ifdef __x86_64__
	mode = PM_LONG;
#else
	mode = GARGS->arg[0];
#endif
	if (!mode)
		return;			/* paging off */
	pt_pool_init(POOL_START, POOL_END);
	pt_init(&kpt, mode);
	pt_identity(&kpt, IDENTITY);
	/* The test region's upper tables now: PAE latches its PDPTEs. */
	pt_map(&kpt, TEST_VA, FRAME(0), 1, PTE_W);
	pt_set(&kpt, TEST_VA, 1, 0);
	pt_activate(&kpt);
	write_cr0(read_cr0() | X86_CR0_WP);
	if (mode != PM_32) {
		uint64_t efer;

		GUEST_ASSERT_EQ(rdmsr_safe(0xc0000080, &efer), NO_EXCEPTION);
		GUEST_ASSERT_EQ(wrmsr_safe(0xc0000080, efer | (1u << 11)),
				NO_EXCEPTION);
	}
	tss_init();
	idt_set_dpl(USER_RETURN_VEC, 3);
}

static void flush_all(void)
{
	write_cr3(read_cr3());
}

static void map(uint64_t va, uint64_t pa, uint64_t flags)
{
	pt_map(&kpt, va, pa, 1, flags);
	invlpg((void *)(uintptr_t)va);
}

static void unmap(uint64_t va)
{
	pt_set(&kpt, va, 1, 0);
	invlpg((void *)(uintptr_t)va);
}

/* The guest entry that maps @va at level 1, as a guest-physical address. */
static uint64_t __attribute__((unused)) pte_addr(uint64_t va)
{
	uint64_t pt = pt_get(&kpt, va, 2) & (mode == PM_32 ? 0xfffff000ull : ADDR_MASK);

	return mode == PM_32 ? pt + ((va >> 12) & 1023) * 4 :
			       pt + ((va >> 12) & 511) * 8;
}

/* A byte read that may fault: ex_vector, ex_error, ex_cr2 say how. */
static uint8_t __attribute__((unused)) read_safe(uint64_t va)
{
	uint8_t v = 0;

	ex_vector = NO_EXCEPTION;
	asm volatile("1: movb (%1), %0\n2:\n" EX_ENTRY
		     : "+q"(v) : "r"((uintptr_t)va) : "memory");
	return v;
}

/*
 * A #PF handler for instructions with a fixup that may see the fault
 * late: at the instruction, it takes the fixup; after it (the instruction
 * completed as if nothing had happened), it notes that and goes on.
 */
struct ex_entry {
	uintptr_t fault, fixup;
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];
static volatile bool pf_late;

static void __attribute__((unused)) pf_anywhere(struct ex_regs *regs)
{
	const struct ex_entry *e;

	ex_vector = 14;
	ex_error = regs->error;
	ex_cr2 = read_cr2();
	for (e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->fault == regs->ip) {
			regs->ip = e->fixup;
			return;
		}
	}
	pf_late = true;
}

/* What the last instruction with a fixup raised, relative to @base. */
static void report(const char *what, uint64_t base)
{
	if (ex_vector == NO_EXCEPTION)
		guest_printf("%s: no fault\n", what);
	else if (ex_vector == 14)
		guest_printf("%s: #PF error %x cr2 base+%lx%s\n", what, ex_error,
			     (unsigned long)(ex_cr2 - base),
			     pf_late ? ", after the instruction had run" : "");
	else
		guest_printf("%s: vector %u\n", what, ex_vector);
	pf_late = false;
}

/*
 * H_STRADDLE: string I/O elements and SMSW/LMSW operands that straddle
 * two pages, where the second page maps a frame that is not the next one
 * (the frame after the first holds a decoy: 0xdd everywhere).  A is
 * FRAME(0) at SV, B is FRAME(4) at SV + 4096, the decoy FRAME(1).  The
 * host checks every element that goes out; what comes in it sends in
 * order: 0xa4a3a2a1, 0xb1b0, 0xb3b2, 0xb5b4.
 *
 * With arg[1] = 1, operands that fault instead: the second page absent or
 * read-only, or (no straddle at all) a page absent, read-only, or
 * supervisor-only for ring 3.  The CPU faults with CR2 on the page, the
 * instruction does nothing (no port I/O either), and the fixup after it
 * runs.  Port reads (INS) come last: KVM does the read before faulting.
 */
#define SV	(TEST_VA + 0x10000)

/* One REP string I/O instruction (std first when @down), fixup after it. */
#define STRIO(insn, reg, addr, count, port, down) do {			\
	uintptr_t __a = (uintptr_t)(addr);				\
	unsigned long __c = (count);					\
									\
	ex_vector = NO_EXCEPTION;					\
	if (down)							\
		asm volatile("std\n1: rep " insn "\n2: cld\n" EX_ENTRY	\
			     : "+" reg(__a), "+c"(__c) : "d"(port)	\
			     : "memory", "cc");				\
	else								\
		asm volatile("1: rep " insn "\n2:\n" EX_ENTRY		\
			     : "+" reg(__a), "+c"(__c) : "d"(port)	\
			     : "memory", "cc");				\
} while (0)

static void straddle_map(int second)	/* 0: absent, 1: read-only, 2: writable */
{
	map(SV, FRAME(0), PTE_W);
	if (second)
		map(SV + 4096, FRAME(4), second == 2 ? PTE_W : 0);
	else
		unmap(SV + 4096);
}

static void decoy_intact(void)
{
	int i;

	for (i = 0; i < 4096; i++)
		if (*b8(FRAME(1) + i) != 0xdd)
			guest_assert_fail("the decoy frame was touched", __LINE__,
					  i, *b8(FRAME(1) + i));
}

static void expect_bytes(const uint8_t *a, const uint8_t *b)
{
	int i;

	for (i = 0; i < 8; i++) {
		GUEST_ASSERT_EQ(*b8(FRAME(0) + 4088 + i), a[i]);
		GUEST_ASSERT_EQ(*b8(FRAME(4) + i), b[i]);
	}
}

static void straddle_data(void)
{
	static const uint8_t a_in[8] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0xb4, 0xb5, 0xb2 };
	static const uint8_t b_in[8] = { 0xb3, 0xb0, 0xb1, 0x23, 0x24, 0x25, 0x26, 0x27 };
	unsigned long msw, cr0;

	straddle_map(2);
	/* Out: A[4094..4095] B[0..1], and so on (the host checks). */
	STRIO("outsl", "S", SV + 4094, 1, PORT_TEST, false);
	report("outsl at +4094", SV);
	STRIO("outsw", "S", SV + 4095, 1, PORT_TEST, false);
	report("outsw at +4095", SV);
	STRIO("outsl", "S", SV + 4090, 3, PORT_TEST, false);
	report("rep outsl x3 from +4090", SV);
	STRIO("outsl", "S", SV + 4094, 1, PORT_TEST, true);
	report("std; outsl at +4094", SV);
	STRIO("outsw", "S", SV + 4097, 3, PORT_TEST, true);
	report("std; rep outsw x3 from +4097", SV);

	/* In: each byte where it belongs, none in the decoy. */
	STRIO("insl", "D", SV + 4094, 1, PORT_TEST_IN, false);
	report("insl at +4094", SV);
	GUEST_ASSERT_EQ(*b8(FRAME(0) + 4094), 0xa1);
	GUEST_ASSERT_EQ(*b8(FRAME(0) + 4095), 0xa2);
	GUEST_ASSERT_EQ(*b8(FRAME(4) + 0), 0xa3);
	GUEST_ASSERT_EQ(*b8(FRAME(4) + 1), 0xa4);
	STRIO("insw", "D", SV + 4097, 3, PORT_TEST_IN, true);
	report("std; rep insw x3 from +4097", SV);
	expect_bytes(a_in, b_in);
	decoy_intact();
	guest_printf("bytes after the ins: %x %x %x | %x %x %x\n",
		     *b8(FRAME(0) + 4093), *b8(FRAME(0) + 4094),
		     *b8(FRAME(0) + 4095), *b8(FRAME(4)), *b8(FRAME(4) + 1),
		     *b8(FRAME(4) + 2));

	/* SMSW m16 across the two pages: low byte in A, high byte in B. */
	asm volatile("smsw %0" : "=r"(msw));
	asm volatile("smsw (%0)" : : "r"((uintptr_t)(SV + 4095)) : "memory");
	GUEST_ASSERT_EQ(*b8(FRAME(0) + 4095) | *b8(FRAME(4)) << 8, msw & 0xffff);
	/* LMSW m16 across them: sets TS from the byte in A. */
	cr0 = read_cr0();
	*b8(FRAME(0) + 4095) = (cr0 & 0xff) | X86_CR0_TS;
	*b8(FRAME(4)) = cr0 >> 8;
	asm volatile("lmsw (%0)" : : "r"((uintptr_t)(SV + 4095)) : "memory");
	GUEST_ASSERT(read_cr0() & X86_CR0_TS);
	asm volatile("clts");
	decoy_intact();
	guest_printf("smsw/lmsw across the pages: ok\n");
}

#ifdef __x86_64__
/* Ring 3: OUTSB from user_outs_src (IOPL 3), back with "jmp *%rcx". */
asm(".pushsection .user, \"ax\"\n"
    ".globl user_outsb\n"
    "user_outsb:\n"
    "	mov user_outs_src(%rip), %rsi\n"
    "	mov $0x500, %edx\n"		/* PORT_TEST */
    "	outsb\n"
    "	jmp *%rcx\n"
    ".balign 8\n"
    ".globl user_outs_src\n"
    "user_outs_src: .quad 0\n"
    ".popsection");
extern char user_outsb[];
extern volatile uint64_t user_outs_src;

/*
 * A kernel OUTSB from a secret page, then a ring-3 OUTSB from a kernel
 * address: it must fault (P|U) and send nothing.
 */
static void user_outs(void)
{
	uint64_t secret = SV + 0x3000, kernel = SV + 0x4000;
	uint32_t v;

	*b8(FRAME(5)) = 0x5e;
	*b8(FRAME(6)) = 0x6e;
	map(secret, FRAME(5), PTE_W);
	map(kernel, FRAME(6), PTE_W);
	STRIO("outsb", "S", secret, 1, PORT_TEST, false);
	user_outs_src = kernel;
	user_flags |= 3 << 12;			/* IOPL 3 */
	v = run_user(USER_FETCH, (uintptr_t)user_outsb);
	user_flags &= ~(3ul << 12);
	guest_printf("ring 3 outsb from a supervisor page: vector %u error %x cr2 base+%lx\n",
		     v, ex_error, (unsigned long)(ex_cr2 - SV));
}
#endif

static void straddle_faults(void)
{
	set_handler(14, pf_anywhere);
	straddle_map(0);
	unmap(SV + 0x2000);
	STRIO("outsl", "S", SV + 4094, 1, PORT_TEST, false);
	report("outsl at +4094, next page absent", SV);
	STRIO("outsw", "S", SV + 4095, 1, PORT_TEST, false);
	report("outsw at +4095, next page absent", SV);
	STRIO("outsb", "S", SV + 0x2000, 1, PORT_TEST, false);
	report("outsb from an absent page", SV);
	ex_vector = NO_EXCEPTION;
	asm volatile("1: lmsw (%0)\n2:\n" EX_ENTRY
		     : : "r"((uintptr_t)(SV + 4095)) : "memory");
	report("lmsw at +4095, next page absent", SV);
	guest_printf("cr0 bits 0-3 after it: %lx\n", read_cr0() & 0xf);
	asm volatile("clts");
	ex_vector = NO_EXCEPTION;
	asm volatile("1: smsw (%0)\n2:\n" EX_ENTRY
		     : : "r"((uintptr_t)(SV + 0x2000)) : "memory");
	report("smsw to an absent page", SV);
#ifdef __x86_64__
	user_outs();
#endif
	/* The second page read-only: stores into it fault (CR0.WP). */
	straddle_map(1);
	ex_vector = NO_EXCEPTION;
	asm volatile("1: smsw (%0)\n2:\n" EX_ENTRY
		     : : "r"((uintptr_t)(SV + 4095)) : "memory");
	report("smsw at +4095, next page read-only", SV);
	/* Last: KVM does the port read before it faults, minivisor not. */
	STRIO("insl", "D", SV + 4094, 1, PORT_TEST_IN, false);
	report("insl at +4094, next page read-only", SV);
	STRIO("insb", "D", SV + 4096, 1, PORT_TEST_IN, false);
	report("insb into a read-only page", SV);
	decoy_intact();
	set_handler(14, NULL);
}

static void test_straddle(void)
{
	int i;

	for (i = 0; i < 8; i++) {
		*b8(FRAME(0) + 4088 + i) = 0x10 + i;
		*b8(FRAME(4) + i) = 0x20 + i;
	}
	memset((void *)(uintptr_t)FRAME(1), 0xdd, 4096);
	if (GARGS->arg[1])
		straddle_faults();
	else
		straddle_data();
	GUEST_DONE();
}

/*
 * H_PAGE_END: instructions minivisor decodes (a hypercall through #UD, an
 * MMIO access, CR moves, string I/O, INVLPG...) as the last bytes of a
 * page whose next page is not present.  Decoding fetches up to 15 bytes;
 * nothing past the instruction may fault.  Each stub is the instruction
 * and "jmp *%rdi" (ff e7) back, at the very end of FRAME(8) (at CV).
 * Then one instruction across two pages (CV2, FRAME(12) and FRAME(14),
 * FRAME(13) a decoy) storing to MMIO: the host checks its immediate.
 */
#define CV	(TEST_VA + 0x20000)
#define CV2	(TEST_VA + 0x30000)
#define MMIO_VA	(TEST_VA + 0x40000)

static uintptr_t stub_at;

struct stub_regs {
	unsigned long a, b, c, d, si;
};

static void call_stub(struct stub_regs *r)
{
	unsigned long a = r->a, b = r->b, c = r->c, d = r->d, si = r->si;

#ifdef __x86_64__
	asm volatile("lea 1f(%%rip), %%rdi\n\tjmp *%[t]\n1:"
		     : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(si)
		     : [t] "m"(stub_at) : "rdi", "memory", "cc");
#else
	asm volatile("mov $1f, %%edi\n\tjmp *%[t]\n1:"
		     : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(si)
		     : [t] "m"(stub_at) : "edi", "memory", "cc");
#endif
	r->a = a;
	r->b = b;
	r->c = c;
	r->d = d;
	r->si = si;
}

/* Put @n bytes and the jump back at the end of FRAME(8); call them. */
static void page_end(const char *what, const uint8_t *insn, int n,
		     struct stub_regs *r)
{
	uint64_t at = FRAME(8) + 4096 - n - 2;
	uint32_t before = ex_count;
	int i;

	for (i = 0; i < n; i++)
		*b8(at + i) = insn[i];
	*b8(at + n) = 0xff;
	*b8(at + n + 1) = 0xe7;
	stub_at = CV + 4096 - n - 2;
	invlpg((void *)stub_at);
	call_stub(r);
	if (ex_count == before)
		guest_printf("%s at the end of the page: no exception\n", what);
	else
		guest_printf("%s at the end of the page: %u exceptions, last %u\n",
			     what, ex_count - before, ex_vector);
	GUEST_ASSERT_EQ(ex_count, before);
}

static void test_page_end(void)
{
	static const uint8_t vmcall[] = { 0x0f, 0x01, 0xc1 };
	static const uint8_t vmmcall[] = { 0x0f, 0x01, 0xd9 };
	static const uint8_t st[] = { 0x89, 0x03 };		/* mov %eax, (%ebx) */
	static const uint8_t ld[] = { 0x8b, 0x03 };		/* mov (%ebx), %eax */
	static const uint8_t rdcr0[] = { 0x0f, 0x20, 0xc0 };	/* mov %cr0, %eax */
	static const uint8_t wrcr0[] = { 0x0f, 0x22, 0xc0 };	/* mov %eax, %cr0 */
	static const uint8_t smsw[] = { 0x0f, 0x01, 0xe0 };	/* smsw %eax */
	static const uint8_t outsb[] = { 0x6e };
	static const uint8_t inv[] = { 0x0f, 0x01, 0x3b };	/* invlpg (%ebx) */
	static const uint8_t cpuid_[] = { 0x0f, 0xa2 };
	static const uint8_t rdmsr[] = { 0x0f, 0x32 };
	/* movl $0xdeadbeef, (%ebx); jmp *%edi, from 3 bytes before CV2's end */
	static const uint8_t across[] = { 0xc7, 0x03, 0xef, 0xbe, 0xad, 0xde, 0xff, 0xe7 };
	static volatile uint8_t byte = 0x5a;
	struct stub_regs r;
	int i;

	/* Writable: KVM rewrites a VMCALL into a VMMCALL in place. */
	map(CV, FRAME(8), PTE_W);
	unmap(CV + 4096);
	map(MMIO_VA, H_MMIO_GPA, PTE_W);

	r = (struct stub_regs){ .a = MV_HC_PING, .b = 41 };
	page_end("vmcall", vmcall, sizeof(vmcall), &r);
	/* minivisor's answer, or KVM's -KVM_ENOSYS (the same CPUID for both). */
	GUEST_ASSERT(r.a == 42 || r.a == (unsigned long)-1000);
	r = (struct stub_regs){ .a = MV_HC_PING, .b = 99 };
	page_end("vmmcall", vmmcall, sizeof(vmmcall), &r);
	GUEST_ASSERT(r.a == 100 || r.a == (unsigned long)-1000);
	r = (struct stub_regs){ .a = 0x12345678, .b = MMIO_VA };
	page_end("mmio store", st, sizeof(st), &r);
	r = (struct stub_regs){ .b = MMIO_VA + 8 };
	page_end("mmio load", ld, sizeof(ld), &r);
	GUEST_ASSERT_EQ(r.a & 0xffffffff, 0x9abcdef0);
	r = (struct stub_regs){ 0 };
	page_end("mov from cr0", rdcr0, sizeof(rdcr0), &r);
	GUEST_ASSERT_EQ(r.a, read_cr0());
	r = (struct stub_regs){ .a = read_cr0() };
	page_end("mov to cr0", wrcr0, sizeof(wrcr0), &r);
	r = (struct stub_regs){ 0 };
	page_end("smsw", smsw, sizeof(smsw), &r);
	GUEST_ASSERT_EQ(r.a & 0xffff, read_cr0() & 0xffff);
	r = (struct stub_regs){ .d = PORT_TEST, .si = (uintptr_t)&byte };
	page_end("outsb", outsb, sizeof(outsb), &r);
	GUEST_ASSERT_EQ(r.si, (uintptr_t)&byte + 1);
	r = (struct stub_regs){ .b = SV };
	page_end("invlpg", inv, sizeof(inv), &r);
	r = (struct stub_regs){ .a = 0x40000000 };
	page_end("cpuid", cpuid_, sizeof(cpuid_), &r);
	r = (struct stub_regs){ .c = 0x174 };
	page_end("rdmsr", rdmsr, sizeof(rdmsr), &r);

	/* One instruction across two pages on frames that are not adjacent. */
	map(CV2, FRAME(12), 0);
	map(CV2 + 4096, FRAME(14), 0);
	for (i = 0; i < 16; i++)
		*b8(FRAME(13) + i) = 0x11 * (i + 1);
	for (i = 0; i < 8; i++)
		*b8((i < 3 ? FRAME(12) + 4093 : FRAME(14) - 3) + i) = across[i];
	stub_at = CV2 + 4093;
	r = (struct stub_regs){ .b = MMIO_VA + 16 };
	call_stub(&r);
	guest_printf("mmio store across two pages: done\n");
	GUEST_DONE();
}

#ifdef __x86_64__
/*
 * H_NX_VCPUS: vCPU 0 (EFER.NXE=1) maps XV executable at the last level
 * under a directory entry with XD set, so it must not execute there;
 * reading XV first builds the shadow entry.  Then it makes XV's page
 * table unsync (writes another entry of it), and the host has a vCPU with
 * EFER.NXE=0 resync it (a CR3 load at nx_ap_entry, a new vCPU or new
 * registers).  vCPU 0 must still fault on executing XV.
 */
#define XV	(TEST_VA + 0x400000)

void nx_ap_entry(void);
asm(".pushsection .text\n"
    ".globl nx_ap_entry\n"
    "nx_ap_entry:\n"
    "	mov %cr3, %rax\n"
    "	mov %rax, %cr3\n"
    "	hlt\n"
    "	jmp nx_ap_entry\n"
    ".popsection");

static uint8_t ap_stack[4096] __attribute__((aligned(16)));

/* Execute at @va ("jmp *%rcx" there); the #PF error code, or -1. */
static long fetch(uint64_t va)
{
	ex_vector = NO_EXCEPTION;
	fetch_target = (uintptr_t)va;
	asm volatile("lea 1f(%%rip), %%rcx; jmp *%0; 1:"
		     : : "r"((uintptr_t)va) : "rcx", "memory");
	fetch_target = 0;
	return ex_vector == NO_EXCEPTION ? -1 : (long)ex_error;
}

static void test_nx_vcpus(void)
{
	long before, after;

	*(volatile uint16_t *)FRAME(20) = 0xe1ff;	/* jmp *%rcx */
	pt_map(&kpt, XV, FRAME(20), 1, PTE_W);
	pt_set(&kpt, XV, 2, pt_get(&kpt, XV, 2) | PTE_NX);
	flush_all();
	(void)*b8(XV);
	before = fetch(XV);
	ucall(UCALL_SYNC, 1, kpt.cr3, (uintptr_t)nx_ap_entry,
	      (uintptr_t)(ap_stack + sizeof(ap_stack)));
	/* XV's table goes unsync: a write to another entry of it. */
	pt_map(&kpt, XV + 0x1000, FRAME(21), 1, PTE_W);
	GUEST_SYNC(2);
	invlpg((void *)(uintptr_t)XV);
	after = fetch(XV);
	guest_printf("nx under an XD directory: fetch faults with %lx, after the other vCPU resynced %lx\n",
		     before, after);
	GUEST_ASSERT_EQ(before, PF_P | PF_I);
	GUEST_ASSERT_EQ(after, PF_P | PF_I);
	GUEST_DONE();
}

/*
 * H_DOUBLE: UD2 with the stack on a page that is not present: delivering
 * #UD faults (#PF), delivering that #PF faults again: #DF, which comes on
 * a stack of its own (IST 1).  Its handler puts the stack back.
 */
static volatile unsigned long df_seen, df_err, df_cr2, df_saved_sp;
extern char df_resume[];
static uint8_t ist_stack[8192] __attribute__((aligned(16)));

static void df_handler(struct ex_regs *regs)
{
	df_seen++;
	df_err = regs->error;
	df_cr2 = read_cr2();
	regs->ip = (uintptr_t)df_resume;
	regs->sp = df_saved_sp;
}

static void __attribute__((noinline)) test_double(void)
{
	uintptr_t bad = TEST_VA + 0x7000;

	tss_set_ist(1, (uintptr_t)(ist_stack + sizeof(ist_stack)));
	idt_set_ist(8, 1);
	set_handler(8, df_handler);
	asm volatile("mov %%rsp, %[save]\n\t"
		     "mov %[bad], %%rsp\n\t"
		     "ud2\n"
		     ".globl df_resume\n"
		     "df_resume:"
		     : [save] "=m"(df_saved_sp) : [bad] "r"(bad) : "memory");
	guest_printf("a fault delivering a fault: %lu #DF, error %lx, cr2 %lx below the stack\n",
		     df_seen, df_err, bad - df_cr2);
	GUEST_ASSERT_EQ(df_seen, 1);
	GUEST_ASSERT_EQ(df_err, 0);
	GUEST_DONE();
}

/* Ring 3 hypercalls: jumped to by run_user(USER_FETCH, ...). */
asm(".pushsection .user, \"ax\"\n"
    ".globl user_hc_vmmcall\n"
    "user_hc_vmmcall:\n"
    "	mov $0x1000, %eax\n"		/* MV_HC_PING */
    "	vmmcall\n"
    "	mov %rax, user_hc_ret(%rip)\n"
    "	jmp *%rcx\n"
    ".globl user_hc_vmcall\n"
    "user_hc_vmcall:\n"
    "	mov %rcx, %r8\n"
    "	mov $0x1101, %eax\n"		/* MV_HC_BALLOON_INFLATE */
    "	xor %ebx, %ebx\n"
    "	mov $1, %ecx\n"
    "	vmcall\n"
    "	mov %rax, user_hc_ret(%rip)\n"
    "	jmp *%r8\n"
    ".balign 8\n"
    ".globl user_hc_ret\n"
    "user_hc_ret: .quad 0\n"
    ".popsection");
extern char user_hc_vmmcall[], user_hc_vmcall[];
extern volatile long user_hc_ret;

static void test_user_hypercall(void)
{
	uint32_t v;

	user_hc_ret = 0;
	v = run_user(USER_FETCH, (uintptr_t)user_hc_vmmcall);
	guest_printf("vmmcall (ping) from ring 3: exception %u, rax %ld\n", v,
		     user_hc_ret);
	GUEST_ASSERT_EQ(v, NO_EXCEPTION);
	GUEST_ASSERT(user_hc_ret < 0);
	user_hc_ret = 0;
	v = run_user(USER_FETCH, (uintptr_t)user_hc_vmcall);
	guest_printf("vmcall (balloon inflate) from ring 3: exception %u, rax %ld\n",
		     v, user_hc_ret);
	GUEST_ASSERT_EQ(v, NO_EXCEPTION);
	GUEST_ASSERT(user_hc_ret < 0);
	GUEST_DONE();
}

/*
 * H_SELF_TABLE: directory entry 5 of the test region names the directory
 * itself, so the directory is also a page table there, and its entries'
 * frames are pages: SELF + 5 pages is the directory, SELF + 0 pages the
 * test region's first page table.  Read them, write a directory entry
 * through the directory (the store's own translation uses the table it
 * writes), and a page-table entry through it.
 */
#define SELF	(TEST_VA + 5 * 0x200000ull)

static void test_self_table(void)
{
	uint64_t pd = pt_get(&kpt, TEST_VA, 3) & ADDR_MASK, newpt, i;
	volatile uint64_t *pdv = q64(SELF + 5 * 4096), *ptv = q64(SELF);
	uint64_t mask = ~(PTE_A | PTE_D);

	*q64(FRAME(40)) = 0x4040404040404040ull;
	*q64(FRAME(41) + 8) = 0x4141414141414141ull;
	map(TEST_VA + 0x1000, FRAME(42), PTE_W);
	pt_set(&kpt, SELF, 2, pd | PTE_P | PTE_W);
	flush_all();
	for (i = 0; i < 8; i++)
		GUEST_ASSERT_EQ(pdv[i] & mask, q64(pd)[i] & mask);
	guest_printf("self table: the directory read as a page: %llx %llx\n",
		     (unsigned long long)(pdv[0] & mask & ~ADDR_MASK),
		     (unsigned long long)(pdv[5] & mask & ~ADDR_MASK));
	/* A directory entry written through the directory. */
	newpt = (uintptr_t)pt_page();
	q64(newpt)[0] = FRAME(40) | PTE_P | PTE_W;
	pdv[6] = newpt | PTE_P | PTE_W;
	flush_all();
	GUEST_ASSERT_EQ(q64(pd)[6], newpt | PTE_P | PTE_W);
	GUEST_ASSERT_EQ(*q64(TEST_VA + 6 * 0x200000ull), 0x4040404040404040ull);
	/* A page-table entry written through it. */
	GUEST_ASSERT_EQ(ptv[1] & ADDR_MASK, FRAME(42));
	ptv[1] = FRAME(41) | PTE_P | PTE_W;
	invlpg((void *)(uintptr_t)(TEST_VA + 0x1000));
	GUEST_ASSERT_EQ(*q64(TEST_VA + 0x1000 + 8), 0x4141414141414141ull);
	/* And gone again. */
	pdv[5] = 0;
	flush_all();
	GUEST_ASSERT_EQ(q64(pd)[5], 0);
	read_safe(SELF + 5 * 4096);
	report("self table: read after the self entry is gone", SELF);
	GUEST_DONE();
}

/*
 * H_INVLPG_STORM: arg[1] operations on 64 pages of the test region, as a
 * pseudo-random sequence says: map one of 8 frames, unmap, INVLPG (of a
 * mapped page, far away, of a non-canonical address), read and check.
 */
#define STORM_VA	(TEST_VA + 0x1000000)
#define STORM_PAGES	64

static void test_invlpg_storm(void)
{
	static uint8_t where[STORM_PAGES];
	uint64_t n = GARGS->arg[1], i, x = 0x9e3779b97f4a7c15ull, h = 0;
	unsigned long ops[8] = { 0 }, faults = 0;
	int f;

	for (f = 0; f < 8; f++)
		*q64(FRAME(50 + f)) = 0x5050505050505050ull + f;
	for (i = 0; i < n; i++) {
		unsigned int p, op;
		uint64_t va;
		uint8_t v;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		p = (x >> 33) % STORM_PAGES;
		op = (x >> 58) & 7;
		va = STORM_VA + p * 4096ull;
		ops[op]++;
		switch (op) {
		case 0:
			f = (x >> 40) & 7;
			pt_map(&kpt, va, FRAME(50 + f), 1, PTE_W);
			where[p] = f + 1;
			invlpg((void *)(uintptr_t)va);
			break;
		case 1:
			pt_set(&kpt, va, 1, 0);
			where[p] = 0;
			invlpg((void *)(uintptr_t)va);
			break;
		case 2:
			invlpg((void *)(uintptr_t)(va + 0x40000000ull));
			break;
		case 3:
			invlpg((void *)(uintptr_t)(0x8000000000000000ull | (x & 0x7ffffffff000ull)));
			break;
		case 4:
			invlpg((void *)(uintptr_t)va);
			break;
		default:
			v = read_safe(va);
			if (where[p]) {
				GUEST_ASSERT_EQ(ex_vector, NO_EXCEPTION);
				GUEST_ASSERT_EQ(v, 0x50 + where[p] - 1);
			} else {
				GUEST_ASSERT_EQ(ex_vector, 14);
				GUEST_ASSERT_EQ(ex_cr2, va);
				faults++;
			}
			h = (h ^ v ^ (ex_vector << 8)) * 0x100000001b3ull;
			break;
		}
		if (!(i % 10000))
			GUEST_SYNC2(1, i);
	}
	guest_printf("invlpg storm: %llu operations, %lu invlpg, %lu faults, hash %llx\n",
		     (unsigned long long)n, ops[0] + ops[1] + ops[2] + ops[3] + ops[4],
		     faults, (unsigned long long)h);
	GUEST_DONE();
}

/*
 * H_LARGE_PAST_RAM: a 2 MiB page whose frame runs past the end of RAM
 * (arg[1], not a multiple of 2 MiB): its first part is RAM (the host put
 * 0x13579bdf at +0x100), the rest MMIO.
 */
static void test_large_past_ram(void)
{
	uint64_t mem = GARGS->arg[1], pa = (mem - 1) & ~0x1fffffull;
	uint64_t va = TEST_VA + 0x40000000ull;
	uint32_t ram, mmio;

	pt_map(&kpt, va, pa, 2, PTE_W);
	flush_all();
	ram = *(volatile uint32_t *)(uintptr_t)(va + 0x100);
	mmio = *(volatile uint32_t *)(uintptr_t)(va + (mem - pa) + 0x10);
	*(volatile uint32_t *)(uintptr_t)(va + (mem - pa) + 0x20) = 0x77665544;
	guest_printf("2 MiB page past the end of RAM: ram %x, mmio %x\n", ram, mmio);
	GUEST_ASSERT_EQ(ram, 0x13579bdf);
	GUEST_DONE();
}

/*
 * H_BALLOON_SELF: give the balloon a page the guest has mapped and just
 * read (it must read as zeros at once: the host dropped its mappings),
 * and a live page table (its mappings go with it).
 */
static uint64_t blist[MV_BALLOON_BATCH] __attribute__((aligned(4096)));

static void test_balloon_self(void)
{
	uint64_t v = TEST_VA + 0x9000, w = TEST_VA + 0x800000 + 0x3000, pt, i;

	for (i = 0; i < 512; i++)
		q64(FRAME(30))[i] = 0x3030303030303030ull + i;
	map(v, FRAME(30), PTE_W);
	GUEST_ASSERT_EQ(q64(v)[7], 0x3030303030303037ull);
	blist[0] = FRAME(30) >> 12;
	GUEST_ASSERT_EQ(vmmcall(MV_HC_BALLOON_INFLATE, (uintptr_t)blist, 1, 0, 0), 1);
	for (i = 0; i < 512; i++)
		if (q64(v)[i])
			guest_assert_fail("a ballooned page still has data", __LINE__,
					  i, q64(v)[i]);
	guest_printf("balloon: a mapped page given away reads as zeros\n");

	*q64(FRAME(31)) = 0x31;
	map(w, FRAME(31), PTE_W);
	GUEST_ASSERT_EQ(*q64(w), 0x31);
	pt = pt_get(&kpt, w, 2) & ADDR_MASK;
	blist[0] = pt >> 12;
	GUEST_ASSERT_EQ(vmmcall(MV_HC_BALLOON_INFLATE, (uintptr_t)blist, 1, 0, 0), 1);
	invlpg((void *)(uintptr_t)w);
	read_safe(w);
	report("balloon: a read through a page table given away", w);
	GUEST_ASSERT_EQ(ex_vector, 14);
	GUEST_ASSERT_EQ(ex_error, 0);
	GUEST_DONE();
}

/*
 * H_PT_WRITES: the guest's own page-table entry for PV written by INSL
 * (the host sends FRAME(33) | P | W), by REP INSB (FRAME(34) | P | W, a
 * byte at a time), and, if arg[1], by the VMM (SYNC2(1, the entry's
 * address): the host writes FRAME(32) | P | W there).  After each,
 * INVLPG, and PV shows the new frame.
 */
#define PV	(TEST_VA + 0xa000)

static void test_pt_writes(void)
{
	uint64_t pte;
	int f;

	for (f = 32; f < 35; f++)
		*q64(FRAME(f)) = 0x1111111111111111ull * (f - 30);
	map(PV, FRAME(32), PTE_W);
	GUEST_ASSERT_EQ(*q64(PV), 0x2222222222222222ull);
	pte = pte_addr(PV);
	STRIO("insl", "D", pte, 1, PORT_TEST_IN, false);
	invlpg((void *)(uintptr_t)PV);
	GUEST_ASSERT_EQ(*q64(PV), 0x3333333333333333ull);
	STRIO("insb", "D", pte, 8, PORT_TEST_IN, false);
	invlpg((void *)(uintptr_t)PV);
	GUEST_ASSERT_EQ(*q64(PV), 0x4444444444444444ull);
	guest_printf("page-table entry written by insl and rep insb: ok\n");
	if (GARGS->arg[1]) {
		GUEST_SYNC2(1, pte);
		invlpg((void *)(uintptr_t)PV);
		GUEST_ASSERT_EQ(*q64(PV), 0x2222222222222222ull);
		guest_printf("page-table entry written by the VMM: ok\n");
	}
	GUEST_DONE();
}

/*
 * H_LINUX_PT_WRITES: two page-table writes Linux makes while it boots.
 * reset_early_page_tables() clears the live PML4 with REP STOSQ (here
 * slots 2-255, first filled with not-present garbage: every translation,
 * the store's own too, goes through the PML4).  set_pmd() writes the
 * directory that maps set_pmd() itself (here the identity directory that
 * maps this code, through an alias whose own translation does not use
 * it: entry 100 becomes a 2 MiB page of FRAME(0)'s region, then goes).
 */
#define PD_ALIAS	(TEST_VA + 0x3000)
#define BIG_VA		(100 * 0x200000ull)

static void test_linux_pt_writes(void)
{
	volatile uint64_t *pml4 = q64(read_cr3() & ADDR_MASK);
	uint64_t pd = pt_get(&kpt, (uintptr_t)&test_linux_pt_writes, 3) & ADDR_MASK;
	uint64_t i, n = 254, bad = 0;
	void *dst = (void *)&pml4[2];

	for (i = 2; i < 256; i++)
		pml4[i] = 0x1234000 + i * 0x1000;	/* not present */
	asm volatile("cld; rep stosq" : "+D"(dst), "+c"(n) : "a"(0ull) : "memory");
	for (i = 2; i < 256; i++)
		bad += pml4[i] != 0;
	GUEST_ASSERT_EQ(n, 0);
	GUEST_ASSERT_EQ(dst, (void *)&pml4[256]);
	GUEST_ASSERT_EQ(bad, 0);
	map(TEST_VA, FRAME(60), PTE_W);
	*q64(FRAME(60)) = 0x6060606060606060ull;
	GUEST_ASSERT_EQ(*q64(TEST_VA), 0x6060606060606060ull);
	guest_printf("linux pt writes: rep stosq cleared PML4 slots 2-255, slot 1 still maps\n");

	*q64(FRAME(61)) = 0x6161616161616161ull;
	map(PD_ALIAS, pd, PTE_W);
	GUEST_ASSERT_EQ(*q64(PD_ALIAS + 100 * 8), 0);
	*q64(PD_ALIAS + 100 * 8) = (FRAME(0) & ~0x1fffffull) | PTE_P | PTE_W | 0x80;
	flush_all();
	GUEST_ASSERT_EQ(*q64(BIG_VA + (FRAME(61) & 0x1fffff)), 0x6161616161616161ull);
	*q64(PD_ALIAS + 100 * 8) = 0;
	flush_all();
	read_safe(BIG_VA);
	report("linux pt writes: directory entry written from the code it maps, then cleared",
	       BIG_VA);
	GUEST_DONE();
}

/*
 * H_UNSYNC_RELINK: a page table the guest writes directly (minivisor
 * lets it, "unsync"), a present entry of it changed to another frame,
 * then the directory above it written (which unshadows the directory:
 * the path to the table is gone), then INVLPG of the changed page, then
 * another page of the table touched (the path comes back).  The changed
 * page must now show its new frame: the INVLPG said so, though it found
 * no path to the table at the time.
 */
#define UR_Y	(TEST_VA + 0x5000)
#define UR_X	(TEST_VA + 0x6000)

static void test_unsync_relink(void)
{
	uint64_t pd = pt_get(&kpt, UR_Y, 3) & ADDR_MASK;
	volatile uint64_t *pde = q64(pd + ((UR_Y >> 21) & 511) * 8);
	uint64_t v;

	*q64(FRAME(70)) = 0x7070707070707070ull;
	*q64(FRAME(71)) = 0x7171717171717171ull;
	*q64(FRAME(72)) = 0x7272727272727272ull;
	map(UR_Y, FRAME(70), PTE_W);
	map(UR_X, FRAME(72), PTE_W);
	GUEST_ASSERT_EQ(*q64(UR_Y), 0x7070707070707070ull);
	GUEST_ASSERT_EQ(*q64(UR_X), 0x7272727272727272ull);
	*q64(pte_addr(UR_Y)) = FRAME(71) | PTE_P | PTE_W;	/* no flush yet */
	*pde = *pde;						/* the directory, unchanged */
	invlpg((void *)(uintptr_t)UR_Y);
	GUEST_ASSERT_EQ(*q64(UR_X), 0x7272727272727272ull);
	v = *q64(UR_Y);
	guest_printf("unsync relink: after INVLPG the page reads %llx\n", (unsigned long long)v);
	GUEST_ASSERT_EQ(v, 0x7171717171717171ull);
	GUEST_DONE();
}
/*
 * H_PT_RMW: read-modify-write instructions on entries of the live PML4
 * (slots 2-9, not present), through translations that use the PML4: a
 * write minivisor must emulate, for Linux (LOCK OR, LOCK AND, XCHG,
 * CMPXCHG on page-table entries) and kvm-unit-tests (smap's AND, access).
 * Then the same kinds of instruction on MMIO (reads answered with the
 * runner's constant).  Every value, flag and MMIO access must be KVM's.
 */
#define RMW_FLAGS	0x8d5ull
#define RMW_MMIO_VA	(TEST_VA + 0x7000)

static void rmw_report(const char *what, uint64_t v, uint64_t reg, uint64_t f)
{
	guest_printf("rmw %s: mem %llx reg %llx flags %llx\n", what,
		     (unsigned long long)v, (unsigned long long)reg,
		     (unsigned long long)(f & RMW_FLAGS));
}

/* One instruction on *(m) with "a" in RAX, "c" in RCX; flags after it. */
#define RMW_ONE(what, insn, mp, a, c)					\
	do {								\
		volatile uint64_t *_p = (mp);				\
		uint64_t _a = (a), _c = (c), _f;			\
		asm volatile(insn "\n\tpushfq\n\tpopq %[f]"		\
			     : [f] "=r"(_f), "+a"(_a), "+c"(_c)		\
			     : [m] "r"(_p) : "memory", "cc");		\
		rmw_report(what, *_p, _a, _f);				\
	} while (0)

static void rmw_run(volatile uint64_t *e, bool mmio)
{
	int k = 0;

	if (!mmio) {
		e[0] = 0x1210;
		e[1] = 0x1237;
		e[2] = 0x5000;
		e[3] = 0x7000;
		e[4] = 0x8000;
		e[5] = 0xff00;
		e[6] = 0x7ffffffffffffffeull;
		e[7] = 0x123456789abcdef0ull;
	}
	RMW_ONE("lock or", "lock orq $0x20, (%[m])", &e[k++ % 8], 0, 0);
	RMW_ONE("and -5", "andq $-5, (%[m])", &e[k++ % 8], 0, 0);
	RMW_ONE("xchg", "xchgq %%rax, (%[m])", &e[k++ % 8], 0x6000, 0);
	RMW_ONE("cmpxchg equal", "lock cmpxchgq %%rcx, (%[m])", &e[k % 8],
		mmio ? 0x123456789abcdef0ull : 0x7000, 0x7010);
	RMW_ONE("cmpxchg unequal", "lock cmpxchgq %%rcx, (%[m])", &e[k++ % 8], 1, 0x7020);
	RMW_ONE("xadd", "lock xaddq %%rcx, (%[m])", &e[k++ % 8], 0, 0x10);
	RMW_ONE("bts", "lock btsq $1, (%[m])", &e[k % 8], 0, 0);
	RMW_ONE("btr", "btrq $8, (%[m])", &e[k % 8], 0, 0);
	RMW_ONE("btc reg", "lock btcq %%rcx, (%[m])", &e[k % 8], 0, 3);
	RMW_ONE("bt reg", "btq %%rcx, (%[m])", &e[k++ % 8], 0, 9);
	RMW_ONE("add overflow", "addq $2, (%[m])", &e[k % 8], 0, 0);
	RMW_ONE("sub overflow", "subq $4, (%[m])", &e[k % 8], 0, 0);
	RMW_ONE("inc", "lock incq (%[m])", &e[k % 8], 0, 0);
	RMW_ONE("neg", "negq (%[m])", &e[k % 8], 0, 0);
	RMW_ONE("not", "notq (%[m])", &e[k++ % 8], 0, 0);
	RMW_ONE("addl", "addl $0x10000000, (%[m])", &e[k % 8], 0, 0);
	RMW_ONE("orb high", "orb $0x4, 1(%[m])", &e[k % 8], 0, 0);
	RMW_ONE("subw reg", "subw %%cx, 2(%[m])", &e[k % 8], 0, 0x1111);
	RMW_ONE("adc", "stc\n\tadcq %%rcx, (%[m])", &e[k % 8], 0, 0x1);
	RMW_ONE("sbb byte", "stc\n\tsbbb %%cl, 3(%[m])", &e[k % 8], 0, 0x80);
	RMW_ONE("xor reg", "xorq %%rcx, (%[m])", &e[k % 8], 0, 0xf0f0);
	RMW_ONE("add to reg", "addq (%[m]), %%rax", &e[k % 8], 0x10, 0);
	RMW_ONE("cmp", "cmpq $0x7fff, (%[m])", &e[k % 8], 0, 0);
	RMW_ONE("test", "testl $0xff00, (%[m])", &e[k % 8], 0, 0);
	RMW_ONE("dec", "decw (%[m])", &e[k % 8], 0, 0);
}

static void test_pt_rmw(void)
{
	volatile uint64_t *pml4 = q64(read_cr3() & ADDR_MASK);
	int i;

	rmw_run(&pml4[2], false);
	for (i = 2; i < 10; i++)
		pml4[i] = 0;
	flush_all();
	map(TEST_VA, FRAME(62), PTE_W);
	*q64(FRAME(62)) = 0x6262626262626262ull;
	GUEST_ASSERT_EQ(*q64(TEST_VA), 0x6262626262626262ull);
	guest_printf("rmw: the PML4 still maps\n");
	map(RMW_MMIO_VA, H_MMIO_GPA, PTE_W);
	rmw_run(q64(RMW_MMIO_VA), true);
	GUEST_DONE();
}
#endif /* __x86_64__ */

/*
 * H_TRIPLE: end in a triple fault, as arg[1] says.  Paging off, the
 * injected fault is the #GP of a WRMSR minivisor refuses; with paging, a
 * #PF.
 */
static void test_triple(void)
{
	struct {
		uint16_t limit;
		uintptr_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	GUEST_SYNC(1);
	switch (GARGS->arg[1]) {
	case H_TRIPLE_UD:
		asm volatile("lidt %0; ud2" : : "m"(empty));
		break;
	case H_TRIPLE_INJECTED:
		asm volatile("lidt %0" : : "m"(empty));
		if (mode)
			(void)*b8(TEST_VA + 0x5000);
		else
			asm volatile("wrmsr" : : "c"(0xc0011234), "a"(0), "d"(0));
		break;
	case H_TRIPLE_STACK:
		GUEST_ASSERT(mode);
#ifdef __x86_64__
		asm volatile("mov %0, %%rsp; ud2" : : "r"((uintptr_t)(TEST_VA + 0x7000)));
#else
		asm volatile("mov %0, %%esp; ud2" : : "r"((uintptr_t)(TEST_VA + 0x7000)));
#endif
		break;
	}
	GUEST_ASSERT(0);
}

/*
 * H_PT_OUTSIDE: a guest table outside RAM.  The guest tells the host the
 * address it translates and the entry's guest-physical address
 * (ucall SYNC 1, a0, a1), then touches it.  PAE's CR3 outside RAM is a
 * #GP at the load (the PDPTEs cannot be read), which the guest checks.
 */
#define CR3_REG	"r"((unsigned long)H_MMIO_GPA)
extern char cr3_next[];

static void __attribute__((noinline)) test_pt_outside(void)
{
	uint64_t va = TEST_VA + 0x600000 + 0x5000, entry;

	switch (GARGS->arg[1]) {
	case H_OUT_PT:
		pt_set(&kpt, va, 2, H_MMIO_GPA | PTE_P | PTE_W);
		flush_all();
		entry = H_MMIO_GPA + (mode == PM_32 ? ((va >> 12) & 1023) * 4 :
						      ((va >> 12) & 511) * 8);
		ucall(UCALL_SYNC, 1, va, entry, 0);
		(void)*b8(va);
		break;
	case H_OUT_CR3:
		if (mode == PM_PAE) {
			ex_vector = NO_EXCEPTION;
			asm volatile("1: mov %0, %%cr3\n2:\n" EX_ENTRY
				     : : CR3_REG : "memory");
			guest_printf("pae: cr3 outside ram: vector %u\n", ex_vector);
			GUEST_ASSERT_EQ(ex_vector, 13);
			GUEST_DONE();
			return;
		}
		ucall(UCALL_SYNC, 1, (uintptr_t)cr3_next, H_MMIO_GPA, 0);
		asm volatile("mov %0, %%cr3\n"
			     ".globl cr3_next\n"
			     "cr3_next:" : : CR3_REG : "memory");
		break;
	case H_OUT_PDPTE:
		GUEST_ASSERT_EQ(mode, PM_PAE);
		va = 0x80000000ull + 3 * 0x200000ull;
		q64(kpt.cr3 & ~0x1full)[2] = H_MMIO_GPA | PTE_P;
		write_cr3(kpt.cr3);
		ucall(UCALL_SYNC, 1, va, H_MMIO_GPA + 3 * 8, 0);
		(void)*b8(va);
		break;
	}
	GUEST_ASSERT(0);
}

/*
 * H_EXC_LOOP: an exception that never ends: a #PF handler that fixes
 * nothing (arg[1] 0), or single-stepping over "1: jmp 1b" forever with a
 * #DB handler that leaves TF set (1).  Only a signal gets the host back.
 */
static void nothing(struct ex_regs *regs)
{
	(void)regs;
}

static void test_exc_loop(void)
{
	if (GARGS->arg[1] == 0) {
		set_handler(14, nothing);
		GUEST_SYNC(1);
		(void)*b8(TEST_VA + 0x8000);
	} else {
		set_handler(1, nothing);
		GUEST_SYNC(1);
#ifdef __x86_64__
		asm volatile("pushfq; orq $0x100, (%%rsp); popfq; 1: jmp 1b" : : : "memory");
#else
		asm volatile("pushfl; orl $0x100, (%%esp); popfl; 1: jmp 1b" : : : "memory");
#endif
	}
	GUEST_ASSERT(0);
}

#ifndef __x86_64__
/*
 * Paging off (hostile32, mode 0).  H_HUGE_STRING: string I/O with ECX =
 * 0xffffffff from arg[2]: up to the end of RAM (arg[3]), or with DF=1
 * down through address 0.  It never ends in RAM.
 */
static void test_huge_string(void)
{
	unsigned long a = GARGS->arg[2], mem = GARGS->arg[3], c = 0xffffffff, p;

	switch (GARGS->arg[1]) {
	case H_HUGE_INS:
		asm volatile("cld; rep insb" : "+D"(a), "+c"(c)
			     : "d"(PORT_TEST_IN) : "memory");
		break;
	case H_HUGE_OUTS:
		for (p = a; p < mem; p++)
			*b8(p) = p ^ 0x5a;
		asm volatile("cld; rep outsb" : "+S"(a), "+c"(c)
			     : "d"(PORT_TEST) : "memory");
		break;
	case H_HUGE_INS_DOWN:
		asm volatile("std; rep insw; cld" : "+D"(a), "+c"(c)
			     : "d"(PORT_TEST_IN) : "memory");
		break;
	}
	GUEST_ASSERT(0);
}

/* H_REP_MOVS: 16 bytes by REP MOVSB, to or from MMIO or past RAM. */
static uint8_t movs_src[16], movs_dst[16];

static void test_rep_movs(void)
{
	unsigned long mem = GARGS->arg[2], s = (uintptr_t)movs_src,
		      d = (uintptr_t)movs_dst, c = 16;
	int i;

	for (i = 0; i < 16; i++)
		movs_src[i] = 0xe0 + i;
	switch (GARGS->arg[1]) {
	case H_MOVS_TO_MMIO:
		d = H_MMIO_GPA;
		break;
	case H_MOVS_FROM_MMIO:
		s = H_MMIO_GPA;
		break;
	case H_MOVS_PAST_RAM:
		d = mem - 8;
		break;
	}
	ucall(UCALL_SYNC, 1, s, d, 0);
	asm volatile("cld; rep movsb" : "+S"(s), "+D"(d), "+c"(c) : : "memory");
	GUEST_ASSERT(0);
}

/*
 * H_MMIO_EDGE: a 4-byte store or load at RAM's last 2 bytes (half RAM,
 * half MMIO), or a jump to MMIO.  What the guest sees afterwards, if it
 * goes on: SYNC2(2, the value loaded / the RAM word at the edge).
 */
static void test_mmio_edge(void)
{
	unsigned long mem = GARGS->arg[2];
	volatile uint32_t *edge = (volatile uint32_t *)(uintptr_t)(mem - 2);

	*b8(mem - 4) = 0x99;
	*b8(mem - 3) = 0x88;
	*b8(mem - 2) = 0xaa;
	*b8(mem - 1) = 0xbb;
	switch (GARGS->arg[1]) {
	case H_EDGE_STORE:
		GUEST_SYNC(1);
		*edge = 0x44332211;
		GUEST_SYNC2(2, *(volatile uint32_t *)(uintptr_t)(mem - 4));
		break;
	case H_EDGE_LOAD:
		GUEST_SYNC(1);
		GUEST_SYNC2(2, *edge);
		break;
	case H_EDGE_FETCH:
		GUEST_SYNC(1);
		asm volatile("jmp *%0" : : "r"((uintptr_t)H_MMIO_GPA));
		break;
	}
	GUEST_DONE();
}
#endif

int guest_main(void)
{
	setup();
	switch (GARGS->test) {
	case H_STRADDLE: test_straddle(); break;
	case H_PAGE_END: test_page_end(); break;
	case H_TRIPLE: test_triple(); break;
	case H_PT_OUTSIDE: test_pt_outside(); break;
	case H_EXC_LOOP: test_exc_loop(); break;
#ifdef __x86_64__
	case H_NX_VCPUS: test_nx_vcpus(); break;
	case H_DOUBLE: test_double(); break;
	case H_SELF_TABLE: test_self_table(); break;
	case H_INVLPG_STORM: test_invlpg_storm(); break;
	case H_LARGE_PAST_RAM: test_large_past_ram(); break;
	case H_USER_HYPERCALL: test_user_hypercall(); break;
	case H_BALLOON_SELF: test_balloon_self(); break;
	case H_PT_WRITES: test_pt_writes(); break;
	case H_LINUX_PT_WRITES: test_linux_pt_writes(); break;
	case H_UNSYNC_RELINK: test_unsync_relink(); break;
	case H_PT_RMW: test_pt_rmw(); break;
#else
	case H_HUGE_STRING: test_huge_string(); break;
	case H_REP_MOVS: test_rep_movs(); break;
	case H_MMIO_EDGE: test_mmio_edge(); break;
#endif
	default:
		guest_printf("unknown test %u\n", GARGS->test);
		return 0x7e;
	}
	return 0;
}
