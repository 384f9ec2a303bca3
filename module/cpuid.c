// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPUID.
 *
 * Each vCPU answers CPUID from a table userspace may replace.  The default
 * table is the host CPU's, minus what minivisor does not virtualize: the
 * virtualization extensions themselves, XSAVE and everything built on it
 * (AVX...), the local APIC and x2APIC, PCID/INVPCID, MONITOR/MWAIT,
 * performance monitoring, the speculation-control MSRs, RDPID, PKU, LA57,
 * machine-check architecture and MTRRs.  Leaf 0x40000000 names the
 * hypervisor.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "minivisor.h"

#define HV_LEAF			0x40000000
#define HV_TIMING_LEAF		0x40000010
#define MV_DEFAULT_MAXPHYADDR	40

struct leaf_mask {
	u32 function;
	u32 eax, ebx, ecx, edx;		/* bits to keep */
};

/* Leaf 1 */
#define L1_ECX_KEEP (BIT(0) /* SSE3 */ | BIT(1) /* PCLMULQDQ */ |	\
		     BIT(9) /* SSSE3 */ | BIT(13) /* CX16 */ | BIT(19) /* SSE4.1 */ |		\
		     BIT(20) /* SSE4.2 */ | BIT(22) /* MOVBE */ |		\
		     BIT(23) /* POPCNT */ | BIT(25) /* AES */ |		\
		     BIT(30) /* RDRAND */)
#define L1_EDX_KEEP (BIT(0) /* FPU */ | BIT(3) /* PSE */ | BIT(4) /* TSC */ | \
		     BIT(5) /* MSR */ | BIT(6) /* PAE */ | BIT(8) /* CX8 */ | \
		     BIT(11) /* SEP */ | BIT(13) /* PGE */ | BIT(15) /* CMOV */ | \
		     BIT(16) /* PAT */ | BIT(17) /* PSE-36 */ |		\
		     BIT(19) /* CLFSH */ |					\
		     BIT(23) /* MMX */ | BIT(24) /* FXSR */ |		\
		     BIT(25) /* SSE */ | BIT(26) /* SSE2 */)
/* Leaf 7.0 EBX: FSGSBASE, BMI1, SMEP, BMI2, ERMS, ADX, SMAP, CLFLUSHOPT */
#define L7_EBX_KEEP (BIT(0) | BIT(3) | BIT(7) | BIT(8) | BIT(9) | BIT(19) | \
		     BIT(20) | BIT(23))
/* ... and TSC_ADJUST, whatever the host has: msr.c emulates it (as KVM). */
#define L7_EBX_TSC_ADJUST BIT(1)
/* Leaf 0x80000001 ECX: LAHF, ABM, SSE4A, MisAlignSSE, PREFETCHW */
#define LX1_ECX_KEEP (BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(8))
/* Leaf 0x80000001 EDX: SYSCALL, NX, MMXEXT, FXSR_OPT, 1G pages, RDTSCP, LM */
#define LX1_EDX_KEEP (BIT(11) | BIT(20) | BIT(22) | BIT(25) | BIT(26) | \
		      BIT(27) | BIT(29) | L1_EDX_KEEP)

static void put(struct mv_cpuid_entry *e, unsigned int *n, u32 function,
		u32 index, u32 flags, u32 a, u32 b, u32 c, u32 d)
{
	struct mv_cpuid_entry *x = &e[(*n)++];

	x->function = function;
	x->index = index;
	x->flags = flags;
	x->eax = a;
	x->ebx = b;
	x->ecx = c;
	x->edx = d;
}

struct mv_cpuid_entry *mv_cpuid_default(unsigned int *nent)
{
	struct mv_cpuid_entry *e;
	u32 a, b, c, d, max, xmax, f;
	unsigned int n = 0;

