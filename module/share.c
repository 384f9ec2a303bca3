// SPDX-License-Identifier: GPL-2.0
/*
 * Content-based page sharing, ESX style.
 *
 * A scanner thread walks guest memory a few pages at a time.  Each page is
 * hashed (xxh64) and looked up in a table of shared frames and "hints":
 *
 *  - all zeros: the guest page is merged into the kernel's zero page, no
 *    table entry needed;
 *  - a frame with the same hash (in the VM's sharing domain): compare the
 *    whole page, and on a match map the guest page to the frame;
 *  - a hint with the same hash (a page seen once before): look at the hint's
 *    page again.  Changed since?  It was volatile: forget it.  Still the
 *    same and byte-for-byte equal to ours?  It becomes a shared frame and
 *    ours is merged into it;
 *  - nothing: remember this page as a hint.
 *
 * A merge write-protects the guest page's shadow entries (the reverse map
 * says which), flushes the TLBs, compares, and only then switches the slot
 * to the frame, all under the VM's MMU lock, which every writer of guest
 * memory takes too.  Frames are never written: a write faults and gets a
 * private copy (mv_mem_page_w), unless the writer is the frame's last user,
 * who simply takes the page back.  A frame goes when its last user does.
 *
 * Sharing domains: pages are only shared between VMs of one domain, and a
 * domain's policy says what may be shared there (everything, zero pages
 * only, nothing): the answer to the known page-sharing side channels.
 *
 * The scanner keeps its own list of VMs (a VM joins when created and
 * leaves at teardown, before its memory goes) and walks it under mv_srcu,
 * so it never holds a reference that would make it the one to free a VM.
 * Nothing here waits for other vCPUs with a lock held: a merge that finds
 * a flush owed lets go of the MMU lock to flush, then looks again.
 */
#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <linux/xxhash.h>

#include "minivisor.h"
#include "mmu.h"
#include "trace.h"

struct mv_share_key {
	struct hlist_node node;
	u64 hash;
	u32 domain;
};

struct mv_frame {
	struct mv_share_key key;
	unsigned int users;		/* guest pages mapping it */
	unsigned int pins;		/* merges in flight into it */
	struct page *page;
};

struct mv_hint {
	struct mv_share_key key;
	struct list_head vm_link;
	struct mv_vm *vm;
	u64 gfn;
};

#define MV_SHARE_HASH_BITS	14

static bool mv_share_enabled = true;
module_param_named(share_enabled, mv_share_enabled, bool, 0644);
MODULE_PARM_DESC(share_enabled,
		 "Share identical guest pages copy-on-write (default Y; also mvctl share set on|off)");

static unsigned int mv_share_scan_pages = 256;
MV_UINT_PARAM(share_scan_pages, mv_share_scan_pages, 1, MV_SHARE_MAX_SCAN_PAGES, 0444,
	      "Guest pages the sharing scanner looks at per pass (default 256; change it with mvctl share set)");

static unsigned int mv_share_interval_ms = 20;
MV_UINT_PARAM(share_scan_interval_ms, mv_share_interval_ms, 1, MV_SHARE_MAX_INTERVAL_MS, 0444,
	      "Milliseconds between two passes of the sharing scanner (default 20; change it with mvctl share set)");

static unsigned int mv_share_hash_bits;
MV_UINT_PARAM(share_hash_bits, mv_share_hash_bits, 0, 64, 0644,
	      "For testing: keep only this many bits of each page hash, forcing collisions that the full page comparison must catch (default 0: all 64)");

/* How often a merge looks again after flushing before it gives up. */
#define MV_MERGE_TRIES	8

static DEFINE_HASHTABLE(mv_frames, MV_SHARE_HASH_BITS);
static DEFINE_HASHTABLE(mv_hints, MV_SHARE_HASH_BITS);
/*
 * The tables, frame counts, hints, the VM list and the statistics below.
 * Nests inside vm->mmu_lock; nothing nests inside it.
 */
static DEFINE_SPINLOCK(mv_share_lock);
/* The VMs the scanner visits; readers walk it under mv_srcu. */
static LIST_HEAD(mv_share_vms);
static DEFINE_XARRAY(mv_domains);	/* id -> policy, if not ALL */
static struct task_struct *mv_scanner;
/*
 * Held for reading by a scanner batch, for writing by a change of domain
 * or policy: a change and the unsharing it calls for never overlap a merge
 * decided under the old rules.
 */
