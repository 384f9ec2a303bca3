// SPDX-License-Identifier: GPL-2.0
/*
 * The 8254 programmable interval timer: three 16-bit down-counters clocked
 * at 1.193182 MHz (ports 0x40-0x42, control word at 0x43), and port 0x61,
 * where channel 2's gate and output and the speaker meet the guest.
 *
 * Nothing ticks: a channel keeps its count and the host time it was loaded
 * (CLOCK_MONOTONIC), and what a read sees, the current count or the output
 * pin, follows from the clocks elapsed since.  count_load_time is
 * MV_PIT_NOT_COUNTING when there is nothing to count yet: after a control
 * word until the count is written, in modes 1 and 5 until the gate rises,
 * in mode 0 between the two bytes of a count, and in modes 0 and 4 while a
 * low gate holds the count (count is then the count held).  In modes 2 and
 * 3 a low gate stops the counter too (it reads as the initial count); its
 * rising edge reloads it, as it triggers modes 1 and 5.  Channel 0's output
 * interrupts GSI 0: an hrtimer fires at each rising edge, periodic ones no
 * faster than mv_min_timer_period_us.  Channels 0 and 1 have their gates
 * tied high, as on a PC.
 *
 * Simplified: a count written in modes 2 and 3 takes effect at once (the
 * chip waits for the end of the period), and in modes 1 and 5 it changes a
 * one-shot already running; BCD is refused (the channel counts in binary,
 * bcd_refused counts the attempts); the control word port reads as 0xff,
 * as the chip does not drive the bus there.
 */
#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "irqchip.h"

#define PIT_PORT		0x40
#define PIT_CONTROL		3	/* port 0x43 */
#define PORT61			0x61
#define PORT61_GATE2		BIT(0)
#define PORT61_SPEAKER		BIT(1)
#define PORT61_REFRESH		BIT(4)
#define PORT61_OUT2		BIT(5)

/* Control word: select bits 7-6, access 5-4, mode 3-1, BCD 0 */
#define PIT_READBACK		3	/* select: the read-back command */
#define PIT_RB_NO_COUNT		BIT(5)
#define PIT_RB_NO_STATUS	BIT(4)
#define PIT_STATUS_OUT		BIT(7)
#define PIT_STATUS_NULL		BIT(6)

/* read_state, write_state, count_latched; 1-3 are also rw_mode */
enum { PIT_LSB = 1, PIT_MSB, PIT_WORD0, PIT_WORD1 };

/* Counts beyond this (a century) are never reached: no edge, no overflow */
#define PIT_MAX_TICKS		BIT_ULL(52)
#define PIT_MAX_NS		BIT_ULL(62)

static u64 pit_ticks(u64 ns)
{
	return mul_u64_u32_div(ns, MV_PIT_HZ, NSEC_PER_SEC);
}

/* The time by which @ticks clocks have passed */
static u64 pit_ns(u64 ticks)
{
	u64 ns;

	if (ticks > PIT_MAX_TICKS)
		return U64_MAX;
	ns = mul_u64_u32_div(ticks, NSEC_PER_SEC, MV_PIT_HZ);
	if (pit_ticks(ns) < ticks)
		ns++;
	return ns;
}

/* The initial count: 0 is 65536 */
static u32 pit_n(const struct mv_pit_chan *c)
{
	return c->count ? c->count : 0x10000;
}

/* Clocks counted since the count was loaded; false if it is not counting */
static bool pit_elapsed(const struct mv_pit_chan *c, ktime_t now, u64 *d)
{
	if (c->count_load_time == MV_PIT_NOT_COUNTING ||
	    now < c->count_load_time)
		return false;
	if (!c->gate && (c->mode == 2 || c->mode == 3))
		return false;
	*d = pit_ticks((u64)now - (u64)c->count_load_time);
	return true;
}

/*
 * Mode 3 counts down by two: an even count spends n/2 clocks high and n/2
 * low; an odd one takes n, n - 1, n - 3 ... high for (n + 1) / 2 clocks,
 * then n, n - 3, n - 5 ... low for (n - 1) / 2.
 */
static u32 pit_square_count(u32 n, u32 t)
{
	u32 high = (n + 1) / 2;
	bool out = t < high;
	u32 pos = out ? t : t - high;

	if (!pos)
		return n;
	if (!(n & 1))
		return n - 2 * pos;
	return out ? n + 1 - 2 * pos : n - 1 - 2 * pos;
}

