// SPDX-License-Identifier: GPL-2.0
/*
 * The host-pressure policy: when the host runs short of memory, raise the
 * balloon targets of VMs, idle memory first, down to a floor per VM; when
 * the pressure goes, lower them again.
 *
 * Pressure is MemAvailable below the free target (balloon_free_target_mb,
 * default 5% of RAM), or the kernel's reclaim calling our shrinker (which
 * cannot free anything itself: it tells the worker how much was wanted;
 * that counts only while memory is not plentiful anyway).  A worker looks
 * four times a second.  What it asks for counts as on its way until the
 * guests deliver, so it does not ask twice; a VM whose guest never armed
 * the balloon interrupt, or makes no progress for four seconds, is left
 * alone.  When memory is plentiful again for two seconds, it gives back,
 * 64 MiB a run at most.
 *
 * Its targets come on top of the administrator's.  Where to take from:
 * ESX's idle memory tax.  A VM's pages cost it
 * f + k (1 - f), with f its active fraction and k = 1 / (1 - tax): idle
 * pages cost more, and the policy takes from the VM whose pages cost the
 * most (equal shares: the lowest shares per page), a megabyte at a time.
 * The active fraction comes from sampling: every two seconds, 64 random
 * backed pages of each VM have the accessed bits of their shadow entries
 * cleared (and TLBs flushed); two seconds later, those set again are the
 * active ones.  Sampling runs while the policy is on.
 */
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "minivisor.h"
#include "mmu.h"
#include "trace.h"

#define MV_TICK			(HZ / 4)
#define MV_SAMPLE_PERIOD	(2 * HZ)
#define MV_STALL_PERIOD		(4 * HZ)	/* no progress: left alone */
#define MV_CALM_PERIOD		(2 * HZ)	/* calm this long: give back */
#define MV_KICK_GAP		(HZ / 10)	/* shrinker kicks, at most */
#define MV_STEP			(SZ_1M >> PAGE_SHIFT)	/* one take */
#define MV_TICK_MAX		(SZ_64M >> PAGE_SHIFT)	/* per run */
#define MV_HYSTERESIS		(SZ_32M >> PAGE_SHIFT)

static bool mv_balloon_auto = true;
module_param_named(balloon_auto, mv_balloon_auto, bool, 0444);
MODULE_PARM_DESC(balloon_auto,
		 "Balloon idle VMs on our own when the host is short of memory (default Y; also mvctl balloon set auto on|off)");

static unsigned int mv_balloon_tax_pct = 75;
MV_UINT_PARAM(balloon_tax_pct, mv_balloon_tax_pct, 0, 99, 0444,
	      "Idle memory tax, 0 to 99%: how much more an idle page costs than an active one when choosing where to balloon (default 75)");

static unsigned int mv_balloon_floor_pct = 25;
MV_UINT_PARAM(balloon_floor_pct, mv_balloon_floor_pct, 0, 100, 0444,
	      "The pressure policy leaves every VM at least this share of its memory, 0 to 100% (default 25)");

static unsigned int mv_balloon_free_target_mb;
MV_UINT_PARAM(balloon_free_target_mb, mv_balloon_free_target_mb, 0, UINT_MAX, 0444,
	      "Host memory (MemAvailable) the pressure policy keeps free, in MiB (default 0: 5% of RAM)");

/* The auto targets, mv_pstats, the times below; outside mv_srcu. */
static DEFINE_MUTEX(mv_policy_lock);
static struct mv_balloon_policy_stats mv_pstats;
static atomic_long_t mv_shrink_want;
static atomic_long_t mv_shrink_calls;
static atomic_long_t mv_reclaimable;	/* for the shrinker's count */
static unsigned long mv_last_run, mv_last_sample, mv_last_pressure;
static struct delayed_work mv_pressure_work;

static u64 mv_free_target(void)
{
	unsigned int mb = READ_ONCE(mv_balloon_free_target_mb);

	return mb ? (u64)mb << (20 - PAGE_SHIFT) : totalram_pages() / 20;
}

