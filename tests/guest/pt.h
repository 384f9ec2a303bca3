/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-side page tables for the three x86 formats: 32-bit two-level
 * (4-byte entries, 4 MiB pages with PSE), PAE and 4-level long mode.  Used
 * by the paging tests and benchmarks to build, change and switch address
 * spaces.  Tables come from an identity-mapped pool.
 */
#ifndef MV_GUEST_PT_H
#define MV_GUEST_PT_H

#include "guest.h"

enum pt_mode { PM_32 = 1, PM_PAE = 2, PM_LONG = 3 };

#define PTE_P		0x1ull
#define PTE_W		0x2ull
#define PTE_U		0x4ull
#define PTE_A		0x20ull
#define PTE_D		0x40ull
#define PTE_PS		0x80ull
#define PTE_G		0x100ull
#define PTE_NX		(1ull << 63)

struct pt {
	int mode;
	uint64_t cr3;
};

void pt_pool_init(uint64_t start, uint64_t end);
void pt_pool_reset(void);
void *pt_page(void);
void pt_init(struct pt *pt, int mode);
int pt_levels(int mode);
/* Size of what one entry at @level maps, as a shift. */
int pt_shift(int mode, int level);
/* The entry for @va at @level, or NULL if a table above is missing. */
uint64_t pt_get(struct pt *pt, uint64_t va, int level);
/* Set it, creating missing tables with full rights on the way. */
void pt_set(struct pt *pt, uint64_t va, int level, uint64_t val);
void pt_map(struct pt *pt, uint64_t va, uint64_t pa, int level, uint64_t flags);
/*
 * Identity-map [0, size): the first large page with 4 KiB supervisor pages
 * except the user code and stack pages, the rest with large pages.
 */
void pt_identity(struct pt *pt, uint64_t size);
/* Load CR3 (and, for 32-bit guests, CR4 and CR0.PG) for @pt. */
void pt_activate(struct pt *pt);
/* Turn paging off (32-bit guests). */
void pt_deactivate(void);

void tss_init(void);
void idt_set_dpl(int vector, int dpl);
#ifdef __x86_64__
void idt_set_ist(int vector, int ist);
void tss_set_ist(int n, uintptr_t top);
#endif
uint32_t run_user(unsigned long op, unsigned long addr);
void user_longjmp(uint32_t result) __attribute__((noreturn));
extern unsigned long user_flags;
extern volatile unsigned long ex_cr2;

#endif
