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
 * happen under the MMU lock, which is what the page-sharing scanner holds
 * while it compares and merges, so no write is ever lost in a merge.
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

#include "minivisor.h"

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

/* Free @page once no reader can still be looking at it. */
void mv_mem_defer_free(struct page *page)
{
	spin_lock(&mv_free_lock);
	list_add(&page->lru, &mv_free_list);
	spin_unlock(&mv_free_lock);
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

		if (!page)
			continue;
		mem->pages[i] = NULL;
		if (mv_page_shared(page)) {
			mv_share_release(vm, i, page, false);
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
	return page;
}

static bool mv_mem_range_ok(struct mv_vm *vm, u64 gpa, u64 len)
{
	u64 end;

	if (check_add_overflow(gpa, len, &end))
		return false;
	return end <= (u64)vm->mem.nr_pages << PAGE_SHIFT;
}

/*
 * Write into one guest page, under the MMU lock and only into a private
 * page (copying a shared one first).  Shadowed guest page tables written
 * this way are re-read.
 */
static int mv_mem_write_page(struct mv_vm *vm, u64 gpa, const void *buf,
			     unsigned int len)
{
	u64 gfn = gpa >> PAGE_SHIFT;
	struct page *page;
	void *va;

	for (;;) {
		page = mv_mem_page_w(vm, gfn);
		if (IS_ERR_OR_NULL(page))
			return page ? PTR_ERR(page) : -EFAULT;
		spin_lock(&vm->mmu.lock);
		if (READ_ONCE(vm->mem.pages[gfn]) == page)
			break;
		spin_unlock(&vm->mmu.lock);
	}
	va = kmap_local_page(page);
	memcpy(va + (gpa & ~PAGE_MASK), buf, len);
	kunmap_local(va);
	spin_unlock(&vm->mmu.lock);
	mv_mmu_gfn_written(vm, gfn);
	return 0;
}

/*
 * Copy between guest memory and a kernel (@kbuf) or user (@ubuf) buffer.
 * Reads of untouched pages return zeros without allocating.  The caller
 * holds the VM's SRCU read lock.
 */
static int mv_mem_xfer(struct mv_vm *vm, u64 gpa, void *kbuf,
		       void __user *ubuf, u64 len, bool write)
{
	void *bounce = NULL;
	u64 done = 0;
	int ret = 0;

	if (!mv_mem_range_ok(vm, gpa, len))
		return -EINVAL;
	if (ubuf && write) {
		bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
		if (!bounce)
			return -ENOMEM;
	}
	while (done < len && !ret) {
		u64 off = (gpa + done) & ~PAGE_MASK;
		u64 chunk = min_t(u64, len - done, PAGE_SIZE - off);
		struct page *page;
		void *va;

		if (write) {
			const void *src = kbuf + done;

			if (ubuf) {
				if (copy_from_user(bounce, ubuf + done, chunk)) {
					ret = -EFAULT;
					break;
				}
				src = bounce;
			}
			ret = mv_mem_write_page(vm, gpa + done, src, chunk);
		} else {
			page = READ_ONCE(vm->mem.pages[(gpa + done) >> PAGE_SHIFT]);
			if (!page) {
				if (ubuf)
					ret = clear_user(ubuf + done, chunk) ? -EFAULT : 0;
				else
					memset(kbuf + done, 0, chunk);
			} else {
				va = kmap_local_page(page);
				if (ubuf)
					ret = copy_to_user(ubuf + done, va + off, chunk) ?
					      -EFAULT : 0;
				else
					memcpy(kbuf + done, va + off, chunk);
				kunmap_local(va);
			}
		}
		done += chunk;
		if (ubuf && fatal_signal_pending(current))
			ret = -EINTR;
		if (ubuf)
			cond_resched();
	}
	kfree(bounce);
	return ret;
}

int mv_mem_copy(struct mv_vm *vm, u64 gpa, void *buf, u64 len, bool write)
{
	return mv_mem_xfer(vm, gpa, buf, NULL, len, write);
}

int mv_mem_copy_user(struct mv_vm *vm, u64 gpa, void __user *buf, u64 len,
		     bool write)
{
	return mv_mem_xfer(vm, gpa, NULL, buf, len, write);
}
