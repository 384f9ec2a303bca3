// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow MMU core: shadow pages, reverse maps, roots, invalidation.
 *
 * Without nested paging the hardware translates guest-virtual addresses
 * straight to host-physical ones, so we build those tables ourselves from
 * two ingredients: the guest's own page tables (read through walk.c, never
 * trusted) and our gfn -> page table (mem.c).  Tables are built lazily, one
 * entry per #PF exit (fault.c).
 *
 * Shadow pages are keyed by (guest table gfn, role) and cached across CR3
 * switches.  Two reverse maps tie them together: for each gfn, the leaf
 * entries that map it (so sharing, ballooning and write protection change
 * exactly those), and for each shadow page, the entries that point to it.
 * Guest tables we shadow are write-protected so their updates are seen;
 * last-level tables may instead go "unsync" (writable) and be resynced at
 * the guest's next INVLPG or CR3 load, which is what the TLB would do.
 * Memory is bounded: a VM holds at most max_mmu_pages shadow pages and
 * recycles its oldest ones beyond that.
 *
 * Long-mode guests get 4-level shadow tables; all other modes (paging off,
 * 32-bit, PAE) run on PAE shadow tables below a per-vCPU 4-entry root.
 * With paging off the root maps guest-physical memory one to one; how the
 * hardware runs such a guest on it (SVM: "paged real mode") is the
 * backend's business (mv_arch_ops.load_cr).
 */
#include <linux/hash.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "mmu.h"
#include "trace.h"

unsigned int mv_max_mmu_pages = 4096;
MV_UINT_PARAM(max_mmu_pages, mv_max_mmu_pages, 64, 1U << 20, 0644,
	      "Most shadow page-table pages one VM may hold, at least 64; older ones are recycled beyond that (default 4096 = 16 MiB)");

#define PTE_LIST_EXT	7

struct mv_pte_list_desc {
	u64 *sptes[PTE_LIST_EXT];
	struct mv_pte_list_desc *more;
};

static struct kmem_cache *mv_sp_cache, *mv_desc_cache;

int mv_mmu_init(void)
{
	mv_sp_cache = KMEM_CACHE(mv_sp, SLAB_ACCOUNT);
	mv_desc_cache = KMEM_CACHE(mv_pte_list_desc, SLAB_ACCOUNT);
	if (!mv_sp_cache || !mv_desc_cache) {
		kmem_cache_destroy(mv_sp_cache);
		kmem_cache_destroy(mv_desc_cache);
		return -ENOMEM;
	}
	return 0;
}

void mv_mmu_exit(void)
{
	kmem_cache_destroy(mv_sp_cache);
	kmem_cache_destroy(mv_desc_cache);
}

/* pte lists: empty (0), one spte pointer, or a chain of descriptors (|1). */

static struct mv_pte_list_desc *desc_alloc(struct mv_vcpu *vcpu)
{
	if (WARN_ON(!vcpu || !vcpu->mmu.nr_desc_cache))
		return NULL;
	return vcpu->mmu.desc_cache[--vcpu->mmu.nr_desc_cache];
}

int mv_pte_list_add(struct mv_vcpu *vcpu, unsigned long *head, u64 *sptep)
{
	struct mv_pte_list_desc *d;
	int i;

	if (!*head) {
		*head = (unsigned long)sptep;
		return 0;
	}
	if (!(*head & 1)) {
		d = desc_alloc(vcpu);
		if (!d)
			return -ENOMEM;
		memset(d, 0, sizeof(*d));
		d->sptes[0] = (u64 *)*head;
		d->sptes[1] = sptep;
		*head = (unsigned long)d | 1;
		return 0;
	}
	d = (struct mv_pte_list_desc *)(*head & ~1UL);
	for (i = 0; i < PTE_LIST_EXT; i++) {
		if (!d->sptes[i]) {
			d->sptes[i] = sptep;
			return 0;
		}
	}
	/* Full: put a fresh descriptor in front. */
	d = desc_alloc(vcpu);
	if (!d)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	d->sptes[0] = sptep;
	d->more = (struct mv_pte_list_desc *)(*head & ~1UL);
	*head = (unsigned long)d | 1;
	return 0;
}

