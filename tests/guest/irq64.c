// SPDX-License-Identifier: GPL-2.0
/*
 * irq64.bin: the interrupt controllers and timers of a PC as a guest sees
 * them -- local APIC (xAPIC page and x2APIC MSRs), I/O APIC, the 8259
 * pair and the 8254 -- for irqchip_test.c, which runs every test here
 * under minivisor's irqchip and KVM's (KVM_CREATE_IRQCHIP) in one boot.
 *
 * Each test checks what the architecture promises with GUEST_ASSERT, and
 * reports what it saw (IRQ_REPORT: compared with KVM's run, value for
 * value) and how long things took (IRQ_MEASURE: printed).  Lines are the
 * host's to drive: IRQ_LINE asks it to set a GSI and waits.
 */
#include "guest.h"

#define APIC_PHYS	0xfee00000ul
#define IOAPIC_PHYS	0xfec00000ul

#define APIC_ID		0x20
#define APIC_LVR	0x30
#define APIC_TPR	0x80
#define APIC_APR	0x90
#define APIC_PPR	0xa0
#define APIC_EOI	0xb0
#define APIC_LDR	0xd0
#define APIC_DFR	0xe0
#define APIC_SVR	0xf0
#define APIC_ISR	0x100
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_ICR	0x300
#define APIC_ICR2	0x310
#define APIC_LVTT	0x320
#define APIC_LVTTHER	0x330
#define APIC_LVTPC	0x340
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0

#define MASKED		(1u << 16)
#define PERIODIC	(1u << 17)
#define TSC_DEADLINE	(2u << 17)
#define ICR_SELF	(1u << 18)
#define ICR_ALL		(2u << 18)
#define ICR_ALLBUT	(3u << 18)
#define ICR_ASSERT	(1u << 14)
#define ICR_LOGICAL	(1u << 11)
#define DM_NMI		(4u << 8)
#define DM_INIT		(5u << 8)
#define DM_SIPI		(6u << 8)
#define DM_LOWEST	(1u << 8)
#define ICR_LEVEL	(1u << 15)

#define MSR_APIC_BASE	0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define X2APIC_MSR(off)	(0x800 + ((off) >> 4))

static uint64_t pd_high[512] __attribute__((aligned(4096)));
static volatile uint32_t *const apic = (volatile uint32_t *)APIC_PHYS;
static volatile uint32_t *const ioapic = (volatile uint32_t *)IOAPIC_PHYS;
static bool x2;
static uint32_t tsc_khz;

/* The log of interrupts: a vector when taken, 0x100 | vector when done. */
static volatile uint32_t ilog[64];
static volatile unsigned int nlog;
static volatile unsigned int count[64];
static volatile uint64_t last_tsc[64];
static void (*volatile hook[64])(int vector);
static volatile bool no_eoi;

/* What the interrupts did, printed when an assertion fails. */
static void dump_state(void)
{
	unsigned int i;

	guest_printf("interrupts taken:");
	for (i = 0; i < 64; i++)
		if (count[i])
			guest_printf(" %x:%u", i, count[i]);
	guest_printf("\nlog:");
	for (i = 0; i < nlog; i++)
		guest_printf(" %x", ilog[i]);
	guest_printf("\nIRR %x ISR %x (APIC, vectors 32-63) PPR %x LVT0 %x\n",
		     apic[(APIC_IRR + 0x10) >> 2], apic[(APIC_ISR + 0x10) >> 2],
		     apic[APIC_PPR >> 2], apic[APIC_LVT0 >> 2]);
	outb(0x20, 0x0a);
	outb(0xa0, 0x0a);
	guest_printf("PIC IRR %x/%x IMR %x/%x", inb(0x20), inb(0xa0),
		     inb(0x21), inb(0xa1));
	outb(0x20, 0x0b);
	outb(0xa0, 0x0b);
	guest_printf(" ISR %x/%x\n", inb(0x20), inb(0xa0));
}

#undef GUEST_ASSERT
#undef GUEST_ASSERT_EQ
#define GUEST_ASSERT(c) do {						\
	if (!(c)) {							\
		dump_state();						\
		guest_assert_fail(#c, __LINE__, 0, 0);			\
	}								\
} while (0)
#define GUEST_ASSERT_EQ(a, b) do {					\
	uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);		\
	if (__a != __b) {						\
		dump_state();						\
		guest_assert_fail(#a " == " #b, __LINE__, __a, __b);	\
	}								\
} while (0)

static void report(uint64_t tag, uint64_t val)
{
	ucall(UCALL_SYNC, IRQ_REPORT, tag, val, 0);
}

static void measure(uint64_t tag, uint64_t ns)
{
	ucall(UCALL_SYNC, IRQ_MEASURE, tag, ns, 0);
}

static void set_line(uint32_t gsi, uint32_t level)
{
	ucall(UCALL_SYNC, IRQ_LINE, gsi, level, 0);
}

static void signal_msi(uint64_t address, uint32_t data)
{
	ucall(UCALL_SYNC, IRQ_MSI, address, data, 0);
}

static uint32_t apic_read(uint32_t off)
{
	uint64_t v = 0;

	if (!x2)
		return apic[off >> 2];
	GUEST_ASSERT_EQ(rdmsr_safe(X2APIC_MSR(off), &v), NO_EXCEPTION);
	return v;
}

static void apic_write(uint32_t off, uint32_t v)
{
	if (!x2)
		apic[off >> 2] = v;
	else
		GUEST_ASSERT_EQ(wrmsr_safe(X2APIC_MSR(off), v), NO_EXCEPTION);
}

static void eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static void send_ipi(uint32_t dest, uint32_t icr)
{
	if (x2) {
		GUEST_ASSERT_EQ(wrmsr_safe(X2APIC_MSR(APIC_ICR),
					   ((uint64_t)dest << 32) | icr), NO_EXCEPTION);
		return;
	}
	apic[APIC_ICR2 >> 2] = dest << 24;
	apic[APIC_ICR >> 2] = icr;
}

static void self_ipi(int vector)
{
	send_ipi(0, ICR_SELF | ICR_ASSERT | vector);
}

static uint64_t ns_since(uint64_t tsc0, uint64_t tsc1)
{
	return (tsc1 - tsc0) * 1000000 / tsc_khz;
}

static uint64_t tsc_in(uint64_t ns)
{
	return ns * tsc_khz / 1000000;
}

static void irq_handler(struct ex_regs *r)
{
	int v = r->vector;

	last_tsc[v] = rdtsc();
	count[v]++;
	if (nlog < 64)
		ilog[nlog++] = v;
	if (hook[v])
		hook[v](v);
	if (nlog < 64)
		ilog[nlog++] = 0x100 | v;
	if (!no_eoi)
		eoi();
}

/* Wait with interrupts on until @n interrupts of @vector (or @ns pass). */
static bool wait_count(int vector, unsigned int n, uint64_t ns)
{
	uint64_t end = rdtsc() + tsc_in(ns);

	sti();
	while (count[vector] < n && rdtsc() < end)
		asm volatile("pause");
	cli();
	return count[vector] >= n;
}

/* Let any interrupt pending be taken: STI's shadow, then one more. */
static void open_window(void)
{
	asm volatile("sti; nop; nop; cli" ::: "memory");
}

static void reset_log(void)
{
	int i;

	nlog = 0;
	for (i = 0; i < 64; i++) {
		count[i] = 0;
		hook[i] = 0;
	}
}

static void report_log(uint64_t tag)
{
	unsigned int i;

	report(tag, nlog);
	for (i = 0; i < nlog; i++)
		report(tag + 1 + i, ilog[i]);
}