static DECLARE_RWSEM(mv_share_rules);
static unsigned int mv_nr_policies;	/* entries in mv_domains */

static struct mv_share_stats mv_share_stats;

static inline struct mv_frame *mv_frame_of(struct page *page)
{
	return (struct mv_frame *)page_private(page);
}

static enum mv_share_policy mv_share_policy(u32 domain)
{
	void *v = xa_load(&mv_domains, domain);

	return v ? xa_to_value(v) : MV_SHARE_ALL;
}

/* Frame user counts; the frames_multi/sharing figures follow them. */
static void mv_frame_get_user(struct mv_frame *f)
{
	lockdep_assert_held(&mv_share_lock);
	if (++f->users == 2) {
		mv_share_stats.frames++;
		mv_share_stats.sharing += 2;
	} else if (f->users > 2) {
		mv_share_stats.sharing++;
	}
}

/* Drop a user (or pin); true when the frame is now unused. */
static bool mv_frame_put_user(struct mv_frame *f)
{
	lockdep_assert_held(&mv_share_lock);
	if (f->users-- == 2) {
		mv_share_stats.frames--;
		mv_share_stats.sharing -= 2;
	} else if (f->users >= 2) {
		mv_share_stats.sharing--;
	}
	if (f->users || f->pins)
		return false;
	hash_del(&f->key.node);
	return true;
}

/*
 * Unused now: the page goes once no reader can be looking at it (another
 * VM's reader may have picked it up from its slot before it let go), and
 * the frame goes at once (only holders of a user or a pin look into it).
 */
static void mv_frame_free(struct mv_frame *f)
{
	set_page_private(f->page, 0);
	mv_mem_defer_free(f->page);
	kfree(f);
}

/*
 * A slot of @vm, which mapped shared @page, is being emptied (teardown,
 * inflate): drop the slot's reference.
 */
void mv_share_release(struct mv_vm *vm, struct page *page)
{
	struct mv_frame *f;
	bool last;

	if (page == mv_zero_page()) {
		atomic_long_dec(&vm->mem.zero);
		return;
	}
	f = mv_frame_of(page);
	if (WARN_ON_ONCE(!f))
		return;
	atomic_long_dec(&vm->mem.shared);
	spin_lock(&mv_share_lock);
	last = mv_frame_put_user(f);
	spin_unlock(&mv_share_lock);
	if (last)
		mv_frame_free(f);
}

/* Under the MMU lock: does @gfn still map @page, shared? */
static bool mv_still_shared(struct mv_vm *vm, u64 gfn, struct page *page)
{
	lockdep_assert_held(&vm->mmu_lock);
	return READ_ONCE(vm->mem.pages[gfn]) == page && mv_page_shared(page);
}

/*
 * @gfn maps shared @page: take it back if we are the frame's only user.
 * True if so (the page is private now).  Under the MMU lock, which keeps
 * the slot's reference, and so the frame, alive.
 */
static bool mv_take_back(struct mv_vm *vm, struct page *page)
{
	struct mv_frame *f;
	bool mine = false;

	lockdep_assert_held(&vm->mmu_lock);
	if (page == mv_zero_page())
		return false;
	f = mv_frame_of(page);
	spin_lock(&mv_share_lock);
	if (f->users == 1 && !f->pins) {
		hash_del(&f->key.node);
		set_page_private(page, 0);
		mine = true;
	}
	spin_unlock(&mv_share_lock);
	if (mine) {
		kfree(f);
		atomic_long_dec(&vm->mem.shared);
		atomic_long_inc(&vm->mem.used);
	}
	return mine;
}

/*
 * A private page for writing @gfn: allocate it if never touched (@alloc;
 * else an empty slot stays empty), copy it if shared (copy-on-write), or
 * take a frame back from being shared if we are its only user.  Called
 * with mv_srcu held.  The page may be shared again by the time the caller
 * writes: kernel writers check under the MMU lock (mv_mem_private()).
 */
static struct page *mv_page_w(struct mv_vm *vm, u64 gfn, bool alloc)
{
	struct mv_frame *f = NULL;
	struct page *page, *copy;
	bool last = false;

