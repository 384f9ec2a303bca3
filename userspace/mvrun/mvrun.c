// SPDX-License-Identifier: GPL-2.0
/*
 * mvrun - run a guest under minivisor.
 *
 *   mvrun [OPTIONS] GUEST.BIN
 *   mvrun [OPTIONS] --kernel FILE [--initrd FILE] [--append "ARGS"]
 *
 * A flat binary is loaded at guest-physical 0x10000 and started in real
 * mode at CS:IP = 1000:0000 (kvmtool's convention).  --kernel boots a
 * Linux bzImage through the Linux boot protocol's 64-bit entry (linux.c,
 * with an MP table, mptable.c, and a default command line for this
 * platform) or a multiboot kernel (an ELF32 such as kvm-unit-tests' .flat
 * files), loaded by its program headers and entered in 32-bit protected
 * mode with the multiboot information (loader.c); either way the VM gets
 * the module's in-kernel interrupt controllers (MV_CREATE_IRQCHIP).
 *
 * --cpu-features changes the guest's CPUID by QEMU's feature names
 * (cpufeat.c): "-x2apic" hides x2APIC, for instance.
 *
 * --cpus N creates N vCPUs, each run by a thread of its own.  vCPU 0 is
 * the bootstrap processor and starts as the loader says; the others start
 * when it sends them INIT and SIPI, which the irqchip handles: until then
 * their MV_RUN waits in the kernel.  Without an irqchip nothing can start
 * them, so they are created but never run.
 *
 * Devices are port I/O handlers registered by range on a small bus
 * (iobus.c), one file each: COM1 on IRQ 4 (serial.c, fed from stdin by
 * console.c), the i8042's reset line (i8042.c), the CMOS clock (rtc.c),
 * the debug console at 0xe9 (debugcon.c), isa-debug-exit at 0xf4
 * (debugexit.c), fw_cfg at 0x510 (fwcfg.c), QEMU's pc-testdev (testdev.c,
 * with its MMIO memory).  Other ports read as all ones and ignore writes;
 * so does other MMIO outside RAM.  A multiboot kernel finds the machine as
 * a PC BIOS leaves it (bios.c); a Linux bzImage starts at its 64-bit entry
 * (linux.c) and sets its interrupt controllers up itself.
 *
 * Ending: the first vCPU exit that ends the VM decides the exit status
 * (vm_stop()); the main thread, which otherwise only waits for signals,
 * then stops the other vCPU threads (a signal of its own makes their
 * MV_RUN return EINTR) and exits.  Exit status: 0 when vCPU 0 halts with
 * interrupts disabled or a Linux guest powers off, (v << 1) | 1 from
 * isa-debug-exit, 2 for usage errors, 64 when the VM cannot be set up
 * (module missing or too old, no permission, a file that cannot be
 * loaded...), 66 when the guest crashes (triple fault), 68 on an internal
 * error, 70 when the guest resets the machine (reboot), 72 when an
 * administrator destroys the VM, 74 when a Linux guest panics
 * (lifecycle.c), 130 after Ctrl-A x at the console, 128 + N when signal
 * N stops it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mvrun.h"
#include "parse.h"

/* The kernel's irqchip sits at 0xfec00000 (I/O APIC) and up. */
#define KERNEL_MAX_MEM	0xfec00000ULL
/* Wakes a vCPU thread out of MV_RUN, and the main thread out of sigwait. */
#define SIG_KICK	SIGUSR1

bool verbose;

