/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's random numbers.  Every input is drawn from a generator
 * seeded by (run seed, lane, case number) and nothing else, so any case can
 * be generated again on its own: mvfuzz -s SEED -r LANE:CASE.
 */
#ifndef MVFUZZ_RNG_H
#define MVFUZZ_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void rng_seed(struct rng *r, uint64_t seed, uint64_t lane,
			    uint64_t index)
{
	uint64_t x = seed ^ (lane * 0xd1b54a32d192ed03ull) ^
		     (index * 0x8cb92ba72f3d8dd7ull);
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static inline uint64_t rnd(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* Uniform in [0, n); 0 when n is 0. */
static inline uint64_t rn(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

/* Uniform in [lo, hi]. */
static inline uint64_t rrange(struct rng *r, uint64_t lo, uint64_t hi)
{
	return lo + rn(r, hi - lo + 1);
}

/* True with probability pct / 100. */
static inline int rpct(struct rng *r, unsigned int pct)
{
	return rn(r, 100) < pct;
}

static inline void rfill(struct rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t v = rnd(r);
		size_t n = len - i < 8 ? len - i : 8;

		__builtin_memcpy(p + i, &v, n);
	}
}

/* A value that likes boundaries: 0, 1, -1, powers of two and their
 * neighbours, sign bits, small numbers, or anything. */
static inline uint64_t rboundary(struct rng *r)
{
	uint64_t p;

	switch (rn(r, 8)) {
	case 0:
		return rn(r, 3) - 1;		/* -1, 0, 1 */
	case 1:
		return rn(r, 256);
	case 2:
		p = 1ull << rn(r, 64);
		return p + rn(r, 3) - 1;
	case 3:
		return ~0ull >> rn(r, 64);
	case 4:
		return (uint64_t)(int64_t)(int32_t)(1u << rn(r, 32));
	case 5:
		return 0x80000000ull + rn(r, 3) - 1;
	case 6:
		return rn(r, 1 << 20);
	default:
		return rnd(r);
	}
}

/* Pick one of @n items. */
#define RPICK(r, arr) ((arr)[rn((r), sizeof(arr) / sizeof((arr)[0]))])

#endif
