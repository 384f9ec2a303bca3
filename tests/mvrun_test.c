// SPDX-License-Identifier: GPL-2.0
/*
 * mvrun as a VMM: the multiboot loader (what a kernel is given, and the
 * refusal of files it cannot load), fw_cfg, isa-debug-exit of every width,
 * COM1 programmed like kvm-unit-tests do it, the in-kernel local APIC
 * and --no-irqchip, the state a BIOS leaves (IVT, 8259s, the 8254 tick),
 * QEMU's pc-testdev, --cpu-features (CPUID bits by QEMU's names, x2APIC
 * hidden), APs started by INIT and SIPI, several vCPUs and signals, and
 * the flat loader as it always was.
 *
 * The kernel is tests/guest/mb32.c (/mv/guests/mb32.elf), which prints
 * what it got as "key: ..." lines.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/minivisor.h>

#include "kselftest_harness.h"
#include "mvtest.h"

#define MB	"/mv/guests/mb32.elf"
#define ENV	"/tmp/mvrun_test.env"
#define ENV_TEXT "NR_CPUS=1\nTEST_DEVICE=0\nMEMSIZE=32\n"

static char out[65536];

#define MVK	"mvrun --kernel "

static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* The whole file in a malloc()ed buffer; NULL on failure. */
static uint8_t *read_file(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	buf = malloc(st.st_size);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

/* The number after @key in the output, in hex; UINT64_MAX if absent. */
static uint64_t hex_after(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 16) : UINT64_MAX;
}

/* Every test may boot a few guests under emulation: a generous timeout. */
FIXTURE(mvrun) {
	int unused;
};

FIXTURE_SETUP(mvrun)
{
	ASSERT_EQ(0, mv_ensure_loaded());
}

FIXTURE_TEARDOWN(mvrun)
{
}

TEST_F_TIMEOUT(mvrun, multiboot_information_reaches_the_kernel, 120)
{
	uint64_t start, end, kend, info;

	ASSERT_EQ(0, write_file(ENV, ENV_TEXT, strlen(ENV_TEXT)));
	/* Default exit: outl of 0x10, status 0x21. */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1,
				MVK MB " --mem 32M --initrd " ENV " --append 'alpha beta=2  gamma'")) {
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "mb: magic 2badb002 flags 0000024d\n"));
	/* 639 KiB below the EBDA; 31 MiB from 1 MiB on. */
	EXPECT_NE(NULL, strstr(out, "mb: mem_lower 639 mem_upper 31744\n"));
	/* argv[0] is the kernel's file name, then --append as given. */
	EXPECT_NE(NULL, strstr(out, "mb: cmdline [" MB " alpha beta=2  gamma]\n"));
	EXPECT_NE(NULL, strstr(out, "mb: mods 1\n"));
	EXPECT_NE(NULL, strstr(out, " string [" ENV "]\n"));
	EXPECT_NE(NULL, strstr(out, "mb: mod 0 data [NR_CPUS=1\\nTEST_DEVICE=0\\nMEMSIZE=32\\n]\n"));
	EXPECT_NE(NULL, strstr(out, "mb: mmap 0000000000000000 000000000009fc00 1\n"));
	EXPECT_NE(NULL, strstr(out, "mb: mmap 000000000009fc00 0000000000060400 2\n"));
	EXPECT_NE(NULL, strstr(out, "mb: mmap 0000000000100000 0000000001f00000 1\n"));
	EXPECT_NE(NULL, strstr(out, "mb: loader [mvrun "));
	/* The module lies above the kernel, page-aligned; the information below 640K. */
	start = hex_after(out, "mb: mod 0 start ");
	end = hex_after(out, " end ");
	kend = hex_after(out, "mb: kernel_end ");
	info = hex_after(out, " info ");
	EXPECT_EQ(0, start % 4096);
	EXPECT_LE(kend, start);
	EXPECT_EQ(strlen(ENV_TEXT), end - start);
	EXPECT_LT(info, 0x9fc00);
	EXPECT_LE(0x1000, info);
	/* Protected mode, paging off, interrupts off, the flat GDT's selectors. */
	EXPECT_NE(NULL, strstr(out, "cpu: cr0 00000011 eflags 00000002 cs 0008 ds 0010 ss 0010\n"));
	EXPECT_NE(NULL, strstr(out, "bss: zero\n"));
	EXPECT_NE(NULL, strstr(out, "data: ok\n"));
	/* The divisor latch write (0x01) is not a character. */
	EXPECT_NE(NULL, strstr(out, "serial: ok\n"));
	EXPECT_EQ(NULL, memchr(out, 0x01, strlen(out)));
	EXPECT_NE(NULL, strstr(out, "port300: ff\n"));
	EXPECT_NE(NULL, strstr(out, "exit: l\n"));
	if (!_metadata->passed)
		TH_LOG("%s", out);
	unlink(ENV);
}

