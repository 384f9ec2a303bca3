// SPDX-License-Identifier: GPL-2.0
/*
 * COM1 at 0x3f8: an 8250/16550 UART that transmits to stdout and never
 * receives.  The registers hold what is written to them, so drivers that
 * program the line (divisor latch, LCR, FIFO, modem control) and probe
 * the scratch register or the loopback see a UART.  The transmitter is
 * always empty (LSR THRE and TEMT), no interrupt is ever pending (IIR
 * bit 0) and no IRQ is raised: a guest polls LSR before each byte, as
 * early consoles and kvm-unit-tests do.
 *
 * Offsets: 0 THR/RBR (DLL while LCR.DLAB is set), 1 IER (DLM), 2 IIR/FCR,
 * 3 LCR, 4 MCR, 5 LSR, 6 MSR, 7 SCR.
 */
#include "mvrun.h"

#define COM1_BASE	0x3f8
#define COM1_LEN	8

#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define IIR_NO_INT	0x01
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
/* MSR with nothing attached: carrier, data set ready and clear to send. */
#define MSR_IDLE	0xb0

struct uart {
	uint8_t dll, dlm, ier, fcr, lcr, mcr, scr;
};

static struct uart com1 = { .dll = 0x0c };	/* 9600 baud, as after reset */

static uint8_t uart_read(struct uart *u, uint16_t off)
{
	switch (off) {
	case 0:
		return u->lcr & LCR_DLAB ? u->dll : 0;
	case 1:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case 2:
		return IIR_NO_INT | (u->fcr & FCR_ENABLE ? IIR_FIFO : 0);
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		return LSR_THRE | LSR_TEMT;
	case 6:
		/* In loopback, RTS/DTR/OUT1/OUT2 come back as CTS/DSR/RI/DCD. */
		if (u->mcr & MCR_LOOP)
			return (u->mcr & 0x02) << 3 | (u->mcr & 0x01) << 5 |
			       (u->mcr & 0x0c) << 4;
		return MSR_IDLE;
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, uint16_t off, uint8_t v)
{
	switch (off) {
	case 0:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else if (!(u->mcr & MCR_LOOP))
			console_write(&v, 1);
		break;
	case 1:
		if (u->lcr & LCR_DLAB)
			u->dlm = v;
		else
			u->ier = v & 0x0f;
		break;
	case 2:
		u->fcr = v & FCR_ENABLE;
		break;
	case 3:
		u->lcr = v;
		break;
	case 4:
		u->mcr = v & 0x1f;
		break;
	case 7:
		u->scr = v;
		break;
	}
}

/* The UART is byte-wide: a wider access touches consecutive registers. */
static uint32_t serial_in(struct io_dev *dev, uint16_t off, int size)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < size; i++)
		v |= (uint32_t)(off + i < COM1_LEN ? uart_read(dev->priv, off + i) : 0xff) << (8 * i);
	return v;
}

static void serial_out(struct io_dev *dev, uint16_t off, int size, uint32_t v)
{
	int i;

	for (i = 0; i < size && off + i < COM1_LEN; i++)
		uart_write(dev->priv, off + i, v >> (8 * i));
}

static struct io_dev serial_dev = {
	.name = "COM1", .base = COM1_BASE, .len = COM1_LEN,
	.in = serial_in, .out = serial_out, .priv = &com1,
};

int serial_init(struct vm *vm)
{
	(void)vm;
	return io_register(&serial_dev);
}
