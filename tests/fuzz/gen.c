// SPDX-License-Identifier: GPL-2.0
/*
 * The guest generator: from a random stream, a whole guest input: a mode
 * (real, 16/32-bit protected, 32-bit paging, PAE, long, compatibility),
 * registers, segment and control registers, system tables (IVT or IDT,
 * GDT, LDT, TSS) with exception stubs that report the vector on port
 * 0xf5, page tables with random mappings and attributes (large pages,
 * reserved bits, NX, aliases of the tables themselves), and code: an
 * optional prologue that switches from real mode to the target mode
 * through the instructions an OS would use, a body of instructions drawn
 * from templates (with memory operands that point where the registers
 * point) and random bytes, and a debug-exit (OUT to 0xf4) at the end.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "guest.h"

const char *const gmode_names[GM_NR] = {
	"real", "prot16", "prot32", "pg32", "pae", "long", "compat",
};

/* Page-table entry bits (the same in every format). */
#define PT_P	0x1ull
#define PT_RW	0x2ull
#define PT_US	0x4ull
#define PT_PWT	0x8ull
#define PT_PCD	0x10ull
#define PT_A	0x20ull
#define PT_D	0x40ull
#define PT_PS	0x80ull
#define PT_G	0x100ull
#define PT_NX	(1ull << 63)

#define CR0_PE	0x1ull
#define CR0_MP	0x2ull
#define CR0_EM	0x4ull
#define CR0_TS	0x8ull
#define CR0_ET	0x10ull
#define CR0_NE	0x20ull
#define CR0_WP	0x10000ull
#define CR0_AM	0x40000ull
#define CR0_NW	0x20000000ull
#define CR0_CD	0x40000000ull
#define CR0_PG	0x80000000ull

#define CR4_VME		(1ull << 0)
#define CR4_PVI		(1ull << 1)
#define CR4_TSD		(1ull << 2)
#define CR4_DE		(1ull << 3)
#define CR4_PSE		(1ull << 4)
#define CR4_PAE		(1ull << 5)
#define CR4_PGE		(1ull << 7)
#define CR4_PCE		(1ull << 8)
#define CR4_OSFXSR	(1ull << 9)
#define CR4_OSXMMEXCPT	(1ull << 10)
#define CR4_UMIP	(1ull << 11)
#define CR4_FSGSBASE	(1ull << 16)
#define CR4_SMEP	(1ull << 20)
#define CR4_SMAP	(1ull << 21)

#define EFER_SCE	(1ull << 0)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define EFER_NXE	(1ull << 11)

#define RFL_CF	0x1ull
#define RFL_TF	0x100ull
#define RFL_IF	0x200ull
#define RFL_DF	0x400ull
#define RFL_AC	0x40000ull

/* What the vCPU's CPUID offers (gen_set_caps). */
static struct {
	bool pse, pae, pge, nx, gbpages, smep, smap, umip, fsgsbase, fxsr, de, vme;
	int maxphy;
} caps = { .pse = true, .pae = true, .pge = true, .nx = true, .fxsr = true,
	   .de = true, .maxphy = 40 };

void gen_set_caps(const struct mv_cpuid_entry *e, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (e[i].function == 1) {
			caps.de = e[i].edx & (1u << 2);
			caps.pse = e[i].edx & (1u << 3);
			caps.pae = e[i].edx & (1u << 6);
			caps.pge = e[i].edx & (1u << 13);
			caps.fxsr = e[i].edx & (1u << 24);
			caps.vme = e[i].edx & (1u << 1);
		} else if (e[i].function == 7 && e[i].index == 0) {
			caps.fsgsbase = e[i].ebx & 1;
			caps.smep = e[i].ebx & (1u << 7);
			caps.smap = e[i].ebx & (1u << 20);
			caps.umip = e[i].ecx & (1u << 2);
		} else if (e[i].function == 0x80000001) {
			caps.nx = e[i].edx & (1u << 20);
			caps.gbpages = e[i].edx & (1u << 26);
		} else if (e[i].function == 0x80000008) {
			caps.maxphy = e[i].eax & 0xff;
		}
	}
	if (caps.maxphy < 32 || caps.maxphy > 52)
		caps.maxphy = 40;
}

/* ---- the generator's state ---- */

struct desc {
	uint32_t base, limit;	/* raw 20-bit limit */
	uint8_t type, s, dpl, p, avl, l, db, g;
};

struct gctx {
	struct ginput *in;
	struct rng *r;
	int bits;		/* code size of the body: 16, 32 or 64 */
	bool paging, pae, lm, user, ist;
	uint32_t flags;
	uint8_t *code;
	uint32_t len;
	uint64_t code_va, data_va, stack_va;
	uint64_t extra_va[8];
	int nextra;
	uint64_t alias_va;	/* a page table mapped into the address space */
	uint64_t alias_gpa;
	struct desc gdt[GDT_ENTRIES];
	/* page tables */
	int levels, esize;
	uint32_t root;
	int npt;
	uint32_t pt_gpa[G_PT_PAGES];
	uint8_t pt[G_PT_PAGES][4096];
};

static struct gctx gctx;

static void add_chunk(struct gctx *g, uint32_t gpa, const void *p, uint32_t len)
{
	struct ginput *in = g->in;
	struct gchunk *c;

	if (!len || in->nchunks >= G_MAX_CHUNKS || in->data_len + len > G_DATA_MAX ||
	    gpa >= FZ_MEM || len > FZ_MEM - gpa)
		return;
	c = &in->chunk[in->nchunks++];
	c->gpa = gpa;
	c->len = len;
	c->off = in->data_len;
	memcpy(in->data + in->data_len, p, len);
	in->data_len += len;
}

/* ---- descriptors and segments ---- */

static void desc_encode(const struct desc *d, uint8_t *b)
{
	uint64_t v = 0;

	v |= d->limit & 0xffffull;
	v |= (uint64_t)(d->base & 0xffffff) << 16;
	v |= (uint64_t)(d->type & 0xf) << 40;
	v |= (uint64_t)(d->s & 1) << 44;
	v |= (uint64_t)(d->dpl & 3) << 45;
	v |= (uint64_t)(d->p & 1) << 47;
	v |= (uint64_t)((d->limit >> 16) & 0xf) << 48;
	v |= (uint64_t)(d->avl & 1) << 52;
	v |= (uint64_t)(d->l & 1) << 53;
	v |= (uint64_t)(d->db & 1) << 54;
	v |= (uint64_t)(d->g & 1) << 55;
	v |= (uint64_t)(d->base >> 24) << 56;
	memcpy(b, &v, 8);
}

static struct desc mkdesc(uint32_t base, uint32_t limit, uint8_t type, uint8_t dpl,
			  uint8_t l, uint8_t db, uint8_t g)
{
	struct desc d = { .base = base, .limit = limit, .type = type, .s = 1,
			  .dpl = dpl, .p = 1, .l = l, .db = db, .g = g };

	return d;
}

static struct mv_segment seg_of(const struct desc *d, uint16_t sel)
{
	struct mv_segment s = {
		.base = d->base, .selector = sel, .type = d->type, .s = d->s,
		.dpl = d->dpl, .present = d->p, .avl = d->avl, .l = d->l,
		.db = d->db, .g = d->g,
	};

	s.limit = d->g ? (d->limit << 12) | 0xfff : d->limit;
	return s;
}

static struct mv_segment gdt_seg(struct gctx *g, uint16_t sel)
{
	struct mv_segment s = { .selector = sel, .unusable = 1 };

	if (!(sel & ~3))
		return s;
	return seg_of(&g->gdt[(sel >> 3) % GDT_ENTRIES], sel);
}

static struct mv_segment real_seg(uint16_t sel, bool code)
{
	struct mv_segment s = {
		.base = (uint64_t)sel << 4, .limit = 0xffff, .selector = sel,
		.type = code ? 0xb : 0x3, .s = 1, .present = 1,
	};

	return s;
}

static void build_gdt(struct gctx *g)
{
	struct rng *r = g->r;
	struct desc *d = g->gdt;
	uint8_t buf[GDT_ENTRIES * 8];
	int i;

	memset(d, 0, sizeof(g->gdt));
	d[1] = mkdesc(0, 0xfffff, 0xb, 0, 0, 1, 1);		/* code32 */
	d[2] = mkdesc(0, 0xfffff, 0x3, 0, 0, 1, 1);		/* data */
	d[3] = mkdesc(0, 0xfffff, 0xb, 0, 1, 0, 1);		/* code64 */
	d[4] = mkdesc(G_CODE, 0xffff, 0xb, 0, 0, 0, 0);		/* code16 */
	d[5] = mkdesc(G_DATA, 0xffff, 0x3, 0, 0, 0, 0);		/* data16 */
	d[6] = mkdesc(0, 0xfffff, 0xb, 3, 0, 1, 1);		/* user code32 */
	d[7] = mkdesc(0, 0xfffff, 0x3, 3, 0, 1, 1);		/* user data */
	d[8] = mkdesc(0, 0xfffff, 0xb, 3, 1, 0, 1);		/* user code64 */
	/* TSS: busy (TR is loaded with it); 64-bit: the next entry is the
	 * upper half of the base, zero; else the #DF task's TSS. */
	d[9] = (struct desc){ .base = G_TSS, .limit = 0x67, .type = 0xb, .p = 1 };
	if (!g->lm)
		d[10] = (struct desc){ .base = G_DFTSS, .limit = 0x67, .type = 0x9, .p = 1 };
	d[11] = (struct desc){ .base = G_LDT, .limit = 0x1f, .type = 0x2, .p = 1 };
	for (i = 12; i < 16; i++) {
		d[i] = mkdesc(rpct(r, 50) ? G_DATA : (uint32_t)rnd(r),
			      rpct(r, 50) ? 0xfffff : rn(r, 0x100000),
			      rn(r, 16), rn(r, 4), rpct(r, 20), rpct(r, 50), rpct(r, 50));
		d[i].s = rpct(r, 85);
		d[i].p = rpct(r, 90);
		d[i].avl = rn(r, 2);
	}
	if (rpct(r, 3)) {	/* one of the fixed ones broken */
		i = rrange(r, 1, 8);
		d[i].type = rn(r, 16);
		d[i].p = rn(r, 2);
	}
	for (i = 0; i < GDT_ENTRIES; i++)
		desc_encode(&d[i], buf + i * 8);
	add_chunk(g, G_GDT, buf, sizeof(buf));
	/* LDT: a data, a user data, a code and a random descriptor. */
	{
		struct desc l[4] = {
			mkdesc(G_DATA, 0xfff, 0x3, 0, 0, 1, 0),
			mkdesc(0, 0xfffff, 0x3, 3, 0, 1, 1),
			mkdesc(0, 0xfffff, 0xb, 0, 0, 1, 1),
			mkdesc((uint32_t)rnd(r), rn(r, 0x100000), rn(r, 16), rn(r, 4), 0,
			       rn(r, 2), rn(r, 2)),
		};
		uint8_t lb[32];

		for (i = 0; i < 4; i++)
			desc_encode(&l[i], lb + i * 8);
		add_chunk(g, G_LDT, lb, sizeof(lb));
	}
}

