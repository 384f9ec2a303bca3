// SPDX-License-Identifier: GPL-2.0
/*
 * mvctl vm: list, show and control VMs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mvctl.h"

struct list_ctx {
	unsigned int n;
};

static int vm_list_reply(struct nlattr **a, uint8_t cmd, void *arg)
{
	struct list_ctx *ctx = arg;

	(void)cmd;
	if (!ctx->n++)
		out_text("%-6s\n", "ID");
	out_obj_begin(NULL);
	out_u64("id", "%-6" PRIu64 "\n",
		a[MV_A_VM_ID] ? nla_get_u32(a[MV_A_VM_ID]) : 0);
	out_obj_end();
	return 0;
}

static int vm_list(int argc, char **argv)
{
	struct list_ctx ctx = { 0 };

	if (argc > 0)
		return mvctl_usage_error("'vm list' takes no arguments, got '%s'",
					 argv[0]);
	if (mvctl_connect())
		return 1;
	out_arr_begin(NULL);
	if (mvnl_request(&nl, MV_CMD_GET_VM, true, NULL, NULL,
			 vm_list_reply, &ctx))
		return mvctl_fail();
	out_arr_end();
	if (!ctx.n)
		out_text("no VMs\n");
	out_flush();
	return 0;
}

static const struct mvctl_cmd vm_cmds[] = {
	{ "list", vm_list },
	{ NULL, NULL },
};

int cmd_vm(int argc, char **argv)
{
	if (argc < 1)
		return vm_list(0, argv);
	return mvctl_dispatch(vm_cmds, "'vm' command", argc, argv);
}
