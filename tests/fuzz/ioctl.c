// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl lane: a world of descriptors (/dev/minivisor, VMs, vCPUs, the run pages
 * mapped from them, descriptors of other kinds) that each case changes
 * with 16 to 128 operations: every ioctl of the three kinds of descriptor
 * with valid, boundary and mutated arguments (bit flips of a valid
 * structure), on the right descriptor or another, unknown and mistyped
 * ioctl numbers, pointers that are NULL, unmapped, read-only, straddling
 * into an unmapped page, kernel or non-canonical addresses; opening,
 * closing and duplicating descriptors, mmap()/munmap() of run pages (and
 * writes into them between runs), short runs of random code.  A world lives
 * FZ_EPOCH cases: case N is replayed by running the cases of its epoch from
 * the first.  Checks (API violations): what the uapi header promises about
 * refusals (EINVAL for reserved bits and flags, EFAULT for bad buffers,
 * ENOTTY for unknown ioctls), that results are 0 where they must be, that
 * no kernel-internal errno (>= 512) reaches userspace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/kvm.h>
#include <linux/netlink.h>

#include "fuzz.h"
#include "guest.h"

/* ---- pointers ---- */

#define SCRATCH		(128 * 1024)

static uint8_t *scratch;	/* RW, then a PROT_NONE guard page */
static uint8_t *ro_page;	/* PROT_READ */
static uint8_t *none_page;	/* PROT_NONE */

static void ptrs_init(void)
{
	uint8_t *p = mmap(NULL, SCRATCH + 3 * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fuzzer_error("mmap scratch: %s", strerror(errno));
		exit(1);
	}
	scratch = p;
	none_page = p + SCRATCH;
	ro_page = p + SCRATCH + 2 * 4096;
	mprotect(none_page, 4096, PROT_NONE);
	memset(ro_page, 0, 4096);
	mprotect(ro_page, 4096, PROT_READ);
}

enum pkind { P_GOOD, P_NULL, P_UNMAPPED, P_RO, P_STRADDLE, P_KERNEL, P_NONCANON, P_ODD };

/* A pointer to @len bytes: mostly good (into scratch), sometimes not. */
static uintptr_t rptr(struct rng *r, size_t len, enum pkind *kind)
{
	unsigned int k = rpct(r, 85) ? P_GOOD : rn(r, 8);

	if (len > SCRATCH)
		len = SCRATCH;
	*kind = k;
	switch (k) {
	case P_NULL:
		return rpct(r, 80) ? 0 : rn(r, 4096);
	case P_UNMAPPED:
		return (uintptr_t)none_page + rn(r, 4096);
	case P_RO:
		return (uintptr_t)ro_page + (len < 4096 ? rn(r, 4096 - len) : 0);
	case P_STRADDLE:	/* the last bytes run into the guard page */
		return (uintptr_t)scratch + SCRATCH - (len > 1 ? rrange(r, 1, len - 1) : 0);
	case P_KERNEL:
		return 0xffffffff81000000ull + rn(r, 1 << 20);
	case P_NONCANON:
		return 0x8000000000000000ull + rn(r, 4096);
	case P_ODD:
		return (uintptr_t)scratch + 1 + rn(r, 7);
	default:
		*kind = P_GOOD;
		return (uintptr_t)scratch + (len < SCRATCH ? rn(r, (SCRATCH - len) / 8) * 8 : 0);
	}
}

/* Pointers the kernel cannot read (and, with P_RO, cannot write) through. */
static bool unreadable(enum pkind k)
{
	return k == P_NULL || k == P_UNMAPPED || k == P_STRADDLE || k == P_KERNEL ||
	       k == P_NONCANON;
}

static bool unwritable(enum pkind k)
{
	return unreadable(k) || k == P_RO;
}


/* ---- the world ---- */

enum fkind { F_NONE, F_DEV, F_VM, F_VCPU, F_OTHER };

#define W_FDS	40
#define W_MAPS	8

struct wfd {
	int fd;
	enum fkind kind;
	uint32_t id;		/* F_VM: the VM's ID */
	uint64_t mem;		/* F_VM: its size; F_VCPU: its VM's */
};

struct wmap {
	uint8_t *addr;
	size_t len;
	int prot;
};

