// SPDX-License-Identifier: GPL-2.0
/*
 * module/pit.c, built in userspace on a fake clock: the 8254's six modes,
 * latches, read-back, access modes and gates through ports 0x40-0x43 and
 * 0x61; Linux's TSC calibration loops; channel 0's interrupts (recorded
 * mv_irq_set() calls) and their clamp; state round trips; hostile input.
 * Prints TAP; exits 1 when a test fails.
 */
#include "irqchip_test.h"

ktime_t mv_fake_now;
unsigned int mv_min_timer_period_us;

#define T0		1000000000LL	/* the clock at the start of a test */
#define MAX_EVENTS	20000

/* mv_irq_set() calls: when, and the level */
static struct {
	ktime_t t;
	bool level;
} events[MAX_EVENTS];
static unsigned int nevents;
static s64 io_ns;		/* each port access takes this long */

int mv_irq_set(struct mv_vm *v, u32 gsi, enum mv_irq_src src, bool level)
{
	CHECK(v == &vm);
	CHECK_EQ(gsi, 0);
	CHECK_EQ(src, MV_IRQ_SRC_PIT);
	/* The PIT's lock is dropped (irqchip.h) */
	CHECK(!chip.pit.lock.held);
	if (nevents < MAX_EVENTS) {
		events[nevents].t = mv_fake_now;
		events[nevents].level = level;
		nevents++;
	}
	return 0;
}

static void setup(void)
{
	memset(&chip, 0, sizeof(chip));
	mv_fake_now = T0;
	mv_min_timer_period_us = 200;
	mv_pit_init(&vm, &chip.pit);
	nevents = 0;
	io_ns = 0;
}

/* Run the timer up to @until, then the clock stands there. */
static void advance_to(ktime_t until)
{
	unsigned int runs = 0;

	while (mv_fake_run_timer(&chip.pit.timer, until))
		if (++runs > 10000000) {
			printf("# the timer does not stop\n");
			abort();
		}
	if (until > mv_fake_now)
		mv_fake_now = until;
}

static void advance(s64 ns)
{
	advance_to(mv_fake_now + ns);
}

/* The time by which @k clocks have passed since a load */
static s64 tick_ns(u64 k)
{
	return ((unsigned __int128)k * 1000000000 + 1193181) / 1193182;
}

static u8 pin(u64 port)
{
	u8 v = inb(port);

	advance(io_ns);
	return v;
}

static void pout(u8 v, u64 port)
{
	outb(v, port);
	advance(io_ns);
}

/* Two reads of a counter port, LSB first */
static u16 read16(u64 port)
{
	u16 v = pin(port);

	return v | pin(port) << 8;
}

/* A control word for @ch, LSB then MSB, and the count: when it loaded */
static ktime_t load(unsigned int ch, unsigned int mode, u32 n)
{
	pout(ch << 6 | 0x30 | mode << 1, 0x43);
	pout(n & 0xff, 0x40 + ch);
	pout(n >> 8 & 0xff, 0x40 + ch);
	return mv_fake_now;
}

/* The count, through a counter latch command */
static u16 latched(unsigned int ch)
{
	u16 v;

	pout(ch << 6, 0x43);
	v = pin(0x40 + ch);
	return v | pin(0x40 + ch) << 8;
}

/* Read-back status of @ch */
static u8 status(unsigned int ch)
{
	pout(0xe0 | 2 << ch, 0x43);
	return pin(0x40 + ch);
}

static bool out(unsigned int ch)
{
	return status(ch) >> 7;
}

static bool gate2_out(void)
{
	return inb(0x61) & 0x20;
}

static unsigned int raises(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < nevents; i++) {
		/* each an edge: raise, lower at once */
		CHECK_EQ(events[i].level, !(i & 1));
		if (i & 1)
			CHECK_EQ(events[i].t, events[i - 1].t);
		n += events[i].level;
	}
	return n;
}

struct point {
	u64 k;			/* clocks after the load (or trigger) */
	u32 count;
	bool out;
};

/* Count and output of @ch at each point */
static void check_points(unsigned int ch, ktime_t t0, const struct point *p,
			 unsigned int n, unsigned int mode)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		advance_to(t0 + tick_ns(p[i].k));
		if (latched(ch) != (p[i].count & 0xffff) ||
		    out(ch) != p[i].out) {
			printf("#   mode %u channel %u, clock %llu\n", mode, ch,
			       (unsigned long long)p[i].k);
			mv_fake_now = t0 + tick_ns(p[i].k);
			CHECK_EQ(latched(ch), p[i].count & 0xffff);
			CHECK_EQ(out(ch), p[i].out);
		}
	}
}

