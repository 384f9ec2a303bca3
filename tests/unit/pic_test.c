// SPDX-License-Identifier: GPL-2.0
/*
 * module/pic.c, built in userspace: the 8259A pair driven through its
 * ports (0x20/0x21, 0xa0/0xa1, the ELCR at 0x4d0/0x4d1) and its lines, as
 * Linux and hostile guests drive it, checked against the datasheet.
 * mv_irq_pic_changed() is recorded.  Prints TAP; exits 1 when a test fails.
 */
#include "irqchip_test.h"

/* pic.c needs no clock, but ktime.h declares it. */
ktime_t mv_fake_now;

static unsigned int changed;	/* mv_irq_pic_changed() calls */
static spinlock_t *chip_lock = &chip.lock;	/* held when it is called */

void mv_irq_pic_changed(struct mv_vm *v)
{
	CHECK(v == &vm);
	CHECK(chip_lock->held);
	changed++;
}

static void setup(void)
{
	memset(&chip, 0, sizeof(chip));
	spin_lock_init(&chip.lock);
	chip.vm = &vm;
	chip.pit.vm = &vm;
	mv_pic_init(&chip);
	changed = 0;
}

/* The lead's irq.c calls these with the lock held. */
static void line(int irq, bool level)
{
	spin_lock(&chip.lock);
	mv_pic_set_irq(&chip, irq, level);
	spin_unlock(&chip.lock);
}

static void pulse(int irq)
{
	line(irq, true);
	line(irq, false);
}

static int pending(void)
{
	int v;

	spin_lock(&chip.lock);
	v = mv_pic_pending(&chip);
	spin_unlock(&chip.lock);
	return v;
}

/* The INTA, checking that pending() predicted it */
static int ack(void)
{
	int p = pending(), v;

	spin_lock(&chip.lock);
	v = mv_pic_ack(&chip);
	spin_unlock(&chip.lock);
	CHECK_EQ(v, p);
	return v;
}

/* OCW3 read register selection */
static u8 read_irr(u64 cmd)
{
	outb(0x0a, cmd);
	return inb(cmd);
}

static u8 read_isr(u64 cmd)
{
	u8 v;

	outb(0x0b, cmd);
	v = inb(cmd);
	outb(0x0a, cmd);
	return v;
}

/* init_8259A() of arch/x86/kernel/i8259.c, then the masks it restores */
static void linux_init(bool auto_eoi, u8 master_mask, u8 slave_mask)
{
	outb(0xff, 0x21);
	outb(0x11, 0x20);
	outb(0x30, 0x21);
	outb(0x04, 0x21);
	outb(auto_eoi ? 0x03 : 0x01, 0x21);
	outb(0x11, 0xa0);
	outb(0x38, 0xa1);
	outb(0x02, 0xa1);
	outb(0x01, 0xa1);
	outb(master_mask, 0x21);
	outb(slave_mask, 0xa1);
}

/* mask_and_ack_8259A() and the unmask after the handler */
static void linux_eoi(int irq)
{
	if (irq & 8) {
		outb(0x60 + (irq & 7), 0xa0);
		outb(0x62, 0x20);
	} else {
		outb(0x60 + irq, 0x20);
	}
}

static void test_reset(void)
{
	CHECK_EQ(chip.pic[0].imr, 0xff);
	CHECK_EQ(chip.pic[1].imr, 0xff);
	CHECK_EQ(chip.pic[0].elcr_mask, 0xf8);
	CHECK_EQ(chip.pic[1].elcr_mask, 0xde);
	CHECK_EQ(chip.pic[0].icw_step, 0);
	CHECK_EQ(chip.pic_dev[0].base, 0x20);
	CHECK_EQ(chip.pic_dev[1].base, 0xa0);
	CHECK_EQ(chip.elcr_dev.base, 0x4d0);
	CHECK_EQ(inb(0x21), 0xff);
	CHECK_EQ(inb(0x4d0), 0);
	/* Masked until initialized: nothing gets out. */
	pulse(1);
	CHECK_EQ(pending(), -1);
	CHECK_EQ(changed, 0);
}

