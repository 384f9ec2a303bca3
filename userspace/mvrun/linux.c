// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux x86 boot protocol (Documentation/x86/boot.rst) for a bzImage,
 * through its 64-bit entry point.
 *
 * A bzImage has "HdrS" at offset 0x202.  The header's version must be
 * 2.12 or later (Linux 3.8 on: the version that has xloadflags) and
 * xloadflags must have XLF_KERNEL_64, the promise of an entry point at the
 * load address + 0x200 in 64-bit mode.  Anything else is refused with the
 * reason (status 64): mvrun boots x86-64 kernels only.
 *
 * Why the 64-bit entry rather than the 32-bit one (the load address in
 * protected mode, paging off): it is the protocol's own entry for 64-bit
 * loaders, the one Firecracker and crosvm use, and it skips the
 * decompressor's 32-bit start-up, which builds page tables with paging
 * off and switches to long mode: fewer paging-mode changes for the shadow
 * MMU to follow, and the vCPU starts in the long mode the shadow MMU
 * tests most.  The price is an identity map built here (6 pages).
 *
 * What the kernel is given (guest-physical addresses):
 *
 *   0x000500   the GDT: null, null, 0x10 64-bit code, 0x18 data
 *   0x007000   the zero page (struct boot_params): the setup header
 *              copied from the file (0x1f1 up to 0x202 + byte 0x201), with
 *              type_of_loader 0xff, the command line and initrd pointers;
 *              the e820 map; everything else zero (no VGA: screen_info
 *              is empty, so Linux takes a dummy console)
 *   0x008ff0   the stack (RSP = RBP; the decompressor takes its own)
 *   0x009000   PML4, PDPT and four page directories: 0-4 GiB identity
 *              mapped with 2 MiB pages (the kernel, the zero page and the
 *              command line are all in it, as the protocol asks)
 *   0x020000   the command line (at most the header's cmdline_size)
 *   0x09fc00   the EBDA (1 KiB), whose segment and the base memory size
 *              (639 KiB) are in the BIOS data area (0x40e, 0x413), where
 *              the decompressor looks before it puts its trampoline below
 *   0x0f0000   the MP table (mptable.c), in the BIOS area
 *   0x100000   the protected-mode kernel (file offset (setup_sects+1)*512)
 *   top        the initrd: the highest page-aligned place below the end of
 *              RAM and the header's initrd_addr_max, above the range the
 *              kernel decompresses into (pref_address + init_size)
 *
 * e820 (a PC's legacy holes): RAM [0, 0x9fc00), reserved [0x9fc00,
 * 0xa0000) (EBDA), nothing [0xa0000, 0xf0000) (VGA and option ROMs),
 * reserved [0xf0000, 0x100000) (BIOS), RAM [1 MiB, end).
 *
 * vCPU 0 starts at 0x100200 in 64-bit mode (CR0.PG|PE, CR4.PAE,
 * EFER.LME|LMA, CR3 = 0x9000), CS = 0x10, DS = ES = FS = GS = SS = 0x18,
 * RSI = 0x7000, interrupts off.  The other vCPUs wait for the INIT/SIPI
 * Linux sends them, and find themselves in the MP table.
 *
 * The command line is this platform's defaults, then --append (Linux
 * takes the last of an option given twice, except console=, which adds a
 * console):
 *
 *   console=ttyS0    COM1 is the only console device
 *   reboot=k         reboot through the i8042's reset line (i8042.c)
 *   panic=-1         a panic reboots at once: mvrun ends with status 74
 *   acpi=off         no ACPI tables: the MP table describes the machine
 *   pci=off          no PCI host bridge: don't probe ports 0xcf8/0xcfc
 *   no_timer_check   skip the I/O APIC timer test (the PIT reaches pin 2)
 *   io_delay=none    no port 0x80 write after each slow port access
 *   8250.nr_uarts=1  only COM1: don't probe COM2-4
 *   tsc_early_khz=N  the host's TSC frequency from the module's CPUID
 *   tsc=reliable     leaf 0x40000010, which Linux reads only under VMware:
 *                    no calibration against the PIT, no watchdog or
 *                    synchronisation checks of a TSC that is the host's
 *                    invariant one on every vCPU
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvrun.h"

#define PAGE_SIZE		4096ULL
#define MIB			(1ULL << 20)
#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((a) - 1))

