/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stands in for module/minivisor.h when module/decode.c is built in
 * userspace: the few vCPU fields, constants and calls the decoder uses.
 * The real header needs the kernel's; it is kept out by defining its
 * include guard (decode.c includes it by a path next to itself, which no
 * -I can redirect), and the test supplies the calls.
 */
#ifndef MV_SHIM_MINIVISOR_H
#define MV_SHIM_MINIVISOR_H
#define _MV_MINIVISOR_H

#include <linux/kernel.h>
#include <linux/minivisor.h>

#include "decode.h"

enum mv_gpr {
	MV_RAX, MV_RCX, MV_RDX, MV_RBX, MV_RSP, MV_RBP, MV_RSI, MV_RDI,
	MV_R8, MV_R9, MV_R10, MV_R11, MV_R12, MV_R13, MV_R14, MV_R15,
	MV_NR_GPRS
};

enum mv_seg {
	MV_ES, MV_CS, MV_SS, MV_DS, MV_FS, MV_GS, MV_TR, MV_LDTR, MV_NR_SEGS
};

struct mv_vm;

struct mv_vcpu {
	struct mv_vm *vm;
	u64 regs[MV_NR_GPRS];
	u64 rip, rflags;
	u64 cr0, efer;
};

struct mv_arch_ops {
	void (*get_segment)(struct mv_vcpu *vcpu, enum mv_seg seg,
			    struct mv_segment *s);
};

extern const struct mv_arch_ops *mv_arch;

u64 mv_seg_base(struct mv_vcpu *vcpu, enum mv_seg seg);
int mv_mmu_gva_to_gpa(struct mv_vcpu *vcpu, u64 gva, u32 access, u64 *gpa);
int mv_mmu_gva_peek(struct mv_vcpu *vcpu, u64 gva, u32 access, u64 *gpa);
int mv_mem_copy(struct mv_vm *vm, u64 gpa, void *buf, u64 len, bool write);

#define X86_CR0_PE	BIT_ULL(0)
#define EFER_LMA	BIT_ULL(10)
#define X86_EFLAGS_VM	BIT_ULL(17)
#define X86_PF_INSTR	BIT(4)

static inline u64 mv_size_mask(int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static inline bool mv_is_long_mode(struct mv_vcpu *vcpu)
{
	return vcpu->efer & EFER_LMA;
}

#endif
