/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test VM on either minivisor or KVM, behind one interface, so the same
 * guest program can be run on both and the results compared.  Guest
 * programs come from tests/guest (installed in /mv/guests).
 */
#ifndef MV_TVM_H
#define MV_TVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/minivisor.h>

#include "../guest/abi.h"

enum tvm_kind { TVM_MV, TVM_KVM };

enum tvm_exit {
	TVM_EXIT_ERROR = -1,
	TVM_EXIT_UCALL,		/* t->uc holds it */
	TVM_EXIT_DEBUG_EXIT,	/* t->exit_code holds (v << 1) | 1 */
	TVM_EXIT_IO,		/* other port I/O: t->io */
	TVM_EXIT_MMIO,		/* t->mmio */
	TVM_EXIT_HLT,
	TVM_EXIT_SHUTDOWN,
	TVM_EXIT_INTERNAL,
	TVM_EXIT_INTR,		/* a signal interrupted the run */
	TVM_EXIT_OTHER,
};

struct tvm_io {
	bool in;
	int size;
	uint16_t port;
	uint32_t count;
	uint8_t *data;		/* count * size bytes */
};

struct tvm_mmio {
	uint64_t gpa;
	uint32_t len;
	bool is_write;
	uint8_t *data;		/* 8 bytes */
};

struct tvm {
	enum tvm_kind kind;
	int dev, vm, vcpu;
	void *run;
	size_t run_size;
	bool irqchip;
	int nr_vcpus;			/* vcpu/run are vCPU 0; APs below */
	int ap_vcpu[AP_MAX];
	void *ap_run[AP_MAX];
	unsigned long ap_exits[AP_MAX];	/* exits to userspace, last reason */
	uint32_t ap_last_exit[AP_MAX];
	uint8_t *kvm_mem;
	uint64_t mem_size;
	struct ucall uc;
	int exit_code;
	struct tvm_io io;
	struct tvm_mmio mmio;
	int err;		/* errno of a failed run */
	char console[65536];
	size_t console_len;
};

int tvm_create(struct tvm *t, enum tvm_kind kind, uint64_t mem, const char *name);
/* The same, in page-sharing domain @domain (minivisor; KVM ignores it). */
int tvm_create_in(struct tvm *t, enum tvm_kind kind, uint64_t mem,
		  const char *name, uint32_t domain);
/*
 * A VM with an in-kernel irqchip (minivisor's MV_CREATE_IRQCHIP, KVM's
 * KVM_CREATE_IRQCHIP + KVM_CREATE_PIT2, with QEMU's GSI routing: GSI 0 to
 * I/O APIC pin 2, and the PIT's lost ticks not re-injected) and @nr_vcpus vCPUs (at most AP_MAX); their CPUID offers
 * the APIC, x2APIC, TSC-deadline and ARAT, with each vCPU's APIC ID.
 */
int tvm_create_irqchip(struct tvm *t, enum tvm_kind kind, uint64_t mem,
		       const char *name, int nr_vcpus);
/* Set GSI @gsi's line (MV_IRQ_LINE / KVM_IRQ_LINE); 0 or -errno. */
int tvm_irq_line(struct tvm *t, uint32_t gsi, uint32_t level);
/* An MSI (MV_SIGNAL_MSI / KVM_SIGNAL_MSI); 0 or -errno. */
int tvm_signal_msi(struct tvm *t, uint64_t address, uint32_t data);
/*
 * Run vCPUs 1.. in threads (they wait for INIT/SIPI) until
 * tvm_stop_aps(), which interrupts them with a signal and joins them.
 */
int tvm_start_aps(struct tvm *t);
void tvm_stop_aps(struct tvm *t);
void tvm_destroy(struct tvm *t);
int tvm_write(struct tvm *t, uint64_t gpa, const void *buf, size_t len);
int tvm_read(struct tvm *t, uint64_t gpa, void *buf, size_t len);
/*
 * A minivisor VM's figures (MV_GET_VM_STATS): 0, or -errno with every
 * field set to all ones (no check on a figure passes by accident).
 */
int tvm_stats(struct tvm *t, struct mv_vm_stats *st);
/* Load /mv/guests/@guest.bin at 0x10000 and set the real-mode entry. */
int tvm_load(struct tvm *t, const char *guest);
/* Fill the guest argument block (struct guest_args at GUEST_ARGS). */
int tvm_args(struct tvm *t, uint32_t test, const uint64_t *args, int n);
/* One MV_RUN/KVM_RUN, decoded. */
enum tvm_exit tvm_run_once(struct tvm *t);
/*
 * Run, handling the debug console, COM1 and ucalls' transport; returns at
 * the first exit the caller must see.
 */
enum tvm_exit tvm_run(struct tvm *t);
/* Run to the end (debug-exit), failing on anything else but console and
 * ucall SYNC; returns the debug-exit status or -1. */
int tvm_run_to_end(struct tvm *t);
const char *tvm_exit_name(enum tvm_exit e);

#endif
