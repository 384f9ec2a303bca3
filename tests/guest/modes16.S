/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mode switches under the guest's control, there and back again:
 *
 *   real -> protected (paging off) -> 32-bit paging -> PAE paging
 *   -> long mode (64-bit) -> compatibility mode -> protected, paging off
 *   -> real mode
 *
 * At each stage it prints a letter and reads a marker through the stage's
 * addressing (a page mapped at a different virtual address when paging is
 * on), then exits through isa-debug-exit with 0x2a.  Prints "RPGAL" on the
 * way up and "cpr" on the way down; 0x7f means a check failed.
 */
#define CODE32	0x08
#define DATA	0x10
#define CODE64	0x18
#define CODE16	0x20
#define DATA16	0x28

#define MARK_PA		0x200000	/* a 2/4 MiB page holding the marker */
#define MARK_VA		0x400000	/* where paging maps it */
#define MARKER		0x4d415243	/* "CRAM" */
#define LOW_MARK	0x80000		/* reachable from real mode */

	.code16
	.section .text.entry, "ax"
	.globl _start
_start:
	cli
	mov %cs, %ax
	mov %ax, %ds
	mov %ax, %ss
	mov $0xfff0, %sp
	movb $'R', %al
	out %al, $0xe9
	lgdtl gdt_desc - _start
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl $CODE32, $pm32

	.code32
pm32:
	mov $DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x90000, %esp
	movb $'P', %al
	out %al, $0xe9
	movl $MARKER, MARK_PA

	/* 32-bit paging, 4 MiB pages: identity, plus MARK_VA -> MARK_PA. */
	mov %cr4, %eax
	or $0x10, %eax			/* PSE */
	mov %eax, %cr4
	mov $pd32, %eax
	mov %eax, %cr3
	mov %cr0, %eax
	or $0x80000000, %eax
	mov %eax, %cr0
	movb $'G', %al
	out %al, $0xe9
	cmpl $MARKER, MARK_VA + (MARK_PA & 0x3fffff)
	jne fail

	/* Paging off, PAE on, paging on again. */
	mov %cr0, %eax
	and $0x7fffffff, %eax
	mov %eax, %cr0
	mov %cr4, %eax
	or $0x20, %eax			/* PAE */
	mov %eax, %cr4
	mov $pdpt_pae, %eax
	mov %eax, %cr3
	mov %cr0, %eax
	or $0x80000000, %eax
	mov %eax, %cr0
	movb $'A', %al
	out %al, $0xe9
	cmpl $MARKER, MARK_VA
	jne fail

	/* Paging off, EFER.LME, 4-level tables, paging on: long mode. */
	mov %cr0, %eax
	and $0x7fffffff, %eax
	mov %eax, %cr0
	mov $pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000000, %eax
	mov %eax, %cr0
	ljmp $CODE64, $lm64

	.code64
lm64:
	movb $'L', %al
	out %al, $0xe9
	mov $MARK_VA, %rax
	cmpl $MARKER, (%rax)
	jne fail64
	/* A second marker, for real mode to find on the way back. */
	mov $LOW_MARK, %rax
	movl $MARKER, (%rax)
	/* Check EFER.LMA says long mode. */
	mov $0xc0000080, %ecx
	rdmsr
	test $0x400, %eax
	jz fail64
	/* Back to a 32-bit (compatibility mode) code segment. */
	lea compat(%rip), %rax
	push $CODE32
	push %rax
	lretq

	.code32
compat:
	movb $'c', %al
	out %al, $0xe9
	/* Leave long mode: paging off (clears LMA), then LME off. */
	mov %cr0, %eax
	and $0x7fffffff, %eax
	mov %eax, %cr0
	mov $0xc0000080, %ecx
	rdmsr
	test $0x400, %eax
	jnz fail
	and $~0x100, %eax
	wrmsr
	mov %cr4, %eax
	and $~0x30, %eax
	mov %eax, %cr4
	movb $'p', %al
	out %al, $0xe9
	cmpl $MARKER, MARK_PA
	jne fail
	/* Down to real mode through a 16-bit protected-mode segment. */
	ljmp $CODE16, $(pm16 - _start)

	.code16
pm16:
	mov $DATA16, %ax
	mov %ax, %ds
	mov %ax, %ss
	mov %cr0, %eax
	and $~1, %eax
	mov %eax, %cr0
	ljmp $0x1000, $(real_again - _start)
real_again:
	mov %cs, %ax
	mov %ax, %ds
	mov %ax, %ss
	mov $0xfff0, %sp
	movb $'r', %al
	out %al, $0xe9
	mov $(LOW_MARK >> 4), %ax
	mov %ax, %es
	cmpl $MARKER, %es:0
	jne fail16
	movb $'\n', %al
	out %al, $0xe9
	mov $0x2a, %al
	out %al, $0xf4
	hlt
fail16:
	mov $0x7f, %al
	out %al, $0xf4
	hlt

	.code64
fail64:
	mov $0x7f, %al
	out %al, $0xf4
	hlt

	.code32
fail:
	mov $0x7f, %al
	out %al, $0xf4
	hlt

	.section .data
	.align 16
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, 32-bit */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: code, 64-bit */
	.quad 0x00009a010000ffff	/* 0x20: code, 16-bit, base 0x10000 */
	.quad 0x000092010000ffff	/* 0x28: data, 16-bit, base 0x10000 */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.align 4096
/* 32-bit: 4 MiB pages; PDE 0 identity, PDE 1 (4 MiB) -> the marker's page. */
pd32:
	.long 0x00000083
	.long 0x00000083
	.fill 1022, 4, 0
/* PAE: PDPTE 0 -> pd_pae; PD: 0 identity, 1 -> 0 (2 MiB), 2 (4 MiB) -> MARK_PA. */
pdpt_pae:
	.quad pd_pae + 1
	.fill 511, 8, 0
pd_pae:
	.quad 0x00000083
	.quad 0x00200083
	.quad MARK_PA + 0x83
	.fill 509, 8, 0
/* Long mode: PML4 0 -> pdpt64 -> the same PD. */
pml4:
	.quad pdpt64 + 3
	.fill 511, 8, 0
pdpt64:
	.quad pd_pae + 3
	.fill 511, 8, 0

	.section .note.GNU-stack, "", @progbits
