/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The instruction decoder's interface (decode.c).  It needs nothing but
 * the basic types, so that tests/unit can build the decoder in userspace.
 */
#ifndef _MV_DECODE_H
#define _MV_DECODE_H

#include <linux/types.h>

struct mv_vcpu;

/* The architectural limit: longer instructions raise #GP. */
#define MV_MAX_INSN	15

/* A two-byte opcode 0F xx, as struct mv_insn.opcode holds it. */
#define MV_OP2(b)	(0x0f00 | (b))

struct mv_insn {
	u8 bytes[MV_MAX_INSN];	/* zero past nr_bytes */
	u8 nr_bytes;		/* how many could be fetched */
	u8 len;
	u8 opsize;		/* 2, 4, 8 */
	u8 addrsize;		/* 2, 4, 8 */
	u8 rex;
	u8 seg;			/* enum mv_seg, after overrides */
	bool rep;
	bool lock;
	u16 opcode;		/* MV_OP2(second byte) for two-byte opcodes */
	u8 modrm_mod, modrm_reg, modrm_rm;	/* reg and register rm: REX */
	bool has_modrm;
	u64 ea;			/* effective address (offset), if memory */
	u64 imm;		/* sign-extended */
};

/* Default operand/address size of the current code segment: 2, 4 or 8. */
int mv_code_size(struct mv_vcpu *vcpu);

/*
 * Fetch and decode the instruction at CS:RIP.  0; -EFAULT when not even
 * its first byte can be read; -EOPNOTSUPP when it is not one of the few
 * the emulator knows, or runs past what could be fetched.
 */
int mv_insn_fetch_decode(struct mv_vcpu *vcpu, struct mv_insn *insn);

#endif /* _MV_DECODE_H */
