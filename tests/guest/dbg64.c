// SPDX-License-Identifier: GPL-2.0
/*
 * dbg64.bin: the debug registers as a guest debugger uses them, for
 * hostile_test.c's hv.debug_registers, which runs it under minivisor and
 * KVM (npt=0) in one boot and requires the same output.  Each case prints
 * the #DBs it took (where, and DR6 as the handler read it): instruction
 * breakpoints (DR0 before DR7 and after), data watchpoints (write, and
 * read/write, with DR6.BS left set by software), single steps over
 * instructions the VMM emulates (CPUID, IN, RDMSR, MOV DR), general
 * detect (DR7.GD: a fault before the move, GD cleared by the delivery),
 * ICEBP, and DR4/DR5 aliasing DR6/DR7 unless CR4.DE.
 */
#include "guest.h"

#define DR6_BS		(1ul << 14)
#define DR7_FIXED	0x400ul
#define DR7_GD		(1ul << 13)
#define TF		(1ul << 8)
#define RF		(1ul << 16)

#define MAX_HITS	12

static volatile unsigned int n;
static volatile uint64_t hit_rip[MAX_HITS], hit_dr6[MAX_HITS];
static volatile uint32_t watched;

#define DR_RW(reg) ({ unsigned long _v;					\
	asm volatile("mov %%dr" #reg ", %0" : "=r"(_v)); _v; })
#define DR_WR(reg, v) asm volatile("mov %0, %%dr" #reg : : "r"((unsigned long)(v)))

static void db_handler(struct ex_regs *regs)
{
	uint64_t dr6 = DR_RW(6);

	if (n < MAX_HITS) {
		hit_rip[n] = regs->ip;
		hit_dr6[n] = dr6;
	}
	n++;
	/* DR0's execute breakpoint is a fault: resume past it once. */
	if (dr6 & 1)
		regs->flags |= RF;
	if (n >= MAX_HITS) {
		regs->flags &= ~TF;
		DR_WR(7, DR7_FIXED);
	}
}

/* Print the #DBs since the last call, as offsets from @base. */
static void report(const char *what, uintptr_t base)
{
	unsigned int i;

	guest_printf("%s: %u #DB", what, n);
	for (i = 0; i < n && i < MAX_HITS; i++)
		guest_printf(" [%ld dr6 %llx]", (long)(hit_rip[i] - base),
			     (unsigned long long)hit_dr6[i]);
	guest_printf("\n");
	n = 0;
	DR_WR(6, 0);
}

extern char ibp1[], ibp2[], wp1[], wp2[], ss1[], gd1[], ice1[];

static void instruction_breakpoints(void)
{
	/* DR0, then DR7 (the order kvm-unit-tests' debug uses). */
	DR_WR(0, ibp1);
	DR_WR(7, DR7_FIXED | 0x2);			/* G0, execute */
	asm volatile("ibp1: nop; nop");
	DR_WR(7, DR7_FIXED);
	report("execute breakpoint, DR0 then DR7", (uintptr_t)ibp1);
	/* DR7 first, then the address. */
	DR_WR(7, DR7_FIXED | 0x1);			/* L0 */
	DR_WR(0, ibp2);
	asm volatile("ibp2: nop; nop");
	DR_WR(7, DR7_FIXED);
	report("execute breakpoint, DR7 then DR0", (uintptr_t)ibp2);
}

static void watchpoints(void)
{
	DR_WR(1, &watched);
	DR_WR(6, DR6_BS);				/* left set by software */
	DR_WR(7, DR7_FIXED | 0x00d00008);		/* G1, 4-byte write */
	asm volatile("movl $42, %0\nwp1:" : "=m"(watched));
	report("write watchpoint, BS left set", (uintptr_t)wp1);
	DR_WR(7, DR7_FIXED | 0x00f00008);		/* G1, 4-byte read/write */
	asm volatile("movl %0, %%eax\nwp2:" : : "m"(watched) : "eax");
	DR_WR(7, DR7_FIXED);
	report("read/write watchpoint", (uintptr_t)wp2);
	guest_printf("watched %u\n", watched);
}

static void single_steps(void)
{
	uint64_t v = 0;

	/* PUSHF; POPF sets TF; each instruction after it traps. */
	asm volatile("pushfq\n\t"
		     "orq $0x100, (%%rsp)\n\t"
		     "popfq\n\t"
		     "ss1: cpuid\n\t"
		     "mov %[port], %%edx\n\t"
		     "inb %%dx, %%al\n\t"
		     "mov %%rsi, %%dr0\n\t"
		     "mov $0x10, %%ecx\n\t"
		     "rdmsr\n\t"
		     "pushfq\n\t"
		     "andq $~0x100, (%%rsp)\n\t"
		     "popfq\n\t"
		     : "+a"(v) : "S"(0x55ul), [port] "i"(PORT_TEST_IN)
		     : "rbx", "rcx", "rdx", "memory", "cc");
	report("single steps over CPUID, MOV, IN, MOV DR, MOV, RDMSR, PUSHF, AND, POPF",
	       (uintptr_t)ss1);
	guest_printf("DR0 after the step: %lx\n", DR_RW(0));
}

static void general_detect(void)
{
	unsigned long dr7;

	DR_WR(7, DR7_FIXED | DR7_GD);
	asm volatile("gd1: mov %0, %%dr6" : : "r"(0ul));
	dr7 = DR_RW(7);
	report("general detect", (uintptr_t)gd1);
	guest_printf("DR7 after general detect: %lx\n", dr7);
}

static void icebp(void)
{
	/* (QEMU's TCG, the test machine, raises #UD for it in a guest.) */
	ex_vector = NO_EXCEPTION;
	asm volatile("1: .byte 0xf1\nice1:\n2:\n" EX_ENTRY : : : "memory");
	report("icebp", (uintptr_t)ice1);
	guest_printf("icebp raised vector %u\n", ex_vector);
}

static void dr4_dr5(void)
{
	unsigned long cr4, v4, v5;

	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	asm volatile("mov %0, %%cr4" : : "r"(cr4 & ~8ul));
	DR_WR(6, 0x1ul | DR6_BS);
	DR_WR(7, DR7_FIXED | 0x00010000);
	asm volatile("mov %%dr4, %0; mov %%dr5, %1" : "=r"(v4), "=r"(v5));
	guest_printf("CR4.DE=0: DR4 %lx DR5 %lx\n", v4, v5);
	DR_WR(7, DR7_FIXED);
	asm volatile("mov %0, %%cr4" : : "r"(cr4 | 8ul));
	ex_vector = NO_EXCEPTION;
	asm volatile("1: mov %%dr4, %0\n2:\n" EX_ENTRY : "=r"(v4) : : "memory");
	guest_printf("CR4.DE=1: MOV from DR4 raised vector %u\n", ex_vector);
	asm volatile("mov %0, %%cr4" : : "r"(cr4));
	/* What the two status registers keep of a write of all ones. */
	DR_WR(7, 0xffff0000ul | DR7_FIXED);
	guest_printf("DR7 written ffff0400 reads %lx\n", DR_RW(7));
	DR_WR(7, DR7_FIXED);
	ex_vector = NO_EXCEPTION;
	asm volatile("1: mov %0, %%dr7\n2:\n" EX_ENTRY : : "r"(1ul << 32) : "memory");
	guest_printf("DR7 bit 32 raised vector %u\n", ex_vector);
	DR_WR(6, 0);
}

int guest_main(void)
{
	set_handler(1, db_handler);
	DR_WR(6, 0);
	instruction_breakpoints();
	watchpoints();
	single_steps();
	general_detect();
	icebp();
	dr4_dr5();
	GUEST_DONE();
	return 0;
}
