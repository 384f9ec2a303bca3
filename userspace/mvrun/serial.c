// SPDX-License-Identifier: GPL-2.0
/*
 * COM1 at 0x3f8, IRQ 4: an 8250/16550A UART.  What it transmits goes to
 * stdout at once; what it receives comes from stdin (console.c) through a
 * 16-byte FIFO.  The registers hold what is written to them, so drivers
 * that program the line (divisor latch, LCR, FIFO control, modem
 * control), probe the scratch register or use the loopback see a UART;
 * Linux's 8250 driver finds a 16550A.
 *
 * Interrupts, as a 16550 raises them, in priority order (IIR): received
 * data available (IER bit 0, while the FIFO holds a byte), transmitter
 * holding register empty (IER bit 1: set when THRI is enabled and after
 * each byte written, since the transmitter is infinitely fast; cleared by
 * a THR write or by reading IIR while it reports THRE).  No line-status
 * errors and no modem-status changes ever happen.  The interrupt output
 * reaches IRQ 4 through MCR.OUT2 (the PC's gate; off in loopback), as a
 * level the in-kernel irqchip sees through MV_IRQ_LINE: ISA interrupts are
 * edge-triggered, so each rise is one interrupt.  Without an irqchip
 * there is no IRQ: guests poll LSR.
 *
 * For a Linux guest, what the kernel's console code writes (with IER 0:
 * serial8250_console_write clears it around each message, while the tty
 * writes with THRI enabled) is shown to lifecycle.c too, which watches
 * for the kernel saying it halted or panicked.
 *
 * Offsets: 0 THR/RBR (DLL while LCR.DLAB is set), 1 IER (DLM), 2 IIR/FCR,
 * 3 LCR, 4 MCR, 5 LSR, 6 MSR, 7 SCR.
 */
#include <sys/ioctl.h>

#include "mvrun.h"

#define COM1_BASE	0x3f8
#define COM1_LEN	8
#define COM1_IRQ	4
#define RX_FIFO		16

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
/* MSR with nothing attached: carrier, data set ready and clear to send. */
#define MSR_IDLE	0xb0

struct uart {
	struct vm *vm;
	uint8_t dll, dlm, ier, fcr, lcr, mcr, scr;
	bool thri;			/* a THRE interrupt is pending */
	bool irq;			/* the level last given to the irqchip */
	uint8_t rx[RX_FIFO];
	unsigned int rx_head, rx_len;
	pthread_cond_t rx_room;		/* signalled when the guest reads RBR */
};

static struct uart com1 = {
	.dll = 0x0c,	/* 9600 baud, as after reset */
	.rx_room = PTHREAD_COND_INITIALIZER,
};

/* The interrupt the UART reports now (IIR bits 3:0). */
static uint8_t uart_pending(const struct uart *u)
{
	if ((u->ier & IER_RDI) && u->rx_len)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thri)
		return IIR_THRI;
	return IIR_NO_INT;
}

static void uart_update_irq(struct uart *u)
{
	bool level = uart_pending(u) != IIR_NO_INT && (u->mcr & MCR_OUT2) &&
		     !(u->mcr & MCR_LOOP);
	struct mv_irq_level l = { .gsi = COM1_IRQ, .level = level };

	if (level == u->irq || !u->vm->irqchip)
		return;
	u->irq = level;
	if (ioctl(u->vm->fd, MV_IRQ_LINE, &l) && verbose)
		perror("mvrun: COM1: MV_IRQ_LINE");
}

static bool rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_len == RX_FIFO)
		return false;
	u->rx[(u->rx_head + u->rx_len++) % RX_FIFO] = c;
	return true;
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t c;

	if (!u->rx_len)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % RX_FIFO;
	u->rx_len--;
	pthread_cond_broadcast(&u->rx_room);
	return c;
}

static uint8_t uart_read(struct uart *u, uint16_t off)
{
	uint8_t v;

	switch (off) {
	case 0:
		return u->lcr & LCR_DLAB ? u->dll : rx_pop(u);
	case 1:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case 2:
		v = uart_pending(u);
		/* Reading IIR while it reports THRE clears that interrupt. */
		if (v == IIR_THRI)
			u->thri = false;
		return v | (u->fcr & FCR_ENABLE ? IIR_FIFO : 0);
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		return LSR_THRE | LSR_TEMT | (u->rx_len ? LSR_DR : 0);
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

static void uart_transmit(struct uart *u, uint8_t v)
{
	if (u->mcr & MCR_LOOP) {
		rx_push(u, v);
	} else {
		console_write(&v, 1);
		if (u->vm->linux_guest && !u->ier)
			lifecycle_console(u->vm, v);
	}
	/* Sent at once: the holding register is empty again. */
	u->thri = true;
}

static void uart_write(struct uart *u, uint16_t off, uint8_t v)
{
	switch (off) {
	case 0:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else
			uart_transmit(u, v);
		break;
	case 1:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* Enabling THRI with the holding register empty raises it. */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thri = true;
		u->ier = v & 0x0f;
		break;
	case 2:
		if (v & FCR_CLEAR_RX) {
			u->rx_len = 0;
			pthread_cond_broadcast(&u->rx_room);
		}
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
	uart_update_irq(dev->priv);
	return v;
}

static void serial_out(struct io_dev *dev, uint16_t off, int size, uint32_t v)
{
	int i;

	for (i = 0; i < size && off + i < COM1_LEN; i++)
		uart_write(dev->priv, off + i, v >> (8 * i));
	uart_update_irq(dev->priv);
}

void serial_receive(const uint8_t *buf, size_t len)
{
	struct uart *u = &com1;

	pthread_mutex_lock(&io_bus_lock);
	while (len) {
		while (len && rx_push(u, *buf)) {
			buf++;
			len--;
		}
		uart_update_irq(u);
		if (len)
			pthread_cond_wait(&u->rx_room, &io_bus_lock);
	}
	pthread_mutex_unlock(&io_bus_lock);
}

static struct io_dev serial_dev = {
	.name = "COM1", .base = COM1_BASE, .len = COM1_LEN,
	.in = serial_in, .out = serial_out, .priv = &com1,
};

int serial_init(struct vm *vm)
{
	com1.vm = vm;
	return io_register(&serial_dev);
}