	for (;;) {
		page = alloc ? mv_mem_page(vm, gfn) : READ_ONCE(vm->mem.pages[gfn]);
		if (IS_ERR_OR_NULL(page) || !mv_page_shared(page))
			return page;

		spin_lock(&vm->mmu_lock);
		if (!mv_still_shared(vm, gfn, page)) {
			spin_unlock(&vm->mmu_lock);
			continue;
		}
		if (mv_take_back(vm, page)) {
			spin_unlock(&vm->mmu_lock);
			return page;
		}
		spin_unlock(&vm->mmu_lock);

		/*
		 * Copy.  If the frame changes hands meanwhile (another writer
		 * copies it or takes it back), the check below sees it and
		 * the copy is dropped; a frame let go of is only freed after
		 * mv_srcu readers like us are done.
		 */
		copy = alloc_page(GFP_HIGHUSER | __GFP_ACCOUNT);
		if (!copy)
			return ERR_PTR(-ENOMEM);
		set_page_private(copy, 0);
		if (page == mv_zero_page())
			clear_highpage(copy);
		else
			copy_highpage(copy, page);

		spin_lock(&vm->mmu_lock);
		if (!mv_still_shared(vm, gfn, page)) {
			spin_unlock(&vm->mmu_lock);
			__free_page(copy);
			continue;
		}
		WRITE_ONCE(vm->mem.pages[gfn], copy);
		/* Still read-only: the faulting writer upgrades its own entry. */
		mv_rmap_retarget(vm, gfn, copy);
		atomic_long_inc(&mv_guest_pages);
		atomic_long_inc(&vm->mem.used);
		atomic_long_inc(&vm->mem.cow_breaks);
		spin_lock(&mv_share_lock);
		mv_share_stats.cow_breaks++;
		if (page == mv_zero_page()) {
			atomic_long_dec(&vm->mem.zero);
		} else {
			f = mv_frame_of(page);
			atomic_long_dec(&vm->mem.shared);
			last = mv_frame_put_user(f);
		}
		spin_unlock(&mv_share_lock);
		spin_unlock(&vm->mmu_lock);
		trace_mv_share_cow(vm, gfn, page, copy, last);
		/* No vCPU may read the frame through a stale entry after this. */
		mv_mmu_commit(vm);
		if (last)
			mv_frame_free(f);
		return copy;
	}
}

/* mv_page_w() for writers (the mem.c hook): an empty slot gets a page. */
struct page *mv_share_page_w(struct mv_vm *vm, u64 gfn)
{
	return mv_page_w(vm, gfn, true);
}

/*
 * Under @vm's MMU lock: make @gfn's entries read-only in every TLB.  The
 * lock goes while flushing (other vCPUs are waited for) and is held again
 * on return; false when the slot changed meanwhile or the flushes never
 * caught up.
 */
static bool mv_share_freeze(struct mv_vm *vm, u64 gfn, struct page *page)
{
	int tries;

	lockdep_assert_held(&vm->mmu_lock);
	for (tries = 0; tries < MV_MERGE_TRIES; tries++) {
		if (READ_ONCE(vm->mem.pages[gfn]) != page ||
		    mv_page_shared(page) || mv_mmu_gfn_shadowed(vm, gfn))
			break;
		mv_rmap_write_protect(vm, gfn);
		if (mv_mmu_flushed(vm))
			return true;
		spin_unlock(&vm->mmu_lock);
		mv_mmu_commit(vm);
		spin_lock(&vm->mmu_lock);
	}
	return false;
}

/*
 * Merge @vm's private @page at @gfn into frame @f (pinned by the caller)
 * or, if @f is NULL, into the zero page: write-protect, flush, compare,
 * switch.  0, -EAGAIN (the slot changed), or -ENODATA (the contents
 * differ).
 */
static int mv_merge(struct mv_vm *vm, u64 gfn, struct page *page,
		    struct mv_frame *f)
{
	struct page *target = f ? f->page : mv_zero_page();
	bool same;
	void *a, *b;

