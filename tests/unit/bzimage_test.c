// SPDX-License-Identifier: GPL-2.0
/*
 * mvrun's Linux loader (userspace/mvrun/linux.c and mptable.c), built in
 * userspace with guest memory as a plain buffer, on a synthetic bzImage:
 * what the kernel is given (the zero page with its copied setup header,
 * type_of_loader, command line and initrd pointers, the e820 map, the
 * identity map, the GDT, the BIOS data area, the MP table) and the 64-bit
 * entry state; the refusals (old protocol, no 64-bit entry, a zImage, too
 * little memory, a command line or initrd that does not fit, damaged
 * headers); and a fuzz run over the setup header in which every outcome
 * must be a load inside RAM or a refusal (AddressSanitizer and UBSan
 * watch for the rest).
 *
 * Prints TAP; exits 1 when a case fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mvrun.h"

bool verbose;

static uint8_t *ram;
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

#define MIB		(1ULL << 20)
#define SETUP_SECTS	3			/* the kernel at file offset 0x800 */
#define PM_OFF		((SETUP_SECTS + 1) * 512)
#define PM_LEN		0x1000
#define PREF		(2 * MIB)
#define INIT_SIZE	(1 * MIB)		/* decompresses into [2, 3) MiB */

struct bzfile {
	uint8_t buf[PM_OFF + PM_LEN];
	size_t len;
};

static void w16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void w32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void w64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t r16(uint64_t a) { uint16_t v; memcpy(&v, ram + a, 2); return v; }
static uint32_t r32(uint64_t a) { uint32_t v; memcpy(&v, ram + a, 4); return v; }
static uint64_t r64(uint64_t a) { uint64_t v; memcpy(&v, ram + a, 8); return v; }

/* A bzImage header of protocol 2.15 as Linux 6.1 has it. */
static void make_bzimage(struct bzfile *k)
{
	uint8_t *d = k->buf;
	size_t i;

	memset(k, 0, sizeof(*k));
	d[0x1f1] = SETUP_SECTS;
	w16(d + 0x1fe, 0xaa55);
	d[0x200] = 0xeb;
	d[0x201] = 0x6a;			/* the header ends at 0x26c */
	memcpy(d + 0x202, "HdrS", 4);
	w16(d + 0x206, 0x020f);
	d[0x211] = 0x01;			/* LOADED_HIGH */
	w32(d + 0x214, 0x100000);
	w32(d + 0x22c, 0x7fffffff);		/* initrd_addr_max */
	w32(d + 0x230, 0x200000);		/* kernel_alignment */
	d[0x234] = 1;				/* relocatable */
	w16(d + 0x236, 0x7f);			/* xloadflags: XLF_KERNEL_64 and more */
	w32(d + 0x238, 0x7ff);			/* cmdline_size */
	w64(d + 0x258, PREF);
	w32(d + 0x260, INIT_SIZE);
	for (i = 0; i < PM_LEN; i++)
		d[PM_OFF + i] = i * 7 + 1;
	k->len = sizeof(k->buf);
}

static char kpath[] = "/tmp/bzimage_test.kXXXXXX";
static char ipath[] = "/tmp/bzimage_test.iXXXXXX";

