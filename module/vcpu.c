// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: the descriptor, its ioctls and the run loop.
 *
 * MV_RUN loops entering the guest until something needs userspace.  The
 * host stays in charge: every iteration checks for signals, rescheduling
 * and administrator requests (pause, destroy) with interrupts disabled just
 * before the world switch, and any of those arriving while the guest runs
 * sends an IPI that forces an exit.  A guest spinning in "jmp $" therefore
 * returns to userspace with -EINTR as soon as a signal is pending.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>

#include "minivisor.h"
#include "mmu.h"
#include "trace.h"

void mv_vcpu_kick(struct mv_vcpu *vcpu)
{
	struct task_struct *task;

	wake_up_interruptible(&vcpu->wq);
	rcu_read_lock();
	task = READ_ONCE(vcpu->task);
	if (task && READ_ONCE(vcpu->mode) == MV_IN_GUEST)
		kick_process(task);
	rcu_read_unlock();
}

void mv_internal_error(struct mv_vcpu *vcpu, u32 suberror, unsigned int n,
		       const u64 *data)
{
	struct mv_run *run = vcpu->run;

	memset(&run->internal, 0, sizeof(run->internal));
	run->exit_reason = MV_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = min_t(unsigned int, n, ARRAY_SIZE(run->internal.data));
	memcpy(run->internal.data, data, run->internal.ndata * sizeof(u64));
}

static bool mv_contributory(u8 vec)
{
	return vec == MV_VEC_DE || (vec >= MV_VEC_TS && vec <= MV_VEC_GP);
}

/*
 * Queue an exception, merging with one already pending (or being
 * delivered) the way the CPU does: two contributory faults, or a #PF then
 * a contributory fault or #PF, make a #DF; a fault on top of #DF shuts the
 * machine down.
 */
void mv_queue_exception(struct mv_vcpu *vcpu, u8 vector, bool has_error,
			u32 error)
{
	struct mv_event *prev = NULL;

	if (vcpu->exc.valid)
		prev = &vcpu->exc;
	else if (vcpu->reinject.valid && vcpu->reinject.type == MV_EV_EXCEPTION)
		prev = &vcpu->reinject;
	if (prev) {
		u8 p = prev->vector;

		prev->valid = false;
		if (p == MV_VEC_DF) {
			vcpu->triple_fault = true;
			return;
		}
		if ((mv_contributory(p) && mv_contributory(vector)) ||
		    (p == MV_VEC_PF && (mv_contributory(vector) ||
					vector == MV_VEC_PF))) {
			vector = MV_VEC_DF;
			has_error = true;
			error = 0;
		}
	}
	/* Real mode pushes no error codes. */
	if (!(vcpu->cr0 & MV_CR0_PE))
		has_error = false;
	vcpu->exc.valid = true;
	vcpu->exc.type = MV_EV_EXCEPTION;
	vcpu->exc.vector = vector;
	vcpu->exc.has_error = has_error;
	vcpu->exc.error = error;
}

void mv_queue_pf(struct mv_vcpu *vcpu, u64 addr, u32 error)
{
	mv_queue_exception(vcpu, MV_VEC_PF, true, error);
	if (vcpu->exc.valid && vcpu->exc.vector == MV_VEC_PF)
		vcpu->cr2 = addr;
}

/* Program the next event into the hardware; none if one is programmed. */
static void mv_inject_events(struct mv_vcpu *vcpu)
{
	struct mv_event ev = { .valid = true, .type = MV_EV_INTR };
	bool *programmed = &vcpu->event_programmed;

	if (*programmed)
		return;
	if (vcpu->exc.valid) {
		trace_mv_inject(vcpu, &vcpu->exc, false);
		mv_arch->inject_event(vcpu, &vcpu->exc);
		vcpu->exc.valid = false;
		*programmed = true;
		return;
	}
	if (vcpu->reinject.valid) {
		trace_mv_inject(vcpu, &vcpu->reinject, true);
		mv_arch->inject_event(vcpu, &vcpu->reinject);
		vcpu->reinject.valid = false;
		*programmed = true;
		return;
	}
	if (!mv_vcpu_irq_pending(vcpu))
		return;
	if ((vcpu->rflags & MV_RFLAGS_IF) && !mv_arch->interrupt_shadow(vcpu)) {
		/* The VMM's interrupt first, then the balloon's. */
		spin_lock(&vcpu->irq_lock);
		if (vcpu->irq_pending) {
			ev.vector = vcpu->irq_vector;
			vcpu->irq_pending = false;
		} else {
			ev.vector = READ_ONCE(vcpu->vm->balloon.vector);
			WRITE_ONCE(vcpu->balloon_irq, false);
		}
		spin_unlock(&vcpu->irq_lock);
		mv_arch->set_irq_window(vcpu, false);
		/* The guest may have stopped asking since. */
		if (!ev.vector)
			return;
		trace_mv_inject(vcpu, &ev, false);
		mv_arch->inject_event(vcpu, &ev);
		*programmed = true;
	} else {
		mv_arch->set_irq_window(vcpu, true);
	}
}

