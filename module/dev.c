// SPDX-License-Identifier: GPL-2.0
/*
 * The data path: /dev/minivisor and the VM and vCPU descriptors it hands
 * out (anonymous-inode files, as with /dev/kvm).  This file turns ioctls
 * into calls: it copies arguments in and out and checks their shape; what
 * they mean is decided below it.
 *
 * Every VM and vCPU ioctl holds vm->alive for reading, so destroying a VM
 * (which takes it for writing) waits for them all; vCPU ioctls but
 * MV_INTERRUPT, which any thread may raise, also hold vcpu->mutex.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "irqchip.h"

static long mv_interrupt(struct mv_vcpu *vcpu, void __user *argp)
{
	struct mv_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	/* With an irqchip, interrupts come through its controllers. */
	if (vcpu->lapic)
		return -ENXIO;
	/* Vectors below 32 are the CPU's exceptions. */
	if (irq.vector < 32 || irq.vector > 255 || irq.pad)
		return -EINVAL;
	return mv_irq_line_raise(vcpu, irq.vector);
}

static long mv_inject(struct mv_vcpu *vcpu, void __user *argp)
{
	/* Vectors that push an error code. */
	const u32 with_error = BIT(X86_TRAP_DF) | BIT(X86_TRAP_TS) |
			       BIT(X86_TRAP_NP) | BIT(X86_TRAP_SS) |
			       BIT(X86_TRAP_GP) | BIT(X86_TRAP_PF) |
			       BIT(X86_TRAP_AC);
	/* 0 to 19, but NMI and the reserved 9 and 15. */
	const u32 valid = GENMASK(X86_TRAP_XF, 0) &
			  ~(BIT(X86_TRAP_NMI) | BIT(X86_TRAP_OLD_MF) |
			    BIT(X86_TRAP_SPURIOUS));
	struct mv_exception e;

	if (copy_from_user(&e, argp, sizeof(e)))
		return -EFAULT;
	if (e.vector > 31 || !(valid & BIT(e.vector)) || e.pad ||
	    e.has_error_code > 1 || (e.has_error_code && !(with_error & BIT(e.vector))))
		return -EINVAL;
	if (e.vector == X86_TRAP_PF)
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

static long mv_get_default_cpuid(struct mv_cpuid __user *ucpuid)
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
	mv_arch->cpuid_changed(vcpu);
	idx = srcu_read_lock(&mv_srcu);
	mv_mmu_reset(vcpu);
	srcu_read_unlock(&mv_srcu, idx);
	return 0;
}

static long mv_vcpu_ioctl_lapic(struct mv_vcpu *vcpu, unsigned int cmd,
				void __user *argp)
{
	struct mv_lapic_state *st;
	long ret = 0;

	if (!vcpu->lapic)
		return -ENXIO;
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	if (cmd == MV_GET_LAPIC) {
		mv_lapic_get_state(vcpu, st);
		if (copy_to_user(argp, st, sizeof(*st)))
			ret = -EFAULT;
	} else if (copy_from_user(st, argp, sizeof(*st))) {
		ret = -EFAULT;
	} else {
		ret = mv_lapic_set_state(vcpu, st);
	}
	kfree(st);
	return ret;
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
	case MV_GET_LAPIC:
	case MV_SET_LAPIC:
		ret = mv_vcpu_ioctl_lapic(vcpu, cmd, argp);
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

	/* vCPUs go with their VM; this one's reference goes now. */
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

static long mv_vm_ioctl_mem(struct mv_vm *vm, unsigned int cmd,
			    void __user *argp)
{
	struct mv_guest_mem m;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	if (m.flags || !m.size)
		return -EINVAL;
	/* mv_srcu is taken page by page, around the kernel side only. */
	return mv_mem_copy_user(vm, m.gpa, u64_to_user_ptr(m.uaddr), m.size,
				cmd == MV_WRITE_GUEST);
}

static long mv_vm_ioctl_balloon(struct mv_vm *vm, void __user *argp)
{
	struct mv_balloon_target t;
	unsigned int i;

	if (copy_from_user(&t, argp, sizeof(t)))
		return -EFAULT;
	if ((t.flags & ~MV_BALLOON_RESET) || (t.mem_bytes & ~PAGE_MASK))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(t.reserved); i++)
		if (t.reserved[i])
			return -EINVAL;
	if (t.mem_bytes > (u64)vm->mem.nr_pages << PAGE_SHIFT)
		return -ERANGE;
	if (t.flags & MV_BALLOON_RESET)
		mv_balloon_reset(vm);
	mv_balloon_set(vm, t.mem_bytes >> PAGE_SHIFT);
	return 0;
}

static void mv_vm_stats(struct mv_vm *vm, struct mv_vm_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->id = vm->id;
	st->mem_pages = vm->mem.nr_pages;
	st->pages_private = atomic_long_read(&vm->mem.used);
	st->pages_shared = atomic_long_read(&vm->mem.shared);
	st->pages_zero = atomic_long_read(&vm->mem.zero);
	st->pages_used = st->pages_private + st->pages_shared + st->pages_zero;
	st->cow_breaks = atomic_long_read(&vm->mem.cow_breaks);
	st->balloon_target = mv_balloon_target(vm);
	st->balloon_pages = mv_balloon_pages(vm);
	st->balloon_inflated = atomic_long_read(&vm->balloon.inflated_total);
	st->balloon_deflated = atomic_long_read(&vm->balloon.deflated_total);
	st->mmu_pages = READ_ONCE(vm->mmu.nr_pages);
}

