/* SPDX-License-Identifier: GPL-2.0 */
/* Between svm.c and svm_entry.S. */
#ifndef _MV_SVM_H
#define _MV_SVM_H

#include <linux/types.h>

/* One VMRUN; see svm_entry.S.  GIF must be clear. */
void mv_svm_vmrun(u64 vmcb_pa, u64 *regs, u64 host_save_pa);

#endif