static void usage(FILE *f)
{
	fputs("Usage: mvrun [OPTIONS] GUEST.BIN\n"
	      "       mvrun [OPTIONS] --kernel FILE [--initrd FILE] [--append ARGS]\n"
	      "\n"
	      "Runs a guest under minivisor: a flat binary loaded at 0x10000 and started\n"
	      "in real mode at 1000:0000, a Linux bzImage (64-bit boot protocol, console\n"
	      "on ttyS0), or a multiboot kernel (ELF32, e.g. kvm-unit-tests' .flat files)\n"
	      "started in protected mode; kernels get the in-kernel irqchip.  COM1 is the\n"
	      "console (stdin and stdout; on a terminal, Ctrl-A x quits); port 0xe9 goes\n"
	      "to stdout; writing v to port 0xf4 exits with status (v << 1) | 1; fw_cfg\n"
	      "at 0x510 tells the CPU count and memory size.\n"
	      "\n"
	      "Options:\n"
	      "  -k, --kernel FILE   boot FILE: a Linux bzImage or a multiboot kernel\n"
	      "  -i, --initrd FILE   with --kernel: Linux's initrd, or the multiboot module\n"
	      "                      (kvm-unit-tests: the environment, e.g. NR_CPUS=1)\n"
	      "  -a, --append ARGS   with --kernel: added to Linux's command line (after\n"
	      "                      mvrun's console=ttyS0 ...), or a multiboot kernel's\n"
	      "                      command line after argv[0]\n"
	      "  -c, --cpus N        vCPUs, 1 to 16 (default 1)\n"
	      "      --cpu-features LIST\n"
	      "                      CPUID features by QEMU's names, as after -cpu MODEL:\n"
	      "                      -x2apic hides x2APIC, -pcid,-invpcid..., +name keeps\n"
	      "                      one (a warning if minivisor lacks it; 'enforce' makes\n"
	      "                      that an error); 'help' lists the names\n"
	      "  -m, --mem SIZE      guest memory, e.g. 16M, 1G (default 64M; 512M for\n"
	      "                      a bzImage)\n"
	      "  -n, --name NAME     VM name shown by 'mvctl vm list' (default: the file name)\n"
	      "  -d, --domain N      page-sharing domain: pages are only shared with VMs\n"
	      "                      of the same domain (default 0)\n"
	      "      --no-irqchip    debugging aid: boot --kernel without the in-kernel\n"
	      "                      irqchip (for modules without one; no local APIC)\n"
	      "  -v, --verbose       report unhandled port I/O and MMIO on stderr\n"
	      "  -h, --help          show this help\n"
	      "\n"
	      "See mvrun(1).\n", f);
}

void vm_stop(struct vm *vm, int status)
{
	int running = -1;

	if (__atomic_compare_exchange_n(&vm->status, &running, status, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		pthread_kill(vm->main_thread, SIG_KICK);
}

bool vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->status, __ATOMIC_SEQ_CST) >= 0;
}