/* Where things go. */
#define GDT_ADDR		0x500
#define BDA_EBDA_SEGMENT	0x40e
#define BDA_BASE_MEM_KB		0x413
#define ZERO_PAGE_ADDR		0x7000
#define BOOT_STACK		0x8ff0
#define PML4_ADDR		0x9000
#define PDPT_ADDR		0xa000
#define PD_ADDR			0xb000	/* four of them */
#define CMDLINE_ADDR		0x20000
#define EBDA_ADDR		0x9fc00ULL
#define VGA_ADDR		0xa0000ULL
#define BIOS_ADDR		0xf0000ULL
#define KERNEL_ADDR		0x100000ULL
#define ENTRY_64		0x200

/* The setup header, at these offsets in the file and in the zero page. */
#define HDR_START		0x1f1
#define HDR_SETUP_SECTS		0x1f1
#define HDR_JUMP_END		0x201	/* the header ends at 0x202 + this byte */
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_MIN_END		(HDR_INIT_SIZE + 4)

/* The rest of the zero page. */
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define BP_SIZE			4096

#define LOADER_TYPE_UNDEFINED	0xff
#define LOADFLAGS_LOADED_HIGH	0x01
#define XLF_KERNEL_64		0x0001
#define MIN_VERSION		0x020c

#define E820_RAM		1
#define E820_RESERVED		2

/* When --mem is not given: enough for the kernel and a distribution's initrd. */
#define LINUX_DEFAULT_MEM	(512 * MIB)

/* Page-table entries: present, writable, and a 2 MiB page. */
#define PTE_P_RW		0x3ULL
#define PTE_PS			0x80ULL

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

bool is_bzimage(const struct file *f)
{
	return f->size >= HDR_MAGIC + 4 && !memcmp(f->data + HDR_MAGIC, "HdrS", 4);
}

bool path_is_bzimage(const char *path)
{
	char magic[4];
	bool yes = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (pread(fd, magic, 4, HDR_MAGIC) == 4 && !memcmp(magic, "HdrS", 4))
		yes = true;
	close(fd);
	return yes;
}

uint64_t linux_default_mem(void)
{
	return LINUX_DEFAULT_MEM;
}

/* What the header says, once checked. */
struct bzimage {
	size_t hdr_end;		/* file offset where the setup header ends */
	size_t pm_offset;	/* where the protected-mode kernel starts */
	uint16_t version;
	uint32_t initrd_addr_max, cmdline_size;
	uint64_t kernel_end;	/* end of what it decompresses into */
};

static int check_bzimage(struct vm *vm, const struct file *f, struct bzimage *bz)
{
	const uint8_t *d = f->data;
	unsigned int setup_sects;
	uint64_t pref, align, out;
	uint16_t xlf;

	bz->version = get16(d + HDR_VERSION);
	if (bz->version < MIN_VERSION) {
		fprintf(stderr, "mvrun: %s is a Linux bzImage of boot protocol %u.%02u: mvrun needs 2.12 or later (Linux 3.8 on), which says whether there is a 64-bit entry point\n",
			f->path, bz->version >> 8, bz->version & 0xff);
		return -1;
	}
	bz->hdr_end = HDR_MAGIC + d[HDR_JUMP_END];
	if (bz->hdr_end < HDR_MIN_END || bz->hdr_end > BP_E820_TABLE || bz->hdr_end > f->size) {
		fprintf(stderr, "mvrun: %s: its setup header would end at offset %#zx (the byte at 0x201 is %#x): damaged or truncated\n",
			f->path, bz->hdr_end, d[HDR_JUMP_END]);
		return -1;
	}
	xlf = get16(d + HDR_XLOADFLAGS);
	if (!(xlf & XLF_KERNEL_64)) {
		fprintf(stderr, "mvrun: %s has no 64-bit entry point (xloadflags %#x lack XLF_KERNEL_64): a 32-bit kernel? mvrun boots x86-64 kernels\n",
			f->path, xlf);
		return -1;
	}
	if (!(d[HDR_LOADFLAGS] & LOADFLAGS_LOADED_HIGH)) {
		fprintf(stderr, "mvrun: %s is a zImage (loadflags %#x: loaded low), not a bzImage\n",
			f->path, d[HDR_LOADFLAGS]);
		return -1;
	}
	setup_sects = d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4;
	bz->pm_offset = (setup_sects + 1) * 512;
	if (bz->pm_offset >= f->size) {
		fprintf(stderr, "mvrun: %s: its %u setup sectors leave no kernel in a file of %zu bytes: truncated?\n",
			f->path, setup_sects, f->size);
		return -1;
	}
	bz->initrd_addr_max = get32(d + HDR_INITRD_ADDR_MAX);
	bz->cmdline_size = get32(d + HDR_CMDLINE_SIZE);
	/*
	 * It decompresses to pref_address (a relocatable kernel: the load
	 * address rounded up to kernel_alignment, if that is higher), and
	 * needs init_size bytes from there.
	 */
	pref = get64(d + HDR_PREF_ADDRESS);
	align = get32(d + HDR_KERNEL_ALIGNMENT);
	out = pref;
	if (d[HDR_RELOCATABLE] && align && !(align & (align - 1)) &&
	    ALIGN_UP(KERNEL_ADDR, align) > out)
		out = ALIGN_UP(KERNEL_ADDR, align);
	bz->kernel_end = out + get32(d + HDR_INIT_SIZE);
	if (bz->kernel_end < KERNEL_ADDR + (f->size - bz->pm_offset))
		bz->kernel_end = KERNEL_ADDR + (f->size - bz->pm_offset);
	if (bz->kernel_end > vm->mem_size) {
		fprintf(stderr, "mvrun: %s needs at least %llu MiB of guest memory (it decompresses into [%#llx, %#llx)); use --mem\n",
			f->path, (unsigned long long)(bz->kernel_end + MIB - 1) / MIB,
			(unsigned long long)out, (unsigned long long)bz->kernel_end);
		return -1;
	}
	return 0;
}