/* The APIC and I/O APIC pages, above the first GiB crt64.S maps. */
static void map_apic(void)
{
	uint64_t *pml4 = (uint64_t *)(read_cr3() & ~0xfffull);
	uint64_t *pdpt = (uint64_t *)(pml4[0] & 0xffffffffff000ull);
	uint32_t a, b, c, d;

	pd_high[(IOAPIC_PHYS >> 21) & 511] = IOAPIC_PHYS | 0x9b;	/* P W PWT PCD PS */
	pd_high[(APIC_PHYS >> 21) & 511] = APIC_PHYS | 0x9b;
	pdpt[3] = (uintptr_t)pd_high | 3;
	write_cr3(read_cr3());
	cpuid(0x40000010, 0, &a, &b, &c, &d);
	tsc_khz = a;
	GUEST_ASSERT(tsc_khz);
}

static void apic_enable(void)
{
	apic_write(APIC_SVR, 0x1ff);
}

/* I_REGS ------------------------------------------------------------ */

static const uint16_t plain_regs[] = {
	APIC_ID, APIC_LVR, APIC_TPR, APIC_APR, APIC_PPR, APIC_LDR, APIC_DFR,
	APIC_SVR, APIC_ESR, APIC_ICR, APIC_ICR2, APIC_LVTT, APIC_LVTTHER,
	APIC_LVTPC, APIC_LVT0, APIC_LVT1, APIC_LVTERR, APIC_TMICT, APIC_TMCCT,
	APIC_TDCR,
};

/* What each writable register keeps of a write of all ones. */
static const struct { uint16_t off; uint32_t val, restore; } probes[] = {
	/* KVM on SVM keeps TPR[3:0] only while CR8 writes are intercepted. */
	{ APIC_TPR, 0xfffffff0, 0 },
	{ APIC_LDR, 0xffffffff, 0 },
	{ APIC_DFR, 0x0fffffff, 0xffffffff },
	{ APIC_ICR2, 0xffffffff, 0 },
	{ APIC_TDCR, 0xffffffff, 0 },
	{ APIC_LVTT, 0xfffeefff & ~(3u << 17), MASKED },
	{ APIC_LVTTHER, 0xffffefff, MASKED },
	{ APIC_LVTPC, 0xffffefff, MASKED },
	{ APIC_LVT0, 0xffffefff, 0x700 },
	{ APIC_LVT1, 0xffffefff, MASKED },
	{ APIC_LVTERR, 0xffffefff, MASKED },
	{ APIC_SVR, 0xffffffff, 0x1ff },
	{ APIC_ID, 0xffffffff, 0 },
};

static void test_regs(void)
{
	uint64_t base;
	unsigned int i;

	GUEST_ASSERT_EQ(rdmsr_safe(MSR_APIC_BASE, &base), NO_EXCEPTION);
	GUEST_ASSERT_EQ(base, 0xfee00900);	/* enabled, BSP */
	report(1, base);
	for (i = 0; i < sizeof(plain_regs) / sizeof(plain_regs[0]); i++)
		report(plain_regs[i], apic_read(plain_regs[i]));
	for (i = 0; i < 8; i++) {
		report(APIC_ISR + 0x10 * i, apic_read(APIC_ISR + 0x10 * i));
		report(APIC_TMR + 0x10 * i, apic_read(APIC_TMR + 0x10 * i));
		report(APIC_IRR + 0x10 * i, apic_read(APIC_IRR + 0x10 * i));
	}
	GUEST_ASSERT_EQ(apic_read(APIC_LVR) & 0xff, 0x14);
	GUEST_ASSERT_EQ(apic_read(APIC_SVR), 0xff);
	GUEST_ASSERT_EQ(apic_read(APIC_DFR), 0xffffffff);
	GUEST_ASSERT_EQ(apic_read(APIC_LVTT), MASKED);
	GUEST_ASSERT_EQ(apic_read(APIC_LVT0), 0x700);	/* ExtINT on the BSP */
	/* Enabled first: a software-disabled APIC keeps every LVT masked. */
	apic_enable();
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		apic_write(probes[i].off, probes[i].val);
		report(0x1000 | probes[i].off, apic_read(probes[i].off));
		apic_write(probes[i].off, probes[i].restore);
		GUEST_ASSERT_EQ(apic_read(probes[i].off), probes[i].restore);
	}
	/* A masked timer still counts down. */
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, MASKED | 0x30);
	apic_write(APIC_TMICT, 100000000);
	report(0x2000, apic_read(APIC_TMICT));
	GUEST_ASSERT(apic_read(APIC_TMCCT) > 0);
	GUEST_ASSERT(apic_read(APIC_TMCCT) <= 100000000);
	apic_write(APIC_TMICT, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	/* Software-disabled: LVT writes stay masked. */
	apic_write(APIC_SVR, 0xff);
	apic_write(APIC_LVT1, 0x400);
	report(0x2001, apic_read(APIC_LVT1));
	GUEST_ASSERT(apic_read(APIC_LVT1) & MASKED);
	apic_enable();
	apic_write(APIC_ESR, 0);
	report(0x2002, apic_read(APIC_ESR));
}

/* I_PRIORITY -------------------------------------------------------- */

static volatile uint32_t seen_isr, seen_ppr;

static void nest_higher(int vector)
{
	(void)vector;
	self_ipi(0x3a);		/* class 3 over class 2: taken at once */
	open_window();
	asm volatile("sti; nop; nop" ::: "memory");
}

static void nest_same(int vector)
{
	seen_isr = apic_read(APIC_ISR + 0x10 * (vector >> 5)) & (1u << (vector & 31));
	seen_ppr = apic_read(APIC_PPR);
	self_ipi(0x35);		/* class 3 again: waits for the EOI */
	open_window();
}

static void test_priority(void)
{
	static const uint8_t order[] = { 0x3a, 0x35, 0x31, 0x2f, 0x21 };
	unsigned int i;

	apic_enable();
	reset_log();
	self_ipi(0x31);
	self_ipi(0x3a);
	self_ipi(0x35);
	self_ipi(0x21);
	self_ipi(0x2f);
	report(1, apic_read(APIC_IRR + 0x10));
	GUEST_ASSERT_EQ(apic_read(APIC_IRR + 0x10), (1u << 0x11) | (1u << 0x1a) |
			(1u << 0x15) | (1u << 0x01) | (1u << 0x0f));
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0);
	open_window();
	/* Highest first, each after the EOI of the one before. */
	GUEST_ASSERT_EQ(nlog, 10);
	for (i = 0; i < 5; i++) {
		GUEST_ASSERT_EQ(ilog[2 * i], order[i]);
		GUEST_ASSERT_EQ(ilog[2 * i + 1], 0x100 | order[i]);
	}
	report_log(0x100);
	GUEST_ASSERT_EQ(apic_read(APIC_IRR + 0x10), 0);
	GUEST_ASSERT_EQ(apic_read(APIC_ISR + 0x10), 0);

	/* A higher class nests; the same class waits. */
	reset_log();
	hook[0x21] = nest_higher;
	hook[0x3a] = nest_same;
	self_ipi(0x21);
	open_window();
	report_log(0x200);
	GUEST_ASSERT_EQ(nlog, 6);
	GUEST_ASSERT_EQ(ilog[0], 0x21);
	GUEST_ASSERT_EQ(ilog[1], 0x3a);
	GUEST_ASSERT_EQ(ilog[2], 0x13a);
	GUEST_ASSERT_EQ(ilog[3], 0x35);
	GUEST_ASSERT_EQ(ilog[4], 0x135);
	GUEST_ASSERT_EQ(ilog[5], 0x121);
	GUEST_ASSERT(seen_isr);
	GUEST_ASSERT_EQ(seen_ppr, 0x30);
	report(0x300, seen_ppr);

	/* Without EOI the ISR keeps the vector and PPR its class. */
	reset_log();
	no_eoi = true;
	self_ipi(0x35);
	open_window();
	no_eoi = false;
	GUEST_ASSERT_EQ(count[0x35], 1);
	GUEST_ASSERT(apic_read(APIC_ISR + 0x10) & (1u << 0x15));
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0x30);
	self_ipi(0x36);
	open_window();
	GUEST_ASSERT_EQ(count[0x36], 0);	/* same class as in service */
	report(0x301, apic_read(APIC_PPR));
	eoi();					/* the 0x35 */
	open_window();
	GUEST_ASSERT_EQ(count[0x36], 1);
	GUEST_ASSERT_EQ(apic_read(APIC_ISR + 0x10), 0);
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0);
}