static void build_tss(struct gctx *g)
{
	uint8_t tss[0x68];
	uint64_t rsp0 = G_KSTACK - 16;

	memset(tss, 0, sizeof(tss));
	if (g->lm) {
		uint64_t ist1 = G_ISTACK - 16;

		memcpy(tss + 4, &rsp0, 8);
		memcpy(tss + 0x24, &ist1, 8);
	} else {
		uint32_t esp0 = rsp0;
		uint16_t ss0 = SEL_DATA;

		memcpy(tss + 4, &esp0, 4);
		memcpy(tss + 8, &ss0, 2);
	}
	if (rpct(g->r, 2))	/* a bad ring-0 stack */
		rfill(g->r, tss + 4, 8);
	tss[0x66] = 0x68;	/* no I/O bitmap */
	add_chunk(g, G_TSS, tss, sizeof(tss));
}

/*
 * Legacy protected mode: #DF through a task gate, into a task with a stack
 * of its own, so a bad stack pointer ends in a reported #DF rather than a
 * triple fault (which crashes a minivisor VM: a new one costs).
 */
static void build_df_task(struct gctx *g)
{
	uint8_t tss[0x68];
	uint32_t v;
	uint16_t sel;

	memset(tss, 0, sizeof(tss));
	v = g->in->sregs.cr3;
	memcpy(tss + 0x1c, &v, 4);
	v = G_STUBS + 8 * 8;
	memcpy(tss + 0x20, &v, 4);		/* EIP: the #DF stub */
	v = 2;
	memcpy(tss + 0x24, &v, 4);		/* EFLAGS */
	v = G_ISTACK - 16;
	memcpy(tss + 0x38, &v, 4);		/* ESP */
	sel = SEL_DATA;
	memcpy(tss + 0x48, &sel, 2);		/* ES */
	memcpy(tss + 0x50, &sel, 2);		/* SS */
	memcpy(tss + 0x54, &sel, 2);		/* DS */
	memcpy(tss + 0x58, &sel, 2);		/* FS */
	memcpy(tss + 0x5c, &sel, 2);		/* GS */
	sel = SEL_CODE32;
	memcpy(tss + 0x4c, &sel, 2);		/* CS */
	tss[0x66] = 0x68;
	add_chunk(g, G_DFTSS, tss, sizeof(tss));
}

/* IVT or IDT, and the stubs they point to. */
static void build_idt(struct gctx *g, bool real)
{
	static uint8_t stubs[256 * 8], idt[256 * 16];
	struct rng *r = g->r;
	int v, bad = rpct(r, 4) ? (int)rn(r, 256) : -1;

	for (v = 0; v < 256; v++) {
		uint8_t *s = stubs + v * 8;

		s[0] = 0xb0;	/* mov al, v */
		s[1] = v;
		s[2] = 0xe6;	/* out 0xf5, al */
		s[3] = PORT_FZ_EXC;
		s[4] = 0xeb;	/* jmp $ (never reached) */
		s[5] = 0xfe;
		s[6] = 0xcc;
		s[7] = 0xcc;
	}
	add_chunk(g, G_STUBS, stubs, sizeof(stubs));
	if (real) {
		for (v = 0; v < 256; v++) {
			uint16_t off = v * 8, seg = G_STUBS >> 4;

			memcpy(idt + v * 4, &off, 2);
			memcpy(idt + v * 4 + 2, &seg, 2);
		}
		if (bad >= 0)
			rfill(r, idt + bad * 4, 4);
		add_chunk(g, G_IVT, idt, 1024);
		return;
	}
	for (v = 0; v < 256; v++) {
		uint64_t off = G_STUBS + v * 8;
		/* P, DPL 0 (3 for INT3/INTO/a few), 32/64-bit interrupt gate */
		uint8_t type = 0x8e | ((v == 3 || v == 4 || v == 0x80) ? 0x60 : 0);
		uint16_t sel = g->lm ? SEL_CODE64 : SEL_CODE32;
		uint8_t *e = idt + v * (g->lm ? 16 : 8);

		memset(e, 0, g->lm ? 16 : 8);
		e[0] = off;
		e[1] = off >> 8;
		memcpy(e + 2, &sel, 2);
		e[5] = type;
		e[6] = off >> 16;
		e[7] = off >> 24;
		if (g->lm)
			memset(e + 8, 0, 8);
		if (!g->lm && g->ist && v == 8) {	/* a task gate */
			memset(e, 0, 8);
			e[2] = SEL_DFTSS;
			e[5] = 0x85;
		}
		/* long mode: faults that need a good stack get one (IST 1) */
		if (g->lm && g->ist && (v == 8 || v == 12 || v == 13 || v == 14))
			e[4] = 1;
		if (v == bad) {
			if (rpct(r, 50))
				e[5] &= 0x7f;		/* not present */
			else
				rfill(r, e, g->lm ? 16 : 8);
		}
	}
	add_chunk(g, G_IDT, idt, g->lm ? 4096 : 2048);
}

/* ---- page tables ---- */

static uint64_t rsvd_bit(struct gctx *g)
{
	/* A bit above MAXPHYADDR (within 51:maxphy), or bit 7 of a PML4E. */
	return 1ull << rrange(g->r, caps.maxphy, 51);
}

static uint8_t *pt_page(struct gctx *g, uint32_t gpa)
{
	int i;

	for (i = 0; i < g->npt; i++)
		if (g->pt_gpa[i] == gpa)
			return g->pt[i];
	return NULL;
}

static uint32_t pt_alloc(struct gctx *g)
{
	uint32_t gpa;

	if (g->npt >= G_PT_PAGES)
		return 0;
	gpa = G_PT_POOL + g->npt * 4096;
	g->pt_gpa[g->npt] = gpa;
	memset(g->pt[g->npt], 0, 4096);
	g->npt++;
	return gpa;
}

static uint64_t pt_get(struct gctx *g, uint8_t *t, unsigned int idx)
{
	uint64_t v = 0;

	memcpy(&v, t + idx * g->esize, g->esize);
	return v;
}

static void pt_set(struct gctx *g, uint8_t *t, unsigned int idx, uint64_t v)
{
	memcpy(t + idx * g->esize, &v, g->esize);
}

static uint64_t upper_flags(struct gctx *g)
{
	struct rng *r = g->r;
	uint64_t f = PT_P | PT_RW | PT_US | (rpct(r, 50) ? PT_A : 0);

	if (rpct(r, 6))
		f &= ~PT_RW;
	if (rpct(r, 6) && !g->user)
		f &= ~PT_US;
	if (g->esize == 8 && rpct(r, 4))
		f |= PT_NX;
	if (rpct(r, 5))
		f |= rpct(r, 50) ? PT_PWT : PT_PCD;
	if (rpct(r, 1))
		f &= ~PT_P;
	if (g->esize == 8 && rpct(r, 1))
		f |= rsvd_bit(g);
	return f;
}

/*
 * Map @va to @gpa: level 0 = 4 KiB, 1 = 2 or 4 MiB, 2 = 1 GiB.  Tables
 * come from the pool; upper entries are made permissive (random ones not).
 * Returns false when the slot is taken by a different kind of entry.
 */
static bool pt_map(struct gctx *g, uint64_t va, uint64_t gpa, int level,
		   uint64_t leaf)
{
	int shift[5] = { 12, g->esize == 4 ? 22 : 21, 30, 39, 48 };
	int bits = g->esize == 4 ? 10 : 9;
	uint32_t table = g->root;
	int lvl;

	for (lvl = g->levels - 1; lvl >= 0; lvl--) {
		uint8_t *t = pt_page(g, table);
		unsigned int idx;
		uint64_t e;

		if (!t)
			return false;
		if (g->pae && !g->lm && lvl == 2)	/* PDPT: 4 entries */
			idx = (va >> 30) & 3;
		else
			idx = (va >> shift[lvl]) & ((1u << bits) - 1);
		e = pt_get(g, t, idx);
		if (lvl == level) {
			uint64_t v = gpa | leaf | (level ? PT_PS : 0);

			if (level && (leaf & 0x80))	/* 4 KiB PAT bit -> large PAT */
				v = (v & ~0x80ull) | 0x1000 | PT_PS;
			if (g->esize == 4)
				v &= 0xffffffffull;
			pt_set(g, t, idx, v);
			return true;
		}
		if (!e) {
			uint32_t next = pt_alloc(g);
			uint64_t f;

			if (!next)
				return false;
			if (g->pae && !g->lm && lvl == 2)	/* PDPTE: P, PWT, PCD */
				f = PT_P | (rpct(g->r, 5) ? PT_PWT : 0);
			else
				f = upper_flags(g);
			pt_set(g, t, idx, next | f);
			table = next;
			continue;
		}
		if (e & PT_PS && lvl > 0 && !(g->pae && !g->lm && lvl == 2))
			return false;
		table = e & 0x000ffffffffff000ull;
		if (g->esize == 4)
			table &= 0xfffff000u;
	}
	return false;
}

