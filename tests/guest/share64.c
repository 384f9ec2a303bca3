// SPDX-License-Identifier: GPL-2.0
/*
 * A guest for page sharing: it fills its memory with a mix of pages other
 * VMs have too (an "OS image"), pages of its own, zero pages and pages it
 * keeps changing, then keeps checking that every page holds what it last
 * wrote, while the host merges and unmerges pages under it.
 *
 * S_STRESS adds random rewrites (back to content other VMs share, or to
 * new content), stores of the value a word already holds (a copy-on-write
 * break that must keep the page intact), and zero-page reads and writes.
 */
#include "balloon.h"

static uint64_t vm, n_image, n_unique, n_zero, n_volatile;
/* S_STRESS: the upper half of the image is the VMM's to rewrite. */
static bool vmm_half;
static uint8_t ver[SHARE_MAX_PAGES];

static volatile uint64_t *page_at(uint64_t idx)
{
	return (volatile uint64_t *)(uintptr_t)(SHARE_BASE + idx * 4096);
}

static uint64_t seed_of(uint64_t idx)
{
	return idx < n_image ? SEED_IMAGE : SEED_UNIQUE + vm;
}

static void fill_page(uint64_t idx, uint64_t v)
{
	volatile uint64_t *p = page_at(idx);
	uint64_t seed = seed_of(idx), i;

	for (i = 0; i < 512; i++)
		p[i] = share_word(seed, idx, v, i);
	ver[idx] = v;
}

static void check_page(uint64_t idx)
{
	volatile uint64_t *p = page_at(idx);
	uint64_t seed = seed_of(idx), v = ver[idx], i, w;

	for (i = 0; i < 512; i++) {
		w = p[i];
		if (w != share_word(seed, idx, v, i))
			guest_assert_fail("page content", __LINE__,
					  (idx << 16) | i, w);
	}
}

static void check_zero(uint64_t z)
{
	volatile uint64_t *p = page_at(n_image + n_unique + z);
	uint64_t i;

	for (i = 0; i < 512; i++)
		if (p[i])
			guest_assert_fail("zero page", __LINE__, z << 16 | i, p[i]);
}

static void write_volatile(uint64_t round)
{
	uint64_t base = n_image + n_unique + n_zero, j, i;

	for (j = 0; j < n_volatile; j++) {
		volatile uint64_t *p = page_at(base + j);

		for (i = 0; i < 512; i++)
			p[i] = share_word(SEED_VOLATILE + vm, j, round, i);
	}
}

static void fill(void)
{
	uint64_t i;

	for (i = 0; i < n_image + n_unique; i++)
		fill_page(i, 0);
	/* Zero pages are backed: the guest wrote them (with zeros). */
	for (i = 0; i < n_zero; i++)
		page_at(n_image + n_unique + i)[0] = 0;
	write_volatile(0);
}

/* Pages the VMM rewrites under us (S_STRESS) are not ours to check. */
static bool ours(uint64_t idx)
{
	return !vmm_half || idx < n_image / 2 || idx >= n_image;
}

/*
 * A page the guest may rewrite: never the upper half of the image, which
 * stays as it was filled here, or is rewritten by the VMM (vmm_half).
 */
static uint64_t pick(uint64_t r)
{
	uint64_t lo = n_image / 2, k = r % (lo + n_unique);

	return k < lo ? k : n_image + (k - lo);
}