static void test_linux_init(void)
{
	linux_init(false, 0xfb, 0xff);
	CHECK_EQ(chip.pic[0].vector_base, 0x30);
	CHECK_EQ(chip.pic[1].vector_base, 0x38);
	CHECK_EQ(chip.pic[0].icw_step, 0);
	CHECK_EQ(chip.pic[1].icw_step, 0);
	CHECK_EQ(chip.pic[0].auto_eoi, 0);
	CHECK_EQ(inb(0x21), 0xfb);
	CHECK_EQ(inb(0xa1), 0xff);
	/* probe_8259A: what is written to the mask reads back */
	outb(0xfb, 0x21);
	CHECK_EQ(inb(0x21), 0xfb);
	outb(0xfa, 0x21);
	pulse(0);
	CHECK_EQ(pending(), 0x30);
	CHECK(changed > 0);
	CHECK_EQ(ack(), 0x30);
	CHECK_EQ(read_isr(0x20), 0x01);
	linux_eoi(0);
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(pending(), -1);
}

static void test_init_sequences(void)
{
	/* ICW2 keeps bits 7-3 only; without IC4 no ICW4 is expected */
	outb(0x10, 0x20);
	CHECK_EQ(chip.pic[0].icw_step, 2);
	CHECK_EQ(inb(0x21), 0);		/* ICW1 cleared the mask */
	outb(0x47, 0x21);
	CHECK_EQ(chip.pic[0].icw_step, 3);
	outb(0x04, 0x21);
	CHECK_EQ(chip.pic[0].icw_step, 0);
	CHECK_EQ(chip.pic[0].vector_base, 0x40);
	outb(0x5a, 0x21);		/* OCW1 now */
	CHECK_EQ(inb(0x21), 0x5a);
	CHECK_EQ(chip.pic[0].vector_base, 0x40);
	/* Auto-EOI and SFNM from ICW4, gone with an ICW1 without IC4 */
	outb(0x11, 0x20);
	outb(0x08, 0x21);
	outb(0x04, 0x21);
	outb(0x13, 0x21);
	CHECK_EQ(chip.pic[0].auto_eoi, 1);
	CHECK_EQ(chip.pic[0].special_fully_nested, 1);
	outb(0x10, 0x20);
	CHECK_EQ(chip.pic[0].auto_eoi, 0);
	CHECK_EQ(chip.pic[0].special_fully_nested, 0);
	/* ICW1 again in the middle of the sequence restarts it */
	outb(0x11, 0x20);
	outb(0x20, 0x21);
	outb(0x11, 0x20);
	CHECK_EQ(chip.pic[0].icw_step, 2);
	outb(0x30, 0x21);
	outb(0x04, 0x21);
	outb(0x01, 0x21);
	CHECK_EQ(chip.pic[0].vector_base, 0x30);
	CHECK_EQ(chip.pic[0].icw_step, 0);
	/* The poll, register selection and special mask go with ICW1. */
	outb(0x6b, 0x20);
	CHECK_EQ(chip.pic[0].special_mask, 1);
	CHECK_EQ(chip.pic[0].read_isr, 1);
	outb(0x11, 0x20);
	CHECK_EQ(chip.pic[0].special_mask, 0);
	CHECK_EQ(chip.pic[0].read_isr, 0);
}

static void test_auto_eoi(void)
{
	linux_init(true, 0xf8, 0xff);
	pulse(1);
	pulse(0);
	CHECK_EQ(ack(), 0x30);
	CHECK_EQ(read_isr(0x20), 0);	/* ended at the INTA */
	CHECK_EQ(ack(), 0x31);		/* so IRQ 1 follows at once */
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(ack(), -1);
	/* Rotate in auto-EOI mode: the IRQ taken becomes the lowest */
	outb(0x80, 0x20);
	CHECK_EQ(chip.pic[0].rotate_on_aeoi, 1);
	pulse(1);
	CHECK_EQ(ack(), 0x31);
	CHECK_EQ(chip.pic[0].priority_add, 2);
	pulse(0);
	pulse(1);
	CHECK_EQ(ack(), 0x30);		/* 0 now outranks 1 */
	CHECK_EQ(chip.pic[0].priority_add, 1);
	outb(0x00, 0x20);
	CHECK_EQ(chip.pic[0].rotate_on_aeoi, 0);
}

