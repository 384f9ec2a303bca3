// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow MMU: the page tables the CPU really walks while a guest runs.
 *
 * Without nested paging the hardware translates guest-virtual addresses
 * straight to host-physical ones, so we build those tables ourselves from
 * two ingredients: the guest's own page tables (read through walk.c, never
 * trusted) and our gfn -> page table (mem.c).  Tables are built lazily, one
 * entry per #PF exit.
 *
 * Shadow pages are keyed by (guest table gfn, role) and cached across CR3
 * switches.  Two reverse maps tie them together: for each gfn, the leaf
 * entries that map it (so sharing, ballooning and write protection change
 * exactly those), and for each shadow page, the entries that point to it.
 * Memory is bounded: a VM holds at most max_mmu_pages shadow pages and
 * recycles its oldest ones beyond that.
 *
 * Paging modes: long-mode guests get 4-level shadow tables; all others
 * (paging off, 32-bit, PAE) run on PAE shadow tables below a per-vCPU
 * 4-entry root, with paging forced on in hardware ("paged real mode" for
 * real mode).
 */
#include <linux/hash.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "mmu.h"

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

static inline struct mv_sp *spte_to_sp(u64 *sptep)
{
	return (struct mv_sp *)page_private(virt_to_page(sptep));
}

static inline struct mv_sp *child_sp(u64 spte)
{
	return (struct mv_sp *)page_private(pfn_to_page((spte & SPTE_ADDR) >>
							PAGE_SHIFT));
}

static inline bool spte_is_leaf(u64 *sptep)
{
	return spte_to_sp(sptep)->role.level == 1;
}

/* The guest frame a leaf entry maps. */
static inline u64 spte_gfn(u64 *sptep)
{
	struct mv_sp *sp = spte_to_sp(sptep);
	unsigned int i = sptep - sp->spt;

	return sp->role.direct ? sp->gfn + i : sp->gfns[i];
}

/* pte lists: empty (0), one spte pointer, or a chain of descriptors (|1). */

static struct mv_pte_list_desc *desc_alloc(struct mv_vcpu *vcpu)
{
	if (WARN_ON(!vcpu->mmu.nr_desc_cache))
		return NULL;
	return vcpu->mmu.desc_cache[--vcpu->mmu.nr_desc_cache];
}

static int pte_list_add(struct mv_vcpu *vcpu, unsigned long *head, u64 *sptep)
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

static void pte_list_remove(unsigned long *head, u64 *sptep)
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
static u64 *pte_list_first(unsigned long head)
{
	if (!head)
		return NULL;
	if (!(head & 1))
		return (u64 *)head;
	return ((struct mv_pte_list_desc *)(head & ~1UL))->sptes[0];
}