struct world {
	struct wfd fd[W_FDS];
	struct wmap map[W_MAPS];
	int nvms;
};

static struct world world;

static bool is(const struct wfd *f, enum fkind kind)
{
	return f && f->kind == kind;
}

static void world_reset(struct world *w)
{
	int i;

	for (i = 0; i < W_MAPS; i++) {
		if (w->map[i].addr)
			munmap(w->map[i].addr, w->map[i].len);
		w->map[i].addr = NULL;
	}
	for (i = 0; i < W_FDS; i++) {
		if (w->fd[i].kind != F_NONE) {
			if (w->fd[i].kind == F_VM && w->fd[i].id)
				ids_del(fz->exposed_ids, w->fd[i].id);
			close(w->fd[i].fd);
		}
		w->fd[i].kind = F_NONE;
	}
	w->nvms = 0;
}

static int wslot(struct world *w)
{
	int i;

	for (i = 0; i < W_FDS; i++)
		if (w->fd[i].kind == F_NONE)
			return i;
	return -1;
}

static struct wfd *wadd(struct world *w, int fd, enum fkind kind)
{
	int i = wslot(w);

	if (i < 0) {
		close(fd);
		return NULL;
	}
	w->fd[i].fd = fd;
	w->fd[i].kind = kind;
	w->fd[i].id = 0;
	w->fd[i].mem = 0;
	return &w->fd[i];
}

/* A descriptor of @kind (mostly), or any, or a bad number. */
static int wpick(struct world *w, struct rng *r, enum fkind kind, struct wfd **out)
{
	int idx[W_FDS], n = 0, i;

	*out = NULL;
	for (i = 0; i < W_FDS; i++)
		if (w->fd[i].kind == kind || (w->fd[i].kind != F_NONE && rpct(r, 3)))
			idx[n++] = i;
	if (!n || rpct(r, 3))
		return RPICK(r, ((const int[]){ -1, 1000, 0x7fffffff }));
	i = idx[rn(r, n)];
	*out = &w->fd[i];
	return w->fd[i].fd;
}

/* ---- checks ---- */

static void check_errno(const char *what, long ret, int err, uint64_t nr)
{
	if (ret < 0 && err >= 512)
		api_violation("case=%s: %s returned the kernel-internal errno %d",
			      case_name(L_IOCTL, nr), what, err);
}

static void expect_fail(const char *what, long ret, int err, int want, uint64_t nr)
{
	if (ret >= 0)
		api_violation("case=%s: %s succeeded; the uapi says it is refused with %s",
			      case_name(L_IOCTL, nr), what, strerror(want));
	else if (err != want && err != ENODEV && err != EBADF && err != EINTR)
		api_violation("case=%s: %s failed with %s, not %s", case_name(L_IOCTL, nr),
			      what, strerror(err), strerror(want));
}

/* ---- operations ---- */

static const unsigned long known_cmds[] = {
	MV_GET_API_VERSION, MV_CREATE_VM, MV_GET_DEFAULT_CPUID, MV_WRITE_GUEST,
	MV_READ_GUEST, MV_CREATE_VCPU, MV_GET_VM_STATS, MV_SET_BALLOON, MV_RUN,
	MV_GET_REGS, MV_SET_REGS, MV_GET_SREGS, MV_SET_SREGS, MV_INTERRUPT,
	MV_INJECT_EXCEPTION, MV_SET_CPUID, MV_GET_CPUID,
};

static bool is_known(unsigned long cmd)
{
	unsigned int i;

	for (i = 0; i < sizeof(known_cmds) / sizeof(known_cmds[0]); i++)
		if ((unsigned int)cmd == (unsigned int)known_cmds[i])
			return true;
	return false;
}

static uint64_t rand_mem_size(struct rng *r)
{
	static const uint64_t sizes[] = {
		64 << 10, 1 << 20, 2 << 20, 16 << 20, 4096, 0, (64 << 10) - 4096,
		(64 << 10) + 1, 4096ull << 20, (4096ull << 20) + 4096, 1ull << 40,
		~0ull & ~4095ull, 256 << 20,
	};

	return rpct(r, 90) ? RPICK(r, sizes) : rboundary(r);
}

