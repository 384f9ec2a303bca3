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
 * that names the instruction bytes.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "minivisor.h"
#include "trace.h"

#define OP2(b)	(0x0f00 | (b))

u64 mv_seg_base(struct mv_vcpu *vcpu, enum mv_seg seg)
{
	struct mv_segment s;

	/* In 64-bit mode only FS and GS have a base. */
	if (mv_long_mode_cs(vcpu) && seg != MV_FS && seg != MV_GS)
		return 0;
	mv_arch->get_segment(vcpu, seg, &s);
	return s.base;
}

bool mv_long_mode_cs(struct mv_vcpu *vcpu)
{
	struct mv_segment cs;

	if (!mv_is_long_mode(vcpu))
		return false;
	mv_arch->get_segment(vcpu, MV_CS, &cs);
	return cs.l;
}

/* Default operand/address size of the current code segment: 2, 4 or 8. */
static int mv_code_size(struct mv_vcpu *vcpu)
{
	struct mv_segment cs;

	if (!(vcpu->cr0 & MV_CR0_PE) || (vcpu->rflags & MV_RFLAGS_VM))
		return 2;
	mv_arch->get_segment(vcpu, MV_CS, &cs);
	if (mv_is_long_mode(vcpu) && cs.l)
		return 8;
	return cs.db ? 4 : 2;
}

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

		if (mv_mmu_gva_to_gpa(vcpu, addr, MV_PF_FETCH, &gpa) ||
		    mv_mem_copy(vcpu->vm, gpa, insn->bytes + done, chunk, false))
			break;
		done += chunk;
	}
	return done ? 0 : -EFAULT;
}

/* Little-endian immediate/displacement of @n bytes at @p. */
static s64 rd_signed(const u8 *p, int n)
{
	switch (n) {
	case 1:
		return (s8)p[0];
	case 2:
		return (s16)(p[0] | p[1] << 8);
	case 4:
		return (s32)(p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24);
	default:
		{;
		u64 v = 0;
		int i;

		for (i = 7; i >= 0; i--)
			v = v << 8 | p[i];
		return v;
	}
	}
}

/* 16-bit ModRM addressing: the eight base/index combinations. */
static u64 ea16(struct mv_vcpu *vcpu, struct mv_insn *insn)
{
	static const s8 base[8] = { MV_RBX, MV_RBX, MV_RBP, MV_RBP,
				    -1, -1, MV_RBP, MV_RBX };
	static const s8 index[8] = { MV_RSI, MV_RDI, MV_RSI, MV_RDI,
				     MV_RSI, MV_RDI, -1, -1 };
	u8 rm = insn->modrm_rm;
	u64 ea = 0;

	if (insn->modrm_mod == 0 && rm == 6)
		return 0;	/* disp16 only, added by the caller */
	if (base[rm] >= 0)
		ea += (u16)vcpu->regs[base[rm]];
	if (index[rm] >= 0)
		ea += (u16)vcpu->regs[index[rm]];
	if (rm == 2 || rm == 3 || rm == 6)
		insn->seg = insn->seg == 0xff ? MV_SS : insn->seg;
	return ea;
}

/*
 * Decode prefixes, opcode, ModRM/SIB, displacement and immediate, computing
 * the length and (for memory operands) the effective address.  Knows the
 * instructions that can reach us; others are -EOPNOTSUPP.
 */
