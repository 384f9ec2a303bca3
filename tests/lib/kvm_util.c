// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_util.h"

int kvm_tvm_create(struct kvm_tvm *t, size_t mem_size)
{
	struct kvm_userspace_memory_region region = { 0 };
	int ret;

	memset(t, 0, sizeof(*t));
	t->kvm = t->vm = t->vcpu = -1;
	t->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (t->kvm < 0)
		return -errno;
	t->vm = ioctl(t->kvm, KVM_CREATE_VM, 0);
	if (t->vm < 0)
		goto err;
	t->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->mem == MAP_FAILED) {
		t->mem = NULL;
		goto err;
	}
	t->mem_size = mem_size;
	region.memory_size = mem_size;
	region.userspace_addr = (uintptr_t)t->mem;
	if (ioctl(t->vm, KVM_SET_USER_MEMORY_REGION, &region))
		goto err;
	t->vcpu = ioctl(t->vm, KVM_CREATE_VCPU, 0);
	if (t->vcpu < 0)
		goto err;
	ret = ioctl(t->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		goto err;
	t->run_size = ret;
	t->run = mmap(NULL, t->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      t->vcpu, 0);
	if (t->run == MAP_FAILED) {
		t->run = NULL;
		goto err;
	}
	return 0;
err:
	ret = -errno;
	kvm_tvm_destroy(t);
	return ret;
}

void kvm_tvm_destroy(struct kvm_tvm *t)
{
	if (t->run)
		munmap(t->run, t->run_size);
	if (t->mem)
		munmap(t->mem, t->mem_size);
	if (t->vcpu >= 0)
		close(t->vcpu);
	if (t->vm >= 0)
		close(t->vm);
	if (t->kvm >= 0)
		close(t->kvm);
	memset(t, 0, sizeof(*t));
	t->kvm = t->vm = t->vcpu = -1;
}

int kvm_tvm_reset_real(struct kvm_tvm *t, uint16_t cs)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };

	if (ioctl(t->vcpu, KVM_GET_SREGS, &sregs))
		return -errno;
	sregs.cs.selector = cs;
	sregs.cs.base = (uint32_t)cs << 4;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.cs;
	sregs.ds.type = sregs.es.type = sregs.fs.type = 3;
	sregs.gs.type = sregs.ss.type = 3;
	if (ioctl(t->vcpu, KVM_SET_SREGS, &sregs))
		return -errno;
	regs.rflags = 2;
	regs.rip = 0;
	regs.rsp = 0xfff0;
	if (ioctl(t->vcpu, KVM_SET_REGS, &regs))
		return -errno;
	return 0;
}

int kvm_tvm_run(struct kvm_tvm *t)
{
	if (ioctl(t->vcpu, KVM_RUN, 0))
		return -errno;
	return t->run->exit_reason;
}
