// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of the guest's console (COM1, serial.c).
 *
 * Output: what the guest transmits goes to stdout as it comes.
 *
 * Input, by what stdin is:
 *   - the terminal mvrun runs in the foreground of: raw mode (no line
 *     editing, no echo, no signals: Ctrl-C and Ctrl-Z go to the guest;
 *     output processing stays on, so mvrun's own messages keep their line
 *     breaks), with an escape, Ctrl-A, as QEMU and screen have it:
 *       Ctrl-A x       quit: mvrun ends with status 130 (as after Ctrl-C)
 *       Ctrl-A Ctrl-A  send a Ctrl-A to the guest
 *       Ctrl-A h       this help (on stderr)
 *     (anything else after Ctrl-A is dropped).  The terminal is restored
 *     on every way out: at exit (atexit), on a fatal signal (the handler
 *     restores it, then dies of the signal), and while mvrun is stopped
 *     (SIGTSTP restores it, SIGCONT puts raw mode back);
 *   - a pipe or a file: read as it is, no escape (a 0x01 byte is data);
 *     at its end the guest simply gets nothing more;
 *   - a terminal mvrun does not own (in the background, or with no
 *     controlling terminal): not read at all, so mvrun is never stopped
 *     by SIGTTIN and never changes another program's terminal.
 *
 * A thread reads stdin and hands the bytes to the UART, waiting while its
 * FIFO is full.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "mvrun.h"

#define ESCAPE_CHAR	0x01	/* Ctrl-A */

static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;
static struct termios saved_termios;
static volatile sig_atomic_t raw_on;	/* the terminal is in raw mode now */
static volatile sig_atomic_t owned;	/* we put it there and owe it back */
static bool escape_pending;

void console_write(const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&output_lock);
	fwrite(buf, 1, len, stdout);
	fflush(stdout);
	pthread_mutex_unlock(&output_lock);
}

void console_restore(void)
{
	if (raw_on) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
		raw_on = 0;
	}
}

static void console_raw(void)
{
	struct termios t = saved_termios;

	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t))
		raw_on = 1;
}

static void on_fatal(int sig)
{
	console_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_tstp(int sig)
{
	(void)sig;
	console_restore();
	raise(SIGSTOP);
}

static void on_cont(int sig)
{
	(void)sig;
	if (owned && !raw_on && tcgetpgrp(STDIN_FILENO) == getpgrp())
		console_raw();
}

static void install_handlers(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT };
	struct sigaction sa = { .sa_handler = on_fatal };
	size_t i;

	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	sa.sa_handler = on_tstp;
	sigaction(SIGTSTP, &sa, NULL);
	sa.sa_handler = on_cont;
	sigaction(SIGCONT, &sa, NULL);
}

static void escape_help(void)
{
	fputs("\nmvrun console escapes:\n"
	      "  Ctrl-A x       quit (status 130)\n"
	      "  Ctrl-A Ctrl-A  send Ctrl-A to the guest\n"
	      "  Ctrl-A h       this help\n", stderr);
}

/* Takes the escapes out of @in; what is left for the guest goes to @out. */
static size_t unescape(struct vm *vm, const uint8_t *in, size_t n, uint8_t *out)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		if (!escape_pending) {
			if (in[i] == ESCAPE_CHAR)
				escape_pending = true;
			else
				out[m++] = in[i];
			continue;
		}
		escape_pending = false;
		switch (in[i]) {
		case 'x': case 'X':
			fputs("\nmvrun: Ctrl-A x: quitting\n", stderr);
			vm_stop(vm, EXIT_QUIT);
			return m;
		case ESCAPE_CHAR:
			out[m++] = ESCAPE_CHAR;
			break;
		case 'h': case 'H': case '?':
			escape_help();
			break;
		}
	}
	return m;
}

static void *console_thread(void *arg)
{
	struct vm *vm = arg;
	uint8_t in[256], out[256];
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	ssize_t n;
	size_t m;

	while (!vm_stopping(vm)) {
		n = read(STDIN_FILENO, in, sizeof(in));
		if (n < 0 && errno == EAGAIN) {
			poll(&p, 1, -1);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* the end of the input, or a hangup */
		m = owned ? unescape(vm, in, n, out) : (memcpy(out, in, n), (size_t)n);
		if (m)
			serial_receive(out, m);
	}
	return NULL;
}

int console_start(struct vm *vm)
{
	pthread_t t;

	if (isatty(STDIN_FILENO)) {
		if (tcgetpgrp(STDIN_FILENO) != getpgrp() ||
		    tcgetattr(STDIN_FILENO, &saved_termios)) {
			if (verbose)
				fprintf(stderr, "mvrun: stdin is a terminal mvrun does not own (background, or not its controlling terminal): the guest's console takes no input\n");
			return 0;
		}
		owned = 1;
		install_handlers();
		atexit(console_restore);
		console_raw();
		if (verbose)
			fprintf(stderr, "mvrun: the console is in raw mode; Ctrl-A x quits, Ctrl-A h helps\n");
	}
	errno = pthread_create(&t, NULL, console_thread, vm);
	if (errno) {
		perror("mvrun: cannot start the console thread");
		console_restore();
		return -1;
	}
	pthread_detach(t);
	return 0;
}
