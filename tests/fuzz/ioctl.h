/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctl lane's insides, shared by ioctl.c (the lane, VM and vCPU
 * operations) and ioctl_world.c (pointers, the world of descriptors, the
 * checks, and the operations on descriptors themselves: unknown ioctls,
 * mmap of run pages, open/close/dup).
 */
#ifndef MVFUZZ_IOCTL_H
#define MVFUZZ_IOCTL_H

#include "fuzz.h"
#include "guest.h"

#define SCRATCH		(128 * 1024)

/* RW, SCRATCH bytes, then a PROT_NONE guard page (ptrs_init()). */
extern uint8_t *scratch;

enum pkind { P_GOOD, P_NULL, P_UNMAPPED, P_RO, P_STRADDLE, P_KERNEL, P_NONCANON, P_ODD };

enum fkind { F_NONE, F_DEV, F_VM, F_VCPU, F_OTHER };

#define W_FDS	40
#define W_MAPS	8

struct wfd {
	int fd;
	enum fkind kind;
	uint32_t id;		/* F_VM: the VM's ID */
	uint64_t mem;		/* F_VM: its size; F_VCPU: its VM's */
};

struct wmap {
	uint8_t *addr;
	size_t len;
	int prot;
};

struct world {
	struct wfd fd[W_FDS];
	struct wmap map[W_MAPS];
	int nvms;
};

void ptrs_init(void);
/* A pointer to @len bytes: mostly good (into scratch), sometimes not. */
uintptr_t rptr(struct rng *r, size_t len, enum pkind *kind);
/* Pointers the kernel cannot read (and, with P_RO, cannot write) through. */
bool unreadable(enum pkind k);
bool unwritable(enum pkind k);

bool is(const struct wfd *f, enum fkind kind);
void world_reset(struct world *w);
struct wfd *wadd(struct world *w, int fd, enum fkind kind);
/* A descriptor of @kind (mostly), or any, or a bad number. */
int wpick(struct world *w, struct rng *r, enum fkind kind, struct wfd **out);

void check_errno(const char *what, long ret, int err, uint64_t nr);
void expect_fail(const char *what, long ret, int err, int want, uint64_t nr);

void op_unknown(struct world *w, struct rng *r, uint64_t nr);
void op_map(struct world *w, struct rng *r, uint64_t nr);
void op_fds(struct world *w, struct rng *r, uint64_t nr);

#endif
