// SPDX-License-Identifier: GPL-2.0
/*
 * The small instruction emulator.
 *
 * Hardware virtualization runs almost everything natively; what reaches us
 * needs decoding in three cases: an access to guest-physical memory that is
 * not RAM (MMIO, which userspace emulates once we know the size, direction
 * and data), control/debug-register moves and INVLPG (the hardware says
 * which instruction but, without decode assists, not its operands), and
 * skipping an intercepted instruction when the CPU does not save the next
 * RIP.  So this is a decoder for the instructions that can get here, not a
 * general x86 emulator; anything else touching MMIO is an internal error
 * that names the instruction bytes.  The decoding is decode.c's.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "alu.h"
#include "irqchip.h"
#include "trace.h"

#define OP2(b)	MV_OP2(b)

/*
 * An instruction minivisor completed for a single-stepping guest traps
 * after it, as the CPU would have (KVM: kvm_vcpu_do_singlestep()); our own
 * single step past an NMI handler's IRET is not the guest's.
 */
static void mv_singlestep_trap(struct mv_vcpu *vcpu)
{
	if (!(vcpu->rflags & X86_EFLAGS_TF) || vcpu->nmi_singlestep)
		return;
	mv_queue_db(vcpu, DR_STEP);
}

void mv_complete_insn(struct mv_vcpu *vcpu, u64 next_rip)
{
	vcpu->rip = next_rip;
	mv_singlestep_trap(vcpu);
}

static void mv_advance(struct mv_vcpu *vcpu, unsigned int len)
{
	u64 rip = vcpu->rip + len;

	if (mv_code_size(vcpu) != 8)
		rip = (u32)rip;
	if (mv_code_size(vcpu) == 2)
		rip &= 0xffff;
	vcpu->rip = rip;
	mv_singlestep_trap(vcpu);
}

/*
 * Is the instruction at RIP a hypercall, VMCALL or VMMCALL?  Either is one
 * on both vendors: the other vendor's raises #UD, which ends up here.
 * When true, vcpu->insn holds it (mv_skip_decoded() goes past it).
 */
bool mv_insn_is_hypercall(struct mv_vcpu *vcpu)
{
	struct mv_insn *insn = &vcpu->insn;

	if (mv_insn_fetch_decode(vcpu, insn) || insn->opcode != OP2(0x01) ||
	    insn->modrm_mod != 3 || insn->modrm_rm != 1)
		return false;
	/* 0f 01 c1 is VMCALL, 0f 01 d9 VMMCALL. */
	return insn->modrm_reg == 0 || insn->modrm_reg == 3;
}

void mv_skip_decoded(struct mv_vcpu *vcpu)
{
	mv_advance(vcpu, vcpu->insn.len);
}

int mv_skip_insn(struct mv_vcpu *vcpu)
{
	if (vcpu->exit.next_rip) {
		mv_complete_insn(vcpu, vcpu->exit.next_rip);
		return MV_RET_GUEST;
	}
	if (mv_insn_fetch_decode(vcpu, &vcpu->insn))
		return MV_RET_UNHANDLED;
	mv_advance(vcpu, vcpu->insn.len);
	return MV_RET_GUEST;
}

int mv_emulation_failed(struct mv_vcpu *vcpu, u64 gpa)
{
	u64 data[4] = { vcpu->rip, 0, 0, gpa };

	memcpy(&data[1], vcpu->insn.bytes, MV_MAX_INSN);
	return mv_internal_error(vcpu, MV_INTERNAL_EMULATION, 4, data);
}

/* Register operand of ModRM.reg for a byte-sized access (AH..BH quirk). */
static u64 *mv_byte_reg(struct mv_vcpu *vcpu, struct mv_insn *insn, int reg,
			int *shift)
{
	*shift = 0;
	if (!insn->rex && reg >= 4 && reg < 8) {
		*shift = 8;
		reg -= 4;
	}
	return &vcpu->regs[reg];
}