TEST_F_TIMEOUT(mvrun, multiboot_without_module_or_arguments, 120)
{
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB)) {
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "mb: magic 2badb002 flags 00000245\n"));
	EXPECT_NE(NULL, strstr(out, "mb: cmdline [" MB "]\n"));
	EXPECT_NE(NULL, strstr(out, "mb: mods 0\n"));
	/* The default 64 MiB. */
	EXPECT_NE(NULL, strstr(out, "mb: mem_lower 639 mem_upper 64512\n"));
	EXPECT_NE(NULL, strstr(out, "mb: mmap 0000000000100000 0000000003f00000 1\n"));
}

TEST_F_TIMEOUT(mvrun, fw_cfg_tells_cpus_and_memory, 120)
{
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB " --cpus 3 --mem 48M")) {
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "fwcfg: signature [QEMU] past_end 00 id 1 cpus 3 max_cpus 3 ram 0000000003000000 key11 0000000000000000 unknown 00000000\n")) {
		TH_LOG("%s", out);
	}
}

TEST_F_TIMEOUT(mvrun, debug_exit_takes_every_width, 120)
{
	EXPECT_EQ(0x43, run_cmd(out, sizeof(out), -1, MVK MB " --append 'exit=b code=21'"));
	EXPECT_NE(NULL, strstr(out, "exit: b\n"));
	EXPECT_EQ((0x1234 << 1 | 1) & 0xff,
		  run_cmd(out, sizeof(out), -1, MVK MB " --append 'exit=w code=1234'"));
	EXPECT_NE(NULL, strstr(out, "exit: w\n"));
	EXPECT_EQ((0x12345677 << 1 | 1) & 0xff,
		  run_cmd(out, sizeof(out), -1, MVK MB " --append 'exit=l code=12345677'"));
	EXPECT_NE(NULL, strstr(out, "exit: l\n"));
}

/* The "id" of the VM named @name in "mvctl -j vm list"; -1 if absent. */
static long vm_id(const char *name)
{
	char pat[64];
	const char *p;

	if (run_cmd(out, sizeof(out), -1, "mvctl -j vm list"))
		return -1;
	snprintf(pat, sizeof(pat), "\"name\":\"%s\"", name);
	p = strstr(out, pat);
	if (!p)
		return -1;
	while (p > out && *p != '{')
		p--;
	return json_u64(p, "id");
}