#define POINTS(...)	((const struct point[]){ __VA_ARGS__ }),	\
			sizeof((const struct point[]){ __VA_ARGS__ }) /	\
			sizeof(struct point)

static void test_reset(void)
{
	unsigned int ch;

	CHECK_EQ(chip.pit_dev.base, 0x40);
	CHECK_EQ(chip.pit_dev.len, 4);
	CHECK_EQ(chip.port61_dev.base, 0x61);
	CHECK_EQ(inb(0x61) & 0x23, 0);	/* gate 2 low, no speaker, out 0 */
	for (ch = 0; ch < 3; ch++) {
		CHECK_EQ(chip.pit.chan[ch].gate, ch != 2);
		/*
		 * out 0, null count, LSB/MSB, mode 0; with its gate low, channel
		 * 2 looks like a count the gate holds: not null
		 */
		CHECK_EQ(status(ch), ch == 2 ? 0x30 : 0x70);
	}
	CHECK(!chip.pit.timer.queued);
	advance(1000000000);
	CHECK_EQ(nevents, 0);
	CHECK_EQ(inb(0x43), 0xff);
}

static void test_modes_024(void)
{
	ktime_t t0;
	unsigned int ch;

	pout(0x01, 0x61);
	for (ch = 0; ch < 3; ch++) {
		t0 = load(ch, 0, 100);
		check_points(ch, t0, POINTS({ 0, 100, 0 }, { 1, 99, 0 },
					    { 50, 50, 0 }, { 99, 1, 0 },
					    { 100, 0, 1 }, { 101, 0xffff, 1 },
					    { 1000, 100 - 1000, 1 },
					    { 70000, 100 - 70000, 1 }), 0);
		t0 = load(ch, 2, 100);
		check_points(ch, t0, POINTS({ 0, 100, 1 }, { 1, 99, 1 },
					    { 98, 2, 1 }, { 99, 1, 0 },
					    { 100, 100, 1 }, { 101, 99, 1 },
					    { 199, 1, 0 }, { 200, 100, 1 },
					    { 100000, 100, 1 }), 2);
		t0 = load(ch, 4, 100);
		check_points(ch, t0, POINTS({ 0, 100, 1 }, { 99, 1, 1 },
					    { 100, 0, 0 }, { 101, 0xffff, 1 },
					    { 102, 0xfffe, 1 }), 4);
		/* 0 is 65536 */
		t0 = load(ch, 2, 0);
		check_points(ch, t0, POINTS({ 0, 0, 1 }, { 1, 65535, 1 },
					    { 65535, 1, 0 }, { 65536, 0, 1 }),
			     2);
	}
}

static void test_mode3(void)
{
	ktime_t t0;
	unsigned int ch;

	pout(0x01, 0x61);
	for (ch = 0; ch < 3; ch++) {
		/* even: by two, high for n / 2, low for n / 2 */
		t0 = load(ch, 3, 100);
		check_points(ch, t0, POINTS({ 0, 100, 1 }, { 1, 98, 1 },
					    { 49, 2, 1 }, { 50, 100, 0 },
					    { 51, 98, 0 }, { 99, 2, 0 },
					    { 100, 100, 1 }, { 150, 100, 0 }),
			     3);
		/* odd: high for (n + 1) / 2, low for (n - 1) / 2 */
		t0 = load(ch, 3, 7);
		check_points(ch, t0, POINTS({ 0, 7, 1 }, { 1, 6, 1 },
					    { 2, 4, 1 }, { 3, 2, 1 },
					    { 4, 7, 0 }, { 5, 4, 0 },
					    { 6, 2, 0 }, { 7, 7, 1 },
					    { 8, 6, 1 }, { 11, 7, 0 }), 3);
	}
}

/* Modes 1 and 5 wait for the gate: channel 2's, from port 0x61 */
static void test_modes_15(void)
{
	ktime_t t0;

	pout(0x00, 0x61);
	load(2, 1, 100);
	CHECK_EQ(latched(2), 100);
	CHECK(out(2));
	CHECK(status(2) & 0x40);		/* null count: not loaded */
	advance(1000000);
	CHECK_EQ(latched(2), 100);
	pout(0x01, 0x61);			/* trigger */
	t0 = mv_fake_now;
	CHECK(!(status(2) & 0x40));
	check_points(2, t0, POINTS({ 0, 100, 0 }, { 99, 1, 0 }, { 100, 0, 1 },
				   { 101, 0xffff, 1 }), 1);
	/* retrigger: a rising edge starts it over; low does nothing */
	pout(0x00, 0x61);
	CHECK(out(2));
	pout(0x01, 0x61);
	t0 = mv_fake_now;
	check_points(2, t0, POINTS({ 0, 100, 0 }, { 50, 50, 0 }), 1);
	pout(0x00, 0x61);
	check_points(2, t0, POINTS({ 60, 40, 0 }, { 100, 0, 1 }), 1);

	load(2, 5, 100);
	CHECK(out(2));
	advance(1000000);
	CHECK(out(2));
	pout(0x01, 0x61);
	t0 = mv_fake_now;
	check_points(2, t0, POINTS({ 0, 100, 1 }, { 99, 1, 1 }, { 100, 0, 0 },
				   { 101, 0xffff, 1 }), 5);
	/* Channel 0's gate is tied high: modes 1 and 5 never start there */
	load(0, 1, 100);
	load(1, 5, 100);
	advance(1000000000);
	CHECK_EQ(latched(0), 100);
	CHECK(out(0));
	CHECK(out(1));
	CHECK_EQ(nevents, 0);
}