	/*
	 * From here until the switch no vCPU can write @page: its entries
	 * are read-only, and no TLB holds a writable one, including entries
	 * other paths removed but did not flush yet.
	 */
	spin_lock(&vm->mmu_lock);
	if (!mv_share_freeze(vm, gfn, page)) {
		spin_unlock(&vm->mmu_lock);
		return -EAGAIN;
	}
	a = kmap_local_page(page);
	if (!f) {
		same = !memchr_inv(a, 0, PAGE_SIZE);
	} else {
		b = kmap_local_page(target);
		same = !memcmp(a, b, PAGE_SIZE);
		kunmap_local(b);
	}
	kunmap_local(a);
	if (!same) {
		spin_unlock(&vm->mmu_lock);
		return -ENODATA;
	}
	WRITE_ONCE(vm->mem.pages[gfn], target);
	mv_rmap_retarget(vm, gfn, target);
	atomic_long_dec(&vm->mem.used);
	spin_lock(&mv_share_lock);
	if (f) {
		mv_frame_get_user(f);
		atomic_long_inc(&vm->mem.shared);
		mv_share_stats.merges++;
	} else {
		atomic_long_inc(&vm->mem.zero);
		mv_share_stats.zero_merges++;
	}
	trace_mv_share_merge(vm, gfn, target, f ? f->users : 0);
	spin_unlock(&mv_share_lock);
	spin_unlock(&vm->mmu_lock);
	/* Stale TLB entries may still name @page: flush before freeing it. */
	mv_mmu_commit(vm);
	mv_mem_defer_free(page);
	mv_share_forget_gfn(vm, gfn);
	return 0;
}

/*
 * xxh64 of a page, cut to share_hash_bits bits when that parameter asks for
 * it (tests use it to force collisions through the full comparison).
 */
static u64 mv_hash(const void *va)
{
	unsigned int bits = READ_ONCE(mv_share_hash_bits);
	u64 h = xxh64(va, PAGE_SIZE, 0);

	return bits && bits < 64 ? h & (BIT_ULL(bits) - 1) : h;
}

static u64 mv_page_hash(struct page *page)
{
	void *va = kmap_local_page(page);
	u64 h = mv_hash(va);

	kunmap_local(va);
	return h;
}

/*
 * Frames and hints are found alike, by (hash, domain): both start with
 * this key, and each hash table holds one kind.
 */
static struct mv_share_key *mv_key_find(struct hlist_head *table,
					unsigned int bits, u64 hash, u32 domain)
{
	struct mv_share_key *k;

	hlist_for_each_entry(k, &table[hash_min(hash, bits)], node)
		if (k->hash == hash && k->domain == domain)
			return k;
	return NULL;
}

static struct mv_frame *mv_frame_find(u64 hash, u32 domain)
{
	struct mv_share_key *k = mv_key_find(mv_frames, HASH_BITS(mv_frames),
					     hash, domain);

	return k ? container_of(k, struct mv_frame, key) : NULL;
}

static struct mv_hint *mv_hint_find(u64 hash, u32 domain)
{
	struct mv_share_key *k = mv_key_find(mv_hints, HASH_BITS(mv_hints),
					     hash, domain);

	return k ? container_of(k, struct mv_hint, key) : NULL;
}

static void mv_hint_del(struct mv_hint *h)
{
	lockdep_assert_held(&mv_share_lock);
	hash_del(&h->key.node);
	list_del(&h->vm_link);
	h->vm->mem.hints[h->gfn] = NULL;
	mv_share_stats.hints--;
}

/* @vm's page at @gfn is shared now, or gone: it needs no hint any more. */
void mv_share_forget_gfn(struct mv_vm *vm, u64 gfn)
{
	struct mv_hint *h;

	spin_lock(&mv_share_lock);
	h = vm->mem.hints[gfn];
	if (h)
		mv_hint_del(h);
	spin_unlock(&mv_share_lock);
	kfree(h);
}

/* Remember @vm's page at @gfn by @hash; one hint per page at most. */
static void mv_hint_add(struct mv_vm *vm, u64 gfn, u64 hash)
{
	struct mv_hint *h = kmalloc(sizeof(*h), GFP_KERNEL), *old;

	if (!h)
		return;
	h->key.hash = hash;
	h->key.domain = READ_ONCE(vm->share_domain);
	h->vm = vm;
	h->gfn = gfn;
	spin_lock(&mv_share_lock);
	/* Teardown sets ->dying before it takes the lock to forget hints. */
	if (READ_ONCE(vm->dying)) {
		spin_unlock(&mv_share_lock);
		kfree(h);
		return;
	}
	old = vm->mem.hints[gfn];
	if (old)
		mv_hint_del(old);
	hash_add(mv_hints, &h->key.node, hash);
	list_add(&h->vm_link, &vm->share_hints);
	vm->mem.hints[gfn] = h;
	mv_share_stats.hints++;
	spin_unlock(&mv_share_lock);
	kfree(old);
}

