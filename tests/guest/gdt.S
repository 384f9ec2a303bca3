/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The GDT every C guest starts with; the TSS descriptor is filled in at run
 * time by tss_init().  Selectors are in abi.h.
 */
	.section .data
	.align 16
	.globl gdt, gdt_tss
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, 32-bit, flat */
	.quad 0x00cf92000000ffff	/* 0x10: data, flat */
	.quad 0x00af9a000000ffff	/* 0x18: code, 64-bit */
	.quad 0x00009a000000ffff	/* 0x20: code, 16-bit, base 0 */
	.quad 0x000092000000ffff	/* 0x28: data, 16-bit, base 0 */
	.quad 0x00cffa000000ffff	/* 0x30: user code, 32-bit */
	.quad 0x00cff2000000ffff	/* 0x38: user data */
	.quad 0x00affa000000ffff	/* 0x40: user code, 64-bit */
gdt_tss:
	.quad 0				/* 0x48: TSS (16 bytes in long mode) */
	.quad 0
gdt_end:
	.globl gdt_desc
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