static pid_t spawn(const char *cmd, const char *log)
{
	pid_t pid = fork();

	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static bool file_has(const char *path, const char *needle)
{
	size_t len;
	uint8_t *buf = read_file(path, &len);
	bool found = buf && memmem(buf, len, needle, strlen(needle));

	free(buf);
	return found;
}

/* Runs a spinning kernel with @cpus vCPUs; checks them; stops it with @sig. */
static void spin_and_signal(struct __test_metadata *_metadata, int cpus, int sig)
{
	const char *log = "/tmp/mvrun_test.spin";
	char cmd[256], want[64];
	long id = -1;
	int i, status;
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "exec " MVK MB " --name mbspin --cpus %d --append spin",
		 cpus);
	pid = spawn(cmd, log);
	ASSERT_LT(0, pid);
	for (i = 0; i < 200 && (id < 0 || !file_has(log, "spinning\n")); i++) {
		usleep(50000);
		if (id < 0)
			id = vm_id("mbspin");
	}
	ASSERT_LE(0, id) {
		kill(pid, SIGKILL);
	}
	ASSERT_EQ(true, file_has(log, "spinning\n")) {
		kill(pid, SIGKILL);
	}
	EXPECT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm show %ld", id));
	snprintf(want, sizeof(want), "vcpus:       %d, interrupt controllers in the kernel\n",
		 cpus);
	EXPECT_NE(NULL, strstr(out, want)) {
		TH_LOG("%s", out);
	}
	/* Every thread leaves MV_RUN and mvrun says which signal stopped it. */
	ASSERT_EQ(0, kill(pid, sig));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(128 + sig, WEXITSTATUS(status));
	for (i = 0; i < 100 && vm_id("mbspin") >= 0; i++)
		usleep(50000);
	EXPECT_GT(0, vm_id("mbspin"));
	unlink(log);
}

TEST_F_TIMEOUT(mvrun, two_vcpus_and_sigterm, 120)
{
	spin_and_signal(_metadata, 2, SIGTERM);
}

TEST_F_TIMEOUT(mvrun, one_vcpu_and_sigint, 120)
{
	spin_and_signal(_metadata, 1, SIGINT);
}

/* The hex number after "cpuid: @leaf ... @reg " in the output; UINT64_MAX if absent. */
static uint64_t cpuid_word(const char *text, const char *leaf, const char *reg)
{
	char key[64];
	const char *p, *eol;

	snprintf(key, sizeof(key), "cpuid: %s ", leaf);
	p = strstr(text, key);
	if (!p)
		return UINT64_MAX;
	eol = strchr(p, '\n');
	snprintf(key, sizeof(key), " %s ", reg);
	p = strstr(p, key);
	if (!p || (eol && p > eol))
		return UINT64_MAX;
	return strtoull(p + strlen(key), NULL, 16);
}

TEST_F_TIMEOUT(mvrun, kernel_gets_a_local_apic, 120)
{
	uint64_t edx, ecx;

	/* The module's irqchip: the APIC at its reset base, BSP, enabled. */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB));
	/* As SeaBIOS leaves it: software-enabled, LINT0 ExtINT, LINT1 NMI. */
	EXPECT_NE(NULL, strstr(out, "apic: base fee00900 version 00050014 svr 000001ff lint0 00008700 lint1 00008400\n")) {
		TH_LOG("%s", out);
	}
	edx = cpuid_word(out, "1", "edx");
	ecx = cpuid_word(out, "1", "ecx");
	EXPECT_TRUE(edx & (1 << 9));		/* APIC */
	EXPECT_TRUE(ecx & (1 << 21));		/* x2APIC */
	EXPECT_TRUE(ecx & (1 << 24));		/* TSC-deadline */
	/* x2APIC mode: the ID through its MSR. */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB " --append x2apic"));
	EXPECT_NE(NULL, strstr(out, "x2apic: on, base fee00d00 id 00000000\n")) {
		TH_LOG("%s", out);
	}
	/* Without the irqchip: no APIC in CPUID, none at 0xfee00000. */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, "mvrun --no-irqchip --kernel " MB
				" --append x2apic"));
	edx = cpuid_word(out, "1", "edx");
	ecx = cpuid_word(out, "1", "ecx");
	EXPECT_NE(UINT64_MAX, edx);
	EXPECT_FALSE(edx & (1 << 9));
	EXPECT_FALSE(ecx & (1 << 21));
	EXPECT_EQ(NULL, strstr(out, "apic:")) {
		TH_LOG("%s", out);
	}
}

