/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvrun's pieces and what they share:
 *
 *   mvrun.c      options, the VM and its vCPU threads, the exit loop
 *   iobus.c      the port I/O bus: devices register a port range, exits
 *                are dispatched to them, the rest is counted
 *   serial.c     COM1, an 8250/16550A UART on IRQ 4 (transmit and receive)
 *   console.c    the host side of COM1: stdin (raw, with the Ctrl-A
 *                escape, when it is our terminal) and stdout
 *   i8042.c      ports 0x60/0x64: a keyboard controller with nothing
 *                attached, there for its reset line (Linux's reboot=k)
 *   rtc.c        ports 0x70/0x71: the CMOS clock, with the host's time
 *   debugcon.c   port 0xe9, QEMU's debug console
 *   debugexit.c  port 0xf4, QEMU's isa-debug-exit
 *   fwcfg.c      ports 0x510/0x511, QEMU's fw_cfg (the items
 *                kvm-unit-tests read)
 *   testdev.c    QEMU's pc-testdev: interrupt lines at 0x2000, a scratch
 *                port at 0xe0, a flush port at 0xe4, 64 KiB of MMIO
 *                scratch memory at 0xff000000
 *   loader.c     the boot protocols: a flat binary in real mode, a
 *                multiboot v1 kernel (ELF32) in protected mode
 *   linux.c      the Linux x86 boot protocol (bzImage, 64-bit entry),
 *                its default command line
 *   mptable.c    the MP table: the vCPUs, the I/O APIC, the ISA IRQs
 *   lifecycle.c  how a guest ends: poweroff, reboot, panic
 *   cpufeat.c    --cpu-features: CPUID feature bits by QEMU's names
 *   bios.c       what a PC BIOS leaves for a multiboot kernel: the IVT,
 *                the 8259s, the 8254 tick, vCPU 0's LINT0/LINT1
 */
#ifndef MVRUN_H
#define MVRUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/minivisor.h>

enum {
	EXIT_USAGE = 2,
	EXIT_SETUP = 64,
	EXIT_CRASH = 66,
	EXIT_INTERNAL = 68,
	EXIT_REBOOT = 70,
	EXIT_DESTROYED = 72,
	EXIT_PANIC = 74,
	/* Ctrl-A x at the console: as if Ctrl-C (SIGINT) had stopped mvrun. */
	EXIT_QUIT = 130,
};

struct vm;

struct vcpu {
	struct vm *vm;
	int index;
	int fd;
	struct mv_run *run;
	pthread_t thread;
	bool started;
};

struct vm {
	int fd;
	uint64_t mem_size;
	int nr_vcpus;
	bool irqchip;
	/* A Linux kernel (bzImage): its console messages say how it ends. */
	bool linux_guest;
	/* The host's TSC in kHz, from the module's CPUID leaf 0x40000010; 0 if unknown. */
	uint32_t tsc_khz;
	/* CPUID.1 EAX and EDX of the module's default table (the MP table's CPUs). */
	uint32_t cpu_signature, cpu_features;
	struct vcpu vcpus[MV_MAX_VCPUS];
	/* The first status that ends the VM wins; -1 while it runs. */
	int status;
	pthread_t main_thread;
};

extern bool verbose;

/*
 * Ends the VM with @status (the first caller wins; later ones are
 * ignored).  Any thread may call it: the main thread wakes up, stops every
 * vCPU thread and exits with the status.
 */
void vm_stop(struct vm *vm, int status);
bool vm_stopping(struct vm *vm);

/* Copies @len bytes to guest-physical @gpa; 0, or -1 with errno. */
int vm_write(struct vm *vm, uint64_t gpa, const void *buf, uint64_t len);

/*
 * iobus.c.  A device owns [base, base + len).  Handlers get the offset in
 * that range and the access size (1, 2 or 4 bytes; data little-endian in
 * the low bytes of the value).  String instructions arrive one element at
 * a time.  Handlers run under the bus lock, one at a time for all vCPUs.
 */
struct io_dev {
	const char *name;
	uint16_t base, len;
	uint32_t (*in)(struct io_dev *dev, uint16_t off, int size);
	void (*out)(struct io_dev *dev, uint16_t off, int size, uint32_t val);
	void *priv;
};

/* Adds a device; -1 (with a message) if its range overlaps another's. */
int io_register(struct io_dev *dev);
/* The bus lock, for threads other than vCPUs that touch a device's state. */
extern pthread_mutex_t io_bus_lock;
/* Handles an MV_EXIT_IO exit of @run. */
void io_exit(struct mv_run *run);
/* An MMIO exit: nothing is there; counted by address. */
void mmio_unhandled(uint64_t gpa, uint32_t len, bool write);
/* With --verbose: the ports and MMIO no device handled, with their counts. */
void io_report_unhandled(void);

/* The devices, registered in this order by mvrun.c; 0 or -1. */
int serial_init(struct vm *vm);
int i8042_init(struct vm *vm);
int rtc_init(struct vm *vm);
int debugcon_init(struct vm *vm);
int debugexit_init(struct vm *vm);
int fwcfg_init(struct vm *vm);
int testdev_init(struct vm *vm);

