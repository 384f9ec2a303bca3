/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of 32-bit C guests: start in real mode at 1000:0000, load a flat
 * GDT, enter protected mode (paging off), set up a stack and the IDT, run
 * guest_main() and hand its result to isa-debug-exit.
 */
#include "guest.h"

#define CODE32	0x08
#define DATA32	0x10

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
	ljmpl $CODE32, $start32

	.code32
start32:
	mov $DATA32, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	mov $stack_top, %esp
	/* Clear .bss. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	cld
	rep stosb
	call idt_init
	call guest_main
	push %eax
	call guest_exit

/* Exception and interrupt stubs: push a dummy error code where the CPU
 * pushes none, then the vector, then go to the common code. */
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
	pusha
	push %esp
	call ex_dispatch
	add $4, %esp
	popa
	add $8, %esp
	iret

#include "gdt.S"

	.section .bss
	.align 16
	.space 16384
	.globl stack_top
stack_top:

	.section .note.GNU-stack, "", @progbits