TEST_F_TIMEOUT(mvrun, kernel_finds_what_a_bios_leaves, 120)
{
	/*
	 * Real-mode vectors at F000: IRET, the master's and the slave's EOI
	 * stubs; the 8259s at vectors 8 and 0x70, only IRQ 0 and 2 open.
	 */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB " --append timer"));
	EXPECT_NE(NULL, strstr(out, "bios: ivt00 f0000000 ivt08 f0000001 ivt70 f0000008 stubs 20b050cf imr fa ff\n")) {
		TH_LOG("%s", out);
	}
	/* The 8254 ticks: HLT wakes three times for vector 8. */
	EXPECT_NE(NULL, strstr(out, "timer: 3 ticks\n")) {
		TH_LOG("%s", out);
	}
	/* Without an irqchip: the vectors, but no 8259 (its ports read 0xff). */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, "mvrun --no-irqchip --kernel " MB));
	EXPECT_NE(NULL, strstr(out, "bios: ivt00 f0000000 ivt08 f0000001 ivt70 f0000008 stubs 20b050cf imr ff ff\n")) {
		TH_LOG("%s", out);
	}
}

TEST_F_TIMEOUT(mvrun, pc_testdev, 120)
{
	/*
	 * The scratch port (a byte of a dword, a word into it), the MMIO
	 * memory (zeros untouched, a dword and one of its bytes), and one
	 * interrupt from raising line 3 (edge: lowering it raises none).
	 */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB " --append testdev"));
	EXPECT_NE(NULL, strstr(out, "testdev: scratch 56 abcd5678 iomem 00000000 f0 cafef00d irq3 1\n")) {
		TH_LOG("%s", out);
	}
	/* Without an irqchip there is no line to raise. */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, "mvrun --no-irqchip --kernel " MB
				" --append testdev"));
	EXPECT_NE(NULL, strstr(out, "testdev: scratch 56 abcd5678 iomem 00000000 f0 cafef00d irq3 0\n")) {
		TH_LOG("%s", out);
	}
}

TEST_F_TIMEOUT(mvrun, cpu_features_change_what_the_guest_sees, 180)
{
	uint64_t e1, c1, b7, c7, ex, cx;

	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB));
	e1 = cpuid_word(out, "1", "edx");
	c1 = cpuid_word(out, "1", "ecx");
	b7 = cpuid_word(out, "7", "ebx");
	c7 = cpuid_word(out, "7", "ecx");
	ex = cpuid_word(out, "80000001", "edx");
	cx = cpuid_word(out, "80000001", "ecx");
	ASSERT_NE(UINT64_MAX, cx) {
		TH_LOG("%s", out);
	}
	/* What the module offers on this CPU: PSE, PGE; SYSCALL, NX, LM; SMEP, SMAP. */
	ASSERT_EQ((1u << 3) | (1u << 13), e1 & ((1u << 3) | (1u << 13)));
	ASSERT_EQ((1u << 11) | (1u << 20) | (1u << 29),
		  ex & ((1u << 11) | (1u << 20) | (1u << 29)));
	ASSERT_EQ((1u << 7) | (1u << 20), b7 & ((1u << 7) | (1u << 20)));

	/* QEMU's spellings, on several leaves; a second list adds to the first. */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB
				" --cpu-features -x2apic,tsc_deadline=off,-pse"
				" --cpu-features pge=off,-nx,+lm,-smep,-smap,+syscall --append x2apic"));
	EXPECT_EQ(c1 & ~((1u << 21) | (1u << 24)), cpuid_word(out, "1", "ecx"));
	EXPECT_EQ(e1 & ~((1u << 3) | (1u << 13)), cpuid_word(out, "1", "edx"));
	EXPECT_EQ(b7 & ~((1u << 7) | (1u << 20)), cpuid_word(out, "7", "ebx"));
	EXPECT_EQ(c7, cpuid_word(out, "7", "ecx"));
	EXPECT_EQ(ex & ~(1u << 20), cpuid_word(out, "80000001", "edx"));
	EXPECT_EQ(cx, cpuid_word(out, "80000001", "ecx"));
	/* Hidden x2APIC: the module refuses APIC_BASE.EXTD. */
	EXPECT_NE(NULL, strstr(out, "x2apic: #GP\n")) {
		TH_LOG("%s", out);
	}
	EXPECT_EQ(NULL, strstr(out, "warning")) {
		TH_LOG("%s", out);
	}

	/* Every vCPU gets them: the AP sees what the BSP sees. */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB
				" --cpus 2 --cpu-features -x2apic,-tsc-deadline --append smp"));
	EXPECT_NE(NULL, strstr(out, "smp: 1 of 1 APs started\n")) {
		TH_LOG("%s", out);
	}
	EXPECT_EQ(c1 & ~((1u << 21) | (1u << 24)), cpuid_word(out, "1", "ecx"));
	EXPECT_EQ(c1 & ~((1u << 21) | (1u << 24)), hex_after(out, "smp: ap cpuid 1 ecx "));

	/* A feature the module lacks (it never offers PCID): warned, kept off. */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB " --cpu-features +pcid,-x2apic"));
	EXPECT_NE(NULL, strstr(out, "mvrun: warning: minivisor does not offer CPU feature 'pcid' (CPUID.01H:ECX[17]); the guest does not get it\n")) {
		TH_LOG("%s", out);
	}
	EXPECT_EQ(c1 & ~(1u << 21), cpuid_word(out, "1", "ecx"));
	/* ... and with enforce, an error before the guest runs. */
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, MVK MB " --cpu-features +pcid,enforce"));
	EXPECT_NE(NULL, strstr(out, "mvrun: error: minivisor does not offer CPU feature 'pcid'"));
	EXPECT_EQ(NULL, strstr(out, "mb: magic"));
	/* Flat binaries take them too. */
	EXPECT_EQ(0x43, run_cmd(out, sizeof(out), -1,
				"mvrun --cpu-features -x2apic /mv/guests/hello16.bin"));

	/* Bad lists are usage errors; "help" lists the names. */
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, MVK MB " --cpu-features +x2apicc"));
	EXPECT_NE(NULL, strstr(out, "unknown CPU feature 'x2apicc'"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, MVK MB " --cpu-features x2apic=maybe"));
	EXPECT_EQ(0, run_cmd(out, sizeof(out), -1, "mvrun --cpu-features help"));
	EXPECT_NE(NULL, strstr(out, " x2apic ")) {
		TH_LOG("%s", out);
	}
}

