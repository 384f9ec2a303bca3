// SPDX-License-Identifier: GPL-2.0
/*
 * The trace events of trace.h, instantiated once.  The calls sit where
 * things happen (vcpu.c, exit.c, emulate.c, fault.c, mmu.c, share.c,
 * balloon.c, pressure.c, hypercall.c); README "Tracing" lists them.
 */
#include "minivisor.h"
#include "mmu.h"

#define CREATE_TRACE_POINTS
#include "trace.h"
