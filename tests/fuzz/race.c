// SPDX-License-Identifier: GPL-2.0
/*
 * The race lane: one VM, one to three vCPUs running a guest, and for 20 to
 * 150 ms several threads at it at once: runners (MV_RUN in a loop),
 * register setters (SET_REGS, SET_SREGS, the GETs, SET_CPUID), a mapper
 * (mmap and
 * munmap of run pages, reads and writes into them), a writer (guest memory
 * under the running code), an interrupter (MV_INTERRUPT, exceptions), a
 * vCPU creator (the same indices from several threads), an administrator
 * over netlink (pause, resume, destroy, balloon target, domain) and a
 * closer (the vCPU or VM descriptors, while the others use them).  Which
 * threads run, and what each does, comes from (seed, case); the
 * interleaving is the scheduler's, so a case is only repeatable in what
 * it tries, not in what happened first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "guest.h"

#define RVCPUS	3

enum role { R_RUN, R_REGS, R_MAP, R_WRITE, R_IRQ, R_CREATE, R_ADMIN, R_CLOSE, R_NR };

struct race {
	int vm;
	int vcpu[RVCPUS];
	int nvcpu;
	uint32_t id;
	uint64_t nr;
	volatile int stop;
	volatile int closed;	/* R_CLOSE did its work: descriptors may be stale */
};

struct rthread {
	struct race *race;
	enum role role;
	int idx;
	pthread_t th;
	struct rng r;
};

/* Guests in real mode at 0x10000: loops that exit, sleep, spin, touch. */
static const uint8_t code_out[] = { 0xe6, 0x80, 0xeb, 0xfc };
static const uint8_t code_hlt[] = { 0xfb, 0xf4, 0xeb, 0xfd };
static const uint8_t code_spin[] = { 0xfb, 0xeb, 0xfe, 0x90 };
static const uint8_t code_touch[] = { 0xfe, 0x07, 0x81, 0xc3, 0x00, 0x10, 0xeb, 0xf8 };
static const uint8_t iret_stub[] = { 0xcf };

static void guest_setup(struct race *rc, struct rng *r)
{
	const uint8_t *code;
	size_t len;
	uint8_t ivt[1024];
	struct mv_guest_mem m;
	int i;

	switch (rn(r, 4)) {
	case 0:
		code = code_out, len = sizeof(code_out);
		break;
	case 1:
		code = code_hlt, len = sizeof(code_hlt);
		break;
	case 2:
		code = code_spin, len = sizeof(code_spin);
		break;
	default:
		code = code_touch, len = sizeof(code_touch);
	}
	m = (struct mv_guest_mem){ .gpa = 0x10000, .size = len, .uaddr = (uintptr_t)code };
	FZ_IOCTL(rc->vm, MV_WRITE_GUEST, &m);
	/* every vector: an IRET at 0x3000 */
	for (i = 0; i < 256; i++) {
		uint16_t off = 0, seg = 0x300;

		memcpy(ivt + i * 4, &off, 2);
		memcpy(ivt + i * 4 + 2, &seg, 2);
	}
	m = (struct mv_guest_mem){ .gpa = 0, .size = sizeof(ivt), .uaddr = (uintptr_t)ivt };
	FZ_IOCTL(rc->vm, MV_WRITE_GUEST, &m);
	m = (struct mv_guest_mem){ .gpa = 0x3000, .size = 1, .uaddr = (uintptr_t)iret_stub };
	FZ_IOCTL(rc->vm, MV_WRITE_GUEST, &m);
}

static void vcpu_real(int fd)
{
	struct mv_regs regs = { .rflags = 2, .rsp = 0xff00 };
	struct mv_sregs s;

	if (FZ_IOCTL(fd, MV_GET_SREGS, &s))
		return;
	s.cs.base = 0x10000;
	s.cs.selector = 0x1000;
	s.ds.base = 0x100000;
	s.ss.base = 0x20000;
	FZ_IOCTL(fd, MV_SET_SREGS, &s);
	FZ_IOCTL(fd, MV_SET_REGS, &regs);
}

static int some_vcpu(struct rthread *t)
{
	struct race *rc = t->race;

	return rc->nvcpu ? rc->vcpu[rn(&t->r, rc->nvcpu)] : -1;
}

struct rtouch {
	uint8_t *p;
	struct rng *r;
};