TEST_F_TIMEOUT(mvrun, aps_start_with_init_and_sipi, 180)
{
	uint64_t ecx;

	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB " --cpus 3 --append smp"));
	EXPECT_NE(NULL, strstr(out, "smp: 2 of 2 APs started\n")) {
		TH_LOG("%s", out);
	}
	/* The APs' own CPUID (vCPU 1 and 2 have APIC IDs of their own in EBX). */
	ecx = cpuid_word(out, "1", "ecx");
	EXPECT_NE(UINT64_MAX, ecx);
	EXPECT_EQ(ecx, hex_after(out, "smp: ap cpuid 1 ecx "));
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB " --cpus 8 --append smp"));
	EXPECT_NE(NULL, strstr(out, "smp: 7 of 7 APs started\n")) {
		TH_LOG("%s", out);
	}
	/* One vCPU: the IPIs reach no one. */
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB " --append smp"));
	EXPECT_NE(NULL, strstr(out, "smp: 0 of 0 APs started\n")) {
		TH_LOG("%s", out);
	}
}

TEST_F_TIMEOUT(mvrun, verbose_counts_unhandled_ports, 120)
{
	ASSERT_EQ(0x21, run_cmd(out, sizeof(out), -1, MVK MB " --verbose"));
	EXPECT_NE(NULL, strstr(out, "mvrun: unhandled IN from port 0x300 (1 byte;")) {
		TH_LOG("%s", out);
	}
	EXPECT_NE(NULL, strstr(out, "port I/O no device handled: IN 0x300 x1"));
	EXPECT_NE(NULL, strstr(out, "mvrun: multiboot: entry 0x"));
}

/* A copy of mb32.elf changed by @patch, written to @path. */
static int patched(const char *path, void (*patch)(uint8_t *buf, size_t *len))
{
	size_t len;
	uint8_t *buf = read_file(MB, &len);
	int ret;

	if (!buf)
		return -1;
	patch(buf, &len);
	ret = write_file(path, buf, len);
	free(buf);
	return ret;
}

