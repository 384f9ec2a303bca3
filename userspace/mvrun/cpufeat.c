// SPDX-License-Identifier: GPL-2.0
/*
 * --cpu-features: the guest's CPUID feature bits by QEMU's names, so that
 * a test written for "qemu-system-x86_64 -cpu MODEL,+x2apic,-pcid" (as
 * kvm-unit-tests' unittests.cfg does) says the same thing to mvrun.
 *
 * The list is QEMU's -cpu syntax without the model: items separated by
 * commas, each "+name" or "name" or "name=on" to turn a feature on,
 * "-name" or "name=off" to turn it off; '_' and '-' are the same in names,
 * as with QEMU, which also knows a few older spellings (sse3 for pni...).
 * "enforce", as in QEMU, makes a feature that cannot be turned on an
 * error instead of a warning.
 *
 * What a vCPU starts with is everything minivisor virtualizes (the host's
 * CPUID minus what the module does not support, plus the local APIC,
 * x2APIC, TSC-deadline and ARAT with an irqchip), so there is no model to
 * add features to: "-name" hides a feature; "+name" keeps one that is
 * there and, for one that is not, warns and leaves it off, as QEMU does
 * with a feature its accelerator cannot provide.  The guest never sees a
 * feature the module does not implement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "mvrun.h"

enum { R_EAX, R_EBX, R_ECX, R_EDX };

/* A CPUID register holding 32 feature bits, and their names (QEMU's). */
struct feature_word {
	uint32_t function, index;
	bool indexed;		/* the leaf has subleaves: index matters */
	int reg;
	const char *names[32];
};

static const struct feature_word words[] = {
	{ 1, 0, false, R_EDX, {
		"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
		"cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
		"pat", "pse36", "pn", "clflush", NULL, "ds", "acpi", "mmx",
		"fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
	{ 1, 0, false, R_ECX, {
		"pni", "pclmulqdq", "dtes64", "monitor", "ds-cpl", "vmx", "smx", "est",
		"tm2", "ssse3", "cid", NULL, "fma", "cx16", "xtpr", "pdcm",
		NULL, "pcid", "dca", "sse4.1", "sse4.2", "x2apic", "movbe", "popcnt",
		"tsc-deadline", "aes", "xsave", NULL, "avx", "f16c", "rdrand", "hypervisor" } },
	{ 6, 0, false, R_EAX, {
		NULL, NULL, "arat" } },
	{ 7, 0, true, R_EBX, {
		"fsgsbase", "tsc-adjust", "sgx", "bmi1", "hle", "avx2", NULL, "smep",
		"bmi2", "erms", "invpcid", "rtm", NULL, NULL, "mpx", NULL,
		"avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", "pcommit", "clflushopt",
		"clwb", "intel-pt", "avx512pf", "avx512er", "avx512cd", "sha-ni", "avx512bw", "avx512vl" } },
	{ 7, 0, true, R_ECX, {
		NULL, "avx512vbmi", "umip", "pku", NULL, "waitpkg", "avx512vbmi2", NULL,
		"gfni", "vaes", "vpclmulqdq", "avx512vnni", "avx512bitalg", NULL, "avx512-vpopcntdq", NULL,
		"la57", NULL, NULL, NULL, NULL, NULL, "rdpid", NULL,
		"bus-lock-detect", "cldemote", NULL, "movdiri", "movdir64b", NULL, "sgxlc", "pks" } },
	{ 7, 0, true, R_EDX, {
		NULL, NULL, "avx512-4vnniw", "avx512-4fmaps", "fsrm", NULL, NULL, NULL,
		"avx512-vp2intersect", NULL, "md-clear", NULL, NULL, NULL, "serialize", NULL,
		"tsx-ldtrk", NULL, NULL, "arch-lbr", NULL, NULL, "amx-bf16", "avx512-fp16",
		"amx-tile", "amx-int8", "spec-ctrl", "stibp", "flush-l1d", "arch-capabilities",
		"core-capability", "ssbd" } },
	{ 0xd, 1, true, R_EAX, {
		"xsaveopt", "xsavec", "xgetbv1", "xsaves" } },
	{ 0x80000001, 0, false, R_EDX, {
		[11] = "syscall", [20] = "nx", [22] = "mmxext", [25] = "fxsr-opt",
		[26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm", [30] = "3dnowext",
		[31] = "3dnow" } },
	{ 0x80000001, 0, false, R_ECX, {
		"lahf-lm", "cmp-legacy", "svm", "extapic", "cr8legacy", "abm", "sse4a", "misalignsse",
		"3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", NULL, "lwp",
		"fma4", "tce", NULL, "nodeid-msr", NULL, "tbm", "topoext", "perfctr-core",
		"perfctr-nb" } },
	{ 0x80000007, 0, false, R_EDX, {
		[8] = "invtsc" } },
	{ 0x80000008, 0, false, R_EBX, {
		[9] = "wbnoinvd", [12] = "ibpb", [14] = "ibrs", [15] = "amd-stibp",
		[24] = "amd-ssbd", [25] = "virt-ssbd", [26] = "amd-no-ssb" } },
};

/* QEMU's other spellings (after '_' became '-'). */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "sse3", "pni" }, { "pclmuldq", "pclmulqdq" }, { "sse4-1", "sse4.1" },
	{ "sse4-2", "sse4.2" }, { "xd", "nx" }, { "ffxsr", "fxsr-opt" },
	{ "i64", "lm" }, { "tsc-deadline-timer", "tsc-deadline" },
};

static const char *const reg_names[] = { "EAX", "EBX", "ECX", "EDX" };

static bool find_feature(const char *name, struct cpu_feature *f)
{
	size_t w, i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i].alias))
			name = aliases[i].name;
	for (w = 0; w < sizeof(words) / sizeof(words[0]); w++)
		for (i = 0; i < 32; i++)
			if (words[w].names[i] && !strcmp(words[w].names[i], name)) {
				f->word = w;
				f->bit = i;
				f->name = words[w].names[i];
				return true;
			}
	return false;
}

