// SPDX-License-Identifier: GPL-2.0
/*
 * mb32.elf: a multiboot kernel that prints what it was given on the debug
 * console, one "key: ..." line per fact, for tests/mvrun_test.c to check:
 * the multiboot information (flags, memory sizes, the command line, the
 * module and its content, the memory map, the boot loader's name), the
 * CPU state at entry (CR0, EFLAGS, selectors), its own data and .bss,
 * fw_cfg's items, COM1 programmed like kvm-unit-tests do it, a port no
 * device decodes, the CPUID feature words, with a local APIC its base,
 * version, SVR and LINT0/1, and what the BIOS left: real-mode interrupt
 * vectors and the 8259s' masks.
 *
 * Command-line words ask for more: "x2apic" tries to switch the local
 * APIC to x2APIC mode (a #GP says the CPU has none) and reads its ID
 * through the x2APIC MSR; "smp" starts every other CPU fw_cfg tells of
 * with INIT and SIPI, counts those that ran and prints the CPUID.1:ECX
 * they saw; "timer" waits in HLT for three ticks of the timer the BIOS
 * left running (the 8254 through the 8259 and LINT0, vector 8);
 * "testdev" uses QEMU's pc-testdev (scratch port, MMIO memory, IRQ 3).
 *
 * Then it exits through isa-debug-exit, as its command line says (the
 * words after argv[0]): "exit=b", "exit=w" or "exit=l" (the default) for
 * an outb, outw or outl; "code=HEX" for the value (default 0x10); or
 * "spin" to loop forever instead.
 */
#include "guest.h"

#define MB_BOOT_MAGIC	0x2badb002
#define MB_INFO_MODS	(1u << 3)
#define MB_INFO_MMAP	(1u << 6)
#define MB_INFO_LOADER	(1u << 9)

#define COM1		0x3f8
#define APIC_BASE_MSR	0x1b
#define APIC_EN		(1u << 11)
#define APIC_EXTD	(1u << 10)
#define APIC_MMIO	0xfee00000u
#define X2APIC_ID_MSR	0x802
#define FW_CFG_SEL	0x510
#define FW_CFG_DATA	0x511

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

struct mb_module {
	uint32_t start, end, string, reserved;
};

struct mb_mmap {
	uint32_t size;
	uint64_t base, length;
	uint32_t type;
} __attribute__((packed));

extern char _end[];
extern const char gp_entry[], tick_entry[], irq3_entry[];
extern const char ap_tramp[], ap_tramp_end[], ap_count[], ap_ecx[];
volatile uint32_t gp_count, tick_count, irq3_count;
/* In the data segment's file part, and past it (p_memsz > p_filesz). */
static char data_text[] = "data: ok\n";
static volatile uint8_t big_bss[65536];

static void puts_(const char *s)
{
	while (*s)
		outb(PORT_DEBUGCON, *s++);
}

static void hex(uint64_t v, int digits)
{
	while (digits--)
		outb(PORT_DEBUGCON, "0123456789abcdef"[(v >> (4 * digits)) & 0xf]);
}