/* The settings, read once per run. */
struct mv_rules {
	u32 floor_pct, tax_pct;
	unsigned long now;
};

/* The largest target the policy may bring a VM to: it keeps its floor. */
static u64 mv_auto_max(struct mv_vm *vm, const struct mv_rules *r)
{
	return vm->mem.nr_pages - vm->mem.nr_pages * r->floor_pct / 100;
}

static u64 mv_room(struct mv_vm *vm, const struct mv_rules *r)
{
	u64 max = mv_auto_max(vm, r), cur = mv_balloon_target(vm);

	return max > cur ? max - cur : 0;
}

/* Pages asked for and not given yet. */
static u64 mv_pending(struct mv_vm *vm)
{
	u64 target = mv_balloon_target(vm), pages = mv_balloon_pages(vm);

	return target > pages ? target - pages : 0;
}

/*
 * Follow each guest: progress is its shortfall getting smaller than it has
 * been since its target last changed.  A guest that never armed the
 * balloon interrupt, or has made no progress for a while, is left alone
 * (and what it owes does not count as on its way).
 */
static void mv_follow(struct mv_vm *vm, const struct mv_rules *r)
{
	struct mv_balloon *b = &vm->balloon;
	u64 target = mv_balloon_target(vm), pending = mv_pending(vm);

	if (target != b->last_target || !pending || pending < b->pending_mark) {
		b->last_target = target;
		b->pending_mark = pending;
		b->progress_at = r->now;
	}
}

static bool mv_responsive(struct mv_vm *vm, const struct mv_rules *r)
{
	struct mv_balloon *b = &vm->balloon;

	return READ_ONCE(b->vector) &&
	       (!b->pending_mark ||
		time_before(r->now, b->progress_at + MV_STALL_PERIOD));
}

/* What the VM's pages cost it, up to a factor common to all VMs. */
static u64 mv_cost(struct mv_vm *vm, const struct mv_rules *r)
{
	u64 allowed = vm->mem.nr_pages - mv_balloon_target(vm);
	u32 f = READ_ONCE(vm->balloon.active_pct);

	/* f + (1 - f) / (1 - tax), times 100 * (100 - tax). */
	return allowed * (f * (100 - r->tax_pct) + 100 * (100 - f));
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
	spin_lock(&vm->mmu_lock);
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
	spin_unlock(&vm->mmu_lock);
	/* Accessed bits only come back once the TLBs let go. */
	mv_mmu_commit(vm);
out:
	srcu_read_unlock(&mv_srcu, idx);
}

/* Every live VM, referenced; how many. */
static unsigned int mv_collect(struct mv_vm **vms, unsigned int max)
{
	unsigned int n = 0;
	struct mv_vm *vm;
	u32 id = 1;

	while (n < max && (vm = mv_vm_get_next(&id))) {
		if (READ_ONCE(vm->dying))
			mv_vm_put(vm);
		else
			vms[n++] = vm;
		id++;
	}
	return n;
}