static bool mv_vcpu_can_wake(struct mv_vcpu *vcpu)
{
	return mv_vcpu_irq_pending(vcpu) ||
	       READ_ONCE(vcpu->vm->state) != MV_VM_RUNNING;
}

/* Why the vCPU cannot enter now; 0 when it can. */
static int mv_vcpu_blocked(struct mv_vcpu *vcpu)
{
	int state = READ_ONCE(vcpu->vm->state);

	if (state == MV_VM_DESTROYED)
		return -ENODEV;
	if (state == MV_VM_CRASHED)
		return -EIO;
	if (signal_pending(current))
		return -EINTR;
	if (state == MV_VM_PAUSED || vcpu->halted)
		return -EAGAIN;
	return 0;
}

/* Paused, or halted with interrupts on: sleep until that changes. */
static int mv_vcpu_wait(struct mv_vcpu *vcpu)
{
	struct mv_vm *vm = vcpu->vm;
	int ret = 0;

	if (vcpu->halted)
		ret = wait_event_interruptible(vcpu->wq, mv_vcpu_can_wake(vcpu));
	if (!ret && READ_ONCE(vm->state) == MV_VM_PAUSED)
		ret = wait_event_interruptible(vm->state_wq,
					       READ_ONCE(vm->state) != MV_VM_PAUSED);
	return ret;
}

/* Entered and left with mv_srcu held; dropped while the guest runs. */
static int mv_vcpu_run_loop(struct mv_vcpu *vcpu)
	__must_hold(&mv_srcu)
{
	struct mv_vm *vm = vcpu->vm;
	int ret;

	for (;;) {
		if (unlikely(vcpu->triple_fault)) {
			vcpu->triple_fault = false;
			vcpu->exit.kind = MVX_SHUTDOWN;
			ret = mv_handle_exit(vcpu);
			break;
		}
		ret = mv_vcpu_blocked(vcpu);
		if (ret == -EAGAIN) {
			srcu_read_unlock(&mv_srcu, vcpu->srcu_idx);
			ret = mv_vcpu_wait(vcpu);
			vcpu->srcu_idx = srcu_read_lock(&mv_srcu);
			if (!ret && mv_vcpu_irq_pending(vcpu))
				vcpu->halted = false;
			continue;
		}
		if (ret)
			break;
		cond_resched();
		ret = mv_mmu_load(vcpu);
		if (ret)
			break;
		mv_inject_events(vcpu);

		/* No guest page is looked at while the guest runs. */
		srcu_read_unlock(&mv_srcu, vcpu->srcu_idx);
		preempt_disable();
		local_irq_disable();
		/*
		 * Publish IN_GUEST before looking at requests; kickers write
		 * their request before reading the mode (mv_vcpu_kick(),
		 * mv_mmu_flush_remote()), so one of us sees the other.
		 */
		smp_store_mb(vcpu->mode, MV_IN_GUEST);
		if (signal_pending(current) || need_resched() ||
		    READ_ONCE(vm->state) != MV_VM_RUNNING ||
		    !vcpu->mmu.root_valid) {
			WRITE_ONCE(vcpu->mode, MV_OUTSIDE_GUEST);
			local_irq_enable();
			preempt_enable();
			vcpu->srcu_idx = srcu_read_lock(&mv_srcu);
			continue;
		}
		mv_mmu_prepare_entry(vcpu);
		if (test_thread_flag(TIF_NEED_FPU_LOAD))
			switch_fpu_return();
		trace_mv_entry(vcpu);
		mv_arch->run(vcpu);
		vcpu->event_programmed = false;
		atomic_inc(&vcpu->mmu.exits);
		WRITE_ONCE(vcpu->mode, MV_OUTSIDE_GUEST);
		local_irq_enable();
		preempt_enable();
		vcpu->srcu_idx = srcu_read_lock(&mv_srcu);

		trace_mv_exit(vcpu);
		ret = mv_handle_exit(vcpu);
		if (ret)
			break;
	}
	if (ret == -EINTR)
		vcpu->run->exit_reason = MV_EXIT_INTR;
	if (ret == -EIO)
		vcpu->run->exit_reason = MV_EXIT_SHUTDOWN;
	return ret;
}

