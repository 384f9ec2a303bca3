// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's MSRs: those of the CPU state (EFER, PAT, the SYSCALL and
 * SYSENTER MSRs, segment bases, TSC: regs.c and the backend keep them),
 * the local APIC's (lapic.c), and the platform MSRs a stock kernel and
 * kvm-unit-tests read, which read as zero or a fixed value and ignore
 * writes.  Anything else is a #GP, counted per VM and logged (rate
 * limited), as KVM does without ignore_msrs.
 */
#include <linux/kernel.h>
#include <linux/ratelimit.h>
#include <asm/msr.h>

#include "minivisor.h"

#define MTRR_DEF_TYPE_VALID	(0xffULL | BIT_ULL(10) | BIT_ULL(11))
#define HWCR_TSC_FREQ_SEL	BIT_ULL(24)

static bool mv_canonical(u64 v)
{
	return (u64)(((s64)v << 16) >> 16) == v;
}

static bool mv_valid_pat(u64 v)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = (v >> (i * 8)) & 0xff;

		if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
			return false;
	}
	return true;
}

static int mv_get_cpu_msr(struct mv_vcpu *vcpu, u32 index, u64 *val)
{
	switch (index) {
	case MSR_IA32_TSC_ADJUST:
		if (!mv_guest_has_tsc_adjust(vcpu))
			return -EINVAL;
		*val = vcpu->tsc_adjust;
		return 0;
	case MSR_EFER:
		*val = vcpu->efer;
		return 0;
	case MSR_IA32_CR_PAT:
		*val = vcpu->pat;
		return 0;
	/* STAR exists without long mode too: it is the default case. */
	case MSR_LSTAR: case MSR_CSTAR: case MSR_SYSCALL_MASK:
	case MSR_KERNEL_GS_BASE: case MSR_FS_BASE: case MSR_GS_BASE:
		if (!mv_guest_has_lm(vcpu))
			return -EINVAL;
		fallthrough;
	default:
		return mv_arch->get_msr(vcpu, index, val);
	}
}

/*
 * IA32_TSC_ADJUST (SDM 17.17.3): a write adds its change to the TSC; a
 * write to the TSC adds its change to TSC_ADJUST.  Guest writes only
 * (mv_set_msr() has no other caller).
 */
static int mv_set_tsc(struct mv_vcpu *vcpu, u32 index, u64 val)
{
	u64 tsc;
	int ret = mv_arch->get_msr(vcpu, MSR_IA32_TSC, &tsc);

	if (ret)
		return ret;
	if (index == MSR_IA32_TSC) {
		ret = mv_arch->set_msr(vcpu, MSR_IA32_TSC, val);
		if (!ret && mv_guest_has_tsc_adjust(vcpu))
			vcpu->tsc_adjust += val - tsc;
		return ret;
	}
	if (!mv_guest_has_tsc_adjust(vcpu))
		return -EINVAL;
	ret = mv_arch->set_msr(vcpu, MSR_IA32_TSC, tsc + (val - vcpu->tsc_adjust));
	if (!ret)
		vcpu->tsc_adjust = val;
	return ret;
}

static int mv_set_cpu_msr(struct mv_vcpu *vcpu, u32 index, u64 val)
{
	switch (index) {
	case MSR_IA32_TSC:
	case MSR_IA32_TSC_ADJUST:
		return mv_set_tsc(vcpu, index, val);
	case MSR_EFER:
		return mv_set_efer(vcpu, val);
	case MSR_IA32_CR_PAT:
		if (!mv_valid_pat(val))
			return -EINVAL;
		vcpu->pat = val;
		return 0;
	case MSR_LSTAR: case MSR_CSTAR: case MSR_KERNEL_GS_BASE:
	case MSR_FS_BASE: case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP: case MSR_IA32_SYSENTER_EIP:
		if (!mv_canonical(val))
			return -EINVAL;
		if (index != MSR_IA32_SYSENTER_ESP &&
		    index != MSR_IA32_SYSENTER_EIP && !mv_guest_has_lm(vcpu))
			return -EINVAL;
		break;
	case MSR_SYSCALL_MASK:
		if (!mv_guest_has_lm(vcpu))
			return -EINVAL;
		break;
	}
	return mv_arch->set_msr(vcpu, index, val);
}

