// SPDX-License-Identifier: GPL-2.0
/*
 * Exit tests in 32-bit protected mode with paging off.  The host picks a
 * sub-test through GARGS->test and checks what reaches it; the guest checks
 * what comes back.
 */
#include "guest.h"

static uint8_t buf[4096] __attribute__((aligned(4096)));

static void test_pio(void)
{
	uint16_t words[4] = { 0x1111, 0x2222, 0x3333, 0x4444 };
	const uint16_t *p;
	uint8_t *q;
	uint32_t i, n;

	outb(PORT_TEST, 0x12);
	outw(PORT_TEST, 0x3456);
	outl(PORT_TEST, 0x789abcde);
	GUEST_ASSERT_EQ(inb(PORT_TEST_IN), 0xa5);
	GUEST_ASSERT_EQ(inw(PORT_TEST_IN), 0xa5a6);
	GUEST_ASSERT_EQ(inl(PORT_TEST_IN), 0xa5a6a7a8);

	/* REP OUTSW forwards, then backwards. */
	p = words;
	n = 4;
	asm volatile("cld; rep outsw" : "+S"(p), "+c"(n) : "d"(PORT_TEST)
		     : "memory");
	GUEST_ASSERT_EQ(n, 0);
	GUEST_ASSERT(p == &words[4]);
	p = &words[3];
	n = 4;
	asm volatile("std; rep outsw; cld" : "+S"(p), "+c"(n) : "d"(PORT_TEST)
		     : "memory");
	GUEST_ASSERT_EQ((uintptr_t)p, (uintptr_t)words - 2);
	/* REP INSB of 3000 bytes (host sends i & 0xff), then INSL backwards. */
	memset(buf, 0, sizeof(buf));
	q = buf;
	n = 3000;
	asm volatile("cld; rep insb" : "+D"(q), "+c"(n) : "d"(PORT_TEST_IN)
		     : "memory");
	GUEST_ASSERT_EQ(n, 0);
	for (i = 0; i < 3000; i++)
		GUEST_ASSERT_EQ(buf[i], i & 0xff);
	q = &buf[3000 + 12];
	n = 4;
	asm volatile("std; rep insl; cld" : "+D"(q), "+c"(n) : "d"(PORT_TEST_IN)
		     : "memory");
	for (i = 0; i < 4; i++)
		GUEST_ASSERT_EQ(((uint32_t *)&buf[3000])[i], 3 - i);
	GUEST_DONE();
}

static void test_mmio(void)
{
	volatile uint8_t *m8 = (void *)(uintptr_t)GARGS->arg[0];
	volatile uint16_t *m16 = (void *)m8;
	volatile uint32_t *m32 = (void *)m8;
	uint32_t v;
	int32_t s;

	m8[1] = 0x11;				/* mov r8 -> m8 */
	m16[1] = 0x2233;			/* mov r16 -> m16 */
	m32[1] = 0x44556677;			/* mov r32 -> m32 */
	asm volatile("movb $0x88, (%0)" : : "r"(m8 + 3) : "memory");
	asm volatile("movl $0x99aabbcc, (%0)" : : "r"(m32 + 3) : "memory");
	asm volatile("mov %%al, %c0" : : "i"(0xd0000040), "a"(0xee) : "memory");
	GUEST_ASSERT_EQ(m8[0x10], 0x81);	/* loads: host answers */
	GUEST_ASSERT_EQ(m16[0x10], 0x8281);
	GUEST_ASSERT_EQ(m32[0x10], 0x84838281);
	asm volatile("movzbl (%1), %0" : "=r"(v) : "r"(m8 + 0x40));
	GUEST_ASSERT_EQ(v, 0x81);
	asm volatile("movswl (%1), %0" : "=r"(s) : "r"(m8 + 0x40));
	GUEST_ASSERT_EQ(s, (int16_t)0x8281);
	asm volatile("mov %c1, %%eax" : "=a"(v) : "i"(0xd0000080));
	GUEST_ASSERT_EQ(v, 0x84838281);
	GUEST_DONE();
}

static void test_hlt(void)
{
	cli();
	asm volatile("hlt");
	GUEST_SYNC(1);
	GUEST_DONE();
}

static volatile uint32_t irqs, irq_vector_seen;

static void irq_handler(struct ex_regs *regs)
{
	irqs++;
	irq_vector_seen = regs->vector;
}

static void test_irq(void)
{
	int i;

	set_handler(0x30, irq_handler);
	/* Halt with interrupts on: the host injects one while we sleep. */
	GUEST_SYNC(1);
	asm volatile("sti; hlt; cli");
	GUEST_ASSERT_EQ(irqs, 1);
	GUEST_ASSERT_EQ(irq_vector_seen, 0x30);
	/* Raised while we run with IF=0: taken right after STI (and the
	 * instruction after it, in the interrupt shadow). */
	GUEST_SYNC(2);
	for (i = 0; i < 1000; i++)
		asm volatile("pause");
	GUEST_ASSERT_EQ(irqs, 1);
	asm volatile("sti; nop; cli");
	GUEST_ASSERT_EQ(irqs, 2);
	GUEST_DONE();
}

