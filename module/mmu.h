/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shadow MMU internals shared by mmu.c (shadow pages, reverse maps, roots,
 * faults) and walk.c (the guest page-table walker).
 */
#ifndef _MV_MMU_H
#define _MV_MMU_H

#include <linux/list.h>
#include <linux/types.h>

#include "minivisor.h"

/* Hardware page-table entry bits (PAE and long-mode format). */
#define SPTE_P		BIT_ULL(0)
#define SPTE_W		BIT_ULL(1)
#define SPTE_U		BIT_ULL(2)
#define SPTE_PWT	BIT_ULL(3)
#define SPTE_PCD	BIT_ULL(4)
#define SPTE_A		BIT_ULL(5)
#define SPTE_D		BIT_ULL(6)
#define SPTE_PS		BIT_ULL(7)
#define SPTE_G		BIT_ULL(8)
/* Software bit: the guest may write here once we allow it. */
#define SPTE_MAY_WRITE	BIT_ULL(9)
#define SPTE_NX		BIT_ULL(63)
#define SPTE_ADDR	GENMASK_ULL(51, 12)

#define PT_ENTRIES	512

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
/*
 * Walk the guest tables for @addr with access @pferr (MV_PF_* bits),
 * setting Accessed (and Dirty) bits as the hardware would.  Returns 0, or
 * -EFAULT with w->fault set to the error code of the #PF to inject.
 */
int mv_walk(struct mv_vcpu *vcpu, u64 addr, u32 pferr, struct mv_walk *w,
	    bool set_ad);

#endif /* _MV_MMU_H */
