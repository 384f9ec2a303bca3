// SPDX-License-Identifier: GPL-2.0
/*
 * The "minivisor" generic netlink family: the control plane.
 *
 * Policies are exact and strict: each command has its own, which validates
 * the attributes it takes and refuses every other one by name (NLA_REJECT
 * with a message saying what the command takes; the extack offset points
 * at the attribute).  The core refuses unknown attribute types and
 * malformed values.  Our own refusals carry an extack message too.
 * Commands that change a VM need CAP_NET_ADMIN (GENL_ADMIN_PERM).
 */
#include <net/genetlink.h>

#include "minivisor.h"

static struct genl_family mv_genl_family;

/*
 * Exact policies: every attribute a command does not take is an NLA_REJECT
 * entry whose message says what the command does take.  The ranges of
 * refused attributes fill the gaps between the attributes it takes.
 */
#define MV_NL_REFUSE(msg) { .type = NLA_REJECT, .reject_message = (msg) }

#define MV_GET_INFO_TAKES "MV_CMD_GET_INFO takes no attributes: leave out the one pointed at"
#define MV_GET_SHARE_TAKES "MV_CMD_GET_SHARE takes no attributes: leave out the one pointed at"
#define MV_GET_BALLOON_TAKES "MV_CMD_GET_BALLOON takes no attributes: leave out the one pointed at"
#define MV_GET_VM_TAKES "MV_CMD_GET_VM takes only MV_A_VM_ID, and its dump nothing: leave out the attribute pointed at"
#define MV_VM_CONTROL_TAKES "MV_CMD_VM_PAUSE, _RESUME and _DESTROY take only MV_A_VM_ID: leave out the attribute pointed at"
#define MV_VM_SET_TAKES "MV_CMD_VM_SET takes only MV_A_VM_ID, MV_A_VM_SHARE_DOMAIN and MV_A_VM_BALLOON_TARGET: leave out the attribute pointed at"
#define MV_SET_SHARE_TAKES "MV_CMD_SET_SHARE takes only MV_A_SHARE_ENABLED, _SCAN_PAGES, _SCAN_INTERVAL_MS, _DOMAIN_ID and _DOMAIN_POLICY: leave out the attribute pointed at"
#define MV_SET_BALLOON_TAKES "MV_CMD_SET_BALLOON takes only MV_A_BALLOON_AUTO, _TAX_PCT, _FLOOR_PCT and _FREE_TARGET_MB: leave out the attribute pointed at"

static const struct nla_policy mv_get_info_policy[MV_A_MAX + 1] = {
	[MV_A_UNSPEC + 1 ... MV_A_MAX] = MV_NL_REFUSE(MV_GET_INFO_TAKES),
};

static const struct nla_policy mv_get_share_policy[MV_A_MAX + 1] = {
	[MV_A_UNSPEC + 1 ... MV_A_MAX] = MV_NL_REFUSE(MV_GET_SHARE_TAKES),
};

static const struct nla_policy mv_get_balloon_policy[MV_A_MAX + 1] = {
	[MV_A_UNSPEC + 1 ... MV_A_MAX] = MV_NL_REFUSE(MV_GET_BALLOON_TAKES),
};

/* Shared by the do request and the dump, which refuses the ID itself. */
static const struct nla_policy mv_get_vm_policy[MV_A_MAX + 1] = {
	[MV_A_UNSPEC + 1 ... MV_A_VM_ID - 1] = MV_NL_REFUSE(MV_GET_VM_TAKES),
	[MV_A_VM_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MV_A_VM_ID + 1 ... MV_A_MAX] = MV_NL_REFUSE(MV_GET_VM_TAKES),
};

static const struct nla_policy mv_vm_control_policy[MV_A_MAX + 1] = {
	[MV_A_UNSPEC + 1 ... MV_A_VM_ID - 1] = MV_NL_REFUSE(MV_VM_CONTROL_TAKES),
	[MV_A_VM_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MV_A_VM_ID + 1 ... MV_A_MAX] = MV_NL_REFUSE(MV_VM_CONTROL_TAKES),
};