static void test_gate(void)
{
	ktime_t t0;

	/* Mode 0: a low gate holds the count, a high one resumes it */
	pout(0x01, 0x61);
	t0 = load(2, 0, 1000);
	advance_to(t0 + tick_ns(300));
	pout(0x00, 0x61);
	CHECK_EQ(latched(2), 700);
	advance(100000000);
	CHECK_EQ(latched(2), 700);
	CHECK(!gate2_out());
	CHECK(!(status(2) & 0x40));
	pout(0x01, 0x61);
	t0 = mv_fake_now;
	check_points(2, t0, POINTS({ 1, 699, 0 }, { 699, 1, 0 }, { 700, 0, 1 }),
		     0);
	/* After the terminal count, out stays high with the gate low */
	pout(0x00, 0x61);
	CHECK(gate2_out());
	/* A count written with the gate low waits for it */
	load(2, 0, 500);
	advance(1000000);
	CHECK_EQ(latched(2), 500);
	CHECK(!gate2_out());
	pout(0x01, 0x61);
	t0 = mv_fake_now;
	check_points(2, t0, POINTS({ 499, 1, 0 }, { 500, 0, 1 }), 0);
	/* Mode 4 holds too */
	t0 = load(2, 4, 1000);
	advance_to(t0 + tick_ns(10));
	pout(0x00, 0x61);
	advance(1000000);
	CHECK_EQ(latched(2), 990);
	CHECK(gate2_out());
	/* Mode 2: a low gate stops it with out high, a high one reloads */
	pout(0x01, 0x61);
	t0 = load(2, 2, 100);
	advance_to(t0 + tick_ns(99));
	CHECK(!gate2_out());
	pout(0x00, 0x61);
	CHECK(gate2_out());
	CHECK_EQ(latched(2), 100);
	advance(1000000);
	pout(0x01, 0x61);
	t0 = mv_fake_now;
	check_points(2, t0, POINTS({ 0, 100, 1 }, { 10, 90, 1 }, { 99, 1, 0 }),
		     2);
	/* Mode 3: the same */
	t0 = load(2, 3, 100);
	advance_to(t0 + tick_ns(60));
	CHECK(!gate2_out());
	pout(0x00, 0x61);
	CHECK(gate2_out());
	pout(0x01, 0x61);
	t0 = mv_fake_now;
	check_points(2, t0, POINTS({ 1, 98, 1 }, { 50, 100, 0 }), 3);
	/* Between the two bytes of a mode 0 count, the gate starts nothing */
	pout(0x00, 0x61);
	pout(0xb0, 0x43);
	pout(0x10, 0x42);
	pout(0x01, 0x61);
	CHECK(status(2) & 0x40);
	pout(0x00, 0x42);
	t0 = mv_fake_now;
	check_points(2, t0, POINTS({ 15, 1, 0 }, { 16, 0, 1 }), 0);
}

/* pit_calibrate_tsc(): channel 2 mode 0 for 50 ms, poll 0x61 bit 5 */
static void test_linux_calibrate(void)
{
	u32 latch = 1193182 / (1000 / 50);
	unsigned int loops = 0;
	ktime_t t1, t2;

	io_ns = 1000;
	pout((pin(0x61) & ~0x02) | 0x01, 0x61);
	pout(0xb0, 0x43);
	pout(latch & 0xff, 0x42);
	pout(latch >> 8, 0x42);
	t1 = mv_fake_now - io_ns;	/* the MSB write loaded it */
	while (!(pin(0x61) & 0x20) && loops < 1000000)
		loops++;
	t2 = mv_fake_now;
	CHECK(loops > 49000);
	CHECK(t2 - t1 >= tick_ns(latch));
	CHECK(t2 - t1 <= tick_ns(latch) + 2 * io_ns);
}

/*
 * quick_pit_calibrate(): count down from 0xffff in mode 0 and time the
 * MSB's steps, reading LSB and MSB; the "TSC" here is the fake clock, so
 * it must come out at 1 GHz within 500 ppm.
 */