void mv_pte_list_remove(unsigned long *head, u64 *sptep)
{
	struct mv_pte_list_desc *d, *prev = NULL;
	int i, last;

	if (!(*head & 1)) {
		WARN_ON((u64 *)*head != sptep);
		*head = 0;
		return;
	}
	for (d = (void *)(*head & ~1UL); d; prev = d, d = d->more) {
		for (i = 0; i < PTE_LIST_EXT && d->sptes[i]; i++) {
			if (d->sptes[i] != sptep)
				continue;
			/* Fill the hole with this descriptor's last entry. */
			for (last = i; last + 1 < PTE_LIST_EXT && d->sptes[last + 1];)
				last++;
			d->sptes[i] = d->sptes[last];
			d->sptes[last] = NULL;
			if (!d->sptes[0]) {
				if (prev)
					prev->more = d->more;
				else if (d->more)
					*head = (unsigned long)d->more | 1;
				else
					*head = 0;
				kmem_cache_free(mv_desc_cache, d);
			}
			return;
		}
	}
	WARN(1, "minivisor: spte %p missing from its list\n", sptep);
}

/* The first entry of a list, or NULL. */
u64 *mv_pte_list_first(unsigned long head)
{
	if (!head)
		return NULL;
	if (!(head & 1))
		return (u64 *)head;
	return ((struct mv_pte_list_desc *)(head & ~1UL))->sptes[0];
}

/* Call @fn on every entry of a list; @fn must not change the list. */
void mv_pte_list_walk(unsigned long head, void (*fn)(u64 *sptep, void *arg),
		      void *arg)
{
	struct mv_pte_list_desc *d;
	int i;

	if (!head)
		return;
	if (!(head & 1)) {
		fn((u64 *)head, arg);
		return;
	}
	for (d = (void *)(head & ~1UL); d; d = d->more)
		for (i = 0; i < PTE_LIST_EXT && d->sptes[i]; i++)
			fn(d->sptes[i], arg);
}

/* Per-vCPU caches, filled where sleeping is allowed. */
int mv_mmu_topup(struct mv_vcpu *vcpu)
{
	struct mv_mmu_vcpu *m = &vcpu->mmu;

	while (m->nr_desc_cache < MV_MMU_CACHE) {
		void *d = kmem_cache_zalloc(mv_desc_cache, GFP_KERNEL_ACCOUNT);

		if (!d)
			return -ENOMEM;
		m->desc_cache[m->nr_desc_cache++] = d;
	}
	while (m->nr_sp_cache < 5) {
		struct mv_sp *sp = kmem_cache_zalloc(mv_sp_cache,
						     GFP_KERNEL_ACCOUNT);
		struct page *page, *gfns;

		if (!sp)
			return -ENOMEM;
		page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		gfns = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!page || !gfns) {
			if (page)
				__free_page(page);
			if (gfns)
				__free_page(gfns);
			kmem_cache_free(mv_sp_cache, sp);
			return -ENOMEM;
		}
		sp->spt = page_address(page);
		sp->gfns = page_address(gfns);
		set_page_private(page, (unsigned long)sp);
		m->sp_cache[m->nr_sp_cache++] = sp;
	}
	return 0;
}

static void mv_sp_free(struct mv_sp *sp)
{
	struct page *page = virt_to_page(sp->spt);

	set_page_private(page, 0);
	__free_page(page);
	free_page((unsigned long)sp->gfns);
	kmem_cache_free(mv_sp_cache, sp);
}

static void mv_mmu_drain_caches(struct mv_vcpu *vcpu)
{
	struct mv_mmu_vcpu *m = &vcpu->mmu;

	while (m->nr_desc_cache)
		kmem_cache_free(mv_desc_cache, m->desc_cache[--m->nr_desc_cache]);
	while (m->nr_sp_cache)
		mv_sp_free(m->sp_cache[--m->nr_sp_cache]);
}

struct hlist_head *mv_sp_bucket(struct mv_vm *vm, u64 gfn)
{
	return &vm->mmu.s->hash[hash_64(gfn, MV_SP_HASH_BITS)];
}

static struct mv_sp *mv_sp_lookup(struct mv_vm *vm, u64 gfn,
				  union mv_sp_role role)
{
	struct mv_sp *sp;

	hlist_for_each_entry(sp, mv_sp_bucket(vm, gfn), hash)
		if (sp->gfn == gfn && sp->role.word == role.word)
			return sp;
	return NULL;
}

