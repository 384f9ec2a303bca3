/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulator's arithmetic (alu.c): what an instruction that reads and
 * maybe writes a memory operand (ADD, OR, AND, XCHG, CMPXCHG, BTS, INC,
 * ...) makes of the operand's old value, the registers and RFLAGS.  Pure
 * functions of their arguments, so that tests/unit can check them against
 * the CPU that runs the test.
 */
#ifndef _MV_ALU_H
#define _MV_ALU_H

#include "decode.h"

/* The arithmetic flags: CF, PF, AF, ZF, SF, OF. */
#define MV_ALU_FLAGS	0x8d5ULL

/* What a memory-operand instruction does (mv_alu_eval). */
struct mv_alu {
	bool mem_write;		/* mem_val goes to the memory operand */
	bool reg_write;		/* regs[reg] becomes reg_val (all 64 bits) */
	u8 reg;
	u64 mem_val;
	u64 reg_val;
	u64 rflags;		/* RFLAGS after it */
};

/*
 * The size in bytes of @insn's memory operand when it is one of the
 * instructions mv_alu_eval() knows and its operand is memory; else 0.
 * @insn is decoded and not a MOV (the plain stores and loads are the
 * emulator's own).
 */
int mv_alu_size(const struct mv_insn *insn);

/*
 * Run @insn with @mem as its memory operand's value (mv_alu_size() bytes),
 * @regs the 16 general registers and @rflags.  0 with *@out filled, or
 * -EOPNOTSUPP (an instruction it does not know, a bit offset that leaves
 * the operand).  CMPXCHG that fails writes the old value back (a write
 * cycle, as the CPU's locked cycle and KVM's emulator have it); logic
 * instructions clear AF; BT, BTS, BTR and BTC change only CF.
 */
int mv_alu_eval(const struct mv_insn *insn, const u64 *regs, u64 rflags,
		u64 mem, struct mv_alu *out);

#endif /* _MV_ALU_H */