static long mv_vcpu_run(struct mv_vcpu *vcpu)
{
	struct mv_run *run = vcpu->run;
	int ret;

	ret = mv_vcpu_blocked(vcpu);
	if (ret == -ENODEV || ret == -EIO) {
		run->exit_reason = ret == -EIO ? MV_EXIT_SHUTDOWN : MV_EXIT_NONE;
		return ret;
	}
	WRITE_ONCE(vcpu->task, current);
	fpu_swap_kvm_fpstate(&vcpu->gfpu, true);
	/* Guest pages we look at stay until we are done with them (mem.c). */
	vcpu->srcu_idx = srcu_read_lock(&mv_srcu);
	ret = mv_complete_pending(vcpu);
	if (!ret)
		ret = mv_vcpu_run_loop(vcpu);
	srcu_read_unlock(&mv_srcu, vcpu->srcu_idx);
	fpu_swap_kvm_fpstate(&vcpu->gfpu, false);
	WRITE_ONCE(vcpu->task, NULL);
	run->if_flag = !!(vcpu->rflags & MV_RFLAGS_IF);
	run->interrupt_pending = READ_ONCE(vcpu->irq_pending);
	trace_mv_userspace_exit(vcpu, ret);
	return ret < 0 ? ret : 0;
}

static int mv_get_sregs(struct mv_vcpu *vcpu, struct mv_sregs *sr)
{
	memset(sr, 0, sizeof(*sr));
	mv_arch->get_segment(vcpu, MV_CS, &sr->cs);
	mv_arch->get_segment(vcpu, MV_DS, &sr->ds);
	mv_arch->get_segment(vcpu, MV_ES, &sr->es);
	mv_arch->get_segment(vcpu, MV_FS, &sr->fs);
	mv_arch->get_segment(vcpu, MV_GS, &sr->gs);
	mv_arch->get_segment(vcpu, MV_SS, &sr->ss);
	mv_arch->get_segment(vcpu, MV_TR, &sr->tr);
	mv_arch->get_segment(vcpu, MV_LDTR, &sr->ldt);
	mv_arch->get_dtable(vcpu, false, &sr->gdt);
	mv_arch->get_dtable(vcpu, true, &sr->idt);
	sr->cr0 = vcpu->cr0;
	sr->cr2 = vcpu->cr2;
	sr->cr3 = vcpu->cr3;
	sr->cr4 = vcpu->cr4;
	sr->efer = vcpu->efer;
	return 0;
}

static bool mv_seg_ok(const struct mv_segment *s)
{
	return s->type < 16 && s->s < 2 && s->dpl < 4 && s->present < 2 &&
	       s->avl < 2 && s->l < 2 && s->db < 2 && s->g < 2 &&
	       s->unusable < 2 && !s->pad;
}

