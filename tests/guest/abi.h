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