/* What the counter holds now (65536 reads as 0) */
static u16 pit_count(const struct mv_pit_chan *c, ktime_t now)
{
	u32 n = pit_n(c), t;
	u64 d;

	if (!pit_elapsed(c, now, &d))
		return n;
	switch (c->mode) {
	case 2:
		div_u64_rem(d, n, &t);
		return n - t;
	case 3:
		div_u64_rem(d, n, &t);
		return pit_square_count(n, t);
	default:
		/* After the terminal count, it wraps around */
		return n - d;
	}
}

/* The output pin */
static bool pit_out(const struct mv_pit_chan *c, ktime_t now)
{
	u32 n = pit_n(c), t;
	u64 d;

	if (!pit_elapsed(c, now, &d))
		return c->mode != 0;
	switch (c->mode) {
	case 0:
	case 1:
		return d >= n;
	case 2:
		div_u64_rem(d, n, &t);
		return t != n - 1;
	case 3:
		div_u64_rem(d, n, &t);
		return t < (n + 1) / 2;
	default:
		/* modes 4 and 5: low for the clock at the terminal count */
		return d != n;
	}
}

static bool pit_null_count(const struct mv_pit_chan *c)
{
	bool held = !c->gate && (c->mode == 0 || c->mode == 4);

	return c->count_load_time == MV_PIT_NOT_COUNTING && !held;
}

static u64 pit_min_ns(void)
{
	return (u64)READ_ONCE(mv_min_timer_period_us) * NSEC_PER_USEC;
}

/*
 * When channel 0's output next rises after @now; false if it never does.
 * *@period: the time to the one after (0: none).
 */
static bool pit_next_edge(const struct mv_pit_chan *c, ktime_t now,
			  ktime_t *when, u64 *period)
{
	ktime_t load = c->count_load_time;
	u64 n = pit_n(c), since, off, min, k;

	if (load == MV_PIT_NOT_COUNTING ||
	    (!c->gate && (c->mode == 2 || c->mode == 3)))
		return false;
	since = now > load ? (u64)now - (u64)load : 0;
	if (since > PIT_MAX_NS)
		return false;
	*period = 0;
	if (c->mode == 2 || c->mode == 3) {
		*period = pit_ns(n);
		min = pit_min_ns();
		if (*period < min) {
			*period = min;
			off = (div64_u64(since, min) + 1) * min;
		} else {
			k = div64_u64(pit_ticks(since), n) + 1;
			off = pit_ns(k * n);
		}
	} else {
		/* modes 0, 1: OUT rises at the terminal count; 4, 5: a clock on */
		off = pit_ns(c->mode == 0 || c->mode == 1 ? n : n + 1);
		if (off <= since)
			return false;
	}
	if (off > PIT_MAX_NS || load > KTIME_MAX - (s64)off)
		return false;
	*when = load + off;
	return true;
}

/* After a change to channel 0: the timer follows its output's edges. */
static void pit_arm(struct mv_pit *pit, ktime_t now)
{
	ktime_t when;
	u64 period;

	if (pit->vm && pit_next_edge(&pit->chan[0], now, &when, &period)) {
		pit->armed = true;
		pit->period = ns_to_ktime(period);
		hrtimer_start(&pit->timer, when, HRTIMER_MODE_ABS_PINNED);
	} else {
		/* Running now, it sees !armed */
		pit->armed = false;
		pit->period = 0;
		hrtimer_try_to_cancel(&pit->timer);
	}
}

/*
 * An edge of channel 0's output: GSI 0 gets an edge, with our lock dropped
 * (irq.c takes irqchip->lock, and the PIC never calls us).  An expiry the
 * guest reprogrammed meanwhile is stale: the timer is queued again, or
 * disarmed.
 */