static void test_edge(void)
{
	linux_init(false, 0x00, 0xff);
	line(1, true);
	CHECK_EQ(read_irr(0x20), 0x02);
	line(1, false);
	/* Latched: it stays after the line drops */
	CHECK_EQ(read_irr(0x20), 0x02);
	CHECK_EQ(pending(), 0x31);
	CHECK_EQ(ack(), 0x31);
	CHECK_EQ(read_irr(0x20), 0);
	CHECK_EQ(read_isr(0x20), 0x02);
	/* A line held high is one request */
	line(3, true);
	CHECK_EQ(ack(), -1);		/* 3 < 1 in priority: waits */
	outb(0x20, 0x20);
	CHECK_EQ(ack(), 0x33);
	outb(0x20, 0x20);
	line(3, true);
	CHECK_EQ(read_irr(0x20), 0);
	CHECK_EQ(pending(), -1);
	line(3, false);
	line(3, true);
	CHECK_EQ(read_irr(0x20), 0x08);
	/* While in service, a new edge waits in IRR */
	CHECK_EQ(ack(), 0x33);
	line(3, false);
	pulse(3);
	CHECK_EQ(read_irr(0x20), 0x08);
	CHECK_EQ(pending(), -1);
	outb(0x20, 0x20);
	CHECK_EQ(ack(), 0x33);
}

static void test_level(void)
{
	linux_init(false, 0x00, 0x00);
	outb(0x20, 0x4d0);		/* IRQ 5 */
	outb(0x04, 0x4d1);		/* IRQ 10 */
	CHECK_EQ(inb(0x4d0), 0x20);
	CHECK_EQ(inb(0x4d1), 0x04);
	line(5, true);
	CHECK_EQ(pending(), 0x35);
	line(5, false);			/* the request went away */
	CHECK_EQ(pending(), -1);
	CHECK_EQ(ack(), -1);
	CHECK_EQ(read_isr(0x20), 0);
	line(5, true);
	CHECK_EQ(ack(), 0x35);
	CHECK_EQ(read_irr(0x20), 0x20);	/* the line is still up */
	outb(0x20, 0x20);
	CHECK_EQ(ack(), 0x35);		/* so it comes again */
	outb(0x20, 0x20);
	line(5, false);
	CHECK_EQ(pending(), -1);
	/* Through the slave */
	line(10, true);
	CHECK_EQ(ack(), 0x3a);
	linux_eoi(10);
	CHECK_EQ(pending(), 0x3a);
	line(10, false);
	CHECK_EQ(pending(), -1);
	CHECK_EQ(read_irr(0x20), 0);
	/* Level from edge with the line up: the line is the request */
	line(6, true);
	CHECK_EQ(ack(), 0x36);
	outb(0x20, 0x20);
	CHECK_EQ(read_irr(0x20), 0);
	outb(0x60, 0x4d0);
	CHECK_EQ(read_irr(0x20), 0x40);
	line(6, false);
	CHECK_EQ(read_irr(0x20), 0);
}

static void test_elcr_masks(void)
{
	linux_init(false, 0x00, 0x00);
	outb(0xff, 0x4d0);
	outb(0xff, 0x4d1);
	CHECK_EQ(inb(0x4d0), 0xf8);
	CHECK_EQ(inb(0x4d1), 0xde);
	CHECK_EQ(in_n(0x4d0, 2), 0xdef8);
	/* IRQ 0, 1, 8 and 13 stay edge: latched after the line drops */
	pulse(0);
	pulse(1);
	pulse(8);
	pulse(13);
	CHECK_EQ(read_irr(0x20) & 0x03, 0x03);
	CHECK_EQ(read_irr(0xa0), 0x21);
	/* ... and 9, level now, is not */
	pulse(9);
	CHECK_EQ(read_irr(0xa0), 0x21);
	out_n(0x4d0, 2, 0);
	CHECK_EQ(in_n(0x4d0, 2), 0);
}