static int mv_set_sregs(struct mv_vcpu *vcpu, const struct mv_sregs *sr)
{
	const struct mv_segment *segs[] = {
		&sr->es, &sr->cs, &sr->ss, &sr->ds, &sr->fs, &sr->gs, &sr->tr,
		&sr->ldt,
	};
	bool lma = sr->efer & MV_EFER_LMA;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sr->reserved); i++)
		if (sr->reserved[i])
			return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(segs); i++)
		if (!mv_seg_ok(segs[i]))
			return -EINVAL;
	if (sr->gdt.pad[0] || sr->gdt.pad[1] || sr->gdt.pad[2] ||
	    sr->idt.pad[0] || sr->idt.pad[1] || sr->idt.pad[2])
		return -EINVAL;
	if ((sr->cr0 >> 32) || ((sr->cr0 & MV_CR0_PG) && !(sr->cr0 & MV_CR0_PE)) ||
	    ((sr->cr0 & MV_CR0_NW) && !(sr->cr0 & MV_CR0_CD)))
		return -EINVAL;
	if (sr->cr4 & ~mv_cr4_allowed(vcpu))
		return -EINVAL;
	if (sr->efer & ~mv_efer_allowed(vcpu))
		return -EINVAL;
	if (lma != ((sr->efer & MV_EFER_LME) && (sr->cr0 & MV_CR0_PG)))
		return -EINVAL;
	if (lma && (!(sr->cr4 & X86_CR4_PAE) || (sr->cs.l && sr->cs.db)))
		return -EINVAL;
	if (lma && (sr->cr3 >> mv_guest_maxphyaddr(vcpu)))
		return -EINVAL;
	if ((sr->cr0 & MV_CR0_PG) && (sr->cr4 & X86_CR4_PAE) && !lma &&
	    mv_mmu_load_pdptrs(vcpu, sr->cr3))
		return -EINVAL;

	for (i = 0; i < ARRAY_SIZE(segs); i++)
		mv_arch->set_segment(vcpu, i, segs[i]);
	mv_arch->set_dtable(vcpu, false, &sr->gdt);
	mv_arch->set_dtable(vcpu, true, &sr->idt);
	vcpu->cr0 = sr->cr0 | MV_CR0_ET;
	vcpu->cr2 = sr->cr2;
	vcpu->cr3 = sr->cr3;
	vcpu->cr4 = sr->cr4;
	vcpu->efer = sr->efer;
	vcpu->halted = false;
	mv_mmu_reset(vcpu);
	return 0;
}

static int mv_set_regs(struct mv_vcpu *vcpu, const struct mv_regs *r)
{
	/* Reserved RFLAGS bits, and virtual-8086 mode, are refused. */
	if ((r->rflags & ~0x3f7fd7ULL) || (r->rflags & MV_RFLAGS_VM))
		return -EINVAL;
	memcpy(vcpu->regs, r, sizeof(vcpu->regs));
	/* struct mv_regs lists RSP and RBP after RDI; we keep hardware order. */
	vcpu->regs[MV_RAX] = r->rax;
	vcpu->regs[MV_RBX] = r->rbx;
	vcpu->regs[MV_RCX] = r->rcx;
	vcpu->regs[MV_RDX] = r->rdx;
	vcpu->regs[MV_RSI] = r->rsi;
	vcpu->regs[MV_RDI] = r->rdi;
	vcpu->regs[MV_RSP] = r->rsp;
	vcpu->regs[MV_RBP] = r->rbp;
	vcpu->rip = r->rip;
	vcpu->rflags = r->rflags | 2;
	vcpu->halted = false;
	/* New registers abandon an IN or MMIO read waiting for its data. */
	vcpu->pending = MV_PENDING_NONE;
	return 0;
}

static void mv_get_regs(struct mv_vcpu *vcpu, struct mv_regs *r)
{
	memcpy(r, vcpu->regs, sizeof(vcpu->regs));
	r->rax = vcpu->regs[MV_RAX];
	r->rbx = vcpu->regs[MV_RBX];
	r->rcx = vcpu->regs[MV_RCX];
	r->rdx = vcpu->regs[MV_RDX];
	r->rsi = vcpu->regs[MV_RSI];
	r->rdi = vcpu->regs[MV_RDI];
	r->rsp = vcpu->regs[MV_RSP];
	r->rbp = vcpu->regs[MV_RBP];
	r->rip = vcpu->rip;
	r->rflags = vcpu->rflags;
}

static long mv_interrupt(struct mv_vcpu *vcpu, void __user *argp)
{
	struct mv_interrupt irq;
	long ret = 0;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.vector > 255 || irq.pad)
		return -EINVAL;
	spin_lock(&vcpu->irq_lock);
	if (vcpu->irq_pending) {
		ret = -EBUSY;
	} else {
		vcpu->irq_vector = irq.vector;
		WRITE_ONCE(vcpu->irq_pending, true);
	}
	spin_unlock(&vcpu->irq_lock);
	if (!ret)
		mv_vcpu_kick(vcpu);
	return ret;
}

