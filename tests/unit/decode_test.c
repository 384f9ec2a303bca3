// SPDX-License-Identifier: GPL-2.0
/*
 * module/decode.c, built in userspace and run over a table of instructions
 * in real, 16-bit protected, virtual-8086, 32-bit, compatibility and 64-bit
 * mode.  Each case gives the bytes found at CS:RIP and what struct mv_insn
 * must say afterwards; register values are fixed, so effective addresses
 * are written as sums of them.  The fetch goes through a fake MMU that maps
 * the bytes at CS:RIP (and, for truncation cases, no more than a few).
 *
 * Prints TAP; exits 1 when a case fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minivisor_shim.h"

/* Register values: distinct in every byte, high bits set. */
#define RAX 0x9a3c5e7f0b1d2f41ULL
#define RCX 0x1b2d3f405a6c7e83ULL
#define RDX 0x2c4e6f8192a3b5c6ULL
#define RBX 0x3d5f7092c4e60718ULL
#define RSP 0x4e6081a3f5172939ULL
#define RBP 0x5f7192b4062a4b5aULL
#define RSI 0x608203c517395c6bULL
#define RDI 0x7193e4d628496d7cULL
#define R8  0x82a4f5e7395a7e8dULL
#define R9  0x93b506f84a6b8f9eULL
#define R10 0xa4c61709bc7c90afULL
#define R11 0xb5d7281acd8da1b0ULL
#define R12 0xc6e8392bde9eb2c1ULL
#define R13 0xd7f94a3cefafc3d2ULL
#define R14 0xe80a5b4df0b0d4e3ULL
#define R15 0xf91b6c5e01c1e5f4ULL

static const u64 regs[MV_NR_GPRS] = {
	RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
	R8, R9, R10, R11, R12, R13, R14, R15,
};

enum cpu_mode { REAL, VM86, PM16, PM32, COMPAT, LONG };

#define RIP	0x1100ULL	/* unless a case says otherwise */
#define MAXB	24		/* bytes a case may give: more than fit */

struct dcase {
	const char *name;
	enum cpu_mode cpu;
	u8 bytes[MAXB];
	unsigned int n;
	u64 rip, cs_base;
	int avail;		/* bytes readable at CS:RIP: 0 all, -1 none */
	int ret;
	/* The decode, when ret is 0. */
	u8 len, opsize, addrsize, rex, seg;
	bool rep, lock;
	u16 opcode;
	bool has_modrm;
	u8 modrm_mod, modrm_reg, modrm_rm;
	u64 ea;
	bool has_imm;
	u64 imm;
};

#define B(...)		.bytes = { __VA_ARGS__ }, .n = sizeof((u8[]){ __VA_ARGS__ })
#define MODRM(m, r, b)	.has_modrm = true, .modrm_mod = (m), .modrm_reg = (r), \
			.modrm_rm = (b)
#define IMM(v)		.has_imm = true, .imm = (v)
#define BAD		.ret = -EOPNOTSUPP
/* Defaults of each mode; later initializers in a case override them. */
#define M16		.cpu = REAL, .opsize = 2, .addrsize = 2, .seg = MV_DS
#define M32		.cpu = PM32, .opsize = 4, .addrsize = 4, .seg = MV_DS
#define M64		.cpu = LONG, .opsize = 4, .addrsize = 8, .seg = MV_DS
/* Runs of operand-size prefixes */
#define P12	0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, \
		0x66, 0x66, 0x66
#define P13	P12, 0x66
#define P14	P13, 0x66

