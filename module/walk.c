// SPDX-License-Identifier: GPL-2.0
/*
 * The guest page-table walker.
 *
 * Reads the guest's tables the way the CPU would, for the three formats
 * (32-bit two-level with 4 MiB pages, PAE, 4-level long mode with 2 MiB and
 * 1 GiB pages), and trusts nothing it reads: reserved bits make a #PF with
 * RSVD, a table outside guest RAM makes the walk fail cleanly, and the
 * permission checks follow CR0.WP, EFER.NXE, CR4.SMEP/SMAP and U/S, R/W, NX
 * as far as the CPUID the guest sees offers the features.  When asked, it
 * sets the Accessed bits of every entry it used and the Dirty bit of the
 * leaf, with a compare-and-exchange so a concurrent guest update is never
 * lost, exactly when the hardware would.
 */
#include <linux/highmem.h>
#include <linux/mm.h>

#include "mmu.h"

static u64 rsvd(int lo, int hi)
{
	return GENMASK_ULL(hi, lo);
}

/* Reserved bits of an entry at @level (1 = PTE), @large if PS is set. */
static u64 mv_rsvd_mask(struct mv_vcpu *vcpu, enum mv_gmode mode, int level,
			bool large)
{
	u8 maxphy = mv_guest_maxphyaddr(vcpu);
	bool nx = vcpu->efer & EFER_NX;
	u64 high;

	if (mode == MV_GMODE_32BIT) {
		/*
		 * 4 MiB pages: bits 16:13 are address bits 35:32 with PSE-36
		 * (as KVM has it), and reserved up to bit 21.
		 */
		if (level != 2 || !large)
			return 0;
		return mv_guest_has_pse36(vcpu) ? rsvd(17, 21) : rsvd(13, 21);
	}
	high = rsvd(maxphy, mode == MV_GMODE_PAE ? 62 : 51);
	if (!nx)
		high |= PTE_NX;
	switch (level) {
	case 4:
		/* AMD reserves bits 7 and 8 of PML4 entries. */
		return high | rsvd(7, 8);
	case 3:
		if (mode == MV_GMODE_PAE)	/* PDPTE */
			return high | PTE_NX | rsvd(5, 8) | rsvd(1, 2);
		if (!large)
			return high;
		if (!mv_guest_has_gbpages(vcpu))
			return high | PTE_PS;
		return high | rsvd(13, 29);
	case 2:
		return large ? high | rsvd(13, 20) : high;
	default:
		return high;
	}
}

/* Read (or compare-and-exchange) a 4- or 8-byte guest entry. */
static int mv_gpte_read(struct mv_vm *vm, u64 gpa, int size, u64 *val)
{
	struct page *page;
	void *va;

	if ((gpa >> PAGE_SHIFT) >= vm->mem.nr_pages)
		return -EFAULT;
	page = READ_ONCE(vm->mem.pages[gpa >> PAGE_SHIFT]);
	if (!page) {
		/* Never touched: reads as zero, no need to allocate. */
		*val = 0;
		return 0;
	}
	va = kmap_local_page(page);
	if (size == 4)
		*val = READ_ONCE(*(u32 *)(va + (gpa & ~PAGE_MASK)));
	else
		*val = READ_ONCE(*(u64 *)(va + (gpa & ~PAGE_MASK)));
	kunmap_local(va);
	return 0;
}

/*
 * Like the hardware's locked update of A/D bits: only into a private page
 * (a shared one is copied first), under the MMU lock as every kernel write
 * to guest memory.  1 if done, 0 if the entry changed, -ENOMEM.
 */
static int mv_gpte_cmpxchg(struct mv_vm *vm, u64 gpa, int size, u64 old,
			   u64 new)
{
	u64 gfn = gpa >> PAGE_SHIFT;
	struct page *page;
	bool ok;
	void *va;

	for (;;) {
		page = mv_mem_page_w(vm, gfn);
		if (IS_ERR(page))
			return PTR_ERR(page);
		if (!page)
			return 0;
		spin_lock(&vm->mmu_lock);
		if (mv_mem_private(vm, gfn, page))
			break;
		spin_unlock(&vm->mmu_lock);
	}
	va = kmap_local_page(page);
	if (size == 4)
		ok = cmpxchg((u32 *)(va + (gpa & ~PAGE_MASK)), (u32)old,
			     (u32)new) == (u32)old;
	else
		ok = cmpxchg64((u64 *)(va + (gpa & ~PAGE_MASK)), old, new) == old;
	kunmap_local(va);
	spin_unlock(&vm->mmu_lock);
	return ok;
}

