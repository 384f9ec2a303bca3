// SPDX-License-Identifier: GPL-2.0
/* Paging tests, 32-bit build: two-level and PAE. */
#include "paging.inc.c"