int vm_write(struct vm *vm, uint64_t gpa, const void *buf, uint64_t len)
{
	struct mv_guest_mem m = { .gpa = gpa, .size = len, .uaddr = (uintptr_t)buf };

	return ioctl(vm->fd, MV_WRITE_GUEST, &m);
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

/* "vCPU 1: " where several run, nothing with one. */
static const char *who(const struct vcpu *c, char *buf, size_t len)
{
	if (c->vm->nr_vcpus == 1)
		return "";
	snprintf(buf, len, "vCPU %d: ", c->index);
	return buf;
}

static bool io_exit_valid(const struct mv_run *run)
{
	uint32_t size = run->io.size;

	return (size == 1 || size == 2 || size == 4) &&
	       run->io.data_offset <= MV_RUN_SIZE &&
	       (uint64_t)run->io.count * size <= MV_RUN_SIZE - run->io.data_offset;
}

static void mmio_exit(struct mv_run *run)
{
	if (testdev_mmio(run))
		return;
	mmio_unhandled(run->mmio.gpa, run->mmio.len, run->mmio.is_write);
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
}

static void internal_error(struct vcpu *c, const char *w)
{
	struct mv_run *run = c->run;
	uint32_t i;

	fprintf(stderr, "mvrun: %sinternal error %u:", w, run->internal.suberror);
	for (i = 0; i < run->internal.ndata && i < 8; i++)
		fprintf(stderr, " %#llx", run->internal.data[i]);
	fprintf(stderr, "%s\n", run->internal.suberror == MV_INTERNAL_EMULATION ?
		" (an instruction minivisor cannot emulate touched MMIO)" : "");
	dump_regs(c->fd);
}

/* MV_RUN failed: the VM's status. */
static int run_failed(const char *w)
{
	switch (errno) {
	case ENODEV:
		fprintf(stderr, "mvrun: the VM was destroyed by an administrator\n");
		return EXIT_DESTROYED;
	case ENOMEM:
		fprintf(stderr, "mvrun: the host ran out of memory for the guest\n");
		return EXIT_INTERNAL;
	case EIO:
		/* Another vCPU crashed the VM; its thread says how. */
		return EXIT_CRASH;
	default:
		fprintf(stderr, "mvrun: %srunning the guest failed: %s\n", w, strerror(errno));
		return EXIT_INTERNAL;
	}
}

/* One exit: -1 to go on, else the status that ends the VM, or -2 to end this vCPU alone. */
static int handle_exit(struct vcpu *c, const char *w)
{
	struct mv_run *run = c->run;

	switch (run->exit_reason) {
	case MV_EXIT_IO:
		if (!io_exit_valid(run)) {
			fprintf(stderr, "mvrun: %sa port I/O exit with bad data (size %u, count %u, offset %llu)\n",
				w, run->io.size, run->io.count, run->io.data_offset);
			return EXIT_INTERNAL;
		}
		io_exit(run);
		return -1;
	case MV_EXIT_MMIO:
		mmio_exit(run);
		return -1;
	case MV_EXIT_HLT:
		/* Nothing can wake it: for vCPU 0 the guest is done. */
		if (verbose)
			fprintf(stderr, "mvrun: %sthe guest halted with interrupts disabled\n", w);
		return c->index ? -2 : 0;
	case MV_EXIT_SHUTDOWN:
		fprintf(stderr, "mvrun: %sthe guest crashed: %s\n", w,
			run->shutdown.reason == MV_SHUTDOWN_TRIPLE_FAULT ?
			"triple fault" : "invalid guest state");
		dump_regs(c->fd);
		return EXIT_CRASH;
	case MV_EXIT_INTERNAL_ERROR:
		internal_error(c, w);
		return EXIT_INTERNAL;
	case MV_EXIT_INTR:
		return -1;
	default:
		fprintf(stderr, "mvrun: %sunexpected exit reason %u\n", w, run->exit_reason);
		return EXIT_INTERNAL;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *c = arg;
	struct vm *vm = c->vm;
	sigset_t kick;
	char buf[16];
	const char *w = who(c, buf, sizeof(buf));
	int ret;

	sigemptyset(&kick);
	sigaddset(&kick, SIG_KICK);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	while (!vm_stopping(vm)) {
		if (ioctl(c->fd, MV_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			vm_stop(vm, run_failed(w));
			break;
		}
		ret = handle_exit(c, w);
		if (ret == -2)
			break;
		if (ret >= 0)
			vm_stop(vm, ret);
	}
	return NULL;
}

static void on_kick(int sig)
{
	(void)sig;
}

/*
 * Waits until the VM ends or a signal stops mvrun, then gets every vCPU
 * thread out of MV_RUN.  A kick can land just before a thread enters
 * MV_RUN (and be lost), so it is repeated until the thread is gone.
 */
static int wait_and_stop(struct vm *vm, const sigset_t *wait)
{
	struct timespec deadline;
	int i, sig;

	for (;;) {
		sig = sigwaitinfo(wait, NULL);
		if (sig < 0 && errno == EINTR)
			continue;
		if (sig == SIG_KICK && !vm_stopping(vm))
			continue;
		if (sig != SIG_KICK)
			vm_stop(vm, 128 + sig);
		break;
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *c = &vm->vcpus[i];

		if (!c->started)
			continue;
		do {
			pthread_kill(c->thread, SIG_KICK);
			clock_gettime(CLOCK_REALTIME, &deadline);
			deadline.tv_nsec += 20 * 1000 * 1000;
			if (deadline.tv_nsec >= 1000000000L) {
				deadline.tv_sec++;
				deadline.tv_nsec -= 1000000000L;
			}
		} while (pthread_timedjoin_np(c->thread, NULL, &deadline) == ETIMEDOUT);
	}
	return vm->status;
}

static int run_vm(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = on_kick };	/* no SA_RESTART */
	sigset_t wait;
	int i, n;

	/* The vCPU threads inherit this mask and unblock only the kick. */
	sigemptyset(&wait);
	sigaddset(&wait, SIGINT);
	sigaddset(&wait, SIGTERM);
	sigaddset(&wait, SIGHUP);
	sigaddset(&wait, SIG_KICK);
	/* Handlers, so that none of them is ignored; sigwaitinfo() takes them. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIG_KICK, &sa, NULL);
	pthread_sigmask(SIG_BLOCK, &wait, NULL);
	vm->main_thread = pthread_self();
	if (console_start(vm))
		return EXIT_INTERNAL;
	/* Without an irqchip no INIT/SIPI can reach the APs. */
	n = vm->irqchip ? vm->nr_vcpus : 1;
	if (n < vm->nr_vcpus && verbose)
		fprintf(stderr, "mvrun: without an irqchip nothing can start vCPUs 1-%d: they stay idle\n",
			vm->nr_vcpus - 1);
	for (i = 0; i < n; i++) {
		struct vcpu *c = &vm->vcpus[i];

		errno = pthread_create(&c->thread, NULL, vcpu_thread, c);
		if (errno) {
			fprintf(stderr, "mvrun: cannot start a thread for vCPU %d: %s\n",
				i, strerror(errno));
			vm_stop(vm, EXIT_SETUP);
			break;
		}
		c->started = true;
	}
	i = wait_and_stop(vm, &wait);
	if (verbose)
		io_report_unhandled();
	fflush(stdout);
	return i;
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

/*
 * What the module's default CPUID says: the TSC frequency (leaf
 * 0x40000010, for a Linux guest's command line) and leaf 1 (the MP table).
 */
static void host_cpuid(int dev, struct vm *vm)
{
	struct mv_cpuid *t = calloc(1, sizeof(*t) + MV_CPUID_MAX_ENTRIES * sizeof(t->entries[0]));
	uint32_t i;

	if (!t)
		return;
	t->nent = MV_CPUID_MAX_ENTRIES;
	if (!ioctl(dev, MV_GET_DEFAULT_CPUID, t)) {
		for (i = 0; i < t->nent; i++) {
			const struct mv_cpuid_entry *e = &t->entries[i];

			if (e->function == 0x40000010)
				vm->tsc_khz = e->eax;
			if (e->function == 1) {
				vm->cpu_signature = e->eax;
				vm->cpu_features = e->edx;
			}
		}
	}
	free(t);
}

static int create_vm(struct mv_vm_config *cfg, struct vm *out)
{
	int dev, vm, api;

	dev = open_device();
	if (dev < 0)
		return -1;
	api = ioctl(dev, MV_GET_API_VERSION, 0);
	if (api < 0) {
		fprintf(stderr, "mvrun: asking the module for its API version: %s (is minivisor.ko loaded? try 'modprobe minivisor')\n",
			strerror(errno));
		return -1;
	}
	if (api != MV_API_VERSION) {
		fprintf(stderr, "mvrun: the module speaks API %d, mvrun speaks %d: rebuild mvrun\n",
			api, MV_API_VERSION);
		return -1;
	}
	host_cpuid(dev, out);
	vm = ioctl(dev, MV_CREATE_VM, cfg);
	if (vm < 0) {
		if (errno == EINVAL)
			fprintf(stderr, "mvrun: the module refused %llu bytes of guest memory (see the max_guest_mem_mb parameter)\n",
				cfg->mem_size);
		else if (errno == ENOSPC)
			fprintf(stderr, "mvrun: too many VMs (see the max_vms parameter)\n");
		else if (errno == EOPNOTSUPP)
			fprintf(stderr, "mvrun: this CPU's virtualization backend cannot run guests yet (AMD SVM is required)\n");
		else
			fprintf(stderr, "mvrun: cannot create a VM: %s\n", strerror(errno));
	}
	close(dev);
	return vm;
}

static int create_irqchip(struct vm *vm)
{
	if (!ioctl(vm->fd, MV_CREATE_IRQCHIP, 0)) {
		vm->irqchip = true;
		return 0;
	}
	if (errno == ENOTTY || errno == EINVAL)
		fprintf(stderr, "mvrun: this minivisor module has no in-kernel irqchip (MV_CREATE_IRQCHIP: %s): multiboot kernels such as kvm-unit-tests need its local APIC; load a newer module (or, to debug, pass --no-irqchip)\n",
			strerror(errno));
	else
		fprintf(stderr, "mvrun: cannot create the interrupt controllers: %s\n",
			strerror(errno));
	return -1;
}

static int (*const device_inits[])(struct vm *) = {
	serial_init, i8042_init, rtc_init, debugcon_init, debugexit_init, fwcfg_init,
	testdev_init,
};

static int create_vcpus(struct vm *vm, const struct boot *boot,
			const struct cpu_features *features)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *c = &vm->vcpus[i];

		c->vm = vm;
		c->index = i;
		c->fd = ioctl(vm->fd, MV_CREATE_VCPU, i);
		if (c->fd < 0) {
			fprintf(stderr, "mvrun: cannot create vCPU %d: %s\n", i, strerror(errno));
			return -1;
		}
		c->run = mmap(NULL, MV_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
		if (c->run == MAP_FAILED) {
			fprintf(stderr, "mvrun: cannot map vCPU %d's run page: %s\n",
				i, strerror(errno));
			return -1;
		}
	}
	for (i = 0; features && i < vm->nr_vcpus; i++)
		if (cpu_features_set(vm->vcpus[i].fd, features, i > 0))
			return -1;
	if (boot_set_entry(vm->vcpus[0].fd, boot)) {
		fprintf(stderr, "mvrun: cannot set up vCPU 0: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

struct options {
	struct mv_vm_config cfg;
	struct kernel_args kernel;
	struct cpu_features features;
	const char *path;
	uint32_t cpus;
	bool no_irqchip;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_NO_IRQCHIP = 256, OPT_CPU_FEATURES };
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "cpu-features", required_argument, NULL, OPT_CPU_FEATURES },
		{ "mem", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "domain", required_argument, NULL, 'd' },
		{ "no-irqchip", no_argument, NULL, OPT_NO_IRQCHIP },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL;
	uint32_t domain;
	uint64_t mem;
	int c;

	while ((c = getopt_long(argc, argv, "k:i:a:c:m:n:d:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->kernel.kernel = optarg;
			break;
		case 'i':
			o->kernel.initrd = optarg;
			break;
		case 'a':
			o->kernel.append = optarg;
			break;
		case 'c':
			if (mv_parse_u32(optarg, 1, MV_MAX_VCPUS, &o->cpus)) {
				fprintf(stderr, "mvrun: bad vCPU count '%s' (1 to %d)\n",
					optarg, MV_MAX_VCPUS);
				return EXIT_USAGE;
			}
			break;
		case 'm':
			if (mv_parse_size(optarg, &mem) || !mem) {
				fprintf(stderr, "mvrun: bad memory size '%s' (try 64M or 1G)\n", optarg);
				return EXIT_USAGE;
			}
			o->cfg.mem_size = mem;
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
			o->cfg.share_domain = domain;
			break;
		case OPT_CPU_FEATURES:
			if (!strcmp(optarg, "help")) {
				cpu_features_list(stdout);
				exit(0);
			}
			if (cpu_features_parse(optarg, &o->features))
				return EXIT_USAGE;
			break;
		case OPT_NO_IRQCHIP:
			o->no_irqchip = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (o->kernel.kernel) {
		if (optind != argc) {
			fprintf(stderr, "mvrun: give either a flat binary or --kernel FILE, not both ('%s')\n",
				argv[optind]);
			return EXIT_USAGE;
		}
		o->path = o->kernel.kernel;
	} else {
		if (o->kernel.initrd || o->kernel.append || o->no_irqchip) {
			fprintf(stderr, "mvrun: --initrd, --append and --no-irqchip go with --kernel\n");
			return EXIT_USAGE;
		}
		if (optind != argc - 1) {
			usage(stderr);
			return EXIT_USAGE;
		}
		o->path = argv[optind];
	}
	if (!name) {
		name = strrchr(o->path, '/');
		name = name ? name + 1 : o->path;
	}
	snprintf(o->cfg.name, sizeof(o->cfg.name), "%s", name);
	/* Without --mem: 64 MiB, or enough for a Linux kernel and its initrd. */
	if (!o->cfg.mem_size)
		o->cfg.mem_size = o->kernel.kernel && path_is_bzimage(o->path) ?
				  linux_default_mem() : 64 << 20;
	if (o->cfg.mem_size < (64 << 10) || o->cfg.mem_size % 4096) {
		fprintf(stderr, "mvrun: guest memory must be at least 64K and a multiple of 4K\n");
		return EXIT_USAGE;
	}
	if (o->kernel.kernel && o->cfg.mem_size > KERNEL_MAX_MEM) {
		fprintf(stderr, "mvrun: with --kernel, guest memory must end below the I/O APIC at 0xfec00000 (%llu MiB at most)\n",
			KERNEL_MAX_MEM >> 20);
		return EXIT_USAGE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .cpus = 1 };
	static struct vm vm;
	struct boot boot;
	bool multiboot;
	size_t i;
	int ret;

	ret = parse_options(argc, argv, &o);
	if (ret)
		return ret;
	vm.mem_size = o.cfg.mem_size;
	vm.nr_vcpus = o.cpus;
	vm.status = -1;
	vm.fd = create_vm(&o.cfg, &vm);
	if (vm.fd < 0)
		return EXIT_SETUP;
	/* The irqchip comes before any vCPU. */
	if (o.kernel.kernel && !o.no_irqchip && create_irqchip(&vm))
		return EXIT_SETUP;
	for (i = 0; i < sizeof(device_inits) / sizeof(device_inits[0]); i++)
		if (device_inits[i](&vm))
			return EXIT_SETUP;
	multiboot = o.kernel.kernel && !path_is_bzimage(o.path);
	if (multiboot && bios_setup_memory(&vm))
		return EXIT_SETUP;
	ret = o.kernel.kernel ? load_kernel(&vm, &o.kernel, &boot) :
				load_flat(&vm, o.path, &boot);
	if (ret || create_vcpus(&vm, &boot, o.features.n || o.features.enforce ?
					      &o.features : NULL))
		return EXIT_SETUP;
	if (multiboot && bios_setup_chips(&vm))
		return EXIT_SETUP;
	return run_vm(&vm);
}