static void op_create_vm(struct world *w, struct rng *r, uint64_t nr)
{
	struct mv_vm_config *cfg = (void *)scratch, want;
	struct wfd *dev, *vm;
	enum pkind pk = P_GOOD;
	uintptr_t p = (uintptr_t)cfg;
	bool valid = true;
	long ret;
	int fd, err;

	if (w->nvms >= 6)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_size = rpct(r, 70) ? RPICK(r, ((const uint64_t[]){ 64 << 10, 1 << 20,
								   2 << 20, 8 << 20 })) :
				      rand_mem_size(r);
	snprintf(cfg->name, sizeof(cfg->name), "fz%llu", (unsigned long long)nr);
	if (rpct(r, 5)) {
		rfill(r, cfg->name, sizeof(cfg->name));
		valid = false;
	}
	if (rpct(r, 5)) {
		cfg->flags = 1u << rn(r, 32);
		valid = false;
	}
	if (rpct(r, 5)) {
		cfg->reserved[rn(r, 6)] = rnd(r) | 1;
		valid = false;
	}
	cfg->share_domain = rpct(r, 70) ? 0 : rn(r, 4);
	if (cfg->mem_size < (64 << 10) || cfg->mem_size > (4096ull << 20) ||
	    (cfg->mem_size & 4095))
		valid = false;
	/* what we asked for: the copy below may overlap cfg */
	want = *cfg;
	if (rpct(r, 5)) {
		p = rptr(r, sizeof(*cfg), &pk);
		if (pk == P_GOOD || pk == P_ODD)
			memmove((void *)p, cfg, sizeof(*cfg));
	}
	fd = wpick(w, r, F_DEV, &dev);
	ret = FZ_IOCTL(fd, MV_CREATE_VM, p);
	err = errno;
	check_errno("MV_CREATE_VM", ret, err, nr);
	if (ret >= 0) {
		struct mv_vm_stats st;

		if (!valid && pk == P_GOOD && is(dev, F_DEV))
			api_violation("case=%s: MV_CREATE_VM succeeded with an invalid config (size %#llx flags %#x)",
				      case_name(L_IOCTL, nr),
				      (unsigned long long)want.mem_size, want.flags);
		vm = wadd(w, ret, F_VM);
		if (!vm)
			return;
		w->nvms++;
		vm->mem = want.mem_size;
		if (!FZ_IOCTL(vm->fd, MV_GET_VM_STATS, &st)) {
			vm->id = st.id;
			ids_add(fz->exposed_ids, st.id);
		}
		return;
	}
	if (is(dev, F_DEV) && pk == P_GOOD && !valid)
		expect_fail("MV_CREATE_VM (invalid config)", ret, err, EINVAL, nr);
	if (is(dev, F_DEV) && unreadable(pk) && err != EFAULT)
		api_violation("case=%s: MV_CREATE_VM with a bad pointer failed with %s, not EFAULT",
			      case_name(L_IOCTL, nr), strerror(err));
}

static void op_create_vcpu(struct world *w, struct rng *r, uint64_t nr)
{
	struct wfd *vm, *v;
	unsigned long idx = rpct(r, 85) ? rn(r, 4) :
			    RPICK(r, ((const unsigned long[]){ 15, 16, 17, ~0ul, 1ul << 32 }));
	int fd = wpick(w, r, F_VM, &vm);
	long ret = FZ_IOCTL(fd, MV_CREATE_VCPU, idx);
	int err = errno;

	check_errno("MV_CREATE_VCPU", ret, err, nr);
	if (ret >= 0) {
		if (idx >= MV_MAX_VCPUS && is(vm, F_VM))
			api_violation("case=%s: MV_CREATE_VCPU(%lu) succeeded", case_name(L_IOCTL, nr),
				      idx);
		v = wadd(w, ret, F_VCPU);
		if (v && is(vm, F_VM))
			v->mem = vm->mem;
	} else if (is(vm, F_VM) && idx >= MV_MAX_VCPUS && err != EINVAL && err != ENODEV) {
		api_violation("case=%s: MV_CREATE_VCPU(%lu) failed with %s, not EINVAL",
			      case_name(L_IOCTL, nr), idx, strerror(err));
	}
}

