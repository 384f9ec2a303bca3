// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls: VMMCALL or VMCALL (either, on both vendors) with the number
 * in RAX and arguments in RBX, RCX, RDX and RSI; the result goes back in
 * RAX, negative errno on failure.  Guest
 * registers are only ever read as numbers here: anything that names guest
 * memory is checked by the handler that uses it.
 */
#include "minivisor.h"
#include "trace.h"

void mv_hypercall(struct mv_vcpu *vcpu)
{
	u64 nr = vcpu->regs[MV_RAX];
	s64 ret;

	if (mv_arch->get_cpl(vcpu)) {
		vcpu->regs[MV_RAX] = -EPERM;
		return;
	}
	switch (nr) {
	case MV_HC_PING:
		ret = vcpu->regs[MV_RBX] + 1;
		break;
	case MV_HC_API_VERSION:
		ret = MV_API_VERSION;
		break;
	case MV_HC_BALLOON_TARGET ... MV_HC_BALLOON_STATS:
		ret = mv_balloon_hypercall(vcpu, nr, vcpu->regs[MV_RBX],
					   vcpu->regs[MV_RCX]);
		break;
	default:
		ret = -MV_HC_ENOSYS;
	}
	vcpu->regs[MV_RAX] = ret;
	trace_mv_hypercall(vcpu, nr, ret);
}
