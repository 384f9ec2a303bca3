/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * minivisor - a small hosted virtual machine monitor.
 *
 * This header is the whole user ABI of minivisor.ko.  It is shared by the
 * module and by userspace (mvrun, mvctl, the tests) and follows one rule:
 * things are only ever appended.  Structures carry explicit padding and
 * reserved fields that must be zero, so they can grow without breaking old
 * binaries; unknown flag bits are refused with -EINVAL.
 *
 * Two planes
 * ----------
 *
 * Data path: the character device /dev/minivisor.  A VMM opens it and
 * issues ioctls; VM and vCPU objects are anonymous-inode file descriptors,
 * as with /dev/kvm.
 *
 * Control plane: the generic netlink family "minivisor" (MV_GENL_NAME),
 * version MV_GENL_VERSION, with the multicast group "events"
 * (MV_GENL_MCGRP_EVENTS).  Commands and attributes are described below,
 * next to their enums.  Operations that change state need CAP_NET_ADMIN.
 * Every refusal carries an extended-ack message.
 */
#ifndef _UAPI_LINUX_MINIVISOR_H
#define _UAPI_LINUX_MINIVISOR_H

#include <linux/types.h>
#include <linux/ioctl.h>

/**
 * define MV_API_VERSION - version of the ioctl ABI in this header
 *
 * Returned by MV_GET_API_VERSION.  Userspace should refuse to run when the
 * module reports a different value.
 */
#define MV_API_VERSION		1

/** define MV_DEVICE_NAME - name of the misc device under /dev */
#define MV_DEVICE_NAME		"minivisor"

/* ioctl type byte; 0xB9 is unassigned in ioctl-number.rst. */
#define MV_IO			0xB9

/*
 * ioctls on /dev/minivisor
 * ------------------------
 */

/**
 * define MV_GET_API_VERSION - report the ABI version
 *
 * No argument.  Returns MV_API_VERSION (a non-negative int).
 */
#define MV_GET_API_VERSION	_IO(MV_IO, 0x00)

/** define MV_VM_NAME_LEN - room for a VM name, NUL included */
#define MV_VM_NAME_LEN		32

/**
 * struct mv_vm_config - argument of MV_CREATE_VM
 * @mem_size: guest RAM in bytes: guest-physical [0, mem_size).  A multiple
 *	of 4096, at least 64 KiB and at most the max_guest_mem_mb module
 *	parameter.  Pages are allocated on first touch and charged to the VM.
 * @name: NUL-terminated name shown by mvctl (may be empty)
 * @flags: must be 0
 * @share_domain: the page-sharing domain the VM joins (0: the default
 *	domain).  Pages are only ever shared between VMs of one domain.
 * @reserved: must be 0
 */
struct mv_vm_config {
	__u64 mem_size;
	char name[MV_VM_NAME_LEN];
	__u32 flags;
	__u32 share_domain;
	__u32 reserved[6];
};

/**
 * define MV_CREATE_VM - create a VM
 *
 * Argument: struct mv_vm_config.  Returns a new VM file descriptor.  The VM
 * lives until its descriptor and those of its vCPUs are closed, or until an
 * administrator destroys it (MV_CMD_VM_DESTROY); after that every ioctl on
 * its descriptors fails with ENODEV.
 */
#define MV_CREATE_VM		_IOW(MV_IO, 0x01, struct mv_vm_config)

/**
 * define MV_GET_DEFAULT_CPUID - the CPUID table a new vCPU starts with
 *
 * Argument: struct mv_cpuid with @nent set to the room in @entries.
 * Fills the entries and sets @nent; fails with E2BIG (setting @nent to what
 * is needed) when there is not enough room.  The defaults describe the
 * host CPU minus what minivisor does not virtualize (SVM/VMX, XSAVE and AVX,
 * the local APIC, PCID, performance counters, speculation-control MSRs...)
 * plus the hypervisor leaves 0x40000000 ("MiniVisor\0\0\0") and 0x40000001.
 */
#define MV_GET_DEFAULT_CPUID	_IOWR(MV_IO, 0x02, struct mv_cpuid)

/*
 * ioctls on a VM descriptor
 * -------------------------
 */

/**
 * struct mv_guest_mem - argument of MV_READ_GUEST / MV_WRITE_GUEST
 * @gpa: guest-physical address
 * @size: bytes to copy; [gpa, gpa + size) must lie within guest RAM
 * @uaddr: user buffer
 * @flags: must be 0
 */
struct mv_guest_mem {
	__u64 gpa;
	__u64 size;
	__u64 uaddr;
	__u64 flags;
};

/**
 * define MV_WRITE_GUEST - copy from a user buffer into guest memory
 *
 * Pages are allocated as needed; a page shared with others gets a private
 * copy first.  EINVAL for a range outside guest RAM, EFAULT for a bad
 * buffer.
 */
#define MV_WRITE_GUEST		_IOW(MV_IO, 0x10, struct mv_guest_mem)

/**
 * define MV_READ_GUEST - copy guest memory into a user buffer
 *
 * Untouched pages read as zeros and stay unallocated.
 */
#define MV_READ_GUEST		_IOW(MV_IO, 0x11, struct mv_guest_mem)

/** define MV_MAX_VCPUS - most vCPUs per VM */
#define MV_MAX_VCPUS		16

/**
 * define MV_CREATE_VCPU - create a vCPU
 *
 * Argument: the vCPU index (0 to MV_MAX_VCPUS - 1, each at most once).
 * Returns a vCPU file descriptor.  The vCPU starts in real mode at the
 * x86 reset state, with the default CPUID table.  mmap() of the descriptor
 * (offset 0, MV_RUN_SIZE bytes) maps its struct mv_run.
 */
#define MV_CREATE_VCPU		_IO(MV_IO, 0x12)

/**
 * struct mv_vm_stats - argument of MV_GET_VM_STATS
 * @id: the VM's identifier (as in mvctl and netlink)
 * @mem_pages: guest RAM size in pages
 * @pages_used: guest pages the VM uses now (private, shared or zero)
 * @mmu_pages: shadow page-table pages held now
 * @pages_private: guest pages on a page of their own
 * @pages_shared: guest pages mapped to a frame shared by content
 * @pages_zero: guest pages merged into the zero page
 * @cow_breaks: copy-on-write breaks so far
 * @balloon_target: pages the balloon should hold now (the administrator's
 *	or VMM's target plus the pressure policy's)
 * @balloon_pages: pages the guest's balloon holds now
 * @balloon_inflated: pages inflated so far
 * @balloon_deflated: pages deflated so far
 * @reserved: zero
 */
struct mv_vm_stats {
	__u32 id;
	__u32 pad;
	__u64 mem_pages;
	__u64 pages_used;
	__u64 mmu_pages;
	__u64 pages_private;
	__u64 pages_shared;
	__u64 pages_zero;
	__u64 cow_breaks;
	__u64 balloon_target;
	__u64 balloon_pages;
	__u64 balloon_inflated;
	__u64 balloon_deflated;
	__u64 reserved[4];
};

