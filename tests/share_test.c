// SPDX-License-Identifier: GPL-2.0
/*
 * Content-based page sharing: exact merge counts across and within VMs,
 * copy-on-write isolation (VMM writes and guest writes), zero pages,
 * volatile candidates, forced hash collisions, sharing domains and their
 * policies, the netlink interface and mvctl, guests that check their
 * memory while the scanner merges under them, and kill -9 in the middle.
 *
 * Most tests drive the scanner by hand: one pass covers all memory
 * (share_scan_pages = 1048576) and passes are 60 s apart unless kicked, so
 * a test writes memory, asks for two passes, and knows exactly what the
 * scanner saw.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvnl.h"
#include "mvtest.h"
#include "sharewl.h"
#include "tvm.h"

static char out[65536];

/* The GET_SHARE reply: every u64 counter, by attribute. */
struct sstats {
	uint64_t v[MV_A_MAX + 1];
	uint8_t enabled;
	uint32_t scan_pages, interval_ms;
	uint32_t policy[16];		/* domains 0..15 */
};

#define S(st, name) ((st)->v[MV_A_SHARE_##name])

static int sstats_cb(struct nlattr **a, uint8_t cmd, void *arg)
{
	struct sstats *s = arg;
	struct nlattr *d;
	int i, rem;

	(void)cmd;
	for (i = MV_A_SHARE_FRAMES; i <= MV_A_SHARE_HOST_PAGES; i++)
		if (a[i])
			s->v[i] = nla_get_u64(a[i]);
	s->enabled = a[MV_A_SHARE_ENABLED] ? nla_get_u8(a[MV_A_SHARE_ENABLED]) : 0xff;
	s->scan_pages = a[MV_A_SHARE_SCAN_PAGES] ?
			nla_get_u32(a[MV_A_SHARE_SCAN_PAGES]) : 0;
	s->interval_ms = a[MV_A_SHARE_SCAN_INTERVAL_MS] ?
			 nla_get_u32(a[MV_A_SHARE_SCAN_INTERVAL_MS]) : 0;
	if (a[MV_A_SHARE_DOMAINS]) {
		nla_for_each_nested(d, a[MV_A_SHARE_DOMAINS], rem) {
			struct nlattr *t[MV_A_MAX + 1];
			uint32_t id;

			if (nla_parse_nested(t, MV_A_MAX, d, NULL) ||
			    !t[MV_A_SHARE_DOMAIN_ID] || !t[MV_A_SHARE_DOMAIN_POLICY])
				return -EPROTO;
			id = nla_get_u32(t[MV_A_SHARE_DOMAIN_ID]);
			if (id < 16)
				s->policy[id] = nla_get_u32(t[MV_A_SHARE_DOMAIN_POLICY]);
		}
	}
	return 0;
}

static int get_sstats(struct sstats *s)
{
	struct mvnl nl;
	int ret = mvnl_open(&nl);

	memset(s, 0, sizeof(*s));
	if (ret)
		return ret;
	ret = mvnl_request(&nl, MV_CMD_GET_SHARE, false, NULL, NULL, sstats_cb, s);
	mvnl_close(&nl);
	return ret;
}

/* SET_SHARE with a list of (attribute, value, width) triples. */
struct set_attr {
	int type;
	uint32_t val;
	int width;		/* 1, 4; 0 ends the list */
};

static int build_attrs(struct nl_msg *msg, void *arg)
{
	const struct set_attr *a;

	for (a = arg; a->width; a++)
		if (a->width == 1 ? nla_put_u8(msg, a->type, a->val) :
				    nla_put_u32(msg, a->type, a->val))
			return -1;
	return 0;
}

static int nl_cmd(uint8_t cmd, const struct set_attr *attrs, char *err,
		  size_t len)
{
	struct mvnl nl;
	int ret = mvnl_open(&nl);

	if (ret)
		return ret;
	ret = mvnl_request(&nl, cmd, false, attrs ? build_attrs : NULL,
			   (void *)attrs, NULL, NULL);
	if (err)
		snprintf(err, len, "%s", ret ? nl.errmsg : "");
	mvnl_close(&nl);
	return ret;
}

static int set_policy(uint32_t domain, uint32_t policy)
{
	const struct set_attr a[] = {
		{ MV_A_SHARE_DOMAIN_ID, domain, 4 },
		{ MV_A_SHARE_DOMAIN_POLICY, policy, 4 },
		{ 0 },
	};

	return nl_cmd(MV_CMD_SET_SHARE, a, NULL, 0);
}

static int set_vm_domain(uint32_t id, uint32_t domain)
{
	const struct set_attr a[] = {
		{ MV_A_VM_ID, id, 4 },
		{ MV_A_VM_SHARE_DOMAIN, domain, 4 },
		{ 0 },
	};

	return nl_cmd(MV_CMD_VM_SET, a, NULL, 0);
}

/*
 * Two complete passes of the scanner from now: the second one started
 * after this call, so it saw everything written before.
 */
static int scan_passes(void)
{
	const struct set_attr kick[] = { { MV_A_SHARE_ENABLED, 1, 1 }, { 0 } };
	struct sstats s;
	uint64_t target;
	int i;

	if (get_sstats(&s))
		return -1;
	target = S(&s, FULL_SCANS) + 2;
	for (i = 0; i < 300; i++) {
		if (nl_cmd(MV_CMD_SET_SHARE, kick, NULL, 0) || get_sstats(&s))
			return -1;
		if (S(&s, FULL_SCANS) >= target)
			return 0;
		usleep(50000);
	}
	return -1;
}

