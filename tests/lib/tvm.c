// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
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

/* A KVM VM with @mem bytes of anonymous memory at guest-physical 0. */
static int tvm_kvm_vm(struct tvm *t, uint64_t mem)
{
	struct kvm_userspace_memory_region region = { 0 };

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
	return 0;
}

static int tvm_create_kvm(struct tvm *t, uint64_t mem)
{
	int ret;

	ret = tvm_kvm_vm(t, mem);
	if (ret)
		return ret;
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

/* CPUID leaf 1 and 6 as an irqchip VM's vCPU @index sees them. */
static void tvm_cpuid_irqchip(struct kvm_cpuid2 *c, int index)
{
	bool leaf6 = false;
	unsigned int i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 0 && e->eax < 6)
			e->eax = 6;
		if (e->function == 1) {
			e->edx |= 1u << 9;			/* APIC */
			e->ecx |= (1u << 21) | (1u << 24);	/* x2APIC, TSC-deadline */
			e->ebx = (e->ebx & 0xffffff) | (uint32_t)index << 24;
		}
		if (e->function == 6) {
			e->eax |= 1u << 2;			/* ARAT */
			leaf6 = true;
		}
	}
	if (!leaf6 && c->nent < MV_CPUID_MAX_ENTRIES) {
		memset(&c->entries[c->nent], 0, sizeof(c->entries[0]));
		c->entries[c->nent].function = 6;
		c->entries[c->nent++].eax = 1u << 2;
	}
}

/* QEMU's GSI routing: the PICs' IRQs 0-15 but 2, the I/O APIC's 0-23, GSI 0 to pin 2. */
static int tvm_kvm_routing(struct tvm *t)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[64];
	} rt;
	unsigned int n = 0, i;

	memset(&rt, 0, sizeof(rt));
	for (i = 0; i < 16; i++) {
		if (i == 2)
			continue;
		rt.e[n].gsi = i;
		rt.e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		rt.e[n].u.irqchip.irqchip = i < 8 ? KVM_IRQCHIP_PIC_MASTER :
						    KVM_IRQCHIP_PIC_SLAVE;
		rt.e[n++].u.irqchip.pin = i % 8;
	}
	for (i = 0; i < 24; i++) {
		if (i == 2)
			continue;
		rt.e[n].gsi = i;
		rt.e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		rt.e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		rt.e[n++].u.irqchip.pin = i ? i : 2;
	}
	rt.r.nr = n;
	return ioctl(t->vm, KVM_SET_GSI_ROUTING, &rt) ? -errno : 0;
}