/* The size and value a MOV store writes; -EOPNOTSUPP for anything else. */
static int mv_store_value(struct mv_vcpu *vcpu, struct mv_insn *insn,
			  int *size, u64 *val)
{
	int shift;
	u64 *reg;

	switch (insn->opcode) {
	case 0x88:
	case 0x89:
		if (insn->modrm_mod == 3)
			return -EOPNOTSUPP;
		*size = insn->opcode == 0x88 ? 1 : insn->opsize;
		if (*size == 1) {
			reg = mv_byte_reg(vcpu, insn, insn->modrm_reg, &shift);
			*val = *reg >> shift;
		} else {
			*val = vcpu->regs[insn->modrm_reg];
		}
		break;
	case 0xa2:
	case 0xa3:
		*size = insn->opcode == 0xa2 ? 1 : insn->opsize;
		*val = vcpu->regs[MV_RAX];
		break;
	case 0xc6:
	case 0xc7:
		if (insn->modrm_mod == 3)
			return -EOPNOTSUPP;
		*size = insn->opcode == 0xc6 ? 1 : insn->opsize;
		*val = insn->imm;
		break;
	default:
		return -EOPNOTSUPP;
	}
	*val &= mv_size_mask(*size);
	return 0;
}

static u64 mv_insn_linear(struct mv_vcpu *vcpu, struct mv_insn *insn)
{
	u64 lin = mv_seg_base(vcpu, insn->seg) + insn->ea;

	return mv_code_size(vcpu) == 8 ? lin : (u32)lin;
}

/*
 * Does the memory operand (@size bytes, @gpa where the fault hit) cross a
 * page?  Either it runs past @gpa's page, or it began on the page before
 * (a fault reports the first byte that faulted).  Such an access spans
 * RAM and MMIO, or two tables: more than we emulate.
 */
static bool mv_operand_straddles(struct mv_vcpu *vcpu, struct mv_insn *insn,
				 u64 gpa, int size)
{
	return (gpa & ~PAGE_MASK) + size > PAGE_SIZE ||
	       ((mv_insn_linear(vcpu, insn) ^ gpa) & ~PAGE_MASK);
}

/* Write @len bytes of @val (@size bytes, repeated) at @gpa, in RAM. */
static int mv_fill_ram(struct mv_vm *vm, u64 gpa, u64 val, int size, u64 len)
{
	u8 pattern[64];
	u64 done, chunk;
	unsigned int i;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = val >> (8 * (i % size));
	for (done = 0; done < len; done += chunk) {
		chunk = min_t(u64, len - done, sizeof(pattern));
		if (mv_mem_copy(vm, gpa + done, pattern, chunk, true))
			return -EFAULT;
	}
	return 0;
}

/*
 * STOS, with or without REP, into a guest table the store's own
 * translation goes through (Linux's reset_early_page_tables() clears its
 * live PML4 with REP STOSL through the kernel mapping that PML4 holds).
 * The elements on @gpa's page are stored as an emulated MOV stores (the
 * write unshadows the table), RDI and RCX step past them, and RIP stays
 * on the instruction while RCX says there is more: the rest runs
 * natively, or faults again.
 */
static int mv_emulate_stos(struct mv_vcpu *vcpu, struct mv_insn *insn, u64 gpa)
{
	int size = insn->opcode == 0xaa ? 1 : insn->opsize;
	u64 amask = mv_size_mask(insn->addrsize);
	u64 count = insn->rep ? vcpu->regs[MV_RCX] & amask : 1;
	u64 lin = mv_seg_base(vcpu, MV_ES) + (vcpu->regs[MV_RDI] & amask);
	bool down = vcpu->rflags & X86_EFLAGS_DF;
	unsigned int off = gpa & ~PAGE_MASK;
	u64 n, delta, rdi;

	if (mv_code_size(vcpu) != 8)
		lin = (u32)lin;
	if (insn->lock || !count || ((lin ^ gpa) & ~PAGE_MASK) ||
	    off + size > PAGE_SIZE)
		return mv_emulation_failed(vcpu, gpa);
	n = min_t(u64, count, down ? off / size + 1 : (PAGE_SIZE - off) / size);
	if (mv_fill_ram(vcpu->vm, down ? gpa - (n - 1) * size : gpa,
			vcpu->regs[MV_RAX], size, n * size))
		return mv_emulation_failed(vcpu, gpa);
	delta = n * size;
	rdi = vcpu->regs[MV_RDI];
	rdi = down ? rdi - delta : rdi + delta;
	vcpu->regs[MV_RDI] = (vcpu->regs[MV_RDI] & ~amask) | (rdi & amask);
	if (insn->rep)
		vcpu->regs[MV_RCX] = (vcpu->regs[MV_RCX] & ~amask) |
				     ((count - n) & amask);
	if (count == n)
		mv_advance(vcpu, insn->len);
	return MV_RET_GUEST;
}

