// SPDX-License-Identifier: GPL-2.0
/*
 * Guest library: console, ucalls, exception handling.  Built for 32-bit and
 * 64-bit guests alike.
 */
#include "guest.h"

volatile uint32_t ex_vector = NO_EXCEPTION, ex_error, ex_count;
volatile unsigned long ex_cr2;
/* A kernel-mode fetch probe: a #PF at this address resumes at *CX. */
volatile uintptr_t fetch_target;

/* Provided by user32.S/user64.S in guests that use ring 3. */
void user_longjmp(uint32_t result) __attribute__((weak, noreturn));

static struct ucall uc;
static ex_handler_t handlers[64];

struct ex_entry {
	uintptr_t fault, fixup;
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];
extern const char ex_stubs[];

void *memset(void *p, int c, size_t n)
{
	unsigned char *q = p;

	while (n--)
		*q++ = c;
	return p;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *q = d;
	const unsigned char *r = s;

	while (n--)
		*q++ = *r++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void guest_puts(const char *s)
{
	while (*s)
		outb(PORT_DEBUGCON, *s++);
}

/* 64-bit division without libgcc (32-bit guests have no 64-bit divide). */
static uint64_t divmod(uint64_t v, unsigned int base, unsigned int *rem)
{
	uint64_t q = 0, r = 0;
	int i;

	for (i = 63; i >= 0; i--) {
		r = (r << 1) | ((v >> i) & 1);
		if (r >= base) {
			r -= base;
			q |= 1ULL << i;
		}
	}
	*rem = r;
	return q;
}

static void put_num(uint64_t v, unsigned int base, int width)
{
	unsigned int rem;
	char buf[24];
	int i = 0;

	do {
		v = divmod(v, base, &rem);
		buf[i++] = "0123456789abcdef"[rem];
	} while (v);
	while (i < width)
		buf[i++] = '0';
	while (i)
		outb(PORT_DEBUGCON, buf[--i]);
}

/* %d %u %x %s %c, with l/ll and a zero-padded width. */
void guest_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int longs = 0, width = 0;
		uint64_t v;

		if (*fmt != '%') {
			outb(PORT_DEBUGCON, *fmt);
			continue;
		}
		fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'u':
		case 'x':
			if (longs >= 2)
				v = va_arg(ap, unsigned long long);
			else if (longs)
				v = va_arg(ap, unsigned long);
			else
				v = va_arg(ap, unsigned int);
			if (*fmt == 'd' && (int64_t)(longs ? v : (uint64_t)(int)v) < 0) {
				outb(PORT_DEBUGCON, '-');
				v = -(int64_t)(longs ? v : (uint64_t)(int)v);
			}
			put_num(v, *fmt == 'x' ? 16 : 10, width);
			break;
		case 's':
			guest_puts(va_arg(ap, const char *));
			break;
		case 'c':
			outb(PORT_DEBUGCON, va_arg(ap, int));
			break;
		default:
			outb(PORT_DEBUGCON, *fmt);
		}
	}
	va_end(ap);
}

void ucall(uint32_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uc.cmd = cmd;
	uc.args[0] = a0;
	uc.args[1] = a1;
	uc.args[2] = a2;
	uc.args[3] = a3;
	outl(PORT_UCALL, (uint32_t)(uintptr_t)&uc);
}

void guest_exit(uint8_t code)
{
	outb(PORT_EXIT, code);
	for (;;)
		asm volatile("cli; hlt");
}

void guest_assert_fail(const char *expr, int line, uint64_t a, uint64_t b)
{
	size_t i;

	for (i = 0; expr[i] && i < sizeof(uc.msg) - 1; i++)
		uc.msg[i] = expr[i];
	uc.msg[i] = 0;
	uc.line = line;
	guest_printf("GUEST ASSERT line %d: %s (%llx vs %llx)\n", line, expr,
		     (unsigned long long)a, (unsigned long long)b);
	ucall(UCALL_ASSERT, a, b, 0, 0);
	guest_exit(0x7f);
}

void set_handler(int vector, ex_handler_t fn)
{
	handlers[vector] = fn;
}

