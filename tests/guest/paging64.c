// SPDX-License-Identifier: GPL-2.0
/* Paging tests, long-mode build. */
#include "paging.inc.c"