/* An ALU instruction's outcome (alu.c): its registers and flags. */
static void mv_alu_commit(struct mv_vcpu *vcpu, const struct mv_alu *out)
{
	if (out->reg_write)
		vcpu->regs[out->reg] = out->reg_val;
	vcpu->rflags = out->rflags;
}

struct mv_rmw {
	struct mv_vcpu *vcpu;
	struct mv_alu out;
	int ret;
};

/* mv_mem_update()'s callback: the instruction, on the operand's old value. */
static bool mv_rmw_step(void *ctx, u64 old, u64 *new)
{
	struct mv_rmw *c = ctx;

	c->ret = mv_alu_eval(&c->vcpu->insn, c->vcpu->regs, c->vcpu->rflags,
			     old, &c->out);
	*new = c->out.mem_val;
	return !c->ret && c->out.mem_write;
}

/*
 * A read-modify-write (AND, OR, XCHG, CMPXCHG, BTS, INC, ...) on RAM: the
 * read and the write are one step under the MMU lock, so LOCK holds
 * against every other emulated write.
 */
static int mv_emulate_rmw(struct mv_vcpu *vcpu, struct mv_insn *insn, u64 gpa)
{
	struct mv_rmw c = { .vcpu = vcpu };
	int size = mv_alu_size(insn);

	if (!size || mv_operand_straddles(vcpu, insn, gpa, size) ||
	    mv_mem_update(vcpu->vm, gpa, size, mv_rmw_step, &c) || c.ret)
		return mv_emulation_failed(vcpu, gpa);
	mv_alu_commit(vcpu, &c.out);
	mv_advance(vcpu, insn->len);
	return MV_RET_GUEST;
}

int mv_emulate_store(struct mv_vcpu *vcpu, u64 gpa)
{
	struct mv_insn *insn = &vcpu->insn;
	int size;
	u64 val;

	if (mv_insn_fetch_decode(vcpu, insn))
		return mv_emulation_failed(vcpu, gpa);
	if (insn->opcode == 0xaa || insn->opcode == 0xab)
		return mv_emulate_stos(vcpu, insn, gpa);
	if (mv_alu_size(insn))
		return mv_emulate_rmw(vcpu, insn, gpa);
	if (mv_store_value(vcpu, insn, &size, &val) ||
	    mv_operand_straddles(vcpu, insn, gpa, size) ||
	    mv_mem_copy(vcpu->vm, gpa, &val, size, true))
		return mv_emulation_failed(vcpu, gpa);
	mv_advance(vcpu, insn->len);
	return MV_RET_GUEST;
}

/*
 * The second half of an ALU instruction on MMIO, once the device's value
 * is in run->mmio.data: its registers and flags, then, if it writes, the
 * write (to a device in the kernel, or to userspace: MV_RET_USER).
 */
int mv_emulate_mmio_alu_done(struct mv_vcpu *vcpu)
{
	struct mv_run *run = vcpu->run;
	unsigned int size = vcpu->pending_count;
	u64 gpa = vcpu->mmio_gpa, val = 0;
	struct mv_alu out;

	memcpy(&val, run->mmio.data, size);
	trace_mv_mmio(vcpu, false, gpa, size, val);
	if (mv_alu_eval(&vcpu->insn, vcpu->regs, vcpu->rflags, val, &out))
		return mv_emulation_failed(vcpu, gpa);
	mv_alu_commit(vcpu, &out);
	mv_advance(vcpu, vcpu->insn.len);
	if (!out.mem_write || !mv_io_write(vcpu, true, gpa, size, &out.mem_val))
		return MV_RET_GUEST;
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->exit_reason = MV_EXIT_MMIO;
	run->mmio.gpa = gpa;
	run->mmio.len = size;
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, &out.mem_val, size);
	trace_mv_mmio(vcpu, true, gpa, size, out.mem_val);
	vcpu->stats[MV_STAT_MMIO]++;
	return MV_RET_USER;
}

/*
 * An ALU instruction on MMIO reads the device first (KVM's emulator does
 * the same): in the kernel, or through a read exit that MV_RUN completes
 * with mv_emulate_mmio_alu_done().  An instruction the ALU cannot run
 * (a bit offset outside the operand) is refused before the read.
 */
