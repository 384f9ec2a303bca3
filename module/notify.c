// SPDX-License-Identifier: GPL-2.0
/*
 * Control-plane events: VMs created, destroyed and crashed, balloons that
 * reached their targets, scanner passes done.  The subsystems that see
 * them happen sit below the control plane, so they do not call it: they
 * announce on this notifier chain, and netlink.c, listening, sends them
 * to the "events" multicast group.
 */
#include <linux/notifier.h>

#include "minivisor.h"

static BLOCKING_NOTIFIER_HEAD(mv_notify_chain);

void mv_notify(u8 cmd, struct mv_vm *vm)
{
	might_sleep();
	blocking_notifier_call_chain(&mv_notify_chain, cmd, vm);
}

int mv_notify_register(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&mv_notify_chain, nb);
}

void mv_notify_unregister(struct notifier_block *nb)
{
	blocking_notifier_chain_unregister(&mv_notify_chain, nb);
}