/* I_TPR ------------------------------------------------------------- */

static void write_cr8(uint64_t v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

static uint64_t read_cr8(void)
{
	uint64_t v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static void test_tpr(void)
{
	apic_enable();
	reset_log();
	apic_write(APIC_TPR, 0x30);
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0x30);
	self_ipi(0x35);
	self_ipi(0x3f);
	open_window();
	GUEST_ASSERT_EQ(count[0x35] + count[0x3f], 0);	/* class 3 <= TPR */
	report(1, apic_read(APIC_IRR + 0x10));
	apic_write(APIC_TPR, 0x2f);
	open_window();
	GUEST_ASSERT_EQ(count[0x3f], 1);
	GUEST_ASSERT_EQ(count[0x35], 1);
	GUEST_ASSERT_EQ(ilog[0], 0x3f);

	/* CR8 is TPR[7:4]. */
	write_cr8(3);
	GUEST_ASSERT_EQ(apic_read(APIC_TPR), 0x30);
	apic_write(APIC_TPR, 0x57);
	GUEST_ASSERT_EQ(read_cr8(), 5);
	report(2, read_cr8());
	write_cr8(0);
	GUEST_ASSERT_EQ(apic_read(APIC_TPR), 0);
	write_cr8(3);
	self_ipi(0x23);
	self_ipi(0x33);
	open_window();
	GUEST_ASSERT_EQ(count[0x23] + count[0x33], 0);
	write_cr8(2);
	open_window();
	GUEST_ASSERT_EQ(count[0x33], 1);
	GUEST_ASSERT_EQ(count[0x23], 0);
	write_cr8(0);
	open_window();
	GUEST_ASSERT_EQ(count[0x23], 1);
	report(3, apic_read(APIC_TPR));
}

/* Timers ------------------------------------------------------------ */

static uint32_t divide_of(uint32_t tdcr)
{
	uint32_t code = (tdcr & 3) | ((tdcr & 8) >> 1);

	return code == 7 ? 1 : 2u << code;
}

/* arg[1]: initial count, arg[2]: TDCR. */
static void test_oneshot(void)
{
	uint32_t icount = GARGS->arg[1], tdcr = GARGS->arg[2];
	uint64_t want = (uint64_t)icount * divide_of(tdcr), t0, ns;
	uint32_t c1, c2;

	apic_enable();
	reset_log();
	apic_write(APIC_TDCR, tdcr);
	apic_write(APIC_LVTT, 0x38);
	t0 = rdtsc();
	apic_write(APIC_TMICT, icount);
	c1 = apic_read(APIC_TMCCT);
	while (rdtsc() - t0 < tsc_in(want / 4))
		asm volatile("pause");
	c2 = apic_read(APIC_TMCCT);
	GUEST_ASSERT(c1 <= icount);
	GUEST_ASSERT(c2 < c1);		/* counting down */
	GUEST_ASSERT(wait_count(0x38, 1, want + 2000000000ull));
	ns = ns_since(t0, last_tsc[0x38]);
	measure(1, ns);
	GUEST_ASSERT(ns >= want * 95 / 100);	/* never early */
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	/* One shot only. */
	wait_count(0x38, 2, want * 3);
	GUEST_ASSERT_EQ(count[0x38], 1);

	/* HLT sleeps until the timer wakes it. */
	apic_write(APIC_TMICT, icount);
	asm volatile("sti; hlt; cli" ::: "memory");
	GUEST_ASSERT_EQ(count[0x38], 2);

	/* A zero count stops it (armed for 200 ms: exits take long here). */
	apic_write(APIC_TMICT, 200000000 / divide_of(tdcr));
	apic_write(APIC_TMICT, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	wait_count(0x38, 3, 400000000);
	GUEST_ASSERT_EQ(count[0x38], 2);
	report(1, count[0x38]);
}

/* arg[1]: initial count (divide by 1), arg[2]: ticks to wait for. */
static void test_periodic(void)
{
	uint32_t icount = GARGS->arg[1], ticks = GARGS->arg[2];
	uint64_t t0, ns, want = icount;
	unsigned int i, seen;
	uint32_t c;

	apic_enable();
	reset_log();
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, PERIODIC | 0x39);
	t0 = rdtsc();
	apic_write(APIC_TMICT, icount);
	GUEST_ASSERT(wait_count(0x39, ticks, want * ticks * 4 + 2000000000ull));
	ns = ns_since(t0, last_tsc[0x39]) / ticks;
	measure(1, ns);
	GUEST_ASSERT(ns >= want * 95 / 100);
	/* The count reloads: it stays within (0, TMICT]. */
	for (i = 0; i < 100; i++) {
		c = apic_read(APIC_TMCCT);
		GUEST_ASSERT(c <= icount);
	}
	/* Masked: no interrupts (once one already requested is taken). */
	apic_write(APIC_LVTT, PERIODIC | MASKED | 0x39);
	open_window();
	seen = count[0x39];
	wait_count(0x39, seen + 1, want * 5);
	GUEST_ASSERT_EQ(count[0x39], seen);
	GUEST_ASSERT(apic_read(APIC_TMCCT) <= icount);
	apic_write(APIC_LVTT, PERIODIC | 0x39);
	GUEST_ASSERT(wait_count(0x39, seen + 2, want * 8 + 2000000000ull));
	apic_write(APIC_TMICT, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	open_window();
	seen = count[0x39];
	wait_count(0x39, seen + 1, want * 3);
	GUEST_ASSERT_EQ(count[0x39], seen);
	report(1, apic_read(APIC_LVTT));
}

/* arg[1]: the deadline's distance in ns. */
static void test_deadline(void)
{
	uint64_t want = GARGS->arg[1], t0, ns, v = 1;
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	GUEST_ASSERT(c & (1u << 24));
	apic_enable();
	reset_log();
	apic_write(APIC_LVTT, TSC_DEADLINE | 0x3a);
	report(1, apic_read(APIC_LVTT));
	/* The initial count means nothing in this mode. */
	apic_write(APIC_TMICT, 12345);
	report(2, apic_read(APIC_TMICT));
	t0 = rdtsc();
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_TSC_DEADLINE, t0 + tsc_in(want)), NO_EXCEPTION);
	GUEST_ASSERT(wait_count(0x3a, 1, want + 2000000000ull));
	ns = ns_since(t0, last_tsc[0x3a]);
	measure(1, ns);
	GUEST_ASSERT(ns + 100000 >= want);	/* no more than 100 us early */
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_TSC_DEADLINE, &v), NO_EXCEPTION);
	GUEST_ASSERT_EQ(v, 0);			/* cleared when it fired */

	/* A deadline in the past fires at once. */
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_TSC_DEADLINE, 1), NO_EXCEPTION);
	GUEST_ASSERT(wait_count(0x3a, 2, 100000000));

	/* Zero disarms (200 ms ahead: exits take long here). */
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_TSC_DEADLINE, rdtsc() + tsc_in(200000000)),
			NO_EXCEPTION);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_TSC_DEADLINE, 0), NO_EXCEPTION);
	wait_count(0x3a, 3, 400000000);
	GUEST_ASSERT_EQ(count[0x3a], 2);

	/* HLT sleeps until the deadline. */
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_TSC_DEADLINE, rdtsc() + tsc_in(want)),
			NO_EXCEPTION);
	asm volatile("sti; hlt; cli" ::: "memory");
	GUEST_ASSERT_EQ(count[0x3a], 3);

	/* Leaving the mode disarms it. */
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_TSC_DEADLINE, rdtsc() + tsc_in(200000000)),
			NO_EXCEPTION);
	apic_write(APIC_LVTT, 0x3a);
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_TSC_DEADLINE, &v), NO_EXCEPTION);
	report(3, v);
	wait_count(0x3a, 4, 400000000);
	GUEST_ASSERT_EQ(count[0x3a], 3);
}

