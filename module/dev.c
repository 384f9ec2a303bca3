// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/minivisor: the data path.  A VMM opens the device and creates VMs
 * with ioctls; each VM and vCPU is an anonymous-inode file descriptor.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "minivisor.h"

static long mv_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case MV_GET_API_VERSION:
		return arg ? -EINVAL : MV_API_VERSION;
	case MV_CREATE_VM:
		if (!(mv_hw.caps & MV_HW_RUNS_GUESTS))
			return -EOPNOTSUPP;
		return mv_vm_create((void __user *)arg);
	case MV_GET_DEFAULT_CPUID:
		return mv_get_default_cpuid((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mv_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mv_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice mv_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = MV_DEVICE_NAME,
	.fops = &mv_dev_fops,
	.mode = 0660,
};

int mv_dev_init(void)
{
	return misc_register(&mv_miscdev);
}

void mv_dev_exit(void)
{
	misc_deregister(&mv_miscdev);
}
