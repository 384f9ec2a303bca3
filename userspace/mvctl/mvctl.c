// SPDX-License-Identifier: GPL-2.0
/*
 * mvctl - observe and control minivisor VMs over generic netlink.
 *
 *   mvctl [-j] info
 *   mvctl [-j] vm [list | show ID | pause ID | resume ID | destroy ID]
 *   mvctl vm set ID domain N
 *   mvctl vm balloon ID SIZE
 *   mvctl [-j] balloon [show]
 *   mvctl balloon set [auto on|off] [tax PCT] [floor PCT] [free-target MB]
 *   mvctl [-j] share [show]
 *   mvctl share set [on|off] [pages N] [interval MS]
 *   mvctl share set domain N policy all|zero-only|off
 *   mvctl [-j] monitor
 *
 * Shaped like ip(8): options first, then an object and a command.  Every
 * command prints text, or JSON with -j.  Failures say what to do and exit
 * non-zero: 1 for a failed operation, 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvctl.h"

struct mvnl nl;

static void usage(FILE *f)
{
	fputs("Usage: mvctl [OPTIONS] OBJECT COMMAND [ARGS]\n"
	      "\n"
	      "Objects and commands:\n"
	      "  info                      module version, backend, CPU features, VM count\n"
	      "  vm list                   every VM on this machine (the default 'vm' command)\n"
	      "  vm show ID                one VM in detail, with its exits by reason\n"
	      "  vm pause ID               stop running the VM's vCPUs (needs CAP_NET_ADMIN)\n"
	      "  vm resume ID              let them run again (needs CAP_NET_ADMIN)\n"
	      "  vm destroy ID             destroy the VM now (needs CAP_NET_ADMIN)\n"
	      "  vm set ID domain N        move the VM to page-sharing domain N (needs CAP_NET_ADMIN)\n"
	      "  vm balloon ID SIZE        the memory the guest should keep: 256M, 1G, -64M, +64M,\n"
	      "                            full; its balloon gives back the rest (needs CAP_NET_ADMIN)\n"
	      "  share [show]              what page sharing saves, its counters and settings\n"
	      "  share set on|off          start or stop the sharing scanner (needs CAP_NET_ADMIN)\n"
	      "  share set pages N interval MS\n"
	      "                            scan N guest pages every MS milliseconds\n"
	      "  share set domain N policy all|zero-only|off\n"
	      "                            what VMs in domain N may share\n"
	      "  balloon [show]            the host-pressure policy: settings and what it did\n"
	      "  balloon set [auto on|off] [tax PCT] [floor PCT] [free-target MB]\n"
	      "                            balloon idle VMs when the host is short of memory\n"
	      "  monitor                   print VM, scanner and balloon events as they happen\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json                print JSON instead of text\n"
	      "  -h, --help                show this help\n"
	      "  -V, --version             show mvctl's version\n"
	      "\n"
	      "See mvctl(8) for details.\n", f);
}

int mvctl_usage_error(const char *fmt, const char *word)
{
	fprintf(stderr, "mvctl: ");
	fprintf(stderr, fmt, word);
	fprintf(stderr, "; try 'mvctl --help'\n");
	return 2;
}

int mvctl_fail(void)
{
	fprintf(stderr, "mvctl: %s\n", nl.errmsg);
	return 1;
}

int mvctl_connect(void)
{
	if (mvnl_open(&nl))
		return mvctl_fail();
	return 0;
}

static const struct mvctl_cmd objects[] = {
	{ "info", cmd_info },
	{ "vm", cmd_vm },
	{ "share", cmd_share },
	{ "balloon", cmd_balloon },
	{ "monitor", cmd_monitor },
	{ NULL, NULL },
};

int mvctl_dispatch(const struct mvctl_cmd *table, const char *what,
		   int argc, char **argv)
{
	const struct mvctl_cmd *c;

	for (c = table; c->name; c++)
		if (!strcmp(c->name, argv[0]))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "mvctl: unknown %s '%s'; try 'mvctl --help'\n",
		what, argv[0]);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mvctl %s (minivisor API %d)\n", MV_TOOLS_VERSION,
			       MV_API_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	out_init(json);
	ret = mvctl_dispatch(objects, "object", argc, argv);
	mvnl_close(&nl);
	return ret;
}
