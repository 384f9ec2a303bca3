// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow page faults, and keeping shadow tables in step with the guest's.
 *
 * A #PF exit is one of three things: a fault the guest must see (its own
 * tables deny the access: we inject it, with the error code and CR2 the
 * hardware would have produced), an access to guest-physical memory that is
 * not RAM (MMIO, for the emulator), or a "shadow fault": the guest allows
 * the access but our tables have no entry yet, or a read-only one (dirty
 * tracking, write-protected page tables).  For those we walk the guest
 * tables (setting A/D bits), then build the shadow path down to the leaf.
 *
 * Guest page-table updates: writes to a table we shadow trap.  A last-level
 * table may then go "unsync": the write is allowed, and the table's shadow
 * entries are re-checked at the guest's next INVLPG (that one entry) or CR3
 * load (all of them) - exactly when a CPU would drop stale TLB entries.  A
 * higher-level table is unshadowed instead, and rebuilt on its next use.
 * With the mmu_unsync parameter off, every table is handled that second way.
 */
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>

#include "mmu.h"
#include "trace.h"

bool mv_mmu_unsync = true;
module_param_named(mmu_unsync, mv_mmu_unsync, bool, 0644);
MODULE_PARM_DESC(mmu_unsync,
		 "Let guests write their last-level page tables and resync those at INVLPG/CR3 load (default), instead of unshadowing a table on every write to it");

/* Rights a guest entry grants. */
static u32 mv_gpte_access(u64 gpte, bool nxe)
{
	u32 acc = ACC_X;

	if (gpte & PTE_W)
		acc |= ACC_W;
	if (gpte & PTE_U)
		acc |= ACC_U;
	if (nxe && (gpte & PTE_NX))
		acc &= ~ACC_X;
	return acc;
}

/* Is every shadow page of guest table @gfn an unsync last-level one? */
static bool mv_gfn_unsync(struct mv_vm *vm, u64 gfn)
{
	struct mv_sp *sp;
	bool any = false;

	lockdep_assert_held(&vm->mmu_lock);
	hlist_for_each_entry(sp, mv_sp_bucket(vm, gfn), hash) {
		if (sp->gfn != gfn || sp->role.direct)
			continue;
		if (!sp->unsync)
			return false;
		any = true;
	}
	return any;
}

/*
 * The hardware bits of a leaf entry granting @acc to @page, in a shadow
 * page of role @role (its EFER.NXE, not the calling vCPU's: unsync tables
 * are resynced by whichever vCPU comes along).
 */
static u64 mv_leaf_bits(struct mv_vm *vm, union mv_sp_role role, u64 gfn,
			struct page *page, u32 acc, bool dirty, bool global)
{
	u64 bits = PTE_P | PTE_A;

	if (acc & ACC_U)
		bits |= PTE_U;
	if (role.nxe && !(acc & ACC_X))
		bits |= PTE_NX;
	if (global)
		bits |= PTE_G;
	/*
	 * Writable only once the guest's D bit is set (so its first write
	 * sets it), not while the page is a guest table we shadow, and never
	 * when it is shared (copy-on-write).
	 */
	if ((acc & ACC_W) && dirty && !mv_page_shared(page) &&
	    (!vm->mmu.s->wp_count[gfn] || mv_gfn_unsync(vm, gfn)))
		bits |= PTE_W | PTE_D;
	return bits;
}

static u64 mv_gpte_addr(enum mv_gmode mode, u64 gpte)
{
	return gpte & (mode == MV_GMODE_32BIT ? PTE32_ADDR : PTE_ADDR);
}

/* Re-read a guest entry the walk used; false if it changed since. */
static bool mv_gpte_unchanged(struct mv_vm *vm, enum mv_gmode mode,
			      const struct mv_walk *w, int level)
{
	u64 gpa = w->pte_gpa[level], now = 0;
	struct page *page = READ_ONCE(vm->mem.pages[gpa >> PAGE_SHIFT]);
	void *va;

	if (!page)
		return false;
	va = kmap_local_page(page);
	if (mode == MV_GMODE_32BIT)
		now = *(u32 *)(va + (gpa & ~PAGE_MASK));
	else
		now = *(u64 *)(va + (gpa & ~PAGE_MASK));
	kunmap_local(va);
	return now == w->gpte[level];
}

