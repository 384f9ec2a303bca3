/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM world switch.
 *
 * void mv_svm_vmrun(u64 vmcb_pa, u64 *regs, u64 host_save_pa)
 *
 * Called with GIF clear (CLGI) and interrupts off.  VMRUN itself saves and
 * restores the host's RIP, RSP, RAX, segment selectors, CR0/3/4, EFER,
 * RFLAGS and descriptor tables; VMSAVE/VMLOAD move the rest (FS, GS and
 * their bases, KernelGSBase, TR, LDTR, the SYSCALL and SYSENTER MSRs).
 * The guest's RAX and RSP live in the VMCB; @regs holds the other GPRs in
 * hardware order (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define REG(n)	((n) * 8)
#define RCX	REG(1)
#define RDX	REG(2)
#define RBX	REG(3)
#define RBP	REG(5)
#define RSI	REG(6)
#define RDI	REG(7)
#define R8	REG(8)
#define R9	REG(9)
#define R10	REG(10)
#define R11	REG(11)
#define R12	REG(12)
#define R13	REG(13)
#define R14	REG(14)
#define R15	REG(15)

	.text
SYM_FUNC_START(mv_svm_vmrun)
	push %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* Needed after the guest ran, in this order. */
	push %rdx			/* host state area */
	push %rsi			/* regs */
	push %rdi			/* VMCB */

	/* Host state VMRUN does not keep, then the guest's. */
	mov %rdx, %rax
	vmsave %rax
	mov %rdi, %rax
	vmload %rax

	mov RCX(%rsi), %rcx
	mov RDX(%rsi), %rdx
	mov RBX(%rsi), %rbx
	mov RBP(%rsi), %rbp
	mov RDI(%rsi), %rdi
	mov R8(%rsi), %r8
	mov R9(%rsi), %r9
	mov R10(%rsi), %r10
	mov R11(%rsi), %r11
	mov R12(%rsi), %r12
	mov R13(%rsi), %r13
	mov R14(%rsi), %r14
	mov R15(%rsi), %r15
	mov RSI(%rsi), %rsi

	/* Clobbers EFLAGS.ZF */
	VM_CLEAR_CPU_BUFFERS

	vmrun %rax

	/* RAX holds the VMCB address again; the regs pointer is on the stack. */
	mov 8(%rsp), %rax
	mov %rcx, RCX(%rax)
	mov %rdx, RDX(%rax)
	mov %rbx, RBX(%rax)
	mov %rbp, RBP(%rax)
	mov %rsi, RSI(%rax)
	mov %rdi, RDI(%rax)
	mov %r8, R8(%rax)
	mov %r9, R9(%rax)
	mov %r10, R10(%rax)
	mov %r11, R11(%rax)
	mov %r12, R12(%rax)
	mov %r13, R13(%rax)
	mov %r14, R14(%rax)
	mov %r15, R15(%rax)

	pop %rax			/* VMCB */
	vmsave %rax
	pop %rax			/* regs, no longer needed */
	pop %rax			/* host state area */
	/* Restores GS base: per-CPU data is reachable again after this. */
	vmload %rax

#ifdef CONFIG_RETPOLINE
	/* The guest may have filled the RSB: stuff it before any RET. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
#endif
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT

	/* Leave no guest values around for speculation to find. */
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d

	pop %rbx
	pop %r12
	pop %r13
	pop %r14
	pop %r15
	pop %rbp
	RET
SYM_FUNC_END(mv_svm_vmrun)

/*
 * void mv_svm_vmrun_bare(u64 vmcb_pa)
 *
 * VMRUN of a guest that cannot execute an instruction (it exits on a
 * pending virtual interrupt first), so no GPR changes but RAX, which the
 * hardware restores.  Used to flush an ASID's TLB entries.
 */
SYM_FUNC_START(mv_svm_vmrun_bare)
	mov %rdi, %rax
	vmrun %rax
	RET
SYM_FUNC_END(mv_svm_vmrun_bare)