static const struct nla_policy mv_vm_set_policy[MV_A_MAX + 1] = {
	[MV_A_UNSPEC + 1 ... MV_A_VM_ID - 1] = MV_NL_REFUSE(MV_VM_SET_TAKES),
	[MV_A_VM_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[MV_A_VM_ID + 1 ... MV_A_VM_SHARE_DOMAIN - 1] =
		MV_NL_REFUSE(MV_VM_SET_TAKES),
	[MV_A_VM_SHARE_DOMAIN] = { .type = NLA_U32 },
	[MV_A_VM_SHARE_DOMAIN + 1 ... MV_A_VM_BALLOON_TARGET - 1] =
		MV_NL_REFUSE(MV_VM_SET_TAKES),
	[MV_A_VM_BALLOON_TARGET] = { .type = NLA_U64 },
	[MV_A_VM_BALLOON_TARGET + 1 ... MV_A_MAX] = MV_NL_REFUSE(MV_VM_SET_TAKES),
};

static const struct nla_policy mv_balloon_cfg_policy[MV_A_MAX + 1] = {
	[MV_A_UNSPEC + 1 ... MV_A_BALLOON_AUTO - 1] =
		MV_NL_REFUSE(MV_SET_BALLOON_TAKES),
	[MV_A_BALLOON_AUTO] = NLA_POLICY_MAX(NLA_U8, 1),
	[MV_A_BALLOON_TAX_PCT] = NLA_POLICY_MAX(NLA_U32, 99),
	[MV_A_BALLOON_FLOOR_PCT] = NLA_POLICY_MAX(NLA_U32, 100),
	[MV_A_BALLOON_FREE_TARGET_MB] = { .type = NLA_U32 },
	[MV_A_BALLOON_FREE_TARGET_MB + 1 ... MV_A_MAX] =
		MV_NL_REFUSE(MV_SET_BALLOON_TAKES),
};

static struct netlink_range_validation mv_scan_pages_range = {
	.min = 1, .max = MV_SHARE_MAX_SCAN_PAGES,
};

static struct netlink_range_validation mv_scan_interval_range = {
	.min = 1, .max = MV_SHARE_MAX_INTERVAL_MS,
};

static const struct nla_policy mv_share_cfg_policy[MV_A_MAX + 1] = {
	[MV_A_UNSPEC + 1 ... MV_A_SHARE_ENABLED - 1] =
		MV_NL_REFUSE(MV_SET_SHARE_TAKES),
	[MV_A_SHARE_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
	[MV_A_SHARE_SCAN_PAGES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &mv_scan_pages_range),
	[MV_A_SHARE_SCAN_INTERVAL_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &mv_scan_interval_range),
	[MV_A_SHARE_SCAN_INTERVAL_MS + 1 ... MV_A_SHARE_DOMAIN_ID - 1] =
		MV_NL_REFUSE(MV_SET_SHARE_TAKES),
	[MV_A_SHARE_DOMAIN_ID] = { .type = NLA_U32 },
	[MV_A_SHARE_DOMAIN_POLICY] = NLA_POLICY_MAX(NLA_U32, MV_SHARE_OFF),
	[MV_A_SHARE_DOMAIN_POLICY + 1 ... MV_A_MAX] =
		MV_NL_REFUSE(MV_SET_SHARE_TAKES),
};

/*
 * Answer a do request with one message that @fill writes.  Failures here
 * are not the request's fault, but they say what happened too.
 */
static int mv_nl_reply(struct genl_info *info, size_t size,
		       int (*fill)(struct sk_buff *msg, void *arg), void *arg)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG(info->extack,
			       "out of memory for the reply: try again");
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &mv_genl_family, 0,
				info->genlhdr->cmd);
	ret = hdr ? fill(msg, arg) : -EMSGSIZE;
	if (ret == -ENOMEM)
		NL_SET_ERR_MSG(info->extack,
			       "out of memory building the reply: try again");
	else if (ret)
		NL_SET_ERR_MSG(info->extack,
			       "the reply does not fit in its message: a minivisor bug, please report it");
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
	if (ret)
		NL_SET_ERR_MSG(info->extack,
			       "the reply could not be queued (the socket's receive buffer is full): read what waits there and ask again");
	return ret;
}

