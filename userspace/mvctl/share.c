// SPDX-License-Identifier: GPL-2.0
/*
 * mvctl share: what content-based page sharing saves, and its settings.
 *
 *   mvctl share [show]
 *   mvctl share set [on|off] [pages N] [interval MS]
 *   mvctl share set domain ID policy all|zero-only|off
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvctl.h"

static const char *const policy_names[] = {
	[MV_SHARE_ALL] = "all",
	[MV_SHARE_ZERO_ONLY] = "zero-only",
	[MV_SHARE_OFF] = "off",
};

static const char *mvctl_policy_name(uint32_t p)
{
	return p <= MV_SHARE_OFF ? policy_names[p] : "unknown";
}

static double mib(uint64_t pages)
{
	return pages * 4096.0 / (1024 * 1024);
}

/* Savings as a share of the guest memory in use. */
static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0.0;
}

static void print_domains(struct nlattr *all)
{
	struct nlattr *d;
	int rem, n = 0;

	out_arr_begin("domains");
	out_text("  domains:     ");
	if (all) {
		nla_for_each_nested(d, all, rem) {
			struct nlattr *t[MV_A_MAX + 1];

			if (nla_parse_nested(t, MV_A_MAX, d, NULL) < 0 ||
			    !t[MV_A_SHARE_DOMAIN_ID] || !t[MV_A_SHARE_DOMAIN_POLICY])
				continue;
			out_obj_begin(NULL);
			out_u64("id", n ? ", %" PRIu64 : "%" PRIu64,
				nla_get_u32(t[MV_A_SHARE_DOMAIN_ID]));
			out_str("policy", " %s",
				mvctl_policy_name(nla_get_u32(t[MV_A_SHARE_DOMAIN_POLICY])));
			out_obj_end();
			n++;
		}
	}
	out_arr_end();
	out_text(n ? " (every other domain: all)\n" :
		     "every domain shares all identical pages\n");
}

/* For mvctl monitor: a scan-done event. */
void mvctl_print_scan_event(struct nlattr **a)
{
	uint64_t guest = mvnl_u64(a, MV_A_SHARE_GUEST_PAGES);
	uint64_t saved = mvnl_u64(a, MV_A_SHARE_SAVED);

	out_obj_begin(NULL);
	out_str("event", "%s", "scan-done");
	out_u64("full_scans", " full-scans %" PRIu64,
		mvnl_u64(a, MV_A_SHARE_FULL_SCANS));
	out_u64("saved_pages", " saved %" PRIu64 " pages", saved);
	out_f64("saved_mib", " (%.1f MiB", mib(saved));
	out_f64("saved_pct", ", %.1f%%)", pct(saved, guest));
	out_u64("guest_pages", " guest %" PRIu64, guest);
	out_u64("host_pages", " host %" PRIu64, mvnl_u64(a, MV_A_SHARE_HOST_PAGES));
	out_u64("frames", " frames %" PRIu64, mvnl_u64(a, MV_A_SHARE_FRAMES));
	out_u64("sharing", " sharing %" PRIu64, mvnl_u64(a, MV_A_SHARE_SHARING));
	out_u64("zero", " zero %" PRIu64 "\n", mvnl_u64(a, MV_A_SHARE_ZERO));
	out_obj_end();
	out_flush();
}

static void print_share(struct nlattr **a)
{
	uint64_t guest = mvnl_u64(a, MV_A_SHARE_GUEST_PAGES);
	uint64_t host = mvnl_u64(a, MV_A_SHARE_HOST_PAGES);
	uint64_t saved = mvnl_u64(a, MV_A_SHARE_SAVED);
	uint64_t scanned = mvnl_u64(a, MV_A_SHARE_SCANNED);
	uint64_t cpu = mvnl_u64(a, MV_A_SHARE_CPU_NS);

	out_obj_begin(NULL);
	out_bool("enabled", "page sharing: %s",
		 a[MV_A_SHARE_ENABLED] && nla_get_u8(a[MV_A_SHARE_ENABLED]));
	out_u64("scan_pages", ", scanning %" PRIu64 " pages",
		mvnl_u32(a, MV_A_SHARE_SCAN_PAGES));
	out_u64("scan_interval_ms", " every %" PRIu64 " ms\n",
		mvnl_u32(a, MV_A_SHARE_SCAN_INTERVAL_MS));
	out_u64("guest_pages", "  guest:       %" PRIu64 " pages", guest);
	out_f64("guest_mib", " (%.1f MiB) of guest memory in use\n", mib(guest));
	out_u64("host_pages", "  host:        %" PRIu64 " pages", host);
	out_f64("host_mib", " (%.1f MiB) hold it\n", mib(host));
	out_u64("saved_pages", "  saved:       %" PRIu64 " pages", saved);
	out_f64("saved_mib", " (%.1f MiB", mib(saved));
	out_f64("saved_pct", ", %.1f%% of guest memory in use)\n", pct(saved, guest));
	out_u64("frames", "  shared:      %" PRIu64 " frames", mvnl_u64(a, MV_A_SHARE_FRAMES));
	out_u64("sharing", " mapped by %" PRIu64 " guest pages", mvnl_u64(a, MV_A_SHARE_SHARING));
	out_u64("zero", ", %" PRIu64 " guest pages on the zero page\n",
		mvnl_u64(a, MV_A_SHARE_ZERO));
	out_u64("merges", "  merges:      %" PRIu64, mvnl_u64(a, MV_A_SHARE_MERGES));
	out_u64("zero_merges", ", %" PRIu64 " zero-page merges",
		mvnl_u64(a, MV_A_SHARE_ZERO_MERGES));
	out_u64("cow_breaks", ", %" PRIu64 " copy-on-write breaks\n",
		mvnl_u64(a, MV_A_SHARE_COW_BREAKS));
	out_u64("unshared", "  candidates:  %" PRIu64 " unshared (hints)",
		mvnl_u64(a, MV_A_SHARE_UNSHARED));
	out_u64("volatile", ", %" PRIu64 " found volatile",
		mvnl_u64(a, MV_A_SHARE_VOLATILE));
	out_u64("collisions", ", %" PRIu64 " hash collisions\n",
		mvnl_u64(a, MV_A_SHARE_COLLISIONS));
	out_u64("full_scans", "  scanner:     %" PRIu64 " full scans",
		mvnl_u64(a, MV_A_SHARE_FULL_SCANS));
	out_u64("scanned", ", %" PRIu64 " pages scanned", scanned);
	out_u64("cpu_ns", NULL, cpu);
	out_f64("cpu_ms", ", %.1f ms CPU", cpu / 1e6);
	out_f64("ns_per_page", " (%.0f ns per page)\n", scanned ? (double)cpu / scanned : 0);
	print_domains(a[MV_A_SHARE_DOMAINS]);
	out_obj_end();
	out_flush();
}

