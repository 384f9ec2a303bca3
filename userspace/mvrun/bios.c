// SPDX-License-Identifier: GPL-2.0
/*
 * What a PC BIOS leaves behind for the kernel it boots.  Under QEMU a
 * multiboot kernel starts after SeaBIOS has run, and kernels may rely on
 * that: kvm-unit-tests' realmode.flat goes back to real mode with the
 * BIOS's interrupt vector table and waits in HLT for the timer tick.  So
 * mvrun --kernel leaves the machine as SeaBIOS does:
 *
 *   - the real-mode IVT at 0: every vector points at an IRET in the BIOS
 *     area (0xf0000, reserved in the memory map), the hardware interrupts'
 *     (0x08-0x0f for IRQ 0-7, 0x70-0x77 for IRQ 8-15) at stubs that
 *     acknowledge the 8259s first;
 *   - the 8259 pair initialized for those vectors (ICW2 0x08 and 0x70),
 *     every line masked but the timer's (IRQ 0) and the cascade (IRQ 2);
 *   - the 8254's channel 0 in mode 2 with the count 65536, the 18.2 Hz
 *     tick;
 *   - vCPU 0's local APIC software-enabled (SVR bit 8), LINT0 in ExtINT
 *     mode and LINT1 as NMI, both level-triggered (SeaBIOS's smp_scan()),
 *     so that the 8259's interrupts reach the CPU.
 *
 * The IVT goes in before the kernel is loaded (a kernel loaded over it
 * wins, as over a real BIOS's), the rest once the vCPUs exist.  The APs
 * stay in wait-for-SIPI, where SeaBIOS leaves them halted; either way only
 * INIT and SIPI get them going.  Without an irqchip only the IVT is
 * written.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "mvrun.h"

#define BIOS_SEG		0xf000
#define BIOS_STUBS		0xf0000
#define PIC_MASTER_BASE		0x08
#define PIC_SLAVE_BASE		0x70
#define PIC_MASTER_IMR		0xfa	/* IRQ 0 (timer) and 2 (cascade) open */
#define PIC_SLAVE_IMR		0xff
#define APIC_SVR		0xf0
#define APIC_LVT0		0x350
#define APIC_LVT1		0x360
#define APIC_SW_ENABLE		0x100
#define LINT0_EXTINT_LEVEL	0x8700
#define LINT1_NMI_LEVEL		0x8400

/*
 * The stubs: IRET; push ax, EOI to the master, pop ax, IRET; the same
 * with an EOI to the slave first.
 */
static const uint8_t stubs[] = {
	0xcf,						/* +0: iret */
	0x50, 0xb0, 0x20, 0xe6, 0x20, 0x58, 0xcf,	/* +1: master */
	0x50, 0xb0, 0x20, 0xe6, 0xa0, 0xe6, 0x20, 0x58, 0xcf,	/* +8: slave */
};
#define STUB_IRET	0
#define STUB_MASTER	1
#define STUB_SLAVE	8

static int write_ivt(struct vm *vm)
{
	uint32_t ivt[256];
	int v;

	for (v = 0; v < 256; v++) {
		uint16_t off = STUB_IRET;

		if (v >= PIC_MASTER_BASE && v < PIC_MASTER_BASE + 8)
			off = STUB_MASTER;
		else if (v >= PIC_SLAVE_BASE && v < PIC_SLAVE_BASE + 8)
			off = STUB_SLAVE;
		ivt[v] = (uint32_t)BIOS_SEG << 16 | off;
	}
	if (vm_write(vm, BIOS_STUBS, stubs, sizeof(stubs)) ||
	    vm_write(vm, 0, ivt, sizeof(ivt))) {
		fprintf(stderr, "mvrun: cannot write the BIOS's interrupt vectors: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

static int setup_pic(struct vm *vm, uint32_t chip, uint8_t base, uint8_t imr)
{
	struct mv_irqchip_state st = { .chip_id = chip };

	if (ioctl(vm->fd, MV_GET_IRQCHIP, &st))
		return -1;
	st.pic.vector_base = base;
	st.pic.imr = imr;
	st.pic.icw_step = 0;		/* ICW1-4 done */
	st.pic.irr = st.pic.isr = 0;
	return ioctl(vm->fd, MV_SET_IRQCHIP, &st);
}

static int setup_pit(struct vm *vm)
{
	struct mv_pit_state st;
	struct mv_pit_channel *c = &st.channels[0];
	struct timespec now;

	if (ioctl(vm->fd, MV_GET_PIT, &st))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	c->mode = 2;
	c->count = 0;			/* 65536 */
	c->rw_mode = 3;			/* LSB then MSB */
	c->read_state = c->write_state = 3;
	c->gate = 1;
	c->count_load_time = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	return ioctl(vm->fd, MV_SET_PIT, &st);
}

static int setup_lapic(int vcpu_fd)
{
	struct mv_lapic_state st;
	uint32_t v;

	if (ioctl(vcpu_fd, MV_GET_LAPIC, &st))
		return -1;
	memcpy(&v, st.regs + APIC_SVR, 4);
	v |= APIC_SW_ENABLE;
	memcpy(st.regs + APIC_SVR, &v, 4);
	v = LINT0_EXTINT_LEVEL;
	memcpy(st.regs + APIC_LVT0, &v, 4);
	v = LINT1_NMI_LEVEL;
	memcpy(st.regs + APIC_LVT1, &v, 4);
	return ioctl(vcpu_fd, MV_SET_LAPIC, &st);
}

int bios_setup_memory(struct vm *vm)
{
	return write_ivt(vm);
}

int bios_setup_chips(struct vm *vm)
{
	if (!vm->irqchip)
		return 0;
	if (setup_pic(vm, MV_IRQCHIP_PIC_MASTER, PIC_MASTER_BASE, PIC_MASTER_IMR) ||
	    setup_pic(vm, MV_IRQCHIP_PIC_SLAVE, PIC_SLAVE_BASE, PIC_SLAVE_IMR) ||
	    setup_pit(vm) || setup_lapic(vm->vcpus[0].fd)) {
		fprintf(stderr, "mvrun: cannot set the interrupt controllers up as a BIOS would: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}