static Elf32_Phdr *phdr(uint8_t *buf, int i)
{
	return (Elf32_Phdr *)(buf + ((Elf32_Ehdr *)buf)->e_phoff) + i;
}

static uint32_t *mb_header(uint8_t *buf)
{
	uint32_t *p;

	for (p = (uint32_t *)buf; *p != 0x1badb002; p++)
		;
	return p;
}

static void truncate_in_text(uint8_t *buf, size_t *len)
{
	*len = phdr(buf, 0)->p_offset + phdr(buf, 0)->p_filesz / 2;
}

static void paddr_near_4g(uint8_t *buf, size_t *len)
{
	(void)len;
	phdr(buf, 0)->p_paddr = 0xfffff000;
}

static void paddr_reserved(uint8_t *buf, size_t *len)
{
	(void)len;
	phdr(buf, 0)->p_paddr = 0xa0000;
}

static void phoff_past_end(uint8_t *buf, size_t *len)
{
	((Elf32_Ehdr *)buf)->e_phoff = *len - 8;
}

static void filesz_past_end(uint8_t *buf, size_t *len)
{
	phdr(buf, 1)->p_filesz = *len;
	phdr(buf, 1)->p_memsz = *len;
}

static void entry_outside(uint8_t *buf, size_t *len)
{
	(void)len;
	((Elf32_Ehdr *)buf)->e_entry = 0x100;
}

static void segments_overlap(uint8_t *buf, size_t *len)
{
	(void)len;
	phdr(buf, 1)->p_paddr = phdr(buf, 0)->p_paddr;
}

static void no_mb_magic(uint8_t *buf, size_t *len)
{
	(void)len;
	mb_header(buf)[0] = 0x12345678;
}

static void aout_kludge(uint8_t *buf, size_t *len)
{
	uint32_t *h = mb_header(buf);

	(void)len;
	h[1] = 1 << 16;
	h[2] = -(h[0] + h[1]);
}

static void video_mode(uint8_t *buf, size_t *len)
{
	uint32_t *h = mb_header(buf);

	(void)len;
	h[1] = 1 << 2;
	h[2] = -(h[0] + h[1]);
}

static void elf64_class(uint8_t *buf, size_t *len)
{
	(void)len;
	buf[EI_CLASS] = ELFCLASS64;
}

static const struct {
	const char *name;
	void (*patch)(uint8_t *buf, size_t *len);
	const char *msg;
} bad_kernels[] = {
	{ "truncated", truncate_in_text, "runs past the end of the file" },
	{ "near-4g", paddr_near_4g, "lies outside guest RAM" },
	{ "reserved", paddr_reserved, "overlaps the reserved area" },
	{ "phoff", phoff_past_end, "program headers" },
	{ "filesz", filesz_past_end, "runs past the end of the file" },
	{ "entry", entry_outside, "lies in no loadable segment" },
	{ "overlap", segments_overlap, "overlaps an earlier one" },
	{ "nomagic", no_mb_magic, "ELF file without a multiboot header" },
	{ "aout", aout_kludge, "a.out kludge" },
	{ "video", video_mode, "requires features mvrun lacks" },
	{ "elf64", elf64_class, "not an ELF32 file" },
};