static long mv_inject(struct mv_vcpu *vcpu, void __user *argp)
{
	/* Vectors that push an error code. */
	const u32 with_error = BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(13) |
			       BIT(14) | BIT(17);
	const u32 valid = GENMASK(19, 0) & ~(BIT(MV_VEC_NMI) | BIT(9) | BIT(15));
	struct mv_exception e;

	if (copy_from_user(&e, argp, sizeof(e)))
		return -EFAULT;
	if (e.vector > 31 || !(valid & BIT(e.vector)) || e.pad ||
	    e.has_error_code > 1 || (e.has_error_code && !(with_error & BIT(e.vector))))
		return -EINVAL;
	if (e.vector == MV_VEC_PF)
		vcpu->cr2 = e.cr2;
	mv_queue_exception(vcpu, e.vector, e.has_error_code, e.error_code);
	return 0;
}

static long mv_get_cpuid_table(struct mv_cpuid_entry *tab, unsigned int nent,
			       struct mv_cpuid __user *ucpuid)
{
	struct mv_cpuid hdr;

	if (copy_from_user(&hdr, ucpuid, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < nent) {
		hdr.nent = nent;
		if (copy_to_user(ucpuid, &hdr, sizeof(hdr)))
			return -EFAULT;
		return -E2BIG;
	}
	hdr.nent = nent;
	hdr.pad = 0;
	if (copy_to_user(ucpuid, &hdr, sizeof(hdr)) ||
	    copy_to_user(ucpuid->entries, tab, nent * sizeof(*tab)))
		return -EFAULT;
	return 0;
}

long mv_get_default_cpuid(struct mv_cpuid __user *ucpuid)
{
	struct mv_cpuid_entry *tab;
	unsigned int nent;
	long ret;

	tab = mv_cpuid_default(&nent);
	if (!tab)
		return -ENOMEM;
	ret = mv_get_cpuid_table(tab, nent, ucpuid);
	kfree(tab);
	return ret;
}

static long mv_set_cpuid(struct mv_vcpu *vcpu, struct mv_cpuid __user *ucpuid)
{
	struct mv_cpuid_entry *tab;
	struct mv_cpuid hdr;
	unsigned int i;
	int idx;

	if (copy_from_user(&hdr, ucpuid, sizeof(hdr)))
		return -EFAULT;
	if (hdr.pad)
		return -EINVAL;
	if (hdr.nent > MV_CPUID_MAX_ENTRIES)
		return -E2BIG;
	tab = kcalloc(MV_CPUID_MAX_ENTRIES, sizeof(*tab), GFP_KERNEL_ACCOUNT);
	if (!tab)
		return -ENOMEM;
	if (copy_from_user(tab, ucpuid->entries, hdr.nent * sizeof(*tab))) {
		kfree(tab);
		return -EFAULT;
	}
	for (i = 0; i < hdr.nent; i++) {
		if ((tab[i].flags & ~MV_CPUID_INDEXED) || tab[i].pad) {
			kfree(tab);
			return -EINVAL;
		}
	}
	kfree(vcpu->cpuid);
	vcpu->cpuid = tab;
	vcpu->cpuid_nent = hdr.nent;
	idx = srcu_read_lock(&mv_srcu);
	mv_mmu_reset(vcpu);
	srcu_read_unlock(&mv_srcu, idx);
	return 0;
}

static long mv_vcpu_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct mv_vcpu *vcpu = file->private_data;
	struct mv_vm *vm = vcpu->vm;
	void __user *argp = (void __user *)arg;
	union {
		struct mv_regs regs;
		struct mv_sregs sregs;
	} u;
	long ret;
	int idx;

	down_read(&vm->alive);
	if (READ_ONCE(vm->state) == MV_VM_DESTROYED) {
		ret = -ENODEV;
		goto out_alive;
	}
	/* Any thread may raise an interrupt, even while the vCPU runs. */
	if (cmd == MV_INTERRUPT) {
		ret = mv_interrupt(vcpu, argp);
		goto out_alive;
	}
	if (mutex_lock_killable(&vcpu->mutex)) {
		ret = -EINTR;
		goto out_alive;
	}
	switch (cmd) {
	case MV_RUN:
		ret = arg ? -EINVAL : mv_vcpu_run(vcpu);
		break;
	case MV_GET_REGS:
		mv_get_regs(vcpu, &u.regs);
		ret = copy_to_user(argp, &u.regs, sizeof(u.regs)) ? -EFAULT : 0;
		break;
	case MV_SET_REGS:
		ret = copy_from_user(&u.regs, argp, sizeof(u.regs)) ? -EFAULT :
		      mv_set_regs(vcpu, &u.regs);
		break;
	case MV_GET_SREGS:
		mv_get_sregs(vcpu, &u.sregs);
		ret = copy_to_user(argp, &u.sregs, sizeof(u.sregs)) ? -EFAULT : 0;
		break;
	case MV_SET_SREGS:
		if (copy_from_user(&u.sregs, argp, sizeof(u.sregs))) {
			ret = -EFAULT;
			break;
		}
		/* It reads PDPTEs and may resync tables: guest memory. */
		idx = srcu_read_lock(&mv_srcu);
		ret = mv_set_sregs(vcpu, &u.sregs);
		srcu_read_unlock(&mv_srcu, idx);
		break;
	case MV_INJECT_EXCEPTION:
		ret = mv_inject(vcpu, argp);
		break;
	case MV_SET_CPUID:
		ret = mv_set_cpuid(vcpu, argp);
		break;
	case MV_GET_CPUID:
		ret = mv_get_cpuid_table(vcpu->cpuid, vcpu->cpuid_nent, argp);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&vcpu->mutex);
out_alive:
	up_read(&vm->alive);
	return ret;
}

