/* SPDX-License-Identifier: GPL-2.0 */
/* What the module code built here takes from <asm/processor-flags.h>. */
#ifndef MV_SHIM_ASM_PROCESSOR_FLAGS_H
#define MV_SHIM_ASM_PROCESSOR_FLAGS_H

#define X86_EFLAGS_CF	BIT_ULL(0)
#define X86_EFLAGS_PF	BIT_ULL(2)
#define X86_EFLAGS_AF	BIT_ULL(4)
#define X86_EFLAGS_ZF	BIT_ULL(6)
#define X86_EFLAGS_SF	BIT_ULL(7)
#define X86_EFLAGS_OF	BIT_ULL(11)

#endif
