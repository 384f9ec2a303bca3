// SPDX-License-Identifier: GPL-2.0
/*
 * minivisor.ko: module load and unload.
 *
 * Loading finds out which virtualization extension the CPU offers and
 * whether firmware left it usable, then registers the two planes: the
 * /dev/minivisor character device (data path) and the "minivisor" generic
 * netlink family (control plane).  Nothing touches EFER.SVME or VMXON here:
 * the hardware is switched on only around a guest's world switch, so that
 * kvm_amd/kvm_intel can be loaded and used next to us.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "minivisor.h"

struct mv_hw_info mv_hw __ro_after_init;
const struct mv_arch_ops *mv_arch __ro_after_init;

atomic_long_t mv_guest_pages = ATOMIC_LONG_INIT(0);
atomic_long_t mv_mmu_pages = ATOMIC_LONG_INIT(0);
atomic_long_t mv_foreign_flushes = ATOMIC_LONG_INIT(0);

unsigned int mv_max_vms = 64;
module_param_named(max_vms, mv_max_vms, uint, 0444);
MODULE_PARM_DESC(max_vms, "Most VMs that may exist at once (default 64)");

unsigned int mv_max_guest_mem_mb = 4096;
module_param_named(max_guest_mem_mb, mv_max_guest_mem_mb, uint, 0444);
MODULE_PARM_DESC(max_guest_mem_mb, "Largest guest memory size a VM may ask for, in MiB (default 4096)");

bool mv_mmu_unsync = true;
module_param_named(mmu_unsync, mv_mmu_unsync, bool, 0644);
MODULE_PARM_DESC(mmu_unsync, "Let guests write their last-level page tables and resync those at INVLPG/CR3 load (default), instead of unshadowing a table on every write to it");

unsigned int mv_max_mmu_pages = 4096;
module_param_named(max_mmu_pages, mv_max_mmu_pages, uint, 0644);
MODULE_PARM_DESC(max_mmu_pages, "Most shadow page-table pages one VM may hold; older ones are recycled beyond that (default 4096 = 16 MiB)");

bool mv_share_enabled = true;
module_param_named(share_enabled, mv_share_enabled, bool, 0644);
MODULE_PARM_DESC(share_enabled, "Share identical guest pages copy-on-write (default Y; also mvctl share set on|off)");

unsigned int mv_share_scan_pages = 256;
module_param_named(share_scan_pages, mv_share_scan_pages, uint, 0444);
MODULE_PARM_DESC(share_scan_pages, "Guest pages the sharing scanner looks at per pass (default 256; change it with mvctl share set)");

unsigned int mv_share_interval_ms = 20;
module_param_named(share_scan_interval_ms, mv_share_interval_ms, uint, 0444);
MODULE_PARM_DESC(share_scan_interval_ms, "Milliseconds between two passes of the sharing scanner (default 20; change it with mvctl share set)");

bool mv_balloon_auto = true;
module_param_named(balloon_auto, mv_balloon_auto, bool, 0444);
MODULE_PARM_DESC(balloon_auto, "Balloon idle VMs on our own when the host is short of memory (default Y; also mvctl balloon set auto on|off)");

unsigned int mv_balloon_tax_pct = 75;
module_param_named(balloon_tax_pct, mv_balloon_tax_pct, uint, 0444);
MODULE_PARM_DESC(balloon_tax_pct, "Idle memory tax, 0 to 99%: how much more an idle page costs than an active one when choosing where to balloon (default 75)");

unsigned int mv_balloon_floor_pct = 25;
module_param_named(balloon_floor_pct, mv_balloon_floor_pct, uint, 0444);
MODULE_PARM_DESC(balloon_floor_pct, "The pressure policy leaves every VM at least this share of its memory, 0 to 100% (default 25)");

unsigned int mv_balloon_free_target_mb;
module_param_named(balloon_free_target_mb, mv_balloon_free_target_mb, uint, 0444);
MODULE_PARM_DESC(balloon_free_target_mb, "Host memory (MemAvailable) the pressure policy keeps free, in MiB (default 0: 5% of RAM)");

unsigned int mv_share_hash_bits;
module_param_named(share_hash_bits, mv_share_hash_bits, uint, 0644);
MODULE_PARM_DESC(share_hash_bits, "For testing: keep only this many bits of each page hash, forcing collisions that the full page comparison must catch (default 0: all 64)");

/*
 * Choose the backend.  A CPU offers at most one of SVM and VMX; if it offers
 * one but firmware disabled it, that is the reason we report.
 */
