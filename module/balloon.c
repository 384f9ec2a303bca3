// SPDX-License-Identifier: GPL-2.0
/*
 * The balloon: guests give memory back, and take it back, over hypercalls.
 *
 * An inflated gfn's slot is emptied at once: its shadow entries are
 * dropped through the reverse map, a private page goes back to the host
 * (after a TLB flush and an SRCU grace period: a reader may still hold
 * it), a shared one drops its reference.  The gfn is marked in a bitmap,
 * so it is never shared (the scanner only looks at backed slots) and a
 * second inflate of it is refused.  Deflating just clears the mark: the
 * slot is empty, and the next touch brings a zeroed page, as any first
 * touch does.
 *
 * The target is what an administrator (netlink) or the VMM (ioctl) set,
 * plus what the pressure policy (pressure.c) asks for on top.  A change
 * raises the interrupt the guest asked for on vCPU 0.
 */
#include <linux/slab.h>

#include "minivisor.h"
#include "mmu.h"
#include "trace.h"

int mv_balloon_init(struct mv_vm *vm)
{
	struct mv_balloon *b = &vm->balloon;

	b->inflated = kvcalloc(BITS_TO_LONGS(vm->mem.nr_pages),
			       sizeof(unsigned long), GFP_KERNEL_ACCOUNT);
	if (!b->inflated)
		return -ENOMEM;
	atomic_long_set(&b->inflated_total, 0);
	atomic_long_set(&b->deflated_total, 0);
	b->active_pct = 100;
	return 0;
}

void mv_balloon_free(struct mv_vm *vm)
{
	kvfree(vm->balloon.inflated);
	vm->balloon.inflated = NULL;
}

/* The administrator's target plus the policy's, within the VM. */
u64 mv_balloon_target(struct mv_vm *vm)
{
	return min(READ_ONCE(vm->balloon.admin_target) +
		   READ_ONCE(vm->balloon.auto_target), (u64)vm->mem.nr_pages);
}

/*
 * Pages held: inflated less deflated (touched and reset count as
 * deflated).  The two are read apart, so clamp a passing negative.
 */
u64 mv_balloon_pages(struct mv_vm *vm)
{
	long d = atomic_long_read(&vm->balloon.deflated_total);

	return max(atomic_long_read(&vm->balloon.inflated_total) - d, 0L);
}

/* Once per target: the balloon got there. */
static void mv_balloon_check_reached(struct mv_vm *vm)
{
	struct mv_balloon *b = &vm->balloon;
	u64 target = mv_balloon_target(vm);

	if (mv_balloon_pages(vm) != target)
		return;
	if (xchg(&b->reached, target + 1) == target + 1)
		return;
	mv_notify(MV_CMD_EVENT_BALLOON_TARGET_REACHED, vm);
}

/*
 * The target may have changed: tell the guest, if it asked to be told, and
 * the world, if the balloon is there already.
 */
void mv_balloon_notify(struct mv_vm *vm)
{
	/* Pairs with the release in mv_vcpu_create(). */
	unsigned int n = smp_load_acquire(&vm->nr_vcpus);

	if (READ_ONCE(vm->dying))
		return;
	WRITE_ONCE(vm->balloon.reached, 0);
	mv_balloon_check_reached(vm);
	if (!n || !READ_ONCE(vm->balloon.vector))
		return;
	WRITE_ONCE(vm->balloon.irq_owed, true);
	mv_make_request(vm->vcpus[0], MV_REQ_EVENT);
}

/* The guest disarmed its interrupt (vector 0): nothing owed to vCPU 0. */
static void mv_balloon_disarm(struct mv_vm *vm)
{
	WRITE_ONCE(vm->balloon.irq_owed, false);
}

/* vCPU 0's interrupt source: the target changed and the guest wants to know. */
static int mv_balloon_irq_pending(struct mv_vcpu *vcpu)
{
	struct mv_balloon *b = &vcpu->vm->balloon;
	u8 vector = READ_ONCE(b->vector);

	return READ_ONCE(b->irq_owed) && vector ? vector : -1;
}

static int mv_balloon_irq_ack(struct mv_vcpu *vcpu, int vector)
{
	WRITE_ONCE(vcpu->vm->balloon.irq_owed, false);
	return vector;
}

const struct mv_irq_source mv_balloon_irq_source = {
	.pending = mv_balloon_irq_pending,
	.ack = mv_balloon_irq_ack,
};

/*
 * The administrator's (or the VMM's) target: the memory the guest should
 * keep, in pages.  The last one set wins.
 */
void mv_balloon_set(struct mv_vm *vm, u64 mem_pages)
{
	trace_mv_balloon_target(vm, vm->balloon.admin_target, vm->mem.nr_pages - mem_pages);
	WRITE_ONCE(vm->balloon.admin_target, vm->mem.nr_pages - mem_pages);
	mv_balloon_notify(vm);
}

/*
 * The guest touched @gfn while it was inflated: it is back in use, and out
 * of the balloon.
 */
void mv_balloon_touched(struct mv_vm *vm, u64 gfn)
{
	if (unlikely(test_bit(gfn, vm->balloon.inflated)) &&
	    test_and_clear_bit(gfn, vm->balloon.inflated))
		atomic_long_inc(&vm->balloon.deflated_total);
}

/*
 * The VMM resets its guest: whatever the old guest inflated is ordinary
 * (empty) memory again, and no interrupt goes to a guest that has not
 * asked for one yet.
 */