/** define MV_GET_VM_STATS - read the VM's identifier and memory figures */
#define MV_GET_VM_STATS		_IOR(MV_IO, 0x13, struct mv_vm_stats)

/** define MV_BALLOON_RESET - MV_SET_BALLOON: the VMM reset its guest */
#define MV_BALLOON_RESET	0x1

/**
 * struct mv_balloon_target - argument of MV_SET_BALLOON
 * @mem_bytes: the memory the guest should keep, in bytes (a multiple of
 *	4096, at most the VM's size: else -EINVAL, -ERANGE); the balloon
 *	target is the rest
 * @flags: 0, or %MV_BALLOON_RESET when the VMM resets its guest: pages the
 *	old guest inflated become ordinary untouched memory, and the balloon
 *	interrupt is disarmed until the new guest asks for it
 * @reserved: must be 0
 */
struct mv_balloon_target {
	__u64 mem_bytes;
	__u32 flags;
	__u32 reserved[5];
};

/**
 * define MV_SET_BALLOON - set the VM's balloon target (administrator's)
 *
 * The guest's balloon driver learns of it as described at
 * %MV_HC_BALLOON_TARGET.  The same target as %MV_CMD_VM_SET with
 * %MV_A_VM_BALLOON_TARGET over netlink: the last one set wins.
 */
#define MV_SET_BALLOON		_IOW(MV_IO, 0x14, struct mv_balloon_target)

/*
 * The in-kernel interrupt controllers and timer
 * ---------------------------------------------
 *
 * MV_CREATE_IRQCHIP gives the VM what a PC has, emulated in the module so
 * that timer ticks, EOIs and IPIs never go to userspace: a local APIC per
 * vCPU (xAPIC page at the APIC base, default 0xfee00000; x2APIC MSRs
 * 0x800-0x8ff; IA32_APIC_BASE; the timer in one-shot, periodic and
 * TSC-deadline modes), an I/O APIC at 0xfec00000 with 24 pins, two 8259
 * PICs at ports 0x20/0x21 and 0xa0/0xa1 (ELCR at 0x4d0/0x4d1) whose output
 * reaches vCPU 0's LINT0 (ExtINT), and an 8254 PIT at ports 0x40-0x43
 * (port 0x61 gates channel 2 and reads its output).  GSIs 0-15 go to both
 * the PICs and the I/O APIC's pins of the same number (GSI 0, the PIT's,
 * goes to I/O APIC pin 2, as on a PC), GSIs 16-23 to the I/O APIC only.
 *
 * With an irqchip, MV_INTERRUPT answers ENXIO: interrupts come from the
 * devices (MV_IRQ_LINE, MV_SIGNAL_MSI) through the controllers.
 */

/**
 * define MV_CREATE_IRQCHIP - give the VM its interrupt controllers and PIT
 *
 * No argument.  Before any vCPU is created (EBUSY after), once (EEXIST).
 */
#define MV_CREATE_IRQCHIP	_IO(MV_IO, 0x15)

/** define MV_NR_GSIS - interrupt lines of the irqchip (I/O APIC pins) */
#define MV_NR_GSIS		24

/**
 * struct mv_irq_level - argument of MV_IRQ_LINE
 * @gsi: the line, 0 to MV_NR_GSIS - 1
 * @level: 1 to raise, 0 to lower it (an edge is a raise and a lower)
 */
struct mv_irq_level {
	__u32 gsi;
	__u32 level;
};

/** define MV_IRQ_LINE - set a device's interrupt line (VM ioctl; ENXIO without irqchip) */
#define MV_IRQ_LINE		_IOW(MV_IO, 0x16, struct mv_irq_level)

/**
 * struct mv_msi - argument of MV_SIGNAL_MSI
 * @address: the MSI address (0xfeeXXXXX: destination APIC ID in bits
 *	19:12, redirection hint bit 3, destination mode bit 2)
 * @data: the MSI data (vector bits 7:0, delivery mode bits 10:8, level
 *	bit 14, trigger mode bit 15)
 * @flags: must be 0
 * @pad: zero
 *
 * Returns 0 when delivered, EINVAL for a bad address or delivery mode.
 */
struct mv_msi {
	__u64 address;
	__u32 data;
	__u32 flags;
	__u32 pad[4];
};

/** define MV_SIGNAL_MSI - deliver a message-signalled interrupt (VM ioctl) */
#define MV_SIGNAL_MSI		_IOW(MV_IO, 0x17, struct mv_msi)

/** define MV_IRQCHIP_PIC_MASTER - MV_GET/SET_IRQCHIP: the master 8259 */
#define MV_IRQCHIP_PIC_MASTER	0
/** define MV_IRQCHIP_PIC_SLAVE - MV_GET/SET_IRQCHIP: the slave 8259 */
#define MV_IRQCHIP_PIC_SLAVE	1
/** define MV_IRQCHIP_IOAPIC - MV_GET/SET_IRQCHIP: the I/O APIC */
#define MV_IRQCHIP_IOAPIC	2

/**
 * struct mv_pic_state - one 8259
 * @irr: interrupt request register
 * @isr: in-service register
 * @imr: interrupt mask register
 * @elcr: edge/level control (1: level)
 * @vector_base: ICW2 (vectors are vector_base + irq)
 * @icw_step: 0 when initialized; else the ICW expected next (2, 3, 4)
 * @icw4: ICW4 expected (ICW1 bit 0)
 * @auto_eoi: ICW4 AEOI
 * @read_isr: OCW3 selects ISR (1) or IRR (0) for reads of the command port
 * @special_mask: OCW3 special mask mode
 * @poll: OCW3 poll command pending
 * @rotate_on_aeoi: OCW2 rotate in automatic EOI mode
 * @priority_add: the lowest-priority IRQ is priority_add - 1 (rotation)
 * @special_fully_nested: ICW4 SFNM
 * @last_irr: line levels, for edge detection
 * @pad: zero
 */
struct mv_pic_state {
	__u8 irr, isr, imr, elcr;
	__u8 vector_base, icw_step, icw4, auto_eoi;
	__u8 read_isr, special_mask, poll, rotate_on_aeoi;
	__u8 priority_add, special_fully_nested, last_irr, pad;
};

/**
 * struct mv_ioapic_state - the I/O APIC
 * @base: its MMIO base (0xfec00000)
 * @id: IOAPICID
 * @ioregsel: the register selected
 * @irr: the pins whose line is asserted, a bit per pin
 * @redir: the redirection table, one 64-bit entry per pin (remote IRR is
 *	bit 14)
 * @pad: zero
 */
struct mv_ioapic_state {
	__u64 base;
	__u32 id;
	__u32 ioregsel;
	__u32 irr;
	__u32 pad;
	__u64 redir[MV_NR_GSIS];
};