/* Forget every hint of @vm (teardown, domain change), a batch at a time. */
static void mv_share_forget_hints(struct mv_vm *vm)
{
	struct mv_hint *h, *tmp;
	unsigned int n;
	LIST_HEAD(dead);

	do {
		n = 0;
		spin_lock(&mv_share_lock);
		list_for_each_entry_safe(h, tmp, &vm->share_hints, vm_link) {
			if (n++ == 256)
				break;
			mv_hint_del(h);
			list_add(&h->vm_link, &dead);
		}
		spin_unlock(&mv_share_lock);
		list_for_each_entry_safe(h, tmp, &dead, vm_link)
			kfree(h);
		INIT_LIST_HEAD(&dead);
		cond_resched();
	} while (n > 256);
}

/*
 * Teardown: @vm leaves the scanner's list (the caller then waits for
 * mv_srcu readers, who may still be looking at it) and its hints go.
 */
void mv_share_forget_vm(struct mv_vm *vm)
{
	spin_lock(&mv_share_lock);
	/* Never added (destroyed while being created): self-linked. */
	if (!list_empty(&vm->share_link))
		list_del_rcu(&vm->share_link);
	spin_unlock(&mv_share_lock);
	mv_share_forget_hints(vm);
}

/*
 * Turn @vm2's page at @gfn2, last seen with @hash, into a shared frame
 * with one user.  NULL if the page changed since (it is volatile).
 */
static struct mv_frame *mv_frame_make(struct mv_vm *vm2, u64 gfn2, u64 hash)
{
	struct mv_frame *f = kzalloc(sizeof(*f), GFP_KERNEL);
	struct page *page;

	if (!f)
		return NULL;
	spin_lock(&vm2->mmu_lock);
	page = READ_ONCE(vm2->mem.pages[gfn2]);
	if (!page)
		goto fail;
	/* Read-only now, in every TLB: this hash stays true while shared. */
	if (!mv_share_freeze(vm2, gfn2, page) || mv_page_hash(page) != hash)
		goto fail;
	f->key.hash = hash;
	f->key.domain = READ_ONCE(vm2->share_domain);
	f->page = page;
	f->users = 1;
	/* Pinned for the caller's merge: nobody may take it back before. */
	f->pins = 1;
	set_page_private(page, (unsigned long)f);
	atomic_long_dec(&vm2->mem.used);
	atomic_long_inc(&vm2->mem.shared);
	spin_lock(&mv_share_lock);
	hash_add(mv_frames, &f->key.node, hash);
	spin_unlock(&mv_share_lock);
	spin_unlock(&vm2->mmu_lock);
	return f;
fail:
	spin_unlock(&vm2->mmu_lock);
	kfree(f);
	return NULL;
}

/* Merge @vm's @page into frame @f, pinned by the caller, and unpin it. */
static void mv_merge_frame(struct mv_vm *vm, u64 gfn, struct page *page,
			   struct mv_frame *f)
{
	int ret = mv_merge(vm, gfn, page, f);
	bool last;

	spin_lock(&mv_share_lock);
	f->pins--;
	if (ret == -ENODATA)
		mv_share_stats.collisions++;
	last = !f->users && !f->pins;
	if (last)
		hash_del(&f->key.node);
	spin_unlock(&mv_share_lock);
	if (last)
		mv_frame_free(f);
}

