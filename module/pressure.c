// SPDX-License-Identifier: GPL-2.0
/*
 * The host-pressure policy: when the host runs short of memory, raise the
 * balloon targets of VMs, idle memory first, down to a floor per VM; when
 * the pressure goes, lower them again.
 *
 * Pressure is MemAvailable below the free target (balloon_free_target_mb,
 * default 5% of RAM), or the kernel's reclaim calling our shrinker (which
 * cannot free anything itself: it tells the worker how much was wanted).
 * A worker looks four times a second.  What it asks for counts as on its
 * way until the guests deliver, so it does not ask twice; a VM whose guest
 * never armed the balloon interrupt, or does not move, is left alone.
 *
 * Where to take from: ESX's idle memory tax.  A VM's pages cost it
 * f + k (1 - f), with f its active fraction and k = 1 / (1 - tax): idle
 * pages cost more, and the policy takes from the VM whose pages cost the
 * most (equal shares: the lowest shares per page), a megabyte at a time.
 * The active fraction comes from sampling: every two seconds, 64 random
 * backed pages of each VM have the accessed bits of their shadow entries
 * cleared (and TLBs flushed); two seconds later, those set again are the
 * active ones.
 */
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "minivisor.h"
#include "mmu.h"

#define MV_TICK			(HZ / 4)
#define MV_SAMPLE_TICKS		8			/* every 2 s */
#define MV_STEP			(SZ_1M >> PAGE_SHIFT)	/* one take */
#define MV_TICK_MAX		(SZ_64M >> PAGE_SHIFT)	/* per tick */
#define MV_HYSTERESIS		(SZ_32M >> PAGE_SHIFT)
#define MV_STALL_TICKS		16			/* 4 s */

static DEFINE_MUTEX(mv_policy_lock);	/* auto targets, mv_pstats, ticks */
static struct mv_balloon_policy_stats mv_pstats;
static atomic_long_t mv_shrink_want;
static atomic_long_t mv_shrink_calls;
static atomic_long_t mv_reclaimable;	/* for the shrinker's count */
static unsigned long mv_ticks;
static struct delayed_work mv_pressure_work;

static u64 mv_free_target(void)
{
	unsigned int mb = READ_ONCE(mv_balloon_free_target_mb);

	return mb ? (u64)mb << (20 - PAGE_SHIFT) : totalram_pages() / 20;
}

/* What the VM's balloon should hold now: admin's or ours, the larger. */
static u64 mv_cur_target(struct mv_vm *vm)
{
	return mv_balloon_target(vm);
}

/* The largest target the policy may set: the VM keeps its floor. */
static u64 mv_auto_max(struct mv_vm *vm)
{
	return vm->mem.nr_pages -
	       vm->mem.nr_pages * READ_ONCE(mv_balloon_floor_pct) / 100;
}

/* A guest that armed the interrupt and moves when asked. */
static bool mv_responsive(struct mv_vm *vm)
{
	return READ_ONCE(vm->balloon.vector) &&
	       vm->balloon.stall < MV_STALL_TICKS;
}

/* Pages asked for and not given yet. */
static u64 mv_pending(struct mv_vm *vm)
{
	u64 target = mv_cur_target(vm);
	long pages = atomic_long_read(&vm->balloon.pages);

	return target > pages ? target - pages : 0;
}

/* What the VM's pages cost it, up to a factor common to all VMs. */
static u64 mv_cost(struct mv_vm *vm)
{
	u64 allowed = vm->mem.nr_pages - mv_cur_target(vm);
	u32 f = READ_ONCE(vm->balloon.active_pct);
	u32 tax = READ_ONCE(mv_balloon_tax_pct);

	/* f + (1 - f) / (1 - tax), times 100 * (100 - tax). */
	return allowed * (f * (100 - tax) + 100 * (100 - f));
}