static int share_reply(struct nlattr **a, uint8_t cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	print_share(a);
	return 0;
}

static int share_show(int argc, char **argv)
{
	if (argc > 0)
		return mvctl_usage_error("'share show' takes no arguments, got '%s'",
					 argv[0]);
	if (mvctl_connect())
		return 1;
	if (mvnl_request(&nl, MV_CMD_GET_SHARE, false, NULL, NULL,
			 share_reply, NULL))
		return mvctl_fail();
	return 0;
}

struct share_set {
	int enabled;		/* -1: unchanged */
	uint32_t pages, interval_ms;
	bool has_domain;
	uint32_t domain, policy;
};

static int build_set(struct nl_msg *msg, void *arg)
{
	struct share_set *s = arg;

	if (s->enabled >= 0 && nla_put_u8(msg, MV_A_SHARE_ENABLED, s->enabled))
		return -1;
	if (s->pages && nla_put_u32(msg, MV_A_SHARE_SCAN_PAGES, s->pages))
		return -1;
	if (s->interval_ms &&
	    nla_put_u32(msg, MV_A_SHARE_SCAN_INTERVAL_MS, s->interval_ms))
		return -1;
	if (s->has_domain &&
	    (nla_put_u32(msg, MV_A_SHARE_DOMAIN_ID, s->domain) ||
	     nla_put_u32(msg, MV_A_SHARE_DOMAIN_POLICY, s->policy)))
		return -1;
	return 0;
}

static int parse_policy(const char *s, uint32_t *p)
{
	uint32_t i;

	for (i = 0; i <= MV_SHARE_OFF; i++) {
		if (!strcmp(s, policy_names[i])) {
			*p = i;
			return 0;
		}
	}
	return -1;
}

static int share_set(int argc, char **argv)
{
	struct share_set s = { .enabled = -1 };
	int i;

	if (!argc) {
		fprintf(stderr, "mvctl: 'share set' needs something to set: on, off, pages N, interval MS, or domain ID policy all|zero-only|off\n");
		return 2;
	}
	for (i = 0; i < argc; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "on") || !strcmp(w, "off")) {
			s.enabled = !strcmp(w, "on");
		} else if (!strcmp(w, "pages")) {
			if (!v || mv_parse_u32(v, 1, MV_SHARE_MAX_SCAN_PAGES, &s.pages)) {
				fprintf(stderr, "mvctl: 'pages' needs a number of pages per pass, 1 to %u\n",
					MV_SHARE_MAX_SCAN_PAGES);
				return 2;
			}
			i++;
		} else if (!strcmp(w, "interval")) {
			if (!v || mv_parse_u32(v, 1, MV_SHARE_MAX_INTERVAL_MS,
						  &s.interval_ms)) {
				fprintf(stderr, "mvctl: 'interval' needs milliseconds between passes, 1 to %u\n",
					MV_SHARE_MAX_INTERVAL_MS);
				return 2;
			}
			i++;
		} else if (!strcmp(w, "domain")) {
			if (!v || mv_parse_u32(v, 0, UINT32_MAX, &s.domain)) {
				fprintf(stderr, "mvctl: 'domain' needs a domain number (0 is the default domain)\n");
				return 2;
			}
			if (i + 3 >= argc || strcmp(argv[i + 2], "policy") ||
			    parse_policy(argv[i + 3], &s.policy)) {
				fprintf(stderr, "mvctl: 'domain %s' needs 'policy all', 'policy zero-only' or 'policy off'\n",
					v);
				return 2;
			}
			s.has_domain = true;
			i += 3;
		} else {
			return mvctl_usage_error("unknown 'share set' argument '%s'", w);
		}
	}
	if (mvctl_connect())
		return 1;
	if (mvnl_request(&nl, MV_CMD_SET_SHARE, false, build_set, &s, NULL, NULL))
		return mvctl_fail();
	return 0;
}

static const struct mvctl_cmd share_cmds[] = {
	{ "show", share_show },
	{ "set", share_set },
	{ NULL, NULL },
};

int cmd_share(int argc, char **argv)
{
	if (argc < 1)
		return share_show(0, argv);
	return mvctl_dispatch(share_cmds, "'share' command", argc, argv);
}
