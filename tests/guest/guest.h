/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest side of the test library: port I/O, a debug console, a
 * port-I/O "ucall" to the host (sync/assert/done, like KVM selftests), an
 * IDT with an exception-fixup table, and the privileged instructions tests
 * poke at.  The same binaries run under minivisor, KVM and QEMU.
 */
#ifndef MV_GUEST_H
#define MV_GUEST_H

#include "abi.h"

#define GARGS ((volatile struct guest_args *)GUEST_ARGS)

#ifndef __ASSEMBLY__
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/minivisor.h>

#ifdef __x86_64__
#define _ASM_PTR ".quad "
#else
#define _ASM_PTR ".long "
#endif

/* An entry of the fixup table: a fault at label 1 resumes at label 2. */
#define EX_ENTRY ".pushsection .ex_table, \"a\"\n" _ASM_PTR "1b, 2b\n.popsection\n"

extern volatile uint32_t ex_vector, ex_error, ex_count;

struct ex_regs {
#ifdef __x86_64__
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error, ip, cs, flags, sp, ss;
#else
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
	uint32_t vector, error, ip, cs, flags;
#endif
};

typedef void (*ex_handler_t)(struct ex_regs *regs);

void idt_init(void);
void set_handler(int vector, ex_handler_t fn);

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

/* RDMSR/WRMSR that return the exception vector (NO_EXCEPTION on success). */
static inline uint32_t rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	ex_vector = NO_EXCEPTION;
	asm volatile("1: rdmsr\n2:\n" EX_ENTRY
		     : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return ex_vector;
}

static inline uint32_t wrmsr_safe(uint32_t msr, uint64_t val)
{
	ex_vector = NO_EXCEPTION;
	asm volatile("1: wrmsr\n2:\n" EX_ENTRY
		     : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
		     : "memory");
	return ex_vector;
}

/* VMMCALL: number in RAX, arguments in RBX, RCX, RDX, RSI. */
static inline long vmmcall(unsigned long nr, unsigned long a0,
			   unsigned long a1, unsigned long a2, unsigned long a3)
{
	long ret;

	asm volatile("vmmcall" : "=a"(ret)
		     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
	return ret;
}

/* VMCALL, Intel's spelling: a hypercall under minivisor on AMD too. */
static inline long vmcall(unsigned long nr, unsigned long a0,
			  unsigned long a1, unsigned long a2, unsigned long a3)
{
	long ret;

	asm volatile("vmcall" : "=a"(ret)
		     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
	return ret;
}

/* UD2; returns the exception vector it raised. */
static inline uint32_t ud2_safe(void)
{
	ex_vector = NO_EXCEPTION;
	asm volatile("1: ud2\n2:\n" EX_ENTRY : : : "memory");
	return ex_vector;
}

static inline unsigned long read_cr0(void)
{
	unsigned long v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(unsigned long v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline unsigned long read_cr2(void)
{
	unsigned long v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline unsigned long read_cr3(void)
{
	unsigned long v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(unsigned long v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(unsigned long v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline void invlpg(const volatile void *p)
{
	asm volatile("invlpg (%0)" : : "r"(p) : "memory");
}

static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void guest_puts(const char *s);
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ucall(uint32_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
void guest_assert_fail(const char *expr, int line, uint64_t a, uint64_t b)
	__attribute__((noreturn));
void guest_exit(uint8_t code) __attribute__((noreturn));
void *memset(void *p, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#define GUEST_SYNC(n)	ucall(UCALL_SYNC, (n), 0, 0, 0)
#define GUEST_SYNC2(n, v) ucall(UCALL_SYNC, (n), (v), 0, 0)
#define GUEST_DONE()	ucall(UCALL_DONE, 0, 0, 0, 0)
#define GUEST_ASSERT(c) do {						\
	if (!(c))							\
		guest_assert_fail(#c, __LINE__, 0, 0);			\
} while (0)
#define GUEST_ASSERT_EQ(a, b) do {					\
	uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);		\
	if (__a != __b)							\
		guest_assert_fail(#a " == " #b, __LINE__, __a, __b);	\
} while (0)

/* APs (64-bit guests): CPUs 1 .. AP_MAX - 1 run ap_main(APIC ID). */
void ap_main(unsigned int id);
void ap_entry(unsigned int id);

/* Each C guest provides this; its return value goes to isa-debug-exit. */
int guest_main(void);

#endif /* __ASSEMBLY__ */
#endif