static void test_cpuid(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	GUEST_ASSERT(c & (1u << 31));		/* hypervisor present */
	GUEST_ASSERT(!(c & (1u << 5)));		/* no VMX */
	GUEST_ASSERT(!(c & (1u << 26)));	/* no XSAVE */
	cpuid(0x80000001, 0, &a, &b, &c, &d);
	GUEST_ASSERT(!(c & (1u << 2)));		/* no SVM */
	cpuid(0x40000000, 0, &a, &b, &c, &d);
	GUEST_ASSERT_EQ(b, 0x696e694d);		/* "MiniVisor" */
	GUEST_ASSERT_EQ(c, 0x6f736956);
	GUEST_ASSERT_EQ(d, 0x72);
	GUEST_SYNC2(1, a);
	/* Timing leaf: TSC and APIC bus kHz, both non-zero. */
	cpuid(0x40000010, 0, &a, &b, &c, &d);
	GUEST_ASSERT(a != 0);
	GUEST_ASSERT_EQ(b, 1000000);
	/* A leaf the host put in the table. */
	cpuid(0x4000beef, 7, &a, &b, &c, &d);
	GUEST_ASSERT_EQ(a, 0x1234);
	GUEST_ASSERT_EQ(b, 0x5678);
	GUEST_ASSERT_EQ(c, 0x9abc);
	GUEST_ASSERT_EQ(d, 0xdef0);
	/* An absent leaf reads as zeros. */
	cpuid(0x4000dead, 0, &a, &b, &c, &d);
	GUEST_ASSERT_EQ(a | b | c | d, 0);
	GUEST_DONE();
}

static void test_msr(void)
{
	uint64_t v, t1, t2;

	GUEST_ASSERT_EQ(wrmsr_safe(0x174, 0x10), NO_EXCEPTION);	/* SYSENTER_CS */
	GUEST_ASSERT_EQ(rdmsr_safe(0x174, &v), NO_EXCEPTION);
	GUEST_ASSERT_EQ(v, 0x10);
	GUEST_ASSERT_EQ(wrmsr_safe(0x277, 0x0007040600070406ull), NO_EXCEPTION);
	GUEST_ASSERT_EQ(wrmsr_safe(0x277, 0x0007040600070402ull), 13); /* bad PAT */
	GUEST_ASSERT_EQ(ex_error, 0);
	GUEST_ASSERT_EQ(rdmsr_safe(0x10, &t1), NO_EXCEPTION);	/* TSC */
	GUEST_ASSERT_EQ(rdmsr_safe(0x10, &t2), NO_EXCEPTION);
	GUEST_ASSERT(t2 > t1);
	GUEST_ASSERT_EQ(rdmsr_safe(0xc0000080, &v), NO_EXCEPTION); /* EFER */
	GUEST_ASSERT_EQ(v & (1u << 12), 0);		/* SVME is ours */
	GUEST_ASSERT_EQ(wrmsr_safe(0xc0000080, v | (1u << 12)), 13);
	GUEST_ASSERT_EQ(wrmsr_safe(0xc0000082, 0x8000000000000000ull), 13);
	GUEST_ASSERT_EQ(rdmsr_safe(0x48, &v), 13);	/* SPEC_CTRL: hidden */
	GUEST_ASSERT_EQ(rdmsr_safe(0xc0011234, &v), 13);
	GUEST_ASSERT_EQ(wrmsr_safe(0x1b, 0), 13);	/* no APIC */
	GUEST_DONE();
}

static void test_hypercall(void)
{
	GUEST_ASSERT_EQ(vmmcall(MV_HC_PING, 41, 0, 0, 0), 42);
	GUEST_ASSERT_EQ(vmmcall(MV_HC_API_VERSION, 0, 0, 0, 0), MV_API_VERSION);
	GUEST_ASSERT_EQ(vmmcall(0xdead, 1, 2, 3, 4), -(long)MV_HC_ENOSYS);
	/* The other vendor's instruction works alike. */
	GUEST_ASSERT_EQ(vmcall(MV_HC_PING, 99, 0, 0, 0), 100);
	GUEST_ASSERT_EQ(vmcall(MV_HC_API_VERSION, 0, 0, 0, 0), MV_API_VERSION);
	GUEST_ASSERT_EQ(vmcall(0xdead, 1, 2, 3, 4), -(long)MV_HC_ENOSYS);
	/* Any other #UD is still the guest's. */
	GUEST_ASSERT_EQ(ud2_safe(), 6);
	GUEST_DONE();
}

static void test_triple(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	GUEST_SYNC(1);
	asm volatile("lidt %0; ud2" : : "m"(empty));
	GUEST_ASSERT(0);
}

static volatile uint32_t db_hits, bp_hits;

static void bp_handler(struct ex_regs *regs)
{
	(void)regs;
	bp_hits++;
}

static void db_handler(struct ex_regs *regs)
{
	db_hits++;
	regs->flags &= ~(1u << 8);	/* TF off */
}

