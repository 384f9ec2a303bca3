/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of minivisor.ko, sectioned by the file that
 * implements them.  Generic code (everything but svm.c and vmx.c) sees the
 * hardware only through struct mv_arch_ops.
 */
#ifndef _MV_MINIVISOR_H
#define _MV_MINIVISOR_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/minivisor.h>

#include "version.h"

/* Hardware facts found at load time; read-only afterwards. */
struct mv_hw_info {
	enum mv_backend backend;
	u64 features;		/* BIT(enum mv_feature) */
	u32 nr_asids;		/* usable ASIDs or VPIDs */
};

/**
 * struct mv_arch_ops - what a vendor backend provides
 * @name: "svm" or "vmx"
 * @probe: check that this CPU offers the extension and that firmware has
 *	not disabled it.  Fills @hw and returns 0, or returns -ENODEV and
 *	points @why at a sentence naming the reason.
 */
struct mv_arch_ops {
	const char *name;
	int (*probe)(struct mv_hw_info *hw, const char **why);
};

/* main.c */
extern struct mv_hw_info mv_hw;
extern const struct mv_arch_ops *mv_arch;
extern unsigned int mv_max_vms;

/* svm.c, vmx.c */
extern const struct mv_arch_ops mv_svm_ops;
extern const struct mv_arch_ops mv_vmx_ops;
bool mv_svm_present(void);
bool mv_vmx_present(void);

/* dev.c */
int mv_dev_init(void);
void mv_dev_exit(void);

/* netlink.c */
int mv_netlink_init(void);
void mv_netlink_exit(void);

/* vm.c */
struct mv_vm;
int mv_vm_init(void);
void mv_vm_exit(void);
unsigned int mv_vm_count(void);

#endif /* _MV_MINIVISOR_H */