/*
 * Stop the scanner and wait until it has noticed (the pages it looked at
 * stop growing): its next pass, once on again, starts from the first VM.
 */
static int scanner_stop(void)
{
	const struct set_attr off[] = { { MV_A_SHARE_ENABLED, 0, 1 }, { 0 } };
	struct sstats a, b;
	int i;

	if (nl_cmd(MV_CMD_SET_SHARE, off, NULL, 0) || get_sstats(&a))
		return -1;
	for (i = 0; i < 100; i++) {
		usleep(100000);
		if (get_sstats(&b))
			return -1;
		if (S(&a, SCANNED) == S(&b, SCANNED))
			return 0;
		a = b;
	}
	return -1;
}

static int set_hash_bits(unsigned int bits)
{
	FILE *f = fopen("/sys/module/minivisor/parameters/share_hash_bits", "w");

	if (!f)
		return -1;
	fprintf(f, "%u\n", bits);
	return fclose(f);
}

/* Fill page @page of @t with share64's pattern for (@seed, @idx). */
static int put_page(struct tvm *t, uint64_t page, uint64_t seed, uint64_t idx)
{
	uint64_t buf[512];
	int i;

	for (i = 0; i < 512; i++)
		buf[i] = share_word(seed, idx, 0, i);
	return tvm_write(t, page * 4096, buf, sizeof(buf));
}

static bool page_is(struct tvm *t, uint64_t page, uint64_t seed, uint64_t idx)
{
	uint64_t buf[512];
	int i;

	if (tvm_read(t, page * 4096, buf, sizeof(buf)))
		return false;
	for (i = 0; i < 512; i++)
		if (buf[i] != share_word(seed, idx, 0, i))
			return false;
	return true;
}

static int put_zero(struct tvm *t, uint64_t page)
{
	static const uint64_t zero[512];

	return tvm_write(t, page * 4096, zero, sizeof(zero));
}

/* Wait until every VM is gone and the scanner gave back what it freed. */
static bool all_gone(struct sstats *s)
{
	int i;

	for (i = 0; i < 250; i++) {
		if (!get_sstats(s) && !S(s, GUEST_PAGES) && !S(s, HOST_PAGES) &&
		    !S(s, FRAMES) && !S(s, UNSHARED))
			return true;
		usleep(20000);
	}
	return false;
}

#define NVM	4
#define IMG	64
#define UNQ	32
#define ZER	16
#define DUP	8
/* Pages: [0, IMG) image, then unique, then zero, then (VM 0) duplicates. */
#define P_UNQ	IMG
#define P_ZER	(IMG + UNQ)
#define P_DUP	(IMG + UNQ + ZER)

FIXTURE(share) {
	struct tvm t[NVM];
	struct sstats before;
};

FIXTURE_SETUP(share)
{
	int i;

	ASSERT_EQ(0, mv_ensure_loaded());
	ASSERT_EQ(0, set_hash_bits(0));
	/* One pass covers everything; passes only when kicked. */
	ASSERT_EQ(0, share_set_mv(true, MV_SHARE_MAX_SCAN_PAGES, MV_SHARE_MAX_INTERVAL_MS));
	ASSERT_TRUE(all_gone(&self->before)) {
		TH_LOG("left over: %llu guest pages, %llu host pages, %llu frames, %llu hints",
		       (unsigned long long)S(&self->before, GUEST_PAGES),
		       (unsigned long long)S(&self->before, HOST_PAGES),
		       (unsigned long long)S(&self->before, FRAMES),
		       (unsigned long long)S(&self->before, UNSHARED));
	}
	for (i = 0; i < NVM; i++)
		self->t[i].vm = self->t[i].vcpu = self->t[i].dev = -1;
}

FIXTURE_TEARDOWN(share)
{
	int i;

	for (i = 0; i < NVM; i++)
		tvm_destroy(&self->t[i]);
	for (i = 0; i < 8; i++)
		set_policy(i, MV_SHARE_ALL);
	set_hash_bits(0);
	share_set_mv(true, 256, 20);
}

/* The standard layout: image, unique, zero pages; VM 0 also duplicates. */
static void fill_vms(struct __test_metadata *_metadata, struct tvm *t, int n,
		     const uint32_t *domains)
{
	int i, p;

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, tvm_create_in(&t[i], TVM_MV, 1 << 20, "share_test",
					   domains ? domains[i] : 0));
		for (p = 0; p < IMG; p++)
			ASSERT_EQ(0, put_page(&t[i], p, SEED_IMAGE, p));
		for (p = 0; p < UNQ; p++)
			ASSERT_EQ(0, put_page(&t[i], P_UNQ + p, SEED_UNIQUE + 1000 + i, p));
		for (p = 0; p < ZER; p++)
			ASSERT_EQ(0, put_zero(&t[i], P_ZER + p));
	}
	for (p = 0; p < DUP; p++)
		ASSERT_EQ(0, put_page(&t[0], P_DUP + p, 0x777, 0));
}

