// SPDX-License-Identifier: GPL-2.0
/*
 * The instruction decoder.
 *
 * The emulator (emulate.c) and the exit handlers need to know a little
 * about the instruction at CS:RIP: its length, operand and address size,
 * segment, ModRM fields, the effective address of a memory operand and its
 * immediate.  Only the few instructions that can reach us are known: the
 * opcode tables below list them with what follows each opcode, and
 * anything else is -EOPNOTSUPP.
 *
 * An instruction is, in this order: legacy prefixes, in 64-bit mode a REX
 * prefix, one or two opcode bytes, ModRM, SIB, a displacement (or the
 * moffs offset of A0-A3) and an immediate.  Each step below takes its part
 * through dec_byte() or dec_signed(), which never read past the bytes that
 * were fetched: an instruction that does not fit in them is not decoded.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "minivisor.h"

/* What follows an opcode; 0 in the tables for one we do not decode. */
#define OP_OK		BIT(0)	/* one we decode */
#define OP_MODRM	BIT(1)	/* ModRM, maybe SIB and a displacement */
#define OP_REG0		BIT(2)	/* ... whose reg field must be 0 */
#define OP_IMM8		BIT(3)	/* an 8-bit immediate */
#define OP_IMMZ		BIT(4)	/* 16-bit with a 16-bit operand size, else 32 */
#define OP_MOFFS	BIT(5)	/* an offset of the address size, no ModRM */
#define OP_GRP3		BIT(6)	/* F6/F7: an immediate only for reg 0 and 1 */

static const u8 mv_op1[256] = {
	/* ADD, OR, ADC, SBB, AND, SUB, XOR, CMP: r/m,r and r,r/m */
	[0x00 ... 0x03] = OP_OK | OP_MODRM, [0x08 ... 0x0b] = OP_OK | OP_MODRM,
	[0x10 ... 0x13] = OP_OK | OP_MODRM, [0x18 ... 0x1b] = OP_OK | OP_MODRM,
	[0x20 ... 0x23] = OP_OK | OP_MODRM, [0x28 ... 0x2b] = OP_OK | OP_MODRM,
	[0x30 ... 0x33] = OP_OK | OP_MODRM, [0x38 ... 0x3b] = OP_OK | OP_MODRM,
	[0x6c ... 0x6f] = OP_OK,			/* INS, OUTS */
	[0x80] = OP_OK | OP_MODRM | OP_IMM8,		/* group 1, imm8 */
	[0x81] = OP_OK | OP_MODRM | OP_IMMZ,		/* group 1, imm */
	[0x83] = OP_OK | OP_MODRM | OP_IMM8,		/* group 1, imm8 sign-extended */
	[0x84 ... 0x87] = OP_OK | OP_MODRM,		/* TEST, XCHG */
	[0x88 ... 0x8b] = OP_OK | OP_MODRM,		/* MOV r/m <-> r */
	[0xa0 ... 0xa3] = OP_OK | OP_MOFFS,		/* MOV rAX <-> moffs */
	[0xaa ... 0xab] = OP_OK,			/* STOS */
	[0xc6] = OP_OK | OP_MODRM | OP_REG0 | OP_IMM8,	/* MOV r/m8, imm8 */
	[0xc7] = OP_OK | OP_MODRM | OP_REG0 | OP_IMMZ,	/* MOV r/m, imm */
	[0xe4 ... 0xe7] = OP_OK | OP_IMM8,		/* IN, OUT imm8 */
	[0xec ... 0xef] = OP_OK,			/* IN, OUT DX */
	[0xf4] = OP_OK,					/* HLT */
	[0xf6] = OP_OK | OP_MODRM | OP_GRP3 | OP_IMM8,	/* TEST imm8, NOT, NEG, ... */
	[0xf7] = OP_OK | OP_MODRM | OP_GRP3 | OP_IMMZ,	/* TEST imm, NOT, NEG, ... */
	[0xfe ... 0xff] = OP_OK | OP_MODRM,		/* INC, DEC, ... */
};

