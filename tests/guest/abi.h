/* SPDX-License-Identifier: GPL-2.0 */
/* What guest programs and the host side of the tests agree on. */
#ifndef MV_GUEST_ABI_H
#define MV_GUEST_ABI_H

#define PORT_DEBUGCON	0xe9
#define PORT_EXIT	0xf4
#define PORT_UCALL	0x5e0

/* The host passes arguments in a block at this guest-physical address. */
#define GUEST_ARGS	0x1000

#define UCALL_SYNC	1
#define UCALL_DONE	2
#define UCALL_ASSERT	3

#define NO_EXCEPTION	0xff

/* Sub-tests of exits32.bin, chosen through guest_args.test. */
#define T_PIO		1
#define T_MMIO		2
#define T_HLT		3
#define T_IRQ		4
#define T_CPUID		5
#define T_MSR		6
#define T_HYPERCALL	7
#define T_TRIPLE	8
#define T_EXCEPTIONS	9
#define T_CR_DR		10
#define T_BAD_MMIO	11
#define T_SPIN		12
#define T_PROGRESS	13
#define T_TOUCH		14

/* Benchmarks of bench32.bin. */
#define B_PIO		1
#define B_CPUID		2
#define B_HYPERCALL	3

/* Tests and benchmarks of paging32.bin / paging64.bin (arg[0]: mode). */
#define P_MATRIX	1
#define P_SMEP_SMAP	2
#define P_AD		3
#define P_RSVD		4
#define P_ALIAS		5
#define P_SELFMAP	6
#define P_MANY		7
#define P_ROOTS		8
#define P_INVLPG	9
#define P_PF_HANDLER	10
#define P_TOUCH		11
#define B_FIRST_TOUCH	20
#define B_CTXSW		21
#define B_PTUPDATE	22

/*
 * hostile32.bin / hostile64.bin: a guest trying to hurt its host (the
 * hostile-guest catalogue in the README; tests/hostile_test.c).  arg[0]:
 * paging mode (0: off, 1: 32-bit, 2: PAE, 3: long mode); the rest as each
 * sub-test says in tests/guest/hostile.inc.c.
 */
#define H_STRADDLE	1	/* string I/O, SMSW/LMSW across two pages; arg[1]: faulting */
#define H_PAGE_END	2	/* emulated instructions at the end of a page */
#define H_NX_VCPUS	3	/* two vCPUs, EFER.NXE on and off, one set of tables */
#define H_TRIPLE	4	/* arg[1]: how (H_TRIPLE_*) */
#define H_DOUBLE	5	/* a fault delivering a fault: #DF on its own stack */
#define H_PT_OUTSIDE	6	/* arg[1]: which table lies outside RAM (H_OUT_*) */
#define H_SELF_TABLE	7	/* a directory that is its own page table */
#define H_INVLPG_STORM	8	/* arg[1]: operations */
#define H_HUGE_STRING	9	/* arg[1]: H_HUGE_*, arg[2]: address, arg[3]: RAM size */
#define H_REP_MOVS	10	/* arg[1]: H_MOVS_*, arg[2]: RAM size */
#define H_MMIO_EDGE	11	/* arg[1]: H_EDGE_*, arg[2]: RAM size */
#define H_LARGE_PAST_RAM 12	/* arg[1]: RAM size (a 2 MiB page across its end) */
#define H_USER_HYPERCALL 13	/* hypercalls from ring 3 */
#define H_EXC_LOOP	14	/* arg[1]: 0 a #PF handler that fixes nothing, 1 TF forever */
#define H_BALLOON_SELF	15	/* balloon away a mapped page and a live page table */
#define H_PT_WRITES	16	/* INS (and, if arg[1], the VMM) write its page tables */
#define H_LINUX_PT_WRITES 17	/* REP STOSQ on the live PML4; a write to the directory mapping the code */
#define H_UNSYNC_RELINK	18	/* an INVLPG while the path to an unsync table is gone */
#define H_PT_RMW	19	/* ALU read-modify-writes on the live PML4 and on MMIO */
#define H_TRIPLE_UD	0	/* IDT limit 0, then UD2 */
#define H_TRIPLE_INJECTED 1	/* IDT limit 0, then a fault minivisor injects */
#define H_TRIPLE_STACK	2	/* the stack not present, then UD2 */
#define H_OUT_PT	0	/* a directory entry names a table outside RAM */
#define H_OUT_CR3	1	/* CR3 outside RAM */
#define H_OUT_PDPTE	2	/* PAE: a PDPTE names a directory outside RAM */
#define H_HUGE_INS	0	/* REP INSB, ECX = 0xffffffff, up to the end of RAM */
#define H_HUGE_OUTS	1	/* REP OUTSB, the same */
#define H_HUGE_INS_DOWN	2	/* REP INSW with DF=1 from arg[2] down through 0 */
#define H_MOVS_TO_MMIO	0	/* REP MOVSB from RAM to MMIO */
#define H_MOVS_FROM_MMIO 1	/* from MMIO to RAM */
#define H_MOVS_PAST_RAM	2	/* RAM to RAM, running past the end of RAM */
#define H_EDGE_STORE	0	/* a 4-byte store: 2 bytes of RAM, 2 of MMIO */
#define H_EDGE_LOAD	1	/* the same load */
#define H_EDGE_FETCH	2	/* a jump to MMIO */
#define H_MMIO_GPA	0xd0000000ull	/* guest-physical MMIO for these tests */

