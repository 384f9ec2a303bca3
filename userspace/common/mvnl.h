/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A thin layer over libnl-genl-3 for the "minivisor" family: connect,
 * resolve, send a request and collect replies, and turn every failure into
 * a sentence a user can act on (kernel extack messages included).
 */
#ifndef MV_MVNL_H
#define MV_MVNL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/genl/genl.h>
#include <linux/minivisor.h>

struct mvnl {
	struct nl_sock *sk;
	int family;
	/* filled on failure: errno-style code and a message for the user */
	int err;
	char errmsg[512];
};

/* Called once per reply message with its parsed top-level attributes. */
typedef int (*mvnl_reply_cb)(struct nlattr **attrs, uint8_t cmd, void *arg);
/* Adds request attributes; return non-zero on failure. */
typedef int (*mvnl_build_cb)(struct nl_msg *msg, void *arg);

/* Returns 0, or -errno with nl->errmsg explaining (module not loaded ...). */
int mvnl_open(struct mvnl *nl);
void mvnl_close(struct mvnl *nl);
/* Subscribe to the events group; returns 0 or -errno. */
int mvnl_subscribe_events(struct mvnl *nl);

/*
 * Send @cmd (NLM_F_DUMP when @dump) and wait for every reply.  Returns 0 or
 * -errno; on failure nl->errmsg holds what went wrong, with the kernel's
 * extack message when it sent one.
 */
int mvnl_request(struct mvnl *nl, uint8_t cmd, bool dump,
		 mvnl_build_cb build, void *build_arg,
		 mvnl_reply_cb reply, void *reply_arg);

/* Receive event messages forever, calling @cb for each; returns -errno. */
int mvnl_listen(struct mvnl *nl, mvnl_reply_cb cb, void *arg);

/* An attribute's value, or 0 when the kernel did not send it. */
static inline uint64_t mvnl_u64(struct nlattr **a, int type)
{
	return a[type] ? nla_get_u64(a[type]) : 0;
}

static inline uint32_t mvnl_u32(struct nlattr **a, int type)
{
	return a[type] ? nla_get_u32(a[type]) : 0;
}

/* Human name of an MV_CMD_* value, for messages and monitor output. */
const char *mvnl_cmd_name(uint8_t cmd);

#endif