static int mv_emulate_mmio_alu(struct mv_vcpu *vcpu, struct mv_insn *insn,
			       u64 gpa)
{
	struct mv_run *run = vcpu->run;
	int size = mv_alu_size(insn);
	struct mv_alu probe;

	if (mv_operand_straddles(vcpu, insn, gpa, size) ||
	    mv_alu_eval(insn, vcpu->regs, vcpu->rflags, 0, &probe))
		return mv_emulation_failed(vcpu, gpa);
	run->mmio.len = size;
	vcpu->pending_count = size;
	vcpu->mmio_gpa = gpa;
	if (!mv_io_read(vcpu, true, gpa, size, run->mmio.data))
		return mv_emulate_mmio_alu_done(vcpu);
	vcpu->pending = MV_PENDING_MMIO_ALU;
	vcpu->stats[MV_STAT_MMIO]++;
	return MV_RET_USER;
}

int mv_emulate_mmio(struct mv_vcpu *vcpu, u64 gpa)
{
	struct mv_insn *insn = &vcpu->insn;
	struct mv_run *run = vcpu->run;
	int size;
	u64 val;

	if (mv_insn_fetch_decode(vcpu, insn))
		goto fail;
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->mmio.gpa = gpa;
	run->exit_reason = MV_EXIT_MMIO;
	if (mv_alu_size(insn))
		return mv_emulate_mmio_alu(vcpu, insn, gpa);
	if (insn->lock)
		goto fail;
	if (!mv_store_value(vcpu, insn, &size, &val)) {
		if (mv_operand_straddles(vcpu, insn, gpa, size))
			goto fail;
		/* A device in the kernel (local APIC, I/O APIC) takes it? */
		if (!mv_io_write(vcpu, true, gpa, size, &val)) {
			mv_advance(vcpu, insn->len);
			return MV_RET_GUEST;
		}
		run->mmio.len = size;
		run->mmio.is_write = 1;
		memcpy(run->mmio.data, &val, size);
		trace_mv_mmio(vcpu, true, gpa, size, val);
		vcpu->stats[MV_STAT_MMIO]++;
		mv_advance(vcpu, insn->len);
		return MV_RET_USER;
	}
	switch (insn->opcode) {
	case 0x8a:
	case 0xa0:
	case OP2(0xb6):
	case OP2(0xbe):
		size = 1;
		break;
	case OP2(0xb7):
	case OP2(0xbf):
		size = 2;
		break;
	case 0x8b:
	case 0xa1:
		size = insn->opsize;
		break;
	default:
		goto fail;
	}
	if ((insn->has_modrm && insn->modrm_mod == 3) ||
	    mv_operand_straddles(vcpu, insn, gpa, size))
		goto fail;
	run->mmio.len = size;
	vcpu->pending_count = size;
	vcpu->mmio_gpa = gpa;
	if (!mv_io_read(vcpu, true, gpa, size, run->mmio.data)) {
		mv_emulate_mmio_complete(vcpu);
		return MV_RET_GUEST;
	}
	/* A read: finish when userspace supplies the data. */
	vcpu->pending = MV_PENDING_MMIO_READ;
	vcpu->stats[MV_STAT_MMIO]++;
	return MV_RET_USER;
fail:
	return mv_emulation_failed(vcpu, gpa);
}

void mv_emulate_mmio_complete(struct mv_vcpu *vcpu)
{
	struct mv_insn *insn = &vcpu->insn;
	struct mv_run *run = vcpu->run;
	u64 val = 0;
	int shift;
	u64 *reg;

	/* The length we asked for, not what the VMM may have written since. */
	memcpy(&val, run->mmio.data, vcpu->pending_count);
	trace_mv_mmio(vcpu, false, vcpu->mmio_gpa, vcpu->pending_count, val);
	switch (insn->opcode) {
	case 0x8a:
		reg = mv_byte_reg(vcpu, insn, insn->modrm_reg, &shift);
		*reg = (*reg & ~(0xffULL << shift)) | ((val & 0xff) << shift);
		break;
	case 0xa0:
		mv_gpr_write(vcpu, MV_RAX, 1, val);
		break;
	case 0xa1:
		mv_gpr_write(vcpu, MV_RAX, insn->opsize, val);
		break;
	case OP2(0xb6):
	case OP2(0xb7):
		mv_gpr_write(vcpu, insn->modrm_reg, insn->opsize, val);
		break;
	case OP2(0xbe):
		mv_gpr_write(vcpu, insn->modrm_reg, insn->opsize, (s64)(s8)val);
		break;
	case OP2(0xbf):
		mv_gpr_write(vcpu, insn->modrm_reg, insn->opsize, (s64)(s16)val);
		break;
	default:		/* 0x8b */
		mv_gpr_write(vcpu, insn->modrm_reg, insn->opsize, val);
	}
	mv_advance(vcpu, insn->len);
}