static int mv_decode(struct mv_vcpu *vcpu, struct mv_insn *insn)
{
	int mode = mv_code_size(vcpu), i = 0, imm_size = 0, disp_size = 0;
	const u8 *b = insn->bytes;
	bool opsize_pfx = false, addrsize_pfx = false, need_modrm;
	u8 op;

	insn->seg = 0xff;
	insn->rex = 0;
	insn->rep = false;
	insn->lock = false;
	for (;; i++) {
		if (i >= MV_MAX_INSN)
			return -EOPNOTSUPP;
		switch (b[i]) {
		case 0x66:
			opsize_pfx = true;
			continue;
		case 0x67:
			addrsize_pfx = true;
			continue;
		case 0xf0:
			insn->lock = true;
			continue;
		case 0xf2:
		case 0xf3:
			insn->rep = true;
			continue;
		case 0x26:
			insn->seg = MV_ES;
			continue;
		case 0x2e:
			insn->seg = MV_CS;
			continue;
		case 0x36:
			insn->seg = MV_SS;
			continue;
		case 0x3e:
			insn->seg = MV_DS;
			continue;
		case 0x64:
			insn->seg = MV_FS;
			continue;
		case 0x65:
			insn->seg = MV_GS;
			continue;
		}
		break;
	}
	if (mode == 8 && (b[i] & 0xf0) == 0x40)
		insn->rex = b[i++];
	if (i >= MV_MAX_INSN - 1)
		return -EOPNOTSUPP;

	if (mode == 8)
		insn->opsize = (insn->rex & 8) ? 8 : opsize_pfx ? 2 : 4;
	else
		insn->opsize = (mode == 4) ^ opsize_pfx ? 4 : 2;
	if (mode == 8)
		insn->addrsize = addrsize_pfx ? 4 : 8;
	else
		insn->addrsize = (mode == 4) ^ addrsize_pfx ? 4 : 2;

	op = b[i++];
	insn->opcode = op;
	if (op == 0x0f) {
		insn->opcode = OP2(b[i++]);
		switch (insn->opcode) {
		case OP2(0x01):			/* group 7 */
		case OP2(0x20):
		case OP2(0x21):	/* MOV from CR/DR */
		case OP2(0x22):
		case OP2(0x23):	/* MOV to CR/DR */
		case OP2(0xb6):
		case OP2(0xb7):	/* MOVZX */
		case OP2(0xbe):
		case OP2(0xbf):	/* MOVSX */
			need_modrm = true;
			break;
		case OP2(0x06):			/* CLTS */
		case OP2(0x08):
		case OP2(0x09):	/* INVD, WBINVD */
		case OP2(0x30):
		case OP2(0x32):	/* WRMSR, RDMSR */
		case OP2(0xa2):			/* CPUID */
			need_modrm = false;
			break;
		default:
			return -EOPNOTSUPP;
		}
	} else {
		switch (op) {
		case 0x88:
		case 0x89:
		case 0x8a:
		case 0x8b:
			need_modrm = true;
			break;
		case 0xc6:
			need_modrm = true;
			imm_size = 1;
			break;
		case 0xc7:
			need_modrm = true;
			imm_size = insn->opsize == 2 ? 2 : 4;
			break;
		case 0xa0:
		case 0xa1:
		case 0xa2:
		case 0xa3:
			need_modrm = false;
			disp_size = insn->addrsize;
			break;
		case 0xe4:
		case 0xe5:
		case 0xe6:
		case 0xe7:
			need_modrm = false;
			imm_size = 1;
			break;
		case 0x6c:
		case 0x6d:
		case 0x6e:
		case 0x6f:
		case 0xec:
		case 0xed:
		case 0xee:
		case 0xef:
		case 0xf4:
			need_modrm = false;
			break;
		default:
			return -EOPNOTSUPP;
		}
	}

	insn->has_modrm = need_modrm;
	insn->ea = 0;
	if (need_modrm) {
		u8 modrm = b[i++];

		insn->modrm_mod = modrm >> 6;
		insn->modrm_reg = ((modrm >> 3) & 7) | ((insn->rex & 4) << 1);
		insn->modrm_rm = modrm & 7;
		/* Group 7's register forms (VMMCALL, ...) have no memory operand. */
		if (insn->modrm_mod == 3) {
			insn->modrm_rm |= (insn->rex & 1) << 3;
		} else if (insn->addrsize == 2) {
			insn->ea = ea16(vcpu, insn);
			if (insn->modrm_mod == 1)
				disp_size = 1;
			else if (insn->modrm_mod == 2 ||
				 (insn->modrm_mod == 0 && insn->modrm_rm == 6))
				disp_size = 2;
		} else {
			u8 rm = insn->modrm_rm;

			if (rm == 4) {
				u8 sib = b[i++];
				u8 scale = sib >> 6;
				u8 idx = ((sib >> 3) & 7) | ((insn->rex & 2) << 2);
				u8 base = (sib & 7) | ((insn->rex & 1) << 3);

				if (idx != 4)
					insn->ea += vcpu->regs[idx] << scale;
				if ((base & 7) == 5 && insn->modrm_mod == 0) {
					disp_size = 4;
				} else {
					insn->ea += vcpu->regs[base];
					if ((base & 7) == 4 || (base & 7) == 5)
						insn->seg = insn->seg == 0xff ?
							    MV_SS : insn->seg;
				}
			} else if (rm == 5 && insn->modrm_mod == 0) {
				disp_size = 4;
				/* RIP-relative in 64-bit mode; fixed up below. */
			} else {
				rm |= (insn->rex & 1) << 3;
				insn->ea += vcpu->regs[rm];
				if ((rm & 7) == 5)
					insn->seg = insn->seg == 0xff ? MV_SS : insn->seg;
			}
			if (insn->modrm_mod == 1)
				disp_size = 1;
			else if (insn->modrm_mod == 2)
				disp_size = 4;
		}
		/* C6/C7 need /0; group 7 register forms are fixed opcodes. */
		if ((op == 0xc6 || op == 0xc7) && (insn->modrm_reg & 7))
			return -EOPNOTSUPP;
	}
	if (i + disp_size + imm_size > MV_MAX_INSN)
		return -EOPNOTSUPP;
	if (disp_size) {
		if (insn->opcode >= 0xa0 && insn->opcode <= 0xa3)
			insn->ea = (u64)rd_signed(b + i, disp_size);
		else
			insn->ea += rd_signed(b + i, disp_size);
		i += disp_size;
	}
	if (imm_size) {
		insn->imm = rd_signed(b + i, imm_size);
		i += imm_size;
	}
	insn->len = i;
	/* ModRM 00/101 without SIB is RIP-relative in 64-bit mode. */
	if (need_modrm && mode == 8 && insn->modrm_mod == 0 &&
	    insn->modrm_rm == 5)
		insn->ea += vcpu->rip + insn->len;
	if (insn->addrsize != 8)
		insn->ea &= mv_size_mask(insn->addrsize);
	if (insn->seg == 0xff)
		insn->seg = MV_DS;
	return 0;
}

