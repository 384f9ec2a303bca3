// SPDX-License-Identifier: GPL-2.0
/*
 * mvrun - run a flat guest binary under minivisor.
 *
 *   mvrun [--mem SIZE] [--name NAME] [--domain N] [--verbose] guest.bin
 *
 * The image is loaded at guest-physical 0x10000 and started in real mode at
 * CS:IP = 1000:0000 (kvmtool's convention).  Bytes written to the debug
 * console (port 0xe9) or to COM1 (0x3f8; its LSR reads "transmitter empty")
 * go to stdout.  Writing v to port 0xf4 (QEMU's isa-debug-exit) ends mvrun
 * with status (v << 1) | 1.  Other ports read as all ones and ignore
 * writes; so does MMIO outside RAM.
 *
 * Exit status: 0 when the guest halts with interrupts disabled, (v << 1) | 1
 * from isa-debug-exit, 2 for usage errors, 64 when the VM cannot be set up
 * (module missing, no permission, image too big...), 66 when the guest
 * crashes (triple fault), 68 on an internal error, 72 when an administrator
 * destroys the VM, 128 + N when signal N stops it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/minivisor.h>

#include "parse.h"

#define LOAD_ADDR	0x10000
#define PORT_DEBUGCON	0xe9
#define PORT_DEBUG_EXIT	0xf4
#define PORT_COM1	0x3f8

enum {
	EXIT_USAGE = 2,
	EXIT_SETUP = 64,
	EXIT_CRASH = 66,
	EXIT_INTERNAL = 68,
	EXIT_DESTROYED = 72,
};

static bool verbose;
static volatile sig_atomic_t stop_signal;

static void usage(FILE *f)
{
	fputs("Usage: mvrun [OPTIONS] GUEST.BIN\n"
	      "\n"
	      "Runs a flat binary under minivisor: loaded at 0x10000, started in real\n"
	      "mode at 1000:0000.  Port 0xe9 and COM1 go to stdout; writing v to port\n"
	      "0xf4 exits with status (v << 1) | 1.\n"
	      "\n"
	      "Options:\n"
	      "  -m, --mem SIZE      guest memory, e.g. 16M, 1G (default 64M)\n"
	      "  -n, --name NAME     VM name shown by 'mvctl vm list' (default: the file name)\n"
	      "  -d, --domain N      page-sharing domain: pages are only shared with VMs\n"
	      "                      of the same domain (default 0)\n"
	      "  -v, --verbose       report unhandled port I/O and MMIO on stderr\n"
	      "  -h, --help          show this help\n"
	      "\n"
	      "See mvrun(1).\n", f);
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void dump_regs(int vcpu)
{
	struct mv_regs r;
	struct mv_sregs s;

	if (ioctl(vcpu, MV_GET_REGS, &r) || ioctl(vcpu, MV_GET_SREGS, &s))
		return;
	fprintf(stderr,
		"  rip %016llx" "  rflags %08llx\n"
		"  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n"
		"  rsi %016llx  rdi %016llx  rsp %016llx  rbp %016llx\n"
		"  cs %04x base %llx  ss %04x base %llx\n"
		"  cr0 %08llx  cr2 %016llx  cr3 %016llx  cr4 %08llx  efer %llx\n",
		r.rip, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi,
		r.rsp, r.rbp, s.cs.selector, s.cs.base, s.ss.selector,
		s.ss.base, s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
}

/* Returns -1 to keep running, or the exit status. */
static int handle_io(struct mv_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t i, n = run->io.count * run->io.size;
	uint16_t port = run->io.port;

	if (run->io.direction == MV_IO_OUT) {
		if (port == PORT_DEBUGCON || port == PORT_COM1) {
			for (i = 0; i < n; i += run->io.size)
				putchar(data[i]);
			fflush(stdout);
		} else if (port == PORT_DEBUG_EXIT) {
			uint32_t v = 0;

			memcpy(&v, data, run->io.size);
			return ((v << 1) | 1) & 0xff;
		} else if (verbose) {
			fprintf(stderr, "mvrun: unhandled OUT to port %#x\n", port);
		}
		return -1;
	}
	/* IN: COM1's line status says "transmitter empty", the rest reads ~0. */
	memset(data, 0xff, n);
	if (port == PORT_COM1 + 5)
		for (i = 0; i < n; i++)
			data[i] = 0x60;
	else if (port > PORT_COM1 && port < PORT_COM1 + 8)
		memset(data, 0, n);
	else if (verbose)
		fprintf(stderr, "mvrun: unhandled IN from port %#x\n", port);
	return -1;
}

