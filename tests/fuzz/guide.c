// SPDX-License-Identifier: GPL-2.0
/*
 * Coverage guidance for the guest lanes, and guest inputs as files.
 *
 * With KCOV (cov_guided()), a lane keeps the fresh inputs that reached
 * module code no earlier case reached (up to GQ_MAX, the newest replacing
 * a random one) and makes half of its cases mutants of them instead of
 * fresh inputs: a few body bytes replaced or flipped, a register or
 * RFLAGS bit changed, a data byte or a page-table bit flipped.  A mutant
 * is a function of its parent, a fresh case M, and of (seed, lane, its own
 * number N) only, so "REPLAY=lane:N@M" makes it again from the seed (the
 * in-flight lines name the parent: a machine that dies takes no corpus
 * with it).  Only fresh inputs are parents, for that reason.  Fresh cases
 * are the same in both modes; blind mode has no mutants.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "guest.h"

#define GQ_MAX	32

static struct {
	struct ginput *in;
	uint64_t nr;		/* the fresh case it is */
} gq[GQ_MAX];
static unsigned int gq_len;
static const char *replaying;	/* the file replay_file() runs */
static uint64_t parent;		/* fz_mutant: the case it mutates */

size_t ginput_size(const struct ginput *in)
{
	return offsetof(struct ginput, data) + in->data_len;
}

/* What the generator may put in each lane's inputs. */
uint32_t lane_gen_flags(enum lane lane)
{
	return lane == L_GUEST ? GI_HYPERCALLS | GI_EVENTS | GI_NONDET : 0;
}

static void gq_add(const struct ginput *in, uint64_t nr, struct rng *r)
{
	unsigned int i = gq_len < GQ_MAX ? gq_len++ : rn(r, GQ_MAX);

	if (!gq[i].in)
		gq[i].in = malloc(sizeof(*in));
	if (!gq[i].in)
		return;
	memcpy(gq[i].in, in, ginput_size(in));
	gq[i].nr = nr;
}

static struct gchunk *chunk_at(struct ginput *in, uint32_t lo, uint32_t hi, struct rng *r)
{
	struct gchunk *c[G_MAX_CHUNKS];
	unsigned int i, n = 0;

	for (i = 0; i < in->nchunks; i++)
		if (in->chunk[i].gpa >= lo && in->chunk[i].gpa < hi && in->chunk[i].len)
			c[n++] = &in->chunk[i];
	return n ? c[rn(r, n)] : NULL;
}

static void mutate_once(struct ginput *in, struct rng *r)
{
	struct gchunk *c;
	__u64 *gpr = &in->regs.rax;
	uint8_t *b;

	switch (rn(r, 6)) {
	case 0:
	case 1:	/* a body byte: replaced, or one bit of it flipped */
		c = chunk_at(in, G_CODE, G_CODE + 1, r);
		if (!c || in->code_len < in->body_off + 5)
			return;
		b = in->data + c->off + in->body_off + rn(r, in->code_len - 4 - in->body_off);
		*b = rpct(r, 50) ? (uint8_t)rnd(r) : *b ^ (1u << rn(r, 8));
		break;
	case 2:	/* a general-purpose register */
		gpr[rn(r, 16)] = rboundary(r);
		break;
	case 3:	/* an arithmetic or control bit of RFLAGS */
		in->regs.rflags ^= 1ull << RPICK(r, ((const int[]){ 0, 2, 4, 6, 7, 8, 10, 11, 18 }));
		break;
	case 4:	/* a data or stack byte */
		c = chunk_at(in, G_DATA, G_STACK + 4096, r);
		if (c)
			in->data[c->off + rn(r, c->len)] ^= 1u << rn(r, 8);
		break;
	default: /* a bit of a page-table entry */
		c = chunk_at(in, G_PT_POOL, G_PT_POOL + G_PT_PAGES * 4096, r);
		if (c)
			in->data[c->off + rn(r, c->len)] ^= 1u << rn(r, 8);
		break;
	}
}

/* The mutation of case @nr of @lane: its own stream, two draws to skip. */
static void gq_mutate(struct ginput *in, enum lane lane, uint64_t nr, bool replay)
{
	struct rng r;
	int i, n;

	rng_seed(&r, fz_seed ^ 0x6d7574616e74ull, lane, nr);
	if (replay) {		/* what gq_mutant() drew to decide and to pick */
		rnd(&r);
		rnd(&r);
	}
	n = rrange(&r, 1, 4);
	for (i = 0; i < n; i++)
		mutate_once(in, &r);
	ginput_scrub(in);
}