static void dec(uint32_t v)
{
	char buf[12];
	int i = 0;

	do {
		buf[i++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (i)
		outb(PORT_DEBUGCON, buf[--i]);
}

/* [text], with newlines as \n and other unprintable bytes as \xHH. */
static void quoted(const char *s, uint32_t len)
{
	uint32_t i;

	outb(PORT_DEBUGCON, '[');
	for (i = 0; i < len; i++) {
		uint8_t c = s[i];

		if (c == '\n') {
			puts_("\\n");
		} else if (c < 0x20 || c > 0x7e) {
			puts_("\\x");
			hex(c, 2);
		} else {
			outb(PORT_DEBUGCON, c);
		}
	}
	outb(PORT_DEBUGCON, ']');
}

static uint32_t slen(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void print_info(uint32_t magic, const struct mb_info *mbi)
{
	uint32_t i;

	puts_("mb: magic ");
	hex(magic, 8);
	puts_(" flags ");
	hex(mbi->flags, 8);
	puts_("\nmb: mem_lower ");
	dec(mbi->mem_lower);
	puts_(" mem_upper ");
	dec(mbi->mem_upper);
	puts_("\nmb: cmdline ");
	quoted((const char *)mbi->cmdline, slen((const char *)mbi->cmdline));
	puts_("\nmb: mods ");
	dec(mbi->flags & MB_INFO_MODS ? mbi->mods_count : 0);
	puts_("\n");
	for (i = 0; mbi->flags & MB_INFO_MODS && i < mbi->mods_count; i++) {
		const struct mb_module *m = (const struct mb_module *)mbi->mods_addr + i;
		uint32_t n = m->end - m->start;

		puts_("mb: mod ");
		dec(i);
		puts_(" start ");
		hex(m->start, 8);
		puts_(" end ");
		hex(m->end, 8);
		puts_(" string ");
		quoted((const char *)m->string, slen((const char *)m->string));
		puts_("\nmb: mod ");
		dec(i);
		puts_(" data ");
		quoted((const char *)m->start, n > 512 ? 512 : n);
		puts_("\n");
	}
	for (i = 0; mbi->flags & MB_INFO_MMAP && i < mbi->mmap_length;) {
		const struct mb_mmap *e = (const struct mb_mmap *)(mbi->mmap_addr + i);

		puts_("mb: mmap ");
		hex(e->base, 16);
		puts_(" ");
		hex(e->length, 16);
		puts_(" ");
		dec(e->type);
		puts_("\n");
		i += e->size + 4;
	}
	if (mbi->flags & MB_INFO_LOADER) {
		puts_("mb: loader ");
		quoted((const char *)mbi->boot_loader_name,
		       slen((const char *)mbi->boot_loader_name));
		puts_("\n");
	}
	puts_("mb: kernel_end ");
	hex((uint32_t)_end, 8);
	puts_(" info ");
	hex((uint32_t)mbi, 8);
	puts_("\n");
}

static void print_cpu(uint32_t eflags)
{
	uint16_t cs, ds, ss;
	uint32_t i;

	asm volatile("mov %%cs, %0; mov %%ds, %1; mov %%ss, %2"
		     : "=r"(cs), "=r"(ds), "=r"(ss));
	puts_("cpu: cr0 ");
	hex(read_cr0(), 8);
	puts_(" eflags ");
	hex(eflags, 8);
	puts_(" cs ");
	hex(cs, 4);
	puts_(" ds ");
	hex(ds, 4);
	puts_(" ss ");
	hex(ss, 4);
	puts_("\n");
	for (i = 0; i < sizeof(big_bss) && !big_bss[i]; i++)
		;
	puts_(i == sizeof(big_bss) ? "bss: zero\n" : "bss: NOT ZERO\n");
	data_text[0] = 'd';
	puts_(data_text);
}

static uint64_t fwcfg(uint16_t key, int bytes)
{
	uint64_t v = 0;
	int i;

	outw(FW_CFG_SEL, key);
	for (i = 0; i < bytes; i++)
		v |= (uint64_t)inb(FW_CFG_DATA) << (8 * i);
	return v;
}

static void print_fwcfg(void)
{
	char sig[5] = { 0 };
	int i;

	outw(FW_CFG_SEL, 0);
	sig[0] = inb(FW_CFG_DATA);
	sig[1] = inb(FW_CFG_DATA);
	puts_("fwcfg: signature ");
	/* Selecting again rewinds: the first two bytes come again. */
	outw(FW_CFG_SEL, 0);
	for (i = 0; i < 4; i++)
		sig[i] = inb(FW_CFG_DATA);
	quoted(sig, 4);
	puts_(" past_end ");
	hex(inb(FW_CFG_DATA), 2);
	puts_(" id ");
	dec(fwcfg(0x01, 4));
	puts_(" cpus ");
	dec(fwcfg(0x05, 2));
	puts_(" max_cpus ");
	dec(fwcfg(0x0f, 2));
	puts_(" ram ");
	hex(fwcfg(0x03, 8), 16);
	puts_(" key11 ");
	hex(fwcfg(0x11, 8), 16);
	puts_(" unknown ");
	hex(fwcfg(0x1234, 4), 8);
	puts_("\n");
}

/* COM1 set up as kvm-unit-tests' serial_init() does, then one line on it. */
static void serial_line(const char *s)
{
	outb(COM1 + 3, inb(COM1 + 3) | 0x80);	/* DLAB */
	outb(COM1 + 0, 0x01);			/* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, inb(COM1 + 3) & ~0x80);
	outb(COM1 + 1, 0x00);			/* IER */
	outb(COM1 + 3, 0x03);			/* 8N1 */
	outb(COM1 + 2, 0x00);			/* FCR */
	outb(COM1 + 4, 0x03);			/* MCR */
	outb(COM1 + 7, 0x5a);
	if (inb(COM1 + 7) != 0x5a || inb(COM1 + 3) != 0x03)
		s = "serial: registers do not hold their values\n";
	for (; *s; s++) {
		while (!(inb(COM1 + 5) & 0x20))
			;
		outb(COM1, *s);
	}
}

static void print_cpuid(void)
{
	uint32_t a, b, c, d, max, xmax;

	cpuid(0, 0, &max, &b, &c, &d);
	cpuid(1, 0, &a, &b, &c, &d);
	puts_("cpuid: 1 ecx ");
	hex(c, 8);
	puts_(" edx ");
	hex(d, 8);
	a = b = c = d = 0;
	if (max >= 7)
		cpuid(7, 0, &a, &b, &c, &d);
	puts_("\ncpuid: 7 ebx ");
	hex(b, 8);
	puts_(" ecx ");
	hex(c, 8);
	puts_(" edx ");
	hex(d, 8);
	cpuid(0x80000000, 0, &xmax, &b, &c, &d);
	c = d = 0;
	if (xmax >= 0x80000001)
		cpuid(0x80000001, 0, &a, &b, &c, &d);
	puts_("\ncpuid: 80000001 ecx ");
	hex(c, 8);
	puts_(" edx ");
	hex(d, 8);
	puts_("\n");
}

static bool have_apic(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return d & (1u << 9);
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
		     : "memory");
}

static volatile uint32_t *apic_reg(uint32_t off)
{
	return (volatile uint32_t *)(APIC_MMIO + off);
}

static void set_gate(uint32_t *idt, int v, const char *entry)
{
	uint32_t h = (uint32_t)entry;

	idt[2 * v] = (0x08 << 16) | (h & 0xffff);
	idt[2 * v + 1] = (h & 0xffff0000) | 0x8e00;	/* present 32-bit interrupt gate */
}

/* An IDT with three gates: vector 8 (IRQ 0), 0x0b (IRQ 3), #GP (mbcrt32.S). */
static void mb_idt_init(void)
{
	static uint32_t idt[2 * 14] __attribute__((aligned(8)));
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uint32_t)idt };

	set_gate(idt, 8, tick_entry);
	set_gate(idt, 0x0b, irq3_entry);
	set_gate(idt, 13, gp_entry);
	asm volatile("lidt %0" : : "m"(desc));
}

