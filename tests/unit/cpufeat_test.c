// SPDX-License-Identifier: GPL-2.0
/*
 * mvrun's --cpu-features (userspace/mvrun/cpufeat.c), in userspace on a
 * CPUID table in memory: QEMU's spellings (+f, -f, f, f=on/off, '_' for
 * '-', the old aliases), the bits each name lands on (checked against the
 * architecture's numbering, not against the table in cpufeat.c), the last
 * word winning, subleaf 0 of leaf 7 only, warnings for features the table
 * lacks and "enforce" turning them into errors, and the refusals.
 *
 * Prints TAP; exits 1 when a case fails.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvrun.h"

bool verbose;

static int failures, cases;
static char errbuf[4096];

static void check(bool ok, const char *what)
{
	cases++;
	if (!ok)
		failures++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", cases, what);
}

/* Runs @fn with stderr going to errbuf. */
#define CAPTURE(expr) ({						\
	FILE *saved_ = stderr, *tmp_ = tmpfile();			\
	int r_;								\
	stderr = tmp_;							\
	r_ = (expr);							\
	fflush(tmp_);							\
	rewind(tmp_);							\
	errbuf[fread(errbuf, 1, sizeof(errbuf) - 1, tmp_)] = '\0';	\
	fclose(tmp_);							\
	stderr = saved_;						\
	r_;								\
})

static struct {
	struct mv_cpuid hdr;
	struct mv_cpuid_entry e[16];
} tab;

/* A table like a vCPU's with an irqchip: APIC, x2APIC, TSC-deadline, no PCID. */
static void fill(void)
{
	memset(&tab, 0, sizeof(tab));
	tab.e[0] = (struct mv_cpuid_entry){ .function = 0, .eax = 7 };
	tab.e[1] = (struct mv_cpuid_entry){ .function = 1,
		.ecx = (1u << 0) | (1u << 21) | (1u << 24) | (1u << 31),
		.edx = (1u << 0) | (1u << 3) | (1u << 9) | (1u << 13) };
	tab.e[2] = (struct mv_cpuid_entry){ .function = 6, .eax = 1u << 2 };
	/* Subleaf 1 of leaf 7 first: it must be left alone. */
	tab.e[3] = (struct mv_cpuid_entry){ .function = 7, .index = 1,
		.flags = MV_CPUID_INDEXED, .ebx = ~0u, .ecx = ~0u, .edx = ~0u };
	tab.e[4] = (struct mv_cpuid_entry){ .function = 7, .index = 0,
		.flags = MV_CPUID_INDEXED, .ebx = (1u << 7) | (1u << 20), .ecx = 1u << 2 };
	tab.e[5] = (struct mv_cpuid_entry){ .function = 0x80000001,
		.ecx = 1u << 0, .edx = (1u << 11) | (1u << 20) | (1u << 26) | (1u << 29) };
	tab.hdr.nent = 6;
}

static int apply(const char *spec, bool quiet)
{
	struct cpu_features fs = { 0 };

	if (CAPTURE(cpu_features_parse(spec, &fs)))
		return -2;
	return CAPTURE(cpu_features_apply(&tab.hdr, &fs, quiet));
}

static void test_names_and_bits(void)
{
	static const struct {
		const char *name;
		int entry;
		size_t off;	/* offsetof the register */
		int bit;
	} cases_[] = {
		{ "x2apic", 1, offsetof(struct mv_cpuid_entry, ecx), 21 },
		{ "tsc-deadline", 1, offsetof(struct mv_cpuid_entry, ecx), 24 },
		{ "tsc_deadline", 1, offsetof(struct mv_cpuid_entry, ecx), 24 },
		{ "hypervisor", 1, offsetof(struct mv_cpuid_entry, ecx), 31 },
		{ "sse3", 1, offsetof(struct mv_cpuid_entry, ecx), 0 },
		{ "pse", 1, offsetof(struct mv_cpuid_entry, edx), 3 },
		{ "apic", 1, offsetof(struct mv_cpuid_entry, edx), 9 },
		{ "pge", 1, offsetof(struct mv_cpuid_entry, edx), 13 },
		{ "arat", 2, offsetof(struct mv_cpuid_entry, eax), 2 },
		{ "smep", 4, offsetof(struct mv_cpuid_entry, ebx), 7 },
		{ "smap", 4, offsetof(struct mv_cpuid_entry, ebx), 20 },
		{ "umip", 4, offsetof(struct mv_cpuid_entry, ecx), 2 },
		{ "lahf_lm", 5, offsetof(struct mv_cpuid_entry, ecx), 0 },
		{ "syscall", 5, offsetof(struct mv_cpuid_entry, edx), 11 },
		{ "xd", 5, offsetof(struct mv_cpuid_entry, edx), 20 },
		{ "pdpe1gb", 5, offsetof(struct mv_cpuid_entry, edx), 26 },
		{ "i64", 5, offsetof(struct mv_cpuid_entry, edx), 29 },
	};
	char what[128], spec[64];
	size_t i;

	for (i = 0; i < sizeof(cases_) / sizeof(cases_[0]); i++) {
		struct mv_cpuid_entry before;
		uint32_t *r;
		bool ok;

		fill();
		before = tab.e[cases_[i].entry];
		snprintf(spec, sizeof(spec), "-%s", cases_[i].name);
		ok = apply(spec, false) == 0 && !errbuf[0];
		r = (uint32_t *)((char *)&tab.e[cases_[i].entry] + cases_[i].off);
		ok = ok && *r == (*(uint32_t *)((char *)&before + cases_[i].off) &
				  ~(1u << cases_[i].bit));
		/* Nothing else changed. */
		*r |= 1u << cases_[i].bit;
		ok = ok && !memcmp(&before, &tab.e[cases_[i].entry], sizeof(before));
		/* And "+name" on what is there changes nothing, says nothing. */
		fill();
		before = tab.e[cases_[i].entry];
		snprintf(spec, sizeof(spec), "+%s", cases_[i].name);
		ok = ok && apply(spec, false) == 0 && !errbuf[0] &&
		     !memcmp(&before, &tab.e[cases_[i].entry], sizeof(before));
		snprintf(what, sizeof(what), "'%s' is bit %d of its leaf", cases_[i].name,
			 cases_[i].bit);
		check(ok, what);
	}
}