/* The irqchip's VM ioctls; ENXIO without one (but for creating it). */
static long mv_vm_ioctl_irqchip(struct mv_vm *vm, unsigned int cmd,
				void __user *argp)
{
	union {
		struct mv_irq_level line;
		struct mv_msi msi;
		struct mv_irqchip_state chip;
		struct mv_pit_state pit;
	} *u;
	long ret;

	if (cmd == MV_CREATE_IRQCHIP) {
		if (argp)
			return -EINVAL;
		mutex_lock(&vm->lock);
		ret = mv_irqchip_create(vm);
		mutex_unlock(&vm->lock);
		return ret;
	}
	/* Pairs with the release in mv_irqchip_create(). */
	if (!smp_load_acquire(&vm->irqchip))
		return -ENXIO;
	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	switch (cmd) {
	case MV_IRQ_LINE:
		ret = copy_from_user(&u->line, argp, sizeof(u->line)) ? -EFAULT :
		      u->line.level > 1 ? -EINVAL :
		      mv_irq_set(vm, u->line.gsi, MV_IRQ_SRC_USER, u->line.level);
		break;
	case MV_SIGNAL_MSI:
		ret = copy_from_user(&u->msi, argp, sizeof(u->msi)) ? -EFAULT :
		      mv_irq_msi(vm, &u->msi);
		break;
	case MV_GET_IRQCHIP:
		ret = copy_from_user(&u->chip, argp, sizeof(u->chip)) ? -EFAULT :
		      mv_irqchip_get(vm, &u->chip);
		if (!ret && copy_to_user(argp, &u->chip, sizeof(u->chip)))
			ret = -EFAULT;
		break;
	case MV_SET_IRQCHIP:
		ret = copy_from_user(&u->chip, argp, sizeof(u->chip)) ? -EFAULT :
		      mv_irqchip_set(vm, &u->chip);
		break;
	case MV_GET_PIT:
		mv_pit_get_state(&vm->irqchip->pit, &u->pit);
		ret = copy_to_user(argp, &u->pit, sizeof(u->pit)) ? -EFAULT : 0;
		break;
	default:		/* MV_SET_PIT */
		ret = copy_from_user(&u->pit, argp, sizeof(u->pit)) ? -EFAULT :
		      mv_pit_set_state(&vm->irqchip->pit, &u->pit);
	}
	kfree(u);
	return ret;
}

static long mv_vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mv_vm *vm = file->private_data;
	void __user *argp = (void __user *)arg;
	struct mv_vm_stats st;
	long ret;

	down_read(&vm->alive);
	if (READ_ONCE(vm->state) == MV_VM_DESTROYED) {
		ret = -ENODEV;
		goto out;
	}
	switch (cmd) {
	case MV_WRITE_GUEST:
	case MV_READ_GUEST:
		ret = mv_vm_ioctl_mem(vm, cmd, argp);
		break;
	case MV_CREATE_VCPU:
		ret = mv_vcpu_create(vm, arg, &mv_vcpu_fops);
		break;
	case MV_GET_VM_STATS:
		mv_vm_stats(vm, &st);
		ret = copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
		break;
	case MV_SET_BALLOON:
		ret = mv_vm_ioctl_balloon(vm, argp);
		break;
	case MV_CREATE_IRQCHIP: case MV_IRQ_LINE: case MV_SIGNAL_MSI:
	case MV_GET_IRQCHIP: case MV_SET_IRQCHIP: case MV_GET_PIT:
	case MV_SET_PIT:
		ret = mv_vm_ioctl_irqchip(vm, cmd, argp);
		break;
	default:
		ret = -ENOTTY;
	}
out:
	up_read(&vm->alive);
	return ret;
}

static int mv_vm_file_release(struct inode *inode, struct file *file)
{
	mv_vm_put(file->private_data);
	return 0;
}

static const struct file_operations mv_vm_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mv_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = mv_vm_file_release,
	.llseek = noop_llseek,
};

static long mv_create_vm(const struct mv_vm_config __user *ucfg)
{
	struct mv_vm_config cfg;

	if (!(mv_hw.caps & MV_HW_RUNS_GUESTS))
		return -EOPNOTSUPP;
	if (copy_from_user(&cfg, ucfg, sizeof(cfg)))
		return -EFAULT;
	return mv_vm_create(&cfg, &mv_vm_fops);
}

static long mv_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case MV_GET_API_VERSION:
		return arg ? -EINVAL : MV_API_VERSION;
	case MV_CREATE_VM:
		return mv_create_vm((void __user *)arg);
	case MV_GET_DEFAULT_CPUID:
		return mv_get_default_cpuid((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mv_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mv_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice mv_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = MV_DEVICE_NAME,
	.fops = &mv_dev_fops,
	.mode = 0660,
};

int mv_dev_init(void)
{
	return misc_register(&mv_miscdev);
}

void mv_dev_exit(void)
{
	misc_deregister(&mv_miscdev);
}
