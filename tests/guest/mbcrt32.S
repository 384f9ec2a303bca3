/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry of mb32.elf, a multiboot v1 kernel shaped like kvm-unit-tests'
 * .flat files: an ELF32 linked at 4 MiB whose multiboot header has flags
 * 0, so the loader must follow the program headers.  It is entered in
 * 32-bit protected mode with EAX = 0x2badb002 and EBX = the multiboot
 * information, and hands both, and EFLAGS, to mb_main() (mb32.c).
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	mov $stack_top, %esp
	pushf				/* EFLAGS as the loader left them */
	push %ebx
	push %eax
	call mb_main
1:	cli
	hlt
	jmp 1b

/*
 * #GP while the IDT from mb_idt_init() is loaded: note it in gp_count and
 * resume past the 2-byte instruction (RDMSR, WRMSR) that raised it.
 */
	.text
	.globl gp_entry
gp_entry:
	lock incl gp_count
	add $4, %esp			/* the error code */
	addl $2, (%esp)
	iret

/* IRQ 0 from the 8259 (vector 8 as the BIOS set it): count, EOI. */
	.globl tick_entry
tick_entry:
	lock incl tick_count
	push %eax
	mov $0x20, %al
	out %al, $0x20
	pop %eax
	iret

/* IRQ 3 (vector 0x0b), raised through pc-testdev: count, EOI. */
	.globl irq3_entry
irq3_entry:
	lock incl irq3_count
	push %eax
	mov $0x20, %al
	out %al, $0x20
	pop %eax
	iret

/*
 * What an AP runs after SIPI (copied to 0x8000, so CS = 0x0800): leave
 * its CPUID.1:ECX in ap_ecx, count itself in ap_count and halt with
 * interrupts off.
 */
	.globl ap_tramp, ap_tramp_end, ap_count, ap_ecx
	.code16
ap_tramp:
	mov %cs, %ax
	mov %ax, %ds
	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	mov %ecx, ap_ecx - ap_tramp
	lock incw ap_count - ap_tramp
1:	cli
	hlt
	jmp 1b
	.align 4
ap_count:
	.word 0, 0
ap_ecx:
	.long 0
ap_tramp_end:
	.code32

	.section .bss
	.align 16
	.space 8192
stack_top:

	.section .note.GNU-stack, "", @progbits
