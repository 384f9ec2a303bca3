// SPDX-License-Identifier: GPL-2.0
/*
 * mvguest - run one test-library guest program by hand, under minivisor
 * (default) or KVM (-k), and show how it ended.  A debugging aid:
 *
 *   mvguest [-k] [-m MIB] GUEST TEST [ARG...]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mvtest.h"
#include "tvm.h"

int main(int argc, char **argv)
{
	enum tvm_kind kind = TVM_MV;
	uint64_t mem = 64, args[6] = { 0 };
	struct mv_regs r;
	struct mv_sregs s;
	struct tvm t;
	enum tvm_exit e;
	int c, i, syncs = 0;

	while ((c = getopt(argc, argv, "km:")) != -1) {
		if (c == 'k')
			kind = TVM_KVM;
		else if (c == 'm')
			mem = strtoull(optarg, NULL, 0);
		else
			return 2;
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: mvguest [-k] [-m MIB] GUEST TEST [ARG...]\n");
		return 2;
	}
	for (i = 0; i < 6 && optind + 2 + i < argc; i++)
		args[i] = strtoull(argv[optind + 2 + i], NULL, 0);
	if (kind == TVM_MV && mv_ensure_loaded())
		return 1;
	if (tvm_create(&t, kind, mem << 20, "mvguest") ||
	    tvm_load(&t, argv[optind]) ||
	    tvm_args(&t, strtoul(argv[optind + 1], NULL, 0), args, 6)) {
		perror("mvguest: setup");
		return 1;
	}
	while ((e = tvm_run(&t)) == TVM_EXIT_UCALL && t.uc.cmd == UCALL_SYNC)
		syncs++;
	printf("%s", t.console);
	printf("-- %s after %d syncs: cmd %u line %u %s %llx %llx\n",
	       tvm_exit_name(e), syncs, t.uc.cmd, t.uc.line, t.uc.msg,
	       (unsigned long long)t.uc.args[0], (unsigned long long)t.uc.args[1]);
	if (kind == TVM_MV && !ioctl(t.vcpu, MV_GET_REGS, &r) &&
	    !ioctl(t.vcpu, MV_GET_SREGS, &s)) {
		struct mv_vm_stats st;

		ioctl(t.vm, MV_GET_VM_STATS, &st);
		printf("-- rip %llx rsp %llx rax %llx cr0 %llx cr2 %llx cr3 %llx cr4 %llx efer %llx; %llu pages, %llu shadow pages\n",
		       (unsigned long long)r.rip, (unsigned long long)r.rsp,
		       (unsigned long long)r.rax, (unsigned long long)s.cr0,
		       (unsigned long long)s.cr2, (unsigned long long)s.cr3,
		       (unsigned long long)s.cr4, (unsigned long long)s.efer,
		       (unsigned long long)st.pages_used,
		       (unsigned long long)st.mmu_pages);
	}
	tvm_destroy(&t);
	return e == TVM_EXIT_UCALL && t.uc.cmd == UCALL_DONE ? 0 : 1;
}
