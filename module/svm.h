/* SPDX-License-Identifier: GPL-2.0 */
/* Between svm.c and svm_entry.S. */
#ifndef _MV_SVM_H
#define _MV_SVM_H

#include <linux/types.h>

/* One VMRUN; see svm_entry.S.  GIF must be clear. */
void mv_svm_vmrun(u64 vmcb_pa, u64 *regs, u64 host_save_pa);
/* VMRUN of a guest that executes nothing (the ASID scrub). */
void mv_svm_vmrun_bare(u64 vmcb_pa);

#endif
