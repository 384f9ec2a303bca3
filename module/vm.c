// SPDX-License-Identifier: GPL-2.0
/*
 * VM lifecycle and the global VM table.
 *
 * A VM is reference counted: its file descriptor and each vCPU descriptor
 * hold a reference, and so do netlink requests while they look at it.  It
 * leaves the global table (and mvctl's view) when the last reference goes,
 * or earlier when an administrator destroys it; destroying also gives its
 * memory back at once, while the descriptors linger until closed and only
 * answer ENODEV.  The descriptors themselves belong to dev.c, which hands
 * us its file operations.
 *
 * A VM's state (running, paused, crashed, destroyed) changes under
 * vm->state_lock, an innermost lock; readers just READ_ONCE() it.  vCPUs
 * are created here too, and freed with their VM.
 */
#include <linux/anon_inodes.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <asm/fpu/api.h>

#include "irqchip.h"

unsigned int mv_max_vms = 64;
MV_UINT_PARAM(max_vms, mv_max_vms, 1, 4096, 0444,
	      "Most VMs that may exist at once, 1 to 4096 (default 64)");

static unsigned int mv_max_guest_mem_mb = 4096;
MV_UINT_PARAM(max_guest_mem_mb, mv_max_guest_mem_mb, 1, 65536, 0444,
	      "Largest guest memory size a VM may ask for, 1 to 65536 MiB (default 4096)");

static DEFINE_XARRAY_ALLOC1(mv_vms);
static DEFINE_MUTEX(mv_vms_mutex);	/* VM count and hardware users */
static unsigned int mv_nr_vms;
static u32 mv_next_id;

unsigned int mv_vm_count(void)
{
	return READ_ONCE(mv_nr_vms);
}

int mv_vm_init(void)
{
	return 0;
}

void mv_vm_exit(void)
{
	/* Every VM holds a module reference through its file. */
	WARN_ON(!xa_empty(&mv_vms));
	xa_destroy(&mv_vms);
}

struct mv_vm *mv_vm_get_by_id(u32 id)
{
	struct mv_vm *vm;

	xa_lock(&mv_vms);
	vm = xa_load(&mv_vms, id);
	if (vm && !kref_get_unless_zero(&vm->ref))
		vm = NULL;
	xa_unlock(&mv_vms);
	return vm;
}

struct mv_vm *mv_vm_get_next(u32 *id)
{
	unsigned long index = *id;
	struct mv_vm *vm;

	xa_lock(&mv_vms);
	xa_for_each_start(&mv_vms, index, vm, index) {
		if (kref_get_unless_zero(&vm->ref)) {
			*id = index;
			break;
		}
	}
	xa_unlock(&mv_vms);
	return vm;
}

static void mv_vcpu_free(struct mv_vcpu *vcpu)
{
	if (!vcpu)
		return;
	mv_lapic_free(vcpu);
	mv_mmu_vcpu_free(vcpu);
	mv_arch->vcpu_destroy(vcpu);
	fpu_free_guest_fpstate(&vcpu->gfpu);
	kfree(vcpu->cpuid);
	if (vcpu->run)
		free_page((unsigned long)vcpu->run);
	kfree(vcpu);
}

/*
 * With an irqchip: a local APIC, the PIC's output on the first vCPU, the
 * CPUID bits that go with them, and APs (index > 0) that wait for a SIPI.
 */
static int mv_vcpu_irqchip_init(struct mv_vcpu *vcpu)
{
	int ret = mv_lapic_create(vcpu);

	if (ret)
		return ret;
	if (!vcpu->vm->nr_vcpus)
		mv_irq_source_add(vcpu, &mv_pic_irq_source);
	mv_irq_source_add(vcpu, &mv_lapic_irq_source);
	mv_cpuid_add_irqchip(vcpu);
	if (vcpu->index)
		vcpu->mp_state = MV_MP_WAIT_SIPI;
	return 0;
}

