// SPDX-License-Identifier: GPL-2.0
/*
 * Guest programs for the balloon: a driver that follows the host's target
 * (idle, or actively using its memory), hostile balloon requests, and the
 * rates of touching, inflating and deflating memory.
 */
#include "balloon.h"

static uint64_t salt;

static uint64_t *page_of(uint64_t gfn)
{
	return (uint64_t *)(uintptr_t)(gfn << 12);
}

static void fill(uint64_t gfn)
{
	uint64_t *p = page_of(gfn), i;

	for (i = 0; i < 512; i++)
		p[i] = BL_WORD(gfn, i, salt);
}

static void check(uint64_t gfn, bool write)
{
	volatile uint64_t *p = page_of(gfn);
	uint64_t i;

	for (i = 0; i < 512; i += 64)
		if (p[i] != BL_WORD(gfn, i, salt))
			guest_assert_fail("page content", __LINE__, gfn, p[i]);
	if (write)
		p[0] = p[0];
}

/* A page given back: it must read as zeros; then it is ours again. */
static void deflated(uint64_t gfn)
{
	volatile uint64_t *p = page_of(gfn);
	uint64_t i;

	for (i = 0; i < 512; i++)
		if (p[i])
			guest_assert_fail("deflated page not zero", __LINE__, gfn, p[i]);
	fill(gfn);
}

static void driver(uint64_t first, uint64_t n, uint64_t flags)
{
	uint32_t seen = 0;
	uint64_t i, held;

	balloon_init(BALLOON_VECTOR);
	for (i = 0; i < n; i++) {
		fill(first + i);
		balloon_add_free(first + i);
	}
	GUEST_SYNC(1);
	for (;;) {
		held = balloon_adjust(deflated, NULL);
		GUEST_SYNC2(2, held);
		if (flags & (BL_ACTIVE | BL_WRITE)) {
			/* Use what we have until the target changes. */
			sti();
			while (balloon_kicks == seen)
				for (i = 0; i < balloon_nfree && balloon_kicks == seen; i++)
					check(balloon_free_page(i), flags & BL_WRITE);
		} else {
			/* Sleep until the host says otherwise. */
			cli();
			while (balloon_kicks == seen) {
				asm volatile("sti; hlt; cli" : : : "memory");
			}
		}
		seen = balloon_kicks;
	}
}

static uint64_t hlist[MV_BALLOON_BATCH] __attribute__((aligned(4096)));

#define HC(nr, a, b) vmmcall((nr), (uintptr_t)(a), (b), 0, 0)

static void hostile(uint64_t first)
{
	uint64_t g = first, lg = (uintptr_t)hlist >> 12;

	/* Vectors: 32 to 255, or 0. */
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_TARGET, 5, 0), -22);
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_TARGET, 256, 0), -22);
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_TARGET, 0, 0), 0);
	/* Lists: aligned, in RAM, 1 to MV_BALLOON_BATCH entries. */
	hlist[0] = g;
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, (uintptr_t)hlist + 8, 1), -22);
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, 1ull << 40, 1), -22);
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, hlist, 0), -22);
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, hlist, MV_BALLOON_BATCH + 1), -22);
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, hlist, ~0ull), -22);
	/* A list just past the end of RAM (arg[1]: the VM's size). */
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, GARGS->arg[1], 1), -22);
	/* Entries: in RAM, not inflated yet; taken until the first bad one. */
	hlist[0] = 1ull << 40;
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, hlist, 1), -22);
	hlist[0] = g;
	hlist[1] = 1ull << 40;
	hlist[2] = g + 1;
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, hlist, 3), 1);
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, hlist, 1), -22);
	hlist[0] = g + 1;
	hlist[1] = g + 1;
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, hlist, 2), 1);
	/* Deflate: only what is inflated, once. */
	hlist[0] = g + 2;
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_DEFLATE, hlist, 1), -22);
	hlist[0] = g;
	hlist[1] = g + 2;
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_DEFLATE, hlist, 2), 1);
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_DEFLATE, hlist, 1), -22);
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_DEFLATE, (uintptr_t)hlist + 4, 1), -22);
	/* Touching an inflated page takes it out of the balloon: zeroed. */
	GUEST_ASSERT_EQ(*(volatile uint64_t *)page_of(g + 1), 0);
	hlist[0] = g + 1;
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_DEFLATE, hlist, 1), -22);
	/* The list page itself, inflated: it comes back when next written. */
	hlist[0] = lg;
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, hlist, 1), 1);
	GUEST_ASSERT_EQ(hlist[0], 0);
	hlist[0] = lg;
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_DEFLATE, hlist, 1), -22);
	/* Stats: within the VM's size. */
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_STATS, 1ull << 40, 0), -22);
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_STATS, 0, 1ull << 40), -22);
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_STATS, 10, 20), 0);
	/* Unknown numbers nearby. */
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_STATS + 1, 0, 0), -MV_HC_ENOSYS);
	/* Everything inflated and deflated again, a full batch of it. */
	for (uint64_t i = 0; i < MV_BALLOON_BATCH; i++)
		hlist[i] = g + 8 + i;
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, hlist, MV_BALLOON_BATCH),
			MV_BALLOON_BATCH);
	for (uint64_t i = 0; i < MV_BALLOON_BATCH; i++)
		hlist[i] = g + 8 + i;
	GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_DEFLATE, hlist, MV_BALLOON_BATCH),
			MV_BALLOON_BATCH);
	GUEST_DONE();
}

static void rate(uint64_t first, uint64_t n)
{
	uint64_t i, k, done;

	GUEST_SYNC(1);
	for (i = 0; i < n; i++)
		*(volatile uint64_t *)page_of(first + i) = i;
	GUEST_SYNC(2);
	for (done = 0; done < n; done += k) {
		k = n - done < MV_BALLOON_BATCH ? n - done : MV_BALLOON_BATCH;
		for (i = 0; i < k; i++)
			hlist[i] = first + done + i;
		GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_INFLATE, hlist, k), k);
	}
	GUEST_SYNC(3);
	for (done = 0; done < n; done += k) {
		k = n - done < MV_BALLOON_BATCH ? n - done : MV_BALLOON_BATCH;
		for (i = 0; i < k; i++)
			hlist[i] = first + done + i;
		GUEST_ASSERT_EQ(HC(MV_HC_BALLOON_DEFLATE, hlist, k), k);
	}
	GUEST_SYNC(4);
	GUEST_DONE();
}

int guest_main(void)
{
	switch (GARGS->test) {
	case BL_DRIVER:
		salt = GARGS->arg[3];
		driver(GARGS->arg[0], GARGS->arg[1], GARGS->arg[2]);
		break;
	case BL_HOSTILE:
		hostile(GARGS->arg[0]);
		break;
	case BL_RATE:
		rate(GARGS->arg[0], GARGS->arg[1]);
		break;
	default:
		guest_printf("unknown test %u\n", GARGS->test);
		return 0x7e;
	}
	return 0;
}