static bool msb_is(u8 v)
{
	pin(0x42);
	return pin(0x42) == v;
}

static bool msb_steady(u8 v, ktime_t *tsc, s64 *delta)
{
	ktime_t t = 0, prev = 0;
	unsigned int n;

	for (n = 0; n < 50000 && msb_is(v); n++) {
		prev = t;
		t = mv_fake_now;
	}
	*delta = mv_fake_now - prev;
	*tsc = t;
	return n > 5;
}

static void test_linux_quick_calibrate(void)
{
	const unsigned int max = 50 * 1193182 / 1000 / 256;
	ktime_t tsc, t;
	s64 d1, d2, delta;
	unsigned int i;
	u64 khz = 0;

	io_ns = 500;
	pout((pin(0x61) & ~0x02) | 0x01, 0x61);
	pout(0xb0, 0x43);
	pout(0xff, 0x42);
	pout(0xff, 0x42);
	msb_is(0);
	CHECK(msb_steady(0xff, &tsc, &d1));
	for (i = 1; i <= max; i++) {
		if (!msb_steady(0xff - i, &t, &d2))
			break;
		delta = t - tsc;
		if (d1 + d2 >= delta >> 11)
			continue;
		if (msb_is(0xfe - i))
			khz = (u64)delta * 1193182 / (i * 256 * 1000);
		break;
	}
	CHECK(khz > 1000000 - 500 && khz < 1000000 + 500);
	if (!khz)
		printf("#   failed at step %u\n", i);
}

static void test_latch(void)
{
	ktime_t t0;

	t0 = load(0, 2, 1000);
	advance_to(t0 + tick_ns(100));
	pout(0x00, 0x43);
	advance_to(t0 + tick_ns(400));
	CHECK_EQ(pin(0x40), 900 & 0xff);
	advance_to(t0 + tick_ns(500));
	CHECK_EQ(pin(0x40), 900 >> 8);
	/* Then the live count again, LSB then MSB */
	CHECK_EQ(pin(0x40), 500 & 0xff);
	CHECK_EQ(pin(0x40), 500 >> 8);
	/* A second latch before the first is read is ignored */
	pout(0x00, 0x43);
	advance_to(t0 + tick_ns(600));
	pout(0x00, 0x43);
	CHECK_EQ(read16(0x40), 500);
	/* Linux's i8253_read() */
	advance_to(t0 + tick_ns(1010));
	pout(0x00, 0x43);
	CHECK_EQ(read16(0x40), 990);
	/* Half-read latch, then a control word: gone */
	pout(0x00, 0x43);
	pin(0x40);
	t0 = load(0, 2, 1000);
	CHECK_EQ(chip.pit.chan[0].count_latched, 0);
	CHECK_EQ(read16(0x40), 1000);
	/* A latch in LSB-only mode gives one byte */
	pout(0x14, 0x43);
	pout(200, 0x40);
	t0 = mv_fake_now;
	advance_to(t0 + tick_ns(20));
	pout(0x00, 0x43);
	advance_to(t0 + tick_ns(30));
	CHECK_EQ(pin(0x40), 180);
	CHECK_EQ(pin(0x40), 170);
}

static void test_readback(void)
{
	ktime_t t0;

	pout(0x34, 0x43);		/* ch 0, LSB/MSB, mode 2 */
	CHECK_EQ(status(0), 0xf4);	/* out high, null count */
	pout(0x00, 0x40);
	CHECK_EQ(status(0), 0xf4);	/* half a count */
	pout(0x10, 0x40);
	t0 = mv_fake_now;
	CHECK_EQ(status(0), 0xb4);
	pout(0x30, 0x43);		/* mode 0 */
	CHECK_EQ(status(0), 0x70);
	pout(0x00, 0x40);
	pout(0x01, 0x40);
	t0 = mv_fake_now;
	CHECK_EQ(status(0), 0x30);
	advance_to(t0 + tick_ns(256));
	CHECK_EQ(status(0), 0xb0);
	/* count and status: the status first */
	t0 = load(1, 2, 1000);
	advance_to(t0 + tick_ns(10));
	pout(0xc4, 0x43);
	advance_to(t0 + tick_ns(20));
	CHECK_EQ(pin(0x41), 0xb4);
	CHECK_EQ(read16(0x41), 990);
	/* A second status latch before the read is ignored */
	pout(0xe4, 0x43);
	advance_to(t0 + tick_ns(999));
	pout(0xe4, 0x43);
	CHECK_EQ(pin(0x41), 0xb4);
	/* All three at once, counts only */
	pout(0x01, 0x61);
	load(2, 3, 50);
	pout(0xde, 0x43);
	CHECK_EQ(read16(0x40), (256 - 256 - 999) & 0xffff);	/* wrapped */
	CHECK_EQ(read16(0x41), 1);
	CHECK_EQ(read16(0x42), 50);
	CHECK_EQ(status(2), 0xb6);
	/* mode 6 and 7 are 2 and 3 */
	pout(0x3c, 0x43);
	CHECK_EQ(chip.pit.chan[0].mode, 2);
	pout(0x3e, 0x43);
	CHECK_EQ(chip.pit.chan[0].mode, 3);
	CHECK_EQ(status(0), 0xf6);
}