/**
 * struct mv_irqchip_state - argument of MV_GET_IRQCHIP / MV_SET_IRQCHIP
 * @chip_id: MV_IRQCHIP_PIC_MASTER, _PIC_SLAVE or _IOAPIC
 * @pad: zero
 * @pic: for a PIC
 * @ioapic: for the I/O APIC
 * @raw: room; SET refuses nonzero bytes past the chip's state
 */
struct mv_irqchip_state {
	__u32 chip_id;
	__u32 pad;
	union {
		struct mv_pic_state pic;
		struct mv_ioapic_state ioapic;
		__u8 raw[512];
	};
};

/** define MV_GET_IRQCHIP - read a controller's state (VM ioctl) */
#define MV_GET_IRQCHIP		_IOWR(MV_IO, 0x18, struct mv_irqchip_state)
/** define MV_SET_IRQCHIP - load a controller's state (VM ioctl) */
#define MV_SET_IRQCHIP		_IOW(MV_IO, 0x19, struct mv_irqchip_state)

/**
 * struct mv_pit_channel - one 8254 channel
 * @count: the initial count (0 means 65536)
 * @latched_count: the count latched by a counter-latch command
 * @count_latched: the latch holds a value (1: LSB/MSB, 2: LSB, 3: MSB ...)
 * @status_latched: a read-back status is latched
 * @status: that status
 * @read_state: which byte a read returns next
 * @write_state: which byte a write sets next
 * @write_latch: the LSB written, waiting for the MSB
 * @rw_mode: 1 LSB, 2 MSB, 3 LSB then MSB
 * @mode: 0 to 5
 * @bcd: counts in BCD (refused: 0 only)
 * @gate: the gate input (channel 2: port 0x61 bit 0)
 * @pad: zero
 * @count_load_time: guest nanoseconds (CLOCK_MONOTONIC of the host) when
 *	the count was loaded; the current count follows from it
 */
struct mv_pit_channel {
	__u32 count;
	__u16 latched_count;
	__u8 count_latched, status_latched, status;
	__u8 read_state, write_state, write_latch;
	__u8 rw_mode, mode, bcd, gate;
	__u8 pad[4];
	__s64 count_load_time;
};

/**
 * struct mv_pit_state - argument of MV_GET_PIT / MV_SET_PIT
 * @channels: the three channels
 * @speaker: port 0x61's speaker-data bit (1)
 * @pad: zero
 */
struct mv_pit_state {
	struct mv_pit_channel channels[3];
	__u32 speaker;
	__u32 pad[7];
};

/** define MV_GET_PIT - read the PIT's state (VM ioctl) */
#define MV_GET_PIT		_IOR(MV_IO, 0x1a, struct mv_pit_state)
/** define MV_SET_PIT - load the PIT's state (VM ioctl) */
#define MV_SET_PIT		_IOW(MV_IO, 0x1b, struct mv_pit_state)

/*
 * ioctls on a vCPU descriptor
 * ---------------------------
 */

/**
 * define MV_RUN - run the vCPU until it needs userspace
 *
 * Returns 0 with the reason in struct mv_run's @exit_reason, or -1 with
 * errno: EINTR when a signal is pending (exit_reason MV_EXIT_INTR; the
 * guest resumes where it was on the next MV_RUN), ENODEV when the VM was
 * destroyed, EIO when the VM crashed earlier, ENOMEM when the host could
 * not back guest memory.  A paused VM (MV_CMD_VM_PAUSE) blocks in MV_RUN
 * until resumed; signals still interrupt it.
 */
#define MV_RUN			_IO(MV_IO, 0x20)

/**
 * struct mv_regs - general registers (MV_GET_REGS / MV_SET_REGS)
 * @rax: RAX
 * @rbx: RBX
 * @rcx: RCX
 * @rdx: RDX
 * @rsi: RSI
 * @rdi: RDI
 * @rsp: RSP
 * @rbp: RBP
 * @r8: R8
 * @r9: R9
 * @r10: R10
 * @r11: R11
 * @r12: R12
 * @r13: R13
 * @r14: R14
 * @r15: R15
 * @rip: RIP
 * @rflags: RFLAGS; bit 1 must be set, reserved bits and VM must be clear
 */
struct mv_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

/*
 * MV_SET_REGS after an MV_EXIT_IO (IN) or MV_EXIT_MMIO (read) exit abandons
 * that instruction: the next MV_RUN starts at the new RIP.
 */
#define MV_GET_REGS		_IOR(MV_IO, 0x21, struct mv_regs)
#define MV_SET_REGS		_IOW(MV_IO, 0x22, struct mv_regs)

/**
 * struct mv_segment - a segment register with its hidden part
 * @base: base address
 * @limit: limit in bytes (already scaled by granularity)
 * @selector: selector
 * @type: descriptor type (4 bits)
 * @s: 1 for code/data, 0 for system
 * @dpl: descriptor privilege level
 * @present: P bit
 * @avl: AVL bit
 * @l: 64-bit code segment
 * @db: default operation size
 * @g: granularity
 * @unusable: 1 for a null/unusable segment
 * @pad: zero
 */
struct mv_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8 type, s, dpl, present, avl, l, db, g, unusable, pad;
};

/**
 * struct mv_dtable - GDTR or IDTR
 * @base: base address
 * @limit: limit
 * @pad: zero
 */
struct mv_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];
};

/**
 * struct mv_sregs - segment and control registers (MV_GET_SREGS/SET_SREGS)
 * @cs: CS
 * @ds: DS
 * @es: ES
 * @fs: FS
 * @gs: GS
 * @ss: SS
 * @tr: TR
 * @ldt: LDTR
 * @gdt: GDTR
 * @idt: IDTR
 * @cr0: CR0 as the guest sees it
 * @cr2: CR2
 * @cr3: CR3 as the guest sees it
 * @cr4: CR4 as the guest sees it
 * @efer: EFER as the guest sees it
 * @reserved: zero
 *
 * MV_SET_SREGS refuses (EINVAL) what the architecture forbids: reserved
 * bits in CR0/CR4/EFER, CR0.PG without CR0.PE, CR0.NW without CR0.CD,
 * EFER.LMA that disagrees with EFER.LME and CR0.PG, long mode without
 * CR4.PAE, and features the vCPU's CPUID does not offer.
 */
struct mv_sregs {
	struct mv_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct mv_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, efer;
	__u64 reserved[8];
};

#define MV_GET_SREGS		_IOR(MV_IO, 0x23, struct mv_sregs)
#define MV_SET_SREGS		_IOW(MV_IO, 0x24, struct mv_sregs)

/**
 * struct mv_interrupt - argument of MV_INTERRUPT
 * @vector: interrupt vector, 32 to 255
 * @pad: zero
 */
struct mv_interrupt {
	__u32 vector;
	__u32 pad;
};