static void check_contents(struct __test_metadata *_metadata, struct tvm *t, int n)
{
	static const uint64_t zero[512];
	uint64_t buf[512];
	int i, p;

	for (i = 0; i < n; i++) {
		for (p = 0; p < IMG; p++)
			EXPECT_TRUE(page_is(&t[i], p, SEED_IMAGE, p));
		for (p = 0; p < UNQ; p++)
			EXPECT_TRUE(page_is(&t[i], P_UNQ + p, SEED_UNIQUE + 1000 + i, p));
		for (p = 0; p < ZER; p++) {
			ASSERT_EQ(0, tvm_read(&t[i], (P_ZER + p) * 4096, buf, 4096));
			EXPECT_EQ(0, memcmp(buf, zero, 4096));
		}
	}
	for (p = 0; p < DUP; p++)
		EXPECT_TRUE(page_is(&t[0], P_DUP + p, 0x777, 0));
}

TEST_F_TIMEOUT(share, identical_pages_merge_to_exact_counts, 120)
{
	struct sstats s, *b = &self->before;
	struct mv_vm_stats st;
	int i;

	fill_vms(_metadata, self->t, NVM, NULL);
	ASSERT_EQ(0, scan_passes());
	ASSERT_EQ(0, get_sstats(&s));

	/* One frame per image page and one for VM 0's duplicates. */
	EXPECT_EQ(IMG + 1, S(&s, FRAMES));
	EXPECT_EQ(NVM * IMG + DUP, S(&s, SHARING));
	EXPECT_EQ(NVM * ZER, S(&s, ZERO));
	EXPECT_EQ(NVM * IMG + DUP - (IMG + 1) + NVM * ZER, S(&s, SAVED));
	EXPECT_EQ(NVM * IMG + DUP - (IMG + 1), S(&s, MERGES) - S(b, MERGES));
	EXPECT_EQ(NVM * ZER, S(&s, ZERO_MERGES) - S(b, ZERO_MERGES));
	EXPECT_EQ(0, S(&s, COLLISIONS) - S(b, COLLISIONS));
	EXPECT_EQ(0, S(&s, VOLATILE) - S(b, VOLATILE));
	EXPECT_EQ(0, S(&s, COW_BREAKS) - S(b, COW_BREAKS));
	/* Unique pages wait as hints. */
	EXPECT_EQ(NVM * UNQ, S(&s, UNSHARED));
	EXPECT_EQ(NVM * (IMG + UNQ + ZER) + DUP, S(&s, GUEST_PAGES));
	EXPECT_EQ(NVM * UNQ + IMG + 1, S(&s, HOST_PAGES));
	EXPECT_LT(0, S(&s, SCANNED) - S(b, SCANNED));
	EXPECT_LT(S(b, CPU_NS), S(&s, CPU_NS));
	for (i = 0; i < NVM; i++) {
		tvm_stats(&self->t[i], &st);
		EXPECT_EQ(IMG + UNQ + ZER + (i ? 0 : DUP), st.pages_used);
		EXPECT_EQ(IMG + (i ? 0 : DUP), st.pages_shared);
		EXPECT_EQ(ZER, st.pages_zero);
		EXPECT_EQ(UNQ, st.pages_private);
	}
	check_contents(_metadata, self->t, NVM);

	/* Nothing changes on more passes. */
	ASSERT_EQ(0, scan_passes());
	ASSERT_EQ(0, get_sstats(&s));
	EXPECT_EQ(IMG + 1, S(&s, FRAMES));
	EXPECT_EQ(NVM * IMG + DUP - (IMG + 1), S(&s, MERGES) - S(b, MERGES));
	EXPECT_EQ(NVM * UNQ + IMG + 1, S(&s, HOST_PAGES));
}