/* Active-memory sampling: read the last round, start the next. */
static void mv_sample(struct mv_vm *vm)
{
	struct mv_balloon *b = &vm->balloon;
	unsigned int i, young = 0, n = 0, tries;
	int idx;

	idx = srcu_read_lock(&mv_srcu);
	if (READ_ONCE(vm->dying))
		goto out;
	spin_lock(&vm->mmu.lock);
	for (i = 0; i < b->nr_sample; i++)
		young += mv_rmap_test_and_clear_young(vm, b->sample[i]);
	if (b->nr_sample) {
		u32 now = 100 * young / b->nr_sample;

		WRITE_ONCE(b->active_pct, b->sampled ? (b->active_pct + now) / 2 :
						       now);
		b->sampled = true;
	}
	for (tries = 0; n < MV_SAMPLE_PAGES && tries < 4 * MV_SAMPLE_PAGES;
	     tries++) {
		u64 gfn = get_random_u32_below(vm->mem.nr_pages);

		if (!READ_ONCE(vm->mem.pages[gfn]))
			continue;
		mv_rmap_test_and_clear_young(vm, gfn);
		b->sample[n++] = gfn;
	}
	b->nr_sample = n;
	spin_unlock(&vm->mmu.lock);
	/* Accessed bits only come back once the TLBs let go. */
	mv_mmu_commit(vm);
out:
	srcu_read_unlock(&mv_srcu, idx);
}

/* Every VM, referenced; how many. */
static unsigned int mv_collect(struct mv_vm **vms, unsigned int max)
{
	unsigned int n = 0;
	struct mv_vm *vm;
	u32 id = 1;

	while (n < max && (vm = mv_vm_get_next(&id))) {
		vms[n++] = vm;
		id++;
	}
	return n;
}

/* Ask responsive VMs for @need more pages, the most costly pages first. */
static void mv_reclaim(struct mv_vm **vms, unsigned int n, u64 need)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < n; i++)
		vms[i]->balloon.raised = false;

	while (need) {
		struct mv_vm *best = NULL;
		u64 best_cost = 0, room = 0, step;

		for (i = 0; i < n; i++) {
			u64 cur = mv_cur_target(vms[i]), cost;

			if (!mv_responsive(vms[i]) || cur >= mv_auto_max(vms[i]))
				continue;
			cost = mv_cost(vms[i]);
			if (!best || cost > best_cost) {
				best = vms[i];
				best_cost = cost;
				room = mv_auto_max(vms[i]) - cur;
			}
		}
		if (!best)
			break;
		step = min3(need, (u64)MV_STEP, room);
		WRITE_ONCE(best->balloon.auto_target, mv_cur_target(best) + step);
		best->balloon.raised = true;
		need -= step;
	}
	for (i = 0; i < n; i++) {
		if (!vms[i]->balloon.raised)
			continue;
		mv_balloon_notify(vms[i]);
		any = true;
	}
	if (any)
		mv_pstats.raises++;
}

/* Give back up to @amount pages of what the policy took. */
static void mv_release(struct mv_vm **vms, unsigned int n, u64 amount)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < n && amount; i++) {
		u64 cur = READ_ONCE(vms[i]->balloon.auto_target);
		u64 give = min(cur, amount);

		if (!give)
			continue;
		WRITE_ONCE(vms[i]->balloon.auto_target, cur - give);
		amount -= give;
		mv_balloon_notify(vms[i]);
		any = true;
	}
	if (any)
		mv_pstats.releases++;
}

