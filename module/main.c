// SPDX-License-Identifier: GPL-2.0
/*
 * minivisor.ko: module load and unload.
 *
 * Loading finds out which virtualization extension the CPU offers and
 * whether firmware left it usable, connects the layers (the guest-memory
 * hooks), then registers the two planes: the /dev/minivisor character
 * device (data path) and the "minivisor" generic netlink family (control
 * plane).  Module parameters live next to the code they steer, and are
 * checked there, at load and on every write.  Nothing touches EFER.SVME or
 * VMXON here: the hardware is switched on only around a guest's world
 * switch, so that kvm_amd/kvm_intel can be loaded and used next to us.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "minivisor.h"

struct mv_hw_info mv_hw __ro_after_init;
const struct mv_arch_ops *mv_arch __ro_after_init;

atomic_long_t mv_guest_pages = ATOMIC_LONG_INIT(0);
atomic_long_t mv_mmu_pages = ATOMIC_LONG_INIT(0);
atomic_long_t mv_foreign_flushes = ATOMIC_LONG_INIT(0);

static int mv_uint_param_set(const char *val, const struct kernel_param *kp)
{
	const struct mv_uint_param *p = kp->arg;
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret)
		return ret;
	if (v < p->min || v > p->max)
		return -EINVAL;
	WRITE_ONCE(*p->val, v);
	return 0;
}

static int mv_uint_param_get(char *buf, const struct kernel_param *kp)
{
	const struct mv_uint_param *p = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*p->val));
}

const struct kernel_param_ops mv_uint_param_ops = {
	.set = mv_uint_param_set,
	.get = mv_uint_param_get,
};

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

/* What the layers above guest memory do about it (see mem.c). */
static const struct mv_mem_hooks mv_mem_hooks = {
	.page_w = mv_share_page_w,
	.filled = mv_balloon_touched,
	.written = mv_mmu_gfn_written,
	.release = mv_share_release,
};

static int mv_srcu_init(void)
{
	return init_srcu_struct(&mv_srcu);
}

static void mv_srcu_exit(void)
{
	cleanup_srcu_struct(&mv_srcu);
}

/*
 * The parts, in the order they come up (and go down in reverse).  The
 * device comes last: once it exists, VMs can be made.
 */
static const struct {
	int (*init)(void);
	void (*exit)(void);
} mv_parts[] = {
	{ mv_srcu_init, mv_srcu_exit },
	{ mv_mmu_init, mv_mmu_exit },
	{ mv_vm_init, mv_vm_exit },
	/* Pages freed late (deferred) all go once the scanner has stopped. */
	{ NULL, mv_mem_exit },
	{ mv_share_init, mv_share_exit },
	{ mv_pressure_init, mv_pressure_exit },
	/* The planes last: what they call is up, and stays up while they are. */
	{ mv_netlink_init, mv_netlink_exit },
	{ mv_dev_init, mv_dev_exit },
};

static void mv_parts_exit(int n)
{
	while (n--)
		mv_parts[n].exit();
}

static int __init mv_init(void)
{
	int i, ret;

	ret = mv_detect();
	if (ret)
		return ret;
	mv_mem_set_hooks(&mv_mem_hooks);
	for (i = 0; i < ARRAY_SIZE(mv_parts); i++) {
		ret = mv_parts[i].init ? mv_parts[i].init() : 0;
		if (ret) {
			mv_parts_exit(i);
			return ret;
		}
	}
	pr_info("version %s loaded, backend %s\n", MV_VERSION, mv_arch->name);
	return 0;
}

static void __exit mv_exit(void)
{
	/* No VM is left: the last one's file went before we could unload. */
	mv_parts_exit(ARRAY_SIZE(mv_parts));
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