/* Operand of SMSW/LMSW/INVLPG: a register or the linear address. */

/*
 * Copy @len bytes between @buf and guest linear memory at @lin, a page at
 * a time, faulting as the CPU would: MV_RET_GUEST, MV_RET_FAULTED (an
 * exception queued), or what a copy outside RAM calls for.
 */
static int mv_copy_linear(struct mv_vcpu *vcpu, u64 lin, void *buf,
			  unsigned int len, bool write)
{
	unsigned int done, chunk;
	u64 gpa;
	int ret;

	for (done = 0; done < len; done += chunk) {
		chunk = min_t(unsigned int, len - done,
			      PAGE_SIZE - ((lin + done) & ~PAGE_MASK));
		ret = mv_mmu_gva_to_gpa(vcpu, lin + done,
					write ? X86_PF_WRITE : 0, &gpa);
		if (ret)	/* #PF queued, or an internal error */
			return mv_xlate_to_ret(ret);
		if (mv_mem_copy(vcpu->vm, gpa, buf + done, chunk, write))
			return mv_emulation_failed(vcpu, gpa);
	}
	return MV_RET_GUEST;
}

static int mv_emulate_group7(struct mv_vcpu *vcpu, struct mv_insn *insn)
{
	u8 op = insn->modrm_reg & 7;
	u16 msw;
	int ret;

	switch (op) {
	case 4:		/* SMSW */
		trace_mv_cr(vcpu, 0, false, vcpu->cr0);
		msw = vcpu->cr0;
		if (insn->modrm_mod == 3) {
			mv_gpr_write(vcpu, insn->modrm_rm, insn->opsize,
				     insn->opsize == 2 ? msw : vcpu->cr0);
			break;
		}
		ret = mv_copy_linear(vcpu, mv_insn_linear(vcpu, insn), &msw, 2,
				     true);
		if (ret == MV_RET_FAULTED)
			return MV_RET_GUEST;
		if (ret != MV_RET_GUEST)
			return ret;
		break;
	case 6:		/* LMSW: PE can be set, not cleared */
		if (insn->modrm_mod == 3) {
			msw = vcpu->regs[insn->modrm_rm];
		} else {
			ret = mv_copy_linear(vcpu, mv_insn_linear(vcpu, insn),
					     &msw, 2, false);
			if (ret == MV_RET_FAULTED)
				return MV_RET_GUEST;
			if (ret != MV_RET_GUEST)
				return ret;
		}
		trace_mv_cr(vcpu, 0, true, (vcpu->cr0 & ~0xeULL) | (msw & 0xf) |
			    (vcpu->cr0 & X86_CR0_PE));
		if (mv_set_cr0(vcpu, (vcpu->cr0 & ~0xeULL) | (msw & 0xf) |
				     (vcpu->cr0 & X86_CR0_PE)))
			return MV_RET_GUEST;
		break;
	default:
		return MV_RET_UNHANDLED;
	}
	mv_advance(vcpu, insn->len);
	return MV_RET_GUEST;
}

static int mv_write_cr(struct mv_vcpu *vcpu, int cr, u64 val)
{
	trace_mv_cr(vcpu, cr, true, val);
	switch (cr) {
	case 0:
		return mv_set_cr0(vcpu, val);
	case 2:
		vcpu->cr2 = val;
		return 0;
	case 3:
		return mv_set_cr3(vcpu, val);
	case 4:
		return mv_set_cr4(vcpu, val);
	case 8:			/* TPR[7:4], in 64-bit mode only */
		if (!mv_long_mode_cs(vcpu))
			break;
		if (val >> 4) {
			mv_queue_exception(vcpu, X86_TRAP_GP, true, 0);
			return -EINVAL;
		}
		mv_lapic_set_cr8(vcpu, val);
		return 0;
	}
	mv_queue_exception(vcpu, X86_TRAP_UD, false, 0);
	return -EINVAL;
}

static int mv_read_cr(struct mv_vcpu *vcpu, int cr, u64 *val)
{
	switch (cr) {
	case 0:
		*val = vcpu->cr0;
		return 0;
	case 2:
		*val = vcpu->cr2;
		return 0;
	case 3:
		*val = vcpu->cr3;
		return 0;
	case 4:
		*val = vcpu->cr4;
		return 0;
	case 8:
		if (!mv_long_mode_cs(vcpu))
			break;
		*val = mv_lapic_get_cr8(vcpu);
		return 0;
	}
	mv_queue_exception(vcpu, X86_TRAP_UD, false, 0);
	return -EINVAL;
}