static uint64_t leaf_flags(struct gctx *g, bool code)
{
	struct rng *r = g->r;
	uint64_t f = PT_P;

	if (!code || rpct(r, 40))
		f |= rpct(r, 80) ? PT_RW : 0;
	if (g->user || rpct(r, 30))
		f |= PT_US;
	if (rpct(r, 50))
		f |= PT_A;
	if (rpct(r, 40))
		f |= PT_D;
	if (caps.pge && rpct(r, 20))
		f |= PT_G;
	if (rpct(r, 8))
		f |= rpct(r, 50) ? PT_PWT : PT_PCD;
	if (rpct(r, 3))
		f |= 0x80;	/* PAT */
	if (g->esize == 8 && rpct(r, code ? 3 : 15))
		f |= PT_NX;
	if (rpct(r, code ? 1 : 3))
		f &= ~PT_P;
	if (g->esize == 8 && rpct(r, 2))
		f |= rsvd_bit(g);
	return f;
}

static uint64_t rand_gpa(struct gctx *g)
{
	static const uint32_t likely[] = {
		G_DATA, G_DATA + 0x1000, G_STACK, G_CODE, G_CODE + 0x1000,
		G_BALLOON, 0x160000, 0x1ff000, 0x100000,
	};
	struct rng *r = g->r;

	switch (rn(r, 6)) {
	case 0:
		return (rn(r, FZ_MEM >> 12)) << 12;
	case 1:		/* outside RAM: MMIO */
		return FZ_MEM + (rn(r, 256) << 12);
	case 2:
		return rpct(r, 50) ? 0xfee00000ull : (1ull << caps.maxphy) - 4096;
	case 3:
		return G_PT_POOL + (rn(r, 8) << 12);	/* a page table */
	default:
		return RPICK(r, likely);
	}
}

static uint64_t rand_va(struct gctx *g)
{
	struct rng *r = g->r;
	uint64_t va;

	if (!g->lm)
		return rpct(r, 20) ? 0xfffff000ull - (rn(r, 4) << 12) :
				     (rnd(r) & 0xfffff000ull);
	switch (rn(r, 5)) {
	case 0:
		return 0x00007ffffffff000ull - (rn(r, 4) << 12);
	case 1:
		return 0xffffffff80000000ull + (rn(r, 4096) << 12);
	case 2:
		return 0xffff800000000000ull + (rn(r, 1 << 20) << 12);
	case 3:
		return (rnd(r) & 0xfffff000ull);
	default:
		va = rnd(r) & 0x00007ffffffff000ull;
		return va;
	}
}

static void map_range(struct gctx *g, uint64_t va, uint64_t gpa, int pages,
		      uint64_t flags)
{
	int i;

	for (i = 0; i < pages; i++)
		pt_map(g, va + i * 4096ull, gpa + i * 4096ull, 0, flags);
}

static void build_paging(struct gctx *g)
{
	struct ginput *in = g->in;
	struct rng *r = g->r;
	uint64_t sysf = PT_P | PT_RW | PT_A | PT_D | (caps.pge && rpct(r, 30) ? PT_G : 0);
	int i, n, large;

	g->npt = 0;
	g->esize = g->pae || g->lm ? 8 : 4;
	g->levels = g->lm ? 4 : g->pae ? 3 : 2;
	g->root = pt_alloc(g);
	if (rpct(r, 3))		/* a bad system mapping now and then */
		sysf = leaf_flags(g, false);
	/* System region and the first megabyte's worth of stubs and stacks. */
	map_range(g, 0, 0, 7, sysf);
	/* Code: where the RIP is. */
	map_range(g, g->code_va, G_CODE, G_CODE_PAGES, leaf_flags(g, true) | PT_P);
	if (g->code_va != G_CODE && rpct(r, 50))
		map_range(g, G_CODE, G_CODE, G_CODE_PAGES, leaf_flags(g, true));
	/* Data and stack. */
	map_range(g, g->data_va, G_DATA, 2, leaf_flags(g, false));
	map_range(g, g->stack_va, G_STACK, 1, leaf_flags(g, false) | PT_P | PT_RW);
	/* Large pages now and then: 2/4 MiB or 1 GiB over random places. */
	large = (g->esize == 4 && in->sregs.cr4 & CR4_PSE) || g->esize == 8;
	n = rn(r, 6);
	g->nextra = 0;
	for (i = 0; i < n; i++) {
		uint64_t va = rand_va(g), gpa = rand_gpa(g);
		int level = 0;

		if (large && rpct(r, 25)) {
			level = 1;
			if (g->lm && caps.gbpages && rpct(r, 20))
				level = 2;
			va &= ~((1ull << (level == 2 ? 30 : g->esize == 4 ? 22 : 21)) - 1);
			gpa &= ~((1ull << (level == 2 ? 30 : g->esize == 4 ? 22 : 21)) - 1);
			if (rpct(r, 10))	/* misaligned large page: reserved */
				gpa |= 0x2000;
		}
		if (g->esize == 4)
			gpa &= 0xfffff000u;
		if (pt_map(g, va, gpa, level, leaf_flags(g, rpct(r, 20))) &&
		    g->nextra < 8)
			g->extra_va[g->nextra++] = va;
	}
	/* A page table mapped as data: writes to it are the MMU's business. */
	g->alias_va = 0;
	if (rpct(r, 15) && g->npt > 1) {
		uint64_t va = g->lm ? 0x40000000ull : 0x00800000ull;

		g->alias_gpa = g->pt_gpa[rn(r, g->npt)];
		if (pt_map(g, va, g->alias_gpa, 0, PT_P | PT_RW | PT_US | PT_A | PT_D))
			g->alias_va = va;
	}
	/* Emit every table's non-zero runs. */
	for (i = 0; i < g->npt; i++) {
		uint8_t *t = g->pt[i];
		unsigned int off = 0;

		while (off < 4096) {
			unsigned int start, end;

			while (off < 4096 && !pt_get(g, t, off / g->esize))
				off += g->esize;
			if (off >= 4096)
				break;
			start = off;
			while (off < 4096 && pt_get(g, t, off / g->esize))
				off += g->esize;
			end = off;
			add_chunk(g, g->pt_gpa[i] + start, t + start, end - start);
		}
	}
	in->sregs.cr3 = g->root | (rpct(r, 5) ? (rpct(r, 50) ? PT_PWT : PT_PCD) : 0);
}

/* ---- code ---- */

static void emit(struct gctx *g, const void *b, uint32_t n)
{
	if (g->len + n > G_CODE_MAX - 16)
		return;
	memcpy(g->code + g->len, b, n);
	g->len += n;
}

static void e8(struct gctx *g, uint8_t v)
{
	emit(g, &v, 1);
}

static void e16(struct gctx *g, uint16_t v)
{
	emit(g, &v, 2);
}

static void e32(struct gctx *g, uint32_t v)
{
	emit(g, &v, 4);
}

static void e64(struct gctx *g, uint64_t v)
{
	emit(g, &v, 8);
}

/* Registers: 0 rax 1 rcx 2 rdx 3 rbx 4 rsp 5 rbp 6 rsi 7 rdi, 8-15 r8-r15. */
static int rreg(struct gctx *g)
{
	int r = rn(g->r, g->bits == 64 ? 16 : 8);

	if (r == 4 && rpct(g->r, 80))	/* leave the stack pointer alone, mostly */
		r = 0;
	return r;
}

/* REX (64-bit code only) for operand size @w and registers @reg, @rm. */
static void rex(struct gctx *g, int w, int reg, int rm)
{
	uint8_t b = 0x40 | (w ? 8 : 0) | (reg & 8 ? 4 : 0) | (rm & 8 ? 1 : 0);

	if (g->bits == 64 && (b != 0x40 || rpct(g->r, 5)))
		e8(g, b);
}

/* Pick an operand size and emit what it needs (0x66, REX.W). */
static int opsize(struct gctx *g, int reg, int rm)
{
	struct rng *r = g->r;
	int sz = g->bits == 16 ? 16 : 32;

	if (rpct(r, 20)) {
		e8(g, 0x66);
		sz = sz == 16 ? 32 : 16;
	}
	if (g->bits == 64) {
		int w = rpct(r, 50);

		rex(g, w, reg, rm);
		if (w)
			sz = 64;
	}
	return sz;
}

static void imm(struct gctx *g, int sz)
{
	uint64_t v = rboundary(g->r);

	if (sz == 16)
		e16(g, v);
	else
		e32(g, v);	/* imm32 for 32- and 64-bit operands */
}

/*
 * A ModRM (and SIB, displacement) naming memory, or (@allow_reg) now and
 * then a register.  The base registers of the data area (rbx, rsi, rdi,
 * rbp) are preferred, so most accesses land in mapped memory.
 */