/* I_X2APIC ---------------------------------------------------------- */

static void probe_msr(uint64_t tag, uint32_t msr)
{
	uint64_t v = 0;
	uint32_t vec = rdmsr_safe(msr, &v);

	report(tag, vec);
	if (vec == NO_EXCEPTION)
		report(tag | 0x10000, v);
}

static void test_x2apic(void)
{
	static const uint16_t regs[] = {
		APIC_ID, APIC_LVR, APIC_TPR, APIC_APR, APIC_PPR, APIC_EOI,
		APIC_LDR, APIC_DFR, APIC_SVR, APIC_ESR, APIC_ICR, APIC_ICR2,
		APIC_LVTT, APIC_LVT0, APIC_TMICT, APIC_TMCCT, APIC_TDCR, 0x3f0,
		0x2f0, 0x3b0,
	};
	uint64_t base;
	uint32_t a, b, c, d;
	unsigned int i;

	cpuid(1, 0, &a, &b, &c, &d);
	GUEST_ASSERT(c & (1u << 21));
	/* x2APIC MSRs #GP in xAPIC mode. */
	GUEST_ASSERT_EQ(rdmsr_safe(X2APIC_MSR(APIC_ID), &base), 13);
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_APIC_BASE, &base), NO_EXCEPTION);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_APIC_BASE, base | (1 << 10)), NO_EXCEPTION);
	x2 = true;
	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		probe_msr(0x800 + (regs[i] >> 4), X2APIC_MSR(regs[i]));
	GUEST_ASSERT_EQ(apic_read(APIC_LDR), 1);	/* cluster 0, bit 0 */
	/* Read-only and write-only registers, reserved bits. */
	report(0x900, wrmsr_safe(X2APIC_MSR(APIC_LDR), 0));
	report(0x901, wrmsr_safe(X2APIC_MSR(APIC_ID), 5));
	report(0x902, wrmsr_safe(X2APIC_MSR(APIC_EOI), 1));
	report(0x903, wrmsr_safe(X2APIC_MSR(APIC_TPR), 1ull << 32));
	report(0x904, wrmsr_safe(X2APIC_MSR(APIC_LVR), 0));
	report(0x905, wrmsr_safe(0x83f, 0x100));	/* SELF IPI, reserved bits */
	/* Self-IPIs by the SELF IPI register and by the ICR. */
	apic_enable();
	reset_log();
	GUEST_ASSERT_EQ(wrmsr_safe(0x83f, 0x33), NO_EXCEPTION);
	send_ipi(0, ICR_ASSERT | 0x34);		/* physical, APIC ID 0 */
	send_ipi(1, ICR_ASSERT | ICR_LOGICAL | 0x36);	/* logical: cluster 0 bit 0 */
	send_ipi(0xffffffff, ICR_ASSERT | 0x37);	/* broadcast */
	open_window();
	report_log(0xa00);
	GUEST_ASSERT_EQ(count[0x33] + count[0x34] + count[0x36] + count[0x37], 4);
	/* x2APIC straight back to xAPIC is invalid; through disabled it is fine. */
	report(0xb00, wrmsr_safe(MSR_APIC_BASE, base));
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_APIC_BASE, base & ~(3ull << 10)), NO_EXCEPTION);
	x2 = false;
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_APIC_BASE, base), NO_EXCEPTION);
	report(0xb01, apic_read(APIC_SVR));		/* reset by the disable */
	report(0xb02, apic_read(APIC_ID));
	/* EXTD without EN is invalid. */
	report(0xb03, wrmsr_safe(MSR_APIC_BASE, (base & ~(1ull << 11)) | (1 << 10)));
}

/* I_NMI ------------------------------------------------------------- */

static void nmi_handler(struct ex_regs *r)
{
	(void)r;
	if (nlog < 64)
		ilog[nlog++] = 2;
	count[2]++;
	if (count[2] == 1) {
		/* A second NMI waits for this one's IRET. */
		send_ipi(0, DM_NMI | ICR_ASSERT);
		open_window();
	}
	if (nlog < 64)
		ilog[nlog++] = 0x102;
}

static void test_nmi(void)
{
	apic_enable();
	reset_log();
	set_handler(2, nmi_handler);
	send_ipi(0, DM_NMI | ICR_ASSERT);	/* with IF = 0 */
	asm volatile("nop; nop; nop");
	GUEST_ASSERT_EQ(count[2], 2);
	report_log(1);
	GUEST_ASSERT_EQ(nlog, 4);
	GUEST_ASSERT_EQ(ilog[0], 2);
	GUEST_ASSERT_EQ(ilog[1], 0x102);
	GUEST_ASSERT_EQ(ilog[2], 2);
	GUEST_ASSERT_EQ(ilog[3], 0x102);
}

static void pic_init(uint8_t base_m, uint8_t base_s, uint8_t mask_m,
		     uint8_t mask_s, bool aeoi);

/* I_IOAPIC ---------------------------------------------------------- */

static uint32_t ioapic_read(uint32_t reg)
{
	ioapic[0] = reg;
	return ioapic[4];
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	ioapic[0] = reg;
	ioapic[4] = v;
}

static void redirect(int pin, uint32_t low, uint32_t dest)
{
	ioapic_write(0x11 + 2 * pin, dest << 24);
	ioapic_write(0x10 + 2 * pin, low);
}

static volatile uint32_t level_remote_irr, level_tmr;

static void level_handler(int vector)
{
	level_remote_irr = ioapic_read(0x10 + 2 * 6) & (1u << 14);
	level_tmr = apic_read(APIC_TMR + 0x10 * (vector >> 5)) & (1u << (vector & 31));
	/* Still asserted at the EOI: it comes again; then lowered. */
	if (count[vector] == 2)
		set_line(6, 0);
}

static void test_ioapic(void)
{
	int i;

	apic_enable();
	reset_log();
	pic_init(0x20, 0x28, 0xff, 0xff, false);	/* as firmware leaves it */
	report(1, ioapic_read(1));		/* version, pins - 1 */
	report(2, ioapic_read(0));
	GUEST_ASSERT_EQ(ioapic_read(1) & 0xff, 0x11);
	GUEST_ASSERT_EQ((ioapic_read(1) >> 16) & 0xff, 23);
	for (i = 0; i < 24; i++)
		GUEST_ASSERT_EQ(ioapic_read(0x10 + 2 * i) & (1u << 16), 1u << 16);
	report(3, ioapic_read(0x10 + 2 * 5));

	/* Edge: one interrupt per rising edge. */
	redirect(5, 0x34, 0);
	set_line(5, 1);
	open_window();
	GUEST_ASSERT_EQ(count[0x34], 1);
	set_line(5, 1);				/* no edge */
	open_window();
	GUEST_ASSERT_EQ(count[0x34], 1);
	set_line(5, 0);
	set_line(5, 1);
	set_line(5, 0);
	open_window();
	GUEST_ASSERT_EQ(count[0x34], 2);
	GUEST_ASSERT_EQ(apic_read(APIC_TMR + 0x10) & (1u << 0x14), 0);

	/* Level: remote IRR until the EOI, again while still asserted. */
	hook[0x36] = level_handler;
	redirect(6, 0x36 | (1u << 15), 0);
	set_line(6, 1);
	open_window();
	GUEST_ASSERT_EQ(count[0x36], 2);
	GUEST_ASSERT(level_remote_irr);
	GUEST_ASSERT(level_tmr);
	GUEST_ASSERT_EQ(ioapic_read(0x10 + 2 * 6) & (1u << 14), 0);
	report(4, count[0x36]);

	/* Masked level: nothing until unmasked, then it is delivered. */
	redirect(7, 0x37 | (1u << 15) | (1u << 16), 0);
	set_line(7, 1);
	open_window();
	GUEST_ASSERT_EQ(count[0x37], 0);
	no_eoi = true;
	redirect(7, 0x37 | (1u << 15), 0);
	open_window();
	no_eoi = false;
	GUEST_ASSERT_EQ(count[0x37], 1);
	GUEST_ASSERT(ioapic_read(0x10 + 2 * 7) & (1u << 14));
	set_line(7, 0);
	eoi();
	open_window();
	GUEST_ASSERT_EQ(count[0x37], 1);
	GUEST_ASSERT_EQ(ioapic_read(0x10 + 2 * 7) & (1u << 14), 0);

	/* Masked edge: lost. */
	redirect(8, 0x38 | (1u << 16), 0);
	set_line(8, 1);
	redirect(8, 0x38, 0);
	open_window();
	report(5, count[0x38]);
	set_line(8, 0);

	/* A destination that is not there: nothing, no harm. */
	redirect(9, 0x39, 7);
	set_line(9, 1);
	set_line(9, 0);
	open_window();
	GUEST_ASSERT_EQ(count[0x39], 0);
	/* Logical flat destination. */
	apic_write(APIC_LDR, 0x01000000);
	redirect(10, 0x3a | (1u << 11), 0x01);
	set_line(10, 1);
	set_line(10, 0);
	open_window();
	GUEST_ASSERT_EQ(count[0x3a], 1);
	/* GSI 16-23, which only the I/O APIC has. */
	redirect(20, 0x3b, 0);
	set_line(20, 1);
	set_line(20, 0);
	open_window();
	GUEST_ASSERT_EQ(count[0x3b], 1);
	report(6, ioapic_read(0x10 + 2 * 6));
	report(7, ioapic_read(0x11 + 2 * 6));

	/* MSIs: physical and logical destinations, NMI, nobody. */
	signal_msi(0xfee00000, 0x3c);
	signal_msi(0xfee01004, 0x3d);			/* logical 0x01 */
	signal_msi(0xfee07000, 0x3e);			/* APIC ID 7: nobody */
	open_window();
	GUEST_ASSERT_EQ(count[0x3c], 1);
	GUEST_ASSERT_EQ(count[0x3d], 1);
	GUEST_ASSERT_EQ(count[0x3e], 0);
	report(8, count[0x3c] + count[0x3d]);
}

