// SPDX-License-Identifier: GPL-2.0
#include "pt.h"

extern char __user_start[], __user_end[];
extern char __user_stack_start[], __user_stack_end[];

static uint64_t pool_start, pool_next, pool_end;

void pt_pool_init(uint64_t start, uint64_t end)
{
	pool_start = pool_next = start;
	pool_end = end;
}

void pt_pool_reset(void)
{
	pool_next = pool_start;
}

void *pt_page(void)
{
	void *p = (void *)(uintptr_t)pool_next;

	GUEST_ASSERT(pool_next + 4096 <= pool_end);
	pool_next += 4096;
	memset(p, 0, 4096);
	return p;
}

int pt_levels(int mode)
{
	return mode == PM_32 ? 2 : mode == PM_PAE ? 3 : 4;
}

int pt_shift(int mode, int level)
{
	if (mode == PM_32)
		return level == 1 ? 12 : 22;
	return 12 + 9 * (level - 1);
}

static int pt_index(int mode, uint64_t va, int level)
{
	if (mode == PM_32)
		return (va >> pt_shift(mode, level)) & 1023;
	if (mode == PM_PAE && level == 3)
		return (va >> 30) & 3;
	return (va >> pt_shift(mode, level)) & 511;
}

void pt_init(struct pt *pt, int mode)
{
	pt->mode = mode;
	pt->cr3 = (uintptr_t)pt_page();
}

static uint64_t rd(int mode, uint64_t table, int i)
{
	if (mode == PM_32)
		return ((volatile uint32_t *)(uintptr_t)table)[i];
	return ((volatile uint64_t *)(uintptr_t)table)[i];
}

static void wr(int mode, uint64_t table, int i, uint64_t v)
{
	if (mode == PM_32)
		((volatile uint32_t *)(uintptr_t)table)[i] = v;
	else
		((volatile uint64_t *)(uintptr_t)table)[i] = v;
}

static uint64_t addr_of(int mode, uint64_t e)
{
	return mode == PM_32 ? e & 0xfffff000 : e & 0x000ffffffffff000ull;
}

/* The table holding @level's entry for @va; creates tables if asked. */
static uint64_t pt_table(struct pt *pt, uint64_t va, int level, bool create)
{
	uint64_t table = pt->cr3 & (pt->mode == PM_PAE ? ~0x1full : ~0xfffull);
	int l;

	for (l = pt_levels(pt->mode); l > level; l--) {
		int i = pt_index(pt->mode, va, l);
		uint64_t e = rd(pt->mode, table, i);

		if (!(e & PTE_P) || (l > 1 && (e & PTE_PS) && l != 4 &&
				     !(pt->mode == PM_PAE && l == 3))) {
			if (!create)
				return 0;
			e = (uintptr_t)pt_page() | PTE_P;
			/* PAE PDPTEs have no rights bits. */
			if (!(pt->mode == PM_PAE && l == 3))
				e |= PTE_W | PTE_U;
			wr(pt->mode, table, i, e);
		}
		table = addr_of(pt->mode, e);
	}
	return table;
}

uint64_t pt_get(struct pt *pt, uint64_t va, int level)
{
	uint64_t table = pt_table(pt, va, level, false);

	return table ? rd(pt->mode, table, pt_index(pt->mode, va, level)) : 0;
}

void pt_set(struct pt *pt, uint64_t va, int level, uint64_t val)
{
	uint64_t table = pt_table(pt, va, level, true);

	wr(pt->mode, table, pt_index(pt->mode, va, level), val);
}

void pt_map(struct pt *pt, uint64_t va, uint64_t pa, int level, uint64_t flags)
{
	pt_set(pt, va, level, pa | flags | PTE_P | (level > 1 ? PTE_PS : 0));
}

static bool is_user_page(uint64_t a)
{
	return (a >= (uintptr_t)__user_start && a < (uintptr_t)__user_end) ||
	       (a >= (uintptr_t)__user_stack_start &&
		a < (uintptr_t)__user_stack_end);
}

void pt_identity(struct pt *pt, uint64_t size)
{
	int big = pt->mode == PM_32 ? 22 : 21;
	uint64_t a;

	for (a = 0; a < (1ull << big); a += 4096)
		pt_map(pt, a, a, 1, PTE_W | (is_user_page(a) ? PTE_U : 0));
	for (; a < size; a += 1ull << big)
		pt_map(pt, a, a, 2, PTE_W);
}

void pt_activate(struct pt *pt)
{
#ifdef __x86_64__
	write_cr3(pt->cr3);
#else
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();
	unsigned long want = pt->mode == PM_PAE ? (1ul << 5) : (1ul << 4);

	if ((cr0 & 0x80000000) && (cr4 & ((1ul << 5) | (1ul << 4))) != want) {
		write_cr0(cr0 & ~0x80000000ul);
		cr0 &= ~0x80000000ul;
	}
	write_cr4((cr4 & ~((1ul << 5) | (1ul << 4))) | want);
	write_cr3(pt->cr3);
	if (!(cr0 & 0x80000000))
		write_cr0(cr0 | 0x80000000ul);
#endif
}

void pt_deactivate(void)
{
#ifndef __x86_64__
	write_cr0(read_cr0() & ~0x80000000ul);
#endif
}
