// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing shared by mvctl and the tests.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "mvnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct req_ctx {
	struct mvnl *nl;
	mvnl_reply_cb reply;
	void *arg;
	bool done;
	int err;
};

static const char *const cmd_names[] = {
	[MV_CMD_GET_INFO] = "get-info",
	[MV_CMD_GET_VM] = "get-vm",
	[MV_CMD_VM_PAUSE] = "vm-pause",
	[MV_CMD_VM_RESUME] = "vm-resume",
	[MV_CMD_VM_DESTROY] = "vm-destroy",
	[MV_CMD_EVENT_VM_CREATED] = "vm-created",
	[MV_CMD_EVENT_VM_DESTROYED] = "vm-destroyed",
	[MV_CMD_EVENT_VM_CRASHED] = "vm-crashed",
	[MV_CMD_GET_SHARE] = "get-share",
	[MV_CMD_SET_SHARE] = "set-share",
	[MV_CMD_VM_SET] = "vm-set",
	[MV_CMD_EVENT_SCAN_DONE] = "scan-done",
	[MV_CMD_EVENT_BALLOON_TARGET_REACHED] = "balloon-target-reached",
	[MV_CMD_GET_BALLOON] = "get-balloon",
	[MV_CMD_SET_BALLOON] = "set-balloon",
};

const char *mvnl_cmd_name(uint8_t cmd)
{
	if (cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) && cmd_names[cmd])
		return cmd_names[cmd];
	return "unknown";
}

static void set_err(struct mvnl *nl, int err, const char *fmt, const char *arg)
{
	nl->err = err;
	snprintf(nl->errmsg, sizeof(nl->errmsg), fmt, arg);
}

int mvnl_open(struct mvnl *nl)
{
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		set_err(nl, -ENOMEM, "%s", "out of memory");
		return nl->err;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		set_err(nl, -EIO, "cannot open a generic netlink socket: %s",
			nl_geterror(ret));
		goto err;
	}
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, MV_GENL_NAME);
	if (nl->family < 0) {
		if (nl->family == -NLE_OBJ_NOTFOUND)
			set_err(nl, -ENOENT, "%s",
				"the minivisor module is not loaded (load it with 'modprobe minivisor', or 'insmod minivisor.ko' from a build tree)");
		else
			set_err(nl, -EIO, "cannot resolve the minivisor netlink family: %s",
				nl_geterror(nl->family));
		goto err;
	}
	return 0;

err:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return nl->err;
}

void mvnl_close(struct mvnl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

int mvnl_subscribe_events(struct mvnl *nl)
{
	int grp, ret;

	grp = genl_ctrl_resolve_grp(nl->sk, MV_GENL_NAME, MV_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		set_err(nl, -ENOENT, "cannot resolve the events group: %s",
			nl_geterror(grp));
		return nl->err;
	}
	nl_socket_disable_seq_check(nl->sk);
	ret = nl_socket_add_membership(nl->sk, grp);
	if (ret < 0) {
		set_err(nl, -EIO, "cannot join the events group: %s",
			nl_geterror(ret));
		return nl->err;
	}
	return 0;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct req_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *attrs[MV_A_MAX + 1];
	int ret;

	ret = genlmsg_parse(nlh, 0, attrs, MV_A_MAX, NULL);
	if (ret < 0) {
		set_err(ctx->nl, -EPROTO, "malformed reply from the module: %s",
			nl_geterror(ret));
		ctx->err = ctx->nl->err;
		return NL_STOP;
	}
	if (ctx->reply) {
		ret = ctx->reply(attrs, gnlh->cmd, ctx->arg);
		if (ret) {
			ctx->err = ret;
			return NL_STOP;
		}
	}
	return NL_OK;
}

/* Pull the kernel's extack message, if any, out of an error message. */
static const char *extack_msg(struct nlmsgerr *e)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);
	int len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return NULL;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      len, NULL) < 0 || !tb[NLMSGERR_ATTR_MSG])
		return NULL;
	return nla_get_string(tb[NLMSGERR_ATTR_MSG]);
}

static int error_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct req_ctx *ctx = arg;
	const char *msg = extack_msg(e);
	struct mvnl *nl = ctx->nl;

	(void)who;
	ctx->err = e->error;
	nl->err = e->error;
	if (e->error == -EPERM)
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "permission denied%s%s: this needs CAP_NET_ADMIN (run as root)",
			 msg ? ": " : "", msg ? msg : "");
	else if (msg)
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", msg);
	else
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", strerror(-e->error));
	return NL_STOP;
}

static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct req_ctx *ctx = arg;

	(void)msg;
	ctx->done = true;
	return NL_STOP;
}

int mvnl_request(struct mvnl *nl, uint8_t cmd, bool dump,
		 mvnl_build_cb build, void *build_arg,
		 mvnl_reply_cb reply, void *reply_arg)
{
	struct req_ctx ctx = { .nl = nl, .reply = reply, .arg = reply_arg };
	struct nl_msg *msg;
	struct nl_cb *cb;
	int ret;

	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		set_err(nl, -ENOMEM, "%s", "out of memory");
		ret = nl->err;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 dump ? NLM_F_DUMP : NLM_F_ACK, cmd, MV_GENL_VERSION) ||
	    (build && build(msg, build_arg))) {
		set_err(nl, -EMSGSIZE, "%s", "request too large");
		ret = nl->err;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &ctx);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, &ctx);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, finish_cb, &ctx);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, &ctx);

	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		set_err(nl, -EIO, "cannot send to the module: %s", nl_geterror(ret));
		ret = nl->err;
		goto out;
	}
	while (!ctx.done && !ctx.err) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !ctx.err) {
			set_err(nl, -EIO, "netlink receive failed: %s",
				nl_geterror(ret));
			ctx.err = nl->err;
		}
	}
	ret = ctx.err;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

/* Events are unsolicited: they carry no sequence number of ours. */
static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int mvnl_listen(struct mvnl *nl, mvnl_reply_cb reply, void *arg)
{
	struct req_ctx ctx = { .nl = nl, .reply = reply, .arg = arg };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = 0;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, &ctx);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	while (!ctx.err) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0) {
			set_err(nl, -EIO, "netlink receive failed: %s",
				nl_geterror(ret));
			ctx.err = nl->err;
		}
	}
	nl_cb_put(cb);
	return ctx.err;
}
