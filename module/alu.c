// SPDX-License-Identifier: GPL-2.0
/*
 * The emulator's arithmetic: read-modify-write instructions on a memory
 * operand.  A guest writes its page tables with them (Linux's set_bit()
 * on a PTE is LOCK OR, ptep_set_wrprotect() LOCK AND, ptep_get_and_clear()
 * XCHG, the access test AND and OR), and devices' registers too; when such
 * a write must be emulated (a shadowed table, MMIO), emulate.c reads the
 * operand, lets mv_alu_eval() say what the instruction makes of it, and
 * writes back.
 *
 * Flags follow the AMD and Intel manuals: ADD, ADC, SUB, SBB, CMP, NEG,
 * XADD and CMPXCHG set all six; INC and DEC all but CF; AND, OR, XOR and
 * TEST clear CF and OF, set SF, ZF and PF and leave AF undefined (we clear
 * it, as the CPUs we know do); NOT none; the bit tests CF only.
 */
#include <linux/kernel.h>
#include <asm/processor-flags.h>

#include "alu.h"

enum mv_alu_op {
	ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP,
	ALU_TEST, ALU_XCHG, ALU_NOT, ALU_NEG, ALU_INC, ALU_DEC, ALU_CMPXCHG,
	ALU_XADD, ALU_BT, ALU_BTS, ALU_BTR, ALU_BTC, ALU_NONE,
};

/* How an instruction uses its operands. */
struct mv_alu_form {
	enum mv_alu_op op;
	bool byte;		/* 8-bit operands */
	bool imm;		/* the source is the immediate, not ModRM.reg */
	bool to_reg;		/* ModRM.reg is the destination (r, r/m forms) */
};

static u64 alu_mask(int size)
{
	return size == 8 ? ~0ULL : BIT_ULL(size * 8) - 1;
}

static struct mv_alu_form alu_form(const struct mv_insn *insn)
{
	struct mv_alu_form f = { .op = ALU_NONE };
	u16 op = insn->opcode;
	u8 reg = insn->modrm_reg & 7;

	if (op < 0x40 && (op & 7) < 4) {
		f.op = op >> 3;			/* ADD OR ADC SBB AND SUB XOR CMP */
		f.byte = !(op & 1);
		f.to_reg = op & 2;
	} else if (op == 0x80 || op == 0x81 || op == 0x83) {
		f.op = reg;
		f.byte = op == 0x80;
		f.imm = true;
	} else if (op == 0x84 || op == 0x85) {
		f.op = ALU_TEST;
		f.byte = op == 0x84;
	} else if (op == 0x86 || op == 0x87) {
		f.op = ALU_XCHG;
		f.byte = op == 0x86;
	} else if (op == 0xf6 || op == 0xf7) {
		static const enum mv_alu_op grp3[8] = {
			ALU_TEST, ALU_TEST, ALU_NOT, ALU_NEG,
			ALU_NONE, ALU_NONE, ALU_NONE, ALU_NONE,
		};
		f.op = grp3[reg];
		f.byte = op == 0xf6;
		f.imm = f.op == ALU_TEST;
	} else if (op == 0xfe || op == 0xff) {
		f.op = reg == 0 ? ALU_INC : reg == 1 ? ALU_DEC : ALU_NONE;
		f.byte = op == 0xfe;
	} else if (op == MV_OP2(0xb0) || op == MV_OP2(0xb1)) {
		f.op = ALU_CMPXCHG;
		f.byte = op == MV_OP2(0xb0);
	} else if (op == MV_OP2(0xc0) || op == MV_OP2(0xc1)) {
		f.op = ALU_XADD;
		f.byte = op == MV_OP2(0xc0);
	} else if (op == MV_OP2(0xa3) || op == MV_OP2(0xab) ||
		   op == MV_OP2(0xb3) || op == MV_OP2(0xbb)) {
		f.op = op == MV_OP2(0xa3) ? ALU_BT : op == MV_OP2(0xab) ? ALU_BTS :
		       op == MV_OP2(0xb3) ? ALU_BTR : ALU_BTC;
	} else if (op == MV_OP2(0xba) && reg >= 4) {
		f.op = ALU_BT + reg - 4;
		f.imm = true;
	}
	return f;
}