static int __init mv_detect(void)
{
	const struct mv_arch_ops *ops;
	const char *why = "no SVM or VMX on this CPU";
	int ret;

	if (mv_svm_present())
		ops = &mv_svm_ops;
	else if (mv_vmx_present())
		ops = &mv_vmx_ops;
	else
		ops = NULL;

	if (ops) {
		ret = ops->probe(&mv_hw, &why);
		if (!ret) {
			mv_arch = ops;
			return 0;
		}
	} else {
		ret = -ENODEV;
	}
	pr_err("not loading: %s (error %d)\n", why, ret);
	return ret;
}

static int __init mv_init(void)
{
	int ret;

	ret = mv_detect();
	if (ret)
		return ret;

	if (mv_max_mmu_pages < 64 || mv_max_guest_mem_mb < 1 ||
	    mv_max_guest_mem_mb > 65536) {
		pr_err("not loading: max_mmu_pages must be at least 64 and max_guest_mem_mb 1 to 65536\n");
		return -EINVAL;
	}
	if (mv_share_scan_pages < 1 || mv_share_scan_pages > MV_SHARE_MAX_SCAN_PAGES ||
	    mv_share_interval_ms < 1 || mv_share_interval_ms > MV_SHARE_MAX_INTERVAL_MS) {
		pr_err("not loading: share_scan_pages must be 1 to %u and share_scan_interval_ms 1 to %u\n",
		       MV_SHARE_MAX_SCAN_PAGES, MV_SHARE_MAX_INTERVAL_MS);
		return -EINVAL;
	}
	if (mv_balloon_tax_pct > 99 || mv_balloon_floor_pct > 100) {
		pr_err("not loading: balloon_tax_pct must be 0 to 99 and balloon_floor_pct 0 to 100\n");
		return -EINVAL;
	}
	ret = init_srcu_struct(&mv_srcu);
	if (ret)
		return ret;
	ret = mv_mmu_init();
	if (ret)
		goto err_mmu;
	ret = mv_vm_init();
	if (ret)
		goto err_vm;
	ret = mv_netlink_init();
	if (ret)
		goto err_netlink;
	ret = mv_share_init();
	if (ret)
		goto err_share;
	ret = mv_pressure_init();
	if (ret)
		goto err_pressure;
	ret = mv_dev_init();
	if (ret)
		goto err_dev;

	pr_info("version %s loaded, backend %s\n", MV_VERSION, mv_arch->name);
	return 0;

err_dev:
	mv_pressure_exit();
err_pressure:
	mv_share_exit();
	mv_mem_exit();
err_share:
	mv_netlink_exit();
err_netlink:
	mv_vm_exit();
err_vm:
	mv_mmu_exit();
err_mmu:
	cleanup_srcu_struct(&mv_srcu);
	return ret;
}

static void __exit mv_exit(void)
{
	mv_dev_exit();
	/* No VM is left: the last one's file went before we could unload. */
	mv_pressure_exit();
	mv_share_exit();
	mv_mem_exit();
	mv_netlink_exit();
	mv_vm_exit();
	mv_mmu_exit();
	cleanup_srcu_struct(&mv_srcu);
	if (atomic_long_read(&mv_guest_pages) || atomic_long_read(&mv_mmu_pages))
		pr_err("leak: %ld guest pages, %ld shadow pages still allocated\n",
		       atomic_long_read(&mv_guest_pages),
		       atomic_long_read(&mv_mmu_pages));
	pr_info("unloaded\n");
}

module_init(mv_init);
module_exit(mv_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("minivisor: a small hosted VMM with shadow paging, ballooning and page sharing");
MODULE_AUTHOR("The minivisor authors");
MODULE_VERSION(MV_VERSION);
