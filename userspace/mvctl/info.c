// SPDX-License-Identifier: GPL-2.0
/*
 * mvctl info: what the module is and what the CPU offers.
 */
#include <inttypes.h>
#include <stdio.h>

#include "mvctl.h"

static const char *backend_name(uint32_t b)
{
	switch (b) {
	case MV_BACKEND_SVM:
		return "svm";
	case MV_BACKEND_VMX:
		return "vmx";
	default:
		return "none";
	}
}

static const char *feature_name(int bit, uint32_t backend)
{
	bool vmx = backend == MV_BACKEND_VMX;

	switch (bit) {
	case MV_FEAT_NPT:
		return vmx ? "ept" : "npt";
	case MV_FEAT_NRIPS:
		return "nrips";
	case MV_FEAT_DECODE_ASSISTS:
		return "decode-assists";
	case MV_FEAT_VMCB_CLEAN:
		return "vmcb-clean";
	case MV_FEAT_FLUSH_BY_ASID:
		return "flush-by-asid";
	case MV_FEAT_VGIF:
		return "vgif";
	case MV_FEAT_PAUSE_FILTER:
		return vmx ? "pause-loop-exiting" : "pause-filter";
	case MV_FEAT_AVIC:
		return vmx ? "apicv" : "avic";
	case MV_FEAT_VPID:
		return "vpid";
	case MV_FEAT_UNRESTRICTED_GUEST:
		return "unrestricted-guest";
	case MV_FEAT_LBR_VIRT:
		return "lbr-virt";
	default:
		return NULL;
	}
}

static int info_reply(struct nlattr **a, uint8_t cmd, void *arg)
{
	uint32_t backend = mvnl_u32(a, MV_A_BACKEND);
	uint64_t feat = mvnl_u64(a, MV_A_FEATURES);
	int bit;

	(void)cmd;
	(void)arg;
	out_obj_begin(NULL);
	out_str("module_version", "minivisor %s",
		a[MV_A_MODULE_VERSION] ? nla_get_string(a[MV_A_MODULE_VERSION]) : "?");
	out_u64("api_version", " (API %" PRIu64 ")\n",
		mvnl_u32(a, MV_A_API_VERSION));
	out_str("backend", "backend:  %s\n", backend_name(backend));
	out_text("features:");
	out_arr_begin("features");
	for (bit = 0; bit < 64; bit++) {
		const char *name = feature_name(bit, backend);

		if (!(feat & (1ULL << bit)))
			continue;
		if (name)
			out_str(NULL, " %s", name);
	}
	out_arr_end();
	out_text("\n");
	out_u64("nr_asids", backend == MV_BACKEND_VMX ? "vpids:    %" PRIu64 "\n" :
					    "asids:    %" PRIu64 "\n",
		mvnl_u32(a, MV_A_NR_ASIDS));
	out_u64("nr_vms", "vms:      %" PRIu64,
		mvnl_u32(a, MV_A_NR_VMS));
	out_u64("max_vms", " (at most %" PRIu64 ")\n",
		mvnl_u32(a, MV_A_MAX_VMS));
	out_u64("guest_pages", "memory:   %" PRIu64 " guest pages",
		mvnl_u64(a, MV_A_GUEST_PAGES));
	out_u64("mmu_pages", ", %" PRIu64 " shadow page-table pages\n",
		mvnl_u64(a, MV_A_MMU_PAGES));
	out_u64("foreign_flushes", "foreign:  %" PRIu64 " world switches flushed for another hypervisor\n",
		mvnl_u64(a, MV_A_FOREIGN_FLUSHES));
	out_obj_end();
	out_flush();
	return 0;
}

int cmd_info(int argc, char **argv)
{
	if (argc > 0)
		return mvctl_usage_error("'info' takes no arguments, got '%s'",
					 argv[0]);
	if (mvctl_connect())
		return 1;
	if (mvnl_request(&nl, MV_CMD_GET_INFO, false, NULL, NULL,
			 info_reply, NULL))
		return mvctl_fail();
	return 0;
}