int mv_insn_fetch_decode(struct mv_vcpu *vcpu, struct mv_insn *insn)
{
	memset(insn->bytes, 0, sizeof(insn->bytes));
	if (mv_fetch(vcpu, insn))
		return -EFAULT;
	return mv_decode(vcpu, insn);
}

static void mv_advance(struct mv_vcpu *vcpu, unsigned int len)
{
	u64 rip = vcpu->rip + len;

	if (mv_code_size(vcpu) != 8)
		rip = (u32)rip;
	if (mv_code_size(vcpu) == 2)
		rip &= 0xffff;
	vcpu->rip = rip;
}

int mv_skip_insn(struct mv_vcpu *vcpu)
{
	if (vcpu->exit.next_rip) {
		vcpu->rip = vcpu->exit.next_rip;
		return 0;
	}
	if (mv_insn_fetch_decode(vcpu, &vcpu->insn))
		return -EOPNOTSUPP;
	mv_advance(vcpu, vcpu->insn.len);
	return 0;
}

void mv_emulation_failed(struct mv_vcpu *vcpu, u64 gpa)
{
	u64 data[4] = { vcpu->rip, 0, 0, gpa };

	memcpy(&data[1], vcpu->insn.bytes, MV_MAX_INSN);
	mv_internal_error(vcpu, MV_INTERNAL_EMULATION, 4, data);
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

int mv_emulate_store(struct mv_vcpu *vcpu, u64 gpa)
{
	struct mv_insn *insn = &vcpu->insn;
	int size;
	u64 val;

	if (mv_insn_fetch_decode(vcpu, insn) ||
	    mv_store_value(vcpu, insn, &size, &val) ||
	    (gpa & ~PAGE_MASK) + size > PAGE_SIZE ||
	    mv_mem_copy(vcpu->vm, gpa, &val, size, true)) {
		mv_emulation_failed(vcpu, gpa);
		return 1;
	}
	mv_advance(vcpu, insn->len);
	return 0;
}

int mv_emulate_mmio(struct mv_vcpu *vcpu, u64 gpa)
{
	struct mv_insn *insn = &vcpu->insn;
	struct mv_run *run = vcpu->run;
	int size;
	u64 val;

	if (mv_insn_fetch_decode(vcpu, insn) || insn->lock)
		goto fail;
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->mmio.gpa = gpa;
	run->exit_reason = MV_EXIT_MMIO;
	if (!mv_store_value(vcpu, insn, &size, &val)) {
		/* An access straddling RAM and MMIO is more than we emulate. */
		if ((gpa & ~PAGE_MASK) + size > PAGE_SIZE)
			goto fail;
		run->mmio.len = size;
		run->mmio.is_write = 1;
		memcpy(run->mmio.data, &val, size);
		trace_mv_mmio(vcpu, true, gpa, size, val);
		vcpu->stats[MV_STAT_MMIO]++;
		mv_advance(vcpu, insn->len);
		return 1;
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
	    (gpa & ~PAGE_MASK) + size > PAGE_SIZE)
		goto fail;
	/* A read: finish when userspace supplies the data. */
	run->mmio.len = size;
	vcpu->pending = MV_PENDING_MMIO_READ;
	vcpu->mmio_gpa = gpa;
	vcpu->stats[MV_STAT_MMIO]++;
	return 1;
fail:
	mv_emulation_failed(vcpu, gpa);
	return 1;
}

void mv_emulate_mmio_complete(struct mv_vcpu *vcpu)
{
	struct mv_insn *insn = &vcpu->insn;
	struct mv_run *run = vcpu->run;
	u64 val = 0;
	int shift;
	u64 *reg;

	memcpy(&val, run->mmio.data, run->mmio.len);
	trace_mv_mmio(vcpu, false, vcpu->mmio_gpa, run->mmio.len, val);
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
static u64 mv_insn_linear(struct mv_vcpu *vcpu, struct mv_insn *insn)
{
	u64 lin = mv_seg_base(vcpu, insn->seg) + insn->ea;

	return mv_code_size(vcpu) == 8 ? lin : (u32)lin;
}

static int mv_emulate_group7(struct mv_vcpu *vcpu, struct mv_insn *insn)
{
	u8 op = insn->modrm_reg & 7;
	u16 msw;
	u64 gpa;
	int ret;

	switch (op) {
	case 4:		/* SMSW */
		trace_mv_cr(vcpu, 0, false, vcpu->cr0);
		msw = vcpu->cr0;
		if (insn->modrm_mod == 3) {
			mv_gpr_write(vcpu, insn->modrm_rm, insn->opsize,
				     insn->opsize == 2 ? msw : vcpu->cr0);
		} else {
			ret = mv_mmu_gva_to_gpa(vcpu, mv_insn_linear(vcpu, insn),
						MV_PF_WRITE, &gpa);
			if (ret)	/* #PF queued, or an internal error */
				return ret == -ERANGE;
			if (mv_mem_copy(vcpu->vm, gpa, &msw, 2, true))
				return -EFAULT;
		}
		break;
	case 6:		/* LMSW: PE can be set, not cleared */
		if (insn->modrm_mod == 3) {
			msw = vcpu->regs[insn->modrm_rm];
		} else {
			ret = mv_mmu_gva_to_gpa(vcpu, mv_insn_linear(vcpu, insn),
						0, &gpa);
			if (ret)
				return ret == -ERANGE;
			if (mv_mem_copy(vcpu->vm, gpa, &msw, 2, false))
				return -EFAULT;
		}
		trace_mv_cr(vcpu, 0, true, (vcpu->cr0 & ~0xeULL) | (msw & 0xf) |
			    (vcpu->cr0 & MV_CR0_PE));
		if (mv_set_cr0(vcpu, (vcpu->cr0 & ~0xeULL) | (msw & 0xf) |
				     (vcpu->cr0 & MV_CR0_PE)))
			return 0;
		break;
	default:
		return -EOPNOTSUPP;
	}
	mv_advance(vcpu, insn->len);
	return 0;
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
	default:
		mv_queue_exception(vcpu, MV_VEC_UD, false, 0);
		return -EINVAL;
	}
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
	default:
		mv_queue_exception(vcpu, MV_VEC_UD, false, 0);
		return -EINVAL;
	}
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
	u64 val;

	if (mv_insn_fetch_decode(vcpu, insn))
		return -EOPNOTSUPP;
	if (mv_arch->get_cpl(vcpu)) {
		mv_queue_exception(vcpu, MV_VEC_GP, true, 0);
		return 0;
	}
	size = mv_code_size(vcpu) == 8 ? 8 : 4;
	switch (insn->opcode) {
	case OP2(0x06):				/* CLTS */
		trace_mv_cr(vcpu, 0, true, vcpu->cr0 & ~MV_CR0_TS);
		if (mv_set_cr0(vcpu, vcpu->cr0 & ~MV_CR0_TS))
			return 0;
		break;
	case OP2(0x01):
		return mv_emulate_group7(vcpu, insn);
	case OP2(0x20):				/* MOV r, CRn */
		if (mv_read_cr(vcpu, insn->modrm_reg, &val))
			return 0;
		mv_gpr_write(vcpu, insn->modrm_rm, size, val);
		trace_mv_cr(vcpu, insn->modrm_reg, false, val);
		break;
	case OP2(0x22):				/* MOV CRn, r */
		if (mv_write_cr(vcpu, insn->modrm_reg,
				mv_gpr_read(vcpu, insn->modrm_rm, size)))
			return 0;
		break;
	case OP2(0x21):				/* MOV r, DRn */
	case OP2(0x23):				/* MOV DRn, r */
		n = mv_dr_index(vcpu, insn->modrm_reg);
		if (n < 0 || n > 7) {
			mv_queue_exception(vcpu, MV_VEC_UD, false, 0);
			return 0;
		}
		if (insn->opcode == OP2(0x21)) {
			val = n < 4 ? vcpu->dr[n] : n == 6 ? vcpu->dr6 : vcpu->dr7;
			mv_gpr_write(vcpu, insn->modrm_rm, size, val);
			break;
		}
		val = mv_gpr_read(vcpu, insn->modrm_rm, size);
		if (n >= 6 && (val >> 32)) {
			mv_queue_exception(vcpu, MV_VEC_GP, true, 0);
			return 0;
		}
		/* Values are kept for reads; breakpoints are not armed. */
		if (n < 4)
			vcpu->dr[n] = val;
		else if (n == 6)
			vcpu->dr6 = (val & 0xf00f) | 0xffff0ff0;
		else
			vcpu->dr7 = (val & 0xffff2fff) | 0x400;
		break;
	default:
		return -EOPNOTSUPP;
	}
	mv_advance(vcpu, insn->len);
	return 0;
}

int mv_emulate_invlpg(struct mv_vcpu *vcpu)
{
	struct mv_insn *insn = &vcpu->insn;

	if (mv_insn_fetch_decode(vcpu, insn) || insn->opcode != OP2(0x01) ||
	    (insn->modrm_reg & 7) != 7 || insn->modrm_mod == 3)
		return -EOPNOTSUPP;
	mv_mmu_invlpg(vcpu, mv_insn_linear(vcpu, insn));
	mv_advance(vcpu, insn->len);
	return 0;
}