static void write_path(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static int load(struct bzfile *k, uint64_t mem, int cpus, uint32_t tsc_khz,
		const char *initrd, const char *append, struct boot *boot)
{
	struct vm vm = { .mem_size = mem, .nr_vcpus = cpus, .tsc_khz = tsc_khz,
			 .cpu_signature = 0x00a20f12, .cpu_features = 0x178bfbff };
	struct kernel_args args = { .kernel = kpath, .initrd = initrd, .append = append };

	write_path(kpath, k->buf, k->len);
	free(ram);
	ram = calloc(1, mem);
	return load_kernel(&vm, &args, boot);
}

static uint8_t sum(uint64_t a, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += ram[a++];
	return s;
}

static void test_zero_page(void)
{
	static const char initrd[] = "an initrd";
	const char *cmdline;
	struct bzfile k;
	struct boot b;
	uint64_t rd, e;

	make_bzimage(&k);
	write_path(ipath, initrd, sizeof(initrd) - 1);
	check(!load(&k, 64 * MIB, 1, 2596000, ipath, "quiet mvg=report", &b), "a bzImage loads");
	check(b.long_mode && b.rip == 0x100200 && b.rsi == 0x7000 && b.cr3 == 0x9000 &&
	      b.esp == 0x8ff0 && b.gdt_base == 0x500,
	      "64-bit entry at 0x100200, RSI = the zero page, CR3 = the identity map");
	check(!memcmp(ram + 0x100000, k.buf + PM_OFF, PM_LEN),
	      "the protected-mode kernel at 1 MiB, from (setup_sects + 1) * 512");
	check(!memcmp(ram + 0x7000 + 0x1f1, k.buf + 0x1f1, 0x210 - 0x1f1) &&
	      r16(0x7000 + 0x206) == 0x020f && r32(0x7000 + 0x260) == INIT_SIZE &&
	      !ram[0x7000 + 0x26c], "the setup header copied, up to 0x202 + byte 0x201");
	check(ram[0x7000 + 0x210] == 0xff, "type_of_loader 0xff");
	check(r32(0x7000 + 0x228) == 0x20000 && !r32(0x7000 + 0xc8), "cmd_line_ptr 0x20000");
	cmdline = (const char *)ram + 0x20000;
	check(!strncmp(cmdline, "console=ttyS0 ", 14) && strstr(cmdline, " acpi=off ") &&
	      strstr(cmdline, " reboot=k ") && strstr(cmdline, " panic=-1 ") &&
	      strstr(cmdline, " tsc_early_khz=2596000 tsc=reliable ") &&
	      strlen(cmdline) > 17 && !strcmp(cmdline + strlen(cmdline) - 17, " quiet mvg=report"),
	      "the command line: the defaults, the TSC frequency, then --append");
	rd = r32(0x7000 + 0x218);
	check(rd % 4096 == 0 && rd >= PREF + INIT_SIZE && rd + sizeof(initrd) - 1 <= 64 * MIB &&
	      rd + 4096 >= 64 * MIB && r32(0x7000 + 0x21c) == sizeof(initrd) - 1 &&
	      !r32(0x7000 + 0xc0) && !memcmp(ram + rd, initrd, sizeof(initrd) - 1),
	      "the initrd: page-aligned at the top of RAM, above the kernel's init_size");
	e = 0x7000 + 0x2d0;
	check(ram[0x7000 + 0x1e8] == 4 &&
	      r64(e) == 0 && r64(e + 8) == 0x9fc00 && r32(e + 16) == 1 &&
	      r64(e + 20) == 0x9fc00 && r64(e + 28) == 0x400 && r32(e + 36) == 2 &&
	      r64(e + 40) == 0xf0000 && r64(e + 48) == 0x10000 && r32(e + 56) == 2 &&
	      r64(e + 60) == 0x100000 && r64(e + 68) == 63 * MIB && r32(e + 76) == 1,
	      "e820: RAM, EBDA, (VGA hole), BIOS, RAM from 1 MiB");
	check(r64(0x9000) == 0xa003 && r64(0xa000) == 0xb003 && r64(0xa018) == 0xe003 &&
	      r64(0xb000) == 0x83 && r64(0xb008) == 0x200083 && r64(0xeff8) == 0xffe00083,
	      "the identity map: 0-4 GiB in 2 MiB pages");
	check(r64(0x510) == 0x00af9b000000ffffULL && r64(0x518) == 0x00cf93000000ffffULL,
	      "GDT: 0x10 64-bit code, 0x18 data");
	check(r16(0x40e) == 0x9fc0 && r16(0x413) == 639, "BDA: EBDA at 0x9fc00, 639 KiB base memory");
	check(!r64(0x7000) && !r64(0x7008) && !ram[0x7000 + 0x0e],
	      "screen_info left empty: no VGA, Linux takes a dummy console");

	check(!load(&k, 64 * MIB, 1, 0, NULL, NULL, &b), "without initrd, append or TSC frequency");
	cmdline = (const char *)ram + 0x20000;
	check(!strstr(cmdline, "tsc_early_khz") && !r32(0x7000 + 0x218) && !r32(0x7000 + 0x21c) &&
	      cmdline[strlen(cmdline) - 1] != ' ', "no tsc_early_khz, no initrd, no trailing blank");
}

static void test_mptable(void)
{
	struct bzfile k;
	struct boot b;
	uint32_t mpc;
	uint16_t n, i, cpus = 0, bsp = 0, irqs = 0;
	uint64_t p;

	make_bzimage(&k);
	check(!load(&k, 64 * MIB, 4, 0, NULL, NULL, &b), "four vCPUs");
	check(!memcmp(ram + 0xf0000, "_MP_", 4) && !sum(0xf0000, 16) && ram[0xf0008] == 1 &&
	      ram[0xf0009] == 4, "the MP floating pointer at 0xf0000, checksummed, spec 1.4");
	mpc = r32(0xf0004);
	check(!memcmp(ram + mpc, "PCMP", 4) && !sum(mpc, r16(mpc + 4)) &&
	      r32(mpc + 36) == 0xfee00000, "the configuration table, checksummed, LAPIC at 0xfee00000");
	n = r16(mpc + 34);
	p = mpc + 44;
	for (i = 0; i < n; i++) {
		switch (ram[p]) {
		case 0:
			cpus += ram[p + 1] == cpus && (ram[p + 3] & 1);
			bsp += !!(ram[p + 3] & 2);
			p += 20;
			break;
		case 2:
			check(r32(p + 4) == 0xfec00000, "an I/O APIC at 0xfec00000");
			p += 8;
			break;
		case 3:
			irqs++;
			if (ram[p + 5] == 0)
				check(ram[p + 7] == 2, "ISA IRQ 0 reaches I/O APIC pin 2");
			if (ram[p + 5] == 4)
				check(ram[p + 7] == 4, "ISA IRQ 4 (COM1) reaches pin 4");
			p += 8;
			break;
		default:
			p += 8;
		}
	}
	check(cpus == 4 && bsp == 1, "four enabled processors, APIC IDs 0-3, one bootstrap");
	check(irqs == 15, "fifteen ISA interrupts (all but the cascade)");
	check(p == mpc + r16(mpc + 4), "the entries fill the table");
}

struct bad {
	const char *name;
	void (*patch)(struct bzfile *k);
	uint64_t mem;
};

static void p_old(struct bzfile *k) { w16(k->buf + 0x206, 0x020b); }
static void p_no64(struct bzfile *k) { w16(k->buf + 0x236, 0x7e); }
static void p_zimage(struct bzfile *k) { k->buf[0x211] = 0; }
static void p_hdr_end(struct bzfile *k) { k->buf[0x201] = 0xff; }
static void p_hdr_short(struct bzfile *k) { k->buf[0x201] = 0x10; }
static void p_setup(struct bzfile *k) { k->buf[0x1f1] = 200; }
static void p_init_size(struct bzfile *k) { w32(k->buf + 0x260, 0xffffffff); }
static void p_cmdline(struct bzfile *k) { w32(k->buf + 0x238, 16); }
static void p_none(struct bzfile *k) { (void)k; }

static const struct bad bads[] = {
	{ "boot protocol 2.11", p_old, 64 * MIB },
	{ "no XLF_KERNEL_64", p_no64, 64 * MIB },
	{ "a zImage", p_zimage, 64 * MIB },
	{ "a header past the zero page's e820 table", p_hdr_end, 64 * MIB },
	{ "a header too short for init_size", p_hdr_short, 64 * MIB },
	{ "setup sectors past the end of the file", p_setup, 64 * MIB },
	{ "init_size beyond RAM", p_init_size, 64 * MIB },
	{ "a command line longer than cmdline_size", p_cmdline, 64 * MIB },
	{ "RAM smaller than pref_address + init_size", p_none, 3 * MIB - 4096 },
};

static void test_refusals(void)
{
	char what[128];
	struct bzfile k;
	struct boot b;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		make_bzimage(&k);
		bads[i].patch(&k);
		snprintf(what, sizeof(what), "refused: %s", bads[i].name);
		check(load(&k, bads[i].mem, 1, 0, NULL, NULL, &b) == -1, what);
	}
	make_bzimage(&k);
	free(ram);
	ram = calloc(1, 2 * MIB);
	write_path(ipath, ram, 2 * MIB);
	check(load(&k, 4 * MIB, 1, 0, ipath, NULL, &b) == -1,
	      "refused: an initrd with no room above the kernel");
	check(!load(&k, 5 * MIB, 1, 0, ipath, NULL, &b) && r32(0x7000 + 0x218) == 3 * MIB,
	      "an initrd that just fits");
	w32(k.buf + 0x22c, 0x3fffff);
	check(load(&k, 64 * MIB, 1, 0, ipath, NULL, &b) == -1,
	      "refused: an initrd that would lie above initrd_addr_max");
}

