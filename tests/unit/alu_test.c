// SPDX-License-Identifier: GPL-2.0
/*
 * module/alu.c, built in userspace and checked against the CPU that runs
 * the test (x86-64): every read-modify-write instruction mv_alu_eval()
 * knows, at each operand size, on random registers, memory values and
 * input flags (a fixed seed).  Each case runs the real instruction on a
 * memory operand (inline asm, the flags loaded with POPF and read back
 * with PUSHF) and compares the memory operand, all 16 registers (32-bit
 * writes zero the top half, 8- and 16-bit writes merge, AH..BH) and the
 * flags the manuals define for it.  Then the refusals: register operands,
 * instructions it does not know, bit offsets outside the operand.
 *
 * Prints TAP, one line per opcode and size; exits 1 when a case fails.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kernel.h>

#include "alu.h"

#ifndef __x86_64__
#error "alu_test runs the instructions it checks: build it on x86-64"
#endif

#define X86_CF		BIT_ULL(0)
#define X86_PF		BIT_ULL(2)
#define X86_AF		BIT_ULL(4)
#define X86_ZF		BIT_ULL(6)
#define X86_SF		BIT_ULL(7)
#define X86_OF		BIT_ULL(11)

/* The flags the manuals define, by instruction kind */
#define ARITH		MV_ALU_FLAGS			/* all six */
#define LOGIC		(MV_ALU_FLAGS & ~X86_AF)	/* AF undefined */
#define BITS		(X86_CF | X86_ZF)	/* CF; ZF unaffected (SDM) */

#define N_CASES		4000	/* random cases per opcode and size */
#define MAX_PRINT	3	/* mismatches printed per group */

#define GUARD_LO	0x5a5a5a5a5a5a5a5aULL
#define GUARD_HI	0xa5a5a5a5a5a5a5a5ULL

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64* */
static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static u64 size_mask(int size)
{
	return size == 8 ? ~0ULL : BIT_ULL(size * 8) - 1;
}

/* An operand value: often one near 0, -1 or the sign bit. */
static u64 rnd_operand(int size)
{
	u64 m = size_mask(size), sign = BIT_ULL(size * 8 - 1);

	switch (rnd() % 8) {
	case 0:
		return rnd() % 4;
	case 1:
		return (m - rnd() % 4) & m;
	case 2:
		return (sign - 2 + rnd() % 4) & m;
	default:
		return rnd() & m;
	}
}

/*
 * The CPU's side.  The operand is buf[1] (the guards around it must stay);
 * reg is ModRM.reg's register, rax the accumulator (CMPXCHG), flags the
 * six arithmetic flags going in and RFLAGS coming out.
 */
struct io {
	u64 flags, reg, rax;
	u64 buf[3];
};

typedef void (*cpu_fn)(struct io *io, int k);

/*
 * Around each instruction: step over the red zone (PUSHF writes below
 * RSP), load the six flags into RFLAGS, and read RFLAGS back after.  The
 * operand's address is in RSI, so that AH..BH, which no instruction with
 * REX can name, go with it.
 */
#define CPU_PRE		"lea -128(%%rsp), %%rsp\n\t"			\
			"pushfq\n\t"					\
			"andq %[keep], (%%rsp)\n\t"			\
			"orq %[fl], (%%rsp)\n\t"			\
			"popfq\n\t"
#define CPU_POST	"\n\tpushfq\n\t"				\
			"popq %[fl]\n\t"				\
			"lea 128(%%rsp), %%rsp"
#define CPU_OUT(rc)	[fl] "+r"(io->flags), [r] rc(io->reg), [a] "+a"(io->rax)
#define CPU_IN		[p] "S"(&io->buf[1]), [keep] "i"((long)~MV_ALU_FLAGS)

/* @text on (%[p]), with %[r] the register operand (constraint @rc) */
#define GEN(name, text, rc)						\
static void name(struct io *io, int k)					\
{									\
	asm volatile(CPU_PRE text CPU_POST				\
		     : CPU_OUT(rc) : CPU_IN : "cc", "memory");		\
}

/*
 * With %[i] the immediate: an asm constant, so one asm per value of a
 * list (IMM_LIST, BIT_LIST), @k the index, @T its type at the operand size.
 */
#define IMM_CASE(text, T, k, v)						\
	case k:								\
		asm volatile(CPU_PRE text CPU_POST			\
			     : CPU_OUT("+r")				\
			     : [i] "i"((T)(v)), CPU_IN			\
			     : "cc", "memory");				\
		break;
