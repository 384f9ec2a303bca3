// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "tvm.h"

static const char *guest_dir(void)
{
	const char *d = getenv("MV_GUESTS");

	return d ? d : "/mv/guests";
}

static int tvm_create_mv(struct tvm *t, uint64_t mem, const char *name,
			 uint32_t domain)
{
	struct mv_vm_config cfg = { .mem_size = mem, .share_domain = domain };

	snprintf(cfg.name, sizeof(cfg.name), "%s", name ? name : "");
	t->dev = open("/dev/minivisor", O_RDWR | O_CLOEXEC);
	if (t->dev < 0)
		return -errno;
	t->vm = ioctl(t->dev, MV_CREATE_VM, &cfg);
	if (t->vm < 0)
		return -errno;
	t->vcpu = ioctl(t->vm, MV_CREATE_VCPU, 0);
	if (t->vcpu < 0)
		return -errno;
	t->run_size = MV_RUN_SIZE;
	t->run = mmap(NULL, t->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      t->vcpu, 0);
	if (t->run == MAP_FAILED) {
		t->run = NULL;
		return -errno;
	}
	return 0;
}

/*
 * Give a KVM vCPU the CPUID a minivisor vCPU gets by default, so both
 * guests see the same features (paging ones above all) and results can be
 * compared.  Without /dev/minivisor, KVM's supported table is used.
 */
static int tvm_kvm_cpuid(struct tvm *t)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[MV_CPUID_MAX_ENTRIES];
	} kc = { .c.nent = MV_CPUID_MAX_ENTRIES };
	struct {
		struct mv_cpuid c;
		struct mv_cpuid_entry e[MV_CPUID_MAX_ENTRIES];
	} mc = { .c.nent = MV_CPUID_MAX_ENTRIES };
	unsigned int i;
	int dev = open("/dev/minivisor", O_RDWR | O_CLOEXEC);

	if (dev >= 0 && !ioctl(dev, MV_GET_DEFAULT_CPUID, &mc)) {
		memset(&kc, 0, sizeof(kc));
		kc.c.nent = mc.c.nent;
		for (i = 0; i < mc.c.nent; i++) {
			kc.e[i].function = mc.e[i].function;
			kc.e[i].index = mc.e[i].index;
			kc.e[i].flags = mc.e[i].flags & MV_CPUID_INDEXED ?
					1 /* KVM_CPUID_FLAG_SIGNIFICANT_INDEX */ : 0;
			kc.e[i].eax = mc.e[i].eax;
			kc.e[i].ebx = mc.e[i].ebx;
			kc.e[i].ecx = mc.e[i].ecx;
			kc.e[i].edx = mc.e[i].edx;
		}
	} else if (ioctl(t->dev, KVM_GET_SUPPORTED_CPUID, &kc)) {
		if (dev >= 0)
			close(dev);
		return -errno;
	}
	if (dev >= 0)
		close(dev);
	return ioctl(t->vcpu, KVM_SET_CPUID2, &kc) ? -errno : 0;
}