static void op_mem(struct world *w, struct rng *r, uint64_t nr)
{
	struct mv_guest_mem m;
	struct wfd *vm;
	enum pkind pk;
	bool write = rpct(r, 50), inside;
	int fd = wpick(w, r, F_VM, &vm), err;
	uint64_t mem = is(vm, F_VM) ? vm->mem : 1 << 20;
	long ret;

	m.size = rpct(r, 70) ? rrange(r, 1, 8192) :
		 RPICK(r, ((const uint64_t[]){ 0, 1, 4096, 4097, 65536, mem, ~0ull,
					       1ull << 32 }));
	m.gpa = rpct(r, 60) ? rn(r, mem) & ~7ull :
		RPICK(r, ((const uint64_t[]){ 0, mem - 4096, mem - 1, mem, mem + 4096,
					      ~0ull - 4095, 1ull << 40 }));
	m.flags = rpct(r, 95) ? 0 : 1ull << rn(r, 64);
	m.uaddr = rptr(r, m.size, &pk);
	if (write && pk == P_GOOD)
		rfill(r, (void *)(uintptr_t)m.uaddr, m.size < 256 ? m.size : 256);
	if (m.size > SCRATCH && pk == P_GOOD)	/* keep our own memory ours */
		m.size = SCRATCH;
	ret = FZ_IOCTL(fd, write ? MV_WRITE_GUEST : MV_READ_GUEST, &m);
	err = errno;
	check_errno("MV_READ/WRITE_GUEST", ret, err, nr);
	if (!is(vm, F_VM) || ret == 0 || err == ENODEV)
		return;
	inside = m.size && m.gpa < mem && m.size <= mem - m.gpa;
	if (!m.flags && inside && pk == P_GOOD && err != ENOMEM && err != EINTR)
		api_violation("case=%s: MV_%s_GUEST gpa %#llx size %#llx (VM %#llx) failed: %s",
			      case_name(L_IOCTL, nr), write ? "WRITE" : "READ",
			      (unsigned long long)m.gpa, (unsigned long long)m.size,
			      (unsigned long long)mem, strerror(err));
}

/* The reset state of a vCPU plus some code at 1000:0000, or random regs. */
static void load_code(int vcpu, int vmfd, struct rng *r)
{
	uint8_t code[64];
	struct mv_guest_mem m = { .gpa = 0x10000, .size = sizeof(code),
				  .uaddr = (uintptr_t)code };
	struct mv_regs regs = { .rflags = 2 };
	struct mv_sregs s;
	int n = rn(r, 32);

	rfill(r, code, sizeof(code));
	code[n] = 0xe6;	/* out 0xf4, al */
	code[n + 1] = PORT_FZ_EXIT;
	if (vmfd >= 0)
		FZ_IOCTL(vmfd, MV_WRITE_GUEST, &m);
	if (FZ_IOCTL(vcpu, MV_GET_SREGS, &s))
		return;
	s.cs.base = 0x10000;
	s.cs.selector = 0x1000;
	FZ_IOCTL(vcpu, MV_SET_SREGS, &s);
	if (rpct(r, 30))
		regs.rflags |= 0x200;
	FZ_IOCTL(vcpu, MV_SET_REGS, &regs);
}

/* Keep clear of QEMU's aborts (see gen.c): TR present, "available" outside long mode. */
static void qemu_guard(int vcpu)
{
	struct mv_sregs s;

	if (FZ_IOCTL(vcpu, MV_GET_SREGS, &s))
		return;
	if (s.tr.present && ((s.efer & EFER_LMA_BIT) || (s.tr.type & 2) == 0))
		return;
	s.tr.present = 1;
	if (!(s.efer & EFER_LMA_BIT))
		s.tr.type &= ~2;
	FZ_IOCTL(vcpu, MV_SET_SREGS, &s);
}

static void op_run(struct world *w, struct rng *r, uint64_t nr)
{
	struct wfd *v, *vm;
	int fd = wpick(w, r, F_VCPU, &v), err;
	unsigned long arg = rpct(r, 95) ? 0 : rnd(r);
	long ret;

	if (is(v, F_VCPU) && rpct(r, 70)) {
		int vmfd = wpick(w, r, F_VM, &vm);

		load_code(fd, is(vm, F_VM) ? vmfd : -1, r);
	}
	qemu_guard(fd);
	run_timer_arm(1 + rn(r, 3));
	ret = FZ_IOCTL(fd, MV_RUN, arg);
	err = errno;
	run_timer_disarm();
	check_errno("MV_RUN", ret, err, nr);
	if (is(v, F_VCPU) && arg && ret == 0)
		api_violation("case=%s: MV_RUN with a non-zero argument succeeded",
			      case_name(L_IOCTL, nr));
}