static void test_eoi_kinds(void)
{
	linux_init(false, 0x00, 0xff);
	pulse(3);
	CHECK_EQ(ack(), 0x33);
	pulse(1);			/* outranks 3: nests */
	CHECK_EQ(ack(), 0x31);
	CHECK_EQ(read_isr(0x20), 0x0a);
	outb(0x20, 0x20);		/* non-specific: the highest, 1 */
	CHECK_EQ(read_isr(0x20), 0x08);
	outb(0x20, 0x20);
	CHECK_EQ(read_isr(0x20), 0);
	outb(0x20, 0x20);		/* with nothing in service: nothing */
	CHECK_EQ(read_isr(0x20), 0);
	pulse(3);
	CHECK_EQ(ack(), 0x33);
	pulse(1);
	CHECK_EQ(ack(), 0x31);
	outb(0x63, 0x20);		/* specific: 3, under 1 */
	CHECK_EQ(read_isr(0x20), 0x02);
	outb(0x40, 0x20);		/* no operation */
	CHECK_EQ(read_isr(0x20), 0x02);
	outb(0x61, 0x20);
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(chip.pic[0].priority_add, 0);
}

static void test_priority_rotation(void)
{
	linux_init(false, 0x00, 0xff);
	pulse(0);
	pulse(5);
	outb(0xc4, 0x20);		/* set priority: 4 lowest, 5 highest */
	CHECK_EQ(chip.pic[0].priority_add, 5);
	CHECK_EQ(pending(), 0x35);
	CHECK_EQ(ack(), 0x35);
	pulse(4);			/* lowest: waits behind 5 */
	CHECK_EQ(ack(), -1);
	outb(0xa0, 0x20);		/* rotate on non-specific EOI */
	CHECK_EQ(chip.pic[0].priority_add, 6);	/* 5 now lowest */
	CHECK_EQ(read_isr(0x20), 0);
	CHECK_EQ(ack(), 0x30);		/* 6, 7, 0: 0 first */
	pulse(7);
	CHECK_EQ(ack(), 0x37);		/* 7 outranks 0 now */
	outb(0xe7, 0x20);		/* rotate on specific EOI of 7 */
	CHECK_EQ(chip.pic[0].priority_add, 0);
	CHECK_EQ(read_isr(0x20), 0x01);
	outb(0x20, 0x20);
	CHECK_EQ(ack(), 0x34);
	outb(0x20, 0x20);
	CHECK_EQ(ack(), -1);
	outb(0xc7, 0x20);		/* back to 0 highest */
	CHECK_EQ(chip.pic[0].priority_add, 0);
}

static void test_cascade(void)
{
	linux_init(false, 0xfb, 0xfd);	/* cascade and IRQ 9 */
	pulse(9);
	CHECK_EQ(read_irr(0xa0), 0x02);
	CHECK_EQ(read_irr(0x20), 0x04);	/* the slave asks on IRQ 2 */
	CHECK_EQ(pending(), 0x39);
	CHECK_EQ(ack(), 0x39);
	CHECK_EQ(read_isr(0x20), 0x04);
	CHECK_EQ(read_isr(0xa0), 0x02);
	CHECK_EQ(read_irr(0x20), 0);
	/* A second slave request waits for both EOIs */
	outb(0xf9, 0xa1);
	pulse(10);
	CHECK_EQ(pending(), -1);
	CHECK_EQ(read_irr(0x20), 0);	/* 10 < 9 on the slave */
	outb(0x61, 0xa0);
	CHECK_EQ(read_irr(0x20), 0x04);
	CHECK_EQ(pending(), -1);	/* the master still serves IRQ 2 */
	outb(0x62, 0x20);
	CHECK_EQ(ack(), 0x3a);
	linux_eoi(10);
	/* Masking on the slave takes the request off the master */
	pulse(9);
	CHECK_EQ(read_irr(0x20), 0x04);
	outb(0xff, 0xa1);
	CHECK_EQ(read_irr(0x20), 0);
	CHECK_EQ(pending(), -1);
	outb(0xfd, 0xa1);
	CHECK_EQ(pending(), 0x39);
	/* Masking the cascade on the master holds the whole slave */
	outb(0xff, 0x21);
	CHECK_EQ(pending(), -1);
	outb(0xfb, 0x21);
	CHECK_EQ(ack(), 0x39);
	linux_eoi(9);
	/* Master IRQs above 2 outrank the slave; those below wait */
	outb(0x00, 0x21);
	outb(0x00, 0xa1);
	pulse(12);
	pulse(1);
	pulse(3);
	CHECK_EQ(ack(), 0x31);
	outb(0x20, 0x20);
	CHECK_EQ(ack(), 0x3c);
	CHECK_EQ(ack(), -1);		/* 3 waits for IRQ 2's EOI */
	linux_eoi(12);
	CHECK_EQ(ack(), 0x33);
}