/* pc-testdev's MMIO memory; testdev_mmio() handles an exit there (true). */
#define TESTDEV_IOMEM_BASE	0xff000000ULL
#define TESTDEV_IOMEM_SIZE	0x10000
bool testdev_mmio(struct mv_run *run);

/*
 * serial.c: bytes typed at the console go to COM1's receiver.  Waits
 * (without the bus lock) while its FIFO is full; returns once all are in.
 */
void serial_receive(const uint8_t *buf, size_t len);

/* console.c.  Guest output (COM1, debug console) to stdout. */
void console_write(const uint8_t *buf, size_t len);
/*
 * Starts reading stdin for COM1 (a thread): raw, with the Ctrl-A escape,
 * when stdin is the terminal mvrun runs in the foreground of; as it comes
 * when it is a pipe or a file; not at all when it is a terminal mvrun
 * does not own.  The terminal is restored on every way out.  0 or -1.
 */
int console_start(struct vm *vm);
/* Puts the terminal back as it was (idempotent, async-signal-safe). */
void console_restore(void);

/*
 * lifecycle.c: the end of a guest's life.  lifecycle_reset() is the CPU
 * reset line (the i8042's); lifecycle_console() sees each byte a Linux
 * guest's kernel writes to its console (printk, not the tty).
 */
void lifecycle_reset(struct vm *vm);
void lifecycle_console(struct vm *vm, uint8_t c);

/*
 * loader.c: where and how vCPU 0 starts.  The loaders print why they
 * refuse a file and return -1 (mvrun then exits with EXIT_SETUP).
 */
struct boot {
	bool protected_mode;	/* else real mode, CS:IP = 1000:0000 */
	uint32_t eip, eax, ebx, esp;
	uint32_t gdt_base;	/* a flat GDT: null, code 0x08, data 0x10 */
	/*
	 * 64-bit mode instead (Linux's 64-bit entry): paging on with CR3 =
	 * @cr3, CS 0x10 (64-bit code) and 0x18 (data) of the GDT at
	 * @gdt_base, RIP = @rip, RSI = @rsi, RSP = RBP = @esp.
	 */
	bool long_mode;
	uint64_t rip, rsi, cr3;
};

struct kernel_args {
	const char *kernel;	/* the file; also argv[0] of the cmdline */
	const char *initrd;	/* NULL: no module */
	const char *append;	/* NULL: nothing after argv[0] */
};

/* A file mapped read-only (loader.c). */
struct file {
	const char *path;
	const uint8_t *data;
	size_t size;
};

/* Maps @path; an empty file is refused as not @what (allowed if NULL). */
int map_file(const char *path, struct file *f, const char *what);
void unmap_file(struct file *f);

int load_flat(struct vm *vm, const char *path, struct boot *boot);
/* --kernel: a bzImage (linux.c), else a multiboot kernel. */
int load_kernel(struct vm *vm, const struct kernel_args *args,
		struct boot *boot);
/* linux.c */
bool is_bzimage(const struct file *f);
/* Whether @path is a bzImage (a quick look, before the VM exists). */
bool path_is_bzimage(const char *path);
/* Guest memory for a bzImage when --mem is not given. */
uint64_t linux_default_mem(void);
int load_linux(struct vm *vm, const struct kernel_args *args,
	       const struct file *kernel, struct boot *boot);
/* mptable.c: the MP table at @base (in the BIOS area); 0 or -1. */
int mptable_write(struct vm *vm, uint64_t base);
#define MPTABLE_MAX_SIZE	4096
/* Gives a vCPU the state @boot describes; 0, or -1 with errno. */
int boot_set_entry(int vcpu_fd, const struct boot *boot);

/*
 * bios.c, for --kernel: bios_setup_memory() writes the real-mode IVT and
 * its stubs (before the kernel is loaded), bios_setup_chips() programs
 * the irqchip as SeaBIOS leaves it (after the vCPUs are created).  0, or
 * -1 after saying why.
 */
int bios_setup_memory(struct vm *vm);
int bios_setup_chips(struct vm *vm);

/*
 * cpufeat.c: a --cpu-features list parsed into what to turn on and off.
 * cpu_features_parse() adds a list's items to @fs (several lists add up;
 * the last word on a feature wins); 0, or -1 after saying what is wrong.
 */
#define MAX_CPU_FEATURES	64

struct cpu_feature {
	const char *name;	/* QEMU's name */
	int word, bit;		/* where it lives (cpufeat.c's table) */
	bool on;
};

struct cpu_features {
	int n;
	bool enforce;		/* a feature that cannot be on is an error */
	struct cpu_feature f[MAX_CPU_FEATURES];
};

int cpu_features_parse(const char *spec, struct cpu_features *fs);
/* Every name, by CPUID leaf and register ('mvrun --cpu-features help'). */
void cpu_features_list(FILE *out);
/*
 * Changes the CPUID table @t as @fs says.  A feature to turn on that @t
 * lacks stays off with a warning on stderr (none if @quiet); with
 * enforce, that is an error: -1, and @t may be half changed.
 */
int cpu_features_apply(struct mv_cpuid *t, const struct cpu_features *fs, bool quiet);
/* The same on a vCPU's table (MV_GET_CPUID, MV_SET_CPUID); 0 or -1. */
int cpu_features_set(int vcpu_fd, const struct cpu_features *fs, bool quiet);

#endif
