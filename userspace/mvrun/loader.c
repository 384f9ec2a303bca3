// SPDX-License-Identifier: GPL-2.0
/*
 * The boot protocols.
 *
 * Flat binary: the file is copied to guest-physical 0x10000 and vCPU 0
 * starts in real mode at CS:IP = 1000:0000 (kvmtool's convention).
 *
 * Multiboot v1 (kvm-unit-tests' .flat files, GRUB's "multiboot"): an ELF32
 * file with a multiboot header (magic 0x1badb002, flags, checksum) in its
 * first 8 KiB.  The header's flags are 0 in kvm-unit-tests, so the ELF
 * program headers say where the kernel goes: each PT_LOAD segment's
 * p_filesz bytes at p_paddr, zeros up to p_memsz (guest RAM starts out
 * zeroed, so the zeros cost nothing).  vCPU 0 enters at e_entry in 32-bit
 * protected mode with paging off, CS a flat 4 GiB code segment, DS, ES,
 * FS, GS and SS flat data segments (selectors 0x08 and 0x10 of a GDT that
 * mvrun provides, though the kernel must load its own), interrupts off,
 * EAX = 0x2badb002 and EBX = the multiboot information.
 *
 * Guest memory, as the information's memory map tells it (PLATFORM.md):
 *
 *   [0, 0x9fc00)            RAM ("lower memory")
 *   [0x9fc00, 0x100000)     reserved (EBDA, VGA, ROMs on a PC): no
 *                           segment may go there
 *   [0x100000, mem)         RAM ("upper memory")
 *
 * The information block (a 4 KiB stack for the entry, the GDT, the
 * information, the memory map, the module list, the command line, the
 * boot loader's name) goes at the top of lower memory, or as high below
 * it as no segment is in the way; the module (--initrd) above the
 * kernel's end, page-aligned, where kvm-unit-tests and QEMU expect it.
 * Every address is checked against the file and guest RAM first: a file
 * that does not fit is refused with the reason, never half loaded.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvrun.h"

#define PAGE_SIZE		4096ULL
#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((a) - 1))

#define FLAT_LOAD_ADDR		0x10000

#define LOW_RAM_END		0x9fc00ULL
#define HIGH_RAM_START		0x100000ULL

#define MB_HEADER_MAGIC		0x1badb002
#define MB_BOOT_MAGIC		0x2badb002
#define MB_SEARCH_BYTES		8192
/* Header flags: bits 0-15 must be understood, bit 16 is the a.out kludge. */
#define MB_HDR_PAGE_ALIGN	(1u << 0)
#define MB_HDR_MEMORY_INFO	(1u << 1)
#define MB_HDR_AOUT_KLUDGE	(1u << 16)
#define MB_HDR_REQUIRED		0xffffu

/* Information flags. */
#define MB_INFO_MEMORY		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MODS		(1u << 3)
#define MB_INFO_MMAP		(1u << 6)
#define MB_INFO_LOADER_NAME	(1u << 9)

#define MB_MMAP_RAM		1
#define MB_MMAP_RESERVED	2

#define MAX_SEGMENTS		64
#define CMDLINE_MAX		16384
#define ENTRY_STACK		4096

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;	/* KiB below 640K, KiB from 1 MiB on */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[6];
	uint32_t framebuffer[8];
};

struct mb_module {
	uint32_t start, end;		/* [start, end) */
	uint32_t string;
	uint32_t reserved;
};

struct mb_mmap_entry {
	uint32_t size;			/* of the rest: 20 */
	uint64_t base, length;
	uint32_t type;
} __attribute__((packed));

struct range {
	uint64_t start, end;		/* [start, end) */
};

