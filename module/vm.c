// SPDX-License-Identifier: GPL-2.0
/*
 * VM lifecycle and the global VM table.
 */
#include <linux/xarray.h>

#include "minivisor.h"

static DEFINE_XARRAY_ALLOC1(mv_vms);

unsigned int mv_vm_count(void)
{
	unsigned long id;
	unsigned int n = 0;
	void *vm;

	xa_lock(&mv_vms);
	xa_for_each(&mv_vms, id, vm)
		n++;
	xa_unlock(&mv_vms);
	return n;
}

int mv_vm_init(void)
{
	return 0;
}

void mv_vm_exit(void)
{
	WARN_ON(!xa_empty(&mv_vms));
	xa_destroy(&mv_vms);
}
