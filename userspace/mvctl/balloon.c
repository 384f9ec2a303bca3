// SPDX-License-Identifier: GPL-2.0
/*
 * mvctl balloon: the host-pressure policy, which balloons idle VMs when
 * the host runs short of memory.
 *
 *   mvctl balloon [show]
 *   mvctl balloon set [auto on|off] [tax PCT] [floor PCT] [free-target MB]
 *
 * Per-VM targets are set with 'mvctl vm balloon ID SIZE' (vm.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mvctl.h"

static int balloon_reply(struct nlattr **a, uint8_t cmd, void *arg)
{
	uint64_t free_mb = mvnl_u32(a, MV_A_BALLOON_FREE_TARGET_MB);

	(void)cmd;
	(void)arg;
	out_obj_begin(NULL);
	out_bool("auto", "pressure policy: %s",
		 a[MV_A_BALLOON_AUTO] && nla_get_u8(a[MV_A_BALLOON_AUTO]));
	out_u64("tax_pct", ", idle memory tax %" PRIu64 "%%",
		mvnl_u32(a, MV_A_BALLOON_TAX_PCT));
	out_u64("floor_pct", ", floor %" PRIu64 "%% of each VM",
		mvnl_u32(a, MV_A_BALLOON_FLOOR_PCT));
	out_u64("free_target_mb", NULL, free_mb);
	if (free_mb)
		out_text(", keeps %" PRIu64 " MiB free\n", free_mb);
	else
		out_text(", keeps 5%% of RAM free\n");
	out_bool("pressure", "  pressure now: %s\n",
		 a[MV_A_BALLOON_PRESSURE] && nla_get_u8(a[MV_A_BALLOON_PRESSURE]));
	out_u64("reclaimed_pages", "  asked of guests now: %" PRIu64 " pages",
		mvnl_u64(a, MV_A_BALLOON_RECLAIMED));
	out_text(" (%.1f MiB)\n", mvnl_u64(a, MV_A_BALLOON_RECLAIMED) * 4096.0 / 1048576);
	out_u64("raises", "  raised targets %" PRIu64 " times",
		mvnl_u64(a, MV_A_BALLOON_RAISES));
	out_u64("releases", ", lowered them %" PRIu64 " times",
		mvnl_u64(a, MV_A_BALLOON_RELEASES));
	out_u64("shrinker_calls", "; the kernel's reclaim called it %" PRIu64 " times\n",
		mvnl_u64(a, MV_A_BALLOON_SHRINKER_CALLS));
	out_obj_end();
	out_flush();
	return 0;
}

static int balloon_show(int argc, char **argv)
{
	if (argc > 0)
		return mvctl_usage_error("'balloon show' takes no arguments, got '%s'",
					 argv[0]);
	if (mvctl_connect())
		return 1;
	if (mvnl_request(&nl, MV_CMD_GET_BALLOON, false, NULL, NULL,
			 balloon_reply, NULL))
		return mvctl_fail();
	return 0;
}

struct balloon_set {
	int autom;		/* -1: unchanged */
	int64_t tax, floor, free_mb;	/* -1: unchanged */
};

static int build_set(struct nl_msg *msg, void *arg)
{
	struct balloon_set *s = arg;

	if (s->autom >= 0 && nla_put_u8(msg, MV_A_BALLOON_AUTO, s->autom))
		return -1;
	if (s->tax >= 0 && nla_put_u32(msg, MV_A_BALLOON_TAX_PCT, s->tax))
		return -1;
	if (s->floor >= 0 && nla_put_u32(msg, MV_A_BALLOON_FLOOR_PCT, s->floor))
		return -1;
	if (s->free_mb >= 0 &&
	    nla_put_u32(msg, MV_A_BALLOON_FREE_TARGET_MB, s->free_mb))
		return -1;
	return 0;
}

static int balloon_set(int argc, char **argv)
{
	struct balloon_set s = { -1, -1, -1, -1 };
	uint32_t v;
	int i;

	if (!argc) {
		fprintf(stderr, "mvctl: 'balloon set' needs something to set: auto on|off, tax PCT, floor PCT or free-target MB\n");
		return 2;
	}
	for (i = 0; i < argc; i += 2) {
		const char *w = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "auto")) {
			if (!val || (strcmp(val, "on") && strcmp(val, "off"))) {
				fprintf(stderr, "mvctl: 'auto' needs on or off\n");
				return 2;
			}
			s.autom = !strcmp(val, "on");
		} else if (!strcmp(w, "tax")) {
			if (!val || mv_parse_u32(val, 0, 99, &v)) {
				fprintf(stderr, "mvctl: 'tax' needs a percentage, 0 to 99\n");
				return 2;
			}
			s.tax = v;
		} else if (!strcmp(w, "floor")) {
			if (!val || mv_parse_u32(val, 0, 100, &v)) {
				fprintf(stderr, "mvctl: 'floor' needs a percentage of each VM's memory, 0 to 100\n");
				return 2;
			}
			s.floor = v;
		} else if (!strcmp(w, "free-target")) {
			if (!val || mv_parse_u32(val, 0, UINT32_MAX, &v)) {
				fprintf(stderr, "mvctl: 'free-target' needs MiB of host memory to keep free (0: 5%% of RAM)\n");
				return 2;
			}
			s.free_mb = v;
		} else {
			return mvctl_usage_error("unknown 'balloon set' argument '%s'", w);
		}
	}
	if (mvctl_connect())
		return 1;
	if (mvnl_request(&nl, MV_CMD_SET_BALLOON, false, build_set, &s, NULL, NULL))
		return mvctl_fail();
	return 0;
}

static const struct mvctl_cmd balloon_cmds[] = {
	{ "show", balloon_show },
	{ "set", balloon_set },
	{ NULL, NULL },
};

int cmd_balloon(int argc, char **argv)
{
	if (argc < 1)
		return balloon_show(0, argv);
	return mvctl_dispatch(balloon_cmds, "'balloon' command", argc, argv);
}