static void test_spurious(void)
{
	struct mv_pic_state st;

	linux_init(false, 0x00, 0x00);
	/* The output dropped before the INTA: no vector at all */
	outb(0x20, 0x4d0);
	line(5, true);
	CHECK_EQ(pending(), 0x35);
	line(5, false);
	CHECK_EQ(ack(), -1);
	CHECK_EQ(read_isr(0x20), 0);
	pulse(1);
	outb(0x02, 0x21);		/* masked meanwhile */
	CHECK_EQ(ack(), -1);
	outb(0x00, 0x21);
	CHECK_EQ(ack(), 0x31);
	outb(0x20, 0x20);
	/*
	 * The master takes IRQ 2 but the slave has nothing: the slave's
	 * IRQ 7 (15), in service on the master only, as Linux expects.
	 * The cascade follows the slave, so only a loaded state gets here.
	 */
	spin_lock(&chip.lock);
	mv_pic_get_state(&chip.pic[0], &st);
	st.irr |= 0x04;
	CHECK_EQ(mv_pic_set_state(&chip.pic[0], &st), 0);
	CHECK_EQ(mv_pic_pending(&chip), 0x3f);
	CHECK_EQ(mv_pic_ack(&chip), 0x3f);
	spin_unlock(&chip.lock);
	CHECK_EQ(read_isr(0x20), 0x04);
	CHECK_EQ(read_isr(0xa0), 0);
	CHECK_EQ(read_irr(0x20), 0);
	outb(0x62, 0x20);
	CHECK_EQ(pending(), -1);
}

static void test_poll(void)
{
	linux_init(false, 0x00, 0x00);
	outb(0x0c, 0x20);		/* poll, nothing asks */
	CHECK_EQ(inb(0x20), 0x07);
	CHECK_EQ(chip.pic[0].poll, 0);
	pulse(4);
	pulse(6);
	outb(0x0c, 0x20);
	CHECK_EQ(inb(0x21), 0x84);	/* either port: an INTA */
	CHECK_EQ(read_isr(0x20), 0x10);
	CHECK_EQ(read_irr(0x20), 0x40);
	outb(0x0c, 0x20);
	CHECK_EQ(inb(0x20), 0x07);	/* 6 is below 4 in service */
	outb(0x20, 0x20);
	outb(0x0c, 0x20);
	CHECK_EQ(inb(0x20), 0x86);
	CHECK_EQ(inb(0x20), 0x00);	/* one read only: IRR again */
	outb(0x20, 0x20);
	/* Through the cascade, the master then the slave */
	pulse(11);
	outb(0x0c, 0x20);
	CHECK_EQ(inb(0x20), 0x82);
	outb(0x0c, 0xa0);
	CHECK_EQ(inb(0xa0), 0x83);
	CHECK_EQ(read_isr(0x20), 0x04);
	CHECK_EQ(read_isr(0xa0), 0x08);
	linux_eoi(11);
	CHECK_EQ(pending(), -1);
}

