// SPDX-License-Identifier: GPL-2.0
/*
 * Reproducers of what make fuzz found (tests/fuzzfound_test.c), in 32-bit
 * protected mode with paging off.  Each sub-test reports what the guest
 * saw with one UCALL_SYNC (args: seen, expected, count) and the host
 * judges, so the same binary shows what KVM and minivisor do.
 */
#include "guest.h"

enum { T_TF_CPUID = 1, T_TF_OUT, T_RF_UD };

#define RFLAGS_TF	0x100u
#define RFLAGS_RF	0x10000u

static volatile uint32_t seen_ip, seen_flags, count;

/* The single-step trap: where it came from; no more stepping. */
static void on_db(struct ex_regs *r)
{
	if (!count++)
		seen_ip = r->ip;
	r->flags &= ~RFLAGS_TF;
}

/* #UD: the EFLAGS image the CPU pushed; go on past the UD2. */
static void on_ud(struct ex_regs *r)
{
	count++;
	seen_ip = r->ip;
	seen_flags = r->flags;
	r->ip += 2;
}

/*
 * TF set by POPF: the instruction after POPF runs, then #DB (a trap) with
 * the address of the instruction after it.  CPUID is intercepted and
 * emulated by the hypervisor; OUT to the debug console exits to the VMM.
 */
static void test_tf_cpuid(void)
{
	uint32_t after;

	set_handler(1, on_db);
	asm volatile("pushf; orl $0x100, (%%esp); popf\n\t"
		     "cpuid\n"
		     "1:\tnop\n\t"
		     "nop\n\t"
		     "movl $1b, %0"
		     : "=r"(after) : "a"(0) : "ebx", "ecx", "edx", "memory");
	ucall(UCALL_SYNC, seen_ip, after, count, 0);
}

static void test_tf_out(void)
{
	uint32_t after;

	set_handler(1, on_db);
	asm volatile("pushf; orl $0x100, (%%esp); popf\n\t"
		     "outb %%al, $0xe9\n"
		     "1:\tnop\n\t"
		     "nop\n\t"
		     "movl $1b, %0"
		     : "=r"(after) : "a"('.') : "memory");
	ucall(UCALL_SYNC, seen_ip, after, count, 0);
}

/* A fault's EFLAGS image has RF set (SDM 3A 6.12.1, APM 2 8.9.3 "RF"). */
static void test_rf_ud(void)
{
	uint32_t at;

	set_handler(6, on_ud);
	asm volatile("movl $1f, %0\n"
		     "1:\tud2"
		     : "=r"(at) : : "memory");
	ucall(UCALL_SYNC, seen_flags & RFLAGS_RF, RFLAGS_RF, count, seen_ip == at);
}

int guest_main(void)
{
	switch (GARGS->test) {
	case T_TF_CPUID: test_tf_cpuid(); break;
	case T_TF_OUT: test_tf_out(); break;
	case T_RF_UD: test_rf_ud(); break;
	default:
		guest_printf("unknown test %u\n", GARGS->test);
		return 0x7e;
	}
	return 0;
}