static void mutate(struct rng *r, void *p, size_t len)
{
	uint8_t *b = p;
	int n = rrange(r, 1, 4), i;

	for (i = 0; i < n; i++) {
		if (rpct(r, 70))
			b[rn(r, len)] ^= 1u << rn(r, 8);
		else
			b[rn(r, len)] = rnd(r);
	}
}

static void op_regs(struct world *w, struct rng *r, uint64_t nr)
{
	struct wfd *v;
	int fd = wpick(w, r, F_VCPU, &v), err;
	unsigned int which = rn(r, 4);
	static const unsigned long cmds[] = { MV_GET_REGS, MV_SET_REGS, MV_GET_SREGS,
					      MV_SET_SREGS };
	size_t len = which < 2 ? sizeof(struct mv_regs) : sizeof(struct mv_sregs);
	uint8_t *buf = scratch + 8192;
	enum pkind pk = P_GOOD;
	uintptr_t p = (uintptr_t)buf;
	bool vm_flag = false;
	long ret;

	if (which == 1 || which == 3) {
		/* start from the current state */
		if (FZ_IOCTL(fd, cmds[which - 1], buf))
			memset(buf, 0, len);
		if (which == 1) {
			struct mv_regs *x = (void *)buf;

			if (rpct(r, 50))
				x->rflags = 2 | (rnd(r) & 0x3f7fd5);
			if (rpct(r, 10)) {
				x->rflags |= 0x20000;	/* VM: refused */
				vm_flag = true;
			}
			if (rpct(r, 30))
				x->rip = rboundary(r);
		} else if (rpct(r, 80)) {
			mutate(r, buf, len);
		}
	}
	if (rpct(r, 10)) {
		p = rptr(r, len, &pk);
		if (pk == P_GOOD || pk == P_ODD)
			memmove((void *)p, buf, len);
	}
	ret = FZ_IOCTL(fd, cmds[which], p);
	err = errno;
	check_errno("MV_GET/SET_(S)REGS", ret, err, nr);
	if (!is(v, F_VCPU))
		return;
	if (ret > 0)
		api_violation("case=%s: a register ioctl returned %ld", case_name(L_IOCTL, nr), ret);
	if (vm_flag && pk == P_GOOD)
		expect_fail("MV_SET_REGS with RFLAGS.VM", ret, err, EINVAL, nr);
	if ((which == 0 || which == 2) && unwritable(pk))
		expect_fail("MV_GET_(S)REGS into a bad buffer", ret, err, EFAULT, nr);
}

static void op_events(struct world *w, struct rng *r, uint64_t nr)
{
	struct wfd *v;
	int fd = wpick(w, r, F_VCPU, &v), err;
	long ret;

	if (rpct(r, 50)) {
		struct mv_interrupt irq = {
			.vector = rpct(r, 70) ? rrange(r, 32, 255) : rn(r, 300),
			.pad = rpct(r, 95) ? 0 : rnd(r),
		};

		ret = FZ_IOCTL(fd, MV_INTERRUPT, &irq);
		err = errno;
		check_errno("MV_INTERRUPT", ret, err, nr);
		if (is(v, F_VCPU) && (irq.vector < 32 || irq.vector > 255 || irq.pad))
			expect_fail("MV_INTERRUPT (bad vector or pad)", ret, err, EINVAL, nr);
	} else {
		struct mv_exception e = {
			.vector = rpct(r, 80) ? rn(r, 32) : rnd(r),
			.has_error_code = rpct(r, 90) ? rn(r, 2) : rnd(r),
			.error_code = rnd(r),
			.pad = rpct(r, 95) ? 0 : rnd(r),
			.cr2 = rboundary(r),
		};

		ret = FZ_IOCTL(fd, MV_INJECT_EXCEPTION, &e);
		err = errno;
		check_errno("MV_INJECT_EXCEPTION", ret, err, nr);
		if (is(v, F_VCPU) && (e.vector > 31 || e.vector == 2 || e.has_error_code > 1 || e.pad))
			expect_fail("MV_INJECT_EXCEPTION (bad vector, flag or pad)", ret, err,
				    EINVAL, nr);
	}
}