/* Look at one guest page. */
static void mv_scan_page(struct mv_vm *vm, u64 gfn, enum mv_share_policy pol)
{
	struct page *page = READ_ONCE(vm->mem.pages[gfn]);
	u32 domain = READ_ONCE(vm->share_domain);
	struct mv_hint *h;
	struct mv_frame *f;
	struct mv_vm *vm2;
	u64 hash, gfn2;
	bool zero;
	void *va;

	if (!page || mv_page_shared(page) || mv_mmu_gfn_shadowed(vm, gfn))
		return;
	va = kmap_local_page(page);
	zero = !memchr_inv(va, 0, PAGE_SIZE);
	/* Only a domain that shares everything needs the hash. */
	hash = zero || pol != MV_SHARE_ALL ? 0 : mv_hash(va);
	kunmap_local(va);
	if (zero) {
		mv_merge(vm, gfn, page, NULL);
		return;
	}
	if (pol != MV_SHARE_ALL)
		return;

	spin_lock(&mv_share_lock);
	f = mv_frame_find(hash, domain);
	if (f) {
		f->pins++;
		spin_unlock(&mv_share_lock);
		mv_merge_frame(vm, gfn, page, f);
		return;
	}
	h = mv_hint_find(hash, domain);
	if (!h || (h->vm == vm && h->gfn == gfn)) {
		spin_unlock(&mv_share_lock);
		if (!h)
			mv_hint_add(vm, gfn, hash);
		return;
	}
	/*
	 * A twin seen before.  Its VM forgets its hints under this lock
	 * before it waits for mv_srcu readers and frees anything, so as we
	 * found the hint, the VM and its memory stay until we leave mv_srcu.
	 */
	vm2 = h->vm;
	gfn2 = h->gfn;
	mv_hint_del(h);
	spin_unlock(&mv_share_lock);
	kfree(h);

	f = READ_ONCE(vm2->dying) ? NULL : mv_frame_make(vm2, gfn2, hash);
	if (!f) {
		/* The twin changed: it is volatile; ours becomes the hint. */
		spin_lock(&mv_share_lock);
		mv_share_stats.volatile_pages++;
		spin_unlock(&mv_share_lock);
		mv_hint_add(vm, gfn, hash);
		return;
	}
	mv_merge_frame(vm, gfn, page, f);
}

/* Where the scanner is: the next VM ID and guest page to look at. */
static u32 mv_scan_vm_id = 1;
static u64 mv_scan_gfn;
/* Pages seen in this pass so far; when the last scan-done event went. */
static u64 mv_pass_pages;
static unsigned long mv_last_event;

/*
 * The listed VM with the lowest ID at or above @id, or NULL.  Under
 * mv_srcu: a VM leaves the list before teardown waits for its readers.
 */
static struct mv_vm *mv_share_next_vm(u32 id)
{
	struct mv_vm *vm, *best = NULL;

	list_for_each_entry_srcu(vm, &mv_share_vms, share_link,
				 srcu_read_lock_held(&mv_srcu))
		if (vm->id >= id && (!best || vm->id < best->id))
			best = vm;
	return best;
}

/*
 * A VM destroyed before it got here (it is listed for netlink first) stays
 * off the list: teardown sets ->dying before taking the lock to leave it.
 */
void mv_share_add_vm(struct mv_vm *vm)
{
	spin_lock(&mv_share_lock);
	if (!READ_ONCE(vm->dying))
		list_add_tail_rcu(&vm->share_link, &mv_share_vms);
	spin_unlock(&mv_share_lock);
}

/* Scan @vm from mv_scan_gfn on, within @budget; true when at its end. */
static bool mv_scan_vm(struct mv_vm *vm, unsigned int *budget)
	__must_hold(&mv_srcu)
{
	enum mv_share_policy pol;
	bool end = true;

	pol = mv_share_policy(READ_ONCE(vm->share_domain));
	if (READ_ONCE(vm->dying) || pol == MV_SHARE_OFF)
		goto out;
	for (; mv_scan_gfn < vm->mem.nr_pages; mv_scan_gfn++) {
		if (!READ_ONCE(vm->mem.pages[mv_scan_gfn]))
			continue;
		if (!*budget) {
			end = false;
			break;
		}
		(*budget)--;
		mv_scan_page(vm, mv_scan_gfn, pol);
		if (!(*budget % 64))
			cond_resched();
	}
out:
	return end;
}

/*
 * One batch of the scanner: up to @budget backed pages, VM after VM.  True
 * when a full pass ended and a scan-done event is due.
 */