/*
 * share64.bin: memory for the page-sharing tests, demo and benchmarks.
 * From SHARE_BASE on: image pages (the same in every VM), unique pages
 * (this VM's own), zero pages (backed, all zeros) and volatile pages
 * (rewritten all the time).  arg[0]: VM index, arg[1..4]: how many image,
 * unique, zero and volatile pages, arg[5]: steps (S_STRESS) or free
 * pages (S_FILL: after the others, dirty, and the balloon's).  S_STRESS
 * never rewrites the upper half of the image; with SHARE_VMM_HALF in
 * arg[0] it leaves that half to the VMM, which rewrites it meanwhile.
 */
#define SHARE_VMM_HALF	(1ull << 32)
#define S_FILL		1	/* fill, SYNC(1); then SYNC2(2, round) per round, forever */
#define S_STRESS	2	/* fill, SYNC(1); arg[5] checked reads and writes; DONE */
#define S_WRITE		3	/* SYNC2(1, *arg[1]), then *arg[1] = arg[2]; DONE */
/* arg[1] pages (made identical first if arg[2]); SYNC(1); one write each; DONE */
#define S_TOUCH		4
/*
 * S_TIMING (make bench's side channel): pages [0, arg[1]) hold what
 * another VM may hold too (share_word(SEED_IMAGE, i, 0, k)), pages
 * [arg[1], 2 arg[1]) content of this VM's own (seed SEED_UNIQUE + arg[0]);
 * SYNC(1); then one timed write to each, the two kinds in turn;
 * SYNC2(2, gpa of 2 arg[1] u64 TSC deltas: the guessed pages', then its
 * own pages'); DONE.
 */
#define S_TIMING	5
#define SHARE_BASE	0x800000ull
#define SHARE_MAX_PAGES	65536
#define SEED_IMAGE	0x1111ull
#define SEED_UNIQUE	0x100000ull	/* + VM index */
#define SEED_VOLATILE	0x200000ull	/* + VM index */
#define SEED_FREE	0x300000ull	/* + VM index */

/*
 * balloon64.bin.  BL_DRIVER: pages [arg[0], arg[0] + arg[1]) (gfns) hold
 * a pattern and are the balloon's to give; SYNC(1) once filled, then
 * SYNC2(2, pages held) after each adjustment.  arg[2] & BL_ACTIVE: keep
 * reading every page not in the balloon (BL_WRITE: and storing the value
 * a word holds, a copy-on-write if the page is shared), else sleep (HLT)
 * between interrupts; arg[3]: a salt in the pattern (VMs with the same
 * salt have identical pools, for sharing).  BL_HOSTILE: bad balloon requests, checked by the guest
 * (arg[0]: a free gfn with 520 free ones after it, arg[1]: the VM's size).
 * BL_RATE: touch arg[1] pages from gfn arg[0], then inflate and deflate
 * them all, a SYNC between phases (for make bench).
 */
