// SPDX-License-Identifier: GPL-2.0
/*
 * The guest side of the balloon (balloon.h).  Single vCPU: the interrupt
 * handler only counts; the work is done by balloon_adjust() in the
 * guest's own loop.
 */
#include "balloon.h"

volatile uint32_t balloon_kicks;
uint64_t balloon_nfree, balloon_nheld;
static uint64_t *const free_stack = (uint64_t *)BALLOON_META;
static uint64_t *const held_stack = (uint64_t *)(BALLOON_META + 0x100000);
static uint64_t list[MV_BALLOON_BATCH] __attribute__((aligned(4096)));
static uint8_t vec;

static void balloon_irq(struct ex_regs *regs)
{
	(void)regs;
	balloon_kicks++;
}

void balloon_init(uint8_t vector)
{
	vec = vector;
	balloon_nfree = balloon_nheld = 0;
	if (vector)
		set_handler(vector, balloon_irq);
}

void balloon_add_free(uint64_t gfn)
{
	GUEST_ASSERT(balloon_nfree < BALLOON_MAX_PAGES);
	free_stack[balloon_nfree++] = gfn;
}

uint64_t balloon_take_free(void)
{
	return balloon_nfree ? free_stack[--balloon_nfree] : 0;
}

uint64_t balloon_free_page(uint64_t i)
{
	return free_stack[i];
}

uint64_t balloon_adjust(void (*deflated)(uint64_t gfn), uint64_t *target)
{
	long t = vmmcall(MV_HC_BALLOON_TARGET, vec, 0, 0, 0), r;
	uint64_t n, i;

	GUEST_ASSERT(t >= 0);
	while (balloon_nheld < (uint64_t)t && balloon_nfree) {
		n = (uint64_t)t - balloon_nheld;
		if (n > balloon_nfree)
			n = balloon_nfree;
		if (n > MV_BALLOON_BATCH)
			n = MV_BALLOON_BATCH;
		for (i = 0; i < n; i++)
			list[i] = free_stack[balloon_nfree - 1 - i];
		r = vmmcall(MV_HC_BALLOON_INFLATE, (uintptr_t)list, n, 0, 0);
		GUEST_ASSERT_EQ(r, n);
		balloon_nfree -= n;
		for (i = 0; i < n; i++)
			held_stack[balloon_nheld++] = list[i];
	}
	while (balloon_nheld > (uint64_t)t) {
		n = balloon_nheld - (uint64_t)t;
		if (n > MV_BALLOON_BATCH)
			n = MV_BALLOON_BATCH;
		for (i = 0; i < n; i++)
			list[i] = held_stack[balloon_nheld - 1 - i];
		r = vmmcall(MV_HC_BALLOON_DEFLATE, (uintptr_t)list, n, 0, 0);
		GUEST_ASSERT_EQ(r, n);
		balloon_nheld -= n;
		for (i = 0; i < n; i++) {
			if (deflated)
				deflated(list[i]);
			free_stack[balloon_nfree++] = list[i];
		}
	}
	vmmcall(MV_HC_BALLOON_STATS, balloon_nfree, balloon_nfree, 0, 0);
	if (target)
		*target = t;
	return balloon_nheld;
}