	e = kcalloc(MV_CPUID_MAX_ENTRIES, sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return NULL;

	cpuid(0, &max, &b, &c, &d);
	max = min_t(u32, max, 7);
	put(e, &n, 0, 0, 0, max, b, c, d);

	cpuid(1, &a, &b, &c, &d);
	/* One logical CPU, APIC ID 0; "hypervisor present". */
	b &= 0xffff;
	put(e, &n, 1, 0, 0, a, b, (c & L1_ECX_KEEP) | BIT(31), d & L1_EDX_KEEP);

	if (max >= 7) {
		cpuid_count(7, 0, &a, &b, &c, &d);
		put(e, &n, 7, 0, MV_CPUID_INDEXED, 0,
		    (b & L7_EBX_KEEP) | L7_EBX_TSC_ADJUST, 0, 0);
	}

	/* Hypervisor leaves: "MiniVisor\0\0\0", up to the timing leaf. */
	put(e, &n, HV_LEAF, 0, 0, HV_TIMING_LEAF, 0x696e694d, 0x6f736956,
	    0x00000072);
	put(e, &n, HV_LEAF + 1, 0, 0, MV_API_VERSION, 0, 0, 0);
	/*
	 * Timing, in VMware's format (which Linux and others read): the TSC
	 * and the local APIC's bus frequencies in kHz, so that a guest
	 * need not calibrate them against a PIT.
	 */
	put(e, &n, HV_TIMING_LEAF, 0, 0, tsc_khz, MV_APIC_BUS_KHZ, 0, 0);

	cpuid(0x80000000, &xmax, &b, &c, &d);
	xmax = min_t(u32, xmax, 0x80000008);
	put(e, &n, 0x80000000, 0, 0, xmax, b, c, d);
	if (xmax >= 0x80000001) {
		cpuid(0x80000001, &a, &b, &c, &d);
		put(e, &n, 0x80000001, 0, 0, a, 0, c & LX1_ECX_KEEP,
		    d & LX1_EDX_KEEP);
	}
	for (f = 0x80000002; f <= min_t(u32, xmax, 0x80000004); f++) {
		cpuid(f, &a, &b, &c, &d);
		put(e, &n, f, 0, 0, a, b, c, d);
	}
	if (xmax >= 0x80000008) {
		cpuid(0x80000008, &a, &b, &c, &d);
		/* Guest physical addresses: up to 2^40 bytes; linear as host. */
		a = (a & 0xff00) | min_t(u32, a & 0xff, MV_DEFAULT_MAXPHYADDR);
		put(e, &n, 0x80000008, 0, 0, a, 0, 0, 0);
	}
	*nent = n;
	return e;
}

static struct mv_cpuid_entry *mv_cpuid_find(struct mv_vcpu *vcpu,
					    u32 function, u32 index)
{
	unsigned int i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		struct mv_cpuid_entry *x = &vcpu->cpuid[i];

		if (x->function == function &&
		    (!(x->flags & MV_CPUID_INDEXED) || x->index == index))
			return x;
	}
	return NULL;
}

void mv_cpuid_lookup(struct mv_vcpu *vcpu, u32 function, u32 index,
		     u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	const struct mv_cpuid_entry *x = mv_cpuid_find(vcpu, function, index);

	if (x) {
		*eax = x->eax;
		*ebx = x->ebx;
		*ecx = x->ecx;
		*edx = x->edx;
	} else {
		*eax = 0;
		*ebx = 0;
		*ecx = 0;
		*edx = 0;
	}
}

bool mv_guest_has(struct mv_vcpu *vcpu, u32 function, int reg, int bit)
{
	const struct mv_cpuid_entry *x = mv_cpuid_find(vcpu, function, 0);
	u32 v;

	if (!x)
		return false;
	switch (reg) {
	case 0:
		v = x->eax;
		break;
	case MV_CPUID_EBX:
		v = x->ebx;
		break;
	case MV_CPUID_ECX:
		v = x->ecx;
		break;
	default:
		v = x->edx;
	}
	return v & BIT(bit);
}

u8 mv_guest_maxphyaddr(struct mv_vcpu *vcpu)
{
	const struct mv_cpuid_entry *x = mv_cpuid_find(vcpu, 0x80000008, 0);
	u8 bits = x ? x->eax & 0xff : 36;

	/* Clamp to what makes sense for the walker's reserved-bit masks. */
	return clamp_t(u8, bits, 32, 52);
}

/*
 * A vCPU of a VM with an irqchip: its local APIC (and x2APIC), the
 * TSC-deadline timer and an always-running APIC timer (ARAT), and its APIC
 * ID in leaf 1.
 */
void mv_cpuid_add_irqchip(struct mv_vcpu *vcpu)
{
	struct mv_cpuid_entry *x = mv_cpuid_find(vcpu, 1, 0);

	if (x) {
		x->edx |= BIT(9);			/* APIC */
		x->ecx |= BIT(21) | BIT(24);		/* x2APIC, TSC-deadline */
		x->ebx = (x->ebx & 0x00ffffff) | (vcpu->index << 24);
	}
	x = mv_cpuid_find(vcpu, 6, 0);
	if (!x && vcpu->cpuid_nent < MV_CPUID_MAX_ENTRIES) {
		x = &vcpu->cpuid[vcpu->cpuid_nent++];
		memset(x, 0, sizeof(*x));
		x->function = 6;
	}
	if (x)
		x->eax |= BIT(2);			/* ARAT */
	x = mv_cpuid_find(vcpu, 0, 0);
	if (x && x->eax < 6)
		x->eax = 6;
}