/* I_SMP ------------------------------------------------------------- */

static volatile unsigned int ap_alive, ap_count, ap_nmis, bsp_count;
static volatile uint32_t ap_ldr;

/* Vector 0x3b on either CPU (the IDT is shared): counted by who took it. */
static void smp_irq(struct ex_regs *r)
{
	(void)r;
	if (apic[APIC_ID >> 2] >> 24)
		__atomic_add_fetch(&ap_count, 1, __ATOMIC_SEQ_CST);
	else
		__atomic_add_fetch(&bsp_count, 1, __ATOMIC_SEQ_CST);
	apic[APIC_EOI >> 2] = 0;
}

static void smp_nmi(struct ex_regs *r)
{
	(void)r;
	if (apic[APIC_ID >> 2] >> 24)
		__atomic_add_fetch(&ap_nmis, 1, __ATOMIC_SEQ_CST);
}

void ap_main(unsigned int id)
{
	apic[APIC_SVR >> 2] = 0x1ff;
	apic[APIC_DFR >> 2] = 0xffffffff;
	apic[APIC_LDR >> 2] = 0x02000000;	/* flat, bit 1 */
	ap_ldr = apic[APIC_LDR >> 2];
	__atomic_store_n(&ap_alive, id, __ATOMIC_SEQ_CST);
	for (;;) {
		asm volatile("sti; hlt; cli" ::: "memory");
		/* Tell the BSP: vector 0x3c, to APIC ID 0. */
		if (ap_count)
			send_ipi(0, ICR_ASSERT | 0x3c);
	}
}

static volatile unsigned int lowest_total;

static bool wait_var(volatile unsigned int *v, unsigned int n)
{
	uint64_t end = rdtsc() + tsc_in(5000000000ull);

	while (*v < n && rdtsc() < end) {
		sti();
		asm volatile("pause");
		cli();
		if (v == &lowest_total)
			lowest_total = ap_count + bsp_count - 5;
	}
	return *v >= n;
}

static void test_smp(void)
{
	apic_enable();
	reset_log();
	set_handler(0x3b, smp_irq);
	set_handler(2, smp_nmi);
	/* INIT, INIT de-assert, SIPI twice: the AP starts at 0x10000. */
	send_ipi(1, DM_INIT | ICR_ASSERT | ICR_LEVEL);
	send_ipi(1, DM_INIT | ICR_LEVEL);
	send_ipi(1, DM_SIPI | ICR_ASSERT | 0x10);
	send_ipi(1, DM_SIPI | ICR_ASSERT | 0x10);
	GUEST_ASSERT_EQ(apic_read(APIC_ICR) & (1u << 12), 0);	/* never busy */
	GUEST_ASSERT(wait_var(&ap_alive, 1));
	report(1, ap_alive);
	report(2, ap_ldr);
	/* Physical IPI to a halted AP, which answers. */
	send_ipi(1, ICR_ASSERT | 0x3b);
	GUEST_ASSERT(wait_var(&ap_count, 1));
	GUEST_ASSERT(wait_count(0x3c, 1, 5000000000ull));
	/* Logical flat, all-but-self, all-including-self. */
	apic_write(APIC_LDR, 0x01000000);
	send_ipi(2, ICR_ASSERT | ICR_LOGICAL | 0x3b);
	GUEST_ASSERT(wait_var(&ap_count, 2));
	send_ipi(0, ICR_ALLBUT | ICR_ASSERT | 0x3b);
	GUEST_ASSERT(wait_var(&ap_count, 3));
	GUEST_ASSERT_EQ(bsp_count, 0);
	send_ipi(0, ICR_ALL | ICR_ASSERT | 0x3b);
	GUEST_ASSERT(wait_var(&bsp_count, 1));
	GUEST_ASSERT(wait_var(&ap_count, 4));
	/* Lowest priority among both: exactly one takes it. */
	send_ipi(3, ICR_ASSERT | ICR_LOGICAL | DM_LOWEST | 0x3b);
	GUEST_ASSERT(wait_var(&lowest_total, 1));
	/* Nobody has APIC ID 7. */
	send_ipi(7, ICR_ASSERT | 0x3b);
	send_ipi(7, DM_NMI | ICR_ASSERT);
	/* An NMI to the AP. */
	send_ipi(1, DM_NMI | ICR_ASSERT);
	GUEST_ASSERT(wait_var(&ap_nmis, 1));
	GUEST_ASSERT_EQ(ap_count + bsp_count, 6);	/* the lowest went once */
	send_ipi(1, ICR_ASSERT | 0x3b);
	GUEST_ASSERT(wait_var(&ap_count, ap_count + 1));
	report(3, ap_count + bsp_count);
	report(4, ap_nmis);
}

/* I_PIC ------------------------------------------------------------- */

static void pic_init(uint8_t base_m, uint8_t base_s, uint8_t mask_m,
		     uint8_t mask_s, bool aeoi)
{
	outb(0x20, 0x11);		/* ICW1: edge, cascade, ICW4 */
	outb(0x21, base_m);
	outb(0x21, 0x04);		/* slave on IRQ 2 */
	outb(0x21, aeoi ? 0x03 : 0x01);	/* 8086 mode */
	outb(0xa0, 0x11);
	outb(0xa1, base_s);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0x21, mask_m);
	outb(0xa1, mask_s);
}

static volatile uint8_t pic_isr_m, pic_isr_s;

static void pic_hook(int vector)
{
	outb(0x20, 0x0b);		/* OCW3: read ISR */
	outb(0xa0, 0x0b);
	pic_isr_m = inb(0x20);
	pic_isr_s = inb(0xa0);
	outb(0x20, 0x0a);
	outb(0xa0, 0x0a);
	if (vector >= 0x28)
		outb(0xa0, 0x20);	/* non-specific EOI to both */
	outb(0x20, 0x20);
}

/*
 * A level line still asserted after the EOI interrupts again at once: the
 * interrupted code never runs.  After the third, mask it as an OS would.
 */