/* DR4/DR5 alias DR6/DR7 unless CR4.DE; then they are #UD. */
static int mv_dr_index(struct mv_vcpu *vcpu, int dr)
{
	if (dr == 4 || dr == 5) {
		if (vcpu->cr4 & BIT(3))
			return -1;
		dr += 2;
	}
	return dr;
}

int mv_emulate_cr_dr(struct mv_vcpu *vcpu)
{
	struct mv_insn *insn = &vcpu->insn;
	int size, n;
	bool smsw;
	u64 val;

	if (mv_insn_fetch_decode(vcpu, insn))
		return MV_RET_UNHANDLED;
	/* SMSW is the one of them that any CPL may run, unless CR4.UMIP. */
	smsw = insn->opcode == OP2(0x01) && (insn->modrm_reg & 7) == 4;
	if (mv_arch->get_cpl(vcpu) &&
	    (!smsw || (vcpu->cr4 & X86_CR4_UMIP))) {
		mv_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return MV_RET_GUEST;
	}
	size = mv_code_size(vcpu) == 8 ? 8 : 4;
	switch (insn->opcode) {
	case OP2(0x06):				/* CLTS */
		trace_mv_cr(vcpu, 0, true, vcpu->cr0 & ~X86_CR0_TS);
		if (mv_set_cr0(vcpu, vcpu->cr0 & ~X86_CR0_TS))
			return MV_RET_GUEST;
		break;
	case OP2(0x01):
		return mv_emulate_group7(vcpu, insn);
	case OP2(0x20):				/* MOV r, CRn */
		if (mv_read_cr(vcpu, insn->modrm_reg, &val))
			return MV_RET_GUEST;
		mv_gpr_write(vcpu, insn->modrm_rm, size, val);
		trace_mv_cr(vcpu, insn->modrm_reg, false, val);
		break;
	case OP2(0x22):				/* MOV CRn, r */
		if (mv_write_cr(vcpu, insn->modrm_reg,
				mv_gpr_read(vcpu, insn->modrm_rm, size)))
			return MV_RET_GUEST;
		break;
	case OP2(0x21):				/* MOV r, DRn */
	case OP2(0x23):				/* MOV DRn, r */
		n = mv_dr_index(vcpu, insn->modrm_reg);
		if (n < 0 || n > 7) {
			mv_queue_exception(vcpu, X86_TRAP_UD, false, 0);
			return MV_RET_GUEST;
		}
		/* General detect: a fault, before the access. */
		if (vcpu->dr7 & MV_DR7_GD) {
			mv_queue_db(vcpu, MV_DR6_BD);
			return MV_RET_GUEST;
		}
		if (insn->opcode == OP2(0x21)) {
			val = n < 4 ? vcpu->dr[n] : n == 6 ? vcpu->dr6 : vcpu->dr7;
			mv_gpr_write(vcpu, insn->modrm_rm, size, val);
			break;
		}
		val = mv_gpr_read(vcpu, insn->modrm_rm, size);
		if (n >= 6 && (val >> 32)) {
			mv_queue_exception(vcpu, X86_TRAP_GP, true, 0);
			return MV_RET_GUEST;
		}
		/* The backend loads them into the hardware for the guest. */
		if (n < 4)
			vcpu->dr[n] = val;
		else if (n == 6)
			vcpu->dr6 = (val & MV_DR6_VOLATILE) | MV_DR6_RESET;
		else
			vcpu->dr7 = (val & MV_DR7_VOLATILE) | MV_DR7_RESET;
		break;
	default:
		return MV_RET_UNHANDLED;
	}
	mv_advance(vcpu, insn->len);
	return MV_RET_GUEST;
}

int mv_emulate_invlpg(struct mv_vcpu *vcpu)
{
	struct mv_insn *insn = &vcpu->insn;

	if (mv_insn_fetch_decode(vcpu, insn) || insn->opcode != OP2(0x01) ||
	    (insn->modrm_reg & 7) != 7 || insn->modrm_mod == 3)
		return MV_RET_UNHANDLED;
	mv_mmu_invlpg(vcpu, mv_insn_linear(vcpu, insn));
	mv_advance(vcpu, insn->len);
	return MV_RET_GUEST;
}