static int mv_nl_put_info(struct sk_buff *msg, void *unused)
{
	if (nla_put_string(msg, MV_A_MODULE_VERSION, MV_VERSION) ||
	    nla_put_u32(msg, MV_A_API_VERSION, MV_API_VERSION) ||
	    nla_put_u32(msg, MV_A_BACKEND, mv_hw.backend) ||
	    nla_put_u64_64bit(msg, MV_A_FEATURES, mv_hw.features, MV_A_UNSPEC) ||
	    nla_put_u32(msg, MV_A_NR_ASIDS, mv_hw.nr_asids) ||
	    nla_put_u32(msg, MV_A_NR_VMS, mv_vm_count()) ||
	    nla_put_u32(msg, MV_A_MAX_VMS, mv_max_vms) ||
	    nla_put_u64_64bit(msg, MV_A_GUEST_PAGES,
			      atomic_long_read(&mv_guest_pages), MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_MMU_PAGES,
			      atomic_long_read(&mv_mmu_pages), MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_FOREIGN_FLUSHES,
			      atomic_long_read(&mv_foreign_flushes), MV_A_UNSPEC))
		return -EMSGSIZE;
	return 0;
}

static int mv_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	return mv_nl_reply(info, NLMSG_DEFAULT_SIZE, mv_nl_put_info, NULL);
}

/* A VM's balloon: target, size, totals, what its guest reports. */
static int mv_nl_put_balloon(struct sk_buff *msg, struct mv_vm *vm)
{
	struct mv_balloon *b = &vm->balloon;
	u64 target = mv_balloon_target(vm);

	if (nla_put_u64_64bit(msg, MV_A_VM_BALLOON_TARGET,
			      (vm->mem.nr_pages - target) << PAGE_SHIFT,
			      MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_VM_BALLOON_TARGET_PAGES, target,
			      MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_VM_BALLOON_AUTO_PAGES,
			      READ_ONCE(b->auto_target), MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_VM_BALLOON_PAGES, mv_balloon_pages(vm),
			      MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_VM_BALLOON_INFLATED,
			      atomic_long_read(&b->inflated_total), MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_VM_BALLOON_DEFLATED,
			      atomic_long_read(&b->deflated_total), MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_VM_BALLOON_GUEST_FREE,
			      READ_ONCE(b->guest_free), MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_VM_BALLOON_GUEST_AVAIL,
			      READ_ONCE(b->guest_avail), MV_A_UNSPEC) ||
	    nla_put_u32(msg, MV_A_VM_ACTIVE_PCT, READ_ONCE(b->active_pct)))
		return -EMSGSIZE;
	return 0;
}

/* The attributes describing one VM; @full adds figures events leave out. */
static int mv_nl_put_vm(struct sk_buff *msg, struct mv_vm *vm, bool full)
{
	u64 exits[__MV_STAT_COUNT], shared, zero;
	struct nlattr *nest;
	int i;

	if (nla_put_u32(msg, MV_A_VM_ID, vm->id) ||
	    nla_put_string(msg, MV_A_VM_NAME, vm->name) ||
	    nla_put_u32(msg, MV_A_VM_PID, vm->pid) ||
	    nla_put_string(msg, MV_A_VM_COMM, vm->comm) ||
	    nla_put_u32(msg, MV_A_VM_STATE, READ_ONCE(vm->state)) ||
	    nla_put_u64_64bit(msg, MV_A_VM_MEM_SIZE,
			      (u64)vm->mem.nr_pages << PAGE_SHIFT, MV_A_UNSPEC) ||
	    nla_put_u32(msg, MV_A_VM_SHARE_DOMAIN, READ_ONCE(vm->share_domain)) ||
	    mv_nl_put_balloon(msg, vm))
		return -EMSGSIZE;
	if (READ_ONCE(vm->state) == MV_VM_CRASHED &&
	    nla_put_string(msg, MV_A_VM_CRASH_REASON, vm->crash_reason))
		return -EMSGSIZE;
	if (!full)
		return 0;
	shared = atomic_long_read(&vm->mem.shared);
	zero = atomic_long_read(&vm->mem.zero);
	if (nla_put_u64_64bit(msg, MV_A_VM_PAGES,
			      atomic_long_read(&vm->mem.used) + shared + zero,
			      MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_VM_PAGES_SHARED, shared, MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_VM_PAGES_ZERO, zero, MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_VM_COW_BREAKS,
			      atomic_long_read(&vm->mem.cow_breaks), MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_VM_MMU_PAGES,
			      READ_ONCE(vm->mmu.nr_pages), MV_A_UNSPEC) ||
	    nla_put_u32(msg, MV_A_VM_VCPUS, READ_ONCE(vm->nr_vcpus)) ||
	    nla_put_u64_64bit(msg, MV_A_VM_UNHANDLED_MSRS,
			      atomic_long_read(&vm->unhandled_msrs), MV_A_UNSPEC) ||
	    nla_put_u8(msg, MV_A_VM_IRQCHIP, !!READ_ONCE(vm->irqchip)))
		return -EMSGSIZE;
	mv_vm_exits(vm, exits);
	nest = nla_nest_start(msg, MV_A_VM_EXITS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < __MV_STAT_COUNT; i++)
		if (nla_put_u64_64bit(msg, i + 1, exits[i], MV_A_UNSPEC))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static struct mv_vm *mv_nl_vm(struct genl_info *info)
{
	struct mv_vm *vm;

	if (GENL_REQ_ATTR_CHECK(info, MV_A_VM_ID)) {
		NL_SET_ERR_MSG(info->extack,
			       "the VM ID (MV_A_VM_ID) is missing: give one (see 'mvctl vm list')");
		return ERR_PTR(-EINVAL);
	}
	vm = mv_vm_get_by_id(nla_get_u32(info->attrs[MV_A_VM_ID]));
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MV_A_VM_ID],
				    "no VM with this ID (see 'mvctl vm list')");
		return ERR_PTR(-ENOENT);
	}
	return vm;
}