static void mv_sync_sp(struct mv_vcpu *vcpu, struct mv_sp *sp);

/*
 * Build the shadow path for @addr down to a leaf mapping @gfn, following
 * the guest walk @w (NULL with paging off).  Called under the MMU lock.
 * -EAGAIN: the root is gone, rebuild it; -EBUSY: the guest tables changed
 * under us, take the fault again.
 */
static int mv_shadow_map(struct mv_vcpu *vcpu, u64 addr, struct mv_walk *w,
			 u64 gfn, struct page *page, u32 pferr)
{
	union mv_sp_role role = mv_base_role(vcpu);
	enum mv_gmode mode = role.gmode;
	struct mv_vm *vm = vcpu->vm;
	u32 upper = ACC_ALL, acc;
	u64 *table, *sptep;
	int level, ret;

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	if (mode == MV_GMODE_LONG) {
		if (!vcpu->mmu.root || vcpu->mmu.root->role.invalid)
			return -EAGAIN;
		table = vcpu->mmu.root->spt;
		level = 4;
	} else {
		u64 e = vcpu->mmu.pae_root[PAE_PDPTE_INDEX(addr)];

		if (!(e & PTE_P))
			return -EAGAIN;
		table = child_sp(e)->spt;
		level = 2;
	}

	for (; level > 1; level--) {
		union mv_sp_role crole = role;
		struct mv_sp *child;
		u64 cgfn;

		sptep = &table[PT64_INDEX(addr, level)];
		crole.level = level - 1;
		if (!w) {
			crole.direct = 1;
			crole.access = ACC_ALL;
			cgfn = (addr >> PAGE_SHIFT) & ~(PT64_LEVEL_PAGES(level) - 1);
		} else if (w->level >= level) {
			/* Inside a guest large page: map it 4 KiB at a time. */
			crole.direct = 1;
			crole.access = w->access;
			cgfn = w->gfn & ~(PT64_LEVEL_PAGES(level) - 1);
		} else {
			if (!mv_gpte_unchanged(vm, mode, w, level))
				return -EBUSY;
			upper &= mv_gpte_access(w->gpte[level], role.nxe);
			crole.access = upper;
			/* Which half of a 1024-entry guest table this covers. */
			if (mode == MV_GMODE_32BIT)
				crole.quadrant = (addr >> PT_LEVEL_SHIFT(PT64_LEVEL_BITS, 2)) & 1;
			cgfn = mv_gpte_addr(mode, w->gpte[level]) >> PAGE_SHIFT;
		}
		if (*sptep & PTE_P) {
			child = child_sp(*sptep);
			if (child->gfn == cgfn && child->role.word == crole.word) {
				table = child->spt;
				continue;
			}
			mv_drop_spte(vm, sptep);
			mv_mmu_dirty(vm);
		}
		child = mv_sp_get(vcpu, cgfn, crole);
		if (!child)
			return -ENOMEM;
		/*
		 * An unsync table linked afresh (its path was zapped above it)
		 * catches up first: an INVLPG the guest made meanwhile found
		 * no path to it and synced nothing.
		 */
		if (child->unsync)
			mv_sync_sp(vcpu, child);
		ret = mv_link(vcpu, sptep, child);
		if (ret)
			return ret;
		table = child->spt;
	}

	sptep = &table[PT64_INDEX(addr, 1)];
	/* Merged or copied since we looked it up? */
	if (READ_ONCE(vm->mem.pages[gfn]) != page)
		return -EBUSY;
	if (!w)
		return mv_map_leaf(vcpu, sptep, gfn, page,
				   mv_leaf_bits(vm, role, gfn, page, ACC_ALL, true,
						false));
	/* The leaf entry too (a large page's is the one at w->level). */
	if (!mv_gpte_unchanged(vm, mode, w, w->level))
		return -EBUSY;
	acc = w->access;
	/*
	 * CR0.WP=0 lets the supervisor write read-only pages; the hardware
	 * runs with WP=1, so hand the supervisor a writable, kernel-only entry
	 * (no longer executable under SMEP if it was a user page).  A later
	 * user access faults and gets the real rights back.
	 */
	if (!(vcpu->cr0 & X86_CR0_WP) && (pferr & X86_PF_WRITE) &&
	    !(pferr & X86_PF_USER) && !(acc & ACC_W)) {
		if ((acc & ACC_U) && (vcpu->cr4 & X86_CR4_SMEP))
			acc &= ~ACC_X;
		acc = (acc | ACC_W) & ~ACC_U;
	}
	return mv_map_leaf(vcpu, sptep, gfn, page,
			   mv_leaf_bits(vm, role, gfn, page, acc, w->dirty,
					w->global));
}

