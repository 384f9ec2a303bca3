/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * minivisor - a small hosted virtual machine monitor.
 *
 * This header is the whole user ABI of minivisor.ko.  It is shared by the
 * module and by userspace (mvrun, mvctl, the tests) and follows one rule:
 * things are only ever appended.  Structures carry explicit padding and
 * reserved fields that must be zero, so they can grow without breaking old
 * binaries; unknown flag bits are refused with -EINVAL.
 *
 * Two planes
 * ----------
 *
 * Data path: the character device /dev/minivisor.  A VMM opens it and
 * issues ioctls; VM and vCPU objects are anonymous-inode file descriptors,
 * as with /dev/kvm.
 *
 * Control plane: the generic netlink family "minivisor" (MV_GENL_NAME),
 * version MV_GENL_VERSION, with the multicast group "events"
 * (MV_GENL_MCGRP_EVENTS).  Commands and attributes are described below,
 * next to their enums.  Operations that change state need CAP_NET_ADMIN.
 * Every refusal carries an extended-ack message.
 */
#ifndef _UAPI_LINUX_MINIVISOR_H
#define _UAPI_LINUX_MINIVISOR_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * define MV_API_VERSION - version of the ioctl ABI in this header
 *
 * Returned by MV_GET_API_VERSION.  Userspace should refuse to run when the
 * module reports a different value.
 */
#define MV_API_VERSION		1

/** define MV_DEVICE_NAME - name of the misc device under /dev */
#define MV_DEVICE_NAME		"minivisor"

/* ioctl type byte; 0xB9 is unassigned in ioctl-number.rst. */
#define MV_IO			0xB9

/*
 * ioctls on /dev/minivisor
 * ------------------------
 */

/**
 * define MV_GET_API_VERSION - report the ABI version
 *
 * No argument.  Returns MV_API_VERSION (a non-negative int).
 */
#define MV_GET_API_VERSION	_IO(MV_IO, 0x00)

/*
 * Generic netlink
 * ---------------
 */

/** define MV_GENL_NAME - name of the generic netlink family */
#define MV_GENL_NAME		"minivisor"
/** define MV_GENL_VERSION - version of the generic netlink family */
#define MV_GENL_VERSION		1
/** define MV_GENL_MCGRP_EVENTS - name of the event multicast group */
#define MV_GENL_MCGRP_EVENTS	"events"

/**
 * enum mv_cmd - generic netlink commands
 * @MV_CMD_UNSPEC: unused
 * @MV_CMD_GET_INFO: module-wide information.  Request: no attributes.
 *	Reply: %MV_A_MODULE_VERSION, %MV_A_API_VERSION, %MV_A_BACKEND,
 *	%MV_A_FEATURES, %MV_A_NR_ASIDS, %MV_A_NR_VMS, %MV_A_MAX_VMS.
 * @MV_CMD_GET_VM: VM state.  As a dump (NLM_F_DUMP, no attributes) one
 *	message per VM; as a do request %MV_A_VM_ID selects one VM.  Each
 *	reply message carries the %MV_A_VM_* attributes of one VM.  The dump
 *	is empty while no VM exists.
 * @__MV_CMD_MAX: internal
 * @MV_CMD_MAX: highest command number
 */
enum mv_cmd {
	MV_CMD_UNSPEC,
	MV_CMD_GET_INFO,
	MV_CMD_GET_VM,
	__MV_CMD_MAX
};

#define MV_CMD_MAX (__MV_CMD_MAX - 1)

/**
 * enum mv_backend - virtualization backend in use
 * @MV_BACKEND_NONE: none (never reported by a loaded module)
 * @MV_BACKEND_SVM: AMD-V (SVM)
 * @MV_BACKEND_VMX: Intel VT-x (VMX)
 */
enum mv_backend {
	MV_BACKEND_NONE,
	MV_BACKEND_SVM,
	MV_BACKEND_VMX,
};

/**
 * enum mv_feature - bit numbers in %MV_A_FEATURES
 * @MV_FEAT_NPT: nested/extended page tables (AMD NPT, Intel EPT)
 * @MV_FEAT_NRIPS: SVM saves the next instruction pointer on intercepts
 * @MV_FEAT_DECODE_ASSISTS: SVM decode assists
 * @MV_FEAT_VMCB_CLEAN: SVM VMCB clean bits
 * @MV_FEAT_FLUSH_BY_ASID: SVM TLB flush by ASID
 * @MV_FEAT_VGIF: SVM virtual GIF
 * @MV_FEAT_PAUSE_FILTER: SVM pause filter / VMX PAUSE-loop exiting
 * @MV_FEAT_AVIC: AMD AVIC / Intel APIC virtualization
 * @MV_FEAT_VPID: Intel VPID
 * @MV_FEAT_UNRESTRICTED_GUEST: Intel unrestricted guest
 * @MV_FEAT_LBR_VIRT: SVM LBR virtualization
 * @__MV_FEAT_COUNT: number of defined bits
 */
enum mv_feature {
	MV_FEAT_NPT,
	MV_FEAT_NRIPS,
	MV_FEAT_DECODE_ASSISTS,
	MV_FEAT_VMCB_CLEAN,
	MV_FEAT_FLUSH_BY_ASID,
	MV_FEAT_VGIF,
	MV_FEAT_PAUSE_FILTER,
	MV_FEAT_AVIC,
	MV_FEAT_VPID,
	MV_FEAT_UNRESTRICTED_GUEST,
	MV_FEAT_LBR_VIRT,
	__MV_FEAT_COUNT
};

/**
 * enum mv_attr - generic netlink attributes
 * @MV_A_UNSPEC: unused
 * @MV_A_MODULE_VERSION: string, module version ("0.1.0")
 * @MV_A_API_VERSION: u32, MV_API_VERSION of the module
 * @MV_A_BACKEND: u32, &enum mv_backend
 * @MV_A_FEATURES: u64, bit set of &enum mv_feature the CPU offers
 * @MV_A_NR_ASIDS: u32, address-space identifiers the CPU offers (SVM ASIDs
 *	or VMX VPIDs, not counting the host's)
 * @MV_A_NR_VMS: u32, VMs that exist now
 * @MV_A_MAX_VMS: u32, the max_vms module parameter
 * @MV_A_VM_ID: u32, VM identifier (unique while the module is loaded)
 * @__MV_A_MAX: internal
 * @MV_A_MAX: highest attribute number
 */
enum mv_attr {
	MV_A_UNSPEC,
	MV_A_MODULE_VERSION,
	MV_A_API_VERSION,
	MV_A_BACKEND,
	MV_A_FEATURES,
	MV_A_NR_ASIDS,
	MV_A_NR_VMS,
	MV_A_MAX_VMS,
	MV_A_VM_ID,
	__MV_A_MAX
};

#define MV_A_MAX (__MV_A_MAX - 1)

#endif /* _UAPI_LINUX_MINIVISOR_H */