struct mv_clear_bit {
	u64 bit;
	bool hit;
};

static void mv_spte_clear_bit(u64 *sptep, void *arg)
{
	struct mv_clear_bit *c = arg;

	if (*sptep & c->bit) {
		*sptep &= ~c->bit;
		c->hit = true;
	}
}

/* Clear @bit in every leaf entry mapping @gfn; true (and dirty) if set. */
static bool mv_rmap_clear_bit(struct mv_vm *vm, u64 gfn, u64 bit)
{
	struct mv_clear_bit c = { .bit = bit };

	lockdep_assert_held(&vm->mmu_lock);
	mv_pte_list_walk(vm->mmu.s->rmap[gfn], mv_spte_clear_bit, &c);
	if (c.hit)
		mv_mmu_dirty(vm);
	return c.hit;
}

/* Make every leaf entry mapping @gfn read-only; true if one changed. */
bool mv_rmap_write_protect(struct mv_vm *vm, u64 gfn)
{
	return mv_rmap_clear_bit(vm, gfn, PTE_W);
}

/*
 * Was @gfn accessed through any of its entries since the last call?  The
 * accessed bits are cleared for next time; they only come back once the
 * TLBs let go of the entries (the caller flushes).
 */
bool mv_rmap_test_and_clear_young(struct mv_vm *vm, u64 gfn)
{
	return mv_rmap_clear_bit(vm, gfn, PTE_A);
}

void mv_rmap_drop(struct mv_vm *vm, u64 gfn)
{
	u64 *sptep;

	lockdep_assert_held(&vm->mmu_lock);
	if (!mv_pte_list_first(vm->mmu.s->rmap[gfn]))
		return;
	while ((sptep = mv_pte_list_first(vm->mmu.s->rmap[gfn])))
		mv_drop_spte(vm, sptep);
	mv_mmu_dirty(vm);
}

static void mv_spte_retarget(u64 *sptep, void *arg)
{
	*sptep = (*sptep & ~(PTE_ADDR | PTE_W | PTE_D)) |
		 page_to_phys((struct page *)arg);
}

void mv_rmap_retarget(struct mv_vm *vm, u64 gfn, struct page *page)
{
	lockdep_assert_held(&vm->mmu_lock);
	if (!mv_pte_list_first(vm->mmu.s->rmap[gfn]))
		return;
	mv_pte_list_walk(vm->mmu.s->rmap[gfn], mv_spte_retarget, page);
	mv_mmu_dirty(vm);
}

/*
 * A table is about to serve at a higher level: sync its unsync pages.  No
 * vCPU is at hand here, so drop their entries instead of resyncing them.
 */
static void mv_mmu_sync_gfn(struct mv_vm *vm, u64 gfn)
{
	struct mv_sp *sp;
	int i;

	lockdep_assert_held(&vm->mmu_lock);
	hlist_for_each_entry(sp, mv_sp_bucket(vm, gfn), hash) {
		if (sp->gfn != gfn || !sp->unsync)
			continue;
		list_del_init(&sp->unsync_link);
		sp->unsync = false;
		for (i = 0; i < PT_ENTRIES; i++)
			mv_drop_spte(vm, &sp->spt[i]);
		mv_mmu_dirty(vm);
	}
}

static struct mv_sp *mv_sp_new(struct mv_vcpu *vcpu, u64 gfn,
			       union mv_sp_role role)
{
	struct mv_vm *vm = vcpu->vm;
	struct mv_sp *sp;

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	if (WARN_ON(!vcpu->mmu.nr_sp_cache))
		return NULL;
	sp = vcpu->mmu.sp_cache[--vcpu->mmu.nr_sp_cache];
	sp->gfn = gfn;
	sp->role = role;
	sp->root_count = 0;
	sp->parents = 0;
	sp->unsync = false;
	INIT_LIST_HEAD(&sp->unsync_link);
	list_add(&sp->link, &vm->mmu.pages);
	hlist_add_head(&sp->hash, mv_sp_bucket(vm, gfn));
	trace_mv_sp_new(vm, sp);
	vm->mmu.nr_pages++;
	atomic_long_inc(&mv_mmu_pages);
	if (!role.direct && gfn < vm->mem.nr_pages) {
		/*
		 * Guest writes to a table we shadow must trap; a table that
		 * was unsync as a last-level table must be synced first if it
		 * now also serves at a higher level.
		 */
		if (role.level > 1)
			mv_mmu_sync_gfn(vm, gfn);
		/*
		 * Even when already shadowed: unsync pages of the same table
		 * leave it writable, and this one starts in sync.
		 */
		vm->mmu.s->wp_count[gfn]++;
		mv_rmap_write_protect(vm, gfn);
	}
	return sp;
}