/* Bring one unsync shadow entry in line with the guest's entry. */
static void mv_sync_spte(struct mv_vcpu *vcpu, struct mv_sp *sp, int i,
			 const void *gtable)
{
	struct mv_vm *vm = vcpu->vm;
	enum mv_gmode mode = sp->role.gmode;
	u64 *sptep = &sp->spt[i], gpte, gfn, bits;
	struct page *page;
	int gi = i + (mode == MV_GMODE_32BIT ? sp->role.quadrant * PT_ENTRIES : 0);

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	gpte = mode == MV_GMODE_32BIT ? ((const u32 *)gtable)[gi] :
					((const u64 *)gtable)[gi];
	gfn = mv_gpte_addr(mode, gpte) >> PAGE_SHIFT;
	/*
	 * Gone, invalid, not yet accessed (so the next access must fault and
	 * set A), or pointing elsewhere: drop it and let a fault rebuild it.
	 */
	if (!(gpte & PTE_P) || !(gpte & PTE_A) || gfn >= vm->mem.nr_pages ||
	    (mode != MV_GMODE_32BIT &&
	     (gpte & GENMASK_ULL(mode == MV_GMODE_PAE ? 62 : 51,
				 mv_guest_maxphyaddr(vcpu)))) ||
	    (!sp->role.nxe && mode != MV_GMODE_32BIT && (gpte & PTE_NX))) {
		if (*sptep & PTE_P) {
			mv_drop_spte(vm, sptep);
			mv_mmu_dirty(vm);
		}
		return;
	}
	page = READ_ONCE(vm->mem.pages[gfn]);
	if (!page)
		goto drop;
	bits = mv_leaf_bits(vm, sp->role, gfn, page,
			    sp->role.access & mv_gpte_access(gpte, sp->role.nxe),
			    gpte & PTE_D,
			    (gpte & PTE_G) && (vcpu->cr4 & X86_CR4_PGE));
	if (*sptep & PTE_P) {
		if (spte_gfn(sptep) != gfn)
			goto drop;
		if ((*sptep & ~bits) & (PTE_W | PTE_U) ||
		    ((bits & PTE_NX) && !(*sptep & PTE_NX)))
			mv_mmu_dirty(vm);
		*sptep = page_to_phys(page) | bits;
		return;
	}
	/* Present in the guest and accessed: install it now (prefetch). */
	if (vcpu->mmu.nr_desc_cache)
		mv_map_leaf(vcpu, sptep, gfn, page, bits);
	return;
drop:
	if (*sptep & PTE_P) {
		mv_drop_spte(vm, sptep);
		mv_mmu_dirty(vm);
	}
}

static void mv_sync_sp(struct mv_vcpu *vcpu, struct mv_sp *sp)
{
	struct mv_vm *vm = vcpu->vm;
	struct page *gpage = READ_ONCE(vm->mem.pages[sp->gfn]);
	void *gtable;
	int i;

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	trace_mv_sp_sync(vm, sp);
	list_del_init(&sp->unsync_link);
	sp->unsync = false;
	if (gpage) {
		gtable = kmap_local_page(gpage);
		for (i = 0; i < PT_ENTRIES; i++)
			if (sp->spt[i] & PTE_P)
				mv_sync_spte(vcpu, sp, i, gtable);
		kunmap_local(gtable);
	} else {
		for (i = 0; i < PT_ENTRIES; i++)
			mv_drop_spte(vm, &sp->spt[i]);
		mv_mmu_dirty(vm);
	}
	/* Shadowed and in sync again: the guest's writes must trap. */
	mv_rmap_write_protect(vm, sp->gfn);
}