int map_file(const char *path, struct file *f, const char *what)
{
	struct stat st;
	int fd;

	f->path = path;
	f->data = NULL;
	f->size = 0;
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
	if (!st.st_size) {
		close(fd);
		if (!what)
			return 0;
		fprintf(stderr, "mvrun: %s is empty: not %s\n", path, what);
		return -1;
	}
	f->data = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f->data == MAP_FAILED) {
		fprintf(stderr, "mvrun: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	f->size = st.st_size;
	return 0;
}

void unmap_file(struct file *f)
{
	if (f->size)
		munmap((void *)f->data, f->size);
}

int load_flat(struct vm *vm, const char *path, struct boot *boot)
{
	struct file f;
	int ret = 0;

	if (map_file(path, &f, NULL))
		return -1;
	if (!f.size || f.size > vm->mem_size - FLAT_LOAD_ADDR) {
		fprintf(stderr, "mvrun: %s is %s: it must fit between 0x10000 and the end of guest memory (%llu bytes; use --mem)\n",
			path, f.size ? "too big" : "empty",
			(unsigned long long)(vm->mem_size - FLAT_LOAD_ADDR));
		unmap_file(&f);
		return -1;
	}
	if (vm_write(vm, FLAT_LOAD_ADDR, f.data, f.size)) {
		fprintf(stderr, "mvrun: cannot load the image: %s\n", strerror(errno));
		ret = -1;
	}
	unmap_file(&f);
	memset(boot, 0, sizeof(*boot));
	return ret;
}

/* The multiboot header: 4-byte aligned in the first 8 KiB, checksummed. */
static const uint32_t *find_mb_header(const struct file *f)
{
	size_t off, end = f->size < MB_SEARCH_BYTES ? f->size : MB_SEARCH_BYTES;

	for (off = 0; off + 12 <= end; off += 4) {
		const uint32_t *h = (const uint32_t *)(f->data + off);

		if (h[0] == MB_HEADER_MAGIC && h[0] + h[1] + h[2] == 0)
			return h;
	}
	return NULL;
}

static bool is_elf(const struct file *f)
{
	return f->size >= SELFMAG && !memcmp(f->data, ELFMAG, SELFMAG);
}

static int check_headers(const struct file *f, const Elf32_Ehdr **ehp)
{
	const uint32_t *mb = find_mb_header(f);
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)f->data;
	const char *p = f->path;

	if (!mb) {
		if (is_elf(f) && f->size > EI_CLASS && f->data[EI_CLASS] == ELFCLASS64)
			fprintf(stderr, "mvrun: %s is an ELF64 file without a multiboot header: not a multiboot kernel (an ELF32 with the magic 0x1badb002 in its first 8 KiB)\n", p);
		else if (is_elf(f))
			fprintf(stderr, "mvrun: %s is an ELF file without a multiboot header: not a multiboot kernel (the magic 0x1badb002 must be in its first 8 KiB)\n", p);
		else
			fprintf(stderr, "mvrun: %s is neither a Linux bzImage (no \"HdrS\" at offset 0x202) nor a multiboot kernel (no ELF header, no multiboot header)\n", p);
		return -1;
	}
	if (mb[1] & MB_HDR_AOUT_KLUDGE) {
		fprintf(stderr, "mvrun: %s asks to be loaded by its multiboot header's addresses (flag 16, the a.out kludge): mvrun only loads ELF program headers\n", p);
		return -1;
	}
	if (mb[1] & MB_HDR_REQUIRED & ~(MB_HDR_PAGE_ALIGN | MB_HDR_MEMORY_INFO)) {
		fprintf(stderr, "mvrun: %s's multiboot header requires features mvrun lacks (flags %#x; only 0x1, page-aligned modules, and 0x2, memory information, are offered)\n",
			p, mb[1]);
		return -1;
	}
	if (!is_elf(f) || f->size < sizeof(*eh)) {
		fprintf(stderr, "mvrun: %s has a multiboot header but is not an ELF file: mvrun only loads ELF32 multiboot kernels\n", p);
		return -1;
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS32) {
		fprintf(stderr, "mvrun: %s is not an ELF32 file: multiboot kernels are ELF32 (objcopy -O elf32-i386 makes one)\n", p);
		return -1;
	}
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_386 ||
	    eh->e_type != ET_EXEC) {
		fprintf(stderr, "mvrun: %s is not a little-endian i386 executable (ELF data %u, machine %u, type %u)\n",
			p, eh->e_ident[EI_DATA], eh->e_machine, eh->e_type);
		return -1;
	}
	if (!eh->e_phnum) {
		fprintf(stderr, "mvrun: %s has no program headers: nothing says where it goes\n", p);
		return -1;
	}
	if (eh->e_phentsize != sizeof(Elf32_Phdr) ||
	    eh->e_phoff % 4 || eh->e_phoff > f->size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > f->size - eh->e_phoff) {
		fprintf(stderr, "mvrun: %s: its program headers (%u of %u bytes at offset %u) are not within the file (%zu bytes): truncated or damaged\n",
			p, eh->e_phnum, eh->e_phentsize, eh->e_phoff, f->size);
		return -1;
	}
	*ehp = eh;
	return 0;
}