static void modrm(struct gctx *g, int reg, bool allow_reg)
{
	struct rng *r = g->r;
	static const int bases[] = { 3, 6, 7, 5, 3, 6, 0, 2 };
	int mod, rm;

	reg &= 7;
	if (allow_reg && rpct(r, 35)) {
		e8(g, 0xc0 | reg << 3 | rn(r, 8));
		return;
	}
	if (g->bits == 16 && rpct(r, 85)) {
		/* 16-bit addressing: [bx+si] ... [bx] */
		mod = rn(r, 3);
		rm = rn(r, 8);
		e8(g, mod << 6 | reg << 3 | rm);
		if (mod == 1)
			e8(g, rn(r, 256));
		else if (mod == 2 || (mod == 0 && rm == 6))
			e16(g, rpct(r, 50) ? rn(r, 0x1000) : rnd(r));
		return;
	}
	if (g->bits == 16)
		e8(g, 0x67);	/* 32-bit addressing in 16-bit code */
	switch (rn(r, 8)) {
	case 0:		/* absolute, to the data area or random */
		if (g->bits == 64) {
			e8(g, 0x04 | reg << 3);
			e8(g, 0x25);
		} else {
			e8(g, 0x05 | reg << 3);
		}
		e32(g, rpct(r, 70) ? (uint32_t)g->data_va + rn(r, 0x2000) : rnd(r));
		return;
	case 1:		/* SIB with an index */
		mod = rn(r, 3);
		e8(g, mod << 6 | reg << 3 | 4);
		e8(g, rn(r, 4) << 6 | rn(r, 8) << 3 | RPICK(r, bases));
		if (mod == 1)
			e8(g, rn(r, 256));
		else if (mod == 2)
			e32(g, rn(r, 0x2000));
		return;
	case 2:		/* RIP-relative (64-bit), or disp32 */
		e8(g, 0x05 | reg << 3);
		e32(g, g->bits == 64 ? (uint32_t)(int32_t)(rn(r, 0x2000) - 0x800) :
				       (uint32_t)g->data_va + rn(r, 0x1000));
		return;
	default:
		rm = RPICK(r, bases);
		mod = rn(r, 3);
		if (rm == 5 && mod == 0)
			mod = 1;
		e8(g, mod << 6 | reg << 3 | rm);
		if (mod == 1)
			e8(g, rn(r, 256));
		else if (mod == 2)
			e32(g, rn(r, 0x1000));
		return;
	}
}

/* mov reg, imm (full width) */
static void mov_imm(struct gctx *g, int reg, uint64_t v)
{
	if (g->bits == 64) {
		e8(g, 0x48 | (reg & 8 ? 1 : 0));
		e8(g, 0xb8 | (reg & 7));
		e64(g, v);
	} else if (g->bits == 32) {
		e8(g, 0xb8 | (reg & 7));
		e32(g, v);
	} else {
		e8(g, 0x66);
		e8(g, 0xb8 | (reg & 7));
		e32(g, v);
	}
}

static uint64_t interesting(struct gctx *g)
{
	struct rng *r = g->r;
	static const uint64_t vals[] = {
		0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
		0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull,
		0x00007fffffffffffull, 0xffff800000000000ull,
	};

	switch (rn(r, 5)) {
	case 0:
		return g->data_va + rn(r, 0x2000);
	case 1:
		return g->stack_va + rn(r, 0x1000);
	case 2:
		return g->nextra ? g->extra_va[rn(r, g->nextra)] + rn(r, 0x1000) :
				   g->code_va + rn(r, 0x100);
	case 3:
		return RPICK(r, vals);
	default:
		return rboundary(r);
	}
}

static const uint32_t msrs[] = {
	0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0x174, 0x175, 0x176,
	0x277, 0x10, 0x1b, 0xfe, 0x2ff, 0x1a0, 0xc0010015, 0xc0010114,
	0xc0010117, 0x1d9, 0x48, 0x49, 0x8b, 0x3a, 0x6e0, 0x802, 0xc0011029,
	0x200, 0x250, 0xc0000104,
};

static uint16_t rand_sel(struct gctx *g)
{
	struct rng *r = g->r;
	static const uint16_t sels[] = {
		0, 3, SEL_CODE32, SEL_DATA, SEL_CODE64, SEL_CODE16, SEL_DATA16,
		SEL_UCODE32, SEL_UDATA, SEL_UCODE64, SEL_TSS, SEL_LDT, SEL_RAND,
		SEL_RAND + 8, SEL_RAND + 16, SEL_RAND + 24, 0x4, 0x0c, 0x17, 0x1f,
	};

	if (g->bits == 16 && !(g->in->sregs.cr0 & CR0_PE))
		return rpct(r, 50) ? G_DATA >> 4 : rn(r, 0x10000);
	return rpct(r, 90) ? RPICK(r, sels) : rn(r, 0x10000);
}

/* Body templates. */
static void t_alu(struct gctx *g)
{
	struct rng *r = g->r;
	int reg = rreg(g), rm = rreg(g), op = rn(r, 8) << 3;

	opsize(g, reg, rm);
	e8(g, op | rn(r, 4));
	modrm(g, reg, true);
}

static void t_alu_imm(struct gctx *g)
{
	struct rng *r = g->r;
	int rm = rreg(g), sz, kind = rn(r, 3);

	sz = opsize(g, 0, rm);
	e8(g, 0x80 + (kind == 0 ? 0 : kind == 1 ? 1 : 3));
	modrm(g, rn(r, 8), true);
	if (kind == 1)
		imm(g, sz);
	else
		e8(g, rboundary(r));
}

static void t_mov(struct gctx *g)
{
	struct rng *r = g->r;
	int reg = rreg(g);

	if (rpct(r, 30)) {
		mov_imm(g, reg, interesting(g));
		return;
	}
	opsize(g, reg, rreg(g));
	e8(g, 0x88 + rn(r, 4));
	modrm(g, reg, true);
}

static void t_unary(struct gctx *g)
{
	struct rng *r = g->r;
	int digit = rn(r, 8);

	opsize(g, 0, rreg(g));
	if (rpct(r, 50)) {
		e8(g, 0xf6 + rn(r, 2));		/* test/not/neg/mul/imul/div/idiv */
		modrm(g, digit, true);
		if (digit < 2)
			e8(g, rn(r, 256));
	} else {
		e8(g, 0xfe + rn(r, 2));		/* inc/dec (and FF's others) */
		modrm(g, rn(r, 2), true);
	}
}

static void t_shift(struct gctx *g)
{
	struct rng *r = g->r;
	int op = RPICK(r, ((const uint8_t[]){ 0xc0, 0xc1, 0xd0, 0xd1, 0xd2, 0xd3 }));

	opsize(g, 0, rreg(g));
	e8(g, op);
	modrm(g, rn(r, 8), true);
	if (op < 0xd0)
		e8(g, rn(r, 70));
}

static void t_stack(struct gctx *g)
{
	struct rng *r = g->r;

	switch (rn(r, 8)) {
	case 0:
		rex(g, 0, 0, rreg(g));
		e8(g, 0x50 + rn(r, 8));
		break;
	case 1:
		rex(g, 0, 0, rreg(g));
		e8(g, 0x58 + rn(r, 8));
		break;
	case 2:
		e8(g, 0x6a);
		e8(g, rn(r, 256));
		break;
	case 3:
		e8(g, 0x68);
		e32(g, interesting(g));
		break;
	case 4:
		e8(g, 0x9c);	/* pushf */
		break;
	case 5:
		e8(g, 0x9d);	/* popf */
		break;
	case 6:
		e8(g, 0xff);	/* push [mem] */
		modrm(g, 6, false);
		break;
	default:
		if (g->bits != 64)
			e8(g, RPICK(r, ((const uint8_t[]){ 0x06, 0x07, 0x0e, 0x16,
							  0x17, 0x1e, 0x1f, 0x60,
							  0x61 })));
		else
			e16(g, RPICK(r, ((const uint16_t[]){ 0xa00f, 0xa10f, 0xa80f,
							    0xa90f })));
		break;
	}
}

static void t_string(struct gctx *g)
{
	struct rng *r = g->r;
	static const uint8_t ops[] = { 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac,
				       0xad, 0xae, 0xaf, 0x6c, 0x6d, 0x6e, 0x6f };

	mov_imm(g, 1, rpct(r, 95) ? rn(r, 64) : rboundary(r));	/* rcx */
	if (rpct(r, 30))
		mov_imm(g, 2, rn(r, 0x10000));			/* rdx: the port */
	if (rpct(r, 60))
		e8(g, rpct(r, 80) ? 0xf3 : 0xf2);
	if (rpct(r, 15))
		e8(g, RPICK(r, ((const uint8_t[]){ 0x26, 0x2e, 0x36, 0x3e, 0x64,
						  0x65, 0x67 })));
	opsize(g, 0, 0);
	e8(g, RPICK(r, ops));
}

static uint8_t rand_port(struct gctx *g)
{
	uint8_t p = rn(g->r, 256);

	/* 0xf4 ends the case, 0xf5 reports a vector: not too often. */
	if ((p == PORT_FZ_EXIT || p == PORT_FZ_EXC) && rpct(g->r, 90))
		p = 0x80;
	return p;
}

static void t_io(struct gctx *g)
{
	struct rng *r = g->r;

	if (rpct(r, 40))
		e8(g, 0x66);
	if (rpct(r, 50)) {
		e8(g, 0xe4 + rn(r, 4));
		e8(g, rand_port(g));
	} else {
		mov_imm(g, 2, rpct(r, 70) ? rand_port(g) : rn(r, 0x10000));
		e8(g, 0xec + rn(r, 4));
	}
}

