// SPDX-License-Identifier: GPL-2.0
/*
 * Exit micro-benchmarks, 32-bit protected mode: GARGS->arg[0] iterations of
 * one exit kind, then UCALL_DONE.  The host times the whole run.
 */
#include "guest.h"

int guest_main(void)
{
	uint32_t n = GARGS->arg[0], i, a, b, c, d;

	switch (GARGS->test) {
	case B_PIO:
		for (i = 0; i < n; i++)
			outb(PORT_TEST, i);
		break;
	case B_CPUID:
		for (i = 0; i < n; i++)
			cpuid(0, 0, &a, &b, &c, &d);
		break;
	case B_HYPERCALL:
		for (i = 0; i < n; i++)
			vmmcall(MV_HC_PING, i, 0, 0, 0);
		break;
	default:
		return 0x7e;
	}
	GUEST_DONE();
	return 0;
}