/* The I/D bit of a #PF error code only exists with NX or SMEP enabled. */
static u32 mv_guest_pferr(struct mv_vcpu *vcpu, u32 err)
{
	if (!(vcpu->efer & EFER_NX) && !(vcpu->cr4 & X86_CR4_SMEP))
		err &= ~X86_PF_INSTR;
	return err;
}

/*
 * Does the access @pferr pass the accumulated rights?  Returns 0 or the
 * protection error code (with P set).
 */
static u32 mv_check_access(struct mv_vcpu *vcpu, u32 access, u32 pferr,
			   bool user_page)
{
	bool user = pferr & X86_PF_USER, write = pferr & X86_PF_WRITE;
	bool fetch = pferr & X86_PF_INSTR;

	if (user && !(access & ACC_U))
		return pferr | X86_PF_PROT;
	if (write && !(access & ACC_W) && (user || (vcpu->cr0 & X86_CR0_WP)))
		return pferr | X86_PF_PROT;
	if (fetch && !(access & ACC_X))
		return pferr | X86_PF_PROT;
	if (!user && user_page) {
		if (fetch && (vcpu->cr4 & X86_CR4_SMEP))
			return pferr | X86_PF_PROT;
		/* Supervisor data access to a user page, without RFLAGS.AC. */
		if (!fetch && (vcpu->cr4 & X86_CR4_SMAP) &&
		    !(vcpu->rflags & X86_EFLAGS_AC))
			return pferr | X86_PF_PROT;
	}
	return 0;
}

/* Entry size and index bits of the guest's tables. */
static int mv_walk_entry_size(enum mv_gmode mode)
{
	return mode == MV_GMODE_32BIT ? 4 : 8;
}

static u64 mv_walk_index(enum mv_gmode mode, u64 addr, int level)
{
	if (mode == MV_GMODE_32BIT)
		return (addr >> PT_LEVEL_SHIFT(PT32_LEVEL_BITS, level)) &
		       (BIT(PT32_LEVEL_BITS) - 1);
	return PT64_INDEX(addr, level);
}

/*
 * Where a walk starts: the top table and its level.  PAE paging starts
 * one level down, from the PDPTE latched at the last CR3 load (recorded
 * as level 3 of the walk).  MV_WALK_OK, or MV_WALK_FAULT for a PDPTE that
 * is not present.
 */
static int mv_walk_start(struct mv_vcpu *vcpu, enum mv_gmode mode, u64 addr,
			 u32 pferr, struct mv_walk *w, u64 *table, int *level)
{
	u64 pdpte;

	switch (mode) {
	case MV_GMODE_32BIT:
		*table = vcpu->cr3 & PTE32_ADDR;
		*level = 2;
		return MV_WALK_OK;
	case MV_GMODE_PAE:
		pdpte = vcpu->pdptrs[PAE_PDPTE_INDEX(addr)];
		w->pte_gpa[3] = (vcpu->cr3 & PAE_CR3_ADDR) +
				PAE_PDPTE_INDEX(addr) * sizeof(u64);
		w->gpte[3] = pdpte;
		w->table_gfn[3] = vcpu->cr3 >> PAGE_SHIFT;
		if (!(pdpte & PTE_P)) {
			w->fault = mv_guest_pferr(vcpu, pferr);
			return MV_WALK_FAULT;
		}
		*table = pdpte & PTE_ADDR;
		*level = 2;
		return MV_WALK_OK;
	default:
		*table = vcpu->cr3 & PTE_ADDR;
		*level = 4;
		return MV_WALK_OK;
	}
}

/* The rights an entry takes away from the path. */
static void mv_walk_rights(struct mv_vcpu *vcpu, struct mv_walk *w, u64 pte)
{
	if (!(pte & PTE_W))
		w->access &= ~ACC_W;
	if (!(pte & PTE_U))
		w->access &= ~ACC_U;
	if ((vcpu->efer & EFER_NX) && (pte & PTE_NX))
		w->access &= ~ACC_X;
}

/* The frame of the access: the leaf's, plus the 4 KiB pages into a large one. */
static u64 mv_walk_gfn(enum mv_gmode mode, u64 pte, u64 addr, int level)
{
	int bits = mode == MV_GMODE_32BIT ? PT32_LEVEL_BITS : PT64_LEVEL_BITS;
	int shift = PT_LEVEL_SHIFT(bits, level);
	u64 gfn = ((pte & GENMASK_ULL(mode == MV_GMODE_32BIT ? 31 : 51, shift)) |
		   (addr & GENMASK_ULL(shift - 1, PAGE_SHIFT))) >> PAGE_SHIFT;

	/* 4 MiB pages: bits 16:13 of the entry are address bits 35:32. */
	if (mode == MV_GMODE_32BIT && level == 2)
		gfn |= ((pte >> 13) & 0xf) << (32 - PAGE_SHIFT);
	return gfn;
}