/* The physical ranges segments take, in the file's order; -1 when bad. */
static int check_segments(struct vm *vm, const struct file *f, const Elf32_Ehdr *eh,
			  struct range *segs, int *nr, uint32_t *entry)
{
	const Elf32_Phdr *ph = (const Elf32_Phdr *)(f->data + eh->e_phoff);
	bool entry_found = false;
	int i, j, n = 0;

	for (i = 0; i < eh->e_phnum; i++) {
		const Elf32_Phdr *s = &ph[i];
		uint64_t start = s->p_paddr, end = start + s->p_memsz;

		if (s->p_type != PT_LOAD || !s->p_memsz)
			continue;
		if (n == MAX_SEGMENTS) {
			fprintf(stderr, "mvrun: %s has more than %d loadable segments\n",
				f->path, MAX_SEGMENTS);
			return -1;
		}
		if (s->p_filesz > s->p_memsz) {
			fprintf(stderr, "mvrun: %s: segment %d has more bytes in the file (%u) than in memory (%u)\n",
				f->path, i, s->p_filesz, s->p_memsz);
			return -1;
		}
		if (s->p_offset > f->size || s->p_filesz > f->size - s->p_offset) {
			fprintf(stderr, "mvrun: %s: segment %d (%u bytes at file offset %u) runs past the end of the file (%zu bytes): truncated?\n",
				f->path, i, s->p_filesz, s->p_offset, f->size);
			return -1;
		}
		if (end > vm->mem_size) {
			fprintf(stderr, "mvrun: %s: segment %d [%#llx, %#llx) lies outside guest RAM (%llu MiB; use --mem)\n",
				f->path, i, (unsigned long long)start, (unsigned long long)end,
				(unsigned long long)(vm->mem_size >> 20));
			return -1;
		}
		if (start < HIGH_RAM_START && end > LOW_RAM_END) {
			fprintf(stderr, "mvrun: %s: segment %d [%#llx, %#llx) overlaps the reserved area [0x9fc00, 0x100000)\n",
				f->path, i, (unsigned long long)start, (unsigned long long)end);
			return -1;
		}
		for (j = 0; j < n; j++) {
			if (start < segs[j].end && segs[j].start < end) {
				fprintf(stderr, "mvrun: %s: segment %d [%#llx, %#llx) overlaps an earlier one\n",
					f->path, i, (unsigned long long)start,
					(unsigned long long)end);
				return -1;
			}
		}
		/* Paging is off: the entry's virtual address is translated. */
		if (!entry_found && eh->e_entry >= s->p_vaddr &&
		    eh->e_entry - s->p_vaddr < s->p_memsz) {
			*entry = eh->e_entry - s->p_vaddr + s->p_paddr;
			entry_found = true;
		}
		segs[n].start = start;
		segs[n++].end = end;
	}
	if (!n) {
		fprintf(stderr, "mvrun: %s has no loadable segment\n", f->path);
		return -1;
	}
	if (!entry_found) {
		fprintf(stderr, "mvrun: %s: its entry point %#x lies in no loadable segment\n",
			f->path, eh->e_entry);
		return -1;
	}
	*nr = n;
	return 0;
}

static const struct range *overlap(const struct range *used, int n, uint64_t start,
				   uint64_t end)
{
	int i;

	for (i = 0; i < n; i++)
		if (start < used[i].end && used[i].start < end)
			return &used[i];
	return NULL;
}

/* The highest page-aligned [base, base + size) in [lo, hi) that is free. */
static uint64_t find_free_down(const struct range *used, int n, uint64_t lo,
			       uint64_t hi, uint64_t size)
{
	const struct range *r;
	uint64_t base;

	if (hi < lo + size)
		return 0;
	base = ALIGN_DOWN(hi - size, PAGE_SIZE);
	while (base >= lo) {
		r = overlap(used, n, base, base + size);
		if (!r)
			return base;
		if (r->start < lo + size)
			return 0;
		base = ALIGN_DOWN(r->start - size, PAGE_SIZE);
	}
	return 0;
}