/* Opcodes 0F xx, by xx. */
static const u8 mv_op2[256] = {
	[0x01] = OP_OK | OP_MODRM,		/* group 7: SMSW, LMSW, INVLPG */
	[0x06] = OP_OK,				/* CLTS */
	[0x08] = OP_OK,				/* INVD */
	[0x09] = OP_OK,				/* WBINVD */
	[0x20 ... 0x23] = OP_OK | OP_MODRM,	/* MOV from/to CR, DR */
	[0x30] = OP_OK,				/* WRMSR */
	[0x32] = OP_OK,				/* RDMSR */
	[0xa2] = OP_OK,				/* CPUID */
	[0xa3] = OP_OK | OP_MODRM,		/* BT r/m, r */
	[0xab] = OP_OK | OP_MODRM,		/* BTS r/m, r */
	[0xb0 ... 0xb1] = OP_OK | OP_MODRM,	/* CMPXCHG */
	[0xb3] = OP_OK | OP_MODRM,		/* BTR r/m, r */
	[0xb6 ... 0xb7] = OP_OK | OP_MODRM,	/* MOVZX */
	[0xba] = OP_OK | OP_MODRM | OP_IMM8,	/* group 8: BT, BTS, BTR, BTC imm8 */
	[0xbb] = OP_OK | OP_MODRM,		/* BTC r/m, r */
	[0xbe ... 0xbf] = OP_OK | OP_MODRM,	/* MOVSX */
	[0xc0 ... 0xc1] = OP_OK | OP_MODRM,	/* XADD */
};

/* REX bits: the fourth bit of a register number, and REX.W. */
#define REX_B	BIT(0)		/* ModRM.rm, SIB.base */
#define REX_X	BIT(1)		/* SIB.index */
#define REX_R	BIT(2)		/* ModRM.reg */
#define REX_W	BIT(3)		/* 64-bit operand size */

/* Where decoding stands; the results go to *insn as they are found. */
struct mv_dec {
	struct mv_vcpu *vcpu;	/* its registers make the effective address */
	struct mv_insn *insn;
	int mode;		/* code size: 2, 4 or 8 */
	unsigned int pos;	/* the next byte */
	unsigned int end;	/* the bytes fetched */
	bool opsize_pfx, addrsize_pfx;
	int seg;		/* a segment override, or -1 */
	bool ss;		/* the base is rBP or rSP: SS by default */
	bool rip_rel;		/* the displacement is from the next RIP */
};

int mv_code_size(struct mv_vcpu *vcpu)
{
	struct mv_segment cs;

	if (!(vcpu->cr0 & X86_CR0_PE) || (vcpu->rflags & X86_EFLAGS_VM))
		return 2;
	mv_arch->get_segment(vcpu, MV_CS, &cs);
	if (mv_is_long_mode(vcpu) && cs.l)
		return 8;
	return cs.db ? 4 : 2;
}

/* Up to MV_MAX_INSN bytes at CS:RIP, as far as the guest's memory goes. */
static int mv_fetch(struct mv_vcpu *vcpu, struct mv_insn *insn)
{
	u64 lin = mv_seg_base(vcpu, MV_CS) + vcpu->rip;
	unsigned int done = 0;

	if (mv_code_size(vcpu) != 8)
		lin = (u32)lin;
	while (done < MV_MAX_INSN) {
		u64 addr = lin + done, gpa;
		unsigned int chunk = min_t(unsigned int, MV_MAX_INSN - done,
					   PAGE_SIZE - (addr & ~PAGE_MASK));

		/*
		 * The first page held the instruction when it exited; past it,
		 * fetch only what is there, without faulting: the instruction
		 * may well end before (a #PF for the next page would be bogus).
		 */
		if ((done ? mv_mmu_gva_peek(vcpu, addr, X86_PF_INSTR, &gpa) :
			    mv_mmu_gva_to_gpa(vcpu, addr, X86_PF_INSTR, &gpa)) ||
		    mv_mem_copy(vcpu->vm, gpa, insn->bytes + done, chunk, false))
			break;
		done += chunk;
	}
	insn->nr_bytes = done;
	return done ? 0 : -EFAULT;
}

/* The next byte; -EOPNOTSUPP past the end of what was fetched. */
static int dec_byte(struct mv_dec *d, u8 *b)
{
	if (d->pos >= d->end)
		return -EOPNOTSUPP;
	*b = d->insn->bytes[d->pos++];
	return 0;
}

/* The next @n bytes (0, 1, 2, 4 or 8), little-endian, sign-extended. */
static int dec_signed(struct mv_dec *d, unsigned int n, u64 *val)
{
	u64 v = 0;
	unsigned int i;

	if (n > d->end - d->pos)
		return -EOPNOTSUPP;
	for (i = n; i > 0; i--)
		v = v << 8 | d->insn->bytes[d->pos + i - 1];
	d->pos += n;
	*val = v;
	if (n && n < 8)
		*val = sign_extend64(v, n * 8 - 1);
	return 0;
}

/* The segment a prefix byte selects, or -1 when it is not an override. */
static int seg_prefix(u8 b)
{
	switch (b) {
	case 0x26:
		return MV_ES;
	case 0x2e:
		return MV_CS;
	case 0x36:
		return MV_SS;
	case 0x3e:
		return MV_DS;
	case 0x64:
		return MV_FS;
	case 0x65:
		return MV_GS;
	default:
		return -1;
	}
}

