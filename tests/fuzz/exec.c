// SPDX-License-Identifier: GPL-2.0
/*
 * Engines: one vCPU on minivisor or on KVM, loaded with a guest input
 * (memory written chunk by chunk, registers and segment/control registers
 * set), run until the input's end, a reported vector, HLT, shutdown, an
 * internal error, the time budget or the exit budget, and read back.
 *
 * The same VM serves run after run: each input's chunks are written over
 * the previous input's (what the previous input wrote and this one does
 * not is zeroed).  What a guest wrote elsewhere stays; the differential
 * lane re-runs a divergence on fresh VMs before it believes it.
 *
 * I/O and MMIO are answered the same way on both engines, and never by
 * anything that depends on how an engine splits the work into exits: an
 * IN from port p reads bytes of io_byte(p), an MMIO read at gpa a reads
 * mmio_byte(a + i).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "fuzz.h"
#include "guest.h"

const char *const outcome_names[O_NR] = {
	"debug-exit", "exception", "hlt", "halted", "shutdown", "bad-state",
	"internal", "timeout", "exit-budget", "error", "rejected",
};

#define EXIT_BUDGET	4000

static uint8_t io_byte(uint16_t port)
{
	return (port * 0x9d + 0x5a) ^ (port >> 8);
}

static uint8_t mmio_byte(uint64_t gpa)
{
	uint64_t x = gpa * 0x9e3779b97f4a7c15ull;

	return x >> 56;
}

/* The CPUID a minivisor vCPU starts with, for KVM's vCPU too. */
static int default_cpuid(struct mv_cpuid_entry *e, unsigned int *n)
{
	struct {
		struct mv_cpuid c;
		struct mv_cpuid_entry e[MV_CPUID_MAX_ENTRIES];
	} mc = { .c.nent = MV_CPUID_MAX_ENTRIES };
	int fd = open("/dev/minivisor", O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = FZ_IOCTL(fd, MV_GET_DEFAULT_CPUID, &mc) ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	memcpy(e, mc.e, mc.c.nent * sizeof(*e));
	*n = mc.c.nent;
	return 0;
}

static int eng_create_mv(struct engine *e)
{
	struct mv_vm_config cfg = { .mem_size = FZ_MEM };
	struct mv_vm_stats st;

	snprintf(cfg.name, sizeof(cfg.name), "fuzz-%s", lane_names[my_lane]);
	e->dev = open("/dev/minivisor", O_RDWR | O_CLOEXEC);
	if (e->dev < 0)
		return -errno;
	e->vm = FZ_IOCTL(e->dev, MV_CREATE_VM, &cfg);
	if (e->vm < 0)
		return -errno;
	e->vcpu = FZ_IOCTL(e->vm, MV_CREATE_VCPU, 0);
	if (e->vcpu < 0)
		return -errno;
	e->run_size = MV_RUN_SIZE;
	e->run = mmap(NULL, e->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, e->vcpu, 0);
	if (e->run == MAP_FAILED) {
		e->run = NULL;
		return -errno;
	}
	if (FZ_IOCTL(e->vm, MV_GET_VM_STATS, &st))
		return -errno;
	e->id = st.id;
	ids_add(fz->protected_ids, e->id);
	return 0;
}

static int eng_create_kvm(struct engine *e)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[MV_CPUID_MAX_ENTRIES];
	} kc;
	struct mv_cpuid_entry me[MV_CPUID_MAX_ENTRIES];
	unsigned int i, n = 0;
	int ret;

	e->dev = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (e->dev < 0)
		return -errno;
	e->vm = ioctl(e->dev, KVM_CREATE_VM, 0);
	if (e->vm < 0)
		return -errno;
	e->mem = mmap(NULL, FZ_MEM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (e->mem == MAP_FAILED) {
		e->mem = NULL;
		return -errno;
	}
	region.memory_size = FZ_MEM;
	region.userspace_addr = (uintptr_t)e->mem;
	if (ioctl(e->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return -errno;
	e->vcpu = ioctl(e->vm, KVM_CREATE_VCPU, 0);
	if (e->vcpu < 0)
		return -errno;
	ret = default_cpuid(me, &n);
	if (ret)
		return ret;
	memset(&kc, 0, sizeof(kc));
	kc.c.nent = n;
	for (i = 0; i < n; i++) {
		kc.e[i].function = me[i].function;
		kc.e[i].index = me[i].index;
		kc.e[i].flags = me[i].flags & MV_CPUID_INDEXED ?
				1 /* KVM_CPUID_FLAG_SIGNIFICANT_INDEX */ : 0;
		kc.e[i].eax = me[i].eax;
		kc.e[i].ebx = me[i].ebx;
		kc.e[i].ecx = me[i].ecx;
		kc.e[i].edx = me[i].edx;
	}
	if (ioctl(e->vcpu, KVM_SET_CPUID2, &kc))
		return -errno;
	ret = ioctl(e->dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		return -errno;
	e->run_size = ret;
	e->run = mmap(NULL, e->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, e->vcpu, 0);
	if (e->run == MAP_FAILED) {
		e->run = NULL;
		return -errno;
	}
	return 0;
}

int eng_create(struct engine *e, enum eng_kind kind)
{
	int ret;

	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->dev = e->vm = e->vcpu = -1;
	e->fresh = true;
	e->mirror = mmap(NULL, FZ_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (e->mirror == MAP_FAILED) {
		e->mirror = NULL;
		return -ENOMEM;
	}
	memset(e->trusted, 1, sizeof(e->trusted));
	ret = kind == ENG_MV ? eng_create_mv(e) : eng_create_kvm(e);
	if (ret)
		eng_destroy(e);
	return ret;
}

void eng_destroy(struct engine *e)
{
	if (e->id)
		ids_del(fz->protected_ids, e->id);
	if (e->run)
		munmap(e->run, e->run_size);
	if (e->mem)
		munmap(e->mem, FZ_MEM);
	if (e->mirror)
		munmap(e->mirror, FZ_MEM);
	if (e->vcpu >= 0)
		close(e->vcpu);
	if (e->vm >= 0)
		close(e->vm);
	if (e->dev >= 0)
		close(e->dev);
	memset(e, 0, sizeof(*e));
	e->dev = e->vm = e->vcpu = -1;
}

static int eng_write(struct engine *e, uint64_t gpa, const void *buf, size_t len);

/* Write what differs from the mirror (all of it where it is not trusted). */
static int eng_write_diff(struct engine *e, uint32_t gpa, const uint8_t *src, uint32_t len)
{
	uint32_t end = gpa + len, at = gpa;
	int ret;

	while (at < end) {
		uint32_t page_end = (at | 4095) + 1, stop = page_end < end ? page_end : end;
		uint32_t i = at, run_start;

		if (!e->trusted[at >> 12]) {
			ret = eng_write(e, at, src + (at - gpa), stop - at);
			if (ret)
				return ret;
			if (at >= G_PT_POOL && at < G_PT_POOL + G_PT_PAGES * 4096)
				e->pt_changed = true;
			memcpy(e->mirror + at, src + (at - gpa), stop - at);
			at = stop;
			continue;
		}
		while (i < stop) {
			while (i < stop && e->mirror[i] == src[i - gpa])
				i++;
			if (i >= stop)
				break;
			run_start = i;
			/* a run of differences, gaps under 16 bytes included */
			for (;;) {
				while (i < stop && e->mirror[i] != src[i - gpa])
					i++;
				uint32_t j = i;

				while (j < stop && j < i + 16 && e->mirror[j] == src[j - gpa])
					j++;
				if (j < stop && j < i + 16)
					i = j;
				else
					break;
			}
			ret = eng_write(e, run_start, src + (run_start - gpa), i - run_start);
			if (ret)
				return ret;
			memcpy(e->mirror + run_start, src + (run_start - gpa), i - run_start);
			if (run_start >= G_PT_POOL && run_start < G_PT_POOL + G_PT_PAGES * 4096)
				e->pt_changed = true;
		}
		at = stop;
	}
	return 0;
}

static int eng_write(struct engine *e, uint64_t gpa, const void *buf, size_t len)
{
	struct mv_guest_mem m = { .gpa = gpa, .size = len, .uaddr = (uintptr_t)buf };

	if (gpa >= FZ_MEM || len > FZ_MEM - gpa)
		return -EINVAL;
	if (e->kind == ENG_KVM) {
		memcpy(e->mem + gpa, buf, len);
		return 0;
	}
	return FZ_IOCTL(e->vm, MV_WRITE_GUEST, &m) ? -errno : 0;
}

int eng_read(struct engine *e, uint64_t gpa, void *buf, size_t len)
{
	struct mv_guest_mem m = { .gpa = gpa, .size = len, .uaddr = (uintptr_t)buf };

	if (gpa >= FZ_MEM || len > FZ_MEM - gpa)
		return -EINVAL;
	if (e->kind == ENG_KVM) {
		memcpy(buf, e->mem + gpa, len);
		return 0;
	}
	return FZ_IOCTL(e->vm, MV_READ_GUEST, &m) ? -errno : 0;
}

/* ---- registers ---- */

static void seg_to_kvm(const struct mv_segment *m, struct kvm_segment *k)
{
	memset(k, 0, sizeof(*k));
	k->base = m->base;
	k->limit = m->limit;
	k->selector = m->selector;
	k->type = m->type;
	k->present = m->present;
	k->dpl = m->dpl;
	k->db = m->db;
	k->s = m->s;
	k->l = m->l;
	k->g = m->g;
	k->avl = m->avl;
	k->unusable = m->unusable;
}

static void seg_from_kvm(const struct kvm_segment *k, struct mv_segment *m)
{
	memset(m, 0, sizeof(*m));
	m->base = k->base;
	m->limit = k->limit;
	m->selector = k->selector;
	m->type = k->type;
	m->present = k->present;
	m->dpl = k->dpl;
	m->db = k->db;
	m->s = k->s;
	m->l = k->l;
	m->g = k->g;
	m->avl = k->avl;
	m->unusable = k->unusable;
}

static int kvm_set_state(struct engine *e, const struct mv_regs *r,
			 const struct mv_sregs *s)
{
	struct kvm_sregs ks;
	struct kvm_regs kr;

	if (ioctl(e->vcpu, KVM_GET_SREGS, &ks))
		return -errno;
	seg_to_kvm(&s->cs, &ks.cs);
	seg_to_kvm(&s->ds, &ks.ds);
	seg_to_kvm(&s->es, &ks.es);
	seg_to_kvm(&s->fs, &ks.fs);
	seg_to_kvm(&s->gs, &ks.gs);
	seg_to_kvm(&s->ss, &ks.ss);
	seg_to_kvm(&s->tr, &ks.tr);
	seg_to_kvm(&s->ldt, &ks.ldt);
	ks.gdt.base = s->gdt.base;
	ks.gdt.limit = s->gdt.limit;
	ks.idt.base = s->idt.base;
	ks.idt.limit = s->idt.limit;
	ks.cr0 = s->cr0;
	ks.cr2 = s->cr2;
	ks.cr3 = s->cr3;
	ks.cr4 = s->cr4;
	ks.cr8 = 0;
	ks.efer = s->efer;
	memset(ks.interrupt_bitmap, 0, sizeof(ks.interrupt_bitmap));
	if (ioctl(e->vcpu, KVM_SET_SREGS, &ks))
		return -errno;
	memcpy(&kr, r, sizeof(kr));	/* the same layout */
	if (ioctl(e->vcpu, KVM_SET_REGS, &kr))
		return -errno;
	return 0;
}

static int kvm_get_state(struct engine *e, struct mv_regs *r, struct mv_sregs *s)
{
	struct kvm_sregs ks;
	struct kvm_regs kr;

	if (ioctl(e->vcpu, KVM_GET_SREGS, &ks) || ioctl(e->vcpu, KVM_GET_REGS, &kr))
		return -errno;
	memset(s, 0, sizeof(*s));
	seg_from_kvm(&ks.cs, &s->cs);
	seg_from_kvm(&ks.ds, &s->ds);
	seg_from_kvm(&ks.es, &s->es);
	seg_from_kvm(&ks.fs, &s->fs);
	seg_from_kvm(&ks.gs, &s->gs);
	seg_from_kvm(&ks.ss, &s->ss);
	seg_from_kvm(&ks.tr, &s->tr);
	seg_from_kvm(&ks.ldt, &s->ldt);
	s->gdt.base = ks.gdt.base;
	s->gdt.limit = ks.gdt.limit;
	s->idt.base = ks.idt.base;
	s->idt.limit = ks.idt.limit;
	s->cr0 = ks.cr0;
	s->cr2 = ks.cr2;
	s->cr3 = ks.cr3;
	s->cr4 = ks.cr4;
	s->efer = ks.efer;
	memcpy(r, &kr, sizeof(*r));
	return 0;
}

static int get_state(struct engine *e, struct mv_regs *r, struct mv_sregs *s)
{
	if (e->kind == ENG_KVM)
		return kvm_get_state(e, r, s);
	if (FZ_IOCTL(e->vcpu, MV_GET_REGS, r) || FZ_IOCTL(e->vcpu, MV_GET_SREGS, s))
		return -errno;
	return 0;
}

/* KVM finishes an I/O or MMIO instruction on the next KVM_RUN only. */
static void kvm_complete(struct engine *e)
{
	struct kvm_run *run = e->run;
	int i;

	for (i = 0; i < 16; i++) {
		run->immediate_exit = 1;
		if (ioctl(e->vcpu, KVM_RUN, 0) < 0) {
			run->immediate_exit = 0;
			return;
		}
		/* a string instruction went on into another exit: answer it */
		run->immediate_exit = 0;
		if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_IN)
			memset((uint8_t *)run + run->io.data_offset, io_byte(run->io.port),
			       run->io.size * run->io.count);
		else if (run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write)
			memset(run->mmio.data, mmio_byte(run->mmio.phys_addr), 8);
		else if (run->exit_reason != KVM_EXIT_IO && run->exit_reason != KVM_EXIT_MMIO)
			return;
	}
}

/* ---- loading ---- */

static bool chunk_in(const struct ginput *in, const struct gchunk *c)
{
	uint32_t i;

	for (i = 0; i < in->nchunks; i++)
		if (in->chunk[i].gpa <= c->gpa &&
		    in->chunk[i].gpa + in->chunk[i].len >= c->gpa + c->len)
			return true;
	return false;
}

/* KVM's shadow pages do not see our writes to guest page tables: drop them all. */
static int kvm_flush_shadow(struct engine *e)
{
	struct kvm_userspace_memory_region region = {
		.userspace_addr = (uintptr_t)e->mem,
	};

	if (ioctl(e->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return -errno;
	region.memory_size = FZ_MEM;
	return ioctl(e->vm, KVM_SET_USER_MEMORY_REGION, &region) ? -errno : 0;
}

static int eng_load(struct engine *e, const struct ginput *in)
{
	static const uint8_t zeros[G_DATA_MAX];
	unsigned int i;
	int ret;

	if (++e->runs % FZ_MIRROR_TRUST == 0)
		memset(e->trusted, 0, sizeof(e->trusted));
	e->pt_changed = false;
	/* What the previous input wrote and this one does not: zeros. */
	for (i = 0; i < e->nlast; i++) {
		const struct gchunk *c = &e->last[i];

		if (chunk_in(in, c))
			continue;
		ret = eng_write_diff(e, c->gpa, zeros, c->len < sizeof(zeros) ? c->len :
						    sizeof(zeros));
		if (ret)
			return ret;
	}
	e->nlast = 0;
	for (i = 0; i < in->nchunks; i++) {
		const struct gchunk *c = &in->chunk[i];

		ret = eng_write_diff(e, c->gpa, in->data + c->off, c->len);
		if (ret)
			return ret;
		if (e->nlast < ENG_MAX_LAST)
			e->last[e->nlast++] = *c;
	}
	if (fz_verbose >= 3)
		say("    chunks written at %lluus", (unsigned long long)now_us());
	if (e->kind == ENG_KVM) {
		if (e->pt_changed && !e->fresh) {
			ret = kvm_flush_shadow(e);
			if (ret)
				return ret;
		}
		return kvm_set_state(e, &in->regs, &in->sregs);
	}
	if (FZ_IOCTL(e->vcpu, MV_SET_SREGS, &in->sregs) ||
	    FZ_IOCTL(e->vcpu, MV_SET_REGS, &in->regs))
		return -errno;
	if (fz_verbose >= 3)
		say("    state set at %lluus", (unsigned long long)now_us());
	if (in->flags & GI_EVENTS) {
		struct mv_interrupt irq = { .vector = in->irq_vector };

		if (in->irq_vector)
			FZ_IOCTL(e->vcpu, MV_INTERRUPT, &irq);
		if (in->exc_valid)
			FZ_IOCTL(e->vcpu, MV_INJECT_EXCEPTION, &in->exc);
	}
	return 0;
}

/* ---- guest page tables, for finding instructions ---- */

static bool rd64(struct engine *e, uint64_t gpa, uint64_t *v, int size)
{
	*v = 0;
	return !eng_read(e, gpa, v, size);
}

bool eng_translate(struct engine *e, const struct mv_sregs *s, uint64_t la,
		   uint64_t *gpa)
{
	const uint64_t fm = 0x000ffffffffff000ull;
	uint64_t ent, table;
	int level, shift;

	if (!(s->cr0 & 0x80000000ull)) {
		*gpa = s->efer & EFER_LMA_BIT ? la : la & 0xffffffffull;
		return true;
	}
	if (!(s->cr4 & 0x20)) {			/* two levels, 4-byte entries */
		la &= 0xffffffffull;
		if (!rd64(e, (s->cr3 & 0xfffff000) + ((la >> 22) << 2), &ent, 4) || !(ent & 1))
			return false;
		if ((ent & 0x80) && (s->cr4 & 0x10)) {
			*gpa = (ent & 0xffc00000) | (la & 0x3fffff);
			return true;
		}
		if (!rd64(e, (ent & 0xfffff000) + (((la >> 12) & 0x3ff) << 2), &ent, 4) ||
		    !(ent & 1))
			return false;
		*gpa = (ent & 0xfffff000) | (la & 0xfff);
		return true;
	}
	if (s->efer & EFER_LMA_BIT) {
		table = s->cr3 & fm;
		level = 4;
	} else {
		la &= 0xffffffffull;
		if (!rd64(e, (s->cr3 & 0xffffffe0) + ((la >> 30) << 3), &ent, 8) || !(ent & 1))
			return false;
		table = ent & fm;
		level = 2;
	}
	for (; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		if (!rd64(e, table + (((la >> shift) & 511) << 3), &ent, 8) || !(ent & 1))
			return false;
		if (level == 1 || (level <= 3 && (ent & 0x80))) {
			uint64_t mask = (1ull << shift) - 1;

			*gpa = ((ent & fm) & ~mask) | (la & mask);
			return true;
		}
		table = ent & fm;
	}
	return false;
}

/* The byte before RIP is a HLT: the vCPU sleeps in it (minivisor). */
static bool halted(struct engine *e, const struct mv_regs *r, const struct mv_sregs *s)
{
	uint64_t gpa;
	uint8_t b = 0;

	if (!(r->rflags & 0x200))
		return false;
	if (!eng_translate(e, s, s->cs.base + r->rip - 1, &gpa))
		return false;
	return !eng_read(e, gpa, &b, 1) && b == 0xf4;
}

/* Where guest writes are compared: the data pages and the stack page. */
static uint64_t memhash(struct engine *e)
{
	static uint8_t buf[3 * 4096];

	if (eng_read(e, G_DATA, buf, sizeof(buf)))
		return 0;
	return sig_hash(buf, sizeof(buf), 0);
}

/* ---- running ---- */

static enum outcome decode_mv(struct engine *e, struct gresult *res, bool *more)
{
	struct mv_run *run = e->run;
	uint8_t *data;

	*more = false;
	switch (run->exit_reason) {
	case MV_EXIT_IO:
		data = (uint8_t *)run + run->io.data_offset;
		if (run->io.direction == MV_IO_OUT && run->io.port == PORT_FZ_EXIT)
			return O_DEBUG_EXIT;
		if (run->io.direction == MV_IO_OUT && run->io.port == PORT_FZ_EXC) {
			res->vector = data[0];
			return O_EXCEPTION;
		}
		if (run->io.direction == MV_IO_IN &&
		    run->io.data_offset + (uint64_t)run->io.size * run->io.count <= MV_RUN_SIZE)
			memset(data, io_byte(run->io.port), run->io.size * run->io.count);
		res->user_exits++;
		*more = true;
		return O_NR;
	case MV_EXIT_MMIO:
		if (!run->mmio.is_write)
			memset(run->mmio.data, mmio_byte(run->mmio.gpa), 8);
		res->user_exits++;
		res->mmio_exits++;
		res->last_mmio_gpa = run->mmio.gpa;
		*more = true;
		return O_NR;
	case MV_EXIT_HLT:
		return O_HLT;
	case MV_EXIT_SHUTDOWN:
		e->dead = true;
		return run->shutdown.reason == MV_SHUTDOWN_INVALID_STATE ? O_BAD_STATE :
									   O_SHUTDOWN;
	case MV_EXIT_INTERNAL_ERROR:
		res->suberror = run->internal.suberror;
		res->ndata = run->internal.ndata;
		memcpy(res->data, run->internal.data, sizeof(res->data));
		return O_INTERNAL;
	default:
		res->suberror = 1000 + run->exit_reason;
		return O_INTERNAL;
	}
}

static enum outcome decode_kvm(struct engine *e, struct gresult *res, bool *more)
{
	struct kvm_run *run = e->run;
	uint8_t *data;

	*more = false;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		data = (uint8_t *)run + run->io.data_offset;
		if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == PORT_FZ_EXIT)
			return O_DEBUG_EXIT;
		if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == PORT_FZ_EXC) {
			res->vector = data[0];
			return O_EXCEPTION;
		}
		if (run->io.direction == KVM_EXIT_IO_IN)
			memset(data, io_byte(run->io.port), run->io.size * run->io.count);
		res->user_exits++;
		*more = true;
		return O_NR;
	case KVM_EXIT_MMIO:
		if (!run->mmio.is_write)
			memset(run->mmio.data, mmio_byte(run->mmio.phys_addr), 8);
		res->user_exits++;
		res->mmio_exits++;
		res->last_mmio_gpa = run->mmio.phys_addr;
		*more = true;
		return O_NR;
	case KVM_EXIT_HLT:
		return O_HLT;
	case KVM_EXIT_SHUTDOWN:
		return O_SHUTDOWN;
	case KVM_EXIT_FAIL_ENTRY:
		res->suberror = run->fail_entry.hardware_entry_failure_reason;
		return O_BAD_STATE;
	case KVM_EXIT_INTERNAL_ERROR:
		res->suberror = run->internal.suberror;
		res->ndata = run->internal.ndata;
		memcpy(res->data, run->internal.data,
		       sizeof(res->data) < sizeof(run->internal.data) ? sizeof(res->data) :
									 sizeof(run->internal.data));
		return O_INTERNAL;
	default:
		res->suberror = 1000 + run->exit_reason;
		return O_INTERNAL;
	}
}

int eng_run(struct engine *e, const struct ginput *in, struct gresult *res,
	    unsigned int timeout_ms)
{
	unsigned long cmd = e->kind == ENG_MV ? MV_RUN : KVM_RUN;
	/* a VM's first run is slow: every page, shadow page, translation new */
	uint64_t start = now_us(), deadline = start + timeout_ms * (e->fresh ? 10000ull : 1000ull);
	enum outcome o = O_NR;
	bool more;
	int ret;

	memset(res, 0, sizeof(*res));
	if (fz_verbose >= 3)
		say("    start at %lluus", (unsigned long long)start);
	ret = eng_load(e, in);
	e->fresh = false;
	if (fz_verbose >= 2)
		say("  %s: loaded %u chunks in %lluus", e->kind == ENG_MV ? "mv" : "kvm",
		    in->nchunks, (unsigned long long)(now_us() - start));
	if (ret) {
		res->o = O_REJECTED;
		res->err = -ret;
		return 0;
	}
	run_timer_arm(2);
	for (;;) {
		if (e->kind == ENG_MV)
			ret = FZ_IOCTL(e->vcpu, cmd, 0);
		else
			ret = ioctl(e->vcpu, cmd, 0);
		if (ret < 0) {
			int err = errno;

			if (err == EINTR) {
				struct mv_regs r;
				struct mv_sregs s;

				if (fz_verbose >= 2)
					say("  %s: EINTR at %lluus", e->kind == ENG_MV ? "mv" : "kvm",
					    (unsigned long long)(now_us() - start));
				if (e->kind == ENG_MV && now_us() > start + 4000 &&
				    !get_state(e, &r, &s) && halted(e, &r, &s)) {
					o = O_HALTED;
					break;
				}
				if (now_us() > deadline) {
					o = O_TIMEOUT;
					break;
				}
				continue;
			}
			if (e->kind == ENG_MV && (err == EIO || err == ENODEV))
				e->dead = true;
			res->err = err;
			o = O_ERROR;
			break;
		}
		o = e->kind == ENG_MV ? decode_mv(e, res, &more) : decode_kvm(e, res, &more);
		if (fz_verbose >= 3)
			say("    exit %u at %lluus", ((struct mv_run *)e->run)->exit_reason,
			    (unsigned long long)now_us());
		if (!more)
			break;
		if (res->user_exits > EXIT_BUDGET) {
			o = O_BUDGET;
			break;
		}
		if (now_us() > deadline) {
			o = O_TIMEOUT;
			break;
		}
	}
	run_timer_disarm();
	res->o = o;
	/* where the guest surely wrote, or may have: the mirror is not the truth */
	if (in->flags & GI_DIRTY)
		memset(e->trusted, 0, sizeof(e->trusted));
	e->trusted[G_DATA >> 12] = e->trusted[(G_DATA >> 12) + 1] = 0;
	e->trusted[G_STACK >> 12] = e->trusted[G_KSTACK >> 12] = 0;
	e->trusted[(G_KSTACK >> 12) - 1] = 0;
	if (e->kind == ENG_KVM)
		kvm_complete(e);
	if (o != O_SHUTDOWN && o != O_BAD_STATE && !(o == O_ERROR && e->dead)) {
		if (get_state(e, &res->regs, &res->sregs)) {
			res->o = O_ERROR;
			res->err = errno;
		}
	}
	if (e->kind == ENG_KVM && res->o == O_HLT && (res->regs.rflags & 0x200))
		res->o = O_HALTED;
	res->us = now_us() - start;
	return 0;
}

/* Hash of the compared memory, after a run (diff lane only: it costs). */
uint64_t eng_memhash(struct engine *e)
{
	return memhash(e);
}

void gresult_print(const struct gresult *r, const char *who)
{
	const struct mv_regs *x = &r->regs;
	const struct mv_sregs *s = &r->sregs;

	say("  %s: %s vector=%d err=%d suberror=%u data=%#llx,%#llx,%#llx exits=%u mmio=%u last_mmio=%#llx %lluus",
	    who, outcome_names[r->o], r->vector, r->err, r->suberror,
	    (unsigned long long)r->data[0], (unsigned long long)r->data[1],
	    (unsigned long long)r->data[2], r->user_exits, r->mmio_exits,
	    (unsigned long long)r->last_mmio_gpa, (unsigned long long)r->us);
	say("  %s: rax=%llx rbx=%llx rcx=%llx rdx=%llx rsi=%llx rdi=%llx rsp=%llx rbp=%llx",
	    who, (unsigned long long)x->rax, (unsigned long long)x->rbx,
	    (unsigned long long)x->rcx, (unsigned long long)x->rdx,
	    (unsigned long long)x->rsi, (unsigned long long)x->rdi,
	    (unsigned long long)x->rsp, (unsigned long long)x->rbp);
	say("  %s: r8=%llx r9=%llx r10=%llx r11=%llx r12=%llx r13=%llx r14=%llx r15=%llx",
	    who, (unsigned long long)x->r8, (unsigned long long)x->r9,
	    (unsigned long long)x->r10, (unsigned long long)x->r11,
	    (unsigned long long)x->r12, (unsigned long long)x->r13,
	    (unsigned long long)x->r14, (unsigned long long)x->r15);
	say("  %s: rip=%llx rflags=%llx cr0=%llx cr2=%llx cr3=%llx cr4=%llx efer=%llx mem=%016llx",
	    who, (unsigned long long)x->rip, (unsigned long long)x->rflags,
	    (unsigned long long)s->cr0, (unsigned long long)s->cr2,
	    (unsigned long long)s->cr3, (unsigned long long)s->cr4,
	    (unsigned long long)s->efer, (unsigned long long)r->memhash);
#define SEGP(n, x) say("  %s: %s sel=%04x base=%llx limit=%x type=%x s=%u dpl=%u p=%u avl=%u l=%u db=%u g=%u unusable=%u", \
		       who, n, (x).selector, (unsigned long long)(x).base, (x).limit, (x).type, \
		       (x).s, (x).dpl, (x).present, (x).avl, (x).l, (x).db, (x).g, (x).unusable)
	SEGP("cs", s->cs);
	SEGP("ss", s->ss);
	SEGP("ds", s->ds);
	SEGP("es", s->es);
	SEGP("fs", s->fs);
	SEGP("gs", s->gs);
	SEGP("tr", s->tr);
	SEGP("ldt", s->ldt);
#undef SEGP
	say("  %s: gdt=%llx/%x idt=%llx/%x", who, (unsigned long long)s->gdt.base,
	    s->gdt.limit, (unsigned long long)s->idt.base, s->idt.limit);
}