static int tvm_create_kvm(struct tvm *t, uint64_t mem)
{
	struct kvm_userspace_memory_region region = { 0 };
	int ret;

	t->dev = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (t->dev < 0)
		return -errno;
	t->vm = ioctl(t->dev, KVM_CREATE_VM, 0);
	if (t->vm < 0)
		return -errno;
	t->kvm_mem = mmap(NULL, mem, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->kvm_mem == MAP_FAILED) {
		t->kvm_mem = NULL;
		return -errno;
	}
	region.memory_size = mem;
	region.userspace_addr = (uintptr_t)t->kvm_mem;
	if (ioctl(t->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return -errno;
	t->vcpu = ioctl(t->vm, KVM_CREATE_VCPU, 0);
	if (t->vcpu < 0)
		return -errno;
	ret = tvm_kvm_cpuid(t);
	if (ret)
		return ret;
	ret = ioctl(t->dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		return -errno;
	t->run_size = ret;
	t->run = mmap(NULL, t->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      t->vcpu, 0);
	if (t->run == MAP_FAILED) {
		t->run = NULL;
		return -errno;
	}
	return 0;
}

int tvm_create(struct tvm *t, enum tvm_kind kind, uint64_t mem, const char *name)
{
	return tvm_create_in(t, kind, mem, name, 0);
}

int tvm_create_in(struct tvm *t, enum tvm_kind kind, uint64_t mem,
		  const char *name, uint32_t domain)
{
	int ret;

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->dev = t->vm = t->vcpu = -1;
	t->mem_size = mem;
	t->exit_code = -1;
	ret = kind == TVM_MV ? tvm_create_mv(t, mem, name, domain) :
			       tvm_create_kvm(t, mem);
	if (ret)
		tvm_destroy(t);
	return ret;
}

void tvm_destroy(struct tvm *t)
{
	if (t->run)
		munmap(t->run, t->run_size);
	if (t->kvm_mem)
		munmap(t->kvm_mem, t->mem_size);
	if (t->vcpu >= 0)
		close(t->vcpu);
	if (t->vm >= 0)
		close(t->vm);
	if (t->dev >= 0)
		close(t->dev);
	t->run = NULL;
	t->kvm_mem = NULL;
	t->vcpu = t->vm = t->dev = -1;
}

int tvm_write(struct tvm *t, uint64_t gpa, const void *buf, size_t len)
{
	struct mv_guest_mem m = { .gpa = gpa, .size = len, .uaddr = (uintptr_t)buf };

	if (t->kind == TVM_KVM) {
		if (gpa + len > t->mem_size)
			return -EINVAL;
		memcpy(t->kvm_mem + gpa, buf, len);
		return 0;
	}
	return ioctl(t->vm, MV_WRITE_GUEST, &m) ? -errno : 0;
}

int tvm_stats(struct tvm *t, struct mv_vm_stats *st)
{
	if (!ioctl(t->vm, MV_GET_VM_STATS, st))
		return 0;
	memset(st, 0xff, sizeof(*st));
	return -errno;
}

int tvm_read(struct tvm *t, uint64_t gpa, void *buf, size_t len)
{
	struct mv_guest_mem m = { .gpa = gpa, .size = len, .uaddr = (uintptr_t)buf };

	if (t->kind == TVM_KVM) {
		if (gpa + len > t->mem_size)
			return -EINVAL;
		memcpy(buf, t->kvm_mem + gpa, len);
		return 0;
	}
	return ioctl(t->vm, MV_READ_GUEST, &m) ? -errno : 0;
}

static int tvm_entry_mv(struct tvm *t)
{
	struct mv_segment seg = {
		.selector = 0x1000, .base = 0x10000, .limit = 0xffff,
		.type = 3, .s = 1, .present = 1,
	};
	struct mv_regs regs = { .rflags = 2, .rsp = 0xfff0 };
	struct mv_sregs s;

	if (ioctl(t->vcpu, MV_GET_SREGS, &s))
		return -errno;
	s.ds = s.es = s.fs = s.gs = s.ss = seg;
	seg.type = 0xb;
	s.cs = seg;
	/* A fresh start even if a guest ran before: real mode, paging off. */
	s.cr0 = 0x60000010;
	s.cr2 = 0;
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	if (ioctl(t->vcpu, MV_SET_SREGS, &s) || ioctl(t->vcpu, MV_SET_REGS, &regs))
		return -errno;
	return 0;
}

static int tvm_entry_kvm(struct tvm *t)
{
	struct kvm_regs regs = { .rflags = 2, .rsp = 0xfff0 };
	struct kvm_segment seg = {
		.selector = 0x1000, .base = 0x10000, .limit = 0xffff,
		.type = 3, .s = 1, .present = 1,
	};
	struct kvm_sregs s;

	if (ioctl(t->vcpu, KVM_GET_SREGS, &s))
		return -errno;
	s.ds = s.es = s.fs = s.gs = s.ss = seg;
	seg.type = 0xb;
	s.cs = seg;
	s.cr0 = 0x60000010;
	s.cr2 = 0;
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	if (ioctl(t->vcpu, KVM_SET_SREGS, &s) || ioctl(t->vcpu, KVM_SET_REGS, &regs))
		return -errno;
	return 0;
}

/*
 * KVM finishes an I/O instruction only on the next KVM_RUN: do that (and
 * nothing else) before registers are replaced.  minivisor needs nothing.
 */
static void tvm_complete_kvm(struct tvm *t)
{
	struct kvm_run *run = t->run;

	run->immediate_exit = 1;
	ioctl(t->vcpu, KVM_RUN, 0);
	run->immediate_exit = 0;
}

int tvm_load(struct tvm *t, const char *guest)
{
	char path[256];
	struct stat st;
	void *buf;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s.bin", guest_dir(), guest);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		close(fd);
		return -errno;
	}
	buf = malloc(st.st_size);
	if (!buf || read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		close(fd);
		return -EIO;
	}
	close(fd);
	ret = tvm_write(t, 0x10000, buf, st.st_size);
	free(buf);
	if (ret)
		return ret;
	if (t->kind == TVM_KVM) {
		tvm_complete_kvm(t);
		return tvm_entry_kvm(t);
	}
	return tvm_entry_mv(t);
}

int tvm_args(struct tvm *t, uint32_t test, const uint64_t *args, int n)
{
	struct guest_args a = { .test = test };
	int i;

	for (i = 0; i < n && i < 6; i++)
		a.arg[i] = args[i];
	return tvm_write(t, GUEST_ARGS, &a, sizeof(a));
}

static enum tvm_exit tvm_decode_mv(struct tvm *t)
{
	struct mv_run *run = t->run;

	switch (run->exit_reason) {
	case MV_EXIT_IO:
		t->io.in = run->io.direction == MV_IO_IN;
		t->io.size = run->io.size;
		t->io.port = run->io.port;
		t->io.count = run->io.count;
		t->io.data = (uint8_t *)run + run->io.data_offset;
		return TVM_EXIT_IO;
	case MV_EXIT_MMIO:
		t->mmio.gpa = run->mmio.gpa;
		t->mmio.len = run->mmio.len;
		t->mmio.is_write = run->mmio.is_write;
		t->mmio.data = run->mmio.data;
		return TVM_EXIT_MMIO;
	case MV_EXIT_HLT:
		return TVM_EXIT_HLT;
	case MV_EXIT_SHUTDOWN:
		return TVM_EXIT_SHUTDOWN;
	case MV_EXIT_INTERNAL_ERROR:
		return TVM_EXIT_INTERNAL;
	default:
		return TVM_EXIT_OTHER;
	}
}

static enum tvm_exit tvm_decode_kvm(struct tvm *t)
{
	struct kvm_run *run = t->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		t->io.in = run->io.direction == KVM_EXIT_IO_IN;
		t->io.size = run->io.size;
		t->io.port = run->io.port;
		t->io.count = run->io.count;
		t->io.data = (uint8_t *)run + run->io.data_offset;
		return TVM_EXIT_IO;
	case KVM_EXIT_MMIO:
		t->mmio.gpa = run->mmio.phys_addr;
		t->mmio.len = run->mmio.len;
		t->mmio.is_write = run->mmio.is_write;
		t->mmio.data = run->mmio.data;
		return TVM_EXIT_MMIO;
	case KVM_EXIT_HLT:
		return TVM_EXIT_HLT;
	case KVM_EXIT_SHUTDOWN:
		return TVM_EXIT_SHUTDOWN;
	case KVM_EXIT_INTERNAL_ERROR:
		return TVM_EXIT_INTERNAL;
	default:
		return TVM_EXIT_OTHER;
	}
}

enum tvm_exit tvm_run_once(struct tvm *t)
{
	int ret = ioctl(t->vcpu, t->kind == TVM_MV ? MV_RUN : KVM_RUN, 0);

	if (ret < 0) {
		t->err = errno;
		return errno == EINTR ? TVM_EXIT_INTR : TVM_EXIT_ERROR;
	}
	return t->kind == TVM_MV ? tvm_decode_mv(t) : tvm_decode_kvm(t);
}

enum tvm_exit tvm_run(struct tvm *t)
{
	for (;;) {
		enum tvm_exit e = tvm_run_once(t);
		uint32_t i, v = 0;

		if (e != TVM_EXIT_IO)
			return e;
		if (!t->io.in && (t->io.port == PORT_DEBUGCON || t->io.port == 0x3f8)) {
			for (i = 0; i < t->io.count; i++)
				if (t->console_len < sizeof(t->console) - 1)
					t->console[t->console_len++] =
						t->io.data[i * t->io.size];
			t->console[t->console_len] = 0;
			continue;
		}
		if (t->io.in && t->io.port == 0x3fd) {
			memset(t->io.data, 0x60, t->io.size * t->io.count);
			continue;
		}
		if (!t->io.in && t->io.port == PORT_EXIT) {
			memcpy(&v, t->io.data, t->io.size);
			t->exit_code = ((v << 1) | 1) & 0xff;
			return TVM_EXIT_DEBUG_EXIT;
		}
		if (!t->io.in && t->io.port == PORT_UCALL && t->io.size == 4) {
			memcpy(&v, t->io.data, 4);
			if (tvm_read(t, v, &t->uc, sizeof(t->uc)))
				return TVM_EXIT_ERROR;
			t->uc.msg[sizeof(t->uc.msg) - 1] = 0;
			return TVM_EXIT_UCALL;
		}
		return e;
	}
}

int tvm_run_to_end(struct tvm *t)
{
	for (;;) {
		enum tvm_exit e = tvm_run(t);

		if (e == TVM_EXIT_DEBUG_EXIT)
			return t->exit_code;
		if (e == TVM_EXIT_UCALL &&
		    (t->uc.cmd == UCALL_SYNC || t->uc.cmd == UCALL_DONE))
			continue;
		return -1;
	}
}

const char *tvm_exit_name(enum tvm_exit e)
{
	static const char *const names[] = {
		"ucall", "debug-exit", "io", "mmio", "hlt", "shutdown",
		"internal", "intr", "other",
	};

	if (e == TVM_EXIT_ERROR)
		return "error";
	return e >= 0 && e <= TVM_EXIT_OTHER ? names[e] : "?";
}