static enum hrtimer_restart pit_timer_fn(struct hrtimer *timer)
{
	struct mv_pit *pit = container_of(timer, struct mv_pit, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	struct mv_vm *vm = NULL;
	unsigned long flags;
	ktime_t when;
	u64 period;

	spin_lock_irqsave(&pit->lock, flags);
	if (pit->armed && !hrtimer_is_queued(timer)) {
		vm = pit->vm;
		if (pit_next_edge(&pit->chan[0], ktime_get(), &when, &period)) {
			hrtimer_set_expires(timer, when);
			ret = HRTIMER_RESTART;
		} else {
			pit->armed = false;
		}
	}
	spin_unlock_irqrestore(&pit->lock, flags);
	if (vm) {
		mv_irq_set(vm, 0, MV_IRQ_SRC_PIT, true);
		mv_irq_set(vm, 0, MV_IRQ_SRC_PIT, false);
	}
	return ret;
}

static void pit_latch_count(struct mv_pit_chan *c, ktime_t now)
{
	/* A second latch before the first is read is ignored. */
	if (c->count_latched)
		return;
	c->latched_count = pit_count(c, now);
	c->count_latched = c->rw_mode;
}

static void pit_latch_status(struct mv_pit_chan *c, ktime_t now)
{
	if (c->status_latched)
		return;
	c->status = (pit_out(c, now) ? PIT_STATUS_OUT : 0) |
		    (pit_null_count(c) ? PIT_STATUS_NULL : 0) |
		    c->rw_mode << 4 | c->mode << 1 | c->bcd;
	c->status_latched = 1;
}

/* A count is written: @val, 0 for 65536 */
static void pit_load(struct mv_pit *pit, unsigned int ch, u32 val,
		     ktime_t now)
{
	struct mv_pit_chan *c = &pit->chan[ch];

	c->count = val;
	switch (c->mode) {
	case 1:
	case 5:
		/* The gate's next rising edge loads it. */
		break;
	case 0:
	case 4:
		c->count_load_time = c->gate ? now : MV_PIT_NOT_COUNTING;
		break;
	default:
		c->count_load_time = now;
		break;
	}
	if (!ch)
		pit_arm(pit, now);
}

static void pit_write_count(struct mv_pit *pit, unsigned int ch, u8 val,
			    ktime_t now)
{
	struct mv_pit_chan *c = &pit->chan[ch];

	switch (c->write_state) {
	case PIT_LSB:
		pit_load(pit, ch, val, now);
		break;
	case PIT_MSB:
		pit_load(pit, ch, val << 8, now);
		break;
	case PIT_WORD0:
		c->write_latch = val;
		c->write_state = PIT_WORD1;
		/* In mode 0, the first byte stops the count. */
		if (!c->mode) {
			c->count_load_time = MV_PIT_NOT_COUNTING;
			if (!ch)
				pit_arm(pit, now);
		}
		break;
	default:
		c->write_state = PIT_WORD0;
		pit_load(pit, ch, c->write_latch | val << 8, now);
		break;
	}
}

static void pit_control(struct mv_pit *pit, u8 val, ktime_t now)
{
	unsigned int ch = val >> 6, rw = (val >> 4) & 3;
	struct mv_pit_chan *c;

	if (ch == PIT_READBACK) {
		for (ch = 0; ch < 3; ch++) {
			if (!(val & BIT(ch + 1)))
				continue;
			if (!(val & PIT_RB_NO_COUNT))
				pit_latch_count(&pit->chan[ch], now);
			if (!(val & PIT_RB_NO_STATUS))
				pit_latch_status(&pit->chan[ch], now);
		}
		return;
	}
	c = &pit->chan[ch];
	if (!rw) {
		pit_latch_count(c, now);
		return;
	}
	/* A new mode: the counter stops until it gets a count. */
	c->rw_mode = rw;
	c->read_state = rw;
	c->write_state = rw;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;
	c->bcd = 0;
	if (val & 1)
		atomic_long_inc(&pit->bcd_refused);
	c->count_latched = 0;
	c->status_latched = 0;
	c->count_load_time = MV_PIT_NOT_COUNTING;
	if (!ch)
		pit_arm(pit, now);
}

static u8 pit_read_count(struct mv_pit_chan *c, ktime_t now)
{
	u16 v;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->count_latched) {
		v = c->latched_count;
		if (c->count_latched == PIT_MSB) {
			c->count_latched = 0;
			return v >> 8;
		}
		c->count_latched = c->count_latched == PIT_WORD0 ? PIT_MSB : 0;
		return v & 0xff;
	}
	v = pit_count(c, now);
	switch (c->read_state) {
	case PIT_MSB:
		return v >> 8;
	case PIT_WORD0:
		c->read_state = PIT_WORD1;
		return v & 0xff;
	case PIT_WORD1:
		c->read_state = PIT_WORD0;
		return v >> 8;
	default:
		return v & 0xff;
	}
}

