// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend.
 */
#include <linux/kernel.h>
#include <asm/processor.h>
#include <asm/msr.h>
#include <asm/svm.h>

#include "minivisor.h"

#define SVM_CPUID_LEAF		0x8000000a

/* CPUID 0x8000000a EDX bits (AMD APM vol. 3, appendix E.4.10). */
#define SVM_EDX_NP		BIT(0)
#define SVM_EDX_LBRV		BIT(1)
#define SVM_EDX_NRIPS		BIT(3)
#define SVM_EDX_VMCB_CLEAN	BIT(5)
#define SVM_EDX_FLUSH_BY_ASID	BIT(6)
#define SVM_EDX_DECODE_ASSISTS	BIT(7)
#define SVM_EDX_PAUSE_FILTER	BIT(10)
#define SVM_EDX_AVIC		BIT(13)
#define SVM_EDX_VGIF		BIT(16)

bool mv_svm_present(void)
{
	if (cpuid_eax(0x80000000) < 0x80000001)
		return false;
	return cpuid_ecx(0x80000001) & BIT(2);
}

static int svm_probe(struct mv_hw_info *hw, const char **why)
{
	static const struct {
		u32 edx_bit;
		enum mv_feature feat;
	} map[] = {
		{ SVM_EDX_NP, MV_FEAT_NPT },
		{ SVM_EDX_LBRV, MV_FEAT_LBR_VIRT },
		{ SVM_EDX_NRIPS, MV_FEAT_NRIPS },
		{ SVM_EDX_VMCB_CLEAN, MV_FEAT_VMCB_CLEAN },
		{ SVM_EDX_FLUSH_BY_ASID, MV_FEAT_FLUSH_BY_ASID },
		{ SVM_EDX_DECODE_ASSISTS, MV_FEAT_DECODE_ASSISTS },
		{ SVM_EDX_PAUSE_FILTER, MV_FEAT_PAUSE_FILTER },
		{ SVM_EDX_AVIC, MV_FEAT_AVIC },
		{ SVM_EDX_VGIF, MV_FEAT_VGIF },
	};
	u32 eax, ebx, ecx, edx;
	u64 vm_cr;
	int i;

	if (rdmsrl_safe(MSR_VM_CR, &vm_cr)) {
		*why = "SVM present but the VM_CR MSR cannot be read";
		return -ENODEV;
	}
	if (vm_cr & BIT_ULL(SVM_VM_CR_SVM_DISABLE)) {
		*why = "SVM disabled by firmware (VM_CR.SVMDIS); enable AMD-V in the BIOS";
		return -ENODEV;
	}
	if (cpuid_eax(0x80000000) < SVM_CPUID_LEAF) {
		*why = "SVM present but CPUID leaf 0x8000000a is missing";
		return -ENODEV;
	}
	cpuid(SVM_CPUID_LEAF, &eax, &ebx, &ecx, &edx);

	hw->backend = MV_BACKEND_SVM;
	hw->features = 0;
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (edx & map[i].edx_bit)
			hw->features |= BIT_ULL(map[i].feat);
	/* ASID 0 belongs to the host. */
	hw->nr_asids = ebx ? ebx - 1 : 0;

	if (!hw->nr_asids) {
		*why = "SVM reports no guest ASIDs";
		return -ENODEV;
	}
	return 0;
}

const struct mv_arch_ops mv_svm_ops = {
	.name = "svm",
	.probe = svm_probe,
};