bool gq_mutant(struct ginput *out, enum lane lane, uint64_t nr)
{
	struct rng r;
	unsigned int i;

	my->cur_parent = 0;
	if (!cov_guided() || !gq_len)
		return false;
	rng_seed(&r, fz_seed ^ 0x6d7574616e74ull, lane, nr);
	if (!rpct(&r, 50))
		return false;
	i = rn(&r, gq_len);
	memcpy(out, gq[i].in, ginput_size(gq[i].in));
	parent = gq[i].nr;
	my->cur_parent = parent + 1;
	gq_mutate(out, lane, nr, true);
	fz_add(&fz->mutants, 1);
	return true;
}

/* REPLAY=lane:nr@parent: case @parent made again, then mutated as @nr was. */
int replay_mutant(enum lane lane, uint64_t nr, uint64_t par)
{
	static struct ginput in;
	struct rng r;

	gen_query_caps();
	rng_seed(&r, fz_seed, lane, par);
	gen_guest(&in, &r, lane_gen_flags(lane));
	gq_mutate(&in, lane, nr, true);
	fz_mutant = true;
	parent = par;
	if (lane == L_GUEST)
		return replay_guest_in(&in, nr);
	return replay_diff_in(&in, nr);
}

int ginput_load(const char *path, struct ginput *in)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	memset(in, 0, sizeof(*in));
	n = read(fd, in, sizeof(*in));
	close(fd);
	if (n < (ssize_t)offsetof(struct ginput, data) || in->version != GINPUT_VERSION ||
	    in->mode >= GM_NR || in->nchunks > G_MAX_CHUNKS || in->data_len > G_DATA_MAX ||
	    n != (ssize_t)ginput_size(in) || in->nins > G_MAX_INS || in->code_len > G_CODE_MAX ||
	    in->body_off > in->code_len)
		return -EINVAL;
	for (n = 0; n < in->nchunks; n++) {
		const struct gchunk *c = &in->chunk[n];

		if (c->off > in->data_len || c->len > in->data_len - c->off ||
		    c->gpa >= FZ_MEM || c->len > FZ_MEM - c->gpa)
			return -EINVAL;
	}
	ginput_scrub(in);
	return 0;
}

/*
 * After a case: an outcome not seen before or new coverage puts the input
 * in the corpus; new coverage also makes a fresh input a parent of mutants.
 */
void keep_if_new(enum lane lane, uint64_t nr, const struct ginput *in,
		 const struct gresult *res, struct cov *cov, struct rng *r)
{
	bool sig = sig_new(guest_sig(in, res, lane)), cov_new = cov_case_end(cov);

	if (cov_new && !fz_mutant)
		gq_add(in, nr, r);
	if (sig || cov_new)
		corpus_save(lane, nr, fz_mutant ? "mut" : "new", in, ginput_size(in));
}

void say_reproduce(enum lane lane, uint64_t nr)
{
	if (replaying)
		say("  reproduce: make fuzz REPLAY_FILE=%s", replaying);
	else if (fz_mutant)
		say("  reproduce: make fuzz SEED=%llu REPLAY=%s@%llu (a mutant of case %llu)",
		    (unsigned long long)fz_seed, case_name(lane, nr),
		    (unsigned long long)parent, (unsigned long long)parent);
	else
		say("  reproduce: make fuzz SEED=%llu REPLAY=%s", (unsigned long long)fz_seed,
		    case_name(lane, nr));
}

/* mvfuzz -f FILE: a guest input from the corpus, on its lane (its name's start). */
int replay_file(const char *path)
{
	static struct ginput in;
	const char *base = strrchr(path, '/');
	int ret = ginput_load(path, &in);

	if (ret) {
		say("replay: cannot read a guest input from %s: %s", path, strerror(-ret));
		return 1;
	}
	base = base ? base + 1 : path;
	replaying = base;
	gen_query_caps();
	if (!strncmp(base, "guest-", 6))
		return replay_guest_in(&in, 0);
	return replay_diff_in(&in, 0);
}