static const struct dcase cases[] = {
	/* 64-bit: MOV forms, REX, SIB, rBP/rSP bases, displacements */
	{ "64 mov [rbx],eax", M64, B(0x89, 0x03), .len = 2, .opcode = 0x89,
	  MODRM(0, 0, 3), .ea = RBX },
	{ "64 mov [rbx],rax", M64, B(0x48, 0x89, 0x03), .len = 3,
	  .opsize = 8, .rex = 0x48, .opcode = 0x89, MODRM(0, 0, 3), .ea = RBX },
	{ "64 mov [rbx],r8", M64, B(0x4c, 0x89, 0x03), .len = 3, .opsize = 8,
	  .rex = 0x4c, .opcode = 0x89, MODRM(0, 8, 3), .ea = RBX },
	{ "64 mov [r11],eax", M64, B(0x41, 0x89, 0x03), .len = 3, .rex = 0x41,
	  .opcode = 0x89, MODRM(0, 0, 3), .ea = R11 },
	{ "64 mov [rbx+rcx*4],eax", M64, B(0x89, 0x04, 0x8b), .len = 3,
	  .opcode = 0x89, MODRM(0, 0, 4), .ea = RBX + RCX * 4 },
	{ "64 mov [rbx+rcx*8],eax", M64, B(0x89, 0x04, 0xcb), .len = 3,
	  .opcode = 0x89, MODRM(0, 0, 4), .ea = RBX + RCX * 8 },
	{ "64 mov [rbx+r9*4],eax", M64, B(0x42, 0x89, 0x04, 0x8b), .len = 4,
	  .rex = 0x42, .opcode = 0x89, MODRM(0, 0, 4), .ea = RBX + R9 * 4 },
	{ "64 mov [r11+r9*4],r15", M64, B(0x4f, 0x89, 0x3c, 0x8b), .len = 4,
	  .opsize = 8, .rex = 0x4f, .opcode = 0x89, MODRM(0, 15, 4),
	  .ea = R11 + R9 * 4 },
	{ "64 mov [rsp],eax", M64, B(0x89, 0x04, 0x24), .len = 3,
	  .seg = MV_SS, .opcode = 0x89, MODRM(0, 0, 4), .ea = RSP },
	{ "64 mov [rsp+r12],eax", M64, B(0x42, 0x89, 0x04, 0x24), .len = 4,
	  .rex = 0x42, .seg = MV_SS, .opcode = 0x89, MODRM(0, 0, 4),
	  .ea = RSP + R12 },
	/* R12/R13 bases default to SS as rSP/rBP do (meaningless in 64-bit) */
	{ "64 mov [r12],eax", M64, B(0x41, 0x89, 0x04, 0x24), .len = 4,
	  .rex = 0x41, .seg = MV_SS, .opcode = 0x89, MODRM(0, 0, 4),
	  .ea = R12 },
	{ "64 mov [rbp-8],eax", M64, B(0x89, 0x45, 0xf8), .len = 3,
	  .seg = MV_SS, .opcode = 0x89, MODRM(1, 0, 5), .ea = RBP - 8 },
	{ "64 mov [r13-8],eax", M64, B(0x41, 0x89, 0x45, 0xf8), .len = 4,
	  .rex = 0x41, .seg = MV_SS, .opcode = 0x89, MODRM(1, 0, 5),
	  .ea = R13 - 8 },
	{ "64 mov [rbp+0x100],eax", M64, B(0x89, 0x85, 0x00, 0x01, 0, 0),
	  .len = 6, .seg = MV_SS, .opcode = 0x89, MODRM(2, 0, 5),
	  .ea = RBP + 0x100 },
	{ "64 mov [rbx-0x80000000],eax", M64, B(0x89, 0x83, 0, 0, 0, 0x80),
	  .len = 6, .opcode = 0x89, MODRM(2, 0, 3), .ea = RBX - 0x80000000ULL },
	{ "64 mov [rsp+8],eax", M64, B(0x89, 0x44, 0x24, 0x08), .len = 4,
	  .seg = MV_SS, .opcode = 0x89, MODRM(1, 0, 4), .ea = RSP + 8 },
	{ "64 mov [rsp+0x100],ebp", M64, B(0x89, 0xac, 0x24, 0, 1, 0, 0),
	  .len = 7, .seg = MV_SS, .opcode = 0x89, MODRM(2, 5, 4),
	  .ea = RSP + 0x100 },
	{ "64 mov [rbp+rsi*2+8] (SIB)", M64, B(0x89, 0x44, 0x75, 0x08),
	  .len = 4, .seg = MV_SS, .opcode = 0x89, MODRM(1, 0, 4),
	  .ea = RBP + RSI * 2 + 8 },
	{ "64 mov [rsi*2+0x10] (no base)", M64, B(0x89, 0x04, 0x75, 0x10, 0, 0,
	  0), .len = 7, .opcode = 0x89, MODRM(0, 0, 4), .ea = RSI * 2 + 0x10 },
	{ "64 mov [0x12345678] (SIB)", M64, B(0x89, 0x04, 0x25, 0x78, 0x56,
	  0x34, 0x12), .len = 7, .opcode = 0x89, MODRM(0, 0, 4),
	  .ea = 0x12345678 },
	{ "64 mov [-0x80000000] (SIB)", M64, B(0x89, 0x04, 0x25, 0, 0, 0,
	  0x80), .len = 7, .opcode = 0x89, MODRM(0, 0, 4),
	  .ea = 0xffffffff80000000ULL },
	{ "64 mov [r13] (SIB, mod 1)", M64, B(0x41, 0x89, 0x44, 0x25, 0x00),
	  .len = 5, .rex = 0x41, .seg = MV_SS, .opcode = 0x89,
	  MODRM(1, 0, 4), .ea = R13 },
	{ "64 mov [rip+0x10],eax", M64, B(0x89, 0x05, 0x10, 0, 0, 0),
	  .len = 6, .opcode = 0x89, MODRM(0, 0, 5), .ea = RIP + 6 + 0x10 },
	{ "64 mov [rip-0x10],eax (REX.B)", M64, B(0x41, 0x89, 0x05, 0xf0,
	  0xff, 0xff, 0xff), .len = 7, .rex = 0x41, .opcode = 0x89,
	  MODRM(0, 0, 5), .ea = RIP + 7 - 0x10 },
	{ "64 mov [eip-0x10],eax (67)", M64, B(0x67, 0x89, 0x05, 0xf0, 0xff,
	  0xff, 0xff), .rip = 0x100000008ULL, .len = 7, .addrsize = 4,
	  .opcode = 0x89, MODRM(0, 0, 5), .ea = 0xffffffffULL },
	{ "64 mov [ebx],eax (67)", M64, B(0x67, 0x89, 0x03), .len = 3,
	  .addrsize = 4, .opcode = 0x89, MODRM(0, 0, 3), .ea = (u32)RBX },
	{ "64 mov ebx,eax", M64, B(0x89, 0xc3), .len = 2, .opcode = 0x89,
	  MODRM(3, 0, 3) },
	{ "64 mov r11d,eax", M64, B(0x41, 0x89, 0xc3), .len = 3, .rex = 0x41,
	  .opcode = 0x89, MODRM(3, 0, 11) },
	{ "64 mov [rbx],ax", M64, B(0x66, 0x89, 0x03), .len = 3, .opsize = 2,
	  .opcode = 0x89, MODRM(0, 0, 3), .ea = RBX },
	{ "64 66 REX.W: REX.W wins", M64, B(0x66, 0x48, 0x89, 0x03),
	  .len = 4, .opsize = 8, .rex = 0x48, .opcode = 0x89,
	  MODRM(0, 0, 3), .ea = RBX },
	{ "64 mov [rbx],al", M64, B(0x88, 0x03), .len = 2, .opcode = 0x88,
	  MODRM(0, 0, 3), .ea = RBX },
	{ "64 mov al,[rbx]", M64, B(0x8a, 0x03), .len = 2, .opcode = 0x8a,
	  MODRM(0, 0, 3), .ea = RBX },
	{ "64 mov spl,[rbx]", M64, B(0x40, 0x8a, 0x23), .len = 3, .rex = 0x40,
	  .opcode = 0x8a, MODRM(0, 4, 3), .ea = RBX },
	{ "64 mov r8b,[rbx]", M64, B(0x44, 0x8a, 0x03), .len = 3, .rex = 0x44,
	  .opcode = 0x8a, MODRM(0, 8, 3), .ea = RBX },
	{ "64 mov eax,[rbx]", M64, B(0x8b, 0x03), .len = 2, .opcode = 0x8b,
	  MODRM(0, 0, 3), .ea = RBX },
	{ "64 mov byte [rbx],0x7f", M64, B(0xc6, 0x03, 0x7f), .len = 3,
	  .opcode = 0xc6, MODRM(0, 0, 3), .ea = RBX, IMM(0x7f) },
	{ "64 mov byte [rbx],0x80", M64, B(0xc6, 0x03, 0x80), .len = 3,
	  .opcode = 0xc6, MODRM(0, 0, 3), .ea = RBX,
	  IMM(0xffffffffffffff80ULL) },
	{ "64 mov al,5 (C6 register form)", M64, B(0xc6, 0xc0, 0x05),
	  .len = 3, .opcode = 0xc6, MODRM(3, 0, 0), IMM(5) },
	{ "64 C6 /1 refused", M64, B(0xc6, 0x0b, 0x00), BAD },
	{ "64 C7 /7 refused", M64, B(0xc7, 0x3b, 0, 0, 0, 0), BAD },
	{ "64 mov dword [rbx],imm32", M64, B(0xc7, 0x03, 0x78, 0x56, 0x34,
	  0x12), .len = 6, .opcode = 0xc7, MODRM(0, 0, 3), .ea = RBX,
	  IMM(0x12345678) },
	{ "64 mov qword [rbx],imm32", M64, B(0x48, 0xc7, 0x03, 0, 0, 0,
	  0x80), .len = 7, .opsize = 8, .rex = 0x48, .opcode = 0xc7,
	  MODRM(0, 0, 3), .ea = RBX, IMM(0xffffffff80000000ULL) },
	{ "64 mov word [rbx],imm16", M64, B(0x66, 0xc7, 0x03, 0x34, 0x92),
	  .len = 5, .opsize = 2, .opcode = 0xc7, MODRM(0, 0, 3), .ea = RBX,
	  IMM(0xffffffffffff9234ULL) },
	{ "64 mov dword [rbx+8],1", M64, B(0xc7, 0x43, 0x08, 1, 0, 0, 0),
	  .len = 7, .opcode = 0xc7, MODRM(1, 0, 3), .ea = RBX + 8, IMM(1) },
	{ "64 mov dword [rip+0x20],1", M64, B(0xc7, 0x05, 0x20, 0, 0, 0, 1, 0,
	  0, 0), .len = 10, .opcode = 0xc7, MODRM(0, 0, 5),
	  .ea = RIP + 10 + 0x20, IMM(1) },
	{ "64 mov eax,[moffs64]", M64, B(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44,
	  0x33, 0x22, 0x11), .len = 9, .opcode = 0xa1,
	  .ea = 0x1122334455667788ULL },
	{ "64 mov [moffs64],rax", M64, B(0x48, 0xa3, 0, 0, 0, 0, 0, 0, 0,
	  0x80), .len = 10, .opsize = 8, .rex = 0x48, .opcode = 0xa3,
	  .ea = 0x8000000000000000ULL },
	{ "64 mov al,[moffs32] (67)", M64, B(0x67, 0xa0, 0x78, 0x56, 0x34,
	  0x92), .len = 6, .addrsize = 4, .opcode = 0xa0, .ea = 0x92345678 },
	{ "64 mov fs:[moffs64],al", M64, B(0x64, 0xa2, 8, 0, 0, 0, 0, 0, 0,
	  0), .len = 10, .seg = MV_FS, .opcode = 0xa2, .ea = 8 },
	{ "64 movzx eax,byte [rbx]", M64, B(0x0f, 0xb6, 0x03), .len = 3,
	  .opcode = 0x0fb6, MODRM(0, 0, 3), .ea = RBX },
	{ "64 movzx rax,word [rbx]", M64, B(0x48, 0x0f, 0xb7, 0x03), .len = 4,
	  .opsize = 8, .rex = 0x48, .opcode = 0x0fb7, MODRM(0, 0, 3),
	  .ea = RBX },
	{ "64 movsx r9d,byte [rbx+0x10]", M64, B(0x44, 0x0f, 0xbe, 0x4b,
	  0x10), .len = 5, .rex = 0x44, .opcode = 0x0fbe, MODRM(1, 9, 3),
	  .ea = RBX + 0x10 },
	{ "64 movsx ax,word [rbx]", M64, B(0x66, 0x0f, 0xbf, 0x03), .len = 4,
	  .opsize = 2, .opcode = 0x0fbf, MODRM(0, 0, 3), .ea = RBX },
	{ "64 mov rax,cr0", M64, B(0x0f, 0x20, 0xc0), .len = 3,
	  .opcode = 0x0f20, MODRM(3, 0, 0) },
	{ "64 mov cr3,rax", M64, B(0x0f, 0x22, 0xd8), .len = 3,
	  .opcode = 0x0f22, MODRM(3, 3, 0) },
	{ "64 mov rax,cr8", M64, B(0x44, 0x0f, 0x20, 0xc0), .len = 4,
	  .rex = 0x44, .opcode = 0x0f20, MODRM(3, 8, 0) },
	{ "64 mov cr4,r15", M64, B(0x41, 0x0f, 0x22, 0xe7), .len = 4,
	  .rex = 0x41, .opcode = 0x0f22, MODRM(3, 4, 15) },
	{ "64 mov rax,dr7", M64, B(0x0f, 0x21, 0xf8), .len = 3,
	  .opcode = 0x0f21, MODRM(3, 7, 0) },
	{ "64 mov dr0,rcx", M64, B(0x0f, 0x23, 0xc1), .len = 3,
	  .opcode = 0x0f23, MODRM(3, 0, 1) },
	{ "64 invlpg [rax]", M64, B(0x0f, 0x01, 0x38), .len = 3,
	  .opcode = 0x0f01, MODRM(0, 7, 0), .ea = RAX },
	{ "64 invlpg [rbp+8]", M64, B(0x0f, 0x01, 0x7d, 0x08), .len = 4,
	  .seg = MV_SS, .opcode = 0x0f01, MODRM(1, 7, 5), .ea = RBP + 8 },
	{ "64 invlpg gs:[rip+0x1000]", M64, B(0x65, 0x0f, 0x01, 0x3d, 0, 0x10,
	  0, 0), .len = 8, .seg = MV_GS, .opcode = 0x0f01, MODRM(0, 7, 5),
	  .ea = RIP + 8 + 0x1000 },
	{ "64 invlpg [r12+rdi*8-1]", M64, B(0x41, 0x0f, 0x01, 0x7c, 0xfc,
	  0xff), .len = 6, .rex = 0x41, .seg = MV_SS, .opcode = 0x0f01,
	  MODRM(1, 7, 4), .ea = R12 + RDI * 8 - 1 },
	{ "64 smsw eax", M64, B(0x0f, 0x01, 0xe0), .len = 3, .opcode = 0x0f01,
	  MODRM(3, 4, 0) },
	{ "64 smsw [rbx]", M64, B(0x0f, 0x01, 0x23), .len = 3,
	  .opcode = 0x0f01, MODRM(0, 4, 3), .ea = RBX },
	{ "64 lmsw ax", M64, B(0x0f, 0x01, 0xf0), .len = 3, .opcode = 0x0f01,
	  MODRM(3, 6, 0) },
	{ "64 lmsw [rsi]", M64, B(0x0f, 0x01, 0x36), .len = 3,
	  .opcode = 0x0f01, MODRM(0, 6, 6), .ea = RSI },
	{ "64 vmmcall (group 7 register form)", M64, B(0x0f, 0x01, 0xd9),
	  .len = 3, .opcode = 0x0f01, MODRM(3, 3, 1) },
	{ "64 clts", M64, B(0x0f, 0x06), .len = 2, .opcode = 0x0f06 },
	{ "64 invd", M64, B(0x0f, 0x08), .len = 2, .opcode = 0x0f08 },
	{ "64 wbinvd", M64, B(0x0f, 0x09), .len = 2, .opcode = 0x0f09 },
	{ "64 wrmsr", M64, B(0x0f, 0x30), .len = 2, .opcode = 0x0f30 },
	{ "64 rdmsr", M64, B(0x0f, 0x32), .len = 2, .opcode = 0x0f32 },
	{ "64 cpuid", M64, B(0x0f, 0xa2), .len = 2, .opcode = 0x0fa2 },
	{ "64 rex.w cpuid", M64, B(0x48, 0x0f, 0xa2), .len = 3, .opsize = 8,
	  .rex = 0x48, .opcode = 0x0fa2 },
	{ "64 in al,0x80", M64, B(0xe4, 0x80), .len = 2, .opcode = 0xe4,
	  IMM(0xffffffffffffff80ULL) },
	{ "64 in eax,0x71", M64, B(0xe5, 0x71), .len = 2, .opcode = 0xe5,
	  IMM(0x71) },
	{ "64 out 0x70,al", M64, B(0xe6, 0x70), .len = 2, .opcode = 0xe6,
	  IMM(0x70) },
	{ "64 out 0x71,ax", M64, B(0x66, 0xe7, 0x71), .len = 3, .opsize = 2,
	  .opcode = 0xe7, IMM(0x71) },
	{ "64 in al,dx", M64, B(0xec), .len = 1, .opcode = 0xec },
	{ "64 in ax,dx", M64, B(0x66, 0xed), .len = 2, .opsize = 2,
	  .opcode = 0xed },
	{ "64 out dx,al", M64, B(0xee), .len = 1, .opcode = 0xee },
	{ "64 out dx,eax", M64, B(0xef), .len = 1, .opcode = 0xef },
	{ "64 insb", M64, B(0x6c), .len = 1, .opcode = 0x6c },
	/* STOS: a REP STOSL clears Linux's live PML4 at boot */
	{ "64 rep stosl", M64, B(0xf3, 0xab), .len = 2, .rep = true, .opcode = 0xab },
	{ "64 rep stosq", M64, B(0xf3, 0x48, 0xab), .len = 3, .rep = true,
	  .opsize = 8, .rex = 0x48, .opcode = 0xab },
	{ "64 stosb (67)", M64, B(0x67, 0xaa), .len = 2, .addrsize = 4, .opcode = 0xaa },
	{ "64 rep insd", M64, B(0xf3, 0x6d), .len = 2, .rep = true,
	  .opcode = 0x6d },
	{ "64 rep outsb (67)", M64, B(0xf3, 0x67, 0x6e), .len = 3, .rep = true,
	  .addrsize = 4, .opcode = 0x6e },
	{ "64 cs rep outsw", M64, B(0x2e, 0x66, 0xf3, 0x6f), .len = 4,
	  .rep = true, .opsize = 2, .seg = MV_CS, .opcode = 0x6f },
	{ "64 hlt", M64, B(0xf4), .len = 1, .opcode = 0xf4 },
	{ "64 repne hlt", M64, B(0xf2, 0xf4), .len = 2, .rep = true,
	  .opcode = 0xf4 },
	{ "64 lock mov [rbx],eax", M64, B(0xf0, 0x89, 0x03), .len = 3,
	  .lock = true, .opcode = 0x89, MODRM(0, 0, 3), .ea = RBX },
	{ "64 es mov", M64, B(0x26, 0x89, 0x03), .len = 3, .seg = MV_ES,
	  .opcode = 0x89, MODRM(0, 0, 3), .ea = RBX },
	{ "64 ss mov", M64, B(0x36, 0x89, 0x03), .len = 3, .seg = MV_SS,
	  .opcode = 0x89, MODRM(0, 0, 3), .ea = RBX },
	{ "64 ds mov [rbp]: override beats SS", M64, B(0x3e, 0x89, 0x45, 0),
	  .len = 4, .seg = MV_DS, .opcode = 0x89, MODRM(1, 0, 5), .ea = RBP },
	{ "64 gs mov", M64, B(0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0),
	  .len = 9, .seg = MV_GS, .opsize = 8, .rex = 0x48, .opcode = 0x8b,
	  MODRM(0, 0, 4), .ea = 0x28 },
	{ "64 es fs mov: the last override wins", M64, B(0x26, 0x64, 0x89,
	  0x03), .len = 4, .seg = MV_FS, .opcode = 0x89, MODRM(0, 0, 3),
	  .ea = RBX },
	{ "64 REX before 66 is not a REX prefix", M64, B(0x48, 0x66, 0x89,
	  0x03), BAD },
	{ "64 two REX", M64, B(0x40, 0x48, 0x89, 0x03), BAD },
	{ "64 nop", M64, B(0x90), BAD },
	{ "64 mov sreg", M64, B(0x8c, 0xd8), BAD },
	{ "64 ud2", M64, B(0x0f, 0x0b), BAD },
	{ "64 rdtsc", M64, B(0x0f, 0x31), BAD },
	{ "64 sldt", M64, B(0x0f, 0x00, 0xc0), BAD },
	{ "64 0f ff", M64, B(0x0f, 0xff), BAD },

	/* 32-bit protected mode */
	{ "32 mov [ebx],eax", M32, B(0x89, 0x03), .len = 2, .opcode = 0x89,
	  MODRM(0, 0, 3), .ea = (u32)RBX },
	{ "32 mov [ebx+ecx*4],eax", M32, B(0x89, 0x04, 0x8b), .len = 3,
	  .opcode = 0x89, MODRM(0, 0, 4), .ea = (u32)(RBX + RCX * 4) },
	{ "32 mov [ebx+ecx*8+0x100],eax", M32, B(0x89, 0x84, 0xcb, 0, 1, 0, 0),
	  .len = 7, .opcode = 0x89, MODRM(2, 0, 4),
	  .ea = (u32)(RBX + RCX * 8 + 0x100) },
	{ "32 mov [0x12345678],eax", M32, B(0x89, 0x05, 0x78, 0x56, 0x34,
	  0x12), .len = 6, .opcode = 0x89, MODRM(0, 0, 5), .ea = 0x12345678 },
	{ "32 mov [ebp-8],eax", M32, B(0x89, 0x45, 0xf8), .len = 3,
	  .seg = MV_SS, .opcode = 0x89, MODRM(1, 0, 5), .ea = (u32)(RBP - 8) },
	{ "32 mov [ebx-0x80],eax", M32, B(0x89, 0x43, 0x80), .len = 3,
	  .opcode = 0x89, MODRM(1, 0, 3), .ea = (u32)(RBX - 0x80) },
	{ "32 mov [esp],eax", M32, B(0x89, 0x04, 0x24), .len = 3,
	  .seg = MV_SS, .opcode = 0x89, MODRM(0, 0, 4), .ea = (u32)RSP },
	{ "32 mov [esi*1+0] (SIB, no base)", M32, B(0x89, 0x04, 0x35, 0, 0, 0,
	  0), .len = 7, .opcode = 0x89, MODRM(0, 0, 4), .ea = (u32)RSI },
	{ "32 mov [ebx],ax", M32, B(0x66, 0x89, 0x03), .len = 3, .opsize = 2,
	  .opcode = 0x89, MODRM(0, 0, 3), .ea = (u32)RBX },
	{ "32 mov [bx],eax (67)", M32, B(0x67, 0x89, 0x07), .len = 3,
	  .addrsize = 2, .opcode = 0x89, MODRM(0, 0, 7), .ea = (u16)RBX },
	{ "32 mov [bp+2],eax (67)", M32, B(0x67, 0x89, 0x46, 0x02), .len = 4,
	  .addrsize = 2, .seg = MV_SS, .opcode = 0x89, MODRM(1, 0, 6),
	  .ea = (u16)(RBP + 2) },
	{ "32 mov eax,[moffs32]", M32, B(0xa1, 0x78, 0x56, 0x34, 0x12),
	  .len = 5, .opcode = 0xa1, .ea = 0x12345678 },
	{ "32 mov eax,[0x80000000]", M32, B(0xa1, 0, 0, 0, 0x80), .len = 5,
	  .opcode = 0xa1, .ea = 0x80000000 },
	{ "32 mov eax,[moffs16] (67)", M32, B(0x67, 0xa1, 0x34, 0x12),
	  .len = 4, .addrsize = 2, .opcode = 0xa1, .ea = 0x1234 },
	{ "32 mov dword [ebp-4],1", M32, B(0xc7, 0x45, 0xfc, 1, 0, 0, 0),
	  .len = 7, .seg = MV_SS, .opcode = 0xc7, MODRM(1, 0, 5),
	  .ea = (u32)(RBP - 4), IMM(1) },
	{ "32 mov word [ebx],0x8000", M32, B(0x66, 0xc7, 0x03, 0x00, 0x80),
	  .len = 5, .opsize = 2, .opcode = 0xc7, MODRM(0, 0, 3),
	  .ea = (u32)RBX, IMM(0xffffffffffff8000ULL) },
	{ "32 movzx eax,byte [ebx]", M32, B(0x0f, 0xb6, 0x03), .len = 3,
	  .opcode = 0x0fb6, MODRM(0, 0, 3), .ea = (u32)RBX },
	{ "32 mov eax,cr0", M32, B(0x0f, 0x20, 0xc0), .len = 3,
	  .opcode = 0x0f20, MODRM(3, 0, 0) },
	{ "32 mov cr4,eax", M32, B(0x0f, 0x22, 0xe0), .len = 3,
	  .opcode = 0x0f22, MODRM(3, 4, 0) },
	{ "32 invlpg [0x1000]", M32, B(0x0f, 0x01, 0x3d, 0, 0x10, 0, 0),
	  .len = 7, .opcode = 0x0f01, MODRM(0, 7, 5), .ea = 0x1000 },
	{ "32 rep outsb", M32, B(0xf3, 0x6e), .len = 2, .rep = true,
	  .opcode = 0x6e },
	{ "32 rep stosw", M32, B(0x66, 0xf3, 0xab), .len = 3, .rep = true,
	  .opsize = 2, .opcode = 0xab },
	{ "32 in ax,dx", M32, B(0x66, 0xed), .len = 2, .opsize = 2,
	  .opcode = 0xed },
	{ "32 dec eax is no REX", M32, B(0x48, 0x89, 0x03), BAD },
	{ "32 fetch wraps at 4 GiB", M32, B(0x89, 0x03), .cs_base =
	  0xfffff000ULL, .len = 2, .opcode = 0x89, MODRM(0, 0, 3),
	  .ea = (u32)RBX },
	{ "compat mov [ebx],eax", M32, .cpu = COMPAT, B(0x89, 0x03), .len = 2,
	  .opcode = 0x89, MODRM(0, 0, 3), .ea = (u32)RBX },
	{ "compat dec eax is no REX", M32, .cpu = COMPAT, B(0x48, 0x89, 0x03),
	  BAD },

	/* 16-bit: the eight rm forms, displacements, prefixes */
	{ "16 mov [bx+si],ax", M16, B(0x89, 0x00), .len = 2, .opcode = 0x89,
	  MODRM(0, 0, 0), .ea = (u16)(RBX + RSI) },
	{ "16 mov [bx+di],ax", M16, B(0x89, 0x01), .len = 2, .opcode = 0x89,
	  MODRM(0, 0, 1), .ea = (u16)(RBX + RDI) },
	{ "16 mov [bp+si],ax", M16, B(0x89, 0x02), .len = 2, .seg = MV_SS,
	  .opcode = 0x89, MODRM(0, 0, 2), .ea = (u16)(RBP + RSI) },
	{ "16 mov [bp+di],ax", M16, B(0x89, 0x03), .len = 2, .seg = MV_SS,
	  .opcode = 0x89, MODRM(0, 0, 3), .ea = (u16)(RBP + RDI) },
	{ "16 mov [si],ax", M16, B(0x89, 0x04), .len = 2, .opcode = 0x89,
	  MODRM(0, 0, 4), .ea = (u16)RSI },
	{ "16 mov [di],ax", M16, B(0x89, 0x05), .len = 2, .opcode = 0x89,
	  MODRM(0, 0, 5), .ea = (u16)RDI },
	{ "16 mov [0x1234],ax", M16, B(0x89, 0x06, 0x34, 0x12), .len = 4,
	  .opcode = 0x89, MODRM(0, 0, 6), .ea = 0x1234 },
	{ "16 mov [0xffff],ax", M16, B(0x89, 0x06, 0xff, 0xff), .len = 4,
	  .opcode = 0x89, MODRM(0, 0, 6), .ea = 0xffff },
	{ "16 mov [bx],ax", M16, B(0x89, 0x07), .len = 2, .opcode = 0x89,
	  MODRM(0, 0, 7), .ea = (u16)RBX },
	{ "16 mov [bx+si+0x10],ax", M16, B(0x89, 0x40, 0x10), .len = 3,
	  .opcode = 0x89, MODRM(1, 0, 0), .ea = (u16)(RBX + RSI + 0x10) },
	{ "16 mov [bp-2],ax", M16, B(0x89, 0x46, 0xfe), .len = 3,
	  .seg = MV_SS, .opcode = 0x89, MODRM(1, 0, 6), .ea = (u16)(RBP - 2) },
	{ "16 mov [bx-0x80],ax", M16, B(0x89, 0x47, 0x80), .len = 3,
	  .opcode = 0x89, MODRM(1, 0, 7), .ea = (u16)(RBX - 0x80) },
	{ "16 mov [bx+di+0x1234],ax", M16, B(0x89, 0x81, 0x34, 0x12),
	  .len = 4, .opcode = 0x89, MODRM(2, 0, 1),
	  .ea = (u16)(RBX + RDI + 0x1234) },
	{ "16 mov [bp-0x8000],ax", M16, B(0x89, 0x86, 0x00, 0x80), .len = 4,
	  .seg = MV_SS, .opcode = 0x89, MODRM(2, 0, 6),
	  .ea = (u16)(RBP - 0x8000) },
	{ "16 mov [di+0x7fff],ax", M16, B(0x89, 0x85, 0xff, 0x7f), .len = 4,
	  .opcode = 0x89, MODRM(2, 0, 5), .ea = (u16)(RDI + 0x7fff) },
	{ "16 mov sp,ax", M16, B(0x89, 0xc4), .len = 2, .opcode = 0x89,
	  MODRM(3, 0, 4) },
	{ "16 ds mov [bp]: override beats SS", M16, B(0x3e, 0x89, 0x46, 0),
	  .len = 4, .opcode = 0x89, MODRM(1, 0, 6), .ea = (u16)RBP },
	{ "16 ss mov [bx]", M16, B(0x36, 0x89, 0x07), .len = 3, .seg = MV_SS,
	  .opcode = 0x89, MODRM(0, 0, 7), .ea = (u16)RBX },
	{ "16 mov [bp+di],eax (66)", M16, B(0x66, 0x89, 0x03), .len = 3,
	  .opsize = 4, .seg = MV_SS, .opcode = 0x89, MODRM(0, 0, 3),
	  .ea = (u16)(RBP + RDI) },
	{ "16 mov [ebx],ax (67)", M16, B(0x67, 0x89, 0x03), .len = 3,
	  .addrsize = 4, .opcode = 0x89, MODRM(0, 0, 3), .ea = (u32)RBX },
	{ "16 mov [ebx+ecx*4],ax (67)", M16, B(0x67, 0x89, 0x04, 0x8b),
	  .len = 4, .addrsize = 4, .opcode = 0x89, MODRM(0, 0, 4),
	  .ea = (u32)(RBX + RCX * 4) },
	{ "16 mov dword [0x12345678],imm32", M16, B(0x67, 0x66, 0xc7, 0x05,
	  0x78, 0x56, 0x34, 0x12, 0xef, 0xbe, 0xad, 0xde), .len = 12,
	  .opsize = 4, .addrsize = 4, .opcode = 0xc7, MODRM(0, 0, 5),
	  .ea = 0x12345678, IMM(0xffffffffdeadbeefULL) },
	{ "16 mov word [0x1234],0x5678", M16, B(0xc7, 0x06, 0x34, 0x12, 0x78,
	  0x56), .len = 6, .opcode = 0xc7, MODRM(0, 0, 6), .ea = 0x1234,
	  IMM(0x5678) },
	{ "16 mov word [bx],0x8000", M16, B(0xc7, 0x07, 0x00, 0x80), .len = 4,
	  .opcode = 0xc7, MODRM(0, 0, 7), .ea = (u16)RBX,
	  IMM(0xffffffffffff8000ULL) },
	{ "16 mov byte [bp+si+1],0xff", M16, B(0xc6, 0x42, 0x01, 0xff),
	  .len = 4, .seg = MV_SS, .opcode = 0xc6, MODRM(1, 0, 2),
	  .ea = (u16)(RBP + RSI + 1), IMM(0xffffffffffffffffULL) },
	{ "16 mov ax,[moffs16]", M16, B(0xa1, 0x34, 0x12), .len = 3,
	  .opcode = 0xa1, .ea = 0x1234 },
	{ "16 mov al,[0xffff]", M16, B(0xa0, 0xff, 0xff), .len = 3,
	  .opcode = 0xa0, .ea = 0xffff },
	{ "16 mov es:[0x100],ax", M16, B(0x26, 0xa3, 0x00, 0x01), .len = 4,
	  .seg = MV_ES, .opcode = 0xa3, .ea = 0x100 },
	{ "16 mov eax,[moffs32] (67 66)", M16, B(0x67, 0x66, 0xa1, 0x78, 0x56,
	  0x34, 0x12), .len = 7, .opsize = 4, .addrsize = 4, .opcode = 0xa1,
	  .ea = 0x12345678 },
	{ "16 in al,0x60", M16, B(0xe4, 0x60), .len = 2, .opcode = 0xe4,
	  IMM(0x60) },
	{ "16 out 0x80,al", M16, B(0xe6, 0x80), .len = 2, .opcode = 0xe6,
	  IMM(0xffffffffffffff80ULL) },
	{ "16 in al,dx", M16, B(0xec), .len = 1, .opcode = 0xec },
	{ "16 insb", M16, B(0x6c), .len = 1, .opcode = 0x6c },
	{ "16 rep insw", M16, B(0xf3, 0x6d), .len = 2, .rep = true,
	  .opcode = 0x6d },
	{ "16 rep outsd (67 66)", M16, B(0x67, 0x66, 0xf3, 0x6f), .len = 4,
	  .rep = true, .opsize = 4, .addrsize = 4, .opcode = 0x6f },
	{ "16 mov eax,cr0", M16, B(0x0f, 0x20, 0xc0), .len = 3,
	  .opcode = 0x0f20, MODRM(3, 0, 0) },
	{ "16 mov cr0,eax", M16, B(0x0f, 0x22, 0xc0), .len = 3,
	  .opcode = 0x0f22, MODRM(3, 0, 0) },
	{ "16 lmsw [0x1000]", M16, B(0x0f, 0x01, 0x36, 0x00, 0x10), .len = 5,
	  .opcode = 0x0f01, MODRM(0, 6, 6), .ea = 0x1000 },
	{ "16 smsw ax", M16, B(0x0f, 0x01, 0xe0), .len = 3, .opcode = 0x0f01,
	  MODRM(3, 4, 0) },
	{ "16 invlpg [bx]", M16, B(0x0f, 0x01, 0x3f), .len = 3,
	  .opcode = 0x0f01, MODRM(0, 7, 7), .ea = (u16)RBX },
	{ "16 invlpg [bp+2]", M16, B(0x0f, 0x01, 0x7e, 0x02), .len = 4,
	  .seg = MV_SS, .opcode = 0x0f01, MODRM(1, 7, 6),
	  .ea = (u16)(RBP + 2) },
	{ "16 hlt", M16, B(0xf4), .len = 1, .opcode = 0xf4 },
	{ "16 cpuid", M16, B(0x0f, 0xa2), .len = 2, .opcode = 0x0fa2 },
	{ "16 inc ax", M16, B(0x40), BAD },
	{ "16 fetch at CS base + IP", M16, B(0x89, 0x07), .cs_base = 0xf0000,
	  .rip = 0xfff0, .len = 2, .opcode = 0x89, MODRM(0, 0, 7),
	  .ea = (u16)RBX },
	{ "pm16 mov [bx],ax", M16, .cpu = PM16, B(0x89, 0x07), .len = 2,
	  .opcode = 0x89, MODRM(0, 0, 7), .ea = (u16)RBX },
	{ "vm86 mov [bx],ax", M16, .cpu = VM86, B(0x89, 0x07), .len = 2,
	  .opcode = 0x89, MODRM(0, 0, 7), .ea = (u16)RBX },

	/* Length: 15 bytes at most, and never past what was fetched */
	{ "13 prefixes + hlt (14 bytes)", M64, B(P13, 0xf4), .len = 14,
	  .opsize = 2, .opcode = 0xf4 },
	/* The opcode may not start in the last byte (the old limit). */
	{ "14 prefixes + hlt (15 bytes)", M64, B(P14, 0xf4), BAD },
	{ "15 prefixes", M64, B(P14, 0x66), BAD },
	{ "16 prefixes", M64, B(P14, 0x66, 0x66, 0xf4), BAD },
	{ "12 prefixes + invlpg [rax] (15 bytes)", M64, B(P12, 0x0f, 0x01,
	  0x38), .len = 15, .opsize = 2, .opcode = 0x0f01, MODRM(0, 7, 0),
	  .ea = RAX },
	{ "11 prefixes + REX + invlpg (15 bytes)", M64, B(0x66, 0x66, 0x66,
	  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x48, 0x0f, 0x01,
	  0x38), .len = 15, .opsize = 8, .rex = 0x48, .opcode = 0x0f01,
	  MODRM(0, 7, 0), .ea = RAX },
	{ "12 prefixes + REX + invlpg (16 bytes)", M64, B(P12, 0x48, 0x0f,
	  0x01, 0x38), BAD },
	{ "13 prefixes + invlpg: ModRM would be byte 16", M64, B(P13, 0x0f,
	  0x01, 0x38), BAD },
	{ "12 prefixes + invlpg [rsp]: SIB would be byte 16", M64, B(P12,
	  0x0f, 0x01, 0x3c, 0x24), BAD },
	{ "3 prefixes + REX.W mov [rsp+disp32],imm32 (15 bytes)", M64,
	  B(0x3e, 0x3e, 0x3e, 0x48, 0xc7, 0x84, 0x24, 0x10, 0, 0, 0, 0x78,
	  0x56, 0x34, 0x12), .len = 15, .opsize = 8, .rex = 0x48,
	  .opcode = 0xc7, MODRM(2, 0, 4), .ea = RSP + 0x10,
	  IMM(0x12345678) },
	{ "4 prefixes + REX.W mov [rsp+disp32],imm32 (16 bytes)", M64,
	  B(0x3e, 0x3e, 0x3e, 0x3e, 0x48, 0xc7, 0x84, 0x24, 0x10, 0, 0, 0,
	  0x78, 0x56, 0x34, 0x12), BAD },
	{ "9 prefixes + mov [rsp+disp32],imm32 (20 bytes)", M64, B(0x66,
	  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0xc7, 0x84, 0x24,
	  0x10, 0, 0, 0, 0x78, 0x56, 0x34, 0x12), BAD },
	{ "10 prefixes + mov eax,[moffs64] (19 bytes)", M64, B(0x66, 0x66,
	  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0xa1, 1, 2, 3, 4, 5,
	  6, 7, 8), BAD },
	{ "5 prefixes + REX + mov eax,[moffs64] (15 bytes)", M64, B(0x66,
	  0x66, 0x66, 0x66, 0x66, 0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8),
	  .len = 15, .opsize = 8, .rex = 0x48, .opcode = 0xa1,
	  .ea = 0x0807060504030201ULL },
	{ "nothing readable at CS:RIP", M64, B(0xf4), .avail = -1,
	  .ret = -EFAULT },
	{ "hlt, last byte of the page", M64, B(0xf4), .avail = 1, .len = 1,
	  .opcode = 0xf4 },
	{ "cpuid, last 2 bytes of the page", M64, B(0x0f, 0xa2), .avail = 2,
	  .len = 2, .opcode = 0x0fa2 },
	{ "mov [rbx],eax: ModRM not fetched", M64, B(0x89, 0x03), .avail = 1,
	  BAD },
	{ "0f: second opcode byte not fetched", M64, B(0x0f, 0xa2),
	  .avail = 1, BAD },
	{ "prefix: opcode not fetched", M64, B(0x66, 0xed), .avail = 1, BAD },
	{ "REX: opcode not fetched", M64, B(0x48, 0xed), .avail = 1, BAD },
	{ "mov [rsp],eax: SIB not fetched", M64, B(0x89, 0x04, 0x24),
	  .avail = 2, BAD },
	{ "mov [rbx+8],eax: disp8 not fetched", M64, B(0x89, 0x43, 0x08),
	  .avail = 2, BAD },
	{ "mov dword [rbx],imm32: imm half fetched", M64, B(0xc7, 0x03, 0x78,
	  0x56, 0x34, 0x12), .avail = 4, BAD },
	{ "mov eax,[moffs64]: moffs half fetched", M64, B(0xa1, 1, 2, 3, 4,
	  5, 6, 7, 8), .avail = 5, BAD },
};