static int mv_nl_put_vm_full(struct sk_buff *msg, void *vm)
{
	return mv_nl_put_vm(msg, vm, true);
}

static int mv_nl_get_vm_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mv_vm *vm;
	int ret;

	vm = mv_nl_vm(info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	ret = mv_nl_reply(info, NLMSG_DEFAULT_SIZE, mv_nl_put_vm_full, vm);
	mv_vm_put(vm);
	return ret;
}

static int mv_nl_get_vm_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	u32 id = cb->args[0] ? cb->args[0] : 1;
	struct mv_vm *vm;
	void *hdr;

	if (info->attrs && info->attrs[MV_A_VM_ID]) {
		NL_SET_ERR_MSG(cb->extack,
			       "a VM dump takes no VM ID; ask for one VM without NLM_F_DUMP");
		return -EINVAL;
	}
	while ((vm = mv_vm_get_next(&id))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &mv_genl_family,
				  NLM_F_MULTI, MV_CMD_GET_VM);
		if (!hdr || mv_nl_put_vm(skb, vm, true)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			mv_vm_put(vm);
			break;
		}
		genlmsg_end(skb, hdr);
		mv_vm_put(vm);
		id++;
	}
	cb->args[0] = id;
	return skb->len;
}

static int mv_nl_vm_control(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	struct mv_vm *vm;
	int ret;

	vm = mv_nl_vm(info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if (cmd == MV_CMD_VM_DESTROY)
		ret = mv_vm_destroy(vm);
	else
		ret = mv_vm_pause(vm, cmd == MV_CMD_VM_PAUSE);
	if (ret == -EINVAL)
		NL_SET_ERR_MSG(info->extack,
			       "the VM has crashed or is being destroyed; only 'destroy' applies");
	else if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "the VM is already being destroyed");
	mv_vm_put(vm);
	return ret;
}

static int mv_nl_vm_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *target = info->attrs[MV_A_VM_BALLOON_TARGET];
	struct nlattr *domain = info->attrs[MV_A_VM_SHARE_DOMAIN];
	struct mv_vm *vm;
	int ret = 0;

	if (!domain && !target) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to change: give a sharing domain or a balloon target");
		return -EINVAL;
	}
	vm = mv_nl_vm(info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	/* Everything is checked before anything changes. */
	if (target && (nla_get_u64(target) & ~PAGE_MASK)) {
		NL_SET_ERR_MSG_ATTR(info->extack, target,
				    "the balloon target must be a multiple of 4 KiB");
		ret = -EINVAL;
	} else if (target &&
		   nla_get_u64(target) > (u64)vm->mem.nr_pages << PAGE_SHIFT) {
		NL_SET_ERR_MSG_ATTR(info->extack, target,
				    "the balloon target is more than the VM's memory");
		ret = -ERANGE;
	} else if (READ_ONCE(vm->dying)) {
		NL_SET_ERR_MSG(info->extack,
			       "the VM is being destroyed: there is nothing left to change");
		ret = -ENOENT;
	}
	if (!ret && domain) {
		ret = mv_share_set_domain(vm, nla_get_u32(domain));
		if (ret)
			NL_SET_ERR_MSG(info->extack,
				       "out of memory unsharing the VM's pages: it is in the new domain, and the scanner goes on unsharing");
	}
	if (!ret && target)
		mv_balloon_set(vm, nla_get_u64(target) >> PAGE_SHIFT);
	mv_vm_put(vm);
	return ret;
}