/* The lowest page-aligned [base, base + size) in [lo, hi) that is free. */
static uint64_t find_free_up(const struct range *used, int n, uint64_t lo,
			     uint64_t hi, uint64_t size)
{
	const struct range *r;
	uint64_t base = ALIGN_UP(lo, PAGE_SIZE);

	while (base + size <= hi) {
		r = overlap(used, n, base, base + size);
		if (!r)
			return base;
		base = ALIGN_UP(r->end, PAGE_SIZE);
	}
	return 0;
}

/* The information block, built in a buffer and written in one go. */
struct info_block {
	uint8_t *buf;
	size_t size, used;
	uint64_t base;			/* guest-physical address of buf */
};

static uint32_t put(struct info_block *b, const void *data, size_t len, size_t align)
{
	size_t off = ALIGN_UP(b->used, align);

	memcpy(b->buf + off, data, len);
	b->used = off + len;
	return b->base + off;
}

static size_t mmap_entries(uint64_t mem, struct mb_mmap_entry *e)
{
	size_t n = 0;

	e[n++] = (struct mb_mmap_entry){ 20, 0, mem < LOW_RAM_END ? mem : LOW_RAM_END, MB_MMAP_RAM };
	if (mem > LOW_RAM_END)
		e[n++] = (struct mb_mmap_entry){ 20, LOW_RAM_END, HIGH_RAM_START - LOW_RAM_END,
						 MB_MMAP_RESERVED };
	if (mem > HIGH_RAM_START)
		e[n++] = (struct mb_mmap_entry){ 20, HIGH_RAM_START, mem - HIGH_RAM_START,
						 MB_MMAP_RAM };
	return n;
}

/* Fills @b (its base already chosen) and returns the information's address. */
static uint32_t build_info(struct vm *vm, struct info_block *b, const char *cmdline,
			   const struct mb_module *mod, const char *mod_string)
{
	static const uint64_t gdt[3] = {
		0,
		0x00cf9b000000ffffULL,	/* 0x08: code, 4 GiB, 32-bit, execute/read */
		0x00cf93000000ffffULL,	/* 0x10: data, 4 GiB, read/write */
	};
	static const char loader[] = "mvrun " MV_TOOLS_VERSION;
	struct mb_mmap_entry map[3];
	struct mb_module m;
	struct mb_info info = { 0 };
	size_t n = mmap_entries(vm->mem_size, map);
	uint32_t info_addr;

	b->used = ENTRY_STACK;
	put(b, gdt, sizeof(gdt), 8);
	info_addr = put(b, &info, sizeof(info), 8);
	info.flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MMAP | MB_INFO_LOADER_NAME;
	info.mem_lower = (vm->mem_size < LOW_RAM_END ? vm->mem_size : LOW_RAM_END) >> 10;
	info.mem_upper = vm->mem_size > HIGH_RAM_START ? (vm->mem_size - HIGH_RAM_START) >> 10 : 0;
	info.mmap_addr = put(b, map, n * sizeof(map[0]), 8);
	info.mmap_length = n * sizeof(map[0]);
	if (mod) {
		m = *mod;
		m.string = put(b, mod_string, strlen(mod_string) + 1, 1);
		info.flags |= MB_INFO_MODS;
		info.mods_count = 1;
		info.mods_addr = put(b, &m, sizeof(m), 8);
	}
	info.boot_loader_name = put(b, loader, sizeof(loader), 1);
	info.cmdline = put(b, cmdline, strlen(cmdline) + 1, 1);
	memcpy(b->buf + (info_addr - b->base), &info, sizeof(info));
	return info_addr;
}