/* Operand and address size: the code size, as REX.W and 66/67 change it. */
static void dec_sizes(struct mv_dec *d)
{
	struct mv_insn *insn = d->insn;

	if (d->mode == 8) {
		insn->opsize = (insn->rex & REX_W) ? 8 : d->opsize_pfx ? 2 : 4;
		insn->addrsize = d->addrsize_pfx ? 4 : 8;
	} else {
		/* A prefix switches between 16 and 32 bits. */
		insn->opsize = (d->mode == 4) != d->opsize_pfx ? 4 : 2;
		insn->addrsize = (d->mode == 4) != d->addrsize_pfx ? 4 : 2;
	}
}

/* Legacy prefixes in any order (the last override wins), then REX. */
static int dec_prefixes(struct mv_dec *d)
{
	struct mv_insn *insn = d->insn;
	u8 b;

	for (;; d->pos++) {
		if (d->pos >= d->end)
			return -EOPNOTSUPP;
		b = insn->bytes[d->pos];
		if (b == 0x66)
			d->opsize_pfx = true;
		else if (b == 0x67)
			d->addrsize_pfx = true;
		else if (b == 0xf0)
			insn->lock = true;
		else if (b == 0xf2 || b == 0xf3)
			insn->rep = true;
		else if (seg_prefix(b) >= 0)
			d->seg = seg_prefix(b);
		else
			break;
	}
	/*
	 * REX counts right before the opcode only.  A second REX, or a legacy
	 * prefix after one, is left to be taken for an opcode: none we know.
	 */
	if (d->mode == 8 && (b & 0xf0) == 0x40) {
		insn->rex = b;
		d->pos++;
	}
	/*
	 * As ever, refuse an opcode in the last possible byte (so a 15-byte
	 * HLT, INS or OUT with 14 prefixes), though the CPU would run it.
	 */
	if (d->pos >= MV_MAX_INSN - 1)
		return -EOPNOTSUPP;
	dec_sizes(d);
	return 0;
}

/* One or two opcode bytes; *flags is their entry in the tables. */
static int dec_opcode(struct mv_dec *d, u8 *flags)
{
	u8 b;

	if (dec_byte(d, &b))
		return -EOPNOTSUPP;
	if (b == 0x0f) {
		if (dec_byte(d, &b))
			return -EOPNOTSUPP;
		d->insn->opcode = MV_OP2(b);
		*flags = mv_op2[b];
	} else {
		d->insn->opcode = b;
		*flags = mv_op1[b];
	}
	return *flags ? 0 : -EOPNOTSUPP;
}

/* The fourth bit of a register number, when REX has @bit. */
static unsigned int rex_ext(const struct mv_insn *insn, u8 bit)
{
	return (insn->rex & bit) ? 8 : 0;
}

/* Add a base register; rBP and rSP address the stack. */
static void ea_base(struct mv_dec *d, unsigned int reg)
{
	d->insn->ea += d->vcpu->regs[reg];
	/* Also R13 and R12, as before; only FS and GS count in 64-bit mode. */
	if ((reg & 7) == MV_RBP || (reg & 7) == MV_RSP)
		d->ss = true;
}

/*
 * 16-bit addressing: rm selects one of eight sums of BX or BP with SI or
 * DI, except that rm 6 with mod 0 is a bare disp16.  The displacement has
 * mod bytes, so that is what is returned.
 */
static int ea16(struct mv_dec *d)
{
	static const s8 base[8] = { MV_RBX, MV_RBX, MV_RBP, MV_RBP,
				    -1, -1, MV_RBP, MV_RBX };
	static const s8 index[8] = { MV_RSI, MV_RDI, MV_RSI, MV_RDI,
				     MV_RSI, MV_RDI, -1, -1 };
	struct mv_insn *insn = d->insn;
	u8 mod = insn->modrm_mod, rm = insn->modrm_rm;

	if (mod == 0 && rm == 6)
		return 2;
	if (base[rm] >= 0)
		insn->ea += (u16)d->vcpu->regs[base[rm]];
	if (index[rm] >= 0)
		insn->ea += (u16)d->vcpu->regs[index[rm]];
	d->ss = base[rm] == MV_RBP;
	return mod;
}

/* SIB: a scaled index and a base, or none with base 5 and mod 0. */
static int dec_sib(struct mv_dec *d, bool *no_base)
{
	struct mv_insn *insn = d->insn;
	unsigned int index, base;
	u8 sib;

	if (dec_byte(d, &sib))
		return -EOPNOTSUPP;
	index = ((sib >> 3) & 7) | rex_ext(insn, REX_X);
	base = (sib & 7) | rex_ext(insn, REX_B);
	if (index != MV_RSP)		/* no index; R12 is one */
		insn->ea += d->vcpu->regs[index] << (sib >> 6);
	*no_base = (base & 7) == MV_RBP && insn->modrm_mod == 0;
	if (!*no_base)
		ea_base(d, base);
	return 0;
}

