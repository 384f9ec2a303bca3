/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A balloon driver for guest programs (64-bit): it owns a stack of pages
 * it may give away, inflates and deflates toward the host's target over
 * the balloon hypercalls, and wakes on the interrupt the host raises when
 * the target changes.
 */
#ifndef MV_GUEST_BALLOON_H
#define MV_GUEST_BALLOON_H

#include "guest.h"

/* Where the driver keeps its books: 2 MiB from 4 MiB on. */
#define BALLOON_META		0x400000ull
#define BALLOON_MAX_PAGES	(0x100000 / 8)
#define BALLOON_VECTOR		0x30

extern volatile uint32_t balloon_kicks;
extern uint64_t balloon_nfree, balloon_nheld;

/* Arm the interrupt (0: none) and start with no pages. */
void balloon_init(uint8_t vector);
/* A page the guest does not need: the balloon may take it. */
void balloon_add_free(uint64_t gfn);
/* The gfn on top of the free stack, for the guest to use; 0 if none. */
uint64_t balloon_take_free(void);
uint64_t balloon_free_page(uint64_t i);
/*
 * Move toward the host's target.  @deflated is called for every page
 * that comes back, before it goes on the free stack.  Returns the pages
 * held; the target is in *target.
 */
uint64_t balloon_adjust(void (*deflated)(uint64_t gfn), uint64_t *target);

#endif
