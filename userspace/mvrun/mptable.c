// SPDX-License-Identifier: GPL-2.0
/*
 * The MP table (Intel MultiProcessor Specification 1.4), which tells a
 * Linux guest its CPUs, its I/O APIC and how the ISA interrupts reach it.
 *
 * Why an MP table and not ACPI's MADT: the guest boots with acpi=off (no
 * ACPI interpreter, no tables to parse, no SCI: a faster boot, as
 * kvmtool's), and without ACPI the MP table is where Linux finds
 * processors beyond the first and the I/O APIC.  It is a few fixed-size
 * entries, built here in one function.
 *
 * At @base (0xf0000, reserved in e820, where Linux scans for "_MP_"): the
 * floating pointer (16 bytes), then the configuration table:
 *
 *   one processor per vCPU    APIC ID = vCPU index (the module's), version
 *                             0x14, enabled, vCPU 0 the bootstrap one
 *   bus 0                     "ISA"
 *   the I/O APIC              its ID as the module has it, version 0x11,
 *                             at 0xfec00000
 *   ISA IRQs 0, 1, 3-15       to I/O APIC pins of the same number, except
 *                             IRQ 0 (the PIT), which reaches pin 2: the
 *                             module's routing (irq.c).  Conforming
 *                             polarity and trigger: ISA's, edge, high
 *   LINT0 ExtINT, LINT1 NMI   on every local APIC: the PICs reach vCPU 0
 *                             through LINT0, as on a PC
 *
 * Every structure's bytes sum to zero.  Feature byte 2 bit 7 (IMCR) is
 * clear: the PICs are in virtual-wire mode, nothing to switch.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "mvrun.h"

#define MP_SPEC_REV		4
#define LAPIC_ADDR		0xfee00000u
#define LAPIC_VERSION		0x14
#define IOAPIC_ADDR		0xfec00000u
#define IOAPIC_VERSION		0x11

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

#define CPU_ENABLED		0x01
#define CPU_BSP			0x02

struct mpf_intel {
	char signature[4];		/* "_MP_" */
	uint32_t physptr;		/* the configuration table */
	uint8_t length;			/* in 16-byte units: 1 */
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature[5];		/* [0] 0: a table is present; [1] bit 7: IMCR */
} __attribute__((packed));

struct mpc_table {
	char signature[4];		/* "PCMP" */
	uint16_t length;		/* with the entries */
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t count;			/* entries */
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type, apicid, apicver, cpuflag;
	uint32_t cpufeature;		/* CPUID.1 EAX: stepping, model, family */
	uint32_t featureflag;		/* CPUID.1 EDX */
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type, busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type, apicid, apicver, flags;
	uint32_t apicaddr;
} __attribute__((packed));

/* An I/O interrupt (type 3) or local interrupt (type 4) assignment. */
struct mpc_intsrc {
	uint8_t type, irqtype;
	uint16_t irqflag;		/* 0: conforming polarity and trigger */
	uint8_t srcbus, srcbusirq;
	uint8_t dstapic;		/* 0xff: every local APIC (type 4) */
	uint8_t dstirq;			/* the I/O APIC pin, or LINTn */
} __attribute__((packed));

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return -sum;
}

/* The I/O APIC's ID as the module's irqchip has it (0 without one). */
static uint8_t ioapic_id(struct vm *vm)
{
	struct mv_irqchip_state st = { .chip_id = MV_IRQCHIP_IOAPIC };

	if (vm->irqchip && !ioctl(vm->fd, MV_GET_IRQCHIP, &st))
		return st.ioapic.id;
	return 0;
}

static void add(uint8_t *buf, size_t *off, uint16_t *count, const void *e, size_t len)
{
	memcpy(buf + *off, e, len);
	*off += len;
	(*count)++;
}

int mptable_write(struct vm *vm, uint64_t base)
{
	uint8_t buf[MPTABLE_MAX_SIZE] = { 0 };
	struct mpf_intel *mpf = (struct mpf_intel *)buf;
	struct mpc_table *mpc = (struct mpc_table *)(buf + sizeof(*mpf));
	size_t off = sizeof(*mpf) + sizeof(*mpc);
	uint8_t io_id = ioapic_id(vm);
	uint16_t n = 0;
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct mpc_cpu cpu = {
			.type = MP_PROCESSOR, .apicid = i, .apicver = LAPIC_VERSION,
			.cpuflag = CPU_ENABLED | (i ? 0 : CPU_BSP),
			.cpufeature = vm->cpu_signature, .featureflag = vm->cpu_features,
		};

		add(buf, &off, &n, &cpu, sizeof(cpu));
	}
	add(buf, &off, &n, &(struct mpc_bus){ MP_BUS, 0, "ISA   " }, sizeof(struct mpc_bus));
	add(buf, &off, &n, &(struct mpc_ioapic){ MP_IOAPIC, io_id, IOAPIC_VERSION, 1, IOAPIC_ADDR },
	    sizeof(struct mpc_ioapic));
	for (i = 0; i < 16; i++) {
		struct mpc_intsrc irq = {
			.type = MP_INTSRC, .irqtype = MP_INT, .srcbus = 0, .srcbusirq = i,
			.dstapic = io_id, .dstirq = i ? i : 2,
		};

		if (i != 2)	/* the PICs' cascade: no ISA device behind it */
			add(buf, &off, &n, &irq, sizeof(irq));
	}
	add(buf, &off, &n, &(struct mpc_intsrc){ MP_LINTSRC, MP_EXTINT, 0, 0, 0, 0xff, 0 },
	    sizeof(struct mpc_intsrc));
	add(buf, &off, &n, &(struct mpc_intsrc){ MP_LINTSRC, MP_NMI, 0, 0, 0, 0xff, 1 },
	    sizeof(struct mpc_intsrc));

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = off - sizeof(*mpf);
	mpc->spec = MP_SPEC_REV;
	memcpy(mpc->oem, "MINIVSR ", 8);
	memcpy(mpc->productid, "mvrun       ", 12);
	mpc->count = n;
	mpc->lapic = LAPIC_ADDR;
	mpc->checksum = checksum(mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = base + sizeof(*mpf);
	mpf->length = 1;
	mpf->specification = MP_SPEC_REV;
	mpf->checksum = checksum(mpf, sizeof(*mpf));
	if (vm_write(vm, base, buf, off)) {
		fprintf(stderr, "mvrun: cannot write the MP table: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}