int mv_alu_size(const struct mv_insn *insn)
{
	struct mv_alu_form f = alu_form(insn);

	if (f.op == ALU_NONE || !insn->has_modrm || insn->modrm_mod == 3)
		return 0;
	return f.byte ? 1 : insn->opsize;
}

/* ModRM.reg's value at @size (AH..BH without REX for bytes 4-7). */
static u64 alu_reg_read(const struct mv_insn *insn, const u64 *regs, int size)
{
	int reg = insn->modrm_reg;

	if (size == 1 && !insn->rex && reg >= 4 && reg < 8)
		return (regs[reg - 4] >> 8) & 0xff;
	return regs[reg] & alu_mask(size);
}

/* Register @reg (ModRM.reg's numbering) after a @size-byte write of @v. */
static void alu_reg_write(struct mv_alu *out, const struct mv_insn *insn,
			  const u64 *regs, int reg, int size, u64 v)
{
	int shift = 0;

	if (size == 1 && !insn->rex && reg >= 4 && reg < 8) {
		reg -= 4;
		shift = 8;
	}
	out->reg_write = true;
	out->reg = reg;
	if (size == 4)			/* 32-bit writes zero the top half */
		out->reg_val = (u32)v;
	else if (size == 8)
		out->reg_val = v;
	else
		out->reg_val = (regs[reg] & ~(alu_mask(size) << shift)) |
			       ((v & alu_mask(size)) << shift);
}

/* SF, ZF and PF of result @r. */
static u64 alu_szp(u64 r, int size)
{
	u64 f = 0;

	r &= alu_mask(size);
	if (r >> (size * 8 - 1))
		f |= X86_EFLAGS_SF;
	if (!r)
		f |= X86_EFLAGS_ZF;
	if (!(hweight8(r & 0xff) & 1))
		f |= X86_EFLAGS_PF;
	return f;
}

/* @a + @b + @c at @size; the six flags to *@f. */
static u64 alu_add(u64 a, u64 b, bool c, int size, u64 *f)
{
	u64 m = alu_mask(size), r = (a + b + c) & m;
	int top = size * 8 - 1;

	*f = alu_szp(r, size);
	if (r < a || (c && r == a))
		*f |= X86_EFLAGS_CF;
	if ((((a ^ r) & (b ^ r)) >> top) & 1)
		*f |= X86_EFLAGS_OF;
	if ((a ^ b ^ r) & 0x10)
		*f |= X86_EFLAGS_AF;
	return r;
}

/* @a - @b - @c at @size (a borrow is CF). */
static u64 alu_sub(u64 a, u64 b, bool c, int size, u64 *f)
{
	u64 m = alu_mask(size), r = (a - b - c) & m;
	int top = size * 8 - 1;

	*f = alu_szp(r, size);
	if (a < b || (c && a == b))
		*f |= X86_EFLAGS_CF;
	if ((((a ^ b) & (a ^ r)) >> top) & 1)
		*f |= X86_EFLAGS_OF;
	if ((a ^ b ^ r) & 0x10)
		*f |= X86_EFLAGS_AF;
	return r;
}

/* The bit tests: CF is the old bit; -EOPNOTSUPP for a bit elsewhere. */
static int alu_bit(const struct mv_alu_form *f, const struct mv_insn *insn,
		   const u64 *regs, u64 mem, int size, struct mv_alu *out)
{
	u64 bits = size * 8, nr, bit;

	if (f->imm) {
		nr = insn->imm & (bits - 1);
	} else {
		/* A register offset reaches other memory: only 0..bits-1 here. */
		nr = alu_reg_read(insn, regs, size);
		if (nr >= bits)
			return -EOPNOTSUPP;
	}
	bit = BIT_ULL(nr);
	out->rflags = (out->rflags & ~X86_EFLAGS_CF) | ((mem & bit) ? X86_EFLAGS_CF : 0);
	out->mem_write = f->op != ALU_BT;
	out->mem_val = f->op == ALU_BTS ? mem | bit :
		       f->op == ALU_BTR ? mem & ~bit : mem ^ bit;
	return 0;
}