static void t_branch(struct gctx *g)
{
	struct rng *r = g->r;

	switch (rn(r, 10)) {
	case 0:
		e8(g, 0xeb);
		e8(g, rn(r, 24));
		break;
	case 1:
		e8(g, 0x70 + rn(r, 16));
		e8(g, rpct(r, 95) ? rn(r, 24) : (uint8_t)-rn(r, 24));
		break;
	case 2:		/* call the next instruction */
		e8(g, 0xe8);
		if (g->bits == 16)
			e16(g, 0);
		else
			e32(g, 0);
		break;
	case 3:
		e8(g, 0xc3);
		break;
	case 4:
		mov_imm(g, 1, rn(r, 16));
		e8(g, 0xe2 + rn(r, 2));	/* loop / jcxz */
		e8(g, rn(r, 16));
		break;
	case 5:		/* jmp/call through a register or memory */
		rex(g, 0, 0, rreg(g));
		e8(g, 0xff);
		modrm(g, 2 + rn(r, 4), true);
		break;
	case 6:
		e8(g, 0xca + rn(r, 2));	/* retf */
		if (g->code[g->len - 1] == 0xca)
			e16(g, rn(r, 16));
		break;
	case 7:
		if (rpct(r, 50) && g->bits == 64)
			e8(g, 0x48);
		e8(g, 0xcf);		/* iret */
		break;
	case 8:		/* far jmp/call to a selector (not in 64-bit code) */
		if (g->bits == 64) {
			e8(g, 0xff);
			modrm(g, 3 + 2 * rn(r, 2), false);
			break;
		}
		e8(g, rpct(r, 50) ? 0xea : 0x9a);
		if (g->bits == 16)
			e16(g, rn(r, 0x100));
		else
			e32(g, (uint32_t)g->code_va + g->len + 6);
		e16(g, rand_sel(g));
		break;
	default:
		e8(g, 0x0f);
		e8(g, 0x80 + rn(r, 16));
		if (g->bits == 16)
			e16(g, rn(r, 32));
		else
			e32(g, rn(r, 32));
		break;
	}
}

/* IRET to the next instruction at CPL 3 (or 0): user mode from here on. */
static void t_iret_user(struct gctx *g)
{
	struct rng *r = g->r;
	bool user = rpct(r, 80);
	uint32_t fl = 0x2 | (rpct(r, 30) ? RFL_IF : 0) | (rpct(r, 10) ? 0x3000 : 0);

	if (g->bits == 16)
		return;
	if (g->bits == 64) {
		uint64_t target;

		e8(g, 0x68);
		e32(g, user ? SEL_UDATA : SEL_DATA);
		e8(g, 0x68);
		e32(g, (uint32_t)(g->stack_va + 0xe00));
		e8(g, 0x68);
		e32(g, fl);
		e8(g, 0x68);
		e32(g, user ? SEL_UCODE64 : SEL_CODE64);
		/* push imm32 of the target: 5 bytes, then iretq: 2 */
		target = g->code_va + g->len + 5 + 2;
		e8(g, 0x68);
		e32(g, (uint32_t)target);
		e8(g, 0x48);
		e8(g, 0xcf);
	} else {
		e8(g, 0x68);
		e32(g, user ? SEL_UDATA : SEL_DATA);
		e8(g, 0x68);
		e32(g, (uint32_t)(g->stack_va + 0xe00));
		e8(g, 0x68);
		e32(g, fl);
		e8(g, 0x68);
		e32(g, user ? SEL_UCODE32 : SEL_CODE32);
		e8(g, 0x68);
		e32(g, (uint32_t)g->code_va + g->len + 4 + 1);
		e8(g, 0xcf);
	}
}

static void t_cr(struct gctx *g)
{
	struct rng *r = g->r;
	struct mv_sregs *s = &g->in->sregs;
	static const int crs[] = { 0, 0, 2, 3, 3, 4, 4 };
	int cr = RPICK(r, crs), reg = rn(r, 8);
	uint64_t v;

	if (rpct(r, 60)) {
		switch (cr) {
		case 0:
			v = s->cr0 ^ RPICK(r, ((const uint64_t[]){ CR0_WP, CR0_TS, CR0_MP,
								  CR0_AM, CR0_NE, CR0_PG,
								  CR0_CD, CR0_EM, CR0_PE }));
			break;
		case 3:
			v = rpct(r, 70) ? s->cr3 : rand_gpa(g);
			break;
		case 4:
			v = s->cr4 ^ RPICK(r, ((const uint64_t[]){ CR4_PGE, CR4_PSE, CR4_PAE,
								  CR4_SMEP, CR4_SMAP, CR4_TSD,
								  CR4_DE, CR4_OSFXSR, CR4_UMIP,
								  CR4_FSGSBASE, 1ull << 12 }));
			break;
		default:
			v = interesting(g);
		}
		if (g->bits != 64)
			v &= 0xffffffffull;
		mov_imm(g, reg, v);
		rex(g, 0, 0, reg);
		e8(g, 0x0f);
		e8(g, 0x22);
	} else {
		rex(g, 0, 0, reg);
		e8(g, 0x0f);
		e8(g, 0x20);
	}
	e8(g, 0xc0 | cr << 3 | (reg & 7));
}

static void t_msr(struct gctx *g)
{
	struct rng *r = g->r;
	uint32_t msr = rpct(r, 90) ? RPICK(r, msrs) : (uint32_t)rnd(r);

	mov_imm(g, 1, msr);
	if (rpct(r, 50)) {
		uint64_t v = interesting(g);

		if (msr == 0xc0000080)
			v = g->in->sregs.efer ^ RPICK(r, ((const uint64_t[]){ EFER_NXE, EFER_SCE,
									     EFER_LME, 1 << 12,
									     1 << 14, 1 << 1 }));
		mov_imm(g, 0, (uint32_t)v);
		mov_imm(g, 2, v >> 32);
		e16(g, 0x300f);	/* wrmsr */
	} else {
		e16(g, 0x320f);	/* rdmsr */
	}
}

static void t_seg(struct gctx *g)
{
	struct rng *r = g->r;
	int sreg = rn(r, 6);

	if (sreg == 1)		/* mov cs is #UD: now and then */
		sreg = rpct(r, 10) ? 1 : 3;
	mov_imm(g, 0, rand_sel(g));
	e8(g, 0x8e);
	e8(g, 0xc0 | sreg << 3);
}

static void t_system(struct gctx *g)
{
	struct rng *r = g->r;

	switch (rn(r, 16)) {
	case 0:		/* sgdt/sidt/lgdt/lidt/smsw/lmsw/invlpg [mem] */
		e8(g, 0x0f);
		e8(g, 0x01);
		modrm(g, RPICK(r, ((const int[]){ 0, 1, 2, 3, 4, 6, 7, 7 })), false);
		break;
	case 1:		/* sldt/str/lldt/ltr/verr/verw */
		mov_imm(g, 0, rand_sel(g));
		e8(g, 0x0f);
		e8(g, 0x00);
		e8(g, 0xc0 | rn(r, 6) << 3);
		break;
	case 2:
		e16(g, 0x060f);	/* clts */
		break;
	case 3:
		e16(g, rpct(r, 50) ? 0x080f : 0x090f);	/* invd, wbinvd */
		break;
	case 4:
		rex(g, 0, 0, 0);
		e8(g, 0x0f);
		e8(g, 0x21 + 2 * rn(r, 2));	/* mov dr */
		e8(g, 0xc0 | RPICK(r, ((const int[]){ 0, 1, 6, 7, 4, 5 })) << 3 | rn(r, 8));
		break;
	case 5:
		e8(g, rpct(r, 50) ? 0xfa : 0xfb);	/* cli/sti */
		break;
	case 6:
		e8(g, 0xcd);				/* int n */
		e8(g, rpct(r, 50) ? rn(r, 32) : rn(r, 256));
		break;
	case 7:
		e8(g, RPICK(r, ((const uint8_t[]){ 0xcc, 0xce, 0xf1, 0xf4 })));
		break;
	case 8:
		e16(g, 0x0b0f);				/* ud2 */
		break;
	case 9:		/* syscall/sysret/sysenter/sysexit/swapgs */
		if (rpct(r, 30) && g->bits == 64)
			e8(g, 0x48);
		e16(g, RPICK(r, ((const uint16_t[]){ 0x050f, 0x070f, 0x340f, 0x350f })));
		break;
	case 10:
		e16(g, 0xa20f);				/* cpuid */
		break;
	case 11:	/* SVM instructions, swapgs, rdtscp, monitor/mwait, xgetbv */
		e8(g, 0x0f);
		e8(g, 0x01);
		e8(g, RPICK(r, ((const uint8_t[]){ 0xd8, 0xda, 0xdb, 0xdc, 0xdd, 0xde,
						  0xdf, 0xf8, 0xc8, 0xc9, 0xd0, 0xca,
						  0xcb, 0xee, 0xef })));
		break;
	case 12:
		e16(g, 0x90f3);				/* pause */
		break;
	case 13:	/* invlpg of an address we use */
		mov_imm(g, 0, interesting(g));
		e8(g, 0x0f);
		e8(g, 0x01);
		e8(g, 0x38);
		break;
	case 14:	/* mov cr3, cr3: flush */
		rex(g, 0, 0, 0);
		e8(g, 0x0f);
		e8(g, 0x20);
		e8(g, 0xd8);
		rex(g, 0, 0, 0);
		e8(g, 0x0f);
		e8(g, 0x22);
		e8(g, 0xd8);
		break;
	default:	/* lgdt/lidt from a pseudo-descriptor we write first */
		if (g->bits == 16)
			break;
		mov_imm(g, 3, g->data_va + 0x800);
		e8(g, 0x66);
		e8(g, 0xc7);
		e8(g, 0x03);				/* mov word [rbx], imm16 */
		e16(g, rpct(r, 70) ? 0xfff : rn(r, 0x10000));
		e8(g, 0xc7);
		e8(g, 0x43);				/* mov dword [rbx+2], imm32 */
		e8(g, 2);
		e32(g, rpct(r, 70) ? G_IDT : (uint32_t)interesting(g));
		e8(g, 0x0f);
		e8(g, 0x01);
		e8(g, 0x13 + 8 * rn(r, 2));		/* lgdt/lidt [rbx] */
		break;
	}
}