static enum cpu_mode cur_cpu;
static u64 cur_cs_base, cur_lin;
static int cur_avail;
static u8 mem[32];

static void get_segment(struct mv_vcpu *vcpu, enum mv_seg seg,
			struct mv_segment *s)
{
	memset(s, 0, sizeof(*s));
	if (seg != MV_CS)
		return;
	s->base = cur_cs_base;
	s->l = cur_cpu == LONG;
	s->db = cur_cpu == PM32 || cur_cpu == COMPAT;
}

static const struct mv_arch_ops ops = { .get_segment = get_segment };
const struct mv_arch_ops *mv_arch = &ops;

u64 mv_seg_base(struct mv_vcpu *vcpu, enum mv_seg seg)
{
	return seg == MV_CS && cur_cpu != LONG ? cur_cs_base : 0;
}

/* The case's bytes lie at CS:RIP, cur_avail of them readable. */
int mv_mmu_gva_to_gpa(struct mv_vcpu *vcpu, u64 gva, u32 access, u64 *gpa)
{
	if (access != X86_PF_INSTR || gva < cur_lin ||
	    gva - cur_lin >= (u64)cur_avail)
		return -EFAULT;
	*gpa = gva - cur_lin;
	return 0;
}

int mv_mmu_gva_peek(struct mv_vcpu *vcpu, u64 gva, u32 access, u64 *gpa)
{
	return mv_mmu_gva_to_gpa(vcpu, gva, access, gpa);
}

