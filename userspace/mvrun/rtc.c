// SPDX-License-Identifier: GPL-2.0
/*
 * Ports 0x70 (index; bit 7 is the NMI mask, kept and ignored) and 0x71
 * (data): an MC146818 CMOS clock showing the host's time, in UTC (what
 * Linux on x86 expects), and 114 bytes of CMOS RAM.
 *
 * Time registers (0 seconds, 2 minutes, 4 hours, 6 day of the week, 7
 * day of the month, 8 month, 9 year, 0x32 century) are computed at each
 * read, in BCD unless register B's DM bit asks for binary, in 24-hour
 * form unless its 24/12 bit is clear.  Writing one moves the guest's
 * clock by an offset against the host's (hwclock --systohc, or Linux's
 * periodic RTC update, work); the host's clock is never touched.
 * Register A reads 0x26 (32.768 kHz, 1024 Hz) and never shows an update
 * in progress, so readers don't wait; B defaults to 0x02 (24-hour, BCD);
 * C (interrupt flags) reads 0: the clock raises no interrupt (IRQ 8);
 * D reads 0x80, "valid RAM and time".  The alarm registers (1, 3, 5) are
 * RAM.
 */
#include <time.h>

#include "mvrun.h"

#define RTC_INDEX	0x70
#define RTC_LEN		2
#define CMOS_SIZE	128

#define REG_SECONDS	0x00
#define REG_MINUTES	0x02
#define REG_HOURS	0x04
#define REG_WEEKDAY	0x06
#define REG_DAY		0x07
#define REG_MONTH	0x08
#define REG_YEAR	0x09
#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define REG_CENTURY	0x32

#define REG_A_DEFAULT	0x26
#define B_DM_BINARY	0x04
#define B_24H		0x02
#define D_VRT		0x80
#define HOUR_PM		0x80

struct rtc {
	uint8_t index;
	uint8_t ram[CMOS_SIZE];
	time_t offset;		/* guest time - host time, in seconds */
};

static struct rtc rtc = { .ram = { [REG_B] = B_24H } };

static void rtc_now(const struct rtc *r, struct tm *tm)
{
	time_t t = time(NULL) + r->offset;

	gmtime_r(&t, tm);
}

static uint8_t to_reg(const struct rtc *r, int v)
{
	return r->ram[REG_B] & B_DM_BINARY ? v : (v / 10) << 4 | v % 10;
}

static int from_reg(const struct rtc *r, uint8_t v)
{
	return r->ram[REG_B] & B_DM_BINARY ? v : (v >> 4) * 10 + (v & 0xf);
}

static uint8_t hours_reg(const struct rtc *r, int h)
{
	if (r->ram[REG_B] & B_24H)
		return to_reg(r, h);
	return to_reg(r, h % 12 ? h % 12 : 12) | (h >= 12 ? HOUR_PM : 0);
}

static int hours_from_reg(const struct rtc *r, uint8_t v)
{
	int h;

	if (r->ram[REG_B] & B_24H)
		return from_reg(r, v);
	h = from_reg(r, v & ~HOUR_PM) % 12;
	return v & HOUR_PM ? h + 12 : h;
}

static uint8_t rtc_read(struct rtc *r, uint8_t reg)
{
	struct tm tm;

	rtc_now(r, &tm);
	switch (reg) {
	case REG_SECONDS: return to_reg(r, tm.tm_sec);
	case REG_MINUTES: return to_reg(r, tm.tm_min);
	case REG_HOURS: return hours_reg(r, tm.tm_hour);
	case REG_WEEKDAY: return to_reg(r, tm.tm_wday + 1);
	case REG_DAY: return to_reg(r, tm.tm_mday);
	case REG_MONTH: return to_reg(r, tm.tm_mon + 1);
	case REG_YEAR: return to_reg(r, tm.tm_year % 100);
	case REG_CENTURY: return to_reg(r, (tm.tm_year + 1900) / 100);
	case REG_A: return REG_A_DEFAULT;
	case REG_C: return 0;
	case REG_D: return D_VRT;
	default: return r->ram[reg];
	}
}

/* A time register written: the guest's clock moves, the host's doesn't. */
static void rtc_set(struct rtc *r, uint8_t reg, uint8_t v)
{
	time_t now = time(NULL);
	struct tm tm;

	rtc_now(r, &tm);
	switch (reg) {
	case REG_SECONDS: tm.tm_sec = from_reg(r, v); break;
	case REG_MINUTES: tm.tm_min = from_reg(r, v); break;
	case REG_HOURS: tm.tm_hour = hours_from_reg(r, v); break;
	case REG_DAY: tm.tm_mday = from_reg(r, v); break;
	case REG_MONTH: tm.tm_mon = from_reg(r, v) - 1; break;
	case REG_YEAR: tm.tm_year = (tm.tm_year + 1900) / 100 * 100 + from_reg(r, v) - 1900; break;
	case REG_CENTURY: tm.tm_year = from_reg(r, v) * 100 + tm.tm_year % 100 - 1900; break;
	default: return;
	}
	r->offset = timegm(&tm) - now;
}

static uint32_t rtc_in(struct io_dev *dev, uint16_t off, int size)
{
	struct rtc *r = dev->priv;

	(void)size;
	/* The index register is write-only. */
	return off ? rtc_read(r, r->index & 0x7f) : 0xff;
}

static void rtc_out(struct io_dev *dev, uint16_t off, int size, uint32_t v)
{
	struct rtc *r = dev->priv;
	uint8_t reg = r->index & 0x7f;

	(void)size;
	if (!off) {
		r->index = v;
		return;
	}
	switch (reg) {
	case REG_A: case REG_C: case REG_D:
		return;		/* fixed, or read-only */
	case REG_WEEKDAY:
		return;		/* follows from the date */
	case REG_SECONDS: case REG_MINUTES: case REG_HOURS: case REG_DAY:
	case REG_MONTH: case REG_YEAR: case REG_CENTURY:
		rtc_set(r, reg, v);
		return;
	default:
		r->ram[reg] = v;
	}
}

static struct io_dev rtc_dev = {
	.name = "CMOS RTC", .base = RTC_INDEX, .len = RTC_LEN,
	.in = rtc_in, .out = rtc_out, .priv = &rtc,
};

int rtc_init(struct vm *vm)
{
	(void)vm;
	return io_register(&rtc_dev);
}