/**
 * define MV_INTERRUPT - raise an external interrupt
 *
 * Delivered as soon as the guest can take it (RFLAGS.IF set, no interrupt
 * shadow); wakes a vCPU halted with interrupts enabled.  One interrupt can
 * be pending at a time: EBUSY while one is.  May be called from any thread.
 */
#define MV_INTERRUPT		_IOW(MV_IO, 0x25, struct mv_interrupt)

/**
 * struct mv_exception - argument of MV_INJECT_EXCEPTION
 * @vector: exception vector, 0 to 31 (not 2, NMI; not reserved vectors)
 * @has_error_code: 1 to push @error_code
 * @error_code: the error code
 * @cr2: for #PF (vector 14): the faulting address the guest sees in CR2
 */
struct mv_exception {
	__u32 vector;
	__u32 has_error_code;
	__u32 error_code;
	__u32 pad;
	__u64 cr2;
};

/** define MV_INJECT_EXCEPTION - deliver an exception on the next entry */
#define MV_INJECT_EXCEPTION	_IOW(MV_IO, 0x26, struct mv_exception)

/**
 * struct mv_cpuid_entry - one CPUID leaf
 * @function: EAX input
 * @index: ECX input (subleaf), used when @flags has MV_CPUID_INDEXED
 * @flags: MV_CPUID_INDEXED or 0
 * @eax: output EAX
 * @ebx: output EBX
 * @ecx: output ECX
 * @edx: output EDX
 * @pad: zero
 */
struct mv_cpuid_entry {
	__u32 function, index, flags;
	__u32 eax, ebx, ecx, edx;
	__u32 pad;
};

#define MV_CPUID_INDEXED	0x1

/** define MV_CPUID_MAX_ENTRIES - most entries in a CPUID table */
#define MV_CPUID_MAX_ENTRIES	128

/**
 * struct mv_cpuid - a CPUID table
 * @nent: number of entries
 * @pad: zero
 * @entries: the entries
 *
 * A leaf missing from the table reads as all zeros.
 */
struct mv_cpuid {
	__u32 nent;
	__u32 pad;
	struct mv_cpuid_entry entries[];
};

/**
 * define MV_SET_CPUID - replace the vCPU's CPUID table
 *
 * Checked in this order: a non-zero header pad is refused (EINVAL), more
 * than MV_CPUID_MAX_ENTRIES entries too (E2BIG), then an entry with flags
 * other than MV_CPUID_INDEXED or a non-zero pad (EINVAL).  The shadow MMU honours the paging
 * features (PSE, PAE, PGE, NX, SMEP, SMAP, 1 GiB pages) exactly as far as
 * the table advertises them.
 */
#define MV_SET_CPUID		_IOW(MV_IO, 0x27, struct mv_cpuid)
/** define MV_GET_CPUID - read the vCPU's CPUID table (like MV_GET_DEFAULT_CPUID) */
#define MV_GET_CPUID		_IOWR(MV_IO, 0x28, struct mv_cpuid)

/** define MV_LAPIC_SIZE - the local APIC's register page, as saved */
#define MV_LAPIC_SIZE		1024

/**
 * struct mv_lapic_state - argument of MV_GET_LAPIC / MV_SET_LAPIC
 * @regs: the xAPIC register page's first 1 KiB, as the guest would read it
 *	in xAPIC mode (ID in bits 31:24 of 0x20); TMCCT is the current
 *	count; SET recomputes PPR and restarts the timer from TMICT
 */
struct mv_lapic_state {
	__u8 regs[MV_LAPIC_SIZE];
};

/** define MV_GET_LAPIC - read the vCPU's local APIC (ENXIO without irqchip) */
#define MV_GET_LAPIC		_IOR(MV_IO, 0x29, struct mv_lapic_state)
/** define MV_SET_LAPIC - load the vCPU's local APIC */
#define MV_SET_LAPIC		_IOW(MV_IO, 0x2a, struct mv_lapic_state)

/*
 * struct mv_run: the shared page of a vCPU
 * ----------------------------------------
 */

/**
 * enum mv_exit_reason - why MV_RUN returned
 * @MV_EXIT_NONE: not yet run
 * @MV_EXIT_IO: port I/O; see @io.  For IN, put the data at @data_offset
 *	before the next MV_RUN, which completes the instruction.
 * @MV_EXIT_MMIO: access to guest-physical memory outside RAM; see @mmio.
 *	For a read, fill @mmio.data before the next MV_RUN.
 * @MV_EXIT_HLT: HLT with interrupts disabled: nothing can wake the vCPU.
 *	(HLT with interrupts enabled sleeps in the kernel until MV_INTERRUPT
 *	or a signal.)  RIP is past the HLT.
 * @MV_EXIT_SHUTDOWN: the guest triple-faulted or caused a shutdown; the VM
 *	is marked crashed and further MV_RUN fail with EIO.  See @shutdown.
 * @MV_EXIT_INTERNAL_ERROR: minivisor could not handle an exit: an
 *	instruction it cannot emulate touched MMIO, or the hardware reported
 *	an unexpected exit code.  See @internal.
 * @MV_EXIT_INTR: MV_RUN returned because a signal is pending
 */
enum mv_exit_reason {
	MV_EXIT_NONE,
	MV_EXIT_IO,
	MV_EXIT_MMIO,
	MV_EXIT_HLT,
	MV_EXIT_SHUTDOWN,
	MV_EXIT_INTERNAL_ERROR,
	MV_EXIT_INTR,
};

#define MV_IO_IN		0
#define MV_IO_OUT		1

/**
 * enum mv_shutdown_reason - what @shutdown.reason says
 * @MV_SHUTDOWN_TRIPLE_FAULT: a fault while delivering a double fault
 * @MV_SHUTDOWN_INVALID_STATE: the hardware refused the guest state
 */
enum mv_shutdown_reason {
	MV_SHUTDOWN_TRIPLE_FAULT = 1,
	MV_SHUTDOWN_INVALID_STATE,
};

/**
 * enum mv_internal_error - what @internal.suberror says
 * @MV_INTERNAL_EMULATION: an instruction touching MMIO could not be
 *	emulated; data[0] = RIP, data[1..2] = up to 15 instruction bytes
 *	(little-endian), data[3] = the guest-physical address
 * @MV_INTERNAL_UNEXPECTED_EXIT: the hardware exit code in data[0] is not
 *	one minivisor handles; data[1], data[2] = exit information
 * @MV_INTERNAL_DELIVERY: an event could not be delivered; data[0] = the
 *	address
 * @MV_INTERNAL_PAGE_TABLE: a guest page table lies outside guest RAM;
 *	data[0] = the linear address being translated, data[1] = the
 *	table entry's guest-physical address
 */
enum mv_internal_error {
	MV_INTERNAL_EMULATION = 1,
	MV_INTERNAL_UNEXPECTED_EXIT,
	MV_INTERNAL_DELIVERY,
	MV_INTERNAL_PAGE_TABLE,
};

