// SPDX-License-Identifier: GPL-2.0
/* Hostile-guest tests, 32-bit build. */
#include "hostile.inc.c"
