// SPDX-License-Identifier: GPL-2.0
/*
 * The guest generator's system tables: segment descriptors, the GDT (with
 * random descriptors), the TSS and the #DF task, the IVT or IDT with the
 * exception stubs that report their vector on port 0xf5, and page tables
 * for every paging mode with random mappings and attributes (large pages,
 * reserved bits, NX, aliases of the tables themselves).
 */
#include <string.h>

#include "gen.h"

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

struct mv_segment gdt_seg(struct gctx *g, uint16_t sel)
{
	struct mv_segment s = { .selector = sel, .unusable = 1 };

	if (!(sel & ~3))
		return s;
	return seg_of(&g->gdt[(sel >> 3) % GDT_ENTRIES], sel);
}

struct mv_segment real_seg(uint16_t sel, bool code)
{
	struct mv_segment s = {
		.base = (uint64_t)sel << 4, .limit = 0xffff, .selector = sel,
		.type = code ? 0xb : 0x3, .s = 1, .present = 1,
	};

	return s;
}

void build_gdt(struct gctx *g)
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

void build_tss(struct gctx *g)
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
void build_df_task(struct gctx *g)
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
void build_idt(struct gctx *g, bool real)
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

uint64_t leaf_flags(struct gctx *g, bool code)
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

uint64_t rand_gpa(struct gctx *g)
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

uint64_t rand_va(struct gctx *g)
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

void build_paging(struct gctx *g)
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