static void pic_level_hook(int vector)
{
	if (count[vector] >= 3)
		outb(0xa1, inb(0xa1) | (1u << 2));
	pic_hook(vector);
}

static void test_pic(void)
{
	/* The PIC reaches the CPU through LINT0 (ExtINT), without APIC EOIs. */
	apic_enable();
	apic_write(APIC_LVT0, 0x700);		/* ExtINT, unmasked */
	reset_log();
	no_eoi = true;
	pic_init(0x20, 0x28, 0xff, 0xff, false);
	report(1, inb(0x21));
	report(2, inb(0xa1));
	hook[0x23] = pic_hook;
	hook[0x2a] = pic_hook;
	hook[0x24] = pic_hook;
	/*
	 * A level line that drops between the request and INTA gives a
	 * spurious IRQ 15: the master's cascade is in service and wants its
	 * EOI (a spurious IRQ 7 wants none).
	 */
	hook[0x2f] = pic_hook;

	/* Masked: IRR only. */
	set_line(3, 1);
	open_window();
	GUEST_ASSERT_EQ(count[0x23], 0);
	outb(0x20, 0x0a);
	report(3, inb(0x20));		/* IRR */
	GUEST_ASSERT(inb(0x20) & (1u << 3));
	set_line(3, 0);
	/* Unmasked master IRQ 3 and slave IRQ 10 (through the cascade). */
	outb(0x21, ~((1u << 3) | (1u << 2) | (1u << 4)) & 0xff);
	outb(0xa1, ~(1u << 2) & 0xff);
	set_line(3, 1);
	set_line(3, 0);
	wait_count(0x23, 1, 100000000);
	GUEST_ASSERT_EQ(count[0x23], 1);
	GUEST_ASSERT_EQ(pic_isr_m, 1u << 3);
	set_line(10, 1);
	set_line(10, 0);
	open_window();
	GUEST_ASSERT_EQ(count[0x2a], 1);
	GUEST_ASSERT_EQ(pic_isr_m, 1u << 2);	/* the cascade */
	GUEST_ASSERT_EQ(pic_isr_s, 1u << 2);
	/* Priority: IRQ 3 before 4, whatever the order they came in. */
	reset_log();
	hook[0x23] = pic_hook;
	hook[0x24] = pic_hook;
	hook[0x2a] = pic_hook;
	hook[0x2f] = pic_hook;
	set_line(4, 1);
	set_line(3, 1);
	set_line(4, 0);
	set_line(3, 0);
	open_window();
	report_log(0x100);
	GUEST_ASSERT_EQ(ilog[0], 0x23);
	GUEST_ASSERT_EQ(ilog[2], 0x24);
	/* Level mode (ELCR) for IRQ 10: again while asserted. */
	outb(0x4d1, 1u << 2);
	report(4, inb(0x4d1));
	hook[0x2a] = pic_level_hook;
	set_line(10, 1);
	wait_count(0x2a, 3, 2000000000ull);
	set_line(10, 0);
	open_window();
	report(5, count[0x2a]);
	outb(0xa1, inb(0xa1) & ~(1u << 2) & 0xff);
	outb(0x4d1, 0);
	/* Auto-EOI: the ISR stays clear.  (ICW1 leaves the ISR as it is.) */
	outb(0x20, 0x0b);
	GUEST_ASSERT_EQ(inb(0x20), 0);
	pic_init(0x20, 0x28, 0xf7, 0xff, true);
	reset_log();
	set_line(3, 1);
	set_line(3, 0);
	open_window();
	GUEST_ASSERT_EQ(count[0x23], 1);
	outb(0x20, 0x0b);
	GUEST_ASSERT_EQ(inb(0x20), 0);
	/* Masked LINT0: the PIC's interrupts do not reach the CPU. */
	pic_init(0x20, 0x28, 0xf7, 0xff, false);
	apic_write(APIC_LVT0, 0x700 | MASKED);
	reset_log();
	hook[0x23] = pic_hook;
	set_line(3, 1);
	set_line(3, 0);
	open_window();
	GUEST_ASSERT_EQ(count[0x23], 0);
	no_eoi = false;
}

/* I_PIT ------------------------------------------------------------- */

#define PIT_HZ 1193182ull

static void pit_hook(int vector)
{
	(void)vector;
	outb(0x20, 0x20);
}

/* Channel 2 in mode 0, gated by port 0x61: OUT2 (bit 5) at terminal count. */
static uint64_t pit_ch2_ns(uint16_t ticks)
{
	uint64_t t0, t1;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);	/* gate high, speaker off */
	outb(0x43, 0xb0);			/* ch2, lo/hi, mode 0 */
	outb(0x42, ticks & 0xff);
	outb(0x42, ticks >> 8);
	t0 = rdtsc();
	GUEST_ASSERT_EQ(inb(0x61) & 0x20, 0);	/* OUT low while counting */
	while (!(inb(0x61) & 0x20))
		GUEST_ASSERT(rdtsc() - t0 < tsc_in(5000000000ull));
	t1 = rdtsc();
	outb(0x61, inb(0x61) & ~0x01);
	return ns_since(t0, t1);
}

static uint16_t pit_read(int ch)
{
	uint16_t v;

	outb(0x43, ch << 6);			/* latch */
	v = inb(0x40 + ch);
	return v | inb(0x40 + ch) << 8;
}

static void test_pit(void)
{
	uint64_t t0, ns, want;
	uint16_t a, b;
	uint8_t st;

	apic_enable();
	reset_log();
	no_eoi = true;
	pic_init(0x20, 0x28, 0xfe, 0xff, false);
	hook[0x20] = pit_hook;

	/* Channel 0, mode 2 (rate generator), 1 ms: IRQ 0 through the PIC. */
	outb(0x43, 0x34);
	outb(0x40, 1193 & 0xff);
	outb(0x40, 1193 >> 8);
	t0 = rdtsc();
	GUEST_ASSERT(wait_count(0x20, 10, 2000000000ull));
	ns = ns_since(t0, last_tsc[0x20]) / 10;
	measure(1, ns);
	GUEST_ASSERT(ns >= 1000000 * 90 / 100);
	/* The counter counts down within its period. */
	a = pit_read(0);
	b = pit_read(0);
	GUEST_ASSERT(a <= 1193 && b <= 1193);
	/* Read-back status: mode 2, lo/hi. */
	outb(0x43, 0xe2);			/* status of channel 0 */
	st = inb(0x40);
	report(1, st & 0x3f);
	/*
	 * Mode 0 one-shot: OUT rises at terminal count (read-back status
	 * bit 7), with IRQ 0 masked: a tick of the old mode may still come
	 * until the count is written.
	 */
	outb(0x21, 0xff);
	outb(0x43, 0x30);
	outb(0x40, 0x00);
	outb(0x40, 0x10);			/* 4096 ticks, 3.4 ms */
	t0 = rdtsc();
	do {
		outb(0x43, 0xe2);		/* read-back: status of channel 0 */
		st = inb(0x40);
		GUEST_ASSERT(rdtsc() - t0 < tsc_in(2000000000ull));
	} while (!(st & 0x80));
	ns = ns_since(t0, rdtsc());
	measure(2, ns);
	GUEST_ASSERT(ns >= 4096 * 1000000000ull / PIT_HZ * 90 / 100);
	/*
	 * Again with its interrupt (ICW1 drops what the old mode latched;
	 * KVM raises the line from a thread: let it).
	 */
	t0 = rdtsc();
	while (rdtsc() - t0 < tsc_in(50000000))
		asm volatile("pause");
	pic_init(0x20, 0x28, 0xfe, 0xff, false);
	reset_log();
	hook[0x20] = pit_hook;
	outb(0x43, 0x30);
	outb(0x40, 0x00);
	outb(0x40, 0x10);
	t0 = rdtsc();
	GUEST_ASSERT(wait_count(0x20, 1, 2000000000ull));
	ns = ns_since(t0, last_tsc[0x20]);
	GUEST_ASSERT(ns >= 4096 * 1000000000ull / PIT_HZ * 90 / 100);
	wait_count(0x20, 2, 20000000);
	GUEST_ASSERT_EQ(count[0x20], 1);		/* one shot */
	/* A control word alone stops channel 0 (Linux's shutdown). */
	outb(0x43, 0x30);
	count[0x20] = 0;
	wait_count(0x20, 1, 20000000);
	GUEST_ASSERT_EQ(count[0x20], 0);

	/* Channel 2 calibration, as Linux's pit_calibrate_tsc() does it. */
	want = 11932 * 1000000000ull / PIT_HZ;	/* 10 ms */
	ns = pit_ch2_ns(11932);
	measure(3, ns);
	GUEST_ASSERT(ns >= want * 95 / 100);
	report(2, inb(0x61) & 0x20);
	/* Mode 3 on channel 2: OUT toggles. */
	outb(0x43, 0xb6);
	outb(0x42, 0);
	outb(0x42, 0x20);
	outb(0x61, inb(0x61) | 0x01);
	t0 = rdtsc();
	a = inb(0x61) & 0x20;
	while ((inb(0x61) & 0x20) == a)
		GUEST_ASSERT(rdtsc() - t0 < tsc_in(5000000000ull));
	outb(0x61, inb(0x61) & ~0x01);
	no_eoi = false;
}