static int mv_nl_put_pressure(struct sk_buff *msg, void *unused)
{
	struct mv_balloon_policy_stats st;
	struct mv_balloon_config cfg;

	mv_pressure_get_stats(&st);
	mv_pressure_get_config(&cfg);
	if (nla_put_u8(msg, MV_A_BALLOON_AUTO, cfg.autob) ||
	    nla_put_u32(msg, MV_A_BALLOON_TAX_PCT, cfg.tax_pct) ||
	    nla_put_u32(msg, MV_A_BALLOON_FLOOR_PCT, cfg.floor_pct) ||
	    nla_put_u32(msg, MV_A_BALLOON_FREE_TARGET_MB, cfg.free_target_mb) ||
	    nla_put_u8(msg, MV_A_BALLOON_PRESSURE, st.pressure) ||
	    nla_put_u64_64bit(msg, MV_A_BALLOON_RECLAIMED, st.reclaimed,
			      MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_BALLOON_RAISES, st.raises, MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_BALLOON_RELEASES, st.releases,
			      MV_A_UNSPEC) ||
	    nla_put_u64_64bit(msg, MV_A_BALLOON_SHRINKER_CALLS, st.shrinker_calls,
			      MV_A_UNSPEC))
		return -EMSGSIZE;
	return 0;
}

static int mv_nl_get_balloon(struct sk_buff *skb, struct genl_info *info)
{
	return mv_nl_reply(info, NLMSG_DEFAULT_SIZE, mv_nl_put_pressure, NULL);
}

static int mv_nl_set_balloon(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	u32 tax, floor, free_mb;
	bool autob;

	if (!a[MV_A_BALLOON_AUTO] && !a[MV_A_BALLOON_TAX_PCT] &&
	    !a[MV_A_BALLOON_FLOOR_PCT] && !a[MV_A_BALLOON_FREE_TARGET_MB]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to change: give auto on/off, a tax rate, a floor or a free target");
		return -EINVAL;
	}
	/* The policy checked the ranges. */
	autob = a[MV_A_BALLOON_AUTO] && nla_get_u8(a[MV_A_BALLOON_AUTO]);
	tax = a[MV_A_BALLOON_TAX_PCT] ? nla_get_u32(a[MV_A_BALLOON_TAX_PCT]) : 0;
	floor = a[MV_A_BALLOON_FLOOR_PCT] ?
		nla_get_u32(a[MV_A_BALLOON_FLOOR_PCT]) : 0;
	free_mb = a[MV_A_BALLOON_FREE_TARGET_MB] ?
		  nla_get_u32(a[MV_A_BALLOON_FREE_TARGET_MB]) : 0;
	mv_pressure_configure(a[MV_A_BALLOON_AUTO] ? &autob : NULL,
			      a[MV_A_BALLOON_TAX_PCT] ? &tax : NULL,
			      a[MV_A_BALLOON_FLOOR_PCT] ? &floor : NULL,
			      a[MV_A_BALLOON_FREE_TARGET_MB] ? &free_mb : NULL);
	return 0;
}

struct mv_nl_counter {
	int attr;
	u64 val;
};

