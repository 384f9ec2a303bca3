/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shadow MMU internals shared by mmu.c (shadow pages, reverse maps, roots,
 * faults) and walk.c (the guest page-table walker).
 */
#ifndef _MV_MMU_H
#define _MV_MMU_H

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/types.h>

#include "minivisor.h"

/*
 * x86 page tables, the one set of definitions for the guest's tables
 * (walk.c, fault.c) and ours (mmu.c): entry bits (the kernel's), the
 * frame address of an entry, and the geometry of the three formats.
 */
#define PTE_P		((u64)_PAGE_PRESENT)
#define PTE_W		((u64)_PAGE_RW)
#define PTE_U		((u64)_PAGE_USER)
#define PTE_A		((u64)_PAGE_ACCESSED)
#define PTE_D		((u64)_PAGE_DIRTY)
#define PTE_PS		((u64)_PAGE_PSE)
#define PTE_G		((u64)_PAGE_GLOBAL)
#define PTE_NX		((u64)_PAGE_NX)
#define PTE_ADDR	GENMASK_ULL(51, PAGE_SHIFT)	/* PAE, long mode */
#define PTE32_ADDR	GENMASK_ULL(31, PAGE_SHIFT)	/* 32-bit paging */

/* PAE and long mode: 512 entries of 8 bytes; 32-bit: 1024 of 4. */
#define PT64_LEVEL_BITS	9
#define PT32_LEVEL_BITS	10
#define PT_ENTRIES	BIT(PT64_LEVEL_BITS)
/* Levels count from 1 (the table of 4 KiB pages). */
#define PT_LEVEL_SHIFT(bits, level)	(PAGE_SHIFT + (bits) * ((level) - 1))
#define PT64_INDEX(addr, level)		\
	(((addr) >> PT_LEVEL_SHIFT(PT64_LEVEL_BITS, level)) & (PT_ENTRIES - 1))
/* 4 KiB pages one entry at @level covers (PAE/long-mode tables). */
#define PT64_LEVEL_PAGES(level)		(1ULL << (PT64_LEVEL_BITS * ((level) - 1)))
/* PAE: the 4 PDPTEs each map 1 GiB, CR3 points at them 32-byte aligned. */
#define PAE_PDPTE_INDEX(addr)		(((u32)(addr) >> 30) & 3)
#define PAE_CR3_ADDR			GENMASK_ULL(31, 5)

/* Guest paging modes, as far as the MMU cares. */
enum mv_gmode {
	MV_GMODE_NONPAGING,
	MV_GMODE_32BIT,
	MV_GMODE_PAE,
	MV_GMODE_LONG,
};

/* Accumulated access rights. */
#define ACC_W		BIT(0)
#define ACC_U		BIT(1)
#define ACC_X		BIT(2)
#define ACC_ALL		(ACC_W | ACC_U | ACC_X)

/*
 * What a shadow page shadows, and how: two guest tables seen through
 * different paths or modes get different shadow pages.
 */
union mv_sp_role {
	u32 word;
	struct {
		u32 level:3;		/* 1 = PT ... 4 = PML4 */
		u32 direct:1;		/* maps a guest-physical range */
		u32 gmode:2;		/* enum mv_gmode */
		u32 quadrant:2;		/* which part of a 32-bit guest table */
		u32 access:3;		/* ACC_* of the path above */
		u32 cr0_wp:1;
		u32 nxe:1;
		u32 smep:1;
		u32 smap:1;
		u32 invalid:1;		/* zapped while still a root */
	};
};

struct mv_sp {
	struct list_head link;		/* vm->mmu.pages, newest first */
	struct hlist_node hash;
	u64 *spt;			/* the table the hardware walks */
	u64 *gfns;			/* indirect level 1: gfn of each entry */
	u64 gfn;			/* guest table, or first gfn mapped */
	union mv_sp_role role;
	int root_count;
	unsigned long parents;		/* pte list of sptes pointing here */
	bool unsync;			/* guest writes allowed; resync later */
	struct list_head unsync_link;
};

#define MV_SP_HASH_BITS	10

struct mv_mmu_state {
	struct hlist_head hash[1 << MV_SP_HASH_BITS];
	unsigned long *rmap;		/* per gfn: pte list of leaf sptes */
	u16 *wp_count;			/* per gfn: indirect shadow pages */
	struct list_head unsync;
	struct list_head zapped;	/* waiting for a TLB flush to be freed */
};

static inline struct mv_sp *spte_to_sp(u64 *sptep)
{
	return (struct mv_sp *)page_private(virt_to_page(sptep));
}

static inline struct mv_sp *child_sp(u64 spte)
{
	return (struct mv_sp *)page_private(pfn_to_page((spte & PTE_ADDR) >>
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

/* mmu.c */
int mv_pte_list_add(struct mv_vcpu *vcpu, unsigned long *head, u64 *sptep);
void mv_pte_list_remove(unsigned long *head, u64 *sptep);
u64 *mv_pte_list_first(unsigned long head);
void mv_pte_list_walk(unsigned long head, void (*fn)(u64 *sptep, void *arg),
		      void *arg);
int mv_mmu_topup(struct mv_vcpu *vcpu);
struct hlist_head *mv_sp_bucket(struct mv_vm *vm, u64 gfn);
struct mv_sp *mv_sp_get(struct mv_vcpu *vcpu, u64 gfn, union mv_sp_role role);
void mv_sp_zap(struct mv_vm *vm, struct mv_sp *sp);
bool mv_mmu_zap_gfn(struct mv_vm *vm, u64 gfn);
void mv_drop_spte(struct mv_vm *vm, u64 *sptep);
void mv_mmu_commit(struct mv_vm *vm);
void mv_mmu_reclaim(struct mv_vm *vm, unsigned long want);
union mv_sp_role mv_base_role(struct mv_vcpu *vcpu);
int mv_link(struct mv_vcpu *vcpu, u64 *sptep, struct mv_sp *child);
int mv_map_leaf(struct mv_vcpu *vcpu, u64 *sptep, u64 gfn, struct page *page,
		u64 bits);

/* walk.c */
struct mv_walk {
	u64 gpte[5];			/* guest entries, by level */
	u64 pte_gpa[5];			/* where they live */
	u64 table_gfn[5];		/* the table read at each level */
	int level;			/* level of the leaf */
	u64 gfn;			/* translation: frame of the access */
	u32 access;			/* ACC_* effective */
	bool dirty;			/* leaf D bit (after a write) */
	bool global;
	u32 fault;			/* #PF error code when the walk failed */
};

enum mv_gmode mv_guest_mode(struct mv_vcpu *vcpu);

/* What a walk found. */
enum mv_walk_ret {
	MV_WALK_OK,		/* w->gfn, w->access ... describe the page */
	MV_WALK_FAULT,		/* w->fault: the #PF error code the guest gets */
	MV_WALK_NO_RAM,		/* a table lies outside guest RAM */
};

/*
 * Walk the guest tables for @addr with access @pferr (MV_PF_* bits),
 * setting Accessed (and Dirty) bits as the hardware would.  Returns an
 * enum mv_walk_ret, or -ENOMEM (copying a shared table page to set a bit
 * in it).
 */
int mv_walk(struct mv_vcpu *vcpu, u64 addr, u32 pferr, struct mv_walk *w,
	    bool set_ad);

#endif /* _MV_MMU_H */
