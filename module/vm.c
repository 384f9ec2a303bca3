// SPDX-License-Identifier: GPL-2.0
/*
 * VM lifecycle and the global VM table.
 *
 * A VM is reference counted: its file descriptor and each vCPU descriptor
 * hold a reference, and so do netlink requests while they look at it.  It
 * leaves the global table (and mvctl's view) when the last reference goes,
 * or earlier when an administrator destroys it; destroying also gives its
 * memory back at once, while the descriptors linger until closed and only
 * answer ENODEV.
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

#include "minivisor.h"

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

/* Free guest memory and shadow tables; the VM must not run any more. */
static void mv_vm_teardown(struct mv_vm *vm)
{
	if (vm->dying)		/* torn down already */
		return;
	/* The scanner and other readers let go before memory goes. */
	WRITE_ONCE(vm->dying, true);
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
		vm->state = MV_VM_DESTROYED;
		mv_nl_event(vm, MV_CMD_EVENT_VM_DESTROYED);
	}
	mv_vm_teardown(vm);
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

int mv_vm_pause(struct mv_vm *vm, bool pause)
{
	int ret = 0;

	mutex_lock(&vm->lock);
	if (vm->state == MV_VM_DESTROYED || vm->state == MV_VM_CRASHED)
		ret = -EINVAL;
	else
		WRITE_ONCE(vm->state, pause ? MV_VM_PAUSED : MV_VM_RUNNING);
	mutex_unlock(&vm->lock);
	if (!ret)
		mv_vm_kick_all(vm);
	return ret;
}

int mv_vm_destroy(struct mv_vm *vm)
{
	mutex_lock(&vm->lock);
	if (vm->state == MV_VM_DESTROYED) {
		mutex_unlock(&vm->lock);
		return -ENOENT;
	}
	WRITE_ONCE(vm->state, MV_VM_DESTROYED);
	mutex_unlock(&vm->lock);

	mv_vm_kick_all(vm);
	/* Wait for every ioctl, MV_RUN included, to notice and leave. */
	down_write(&vm->alive);
	mv_vm_teardown(vm);
	up_write(&vm->alive);
	if (mv_vm_unlist(vm))
		mv_nl_event(vm, MV_CMD_EVENT_VM_DESTROYED);
	return 0;
}

void mv_vm_crashed(struct mv_vm *vm, const char *reason)
{
	bool first = false;

	mutex_lock(&vm->lock);
	if (vm->state == MV_VM_RUNNING || vm->state == MV_VM_PAUSED) {
		strscpy(vm->crash_reason, reason, sizeof(vm->crash_reason));
		WRITE_ONCE(vm->state, MV_VM_CRASHED);
		first = true;
	}
	mutex_unlock(&vm->lock);
	if (first) {
		mv_vm_kick_all(vm);
		mv_nl_event(vm, MV_CMD_EVENT_VM_CRASHED);
	}
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
		ret = mv_vcpu_create(vm, arg);
		break;
	case MV_GET_VM_STATS:
		memset(&st, 0, sizeof(st));
		st.id = vm->id;
		st.mem_pages = vm->mem.nr_pages;
		st.pages_private = atomic_long_read(&vm->mem.used);
		st.pages_shared = atomic_long_read(&vm->mem.shared);
		st.pages_zero = atomic_long_read(&vm->mem.zero);
		st.pages_used = st.pages_private + st.pages_shared + st.pages_zero;
		st.cow_breaks = atomic_long_read(&vm->mem.cow_breaks);
		st.balloon_target = mv_balloon_target(vm);
		st.balloon_pages = mv_balloon_pages(vm);
		st.balloon_inflated = atomic_long_read(&vm->balloon.inflated_total);
		st.balloon_deflated = atomic_long_read(&vm->balloon.deflated_total);
		st.mmu_pages = READ_ONCE(vm->mmu.nr_pages);
		ret = copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
		break;
	case MV_SET_BALLOON:
		ret = mv_vm_ioctl_balloon(vm, argp);
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

int mv_vm_create(const struct mv_vm_config __user *ucfg)
{
	struct mv_vm_config cfg;
	struct file *file;
	struct mv_vm *vm;
	int fd, ret;

	if (copy_from_user(&cfg, ucfg, sizeof(cfg)))
		return -EFAULT;
	ret = mv_vm_check_config(&cfg);
	if (ret)
		return ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	init_rwsem(&vm->alive);
	init_waitqueue_head(&vm->state_wq);
	INIT_LIST_HEAD(&vm->share_hints);
	vm->share_domain = cfg.share_domain;
	strscpy(vm->name, cfg.name, sizeof(vm->name));
	vm->pid = task_tgid_nr(current);
	get_task_comm(vm->comm, current);
	vm->state = MV_VM_RUNNING;

	ret = mv_mem_init(&vm->mem, cfg.mem_size);
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

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put;
	}
	file = anon_inode_getfile("minivisor-vm", &mv_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto err_put;
	}
	mv_nl_event(vm, MV_CMD_EVENT_VM_CREATED);
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