/**
 * struct mv_run - mmap()ed from a vCPU descriptor
 * @exit_reason: &enum mv_exit_reason
 * @if_flag: guest RFLAGS.IF at the exit
 * @interrupt_pending: an MV_INTERRUPT is still waiting for delivery
 * @pad: zero
 * @io: for MV_EXIT_IO: @direction (MV_IO_IN/OUT), @size (1, 2 or 4), @port,
 *	@count (elements; more than one for string instructions), and
 *	@data_offset, the byte offset within this page of count * size bytes
 *	of data
 * @mmio: for MV_EXIT_MMIO: guest-physical @gpa, @len (1, 2, 4 or 8),
 *	@is_write, and @data (written value, or room for the read value)
 * @shutdown: for MV_EXIT_SHUTDOWN: @reason (&enum mv_shutdown_reason)
 * @internal: for MV_EXIT_INTERNAL_ERROR: @suberror (&enum
 *	mv_internal_error), @ndata valid words of @data
 * @padding: reserves room for future exit kinds
 */
struct mv_run {
	__u32 exit_reason;
	__u8 if_flag;
	__u8 interrupt_pending;
	__u16 pad;
	union {
		struct {
			__u8 direction;
			__u8 size;
			__u16 port;
			__u32 count;
			__u64 data_offset;
		} io;
		struct {
			__u64 gpa;
			__u8 data[8];
			__u32 len;
			__u8 is_write;
			__u8 pad[3];
		} mmio;
		struct {
			__u32 reason;
			__u32 pad;
		} shutdown;
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 data[8];
		} internal;
		char padding[256];
	};
};

/** define MV_RUN_SIZE - bytes to mmap() from a vCPU descriptor */
#define MV_RUN_SIZE		4096
/** define MV_RUN_IO_DATA_OFFSET - where port I/O data lives in struct mv_run */
#define MV_RUN_IO_DATA_OFFSET	1024

/*
 * Hypercalls
 * ----------
 *
 * VMMCALL (AMD's) or VMCALL (Intel's) with RAX = number and RBX, RCX,
 * RDX, RSI = arguments; the result comes back in RAX, a negative errno on
 * failure.  Both instructions work on both vendors' hardware, so a guest
 * need not know which it runs on.  Only CPL 0 may call (-EPERM
 * otherwise); an unknown number returns -ENOSYS.
 */

/** define MV_HC_ENOSYS - the errno (ENOSYS) an unknown hypercall returns, negated */
#define MV_HC_ENOSYS		38

/** define MV_HC_PING - returns RBX + 1; for tests and benchmarks */
#define MV_HC_PING		0x1000
/** define MV_HC_API_VERSION - returns MV_API_VERSION */
#define MV_HC_API_VERSION	0x1001

/*
 * The balloon
 * -----------
 *
 * A guest gives memory back by "inflating" its balloon: it picks pages it
 * does not use, writes their guest frame numbers (gfns) into a list page
 * and hands the list to %MV_HC_BALLOON_INFLATE.  The host frees those
 * pages at once (their contents are gone) and never shares them.  To use
 * them again the guest "deflates" them (%MV_HC_BALLOON_DEFLATE); they come
 * back as zeroed pages on first touch.  A gfn that is touched while it is
 * inflated (by the guest, or by the VMM writing it) comes back too
 * (zeroed), and leaves the balloon.
 *
 * The target: %MV_HC_BALLOON_TARGET returns how many pages the balloon
 * should hold: what an administrator (netlink) or the VMM (%MV_SET_BALLOON)
 * set, plus what the host's pressure policy asks for.  The guest is told
 * of a change by an interrupt on the vector it gave to
 * %MV_HC_BALLOON_TARGET (injected into vCPU 0 when its interrupts are
 * enabled); without one it must call %MV_HC_BALLOON_TARGET again to
 * notice.  Whenever the balloon holds its target after an inflate, a
 * deflate or a change of target, a %MV_CMD_EVENT_BALLOON_TARGET_REACHED
 * event goes out (once per target).
 */

/**
 * define MV_HC_BALLOON_TARGET - the balloon's target, in pages
 *
 * RBX: the interrupt vector (32 to 255) to raise on vCPU 0 when the target
 * changes, or 0 for none.  Returns the target (>= 0), or -EINVAL for a bad
 * vector.
 */
#define MV_HC_BALLOON_TARGET	0x1100
/**
 * define MV_HC_BALLOON_INFLATE - give pages back
 *
 * RBX: guest-physical address of a list of __u64 gfns (4096-aligned, in
 * RAM); RCX: how many (1 to %MV_BALLOON_BATCH).  Entries are taken in
 * order, until one is refused: outside RAM, or already inflated (a gfn
 * twice in one list is refused the second time).  Returns the number
 * taken, or -EINVAL if the list or its first entry is bad (-ENOMEM if
 * the host cannot even read the list).
 */
#define MV_HC_BALLOON_INFLATE	0x1101
/**
 * define MV_HC_BALLOON_DEFLATE - take pages back
 *
 * Like %MV_HC_BALLOON_INFLATE; every entry must be an inflated gfn.
 */
#define MV_HC_BALLOON_DEFLATE	0x1102
/**
 * define MV_HC_BALLOON_STATS - the guest's own memory figures
 *
 * RBX: free pages, RCX: available pages (free plus easily reclaimed), as
 * the guest sees them; each at most the VM's size (else -EINVAL).  Shown
 * by mvctl.  Returns 0.
 */
#define MV_HC_BALLOON_STATS	0x1103

/** define MV_BALLOON_BATCH - most gfns in one inflate or deflate list */
#define MV_BALLOON_BATCH	512

/*
 * Generic netlink
 * ---------------
 *
 * Each command refuses every attribute it does not take with -EINVAL and
 * an extack message that says what it takes (the extack offset points at
 * the attribute); unknown attribute types and malformed values are
 * refused as well.  A dump of %MV_CMD_GET_VM takes no attribute.
 */

/** define MV_GENL_NAME - name of the generic netlink family */
#define MV_GENL_NAME		"minivisor"
/** define MV_GENL_VERSION - version of the generic netlink family */
#define MV_GENL_VERSION		1
/** define MV_GENL_MCGRP_EVENTS - name of the event multicast group */
#define MV_GENL_MCGRP_EVENTS	"events"

