// SPDX-License-Identifier: GPL-2.0
/*
 * The "minivisor" generic netlink family: the control plane.
 *
 * Policies are strict: the core rejects unknown attributes, attributes a
 * command does not take, and malformed values, with an extack message.
 * Our own refusals set one too.
 */
#include <net/genetlink.h>

#include "minivisor.h"

static struct genl_family mv_genl_family;

static const struct nla_policy mv_vm_get_policy[MV_A_MAX + 1] = {
	[MV_A_VM_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static int mv_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mv_genl_family, 0, MV_CMD_GET_INFO);
	if (!hdr)
		goto err_size;
	if (nla_put_string(msg, MV_A_MODULE_VERSION, MV_VERSION) ||
	    nla_put_u32(msg, MV_A_API_VERSION, MV_API_VERSION) ||
	    nla_put_u32(msg, MV_A_BACKEND, mv_hw.backend) ||
	    nla_put_u64_64bit(msg, MV_A_FEATURES, mv_hw.features, MV_A_UNSPEC) ||
	    nla_put_u32(msg, MV_A_NR_ASIDS, mv_hw.nr_asids) ||
	    nla_put_u32(msg, MV_A_NR_VMS, mv_vm_count()) ||
	    nla_put_u32(msg, MV_A_MAX_VMS, mv_max_vms))
		goto err_size;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_size:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int mv_nl_get_vm_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, MV_A_VM_ID))
		return -EINVAL;
	NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MV_A_VM_ID],
			    "no VM with this ID (see 'mvctl vm list')");
	return -ENOENT;
}

static int mv_nl_get_vm_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return 0;
}

static const struct genl_ops mv_genl_ops[] = {
	{
		.cmd = MV_CMD_GET_INFO,
		.doit = mv_nl_get_info,
	},
	{
		.cmd = MV_CMD_GET_VM,
		.doit = mv_nl_get_vm_doit,
		.dumpit = mv_nl_get_vm_dumpit,
		.policy = mv_vm_get_policy,
		.maxattr = MV_A_MAX,
	},
};

static const struct genl_multicast_group mv_genl_mcgrps[] = {
	{ .name = MV_GENL_MCGRP_EVENTS },
};

static struct genl_family mv_genl_family __ro_after_init = {
	.name = MV_GENL_NAME,
	.version = MV_GENL_VERSION,
	.maxattr = MV_A_MAX,
	.module = THIS_MODULE,
	.ops = mv_genl_ops,
	.n_ops = ARRAY_SIZE(mv_genl_ops),
	.mcgrps = mv_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(mv_genl_mcgrps),
};

int __init mv_netlink_init(void)
{
	return genl_register_family(&mv_genl_family);
}

void mv_netlink_exit(void)
{
	genl_unregister_family(&mv_genl_family);
}
