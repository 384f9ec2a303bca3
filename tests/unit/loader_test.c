// SPDX-License-Identifier: GPL-2.0
/*
 * mvrun's multiboot loader (userspace/mvrun/loader.c), built in userspace
 * with guest memory as a plain buffer: the layout a kernel gets (the
 * information, command line, module, memory map, GDT and entry state),
 * placement around segments that sit in lower memory, the refusals of
 * damaged files, and a fuzz run over the headers of a valid file in which
 * every outcome must be a load inside RAM or a refusal (AddressSanitizer
 * and UBSan watch for the rest).
 *
 * Prints TAP; exits 1 when a case fails.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvrun.h"

bool verbose;

static uint8_t *ram;
static uint64_t ram_size;
static int failures, cases;

int vm_write(struct vm *vm, uint64_t gpa, const void *buf, uint64_t len)
{
	if (gpa > vm->mem_size || len > vm->mem_size - gpa) {
		fprintf(stdout, "not ok - write [%#llx, +%#llx) outside RAM\n",
			(unsigned long long)gpa, (unsigned long long)len);
		exit(1);
	}
	memcpy(ram + gpa, buf, len);
	return 0;
}

static void check(bool ok, const char *what)
{
	cases++;
	if (!ok)
		failures++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", cases, what);
}

/* A small multiboot kernel: text at @text, data+bss at @data. */
struct kfile {
	uint8_t buf[0x3000];
	size_t len;
};

#define TEXT_OFF	0x1000
#define DATA_OFF	0x2000

static void make_kernel(struct kfile *k, uint32_t text, uint32_t data)
{
	Elf32_Ehdr *eh = (Elf32_Ehdr *)k->buf;
	Elf32_Phdr *ph = (Elf32_Phdr *)(eh + 1);
	uint32_t *mb = (uint32_t *)(k->buf + TEXT_OFF);

	memset(k, 0, sizeof(*k));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_entry = text + 12;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph[0] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = TEXT_OFF, .p_vaddr = text,
			      .p_paddr = text, .p_filesz = 0x100, .p_memsz = 0x100,
			      .p_flags = PF_R | PF_X, .p_align = 0x1000 };
	ph[1] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_offset = DATA_OFF, .p_vaddr = data,
			      .p_paddr = data, .p_filesz = 0x10, .p_memsz = 0x3000,
			      .p_flags = PF_R | PF_W, .p_align = 0x1000 };
	mb[0] = 0x1badb002;
	mb[1] = 0;
	mb[2] = -mb[0];
	memset(k->buf + TEXT_OFF + 12, 0x90, 0x100 - 12);
	memcpy(k->buf + DATA_OFF, "0123456789abcdef", 16);
	k->len = DATA_OFF + 0x10;
}

static char kpath[] = "/tmp/loader_test.kXXXXXX";
static char ipath[] = "/tmp/loader_test.iXXXXXX";