static void t_fpu(struct gctx *g)
{
	struct rng *r = g->r;

	switch (rn(r, 8)) {
	case 0:
		e16(g, 0xe8d9);		/* fld1 */
		break;
	case 1:
		e16(g, 0xe3db);		/* fninit */
		break;
	case 2:
		e8(g, 0xd8 + rn(r, 8));
		modrm(g, rn(r, 8), true);
		break;
	case 3:			/* fxsave/fxrstor/ldmxcsr/stmxcsr [mem] */
		e8(g, 0x0f);
		e8(g, 0xae);
		modrm(g, rn(r, 4), false);
		break;
	case 4:			/* movaps/movups, pxor, paddd ... */
		if (rpct(r, 50))
			e8(g, 0x66);
		e8(g, 0x0f);
		e8(g, RPICK(r, ((const uint8_t[]){ 0x10, 0x11, 0x28, 0x29, 0xef, 0xfe,
						  0x6f, 0x7f, 0x58, 0x59, 0x5e, 0x51 })));
		modrm(g, rn(r, 8), true);
		break;
	case 5:
		e8(g, 0x9b);		/* fwait */
		break;
	case 6:
		e16(g, 0xd9d9 + 0x100 * rn(r, 8));
		break;
	default:
		e8(g, 0xdd);
		modrm(g, 3, false);	/* fstp qword [mem] */
		break;
	}
}

static void t_misc(struct gctx *g)
{
	struct rng *r = g->r;
	int reg = rreg(g);

	switch (rn(r, 14)) {
	case 0:
		opsize(g, reg, 0);
		e8(g, 0x0f);
		e8(g, RPICK(r, ((const uint8_t[]){ 0xa3, 0xab, 0xb3, 0xbb, 0xbc, 0xbd,
						  0xaf, 0xb6, 0xb7, 0xbe, 0xbf })));
		modrm(g, reg, true);
		break;
	case 1:
		if (rpct(r, 40))
			e8(g, 0xf0);	/* lock */
		opsize(g, reg, 0);
		e8(g, 0x0f);
		e8(g, RPICK(r, ((const uint8_t[]){ 0xb0, 0xb1, 0xc0, 0xc1 })));
		modrm(g, reg, true);
		break;
	case 2:
		opsize(g, reg, 0);
		e8(g, 0x86 + rn(r, 2));
		modrm(g, reg, true);
		break;
	case 3:
		opsize(g, reg, 0);
		e8(g, 0x0f);
		e8(g, 0x40 + rn(r, 16));	/* cmov */
		modrm(g, reg, true);
		break;
	case 4:
		e8(g, 0x0f);
		e8(g, 0x90 + rn(r, 16));	/* setcc */
		modrm(g, 0, true);
		break;
	case 5:
		opsize(g, reg, 0);
		e8(g, 0x8d);			/* lea */
		modrm(g, reg, false);
		break;
	case 6:
		e8(g, RPICK(r, ((const uint8_t[]){ 0x98, 0x99, 0x9e, 0x9f, 0xd7, 0xf5,
						  0xf8, 0xf9, 0xfc, 0xfd, 0x90 })));
		break;
	case 7:
		if (g->bits != 64)
			e8(g, RPICK(r, ((const uint8_t[]){ 0x27, 0x2f, 0x37, 0x3f, 0xd4,
							  0xd5, 0x60, 0x61 })));
		break;
	case 8:
		e8(g, 0xc8 + rn(r, 2));		/* enter/leave */
		if (g->code[g->len - 1] == 0xc8) {
			e16(g, rn(r, 64));
			e8(g, rn(r, 4));
		}
		break;
	case 9:
		if (rpct(r, 30))
			e8(g, 0xf0);
		e8(g, 0x0f);
		e8(g, 0xc7);
		modrm(g, 1, false);		/* cmpxchg8b */
		break;
	case 10:
		if (rpct(r, 50))
			e8(g, 0xf0);		/* lock on anything: #UD or not */
		opsize(g, reg, 0);
		e8(g, rn(r, 4) << 3 | 1);
		modrm(g, reg, true);
		break;
	case 11:
		e8(g, 0x0f);
		e8(g, RPICK(r, ((const uint8_t[]){ 0xb9, 0xff, 0x0d, 0x18, 0x1f, 0x0e,
						  0x77, 0xa2 })));
		modrm(g, rn(r, 8), true);
		break;
	case 12:
		if (g->bits != 64) {
			e8(g, 0x62);		/* bound */
			modrm(g, reg, false);
		} else {
			e8(g, 0x48);
			e8(g, 0x63);		/* movsxd */
			modrm(g, reg, true);
		}
		break;
	default:
		opsize(g, reg, 0);
		e8(g, 0x0f);
		e8(g, 0xc8 + (reg & 7));	/* bswap */
		break;
	}
}

static void t_raw(struct gctx *g)
{
	uint8_t b[8];
	int n = rrange(g->r, 1, 8), i;

	rfill(g->r, b, n);
	/* No CR8 (QEMU 7.2 aborts on some of its nested forms) */
	for (i = 0; i + 1 < n; i++)
		if (b[i] == 0x0f && (b[i + 1] & 0xfd) == 0x20)
			b[i + 1] = 0x90;
	emit(g, b, n);
}

/* Write to the page table we mapped, then use what it maps. */
static void t_ptwrite(struct gctx *g)
{
	struct rng *r = g->r;
	uint64_t va = g->alias_va + rn(r, 512) * 8;

	if (!g->alias_va)
		return;
	g->in->flags |= GI_DIRTY;
	mov_imm(g, 3, va);
	mov_imm(g, 0, rpct(r, 50) ? rand_gpa(g) | leaf_flags(g, false) : rboundary(r));
	if (g->bits == 64)
		e8(g, 0x48);
	e8(g, 0x89);
	e8(g, 0x03);			/* mov [rbx], rax */
	if (rpct(r, 50)) {
		mov_imm(g, 0, interesting(g));
		e8(g, 0x0f);
		e8(g, 0x01);
		e8(g, 0x38);		/* invlpg [rax] */
	}
	if (rpct(r, 60)) {
		mov_imm(g, 6, interesting(g));
		e8(g, 0x8b);
		e8(g, 0x06);		/* mov eax, [rsi] */
	}
}

/* minivisor's hypercalls, balloon lists included. */
static void t_hypercall(struct gctx *g)
{
	struct rng *r = g->r;
	static const uint64_t nrs[] = {
		MV_HC_PING, MV_HC_API_VERSION, MV_HC_BALLOON_TARGET,
		MV_HC_BALLOON_INFLATE, MV_HC_BALLOON_INFLATE, MV_HC_BALLOON_DEFLATE,
		MV_HC_BALLOON_DEFLATE, MV_HC_BALLOON_STATS, 0x1104, 0, 0xffffffffull,
	};
	uint64_t nr = rpct(r, 90) ? RPICK(r, nrs) : rboundary(r);
	uint64_t a0 = rboundary(r), a1 = rboundary(r);

	if (nr == MV_HC_BALLOON_INFLATE || nr == MV_HC_BALLOON_DEFLATE) {
		static uint64_t list[600];
		uint32_t page = G_BALLOON + rn(r, 4) * 4096;
		int n = rpct(r, 70) ? rrange(r, 1, 64) : rn(r, 600), i;

		for (i = 0; i < n; i++) {
			switch (rn(r, 8)) {
			case 0:
				list[i] = rboundary(r);
				break;
			case 1:		/* a page the guest uses: code, data, tables */
				list[i] = RPICK(r, ((const uint64_t[]){ G_CODE >> 12,
						 G_DATA >> 12, G_STACK >> 12, G_PT_POOL >> 12,
						 G_IDT >> 12, G_BALLOON >> 12 }));
				break;
			case 2:
				list[i] = i ? list[rn(r, i)] : 0x170;	/* a duplicate */
				break;
			case 3:
				list[i] = (FZ_MEM >> 12) + rn(r, 4);	/* outside RAM */
				break;
			default:
				list[i] = 0x160 + rn(r, 0xa0);		/* free memory */
			}
		}
		if (n)
			add_chunk(g, page, list, n * 8);
		g->in->flags |= GI_DIRTY;
		a0 = rpct(r, 85) ? page : rpct(r, 50) ? page + 8 : rboundary(r);
		a1 = rpct(r, 80) ? (uint64_t)n : rboundary(r);
	} else if (nr == MV_HC_BALLOON_TARGET) {
		a0 = rpct(r, 60) ? rrange(r, 32, 255) : rboundary(r);
	} else if (nr == MV_HC_BALLOON_STATS) {
		a0 = rpct(r, 70) ? rn(r, FZ_MEM >> 12) : rboundary(r);
		a1 = rpct(r, 70) ? rn(r, FZ_MEM >> 12) : rboundary(r);
	}
	mov_imm(g, 0, nr);
	mov_imm(g, 3, a0);
	mov_imm(g, 1, a1);
	if (rpct(r, 30))
		mov_imm(g, 2, rboundary(r));
	e8(g, 0x0f);
	e8(g, 0x01);
	e8(g, rpct(r, 75) ? 0xd9 : 0xc1);	/* vmmcall / vmcall */
	/* Touch a page that may be in the balloon now. */
	if (rpct(r, 50)) {
		mov_imm(g, 6, rpct(r, 50) ? 0x160000 + (rn(r, 0xa0) << 12) : g->data_va);
		e8(g, 0x88);
		e8(g, 0x06);			/* mov [rsi], al */
	}
}

typedef void (*tmpl_fn)(struct gctx *g);

static const struct {
	tmpl_fn fn;
	unsigned int weight;
} tmpls[] = {
	{ t_alu, 10 }, { t_alu_imm, 6 }, { t_mov, 12 }, { t_unary, 5 },
	{ t_shift, 3 }, { t_stack, 6 }, { t_string, 4 }, { t_io, 4 },
	{ t_branch, 5 }, { t_cr, 4 }, { t_msr, 3 }, { t_seg, 3 },
	{ t_system, 7 }, { t_fpu, 3 }, { t_misc, 6 }, { t_raw, 8 },
	{ t_iret_user, 1 }, { t_ptwrite, 3 }, { t_hypercall, 0 },
};