/* The platform's defaults, then @append: a malloc()ed string. */
static char *linux_cmdline(struct vm *vm, const char *append)
{
	static const char defaults[] =
		"console=ttyS0 reboot=k panic=-1 acpi=off pci=off no_timer_check "
		"io_delay=none 8250.nr_uarts=1";
	char tsc[64] = "";
	char *s;

	if (vm->tsc_khz)
		snprintf(tsc, sizeof(tsc), " tsc_early_khz=%u tsc=reliable", vm->tsc_khz);
	if (asprintf(&s, "%s%s%s%s", defaults, tsc, append && *append ? " " : "",
		     append ? append : "") < 0)
		return NULL;
	return s;
}

static int e820_map(struct vm *vm, uint8_t *bp)
{
	const struct { uint64_t start, end; uint32_t type; } map[] = {
		{ 0, EBDA_ADDR, E820_RAM },
		{ EBDA_ADDR, VGA_ADDR, E820_RESERVED },
		{ BIOS_ADDR, KERNEL_ADDR, E820_RESERVED },
		{ KERNEL_ADDR, vm->mem_size, E820_RAM },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		uint8_t *e = bp + BP_E820_TABLE + 20 * i;

		put64(e, map[i].start);
		put64(e + 8, map[i].end - map[i].start);
		put32(e + 16, map[i].type);
	}
	bp[BP_E820_ENTRIES] = i;
	return 0;
}

/* The GDT, the identity map, the BIOS data area: the low pages. */
static int write_low_memory(struct vm *vm)
{
	static const uint64_t gdt[4] = {
		0, 0,
		0x00af9b000000ffffULL,	/* 0x10: 64-bit code, execute/read */
		0x00cf93000000ffffULL,	/* 0x18: data, 4 GiB, read/write */
	};
	uint64_t *pt = calloc(6, PAGE_SIZE);
	uint8_t bda[0x20] = { 0 };
	int i, ret;

	if (!pt)
		return -1;
	pt[0] = PDPT_ADDR | PTE_P_RW;
	for (i = 0; i < 4; i++)
		pt[512 + i] = (PD_ADDR + i * PAGE_SIZE) | PTE_P_RW;
	for (i = 0; i < 4 * 512; i++)
		pt[1024 + i] = ((uint64_t)i << 21) | PTE_PS | PTE_P_RW;
	put16(bda + BDA_EBDA_SEGMENT - 0x400, EBDA_ADDR >> 4);
	put16(bda + BDA_BASE_MEM_KB - 0x400, EBDA_ADDR >> 10);
	ret = vm_write(vm, PML4_ADDR, pt, 6 * PAGE_SIZE) ||
	      vm_write(vm, GDT_ADDR, gdt, sizeof(gdt)) ||
	      vm_write(vm, 0x400, bda, sizeof(bda)) ? -1 : 0;
	free(pt);
	return ret;
}

