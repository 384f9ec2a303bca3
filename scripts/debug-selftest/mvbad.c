// SPDX-License-Identifier: GPL-2.0
/*
 * mvbad: a module that does, once each, what check-debug's kernel must
 * catch, so scripts/debug-selftest.sh can prove that it does: a leak, an
 * out-of-bounds read, a use after free, a shift out of bounds, a sleep in
 * atomic context and two locks taken in both orders.  Never load it
 * anywhere else.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static DEFINE_MUTEX(mvbad_a);
static DEFINE_MUTEX(mvbad_b);
static DEFINE_SPINLOCK(mvbad_s);
static void *mvbad_kept;

static noinline void mvbad_leak(void)
{
	void *p = kmalloc(200, GFP_KERNEL);

	/* Kept in a global, then forgotten: only the pointer's copy goes. */
	WRITE_ONCE(mvbad_kept, p);
	WRITE_ONCE(mvbad_kept, NULL);
	pr_info("mvbad: leaked %p\n", p);
}

static noinline void mvbad_oob(void)
{
	char *p = kmalloc(16, GFP_KERNEL);
	volatile char *q = p;

	if (p)
		pr_info("mvbad: out of bounds read %d\n", q[16]);
	kfree(p);
}

static noinline void mvbad_uaf(void)
{
	char *p = kmalloc(32, GFP_KERNEL);
	volatile char *q = p;

	kfree(p);
	if (p)
		pr_info("mvbad: read after free %d\n", q[0]);
}

static noinline void mvbad_shift(void)
{
	volatile int s = 40;

	pr_info("mvbad: shift %d\n", 1 << s);
}

static noinline void mvbad_sleep(void)
{
	spin_lock(&mvbad_s);
	might_sleep();
	spin_unlock(&mvbad_s);
}

static noinline void mvbad_lock_order(void)
{
	mutex_lock(&mvbad_a);
	mutex_lock(&mvbad_b);
	mutex_unlock(&mvbad_b);
	mutex_unlock(&mvbad_a);
	mutex_lock(&mvbad_b);
	mutex_lock(&mvbad_a);
	mutex_unlock(&mvbad_a);
	mutex_unlock(&mvbad_b);
}

static int __init mvbad_init(void)
{
	/*
	 * First: lockdep turns itself off after its first report, and after
	 * any report that taints the kernel (KASAN's, a WARN).
	 */
	mvbad_lock_order();
	mvbad_leak();
	mvbad_oob();
	mvbad_uaf();
	mvbad_shift();
	mvbad_sleep();
	return 0;
}

static void __exit mvbad_exit(void)
{
}

module_init(mvbad_init);
module_exit(mvbad_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("check-debug's self-test: each bug its kernel must report");