/* Remove @sp from the MMU; it is freed at the next mv_mmu_commit(). */
void mv_sp_zap(struct mv_vm *vm, struct mv_sp *sp)
{
	u64 *sptep;
	int i;

	lockdep_assert_held(&vm->mmu_lock);
	trace_mv_sp_zap(vm, sp);
	for (i = 0; i < PT_ENTRIES; i++)
		if (sp->spt[i] & PTE_P)
			mv_drop_spte(vm, &sp->spt[i]);
	while ((sptep = mv_pte_list_first(sp->parents))) {
		mv_pte_list_remove(&sp->parents, sptep);
		*sptep = 0;
	}
	if (!sp->role.direct && sp->gfn < vm->mem.nr_pages)
		vm->mmu.s->wp_count[sp->gfn]--;
	if (sp->unsync)
		list_del_init(&sp->unsync_link);
	sp->unsync = false;
	hlist_del_init(&sp->hash);
	list_del(&sp->link);
	vm->mmu.nr_pages--;
	atomic_long_dec(&mv_mmu_pages);
	sp->role.invalid = 1;
	mv_mmu_dirty(vm);
	/* A root stays until its vCPU lets go of it. */
	if (!sp->root_count)
		list_add(&sp->link, &vm->mmu.s->zapped);
}

bool mv_mmu_gfn_shadowed(struct mv_vm *vm, u64 gfn)
{
	return READ_ONCE(vm->mmu.s->wp_count[gfn]);
}

bool mv_mmu_flushed(struct mv_vm *vm)
{
	lockdep_assert_held(&vm->mmu_lock);
	return atomic64_read(&vm->mmu.flushed_gen) >= (s64)vm->mmu.flush_gen;
}

/* Zap every shadow page of guest table @gfn; true if there was one. */
bool mv_mmu_zap_gfn(struct mv_vm *vm, u64 gfn)
{
	struct hlist_node *tmp;
	struct mv_sp *sp;
	bool found = false;

	lockdep_assert_held(&vm->mmu_lock);
	hlist_for_each_entry_safe(sp, tmp, mv_sp_bucket(vm, gfn), hash) {
		if (sp->gfn == gfn && !sp->role.direct) {
			mv_sp_zap(vm, sp);
			found = true;
		}
	}
	return found;
}

/* Clear one entry, unhooking it from the reverse map or the child. */
void mv_drop_spte(struct mv_vm *vm, u64 *sptep)
{
	u64 spte = *sptep;

	lockdep_assert_held(&vm->mmu_lock);
	if (!(spte & PTE_P))
		return;
	*sptep = 0;
	if (spte_is_leaf(sptep))
		mv_pte_list_remove(&vm->mmu.s->rmap[spte_gfn(sptep)], sptep);
	else
		mv_pte_list_remove(&child_sp(spte)->parents, sptep);
}

/*
 * Make sure no vCPU uses a stale translation: every vCPU flushes before
 * its next entry, and those in guest mode now are kicked out and waited
 * for.
 */
void mv_mmu_flush_remote(struct mv_vm *vm)
{
	/* Pairs with the release in mv_vcpu_create(): vcpus[] is filled. */
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);

	/* The vCPUs waited for may need the lock to get out. */
	lockdep_assert_not_held(&vm->mmu_lock);
	might_sleep();
	for (i = 0; i < n; i++) {
		struct mv_vcpu *v = vm->vcpus[i];
		int seen;

		mv_request(v, MV_REQ_TLB_FLUSH);
		/* Order the request before reading the mode (see the run loop). */
		smp_mb__after_atomic();
		if (READ_ONCE(v->mode) != MV_IN_GUEST || v->task == current)
			continue;
		seen = atomic_read(&v->mmu.exits);
		mv_vcpu_kick(v);
		/* A kicked vCPU leaves the guest at once: an IPI forces it. */
		while (READ_ONCE(v->mode) == MV_IN_GUEST &&
		       atomic_read(&v->mmu.exits) == seen)
			cpu_relax();
	}
}

