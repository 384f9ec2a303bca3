// SPDX-License-Identifier: GPL-2.0
/*
 * Reproducers of what make fuzz found (tests/fuzzfound_test.c), in 32-bit
 * protected mode with paging off.  Each sub-test reports what the guest
 * saw with one UCALL_SYNC (args: seen, expected, count) and the host
 * judges, so the same binary shows what KVM and minivisor do.
 */
#include "guest.h"
#include "pt.h"

enum { T_TF_CPUID = 1, T_TF_OUT, T_RF_UD, T_OUTS_PF, T_INS_PF, T_CR0_RSVD,
       T_INS_ES_CODE, T_INS_PF_MMIO, T_PD_SELF_RMW };

#define RFLAGS_TF	0x100u
#define RFLAGS_RF	0x10000u

static volatile uint32_t seen_ip, seen_flags, count;

/* The single-step trap: where it came from; no more stepping. */
static void on_db(struct ex_regs *r)
{
	if (!count++)
		seen_ip = r->ip;
	r->flags &= ~RFLAGS_TF;
}

/* #UD: the EFLAGS image the CPU pushed; go on past the UD2. */
static void on_ud(struct ex_regs *r)
{
	count++;
	seen_ip = r->ip;
	seen_flags = r->flags;
	r->ip += 2;
}

/*
 * TF set by POPF: the instruction after POPF runs, then #DB (a trap) with
 * the address of the instruction after it.  CPUID is intercepted and
 * emulated by the hypervisor; OUT to the debug console exits to the VMM.
 */
static void test_tf_cpuid(void)
{
	uint32_t after;

	set_handler(1, on_db);
	asm volatile("pushf; orl $0x100, (%%esp); popf\n\t"
		     "cpuid\n"
		     "1:\tnop\n\t"
		     "nop\n\t"
		     "movl $1b, %0"
		     : "=r"(after) : "a"(0) : "ebx", "ecx", "edx", "memory");
	ucall(UCALL_SYNC, seen_ip, after, count, 0);
}

static void test_tf_out(void)
{
	uint32_t after;

	set_handler(1, on_db);
	asm volatile("pushf; orl $0x100, (%%esp); popf\n\t"
		     "outb %%al, $0xe9\n"
		     "1:\tnop\n\t"
		     "nop\n\t"
		     "movl $1b, %0"
		     : "=r"(after) : "a"('.') : "memory");
	ucall(UCALL_SYNC, seen_ip, after, count, 0);
}

/* A fault's EFLAGS image has RF set (SDM 3A 6.12.1, APM 2 8.9.3 "RF"). */
static void test_rf_ud(void)
{
	uint32_t at;

	set_handler(6, on_ud);
	asm volatile("movl $1f, %0\n"
		     "1:\tud2"
		     : "=r"(at) : : "memory");
	ucall(UCALL_SYNC, seen_flags & RFLAGS_RF, RFLAGS_RF, count, seen_ip == at);
}

static uint8_t hole[4096] __attribute__((aligned(4096)));
static uint8_t page[4096] __attribute__((aligned(4096)));
static volatile uint32_t resume_ip;

/* #PF: where; go on after the OUTSB, wherever the frame points. */
static void on_pf(struct ex_regs *r)
{
	count++;
	seen_ip = r->ip;
	r->ip = resume_ip;
}

/* Paging on, identity-mapped, but for the page @hole. */
static void unmap_hole(struct pt *kpt)
{
	pt_pool_init(2 << 20, 3 << 20);
	pt_init(kpt, PM_32);
	pt_identity(kpt, 4 << 20);
	pt_set(kpt, (uintptr_t)hole, 1, 0);
	pt_activate(kpt);
	set_handler(14, on_pf);
}

/*
 * OUTSB whose source is not present: #PF at the OUTSB, no I/O done, ESI
 * unchanged.  Reports (fault address, OUTSB address, #PFs, ESI moved by).
 */
static void test_outs_pf(void)
{
	const uint8_t *src = hole;
	struct pt kpt;
	uint32_t at;

	unmap_hole(&kpt);
	asm volatile("movl $1f, %0\n\t"
		     "movl $2f, %2\n"
		     "1:\toutsb\n"
		     "2:"
		     : "=r"(at), "+S"(src), "=m"(resume_ip) : "d"(PORT_TEST) : "memory");
	pt_deactivate();
	ucall(UCALL_SYNC, seen_ip, at, count, (uintptr_t)src - (uintptr_t)hole);
}

/*
 * INSB into a page that is not present, after an OUTSB from @page: #PF at
 * the INSB, no I/O, @page untouched.  Reports (fault address, INSB
 * address, #PFs, @page[0] | EDI moved by << 8).
 */
static void test_ins_pf(void)
{
	const uint8_t *src = page;
	uint8_t *dst = hole;
	struct pt kpt;
	uint32_t at;

	page[0] = 0x11;
	unmap_hole(&kpt);
	asm volatile("outsb" : "+S"(src) : "d"(PORT_TEST) : "memory");
	asm volatile("movl $1f, %0\n\t"
		     "movl $2f, %2\n"
		     "1:\tinsb\n"
		     "2:"
		     : "=r"(at), "+D"(dst), "=m"(resume_ip) : "d"(PORT_TEST_IN) : "memory");
	pt_deactivate();
	ucall(UCALL_SYNC, seen_ip, at, count, page[0] | ((uintptr_t)dst - (uintptr_t)hole) << 8);
}