static void op_cpuid(struct world *w, struct rng *r, uint64_t nr)
{
	struct {
		struct mv_cpuid c;
		struct mv_cpuid_entry e[MV_CPUID_MAX_ENTRIES + 8];
	} *t = (void *)(scratch + 16384);
	unsigned int which = rn(r, 3), i;
	struct wfd *f;
	enum pkind pk = P_GOOD;
	uintptr_t p = (uintptr_t)t;
	bool bad_entry = false;
	int fd, err;
	long ret;

	memset(t, 0, sizeof(*t));
	t->c.nent = rpct(r, 60) ? MV_CPUID_MAX_ENTRIES :
		    RPICK(r, ((const uint32_t[]){ 0, 1, 5, 31, 127, 129, 0x7fffffff, ~0u }));
	if (which == 0) {
		fd = wpick(w, r, F_DEV, &f);
		ret = FZ_IOCTL(fd, MV_GET_DEFAULT_CPUID, p);
	} else {
		fd = wpick(w, r, F_VCPU, &f);
		if (which == 2) {
			/* the current table, mutated */
			t->c.nent = MV_CPUID_MAX_ENTRIES;
			if (FZ_IOCTL(fd, MV_GET_CPUID, t))
				t->c.nent = rn(r, 8);
			for (i = 0; i < t->c.nent && i < MV_CPUID_MAX_ENTRIES; i++) {
				if (rpct(r, 10))
					mutate(r, &t->e[i], sizeof(t->e[i]));
				if ((t->e[i].flags & ~MV_CPUID_INDEXED) || t->e[i].pad)
					bad_entry = true;
			}
			if (rpct(r, 10))
				t->c.nent = RPICK(r, ((const uint32_t[]){ 129, 200, ~0u }));
		}
		if (rpct(r, 10)) {
			p = rptr(r, sizeof(*t), &pk);
			if (pk == P_GOOD || pk == P_ODD)
				memmove((void *)p, t, sizeof(*t));
		}
		ret = FZ_IOCTL(fd, which == 1 ? MV_GET_CPUID : MV_SET_CPUID, p);
	}
	err = errno;
	check_errno("CPUID ioctl", ret, err, nr);
	if (is(f, F_VCPU) && which == 2 && pk == P_GOOD && t->c.nent > MV_CPUID_MAX_ENTRIES)
		expect_fail("MV_SET_CPUID with too many entries", ret, err, E2BIG, nr);
	else if (is(f, F_VCPU) && which == 2 && pk == P_GOOD && bad_entry)
		expect_fail("MV_SET_CPUID with bad flags or pad", ret, err, EINVAL, nr);
}

static void op_balloon_stats(struct world *w, struct rng *r, uint64_t nr)
{
	struct wfd *vm;
	int fd = wpick(w, r, F_VM, &vm), err;
	enum pkind pk = P_GOOD;
	long ret;

	if (rpct(r, 50)) {
		struct mv_balloon_target *t = (void *)(scratch + 4096);
		uint64_t mem = is(vm, F_VM) ? vm->mem : 1 << 20;
		bool bad;

		memset(t, 0, sizeof(*t));
		t->mem_bytes = rpct(r, 70) ? rn(r, mem / 4096 + 1) * 4096 :
			       RPICK(r, ((const uint64_t[]){ 0, mem, mem + 4096, 1, ~0ull }));
		t->flags = rpct(r, 80) ? (rpct(r, 20) ? MV_BALLOON_RESET : 0) : rnd(r);
		if (rpct(r, 5))
			t->reserved[rn(r, 5)] = 1;
		bad = (t->flags & ~MV_BALLOON_RESET) || (t->mem_bytes & 4095) ||
		      t->reserved[0] | t->reserved[1] | t->reserved[2] | t->reserved[3] |
		      t->reserved[4];
		ret = FZ_IOCTL(fd, MV_SET_BALLOON, t);
		err = errno;
		check_errno("MV_SET_BALLOON", ret, err, nr);
		if (is(vm, F_VM) && bad)
			expect_fail("MV_SET_BALLOON (bad flags, size or reserved)", ret, err,
				    EINVAL, nr);
		else if (is(vm, F_VM) && t->mem_bytes > mem && !(t->mem_bytes & 4095))
			expect_fail("MV_SET_BALLOON above the VM's size", ret, err, ERANGE, nr);
	} else {
		uintptr_t p = rptr(r, sizeof(struct mv_vm_stats), &pk);

		ret = FZ_IOCTL(fd, MV_GET_VM_STATS, p);
		err = errno;
		check_errno("MV_GET_VM_STATS", ret, err, nr);
		if (is(vm, F_VM) && unwritable(pk))
			expect_fail("MV_GET_VM_STATS into a bad buffer", ret, err, EFAULT, nr);
	}
}