#define GEN_IMM(name, text, T, list)					\
static void name(struct io *io, int k)					\
{									\
	switch (k) {							\
	list(IMM_CASE, text, T)						\
	}								\
}

/* Immediates of group 1 and TEST, sign-extended (each used where it fits) */
#define IMM_LIST(X, text, T)						\
	X(text, T, 0, 0) X(text, T, 1, 1) X(text, T, 2, 0x7f)		\
	X(text, T, 3, -1) X(text, T, 4, -0x80) X(text, T, 5, 0x5a)	\
	X(text, T, 6, -0x5b) X(text, T, 7, 0x80) X(text, T, 8, 0x1234)	\
	X(text, T, 9, -0x1234) X(text, T, 10, 0x7fff)			\
	X(text, T, 11, -0x8000) X(text, T, 12, 0x12345678)		\
	X(text, T, 13, -0x12345678) X(text, T, 14, 0x7fffffff)		\
	X(text, T, 15, -0x7fffffff - 1)
/* Bit offsets of 0F BA (imm8, any: the CPU takes it modulo the size) */
#define BIT_LIST(X, text, T)						\
	X(text, T, 0, 0) X(text, T, 1, 1) X(text, T, 2, 5)		\
	X(text, T, 3, 7) X(text, T, 4, 8) X(text, T, 5, 15)		\
	X(text, T, 6, 16) X(text, T, 7, 31) X(text, T, 8, 32)		\
	X(text, T, 9, 33) X(text, T, 10, 63) X(text, T, 11, 64)	\
	X(text, T, 12, 0x7f) X(text, T, 13, -0x80) X(text, T, 14, -0x5b) \
	X(text, T, 15, -1)
#define IMM_VALUE(text, T, k, v)	[k] = (v),

static const s64 imm_list[] = { IMM_LIST(IMM_VALUE, , ) };
static const s64 bit_list[] = { BIT_LIST(IMM_VALUE, , ) };