static int pit_port_read(struct mv_io_dev *dev, struct mv_vcpu *vcpu,
			 u64 addr, int len, void *val)
{
	struct mv_pit *pit = &container_of(dev, struct mv_irqchip,
					   pit_dev)->pit;
	ktime_t now = ktime_get();
	unsigned long flags;
	unsigned int port;
	u8 *b = val;
	int i;

	spin_lock_irqsave(&pit->lock, flags);
	for (i = 0; i < len; i++) {
		port = addr + i - dev->base;
		if (!mv_io_byte_on(dev, addr, i) || port == PIT_CONTROL)
			b[i] = 0xff;
		else
			b[i] = pit_read_count(&pit->chan[port], now);
	}
	spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

static int pit_port_write(struct mv_io_dev *dev, struct mv_vcpu *vcpu,
			  u64 addr, int len, const void *val)
{
	struct mv_pit *pit = &container_of(dev, struct mv_irqchip,
					   pit_dev)->pit;
	ktime_t now = ktime_get();
	const u8 *b = val;
	unsigned long flags;
	unsigned int port;
	int i;

	spin_lock_irqsave(&pit->lock, flags);
	for (i = 0; i < len; i++) {
		port = addr + i - dev->base;
		if (!mv_io_byte_on(dev, addr, i))
			continue;
		if (port == PIT_CONTROL)
			pit_control(pit, b[i], now);
		else
			pit_write_count(pit, port, b[i], now);
	}
	spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

const struct mv_io_ops mv_pit_ops = {
	.read = pit_port_read,
	.write = pit_port_write,
};

/*
 * The gate: a low one holds the count in modes 0 and 4 until the terminal
 * count (after it, the count runs on), stops modes 2 and 3; a rising one
 * resumes modes 0 and 4, reloads 2 and 3 (unless they have no count yet)
 * and triggers 1 and 5.
 */
static void pit_set_gate(struct mv_pit *pit, unsigned int ch, bool gate,
			 ktime_t now)
{
	struct mv_pit_chan *c = &pit->chan[ch];
	bool hold = c->mode == 0 || c->mode == 4;
	u64 d;

	if (gate == c->gate)
		return;
	if (!gate && hold && pit_elapsed(c, now, &d) && d < pit_n(c)) {
		c->count = (pit_n(c) - d) & 0xffff;
		c->count_load_time = MV_PIT_NOT_COUNTING;
	}
	if (gate && c->count_load_time == MV_PIT_NOT_COUNTING) {
		/* Not between the bytes of a mode 0 count */
		if ((hold && c->write_state != PIT_WORD1) || c->mode == 1 ||
		    c->mode == 5)
			c->count_load_time = now;
	} else if (gate && !hold) {
		c->count_load_time = now;
	}
	c->gate = gate;
	if (!ch)
		pit_arm(pit, now);
}

/*
 * Port 0x61: bit 0 is channel 2's gate, bit 1 the speaker's data, bit 4 the
 * refresh clock (toggling on each read), bit 5 channel 2's output; the
 * rest read as 0 (no parity or I/O check errors).
 */
static int port61_read(struct mv_io_dev *dev, struct mv_vcpu *vcpu,
		       u64 addr, int len, void *val)
{
	struct mv_pit *pit = &container_of(dev, struct mv_irqchip,
					   port61_dev)->pit;
	ktime_t now = ktime_get();
	unsigned long flags;
	u8 *b = val;
	int i;

	spin_lock_irqsave(&pit->lock, flags);
	for (i = 0; i < len; i++) {
		if (!mv_io_byte_on(dev, addr, i)) {
			b[i] = 0xff;
			continue;
		}
		b[i] = (pit->chan[2].gate ? PORT61_GATE2 : 0) |
		       (pit->speaker ? PORT61_SPEAKER : 0) |
		       (pit->refresh ? PORT61_REFRESH : 0) |
		       (pit_out(&pit->chan[2], now) ? PORT61_OUT2 : 0);
		pit->refresh ^= 1;
	}
	spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

static int port61_write(struct mv_io_dev *dev, struct mv_vcpu *vcpu,
			u64 addr, int len, const void *val)
{
	struct mv_pit *pit = &container_of(dev, struct mv_irqchip,
					   port61_dev)->pit;
	ktime_t now = ktime_get();
	const u8 *b = val;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&pit->lock, flags);
	for (i = 0; i < len; i++) {
		if (!mv_io_byte_on(dev, addr, i))
			continue;
		pit->speaker = !!(b[i] & PORT61_SPEAKER);
		pit_set_gate(pit, 2, b[i] & PORT61_GATE2, now);
	}
	spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

const struct mv_io_ops mv_port61_ops = {
	.read = port61_read,
	.write = port61_write,
};

/* As on power-up: mode 0, no count, gates 0 and 1 high */
static void pit_reset(struct mv_pit *pit)
{
	struct mv_pit_chan *c;
	unsigned int ch;

	for (ch = 0; ch < 3; ch++) {
		c = &pit->chan[ch];
		memset(c, 0, sizeof(*c));
		c->rw_mode = PIT_WORD0;
		c->read_state = PIT_WORD0;
		c->write_state = PIT_WORD0;
		c->gate = ch != 2;
		c->count_load_time = MV_PIT_NOT_COUNTING;
	}
	pit->speaker = 0;
	pit->refresh = 0;
	pit->armed = false;
	pit->period = 0;
	atomic_long_set(&pit->bcd_refused, 0);
}

void mv_pit_init(struct mv_vm *vm, struct mv_pit *pit)
{
	struct mv_irqchip *chip = container_of(pit, struct mv_irqchip, pit);

	spin_lock_init(&pit->lock);
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED);
	pit->timer.function = pit_timer_fn;
	pit->vm = vm;
	pit_reset(pit);
	chip->pit_dev = (struct mv_io_dev){
		.ops = &mv_pit_ops, .base = PIT_PORT, .len = 4,
	};
	chip->port61_dev = (struct mv_io_dev){
		.ops = &mv_port61_ops, .base = PORT61, .len = 1,
	};
}

/* The timer never fires again, nor runs, once this returns. */
void mv_pit_free(struct mv_pit *pit)
{
	unsigned long flags;

	spin_lock_irqsave(&pit->lock, flags);
	pit->vm = NULL;
	pit->armed = false;
	spin_unlock_irqrestore(&pit->lock, flags);
	hrtimer_cancel(&pit->timer);
}

void mv_pit_get_state(struct mv_pit *pit, struct mv_pit_state *st)
{
	const struct mv_pit_chan *c;
	struct mv_pit_channel *s;
	unsigned long flags;
	unsigned int ch;

	memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&pit->lock, flags);
	for (ch = 0; ch < 3; ch++) {
		c = &pit->chan[ch];
		s = &st->channels[ch];
		s->count = c->count;
		s->latched_count = c->latched_count;
		s->count_latched = c->count_latched;
		s->status_latched = c->status_latched;
		s->status = c->status;
		s->read_state = c->read_state;
		s->write_state = c->write_state;
		s->write_latch = c->write_latch;
		s->rw_mode = c->rw_mode;
		s->mode = c->mode;
		s->bcd = c->bcd;
		s->gate = c->gate;
		s->count_load_time = ktime_to_ns(c->count_load_time);
	}
	st->speaker = pit->speaker;
	spin_unlock_irqrestore(&pit->lock, flags);
}

/* A byte state the access mode allows: its own, or a word's second byte */
static bool pit_rw_state_valid(u8 rw_mode, u8 state)
{
	return state == rw_mode || (rw_mode == PIT_WORD0 && state == PIT_WORD1);
}

static bool pit_chan_valid(const struct mv_pit_channel *s)
{
	if (s->count > 0xffff || s->mode > 5 || s->bcd || s->gate > 1 ||
	    s->rw_mode < PIT_LSB || s->rw_mode > PIT_WORD0 ||
	    s->count_latched > PIT_WORD0 || s->status_latched > 1)
		return false;
	return pit_rw_state_valid(s->rw_mode, s->read_state) &&
	       pit_rw_state_valid(s->rw_mode, s->write_state) &&
	       !memchr_inv(s->pad, 0, sizeof(s->pad));
}

int mv_pit_set_state(struct mv_pit *pit, const struct mv_pit_state *st)
{
	const struct mv_pit_channel *s;
	struct mv_pit_chan *c;
	unsigned long flags;
	unsigned int ch;

	for (ch = 0; ch < 3; ch++)
		if (!pit_chan_valid(&st->channels[ch]))
			return -EINVAL;
	if (st->speaker > 1 || memchr_inv(st->pad, 0, sizeof(st->pad)))
		return -EINVAL;
	spin_lock_irqsave(&pit->lock, flags);
	for (ch = 0; ch < 3; ch++) {
		c = &pit->chan[ch];
		s = &st->channels[ch];
		c->count = s->count;
		c->latched_count = s->latched_count;
		c->count_latched = s->count_latched;
		c->status_latched = s->status_latched;
		c->status = s->status;
		c->read_state = s->read_state;
		c->write_state = s->write_state;
		c->write_latch = s->write_latch;
		c->rw_mode = s->rw_mode;
		c->mode = s->mode;
		c->bcd = s->bcd;
		c->gate = s->gate;
		c->count_load_time = ns_to_ktime(s->count_load_time);
	}
	pit->speaker = st->speaker;
	pit_arm(pit, ktime_get());
	spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}
