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

#include "gen.h"

const char *const gmode_names[GM_NR] = {
	"real", "prot16", "prot32", "pg32", "pae", "long", "compat",
};

/* What the vCPU's CPUID offers (gen_set_caps). */
struct gen_caps caps = { .pse = true, .pae = true, .pge = true, .nx = true, .fxsr = true,
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

static struct gctx gctx;

void add_chunk(struct gctx *g, uint32_t gpa, const void *p, uint32_t len)
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

/* Is the MOV to DR7 at @b[@i] the one t_mov_dr() emits after its AND? */
static bool dr7_write_masked(const uint8_t *b, uint32_t i)
{
	static const uint8_t and_imm[4] = { 0x00, 0xff, 0xff, 0xff };
	uint32_t j = i;

	if (j && b[j - 1] == 0x40)
		j--;
	return j >= 6 && b[j - 6] == 0x81 && b[j - 5] == (0xe0 | (b[i + 2] & 7)) &&
	       !memcmp(b + j - 4, and_imm, 4);
}

/*
 * No guest the fuzzer makes arms a debug-register breakpoint: QEMU 7.2's
 * TCG (the testbed) keeps them wrong in a nested guest.  VMRUN and #VMEXIT
 * load DR7 without re-arming, so a breakpoint a guest's own MOV to DR7
 * armed stays armed after #VMEXIT, in the host; and one that hits where
 * CS.base is not 0 is looked up by EIP, not found, and handed to the
 * (absent) gdbstub, which crashes the whole emulator (SIGSEGV in
 * gdb_set_stop_cpu, seen in make check's fuzz_smoke; also an abort on a
 * held iothread lock).  So in code, data and stack bytes a MOV to DR7 or
 * DR5 (0f 23 /7, /5) becomes a MOV from it (0f 21), unless it is
 * t_mov_dr()'s, whose AND just before cleared the enable bits.  Applied
 * to fresh, mutated and loaded inputs alike, and to the ioctl lane's code.
 */
void no_dr7_writes(uint8_t *b, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 2 < len; i++) {
		int reg = (b[i + 2] >> 3) & 7;

		if (b[i] == 0x0f && b[i + 1] == 0x23 && (reg == 7 || reg == 5) &&
		    !dr7_write_masked(b, i))
			b[i + 1] = 0x21;
	}
}

void ginput_scrub(struct ginput *in)
{
	uint32_t n;

	for (n = 0; n < in->nchunks; n++) {
		const struct gchunk *c = &in->chunk[n];

		if (c->gpa >= G_CODE && c->gpa < G_PT_POOL)
			no_dr7_writes(in->data + c->off, c->len);
	}
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
	ginput_scrub(in);
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