static void check_all(void)
{
	uint64_t i;

	for (i = 0; i < n_image + n_unique; i++)
		if (ours(i))
			check_page(i);
	for (i = 0; i < n_zero; i++)
		check_zero(i);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void stress(uint64_t steps)
{
	uint64_t n = n_image + n_unique, s, r, idx, w;
	volatile uint64_t *p;

	rng_state = 0x12345678 + vm * 7919;
	for (s = 0; s < steps; s++) {
		r = rng();
		idx = pick(r);
		switch ((r >> 32) % 16) {
		case 0 ... 7:
			/* Any page of ours, the read-only half of the image too. */
			if (ours(r % n))
				check_page(r % n);
			break;
		case 8 ... 10:
			fill_page(idx, (ver[idx] + 1) % 3);
			break;
		case 11 ... 12:
			/* The value it holds: still a write, still a COW. */
			p = page_at(idx);
			w = (r >> 40) & 511;
			p[w] = p[w];
			check_page(idx);
			break;
		case 13:
			if (n_zero) {
				w = (r >> 40) % n_zero;
				check_zero(w);
				page_at(n_image + n_unique + w)[(r >> 50) & 511] = 0;
				check_zero(w);
			}
			break;
		case 14:
			fill_page(idx, 0);
			break;
		default:
			write_volatile(s);
			break;
		}
		if (!(s % 4096)) {
			check_all();
			GUEST_SYNC2(3, s);
		}
	}
	check_all();
}

/*
 * S_FILL: arg[5] pages after the others are free memory as a guest has it:
 * dirty with old data of its own, and the balloon's to give.
 */
static uint32_t kicks_seen;

static void fill_free(uint64_t n)
{
	uint64_t first = n_image + n_unique + n_zero + n_volatile, j, i;

	/* None: no balloon either (KVM, the benchmarks). */
	if (!n)
		return;
	balloon_init(BALLOON_VECTOR);
	for (j = 0; j < n; j++) {
		volatile uint64_t *p = page_at(first + j);

		for (i = 0; i < 512; i++)
			p[i] = share_word(SEED_FREE + vm, j, 0, i);
		balloon_add_free((SHARE_BASE >> 12) + first + j);
	}
	/* Armed: the host's first word on the target comes as an interrupt. */
	balloon_adjust(NULL, NULL);
}

/* TSC cycles one store to @p takes (a copy-on-write break if @p is shared). */
static uint64_t timed_write(volatile uint64_t *p, uint64_t v)
{
	uint32_t lo0, hi0, lo1, hi1;

	asm volatile("mfence; lfence; rdtsc" : "=a"(lo0), "=d"(hi0) : : "memory");
	*p = v;
	asm volatile("mfence; lfence; rdtsc" : "=a"(lo1), "=d"(hi1) : : "memory");
	return (((uint64_t)hi1 << 32) | lo1) - (((uint64_t)hi0 << 32) | lo0);
}

/*
 * S_TIMING: the dedup side channel from the attacker's side.  Pages it
 * guesses another VM holds, pages of its own; once the host has let the
 * scanner run, one timed write to each, in turn.
 */
static uint64_t deltas[2 * 1024];

static void timing(uint64_t n)
{
	uint64_t i, k;

	GUEST_ASSERT(n <= 1024);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 512; k++) {
			page_at(i)[k] = share_word(SEED_IMAGE, i, 0, k);
			page_at(n + i)[k] = share_word(SEED_UNIQUE + vm, i, 0, k);
		}
	}
	GUEST_SYNC(1);
	for (i = 0; i < n; i++) {
		deltas[i] = timed_write(page_at(i), ~i);
		deltas[n + i] = timed_write(page_at(n + i), ~i);
	}
	GUEST_SYNC2(2, (uintptr_t)deltas);
	GUEST_DONE();
}

int guest_main(void)
{
	uint64_t round, i;

	vm = GARGS->arg[0] & 0xffffffff;
	vmm_half = GARGS->arg[0] >> 32 & 1;
	n_image = GARGS->arg[1];
	n_unique = GARGS->arg[2];
	n_zero = GARGS->arg[3];
	n_volatile = GARGS->arg[4];

	if (GARGS->test == S_WRITE) {
		volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)GARGS->arg[1];

		GUEST_SYNC2(1, *p);
		*p = GARGS->arg[2];
		GUEST_ASSERT_EQ(*p, GARGS->arg[2]);
		GUEST_DONE();
		return 0;
	}
	if (GARGS->test == S_TOUCH) {
		uint64_t n = GARGS->arg[1], k;

		/* Identical pages, for the host to merge: each write a COW. */
		for (i = 0; GARGS->arg[2] && i < n; i++)
			for (k = 0; k < 512; k++)
				page_at(i)[k] = share_word(SEED_IMAGE, 0, 0, k);
		GUEST_SYNC(1);
		for (i = 0; i < n; i++)
			page_at(i)[0] = i;
		GUEST_DONE();
		return 0;
	}
	if (GARGS->test == S_TIMING) {
		timing(GARGS->arg[1]);
		return 0;
	}
	GUEST_ASSERT(n_image + n_unique <= SHARE_MAX_PAGES);
	fill();
	if (GARGS->test == S_FILL)
		fill_free(GARGS->arg[5]);
	GUEST_SYNC(1);
	if (GARGS->test == S_STRESS) {
		stress(GARGS->arg[5]);
		GUEST_DONE();
		return 0;
	}
	/*
	 * S_FILL: a live guest, checking a slice of its memory each round,
	 * and giving its free memory to the balloon when the host asks.
	 */
	sti();
	for (round = 1, i = 0;; round++) {
		uint64_t k;

		if (balloon_kicks != kicks_seen) {
			kicks_seen = balloon_kicks;
			balloon_adjust(NULL, NULL);
		}
		write_volatile(round);
		for (k = 0; k < 64 && n_image + n_unique; k++) {
			check_page(i);
			i = (i + 1) % (n_image + n_unique);
		}
		GUEST_SYNC2(2, round);
	}
	return 0;
}