#define BL_DRIVER	1
#define BL_HOSTILE	2
#define BL_RATE		3
#define BL_ACTIVE	1
#define BL_WRITE	2	/* BL_ACTIVE, and store each page's first word again */

/* The word @i of balloon64's page @gfn, in a VM with arg[3] = @salt. */
#define BL_WORD(gfn, i, salt) \
	(((uint64_t)(gfn) << 20) ^ 0x5a5a000000000000ull ^ (i) ^ ((uint64_t)(salt) << 44))

/*
 * irq64.bin: the irqchip (arg[0] unused; arg[1], arg[2] per test).  Its
 * ucall SYNCs carry a request in args[0]: IRQ_REPORT (args[1] a tag,
 * args[2] what was seen: compared with KVM's run), IRQ_MEASURE (args[1] a
 * tag, args[2] ns: printed), IRQ_LINE (args[1] GSI, args[2] level: the host
 * sets the line before it resumes the guest).
 */
#define I_REGS		1
#define I_PRIORITY	2
#define I_TPR		3
#define I_ONESHOT	4	/* arg[1] initial count, arg[2] TDCR */
#define I_PERIODIC	5	/* arg[1] initial count, arg[2] ticks */
#define I_DEADLINE	6	/* arg[1] ns ahead */
#define I_X2APIC	7
#define I_NMI		8
#define I_IOAPIC	9
#define I_SMP		10	/* two vCPUs */
#define I_PIC		11
#define I_PIT		12
#define I_HOSTILE	13	/* arg[1]: one of H_* */
#define I_MSRS		14	/* the platform MSRs, two unknown ones */
#define I_ONCE		15	/* arg[1] interrupts, arg[2] handler loops */
#define H_TIMER_PERIODS	1
#define H_ICR_FLOOD	2
#define H_LOW_VECTORS	3
#define H_IOAPIC_GARBAGE 4
#define H_APIC_BASE	5
#define H_ARMED_SPIN	6	/* SYNC(1), then spins with timers armed */
#define IB_ONESHOT	20	/* benchmarks: arg[1] iterations */
#define IB_DEADLINE	21
#define IB_SELF_IPI	22
#define IRQ_REPORT	1
#define IRQ_MEASURE	2
#define IRQ_LINE	3
#define IRQ_MSI		4	/* args[1] address, args[2] data: the host signals it */

/* 64-bit guests start at most this many CPUs (crt64.S). */
#define AP_MAX		4

/* GDT selectors of C guests (gdt.S). */
#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18
#define SEL_UCODE32	0x30
#define SEL_UDATA	0x38
#define SEL_UCODE64	0x40
#define SEL_TSS		0x48

/* Ring-3 probes (user32.S, user64.S). */
#define USER_READ	0
#define USER_WRITE	1
#define USER_FETCH	2
#define USER_RETURN_VEC	0x3f

/* Ports the exit tests talk to. */
#define PORT_TEST	0x500
#define PORT_TEST_IN	0x501

#ifndef __ASSEMBLY__
#include <stdint.h>

struct guest_args {
	uint32_t test;
	uint32_t pad;
	uint64_t arg[6];
};

struct ucall {
	uint32_t cmd;
	uint32_t line;
	uint64_t args[4];
	char msg[96];
};

/* Word @i of page @page of share64's memory with @seed, at version @ver. */
static inline uint64_t share_word(uint64_t seed, uint64_t page, uint64_t ver,
				  uint64_t i)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull ^
		     (page + 1) * 0xbf58476d1ce4e5b9ull ^
		     (ver + 1) * 0x94d049bb133111ebull;

	return x ^ (i * 0x2545f4914f6cdd1dull);
}

#endif
#endif