int mv_mem_copy(struct mv_vm *vm, u64 gpa, void *buf, u64 len, bool write)
{
	if (write || gpa + len > sizeof(mem))
		return -EFAULT;
	memcpy(buf, mem + gpa, len);
	return 0;
}

static void setup(struct mv_vcpu *vcpu, const struct dcase *c)
{
	unsigned int n = c->n < sizeof(mem) ? c->n : sizeof(mem);

	memset(vcpu, 0, sizeof(*vcpu));
	memcpy(vcpu->regs, regs, sizeof(regs));
	cur_cpu = c->cpu;
	cur_cs_base = c->cs_base;
	vcpu->cr0 = c->cpu == REAL ? 0 : X86_CR0_PE;
	vcpu->rflags = c->cpu == VM86 ? X86_EFLAGS_VM : 0;
	vcpu->efer = c->cpu == LONG || c->cpu == COMPAT ? EFER_LMA : 0;
	/* A truncated fetch: the bytes end the page and the next is absent. */
	vcpu->rip = c->rip ? c->rip : c->avail > 0 ? 0x2000ULL - c->avail :
		    RIP;
	cur_lin = mv_seg_base(vcpu, MV_CS) + vcpu->rip;
	if (c->cpu != LONG)
		cur_lin = (u32)cur_lin;
	cur_avail = c->avail < 0 ? 0 : c->avail ? c->avail : MV_MAX_INSN;
	/* int3 after the instruction, so that overreading shows */
	memset(mem, 0xcc, sizeof(mem));
	memcpy(mem, c->bytes, n);
}