/* An ioctl number that is not one of ours, on one of our descriptors. */
static void op_unknown(struct world *w, struct rng *r, uint64_t nr)
{
	static const unsigned long kvm[] = { KVM_RUN, KVM_GET_REGS, KVM_CREATE_VCPU,
					     KVM_GET_API_VERSION, KVM_CREATE_VM };
	unsigned long cmd;
	struct wfd *f;
	enum fkind kind = rrange(r, F_DEV, F_VCPU);
	int fd = wpick(w, r, kind, &f), err;
	enum pkind pk;
	long ret;

	switch (rn(r, 4)) {
	case 0:		/* our type byte, another number */
		cmd = _IOC(rn(r, 4), MV_IO, rn(r, 0x40), rn(r, 512));
		break;
	case 1:		/* a known number with a wrong size or direction */
		cmd = RPICK(r, known_cmds) ^ (rpct(r, 50) ? (1ul << (16 + rn(r, 14))) :
							    (1ul << (30 + rn(r, 2))));
		break;
	case 2:
		cmd = RPICK(r, kvm);
		break;
	default:
		cmd = (uint32_t)rnd(r);
	}
	ret = FZ_IOCTL(fd, cmd, rptr(r, 512, &pk));
	err = errno;
	check_errno("an unknown ioctl", ret, err, nr);
	if (f && (f->kind == F_DEV || f->kind == F_VM || f->kind == F_VCPU) && !is_known(cmd))
		expect_fail("an unknown ioctl", ret, err, ENOTTY, nr);
}

struct touch {
	uint8_t *p;
	struct rng *r;
	bool write;
};

static void touch_fn(void *arg)
{
	struct touch *t = arg;
	volatile uint8_t *p = t->p;
	unsigned int off = rn(t->r, 4096);

	if (t->write) {
		/* what a careless VMM does: rewrite lengths, counts, offsets */
		struct mv_run *run = (void *)p;

		switch (rn(t->r, 4)) {
		case 0:
			run->io.count = rboundary(t->r);
			break;
		case 1:
			run->io.data_offset = rboundary(t->r);
			break;
		case 2:
			run->mmio.len = rboundary(t->r);
			break;
		default:
			p[off] = rnd(t->r);
		}
	} else {
		(void)p[off];
	}
}

static void op_map(struct world *w, struct rng *r, uint64_t nr)
{
	struct wfd *v;
	int i = rn(r, W_MAPS), fd, err;
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ, PROT_WRITE,
				     PROT_READ | PROT_WRITE | PROT_EXEC, PROT_NONE };
	size_t len;
	void *p;

	if (w->map[i].addr && rpct(r, 50)) {
		struct touch t = { .p = w->map[i].addr, .r = r, .write = rpct(r, 50) };

		if (rpct(r, 70))
			probe_mem(touch_fn, &t);
		else {
			munmap(w->map[i].addr, w->map[i].len);
			w->map[i].addr = NULL;
		}
		return;
	}
	if (w->map[i].addr) {
		munmap(w->map[i].addr, w->map[i].len);
		w->map[i].addr = NULL;
	}
	fd = wpick(w, r, rpct(r, 80) ? F_VCPU : F_VM, &v);
	len = rpct(r, 85) ? MV_RUN_SIZE : RPICK(r, ((const size_t[]){ 1, 8192, 2 << 20 }));
	p = mmap(NULL, len, rpct(r, 80) ? PROT_READ | PROT_WRITE : RPICK(r, prots),
		 rpct(r, 90) ? MAP_SHARED : MAP_PRIVATE, fd,
		 rpct(r, 90) ? 0 : RPICK(r, ((const off_t[]){ 4096, 1 << 20 })));
	err = errno;
	if (p == MAP_FAILED) {
		if (err >= 512)
			api_violation("case=%s: mmap returned the kernel-internal errno %d",
				      case_name(L_IOCTL, nr), err);
		return;
	}
	if (is(v, F_VM))
		api_violation("case=%s: mmap of a VM descriptor succeeded", case_name(L_IOCTL, nr));
	w->map[i].addr = p;
	w->map[i].len = len;
}