static void print_apic(void)
{
	puts_("apic: base ");
	hex(rdmsr(APIC_BASE_MSR), 8);
	puts_(" version ");
	hex(*apic_reg(0x30), 8);
	puts_(" svr ");
	hex(*apic_reg(0xf0), 8);
	puts_(" lint0 ");
	hex(*apic_reg(0x350), 8);
	puts_(" lint1 ");
	hex(*apic_reg(0x360), 8);
	puts_("\n");
}

/* What the BIOS left: real-mode vectors 0, 8 and 0x70, the 8259 masks. */
static void print_bios(void)
{
	const volatile uint32_t *ivt;

	/* Address 0, hidden from the compiler, which takes it for NULL. */
	asm("" : "=r"(ivt) : "0"(0));

	puts_("bios: ivt00 ");
	hex(ivt[0], 8);
	puts_(" ivt08 ");
	hex(ivt[8], 8);
	puts_(" ivt70 ");
	hex(ivt[0x70], 8);
	puts_(" stubs ");
	hex(*(const volatile uint32_t *)0xf0000, 8);
	puts_(" imr ");
	hex(inb(0x21), 2);
	puts_(" ");
	hex(inb(0xa1), 2);
	puts_("\n");
}

/* Three timer ticks through the 8259 and LINT0, waited for in HLT. */
static void wait_ticks(void)
{
	uint32_t i;

	mb_idt_init();
	for (i = 0; i < 3; i++)
		asm volatile("sti; hlt; cli" : : : "memory");
	puts_("timer: ");
	dec(tick_count);
	puts_(" ticks\n");
}

/* x2APIC on, or the #GP that says there is none. */
static void try_x2apic(void)
{
	uint64_t base = rdmsr(APIC_BASE_MSR);
	uint32_t before = gp_count;

	mb_idt_init();
	wrmsr(APIC_BASE_MSR, base | APIC_EN | APIC_EXTD);
	if (gp_count != before) {
		puts_("x2apic: #GP\n");
		return;
	}
	puts_("x2apic: on, base ");
	hex(rdmsr(APIC_BASE_MSR), 8);
	puts_(" id ");
	hex(rdmsr(X2APIC_ID_MSR), 8);
	puts_("\n");
}

/*
 * pc-testdev: the scratch port in two widths, its MMIO memory, and IRQ 3
 * raised on its interrupt line (unmasked at the 8259 for a moment).
 */
