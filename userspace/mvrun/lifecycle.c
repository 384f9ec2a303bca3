// SPDX-License-Identifier: GPL-2.0
/*
 * How a guest's life ends, and the exit status mvrun gives it:
 *
 *   poweroff  0   Linux booted with acpi=off has no way to switch the
 *                 machine off: its poweroff becomes a halt
 *                 (kernel/reboot.c: "if (cmd == LINUX_REBOOT_CMD_POWER_OFF
 *                 && !kernel_can_power_off()) cmd = LINUX_REBOOT_CMD_HALT"),
 *                 which prints "reboot: System halted" and stops every CPU
 *                 with interrupts off (stop_this_cpu).  mvrun takes that
 *                 message, or "reboot: Power down", from the kernel's
 *                 console as the end: by then the kernel has shut its
 *                 devices down and nothing more can happen.
 *   reboot    70  the CPU reset line: the i8042's (reboot=k, i8042.c)
 *   panic     74  the kernel said "Kernel panic - not syncing" on its
 *                 console, then reset the machine (panic=-1, the
 *                 default here) or printed "---[ end Kernel panic" (panic=0
 *                 leaves it spinning: mvrun ends it there)
 *
 * Only the kernel's own console output counts (serial.c passes on what
 * is written to COM1 while its interrupts are off, as Linux's console
 * code writes, never the tty's output), so a program printing these
 * words ends nothing.  A kernel whose console is not ttyS0, or that is
 * told to print nothing (loglevel=0), halts without mvrun noticing: the
 * VM then idles until Ctrl-A x or a signal ends it.
 */
#include <string.h>

#include "mvrun.h"

#define LINE_MAX_LEN	256

static char line[LINE_MAX_LEN];
static size_t line_len;
static bool panicked;

static void check_line(struct vm *vm)
{
	line[line_len] = 0;
	if (strstr(line, "---[ end Kernel panic - not syncing")) {
		vm_stop(vm, EXIT_PANIC);
	} else if (strstr(line, "Kernel panic - not syncing")) {
		panicked = true;
	} else if (strstr(line, "reboot: System halted") ||
		   strstr(line, "reboot: Power down")) {
		if (verbose)
			fprintf(stderr, "mvrun: the guest's kernel halted: powered off\n");
		vm_stop(vm, 0);
	}
}

void lifecycle_console(struct vm *vm, uint8_t c)
{
	if (c == '\n' || c == '\r') {
		if (line_len)
			check_line(vm);
		line_len = 0;
		return;
	}
	if (line_len < LINE_MAX_LEN - 1)
		line[line_len++] = c;
}

void lifecycle_reset(struct vm *vm)
{
	if (panicked) {
		fprintf(stderr, "mvrun: the guest's kernel panicked\n");
		vm_stop(vm, EXIT_PANIC);
		return;
	}
	if (verbose)
		fprintf(stderr, "mvrun: the guest reset the machine: rebooted\n");
	vm_stop(vm, EXIT_REBOOT);
}