static void test_spellings(void)
{
	fill();
	check(apply("x2apic=off,tsc-deadline=false,pse=on", false) == 0 &&
	      tab.e[1].ecx == ((1u << 0) | (1u << 31)) && (tab.e[1].edx & (1u << 3)),
	      "name=off, name=false, name=on");
	fill();
	check(apply("-x2apic,+x2apic", false) == 0 && (tab.e[1].ecx & (1u << 21)) &&
	      apply("x2apic,-x2apic", false) == 0 && !(tab.e[1].ecx & (1u << 21)),
	      "the last word on a feature wins");
	fill();
	check(apply("-smep,-umip", false) == 0 && tab.e[4].ebx == (1u << 20) && !tab.e[4].ecx &&
	      tab.e[3].ebx == ~0u && tab.e[3].ecx == ~0u,
	      "leaf 7: subleaf 0 changes, subleaf 1 does not");
	fill();
	check(apply("-xsaveopt,-invtsc,-rdtscp", false) == 0 &&
	      !memcmp(&tab.e[5], &(struct mv_cpuid_entry){ .function = 0x80000001,
		.ecx = 1u << 0, .edx = (1u << 11) | (1u << 20) | (1u << 26) | (1u << 29) },
		sizeof(tab.e[5])) && tab.hdr.nent == 6,
	      "hiding what the table lacks adds nothing");
}

static void test_missing_and_enforce(void)
{
	fill();
	check(apply("+pcid", false) == 0 && !(tab.e[1].ecx & (1u << 17)) &&
	      strstr(errbuf, "warning: minivisor does not offer CPU feature 'pcid' (CPUID.01H:ECX[17])"),
	      "+pcid when the table lacks it: a warning, and it stays off");
	fill();
	check(apply("+xsaveopt", false) == 0 &&
	      strstr(errbuf, "'xsaveopt' (CPUID.0DH.1:EAX[0])"),
	      "+xsaveopt names its subleaf");
	fill();
	check(apply("+pcid", true) == 0 && !errbuf[0], "quiet: no warning");
	fill();
	check(apply("+invpcid,enforce", true) == -1 &&
	      strstr(errbuf, "error: minivisor does not offer CPU feature 'invpcid' (CPUID.07H.0:EBX[10])"),
	      "enforce: a missing feature is an error, even when quiet");
	fill();
	check(apply("enforce,-x2apic,+smep", false) == 0 && !errbuf[0] &&
	      !(tab.e[1].ecx & (1u << 21)), "enforce with what is there");
}

static void test_refusals(void)
{
	static const struct {
		const char *spec, *msg;
	} bad[] = {
		{ "+x2apicc", "unknown CPU feature 'x2apicc'" },
		{ "-foo", "unknown CPU feature 'foo'" },
		{ "x2apic=maybe", "'x2apic=maybe': a feature is on or off" },
		{ "vendor=AuthenticAMD", "'vendor=AuthenticAMD'" },
		{ "+", "unknown CPU feature ''" },
		{ "host-phys-bits", "unknown CPU feature 'host-phys-bits'" },
	};
	struct cpu_features fs = { 0 };
	char what[128], spec[2048];
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&fs, 0, sizeof(fs));
		snprintf(what, sizeof(what), "refused: '%s'", bad[i].spec);
		check(CAPTURE(cpu_features_parse(bad[i].spec, &fs)) == -1 &&
		      strstr(errbuf, bad[i].msg), what);
	}
	memset(&fs, 0, sizeof(fs));
	check(CAPTURE(cpu_features_parse(",,-x2apic,,", &fs)) == 0 && fs.n == 1,
	      "empty items are ignored");
	/* More than MAX_CPU_FEATURES items. */
	memset(&fs, 0, sizeof(fs));
	for (i = 0, n = 0; i <= MAX_CPU_FEATURES; i++)
		n += snprintf(spec + n, sizeof(spec) - n, "-pse,");
	check(CAPTURE(cpu_features_parse(spec, &fs)) == -1 && strstr(errbuf, "more than"),
	      "too many items");
	/* Several lists add up. */
	memset(&fs, 0, sizeof(fs));
	check(CAPTURE(cpu_features_parse("-x2apic", &fs)) == 0 &&
	      CAPTURE(cpu_features_parse("-pse,enforce", &fs)) == 0 && fs.n == 2 && fs.enforce,
	      "two lists add up");
}

static void test_list(void)
{
	FILE *f = tmpfile();
	char buf[8192];
	size_t n;

	cpu_features_list(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	check(strstr(buf, "00000001h:ECX pni pclmulqdq") && strstr(buf, " x2apic ") &&
	      strstr(buf, "00000007h.0:EBX fsgsbase") && strstr(buf, "80000001h:EDX syscall nx"),
	      "the list of names");
}

int main(void)
{
	test_names_and_bits();
	test_spellings();
	test_missing_and_enforce();
	test_refusals();
	test_list();
	printf("1..%d\n", cases);
	return failures ? 1 : 0;
}