/*
 * MOV to CR0 with reserved bits (6-15, 17, 19-28) set: they are ignored
 * (SDM 3A 2.5, KVM: "Write to CR0 reserved bits are ignored, even on
 * Intel"), so CR0 reads back without them.  Reports (what came back of
 * them, 0, the bits written, 0).
 */
static void test_cr0_reserved(void)
{
	const uint32_t rsvd = 0x1ff80000u | 0x20000u | 0xffc0u, some = 0x00120140u;
	unsigned long cr0 = read_cr0();
	unsigned long back;

	write_cr0(cr0 | some);
	back = read_cr0();
	write_cr0(cr0);
	ucall(UCALL_SYNC, back & rsvd, 0, some, 0);
}

/*
 * The same INSB into a missing page, after an MMIO read: the stale
 * address is then outside RAM.  Reports as test_ins_pf() (if it gets to).
 */
static void test_ins_pf_mmio(void)
{
	uint8_t *dst = hole;
	struct pt kpt;
	uint32_t at;

	(void)*(volatile uint32_t *)0xd0000000u;
	unmap_hole(&kpt);
	asm volatile("movl $1f, %0\n\t"
		     "movl $2f, %2\n"
		     "1:\tinsb\n"
		     "2:"
		     : "=r"(at), "+D"(dst), "=m"(resume_ip) : "d"(PORT_TEST_IN) : "memory");
	pt_deactivate();
	ucall(UCALL_SYNC, seen_ip, at, count, ((uintptr_t)dst - (uintptr_t)hole) << 8);
}

/*
 * PAE paging, the page directory that maps this code also mapped at
 * ALIAS, and a read-modify-write (ADD of 0) of an unused entry through
 * it: the instruction's fetch needs the directory, its write goes into
 * it.  It completes, once.  Reports (1, 1, the entry after, 0).
 */
#define ALIAS	0x40000000u

static void test_pd_self_rmw(void)
{
	volatile uint64_t *pde;
	struct pt kpt;
	uint64_t pd;

	pt_pool_init(2 << 20, 3 << 20);
	pt_init(&kpt, PM_PAE);
	pt_identity(&kpt, 4 << 20);
	pd = pt_get(&kpt, 0, 3) & ~0xfffull;
	pt_map(&kpt, ALIAS, pd, 1, PTE_W);	/* before CR3: PAE latches PDPTEs */
	pt_activate(&kpt);
	pde = (volatile uint64_t *)(ALIAS + 8 * 511);	/* maps 0x3fe00000: unused */
	asm volatile("addl $0, %0" : "+m"(*(volatile uint32_t *)pde) : : "memory");
	pt_deactivate();
	ucall(UCALL_SYNC, 1, 1, *(volatile uint32_t *)(uintptr_t)(pd + 8 * 511), 0);
}

/* #GP: where; go on after the instruction, wherever the frame points. */
static void on_gp(struct ex_regs *r)
{
	count++;
	seen_ip = r->ip;
	r->ip = resume_ip;
}

/*
 * INSB with ES a (readable) code segment: INS writes ES:EDI, and a code
 * segment is never writable, so #GP(0) at the INSB with nothing written.
 * Reports (fault address, INSB address, #GPs, @page[0] | EDI moved << 8).
 */
static void test_ins_es_code(void)
{
	uint8_t *dst = page;
	uint32_t at;

	page[0] = 0x11;
	set_handler(13, on_gp);
	asm volatile("mov %%es, %%bx\n\t"
		     "mov %3, %%es\n\t"
		     "movl $1f, %0\n\t"
		     "movl $2f, %2\n"
		     "1:\tinsb\n"
		     "2:\tmov %%bx, %%es"
		     : "=&r"(at), "+D"(dst), "=m"(resume_ip)
		     : "r"((uint16_t)SEL_CODE32), "d"(PORT_TEST_IN) : "ebx", "memory");
	ucall(UCALL_SYNC, seen_ip, at, count, page[0] | ((uintptr_t)dst - (uintptr_t)page) << 8);
}

int guest_main(void)
{
	switch (GARGS->test) {
	case T_TF_CPUID: test_tf_cpuid(); break;
	case T_TF_OUT: test_tf_out(); break;
	case T_RF_UD: test_rf_ud(); break;
	case T_OUTS_PF: test_outs_pf(); break;
	case T_INS_PF: test_ins_pf(); break;
	case T_CR0_RSVD: test_cr0_reserved(); break;
	case T_INS_ES_CODE: test_ins_es_code(); break;
	case T_INS_PF_MMIO: test_ins_pf_mmio(); break;
	case T_PD_SELF_RMW: test_pd_self_rmw(); break;
	default:
		guest_printf("unknown test %u\n", GARGS->test);
		return 0x7e;
	}
	return 0;
}