TEST_F_TIMEOUT(share, a_write_changes_only_the_writers_view, 120)
{
	struct sstats s0, s;
	struct mv_vm_stats st;
	uint64_t word = 0xfeedface, buf[512];
	int i, p;

	fill_vms(_metadata, self->t, NVM, NULL);
	ASSERT_EQ(0, scan_passes());
	ASSERT_EQ(0, get_sstats(&s0));

	/* The VMM writes one word of VM 1's image page 5: a COW break. */
	ASSERT_EQ(0, tvm_write(&self->t[1], 5 * 4096 + 8, &word, 8));
	ASSERT_EQ(0, get_sstats(&s));
	EXPECT_EQ(1, S(&s, COW_BREAKS) - S(&s0, COW_BREAKS));
	EXPECT_EQ(S(&s0, SHARING) - 1, S(&s, SHARING));
	EXPECT_EQ(S(&s0, HOST_PAGES) + 1, S(&s, HOST_PAGES));
	ASSERT_EQ(0, tvm_read(&self->t[1], 5 * 4096, buf, 4096));
	for (i = 0; i < 512; i++)
		EXPECT_EQ(i == 1 ? word : share_word(SEED_IMAGE, 5, 0, i), buf[i]);
	for (i = 0; i < NVM; i++)
		if (i != 1)
			EXPECT_TRUE(page_is(&self->t[i], 5, SEED_IMAGE, 5));
	tvm_stats(&self->t[1], &st);
	EXPECT_EQ(IMG - 1, st.pages_shared);
	EXPECT_EQ(1, st.cow_breaks);

	/* A zero page written: a private copy of zeros with the word in it. */
	ASSERT_EQ(0, tvm_write(&self->t[2], P_ZER * 4096 + 16, &word, 8));
	ASSERT_EQ(0, tvm_read(&self->t[2], P_ZER * 4096, buf, 4096));
	for (i = 0; i < 512; i++)
		EXPECT_EQ(i == 2 ? word : 0, buf[i]);
	ASSERT_EQ(0, tvm_read(&self->t[3], P_ZER * 4096, buf, 4096));
	EXPECT_EQ(0, buf[2]);
	tvm_stats(&self->t[2], &st);
	EXPECT_EQ(ZER - 1, st.pages_zero);

	/*
	 * VM 0's duplicates: the first seven writes copy; the last user just
	 * takes the frame back, and the frame is gone.
	 */
	ASSERT_EQ(0, get_sstats(&s0));
	for (p = 0; p < DUP; p++)
		ASSERT_EQ(0, put_page(&self->t[0], P_DUP + p, 0x888, p));
	ASSERT_EQ(0, get_sstats(&s));
	EXPECT_EQ(DUP - 1, S(&s, COW_BREAKS) - S(&s0, COW_BREAKS));
	EXPECT_EQ(S(&s0, FRAMES) - 1, S(&s, FRAMES));
	EXPECT_EQ(S(&s0, HOST_PAGES) + DUP - 1, S(&s, HOST_PAGES));
	for (p = 0; p < DUP; p++)
		EXPECT_TRUE(page_is(&self->t[0], P_DUP + p, 0x888, p));

	/* A guest write through a read-only shadow entry: the guest's COW. */
	tvm_destroy(&self->t[3]);
	ASSERT_EQ(0, tvm_create(&self->t[3], TVM_MV, 16 << 20, "share_test"));
	for (p = 0; p < IMG; p++)
		ASSERT_EQ(0, put_page(&self->t[3], 2048 + p, SEED_IMAGE, p));
	ASSERT_EQ(0, scan_passes());
	tvm_stats(&self->t[3], &st);
	EXPECT_EQ(IMG, st.pages_shared);
	{
		uint64_t args[6] = { 0, SHARE_BASE + 7 * 4096 + 64, 0x1234567890ull };
		enum tvm_exit e;

		ASSERT_EQ(0, tvm_load(&self->t[3], "share64"));
		ASSERT_EQ(0, tvm_args(&self->t[3], S_WRITE, args, 6));
		e = tvm_run(&self->t[3]);
		ASSERT_EQ(TVM_EXIT_UCALL, e);
		ASSERT_EQ(UCALL_SYNC, self->t[3].uc.cmd);
		/* The guest read the shared content first. */
		EXPECT_EQ(share_word(SEED_IMAGE, 7, 0, 8), self->t[3].uc.args[1]);
		e = tvm_run(&self->t[3]);
		ASSERT_EQ(TVM_EXIT_UCALL, e);
		ASSERT_EQ(UCALL_DONE, self->t[3].uc.cmd) {
			TH_LOG("guest: %s line %u", self->t[3].uc.msg, self->t[3].uc.line);
		}
	}
	tvm_stats(&self->t[3], &st);
	EXPECT_LE(1, st.cow_breaks);
	EXPECT_GT(IMG, st.pages_shared);
	ASSERT_EQ(0, tvm_read(&self->t[3], SHARE_BASE + 7 * 4096, buf, 4096));
	for (i = 0; i < 512; i++)
		EXPECT_EQ(i == 8 ? 0x1234567890ull : share_word(SEED_IMAGE, 7, 0, i),
			  buf[i]);
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(page_is(&self->t[i], 7, SEED_IMAGE, 7));
}

TEST_F_TIMEOUT(share, changed_candidates_are_volatile, 120)
{
	struct sstats s0, s;

	/* B first: the scanner looks at B's pages before A's. */
	ASSERT_EQ(0, tvm_create(&self->t[0], TVM_MV, 1 << 20, "share_test_b"));
	ASSERT_EQ(0, tvm_create(&self->t[1], TVM_MV, 1 << 20, "share_test_a"));
	ASSERT_EQ(0, put_page(&self->t[0], 0, 0x4242, 99));
	ASSERT_EQ(0, put_page(&self->t[1], 3, 0x5151, 1));
	ASSERT_EQ(0, scan_passes());
	ASSERT_EQ(0, get_sstats(&s0));
	EXPECT_EQ(2, S(&s0, UNSHARED));

	/*
	 * A's page changes; B gets the content A had when it was hinted.
	 * The scanner is off meanwhile, so B (the lower ID) is looked at
	 * first: A's page is not hinted again before B's twin meets it.
	 */
	ASSERT_EQ(0, scanner_stop());
	ASSERT_EQ(0, put_page(&self->t[1], 3, 0x5151, 2));
	ASSERT_EQ(0, put_page(&self->t[0], 1, 0x5151, 1));
	ASSERT_EQ(0, scan_passes());
	ASSERT_EQ(0, get_sstats(&s));
	EXPECT_EQ(1, S(&s, VOLATILE) - S(&s0, VOLATILE));
	EXPECT_EQ(0, S(&s, FRAMES));
	EXPECT_EQ(0, S(&s, MERGES) - S(&s0, MERGES));
	EXPECT_EQ(3, S(&s, UNSHARED));
	EXPECT_TRUE(page_is(&self->t[1], 3, 0x5151, 2));
	EXPECT_TRUE(page_is(&self->t[0], 1, 0x5151, 1));

	/* Now A writes the same content again: it merges with B's. */
	ASSERT_EQ(0, put_page(&self->t[1], 3, 0x5151, 1));
	ASSERT_EQ(0, scan_passes());
	ASSERT_EQ(0, get_sstats(&s));
	EXPECT_EQ(1, S(&s, FRAMES));
	EXPECT_EQ(2, S(&s, SHARING));
}

