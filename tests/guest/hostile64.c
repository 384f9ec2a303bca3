// SPDX-License-Identifier: GPL-2.0
/* Hostile-guest tests, long-mode build. */
#include "hostile.inc.c"
