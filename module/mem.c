// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical memory.
 *
 * The module owns guest RAM: a table maps each guest frame number to a
 * struct page, filled with a zeroed page the first time anything (the guest
 * through the shadow MMU, or the VMM through MV_WRITE_GUEST) touches it.
 * Pages are charged to the VM (and to the creating task's memory cgroup);
 * the table's size is the VM's memory size, so nothing can make us back
 * more than that.  Because no userspace mapping exists, the module can free,
 * merge or copy any page without reaching into another process's mm.
 *
 * A slot holds one of: nothing (never touched), a private page, a frame
 * shared by content with other guest pages (share.c), or the zero page.
 * Shared ones are never written in place: every writer (the guest, through
 * a read-only shadow entry and a #PF; the kernel on the guest's behalf; the
 * VMM) first gets a private copy from mv_mem_page_w().  Kernel-side writes
 * happen under vm->mmu_lock, which is what the page-sharing scanner holds
 * while it compares and merges, so no write is ever lost in a merge.
 *
 * This is the bottom layer: what the layers above do about guest memory
 * (copy-on-write, the balloon seeing a page come back, the shadow MMU
 * forgetting a guest table the kernel wrote) reaches them through the
 * hooks main.c installs, as KVM's page-track notifiers do.
 *
 * Pages taken out of a slot are freed only after an SRCU grace period
 * (mv_srcu): readers (vCPU exit handling, the VMM's ioctls, the scanner)
 * may still be looking at them.
 */
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "minivisor.h"

static const struct mv_mem_hooks *mv_hooks;

void mv_mem_set_hooks(const struct mv_mem_hooks *hooks)
{
	mv_hooks = hooks;
}

struct page *mv_mem_page_w(struct mv_vm *vm, u64 gfn)
{
	return mv_hooks->page_w(vm, gfn);
}

int mv_mem_init(struct mv_mem *mem, u64 size)
{
	mem->nr_pages = size >> PAGE_SHIFT;
	mem->pages = kvcalloc(mem->nr_pages, sizeof(*mem->pages),
			      GFP_KERNEL_ACCOUNT);
	if (!mem->pages)
		return -ENOMEM;
	mem->hints = kvcalloc(mem->nr_pages, sizeof(*mem->hints),
			      GFP_KERNEL_ACCOUNT);
	if (!mem->hints) {
		kvfree(mem->pages);
		mem->pages = NULL;
		return -ENOMEM;
	}
	atomic_long_set(&mem->used, 0);
	atomic_long_set(&mem->shared, 0);
	atomic_long_set(&mem->zero, 0);
	atomic_long_set(&mem->cow_breaks, 0);
	return 0;
}

/* A page taken out of guest memory goes back to the host. */
void mv_mem_free_page(struct page *page)
{
	set_page_private(page, 0);
	__free_page(page);
	atomic_long_dec(&mv_guest_pages);
}

struct srcu_struct mv_srcu;
static DEFINE_SPINLOCK(mv_free_lock);
static LIST_HEAD(mv_free_list);

static void mv_mem_reap_fn(struct work_struct *work)
{
	mv_mem_reap();
}

static DECLARE_WORK(mv_reap_work, mv_mem_reap_fn);

/* Free @page once no reader can still be looking at it: soon. */
void mv_mem_defer_free(struct page *page)
{
	spin_lock(&mv_free_lock);
	list_add(&page->lru, &mv_free_list);
	spin_unlock(&mv_free_lock);
	queue_work(system_unbound_wq, &mv_reap_work);
}

/* Module unload: nothing may stay queued. */
void mv_mem_exit(void)
{
	flush_work(&mv_reap_work);
	mv_mem_reap();
}

/* Free what mv_mem_defer_free() queued; may sleep (SRCU grace period). */
void mv_mem_reap(void)
{
	struct page *page, *tmp;
	LIST_HEAD(list);

	spin_lock(&mv_free_lock);
	list_splice_init(&mv_free_list, &list);
	spin_unlock(&mv_free_lock);
	if (list_empty(&list))
		return;
	synchronize_srcu(&mv_srcu);
	list_for_each_entry_safe(page, tmp, &list, lru) {
		list_del(&page->lru);
		mv_mem_free_page(page);
	}
}

/* Everything goes; no reader is left (the VM is dying and mv_srcu synced). */
void mv_mem_free(struct mv_vm *vm)
{
	struct mv_mem *mem = &vm->mem;
	unsigned long i;

	if (!mem->pages)
		return;
	for (i = 0; i < mem->nr_pages; i++) {
		struct page *page = mem->pages[i];

		if (!(i % 1024))
			cond_resched();
		if (!page)
			continue;
		mem->pages[i] = NULL;
		if (mv_page_shared(page)) {
			/* Other VMs' readers may still look at a frame. */
			mv_hooks->release(vm, page);
		} else {
			atomic_long_dec(&mem->used);
			mv_mem_free_page(page);
		}
	}
	WARN_ON(atomic_long_read(&mem->used) || atomic_long_read(&mem->shared) ||
		atomic_long_read(&mem->zero));
	kvfree(mem->pages);
	kvfree(mem->hints);
	mem->pages = NULL;
	mem->hints = NULL;
	mem->nr_pages = 0;
}

struct page *mv_mem_page(struct mv_vm *vm, u64 gfn)
{
	struct mv_mem *mem = &vm->mem;
	struct page *page, *old;

	if (gfn >= mem->nr_pages)
		return NULL;
	page = READ_ONCE(mem->pages[gfn]);
	if (likely(page))
		return page;

	page = alloc_page(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT);
	if (!page)
		return ERR_PTR(-ENOMEM);
	set_page_private(page, 0);
	/* Two vCPUs may race to fill the same frame: first one wins. */
	old = cmpxchg(&mem->pages[gfn], NULL, page);
	if (old) {
		__free_page(page);
		return old;
	}
	atomic_long_inc(&mem->used);
	atomic_long_inc(&mv_guest_pages);
	mv_hooks->filled(vm, gfn);
	return page;
}

static bool mv_mem_range_ok(struct mv_vm *vm, u64 gpa, u64 len)
{
	u64 end;

	if (check_add_overflow(gpa, len, &end))
		return false;
	return end <= (u64)vm->mem.nr_pages << PAGE_SHIFT;
}

/* Under the MMU lock: @gfn maps @page, private, which we may write. */
bool mv_mem_private(struct mv_vm *vm, u64 gfn, struct page *page)
{
	lockdep_assert_held(&vm->mmu_lock);
	return READ_ONCE(vm->mem.pages[gfn]) == page && !mv_page_shared(page);
}

/*
 * Change one guest page, under the MMU lock and only a private page
 * (copying a shared one first): a merge, which holds the lock while it
 * compares and switches, never loses a write.  @op gets the bytes at @gpa
 * and says whether it wrote them; shadowed guest page tables written this
 * way are re-read.  Under mv_srcu.
 */
static int mv_mem_modify(struct mv_vm *vm, u64 gpa, unsigned int len,
			 bool (*op)(void *va, unsigned int len, void *ctx),
			 void *ctx)
{
	u64 gfn = gpa >> PAGE_SHIFT;
	struct page *page;
	bool wrote;
	void *va;

	for (;;) {
		page = mv_mem_page_w(vm, gfn);
		if (IS_ERR_OR_NULL(page))
			return page ? PTR_ERR(page) : -EFAULT;
		spin_lock(&vm->mmu_lock);
		if (mv_mem_private(vm, gfn, page))
			break;
		spin_unlock(&vm->mmu_lock);
	}
	va = kmap_local_page(page);
	wrote = op(va + (gpa & ~PAGE_MASK), len, ctx);
	kunmap_local(va);
	spin_unlock(&vm->mmu_lock);
	if (wrote)
		mv_hooks->written(vm, gfn);
	return 0;
}

struct mv_mem_copy {
	const void *buf;
};

static bool mv_mem_copy_in(void *va, unsigned int len, void *ctx)
{
	memcpy(va, ((struct mv_mem_copy *)ctx)->buf, len);
	return true;
}

static int mv_mem_write_page(struct mv_vm *vm, u64 gpa, const void *buf,
			     unsigned int len)
{
	struct mv_mem_copy c = { .buf = buf };

	return mv_mem_modify(vm, gpa, len, mv_mem_copy_in, &c);
}

struct mv_mem_rmw {
	bool (*fn)(void *ctx, u64 old, u64 *new);
	void *ctx;
};

static bool mv_mem_rmw_op(void *va, unsigned int len, void *ctx)
{
	struct mv_mem_rmw *r = ctx;
	u64 old = 0, new;

	memcpy(&old, va, len);
	if (!r->fn(r->ctx, old, &new))
		return false;
	memcpy(va, &new, len);
	return true;
}

/* Under mv_srcu, as the copies. */
int mv_mem_update(struct mv_vm *vm, u64 gpa, unsigned int len,
		  bool (*fn)(void *ctx, u64 old, u64 *new), void *ctx)
{
	struct mv_mem_rmw r = { .fn = fn, .ctx = ctx };

	if (!mv_mem_range_ok(vm, gpa, len) || len > sizeof(u64) ||
	    (gpa & ~PAGE_MASK) + len > PAGE_SIZE)
		return -EINVAL;
	return mv_mem_modify(vm, gpa, len, mv_mem_rmw_op, &r);
}

/* Read from one guest page; zeros if it was never touched.  Under mv_srcu. */
static void mv_mem_read_page(struct mv_vm *vm, u64 gpa, void *buf,
			     unsigned int len)
{
	struct page *page = READ_ONCE(vm->mem.pages[gpa >> PAGE_SHIFT]);
	void *va;

	if (!page) {
		memset(buf, 0, len);
		return;
	}
	va = kmap_local_page(page);
	memcpy(buf, va + (gpa & ~PAGE_MASK), len);
	kunmap_local(va);
}

/* The next chunk of a copy at @gpa + @done: up to the end of its page. */
static u64 mv_mem_chunk(u64 gpa, u64 done, u64 len)
{
	return min_t(u64, len - done, PAGE_SIZE - ((gpa + done) & ~PAGE_MASK));
}

/*
 * Copy between guest memory and a kernel buffer; the caller holds mv_srcu.
 * Reads of untouched pages return zeros without allocating.
 */
int mv_mem_copy(struct mv_vm *vm, u64 gpa, void *buf, u64 len, bool write)
{
	u64 done, chunk;
	int ret = 0;

	if (!mv_mem_range_ok(vm, gpa, len))
		return -EINVAL;
	for (done = 0; done < len && !ret; done += chunk) {
		chunk = mv_mem_chunk(gpa, done, len);
		if (write)
			ret = mv_mem_write_page(vm, gpa + done, buf + done, chunk);
		else
			mv_mem_read_page(vm, gpa + done, buf + done, chunk);
	}
	return ret;
}

/*
 * The same with a user buffer, through a bounce page.  mv_srcu is only
 * held around each page's kernel side: a VMM whose buffer faults slowly
 * (userfaultfd, FUSE) must not hold up the freeing of pages for everybody.
 */
int mv_mem_copy_user(struct mv_vm *vm, u64 gpa, void __user *ubuf, u64 len,
		     bool write)
{
	u64 done, chunk;
	void *bounce;
	int ret = 0, idx;

	if (!mv_mem_range_ok(vm, gpa, len))
		return -EINVAL;
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	for (done = 0; done < len && !ret; done += chunk) {
		chunk = mv_mem_chunk(gpa, done, len);
		if (write && copy_from_user(bounce, ubuf + done, chunk)) {
			ret = -EFAULT;
			break;
		}
		idx = srcu_read_lock(&mv_srcu);
		if (write)
			ret = mv_mem_write_page(vm, gpa + done, bounce, chunk);
		else
			mv_mem_read_page(vm, gpa + done, bounce, chunk);
		srcu_read_unlock(&mv_srcu, idx);
		if (!write && copy_to_user(ubuf + done, bounce, chunk))
			ret = -EFAULT;
		if (fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	kfree(bounce);
	return ret;
}