static void gen_body(struct gctx *g, int n)
{
	struct rng *r = g->r;
	unsigned int total = 0, i;
	int k;

	for (i = 0; i < sizeof(tmpls) / sizeof(tmpls[0]); i++)
		total += tmpls[i].weight;
	for (k = 0; k < n; k++) {
		unsigned int w;

		if (g->in->nins < G_MAX_INS)
			g->in->ins_off[g->in->nins++] = g->len;
		if ((g->flags & GI_HYPERCALLS) && rpct(r, 12)) {
			t_hypercall(g);
			continue;
		}
		w = rn(r, total);
		for (i = 0; w >= tmpls[i].weight; i++)
			w -= tmpls[i].weight;
		tmpls[i].fn(g);
	}
}

/* ---- modes and entry ---- */

static uint64_t rand_rflags(struct gctx *g)
{
	struct rng *r = g->r;
	uint64_t f = 0x2 | (rnd(r) & 0x8d5);	/* CF PF AF ZF SF OF */

	if (rpct(r, 30))
		f |= RFL_IF;
	if (rpct(r, 3))
		f |= RFL_TF;
	if (rpct(r, 3))
		f |= RFL_DF;
	if (rpct(r, 3))
		f |= RFL_AC;
	if (rpct(r, 5))
		f |= rn(r, 4) << 12;		/* IOPL */
	if (rpct(r, 3))
		f |= 0x4000;			/* NT */
	if (rpct(r, 5))
		f |= 0x200000;			/* ID */
	return f;
}

static void rand_gprs(struct gctx *g)
{
	struct mv_regs *x = &g->in->regs;
	struct rng *r = g->r;
	__u64 *p = &x->rax;
	int i;

	for (i = 0; i < 16; i++)
		p[i] = interesting(g);
	x->rbx = g->data_va + rn(r, 0x1000);
	x->rsi = g->data_va + rn(r, 0x1000);
	x->rdi = g->data_va + 0x1000 + rn(r, 0x800);
	x->rbp = g->stack_va + rn(r, 0x800);
	x->rcx = rpct(r, 95) ? rn(r, 64) : rboundary(r);
	x->rsp = g->stack_va + 0xf00 - (rn(r, 0x100) & ~7ull);
	if (rpct(r, 5))
		x->rsp = interesting(g);
	if (g->bits != 64) {
		for (i = 0; i < 16; i++)
			if (rpct(r, 80))
				p[i] &= 0xffffffffull;
		if (g->bits == 16) {
			/* offsets within the 64 KiB segments */
			x->rbx = rn(r, 0x1000);
			x->rsi = rn(r, 0x1000);
			x->rdi = 0x1000 + rn(r, 0x800);
			x->rbp = 0x2000 + rn(r, 0x800);
			x->rsp = 0x2f00 - (rn(r, 0x100) & ~1ull);
		}
	}
	x->rflags = rand_rflags(g);
}

static uint64_t rand_cr0(struct gctx *g, uint64_t must)
{
	struct rng *r = g->r;
	uint64_t cr0 = must | CR0_ET;

	if (rpct(r, 80))
		cr0 |= CR0_NE;
	if (rpct(r, 50))
		cr0 |= CR0_MP;
	if ((must & CR0_PG) && rpct(r, 70))
		cr0 |= CR0_WP;
	if (rpct(r, 10))
		cr0 |= CR0_AM;
	if (rpct(r, 5))
		cr0 |= CR0_TS;
	if (rpct(r, 3))
		cr0 |= CR0_EM;
	if (rpct(r, 3))
		cr0 |= CR0_CD | (rpct(r, 30) ? CR0_NW : 0);
	return cr0;
}

static uint64_t rand_cr4(struct gctx *g, uint64_t must)
{
	struct rng *r = g->r;
	uint64_t cr4 = must;

	if (caps.pse && rpct(r, 60))
		cr4 |= CR4_PSE;
	if (caps.pge && rpct(r, 50))
		cr4 |= CR4_PGE;
	if (caps.fxsr && rpct(r, 85))
		cr4 |= CR4_OSFXSR | (rpct(r, 80) ? CR4_OSXMMEXCPT : 0);
	if (caps.de && rpct(r, 20))
		cr4 |= CR4_DE;
	if (rpct(r, 10))
		cr4 |= CR4_TSD;
	if (rpct(r, 10))
		cr4 |= CR4_PCE;
	if (caps.smep && rpct(r, 20))
		cr4 |= CR4_SMEP;
	if (caps.smap && rpct(r, 20))
		cr4 |= CR4_SMAP;
	if (caps.umip && rpct(r, 10))
		cr4 |= CR4_UMIP;
	if (caps.fsgsbase && rpct(r, 20))
		cr4 |= CR4_FSGSBASE;
	if (caps.vme && rpct(r, 5))
		cr4 |= CR4_VME | (rpct(r, 50) ? CR4_PVI : 0);
	return cr4;
}

/*
 * Real mode to the target mode the way an OS does it: CR4, CR3, EFER.LME
 * (WRMSR), CR0.PE|PG, a far jump, data segments, the stack, the IDT, TR;
 * then the registers it used get their values back.
 */
static void gen_prologue(struct gctx *g, struct mv_sregs *target)
{
	struct ginput *in = g->in;
	uint32_t idtr = G_DATA + 0x1ff0;
	uint8_t pd[10];
	uint16_t lim = g->lm ? 4095 : 2047, cs;
	uint64_t base = G_IDT;
	int bits = g->bits;

	/* 16-bit code */
	g->bits = 16;
	if (g->paging) {
		mov_imm(g, 0, target->cr4);
		e8(g, 0x0f); e8(g, 0x22); e8(g, 0xe0);	/* mov cr4, eax */
		mov_imm(g, 0, target->cr3);
		e8(g, 0x0f); e8(g, 0x22); e8(g, 0xd8);	/* mov cr3, eax */
	}
	if (target->efer) {
		mov_imm(g, 1, 0xc0000080);
		mov_imm(g, 0, (uint32_t)target->efer & ~EFER_LMA);
		mov_imm(g, 2, 0);
		e16(g, 0x300f);				/* wrmsr */
	}
	mov_imm(g, 0, target->cr0);
	e8(g, 0x0f); e8(g, 0x22); e8(g, 0xc0);		/* mov cr0, eax */
	cs = g->lm && bits == 64 ? SEL_CODE64 : SEL_CODE32;
	e8(g, 0x66); e8(g, 0xea);			/* ljmpl cs:next */
	e32(g, G_CODE + g->len + 6);
	e16(g, cs);
	g->bits = bits;
	/* data segments, stack */
	mov_imm(g, 0, SEL_DATA);
	e8(g, 0x8e); e8(g, 0xd8);
	e8(g, 0x8e); e8(g, 0xc0);
	e8(g, 0x8e); e8(g, 0xd0);
	mov_imm(g, 4, in->regs.rsp);
	/* lidt [idtr] */
	memcpy(pd, &lim, 2);
	memcpy(pd + 2, &base, 8);
	add_chunk(g, idtr, pd, g->lm ? 10 : 6);
	e8(g, 0x0f); e8(g, 0x01);
	if (g->bits == 64) {
		e8(g, 0x1c); e8(g, 0x25);
	} else {
		e8(g, 0x1d);
	}
	e32(g, idtr);
	/* ltr: the GDT's TSS is marked available for it */
	mov_imm(g, 0, SEL_TSS);
	e8(g, 0x0f); e8(g, 0x00); e8(g, 0xd8);
	/* the registers the prologue used */
	mov_imm(g, 0, in->regs.rax);
	mov_imm(g, 1, in->regs.rcx);
	mov_imm(g, 2, in->regs.rdx);
	e8(g, 0x68);
	e32(g, in->regs.rflags & ~RFL_TF);
	e8(g, 0x9d);					/* popf */
}