/* Sync every unsync table of the VM; under the MMU lock. */
static void mv_sync_all(struct mv_vcpu *vcpu)
{
	struct mv_mmu_state *s = vcpu->vm->mmu.s;

	lockdep_assert_held(&vcpu->vm->mmu_lock);
	while (!list_empty(&s->unsync))
		mv_sync_sp(vcpu, list_first_entry(&s->unsync, struct mv_sp,
						  unsync_link));
}

/* Does the walk @w go through guest table @gfn? */
static bool mv_walk_uses_table(const struct mv_walk *w, u64 gfn)
{
	int level;

	for (level = w->level; level <= 4; level++)
		if (w->pte_gpa[level] && w->table_gfn[level] == gfn)
			return true;
	return false;
}

/*
 * Does fetching the instruction at CS:RIP go through guest table @gfn?
 * (No side effect: no A/D bit set, no fault queued.)
 */
static bool mv_fetch_uses_table(struct mv_vcpu *vcpu, u64 gfn)
{
	u64 rip = mv_seg_base(vcpu, MV_CS) + vcpu->rip;
	u32 access = X86_PF_INSTR;
	struct mv_walk w;

	if (mv_arch->get_cpl(vcpu) == 3)
		access |= X86_PF_USER;
	return mv_walk(vcpu, rip, access, &w, false) == MV_WALK_OK &&
	       mv_walk_uses_table(&w, gfn);
}

/*
 * The guest writes a page that is one of its tables we shadow.  Let the
 * write happen: unsync the table if it is a last-level one, else unshadow
 * it, and go on to map the page writable (MV_PF_RETRY).  Two writes can
 * never be let through that way, and are emulated instead (MV_PF_EMULATE:
 * the emulated store unshadows the table, as every kernel write to a
 * shadowed table does): one through a translation that uses the very
 * table being written, and one that would unshadow a table the
 * instruction's own fetch goes through, since running it again shadows
 * the table again at the fetch, and the write traps again, forever (Linux
 * does it: set_pmd() on the page directory that maps set_pmd()).  With
 * paging off (@w NULL) no guest table is in use: the old ones the page
 * held go.
 */
static enum mv_pf_ret mv_write_to_table(struct mv_vcpu *vcpu,
					struct mv_walk *w, u64 gfn)
{
	struct mv_vm *vm = vcpu->vm;
	struct mv_sp *sp;
	bool unsync = w && mv_mmu_unsync;
	/*
	 * A write by an event's delivery (the frame it pushes) is no
	 * instruction at RIP to emulate: let it through, and the retry
	 * delivers the event again.
	 */
	bool vectoring = vcpu->reinject.valid;

	if (w && !vectoring && mv_walk_uses_table(w, gfn))
		return MV_PF_EMULATE;
	spin_lock(&vm->mmu_lock);
	hlist_for_each_entry(sp, mv_sp_bucket(vm, gfn), hash)
		if (sp->gfn == gfn && !sp->role.direct && sp->role.level != 1)
			unsync = false;
	if (!unsync) {
		spin_unlock(&vm->mmu_lock);
		if (w && !vectoring && mv_fetch_uses_table(vcpu, gfn))
			return MV_PF_EMULATE;
		spin_lock(&vm->mmu_lock);
	}
	if (unsync) {
		hlist_for_each_entry(sp, mv_sp_bucket(vm, gfn), hash) {
			if (sp->gfn != gfn || sp->role.direct || sp->unsync)
				continue;
			sp->unsync = true;
			trace_mv_sp_unsync(vm, sp);
			list_add(&sp->unsync_link, &vm->mmu.s->unsync);
		}
	} else {
		mv_mmu_zap_gfn(vm, gfn);
	}
	spin_unlock(&vm->mmu_lock);
	mv_mmu_commit(vm);
	return MV_PF_RETRY;
}

/* A guest table outside RAM: an internal error for userspace. */
static int mv_pt_outside_ram(struct mv_vcpu *vcpu, u64 addr,
			     const struct mv_walk *w)
{
	u64 data[2] = { addr, 0 };
	int level;

	for (level = 1; level <= 4; level++)
		if ((w->pte_gpa[level] >> PAGE_SHIFT) >= vcpu->vm->mem.nr_pages)
			data[1] = w->pte_gpa[level];
	return mv_internal_error(vcpu, MV_INTERNAL_PAGE_TABLE, 2, data);
}