int mv_vcpu_create(struct mv_vm *vm, unsigned long index,
		   const struct file_operations *fops)
{
	struct mv_vcpu *vcpu;
	struct file *file;
	unsigned int i;
	int ret, fd;

	if (index >= MV_MAX_VCPUS)
		return -EINVAL;
	vcpu = kzalloc(mv_arch->vcpu_size, GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->index = index;
	vcpu->cpu = -1;
	mutex_init(&vcpu->mutex);
	init_waitqueue_head(&vcpu->wq);
	mv_irq_line_init(vcpu);
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
	mv_arch->cpuid_changed(vcpu);
	mv_regs_reset(vcpu);
	/* Power-on only: INIT keeps it (as KVM). */
	vcpu->misc_enable = MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |
			    MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL;

	mutex_lock(&vm->lock);
	ret = -EEXIST;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->index == index)
			goto err_unlock;
	if (vm->irqchip) {
		ret = mv_vcpu_irqchip_init(vcpu);
		if (ret)
			goto err_unlock;
	}
	/* The first vCPU hears about balloon targets. */
	if (!vm->nr_vcpus)
		mv_irq_source_add(vcpu, &mv_balloon_irq_source);
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_unlock;
	}
	kref_get(&vm->ref);
	file = anon_inode_getfile("minivisor-vcpu", fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		mutex_unlock(&vm->lock);
		mv_vm_put(vm);
		goto err;
	}
	/*
	 * Published before the VMM can reach it: a vCPU that runs must be in
	 * vcpus[], or TLB flushes of the VM would not wait for it.  Readers
	 * that see the new count see the slot filled.
	 */
	vm->vcpus[vm->nr_vcpus] = vcpu;
	/* Pairs with the smp_load_acquire() of every reader of vcpus[]. */
	smp_store_release(&vm->nr_vcpus, vm->nr_vcpus + 1);
	mutex_unlock(&vm->lock);
	fd_install(fd, file);
	return fd;

err_unlock:
	mutex_unlock(&vm->lock);
err:
	mv_vcpu_free(vcpu);
	return ret;
}

/* Free guest memory and shadow tables; the VM must not run any more. */
static void mv_vm_teardown(struct mv_vm *vm)
{
	if (vm->dying)		/* torn down already */
		return;
	/* The scanner and other readers let go before memory goes. */
	WRITE_ONCE(vm->dying, true);
	/* No timer of a VM that is gone keeps firing. */
	mv_irqchip_stop(vm);
	mv_share_forget_vm(vm);
	synchronize_srcu(&mv_srcu);
	mv_mmu_vm_free(vm);
	mv_mem_free(vm);
	mv_balloon_free(vm);
}

/* Remove from the table; true if this call did it. */
static bool mv_vm_unlist(struct mv_vm *vm)
{
	bool was_listed;

	mutex_lock(&mv_vms_mutex);
	was_listed = xa_erase(&mv_vms, vm->id) == vm;
	if (was_listed)
		mv_nr_vms--;
	mutex_unlock(&mv_vms_mutex);
	return was_listed;
}

static void mv_vm_release(struct kref *ref)
{
	struct mv_vm *vm = container_of(ref, struct mv_vm, ref);
	unsigned int i;

	if (mv_vm_unlist(vm)) {
		/* Nobody holds a reference any more: no lock needed. */
		WRITE_ONCE(vm->state, MV_VM_DESTROYED);
		mv_notify(MV_CMD_EVENT_VM_DESTROYED, vm);
	}
	mv_vm_teardown(vm);
	mv_irqchip_free(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		mv_vcpu_free(vm->vcpus[i]);
	mutex_lock(&mv_vms_mutex);
	mv_arch->hw_put();
	mutex_unlock(&mv_vms_mutex);
	kfree(vm);
	module_put(THIS_MODULE);
}

void mv_vm_put(struct mv_vm *vm)
{
	kref_put(&vm->ref, mv_vm_release);
}

static void mv_vm_kick_all(struct mv_vm *vm)
{
	/* Pairs with the release in mv_vcpu_create(). */
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);

	wake_up_all(&vm->state_wq);
	for (i = 0; i < n; i++)
		mv_vcpu_kick(vm->vcpus[i]);
}

/*
 * Move the VM to @to if its state is one of @from (BIT(enum mv_vm_state)
 * mask), recording @reason for a crash; true if it moved.
 */
static bool mv_vm_set_state(struct mv_vm *vm, unsigned int from, int to,
			    const char *reason)
{
	bool moved = false;

	spin_lock(&vm->state_lock);
	if (from & BIT(vm->state)) {
		if (reason)
			strscpy(vm->crash_reason, reason, sizeof(vm->crash_reason));
		WRITE_ONCE(vm->state, to);
		moved = true;
	}
	spin_unlock(&vm->state_lock);
	return moved;
}

#define MV_VM_LIVE	(BIT(MV_VM_RUNNING) | BIT(MV_VM_PAUSED))

int mv_vm_pause(struct mv_vm *vm, bool pause)
{
	if (!mv_vm_set_state(vm, MV_VM_LIVE, pause ? MV_VM_PAUSED : MV_VM_RUNNING,
			     NULL))
		return -EINVAL;
	mv_vm_kick_all(vm);
	return 0;
}

int mv_vm_destroy(struct mv_vm *vm)
{
	if (!mv_vm_set_state(vm, MV_VM_LIVE | BIT(MV_VM_CRASHED),
			     MV_VM_DESTROYED, NULL))
		return -ENOENT;
	mv_vm_kick_all(vm);
	/* Wait for every ioctl, MV_RUN included, to notice and leave. */
	down_write(&vm->alive);
	mv_vm_teardown(vm);
	up_write(&vm->alive);
	if (mv_vm_unlist(vm))
		mv_notify(MV_CMD_EVENT_VM_DESTROYED, vm);
	return 0;
}

