// SPDX-License-Identifier: GPL-2.0
/*
 * Feedback and the corpus.
 *
 * cov_case_end() is the hook for coverage guidance: it says whether the
 * case just run reached kernel code that no case of this run reached
 * before.  With /sys/kernel/debug/kcov (a kernel built with CONFIG_KCOV)
 * each thread that runs cases traces the kernel PCs its own system calls
 * reach; consecutive PCs make an edge, edges are hashed into a bitmap
 * shared by all lanes (fz->covmap), and a case that sets a new bit is
 * "new".  Without KCOV (Debian's stock kernel) the fuzzer is blind and the
 * hook always says no.  Only the calling thread's syscalls are traced:
 * the share scanner's kthread, work items and other tasks' code would
 * need KCOV_REMOTE_ENABLE and annotations in the module.
 *
 * sig_new() is the blind fuzzer's stand-in: a signature of what a case
 * showed (an exit and vector in a mode, an errno of an ioctl, an extack
 * message), new the first time it is seen.
 *
 * corpus_save() keeps inputs worth keeping: a file per input in the
 * corpus directory, "<lane>-<seed>-<case>.<why>", holding the input's
 * bytes (guest inputs: struct ginput up to its data) or nothing but its
 * name (inputs that are a sequence of calls: regenerated from the name).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kcov.h>

#include "fuzz.h"

#define KCOV_PATH	"/sys/kernel/debug/kcov"
#define KCOV_WORDS	(64 * 1024)
#define CORPUS_MAX	2000

struct cov {
	int fd;			/* -1: blind */
	unsigned long *area;
};

static struct cov blind = { .fd = -1 };
static bool kcov_on;

bool cov_guided(void)
{
	return kcov_on;
}

const char *cov_backend(void)
{
	return access(KCOV_PATH, R_OK | W_OK) ? "none" : "kcov";
}

struct cov *cov_thread_init(void)
{
	struct cov *c;
	int fd = open(KCOV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return &blind;
	c = calloc(1, sizeof(*c));
	if (!c || ioctl(fd, KCOV_INIT_TRACE, KCOV_WORDS))
		goto fail;
	c->area = mmap(NULL, KCOV_WORDS * sizeof(unsigned long),
		       PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c->area == MAP_FAILED)
		goto fail;
	if (ioctl(fd, KCOV_ENABLE, KCOV_TRACE_PC))
		goto fail;
	c->fd = fd;
	kcov_on = true;
	return c;
fail:
	close(fd);
	free(c);
	return &blind;
}

void cov_case_begin(struct cov *c)
{
	if (c->fd >= 0)
		__atomic_store_n(&c->area[0], 0, __ATOMIC_RELAXED);
}

static bool bit_set(uint8_t *map, uint64_t bits, uint64_t h)
{
	uint64_t b = h % bits;
	uint8_t m = 1u << (b & 7);

	return !(__atomic_fetch_or(&map[b >> 3], m, __ATOMIC_RELAXED) & m);
}

bool cov_case_end(struct cov *c)
{
	unsigned long n, i, prev = 0;
	bool fresh = false;

	if (c->fd < 0)
		return false;
	n = __atomic_load_n(&c->area[0], __ATOMIC_RELAXED);
	if (n > KCOV_WORDS - 1)
		n = KCOV_WORDS - 1;
	for (i = 0; i < n; i++) {
		unsigned long pc = c->area[i + 1];
		uint64_t edge = (pc * 0x9e3779b97f4a7c15ull) ^ (prev >> 1);

		if (bit_set(fz->covmap, FZ_COV_BITS, edge)) {
			fresh = true;
			fz_add(&fz->cov_edges, 1);
		}
		prev = pc * 0x9e3779b97f4a7c15ull;
	}
	if (fresh)
		fz_add(&fz->cov_new, 1);
	return fresh;
}

uint64_t sig_hash(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;
	size_t i;

	h ^= 0xcbf29ce484222325ull;
	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

bool sig_new(uint64_t sig)
{
	if (!bit_set(fz->sigmap, FZ_SIG_BITS, sig))
		return false;
	fz_add(&fz->sig_new, 1);
	return true;
}

void corpus_save(enum lane lane, uint64_t nr, const char *why,
		 const void *input, size_t len)
{
	char path[512];
	int fd;

	if (!fz_corpus_dir || fz_get(&fz->corpus_saved) >= CORPUS_MAX)
		return;
	snprintf(path, sizeof(path), "%s/%s-%llu-%llu.%s", fz_corpus_dir,
		 lane_names[lane], (unsigned long long)fz_seed,
		 (unsigned long long)nr, why);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (input && len && write(fd, input, len) != (ssize_t)len)
		fuzzer_error("corpus: short write to %s", path);
	close(fd);
	fz_add(&fz->corpus_saved, 1);
}