static void test_access_modes(void)
{
	pout(0x01, 0x61);
	pout(0x90, 0x43);		/* ch 2, LSB only, mode 0 */
	pout(0x34, 0x42);
	CHECK_EQ(chip.pit.chan[2].count, 0x34);
	CHECK_EQ(pin(0x42), 0x34);
	CHECK_EQ(pin(0x42), 0x34);
	pout(0xa0, 0x43);		/* MSB only */
	pout(0x12, 0x42);
	CHECK_EQ(chip.pit.chan[2].count, 0x1200);
	CHECK_EQ(pin(0x42), 0x12);
	CHECK_EQ(pin(0x42), 0x12);
	pout(0xb0, 0x43);		/* LSB then MSB */
	pout(0x78, 0x42);
	CHECK_EQ(chip.pit.chan[2].write_state, 4);
	pout(0x56, 0x42);
	CHECK_EQ(chip.pit.chan[2].count, 0x5678);
	CHECK_EQ(pin(0x42), 0x78);
	CHECK_EQ(pin(0x42), 0x56);
	/* A control word restarts a half-written count */
	pout(0x11, 0x42);
	pout(0xb0, 0x43);
	pout(0x22, 0x42);
	pout(0x33, 0x42);
	CHECK_EQ(chip.pit.chan[2].count, 0x3322);
	/* and a half-read one */
	pin(0x42);
	pout(0xb0, 0x43);
	CHECK_EQ(chip.pit.chan[2].read_state, 3);
	/* BCD is refused: counted in binary, and counted */
	pout(0xb1, 0x43);
	CHECK_EQ(chip.pit.chan[2].bcd, 0);
	CHECK_EQ(atomic_long_read(&chip.pit.bcd_refused), 1);
	CHECK_EQ(status(2) & 1, 0);
	/* Wide accesses go a byte at a time: 0x42 then 0x43 */
	pout(0xb0, 0x43);
	out_n(0x42, 2, 0x9055);		/* LSB 0x55, then ch 2 LSB only */
	CHECK_EQ(chip.pit.chan[2].write_latch, 0x55);
	CHECK_EQ(chip.pit.chan[2].rw_mode, 1);
	pout(0x44, 0x42);
	CHECK_EQ(in_n(0x42, 2), 0xff44);
	CHECK_EQ(in_n(0x43, 1), 0xff);
}

static void test_port61(void)
{
	u8 a, b;

	a = inb(0x61);
	b = inb(0x61);
	CHECK_EQ((a ^ b) & 0x10, 0x10);	/* the refresh toggle */
	CHECK_EQ((inb(0x61) ^ inb(0x61)) & 0x10, 0x10);
	outb(0xff, 0x61);
	a = inb(0x61);
	CHECK_EQ(a & 0xcf, 0x03);	/* gate, speaker; no error bits */
	CHECK_EQ(chip.pit.speaker, 1);
	CHECK_EQ(chip.pit.chan[2].gate, 1);
	outb(0x01, 0x61);
	CHECK_EQ(inb(0x61) & 0x03, 0x01);
	CHECK_EQ(chip.pit.speaker, 0);
	/* bit 5 is channel 2's output */
	load(2, 0, 10);
	CHECK(!gate2_out());
	advance(tick_ns(10));
	CHECK(gate2_out());
	/* the gate of channel 2 only */
	outb(0x00, 0x61);
	CHECK_EQ(chip.pit.chan[0].gate, 1);
	CHECK_EQ(chip.pit.chan[2].gate, 0);
}

/* Channel 0 mode 2 at count n: an edge every n clocks, none missing */
static void check_periodic(unsigned int mode, u32 n)
{
	ktime_t t0;
	unsigned int i, r;

	setup();
	t0 = load(0, mode, n);
	if (!n)
		n = 65536;
	CHECK(chip.pit.timer.queued);
	advance(1000000000);
	r = raises();
	CHECK_EQ(r, 1193182 / n);
	for (i = 0; i < nevents; i += 2)
		if (events[i].t != t0 + tick_ns((u64)(i / 2 + 1) * n)) {
			CHECK_EQ(events[i].t, t0 + tick_ns((i / 2 + 1) * n));
			break;
		}
	CHECK_EQ(chip.pit.period, tick_ns(n));
}

