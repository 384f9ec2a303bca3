// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: detection and capability reporting.  Running guests
 * needs SVM for now (see README); on a VMX machine VM creation answers
 * -EOPNOTSUPP.
 */
#include <linux/kernel.h>
#include <asm/processor.h>
#include <asm/msr.h>

#include "minivisor.h"

/* Bits of the allowed-1 half (high dword) of the VMX capability MSRs. */
#define VMX_PROC_PAUSE_EXITING		BIT(30)
#define VMX_PROC_SECONDARY		BIT(31)
#define VMX_PROC2_VAPIC_ACCESS		BIT(0)
#define VMX_PROC2_EPT			BIT(1)
#define VMX_PROC2_VPID			BIT(5)
#define VMX_PROC2_UNRESTRICTED		BIT(7)
#define VMX_PROC2_PAUSE_LOOP		BIT(10)

bool mv_vmx_present(void)
{
	return cpuid_ecx(1) & BIT(5);
}

static int vmx_probe(struct mv_hw_info *hw, const char **why)
{
	u64 feat_ctl, proc, proc2 = 0;
	u32 allowed2;

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat_ctl)) {
		*why = "VMX present but IA32_FEATURE_CONTROL cannot be read";
		return -ENODEV;
	}
	if (!(feat_ctl & FEAT_CTL_LOCKED)) {
		*why = "VMX not enabled by firmware (IA32_FEATURE_CONTROL is unlocked)";
		return -ENODEV;
	}
	if (!(feat_ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		*why = "VMX disabled by firmware (IA32_FEATURE_CONTROL); enable VT-x in the BIOS";
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS, &proc)) {
		*why = "VMX capability MSRs cannot be read";
		return -ENODEV;
	}
	if ((proc >> 32) & VMX_PROC_SECONDARY)
		rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &proc2);
	allowed2 = proc2 >> 32;

	hw->backend = MV_BACKEND_VMX;
	hw->features = 0;
	if (allowed2 & VMX_PROC2_EPT)
		hw->features |= BIT_ULL(MV_FEAT_NPT);
	if (allowed2 & VMX_PROC2_VPID)
		hw->features |= BIT_ULL(MV_FEAT_VPID);
	if (allowed2 & VMX_PROC2_UNRESTRICTED)
		hw->features |= BIT_ULL(MV_FEAT_UNRESTRICTED_GUEST);
	if ((allowed2 & VMX_PROC2_PAUSE_LOOP) ||
	    ((proc >> 32) & VMX_PROC_PAUSE_EXITING))
		hw->features |= BIT_ULL(MV_FEAT_PAUSE_FILTER);
	if (allowed2 & VMX_PROC2_VAPIC_ACCESS)
		hw->features |= BIT_ULL(MV_FEAT_AVIC);
	/* VPIDs are 16 bits wide; 0 is the host's. */
	hw->nr_asids = (allowed2 & VMX_PROC2_VPID) ? 0xffff : 0;
	return 0;
}

const struct mv_arch_ops mv_vmx_ops = {
	.name = "vmx",
	.probe = vmx_probe,
};