static void test_reads(void)
{
	linux_init(false, 0x00, 0xff);
	pulse(5);
	pulse(3);
	CHECK_EQ(ack(), 0x33);
	CHECK_EQ(read_irr(0x20), 0x20);
	outb(0x0b, 0x20);
	CHECK_EQ(inb(0x20), 0x08);
	outb(0x08, 0x20);		/* OCW3 with RR = 0: no change */
	CHECK_EQ(inb(0x20), 0x08);
	CHECK_EQ(inb(0x20), 0x08);
	outb(0x0a, 0x20);
	CHECK_EQ(inb(0x20), 0x20);
	/* Wider accesses go a byte at a time; none past the device */
	outb(0x5a, 0x21);
	CHECK_EQ(in_n(0x20, 2), 0x5a20);
	CHECK_EQ(in_n(0x21, 2), 0xff5a);
	CHECK_EQ(in_n(0x21, 4), 0xffffff5a);
	out_n(0x21, 2, 0x1234);
	CHECK_EQ(inb(0x21), 0x34);
	/* During initialization the data port still reads the mask */
	outb(0x11, 0xa0);
	CHECK_EQ(inb(0xa1), 0);
	outb(0x70, 0xa1);
	CHECK_EQ(inb(0xa1), 0);
	CHECK_EQ(inb(0xa0), 0);
}

static void test_special_mask(void)
{
	linux_init(false, 0x00, 0xff);
	pulse(3);
	CHECK_EQ(ack(), 0x33);
	pulse(5);
	CHECK_EQ(ack(), -1);
	/* The handler masks its level and enters special mask mode */
	outb(0x08, 0x21);
	outb(0x68, 0x20);
	CHECK_EQ(chip.pic[0].special_mask, 1);
	CHECK_EQ(ack(), 0x35);		/* a lower level gets through */
	CHECK_EQ(read_isr(0x20), 0x28);
	/* A non-specific EOI passes over the masked 3 */
	outb(0x20, 0x20);
	CHECK_EQ(read_isr(0x20), 0x08);
	outb(0x20, 0x20);
	CHECK_EQ(read_isr(0x20), 0x08);
	outb(0x63, 0x20);
	CHECK_EQ(read_isr(0x20), 0);
	outb(0x48, 0x20);
	CHECK_EQ(chip.pic[0].special_mask, 0);
	/* OCW3 without ESMM leaves it */
	outb(0x68, 0x20);
	outb(0x28, 0x20);
	CHECK_EQ(chip.pic[0].special_mask, 1);
}

static void test_sfnm(void)
{
	int sfnm;

	for (sfnm = 0; sfnm < 2; sfnm++) {
		setup();
		linux_init(false, 0x00, 0x00);
		outb(0x11, 0x20);
		outb(0x30, 0x21);
		outb(0x04, 0x21);
		outb(sfnm ? 0x11 : 0x01, 0x21);
		pulse(10);
		CHECK_EQ(ack(), 0x3a);
		pulse(8);		/* outranks 10 on the slave */
		CHECK_EQ(read_irr(0x20), 0x04);
		CHECK_EQ(pending(), sfnm ? 0x38 : -1);
		pulse(3);		/* below IRQ 2: waits either way */
		if (sfnm) {
			CHECK_EQ(ack(), 0x38);
			CHECK_EQ(read_isr(0xa0), 0x05);
			outb(0x20, 0xa0);
			CHECK_EQ(read_isr(0xa0), 0x04);
			/* the slave still serves 10: no EOI to the master */
			CHECK_EQ(ack(), -1);
			outb(0x20, 0xa0);
		} else {
			CHECK_EQ(ack(), -1);
			outb(0x20, 0xa0);
		}
		outb(0x20, 0x20);
		CHECK_EQ(ack(), sfnm ? 0x33 : 0x38);
	}
}

static void test_changed(void)
{
	linux_init(false, 0xff, 0xff);
	changed = 0;
	pulse(1);
	CHECK_EQ(changed, 0);		/* masked */
	outb(0xfd, 0x21);
	CHECK(changed > 0);
	changed = 0;
	CHECK_EQ(ack(), 0x31);
	CHECK_EQ(changed, 0);		/* nothing left to take */
	pulse(1);
	CHECK_EQ(changed, 0);		/* behind 1 in service */
	outb(0x20, 0x20);
	CHECK(changed > 0);
	/* from the slave */
	CHECK_EQ(ack(), 0x31);
	outb(0x20, 0x20);
	outb(0xfb, 0x21);
	outb(0xfe, 0xa1);
	changed = 0;
	pulse(8);
	CHECK(changed > 0);
	CHECK_EQ(ack(), 0x38);
}