/* Random damage to the setup header. */
static void test_fuzz(void)
{
	struct bzfile good, k;
	struct boot b;
	int i, j, loaded = 0;
	FILE *saved = stderr;

	make_bzimage(&good);
	srandom(4242);
	stderr = fopen("/dev/null", "w");
	for (i = 0; i < 3000; i++) {
		k = good;
		for (j = random() % 6 + 1; j; j--)
			k.buf[0x1f1 + random() % (0x270 - 0x1f1)] = random();
		if (random() % 8 == 0)
			k.len = 0x206 + random() % (good.len - 0x206);
		if (!load(&k, random() % 2 ? 8 * MIB : 3 * MIB, 1 + random() % 16, 1000, NULL,
			  random() % 2 ? "x" : NULL, &b))
			loaded++;
	}
	fclose(stderr);
	stderr = saved;
	printf("# fuzz: %d of 3000 damaged bzImages still loaded\n", loaded);
	check(true, "fuzzing the setup header: no crash, no write outside RAM");
}

int main(void)
{
	int fd;

	fd = mkstemp(kpath);
	close(fd);
	fd = mkstemp(ipath);
	close(fd);
	test_zero_page();
	test_mptable();
	test_refusals();
	test_fuzz();
	unlink(kpath);
	unlink(ipath);
	free(ram);
	printf("1..%d\n", cases);
	return failures ? 1 : 0;
}