/* Ask responsive VMs for @need more pages, the most costly pages first. */
static void mv_reclaim(struct mv_vm **vms, unsigned int n, u64 need,
		       const struct mv_rules *r)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < n; i++)
		vms[i]->balloon.raised = false;
	while (need) {
		struct mv_vm *best = NULL;
		u64 best_cost = 0, room = 0, step;

		for (i = 0; i < n; i++) {
			u64 cost, rm = mv_room(vms[i], r);

			if (!rm || !mv_responsive(vms[i], r))
				continue;
			cost = mv_cost(vms[i], r);
			if (!best || cost > best_cost) {
				best = vms[i];
				best_cost = cost;
				room = rm;
			}
		}
		if (!best)
			break;
		step = min3(need, (u64)MV_STEP, room);
		trace_mv_pressure_target(best, best->balloon.auto_target,
					 best->balloon.auto_target + step);
		WRITE_ONCE(best->balloon.auto_target,
			   best->balloon.auto_target + step);
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
		trace_mv_pressure_target(vms[i], cur, cur - give);
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
	struct mv_rules r = {
		.floor_pct = min(READ_ONCE(mv_balloon_floor_pct), 100U),
		.tax_pct = min(READ_ONCE(mv_balloon_tax_pct), 99U),
		.now = jiffies,
	};
	u64 avail = max(si_mem_available(), 0L), want = mv_free_target();
	u64 pending = 0, room = 0, taken = 0, asked;
	bool on = READ_ONCE(mv_balloon_auto), sample;
	struct mv_vm **vms;
	unsigned int i, n;

	asked = max(atomic_long_xchg(&mv_shrink_want, 0), 0L);
	vms = kmalloc_array(mv_max_vms, sizeof(*vms), GFP_KERNEL);
	if (!vms)
		goto again;
	mutex_lock(&mv_policy_lock);
	mv_last_run = r.now;
	sample = on && time_after_eq(r.now, mv_last_sample + MV_SAMPLE_PERIOD);
	if (sample)
		mv_last_sample = r.now;
	n = mv_collect(vms, mv_max_vms);
	for (i = 0; i < n; i++) {
		mv_follow(vms[i], &r);
		if (sample)
			mv_sample(vms[i]);
		if (mv_responsive(vms[i], &r)) {
			pending += mv_pending(vms[i]);
			room += mv_room(vms[i], &r);
		}
	}
	atomic_long_set(&mv_reclaimable, on ? room : 0);
	/* Reclaim that runs while memory is plentiful is not our business. */
	if (avail >= want + MV_HYSTERESIS)
		asked = 0;
	if (on && (avail < want || asked)) {
		u64 need = max(avail < want ? want - avail : 0, asked);

		mv_pstats.pressure = true;
		mv_last_pressure = r.now;
		/* What is on its way counts. */
		need = need > pending ? min_t(u64, need - pending, MV_TICK_MAX) : 0;
		if (need)
			mv_reclaim(vms, n, need, &r);
	} else if (!on) {
		mv_pstats.pressure = false;
		mv_release(vms, n, U64_MAX);
	} else {
		mv_pstats.pressure = false;
		/* Plenty again, for a while: give back, a slice at a time. */
		if (avail > want + MV_HYSTERESIS &&
		    time_after(r.now, mv_last_pressure + MV_CALM_PERIOD))
			mv_release(vms, n, min_t(u64, avail - want - MV_HYSTERESIS,
						 MV_TICK_MAX));
	}
	for (i = 0; i < n; i++)
		taken += READ_ONCE(vms[i]->balloon.auto_target);
	mv_pstats.reclaimed = taken;
	mutex_unlock(&mv_policy_lock);
	/* A last reference may go here: teardown waits, not under our lock. */
	for (i = 0; i < n; i++)
		mv_vm_put(vms[i]);
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
	if (time_after(jiffies, READ_ONCE(mv_last_run) + MV_KICK_GAP))
		mod_delayed_work(system_unbound_wq, &mv_pressure_work, 0);
	return SHRINK_STOP;
}

static struct shrinker mv_shrinker = {
	.count_objects = mv_shrink_count,
	.scan_objects = mv_shrink_scan,
	.seeks = DEFAULT_SEEKS,
};

void mv_pressure_get_config(struct mv_balloon_config *cfg)
{
	cfg->autob = READ_ONCE(mv_balloon_auto);
	cfg->tax_pct = READ_ONCE(mv_balloon_tax_pct);
	cfg->floor_pct = READ_ONCE(mv_balloon_floor_pct);
	cfg->free_target_mb = READ_ONCE(mv_balloon_free_target_mb);
}

/* New settings (netlink checked their ranges); the worker acts on them now. */
void mv_pressure_configure(const bool *autob, const u32 *tax_pct,
			   const u32 *floor_pct, const u32 *free_target_mb)
{
	if (tax_pct)
		WRITE_ONCE(mv_balloon_tax_pct, *tax_pct);
	if (floor_pct)
		WRITE_ONCE(mv_balloon_floor_pct, *floor_pct);
	if (free_target_mb)
		WRITE_ONCE(mv_balloon_free_target_mb, *free_target_mb);
	if (autob)
		WRITE_ONCE(mv_balloon_auto, *autob);
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