/* Called from a vCPU's MV_RUN: takes no lock but the state lock. */
void mv_vm_crashed(struct mv_vm *vm, const char *reason)
{
	if (!mv_vm_set_state(vm, MV_VM_LIVE, MV_VM_CRASHED, reason))
		return;
	mv_vm_kick_all(vm);
	mv_notify(MV_CMD_EVENT_VM_CRASHED, vm);
}

void mv_vm_exits(struct mv_vm *vm, u64 *stats)
{
	/* Pairs with the release in mv_vcpu_create(). */
	unsigned int i, j, n = smp_load_acquire(&vm->nr_vcpus);

	memset(stats, 0, sizeof(u64) * __MV_STAT_COUNT);
	for (i = 0; i < n; i++)
		for (j = 0; j < __MV_STAT_COUNT; j++)
			stats[j] += READ_ONCE(vm->vcpus[i]->stats[j]);
}

static int mv_vm_check_config(const struct mv_vm_config *cfg)
{
	u64 max = (u64)mv_max_guest_mem_mb << 20;
	unsigned int i;

	if (cfg->flags)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(cfg->reserved); i++)
		if (cfg->reserved[i])
			return -EINVAL;
	if (cfg->mem_size < SZ_64K || cfg->mem_size > max ||
	    !PAGE_ALIGNED(cfg->mem_size))
		return -EINVAL;
	if (!memchr(cfg->name, 0, sizeof(cfg->name)))
		return -EINVAL;
	for (i = 0; cfg->name[i]; i++)
		if (!isprint(cfg->name[i]))
			return -EINVAL;
	return 0;
}

/* Account the VM and switch the hardware backend on for the first one. */
static int mv_vm_list(struct mv_vm *vm)
{
	int ret;

	mutex_lock(&mv_vms_mutex);
	if (mv_nr_vms >= mv_max_vms) {
		ret = -ENOSPC;
		goto out;
	}
	ret = mv_arch->hw_get();
	if (ret)
		goto out;
	ret = xa_alloc_cyclic(&mv_vms, &vm->id, vm, xa_limit_31b, &mv_next_id,
			      GFP_KERNEL);
	if (ret < 0) {
		mv_arch->hw_put();
		goto out;
	}
	mv_nr_vms++;
	ret = 0;
out:
	mutex_unlock(&mv_vms_mutex);
	return ret;
}

int mv_vm_create(const struct mv_vm_config *cfg,
		 const struct file_operations *fops)
{
	struct file *file;
	struct mv_vm *vm;
	int fd, ret;

	ret = mv_vm_check_config(cfg);
	if (ret)
		return ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	spin_lock_init(&vm->state_lock);
	spin_lock_init(&vm->mmu_lock);
	init_rwsem(&vm->alive);
	init_waitqueue_head(&vm->state_wq);
	INIT_LIST_HEAD(&vm->share_hints);
	INIT_LIST_HEAD(&vm->share_link);
	vm->share_domain = cfg->share_domain;
	strscpy(vm->name, cfg->name, sizeof(vm->name));
	vm->pid = task_tgid_nr(current);
	get_task_comm(vm->comm, current);
	vm->state = MV_VM_RUNNING;

	ret = mv_mem_init(&vm->mem, cfg->mem_size);
	if (ret)
		goto err_mem;
	ret = mv_balloon_init(vm);
	if (ret)
		goto err_balloon;
	ret = mv_mmu_vm_init(vm);
	if (ret)
		goto err_mmu;
	ret = mv_vm_list(vm);
	if (ret)
		goto err_list;
	/*
	 * Listed, others (the scanner, netlink) may hold references now: from
	 * here on the VM goes through its release, which this pairs with.
	 */
	__module_get(THIS_MODULE);
	mv_share_add_vm(vm);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put;
	}
	file = anon_inode_getfile("minivisor-vm", fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto err_put;
	}
	/* Not if an administrator destroyed it already (it was listed). */
	if (!READ_ONCE(vm->dying))
		mv_notify(MV_CMD_EVENT_VM_CREATED, vm);
	fd_install(fd, file);
	return fd;

err_put:
	/* Unlisted first: a VM nobody saw created is not "destroyed" either. */
	mv_vm_unlist(vm);
	mv_vm_put(vm);
	return ret;
err_list:
	mv_mmu_vm_free(vm);
err_mmu:
	mv_balloon_free(vm);
err_balloon:
	mv_mem_free(vm);
err_mem:
	kfree(vm);
	return ret;
}