/* Where the initrd goes (0 and a message when nowhere). */
static uint64_t place_initrd(struct vm *vm, const struct bzimage *bz,
			     const struct file *initrd)
{
	uint64_t top = vm->mem_size, base;

	if ((uint64_t)bz->initrd_addr_max + 1 < top)
		top = (uint64_t)bz->initrd_addr_max + 1;
	base = top >= initrd->size ? ALIGN_DOWN(top - initrd->size, PAGE_SIZE) : 0;
	if (base < bz->kernel_end) {
		fprintf(stderr, "mvrun: no room for %s (%zu bytes) between the kernel's end (%#llx) and %#llx (the end of RAM or the kernel's initrd_addr_max); use --mem\n",
			initrd->path, initrd->size, (unsigned long long)bz->kernel_end,
			(unsigned long long)top);
		return 0;
	}
	return base;
}

/* The zero page: the header, loader type, command line, initrd, e820. */
static void fill_zero_page(struct vm *vm, uint8_t *bp, const struct file *k,
			   const struct bzimage *bz, uint64_t initrd_base,
			   size_t initrd_size)
{
	memcpy(bp + HDR_START, k->data + HDR_START, bz->hdr_end - HDR_START);
	bp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_UNDEFINED;
	put32(bp + HDR_CMD_LINE_PTR, CMDLINE_ADDR);
	put32(bp + BP_EXT_CMD_LINE_PTR, 0);
	put32(bp + HDR_RAMDISK_IMAGE, initrd_base);
	put32(bp + HDR_RAMDISK_SIZE, initrd_size);
	put32(bp + BP_EXT_RAMDISK_IMAGE, initrd_base >> 32);
	put32(bp + BP_EXT_RAMDISK_SIZE, (uint64_t)initrd_size >> 32);
	e820_map(vm, bp);
}

static int write_or_say(struct vm *vm, uint64_t gpa, const void *buf, size_t len,
			const char *what)
{
	if (!vm_write(vm, gpa, buf, len))
		return 0;
	fprintf(stderr, "mvrun: cannot write %s to guest memory: %s\n", what, strerror(errno));
	return -1;
}

int load_linux(struct vm *vm, const struct kernel_args *args,
	       const struct file *kernel, struct boot *boot)
{
	struct file initrd = { .size = 0 };
	uint8_t *bp = calloc(1, BP_SIZE);
	uint64_t initrd_base = 0;
	struct bzimage bz;
	char *cmdline = NULL;
	size_t len;
	int ret = -1;

	if (!bp)
		return -1;
	if (check_bzimage(vm, kernel, &bz))
		goto out;
	if (args->initrd && map_file(args->initrd, &initrd, NULL))
		goto out;
	if (initrd.size && !(initrd_base = place_initrd(vm, &bz, &initrd)))
		goto out;
	cmdline = linux_cmdline(vm, args->append);
	if (!cmdline)
		goto out;
	len = strlen(cmdline);
	if (len > bz.cmdline_size) {
		fprintf(stderr, "mvrun: the kernel's command line (the defaults, then --append) is %zu bytes; %s takes %u at most\n",
			len, kernel->path, bz.cmdline_size);
		goto out;
	}
	fill_zero_page(vm, bp, kernel, &bz, initrd_base, initrd.size);
	if (write_low_memory(vm) ||
	    write_or_say(vm, KERNEL_ADDR, kernel->data + bz.pm_offset,
			 kernel->size - bz.pm_offset, "the kernel") ||
	    (initrd.size && write_or_say(vm, initrd_base, initrd.data, initrd.size, "the initrd")) ||
	    write_or_say(vm, CMDLINE_ADDR, cmdline, len + 1, "the command line") ||
	    write_or_say(vm, ZERO_PAGE_ADDR, bp, BP_SIZE, "the zero page") ||
	    mptable_write(vm, BIOS_ADDR))
		goto out;
	boot->long_mode = true;
	boot->rip = KERNEL_ADDR + ENTRY_64;
	boot->rsi = ZERO_PAGE_ADDR;
	boot->esp = BOOT_STACK;
	boot->cr3 = PML4_ADDR;
	boot->gdt_base = GDT_ADDR;
	vm->linux_guest = true;
	if (verbose)
		fprintf(stderr, "mvrun: Linux boot protocol %u.%02u, kernel at %#llx (decompressing up to %#llx), initrd at %#llx (%zu bytes), command line: %s\n",
			bz.version >> 8, bz.version & 0xff, KERNEL_ADDR,
			(unsigned long long)bz.kernel_end, (unsigned long long)initrd_base,
			initrd.size, cmdline);
	ret = 0;
out:
	free(cmdline);
	free(bp);
	unmap_file(&initrd);
	return ret;
}
