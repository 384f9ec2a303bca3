/* SPDX-License-Identifier: GPL-2.0 */
/* Ring 3 for 32-bit guests; see user64.S. */
#include "guest.h"

	.text
	.globl run_user
run_user:
	push %ebx
	push %ebp
	push %esi
	push %edi
	mov %esp, user_saved_sp
	mov 20(%esp), %eax
	mov 24(%esp), %edx
	push $(SEL_UDATA | 3)
	push $user_stack_top
	pushl user_flags
	push $(SEL_UCODE32 | 3)
	push $user_probe
	iret

	.globl user_longjmp
user_longjmp:
	mov 4(%esp), %eax
	mov user_saved_sp, %esp
	mov $SEL_DATA, %cx
	mov %cx, %ds
	mov %cx, %es
	pop %edi
	pop %esi
	pop %ebp
	pop %ebx
	ret

	.section .user, "ax"
	.globl user_probe
user_probe:
	mov $(SEL_UDATA | 3), %ecx
	mov %ecx, %ds
	mov %ecx, %es
	cmp $USER_READ, %eax
	je 1f
	cmp $USER_WRITE, %eax
	je 2f
	mov $3f, %ecx			/* fetch: the target page says "jmp *%ecx" */
	jmp *%edx
1:	movb (%edx), %al
	jmp 3f
2:	movb $0x5a, 8(%edx)
3:	int $USER_RETURN_VEC

	.section .data
	.globl user_flags
	.align 4
user_flags:
	.long 0x2
user_saved_sp:
	.long 0

	.section .user_stack, "aw", @nobits
	.align 4096
	.space 4096
	.globl user_stack_top
user_stack_top:

	.section .note.GNU-stack, "", @progbits