static int mv_nl_put_share_counters(struct sk_buff *msg,
				    const struct mv_share_stats *st)
{
	const struct mv_nl_counter counters[] = {
		{ MV_A_SHARE_FRAMES, st->frames },
		{ MV_A_SHARE_SHARING, st->sharing },
		{ MV_A_SHARE_SAVED, st->sharing - st->frames + st->zero },
		{ MV_A_SHARE_ZERO, st->zero },
		{ MV_A_SHARE_ZERO_MERGES, st->zero_merges },
		{ MV_A_SHARE_MERGES, st->merges },
		{ MV_A_SHARE_COW_BREAKS, st->cow_breaks },
		{ MV_A_SHARE_VOLATILE, st->volatile_pages },
		{ MV_A_SHARE_UNSHARED, st->hints },
		{ MV_A_SHARE_FULL_SCANS, st->full_scans },
		{ MV_A_SHARE_SCANNED, st->scanned },
		{ MV_A_SHARE_CPU_NS, st->cpu_ns },
		{ MV_A_SHARE_COLLISIONS, st->collisions },
		{ MV_A_SHARE_GUEST_PAGES, st->guest_pages },
		{ MV_A_SHARE_HOST_PAGES, st->host_pages },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counters); i++)
		if (nla_put_u64_64bit(msg, counters[i].attr, counters[i].val,
				      MV_A_UNSPEC))
			return -EMSGSIZE;
	return 0;
}

/* Settings, counters and domain policies: GET_SHARE and scan-done events. */
static int mv_nl_put_share(struct sk_buff *msg, void *unused)
{
	struct mv_share_config cfg;
	struct mv_share_rule *rules;
	struct mv_share_stats st;
	struct nlattr *all;
	unsigned int i, n;
	int ret = -EMSGSIZE;

	rules = kmalloc_array(MV_SHARE_MAX_POLICIES, sizeof(*rules), GFP_KERNEL);
	if (!rules)
		return -ENOMEM;
	n = mv_share_get_rules(rules, MV_SHARE_MAX_POLICIES);
	mv_share_get_stats(&st);
	mv_share_get_config(&cfg);
	if (mv_nl_put_share_counters(msg, &st) ||
	    nla_put_u8(msg, MV_A_SHARE_ENABLED, cfg.enabled) ||
	    nla_put_u32(msg, MV_A_SHARE_SCAN_PAGES, cfg.scan_pages) ||
	    nla_put_u32(msg, MV_A_SHARE_SCAN_INTERVAL_MS, cfg.interval_ms))
		goto out;
	all = nla_nest_start(msg, MV_A_SHARE_DOMAINS);
	if (!all)
		goto out;
	for (i = 0; i < n; i++) {
		struct nlattr *nest = nla_nest_start(msg, i + 1);

		if (!nest ||
		    nla_put_u32(msg, MV_A_SHARE_DOMAIN_ID, rules[i].domain) ||
		    nla_put_u32(msg, MV_A_SHARE_DOMAIN_POLICY, rules[i].policy))
			goto out;
		nla_nest_end(msg, nest);
	}
	nla_nest_end(msg, all);
	ret = 0;
out:
	kfree(rules);
	return ret;
}

static int mv_nl_get_share(struct sk_buff *skb, struct genl_info *info)
{
	return mv_nl_reply(info, NLMSG_GOODSIZE, mv_nl_put_share, NULL);
}

static int mv_nl_set_share(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	u32 pages, ms;
	bool on;

	if (!!a[MV_A_SHARE_DOMAIN_ID] != !!a[MV_A_SHARE_DOMAIN_POLICY]) {
		NL_SET_ERR_MSG(info->extack,
			       "a domain policy needs both the domain and the policy");
		return -EINVAL;
	}
	if (!a[MV_A_SHARE_ENABLED] && !a[MV_A_SHARE_SCAN_PAGES] &&
	    !a[MV_A_SHARE_SCAN_INTERVAL_MS] && !a[MV_A_SHARE_DOMAIN_ID]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to change: give on/off, a scan rate or a domain policy");
		return -EINVAL;
	}
	if (a[MV_A_SHARE_DOMAIN_ID]) {
		int ret = mv_share_set_policy(nla_get_u32(a[MV_A_SHARE_DOMAIN_ID]),
					      nla_get_u32(a[MV_A_SHARE_DOMAIN_POLICY]));

		if (ret == -ENOSPC)
			NL_SET_ERR_MSG(info->extack,
				       "too many domains with a policy: set some back to 'all' first");
		else if (ret)
			NL_SET_ERR_MSG(info->extack,
				       "out of memory applying the domain policy (if it was recorded, the scanner goes on unsharing)");
		if (ret)
			return ret;
	}
	/* The policy checked the ranges. */
	on = a[MV_A_SHARE_ENABLED] && nla_get_u8(a[MV_A_SHARE_ENABLED]);
	pages = a[MV_A_SHARE_SCAN_PAGES] ?
		nla_get_u32(a[MV_A_SHARE_SCAN_PAGES]) : 0;
	ms = a[MV_A_SHARE_SCAN_INTERVAL_MS] ?
	     nla_get_u32(a[MV_A_SHARE_SCAN_INTERVAL_MS]) : 0;
	mv_share_configure(a[MV_A_SHARE_ENABLED] ? &on : NULL,
			   a[MV_A_SHARE_SCAN_PAGES] ? &pages : NULL,
			   a[MV_A_SHARE_SCAN_INTERVAL_MS] ? &ms : NULL);
	return 0;
}