/* Called by the stubs with the saved frame. */
void ex_dispatch(struct ex_regs *regs)
{
	const struct ex_entry *e;

	/* Ring 3 ends its probe with INT 0x3f, or faults: back to run_user(). */
	if ((regs->cs & 3) == 3 && user_longjmp) {
		if (regs->vector == USER_RETURN_VEC)
			user_longjmp(NO_EXCEPTION);
		ex_count++;
		ex_vector = regs->vector;
		ex_error = regs->error;
		ex_cr2 = read_cr2();
		user_longjmp(regs->vector);
	}
	ex_count++;
	if (regs->vector == 14 && fetch_target && regs->ip == fetch_target) {
		ex_vector = 14;
		ex_error = regs->error;
		ex_cr2 = read_cr2();
#ifdef __x86_64__
		regs->ip = regs->rcx;
#else
		regs->ip = regs->ecx;
#endif
		return;
	}
	if (regs->vector < 64 && handlers[regs->vector]) {
		handlers[regs->vector](regs);
		return;
	}
	for (e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->fault == regs->ip) {
			ex_vector = regs->vector;
			ex_error = regs->error;
			if (regs->vector == 14)
				ex_cr2 = read_cr2();
			regs->ip = e->fixup;
			return;
		}
	}
	guest_printf("unexpected exception %d, error %x, at %lx\n",
		     (int)regs->vector, (unsigned int)regs->error,
		     (unsigned long)regs->ip);
	ex_vector = regs->vector;
	guest_assert_fail("unexpected exception", (int)regs->vector,
			  regs->ip, regs->error);
}

#ifdef __x86_64__
struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
};
#define CODE_SEL 0x18
#else
struct idt_gate {
	uint16_t off0, sel;
	uint8_t zero, type;
	uint16_t off1;
};
#define CODE_SEL 0x08
#endif

static struct idt_gate idt[64] __attribute__((aligned(16)));

void idt_set_dpl(int vector, int dpl)
{
	idt[vector].type = 0x8e | (dpl << 5);
}

#ifdef __x86_64__
struct tss {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2, reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap;
} __attribute__((packed));
#else
struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} __attribute__((packed));
#endif

static struct tss tss __attribute__((aligned(16)));
static uint8_t trap_stack[8192] __attribute__((aligned(16)));
extern uint64_t gdt_tss[2];

/* A TSS whose ring-0 stack catches traps from ring 3. */
void tss_init(void)
{
	uint64_t base = (uintptr_t)&tss, limit = sizeof(tss) - 1;

	memset(&tss, 0, sizeof(tss));
	tss.iomap = sizeof(tss);
#ifdef __x86_64__
	tss.rsp0 = (uintptr_t)(trap_stack + sizeof(trap_stack));
#else
	tss.esp0 = (uintptr_t)(trap_stack + sizeof(trap_stack));
	tss.ss0 = SEL_DATA;
#endif
	gdt_tss[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		     (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
		     (((base >> 24) & 0xff) << 56);
	gdt_tss[1] = base >> 32;
	asm volatile("ltr %w0" : : "r"(SEL_TSS));
}

#ifdef __x86_64__
/* Deliver @vector on the stack of IST slot @ist (1 to 7; 0: none). */
void idt_set_ist(int vector, int ist)
{
	idt[vector].ist = ist;
}

/* The stack IST slot @n (1 to 7) switches to; tss_init() first. */
void tss_set_ist(int n, uintptr_t top)
{
	tss.ist[n - 1] = top;
}
#endif

void idt_init(void)
{
	struct {
		uint16_t limit;
		uintptr_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uintptr_t)idt };
	int i;

	for (i = 0; i < 64; i++) {
		uintptr_t a = (uintptr_t)ex_stubs + i * 16;

		idt[i].off0 = a;
		idt[i].sel = CODE_SEL;
		idt[i].type = 0x8e;	/* present, DPL 0, interrupt gate */
		idt[i].off1 = a >> 16;
#ifdef __x86_64__
		idt[i].off2 = (uint64_t)a >> 32;
#endif
	}
	asm volatile("lidt %0" : : "m"(desc));
}

#ifdef __x86_64__
/* The APs' code: a guest that starts APs provides it. */
void ap_main(unsigned int id) __attribute__((weak));

/* An AP in long mode (crt64.S): the BSP's IDT, then ap_main(). */
void ap_entry(unsigned int id)
{
	struct {
		uint16_t limit;
		uintptr_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uintptr_t)idt };

	asm volatile("lidt %0" : : "m"(desc));
	if (ap_main)
		ap_main(id);
}
#endif
