/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stands in for module/minivisor.h when module/pic.c and module/pit.c are
 * built in userspace (the real one needs the kernel's headers; its include
 * guard keeps it out): a VM and a vCPU with the fields the irqchip uses.
 * The tests supply mv_irq_set(), mv_irq_pic_changed() and
 * mv_min_timer_period_us, and drive the clock and the timer.
 */
#ifndef MV_SHIM_IRQCHIP_H
#define MV_SHIM_IRQCHIP_H
#define _MV_MINIVISOR_H

#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/minivisor.h>

struct mv_irqchip;

struct mv_vm {
	struct mv_irqchip *irqchip;
};

struct mv_vcpu {
	struct mv_vm *vm;
};

#endif