static void write_path(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static int load(struct kfile *k, uint64_t mem, const char *initrd, const char *append,
		struct boot *boot)
{
	struct vm vm = { .mem_size = mem };
	struct kernel_args args = { .kernel = kpath, .initrd = initrd, .append = append };

	write_path(kpath, k->buf, k->len);
	ram_size = mem;
	free(ram);
	ram = calloc(1, mem);
	return load_kernel(&vm, &args, boot);
}

static uint32_t rd32(uint64_t a)
{
	uint32_t v;

	memcpy(&v, ram + a, 4);
	return v;
}

static uint64_t rd64(uint64_t a)
{
	uint64_t v;

	memcpy(&v, ram + a, 8);
	return v;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static void test_layout(void)
{
	static const char env[] = "NR_CPUS=1\nTEST_DEVICE=0\n";
	struct kfile k;
	struct boot b;
	uint32_t info, mods, mmap, mod_start;
	char cmdline[64];

	make_kernel(&k, 0x400000, 0x401000);
	write_path(ipath, env, sizeof(env) - 1);
	check(!load(&k, 64 << 20, ipath, "a  b", &b), "a multiboot kernel loads");
	check(b.protected_mode && b.eip == 0x40000c && b.eax == 0x2badb002,
	      "entry at e_entry in protected mode, EAX = 0x2badb002");
	check(!memcmp(ram + 0x400000, k.buf + TEXT_OFF, 0x100) &&
	      !memcmp(ram + 0x401000, "0123456789abcdef", 16),
	      "segments copied from their file offsets");
	info = b.ebx;
	check(info >= 0x1000 && info < 0x9fc00, "the information lies in lower memory");
	check(rd32(info) == (1 | 4 | 8 | 64 | 512), "flags: memory, cmdline, mods, mmap, loader name");
	check(rd32(info + 4) == 639 && rd32(info + 8) == 63 * 1024, "mem_lower 639, mem_upper 63 MiB");
	snprintf(cmdline, sizeof(cmdline), "%s a  b", kpath);
	check(!strcmp((char *)ram + rd32(info + 16), cmdline),
	      "cmdline: the file name, then --append");
	mods = rd32(info + 24);
	mod_start = rd32(mods);
	check(rd32(info + 20) == 1 && mod_start % 4096 == 0 && mod_start >= 0x404000 &&
	      rd32(mods + 4) - mod_start == sizeof(env) - 1 &&
	      !memcmp(ram + mod_start, env, sizeof(env) - 1),
	      "one module, page-aligned above the kernel's end, with the file's content");
	check(!strcmp((char *)ram + rd32(mods + 8), ipath), "the module's string is its file name");
	mmap = rd32(info + 48);
	check(rd32(info + 44) == 72 &&
	      rd32(mmap) == 20 && rd64(mmap + 4) == 0 && rd64(mmap + 12) == 0x9fc00 && rd32(mmap + 20) == 1 &&
	      rd64(mmap + 28) == 0x9fc00 && rd64(mmap + 36) == 0x60400 && rd32(mmap + 44) == 2 &&
	      rd64(mmap + 52) == 0x100000 && rd64(mmap + 60) == (63 << 20) && rd32(mmap + 68) == 1,
	      "mmap: RAM to 0x9fc00, reserved to 1 MiB, RAM above");
	check(!strncmp((char *)ram + rd32(info + 64), "mvrun ", 6), "boot loader name");
	check(rd64(b.gdt_base + 8) == 0x00cf9b000000ffffULL &&
	      rd64(b.gdt_base + 16) == 0x00cf93000000ffffULL, "a flat GDT for selectors 0x08/0x10");
	check(b.esp > 0x1000 && b.esp <= info, "a stack below the information");

	check(!load(&k, 64 << 20, NULL, NULL, &b), "without --initrd and --append");
	check(rd32(b.ebx) == (1 | 4 | 64 | 512) && rd32(b.ebx + 20) == 0 &&
	      !strcmp((char *)ram + rd32(b.ebx + 16), kpath), "no module flag, cmdline is argv[0]");

	check(!load(&k, 8 << 20, NULL, NULL, &b) && rd32(b.ebx + 8) == 7 * 1024, "mem_upper follows --mem");
}

/* Segments in lower memory (kvm-unit-tests' realmode.flat sits at 32K). */
static void test_low_segments(void)
{
	struct kfile k;
	struct boot b;
	uint64_t base;

	make_kernel(&k, 0x8000, 0x9000);
	write_path(ipath, "x", 1);
	check(!load(&k, 16 << 20, ipath, NULL, &b), "a kernel in lower memory loads");
	base = b.esp - 4096;
	check(!overlaps(base, 0x2000, 0x8000, 0x100) && !overlaps(base, 0x2000, 0x9000, 0x3000) &&
	      b.ebx < 0x9fc00, "the information avoids its segments");
	check(rd32(rd32(b.ebx + 24)) >= 0xc000 && ram[rd32(rd32(b.ebx + 24))] == 'x',
	      "the module goes above the kernel's end");

	/* A kernel filling lower memory pushes the information above 1 MiB. */
	make_kernel(&k, 0x1000, 0x2000);
	((Elf32_Phdr *)((Elf32_Ehdr *)k.buf + 1))[1].p_memsz = 0x9d000;
	check(!load(&k, 16 << 20, NULL, NULL, &b) && b.ebx >= 0x100000,
	      "no room below 640K: the information goes above 1 MiB");
}

struct bad {
	const char *name;
	void (*patch)(struct kfile *k);
	uint64_t mem;
};

#define PH(k, i)	(((Elf32_Phdr *)((Elf32_Ehdr *)(k)->buf + 1))[i])
#define EH(k)		((Elf32_Ehdr *)(k)->buf)

static void p_trunc(struct kfile *k) { k->len = TEXT_OFF + 0x80; }
static void p_phoff(struct kfile *k) { EH(k)->e_phoff = k->len - 4; }
static void p_phnum(struct kfile *k) { EH(k)->e_phnum = 0xffff; }
static void p_phnum0(struct kfile *k) { EH(k)->e_phnum = 0; }
static void p_phent(struct kfile *k) { EH(k)->e_phentsize = 16; }
static void p_wrap(struct kfile *k) { PH(k, 0).p_paddr = 0xfffffff0; }
static void p_memsz(struct kfile *k) { PH(k, 1).p_memsz = 0xffffffff; }
static void p_offset(struct kfile *k) { PH(k, 0).p_offset = 0xfffffff0; }
static void p_filesz(struct kfile *k) { PH(k, 1).p_filesz = 0x4000; }
static void p_reserved(struct kfile *k) { PH(k, 1).p_paddr = 0x9f000; }
static void p_overlap(struct kfile *k) { PH(k, 1).p_paddr = 0x4000f0; }
static void p_entry(struct kfile *k) { EH(k)->e_entry = 0x500000; }
static void p_noload(struct kfile *k) { PH(k, 0).p_type = PT_NOTE; PH(k, 1).p_type = PT_NOTE; }
static void p_class(struct kfile *k) { k->buf[EI_CLASS] = ELFCLASS64; }
static void p_machine(struct kfile *k) { EH(k)->e_machine = EM_X86_64; }
static void p_magic(struct kfile *k) { k->buf[TEXT_OFF] ^= 1; }
static void p_sum(struct kfile *k) { k->buf[TEXT_OFF + 8] ^= 1; }
static void p_notelf(struct kfile *k) { k->buf[1] = 'X'; }

static void p_aout(struct kfile *k)
{
	uint32_t *mb = (uint32_t *)(k->buf + TEXT_OFF);

	mb[1] = 1 << 16;
	mb[2] = -(mb[0] + mb[1]);
}

static void p_tiny(struct kfile *k) { k->len = 3; }
static void p_none(struct kfile *k) { (void)k; }

static const struct bad bads[] = {
	{ "truncated in a segment", p_trunc, 64 << 20 },
	{ "program headers past the end", p_phoff, 64 << 20 },
	{ "65535 program headers", p_phnum, 64 << 20 },
	{ "no program headers", p_phnum0, 64 << 20 },
	{ "wrong program header size", p_phent, 64 << 20 },
	{ "segment wrapping at 4 GiB", p_wrap, 64 << 20 },
	{ "segment of 4 GiB", p_memsz, 64 << 20 },
	{ "segment offset past the end", p_offset, 64 << 20 },
	{ "segment longer than the file", p_filesz, 64 << 20 },
	{ "segment in the reserved area", p_reserved, 64 << 20 },
	{ "overlapping segments", p_overlap, 64 << 20 },
	{ "entry outside the segments", p_entry, 64 << 20 },
	{ "no loadable segment", p_noload, 64 << 20 },
	{ "ELF64", p_class, 64 << 20 },
	{ "not i386", p_machine, 64 << 20 },
	{ "no multiboot magic", p_magic, 64 << 20 },
	{ "bad multiboot checksum", p_sum, 64 << 20 },
	{ "not ELF", p_notelf, 64 << 20 },
	{ "a.out kludge", p_aout, 64 << 20 },
	{ "three bytes", p_tiny, 64 << 20 },
	{ "segments above RAM", p_none, 4 << 20 },
};

static void test_refusals(void)
{
	char what[128];
	struct kfile k;
	struct boot b;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		make_kernel(&k, 0x400000, 0x401000);
		bads[i].patch(&k);
		snprintf(what, sizeof(what), "refused: %s", bads[i].name);
		check(load(&k, bads[i].mem, NULL, NULL, &b) == -1, what);
	}
	make_kernel(&k, 0x400000, 0x401000);
	write_path(ipath, ram, 0);
	check(!load(&k, 64 << 20, ipath, NULL, &b), "an empty module is fine");
	free(ram);
	ram = calloc(1, 6 << 20);
	write_path(ipath, ram, 6 << 20);
	check(load(&k, 8 << 20, ipath, NULL, &b) == -1, "refused: a module that does not fit");
}

/* Random damage to the first 256 bytes and the multiboot header. */
static void test_fuzz(void)
{
	struct kfile good, k;
	struct boot b;
	int i, j, loaded = 0;
	FILE *saved = stderr;

	make_kernel(&good, 0x400000, 0x401000);
	srandom(12345);
	stderr = fopen("/dev/null", "w");
	for (i = 0; i < 20000; i++) {
		k = good;
		for (j = random() % 8 + 1; j; j--) {
			size_t off = random() % 2 ? random() % 256 : TEXT_OFF + random() % 12;

			k.buf[off] = random();
		}
		if (random() % 8 == 0)
			k.len = random() % good.len;
		if (!load(&k, random() % 2 ? 64 << 20 : 4 << 20, NULL, "x", &b))
			loaded++;
	}
	fclose(stderr);
	stderr = saved;
	printf("# fuzz: %d of 20000 damaged files still loaded\n", loaded);
	check(true, "fuzzing the headers: no crash, no write outside RAM");
}

int main(void)
{
	int fd;

	fd = mkstemp(kpath);
	close(fd);
	fd = mkstemp(ipath);
	close(fd);
	test_layout();
	test_low_segments();
	test_refusals();
	test_fuzz();
	unlink(kpath);
	unlink(ipath);
	free(ram);
	printf("1..%d\n", cases);
	return failures ? 1 : 0;
}