static void test_timer_periodic(void)
{
	check_periodic(2, 11932);	/* Linux's HZ=100 LATCH */
	check_periodic(3, 11932);
	check_periodic(2, 1193);	/* 1 kHz */
	check_periodic(2, 0);		/* 65536: 18.2 Hz */
	check_periodic(2, 239);		/* 200.3 us: just above the clamp */
}

static void test_timer_clamp(void)
{
	ktime_t t0;
	unsigned int i;
	u32 n;

	for (n = 1; n <= 238; n += 237) {
		setup();
		t0 = load(0, 2, n);
		advance(1000000000);
		CHECK_EQ(raises(), 5000);
		for (i = 0; i < nevents; i += 2)
			CHECK_EQ(events[i].t, t0 + (s64)(i / 2 + 1) * 200000);
		CHECK_EQ(chip.pit.period, 200000);
		/* The count still runs at the PIT's rate */
		advance_to(t0 + 1000000000 + tick_ns(3 * n + 1));
		CHECK_EQ(latched(0), n - (1193182 + 3 * n + 1) % n);
	}
	setup();
	mv_min_timer_period_us = 1000;
	load(0, 3, 2);
	advance(1000000000);
	CHECK_EQ(raises(), 1000);
}

static void test_timer_oneshot(void)
{
	ktime_t t0;
	unsigned int i;

	t0 = load(0, 0, 1000);
	advance(1000000000);
	CHECK_EQ(raises(), 1);
	CHECK_EQ(events[0].t, t0 + tick_ns(1000));
	CHECK(!chip.pit.timer.queued);
	CHECK_EQ(chip.pit.period, 0);
	/* Linux's oneshot clockevent: mode 4, a count per event */
	setup();
	pout(0x38, 0x43);
	for (i = 0; i < 3; i++) {
		pout(100, 0x40);
		pout(0, 0x40);
		t0 = mv_fake_now;
		advance(10000000);
		CHECK_EQ(raises(), i + 1);
		CHECK_EQ(events[2 * i].t, t0 + tick_ns(101));
	}
	/* Short one-shots are not clamped: each is a port write */
	setup();
	t0 = load(0, 0, 1);
	advance(1000000);
	CHECK_EQ(events[0].t, t0 + tick_ns(1));
}

static void test_timer_stop(void)
{
	ktime_t t0;

	/* clockevent_i8253_disable() */
	load(0, 2, 11932);
	advance(101000000);
	CHECK_EQ(raises(), 10);
	pout(0x30, 0x43);
	pout(0, 0x40);
	pout(0, 0x40);
	pout(0x30, 0x43);
	CHECK(!chip.pit.timer.queued);
	nevents = 0;
	advance(1000000000);
	CHECK_EQ(nevents, 0);
	/* A control word alone stops it too */
	load(0, 3, 11932);
	advance(21000000);
	CHECK_EQ(raises(), 2);
	pout(0x36, 0x43);
	advance(1000000000);
	CHECK_EQ(raises(), 2);
	/* A new count mid-period starts over from the write */
	setup();
	t0 = load(0, 2, 10000);
	advance_to(t0 + tick_ns(15000));
	pout(0x00, 0x40);
	pout(0x50, 0x40);		/* 0x5000 = 20480 */
	t0 = mv_fake_now;
	advance(30000000);
	CHECK_EQ(raises(), 2);
	CHECK_EQ(events[2].t, t0 + tick_ns(20480));
	/* The first byte of a mode 0 count stops it */
	setup();
	t0 = load(0, 0, 10000);
	pout(0x00, 0x40);
	advance(100000000);
	CHECK_EQ(nevents, 0);
}

/* The timer's function on an expiry the guest has reprogrammed since */
static void test_timer_stale(void)
{
	struct hrtimer *t = &chip.pit.timer;

	load(0, 2, 11932);
	/* rearmed while the function waited for the lock: still queued */
	CHECK_EQ(t->function(t), HRTIMER_NORESTART);
	CHECK(t->queued);
	CHECK_EQ(nevents, 0);
	/* stopped meanwhile: disarmed */
	pout(0x34, 0x43);
	t->running = true;
	CHECK_EQ(t->function(t), HRTIMER_NORESTART);
	t->running = false;
	CHECK_EQ(nevents, 0);
	/* mv_pit_free: cancelled, and nothing arms it again */
	setup();
	load(0, 2, 11932);
	mv_pit_free(&chip.pit);
	CHECK(!t->queued);
	load(0, 2, 11932);
	CHECK(!t->queued);
	CHECK_EQ(t->function(t), HRTIMER_NORESTART);
	advance(1000000000);
	CHECK_EQ(nevents, 0);
}

