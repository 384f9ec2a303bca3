/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of /dev/kvm to run a guest program next to minivisor: KVM is
 * the reference the tests and benchmarks compare against.
 */
#ifndef MV_KVM_UTIL_H
#define MV_KVM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

struct kvm_tvm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	size_t mem_size;
};

/* 0 or -errno. */
int kvm_tvm_create(struct kvm_tvm *t, size_t mem_size);
void kvm_tvm_destroy(struct kvm_tvm *t);
/* Real mode at CS:IP = @cs:0, everything else reset. */
int kvm_tvm_reset_real(struct kvm_tvm *t, uint16_t cs);
/* One KVM_RUN; returns the exit reason or -errno. */
int kvm_tvm_run(struct kvm_tvm *t);

#endif
