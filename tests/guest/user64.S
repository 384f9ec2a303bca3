/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ring 3 for 64-bit guests: run_user(op, addr) IRETs to a user-mode probe
 * that reads, writes or executes at addr and comes back with INT 0x3f; a
 * fault on the way comes back through the exception handler instead.  Both
 * end in user_longjmp(result), which returns from run_user().
 */
#include "guest.h"

	.text
	.globl run_user
run_user:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, user_saved_sp(%rip)
	mov %rdi, %rax
	mov %rsi, %rdx
	push $(SEL_UDATA | 3)
	lea user_stack_top(%rip), %rcx
	push %rcx
	pushq user_flags(%rip)
	push $(SEL_UCODE64 | 3)
	lea user_probe(%rip), %rcx
	push %rcx
	iretq

	.globl user_longjmp
user_longjmp:
	mov %edi, %eax
	mov user_saved_sp(%rip), %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

	.section .user, "ax"
	.globl user_probe
user_probe:
	cmp $USER_READ, %eax
	je 1f
	cmp $USER_WRITE, %eax
	je 2f
	lea 3f(%rip), %rcx		/* fetch: the target page says "jmp *%rcx" */
	jmp *%rdx
1:	movb (%rdx), %al
	jmp 3f
2:	movb $0x5a, 8(%rdx)
3:	int $USER_RETURN_VEC

	.section .data
	.globl user_flags
	.align 8
user_flags:
	.quad 0x2
user_saved_sp:
	.quad 0

	.section .user_stack, "aw", @nobits
	.align 4096
	.space 4096
	.globl user_stack_top
user_stack_top:

	.section .note.GNU-stack, "", @progbits
