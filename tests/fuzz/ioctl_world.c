// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl lane's world: pointers good and bad, the descriptors a world
 * holds, the checks of what the uapi header promises, and the operations
 * on descriptors themselves (unknown and mistyped ioctl numbers, mmap and
 * munmap of run pages and writes into them, open, close, dup, descriptors
 * of other kinds).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/netlink.h>

#include "ioctl.h"

/* ---- pointers ---- */

uint8_t *scratch;	/* RW, then a PROT_NONE guard page */
static uint8_t *ro_page;	/* PROT_READ */
static uint8_t *none_page;	/* PROT_NONE */

void ptrs_init(void)
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

uintptr_t rptr(struct rng *r, size_t len, enum pkind *kind)
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

bool unreadable(enum pkind k)
{
	return k == P_NULL || k == P_UNMAPPED || k == P_STRADDLE || k == P_KERNEL ||
	       k == P_NONCANON;
}

bool unwritable(enum pkind k)
{
	return unreadable(k) || k == P_RO;
}

bool is(const struct wfd *f, enum fkind kind)
{
	return f && f->kind == kind;
}

void world_reset(struct world *w)
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

struct wfd *wadd(struct world *w, int fd, enum fkind kind)
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
int wpick(struct world *w, struct rng *r, enum fkind kind, struct wfd **out)
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

void check_errno(const char *what, long ret, int err, uint64_t nr)
{
	if (ret < 0 && err >= 512)
		api_violation("case=%s: %s returned the kernel-internal errno %d",
			      case_name(L_IOCTL, nr), what, err);
}

void expect_fail(const char *what, long ret, int err, int want, uint64_t nr)
{
	if (ret >= 0)
		api_violation("case=%s: %s succeeded; the uapi says it is refused with %s",
			      case_name(L_IOCTL, nr), what, strerror(want));
	else if (err != want && err != ENODEV && err != EBADF && err != EINTR)
		api_violation("case=%s: %s failed with %s, not %s", case_name(L_IOCTL, nr),
			      what, strerror(err), strerror(want));
}

/* ---- operations on descriptors ---- */

static const unsigned long known_cmds[] = {
	MV_GET_API_VERSION, MV_CREATE_VM, MV_GET_DEFAULT_CPUID, MV_WRITE_GUEST,
	MV_READ_GUEST, MV_CREATE_VCPU, MV_GET_VM_STATS, MV_SET_BALLOON, MV_RUN,
	MV_GET_REGS, MV_SET_REGS, MV_GET_SREGS, MV_SET_SREGS, MV_INTERRUPT,
	MV_INJECT_EXCEPTION, MV_SET_CPUID, MV_GET_CPUID,
	MV_CREATE_IRQCHIP, MV_IRQ_LINE, MV_SIGNAL_MSI, MV_GET_IRQCHIP,
	MV_SET_IRQCHIP, MV_GET_PIT, MV_SET_PIT, MV_GET_LAPIC, MV_SET_LAPIC,
};

static bool is_known(unsigned long cmd)
{
	unsigned int i;

	for (i = 0; i < sizeof(known_cmds) / sizeof(known_cmds[0]); i++)
		if ((unsigned int)cmd == (unsigned int)known_cmds[i])
			return true;
	return false;
}

/* An ioctl number that is not one of ours, on one of our descriptors. */
void op_unknown(struct world *w, struct rng *r, uint64_t nr)
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

void op_map(struct world *w, struct rng *r, uint64_t nr)
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

void op_fds(struct world *w, struct rng *r, uint64_t nr)
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