/* 32- and 64-bit addressing; returns the size of the displacement. */
static int ea32(struct mv_dec *d)
{
	struct mv_insn *insn = d->insn;
	bool no_base = false;

	if (insn->modrm_rm == 4) {
		if (dec_sib(d, &no_base))
			return -EOPNOTSUPP;
	} else if (insn->modrm_mod == 0 && insn->modrm_rm == 5) {
		/* disp32 alone: RIP-relative in 64-bit mode, even with REX.B */
		no_base = true;
		d->rip_rel = d->mode == 8;
	} else {
		ea_base(d, insn->modrm_rm | rex_ext(insn, REX_B));
	}
	if (insn->modrm_mod == 1)
		return 1;
	if (insn->modrm_mod == 2 || no_base)
		return 4;
	return 0;
}

/*
 * ModRM and the effective address it gives; returns the size of the
 * displacement that follows.  modrm_rm keeps REX.B for a register only.
 */
static int dec_modrm(struct mv_dec *d, u8 flags)
{
	struct mv_insn *insn = d->insn;
	u8 modrm;

	if (dec_byte(d, &modrm))
		return -EOPNOTSUPP;
	insn->has_modrm = true;
	insn->modrm_mod = modrm >> 6;
	insn->modrm_reg = ((modrm >> 3) & 7) | rex_ext(insn, REX_R);
	insn->modrm_rm = modrm & 7;
	if ((flags & OP_REG0) && (insn->modrm_reg & 7))
		return -EOPNOTSUPP;
	/* A register, also for group 7's fixed forms (VMMCALL, ...) */
	if (insn->modrm_mod == 3) {
		insn->modrm_rm |= rex_ext(insn, REX_B);
		return 0;
	}
	return insn->addrsize == 2 ? ea16(d) : ea32(d);
}

/* The displacement (or moffs) and the immediate, sign-extended. */
static int dec_operands(struct mv_dec *d, u8 flags, unsigned int disp_size)
{
	struct mv_insn *insn = d->insn;
	unsigned int imm_size = 0;
	u64 disp;

	if (flags & OP_MOFFS)
		disp_size = insn->addrsize;
	if ((flags & OP_GRP3) && (insn->modrm_reg & 7) > 1)
		imm_size = 0;
	else if (flags & OP_IMM8)
		imm_size = 1;
	else if (flags & OP_IMMZ)
		imm_size = insn->opsize == 2 ? 2 : 4;
	if (dec_signed(d, disp_size, &disp) ||
	    dec_signed(d, imm_size, &insn->imm))
		return -EOPNOTSUPP;
	insn->ea += disp;
	return 0;
}

/*
 * Decode insn->bytes.  The result is built in a fresh struct, so fields
 * an instruction lacks (ModRM, immediate) are 0, and *insn is only changed
 * on success.
 */
static int mv_decode(struct mv_vcpu *vcpu, struct mv_insn *insn)
{
	struct mv_insn out = { .nr_bytes = insn->nr_bytes };
	struct mv_dec d = {
		.vcpu = vcpu,
		.insn = &out,
		.mode = mv_code_size(vcpu),
		.end = min_t(unsigned int, insn->nr_bytes, MV_MAX_INSN),
		.seg = -1,
	};
	int disp_size = 0;
	u8 flags;

	memcpy(out.bytes, insn->bytes, sizeof(out.bytes));
	if (dec_prefixes(&d) || dec_opcode(&d, &flags))
		return -EOPNOTSUPP;
	if (flags & OP_MODRM) {
		disp_size = dec_modrm(&d, flags);
		if (disp_size < 0)
			return -EOPNOTSUPP;
	}
	if (dec_operands(&d, flags, disp_size))
		return -EOPNOTSUPP;
	out.len = d.pos;
	if (d.rip_rel)
		out.ea += vcpu->rip + out.len;
	out.ea &= mv_size_mask(out.addrsize);
	out.seg = d.seg >= 0 ? d.seg : d.ss ? MV_SS : MV_DS;
	*insn = out;
	return 0;
}

int mv_insn_fetch_decode(struct mv_vcpu *vcpu, struct mv_insn *insn)
{
	memset(insn->bytes, 0, sizeof(insn->bytes));
	if (mv_fetch(vcpu, insn))
		return -EFAULT;
	return mv_decode(vcpu, insn);
}