/* ICW1 drops edge requests, keeps level ones and the lines' levels */
static void test_icw1_lines(void)
{
	linux_init(false, 0x00, 0x00);
	outb(0x20, 0x4d0);
	line(5, true);
	line(4, true);
	pulse(3);
	CHECK_EQ(read_irr(0x20), 0x38);
	linux_init(false, 0x00, 0x00);
	CHECK_EQ(read_irr(0x20), 0x20);
	CHECK_EQ(inb(0x4d0), 0x20);	/* the ELCR is no part of the 8259 */
	line(4, true);			/* still high: no edge */
	CHECK_EQ(read_irr(0x20), 0x20);
	line(4, false);
	line(4, true);
	CHECK_EQ(read_irr(0x20), 0x30);
	/* IRQ 2 is the cascade: a device line 2 does not reach it */
	pulse(2);
	line(2, true);
	CHECK_EQ(read_irr(0x20), 0x30);
	line(-1, true);
	line(16, true);
	CHECK_EQ(read_irr(0x20), 0x30);
	CHECK_EQ(read_irr(0xa0), 0);
}

static void test_state_roundtrip(void)
{
	struct mv_pic_state st, st2, bad;
	struct mv_pic p;

	linux_init(false, 0x42, 0x36);
	outb(0x20, 0x4d0);
	outb(0x0c, 0x4d1);
	line(5, true);
	pulse(4);
	pulse(9);
	CHECK_EQ(ack(), 0x34);
	outb(0xc2, 0x20);
	outb(0x6b, 0x20);
	outb(0x0c, 0xa0);
	mv_pic_get_state(&chip.pic[0], &st);
	CHECK_EQ(st.irr, 0x20);
	CHECK_EQ(st.isr, 0x10);
	CHECK_EQ(st.imr, 0x42);
	CHECK_EQ(st.elcr, 0x20);
	CHECK_EQ(st.vector_base, 0x30);
	CHECK_EQ(st.priority_add, 3);
	CHECK_EQ(st.special_mask, 1);
	CHECK_EQ(st.read_isr, 1);
	CHECK_EQ(st.last_irr, 0x20);
	memset(&p, 0, sizeof(p));
	p.elcr_mask = 0xf8;
	CHECK_EQ(mv_pic_set_state(&p, &st), 0);
	mv_pic_get_state(&p, &st2);
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	mv_pic_get_state(&chip.pic[1], &st);
	CHECK_EQ(st.poll, 1);
	CHECK_EQ(st.elcr, 0x0c);
	p.elcr_mask = 0xde;
	CHECK_EQ(mv_pic_set_state(&p, &st), 0);
	mv_pic_get_state(&p, &st2);
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	/* Refused */
#define REFUSED(field, v) do {						\
	bad = st;							\
	bad.field = (v);						\
	CHECK_EQ(mv_pic_set_state(&p, &bad), -EINVAL);			\
} while (0)
	REFUSED(icw_step, 1);
	REFUSED(icw_step, 5);
	REFUSED(icw_step, 0xff);
	bad = st;
	bad.icw4 = 0;
	bad.icw_step = 4;
	CHECK_EQ(mv_pic_set_state(&p, &bad), -EINVAL);
	REFUSED(icw4, 2);
	REFUSED(auto_eoi, 2);
	REFUSED(read_isr, 0x80);
	REFUSED(special_mask, 2);
	REFUSED(poll, 2);
	REFUSED(rotate_on_aeoi, 2);
	REFUSED(special_fully_nested, 2);
	REFUSED(priority_add, 8);
	REFUSED(vector_base, 0x39);
	REFUSED(elcr, 0x01);		/* IRQ 8 */
	REFUSED(elcr, 0x20);		/* IRQ 13 */
	REFUSED(pad, 1);