static int run_guest(int vcpu, struct mv_run *run)
{
	int ret;

	for (;;) {
		if (stop_signal)
			return 128 + stop_signal;
		if (ioctl(vcpu, MV_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENODEV) {
				fprintf(stderr, "mvrun: the VM was destroyed by an administrator\n");
				return EXIT_DESTROYED;
			}
			if (errno == ENOMEM) {
				fprintf(stderr, "mvrun: the host ran out of memory for the guest\n");
				return EXIT_INTERNAL;
			}
			fprintf(stderr, "mvrun: running the guest failed: %s\n",
				strerror(errno));
			return EXIT_INTERNAL;
		}
		switch (run->exit_reason) {
		case MV_EXIT_IO:
			ret = handle_io(run);
			if (ret >= 0)
				return ret;
			break;
		case MV_EXIT_MMIO:
			if (verbose)
				fprintf(stderr, "mvrun: unhandled MMIO %s %#llx (%u bytes)\n",
					run->mmio.is_write ? "write to" : "read from",
					run->mmio.gpa, run->mmio.len);
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
			break;
		case MV_EXIT_HLT:
			if (verbose)
				fprintf(stderr, "mvrun: the guest halted with interrupts disabled\n");
			return 0;
		case MV_EXIT_SHUTDOWN:
			fprintf(stderr, "mvrun: the guest crashed: %s\n",
				run->shutdown.reason == MV_SHUTDOWN_TRIPLE_FAULT ?
				"triple fault" : "invalid guest state");
			dump_regs(vcpu);
			return EXIT_CRASH;
		case MV_EXIT_INTERNAL_ERROR:
			fprintf(stderr, "mvrun: internal error %u:", run->internal.suberror);
			for (ret = 0; ret < (int)run->internal.ndata; ret++)
				fprintf(stderr, " %#llx", run->internal.data[ret]);
			fprintf(stderr, "%s\n", run->internal.suberror == MV_INTERNAL_EMULATION ?
				" (an instruction minivisor cannot emulate touched MMIO)" : "");
			dump_regs(vcpu);
			return EXIT_INTERNAL;
		default:
			fprintf(stderr, "mvrun: unexpected exit reason %u\n",
				run->exit_reason);
			return EXIT_INTERNAL;
		}
	}
}

static int open_device(void)
{
	int fd = open("/dev/" MV_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		fprintf(stderr, "mvrun: /dev/minivisor does not exist: the minivisor module is not loaded (try 'modprobe minivisor')\n");
	else if (errno == EACCES || errno == EPERM)
		fprintf(stderr, "mvrun: permission denied opening /dev/minivisor: add yourself to the 'minivisor' group or run as root\n");
	else
		fprintf(stderr, "mvrun: cannot open /dev/minivisor: %s\n",
			strerror(errno));
	return -1;
}

static int load_image(int vm, const char *path, uint64_t mem)
{
	struct mv_guest_mem m = { .gpa = LOAD_ADDR };
	struct stat st;
	void *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "mvrun: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "mvrun: %s is not a regular file\n", path);
		close(fd);
		return -1;
	}
	if (!st.st_size || (uint64_t)st.st_size > mem - LOAD_ADDR) {
		fprintf(stderr, "mvrun: %s is %s: it must fit between 0x10000 and the end of guest memory (%llu bytes; use --mem)\n",
			path, st.st_size ? "too big" : "empty", (unsigned long long)(mem - LOAD_ADDR));
		close(fd);
		return -1;
	}
	buf = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "mvrun: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	m.size = st.st_size;
	m.uaddr = (uintptr_t)buf;
	if (ioctl(vm, MV_WRITE_GUEST, &m)) {
		fprintf(stderr, "mvrun: cannot load the image: %s\n", strerror(errno));
		munmap(buf, st.st_size);
		return -1;
	}
	munmap(buf, st.st_size);
	return 0;
}