/*
 * Everything dirtied up to generation @gen (read under the lock, after the
 * changes) is flushed when this returns.  A flush another thread started
 * after those changes counts; one that is still going on does not.
 */
void mv_mmu_flush_to(struct mv_vm *vm, u64 gen)
{
	s64 done = atomic64_read(&vm->mmu.flushed_gen);

	if (done >= (s64)gen)
		return;
	mv_mmu_flush_remote(vm);
	while (done < (s64)gen) {
		s64 seen = atomic64_cmpxchg(&vm->mmu.flushed_gen, done, gen);

		if (seen == done)
			break;
		done = seen;
	}
}

/*
 * After changes made under the lock: flush if entries were downgraded and
 * free what mv_sp_zap() removed, once no CPU can still walk it.  Called
 * without the lock.
 */
void mv_mmu_commit(struct mv_vm *vm)
{
	struct mv_sp *sp, *tmp;
	LIST_HEAD(free);
	u64 gen;

	spin_lock(&vm->mmu_lock);
	list_splice_init(&vm->mmu.s->zapped, &free);
	gen = vm->mmu.flush_gen;
	spin_unlock(&vm->mmu_lock);
	/* Zapped pages were dirtied when zapped: this covers them too. */
	mv_mmu_flush_to(vm, gen);
	list_for_each_entry_safe(sp, tmp, &free, link) {
		list_del(&sp->link);
		mv_sp_free(sp);
	}
}

/* Stay under the VM's shadow page budget by recycling the oldest pages. */
void mv_mmu_reclaim(struct mv_vm *vm, unsigned long want)
{
	struct mv_sp *sp, *tmp;

	lockdep_assert_held(&vm->mmu_lock);
	list_for_each_entry_safe_reverse(sp, tmp, &vm->mmu.pages, link) {
		if (vm->mmu.nr_pages + want <= vm->mmu.max_pages)
			break;
		if (!sp->root_count)
			mv_sp_zap(vm, sp);
	}
}

/* With interrupts off, after the run loop announced it is entering. */
void mv_mmu_prepare_entry(struct mv_vcpu *vcpu)
{
	bool nonglobal;

	if (likely(!READ_ONCE(vcpu->requests)))
		return;
	nonglobal = mv_check_request(vcpu, MV_REQ_TLB_FLUSH_NONGLOBAL);
	if (mv_check_request(vcpu, MV_REQ_TLB_FLUSH))
		mv_arch->flush_tlb(vcpu, MV_FLUSH_ALL);
	else if (nonglobal)
		mv_arch->flush_tlb(vcpu, MV_FLUSH_NONGLOBAL);
}

int mv_mmu_vm_init(struct mv_vm *vm)
{
	struct mv_mmu_state *s;
	int i;

	INIT_LIST_HEAD(&vm->mmu.pages);
	vm->mmu.max_pages = mv_max_mmu_pages;
	s = kvzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(s->hash); i++)
		INIT_HLIST_HEAD(&s->hash[i]);
	INIT_LIST_HEAD(&s->unsync);
	INIT_LIST_HEAD(&s->zapped);
	s->rmap = kvcalloc(vm->mem.nr_pages, sizeof(*s->rmap),
			   GFP_KERNEL_ACCOUNT);
	s->wp_count = kvcalloc(vm->mem.nr_pages, sizeof(*s->wp_count),
			       GFP_KERNEL_ACCOUNT);
	if (!s->rmap || !s->wp_count) {
		kvfree(s->rmap);
		kvfree(s->wp_count);
		kvfree(s);
		return -ENOMEM;
	}
	vm->mmu.s = s;
	return 0;
}

/* Unhook a vCPU's PAE root entries from the shadow pages they point to. */
static void mv_mmu_clear_pae_root(struct mv_vcpu *vcpu)
{
	u64 *root = vcpu->mmu.pae_root;
	int q;

	for (q = 0; q < 4; q++) {
		if (root[q] & PTE_P)
			mv_pte_list_remove(&child_sp(root[q])->parents, &root[q]);
		root[q] = 0;
	}
}

