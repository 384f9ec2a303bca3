/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest generator's insides, shared by its parts: gen.c (modes,
 * registers, the entry, the whole input), gen_tables.c (descriptors, GDT,
 * TSS, IDT, page tables), gen_code.c (emitting instructions and operands,
 * the body) and gen_sys.c (templates for branches and system
 * instructions).  guest.h is the interface to the rest of mvfuzz.
 */
#ifndef MVFUZZ_GEN_H
#define MVFUZZ_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz.h"
#include "guest.h"

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
struct gen_caps {
	bool pse, pae, pge, nx, gbpages, smep, smap, umip, fsgsbase, fxsr, de, vme;
	int maxphy;
};

extern struct gen_caps caps;

/* A segment descriptor, decoded. */
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

/* gen.c */
void add_chunk(struct gctx *g, uint32_t gpa, const void *p, uint32_t len);

/* gen_tables.c: descriptors, system tables, page tables */
struct mv_segment gdt_seg(struct gctx *g, uint16_t sel);
struct mv_segment real_seg(uint16_t sel, bool code);
void build_gdt(struct gctx *g);
void build_tss(struct gctx *g);
void build_df_task(struct gctx *g);
void build_idt(struct gctx *g, bool real);
uint64_t leaf_flags(struct gctx *g, bool code);
uint64_t rand_gpa(struct gctx *g);
uint64_t rand_va(struct gctx *g);
void build_paging(struct gctx *g);

/* gen_code.c: emitting code, operands, the body */
void emit(struct gctx *g, const void *b, uint32_t n);
void e8(struct gctx *g, uint8_t v);
void e16(struct gctx *g, uint16_t v);
void e32(struct gctx *g, uint32_t v);
int rreg(struct gctx *g);
void rex(struct gctx *g, int w, int reg, int rm);
int opsize(struct gctx *g, int reg, int rm);
void modrm(struct gctx *g, int reg, bool allow_reg);
void mov_imm(struct gctx *g, int reg, uint64_t v);
uint64_t interesting(struct gctx *g);
uint16_t rand_sel(struct gctx *g);
void gen_body(struct gctx *g, int n);

/* gen_sys.c: body templates for control flow and system instructions */
void t_branch(struct gctx *g);
void t_iret_user(struct gctx *g);
void t_cr(struct gctx *g);
void t_msr(struct gctx *g);
void t_seg(struct gctx *g);
void t_system(struct gctx *g);
void t_fpu(struct gctx *g);
void t_misc(struct gctx *g);
void t_raw(struct gctx *g);
void t_ptwrite(struct gctx *g);
void t_hypercall(struct gctx *g);

#endif