int mv_mmu_page_fault(struct mv_vcpu *vcpu, u64 addr, u32 error, u64 *gpa)
{
	u32 pferr = error & (X86_PF_WRITE | X86_PF_USER | X86_PF_INSTR);
	struct mv_vm *vm = vcpu->vm;
	struct mv_walk walk, *w = NULL;
	struct page *page;
	u64 gfn;
	int ret;

	if (!mv_is_paging(vcpu)) {
		addr = (u32)addr;
		gfn = addr >> PAGE_SHIFT;
	} else {
		w = &walk;
		ret = mv_walk(vcpu, addr, pferr, w, true);
		if (ret < 0)
			return ret;
		if (ret == MV_WALK_NO_RAM) {
			mv_pt_outside_ram(vcpu, addr, w);
			return MV_PF_INTERNAL;
		}
		if (ret == MV_WALK_FAULT) {
			/* The guest's own tables deny it: its fault. */
			mv_queue_pf(vcpu, addr, w->fault);
			return MV_PF_GUEST;
		}
		gfn = w->gfn;
	}
	*gpa = (gfn << PAGE_SHIFT) | (addr & ~PAGE_MASK);
	if (gfn >= vm->mem.nr_pages)
		return MV_PF_MMIO;
	if ((pferr & X86_PF_WRITE) && mv_mmu_gfn_shadowed(vm, gfn)) {
		ret = mv_write_to_table(vcpu, w, gfn);
		if (ret != MV_PF_RETRY)
			return ret;
	}
	/* A write gets a private page: copy-on-write if it was shared. */
	page = (pferr & X86_PF_WRITE) ? mv_mem_page_w(vm, gfn) :
				       mv_mem_page(vm, gfn);
	if (IS_ERR(page))
		return PTR_ERR(page);
	ret = mv_mmu_topup(vcpu);
	if (ret)
		return ret;
	spin_lock(&vm->mmu_lock);
	ret = mv_shadow_map(vcpu, addr, w, gfn, page, pferr);
	spin_unlock(&vm->mmu_lock);
	mv_mmu_commit(vm);
	if (ret == -EAGAIN) {
		/* The root went away under us (reclaim): rebuild, retry. */
		vcpu->mmu.root_valid = false;
		ret = MV_PF_RETRY;
	} else if (ret == -EBUSY || !ret) {
		ret = MV_PF_RETRY;
	}
	return ret;
}

/* Read and check the four PDPTEs a PAE CR3 names; -EINVAL means #GP. */
int mv_mmu_load_pdptrs(struct mv_vcpu *vcpu, u64 cr3)
{
	u64 rsvd = GENMASK_ULL(63, mv_guest_maxphyaddr(vcpu)) |
		   GENMASK_ULL(8, 5) | GENMASK_ULL(2, 1);
	u64 pdptrs[4];
	int i;

	if (mv_mem_copy(vcpu->vm, cr3 & PAE_CR3_ADDR, pdptrs, sizeof(pdptrs),
			false))
		return -EINVAL;
	for (i = 0; i < 4; i++)
		if ((pdptrs[i] & PTE_P) && (pdptrs[i] & rsvd))
			return -EINVAL;
	memcpy(vcpu->pdptrs, pdptrs, sizeof(pdptrs));
	return 0;
}

void mv_mmu_new_cr3(struct mv_vcpu *vcpu)
{
	if (!mv_is_paging(vcpu))
		return;
	mv_mmu_sync_unsync(vcpu);
	vcpu->mmu.root_valid = false;
	/* A CR3 load flushes the non-global translations. */
	mv_request(vcpu, MV_REQ_TLB_FLUSH_NONGLOBAL);
}

void mv_mmu_reset(struct mv_vcpu *vcpu)
{
	/* A mode change flushes the TLB: unsync tables catch up. */
	mv_mmu_sync_unsync(vcpu);
	mv_mmu_unload(vcpu);
	mv_request(vcpu, MV_REQ_TLB_FLUSH);
}

/* The guest flushed its whole TLB, global entries too (CR4.PGE toggled). */
void mv_mmu_flush_guest_tlb(struct mv_vcpu *vcpu)
{
	mv_mmu_sync_unsync(vcpu);
	mv_request(vcpu, MV_REQ_TLB_FLUSH);
}

