/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of 64-bit C guests: start in real mode at 1000:0000, enter
 * protected mode, identity-map the first GiB with 2 MiB supervisor pages,
 * turn on PAE, EFER.LME and paging, and run guest_main() in long mode.
 * An AP (started by INIT/SIPI at the same entry) skips the setup, takes
 * its own stack and runs ap_entry() (lib.c).
 */
#include "guest.h"

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	cli
	mov %cs, %ax
	mov %ax, %ds
	lgdtl gdt_desc - _start
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl $SEL_CODE32, $start32

	.code32
start32:
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	/* An application processor (CPUID's initial APIC ID != 0): ap32. */
	mov $1, %eax
	cpuid
	shr $24, %ebx
	jnz ap32
	xor %esi, %esi
	mov $stack_top, %esp
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	cld
	rep stosb
	/* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = 2 MiB page i. */
	mov $boot_pdpt, %eax
	or $3, %eax
	mov %eax, boot_pml4
	mov $boot_pd, %eax
	or $3, %eax
	mov %eax, boot_pdpt
	mov $boot_pd, %edi
	mov $0x83, %eax			/* P | W | PS */
	mov $512, %ecx
1:	mov %eax, (%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 1b
paging_on:
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $0x20, %eax			/* PAE */
	mov %eax, %cr4
	mov $0xc0000080, %ecx
	rdmsr
	or $0x100, %eax			/* LME */
	wrmsr
	mov %cr0, %eax
	or $0x80000000, %eax
	mov %eax, %cr0
	test %esi, %esi
	jnz 1f
	ljmp $SEL_CODE64, $start64
1:	ljmp $SEL_CODE64, $ap64

	/*
	 * An AP, started by INIT/SIPI once the BSP has built the tables:
	 * its own 8 KiB stack, the same tables, then ap_entry(APIC ID).
	 */
ap32:
	mov %ebx, %esi
	cmp $AP_MAX, %esi
	jae 2f
	mov %esi, %esp
	inc %esp
	shl $13, %esp
	add $ap_stacks, %esp
	jmp paging_on
2:	cli
	hlt
	jmp 2b

	.code64
start64:
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	mov $stack_top, %rsp
	call idt_init
	call guest_main
	mov %eax, %edi
	call guest_exit

ap64:
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	mov %esi, %edi
	call ap_entry
3:	cli
	hlt
	jmp 3b

.macro STUB vec
	.align 16
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	push $0
	.endif
	push $\vec
	jmp ex_common
.endm

	.align 16
	.globl ex_stubs
ex_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	STUB \v
	.endr
	.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	STUB \v
	.endr
	.irp v, 48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63
	STUB \v
	.endr

ex_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	call ex_dispatch
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

#include "gdt.S"

	.section .bss
	.align 4096
boot_pml4:
	.space 4096
boot_pdpt:
	.space 4096
boot_pd:
	.space 4096
	.align 16
	.space 16384
	.globl stack_top
stack_top:
	.align 16
ap_stacks:
	.space 8192 * AP_MAX

	.section .note.GNU-stack, "", @progbits
