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

#include "ioctl.h"

static struct world world;

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
		size_t i;

		rfill(r, cfg->name, sizeof(cfg->name));
		/*
		 * Valid if NUL-terminated and printable up to the NUL, as the
		 * kernel's isprint() sees it (Latin-1: 0x20-0x7e, 0xa0-0xff).
		 */
		for (i = 0; i < sizeof(cfg->name) && cfg->name[i]; i++) {
			unsigned char c = cfg->name[i];

			if (c < 0x20 || (c >= 0x7f && c < 0xa0))
				break;
		}
		if (i == sizeof(cfg->name) || cfg->name[i])
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
	no_dr7_writes(code, sizeof(code));
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
	bool bad_entry = false, bad_hdr = false;
	uint32_t nent = 0;
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
		/*
		 * What the module will read is at p: the copy may overlap
		 * t and have changed it, so the expectations come from p.
		 */
		if (which == 2 && pk == P_GOOD) {
			const struct mv_cpuid *h = (const void *)p;

			nent = h->nent;
			bad_hdr = h->pad != 0;
			bad_entry = false;
			for (i = 0; i < nent && i < MV_CPUID_MAX_ENTRIES; i++)
				if ((h->entries[i].flags & ~MV_CPUID_INDEXED) || h->entries[i].pad)
					bad_entry = true;
		}
		ret = FZ_IOCTL(fd, which == 1 ? MV_GET_CPUID : MV_SET_CPUID, p);
	}
	err = errno;
	check_errno("CPUID ioctl", ret, err, nr);
	if (!is(f, F_VCPU) || which != 2 || pk != P_GOOD)
		return;
	/* The uapi's order: the header's pad, the count, then each entry. */
	if (bad_hdr)
		expect_fail("MV_SET_CPUID with a non-zero pad", ret, err, EINVAL, nr);
	else if (nent > MV_CPUID_MAX_ENTRIES)
		expect_fail("MV_SET_CPUID with too many entries", ret, err, E2BIG, nr);
	else if (bad_entry)
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
