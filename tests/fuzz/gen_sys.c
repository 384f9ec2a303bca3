// SPDX-License-Identifier: GPL-2.0
/*
 * The guest generator's templates for control flow and system
 * instructions: branches, IRET to ring 3, control registers, MSRs,
 * segment loads, descriptor tables and other system instructions, x87 and
 * SSE, miscellany, raw bytes, writes to the guest's own page tables and
 * hypercalls (balloon lists included).
 */
#include <string.h>

#include "gen.h"

static const uint32_t msrs[] = {
	0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0x174, 0x175, 0x176,
	0x277, 0x10, 0x1b, 0xfe, 0x2ff, 0x1a0, 0xc0010015, 0xc0010114,
	0xc0010117, 0x1d9, 0x48, 0x49, 0x8b, 0x3a, 0x6e0, 0x802, 0xc0011029,
	0x200, 0x250, 0xc0000104,
};

void t_branch(struct gctx *g)
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
void t_iret_user(struct gctx *g)
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

void t_cr(struct gctx *g)
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

void t_msr(struct gctx *g)
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

void t_seg(struct gctx *g)
{
	struct rng *r = g->r;
	int sreg = rn(r, 6);

	if (sreg == 1)		/* mov cs is #UD: now and then */
		sreg = rpct(r, 10) ? 1 : 3;
	mov_imm(g, 0, rand_sel(g));
	e8(g, 0x8e);
	e8(g, 0xc0 | sreg << 3);
}

/*
 * MOV from or to a debug register.  A value moved to DR7 (or DR5, its
 * alias while CR4.DE is clear) has its enable bits 0-7 cleared first:
 * see ginput_scrub() for why no generated guest arms a breakpoint.
 */
static void t_mov_dr(struct gctx *g)
{
	struct rng *r = g->r;
	bool rex40 = g->bits == 64 && rpct(r, 5);	/* as rex(g, 0, 0, 0) */
	int op = 0x21 + 2 * rn(r, 2);
	int dr = RPICK(r, ((const int[]){ 0, 1, 6, 7, 4, 5 }));
	int rm = rn(r, 8);

	if (op == 0x23 && (dr == 7 || dr == 5)) {
		/* and $0xffffff00, reg (sign-extended to 64 bits) */
		if (g->bits == 64)
			e8(g, 0x48);
		else if (g->bits == 16)
			e8(g, 0x66);
		e8(g, 0x81);
		e8(g, 0xe0 | rm);
		e32(g, 0xffffff00);
	}
	if (rex40)
		e8(g, 0x40);
	e8(g, 0x0f);
	e8(g, op);
	e8(g, 0xc0 | dr << 3 | rm);
}

void t_system(struct gctx *g)
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
		t_mov_dr(g);
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

void t_fpu(struct gctx *g)
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

void t_misc(struct gctx *g)
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

void t_raw(struct gctx *g)
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
void t_ptwrite(struct gctx *g)
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
void t_hypercall(struct gctx *g)
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