static int tvm_kvm_vcpu(struct tvm *t, int index, int *fd, void **run)
{
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[MV_CPUID_MAX_ENTRIES];
	} kc = { .c.nent = MV_CPUID_MAX_ENTRIES };
	int ret;

	*fd = ioctl(t->vm, KVM_CREATE_VCPU, index);
	if (*fd < 0)
		return -errno;
	/* vCPU 0's table (what minivisor offers by default), made ours. */
	if (ioctl(t->vcpu, KVM_GET_CPUID2, &kc))
		return -errno;
	tvm_cpuid_irqchip(&kc.c, index);
	if (ioctl(*fd, KVM_SET_CPUID2, &kc))
		return -errno;
	ret = ioctl(t->dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		return -errno;
	*run = mmap(NULL, ret, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (*run == MAP_FAILED) {
		*run = NULL;
		return -errno;
	}
	return 0;
}

static int tvm_create_irqchip_kvm(struct tvm *t, uint64_t mem, int n)
{
	/* Port 0x61 in the kernel too (QEMU's flag when it has no speaker). */
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	int i, ret;

	ret = tvm_kvm_vm(t, mem);
	if (ret)
		return ret;
	if (ioctl(t->vm, KVM_CREATE_IRQCHIP, 0) ||
	    ioctl(t->vm, KVM_CREATE_PIT2, &pit))
		return -errno;
	ret = tvm_kvm_routing(t);
	if (ret)
		return ret;
	/* A PIT that drops ticks the guest missed, as a real one (and ours) does. */
	if (ioctl(t->vm, KVM_REINJECT_CONTROL, &(struct kvm_reinject_control){ 0 }))
		return -errno;
	/* vCPU 0 the usual way (its CPUID minivisor's default), then the APIC bits. */
	t->vcpu = ioctl(t->vm, KVM_CREATE_VCPU, 0);
	if (t->vcpu < 0)
		return -errno;
	ret = tvm_kvm_cpuid(t);
	if (ret)
		return ret;
	{
		struct {
			struct kvm_cpuid2 c;
			struct kvm_cpuid_entry2 e[MV_CPUID_MAX_ENTRIES];
		} kc = { .c.nent = MV_CPUID_MAX_ENTRIES };

		if (ioctl(t->vcpu, KVM_GET_CPUID2, &kc))
			return -errno;
		tvm_cpuid_irqchip(&kc.c, 0);
		if (ioctl(t->vcpu, KVM_SET_CPUID2, &kc))
			return -errno;
	}
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
	for (i = 1; i < n; i++) {
		ret = tvm_kvm_vcpu(t, i, &t->ap_vcpu[i], &t->ap_run[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int tvm_create_irqchip_mv(struct tvm *t, uint64_t mem, const char *name,
				 int n)
{
	struct mv_vm_config cfg = { .mem_size = mem };
	int i, fd;

	snprintf(cfg.name, sizeof(cfg.name), "%s", name ? name : "");
	t->dev = open("/dev/minivisor", O_RDWR | O_CLOEXEC);
	if (t->dev < 0)
		return -errno;
	t->vm = ioctl(t->dev, MV_CREATE_VM, &cfg);
	if (t->vm < 0)
		return -errno;
	if (ioctl(t->vm, MV_CREATE_IRQCHIP, 0))
		return -errno;
	for (i = 0; i < n; i++) {
		void *run;

		fd = ioctl(t->vm, MV_CREATE_VCPU, i);
		if (fd < 0)
			return -errno;
		run = mmap(NULL, MV_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, 0);
		if (run == MAP_FAILED) {
			close(fd);
			return -errno;
		}
		if (!i) {
			t->vcpu = fd;
			t->run = run;
		} else {
			t->ap_vcpu[i] = fd;
			t->ap_run[i] = run;
		}
	}
	t->run_size = MV_RUN_SIZE;
	return 0;
}

int tvm_create_irqchip(struct tvm *t, enum tvm_kind kind, uint64_t mem,
		       const char *name, int nr_vcpus)
{
	int i, ret;

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->dev = t->vm = t->vcpu = -1;
	for (i = 0; i < AP_MAX; i++)
		t->ap_vcpu[i] = -1;
	t->mem_size = mem;
	t->exit_code = -1;
	t->irqchip = true;
	t->nr_vcpus = nr_vcpus;
	if (nr_vcpus < 1 || nr_vcpus > AP_MAX)
		return -EINVAL;
	ret = kind == TVM_MV ? tvm_create_irqchip_mv(t, mem, name, nr_vcpus) :
			       tvm_create_irqchip_kvm(t, mem, nr_vcpus);
	if (ret)
		tvm_destroy(t);
	return ret;
}

int tvm_irq_line(struct tvm *t, uint32_t gsi, uint32_t level)
{
	struct kvm_irq_level kl = { .irq = gsi, .level = level };
	struct mv_irq_level ml = { .gsi = gsi, .level = level };

	if (t->kind == TVM_KVM)
		return ioctl(t->vm, KVM_IRQ_LINE, &kl) ? -errno : 0;
	return ioctl(t->vm, MV_IRQ_LINE, &ml) ? -errno : 0;
}

int tvm_signal_msi(struct tvm *t, uint64_t address, uint32_t data)
{
	struct kvm_msi km = { .address_lo = address, .address_hi = address >> 32,
			      .data = data };
	struct mv_msi mm = { .address = address, .data = data };

	/* KVM says how many took it (0: nobody); minivisor 0 either way. */
	if (t->kind == TVM_KVM)
		return ioctl(t->vm, KVM_SIGNAL_MSI, &km) < 0 ? -errno : 0;
	return ioctl(t->vm, MV_SIGNAL_MSI, &mm) ? -errno : 0;
}

static volatile int tvm_aps_stop;
static pthread_t tvm_ap_threads[AP_MAX];

static void tvm_ap_signal(int sig)
{
	(void)sig;
}

struct tvm_ap {
	struct tvm *t;
	int index;
};

static struct tvm_ap tvm_aps[AP_MAX];

/*
 * An AP's run loop until the stop: its debug-console output goes to the
 * VM's console; it records its last exit (for a test that fails).
 */
static void *tvm_ap_thread(void *arg)
{
	struct tvm_ap *ap = arg;
	struct tvm *t = ap->t;
	int fd = t->ap_vcpu[ap->index];
	sigset_t alrm;

	/* The caller's alarm is the caller's (vCPU 0's run). */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);

	while (!tvm_aps_stop) {
		uint32_t reason, port = 0, out = 0;
		uint8_t *data = NULL;

		if (ioctl(fd, t->kind == TVM_MV ? MV_RUN : KVM_RUN, 0) < 0) {
			/* KVM: EAGAIN once an INIT woke a vCPU that never ran */
			if (errno != EINTR && errno != EAGAIN)
				break;
			continue;
		}
		if (t->kind == TVM_MV) {
			struct mv_run *run = t->ap_run[ap->index];

			reason = run->exit_reason;
			if (reason == MV_EXIT_IO) {
				port = run->io.port;
				out = run->io.direction == MV_IO_OUT;
				data = (uint8_t *)run + run->io.data_offset;
			}
		} else {
			struct kvm_run *run = t->ap_run[ap->index];

			reason = run->exit_reason;
			if (reason == KVM_EXIT_IO) {
				port = run->io.port;
				out = run->io.direction == KVM_EXIT_IO_OUT;
				data = (uint8_t *)run + run->io.data_offset;
			}
		}
		t->ap_exits[ap->index]++;
		t->ap_last_exit[ap->index] = reason;
		if (data && out && port == PORT_DEBUGCON &&
		    t->console_len < sizeof(t->console) - 1) {
			t->console[t->console_len++] = *data;
			t->console[t->console_len] = 0;
		}
	}
	return NULL;
}

int tvm_start_aps(struct tvm *t)
{
	struct sigaction sa = { .sa_handler = tvm_ap_signal };
	int i;

	sigaction(SIGUSR1, &sa, NULL);
	tvm_aps_stop = 0;
	for (i = 1; i < t->nr_vcpus; i++) {
		tvm_aps[i].t = t;
		tvm_aps[i].index = i;
		if (pthread_create(&tvm_ap_threads[i], NULL, tvm_ap_thread, &tvm_aps[i]))
			return -EAGAIN;
	}
	return 0;
}

void tvm_stop_aps(struct tvm *t)
{
	int i;

	tvm_aps_stop = 1;
	for (i = 1; i < t->nr_vcpus; i++) {
		/* Until it is out: a signal between its check and RUN is lost. */
		while (pthread_tryjoin_np(tvm_ap_threads[i], NULL)) {
			pthread_kill(tvm_ap_threads[i], SIGUSR1);
			usleep(1000);
		}
	}
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
	for (ret = 0; ret < AP_MAX; ret++)
		t->ap_vcpu[ret] = -1;
	t->nr_vcpus = 1;
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
	int i;

	for (i = 1; i < AP_MAX; i++) {
		if (t->ap_run[i])
			munmap(t->ap_run[i], t->run_size);
		if (t->ap_vcpu[i] >= 0)
			close(t->ap_vcpu[i]);
		t->ap_run[i] = NULL;
		t->ap_vcpu[i] = -1;
	}
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