static void test_testdev(void)
{
	volatile uint32_t *iomem = (volatile uint32_t *)0xff000000;
	uint32_t before;

	outl(0xe0, 0x12345678);
	puts_("testdev: scratch ");
	hex(inb(0xe1), 2);
	outw(0xe2, 0xabcd);
	puts_(" ");
	hex(inl(0xe0), 8);
	before = iomem[0x40];
	iomem[4] = 0xcafef00d;
	puts_(" iomem ");
	hex(before, 8);
	puts_(" ");
	hex(((volatile uint8_t *)iomem)[0x11], 2);
	puts_(" ");
	hex(iomem[4], 8);
	mb_idt_init();
	outb(0x21, 0xf2);			/* IRQ 0 masked, IRQ 3 open */
	outb(0x2003, 1);
	asm volatile("sti; nop; nop; cli" : : : "memory");
	outb(0x2003, 0);
	asm volatile("sti; nop; nop; cli" : : : "memory");
	outb(0x21, 0xfa);
	puts_(" irq3 ");
	dec(irq3_count);
	puts_("\n");
}

static void icr_send(uint32_t icr)
{
	*apic_reg(0x310) = 0;
	*apic_reg(0x300) = icr;
	while (*apic_reg(0x300) & (1u << 12))
		;
}

/* INIT and SIPI (vector 8: 0x8000) to all but self; count who ran. */
static void start_aps(void)
{
	volatile uint16_t *count;
	uint32_t want = fwcfg(0x05, 2) - 1, i;
	uint64_t deadline;

	for (i = 0; i < (uint32_t)(ap_tramp_end - ap_tramp); i++)
		((volatile char *)0x8000)[i] = ap_tramp[i];
	count = (volatile uint16_t *)(0x8000 + (ap_count - ap_tramp));
	*count = 0;
	icr_send(0x000c4500);			/* INIT, all excluding self */
	icr_send(0x000c4608);			/* SIPI, vector 8 */
	/* Some billions of TSC cycles: seconds, even under emulation. */
	deadline = rdtsc() + (20ull << 30);
	while (*count < want && rdtsc() < deadline)
		asm volatile("pause");
	puts_("smp: ");
	dec(*count);
	puts_(" of ");
	dec(want);
	puts_(" APs started\n");
	if (*count) {
		puts_("smp: ap cpuid 1 ecx ");
		hex(*(volatile uint32_t *)(0x8000 + (ap_ecx - ap_tramp)), 8);
		puts_("\n");
	}
}

static bool word(const char **p, const char *w)
{
	uint32_t n = slen(w);
	const char *s = *p;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (s[i] != w[i])
			return false;
	*p = s + n;
	return true;
}

static uint32_t parse_hex(const char *s)
{
	uint32_t v = 0;

	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			v = v * 16 + *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = v * 16 + *s - 'a' + 10;
		else if (*s != 'x')
			return v;
	}
}

void mb_main(uint32_t magic, const struct mb_info *mbi, uint32_t eflags);

void mb_main(uint32_t magic, const struct mb_info *mbi, uint32_t eflags)
{
	const char *p = (const char *)mbi->cmdline;
	char width = 'l';
	uint32_t code = 0x10;
	bool spin = false, x2apic = false, smp = false, timer = false, testdev = false;

	print_info(magic, mbi);
	print_cpu(eflags);
	print_fwcfg();
	serial_line("serial: ok\n");
	puts_("port300: ");
	hex(inb(0x300), 2);
	puts_("\n");
	print_cpuid();
	if (have_apic())
		print_apic();
	print_bios();

	/* argv[0], then the words that say what else to do and how to end. */
	while (*p && *p != ' ')
		p++;
	while (*p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if (word(&p, "exit="))
			width = *p;
		else if (word(&p, "code="))
			code = parse_hex(p);
		else if (word(&p, "spin"))
			spin = true;
		else if (word(&p, "x2apic"))
			x2apic = true;
		else if (word(&p, "smp"))
			smp = true;
		else if (word(&p, "timer"))
			timer = true;
		else if (word(&p, "testdev"))
			testdev = true;
		while (*p && *p != ' ')
			p++;
	}
	if (timer)
		wait_ticks();
	if (testdev)
		test_testdev();
	if (smp && have_apic())
		start_aps();
	if (x2apic && have_apic())
		try_x2apic();
	if (spin) {
		puts_("spinning\n");
		for (;;)
			asm volatile("pause");
	}
	puts_("exit: ");
	outb(PORT_DEBUGCON, width);
	puts_("\n");
	if (width == 'b')
		outb(PORT_EXIT, code);
	else if (width == 'w')
		outw(PORT_EXIT, code);
	else
		outl(PORT_EXIT, code);
}