static void mv_pressure_fn(struct work_struct *work)
{
	long avail = si_mem_available(), asked;
	u64 want = mv_free_target(), pending = 0, room = 0, taken = 0;
	bool on = READ_ONCE(mv_balloon_auto);
	struct mv_vm **vms;
	unsigned int i, n;

	asked = atomic_long_xchg(&mv_shrink_want, 0);
	vms = kmalloc_array(mv_max_vms, sizeof(*vms), GFP_KERNEL);
	if (!vms)
		goto again;
	mutex_lock(&mv_policy_lock);
	n = mv_collect(vms, mv_max_vms);
	for (i = 0; i < n; i++) {
		struct mv_balloon *b = &vms[i]->balloon;
		long pages = atomic_long_read(&b->pages);

		/* Asked and not moving: count it out. */
		if (mv_pending(vms[i]) && pages == b->last_pages)
			b->stall = min(b->stall + 1, MV_STALL_TICKS);
		else
			b->stall = 0;
		b->last_pages = pages;
		if (!(mv_ticks % MV_SAMPLE_TICKS))
			mv_sample(vms[i]);
		if (mv_responsive(vms[i])) {
			pending += mv_pending(vms[i]);
			if (mv_cur_target(vms[i]) < mv_auto_max(vms[i]))
				room += mv_auto_max(vms[i]) - mv_cur_target(vms[i]);
		}
	}
	mv_ticks++;
	atomic_long_set(&mv_reclaimable, on ? room : 0);
	if (on && ((u64)avail < want || asked > 0)) {
		u64 need = max_t(u64, (u64)avail < want ? want - avail : 0, asked);

		mv_pstats.pressure = true;
		/* What is on its way counts. */
		need = need > pending ? min_t(u64, need - pending, MV_TICK_MAX) : 0;
		if (need)
			mv_reclaim(vms, n, need);
	} else if (!on || (u64)avail > want + MV_HYSTERESIS) {
		mv_pstats.pressure = false;
		mv_release(vms, n, on ? min_t(u64, avail - want - MV_HYSTERESIS,
					      MV_TICK_MAX) : U64_MAX);
	}
	for (i = 0; i < n; i++) {
		taken += READ_ONCE(vms[i]->balloon.auto_target);
		mv_vm_put(vms[i]);
	}
	mv_pstats.reclaimed = taken;
	mutex_unlock(&mv_policy_lock);
	kfree(vms);
again:
	queue_delayed_work(system_unbound_wq, &mv_pressure_work, MV_TICK);
}

/*
 * The kernel's reclaim wants memory: we cannot free any here (the guests
 * must), so note how much and let the worker ask them at once.
 */
static unsigned long mv_shrink_count(struct shrinker *s,
				     struct shrink_control *sc)
{
	return atomic_long_read(&mv_reclaimable);
}

static unsigned long mv_shrink_scan(struct shrinker *s,
				    struct shrink_control *sc)
{
	atomic_long_add(sc->nr_to_scan, &mv_shrink_want);
	atomic_long_inc(&mv_shrink_calls);
	mod_delayed_work(system_unbound_wq, &mv_pressure_work, 0);
	return SHRINK_STOP;
}

static struct shrinker mv_shrinker = {
	.count_objects = mv_shrink_count,
	.scan_objects = mv_shrink_scan,
	.seeks = DEFAULT_SEEKS,
};

/* Settings changed: act on them now. */
void mv_pressure_kick(void)
{
	mod_delayed_work(system_unbound_wq, &mv_pressure_work, 0);
}

void mv_pressure_get_stats(struct mv_balloon_policy_stats *st)
{
	mutex_lock(&mv_policy_lock);
	*st = mv_pstats;
	mutex_unlock(&mv_policy_lock);
	st->shrinker_calls = atomic_long_read(&mv_shrink_calls);
}

int mv_pressure_init(void)
{
	int ret;

	INIT_DELAYED_WORK(&mv_pressure_work, mv_pressure_fn);
	ret = register_shrinker(&mv_shrinker, "minivisor-balloon");
	if (ret)
		return ret;
	queue_delayed_work(system_unbound_wq, &mv_pressure_work, MV_TICK);
	return 0;
}

void mv_pressure_exit(void)
{
	unregister_shrinker(&mv_shrinker);
	cancel_delayed_work_sync(&mv_pressure_work);
}
