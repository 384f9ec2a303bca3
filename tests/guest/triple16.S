/* SPDX-License-Identifier: GPL-2.0 */
/* A real-mode guest that triple-faults: with a zero-limit IVT, INT3 cannot
 * be delivered, nor the #GP that follows, nor the #DF after that. */
	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	mov %cs, %ax
	mov %ax, %ds
	lidt idt_desc - _start
	mov $0x1234, %ax
	int3
	hlt
idt_desc:
	.word 0
	.long 0

	.section .note.GNU-stack, "", @progbits