/* I_HOSTILE (arg[1]: which) ----------------------------------------- */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void eoi_all(struct ex_regs *r)
{
	count[r->vector]++;
	eoi();
}

/* Periods 0 and 1: nothing, and no faster than the module's minimum. */
static void hostile_timer_periods(void)
{
	uint64_t t0, ns;
	int i;

	apic_enable();
	reset_log();
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, PERIODIC | 0x30);
	apic_write(APIC_TMICT, 0);
	wait_count(0x30, 1, 50000000);
	GUEST_ASSERT_EQ(count[0x30], 0);
	t0 = rdtsc();
	apic_write(APIC_TMICT, 1);			/* a 1 ns period */
	wait_count(0x30, 1000000, 100000000);
	apic_write(APIC_TMICT, 0);
	ns = ns_since(t0, rdtsc());
	measure(1, count[0x30]);
	/* 200 us at least between ticks (min_timer_period_us), and some came */
	GUEST_ASSERT(count[0x30] > 0);
	GUEST_ASSERT(count[0x30] <= ns / 200000 + 2);
	/* One-shots of 1 ns re-armed at once, deadlines in the past. */
	apic_write(APIC_LVTT, 0x31);
	for (i = 0; i < 2000; i++) {
		apic_write(APIC_TMICT, 1);
		open_window();
	}
	apic_write(APIC_LVTT, TSC_DEADLINE | 0x32);
	for (i = 0; i < 2000; i++) {
		wrmsr_safe(MSR_TSC_DEADLINE, 1);
		open_window();
	}
	wait_count(0x32, 2000, 1000000000);
	GUEST_ASSERT(count[0x31] > 0 && count[0x32] > 0);
	report(1, 1);
}

/* IPIs by the ten thousand: to nobody, to ourselves, of every kind. */
static void hostile_icr_flood(void)
{
	static const uint32_t dests[] = { 7, 0x80, 0xfe, 0xff, 0 };
	unsigned int i;

	apic_enable();
	reset_log();
	set_handler(2, eoi_all);
	for (i = 0; i < 20000; i++) {
		uint32_t mode = (i % 8) << 8, dest = dests[i % 5];
		uint32_t shorthand = ((i / 8) % 4) << 18;
		uint32_t logical = i & 1 ? ICR_LOGICAL : 0;

		/*
		 * INIT and SIPI to ourselves would reset us, an SMI would
		 * enter SMM (KVM has it; minivisor drops SMIs): to nobody.
		 */
		if (mode == DM_INIT || mode == DM_SIPI || mode == (2u << 8)) {
			dest = 7;
			shorthand = 0;
			logical = 0;
		}
		send_ipi(dest, mode | shorthand | logical | ICR_ASSERT | (0x20 + i % 32));
	}
	for (i = 32; i < 64; i++)
		set_handler(i, eoi_all);
	open_window();
	for (i = 0; i < 10000; i++)
		eoi();
	open_window();
	GUEST_ASSERT_EQ(apic_read(APIC_ISR + 0x10), 0);
	report(1, 1);
}

/* Illegal vectors (0-15) in an LVT and an IPI: dropped, the ESR says so. */
static void hostile_low_vectors(void)
{
	apic_enable();
	reset_log();
	apic_write(APIC_LVTERR, 0x3e);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_ESR, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_ESR), 0);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, 0x03);
	apic_write(APIC_TMICT, 1000);
	wait_count(0x3e, 1, 100000000);
	self_ipi(0x05);
	open_window();
	GUEST_ASSERT(count[0x3e] >= 1);		/* the error interrupt */
	apic_write(APIC_ESR, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_ESR), 0x60);	/* send + receive illegal */
	apic_write(APIC_ESR, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_ESR), 0);
	report(1, count[0x3e]);
}

/* Random redirection entries, then every line up and down. */
static void hostile_ioapic_garbage(void)
{
	unsigned int i, round;

	apic_enable();
	reset_log();
	pic_init(0x20, 0x28, 0xff, 0xff, false);
	set_handler(2, eoi_all);
	for (i = 32; i < 64; i++)
		set_handler(i, eoi_all);
	for (round = 0; round < 4; round++) {
		for (i = 0; i < 24; i++) {
			uint32_t low = rnd(), mode = (low >> 8) & 7;

			/* Not INIT or SIPI (to ourselves they would reset us). */
			if (mode == 5 || mode == 6)
				low &= ~(7u << 8);
			low = (low & ~0xffu) | (0x20 + (low & 0x1f));
			ioapic_write(0x11 + 2 * i, rnd());
			ioapic_write(0x10 + 2 * i, low);
		}
		ioapic_write(0x10 + 2 * 24 + round, rnd());	/* no such pins */
		ioapic[0] = rnd();
		(void)ioapic[4];
		for (i = 0; i < 24; i++) {
			set_line(i, 1);
			open_window();
			set_line(i, 0);
			open_window();
		}
	}
	for (i = 0; i < 10000; i++)
		eoi();
	open_window();
	report(1, 1);
}

/* IA32_APIC_BASE: moved over RAM (RAM it stays), elsewhere, and refused. */
static void hostile_apic_base(void)
{
	volatile uint32_t *ram = (volatile uint32_t *)0x200000ul;
	volatile uint32_t *moved = (volatile uint32_t *)0xfed00000ul;
	uint64_t base;

	GUEST_ASSERT_EQ(rdmsr_safe(MSR_APIC_BASE, &base), NO_EXCEPTION);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_APIC_BASE, 0x200000 | (base & 0xfff)),
			NO_EXCEPTION);
	ram[8] = 0x12345678;
	GUEST_ASSERT_EQ(ram[8], 0x12345678);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_APIC_BASE, 0xfed00000 | (base & 0xfff)),
			NO_EXCEPTION);
	report(1, moved[APIC_LVR >> 2]);
	moved[APIC_TPR >> 2] = 0x20;
	GUEST_ASSERT_EQ(moved[APIC_TPR >> 2], 0x20);
	moved[APIC_TPR >> 2] = 0;
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_APIC_BASE, base), NO_EXCEPTION);
	GUEST_ASSERT_EQ(apic_read(APIC_LVR) & 0xff, 0x14);
	report(2, wrmsr_safe(MSR_APIC_BASE, base | (1ull << 9)));	/* reserved */
	report(3, wrmsr_safe(MSR_APIC_BASE, base | (1ull << 63)));	/* past MAXPHYADDR */
	report(4, wrmsr_safe(MSR_APIC_BASE, (base & ~(1ull << 11)) | (1ull << 10)));
	report(5, wrmsr_safe(MSR_APIC_BASE, base & ~(1ull << 8)));	/* BSP flag: R/W */
	wrmsr_safe(MSR_APIC_BASE, base);
	GUEST_ASSERT_EQ(rdmsr_safe(MSR_APIC_BASE, &base), NO_EXCEPTION);
	report(6, base);
}