void gen_guest(struct ginput *in, struct rng *r, uint32_t flags)
{
	struct gctx *g = &gctx;
	struct mv_sregs *s = &in->sregs;
	struct mv_sregs target;
	static uint8_t code[G_CODE_MAX];
	bool prologue = false;
	uint16_t dsel;
	int mode;

	memset(in, 0, offsetof(struct ginput, data));
	memset(g, 0, offsetof(struct gctx, pt));
	in->version = GINPUT_VERSION;
	g->in = in;
	g->r = r;
	g->code = code;
	g->flags = flags;
	memset(code, 0xcc, sizeof(code));	/* int3 after the end */

	mode = RPICK(r, ((const int[]){ GM_REAL, GM_REAL, GM_PROT16, GM_PROT32,
				       GM_PROT32, GM_PG32, GM_PG32, GM_PAE, GM_PAE,
				       GM_LONG, GM_LONG, GM_LONG, GM_COMPAT }));
	in->mode = mode;
	g->bits = mode == GM_REAL || mode == GM_PROT16 ? 16 : mode == GM_LONG ? 64 : 32;
	g->lm = mode == GM_LONG || mode == GM_COMPAT;
	g->pae = mode == GM_PAE || g->lm;
	g->paging = mode >= GM_PG32;
	g->user = mode >= GM_PROT32 && rpct(r, 15);
	/* long mode: IST stacks; legacy protected mode: a #DF task */
	g->ist = mode != GM_REAL && rpct(r, 70);
	if (g->user)
		in->flags |= GI_USER;
	in->flags |= flags & (GI_HYPERCALLS | GI_NONDET);

	/* where things are */
	g->code_va = G_CODE;
	g->data_va = G_DATA;
	g->stack_va = G_STACK;
	prologue = g->paging && !g->user && rpct(r, 20);
	if (g->paging && !prologue && rpct(r, 50)) {
		g->code_va = rpct(r, 50) ? rand_va(g) : G_CODE;
		g->data_va = rpct(r, 50) ? rand_va(g) : G_DATA;
		g->stack_va = rpct(r, 50) ? rand_va(g) : G_STACK;
		if (g->data_va == g->code_va)
			g->data_va += 0x10000;
		if (g->stack_va == g->data_va || g->stack_va == g->data_va + 0x1000 ||
		    g->stack_va == g->code_va || g->stack_va == g->code_va + 0x1000)
			g->stack_va += 0x20000;
	}
	if (mode == GM_PROT16 || mode == GM_REAL) {
		g->code_va = G_CODE;
		g->data_va = 0;		/* offsets in their segments */
		g->stack_va = 0;
	}

	memset(s, 0, sizeof(*s));
	build_gdt(g);
	build_tss(g);
	build_idt(g, mode == GM_REAL);

	/* control registers */
	switch (mode) {
	case GM_REAL:
		s->cr0 = rand_cr0(g, 0) & ~CR0_WP;
		s->cr4 = rand_cr4(g, 0) & ~(CR4_SMEP | CR4_SMAP);
		break;
	case GM_PROT16:
	case GM_PROT32:
		s->cr0 = rand_cr0(g, CR0_PE);
		s->cr4 = rand_cr4(g, 0);
		break;
	case GM_PG32:
		s->cr0 = rand_cr0(g, CR0_PE | CR0_PG);
		s->cr4 = rand_cr4(g, 0);
		break;
	default:
		s->cr0 = rand_cr0(g, CR0_PE | CR0_PG);
		s->cr4 = rand_cr4(g, CR4_PAE);
		break;
	}
	if (caps.nx && rpct(r, g->pae ? 70 : 20))
		s->efer |= EFER_NXE;
	if (rpct(r, 30))
		s->efer |= EFER_SCE;
	if (g->lm)
		s->efer |= EFER_LME | EFER_LMA;
	s->cr2 = rpct(r, 50) ? 0 : rnd(r);
	if (g->paging)
		build_paging(g);
	if (g->ist && !g->lm)
		build_df_task(g);
	rand_gprs(g);

	/* segments */
	s->gdt.base = G_GDT;
	s->gdt.limit = rpct(r, 95) ? GDT_ENTRIES * 8 - 1 : rn(r, GDT_ENTRIES * 8);
	s->idt.base = mode == GM_REAL ? G_IVT : G_IDT;
	s->idt.limit = mode == GM_REAL ? 0x3ff : g->lm ? 4095 : 2047;
	if (rpct(r, 3))
		s->idt.limit = rn(r, s->idt.limit);
	if (mode == GM_REAL) {
		static const uint16_t dsels[] = { G_DATA >> 4, G_DATA >> 4, 0, G_CODE >> 4,
						  0xffff, 0x1234 };

		s->cs = real_seg(G_CODE >> 4, true);
		s->ds = real_seg(RPICK(r, dsels), false);
		s->es = real_seg(RPICK(r, dsels), false);
		s->fs = real_seg(RPICK(r, dsels), false);
		s->gs = real_seg(RPICK(r, dsels), false);
		s->ss = real_seg(G_DATA >> 4, false);
		if (rpct(r, 10)) {	/* "unreal" mode: 4 GiB data limits */
			s->ds.limit = s->es.limit = 0xffffffff;
			s->ds.g = s->es.g = 1;
		}
		s->tr = (struct mv_segment){ .limit = 0xffff, .type = 0x9, .present = 1 };
		s->ldt = (struct mv_segment){ .limit = 0xffff, .type = 0x2, .present = 1 };
	} else {
		uint16_t csel, ssel;

		if (mode == GM_PROT16) {
			csel = SEL_CODE16;
			ssel = SEL_DATA16;
			dsel = SEL_DATA16;
		} else if (mode == GM_LONG) {
			csel = g->user ? SEL_UCODE64 : SEL_CODE64;
			ssel = g->user ? SEL_UDATA : SEL_DATA;
			dsel = ssel;
		} else {
			csel = g->user ? SEL_UCODE32 : SEL_CODE32;
			ssel = g->user ? SEL_UDATA : SEL_DATA;
			dsel = ssel;
		}
		s->cs = gdt_seg(g, csel);
		s->ss = gdt_seg(g, ssel);
		s->ds = gdt_seg(g, dsel);
		s->es = gdt_seg(g, rpct(r, 80) ? dsel : rand_sel(g));
		s->fs = gdt_seg(g, rpct(r, 70) ? dsel : rand_sel(g));
		s->gs = gdt_seg(g, rpct(r, 70) ? dsel : rand_sel(g));
		if (g->lm && rpct(r, 30)) {
			s->ds = gdt_seg(g, 0);
			s->es = gdt_seg(g, 0);
		}
		if (g->lm && rpct(r, 40)) {
			s->fs.base = interesting(g);
			s->gs.base = interesting(g);
		}
		/* a loaded segment we cannot load again is refused: keep it sane */
		if (!s->es.unusable && (!s->es.present || !s->es.s || (s->es.type & 0xa) == 0x8))
			s->es = gdt_seg(g, dsel);
		if (!s->fs.unusable && (!s->fs.present || !s->fs.s || (s->fs.type & 0xa) == 0x8))
			s->fs = gdt_seg(g, dsel);
		if (!s->gs.unusable && (!s->gs.present || !s->gs.s || (s->gs.type & 0xa) == 0x8))
			s->gs = gdt_seg(g, dsel);
		s->tr = gdt_seg(g, SEL_TSS);
		s->ldt = rpct(r, 50) ? gdt_seg(g, SEL_LDT) : gdt_seg(g, 0);
	}
	/*
	 * TR's cached type: QEMU 7.2 TCG aborts the whole emulator ("invalid
	 * tss type") when an interrupt or exception changes privilege in
	 * legacy protected mode while TR's hidden type is busy (11), as VMRUN
	 * loads it from a VMCB; its own LTR caches "available" (9).  So do we,
	 * outside long mode (where only the P bit is looked at).
	 */
	if (!g->lm)
		s->tr.type = 0x9;
	(void)dsel;

	/* code */
	in->code_va = g->code_va;
	in->regs.rip = mode == GM_REAL || mode == GM_PROT16 ? 0 : g->code_va;
	if (prologue) {
		/* enter in real mode at 1000:0000 with the target GDT loaded */
		uint8_t tss_avail = 0x89;

		target = *s;
		target.cr3 &= ~0xfffull;
		s->cs = real_seg(G_CODE >> 4, true);
		s->ds = s->es = s->fs = s->gs = s->ss = real_seg(G_DATA >> 4, false);
		s->tr = (struct mv_segment){ .limit = 0xffff, .type = 0x9, .present = 1 };
		s->ldt = (struct mv_segment){ .limit = 0xffff, .type = 0x2, .present = 1 };
		s->idt.base = G_IVT;
		s->idt.limit = 0x3ff;
		s->cr0 = (target.cr0 & ~(CR0_PE | CR0_PG | CR0_WP | CR0_TS | CR0_EM)) | CR0_ET;
		s->cr4 = 0;
		s->cr3 = 0;
		s->efer = 0;
		in->regs.rip = 0;
		in->regs.rflags &= ~(RFL_TF | RFL_IF);
		add_chunk(g, G_GDT + (SEL_TSS & ~7) + 5, &tss_avail, 1);
		gen_prologue(g, &target);
	}
	in->body_off = g->len;
	gen_body(g, rrange(r, 4, rpct(r, 80) ? 40 : 120));
	/* the end: mov al, 0; out 0xf4, al */
	e8(g, 0xb0);
	e8(g, 0x00);
	e8(g, 0xe6);
	e8(g, PORT_FZ_EXIT);
	in->code_len = g->len;
	/* all of both pages: int3 after the end */
	add_chunk(g, G_CODE, code, G_CODE_MAX);
	/* and at the end of the 64 KiB code segment, where 16-bit IP wraps */
	add_chunk(g, G_CODE + 0xfff0, code + G_CODE_MAX - 16, 16);
	/* data and stack contents */
	{
		uint8_t buf[1024];

		rfill(r, buf, sizeof(buf));
		add_chunk(g, G_DATA, buf, rpct(r, 50) ? 256 : 1024);
		rfill(r, buf, 256);
		add_chunk(g, G_STACK + 0xe00, buf, 256);
	}
	/* events raised before the run (minivisor-only lanes) */
	if ((flags & GI_EVENTS) && rpct(r, 20)) {
		in->flags |= GI_EVENTS;
		if (rpct(r, 60))
			in->irq_vector = rpct(r, 90) ? rrange(r, 32, 255) : rn(r, 300);
		if (rpct(r, 40)) {
			in->exc_valid = 1;
			in->exc.vector = rn(r, 32);
			in->exc.has_error_code = rn(r, 2);
			in->exc.error_code = rnd(r);
			in->exc.cr2 = interesting(g);
		}
	}
}

void ginput_print(const struct ginput *in, const char *prefix)
{
	const uint8_t *code = NULL;
	char line[256];
	uint32_t i, n;

	for (i = 0; i < in->nchunks; i++)
		if (in->chunk[i].gpa == G_CODE)
			code = in->data + in->chunk[i].off;
	say("%s mode=%s flags=%#x rip=%#llx rsp=%#llx rflags=%#llx cr0=%#llx cr3=%#llx cr4=%#llx efer=%#llx cs=%#x/%#llx ss=%#x",
	    prefix, gmode_names[in->mode], in->flags, (unsigned long long)in->regs.rip,
	    (unsigned long long)in->regs.rsp, (unsigned long long)in->regs.rflags,
	    (unsigned long long)in->sregs.cr0, (unsigned long long)in->sregs.cr3,
	    (unsigned long long)in->sregs.cr4, (unsigned long long)in->sregs.efer,
	    in->sregs.cs.selector, (unsigned long long)in->sregs.cs.base,
	    in->sregs.ss.selector);
	if (!code)
		return;
	for (i = 0; i < in->code_len; i += 32) {
		int o = snprintf(line, sizeof(line), "%s code+%04x:", prefix, i);

		for (n = i; n < in->code_len && n < i + 32; n++)
			o += snprintf(line + o, sizeof(line) - o, " %02x", code[n]);
		say("%s", line);
	}
}