/**
 * enum mv_cmd - generic netlink commands
 * @MV_CMD_UNSPEC: unused
 * @MV_CMD_GET_INFO: module-wide information.  Request: no attributes.
 *	Reply: %MV_A_MODULE_VERSION, %MV_A_API_VERSION, %MV_A_BACKEND,
 *	%MV_A_FEATURES, %MV_A_NR_ASIDS, %MV_A_NR_VMS, %MV_A_MAX_VMS,
 *	%MV_A_GUEST_PAGES, %MV_A_MMU_PAGES, %MV_A_FOREIGN_FLUSHES.
 * @MV_CMD_GET_VM: VM state.  As a dump (NLM_F_DUMP, no attributes) one
 *	message per VM; as a do request %MV_A_VM_ID selects one VM.  Each
 *	reply message carries the %MV_A_VM_* attributes of one VM.  The dump
 *	is empty while no VM exists.
 * @MV_CMD_VM_PAUSE: stop running the VM's vCPUs until resumed
 *	(%MV_A_VM_ID; CAP_NET_ADMIN).  Their MV_RUN calls block.
 * @MV_CMD_VM_RESUME: undo MV_CMD_VM_PAUSE (%MV_A_VM_ID; CAP_NET_ADMIN)
 * @MV_CMD_VM_DESTROY: destroy the VM now (%MV_A_VM_ID; CAP_NET_ADMIN): its
 *	vCPUs leave the guest, its memory goes back to the host, and its
 *	VMM's next ioctl fails with ENODEV.
 * @MV_CMD_EVENT_VM_CREATED: event: a VM was created (the %MV_A_VM_*
 *	attributes of the VM)
 * @MV_CMD_EVENT_VM_DESTROYED: event: a VM is gone, closed by its VMM or
 *	destroyed by an administrator (%MV_A_VM_ID, %MV_A_VM_NAME,
 *	%MV_A_VM_PID)
 * @MV_CMD_EVENT_VM_CRASHED: event: a guest triple-faulted or shut down
 *	(%MV_A_VM_ID, %MV_A_VM_NAME, %MV_A_VM_PID, %MV_A_VM_CRASH_REASON)
 * @MV_CMD_GET_SHARE: page sharing: settings, counters and domain policies.
 *	Request: no attributes.  Reply: the %MV_A_SHARE_* attributes.
 * @MV_CMD_SET_SHARE: change page sharing (CAP_NET_ADMIN); any of
 *	%MV_A_SHARE_ENABLED, %MV_A_SHARE_SCAN_PAGES,
 *	%MV_A_SHARE_SCAN_INTERVAL_MS, and %MV_A_SHARE_DOMAIN_ID with
 *	%MV_A_SHARE_DOMAIN_POLICY.  Turning the scanner off keeps what is
 *	shared; lowering a domain's policy breaks the sharing it no longer
 *	allows at once.  At most %MV_SHARE_MAX_POLICIES domains may have a
 *	policy other than %MV_SHARE_ALL (-ENOSPC).
 * @MV_CMD_VM_SET: change a VM (%MV_A_VM_ID; CAP_NET_ADMIN): its sharing
 *	domain (%MV_A_VM_SHARE_DOMAIN; its shared pages become private),
 *	and/or its balloon target (%MV_A_VM_BALLOON_TARGET).
 * @MV_CMD_EVENT_SCAN_DONE: event: the scanner finished a pass over all
 *	guest memory (the %MV_A_SHARE_* counters); at most one a second
 * @MV_CMD_EVENT_BALLOON_TARGET_REACHED: event: a VM's balloon reached its
 *	target (the VM's attributes, %MV_A_VM_BALLOON_*)
 * @MV_CMD_GET_BALLOON: the pressure policy: its settings and what it did.
 *	Request: no attributes.  Reply: the %MV_A_BALLOON_* attributes.
 * @MV_CMD_SET_BALLOON: change the pressure policy (CAP_NET_ADMIN): any of
 *	%MV_A_BALLOON_AUTO, %MV_A_BALLOON_TAX_PCT, %MV_A_BALLOON_FLOOR_PCT,
 *	%MV_A_BALLOON_FREE_TARGET_MB.  Switching it off gives back what it
 *	took, as the pressure going would.
 * @__MV_CMD_MAX: internal
 * @MV_CMD_MAX: highest command number
 */
enum mv_cmd {
	MV_CMD_UNSPEC,
	MV_CMD_GET_INFO,
	MV_CMD_GET_VM,
	MV_CMD_VM_PAUSE,
	MV_CMD_VM_RESUME,
	MV_CMD_VM_DESTROY,
	MV_CMD_EVENT_VM_CREATED,
	MV_CMD_EVENT_VM_DESTROYED,
	MV_CMD_EVENT_VM_CRASHED,
	MV_CMD_GET_SHARE,
	MV_CMD_SET_SHARE,
	MV_CMD_VM_SET,
	MV_CMD_EVENT_SCAN_DONE,
	MV_CMD_EVENT_BALLOON_TARGET_REACHED,
	MV_CMD_GET_BALLOON,
	MV_CMD_SET_BALLOON,
	__MV_CMD_MAX
};

#define MV_CMD_MAX (__MV_CMD_MAX - 1)

/**
 * enum mv_backend - virtualization backend in use
 * @MV_BACKEND_NONE: none (never reported by a loaded module)
 * @MV_BACKEND_SVM: AMD-V (SVM)
 * @MV_BACKEND_VMX: Intel VT-x (VMX)
 */
enum mv_backend {
	MV_BACKEND_NONE,
	MV_BACKEND_SVM,
	MV_BACKEND_VMX,
};

/**
 * enum mv_feature - bit numbers in %MV_A_FEATURES
 * @MV_FEAT_NPT: nested/extended page tables (AMD NPT, Intel EPT)
 * @MV_FEAT_NRIPS: SVM saves the next instruction pointer on intercepts
 * @MV_FEAT_DECODE_ASSISTS: SVM decode assists
 * @MV_FEAT_VMCB_CLEAN: SVM VMCB clean bits
 * @MV_FEAT_FLUSH_BY_ASID: SVM TLB flush by ASID
 * @MV_FEAT_VGIF: SVM virtual GIF
 * @MV_FEAT_PAUSE_FILTER: SVM pause filter / VMX PAUSE-loop exiting
 * @MV_FEAT_AVIC: AMD AVIC / Intel APIC virtualization
 * @MV_FEAT_VPID: Intel VPID
 * @MV_FEAT_UNRESTRICTED_GUEST: Intel unrestricted guest
 * @MV_FEAT_LBR_VIRT: SVM LBR virtualization
 * @__MV_FEAT_COUNT: number of defined bits
 */
enum mv_feature {
	MV_FEAT_NPT,
	MV_FEAT_NRIPS,
	MV_FEAT_DECODE_ASSISTS,
	MV_FEAT_VMCB_CLEAN,
	MV_FEAT_FLUSH_BY_ASID,
	MV_FEAT_VGIF,
	MV_FEAT_PAUSE_FILTER,
	MV_FEAT_AVIC,
	MV_FEAT_VPID,
	MV_FEAT_UNRESTRICTED_GUEST,
	MV_FEAT_LBR_VIRT,
	__MV_FEAT_COUNT
};

/**
 * enum mv_vm_state - %MV_A_VM_STATE values
 * @MV_VM_RUNNING: runnable (its vCPUs run when its VMM calls MV_RUN)
 * @MV_VM_PAUSED: paused by an administrator
 * @MV_VM_CRASHED: the guest triple-faulted or shut down
 * @MV_VM_DESTROYED: destroyed; only seen in events
 */