static int set_entry(int vcpu)
{
	struct mv_segment seg = {
		.selector = 0x1000, .base = 0x10000, .limit = 0xffff,
		.type = 3, .s = 1, .present = 1,
	};
	struct mv_regs regs = { .rflags = 2, .rsp = 0xfff0 };
	struct mv_sregs s;

	if (ioctl(vcpu, MV_GET_SREGS, &s))
		return -1;
	s.ds = s.es = s.fs = s.gs = s.ss = seg;
	seg.type = 0xb;
	s.cs = seg;
	if (ioctl(vcpu, MV_SET_SREGS, &s) || ioctl(vcpu, MV_SET_REGS, &regs))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "domain", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mv_vm_config cfg = { .mem_size = 64 << 20 };
	const char *name = NULL, *path;
	struct sigaction sa = { .sa_handler = on_signal };
	struct mv_run *run;
	int c, dev, vm, vcpu, api;
	uint32_t domain;
	uint64_t mem;

	while ((c = getopt_long(argc, argv, "m:n:d:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (mv_parse_size(optarg, &mem)) {
				fprintf(stderr, "mvrun: bad memory size '%s' (try 64M or 1G)\n", optarg);
				return EXIT_USAGE;
			}
			cfg.mem_size = mem;
			break;
		case 'n':
			name = optarg;
			break;
		case 'd':
			if (mv_parse_u32(optarg, 0, UINT32_MAX, &domain)) {
				fprintf(stderr, "mvrun: bad sharing domain '%s' (a number, 0 to 4294967295)\n",
					optarg);
				return EXIT_USAGE;
			}
			cfg.share_domain = domain;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	path = argv[optind];
	if (!name) {
		name = strrchr(path, '/');
		name = name ? name + 1 : path;
	}
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	if (cfg.mem_size < (64 << 10) || cfg.mem_size % 4096) {
		fprintf(stderr, "mvrun: guest memory must be at least 64K and a multiple of 4K\n");
		return EXIT_USAGE;
	}

	dev = open_device();
	if (dev < 0)
		return EXIT_SETUP;
	api = ioctl(dev, MV_GET_API_VERSION, 0);
	if (api < 0) {
		fprintf(stderr, "mvrun: asking the module for its API version: %s (is minivisor.ko loaded? try 'modprobe minivisor')\n",
			strerror(errno));
		return EXIT_SETUP;
	}
	if (api != MV_API_VERSION) {
		fprintf(stderr, "mvrun: the module speaks API %d, mvrun speaks %d: rebuild mvrun\n",
			api, MV_API_VERSION);
		return EXIT_SETUP;
	}
	vm = ioctl(dev, MV_CREATE_VM, &cfg);
	if (vm < 0) {
		if (errno == EINVAL)
			fprintf(stderr, "mvrun: the module refused %llu bytes of guest memory (see the max_guest_mem_mb parameter)\n",
				cfg.mem_size);
		else if (errno == ENOSPC)
			fprintf(stderr, "mvrun: too many VMs (see the max_vms parameter)\n");
		else if (errno == EOPNOTSUPP)
			fprintf(stderr, "mvrun: this CPU's virtualization backend cannot run guests yet (AMD SVM is required)\n");
		else
			fprintf(stderr, "mvrun: cannot create a VM: %s\n", strerror(errno));
		return EXIT_SETUP;
	}
	if (load_image(vm, path, cfg.mem_size))
		return EXIT_SETUP;
	vcpu = ioctl(vm, MV_CREATE_VCPU, 0);
	if (vcpu < 0) {
		fprintf(stderr, "mvrun: cannot create a vCPU: %s\n", strerror(errno));
		return EXIT_SETUP;
	}
	run = mmap(NULL, MV_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || set_entry(vcpu)) {
		fprintf(stderr, "mvrun: cannot set up the vCPU: %s\n", strerror(errno));
		return EXIT_SETUP;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return run_guest(vcpu, run);
}