/* What a guest sees of the PIT at a few times from now on */
static void probe(u32 *seen, unsigned int n)
{
	unsigned int i, ch;
	ktime_t t = mv_fake_now;

	for (i = 0; i < n; i += 4) {
		advance_to(t + (s64)i * 777777);
		for (ch = 0; ch < 3; ch++)
			seen[i + ch] = latched(ch) | out(ch) << 16;
		seen[i + 3] = raises() | (inb(0x61) & 0xef) << 16;
	}
}

static void test_state_roundtrip(void)
{
	struct mv_pit_state st, st2, bad;
	struct mv_irqchip saved;
	u32 seen[2][40];
	unsigned int i;
	ktime_t t0;

	pout(0x01, 0x61);
	load(0, 2, 11932);
	load(1, 0, 5000);
	t0 = load(2, 3, 1001);
	pout(0x03, 0x61);
	advance(123456);
	pout(0x40, 0x43);		/* ch 1 latched, half read */
	pin(0x41);
	pout(0xe8, 0x43);		/* ch 2 status latched */
	pout(0x35, 0x43);		/* BCD, refused */
	pout(0x22, 0x40);		/* half a count */
	mv_pit_get_state(&chip.pit, &st);
	CHECK_EQ(st.channels[1].count_latched, 2);
	CHECK_EQ(st.channels[1].latched_count, 5000 - 147);
	CHECK_EQ(st.channels[2].status_latched, 1);
	CHECK_EQ(st.channels[2].status, 0xb6);
	CHECK_EQ(st.channels[0].write_state, 4);
	CHECK_EQ(st.channels[0].write_latch, 0x22);
	CHECK_EQ(st.channels[0].count_load_time, KTIME_MAX);
	CHECK_EQ(st.channels[2].count_load_time, t0);
	CHECK_EQ(st.channels[2].mode, 3);
	CHECK_EQ(st.speaker, 1);
	pout(0x77, 0x40);
	mv_pit_get_state(&chip.pit, &st);
	saved = chip;
	/* Into a fresh PIT: the same channels, the same timer */
	setup();
	mv_fake_now = saved.pit.chan[0].count_load_time;
	CHECK_EQ(mv_pit_set_state(&chip.pit, &st), 0);
	mv_pit_get_state(&chip.pit, &st2);
	CHECK(!memcmp(&st, &st2, sizeof(st)));
	CHECK(chip.pit.timer.queued);
	CHECK_EQ(chip.pit.timer.expires, saved.pit.timer.expires);
	CHECK_EQ(pin(0x41), (5000 - 147) >> 8);
	CHECK_EQ(pin(0x42), 0xb6);
	probe(seen[0], 40);
	chip = saved;
	nevents = 0;
	mv_fake_now = saved.pit.chan[0].count_load_time;
	CHECK_EQ(pin(0x41), (5000 - 147) >> 8);
	CHECK_EQ(pin(0x42), 0xb6);
	probe(seen[1], 40);
	for (i = 0; i < 40; i++)
		CHECK_EQ(seen[0][i], seen[1][i]);
#define REFUSED(field, v) do {						\
	bad = st;							\
	bad.channels[i].field = (v);					\
	CHECK_EQ(mv_pit_set_state(&chip.pit, &bad), -EINVAL);		\
} while (0)
	for (i = 0; i < 3; i++) {
		REFUSED(count, 0x10000);
		REFUSED(mode, 6);
		REFUSED(mode, 0xff);
		REFUSED(rw_mode, 0);
		REFUSED(rw_mode, 4);
		REFUSED(bcd, 1);
		REFUSED(gate, 2);
		REFUSED(count_latched, 4);
		REFUSED(status_latched, 2);
		REFUSED(read_state, 0);
		REFUSED(write_state, 5);
		REFUSED(pad[3], 1);
		bad = st;
		bad.channels[i].rw_mode = 1;
		bad.channels[i].read_state = 1;
		bad.channels[i].write_state = 2;
		CHECK_EQ(mv_pit_set_state(&chip.pit, &bad), -EINVAL);
		bad.channels[i].write_state = 1;
		CHECK_EQ(mv_pit_set_state(&chip.pit, &bad), 0);
	}