/*
 * Platform MSRs: MTRRs with no variable or fixed ranges (MTRRdefType is
 * kept), IA32_MISC_ENABLE (kept; at power-on "no BTS, no PEBS"), machine
 * check with no banks (MCG_CAP 0, MCG_STATUS clear), and AMD's
 * configuration MSRs and its four legacy performance counters (which
 * every AMD CPU has, without a CPUID bit; as KVM without a vPMU), which
 * read as zero (HWCR says the TSC counts at the P0 frequency) and ignore
 * writes, as does the interrupt-pending message register (no C1E).  0,
 * -EINVAL, or -ENOENT when not one of them.
 */
static int mv_platform_msr(struct mv_vcpu *vcpu, u32 index, u64 *val,
			   bool write)
{
	switch (index) {
	case MSR_MTRRdefType:
		if (write) {
			if (*val & ~MTRR_DEF_TYPE_VALID)
				return -EINVAL;
			vcpu->mtrr_def_type = *val;
		} else {
			*val = vcpu->mtrr_def_type;
		}
		return 0;
	case MSR_IA32_MISC_ENABLE:
		/* Kept as written (KVM too): nothing here acts on its bits. */
		if (write)
			vcpu->misc_enable = *val;
		else
			*val = vcpu->misc_enable;
		return 0;
	/*
	 * RDTSCP's ECX, when RDTSCP is offered (the instruction exits: the
	 * hardware register stays the host's, which Linux's vDSO getcpu
	 * reads).  Bits 63:32 are reserved, as KVM enforces them.
	 */
	case MSR_TSC_AUX:
		if (!mv_guest_has_rdtscp(vcpu))
			return -EINVAL;
		if (write) {
			if (*val >> 32)
				return -EINVAL;
			vcpu->tsc_aux = *val;
		} else {
			*val = vcpu->tsc_aux;
		}
		return 0;
	case MSR_K7_HWCR:
		if (!write)
			*val = HWCR_TSC_FREQ_SEL;
		return 0;
	/* Machine check: no banks (KVM has some); the status is all clear. */
	case MSR_IA32_MCG_CAP:
		if (write)
			return -EINVAL;
		*val = 0;
		return 0;
	case MSR_IA32_MCG_STATUS:
		if (write)
			return *val ? -EINVAL : 0;
		*val = 0;
		return 0;
	case MSR_MTRRcap: case MSR_AMD64_SYSCFG:
	case MSR_AMD64_PATCH_LEVEL: case MSR_AMD64_DE_CFG:
	case MSR_AMD64_LS_CFG: case MSR_IA32_UCODE_WRITE:
	/* Linux reads it on CPUs with the E400 erratum: no C1E, all clear. */
	case MSR_K8_INT_PENDING_MSG:
	case MSR_K7_EVNTSEL0 ... MSR_K7_PERFCTR3:
		if (!write)
			*val = 0;
		return 0;
	default:
		return -ENOENT;
	}
}

/* An MSR nobody here knows: #GP, counted, and logged now and then. */
static int mv_unknown_msr(struct mv_vcpu *vcpu, u32 index, u64 val, bool write)
{
	atomic_long_inc(&vcpu->vm->unhandled_msrs);
	pr_info_ratelimited("vm %u vcpu %u: %s of unknown MSR 0x%x (value 0x%llx): #GP\n",
			    vcpu->vm->id, vcpu->index, write ? "write" : "read",
			    index, write ? val : 0);
	return -EINVAL;
}

int mv_get_msr(struct mv_vcpu *vcpu, u32 index, u64 *val)
{
	int ret = mv_lapic_get_msr(vcpu, index, val);

	if (ret == -ENOENT)
		ret = mv_get_cpu_msr(vcpu, index, val);
	if (ret == -ENOENT)
		ret = mv_platform_msr(vcpu, index, val, false);
	return ret == -ENOENT ? mv_unknown_msr(vcpu, index, 0, false) : ret;
}

int mv_set_msr(struct mv_vcpu *vcpu, u32 index, u64 val)
{
	int ret = mv_lapic_set_msr(vcpu, index, val);

	if (ret == -ENOENT)
		ret = mv_set_cpu_msr(vcpu, index, val);
	if (ret == -ENOENT)
		ret = mv_platform_msr(vcpu, index, &val, true);
	return ret == -ENOENT ? mv_unknown_msr(vcpu, index, val, true) : ret;
}