enum mv_vm_state {
	MV_VM_RUNNING,
	MV_VM_PAUSED,
	MV_VM_CRASHED,
	MV_VM_DESTROYED,
};

/**
 * enum mv_exit_stat - exit counters, nested in %MV_A_VM_EXITS
 *
 * Each counter is a u64 attribute whose type is its value here plus one.
 *
 * @MV_STAT_IO: port I/O
 * @MV_STAT_MMIO: MMIO emulated and sent to userspace
 * @MV_STAT_CPUID: CPUID
 * @MV_STAT_MSR: RDMSR/WRMSR
 * @MV_STAT_HLT: HLT
 * @MV_STAT_HYPERCALL: VMMCALL
 * @MV_STAT_PAGE_FAULT: shadow page faults (filled, or reflected to the guest)
 * @MV_STAT_EXCEPTION: other intercepted exceptions
 * @MV_STAT_CR: control-register accesses
 * @MV_STAT_INVLPG: INVLPG
 * @MV_STAT_HOST_INTR: host interrupts and NMIs that stopped the guest
 * @MV_STAT_INTR_WINDOW: waits for the guest to accept an interrupt
 * @MV_STAT_SHUTDOWN: shutdowns (triple faults)
 * @MV_STAT_OTHER: everything else (INVD, WBINVD, DR access, ...)
 * @__MV_STAT_COUNT: number of counters
 */
enum mv_exit_stat {
	MV_STAT_IO,
	MV_STAT_MMIO,
	MV_STAT_CPUID,
	MV_STAT_MSR,
	MV_STAT_HLT,
	MV_STAT_HYPERCALL,
	MV_STAT_PAGE_FAULT,
	MV_STAT_EXCEPTION,
	MV_STAT_CR,
	MV_STAT_INVLPG,
	MV_STAT_HOST_INTR,
	MV_STAT_INTR_WINDOW,
	MV_STAT_SHUTDOWN,
	MV_STAT_OTHER,
	__MV_STAT_COUNT
};

/**
 * enum mv_share_policy - what a sharing domain allows
 * @MV_SHARE_ALL: identical pages are shared (the default)
 * @MV_SHARE_ZERO_ONLY: only all-zero pages are merged (into the zero page);
 *	no side channel through content shared between VMs
 * @MV_SHARE_OFF: nothing is shared
 */
enum mv_share_policy {
	MV_SHARE_ALL,
	MV_SHARE_ZERO_ONLY,
	MV_SHARE_OFF,
};

/** define MV_SHARE_MAX_SCAN_PAGES - most pages per scanner pass */
#define MV_SHARE_MAX_SCAN_PAGES		1048576
/** define MV_SHARE_MAX_INTERVAL_MS - longest pause between scanner passes */
#define MV_SHARE_MAX_INTERVAL_MS	60000
/** define MV_SHARE_MAX_POLICIES - most domains with a policy other than all */
#define MV_SHARE_MAX_POLICIES		128

/**
 * enum mv_attr - generic netlink attributes
 * @MV_A_UNSPEC: unused
 * @MV_A_MODULE_VERSION: string, module version ("0.1.0")
 * @MV_A_API_VERSION: u32, MV_API_VERSION of the module
 * @MV_A_BACKEND: u32, &enum mv_backend
 * @MV_A_FEATURES: u64, bit set of &enum mv_feature the CPU offers
 * @MV_A_NR_ASIDS: u32, address-space identifiers the CPU offers (SVM ASIDs
 *	or VMX VPIDs, not counting the host's)
 * @MV_A_NR_VMS: u32, VMs that exist now
 * @MV_A_MAX_VMS: u32, the max_vms module parameter
 * @MV_A_VM_ID: u32, VM identifier (unique while the module is loaded)
 * @MV_A_VM_NAME: string, VM name
 * @MV_A_VM_PID: u32, process (thread group) that created the VM
 * @MV_A_VM_MEM_SIZE: u64, guest RAM in bytes
 * @MV_A_VM_PAGES: u64, guest pages backed by host memory
 * @MV_A_VM_VCPUS: u32, vCPUs created
 * @MV_A_VM_STATE: u32, &enum mv_vm_state
 * @MV_A_VM_EXITS: nest of &enum mv_exit_stat counters (type = stat + 1)
 * @MV_A_VM_MMU_PAGES: u64, shadow page-table pages held
 * @MV_A_VM_CRASH_REASON: string, why the guest crashed
 * @MV_A_GUEST_PAGES: u64, guest pages all VMs hold
 * @MV_A_MMU_PAGES: u64, shadow page-table pages all VMs hold
 * @MV_A_VM_COMM: string, command name of the creating process
 * @MV_A_FOREIGN_FLUSHES: u64, world switches made while another hypervisor
 *	(kvm_amd) had SVM switched on; each flushed minivisor's ASID on the
 *	way out so that hypervisor never sees minivisor's translations
 * @MV_A_VM_SHARE_DOMAIN: u32, the VM's sharing domain
 * @MV_A_VM_PAGES_SHARED: u64, the VM's guest pages mapped to a shared frame
 * @MV_A_VM_PAGES_ZERO: u64, the VM's guest pages merged into the zero page
 * @MV_A_VM_COW_BREAKS: u64, the VM's copy-on-write breaks
 * @MV_A_SHARE_ENABLED: u8, the scanner runs
 * @MV_A_SHARE_SCAN_PAGES: u32, pages scanned per pass (1 to 1048576)
 * @MV_A_SHARE_SCAN_INTERVAL_MS: u32, milliseconds between passes
 *	(1 to 60000)
 * @MV_A_SHARE_FRAMES: u64, shared frames with two users or more
 * @MV_A_SHARE_SHARING: u64, guest pages mapped to those frames
 * @MV_A_SHARE_SAVED: u64, host pages saved: guest pages sharing a frame
 *	beyond its first user, plus guest pages merged into the zero page
 * @MV_A_SHARE_ZERO: u64, guest pages merged into the zero page now
 * @MV_A_SHARE_ZERO_MERGES: u64, zero-page merges so far
 * @MV_A_SHARE_MERGES: u64, merges into shared frames so far
 * @MV_A_SHARE_COW_BREAKS: u64, copy-on-write breaks so far
 * @MV_A_SHARE_VOLATILE: u64, candidates that changed between two looks
 * @MV_A_SHARE_UNSHARED: u64, candidates waiting for a twin (hint entries)
 * @MV_A_SHARE_FULL_SCANS: u64, passes over all guest memory completed
 *	(passes while no VM has memory do not count)
 * @MV_A_SHARE_SCANNED: u64, backed guest pages the scanner looked at so far
 * @MV_A_SHARE_CPU_NS: u64, CPU time the scanner used, in ns
 * @MV_A_SHARE_COLLISIONS: u64, equal hashes with different content
 * @MV_A_SHARE_GUEST_PAGES: u64, guest memory in use: pages of all VMs that
 *	are backed (private, shared or zero)
 * @MV_A_SHARE_HOST_PAGES: u64, host pages holding guest memory (private
 *	pages plus shared frames)
 * @MV_A_SHARE_DOMAINS: nest: the domains with a policy other than
 *	%MV_SHARE_ALL, one nest each (numbered from 1) holding
 *	%MV_A_SHARE_DOMAIN_ID and %MV_A_SHARE_DOMAIN_POLICY
 * @MV_A_SHARE_DOMAIN_ID: u32, a sharing domain
 * @MV_A_SHARE_DOMAIN_POLICY: u32, &enum mv_share_policy
 * @MV_A_VM_BALLOON_TARGET: u64, bytes: in %MV_CMD_VM_SET, the memory the
 *	guest should keep (a multiple of 4096, at most the VM's size); in
 *	replies, the memory it should have now (its size minus the balloon
 *	target)
 * @MV_A_VM_BALLOON_PAGES: u64, pages the guest's balloon holds
 * @MV_A_VM_BALLOON_TARGET_PAGES: u64, pages the balloon should hold: the
 *	administrator's target plus the pressure policy's
 * @MV_A_VM_BALLOON_AUTO_PAGES: u64, the pressure policy's part of it
 * @MV_A_VM_BALLOON_INFLATED: u64, pages inflated so far
 * @MV_A_VM_BALLOON_DEFLATED: u64, pages deflated so far
 * @MV_A_VM_BALLOON_GUEST_FREE: u64, free pages the guest last reported
 * @MV_A_VM_BALLOON_GUEST_AVAIL: u64, available pages it last reported
 * @MV_A_VM_ACTIVE_PCT: u32, the share of the VM's memory in use found
 *	active (accessed) by the last samples, in percent (sampled while the
 *	pressure policy is on)
 * @MV_A_BALLOON_AUTO: u8, the pressure policy is on
 * @MV_A_BALLOON_TAX_PCT: u32, idle memory tax rate, 0 to 99 percent: how
 *	much more an idle page costs its VM than an active one when the
 *	policy picks where to reclaim (ESX's idle memory tax)
 * @MV_A_BALLOON_FLOOR_PCT: u32, the policy never leaves a VM less than
 *	this share of its memory, 0 to 100 percent
 * @MV_A_BALLOON_FREE_TARGET_MB: u32, the host memory (MemAvailable) the
 *	policy keeps free, in MiB; 0: 5% of RAM
 * @MV_A_BALLOON_PRESSURE: u8, the host is short of memory now
 * @MV_A_BALLOON_RECLAIMED: u64, pages the policy has asked guests for now
 * @MV_A_BALLOON_RAISES: u64, times the policy raised balloon targets
 * @MV_A_BALLOON_RELEASES: u64, times it lowered them again
 * @MV_A_BALLOON_SHRINKER_CALLS: u64, times the kernel's memory reclaim
 *	asked the policy's shrinker for memory
 * @MV_A_VM_UNHANDLED_MSRS: u64, RDMSR/WRMSR of MSRs the module does not
 *	know, answered with #GP (each also logged, rate-limited)
 * @MV_A_VM_IRQCHIP: u8, 1 when the VM has the in-kernel irqchip
 *	(%MV_CREATE_IRQCHIP)
 * @__MV_A_MAX: internal
 * @MV_A_MAX: highest attribute number
 */