/* The two-operand arithmetic and logic, dst = dst OP src. */
static u64 alu_binary(enum mv_alu_op op, u64 dst, u64 src, bool cf, int size,
		      u64 *f)
{
	switch (op) {
	case ALU_ADD:
		return alu_add(dst, src, false, size, f);
	case ALU_ADC:
		return alu_add(dst, src, cf, size, f);
	case ALU_SUB:
	case ALU_CMP:
		return alu_sub(dst, src, false, size, f);
	case ALU_SBB:
		return alu_sub(dst, src, cf, size, f);
	case ALU_OR:
		dst |= src;
		break;
	case ALU_XOR:
		dst ^= src;
		break;
	default:			/* AND, TEST */
		dst &= src;
	}
	*f = alu_szp(dst, size);
	return dst & alu_mask(size);
}

/* CMPXCHG: compare rAX with memory; equal stores ModRM.reg, else loads rAX. */
static void alu_cmpxchg(const struct mv_insn *insn, const u64 *regs, u64 mem,
			int size, struct mv_alu *out, u64 *f)
{
	u64 acc = regs[0] & alu_mask(size);

	alu_sub(acc, mem, false, size, f);
	/* Unequal, it still writes: the old value (the CPU and KVM do). */
	out->mem_write = true;
	if (acc == mem) {
		out->mem_val = alu_reg_read(insn, regs, size);
	} else {
		out->mem_val = mem;
		/* rAX: register 0, never the AH quirk */
		alu_reg_write(out, insn, regs, 0, size, mem);
	}
}

int mv_alu_eval(const struct mv_insn *insn, const u64 *regs, u64 rflags,
		u64 mem, struct mv_alu *out)
{
	struct mv_alu_form f = alu_form(insn);
	int size = mv_alu_size(insn);
	bool cf = rflags & X86_EFLAGS_CF;
	u64 src, r, flags = 0;

	*out = (struct mv_alu){ .rflags = rflags };
	if (!size)
		return -EOPNOTSUPP;
	mem &= alu_mask(size);
	src = f.imm ? insn->imm & alu_mask(size) : alu_reg_read(insn, regs, size);
	switch (f.op) {
	case ALU_BT:
	case ALU_BTS:
	case ALU_BTR:
	case ALU_BTC:
		return alu_bit(&f, insn, regs, mem, size, out);
	case ALU_XCHG:
		out->mem_write = true;
		out->mem_val = src;
		alu_reg_write(out, insn, regs, insn->modrm_reg, size, mem);
		return 0;
	case ALU_NOT:
		out->mem_write = true;
		out->mem_val = ~mem & alu_mask(size);
		return 0;
	case ALU_NEG:
		out->mem_write = true;
		out->mem_val = alu_sub(0, mem, false, size, &flags);
		break;
	case ALU_INC:
	case ALU_DEC:
		out->mem_write = true;
		out->mem_val = f.op == ALU_INC ? alu_add(mem, 1, false, size, &flags) :
						 alu_sub(mem, 1, false, size, &flags);
		flags = (flags & ~X86_EFLAGS_CF) | (rflags & X86_EFLAGS_CF);
		break;
	case ALU_CMPXCHG:
		alu_cmpxchg(insn, regs, mem, size, out, &flags);
		break;
	case ALU_XADD:
		out->mem_write = true;
		out->mem_val = alu_add(mem, src, false, size, &flags);
		alu_reg_write(out, insn, regs, insn->modrm_reg, size, mem);
		break;
	default:
		if (f.to_reg) {
			r = alu_binary(f.op, src, mem, cf, size, &flags);
			if (f.op != ALU_CMP)
				alu_reg_write(out, insn, regs, insn->modrm_reg, size, r);
		} else {
			r = alu_binary(f.op, mem, src, cf, size, &flags);
			out->mem_write = f.op != ALU_CMP && f.op != ALU_TEST;
			out->mem_val = r;
		}
	}
	out->rflags = (rflags & ~MV_ALU_FLAGS) | flags;
	return 0;
}
