// SPDX-License-Identifier: GPL-2.0
/*
 * The guest lane: minivisor alone, one VM reused run after run (a fresh
 * one every 4096 cases and after a crash), inputs with hypercalls
 * (balloon lists included), events raised before the run (MV_INTERRUPT,
 * MV_INJECT_EXCEPTION), RDTSC and the like, and balloon targets set by
 * the VMM now and then.  Checks: MV_RUN fails only with EINTR, and the
 * VM's figures stay possible (used <= size, private + shared + zero =
 * used, balloon <= size).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "guest.h"

/* A case that spins is given up on after this long. */
#define GUEST_TIMEOUT_MS	10

static struct ginput input;


static void check_stats(struct engine *e, uint64_t nr)
{
	struct mv_vm_stats st;

	if (FZ_IOCTL(e->vm, MV_GET_VM_STATS, &st)) {
		if (errno != ENODEV)
			api_violation("case=%s: MV_GET_VM_STATS failed: %s",
				      case_name(L_GUEST, nr), strerror(errno));
		return;
	}
	if (st.pages_used > st.mem_pages || st.balloon_pages > st.mem_pages ||
	    st.balloon_target > st.mem_pages || st.mem_pages != FZ_MEM / 4096 ||
	    st.pages_private + st.pages_shared + st.pages_zero != st.pages_used)
		host_fault("case=%s: impossible VM figures: mem_pages %llu used %llu (private %llu shared %llu zero %llu) balloon %llu target %llu",
			   case_name(L_GUEST, nr), (unsigned long long)st.mem_pages,
			   (unsigned long long)st.pages_used,
			   (unsigned long long)st.pages_private,
			   (unsigned long long)st.pages_shared,
			   (unsigned long long)st.pages_zero,
			   (unsigned long long)st.balloon_pages,
			   (unsigned long long)st.balloon_target);
}

/* Case @nr; @in: run that input instead of case @nr's (a replay). */
static void guest_case(struct engine *e, struct cov *cov, uint64_t nr, bool replay,
		       const struct ginput *in)
{
	struct gresult res;
	struct rng r;

	rng_seed(&r, fz_seed, L_GUEST, nr);
	if (in)
		memcpy(&input, in, ginput_size(in));
	else if (!(fz_mutant = gq_mutant(&input, L_GUEST, nr)))
		gen_guest(&input, &r, lane_gen_flags(L_GUEST));
	if (replay)
		ginput_print(&input, "input:");
	/* the VMM side of ballooning, now and then */
	if (rpct(&r, 3)) {
		struct mv_balloon_target bt = {
			.mem_bytes = (rn(&r, FZ_MEM / 4096 + 1)) * 4096ull,
			.flags = rpct(&r, 20) ? MV_BALLOON_RESET : 0,
		};

		FZ_IOCTL(e->vm, MV_SET_BALLOON, &bt);
	}
	cov_case_begin(cov);
	if (eng_run_counted(e, &input, &res, GUEST_TIMEOUT_MS))
		return;
	if (replay)
		gresult_print(&res, "mv");
	if (res.o == O_TIMEOUT && getenv("MVFUZZ_TIMEOUTS")) {
		static int shown;
		uint8_t b[16] = { 0 };
		uint64_t gpa = 0;

		if (shown++ < atoi(getenv("MVFUZZ_TIMEOUTS"))) {
			bool ok = eng_translate(e, &res.sregs, res.sregs.cs.base + res.regs.rip, &gpa);

			if (ok)
				eng_read(e, gpa, b, sizeof(b));
			say("timeout case=%s mode=%s -> cr0=%llx efer=%llx cs=%x rip=%llx rcx=%llx gpa=%llx: %02x %02x %02x %02x %02x %02x %02x %02x",
			    case_name(L_GUEST, nr), gmode_names[input.mode],
			    (unsigned long long)res.sregs.cr0, (unsigned long long)res.sregs.efer,
			    res.sregs.cs.selector, (unsigned long long)res.regs.rip,
			    (unsigned long long)res.regs.rcx, (unsigned long long)gpa, b[0], b[1], b[2],
			    b[3], b[4], b[5], b[6], b[7]);
		}
	}
	if (res.o == O_ERROR && res.err != EINTR) {
		api_violation("case=%s: MV_RUN failed: %s", case_name(L_GUEST, nr),
			      strerror(res.err));
		say_reproduce(L_GUEST, nr);
	}
	keep_if_new(L_GUEST, nr, &input, &res, cov, &r);
	if (nr % 64 == 0 || replay)
		check_stats(e, nr);
}

void lane_guest(void)
{
	struct cov *cov = cov_thread_init();
	struct engine e = { .run = NULL };
	uint64_t nr;

	gen_query_caps();
	for (nr = 0; !fz_stopping(); nr++) {
		my->cur_case = nr;
		fz_heartbeat();
		/* a fresh VM now and then; always after a crash */
		if (e.run && (nr % 4096 == 0 || e.dead))
			eng_destroy(&e);
		if (!e.run && eng_create(&e, ENG_MV)) {
			usleep(10000);
			continue;
		}
		guest_case(&e, cov, nr, false, NULL);
		fz_add(&my->cases, 1);
	}
	if (e.run)
		eng_destroy(&e);
}

int replay_guest(uint64_t nr)
{
	return replay_guest_in(NULL, nr);
}

/* Case @nr, or @in if not NULL, by itself on a fresh VM. */
int replay_guest_in(const struct ginput *in, uint64_t nr)
{
	struct cov *cov = cov_thread_init();
	const char *rep = getenv("MVFUZZ_REPEAT");
	struct engine e;

	gen_query_caps();
	if (eng_create(&e, ENG_MV))
		return 1;
	if (rep) {
		struct rng r;

		eng_destroy(&e);
		rng_seed(&r, fz_seed, L_GUEST, nr);
		if (in)
			memcpy(&input, in, ginput_size(in));
		else
			gen_guest(&input, &r, GI_HYPERCALLS | GI_EVENTS | GI_NONDET);
		eng_repeat(ENG_MV, &input, atoi(rep), GUEST_TIMEOUT_MS);
		return 0;
	}
	guest_case(&e, cov, nr, true, in);
	eng_destroy(&e);
	return 0;
}