enum mv_attr {
	MV_A_UNSPEC,
	MV_A_MODULE_VERSION,
	MV_A_API_VERSION,
	MV_A_BACKEND,
	MV_A_FEATURES,
	MV_A_NR_ASIDS,
	MV_A_NR_VMS,
	MV_A_MAX_VMS,
	MV_A_VM_ID,
	MV_A_VM_NAME,
	MV_A_VM_PID,
	MV_A_VM_MEM_SIZE,
	MV_A_VM_PAGES,
	MV_A_VM_VCPUS,
	MV_A_VM_STATE,
	MV_A_VM_EXITS,
	MV_A_VM_MMU_PAGES,
	MV_A_VM_CRASH_REASON,
	MV_A_GUEST_PAGES,
	MV_A_MMU_PAGES,
	MV_A_VM_COMM,
	MV_A_FOREIGN_FLUSHES,
	MV_A_VM_SHARE_DOMAIN,
	MV_A_VM_PAGES_SHARED,
	MV_A_VM_PAGES_ZERO,
	MV_A_VM_COW_BREAKS,
	MV_A_SHARE_ENABLED,
	MV_A_SHARE_SCAN_PAGES,
	MV_A_SHARE_SCAN_INTERVAL_MS,
	MV_A_SHARE_FRAMES,
	MV_A_SHARE_SHARING,
	MV_A_SHARE_SAVED,
	MV_A_SHARE_ZERO,
	MV_A_SHARE_ZERO_MERGES,
	MV_A_SHARE_MERGES,
	MV_A_SHARE_COW_BREAKS,
	MV_A_SHARE_VOLATILE,
	MV_A_SHARE_UNSHARED,
	MV_A_SHARE_FULL_SCANS,
	MV_A_SHARE_SCANNED,
	MV_A_SHARE_CPU_NS,
	MV_A_SHARE_COLLISIONS,
	MV_A_SHARE_GUEST_PAGES,
	MV_A_SHARE_HOST_PAGES,
	MV_A_SHARE_DOMAINS,
	MV_A_SHARE_DOMAIN_ID,
	MV_A_SHARE_DOMAIN_POLICY,
	MV_A_VM_BALLOON_TARGET,
	MV_A_VM_BALLOON_PAGES,
	MV_A_VM_BALLOON_TARGET_PAGES,
	MV_A_VM_BALLOON_AUTO_PAGES,
	MV_A_VM_BALLOON_INFLATED,
	MV_A_VM_BALLOON_DEFLATED,
	MV_A_VM_BALLOON_GUEST_FREE,
	MV_A_VM_BALLOON_GUEST_AVAIL,
	MV_A_VM_ACTIVE_PCT,
	MV_A_BALLOON_AUTO,
	MV_A_BALLOON_TAX_PCT,
	MV_A_BALLOON_FLOOR_PCT,
	MV_A_BALLOON_FREE_TARGET_MB,
	MV_A_BALLOON_PRESSURE,
	MV_A_BALLOON_RECLAIMED,
	MV_A_BALLOON_RAISES,
	MV_A_BALLOON_RELEASES,
	MV_A_BALLOON_SHRINKER_CALLS,
	MV_A_VM_UNHANDLED_MSRS,
	MV_A_VM_IRQCHIP,
	__MV_A_MAX
};

#define MV_A_MAX (__MV_A_MAX - 1)

#endif /* _UAPI_LINUX_MINIVISOR_H */
