// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical memory.
 *
 * The module owns guest RAM: a table maps each guest frame number to a
 * struct page, filled with a zeroed page the first time anything (the guest
 * through the shadow MMU, or the VMM through MV_WRITE_GUEST) touches it.
 * Pages are charged to the VM (and to the creating task's memory cgroup);
 * the table's size is the VM's memory size, so nothing can make us back
 * more than that.  Because no userspace mapping exists, the module can later
 * free, merge or copy any page without reaching into another process's mm.
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
	atomic_long_set(&mem->used, 0);
	return 0;
}

void mv_mem_free(struct mv_mem *mem)
{
	unsigned long i, freed = 0;

	if (!mem->pages)
		return;
	for (i = 0; i < mem->nr_pages; i++) {
		if (mem->pages[i]) {
			__free_page(mem->pages[i]);
			freed++;
		}
	}
	atomic_long_sub(freed, &mem->used);
	atomic_long_sub(freed, &mv_guest_pages);
	WARN_ON(atomic_long_read(&mem->used));
	kvfree(mem->pages);
	mem->pages = NULL;
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
 * Copy between guest memory and a kernel (@kbuf) or user (@ubuf) buffer.
 * Reads of untouched pages return zeros without allocating.
 */
static int mv_mem_xfer(struct mv_vm *vm, u64 gpa, void *kbuf,
		       void __user *ubuf, u64 len, bool write)
{
	u64 done = 0;

	if (!mv_mem_range_ok(vm, gpa, len))
		return -EINVAL;
	while (done < len) {
		u64 off = (gpa + done) & ~PAGE_MASK;
		u64 chunk = min_t(u64, len - done, PAGE_SIZE - off);
		u64 gfn = (gpa + done) >> PAGE_SHIFT;
		struct page *page;
		void *va;
		int ret = 0;

		if (write) {
			page = mv_mem_page(vm, gfn);
			if (IS_ERR(page))
				return PTR_ERR(page);
		} else {
			page = READ_ONCE(vm->mem.pages[gfn]);
		}

		if (!page) {
			if (ubuf)
				ret = clear_user(ubuf + done, chunk) ? -EFAULT : 0;
			else
				memset(kbuf + done, 0, chunk);
		} else {
			va = kmap_local_page(page);
			if (ubuf && write)
				ret = copy_from_user(va + off, ubuf + done, chunk) ?
				      -EFAULT : 0;
			else if (ubuf)
				ret = copy_to_user(ubuf + done, va + off, chunk) ?
				      -EFAULT : 0;
			else if (write)
				memcpy(va + off, kbuf + done, chunk);
			else
				memcpy(kbuf + done, va + off, chunk);
			kunmap_local(va);
		}
		if (ret)
			return ret;
		done += chunk;
		if (ubuf && fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
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