static const struct genl_ops mv_genl_ops[] = {
	{
		.cmd = MV_CMD_GET_INFO,
		.doit = mv_nl_get_info,
		.policy = mv_get_info_policy,
		.maxattr = MV_A_MAX,
	},
	{
		.cmd = MV_CMD_GET_VM,
		.doit = mv_nl_get_vm_doit,
		.dumpit = mv_nl_get_vm_dumpit,
		.policy = mv_get_vm_policy,
		.maxattr = MV_A_MAX,
	},
	{
		.cmd = MV_CMD_VM_PAUSE,
		.doit = mv_nl_vm_control,
		.policy = mv_vm_control_policy,
		.maxattr = MV_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MV_CMD_VM_RESUME,
		.doit = mv_nl_vm_control,
		.policy = mv_vm_control_policy,
		.maxattr = MV_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MV_CMD_VM_DESTROY,
		.doit = mv_nl_vm_control,
		.policy = mv_vm_control_policy,
		.maxattr = MV_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MV_CMD_GET_SHARE,
		.doit = mv_nl_get_share,
		.policy = mv_get_share_policy,
		.maxattr = MV_A_MAX,
	},
	{
		.cmd = MV_CMD_SET_SHARE,
		.doit = mv_nl_set_share,
		.policy = mv_share_cfg_policy,
		.maxattr = MV_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MV_CMD_VM_SET,
		.doit = mv_nl_vm_set,
		.policy = mv_vm_set_policy,
		.maxattr = MV_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = MV_CMD_GET_BALLOON,
		.doit = mv_nl_get_balloon,
		.policy = mv_get_balloon_policy,
		.maxattr = MV_A_MAX,
	},
	{
		.cmd = MV_CMD_SET_BALLOON,
		.doit = mv_nl_set_balloon,
		.policy = mv_balloon_cfg_policy,
		.maxattr = MV_A_MAX,
		.flags = GENL_ADMIN_PERM,
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

/* An event VM's attributes, less the figures replies carry. */
static int mv_nl_put_event_vm(struct sk_buff *msg, void *vm)
{
	return mv_nl_put_vm(msg, vm, false);
}

/* One message to the events group; best effort, like every multicast. */
static void mv_nl_multicast(u8 cmd, size_t size,
			    int (*fill)(struct sk_buff *msg, void *arg),
			    void *arg)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&mv_genl_family, &init_net, 0))
		return;
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &mv_genl_family, 0, cmd);
	if (!hdr || fill(msg, arg)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&mv_genl_family, msg, 0, 0, GFP_KERNEL);
}

/* What the layers below announce (notify.c) goes out on the events group. */
static int mv_nl_notified(struct notifier_block *nb, unsigned long cmd,
			  void *data)
{
	/* A pass's counters, or the VM it is about. */
	if (cmd == MV_CMD_EVENT_SCAN_DONE)
		mv_nl_multicast(cmd, NLMSG_GOODSIZE, mv_nl_put_share, NULL);
	else
		mv_nl_multicast(cmd, NLMSG_DEFAULT_SIZE, mv_nl_put_event_vm, data);
	return NOTIFY_OK;
}

static struct notifier_block mv_nl_notifier = {
	.notifier_call = mv_nl_notified,
};

int mv_netlink_init(void)
{
	int ret = genl_register_family(&mv_genl_family);

	if (ret)
		return ret;
	ret = mv_notify_register(&mv_nl_notifier);
	if (ret)
		genl_unregister_family(&mv_genl_family);
	return ret;
}

void mv_netlink_exit(void)
{
	mv_notify_unregister(&mv_nl_notifier);
	genl_unregister_family(&mv_genl_family);
}