/* Timers armed, then spin (the host kills the VMM meanwhile). */
static void hostile_armed_spin(void)
{
	unsigned int i;

	apic_enable();
	for (i = 32; i < 64; i++)
		set_handler(i, eoi_all);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, PERIODIC | 0x30);
	apic_write(APIC_TMICT, 1);
	pic_init(0x20, 0x28, 0xfe, 0xff, true);		/* auto-EOI */
	outb(0x43, 0x34);
	outb(0x40, 2);
	outb(0x40, 0);
	GUEST_SYNC(1);
	sti();
	for (;;)
		asm volatile("pause");
}

static void test_hostile(void)
{
	switch (GARGS->arg[1]) {
	case H_TIMER_PERIODS: hostile_timer_periods(); break;
	case H_ICR_FLOOD: hostile_icr_flood(); break;
	case H_LOW_VECTORS: hostile_low_vectors(); break;
	case H_IOAPIC_GARBAGE: hostile_ioapic_garbage(); break;
	case H_APIC_BASE: hostile_apic_base(); break;
	case H_ARMED_SPIN: hostile_armed_spin(); break;
	default: GUEST_ASSERT(0);
	}
}

/* Benchmarks (arg[1] iterations) ------------------------------------ */

static volatile uint64_t bench_left;

static void rearm_oneshot(int vector)
{
	(void)vector;
	if (--bench_left)
		apic_write(APIC_TMICT, 1000);		/* 1 us */
}

static void rearm_deadline(int vector)
{
	(void)vector;
	if (--bench_left)
		wrmsr_safe(MSR_TSC_DEADLINE, rdtsc() + tsc_in(1000));
}

/* Timer ticks re-armed from their handler, the vCPU halted in between. */
static void bench_timer(bool deadline)
{
	bench_left = GARGS->arg[1];
	apic_enable();
	reset_log();
	hook[0x38] = deadline ? rearm_deadline : rearm_oneshot;
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, (deadline ? TSC_DEADLINE : 0) | 0x38);
	if (deadline)
		wrmsr_safe(MSR_TSC_DEADLINE, rdtsc() + tsc_in(1000));
	else
		apic_write(APIC_TMICT, 1000);
	while (bench_left)
		asm volatile("sti; hlt; cli" ::: "memory");
}

/* A self-IPI, taken at once, and its EOI. */
static void bench_self_ipi(void)
{
	uint64_t i, n = GARGS->arg[1];

	apic_enable();
	reset_log();
	sti();
	for (i = 0; i < n; i++)
		self_ipi(0x3c);
	cli();
	GUEST_ASSERT_EQ(count[0x3c], n);
}

/* I_MSRS ------------------------------------------------------------ */

/*
 * What a stock kernel and kvm-unit-tests read: each reported as
 * (MSR << 8 | what), what = 0 the #GP vector or NO_EXCEPTION, 1 the
 * value; then exactly two accesses to an MSR nobody has (#GP, counted).
 */
static void msr_probe(uint32_t msr)
{
	uint64_t v = 0;

	report((uint64_t)msr << 8, rdmsr_safe(msr, &v));
	report((uint64_t)msr << 8 | 1, v);
}

static void test_msrs(void)
{
	static const uint32_t probed[] = {
		0xfe /* MTRRcap */, 0x1a0 /* MISC_ENABLE */,
		0xc0010010 /* SYSCFG */, 0x8b /* PATCH_LEVEL */,
		0xc0011029 /* DE_CFG */, 0xc0011020 /* LS_CFG */,
		0xc0010015 /* HWCR */, 0x2ff /* MTRRdefType */,
		0xc0010055 /* INT_PENDING_MSG: Linux's AMD E400 check */,
		0x179 /* MCG_CAP: no banks */, 0x17a /* MCG_STATUS */,
	};
	uint32_t a, b, c, d;
	uint64_t v;
	unsigned int i;

	for (i = 0; i < sizeof(probed) / sizeof(probed[0]); i++)
		msr_probe(probed[i]);
	/* Writes to the configuration MSRs are ignored. */
	GUEST_ASSERT_EQ(wrmsr_safe(0xc0011029, 2), NO_EXCEPTION);
	msr_probe(0xc0011029);
	/* MISC_ENABLE keeps what is written. */
	GUEST_ASSERT_EQ(wrmsr_safe(0x1a0, 1), NO_EXCEPTION);
	msr_probe(0x1a0);
	/* MTRRdefType keeps E, FE and the type; reserved bits are a #GP. */
	GUEST_ASSERT_EQ(wrmsr_safe(0x2ff, 0xc06), NO_EXCEPTION);
	msr_probe(0x2ff);
	report(2, wrmsr_safe(0x2ff, 0x1000));
	/* IA32_TSC_AUX, RDTSCP's ECX, where RDTSCP is offered. */
	cpuid(0x80000001, 0, &a, &b, &c, &d);
	report(5, !!(d & (1u << 27)));
	if (d & (1u << 27)) {
		GUEST_ASSERT_EQ(wrmsr_safe(0xc0000103, 0x1234), NO_EXCEPTION);
		msr_probe(0xc0000103);
		asm volatile("rdtscp" : "=c"(c) : : "eax", "edx");
		report(6, c);
		report(7, wrmsr_safe(0xc0000103, 1ull << 32));
	}
	/* Nobody's MSRs. */
	report(3, rdmsr_safe(0xc0011fff, &v));
	report(4, wrmsr_safe(0x4b564dff, 1));
}

/*
 * Each maskable interrupt is taken once, where the guest has IF set: a
 * periodic timer whose handler loops arg[2] times with no exit before its
 * EOI - the window in which the testbed's QEMU delivered an injected
 * interrupt a second time, inside its own handler, with IF clear.
 * Reports the interrupts taken and how many of them interrupted code that
 * had IF clear.
 */
static volatile unsigned int once_masked;
static unsigned long once_loops;

static void once_handler(struct ex_regs *r)
{
	unsigned long i;

	if (!(r->flags & (1u << 9)))
		once_masked++;
	count[0x3a]++;
	for (i = 0; i < once_loops; i++)
		asm volatile("" ::: "memory");
	eoi();
}

static void test_once(void)
{
	unsigned int n = GARGS->arg[1];

	once_loops = GARGS->arg[2];
	apic_enable();
	reset_log();
	set_handler(0x3a, once_handler);
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, PERIODIC | 0x3a);
	apic_write(APIC_TMICT, 2000000);	/* 2 ms */
	wait_count(0x3a, n, 60000000000ull);
	apic_write(APIC_TMICT, 0);
	report(1, count[0x3a] >= n);
	report(2, once_masked);
}

int guest_main(void)
{
	int i;

	for (i = 32; i < 64; i++)
		set_handler(i, irq_handler);
	map_apic();
	switch (GARGS->test) {
	case I_REGS: test_regs(); break;
	case I_PRIORITY: test_priority(); break;
	case I_TPR: test_tpr(); break;
	case I_ONESHOT: test_oneshot(); break;
	case I_PERIODIC: test_periodic(); break;
	case I_DEADLINE: test_deadline(); break;
	case I_X2APIC: test_x2apic(); break;
	case I_NMI: test_nmi(); break;
	case I_IOAPIC: test_ioapic(); break;
	case I_SMP: test_smp(); break;
	case I_PIC: test_pic(); break;
	case I_PIT: test_pit(); break;
	case I_HOSTILE: test_hostile(); break;
	case I_MSRS: test_msrs(); break;
	case I_ONCE: test_once(); break;
	case IB_ONESHOT: bench_timer(false); break;
	case IB_DEADLINE: bench_timer(true); break;
	case IB_SELF_IPI: bench_self_ipi(); break;
	default:
		guest_printf("unknown test %u\n", GARGS->test);
		return 0x7e;
	}
	GUEST_DONE();
	return 0;
}