/* Syncing only rewrites present entries: it needs no allocation. */
void mv_mmu_sync_unsync(struct mv_vcpu *vcpu)
{
	struct mv_vm *vm = vcpu->vm;

	spin_lock(&vm->mmu_lock);
	mv_sync_all(vcpu);
	spin_unlock(&vm->mmu_lock);
	mv_mmu_commit(vm);
}

void mv_mmu_invlpg(struct mv_vcpu *vcpu, u64 gva)
{
	struct mv_vm *vm = vcpu->vm;
	struct mv_sp *sp = NULL;
	u64 *table;
	int level;

	if (!mv_is_paging(vcpu)) {
		mv_arch->flush_gva(vcpu, gva);
		return;
	}
	mv_mmu_topup(vcpu);
	spin_lock(&vm->mmu_lock);
	if (mv_is_long_mode(vcpu)) {
		table = vcpu->mmu.root && !vcpu->mmu.root->role.invalid ?
			vcpu->mmu.root->spt : NULL;
		level = 4;
	} else {
		u64 e = vcpu->mmu.pae_root[PAE_PDPTE_INDEX(gva)];

		gva = (u32)gva;
		table = (e & PTE_P) ? child_sp(e)->spt : NULL;
		level = 2;
	}
	/* Find the last-level shadow page on gva's path, if any. */
	for (; table && level > 1; level--) {
		u64 e = table[PT64_INDEX(gva, level)];

		if (!(e & PTE_P)) {
			table = NULL;
			break;
		}
		sp = child_sp(e);
		table = sp->spt;
	}
	if (table && sp && sp->unsync) {
		struct page *gpage = READ_ONCE(vm->mem.pages[sp->gfn]);

		if (gpage) {
			void *gtable = kmap_local_page(gpage);

			mv_sync_spte(vcpu, sp, PT64_INDEX(gva, 1), gtable);
			kunmap_local(gtable);
		}
	}
	spin_unlock(&vm->mmu_lock);
	mv_mmu_commit(vm);
	mv_arch->flush_gva(vcpu, gva);
}

int mv_mmu_gva_to_gpa(struct mv_vcpu *vcpu, u64 gva, u32 access, u64 *gpa)
{
	struct mv_walk w;
	int ret;

	if (!mv_is_paging(vcpu)) {
		*gpa = (u32)gva;
		return MV_XLATE_OK;
	}
	if (mv_arch->get_cpl(vcpu) == 3)
		access |= X86_PF_USER;
	ret = mv_walk(vcpu, gva, access, &w, true);
	switch (ret) {
	case MV_WALK_OK:
		*gpa = (w.gfn << PAGE_SHIFT) | (gva & ~PAGE_MASK);
		return MV_XLATE_OK;
	case MV_WALK_FAULT:
		mv_queue_pf(vcpu, gva, w.fault);
		return MV_XLATE_FAULT;
	case MV_WALK_NO_RAM:
		mv_pt_outside_ram(vcpu, gva, &w);
		return MV_XLATE_USER;
	default:
		return ret;
	}
}

/* The same with no side effect: no #PF queued, no A/D bit set.  0 or -EFAULT. */
int mv_mmu_gva_peek(struct mv_vcpu *vcpu, u64 gva, u32 access, u64 *gpa)
{
	struct mv_walk w;

	if (!mv_is_paging(vcpu)) {
		*gpa = (u32)gva;
		return 0;
	}
	if (mv_arch->get_cpl(vcpu) == 3)
		access |= X86_PF_USER;
	if (mv_walk(vcpu, gva, access, &w, false) != MV_WALK_OK)
		return -EFAULT;
	*gpa = (w.gfn << PAGE_SHIFT) | (gva & ~PAGE_MASK);
	return 0;
}

/* The VMM wrote guest memory: forget what we shadowed of those pages. */
void mv_mmu_gfn_written(struct mv_vm *vm, u64 gfn)
{
	if (!mv_mmu_gfn_shadowed(vm, gfn))
		return;
	spin_lock(&vm->mmu_lock);
	mv_mmu_zap_gfn(vm, gfn);
	spin_unlock(&vm->mmu_lock);
	mv_mmu_commit(vm);
}