static void op_fds(struct world *w, struct rng *r, uint64_t nr)
{
	struct wfd *f;
	int fd;

	(void)nr;
	switch (rn(r, 4)) {
	case 0:		/* /dev/minivisor, in some mode */
		fd = open("/dev/minivisor", RPICK(r, ((const int[]){ O_RDWR, O_RDWR, O_RDONLY,
								    O_WRONLY, O_RDWR | O_NONBLOCK }))
						| O_CLOEXEC);
		if (fd >= 0)
			wadd(w, fd, F_DEV);
		break;
	case 1:		/* close something */
		fd = wpick(w, r, rrange(r, F_DEV, F_OTHER), &f);
		if (!f)
			break;
		if (f->kind == F_VM) {
			w->nvms--;
			ids_del(fz->exposed_ids, f->id);
		}
		close(fd);
		f->kind = F_NONE;
		break;
	case 2:		/* a copy */
		fd = wpick(w, r, rrange(r, F_DEV, F_VCPU), &f);
		if (!f || f->kind == F_VM)
			break;
		fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (fd >= 0)
			wadd(w, fd, f->kind);
		break;
	default:	/* a descriptor of another kind */
		fd = rpct(r, 50) ? open("/dev/null", O_RDWR | O_CLOEXEC) :
				   socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
		if (fd >= 0)
			wadd(w, fd, F_OTHER);
	}
}

typedef void (*op_fn)(struct world *w, struct rng *r, uint64_t nr);

static const struct {
	op_fn fn;
	unsigned int weight;
} ops[] = {
	{ op_create_vm, 4 }, { op_create_vcpu, 5 }, { op_mem, 12 }, { op_run, 6 },
	{ op_regs, 16 }, { op_events, 8 }, { op_cpuid, 6 }, { op_balloon_stats, 8 },
	{ op_unknown, 8 }, { op_map, 6 }, { op_fds, 5 },
};

static void ioctl_case(struct world *w, uint64_t nr)
{
	unsigned int total = 0, i;
	struct rng r;
	int n, k;

	rng_seed(&r, fz_seed, L_IOCTL, nr);
	/* every world starts with /dev/minivisor open */
	if (nr % FZ_EPOCH == 0) {
		int fd;

		world_reset(w);
		fd = open("/dev/minivisor", O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			wadd(w, fd, F_DEV);
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += ops[i].weight;
	n = rrange(&r, 16, 128);
	for (k = 0; k < n; k++) {
		unsigned int x = rn(&r, total);

		for (i = 0; x >= ops[i].weight; i++)
			x -= ops[i].weight;
		ops[i].fn(w, &r, nr);
	}
}

void lane_ioctl(void)
{
	struct cov *cov = cov_thread_init();
	uint64_t nr;

	ptrs_init();
	run_timer_init();
	for (nr = 0; !fz_stopping(); nr++) {
		my->cur_case = nr;
		fz_heartbeat();
		cov_case_begin(cov);
		ioctl_case(&world, nr);
		if (cov_case_end(cov))
			corpus_save(L_IOCTL, nr, "new", NULL, 0);
		fz_add(&my->cases, 1);
	}
	world_reset(&world);
}

int replay_ioctl(uint64_t nr)
{
	uint64_t i;

	ptrs_init();
	run_timer_init();
	say("# replaying the cases of its epoch: %llu to %llu",
	    (unsigned long long)(nr - nr % FZ_EPOCH), (unsigned long long)nr);
	for (i = nr - nr % FZ_EPOCH; i <= nr; i++)
		ioctl_case(&world, i);
	world_reset(&world);
	return fz_get(&fz->api_violations) ? 1 : 0;
}