#undef REFUSED
	bad = st;
	bad.speaker = 2;
	CHECK_EQ(mv_pit_set_state(&chip.pit, &bad), -EINVAL);
	bad = st;
	bad.pad[6] = 1;
	CHECK_EQ(mv_pit_set_state(&chip.pit, &bad), -EINVAL);
	/* Channel 0's gate from a state holds its periodic modes */
	bad = st;
	bad.channels[0].gate = 0;
	bad.channels[0].mode = 2;
	bad.channels[0].write_state = 3;
	bad.channels[0].count_load_time = mv_fake_now;
	CHECK_EQ(mv_pit_set_state(&chip.pit, &bad), 0);
	CHECK(!chip.pit.timer.queued);
	bad.channels[0].gate = 1;
	CHECK_EQ(mv_pit_set_state(&chip.pit, &bad), 0);
	CHECK(chip.pit.timer.queued);
}

/* Load times far off either way: defined, no overflow, no timer storm */
static void test_state_times(void)
{
	static const s64 times[] = {
		INT64_MIN, INT64_MIN + 1, -1000000000000000000LL, -1, 0,
		T0 - 1, T0, T0 + 1, T0 + 1000000000, KTIME_MAX - 1, KTIME_MAX,
	};
	struct mv_pit_state st;
	unsigned int i, mode, ch;

	for (i = 0; i < ARRAY_SIZE(times); i++) {
		for (mode = 0; mode < 6; mode++) {
			setup();
			mv_pit_get_state(&chip.pit, &st);
			for (ch = 0; ch < 3; ch++) {
				st.channels[ch].mode = mode;
				st.channels[ch].count = 1 + (i * 7919) % 0xffff;
				st.channels[ch].count_load_time = times[i];
				st.channels[ch].gate = 1;
			}
			CHECK_EQ(mv_pit_set_state(&chip.pit, &st), 0);
			for (ch = 0; ch < 3; ch++) {
				latched(ch);
				status(ch);
			}
			inb(0x61);
			nevents = 0;
			advance(10000000);
			/* no faster than the clamp, 200 us */
			CHECK(raises() <= 51);
		}
	}
}

static void check_invariants(void)
{
	struct mv_pit_state st;

	CHECK(!chip.pit.lock.held);
	mv_pit_get_state(&chip.pit, &st);
	CHECK_EQ(mv_pit_set_state(&chip.pit, &st), 0);
	CHECK_EQ(chip.pit.armed, chip.pit.timer.queued);
	if (chip.pit.timer.queued)
		CHECK(chip.pit.timer.expires > mv_fake_now);
}

static void test_hostile(void)
{
	static const u16 ports[] = { 0x40, 0x41, 0x42, 0x43, 0x43, 0x61 };
	static const int lens[] = { 1, 1, 1, 2, 4 };
	unsigned int i, bad_before;
	u32 r;

	for (i = 0; i < 100000 && !test_bad; i++) {
		r = rng();
		switch (r % 8) {
		case 0:
		case 1:
		case 2:
			out_n(ports[(r >> 3) % 6], lens[(r >> 6) % 5], rng());
			break;
		case 3:
		case 4:
			in_n(ports[(r >> 3) % 6], lens[(r >> 6) % 5]);
			break;
		case 5:
			advance(rng() % 100000);
			break;
		case 6:
			if (!(r & 0x3f00))
				advance(rng() % 1000000000);
			break;
		default:
			mv_min_timer_period_us = (r >> 8) & 1 ? 200 : 1;
			break;
		}
		bad_before = test_bad;
		check_invariants();
		if (test_bad && !bad_before)
			printf("#   after step %u\n", i);
		if (nevents > MAX_EVENTS / 2)
			nevents = 0;
	}
}

static const struct test tests[] = {
	{ "reset state", test_reset },
	{ "modes 0, 2, 4: count and output over time", test_modes_024 },
	{ "mode 3, even and odd counts", test_mode3 },
	{ "modes 1 and 5: gate triggers", test_modes_15 },
	{ "gate: holds 0 and 4, stops and reloads 2 and 3", test_gate },
	{ "Linux pit_calibrate_tsc loop", test_linux_calibrate },
	{ "Linux quick_pit_calibrate", test_linux_quick_calibrate },
	{ "counter latch", test_latch },
	{ "read-back: status and counts", test_readback },
	{ "LSB, MSB, LSB/MSB access; BCD refused", test_access_modes },
	{ "port 0x61: gate, speaker, refresh, out 2", test_port61 },
	{ "channel 0 periodic interrupts", test_timer_periodic },
	{ "periodic interrupts clamped", test_timer_clamp },
	{ "one-shot interrupts", test_timer_oneshot },
	{ "stopping and reprogramming the timer", test_timer_stop },
	{ "stale expiries and mv_pit_free", test_timer_stale },
	{ "state round trip, invalid states refused", test_state_roundtrip },
	{ "load times far off", test_state_times },
	{ "hostile byte sequences keep the PIT valid", test_hostile },
};

int main(void)
{
	return run_tests(tests, ARRAY_SIZE(tests));
}