static void rtouch_fn(void *arg)
{
	struct rtouch *t = arg;
	volatile struct mv_run *run = (void *)t->p;

	if (rpct(t->r, 50)) {
		(void)run->exit_reason;
		(void)run->io.port;
	} else {
		run->io.count = rboundary(t->r);
		run->io.data_offset = rboundary(t->r);
		run->mmio.len = rboundary(t->r);
	}
}

static void do_role(struct rthread *t)
{
	struct race *rc = t->race;
	struct rng *r = &t->r;
	int fd = some_vcpu(t), nl;

	switch (t->role) {
	case R_RUN:
		fd = rc->vcpu[t->idx % (rc->nvcpu ? rc->nvcpu : 1)];
		run_timer_arm(1 + rn(r, 5));
		if (FZ_IOCTL(fd, MV_RUN, 0) < 0 && (errno == EBADF || errno == ENODEV ||
						    errno == EIO))
			usleep(1000);
		run_timer_disarm();
		break;
	case R_REGS:
		if (rpct(r, 30)) {
			vcpu_real(fd);
		} else if (rpct(r, 50)) {
			struct mv_regs regs;

			if (!FZ_IOCTL(fd, MV_GET_REGS, &regs)) {
				regs.rip = rn(r, 8);
				regs.rflags = 2 | (rpct(r, 50) ? 0x200 : 0);
				FZ_IOCTL(fd, MV_SET_REGS, &regs);
			}
		} else {
			struct {
				struct mv_cpuid c;
				struct mv_cpuid_entry e[MV_CPUID_MAX_ENTRIES];
			} tab = { .c.nent = MV_CPUID_MAX_ENTRIES };

			if (!FZ_IOCTL(fd, MV_GET_CPUID, &tab))
				FZ_IOCTL(fd, MV_SET_CPUID, &tab);
		}
		break;
	case R_MAP: {
		void *p = mmap(NULL, MV_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		if (p != MAP_FAILED) {
			struct rtouch tt = { .p = p, .r = r };

			probe_mem(rtouch_fn, &tt);
			if (rpct(r, 50))
				usleep(rn(r, 500));
			munmap(p, MV_RUN_SIZE);
		}
		break;
	}
	case R_WRITE: {
		uint8_t buf[256];
		struct mv_guest_mem m = { .gpa = rpct(r, 50) ? 0x10000 : rn(r, 4 << 20),
					  .size = rrange(r, 1, sizeof(buf)),
					  .uaddr = (uintptr_t)buf };

		if (rpct(r, 70))
			memcpy(buf, rpct(r, 50) ? code_out : code_spin, 4);
		else
			rfill(r, buf, sizeof(buf));
		FZ_IOCTL(rc->vm, rpct(r, 70) ? MV_WRITE_GUEST : MV_READ_GUEST, &m);
		break;
	}
	case R_IRQ:
		if (rpct(r, 70)) {
			struct mv_interrupt irq = { .vector = rrange(r, 32, 255) };

			FZ_IOCTL(fd, MV_INTERRUPT, &irq);
		} else {
			struct mv_exception e = { .vector = RPICK(r, ((const uint32_t[]){ 0, 3, 6,
											  13, 14 })),
						  .has_error_code = 0 };

			if (e.vector >= 13)
				e.has_error_code = 1;
			FZ_IOCTL(fd, MV_INJECT_EXCEPTION, &e);
		}
		break;
	case R_CREATE: {
		long v = FZ_IOCTL(rc->vm, MV_CREATE_VCPU, rn(r, 4));

		if (v >= 0) {
			vcpu_real(v);
			if (rpct(r, 50))
				close(v);	/* the VM keeps it */
			else if (__sync_bool_compare_and_swap(&rc->nvcpu, RVCPUS - 1, RVCPUS))
				rc->vcpu[RVCPUS - 1] = v;
			else
				close(v);
		}
		break;
	}
	case R_ADMIN:
		nl = nl_open();
		if (nl < 0)
			break;
		switch (rn(r, 6)) {
		case 0:
			nl_vm_cmd(nl, MV_CMD_VM_PAUSE, rc->id);
			usleep(rn(r, 3000));
			nl_vm_cmd(nl, MV_CMD_VM_RESUME, rc->id);
			break;
		case 1:
			if (rpct(r, 20))
				nl_vm_cmd(nl, MV_CMD_VM_DESTROY, rc->id);
			break;
		case 2:
			nl_vm_cmd(nl, MV_CMD_GET_VM, rc->id);
			break;
		default: {
			struct mv_balloon_target bt = { .mem_bytes = rn(r, 1025) * 4096ull };

			FZ_IOCTL(rc->vm, MV_SET_BALLOON, &bt);
		}
		}
		close(nl);
		break;
	case R_CLOSE:
		usleep(rn(r, 30000));
		if (rc->closed)
			break;
		rc->closed = 1;
		/* descriptors go while the others use their numbers: those
		 * may come back as other files, which is the point */
		if (rpct(r, 50) && rc->nvcpu)
			close(rc->vcpu[rn(r, rc->nvcpu)]);
		else
			close(rc->vm);
		break;
	default:
		break;
	}
}

static void *rthread_main(void *arg)
{
	struct rthread *t = arg;

	run_timer_init();
	while (!t->race->stop) {
		do_role(t);
		if (t->role == R_CLOSE)
			break;
	}
	return NULL;
}

static void race_case(uint64_t nr)
{
	struct rthread th[10];
	struct race rc = { .nr = nr, .vcpu = { -1, -1, -1 } };
	struct mv_vm_config cfg = { .mem_size = 4 << 20 };
	struct mv_vm_stats st;
	struct rng r;
	int dev, i, nth;

	rng_seed(&r, fz_seed, L_RACE, nr);
	dev = open("/dev/minivisor", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return;
	snprintf(cfg.name, sizeof(cfg.name), "race%llu", (unsigned long long)nr);
	rc.vm = FZ_IOCTL(dev, MV_CREATE_VM, &cfg);
	close(dev);
	if (rc.vm < 0)
		return;
	if (!FZ_IOCTL(rc.vm, MV_GET_VM_STATS, &st)) {
		rc.id = st.id;
		ids_add(fz->exposed_ids, st.id);
	}
	guest_setup(&rc, &r);
	rc.nvcpu = rrange(&r, 1, RVCPUS - 1);
	for (i = 0; i < rc.nvcpu; i++) {
		rc.vcpu[i] = FZ_IOCTL(rc.vm, MV_CREATE_VCPU, i);
		if (rc.vcpu[i] < 0) {
			rc.nvcpu = i;
			break;
		}
		vcpu_real(rc.vcpu[i]);
	}
	/* the runners, then others */
	nth = 0;
	for (i = 0; i < rc.nvcpu; i++)
		th[nth++] = (struct rthread){ .role = R_RUN, .idx = i };
	while (nth < (int)(sizeof(th) / sizeof(th[0])) && (nth < 3 || rpct(&r, 70)))
		th[nth++] = (struct rthread){ .role = rrange(&r, R_REGS, R_CLOSE) };
	for (i = 0; i < nth; i++) {
		th[i].race = &rc;
		rng_seed(&th[i].r, fz_seed, L_RACE, nr * 16 + i + 1);
		if (pthread_create(&th[i].th, NULL, rthread_main, &th[i]))
			th[i].th = 0;
	}
	usleep(rrange(&r, 20, 150) * 1000);
	rc.stop = 1;
	for (i = 0; i < nth; i++)
		if (th[i].th)
			pthread_join(th[i].th, NULL);
	/* what is still open: close it (a closed number may be reused: only ours) */
	if (!rc.closed) {
		for (i = 0; i < rc.nvcpu; i++)
			close(rc.vcpu[i]);
		close(rc.vm);
	} else {
		/* a closed descriptor's number may now be someone else's:
		 * close only what is still a minivisor descriptor */
		char path[64], link[128];

		for (i = -1; i < rc.nvcpu; i++) {
			int fd = i < 0 ? rc.vm : rc.vcpu[i];
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			n = readlink(path, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = 0;
				if (strstr(link, "minivisor"))
					close(fd);
			}
		}
	}
	if (rc.id)
		ids_del(fz->exposed_ids, rc.id);
	fz_add(&fz->races, 1);
}

void lane_race(void)
{
	uint64_t nr;

	run_timer_init();
	for (nr = 0; !fz_stopping(); nr++) {
		my->cur_case = nr;
		fz_heartbeat();
		race_case(nr);
		fz_add(&my->cases, 1);
	}
}

int replay_race(uint64_t nr)
{
	run_timer_init();
	race_case(nr);
	return 0;
}