TEST_F_TIMEOUT(share, hash_collisions_never_merge_different_pages, 180)
{
	struct sstats s0, s;
	int i, p;

	/* Two-bit hashes: nearly every lookup hits a page with other content. */
	ASSERT_EQ(0, set_hash_bits(2));
	ASSERT_EQ(0, get_sstats(&s0));
	fill_vms(_metadata, self->t, 3, NULL);
	ASSERT_EQ(0, scan_passes());
	ASSERT_EQ(0, scan_passes());
	ASSERT_EQ(0, get_sstats(&s));
	EXPECT_LT(10, S(&s, COLLISIONS) - S(&s0, COLLISIONS));
	TH_LOG("%llu collisions, %llu merges, %llu frames",
	       (unsigned long long)(S(&s, COLLISIONS) - S(&s0, COLLISIONS)),
	       (unsigned long long)(S(&s, MERGES) - S(&s0, MERGES)),
	       (unsigned long long)S(&s, FRAMES));
	/* Whatever merged was identical: every VM still reads its own data. */
	check_contents(_metadata, self->t, 3);
	/* And writes still only change the writer's page. */
	for (i = 0; i < 3; i++)
		for (p = 0; p < IMG; p += 9)
			ASSERT_EQ(0, put_page(&self->t[i], p, 0x9999 + i, p));
	for (i = 0; i < 3; i++)
		for (p = 0; p < IMG; p++)
			EXPECT_TRUE(p % 9 ? page_is(&self->t[i], p, SEED_IMAGE, p) :
				    page_is(&self->t[i], p, 0x9999 + i, p));
	/*
	 * With the full hash back and every page written again (private
	 * again), everything identical merges, and only that.
	 */
	ASSERT_EQ(0, set_hash_bits(0));
	for (i = 0; i < 3; i++) {
		for (p = 0; p < IMG; p++)
			ASSERT_EQ(0, p % 9 ? put_page(&self->t[i], p, SEED_IMAGE, p) :
				     put_page(&self->t[i], p, 0x9999 + i, p));
		for (p = 0; p < UNQ; p++)
			ASSERT_EQ(0, put_page(&self->t[i], P_UNQ + p,
					      SEED_UNIQUE + 1000 + i, p));
		for (p = 0; p < ZER; p++)
			ASSERT_EQ(0, put_zero(&self->t[i], P_ZER + p));
	}
	for (p = 0; p < DUP; p++)
		ASSERT_EQ(0, put_page(&self->t[0], P_DUP + p, 0x777, 0));
	ASSERT_EQ(0, get_sstats(&s0));
	ASSERT_EQ(0, scan_passes());
	ASSERT_EQ(0, get_sstats(&s));
	EXPECT_EQ(IMG - 8 + 1, S(&s, FRAMES));
	EXPECT_EQ(3 * (IMG - 8) + DUP, S(&s, SHARING));
	EXPECT_EQ(3 * ZER, S(&s, ZERO));
	EXPECT_EQ(0, S(&s, COLLISIONS) - S(&s0, COLLISIONS));
}