/* Drop a vCPU's hold on its root. */
static void mv_mmu_put_root(struct mv_vm *vm, struct mv_vcpu *vcpu)
{
	struct mv_sp *root = vcpu->mmu.root;

	lockdep_assert_held(&vm->mmu_lock);
	vcpu->mmu.root_valid = false;
	mv_mmu_clear_pae_root(vcpu);
	if (!root)
		return;
	vcpu->mmu.root = NULL;
	if (!--root->root_count && root->role.invalid)
		list_add(&root->link, &vm->mmu.s->zapped);
}

/* Everything goes: used when the VM is torn down. */
void mv_mmu_vm_free(struct mv_vm *vm)
{
	struct mv_sp *sp, *tmp;
	unsigned int i;

	if (!vm->mmu.s)
		return;
	spin_lock(&vm->mmu_lock);
	for (i = 0; i < vm->nr_vcpus; i++)
		mv_mmu_put_root(vm, vm->vcpus[i]);
	list_for_each_entry_safe(sp, tmp, &vm->mmu.pages, link)
		mv_sp_zap(vm, sp);
	spin_unlock(&vm->mmu_lock);
	list_for_each_entry_safe(sp, tmp, &vm->mmu.s->zapped, link) {
		list_del(&sp->link);
		mv_sp_free(sp);
	}
	WARN_ON(vm->mmu.nr_pages);
	for (i = 0; i < vm->mem.nr_pages; i++)
		WARN_ON(vm->mmu.s->rmap[i]);
	kvfree(vm->mmu.s->rmap);
	kvfree(vm->mmu.s->wp_count);
	kvfree(vm->mmu.s);
	vm->mmu.s = NULL;
}

int mv_mmu_vcpu_init(struct mv_vcpu *vcpu)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO |
				       __GFP_DMA32);

	if (!page)
		return -ENOMEM;
	vcpu->mmu.pae_root = page_address(page);
	atomic_set(&vcpu->mmu.exits, 0);
	return 0;
}

void mv_mmu_vcpu_free(struct mv_vcpu *vcpu)
{
	mv_mmu_drain_caches(vcpu);
	if (vcpu->mmu.pae_root)
		free_page((unsigned long)vcpu->mmu.pae_root);
	vcpu->mmu.pae_root = NULL;
}

enum mv_gmode mv_guest_mode(struct mv_vcpu *vcpu)
{
	if (!mv_is_paging(vcpu))
		return MV_GMODE_NONPAGING;
	if (mv_is_long_mode(vcpu))
		return MV_GMODE_LONG;
	return (vcpu->cr4 & X86_CR4_PAE) ? MV_GMODE_PAE : MV_GMODE_32BIT;
}

union mv_sp_role mv_base_role(struct mv_vcpu *vcpu)
{
	union mv_sp_role role = { .word = 0 };

	role.gmode = mv_guest_mode(vcpu);
	role.cr0_wp = !!(vcpu->cr0 & X86_CR0_WP);
	role.nxe = !!(vcpu->efer & EFER_NX);
	role.smep = !!(vcpu->cr4 & X86_CR4_SMEP);
	role.smap = !!(vcpu->cr4 & X86_CR4_SMAP);
	return role;
}

/* Drop the vCPU's root; mv_mmu_load() builds a new one before entry. */
void mv_mmu_unload(struct mv_vcpu *vcpu)
{
	spin_lock(&vcpu->vm->mmu_lock);
	mv_mmu_put_root(vcpu->vm, vcpu);
	spin_unlock(&vcpu->vm->mmu_lock);
}

static u64 mv_link_spte(struct mv_sp *child)
{
	return __pa(child->spt) | PTE_P | PTE_W | PTE_U | PTE_A;
}

/* Point *sptep at @child, recording the back link. */
int mv_link(struct mv_vcpu *vcpu, u64 *sptep, struct mv_sp *child)
{
	int ret = mv_pte_list_add(vcpu, &child->parents, sptep);

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	if (!ret)
		*sptep = mv_link_spte(child);
	return ret;
}

struct mv_sp *mv_sp_get(struct mv_vcpu *vcpu, u64 gfn, union mv_sp_role role)
{
	struct mv_sp *sp = mv_sp_lookup(vcpu->vm, gfn, role);

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	return sp ? sp : mv_sp_new(vcpu, gfn, role);
}