static bool mv_scan_batch(unsigned int budget)
{
	unsigned int start = budget;
	bool full = false;

	while (budget) {
		int idx = srcu_read_lock(&mv_srcu);
		struct mv_vm *vm = mv_share_next_vm(mv_scan_vm_id);

		if (!vm) {
			srcu_read_unlock(&mv_srcu, idx);
			/* Past the last VM: a full scan is done. */
			mv_scan_vm_id = 1;
			mv_scan_gfn = 0;
			full = true;
			break;
		}
		if (vm->id != mv_scan_vm_id)
			mv_scan_gfn = 0;
		mv_scan_vm_id = vm->id;
		if (mv_scan_vm(vm, &budget)) {
			mv_scan_vm_id = vm->id + 1;
			mv_scan_gfn = 0;
		}
		srcu_read_unlock(&mv_srcu, idx);
		cond_resched();
	}
	/* A pass over no memory at all is no pass. */
	mv_pass_pages += start - budget;
	full = full && mv_pass_pages;
	spin_lock(&mv_share_lock);
	/* Every backed page looked at, shared ones (skipped quickly) too. */
	mv_share_stats.scanned += start - budget;
	if (full)
		mv_share_stats.full_scans++;
	spin_unlock(&mv_share_lock);
	if (!full)
		return false;
	mv_pass_pages = 0;
	/* Events at most once a second: small VMs make for quick passes. */
	if (!time_after(jiffies, mv_last_event + HZ))
		return false;
	mv_last_event = jiffies;
	return true;
}

static int mv_share_unshare(struct mv_vm *vm);

/* Finish unsharing that an earlier change of rules could not complete. */
static void mv_share_retry(void)
{
	int idx = srcu_read_lock(&mv_srcu);
	struct mv_vm *vm;

	list_for_each_entry_srcu(vm, &mv_share_vms, share_link,
				 srcu_read_lock_held(&mv_srcu))
		if (READ_ONCE(vm->share_recheck) && !mv_share_unshare(vm))
			WRITE_ONCE(vm->share_recheck, false);
	srcu_read_unlock(&mv_srcu, idx);
}

static int mv_scanner_fn(void *arg)
{
	bool event;

	while (!kthread_should_stop()) {
		event = false;
		if (!READ_ONCE(mv_share_enabled)) {
			/* Switched off: the next pass starts from the beginning. */
			mv_scan_vm_id = 1;
			mv_scan_gfn = 0;
			mv_pass_pages = 0;
		} else {
			down_read(&mv_share_rules);
			mv_share_retry();
			event = mv_scan_batch(READ_ONCE(mv_share_scan_pages));
			up_read(&mv_share_rules);
		}
		/* It reads the rules itself. */
		if (event)
			mv_notify(MV_CMD_EVENT_SCAN_DONE, NULL);
		schedule_timeout_interruptible(msecs_to_jiffies(READ_ONCE(mv_share_interval_ms)));
	}
	return 0;
}

/* Under @vm's MMU lock: may @vm's slot keep mapping shared @page? */
static bool mv_share_allowed(struct mv_vm *vm, struct page *page,
			     enum mv_share_policy pol)
{
	lockdep_assert_held(&vm->mmu_lock);
	if (page == mv_zero_page())
		return pol != MV_SHARE_OFF;
	/* The slot's reference keeps the frame while we hold the lock. */
	return pol == MV_SHARE_ALL &&
	       mv_frame_of(page)->key.domain == READ_ONCE(vm->share_domain);
}

/*
 * Give back every page of @vm that its domain and policy no longer allow
 * to be shared; forget its hints.  With the rules held (the scanner, which
 * merges, is the caller or waits).  0, or -ENOMEM: then the scanner tries
 * again later (vm->share_recheck).
 */
static int mv_share_unshare(struct mv_vm *vm)
{
	enum mv_share_policy pol = mv_share_policy(READ_ONCE(vm->share_domain));
	int idx, ret = 0;
	u64 gfn;

	mv_share_forget_hints(vm);
	idx = srcu_read_lock(&mv_srcu);
	for (gfn = 0; !READ_ONCE(vm->dying) && gfn < vm->mem.nr_pages; gfn++) {
		struct page *page = READ_ONCE(vm->mem.pages[gfn]);
		bool bad;

		if (!page || !mv_page_shared(page))
			continue;
		spin_lock(&vm->mmu_lock);
		bad = READ_ONCE(vm->mem.pages[gfn]) == page &&
		      mv_page_shared(page) && !mv_share_allowed(vm, page, pol);
		spin_unlock(&vm->mmu_lock);
		/* Unshare; an emptied slot (inflated since) stays empty. */
		if (bad && IS_ERR(mv_page_w(vm, gfn, false))) {
			WRITE_ONCE(vm->share_recheck, true);
			ret = -ENOMEM;
			break;
		}
		if (!(gfn % 64))
			cond_resched();
	}
	srcu_read_unlock(&mv_srcu, idx);
	return ret;
}