/* r/m, r: 1 (the low byte), h (AH..BH), 2, 4, 8 */
#define GEN_MR(m)							\
	GEN(m##_mr1, #m "b %b[r], (%[p])", "+r")			\
	GEN(m##_mrh, #m "b %h[r], (%[p])", "+Q")			\
	GEN(m##_mr2, #m "w %w[r], (%[p])", "+r")			\
	GEN(m##_mr4, #m "l %k[r], (%[p])", "+r")			\
	GEN(m##_mr8, #m "q %q[r], (%[p])", "+r")
/* r, r/m */
#define GEN_RM(m)							\
	GEN(m##_rm1, #m "b (%[p]), %b[r]", "+r")			\
	GEN(m##_rmh, #m "b (%[p]), %h[r]", "+Q")			\
	GEN(m##_rm2, #m "w (%[p]), %w[r]", "+r")			\
	GEN(m##_rm4, #m "l (%[p]), %k[r]", "+r")			\
	GEN(m##_rm8, #m "q (%[p]), %q[r]", "+r")
/* r/m, imm (imm32 sign-extended for 8 bytes) */
#define GEN_I(m)							\
	GEN_IMM(m##_i1, #m "b %[i], (%[p])", s8, IMM_LIST)		\
	GEN_IMM(m##_i2, #m "w %[i], (%[p])", s16, IMM_LIST)		\
	GEN_IMM(m##_i4, #m "l %[i], (%[p])", s32, IMM_LIST)		\
	GEN_IMM(m##_i8, #m "q %[i], (%[p])", s32, IMM_LIST)
/* r/m alone */
#define GEN_ONE(m)							\
	GEN(m##_1, #m "b (%[p])", "+r")					\
	GEN(m##_2, #m "w (%[p])", "+r")					\
	GEN(m##_4, #m "l (%[p])", "+r")					\
	GEN(m##_8, #m "q (%[p])", "+r")
/* the bit tests: r/m, r and r/m, imm8 */
#define GEN_BT(m)							\
	GEN(m##_mr2, #m "w %w[r], (%[p])", "+r")			\
	GEN(m##_mr4, #m "l %k[r], (%[p])", "+r")			\
	GEN(m##_mr8, #m "q %q[r], (%[p])", "+r")			\
	GEN_IMM(m##_i2, #m "w %[i], (%[p])", u8, BIT_LIST)		\
	GEN_IMM(m##_i4, #m "l %[i], (%[p])", u8, BIT_LIST)		\
	GEN_IMM(m##_i8, #m "q %[i], (%[p])", u8, BIT_LIST)
#define GEN_ALU(m)	GEN_MR(m) GEN_RM(m) GEN_I(m)

GEN_ALU(add)
GEN_ALU(or)
GEN_ALU(adc)
GEN_ALU(sbb)
GEN_ALU(and)
GEN_ALU(sub)
GEN_ALU(xor)
GEN_ALU(cmp)
GEN_MR(test)
GEN_I(test)
GEN_MR(xchg)
GEN_MR(xadd)
GEN_MR(cmpxchg)
GEN_ONE(not)
GEN_ONE(neg)
GEN_ONE(inc)
GEN_ONE(dec)
GEN_BT(bt)
GEN_BT(bts)
GEN_BT(btr)
GEN_BT(btc)

/* CMPXCHG with rAX (or AH) as the source too */
GEN(cmpxchg_a1, "cmpxchgb %%al, (%[p])", "+r")
GEN(cmpxchg_ah, "cmpxchgb %%ah, (%[p])", "+r")
GEN(cmpxchg_a2, "cmpxchgw %%ax, (%[p])", "+r")
GEN(cmpxchg_a4, "cmpxchgl %%eax, (%[p])", "+r")
GEN(cmpxchg_a8, "cmpxchgq %%rax, (%[p])", "+r")

/* F6 /1 and F7 /1, TEST's other encoding, as bytes ((%rsi) is ModRM 0e) */
GEN_IMM(test1_i1, ".byte 0xf6, 0x0e, %c[i]", s8, IMM_LIST)
GEN_IMM(test1_i2, ".byte 0x66, 0xf7, 0x0e\n\t.short %c[i]", s16, IMM_LIST)
GEN_IMM(test1_i4, ".byte 0xf7, 0x0e\n\t.long %c[i]", s32, IMM_LIST)
GEN_IMM(test1_i8, ".byte 0x48, 0xf7, 0x0e\n\t.long %c[i]", s32, IMM_LIST)

enum kind {
	K_MR,		/* ModRM.reg is the source (or both: XCHG, XADD) */
	K_RM,		/* ModRM.reg is the destination */
	K_IMM,		/* an immediate; ModRM.reg the opcode's extension */
	K_ONE,		/* the memory operand alone */
	K_CMPXCHG,
	K_BITR,		/* a bit test with a register offset */
};

struct row {
	const char *name;
	u16 opcode;
	int ext;		/* the extension in ModRM.reg, or -1 */
	enum kind kind;
	int immw;		/* immediate bytes; 0: 2 or 4 (imm16/32) */
	const s64 *imms;
	bool mem_write;		/* writes memory (CMPXCHG: always, the old value if unequal) */
	u64 flags;		/* flags compared with the CPU's */
	u64 kept;		/* flags the module keeps (alu.h) */
	u64 cleared;		/* flags the module clears (alu.h) */
	cpu_fn cpu[5];		/* 1 byte, AH..BH, 2, 4, 8 */
	cpu_fn alias[5];	/* CMPXCHG with rAX itself */
};

#define BYTE(m)		.cpu = { m##1, m##h }
#define WIDE(m)		.cpu = { NULL, NULL, m##2, m##4, m##8 }
#define ALL(m)		.cpu = { m##1, NULL, m##2, m##4, m##8 }

/* 00-3B: ADD OR ADC SBB AND SUB XOR CMP, both directions */
#define ALU_ROWS(i, m, fl, cl)						\
	{ .name = #m " r/m, r", .opcode = 8 * (i), .ext = -1,		\
	  .kind = K_MR, .mem_write = (i) != 7, .flags = fl,		\
	  .cleared = cl, BYTE(m##_mr) },				\
	{ .name = #m " r/m, r", .opcode = 8 * (i) + 1, .ext = -1,	\
	  .kind = K_MR, .mem_write = (i) != 7, .flags = fl,		\
	  .cleared = cl, WIDE(m##_mr) },				\
	{ .name = #m " r, r/m", .opcode = 8 * (i) + 2, .ext = -1,	\
	  .kind = K_RM, .flags = fl, .cleared = cl, BYTE(m##_rm) },	\
	{ .name = #m " r, r/m", .opcode = 8 * (i) + 3, .ext = -1,	\
	  .kind = K_RM, .flags = fl, .cleared = cl, WIDE(m##_rm) },
/* 80, 81, 83 /i */
#define GRP1_ROWS(i, m, fl, cl)						\
	{ .name = #m " r/m, imm8", .opcode = 0x80, .ext = i,		\
	  .kind = K_IMM, .immw = 1, .imms = imm_list,			\
	  .mem_write = (i) != 7, .flags = fl, .cleared = cl,		\
	  .cpu = { m##_i1 } },						\
	{ .name = #m " r/m, imm", .opcode = 0x81, .ext = i,		\
	  .kind = K_IMM, .immw = 0, .imms = imm_list,			\
	  .mem_write = (i) != 7, .flags = fl, .cleared = cl,		\
	  WIDE(m##_i) },						\
	{ .name = #m " r/m, imm8", .opcode = 0x83, .ext = i,		\
	  .kind = K_IMM, .immw = 1, .imms = imm_list,			\
	  .mem_write = (i) != 7, .flags = fl, .cleared = cl,		\
	  WIDE(m##_i) },
#define ONE_ROWS(op, i, m, fl)						\
	{ .name = #m " r/m", .opcode = op, .ext = i, .kind = K_ONE,	\
	  .mem_write = true, .flags = fl, .cpu = { m##_1 } },		\
	{ .name = #m " r/m", .opcode = (op) + 1, .ext = i,		\
	  .kind = K_ONE, .mem_write = true, .flags = fl, WIDE(m##_) },
#define BT_ROWS(op, i, m, w)						\
	{ .name = #m " r/m, r", .opcode = MV_OP2(op), .ext = -1,	\
	  .kind = K_BITR, .mem_write = w, .flags = BITS,		\
	  .kept = ARITH & ~X86_CF, WIDE(m##_mr) },			\
	{ .name = #m " r/m, imm8", .opcode = MV_OP2(0xba), .ext = i,	\
	  .kind = K_IMM, .immw = 1, .imms = bit_list, .mem_write = w,	\
	  .flags = BITS, .kept = ARITH & ~X86_CF, WIDE(m##_i) },

static const struct row rows[] = {
	ALU_ROWS(0, add, ARITH, 0)
	ALU_ROWS(1, or, LOGIC, X86_AF)
	ALU_ROWS(2, adc, ARITH, 0)
	ALU_ROWS(3, sbb, ARITH, 0)
	ALU_ROWS(4, and, LOGIC, X86_AF)
	ALU_ROWS(5, sub, ARITH, 0)
	ALU_ROWS(6, xor, LOGIC, X86_AF)
	ALU_ROWS(7, cmp, ARITH, 0)
	GRP1_ROWS(0, add, ARITH, 0)
	GRP1_ROWS(1, or, LOGIC, X86_AF)
	GRP1_ROWS(2, adc, ARITH, 0)
	GRP1_ROWS(3, sbb, ARITH, 0)
	GRP1_ROWS(4, and, LOGIC, X86_AF)
	GRP1_ROWS(5, sub, ARITH, 0)
	GRP1_ROWS(6, xor, LOGIC, X86_AF)
	GRP1_ROWS(7, cmp, ARITH, 0)
	{ .name = "test r/m, r", .opcode = 0x84, .ext = -1, .kind = K_MR,
	  .flags = LOGIC, .cleared = X86_AF, BYTE(test_mr) },
	{ .name = "test r/m, r", .opcode = 0x85, .ext = -1, .kind = K_MR,
	  .flags = LOGIC, .cleared = X86_AF, WIDE(test_mr) },
	/* XCHG and NOT: flags unaffected, so all six are compared */
	{ .name = "xchg r/m, r", .opcode = 0x86, .ext = -1, .kind = K_MR,
	  .mem_write = true, .flags = ARITH, BYTE(xchg_mr) },
	{ .name = "xchg r/m, r", .opcode = 0x87, .ext = -1, .kind = K_MR,
	  .mem_write = true, .flags = ARITH, WIDE(xchg_mr) },
	{ .name = "test r/m, imm", .opcode = 0xf6, .ext = 0, .kind = K_IMM,
	  .immw = 1, .imms = imm_list, .flags = LOGIC, .cleared = X86_AF,
	  .cpu = { test_i1 } },
	{ .name = "test r/m, imm", .opcode = 0xf7, .ext = 0, .kind = K_IMM,
	  .imms = imm_list, .flags = LOGIC, .cleared = X86_AF,
	  WIDE(test_i) },
	{ .name = "test r/m, imm", .opcode = 0xf6, .ext = 1, .kind = K_IMM,
	  .immw = 1, .imms = imm_list, .flags = LOGIC, .cleared = X86_AF,
	  .cpu = { test1_i1 } },
	{ .name = "test r/m, imm", .opcode = 0xf7, .ext = 1, .kind = K_IMM,
	  .imms = imm_list, .flags = LOGIC, .cleared = X86_AF,
	  WIDE(test1_i) },
	ONE_ROWS(0xf6, 2, not, ARITH)
	ONE_ROWS(0xf6, 3, neg, ARITH)
	/* INC, DEC: CF is kept, which the CPU shows */
	ONE_ROWS(0xfe, 0, inc, ARITH)
	ONE_ROWS(0xfe, 1, dec, ARITH)
	{ .name = "cmpxchg r/m, r", .opcode = MV_OP2(0xb0), .ext = -1,
	  .kind = K_CMPXCHG, .mem_write = true, .flags = ARITH,
	  BYTE(cmpxchg_mr), .alias = { cmpxchg_a1, cmpxchg_ah } },
	{ .name = "cmpxchg r/m, r", .opcode = MV_OP2(0xb1), .ext = -1,
	  .kind = K_CMPXCHG, .mem_write = true, .flags = ARITH,
	  WIDE(cmpxchg_mr),
	  .alias = { NULL, NULL, cmpxchg_a2, cmpxchg_a4, cmpxchg_a8 } },
	{ .name = "xadd r/m, r", .opcode = MV_OP2(0xc0), .ext = -1,
	  .kind = K_MR, .mem_write = true, .flags = ARITH, BYTE(xadd_mr) },
	{ .name = "xadd r/m, r", .opcode = MV_OP2(0xc1), .ext = -1,
	  .kind = K_MR, .mem_write = true, .flags = ARITH, WIDE(xadd_mr) },
	BT_ROWS(0xa3, 4, bt, false)
	BT_ROWS(0xab, 5, bts, true)
	BT_ROWS(0xb3, 6, btr, true)
	BT_ROWS(0xbb, 7, btc, true)
};

static unsigned int nr_cases, nr_failed;

static int size_index(int size)
{
	return size == 1 ? 0 : size == 2 ? 2 : size == 4 ? 3 : 4;
}

/* The immediate's width for @row at @size */
static int imm_width(const struct row *row, int size)
{
	return row->immw ? row->immw : size == 2 ? 2 : 4;
}

static bool imm_fits(s64 v, int width)
{
	return sign_extend64(v, width * 8 - 1) == v;
}

static bool reg_kind(const struct row *row)
{
	return row->kind == K_MR || row->kind == K_RM ||
	       row->kind == K_CMPXCHG || row->kind == K_BITR;
}

static void print_opcode(const struct row *row)
{
	if (row->opcode > 0xff)
		printf("0f %02x", row->opcode & 0xff);
	else
		printf("%02x", row->opcode);
	if (row->ext >= 0)
		printf(" /%d", row->ext);
}

/* A random instruction of @row at @size: ModRM.reg, REX, the rest. */
static void make_insn(struct mv_insn *insn, const struct row *row, int size)
{
	int reg = row->ext >= 0 ? row->ext : (int)(rnd() % 16);
	u8 rex = 0;

	/* REX.R of a group opcode's extension is ignored */
	if (row->ext >= 0 && rnd() % 2)
		reg += 8;
	if (reg >= 8)
		rex = 0x44;
	else if (rnd() % 2)
		rex = 0x40;
	if (rex)
		rex |= rnd() % 4;		/* REX.X, REX.B */
	if (size == 8 || (size == 1 && rex && rnd() % 2))
		rex |= 0x48;
	memset(insn, 0, sizeof(*insn));
	insn->opcode = row->opcode;
	insn->opsize = size > 1 ? size : rex & 8 ? 8 : rnd() % 2 ? 4 : 2;
	insn->addrsize = 8;
	insn->rex = rex;
	insn->has_modrm = true;
	insn->modrm_mod = rnd() % 3;	/* 0, 1, 2: all memory */
	insn->modrm_reg = reg;
	insn->modrm_rm = rnd() % 16;
	insn->ea = rnd();
	insn->len = 2 + rnd() % 8;
}

/* Set @size bytes of register @phys (AH..BH when @high) to @v. */
static void set_operand(u64 *regs, int phys, bool high, int size, u64 v)
{
	u64 m = size_mask(size);

	if (high)
		regs[phys] = (regs[phys] & ~0xff00ULL) | (v & 0xff) << 8;
	else
		regs[phys] = (regs[phys] & ~m) | (v & m);
}

struct result {
	int ret;
	bool mem_write;
	u64 mem, rflags, regs[16];
};

static void print_result(const char *who, const struct result *r)
{
	printf("#     %s: ret %d, mem %#llx (written %d), rflags %#llx\n",
	       who, r->ret, (unsigned long long)r->mem, r->mem_write,
	       (unsigned long long)r->rflags);
}

/* A mismatch: @phys is the register ModRM.reg names (AH: 0). */
static void print_case(const struct row *row, int size,
		       const struct mv_insn *insn, int phys, const u64 *regs,
		       u64 mem, u64 rflags, const struct result *cpu,
		       const struct result *alu, const struct mv_alu *out)
{
	int i;

	printf("#   ");
	print_opcode(row);
	printf(" %s, size %d: ModRM.reg %d, REX %#x, imm %#llx\n", row->name,
	       size, insn->modrm_reg, insn->rex,
	       (unsigned long long)insn->imm);
	printf("#     in: mem %#llx, rflags %#llx, rax %#llx",
	       (unsigned long long)mem, (unsigned long long)rflags,
	       (unsigned long long)regs[0]);
	if (reg_kind(row))
		printf(", regs[%d] %#llx", phys,
		       (unsigned long long)regs[phys]);
	printf("; flags compared %#llx\n", (unsigned long long)row->flags);
	print_result("cpu", cpu);
	print_result("alu", alu);
	printf("#     alu: reg_write %d, reg %d, reg_val %#llx\n",
	       out->reg_write, out->reg, (unsigned long long)out->reg_val);
	for (i = 0; i < 16; i++)
		if (cpu->regs[i] != alu->regs[i])
			printf("#     regs[%d]: expected %#llx, got %#llx\n", i,
			       (unsigned long long)cpu->regs[i],
			       (unsigned long long)alu->regs[i]);
}

/* One random case of @row at @size with immediate @k: false on a mismatch. */
static bool run_case(const struct row *row, int size, int k, bool print)
{
	u64 m = size_mask(size), regs[16], mem, fin, rflags, upper;
	struct result cpu = { 0 }, alu = { 0 };
	bool high = false, alias = false, bad = false;
	struct mv_insn insn;
	struct mv_alu out;
	int i, phys = 0;
	struct io io;
	cpu_fn fn;

	make_insn(&insn, row, size);
	for (i = 0; i < 16; i++)
		regs[i] = rnd();
	mem = rnd_operand(size);
	if (reg_kind(row)) {
		high = size == 1 && !insn.rex && insn.modrm_reg >= 4 &&
		       insn.modrm_reg < 8;
		phys = high ? insn.modrm_reg - 4 : insn.modrm_reg;
		alias = row->kind == K_CMPXCHG && phys == 0;
		if (row->kind == K_BITR)
			set_operand(regs, phys, high, size, rnd() % (size * 8));
		else if (rnd() % 8 == 0)
			set_operand(regs, phys, high, size, mem);
		else
			set_operand(regs, phys, high, size, rnd_operand(size));
		/* CMPXCHG: equal half the time */
		if (row->kind == K_CMPXCHG && rnd() % 2)
			mem = regs[0] & m;
	}
	if (row->kind == K_IMM)
		insn.imm = row->imms[k];
	fin = rnd() & MV_ALU_FLAGS;
	/* Other flags (IF, DF, TF, ...) go through the module untouched */
	rflags = fin | BIT(1) | (rnd() & 0x3f7fff & ~(MV_ALU_FLAGS | BIT(1)));

	/* The CPU */
	io.flags = fin;
	io.reg = regs[phys];
	io.rax = regs[0];
	io.buf[0] = GUARD_LO;
	upper = rnd() & ~m;
	io.buf[1] = upper | mem;
	io.buf[2] = GUARD_HI;
	fn = alias ? row->alias[high ? 1 : size_index(size)] :
		     row->cpu[high ? 1 : size_index(size)];
	fn(&io, k);
	if (io.buf[0] != GUARD_LO || io.buf[2] != GUARD_HI ||
	    (io.buf[1] & ~m) != upper) {
		printf("#   the CPU wrote outside the operand\n");
		bad = true;
	}
	memcpy(cpu.regs, regs, sizeof(regs));
	if (alias) {
		cpu.regs[0] = io.rax;
	} else if (reg_kind(row)) {
		cpu.regs[phys] = io.reg;
		if (row->kind == K_CMPXCHG)
			cpu.regs[0] = io.rax;
	}
	cpu.mem = io.buf[1] & m;
	cpu.rflags = io.flags;
	/* CMPXCHG writes even when unequal: the old value, a write cycle */
	cpu.mem_write = row->mem_write;

	/* The module */
	memset(&out, 0xa5, sizeof(out));
	if (mv_alu_size(&insn) != size) {
		printf("#   mv_alu_size %d, expected %d\n", mv_alu_size(&insn),
		       size);
		bad = true;
	}
	alu.ret = mv_alu_eval(&insn, regs, rflags, mem, &out);
	memcpy(alu.regs, regs, sizeof(regs));
	if (!alu.ret && out.reg_write) {
		if (out.reg < 16)
			alu.regs[out.reg] = out.reg_val;
		else
			bad = true;
	}
	alu.mem_write = !alu.ret && out.mem_write;
	alu.mem = alu.mem_write ? out.mem_val & m : mem;
	alu.rflags = out.rflags;

	bad |= alu.ret != 0 || alu.mem != cpu.mem ||
	       alu.mem_write != cpu.mem_write ||
	       memcmp(alu.regs, cpu.regs, sizeof(regs)) ||
	       ((alu.rflags ^ cpu.rflags) & row->flags) ||
	       /* what the module does where the manuals leave it open */
	       ((alu.rflags ^ rflags) & row->kept) ||
	       (alu.rflags & row->cleared) ||
	       /* and the rest of RFLAGS is the guest's */
	       ((alu.rflags ^ rflags) & ~MV_ALU_FLAGS);
	if (bad && print)
		print_case(row, size, &insn, phys, regs, mem, rflags, &cpu,
			   &alu, &out);
	nr_cases++;
	nr_failed += bad;
	return !bad;
}

static unsigned int nr_tests, nr_tests_failed;

static void report(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	nr_tests_failed += !ok;
}

static bool has_size(const struct row *row, int size)
{
	return row->cpu[size_index(size)];
}

static void run_group(const struct row *row, int size)
{
	int fit[16], nfit = 0, i, bad = 0;

	if (row->kind == K_IMM) {
		for (i = 0; i < 16; i++)
			if (row->imms != imm_list ||
			    imm_fits(row->imms[i], imm_width(row, size)))
				fit[nfit++] = i;
	}
	for (i = 0; i < N_CASES; i++)
		if (!run_case(row, size, nfit ? fit[i % nfit] : 0,
			      bad < MAX_PRINT))
			bad++;
	printf("%sok %u - ", bad ? "not " : "", ++nr_tests);
	print_opcode(row);
	printf(" %s, %d byte%s (%d cases", row->name, size,
	       size > 1 ? "s" : "", N_CASES);
	if (bad)
		printf(", %d failed", bad);
	printf(")\n");
	nr_tests_failed += !!bad;
}

/* Register operands (mod 3) and no ModRM: not the ALU's. */
static void test_not_memory(void)
{
	bool ok = true, bad;
	struct mv_insn insn;
	struct mv_alu out;
	unsigned int i;
	int size;

	for (i = 0; i < ARRAY_SIZE(rows); i++)
		for (size = 1; size <= 8; size *= 2) {
			if (!has_size(&rows[i], size))
				continue;
			make_insn(&insn, &rows[i], size);
			insn.modrm_mod = 3;
			bad = mv_alu_size(&insn) ||
			      mv_alu_eval(&insn, (u64[16]){ 0 }, 2, 0, &out) !=
			      -EOPNOTSUPP;
			insn.modrm_mod = 0;
			insn.has_modrm = false;
			bad |= mv_alu_size(&insn) != 0;
			if (bad) {
				printf("#   ");
				print_opcode(&rows[i]);
				printf(", size %d: accepted\n", size);
			}
			ok &= !bad;
			nr_failed += bad;
			nr_cases++;
		}
	report(ok, "register operands (mod 3), no ModRM: size 0, -EOPNOTSUPP");
}

/* Opcodes that are not read-modify-write ALU instructions. */
static void test_others(void)
{
	static const struct { u16 opcode; int ext; } others[] = {
		{ 0xf6, 4 }, { 0xf6, 5 }, { 0xf6, 6 }, { 0xf6, 7 },
		{ 0xf7, 4 }, { 0xf7, 5 }, { 0xf7, 6 }, { 0xf7, 7 },
		{ 0xfe, 2 }, { 0xfe, 3 }, { 0xfe, 7 },
		{ 0xff, 2 }, { 0xff, 3 }, { 0xff, 4 }, { 0xff, 5 },
		{ 0xff, 6 }, { 0xff, 7 },
		{ MV_OP2(0xba), 0 }, { MV_OP2(0xba), 1 },
		{ MV_OP2(0xba), 2 }, { MV_OP2(0xba), 3 },
		{ 0x04, 0 }, { 0x05, 0 }, { 0x3c, 0 }, { 0x3d, 0 },
		{ 0x88, 0 }, { 0x89, 0 }, { 0x8a, 0 }, { 0x8b, 0 },
		{ 0xc6, 0 }, { 0xc7, 0 }, { 0xa8, 0 }, { 0xa9, 0 },
		{ 0xaa, 0 }, { 0xab, 0 }, { 0x90, 0 }, { 0x8f, 0 },
		{ MV_OP2(0x01), 0 }, { MV_OP2(0x03), 0 },
		{ MV_OP2(0xa2), 0 }, { MV_OP2(0xb6), 0 },
		{ MV_OP2(0xb7), 0 }, { MV_OP2(0xbe), 0 },
		{ MV_OP2(0xbf), 0 }, { MV_OP2(0xc7), 1 },
	};
	struct row row = { .name = "" };
	struct mv_insn insn;
	struct mv_alu out;
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(others); i++) {
		row.opcode = others[i].opcode;
		row.ext = others[i].ext;
		make_insn(&insn, &row, 4);
		if (mv_alu_size(&insn) ||
		    mv_alu_eval(&insn, (u64[16]){ 0 }, 2, 0, &out) !=
		    -EOPNOTSUPP) {
			printf("#   ");
			print_opcode(&row);
			printf(": size %d\n", mv_alu_size(&insn));
			ok = false;
			nr_failed++;
		}
		nr_cases++;
	}
	report(ok, "F6/F7 /4-/7, FE/FF /2-/7, 0F BA /0-/3, MOV, ...: size 0, "
	       "-EOPNOTSUPP");
}

/* BT..BTC @op at @size with register offset @nr: -EOPNOTSUPP? */
static bool bit_offset_refused(u16 op, int size, u64 nr)
{
	struct row row = { .opcode = MV_OP2(op), .ext = -1 };
	struct mv_insn insn;
	struct mv_alu out;
	u64 regs[16];
	int i, ret;

	make_insn(&insn, &row, size);
	for (i = 0; i < 16; i++)
		regs[i] = rnd();
	set_operand(regs, insn.modrm_reg, false, size, nr);
	ret = mv_alu_eval(&insn, regs, 2, rnd() & size_mask(size), &out);
	nr_cases++;
	if (ret == -EOPNOTSUPP)
		return true;
	printf("#   0f %02x, size %d, offset %#llx: %d\n", op, size,
	       (unsigned long long)nr, ret);
	nr_failed++;
	return false;
}

/* A register bit offset outside the operand reaches other memory. */
static void test_bit_offsets(void)
{
	static const u16 ops[] = { 0xa3, 0xab, 0xb3, 0xbb };
	unsigned int i, j;
	bool ok = true;
	int size;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		for (size = 2; size <= 8; size *= 2) {
			u64 bits = size * 8, m = size_mask(size);
			u16 op = ops[i];

			/* the first past the end, -1, the most negative */
			ok &= bit_offset_refused(op, size, bits);
			ok &= bit_offset_refused(op, size, bits + 1);
			ok &= bit_offset_refused(op, size, m);
			ok &= bit_offset_refused(op, size, m - bits + 1);
			ok &= bit_offset_refused(op, size, BIT_ULL(bits - 1));
			for (j = 0; j < 200; j++) {
				u64 nr = bits + rnd() % (m - bits);

				ok &= bit_offset_refused(op, size, nr);
			}
		}
	report(ok, "BT, BTS, BTR, BTC: register offsets outside the operand "
	       "(>= size * 8, negative): -EOPNOTSUPP");
}

int main(void)
{
	unsigned int i, n = 3;
	int size;

	for (i = 0; i < ARRAY_SIZE(rows); i++)
		for (size = 1; size <= 8; size *= 2)
			n += has_size(&rows[i], size);
	printf("TAP version 13\n1..%u\n", n);
	for (i = 0; i < ARRAY_SIZE(rows); i++)
		for (size = 1; size <= 8; size *= 2)
			if (has_size(&rows[i], size))
				run_group(&rows[i], size);
	test_not_memory();
	test_others();
	test_bit_offsets();
	printf("# %u tests, %u failed\n", nr_tests, nr_tests_failed);
	printf("# %u cases, %u failed\n", nr_cases, nr_failed);
	return nr_tests_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
