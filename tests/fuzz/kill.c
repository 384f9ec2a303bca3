// SPDX-License-Identifier: GPL-2.0
/*
 * The kill lane: a child VMM sets up VMs (shared and private memory,
 * balloon targets), runs guests in several threads (spinning, halted with
 * interrupts on, exiting in a loop, touching memory, ballooning) and is
 * killed with SIGKILL at a random moment; every VM it had must be gone
 * within a few seconds (asked over netlink), and the module's figures
 * must say so.
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
#include <linux/netlink.h>

#include "fuzz.h"

/* Real-mode programs at 0x10000 for the child's vCPUs. */
static const uint8_t prog_spin[] = { 0xeb, 0xfe };			/* jmp $ */
static const uint8_t prog_hlt[] = { 0xfb, 0xf4, 0xeb, 0xfd };		/* sti; hlt; jmp */
static const uint8_t prog_out[] = { 0xe6, 0x80, 0xeb, 0xfc };		/* out 0x80; jmp */
/* inc byte [bx]; add bx, 0x1000 (wrapping in DS); jmp */
static const uint8_t prog_touch[] = { 0xfe, 0x07, 0x81, 0xc3, 0x00, 0x10, 0xeb, 0xf8 };
/* mov eax, 0x1101 (inflate); mov ebx, 0x20000; mov ecx, 8; vmmcall; jmp */
static const uint8_t prog_balloon[] = {
	0x66, 0xb8, 0x01, 0x11, 0x00, 0x00, 0x66, 0xbb, 0x00, 0x00, 0x02, 0x00,
	0x66, 0xb9, 0x08, 0x00, 0x00, 0x00, 0x0f, 0x01, 0xd9,
	0x66, 0xb8, 0x02, 0x11, 0x00, 0x00, 0x0f, 0x01, 0xd9, 0xeb, 0xe0,
};

struct kvcpu {
	int fd;
	struct mv_run *run;
	pthread_t th;
};

static void *kill_runner(void *arg)
{
	struct kvcpu *v = arg;

	run_timer_init();
	for (;;) {
		run_timer_arm(5);
		if (ioctl(v->fd, MV_RUN, 0) < 0 && errno != EINTR)
			break;
	}
	return NULL;
}