/* Moving a VM to another domain ends its sharing with the old one. */
int mv_share_set_domain(struct mv_vm *vm, u32 domain)
{
	int ret = 0;

	down_write(&mv_share_rules);
	if (vm->share_domain != domain) {
		WRITE_ONCE(vm->share_domain, domain);
		ret = mv_share_unshare(vm);
	}
	up_write(&mv_share_rules);
	return ret;
}

int mv_share_set_policy(u32 domain, enum mv_share_policy pol)
{
	bool enomem = false;
	struct mv_vm *vm;
	int ret = 0, idx;

	down_write(&mv_share_rules);
	if (pol == MV_SHARE_ALL) {
		if (xa_erase(&mv_domains, domain))
			mv_nr_policies--;
	} else {
		bool fresh = !xa_load(&mv_domains, domain);

		if (fresh && mv_nr_policies >= MV_SHARE_MAX_POLICIES)
			ret = -ENOSPC;
		else
			ret = xa_err(xa_store(&mv_domains, domain,
					      xa_mk_value(pol), GFP_KERNEL));
		if (!ret && fresh)
			mv_nr_policies++;
	}
	idx = srcu_read_lock(&mv_srcu);
	if (!ret && pol != MV_SHARE_ALL)
		list_for_each_entry_srcu(vm, &mv_share_vms, share_link,
					 srcu_read_lock_held(&mv_srcu))
			if (vm->share_domain == domain && mv_share_unshare(vm))
				enomem = true;
	srcu_read_unlock(&mv_srcu, idx);
	up_write(&mv_share_rules);
	return ret ? ret : enomem ? -ENOMEM : 0;
}

/* Domains with a policy other than the default (at most @max): how many. */
unsigned int mv_share_get_rules(struct mv_share_rule *rules, unsigned int max)
{
	unsigned int n = 0;
	unsigned long id;
	void *v;

	down_read(&mv_share_rules);
	xa_for_each(&mv_domains, id, v) {
		if (n == max)
			break;
		rules[n].domain = id;
		rules[n].policy = xa_to_value(v);
		n++;
	}
	up_read(&mv_share_rules);
	return n;
}

/* The counters, with guest memory in use and what backs it now. */
void mv_share_get_stats(struct mv_share_stats *st)
{
	struct mv_vm *vm;
	int idx;

	spin_lock(&mv_share_lock);
	*st = mv_share_stats;
	spin_unlock(&mv_share_lock);
	st->guest_pages = 0;
	st->zero = 0;
	idx = srcu_read_lock(&mv_srcu);
	list_for_each_entry_srcu(vm, &mv_share_vms, share_link,
				 srcu_read_lock_held(&mv_srcu)) {
		long zero = atomic_long_read(&vm->mem.zero);

		st->zero += zero;
		st->guest_pages += atomic_long_read(&vm->mem.used) +
				   atomic_long_read(&vm->mem.shared) + zero;
	}
	srcu_read_unlock(&mv_srcu, idx);
	st->host_pages = atomic_long_read(&mv_guest_pages);
	/* All the scanner thread ran, its frees included. */
	st->cpu_ns = READ_ONCE(mv_scanner->se.sum_exec_runtime);
}

void mv_share_get_config(struct mv_share_config *cfg)
{
	cfg->enabled = READ_ONCE(mv_share_enabled);
	cfg->scan_pages = READ_ONCE(mv_share_scan_pages);
	cfg->interval_ms = READ_ONCE(mv_share_interval_ms);
}

/* New settings (netlink checked their ranges); the scanner sees them now. */
void mv_share_configure(const bool *enabled, const u32 *scan_pages,
			const u32 *interval_ms)
{
	if (scan_pages)
		WRITE_ONCE(mv_share_scan_pages, *scan_pages);
	if (interval_ms)
		WRITE_ONCE(mv_share_interval_ms, *interval_ms);
	if (enabled)
		WRITE_ONCE(mv_share_enabled, *enabled);
	wake_up_process(mv_scanner);
}

int mv_share_init(void)
{
	mv_scanner = kthread_run(mv_scanner_fn, NULL, "minivisor-share");
	return PTR_ERR_OR_ZERO(mv_scanner);
}

void mv_share_exit(void)
{
	kthread_stop(mv_scanner);
	xa_destroy(&mv_domains);
	WARN_ON(!hash_empty(mv_frames) || !hash_empty(mv_hints));
}