static int failures;

#define CHECK(field, fmt) do {						\
	if (got.field != c->field) {					\
		printf("#   %s: " fmt ", expected " fmt "\n", #field,	\
		       (unsigned long long)got.field,			\
		       (unsigned long long)c->field);			\
		bad = true;						\
	}								\
} while (0)

static void run_case(unsigned int nr, const struct dcase *c)
{
	struct mv_vcpu vcpu;
	struct mv_insn got;
	bool bad = false;
	int ret;

	setup(&vcpu, c);
	/* Poison: fields the decoder leaves alone are not checked. */
	memset(&got, 0xa5, sizeof(got));
	ret = mv_insn_fetch_decode(&vcpu, &got);
	if (ret != c->ret) {
		printf("#   returned %d, expected %d\n", ret, c->ret);
		bad = true;
	} else if (!ret) {
		CHECK(len, "%llu");
		CHECK(opsize, "%llu");
		CHECK(addrsize, "%llu");
		CHECK(rex, "%#llx");
		CHECK(seg, "%llu");
		CHECK(rep, "%llu");
		CHECK(lock, "%llu");
		CHECK(opcode, "%#llx");
		CHECK(has_modrm, "%llu");
		if (c->has_modrm) {
			CHECK(modrm_mod, "%llu");
			CHECK(modrm_reg, "%llu");
			CHECK(modrm_rm, "%llu");
		}
		CHECK(ea, "%#llx");
		if (c->has_imm)
			CHECK(imm, "%#llx");
	}
	printf("%sok %u - %s\n", bad ? "not " : "", nr, c->name);
	failures += bad;
}

int main(void)
{
	unsigned int i, n = sizeof(cases) / sizeof(cases[0]);

	printf("TAP version 13\n1..%u\n", n);
	for (i = 0; i < n; i++)
		run_case(i + 1, &cases[i]);
	printf("# %u cases, %d failed\n", n, failures);
	return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