static int mv_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mv_vcpu *vcpu = file->private_data;

	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != MV_RUN_SIZE)
		return -EINVAL;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_flags &= ~VM_MAYEXEC;
	return vm_insert_page(vma, vma->vm_start, virt_to_page(vcpu->run));
}

static int mv_vcpu_release(struct inode *inode, struct file *file)
{
	struct mv_vcpu *vcpu = file->private_data;

	mv_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations mv_vcpu_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mv_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mv_vcpu_mmap,
	.release = mv_vcpu_release,
	.llseek = noop_llseek,
};

void mv_vcpu_free(struct mv_vcpu *vcpu)
{
	if (!vcpu)
		return;
	mv_mmu_vcpu_free(vcpu);
	mv_arch->vcpu_destroy(vcpu);
	fpu_free_guest_fpstate(&vcpu->gfpu);
	kfree(vcpu->cpuid);
	if (vcpu->run)
		free_page((unsigned long)vcpu->run);
	kfree(vcpu);
}

/* The x86 reset state, as far as generic code keeps it. */
static void mv_vcpu_reset(struct mv_vcpu *vcpu)
{
	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->rip = 0xfff0;
	vcpu->rflags = 2;
	vcpu->cr0 = MV_CR0_ET | MV_CR0_CD | MV_CR0_NW;
	vcpu->cr2 = 0;
	vcpu->cr3 = 0;
	vcpu->cr4 = 0;
	vcpu->efer = 0;
	vcpu->pat = 0x0007040600070406ULL;
	vcpu->dr6 = 0xffff0ff0;
	vcpu->dr7 = 0x400;
	mv_arch->vcpu_reset(vcpu);
	mv_mmu_reset(vcpu);
}

int mv_vcpu_create(struct mv_vm *vm, unsigned long index)
{
	struct mv_vcpu *vcpu;
	unsigned int i;
	int ret, fd;

	if (index >= MV_MAX_VCPUS)
		return -EINVAL;
	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->index = index;
	mutex_init(&vcpu->mutex);
	init_waitqueue_head(&vcpu->wq);
	spin_lock_init(&vcpu->irq_lock);
	ret = -ENOMEM;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run)
		goto err;
	vcpu->cpuid = mv_cpuid_default(&vcpu->cpuid_nent);
	if (!vcpu->cpuid)
		goto err;
	if (!fpu_alloc_guest_fpstate(&vcpu->gfpu))
		goto err;
	ret = mv_mmu_vcpu_init(vcpu);
	if (ret)
		goto err;
	ret = mv_arch->vcpu_init(vcpu);
	if (ret)
		goto err;
	mv_vcpu_reset(vcpu);

	mutex_lock(&vm->lock);
	ret = -EEXIST;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->index == index)
			goto err_unlock;
	kref_get(&vm->ref);
	fd = anon_inode_getfd("minivisor-vcpu", &mv_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		mutex_unlock(&vm->lock);
		mv_vm_put(vm);
		goto err;
	}
	vm->vcpus[vm->nr_vcpus] = vcpu;
	/* Readers that see the new count see the slot filled. */
	smp_store_release(&vm->nr_vcpus, vm->nr_vcpus + 1);
	mutex_unlock(&vm->lock);
	return fd;

err_unlock:
	mutex_unlock(&vm->lock);
err:
	mv_vcpu_free(vcpu);
	return ret;
}
