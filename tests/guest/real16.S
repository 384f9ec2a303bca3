/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode exits: IN/OUT of every size, REP OUTSB, CPUID, a hypercall,
 * INVD/WBINVD and MMIO, all without leaving real mode.  Reports on port
 * 0x500 (the host checks each value) and exits through isa-debug-exit.
 */
	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	mov %cs, %ax
	mov %ax, %ds
	mov %ax, %es
	/* OUT of each size to port 0x500: 0x11, 0x2222, 0x33333333. */
	mov $0x500, %dx
	mov $0x11, %al
	out %al, %dx
	mov $0x2222, %ax
	out %ax, %dx
	mov $0x33333333, %eax
	out %eax, %dx
	/* IN of each size from port 0x501: echo what we got on 0x500. */
	inc %dx
	in %dx, %al
	dec %dx
	out %al, %dx
	inc %dx
	in %dx, %ax
	dec %dx
	out %ax, %dx
	inc %dx
	in %dx, %eax
	dec %dx
	out %eax, %dx
	/* A string to the debug console. */
	mov $(msg - _start), %si
	mov $(msg_end - msg), %cx
	mov $0xe9, %dx
	cld
	rep outsb
	/* CPUID leaf 0x40000000: the hypervisor signature's first word. */
	mov $0x40000000, %eax
	xor %ecx, %ecx
	cpuid
	mov $0x500, %dx
	mov %ebx, %eax
	out %eax, %dx
	/* MV_HC_PING(41) = 42 */
	mov $0x1000, %eax
	mov $41, %ebx
	vmmcall
	out %eax, %dx
	invd
	wbinvd
	/* MMIO: a byte store and a word load at 0xa0000, outside 512K of RAM. */
	mov $0xa000, %ax
	mov %ax, %fs
	movb $0x5a, %fs:0x10
	mov %fs:0x20, %ax
	mov $0x500, %dx
	out %ax, %dx
	mov $0x21, %al
	out %al, $0xf4
	cli
	hlt
msg:	.ascii "real mode ok\n"
msg_end:

	.section .note.GNU-stack, "", @progbits
