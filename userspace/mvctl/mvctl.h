/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MV_MVCTL_H
#define MV_MVCTL_H

#include "mvnl.h"
#include "out.h"
#include "parse.h"

struct mvctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

extern struct mvnl nl;

int mvctl_connect(void);
int mvctl_fail(void);
int mvctl_usage_error(const char *fmt, const char *word);
int mvctl_dispatch(const struct mvctl_cmd *table, const char *what,
		   int argc, char **argv);

int cmd_info(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_share(int argc, char **argv);
int cmd_balloon(int argc, char **argv);

void mvctl_print_scan_event(struct nlattr **a);

#endif