#undef REFUSED
	mv_pic_get_state(&p, &st2);
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	bad = st;
	bad.icw_step = 4;
	bad.icw4 = 1;
	CHECK_EQ(mv_pic_set_state(&p, &bad), 0);
}

/* What every reachable state keeps, whatever was written */
static void check_invariants(void)
{
	struct mv_pic_state st;
	struct mv_irqchip copy;
	unsigned int i;
	int p, a;

	CHECK(!chip.lock.held);
	for (i = 0; i < 2; i++) {
		mv_pic_get_state(&chip.pic[i], &st);
		CHECK_EQ(mv_pic_set_state(&chip.pic[i], &st), 0);
		CHECK_EQ(chip.pic[i].elcr_mask, i ? 0xde : 0xf8);
	}
	CHECK_EQ(!!(chip.pic[0].irr & 4),
		 !!(chip.pic[0].last_irr & 4));
	/* pending() is what the INTA would give, and has no effect */
	copy = chip;
	spin_lock(&chip.lock);
	p = mv_pic_pending(&chip);
	spin_unlock(&chip.lock);
	CHECK(!memcmp(&copy.pic, &chip.pic, sizeof(chip.pic)));
	chip_lock = &copy.lock;
	spin_lock(&copy.lock);
	a = mv_pic_ack(&copy);
	spin_unlock(&copy.lock);
	chip_lock = &chip.lock;
	CHECK_EQ(a, p);
	CHECK(p == -1 || (p >= 0 && p < 256));
}

static void test_hostile(void)
{
	static const u16 ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
	static const int lens[] = { 1, 1, 1, 2, 4 };
	unsigned int i, bad_before;
	u32 r;
	u64 port;
	int len;

	for (i = 0; i < 200000 && !test_bad; i++) {
		r = rng();
		port = ports[r % 6];
		len = lens[(r >> 3) % 5];
		switch ((r >> 6) % 8) {
		case 0:
		case 1:
		case 2:
			out_n(port, len, rng());
			break;
		case 3:
			in_n(port, len);
			break;
		case 4:
			line((r >> 9) % 18 - 1, (r >> 14) & 1);
			break;
		case 5:
			ack();
			break;
		case 6:
			/* Mostly OCWs and EOIs, the interesting part */
			outb(rng() & 0xef, (r >> 9) & 1 ? 0xa0 : 0x20);
			break;
		default:
			pending();
			break;
		}
		bad_before = test_bad;
		check_invariants();
		if (test_bad && !bad_before)
			printf("#   after step %u\n", i);
	}
}

static const struct test tests[] = {
	{ "reset state: masked, not initialized, ports", test_reset },
	{ "Linux init_8259A, IRQ 0 through the master", test_linux_init },
	{ "ICW sequences: ICW2 bits, no ICW4, restart", test_init_sequences },
	{ "auto-EOI and rotate in auto-EOI", test_auto_eoi },
	{ "edge triggering: latched, one per rising edge", test_edge },
	{ "level triggering: the line is the request", test_level },
	{ "ELCR masks 0xf8 / 0xde", test_elcr_masks },
	{ "non-specific, specific EOI, nesting", test_eoi_kinds },
	{ "set priority, rotate on (specific) EOI", test_priority_rotation },
	{ "cascade through IRQ 2", test_cascade },
	{ "request gone before INTA, spurious IRQ 15", test_spurious },
	{ "poll mode", test_poll },
	{ "IRR/ISR/IMR reads, wide accesses", test_reads },
	{ "special mask mode", test_special_mask },
	{ "special fully nested mode", test_sfnm },
	{ "mv_irq_pic_changed when the output is up", test_changed },
	{ "ICW1 and line levels; IRQ 2 and bad lines", test_icw1_lines },
	{ "state round trip, invalid states refused", test_state_roundtrip },
	{ "hostile byte sequences keep the chips valid", test_hostile },
};

int main(void)
{
	return run_tests(tests, ARRAY_SIZE(tests));
}