/*
 * Set Accessed on every entry the walk used, and Dirty on the leaf for a
 * write.  0; 1 when the guest changed an entry meanwhile (walk again);
 * -ENOMEM.
 */
static int mv_walk_set_ad(struct mv_vcpu *vcpu, enum mv_gmode mode,
			  struct mv_walk *w, u32 pferr)
{
	int size = mv_walk_entry_size(mode), level, ret;
	int top = mode == MV_GMODE_LONG ? 4 : 2;	/* PDPTEs have no A bit */

	for (level = w->level; level <= top; level++) {
		u64 old = w->gpte[level], new = old | PTE_A;

		if (level == w->level && (pferr & X86_PF_WRITE))
			new |= PTE_D;
		if (new == old)
			continue;
		ret = mv_gpte_cmpxchg(vcpu->vm, w->pte_gpa[level], size, old, new);
		if (ret <= 0)
			return ret < 0 ? ret : 1;
		w->gpte[level] = new;
		if (level == w->level && (new & PTE_D))
			w->dirty = true;
	}
	return 0;
}

/* One walk, without A/D updates: an enum mv_walk_ret. */
static int mv_walk_once(struct mv_vcpu *vcpu, enum mv_gmode mode, u64 addr,
			u32 pferr, struct mv_walk *w)
{
	int size = mv_walk_entry_size(mode), level, ret;
	u64 table, pte = 0;
	bool large = false;
	u32 fault;

	memset(w, 0, sizeof(*w));
	w->access = ACC_ALL;
	ret = mv_walk_start(vcpu, mode, addr, pferr, w, &table, &level);
	if (ret != MV_WALK_OK)
		return ret;
	for (;; level--) {
		u64 gpa = table + mv_walk_index(mode, addr, level) * size;

		w->table_gfn[level] = table >> PAGE_SHIFT;
		w->pte_gpa[level] = gpa;
		if (mv_gpte_read(vcpu->vm, gpa, size, &pte))
			return MV_WALK_NO_RAM;
		w->gpte[level] = pte;
		if (!(pte & PTE_P)) {
			w->fault = mv_guest_pferr(vcpu, pferr);
			return MV_WALK_FAULT;
		}
		/* PS means a large page below the top level (with PSE in 32-bit). */
		large = level > 1 && level < 4 && (pte & PTE_PS) &&
			(mode != MV_GMODE_32BIT || (vcpu->cr4 & X86_CR4_PSE));
		if (pte & mv_rsvd_mask(vcpu, mode, level, large)) {
			w->fault = mv_guest_pferr(vcpu, pferr | X86_PF_PROT |
							X86_PF_RSVD);
			return MV_WALK_FAULT;
		}
		mv_walk_rights(vcpu, w, pte);
		if (level == 1 || large)
			break;
		table = pte & (mode == MV_GMODE_32BIT ? PTE32_ADDR : PTE_ADDR);
	}
	fault = mv_check_access(vcpu, w->access, pferr, w->access & ACC_U);
	if (fault) {
		w->fault = mv_guest_pferr(vcpu, fault);
		return MV_WALK_FAULT;
	}
	w->level = level;
	w->global = (pte & PTE_G) && (vcpu->cr4 & X86_CR4_PGE);
	w->dirty = pte & PTE_D;
	w->gfn = mv_walk_gfn(mode, pte, addr, level);
	return MV_WALK_OK;
}

int mv_walk(struct mv_vcpu *vcpu, u64 addr, u32 pferr, struct mv_walk *w,
	    bool set_ad)
{
	enum mv_gmode mode = mv_guest_mode(vcpu);
	int ret;

	pferr &= X86_PF_WRITE | X86_PF_USER | X86_PF_INSTR;
	if (mode != MV_GMODE_LONG)
		addr = (u32)addr;
	do {
		ret = mv_walk_once(vcpu, mode, addr, pferr, w);
		if (ret != MV_WALK_OK || !set_ad)
			return ret;
		/* The guest changed an entry under us: walk again. */
		ret = mv_walk_set_ad(vcpu, mode, w, pferr);
	} while (ret > 0);
	return ret < 0 ? ret : MV_WALK_OK;
}