int cpu_features_parse(const char *spec, struct cpu_features *fs)
{
	char *copy = strdup(spec), *item, *save = NULL, *eq;
	int ret = 0;

	if (!copy)
		return -1;
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		struct cpu_feature f;
		bool on = true;
		char *p;

		if (!strcmp(item, "enforce")) {
			fs->enforce = true;
			continue;
		}
		if (*item == '+' || *item == '-') {
			on = *item == '+';
			item++;
		} else if ((eq = strchr(item, '='))) {
			*eq++ = '\0';
			if (!strcmp(eq, "on") || !strcmp(eq, "true")) {
				on = true;
			} else if (!strcmp(eq, "off") || !strcmp(eq, "false")) {
				on = false;
			} else {
				fprintf(stderr, "mvrun: --cpu-features: '%s=%s': a feature is on or off\n",
					item, eq);
				ret = -1;
				break;
			}
		}
		for (p = item; *p; p++)
			if (*p == '_')
				*p = '-';
		if (!find_feature(item, &f)) {
			fprintf(stderr, "mvrun: --cpu-features: unknown CPU feature '%s' (see 'mvrun --cpu-features help')\n",
				item);
			ret = -1;
			break;
		}
		if (fs->n == MAX_CPU_FEATURES) {
			fprintf(stderr, "mvrun: --cpu-features: more than %d features\n",
				MAX_CPU_FEATURES);
			ret = -1;
			break;
		}
		f.on = on;
		fs->f[fs->n++] = f;
	}
	free(copy);
	return ret;
}

void cpu_features_list(FILE *out)
{
	size_t w, i;

	fputs("CPU features --cpu-features knows (QEMU's names), by CPUID leaf:\n", out);
	for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		const struct feature_word *fw = &words[w];

		fprintf(out, "  %08xh", fw->function);
		if (fw->indexed)
			fprintf(out, ".%u", fw->index);
		fprintf(out, ":%s", reg_names[fw->reg]);
		for (i = 0; i < 32; i++)
			if (fw->names[i])
				fprintf(out, " %s", fw->names[i]);
		fputc('\n', out);
	}
}

static uint32_t *feature_reg(struct mv_cpuid *t, const struct feature_word *fw)
{
	uint32_t i;

	for (i = 0; i < t->nent; i++) {
		struct mv_cpuid_entry *e = &t->entries[i];

		if (e->function != fw->function)
			continue;
		if (fw->indexed && (e->flags & MV_CPUID_INDEXED) && e->index != fw->index)
			continue;
		switch (fw->reg) {
		case R_EAX:
			return &e->eax;
		case R_EBX:
			return &e->ebx;
		case R_ECX:
			return &e->ecx;
		default:
			return &e->edx;
		}
	}
	return NULL;
}

/* Whether a later item of @fs says something about the same feature as item @i. */
static bool overridden(const struct cpu_features *fs, int i)
{
	int j;

	for (j = i + 1; j < fs->n; j++)
		if (fs->f[j].word == fs->f[i].word && fs->f[j].bit == fs->f[i].bit)
			return true;
	return false;
}

int cpu_features_apply(struct mv_cpuid *t, const struct cpu_features *fs, bool quiet)
{
	int i, ret = 0;

	for (i = 0; i < fs->n; i++) {
		const struct cpu_feature *f = &fs->f[i];
		const struct feature_word *fw = &words[f->word];
		uint32_t *r = feature_reg(t, fw);

		if (overridden(fs, i))
			continue;
		if (!f->on) {
			if (r)
				*r &= ~(1u << f->bit);
			continue;
		}
		if (r && (*r & (1u << f->bit)))
			continue;
		/* Not offered: QEMU's "host doesn't support requested feature". */
		if (!quiet || fs->enforce) {
			fprintf(stderr, "mvrun: %s: minivisor does not offer CPU feature '%s' (CPUID.%02XH",
				fs->enforce ? "error" : "warning", f->name, fw->function);
			if (fw->indexed)
				fprintf(stderr, ".%u", fw->index);
			fprintf(stderr, ":%s[%d]); the guest does not get it\n",
				reg_names[fw->reg], f->bit);
		}
		if (fs->enforce)
			ret = -1;
	}
	return ret;
}

int cpu_features_set(int vcpu_fd, const struct cpu_features *fs, bool quiet)
{
	size_t size = sizeof(struct mv_cpuid) +
		      MV_CPUID_MAX_ENTRIES * sizeof(struct mv_cpuid_entry);
	struct mv_cpuid *t = calloc(1, size);
	int ret = -1;

	if (!t)
		return -1;
	t->nent = MV_CPUID_MAX_ENTRIES;
	if (ioctl(vcpu_fd, MV_GET_CPUID, t)) {
		perror("mvrun: reading the vCPU's CPUID (MV_GET_CPUID)");
	} else if (!cpu_features_apply(t, fs, quiet)) {
		ret = ioctl(vcpu_fd, MV_SET_CPUID, t);
		if (ret)
			perror("mvrun: setting the vCPU's CPUID (MV_SET_CPUID)");
	}
	free(t);
	return ret;
}