TEST_F_TIMEOUT(share, domains_isolate_and_policies_apply, 180)
{
	/* 0 and 2 in domain 1, 1 in domain 2, 3 in domain 3 (zero-only). */
	const uint32_t domains[NVM] = { 1, 2, 1, 3 };
	struct mv_vm_stats st[NVM];
	struct sstats s;
	int i;

	ASSERT_EQ(0, set_policy(3, MV_SHARE_ZERO_ONLY));
	fill_vms(_metadata, self->t, NVM, domains);
	ASSERT_EQ(0, scan_passes());
	ASSERT_EQ(0, get_sstats(&s));
	for (i = 0; i < NVM; i++)
		tvm_stats(&self->t[i], &st[i]);
	/* Domain 1: VM 0 and 2 share the image (and VM 0's duplicates). */
	EXPECT_EQ(IMG + DUP, st[0].pages_shared);
	EXPECT_EQ(IMG, st[2].pages_shared);
	/* Domain 2: alone; domain 3: zero pages only. */
	EXPECT_EQ(0, st[1].pages_shared);
	EXPECT_EQ(0, st[3].pages_shared);
	for (i = 0; i < NVM; i++)
		EXPECT_EQ(ZER, st[i].pages_zero);
	EXPECT_EQ(IMG + 1, S(&s, FRAMES));
	EXPECT_EQ(MV_SHARE_ZERO_ONLY, s.policy[3]);
	EXPECT_EQ(MV_SHARE_ALL, s.policy[1]);

	/* Policy off for domain 1: everything there is private at once. */
	ASSERT_EQ(0, set_policy(1, MV_SHARE_OFF));
	for (i = 0; i < NVM; i += 2) {
		tvm_stats(&self->t[i], &st[i]);
		EXPECT_EQ(0, st[i].pages_shared);
		EXPECT_EQ(0, st[i].pages_zero);
	}
	ASSERT_EQ(0, scan_passes());
	tvm_stats(&self->t[0], &st[0]);
	EXPECT_EQ(0, st[0].pages_shared + st[0].pages_zero);
	ASSERT_EQ(0, get_sstats(&s));
	EXPECT_EQ(0, S(&s, FRAMES));
	EXPECT_EQ(MV_SHARE_OFF, s.policy[1]);
	check_contents(_metadata, self->t, NVM);

	/* Move VM 2 to domain 2: it shares with VM 1 there. */
	ASSERT_EQ(0, set_vm_domain(st[2].id, 2));
	ASSERT_EQ(0, scan_passes());
	tvm_stats(&self->t[1], &st[1]);
	tvm_stats(&self->t[2], &st[2]);
	EXPECT_EQ(IMG, st[1].pages_shared);
	EXPECT_EQ(IMG, st[2].pages_shared);
	EXPECT_EQ(ZER, st[2].pages_zero);

	/* mvctl shows the domains and policies. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j share show"));
	EXPECT_NE(NULL, strstr(out, "\"policy\":\"off\""));
	EXPECT_NE(NULL, strstr(out, "\"policy\":\"zero-only\""));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j vm show %u",
			     st[2].id));
	EXPECT_EQ(2, json_u64(out, "share_domain"));
	EXPECT_EQ(IMG, json_u64(out, "pages_shared"));
	check_contents(_metadata, self->t, NVM);
}

static int put_u32_attr(struct nl_msg *msg, void *arg)
{
	const uint32_t *a = arg;

	return nla_put_u32(msg, a[0], a[1]);
}

TEST(netlink_refusals_and_permissions)
{
	const struct set_attr zero_pages[] = { { MV_A_SHARE_SCAN_PAGES, 0, 4 }, { 0 } };
	const struct set_attr big_pages[] = {
		{ MV_A_SHARE_SCAN_PAGES, MV_SHARE_MAX_SCAN_PAGES + 1, 4 }, { 0 } };
	const struct set_attr slow[] = {
		{ MV_A_SHARE_SCAN_INTERVAL_MS, MV_SHARE_MAX_INTERVAL_MS + 1, 4 }, { 0 } };
	const struct set_attr bad_enable[] = { { MV_A_SHARE_ENABLED, 2, 1 }, { 0 } };
	const struct set_attr bad_policy[] = {
		{ MV_A_SHARE_DOMAIN_ID, 1, 4 }, { MV_A_SHARE_DOMAIN_POLICY, 3, 4 }, { 0 } };
	const struct set_attr half_policy[] = { { MV_A_SHARE_DOMAIN_ID, 1, 4 }, { 0 } };
	const struct set_attr foreign[] = { { MV_A_VM_ID, 1, 4 }, { 0 } };
	const struct set_attr no_domain[] = { { MV_A_VM_ID, 1, 4 }, { 0 } };
	const struct set_attr no_vm[] = {
		{ MV_A_VM_ID, 99999, 4 }, { MV_A_VM_SHARE_DOMAIN, 1, 4 }, { 0 } };
	uint32_t unknown[2] = { MV_A_MAX + 3, 1 };
	struct sstats s;
	char err[512];
	struct mvnl nl;
	int status, d;
	pid_t pid;

	ASSERT_EQ(0, mv_ensure_loaded());
	EXPECT_EQ(-ERANGE, nl_cmd(MV_CMD_SET_SHARE, zero_pages, err, sizeof(err)));
	EXPECT_NE(0, strlen(err));
	TH_LOG("pages 0: %s", err);
	EXPECT_EQ(-ERANGE, nl_cmd(MV_CMD_SET_SHARE, big_pages, err, sizeof(err)));
	EXPECT_NE(0, strlen(err));
	EXPECT_EQ(-ERANGE, nl_cmd(MV_CMD_SET_SHARE, slow, err, sizeof(err)));
	EXPECT_NE(0, strlen(err));
	EXPECT_EQ(-ERANGE, nl_cmd(MV_CMD_SET_SHARE, bad_enable, err, sizeof(err)));
	EXPECT_NE(0, strlen(err));
	EXPECT_EQ(-ERANGE, nl_cmd(MV_CMD_SET_SHARE, bad_policy, err, sizeof(err)));
	EXPECT_NE(0, strlen(err));
	EXPECT_EQ(-EINVAL, nl_cmd(MV_CMD_SET_SHARE, half_policy, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "both"));
	EXPECT_EQ(-EINVAL, nl_cmd(MV_CMD_SET_SHARE, NULL, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "nothing to change"));
	/* An attribute SET_SHARE does not take. */
	EXPECT_EQ(-EINVAL, nl_cmd(MV_CMD_SET_SHARE, foreign, err, sizeof(err)));
	EXPECT_NE(0, strlen(err));
	EXPECT_EQ(-EINVAL, nl_cmd(MV_CMD_VM_SET, no_domain, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "nothing to change"));
	EXPECT_EQ(-ENOENT, nl_cmd(MV_CMD_VM_SET, no_vm, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "no VM"));
	ASSERT_EQ(0, mvnl_open(&nl));
	EXPECT_EQ(-EINVAL, mvnl_request(&nl, MV_CMD_SET_SHARE, false, put_u32_attr,
					unknown, NULL, NULL));
	EXPECT_NE(0, strlen(nl.errmsg));
	mvnl_close(&nl);

	/* At most MV_SHARE_MAX_POLICIES domains with a policy. */
	for (d = 0; d < MV_SHARE_MAX_POLICIES; d++)
		ASSERT_EQ(0, set_policy(1000 + d, MV_SHARE_ZERO_ONLY));
	EXPECT_EQ(-ENOSPC, ({
		const struct set_attr one_more[] = {
			{ MV_A_SHARE_DOMAIN_ID, 5000, 4 },
			{ MV_A_SHARE_DOMAIN_POLICY, MV_SHARE_OFF, 4 }, { 0 } };
		nl_cmd(MV_CMD_SET_SHARE, one_more, err, sizeof(err)); }));
	EXPECT_NE(NULL, strstr(err, "too many domains"));
	/* Changing one that has a policy still works; all of them show. */
	EXPECT_EQ(0, set_policy(1000, MV_SHARE_OFF));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j share show"));
	EXPECT_NE(NULL, strstr(out, "\"id\":1127"));
	for (d = 0; d < MV_SHARE_MAX_POLICIES; d++)
		ASSERT_EQ(0, set_policy(1000 + d, MV_SHARE_ALL));
	ASSERT_EQ(0, get_sstats(&s));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl share show"));
	EXPECT_NE(NULL, strstr(out, "every domain shares all identical pages"));

	/* Reading is for everyone; changing needs CAP_NET_ADMIN. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (drop_privileges())
			_exit(10);
		if (get_sstats(&s) || !s.scan_pages)
			_exit(11);
		if (share_set_mv(true, 100, 100) != -EPERM)
			_exit(12);
		if (set_policy(1, MV_SHARE_OFF) != -EPERM)
			_exit(13);
		if (set_vm_domain(1, 1) != -EPERM)
			_exit(14);
		if (run_cmd(out, sizeof(out), -1, "mvctl share set off") != 1 ||
		    !strstr(out, "CAP_NET_ADMIN"))
			_exit(15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F_TIMEOUT(share, mvctl_share_show_set_and_monitor, 120)
{
	struct monitor mon;
	struct sstats s;
	char why[1024];
	uint64_t saved;
	bool seen;

	fill_vms(_metadata, self->t, 2, NULL);
	ASSERT_EQ(0, scan_passes());
	ASSERT_EQ(0, get_sstats(&s));
	saved = S(&s, SAVED);
	EXPECT_EQ(IMG + DUP - 1 + 2 * ZER, saved);

	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j share show"));
	EXPECT_EQ(saved, json_u64(out, "saved_pages"));
	EXPECT_EQ(S(&s, FRAMES), json_u64(out, "frames"));
	EXPECT_EQ(S(&s, SHARING), json_u64(out, "sharing"));
	EXPECT_EQ(S(&s, ZERO), json_u64(out, "zero"));
	EXPECT_EQ(S(&s, GUEST_PAGES), json_u64(out, "guest_pages"));
	EXPECT_EQ(S(&s, HOST_PAGES), json_u64(out, "host_pages"));
	EXPECT_EQ(MV_SHARE_MAX_SCAN_PAGES, json_u64(out, "scan_pages"));
	EXPECT_EQ(MV_SHARE_MAX_INTERVAL_MS, json_u64(out, "scan_interval_ms"));
	EXPECT_NE(NULL, strstr(out, "\"enabled\":true"));
	EXPECT_NE(NULL, strstr(out, "\"saved_pct\":"));
	EXPECT_NE(NULL, strstr(out, "\"saved_mib\":"));

	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl share"));
	EXPECT_NE(NULL, strstr(out, "page sharing: yes"));
	EXPECT_NE(NULL, strstr(out, "saved:"));
	EXPECT_NE(NULL, strstr(out, "% of guest memory in use"));
	TH_LOG("mvctl share:\n%s", out);

	/* Per-VM figures in vm show. */
	{
		struct mv_vm_stats st;

		tvm_stats(&self->t[0], &st);
		ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j vm show %llu",
				     (unsigned long long)st.id));
		EXPECT_EQ(IMG + DUP, json_u64(out, "pages_shared"));
		EXPECT_EQ(ZER, json_u64(out, "pages_zero"));
		EXPECT_EQ(UNQ, json_u64(out, "pages_private"));
		ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm show %llu",
				     (unsigned long long)st.id));
		EXPECT_NE(NULL, strstr(out, "sharing:     domain 0"));
	}

	/* share set: off, rate, on. */
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl share set off"));
	ASSERT_EQ(0, get_sstats(&s));
	EXPECT_EQ(0, s.enabled);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1,
			     "mvctl share set on pages 4096 interval 5"));
	ASSERT_EQ(0, get_sstats(&s));
	EXPECT_EQ(1, s.enabled);
	EXPECT_EQ(4096, s.scan_pages);
	EXPECT_EQ(5, s.interval_ms);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1,
			     "mvctl share set domain 7 policy zero-only"));
	ASSERT_EQ(0, get_sstats(&s));
	EXPECT_EQ(MV_SHARE_ZERO_ONLY, s.policy[7]);
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl share set pages 0"));
	EXPECT_NE(NULL, strstr(out, "1 to"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl share set domain 7 policy maybe"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl share set sideways"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl vm set 1 colour blue"));

	/* monitor prints scan-done events. */
	ASSERT_EQ(0, monitor_start(&mon, true, 20000, why, sizeof(why))) {
		TH_LOG("%s", why);
	}
	seen = monitor_wait_for(&mon, "\"event\":\"scan-done\"", 10000, out,
				sizeof(out));
	monitor_stop(&mon, out, sizeof(out));
	EXPECT_TRUE(seen) {
		TH_LOG("monitor printed: %s", out);
	}
	EXPECT_NE(NULL, strstr(out, "\"saved_pages\":"));
}

/*
 * Guests check every page they own while they rewrite pages, store values
 * that are already there, and touch zero pages; VMM threads rewrite half
 * of the image of every other VM (MV_WRITE_GUEST, the ioctl COW path)
 * with content the others share, or not, while those others check theirs;
 * and the scanner merges as fast as it can: no guest ever sees a wrong
 * byte.
 */
TEST_F_TIMEOUT(share, checksumming_guests_see_no_corruption, 600)
{
	const struct wl_params p = {
		.kind = TVM_MV, .vms = 4, .mem = 16 << 20,
		.image = 512, .unique = 128, .zero = 64, .volatile_pages = 8,
		.test = S_STRESS, .steps = 60000, .name = "stress",
		.vmm_writer = true,
	};
	struct sstats s0, s;
	struct wl w;

	ASSERT_EQ(0, share_set_mv(true, 4096, 1));
	ASSERT_EQ(0, get_sstats(&s0));
	ASSERT_EQ(0, wl_start(&w, &p)) {
		TH_LOG("%s", w.err);
	}
	ASSERT_EQ(0, wl_wait(&w, 500)) {
		TH_LOG("%s", w.err);
		wl_kill(&w);
	}
	ASSERT_EQ(0, get_sstats(&s));
	wl_kill(&w);
	TH_LOG("%llu merges, %llu zero merges, %llu COW breaks, %llu full scans",
	       (unsigned long long)(S(&s, MERGES) - S(&s0, MERGES)),
	       (unsigned long long)(S(&s, ZERO_MERGES) - S(&s0, ZERO_MERGES)),
	       (unsigned long long)(S(&s, COW_BREAKS) - S(&s0, COW_BREAKS)),
	       (unsigned long long)(S(&s, FULL_SCANS) - S(&s0, FULL_SCANS)));
	/* The race was on: pages merged and were broken again meanwhile. */
	EXPECT_LT(1000, S(&s, MERGES) - S(&s0, MERGES));
	EXPECT_LT(100, S(&s, COW_BREAKS) - S(&s0, COW_BREAKS));
	EXPECT_LT(0, S(&s, ZERO_MERGES) - S(&s0, ZERO_MERGES));
	ASSERT_TRUE(all_gone(&s));
}

/* kill -9 of VMMs whose pages are shared, while the scanner merges. */
TEST_F_TIMEOUT(share, kill_9_while_sharing_frees_everything, 300)
{
	const struct wl_params p = {
		.kind = TVM_MV, .vms = 3, .mem = 12 << 20,
		.image = 256, .unique = 64, .zero = 32, .volatile_pages = 4,
		.test = S_STRESS, .steps = 1000000000, .name = "doomed",
	};
	struct sstats s;
	struct wl w;
	int round;

	ASSERT_EQ(0, share_set_mv(true, 4096, 1));
	for (round = 0; round < 6; round++) {
		ASSERT_EQ(0, wl_start(&w, &p)) {
			TH_LOG("%s", w.err);
		}
		usleep(200000 + round * 150000);
		/* One at a time: the others keep sharing with the dead one. */
		kill(w.pid[round % 3], SIGKILL);
		usleep(100000);
		wl_kill(&w);
		ASSERT_TRUE(all_gone(&s)) {
			TH_LOG("round %d: %llu guest pages, %llu host pages, %llu frames, %llu hints left",
			       round, (unsigned long long)S(&s, GUEST_PAGES),
			       (unsigned long long)S(&s, HOST_PAGES),
			       (unsigned long long)S(&s, FRAMES),
			       (unsigned long long)S(&s, UNSHARED));
		}
	}
}

/* make demo's driver, small: it converges on the ideal and says so. */
TEST(mvdemo_reaches_the_ideal)
{
	double saved = 0, ideal = 0;
	const char *d;

	ASSERT_EQ(0, mv_ensure_loaded());
	ASSERT_EQ(0, share_set_mv(true, 256, 20));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "/mv/tests/mvdemo -n 3 -m 24 -t 120"));
	d = strstr(out, "\nDEMO vms=3 guest_mib=");
	ASSERT_NE(NULL, d) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(2, sscanf(strstr(d, "saved_pct="), "saved_pct=%lf ideal_pct=%lf",
			    &saved, &ideal));
	TH_LOG("%s", d + 1);
	EXPECT_LT(50, ideal);
	EXPECT_LE(ideal * 0.99, saved);
	EXPECT_NE(NULL, strstr(out, "Over time"));
	EXPECT_NE(NULL, strstr(out, "\nSERIES "));
	/* Then the balloons gave the free memory back to the host. */
	d = strstr(out, "\nBALLOON vms=3 given_mib=");
	ASSERT_NE(NULL, d);
	TH_LOG("%.*s", (int)strcspn(d + 1, "\n"), d + 1);
	ASSERT_EQ(2, sscanf(d, "\nBALLOON vms=3 given_mib=%lf host_mib_before=%*f host_mib_after=%*f returned_mib=%lf",
			    &saved, &ideal));
	EXPECT_LT(0, saved);
	EXPECT_LE(saved * 0.99, ideal);
}

TEST_HARNESS_MAIN