static void test_exceptions(void)
{
	/* Instructions minivisor refuses with #UD. */
	ex_vector = NO_EXCEPTION;
	asm volatile("1: vmload\n2:\n" EX_ENTRY : : "a"(0) : "memory");
	GUEST_ASSERT_EQ(ex_vector, 6);
	ex_vector = NO_EXCEPTION;
	asm volatile("1: stgi\n2:\n" EX_ENTRY : : : "memory");
	GUEST_ASSERT_EQ(ex_vector, 6);
	ex_vector = NO_EXCEPTION;
	asm volatile("1: vmrun\n2:\n" EX_ENTRY : : "a"(0) : "memory");
	GUEST_ASSERT_EQ(ex_vector, 6);
	ex_vector = NO_EXCEPTION;
	asm volatile("1: clgi\n2:\n" EX_ENTRY : : : "memory");
	GUEST_ASSERT_EQ(ex_vector, 6);
	/* A breakpoint goes to the guest directly. */
	set_handler(3, bp_handler);
	asm volatile("int3" : : : "memory");
	GUEST_ASSERT_EQ(bp_hits, 1);
	/* A single step: #DB is intercepted and reflected. */
	set_handler(1, db_handler);
	asm volatile("pushf; orl $0x100, (%%esp); popf; nop; nop" : : : "memory");
	GUEST_ASSERT_EQ(db_hits, 1);
	GUEST_DONE();
}

static void test_cr_dr(void)
{
	unsigned long cr0 = read_cr0(), v;

	GUEST_ASSERT(cr0 & 1);				/* PE */
	GUEST_ASSERT(!(cr0 & 0x80000000));		/* paging off */
	write_cr0(cr0 | 8);				/* TS */
	GUEST_ASSERT(read_cr0() & 8);
	asm volatile("clts");
	GUEST_ASSERT(!(read_cr0() & 8));
	asm volatile("smsw %0" : "=r"(v));
	GUEST_ASSERT_EQ(v & 0xffff, read_cr0() & 0xffff);
	GUEST_ASSERT_EQ(read_cr4(), 0);
	write_cr4(1u << 9);				/* OSFXSR */
	GUEST_ASSERT_EQ(read_cr4(), 1u << 9);
	ex_vector = NO_EXCEPTION;			/* OSXSAVE is not offered */
	asm volatile("1: mov %0, %%cr4\n2:\n" EX_ENTRY
		     : : "r"((1ul << 18) | (1ul << 9)) : "memory");
	GUEST_ASSERT_EQ(ex_vector, 13);
	ex_vector = NO_EXCEPTION;			/* PG without PE */
	asm volatile("1: mov %0, %%cr0\n2:\n" EX_ENTRY
		     : : "r"(0x80000000ul) : "memory");
	GUEST_ASSERT_EQ(ex_vector, 13);
	asm volatile("mov %0, %%dr0" : : "r"(0x1234ul));
	asm volatile("mov %%dr0, %0" : "=r"(v));
	GUEST_ASSERT_EQ(v, 0x1234);
	asm volatile("mov %%dr7, %0" : "=r"(v));
	GUEST_ASSERT_EQ(v, 0x400);
	asm volatile("invd; wbinvd");
	GUEST_DONE();
}

static void test_bad_mmio(void)
{
	volatile uint32_t *m = (void *)(uintptr_t)GARGS->arg[0];

	/* a shift: not one the emulator knows (ADD and its kin it runs) */
	asm volatile("shll $1, (%0)" : : "r"(m) : "memory");
	GUEST_ASSERT(0);
}

static void test_progress(void)
{
	uint32_t n = 0;

	for (;;) {
		outl(PORT_TEST, n++);
		for (int i = 0; i < 1000; i++)
			asm volatile("pause");
	}
}

static void test_touch(void)
{
	uint32_t start = GARGS->arg[0], pages = GARGS->arg[1], i;

	for (i = 0; i < pages; i++)
		*(volatile uint32_t *)(uintptr_t)(start + i * 4096) = i ^ 0x5a5a5a5a;
	for (i = 0; i < pages; i++)
		GUEST_ASSERT_EQ(*(volatile uint32_t *)(uintptr_t)(start + i * 4096),
				i ^ 0x5a5a5a5a);
	GUEST_DONE();
}

int guest_main(void)
{
	switch (GARGS->test) {
	case T_PIO: test_pio(); break;
	case T_MMIO: test_mmio(); break;
	case T_HLT: test_hlt(); break;
	case T_IRQ: test_irq(); break;
	case T_CPUID: test_cpuid(); break;
	case T_MSR: test_msr(); break;
	case T_HYPERCALL: test_hypercall(); break;
	case T_TRIPLE: test_triple(); break;
	case T_EXCEPTIONS: test_exceptions(); break;
	case T_CR_DR: test_cr_dr(); break;
	case T_BAD_MMIO: test_bad_mmio(); break;
	case T_SPIN: for (;;) ; break;
	case T_PROGRESS: test_progress(); break;
	case T_TOUCH: test_touch(); break;
	default:
		guest_printf("unknown test %u\n", GARGS->test);
		return 0x7e;
	}
	return 0;
}
