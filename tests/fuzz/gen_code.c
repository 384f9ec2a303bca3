// SPDX-License-Identifier: GPL-2.0
/*
 * The guest generator's code: emitting bytes, registers, REX and operand
 * size prefixes, ModRM/SIB memory operands that point where the registers
 * point, values that like boundaries, the arithmetic, move, stack, string
 * and I/O templates, and the body (templates drawn by weight).
 */
#include <string.h>

#include "gen.h"

/* ---- code ---- */

void emit(struct gctx *g, const void *b, uint32_t n)
{
	if (g->len + n > G_CODE_MAX - 16)
		return;
	memcpy(g->code + g->len, b, n);
	g->len += n;
}

void e8(struct gctx *g, uint8_t v)
{
	emit(g, &v, 1);
}

void e16(struct gctx *g, uint16_t v)
{
	emit(g, &v, 2);
}

void e32(struct gctx *g, uint32_t v)
{
	emit(g, &v, 4);
}

static void e64(struct gctx *g, uint64_t v)
{
	emit(g, &v, 8);
}

/* Registers: 0 rax 1 rcx 2 rdx 3 rbx 4 rsp 5 rbp 6 rsi 7 rdi, 8-15 r8-r15. */
int rreg(struct gctx *g)
{
	int r = rn(g->r, g->bits == 64 ? 16 : 8);

	if (r == 4 && rpct(g->r, 80))	/* leave the stack pointer alone, mostly */
		r = 0;
	return r;
}

/* REX (64-bit code only) for operand size @w and registers @reg, @rm. */
void rex(struct gctx *g, int w, int reg, int rm)
{
	uint8_t b = 0x40 | (w ? 8 : 0) | (reg & 8 ? 4 : 0) | (rm & 8 ? 1 : 0);

	if (g->bits == 64 && (b != 0x40 || rpct(g->r, 5)))
		e8(g, b);
}

/* Pick an operand size and emit what it needs (0x66, REX.W). */
int opsize(struct gctx *g, int reg, int rm)
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
void modrm(struct gctx *g, int reg, bool allow_reg)
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
void mov_imm(struct gctx *g, int reg, uint64_t v)
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

uint64_t interesting(struct gctx *g)
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

uint16_t rand_sel(struct gctx *g)
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

void gen_body(struct gctx *g, int n)
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