/* Per-vCPU caches, filled where sleeping is allowed. */
static int mv_mmu_topup(struct mv_vcpu *vcpu)
{
	struct mv_mmu_vcpu *m = &vcpu->mmu;

	while (m->nr_desc_cache < MV_MMU_CACHE) {
		void *d = kmem_cache_zalloc(mv_desc_cache, GFP_KERNEL_ACCOUNT);

		if (!d)
			return -ENOMEM;
		m->desc_cache[m->nr_desc_cache++] = d;
	}
	while (m->nr_sp_cache < 4) {
		struct mv_sp *sp = kmem_cache_zalloc(mv_sp_cache,
						     GFP_KERNEL_ACCOUNT);
		struct page *page;

		if (!sp)
			return -ENOMEM;
		page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!page) {
			kmem_cache_free(mv_sp_cache, sp);
			return -ENOMEM;
		}
		sp->spt = page_address(page);
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

static struct hlist_head *sp_bucket(struct mv_vm *vm, u64 gfn)
{
	return &vm->mmu.s->hash[hash_64(gfn, MV_SP_HASH_BITS)];
}

static struct mv_sp *mv_sp_lookup(struct mv_vm *vm, u64 gfn,
				  union mv_sp_role role)
{
	struct mv_sp *sp;

	hlist_for_each_entry(sp, sp_bucket(vm, gfn), hash)
		if (sp->gfn == gfn && sp->role.word == role.word)
			return sp;
	return NULL;
}

/* Make every leaf entry mapping @gfn read-only. */
static void mv_rmap_write_protect(struct mv_vm *vm, u64 gfn)
{
	unsigned long head = vm->mmu.s->rmap[gfn];
	struct mv_pte_list_desc *d;
	int i;

	if (!head)
		return;
	if (!(head & 1)) {
		*(u64 *)head &= ~SPTE_W;
		return;
	}
	for (d = (void *)(head & ~1UL); d; d = d->more)
		for (i = 0; i < PTE_LIST_EXT && d->sptes[i]; i++)
			*d->sptes[i] &= ~SPTE_W;
}

static struct mv_sp *mv_sp_new(struct mv_vcpu *vcpu, u64 gfn,
			       union mv_sp_role role)
{
	struct mv_vm *vm = vcpu->vm;
	struct mv_sp *sp;

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
	hlist_add_head(&sp->hash, sp_bucket(vm, gfn));
	vm->mmu.nr_pages++;
	atomic_long_inc(&mv_mmu_pages);
	if (!role.direct && gfn < vm->mem.nr_pages) {
		/* Guest writes to a table we shadow must trap. */
		if (!vm->mmu.s->wp_count[gfn]++)
			mv_rmap_write_protect(vm, gfn);
	}
	return sp;
}

static void mv_drop_spte(struct mv_vm *vm, u64 *sptep);

/* Remove @sp from the MMU; it is freed at the next mv_mmu_commit_zap(). */
static void mv_sp_zap(struct mv_vm *vm, struct mv_sp *sp)
{
	u64 *sptep;
	int i;

	for (i = 0; i < PT_ENTRIES; i++)
		if (sp->spt[i] & SPTE_P)
			mv_drop_spte(vm, &sp->spt[i]);
	while ((sptep = pte_list_first(sp->parents))) {
		pte_list_remove(&sp->parents, sptep);
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
	/* A root stays until its vCPU lets go of it. */
	if (!sp->root_count)
		list_add(&sp->link, &vm->mmu.s->zapped);
}

/* Clear one entry, unhooking it from the reverse map or the child. */
static void mv_drop_spte(struct mv_vm *vm, u64 *sptep)
{
	u64 spte = *sptep;

	if (!(spte & SPTE_P))
		return;
	*sptep = 0;
	if (spte_is_leaf(sptep))
		pte_list_remove(&vm->mmu.s->rmap[spte_gfn(sptep)], sptep);
	else
		pte_list_remove(&child_sp(spte)->parents, sptep);
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

	for (i = 0; i < n; i++) {
		struct mv_vcpu *v = vm->vcpus[i];
		int seen;

		atomic_set(&v->mmu.flush_req, 1);
		/* Order the request before reading the mode (see the run loop). */
		smp_mb__after_atomic();
		if (READ_ONCE(v->mode) != MV_IN_GUEST)
			continue;
		seen = atomic_read(&v->mmu.exits);
		mv_vcpu_kick(v);
		while (READ_ONCE(v->mode) == MV_IN_GUEST &&
		       atomic_read(&v->mmu.exits) == seen)
			cpu_relax();
	}
}

/* Free what mv_sp_zap() removed, once no CPU can still walk it. */
static void mv_mmu_commit_zap(struct mv_vm *vm)
{
	struct mv_sp *sp, *tmp;

	if (list_empty(&vm->mmu.s->zapped))
		return;
	mv_mmu_flush_remote(vm);
	list_for_each_entry_safe(sp, tmp, &vm->mmu.s->zapped, link) {
		list_del(&sp->link);
		mv_sp_free(sp);
	}
}

/* Stay under the VM's shadow page budget by recycling the oldest pages. */
static void mv_mmu_reclaim(struct mv_vm *vm, unsigned long want)
{
	struct mv_sp *sp, *tmp;

	list_for_each_entry_safe_reverse(sp, tmp, &vm->mmu.pages, link) {
		if (vm->mmu.nr_pages + want <= vm->mmu.max_pages)
			break;
		if (!sp->root_count)
			mv_sp_zap(vm, sp);
	}
}

void mv_mmu_prepare_entry(struct mv_vcpu *vcpu)
{
	if (atomic_read(&vcpu->mmu.flush_req)) {
		atomic_set(&vcpu->mmu.flush_req, 0);
		mv_arch->flush_tlb(vcpu);
	}
}

int mv_mmu_vm_init(struct mv_vm *vm)
{
	struct mv_mmu_state *s;
	int i;

	spin_lock_init(&vm->mmu.lock);
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

/* Drop a vCPU's hold on its root. */
static void mv_mmu_put_root(struct mv_vm *vm, struct mv_vcpu *vcpu)
{
	struct mv_sp *root = vcpu->mmu.root;

	vcpu->mmu.root_valid = false;
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
	spin_lock(&vm->mmu.lock);
	for (i = 0; i < vm->nr_vcpus; i++)
		mv_mmu_put_root(vm, vm->vcpus[i]);
	list_for_each_entry_safe(sp, tmp, &vm->mmu.pages, link)
		mv_sp_zap(vm, sp);
	spin_unlock(&vm->mmu.lock);
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
	atomic_set(&vcpu->mmu.flush_req, 0);
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

static union mv_sp_role mv_base_role(struct mv_vcpu *vcpu)
{
	union mv_sp_role role = { .word = 0 };

	role.gmode = mv_guest_mode(vcpu);
	role.cr0_wp = !!(vcpu->cr0 & MV_CR0_WP);
	role.nxe = !!(vcpu->efer & MV_EFER_NXE);
	role.smep = !!(vcpu->cr4 & X86_CR4_SMEP);
	role.smap = !!(vcpu->cr4 & X86_CR4_SMAP);
	return role;
}

/*
 * Choose the hardware control registers for the guest's mode: paging is
 * always on (on our tables), CR0.WP always set so that read-only shadow
 * entries trap supervisor writes too, and caching always enabled.
 */
void mv_mmu_reset(struct mv_vcpu *vcpu)
{
	struct mv_mmu_vcpu *m = &vcpu->mmu;
	u64 cr4_keep = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		       X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |
		       X86_CR4_FSGSBASE;

	m->hw_cr0 = (vcpu->cr0 | MV_CR0_PG | MV_CR0_WP) &
		    ~(MV_CR0_CD | MV_CR0_NW);
	m->hw_cr4 = (vcpu->cr4 & cr4_keep) | X86_CR4_PAE;
	m->hw_efer = vcpu->efer & (MV_EFER_SCE | MV_EFER_NXE);
	if (mv_is_paging(vcpu)) {
		m->hw_cr4 |= vcpu->cr4 & (X86_CR4_PGE | X86_CR4_SMEP |
					  X86_CR4_SMAP);
		m->hw_efer |= vcpu->efer & (MV_EFER_LME | MV_EFER_LMA);
	}
	spin_lock(&vcpu->vm->mmu.lock);
	mv_mmu_put_root(vcpu->vm, vcpu);
	spin_unlock(&vcpu->vm->mmu.lock);
	atomic_set(&m->flush_req, 1);
}

static u64 mv_link_spte(struct mv_sp *child)
{
	return __pa(child->spt) | SPTE_P | SPTE_W | SPTE_U | SPTE_A;
}

/* Point *sptep at @child, recording the back link. */
static int mv_link(struct mv_vcpu *vcpu, u64 *sptep, struct mv_sp *child)
{
	int ret = pte_list_add(vcpu, &child->parents, sptep);

	if (!ret)
		*sptep = mv_link_spte(child);
	return ret;
}

static struct mv_sp *mv_sp_get(struct mv_vcpu *vcpu, u64 gfn,
			       union mv_sp_role role)
{
	struct mv_sp *sp = mv_sp_lookup(vcpu->vm, gfn, role);

	return sp ? sp : mv_sp_new(vcpu, gfn, role);
}

/* Build the 4-entry root for the non-long modes. */
static int mv_mmu_build_pae_root(struct mv_vcpu *vcpu)
{
	union mv_sp_role role = mv_base_role(vcpu);
	u64 *root = vcpu->mmu.pae_root;
	int q;

	role.level = 2;
	role.access = ACC_ALL;
	for (q = 0; q < 4; q++) {
		struct mv_sp *sp;

		/* Paging off: each entry maps one GiB of guest-physical space. */
		role.direct = 1;
		sp = mv_sp_get(vcpu, (u64)q << 18, role);
		if (!sp)
			return -ENOMEM;
		root[q] = __pa(sp->spt) | SPTE_P;
	}
	vcpu->mmu.root_pa = __pa(root);
	return 0;
}

int mv_mmu_load(struct mv_vcpu *vcpu)
{
	struct mv_vm *vm = vcpu->vm;
	int ret;

	if (vcpu->mmu.root_valid)
		return 0;
	ret = mv_mmu_topup(vcpu);
	if (ret)
		return ret;
	spin_lock(&vm->mmu.lock);
	mv_mmu_reclaim(vm, 4);
	ret = mv_mmu_build_pae_root(vcpu);
	if (!ret)
		vcpu->mmu.root_valid = true;
	spin_unlock(&vm->mmu.lock);
	mv_mmu_commit_zap(vm);
	if (!ret)
		mv_arch->set_hw_cr(vcpu, vcpu->mmu.hw_cr0, vcpu->mmu.root_pa,
				   vcpu->mmu.hw_cr4, vcpu->mmu.hw_efer);
	return ret;
}

static int mv_map_leaf(struct mv_vcpu *vcpu, u64 *sptep, u64 gfn,
		       struct page *page, u64 bits)
{
	struct mv_vm *vm = vcpu->vm;
	int ret;

	if (*sptep & SPTE_P) {
		if ((*sptep & SPTE_ADDR) == page_to_phys(page)) {
			*sptep = page_to_phys(page) | bits;
			return 0;
		}
		mv_drop_spte(vm, sptep);
	}
	ret = pte_list_add(vcpu, &vm->mmu.s->rmap[gfn], sptep);
	if (ret)
		return ret;
	if (!spte_to_sp(sptep)->role.direct)
		spte_to_sp(sptep)->gfns[sptep - spte_to_sp(sptep)->spt] = gfn;
	*sptep = page_to_phys(page) | bits;
	return 0;
}

/* Paging off: map guest-physical @gfn at linear @addr (== gpa). */
static int mv_direct_fault(struct mv_vcpu *vcpu, u64 addr, u64 gfn,
			   struct page *page)
{
	struct mv_vm *vm = vcpu->vm;
	union mv_sp_role role = mv_base_role(vcpu);
	u64 *pdpte = &vcpu->mmu.pae_root[(addr >> 30) & 3];
	struct mv_sp *pd, *pt;
	u64 *pde, bits;
	int ret;

	if (!(*pdpte & SPTE_P))
		return -EAGAIN;
	pd = child_sp(*pdpte);
	pde = &pd->spt[(addr >> 21) & 511];
	if (!(*pde & SPTE_P)) {
		role.level = 1;
		role.direct = 1;
		role.access = ACC_ALL;
		pt = mv_sp_get(vcpu, (addr >> 12) & ~511ULL, role);
		if (!pt)
			return -ENOMEM;
		ret = mv_link(vcpu, pde, pt);
		if (ret)
			return ret;
	}
	pt = child_sp(*pde);
	bits = SPTE_P | SPTE_U | SPTE_A | SPTE_D | SPTE_W;
	if (vm->mmu.s->wp_count[gfn])
		bits &= ~SPTE_W;
	return mv_map_leaf(vcpu, &pt->spt[(addr >> 12) & 511], gfn, page, bits);
}

int mv_mmu_page_fault(struct mv_vcpu *vcpu, u64 addr, u32 error, u64 *gpa)
{
	struct mv_vm *vm = vcpu->vm;
	struct page *page;
	u64 gfn;
	int ret;

	addr = (u32)addr;
	gfn = addr >> PAGE_SHIFT;
	*gpa = addr;
	if (gfn >= vm->mem.nr_pages)
		return 1;
	page = mv_mem_page(vm, gfn);
	if (IS_ERR(page))
		return PTR_ERR(page);
	ret = mv_mmu_topup(vcpu);
	if (ret)
		return ret;
	spin_lock(&vm->mmu.lock);
	ret = mv_direct_fault(vcpu, addr, gfn, page);
	spin_unlock(&vm->mmu.lock);
	if (ret == -EAGAIN) {
		/* The root went away under us (reclaim); rebuild and retry. */
		vcpu->mmu.root_valid = false;
		ret = 0;
	}
	return ret;
}

void mv_mmu_new_cr3(struct mv_vcpu *vcpu)
{
	if (mv_is_paging(vcpu))
		mv_mmu_reset(vcpu);
}

void mv_mmu_invlpg(struct mv_vcpu *vcpu, u64 gva)
{
	atomic_set(&vcpu->mmu.flush_req, 1);
}

int mv_mmu_gva_to_gpa(struct mv_vcpu *vcpu, u64 gva, u32 access, u64 *gpa)
{
	*gpa = (u32)gva;
	return 0;
}