TEST_F_TIMEOUT(mvrun, bad_kernels_are_refused, 120)
{
	static const char bz[0x300] = { [0x202] = 'H', 'd', 'r', 'S' };
	char path[64];
	size_t i;

	for (i = 0; i < sizeof(bad_kernels) / sizeof(bad_kernels[0]); i++) {
		snprintf(path, sizeof(path), "/tmp/mvrun_test.%s", bad_kernels[i].name);
		ASSERT_EQ(0, patched(path, bad_kernels[i].patch));
		EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, MVK "%s", path)) {
			TH_LOG("%s: %s", bad_kernels[i].name, out);
		}
		EXPECT_NE(NULL, strstr(out, bad_kernels[i].msg)) {
			TH_LOG("%s: %s", bad_kernels[i].name, out);
		}
		unlink(path);
	}
	ASSERT_EQ(0, write_file("/tmp/mvrun_test.txt", "hello, world\n", 13));
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, MVK "/tmp/mvrun_test.txt"));
	EXPECT_NE(NULL, strstr(out, "is neither a Linux bzImage"));
	EXPECT_NE(NULL, strstr(out, "nor a multiboot kernel"));
	ASSERT_EQ(0, write_file("/tmp/mvrun_test.bz", bz, sizeof(bz)));
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, MVK "/tmp/mvrun_test.bz"));
	/* A bzImage header too old to say whether it has a 64-bit entry. */
	EXPECT_NE(NULL, strstr(out, "boot protocol 0.00: mvrun needs 2.12 or later"));
	/* An ordinary 64-bit program. */
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, MVK "/usr/sbin/mvctl"));
	EXPECT_NE(NULL, strstr(out, "ELF64 file without a multiboot header"));
	/* Segments outside RAM: mb32.elf is linked at 4 MiB. */
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, MVK MB " --mem 2M"));
	EXPECT_NE(NULL, strstr(out, "lies outside guest RAM"));
	ASSERT_EQ(0, write_file("/tmp/mvrun_test.txt", "", 0));
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, MVK "/tmp/mvrun_test.txt"));
	EXPECT_NE(NULL, strstr(out, "is empty"));
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, MVK "/tmp"));
	EXPECT_NE(NULL, strstr(out, "not a regular file"));
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, MVK "/nonexistent"));
	EXPECT_NE(NULL, strstr(out, "cannot open /nonexistent"));
	/* A module that does not fit above the kernel. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "dd if=/dev/zero of=/tmp/mvrun_test.txt bs=1M count=5 2>&1"));
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, MVK MB " --mem 8M --initrd /tmp/mvrun_test.txt"));
	EXPECT_NE(NULL, strstr(out, "no room for /tmp/mvrun_test.txt"));
	EXPECT_EQ(64, run_cmd(out, sizeof(out), -1, MVK MB " --initrd /nonexistent"));
	EXPECT_NE(NULL, strstr(out, "cannot open /nonexistent"));
	unlink("/tmp/mvrun_test.txt");
	unlink("/tmp/mvrun_test.bz");
}

TEST_F_TIMEOUT(mvrun, usage_errors, 120)
{
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvrun --cpus 0 --kernel " MB));
	EXPECT_NE(NULL, strstr(out, "bad vCPU count"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvrun --cpus 17 --kernel " MB));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvrun --initrd x /mv/guests/hello16.bin"));
	EXPECT_NE(NULL, strstr(out, "go with --kernel"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvrun --kernel " MB " /mv/guests/hello16.bin"));
	EXPECT_NE(NULL, strstr(out, "not both"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvrun --kernel " MB " --mem 4G"));
	EXPECT_NE(NULL, strstr(out, "below the I/O APIC"));
}

TEST_F_TIMEOUT(mvrun, flat_loader_unchanged, 120)
{
	EXPECT_EQ(0x43, run_cmd(out, sizeof(out), -1, "mvrun /mv/guests/hello16.bin"));
	EXPECT_STREQ("Hello from real mode!\n", out);
	/* Extra vCPUs of a flat guest are created and stay idle. */
	EXPECT_EQ(0x43, run_cmd(out, sizeof(out), -1, "mvrun --cpus 2 /mv/guests/hello16.bin"));
	EXPECT_STREQ("Hello from real mode!\n", out);
	EXPECT_EQ((0x7e << 1 | 1) & 0xff,
		  run_cmd(out, sizeof(out), -1, "mvrun /mv/guests/exits32.bin"));
	EXPECT_NE(NULL, strstr(out, "unknown test 0"));
	EXPECT_EQ(66, run_cmd(out, sizeof(out), -1, "mvrun /mv/guests/triple16.bin"));
	EXPECT_NE(NULL, strstr(out, "the guest crashed: triple fault"));
}

TEST_HARNESS_MAIN