static char *make_cmdline(const struct kernel_args *args)
{
	const char *append = args->append ? args->append : "";
	size_t klen = strlen(args->kernel), alen = strlen(append);
	char *s;

	if (klen + 1 + alen + 1 > CMDLINE_MAX) {
		fprintf(stderr, "mvrun: the kernel's command line (its file name, then --append) is %zu bytes: %d at most\n",
			klen + 1 + alen + 1, CMDLINE_MAX);
		return NULL;
	}
	s = malloc(klen + 1 + alen + 1);
	if (!s)
		return NULL;
	memcpy(s, args->kernel, klen);
	s[klen] = ' ';
	memcpy(s + klen + 1, append, alen + 1);
	if (!alen)
		s[klen] = 0;
	return s;
}

static int load_segments(struct vm *vm, const struct file *f, const Elf32_Ehdr *eh)
{
	const Elf32_Phdr *ph = (const Elf32_Phdr *)(f->data + eh->e_phoff);
	int i;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_filesz)
			continue;
		if (vm_write(vm, ph[i].p_paddr, f->data + ph[i].p_offset, ph[i].p_filesz)) {
			fprintf(stderr, "mvrun: cannot load segment %d of %s: %s\n",
				i, f->path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Chooses where the information block and the module go. */
static int place(struct vm *vm, struct range *used, int n, size_t info_size,
		 size_t mod_size, const char *initrd, uint64_t *info_base,
		 uint64_t *mod_base)
{
	uint64_t kernel_end = 0, low_end;
	int i;

	for (i = 0; i < n; i++)
		if (used[i].end > kernel_end)
			kernel_end = used[i].end;
	/* The reserved area is no place for anything. */
	used[n].start = LOW_RAM_END;
	used[n++].end = HIGH_RAM_START;
	low_end = vm->mem_size < LOW_RAM_END ? vm->mem_size : LOW_RAM_END;
	/* Page 0 stays free: kvm-unit-tests put their AP trampoline there. */
	*info_base = find_free_down(used, n, PAGE_SIZE, low_end, info_size);
	if (!*info_base)
		*info_base = find_free_up(used, n, HIGH_RAM_START, vm->mem_size, info_size);
	if (!*info_base) {
		fprintf(stderr, "mvrun: no room for the multiboot information (%zu bytes) next to the kernel; use --mem\n",
			info_size);
		return -1;
	}
	used[n].start = *info_base;
	used[n++].end = *info_base + info_size;
	if (!initrd)
		return 0;
	*mod_base = find_free_up(used, n, kernel_end, vm->mem_size, mod_size);
	if (!*mod_base) {
		fprintf(stderr, "mvrun: no room for %s (%zu bytes) above the kernel's end (%#llx) in %llu MiB of guest memory; use --mem\n",
			initrd, mod_size, (unsigned long long)kernel_end,
			(unsigned long long)(vm->mem_size >> 20));
		return -1;
	}
	return 0;
}

static int load_multiboot(struct vm *vm, const struct kernel_args *args,
			  const struct file *k, struct boot *boot)
{
	struct range used[MAX_SEGMENTS + 2];
	struct file kernel = *k, initrd = { .size = 0 };
	struct info_block b = { 0 };
	struct mb_module mod = { 0 };
	const Elf32_Ehdr *eh;
	uint64_t mod_base = 0;
	char *cmdline = NULL;
	uint32_t entry = 0;
	int n, ret = -1;

	if (args->initrd && map_file(args->initrd, &initrd, NULL))
		goto out;
	if (check_headers(&kernel, &eh) ||
	    check_segments(vm, &kernel, eh, used, &n, &entry))
		goto out;
	cmdline = make_cmdline(args);
	if (!cmdline)
		goto out;
	/* Room for everything build_info() puts, at their alignments. */
	b.size = ALIGN_UP(ENTRY_STACK + 3 * 8 + sizeof(struct mb_info) + 8 +
			  3 * sizeof(struct mb_mmap_entry) + 8 + sizeof(struct mb_module) + 8 +
			  (args->initrd ? strlen(args->initrd) + 1 : 0) +
			  sizeof("mvrun " MV_TOOLS_VERSION) + strlen(cmdline) + 1, PAGE_SIZE);
	b.buf = calloc(1, b.size);
	if (!b.buf)
		goto out;
	if (place(vm, used, n, b.size, initrd.size, args->initrd, &b.base, &mod_base))
		goto out;
	if (load_segments(vm, &kernel, eh))
		goto out;
	if (initrd.size && vm_write(vm, mod_base, initrd.data, initrd.size)) {
		fprintf(stderr, "mvrun: cannot load %s: %s\n", args->initrd, strerror(errno));
		goto out;
	}
	mod.start = mod_base;
	mod.end = mod_base + initrd.size;
	memset(boot, 0, sizeof(*boot));
	boot->protected_mode = true;
	boot->eip = entry;
	boot->eax = MB_BOOT_MAGIC;
	boot->ebx = build_info(vm, &b, cmdline, args->initrd ? &mod : NULL, args->initrd);
	boot->esp = b.base + ENTRY_STACK;
	boot->gdt_base = b.base + ENTRY_STACK;
	if (vm_write(vm, b.base, b.buf, b.size)) {
		fprintf(stderr, "mvrun: cannot write the multiboot information: %s\n",
			strerror(errno));
		goto out;
	}
	if (verbose)
		fprintf(stderr, "mvrun: multiboot: entry %#x, information at %#x, module at %#llx (%zu bytes)\n",
			entry, boot->ebx, (unsigned long long)mod_base, initrd.size);
	ret = 0;
out:
	free(b.buf);
	free(cmdline);
	unmap_file(&initrd);
	return ret;
}

int load_kernel(struct vm *vm, const struct kernel_args *args, struct boot *boot)
{
	struct file kernel;
	int ret;

	if (map_file(args->kernel, &kernel, "a kernel"))
		return -1;
	memset(boot, 0, sizeof(*boot));
	if (is_bzimage(&kernel))
		ret = load_linux(vm, args, &kernel, boot);
	else
		ret = load_multiboot(vm, args, &kernel, boot);
	unmap_file(&kernel);
	return ret;
}

static void flat_segment(struct mv_segment *s, uint16_t selector, uint8_t type)
{
	*s = (struct mv_segment){
		.base = 0, .limit = 0xffffffff, .selector = selector, .type = type,
		.s = 1, .present = 1, .db = 1, .g = 1,
	};
}

int boot_set_entry(int vcpu_fd, const struct boot *boot)
{
	struct mv_segment seg = {
		.selector = 0x1000, .base = 0x10000, .limit = 0xffff,
		.type = 3, .s = 1, .present = 1,
	};
	struct mv_regs regs = { .rflags = 2, .rsp = 0xfff0 };
	struct mv_sregs s;

	if (ioctl(vcpu_fd, MV_GET_SREGS, &s))
		return -1;
	if (boot->long_mode) {
		flat_segment(&s.cs, 0x10, 0xb);
		s.cs.l = 1;
		s.cs.db = 0;
		flat_segment(&s.ds, 0x18, 0x3);
		s.es = s.fs = s.gs = s.ss = s.ds;
		s.gdt.base = boot->gdt_base;
		s.gdt.limit = 4 * 8 - 1;
		/* Paging and protection on, caches enabled; PAE, LME and LMA. */
		s.cr0 = (s.cr0 & ~0x60000000ULL) | 0x80000011;
		s.cr3 = boot->cr3;
		s.cr4 |= 0x20;
		s.efer |= 0x500;
		regs.rip = boot->rip;
		regs.rsi = boot->rsi;
		regs.rsp = regs.rbp = boot->esp;
	} else if (boot->protected_mode) {
		flat_segment(&s.cs, 0x08, 0xb);
		flat_segment(&s.ds, 0x10, 0x3);
		s.es = s.fs = s.gs = s.ss = s.ds;
		s.gdt.base = boot->gdt_base;
		s.gdt.limit = 3 * 8 - 1;
		/* Protection on, paging and cache disabling off. */
		s.cr0 = (s.cr0 & ~(0x80000000ULL | 0x60000000ULL)) | 0x11;
		regs.rip = boot->eip;
		regs.rax = boot->eax;
		regs.rbx = boot->ebx;
		regs.rsp = boot->esp;
	} else {
		s.ds = s.es = s.fs = s.gs = s.ss = seg;
		seg.type = 0xb;
		s.cs = seg;
	}
	if (ioctl(vcpu_fd, MV_SET_SREGS, &s) || ioctl(vcpu_fd, MV_SET_REGS, &regs))
		return -1;
	return 0;
}