/* A root entry of the PAE table: PDPTEs carry no rights, only P. */
static int mv_pae_root_link(struct mv_vcpu *vcpu, int q, struct mv_sp *sp)
{
	u64 *root = vcpu->mmu.pae_root;
	int ret = mv_pte_list_add(vcpu, &sp->parents, &root[q]);

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	if (!ret)
		root[q] = __pa(sp->spt) | PTE_P;
	return ret;
}

/*
 * Build the vCPU's root for the guest's mode.  Long mode: the shadow of
 * the guest's PML4.  Paging off: four direct pages, one per GiB.  32-bit:
 * the four quarters of the guest's page directory.  PAE: the page
 * directories the latched PDPTEs name.
 */
static int mv_mmu_build_root(struct mv_vcpu *vcpu)
{
	union mv_sp_role role = mv_base_role(vcpu);
	struct mv_sp *sp;
	int q, ret;

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	if (role.gmode == MV_GMODE_LONG) {
		role.level = 4;
		role.access = ACC_ALL;
		sp = mv_sp_get(vcpu, (vcpu->cr3 & PTE_ADDR) >> PAGE_SHIFT, role);
		if (!sp)
			return -ENOMEM;
		sp->root_count++;
		vcpu->mmu.root = sp;
		vcpu->mmu.root_pa = __pa(sp->spt);
		vcpu->mmu.root_level = 4;
		return 0;
	}
	role.level = 2;
	role.access = ACC_ALL;
	for (q = 0; q < 4; q++) {
		u64 gfn;

		switch (role.gmode) {
		case MV_GMODE_NONPAGING:
			role.direct = 1;
			gfn = (u64)q * PT64_LEVEL_PAGES(3);	/* 1 GiB each */
			break;
		case MV_GMODE_32BIT:
			role.quadrant = q;
			gfn = (u32)vcpu->cr3 >> PAGE_SHIFT;
			break;
		default:
			if (!(vcpu->pdptrs[q] & PTE_P))
				continue;
			gfn = (vcpu->pdptrs[q] & PTE_ADDR) >> PAGE_SHIFT;
		}
		sp = mv_sp_get(vcpu, gfn, role);
		if (!sp)
			return -ENOMEM;
		ret = mv_pae_root_link(vcpu, q, sp);
		if (ret)
			return ret;
	}
	vcpu->mmu.root_pa = __pa(vcpu->mmu.pae_root);
	vcpu->mmu.root_level = 3;
	return 0;
}

int mv_mmu_load(struct mv_vcpu *vcpu)
{
	struct mv_vm *vm = vcpu->vm;
	int ret;

	if (vcpu->mmu.root_valid &&
	    (!vcpu->mmu.root || !vcpu->mmu.root->role.invalid))
		return 0;
	ret = mv_mmu_topup(vcpu);
	if (ret)
		return ret;
	spin_lock(&vm->mmu_lock);
	mv_mmu_put_root(vm, vcpu);
	mv_mmu_reclaim(vm, 8);
	ret = mv_mmu_build_root(vcpu);
	if (!ret)
		vcpu->mmu.root_valid = true;
	spin_unlock(&vm->mmu_lock);
	mv_mmu_commit(vm);
	if (!ret) {
		trace_mv_mmu_load(vcpu);
		mv_arch->load_cr(vcpu);
	}
	return ret;
}

/* Install (or replace) a leaf entry mapping @gfn to @page. */
int mv_map_leaf(struct mv_vcpu *vcpu, u64 *sptep, u64 gfn, struct page *page,
		u64 bits)
{
	struct mv_vm *vm = vcpu->vm;
	struct mv_sp *sp = spte_to_sp(sptep);
	int ret;

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	if (*sptep & PTE_P) {
		if ((*sptep & PTE_ADDR) == page_to_phys(page) &&
		    spte_gfn(sptep) == gfn) {
			if ((*sptep & ~bits) & (PTE_W | PTE_U))
				mv_mmu_dirty(vm);
			*sptep = page_to_phys(page) | bits;
			return 0;
		}
		mv_drop_spte(vm, sptep);
		mv_mmu_dirty(vm);
	}
	ret = mv_pte_list_add(vcpu, &vm->mmu.s->rmap[gfn], sptep);
	if (ret)
		return ret;
	if (!sp->role.direct)
		sp->gfns[sptep - sp->spt] = gfn;
	*sptep = page_to_phys(page) | bits;
	return 0;
}
