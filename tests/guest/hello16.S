/* SPDX-License-Identifier: GPL-2.0 */
/* The smallest guest: real mode, prints on the debug console and COM1,
 * then exits through isa-debug-exit with 0x21 (status 0x43). */
	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	mov $(msg - _start), %si
1:	lodsb
	test %al, %al
	jz 2f
	out %al, $0xe9
	jmp 1b
2:	mov $0x3f8, %dx
	mov $'!', %al
	out %al, %dx
	mov $'\n', %al
	out %al, %dx
	mov $0x21, %al
	out %al, $0xf4
	cli
	hlt
msg:	.asciz "Hello from real mode"

	.section .note.GNU-stack, "", @progbits