static void kill_child(uint64_t nr, int ready)
{
	struct rng r;
	struct kvcpu vc[8];
	int nvc = 0, nvm, i, j, dev;
	static uint8_t page[4096];

	rng_seed(&r, fz_seed, L_KILL, nr);
	dev = open("/dev/minivisor", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		_exit(1);
	nvm = rrange(&r, 1, 3);
	for (i = 0; i < nvm; i++) {
		struct mv_vm_config cfg = { .mem_size = (1 + rn(&r, 16)) << 20,
					    .share_domain = rn(&r, 2) };
		struct mv_vm_stats st;
		const uint8_t *prog;
		size_t plen;
		int vm, nv;

		snprintf(cfg.name, sizeof(cfg.name), "kill%llu", (unsigned long long)nr);
		vm = ioctl(dev, MV_CREATE_VM, &cfg);
		if (vm < 0)
			continue;
		if (!ioctl(vm, MV_GET_VM_STATS, &st)) {
			ids_add(fz->exposed_ids, st.id);
			ids_add(fz->kill_ids, st.id);
		}
		/* memory: pages the same in every VM (sharing) and our own */
		for (j = 0; j < 64; j++) {
			struct mv_guest_mem m = { .gpa = 0x100000 + j * 4096ull, .size = 4096,
						  .uaddr = (uintptr_t)page };

			memset(page, j % 3 ? j : 0, sizeof(page));
			if (rpct(&r, 30))
				rfill(&r, page, 64);
			ioctl(vm, MV_WRITE_GUEST, &m);
		}
		if (rpct(&r, 50)) {
			struct mv_balloon_target bt = { .mem_bytes = cfg.mem_size / 2 };

			ioctl(vm, MV_SET_BALLOON, &bt);
		}
		nv = rrange(&r, 1, 3);
		for (j = 0; j < nv && nvc < 8; j++) {
			struct mv_sregs s;
			struct mv_regs regs = { .rflags = 2, .rbx = 0 };
			struct mv_guest_mem m = { .gpa = 0x10000 };
			int fd = ioctl(vm, MV_CREATE_VCPU, j);

			if (fd < 0)
				break;
			switch (rn(&r, 5)) {
			case 0:
				prog = prog_spin, plen = sizeof(prog_spin);
				break;
			case 1:
				prog = prog_hlt, plen = sizeof(prog_hlt);
				break;
			case 2:
				prog = prog_out, plen = sizeof(prog_out);
				break;
			case 3:
				prog = prog_touch, plen = sizeof(prog_touch);
				break;
			default:
				prog = prog_balloon, plen = sizeof(prog_balloon);
			}
			m.size = plen;
			m.uaddr = (uintptr_t)prog;
			ioctl(vm, MV_WRITE_GUEST, &m);
			if (!ioctl(fd, MV_GET_SREGS, &s)) {
				s.cs.base = 0x10000;
				s.cs.selector = 0x1000;
				s.ds.base = 0x100000;
				ioctl(fd, MV_SET_SREGS, &s);
			}
			ioctl(fd, MV_SET_REGS, &regs);
			vc[nvc].fd = fd;
			vc[nvc].run = mmap(NULL, MV_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
					   fd, 0);
			pthread_create(&vc[nvc].th, NULL, kill_runner, &vc[nvc]);
			nvc++;
		}
		if (rpct(&r, 30))
			close(vm);	/* the vCPUs keep it */
	}
	if (write(ready, "r", 1) < 0)
		_exit(1);
	/* meanwhile: interrupts, writes to shared pages */
	for (;;) {
		struct mv_interrupt irq = { .vector = rrange(&r, 32, 255) };

		if (nvc)
			ioctl(vc[rn(&r, nvc)].fd, MV_INTERRUPT, &irq);
		usleep(rn(&r, 2000));
	}
}

/* VMs of killed VMMs must go; IDs we still wait for. */
struct pending {
	uint32_t id;
	uint64_t deadline;
};

static struct pending pend[64];

/* 1: it exists, 0: it does not, -1: no answer */
static int vm_exists(int nl, uint32_t id)
{
	int err = nl_vm_cmd(nl, MV_CMD_GET_VM, id);

	nl_drain(nl);
	if (err == -ETIMEDOUT || err == -EINTR || err == -ENOBUFS)
		return -1;
	return !err;
}

static void kill_case(uint64_t nr, int nl)
{
	struct rng r;
	int p[2], status, i, j;
	pid_t pid;
	char c;

	rng_seed(&r, fz_seed, L_KILL, nr | 1ull << 62);
	memset(fz->kill_ids, 0, sizeof(fz->kill_ids));
	if (pipe2(p, O_CLOEXEC))
		return;
	pid = fork();
	if (!pid) {
		close(p[0]);
		kill_child(nr, p[1]);
		_exit(0);
	}
	close(p[1]);
	/* killed at a random moment: before it is ready, or after */
	if (rpct(&r, 80)) {
		struct timeval tv = { .tv_sec = 3 };
		fd_set fds;

		FD_ZERO(&fds);
		FD_SET(p[0], &fds);
		if (select(p[0] + 1, &fds, NULL, NULL, &tv) > 0 && read(p[0], &c, 1) < 0)
			(void)0;
	}
	usleep(rn(&r, 40000));
	if (rpct(&r, 10)) {		/* an administrator destroys or pauses one first */
		uint32_t id = ids_pick(&r, fz->kill_ids);

		if (id)
			nl_vm_cmd(nl, rpct(&r, 50) ? MV_CMD_VM_DESTROY : MV_CMD_VM_PAUSE, id);
		nl_drain(nl);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(p[0]);
	fz_add(&fz->kills, 1);
	/* its VMs must go */
	for (i = 0; i < FZ_KILL_IDS; i++) {
		uint32_t id = fz->kill_ids[i];

		if (!id)
			continue;
		ids_del(fz->exposed_ids, id);
		for (j = 0; j < 64; j++) {
			if (!pend[j].id) {
				pend[j].id = id;
				pend[j].deadline = now_ms() + 10000;
				break;
			}
		}
	}
}

static void check_pending(int nl, uint64_t nr)
{
	int j;

	for (j = 0; j < 64; j++) {
		if (!pend[j].id)
			continue;
		switch (vm_exists(nl, pend[j].id)) {
		case 0:
			pend[j].id = 0;
			continue;
		case -1:
			continue;
		}
		if (now_ms() > pend[j].deadline) {
			host_fault("case=%s: VM %u of a VMM killed with SIGKILL still exists after 10 s",
				   case_name(L_KILL, nr), pend[j].id);
			pend[j].id = 0;
		}
	}
}

void lane_kill(void)
{
	int nl = nl_open();
	uint64_t nr;

	for (nr = 0; !fz_stopping(); nr++) {
		my->cur_case = nr;
		fz_heartbeat();
		kill_case(nr, nl);
		check_pending(nl, nr);
		fz_add(&my->cases, 1);
	}
	while (now_ms() < pend[0].deadline + 1000) {
		int j, left = 0;

		check_pending(nl, nr);
		for (j = 0; j < 64; j++)
			left += !!pend[j].id;
		if (!left)
			break;
		usleep(100000);
	}
	close(nl);
}

int replay_kill(uint64_t nr)
{
	int nl = nl_open();

	kill_case(nr, nl);
	usleep(500000);
	check_pending(nl, nr);
	close(nl);
	return fz_get(&fz->host_faults) ? 1 : 0;
}