void mv_balloon_reset(struct mv_vm *vm)
{
	u64 gfn;

	spin_lock(&vm->mmu_lock);
	for_each_set_bit(gfn, vm->balloon.inflated, vm->mem.nr_pages)
		if (test_and_clear_bit(gfn, vm->balloon.inflated))
			atomic_long_inc(&vm->balloon.deflated_total);
	spin_unlock(&vm->mmu_lock);
	WRITE_ONCE(vm->balloon.vector, 0);
	mv_balloon_disarm(vm);
}

/*
 * Empty @gfn's slot, under the MMU lock; a private page goes on @freed.
 * The mark goes first and the slot is taken with a full barrier: a first
 * touch filling the slot without the lock (mv_mem_page()) tests the mark
 * after its own full barrier, so one of us sees the other.
 */
static void mv_balloon_take(struct mv_vm *vm, u64 gfn, struct list_head *freed)
{
	struct page *page;

	lockdep_assert_held(&vm->mmu_lock);
	set_bit(gfn, vm->balloon.inflated);
	atomic_long_inc(&vm->balloon.inflated_total);
	page = xchg(&vm->mem.pages[gfn], NULL);
	if (!page)
		return;
	mv_rmap_drop(vm, gfn);
	/* A guest table given away: what we shadowed of it goes too. */
	if (mv_mmu_gfn_shadowed(vm, gfn))
		mv_mmu_zap_gfn(vm, gfn);
	/* Never shared again while inflated: no hint either. */
	mv_share_forget_gfn(vm, gfn);
	if (mv_page_shared(page)) {
		mv_share_release(vm, page);
	} else {
		atomic_long_dec(&vm->mem.used);
		list_add(&page->lru, freed);
	}
}

/* Read and check a list of @count gfns at @gpa; kfree() it, or -errno. */
static u64 *mv_balloon_list(struct mv_vcpu *vcpu, u64 gpa, u64 count)
{
	u64 *gfns;

	if ((gpa & ~PAGE_MASK) || !count || count > MV_BALLOON_BATCH)
		return ERR_PTR(-EINVAL);
	gfns = kmalloc_array(count, sizeof(u64), GFP_KERNEL_ACCOUNT);
	if (!gfns)
		return ERR_PTR(-ENOMEM);
	if (mv_mem_copy(vcpu->vm, gpa, gfns, count * sizeof(u64), false)) {
		kfree(gfns);
		return ERR_PTR(-EINVAL);
	}
	return gfns;
}

static s64 mv_balloon_inflate(struct mv_vcpu *vcpu, u64 gpa, u64 count)
{
	struct mv_vm *vm = vcpu->vm;
	struct page *page, *tmp;
	LIST_HEAD(freed);
	u64 *gfns, i;

	gfns = mv_balloon_list(vcpu, gpa, count);
	if (IS_ERR(gfns))
		return PTR_ERR(gfns);
	spin_lock(&vm->mmu_lock);
	for (i = 0; i < count; i++) {
		if (gfns[i] >= vm->mem.nr_pages ||
		    test_bit(gfns[i], vm->balloon.inflated))
			break;
		mv_balloon_take(vm, gfns[i], &freed);
		cond_resched_lock(&vm->mmu_lock);
	}
	spin_unlock(&vm->mmu_lock);
	/* No vCPU may reach a page through a stale entry once it is freed. */
	mv_mmu_commit(vm);
	list_for_each_entry_safe(page, tmp, &freed, lru) {
		list_del(&page->lru);
		mv_mem_defer_free(page);
	}
	kfree(gfns);
	if (i)
		mv_balloon_check_reached(vm);
	trace_mv_balloon_inflate(vcpu, count, i);
	return i ? i : -EINVAL;
}

static s64 mv_balloon_deflate(struct mv_vcpu *vcpu, u64 gpa, u64 count)
{
	struct mv_vm *vm = vcpu->vm;
	u64 *gfns, i;

	gfns = mv_balloon_list(vcpu, gpa, count);
	if (IS_ERR(gfns))
		return PTR_ERR(gfns);
	for (i = 0; i < count; i++)
		if (gfns[i] >= vm->mem.nr_pages ||
		    !test_and_clear_bit(gfns[i], vm->balloon.inflated))
			break;
	kfree(gfns);
	atomic_long_add(i, &vm->balloon.deflated_total);
	if (i)
		mv_balloon_check_reached(vm);
	trace_mv_balloon_deflate(vcpu, count, i);
	return i ? i : -EINVAL;
}

/* The balloon hypercalls; -ENOSYS for another number. */
s64 mv_balloon_hypercall(struct mv_vcpu *vcpu, u64 nr, u64 a0, u64 a1)
{
	struct mv_vm *vm = vcpu->vm;

	switch (nr) {
	case MV_HC_BALLOON_TARGET:
		if (a0 && (a0 < 32 || a0 > 255))
			return -EINVAL;
		WRITE_ONCE(vm->balloon.vector, a0);
		if (!a0)
			mv_balloon_disarm(vm);
		else if (READ_ONCE(vm->balloon.irq_owed))
			/* Owed before there was a vector: it can go now. */
			mv_make_request(vm->vcpus[0], MV_REQ_EVENT);
		return mv_balloon_target(vm);
	case MV_HC_BALLOON_INFLATE:
		return mv_balloon_inflate(vcpu, a0, a1);
	case MV_HC_BALLOON_DEFLATE:
		return mv_balloon_deflate(vcpu, a0, a1);
	case MV_HC_BALLOON_STATS:
		if (a0 > vm->mem.nr_pages || a1 > vm->mem.nr_pages)
			return -EINVAL;
		WRITE_ONCE(vm->balloon.guest_free, a0);
		WRITE_ONCE(vm->balloon.guest_avail, a1);
		return 0;
	default:
		return -MV_HC_ENOSYS;
	}
}
