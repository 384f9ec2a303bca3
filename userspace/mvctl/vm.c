// SPDX-License-Identifier: GPL-2.0
/*
 * mvctl vm: list, show and control VMs; mvctl monitor: follow events.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mvctl.h"

struct vm_info {
	uint32_t id, pid, vcpus, state;
	char name[MV_VM_NAME_LEN];
	char comm[32];
	char crash[64];
	uint64_t mem, pages, mmu_pages;
	uint64_t shared, zero, cow_breaks, unhandled_msrs;
	uint32_t irqchip;
	uint32_t domain;
	uint64_t bl_mem, bl_pages, bl_target, bl_auto, bl_inflated, bl_deflated;
	uint64_t bl_free, bl_avail;
	uint32_t active_pct;
	uint64_t exits[__MV_STAT_COUNT];
};

static const char *const stat_names[__MV_STAT_COUNT] = {
	[MV_STAT_IO] = "io",
	[MV_STAT_MMIO] = "mmio",
	[MV_STAT_CPUID] = "cpuid",
	[MV_STAT_MSR] = "msr",
	[MV_STAT_HLT] = "hlt",
	[MV_STAT_HYPERCALL] = "hypercall",
	[MV_STAT_PAGE_FAULT] = "page-fault",
	[MV_STAT_EXCEPTION] = "exception",
	[MV_STAT_CR] = "cr",
	[MV_STAT_INVLPG] = "invlpg",
	[MV_STAT_HOST_INTR] = "host-intr",
	[MV_STAT_INTR_WINDOW] = "intr-window",
	[MV_STAT_SHUTDOWN] = "shutdown",
	[MV_STAT_OTHER] = "other",
};

static const char *state_name(uint32_t s)
{
	switch (s) {
	case MV_VM_RUNNING: return "running";
	case MV_VM_PAUSED: return "paused";
	case MV_VM_CRASHED: return "crashed";
	case MV_VM_DESTROYED: return "destroyed";
	default: return "unknown";
	}
}

static void copy_str(char *dst, size_t len, struct nlattr *a)
{
	snprintf(dst, len, "%s", a ? nla_get_string(a) : "");
}

static void parse_vm(struct nlattr **a, struct vm_info *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->id = mvnl_u32(a, MV_A_VM_ID);
	vm->pid = mvnl_u32(a, MV_A_VM_PID);
	vm->vcpus = mvnl_u32(a, MV_A_VM_VCPUS);
	vm->state = mvnl_u32(a, MV_A_VM_STATE);
	vm->mem = mvnl_u64(a, MV_A_VM_MEM_SIZE);
	vm->pages = mvnl_u64(a, MV_A_VM_PAGES);
	vm->mmu_pages = mvnl_u64(a, MV_A_VM_MMU_PAGES);
	vm->shared = mvnl_u64(a, MV_A_VM_PAGES_SHARED);
	vm->zero = mvnl_u64(a, MV_A_VM_PAGES_ZERO);
	vm->cow_breaks = mvnl_u64(a, MV_A_VM_COW_BREAKS);
	vm->unhandled_msrs = mvnl_u64(a, MV_A_VM_UNHANDLED_MSRS);
	vm->irqchip = a[MV_A_VM_IRQCHIP] ? nla_get_u8(a[MV_A_VM_IRQCHIP]) : 0;
	vm->domain = mvnl_u32(a, MV_A_VM_SHARE_DOMAIN);
	vm->bl_mem = mvnl_u64(a, MV_A_VM_BALLOON_TARGET);
	vm->bl_pages = mvnl_u64(a, MV_A_VM_BALLOON_PAGES);
	vm->bl_target = mvnl_u64(a, MV_A_VM_BALLOON_TARGET_PAGES);
	vm->bl_auto = mvnl_u64(a, MV_A_VM_BALLOON_AUTO_PAGES);
	vm->bl_inflated = mvnl_u64(a, MV_A_VM_BALLOON_INFLATED);
	vm->bl_deflated = mvnl_u64(a, MV_A_VM_BALLOON_DEFLATED);
	vm->bl_free = mvnl_u64(a, MV_A_VM_BALLOON_GUEST_FREE);
	vm->bl_avail = mvnl_u64(a, MV_A_VM_BALLOON_GUEST_AVAIL);
	vm->active_pct = mvnl_u32(a, MV_A_VM_ACTIVE_PCT);
	copy_str(vm->name, sizeof(vm->name), a[MV_A_VM_NAME]);
	copy_str(vm->comm, sizeof(vm->comm), a[MV_A_VM_COMM]);
	copy_str(vm->crash, sizeof(vm->crash), a[MV_A_VM_CRASH_REASON]);
	if (a[MV_A_VM_EXITS]) {
		struct nlattr *x;
		int rem;

		nla_for_each_nested(x, a[MV_A_VM_EXITS], rem) {
			int t = nla_type(x) - 1;

			if (t >= 0 && t < __MV_STAT_COUNT)
				vm->exits[t] = nla_get_u64(x);
		}
	}
}

/* 65536 -> "64K", 67108864 -> "64M". */
static const char *human(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGT";
	int u = 0;

	while (bytes >= 1024 && !(bytes % 1024) && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 "%c", bytes, units[u]);
	return buf;
}

static uint64_t total_exits(const struct vm_info *vm)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < __MV_STAT_COUNT; i++)
		n += vm->exits[i];
	return n;
}

static void print_exits(const struct vm_info *vm, bool all)
{
	int i;

	out_obj_begin("exits");
	for (i = 0; i < __MV_STAT_COUNT; i++) {
		char fmt[48];

		if (!all && !vm->exits[i] && !out_is_json())
			continue;
		snprintf(fmt, sizeof(fmt), "  %-12s %%" PRIu64 "\n", stat_names[i]);
		out_u64(stat_names[i], fmt, vm->exits[i]);
	}
	out_obj_end();
}

static void print_vm_row(const struct vm_info *vm)
{
	char mem[32];

	out_obj_begin(NULL);
	out_u64("id", "%-5" PRIu64 " ", vm->id);
	out_str("name", "%-16s ", vm->name[0] ? vm->name : "-");
	out_u64("pid", "%-7" PRIu64 " ", vm->pid);
	out_str("comm", NULL, vm->comm);
	out_str("mem", "%-6s ", human(vm->mem, mem, sizeof(mem)));
	out_u64("mem_bytes", NULL, vm->mem);
	out_u64("pages_used", "%-8" PRIu64 " ", vm->pages);
	out_u64("pages_shared", NULL, vm->shared);
	out_text("%-8" PRIu64 " ", vm->shared + vm->zero);
	out_u64("pages_zero", NULL, vm->zero);
	out_u64("cow_breaks", NULL, vm->cow_breaks);
	out_u64("share_domain", NULL, vm->domain);
	out_u64("balloon_pages", NULL, vm->bl_pages);
	out_u64("balloon_target_pages", NULL, vm->bl_target);
	out_u64("mmu_pages", NULL, vm->mmu_pages);
	out_u64("vcpus", "%-5" PRIu64 " ", vm->vcpus);
	out_str("state", "%-9s ", state_name(vm->state));
	out_u64("exits_total", "%" PRIu64 "\n", total_exits(vm));
	if (vm->crash[0])
		out_str("crash_reason", NULL, vm->crash);
	if (out_is_json())
		print_exits(vm, true);
	out_obj_end();
}

struct list_ctx {
	unsigned int n;
};

static int vm_list_reply(struct nlattr **a, uint8_t cmd, void *arg)
{
	struct list_ctx *ctx = arg;
	struct vm_info vm;

	(void)cmd;
	if (!ctx->n++)
		out_text("%-5s %-16s %-7s %-6s %-8s %-8s %-5s %-9s %s\n", "ID",
			 "NAME", "PID", "MEM", "PAGES", "SHARED", "VCPUS", "STATE",
			 "EXITS");
	parse_vm(a, &vm);
	print_vm_row(&vm);
	return 0;
}

static int vm_list(int argc, char **argv)
{
	struct list_ctx ctx = { 0 };

	if (argc > 0)
		return mvctl_usage_error("'vm list' takes no arguments, got '%s'",
					 argv[0]);
	if (mvctl_connect())
		return 1;
	out_arr_begin(NULL);
	if (mvnl_request(&nl, MV_CMD_GET_VM, true, NULL, NULL,
			 vm_list_reply, &ctx))
		return mvctl_fail();
	out_arr_end();
	if (!ctx.n)
		out_text("no VMs\n");
	out_flush();
	return 0;
}

static int put_id(struct nl_msg *msg, void *arg)
{
	return nla_put_u32(msg, MV_A_VM_ID, *(uint32_t *)arg);
}

static int vm_show_reply(struct nlattr **a, uint8_t cmd, void *arg)
{
	struct vm_info vm;
	char mem[32];

	(void)cmd;
	(void)arg;
	parse_vm(a, &vm);
	out_obj_begin(NULL);
	out_u64("id", "vm %" PRIu64, vm.id);
	out_str("name", " (%s)\n", vm.name[0] ? vm.name : "unnamed");
	out_str("state", "  state:       %s\n", state_name(vm.state));
	if (vm.crash[0])
		out_str("crash_reason", "  crash:       %s\n", vm.crash);
	out_u64("pid", "  owner:       pid %" PRIu64, vm.pid);
	out_str("comm", " (%s)\n", vm.comm);
	out_str("mem", "  memory:      %s", human(vm.mem, mem, sizeof(mem)));
	out_u64("mem_bytes", NULL, vm.mem);
	out_u64("pages_used", ", %" PRIu64 " pages in use", vm.pages);
	out_u64("mmu_pages", ", %" PRIu64 " shadow pages\n", vm.mmu_pages);
	out_u64("share_domain", "  sharing:     domain %" PRIu64, vm.domain);
	out_u64("pages_shared", ", %" PRIu64 " pages on shared frames", vm.shared);
	out_u64("pages_zero", ", %" PRIu64 " on the zero page", vm.zero);
	out_u64("pages_private", ", %" PRIu64 " private",
		vm.pages - vm.shared - vm.zero);
	out_u64("cow_breaks", ", %" PRIu64 " copy-on-write breaks\n", vm.cow_breaks);
	out_str("balloon_mem", "  balloon:     memory target %s",
		human(vm.bl_mem, mem, sizeof(mem)));
	out_u64("balloon_mem_bytes", NULL, vm.bl_mem);
	out_u64("balloon_target_pages", " (balloon of %" PRIu64 " pages", vm.bl_target);
	out_u64("balloon_auto_pages", ", %" PRIu64 " of them by the pressure policy)",
		vm.bl_auto);
	out_u64("balloon_pages", ", holds %" PRIu64 " pages", vm.bl_pages);
	out_u64("balloon_inflated", "; %" PRIu64 " inflated", vm.bl_inflated);
	out_u64("balloon_deflated", ", %" PRIu64 " deflated\n", vm.bl_deflated);
	out_u64("guest_free_pages", "  guest:       %" PRIu64 " pages free", vm.bl_free);
	out_u64("guest_avail_pages", ", %" PRIu64 " available (as it reports)", vm.bl_avail);
	out_u64("active_pct", "; %" PRIu64 "%% of its memory active\n", vm.active_pct);
	out_u64("vcpus", "  vcpus:       %" PRIu64, vm.vcpus);
	out_str("irqchip", ", interrupt controllers %s\n",
		vm.irqchip ? "in the kernel" : "in the VMM");
	out_u64("unhandled_msrs", "  msrs:        %" PRIu64
		" accesses to unknown MSRs refused with #GP\n", vm.unhandled_msrs);
	out_u64("exits_total", "  exits:       %" PRIu64 "\n", total_exits(&vm));
	print_exits(&vm, false);
	out_obj_end();
	return 0;
}

static int need_id(int argc, char **argv, const char *what, uint32_t *id)
{
	if (argc < 1) {
		fprintf(stderr, "mvctl: 'vm %s' needs a VM ID (see 'mvctl vm list')\n",
			what);
		return 2;
	}
	if (argc > 1)
		return mvctl_usage_error("too many arguments: '%s'", argv[1]);
	if (mv_parse_u32(argv[0], 1, UINT32_MAX, id)) {
		fprintf(stderr, "mvctl: '%s' is not a VM ID (a positive number, see 'mvctl vm list')\n",
			argv[0]);
		return 2;
	}
	return 0;
}

static int vm_show(int argc, char **argv)
{
	uint32_t id;
	int ret = need_id(argc, argv, "show", &id);

	if (ret)
		return ret;
	if (mvctl_connect())
		return 1;
	if (mvnl_request(&nl, MV_CMD_GET_VM, false, put_id, &id,
			 vm_show_reply, NULL))
		return mvctl_fail();
	out_flush();
	return 0;
}

static int vm_control(int argc, char **argv, const char *what, uint8_t cmd)
{
	uint32_t id;
	int ret = need_id(argc, argv, what, &id);

	if (ret)
		return ret;
	if (mvctl_connect())
		return 1;
	if (mvnl_request(&nl, cmd, false, put_id, &id, NULL, NULL))
		return mvctl_fail();
	return 0;
}

static int vm_pause(int argc, char **argv)
{
	return vm_control(argc, argv, "pause", MV_CMD_VM_PAUSE);
}

static int vm_resume(int argc, char **argv)
{
	return vm_control(argc, argv, "resume", MV_CMD_VM_RESUME);
}

static int vm_destroy(int argc, char **argv)
{
	return vm_control(argc, argv, "destroy", MV_CMD_VM_DESTROY);
}

struct vm_set_args {
	uint32_t id, domain;
};

static int build_vm_set(struct nl_msg *msg, void *arg)
{
	struct vm_set_args *v = arg;

	return nla_put_u32(msg, MV_A_VM_ID, v->id) ||
	       nla_put_u32(msg, MV_A_VM_SHARE_DOMAIN, v->domain);
}

static int vm_set(int argc, char **argv)
{
	struct vm_set_args v;
	int ret;

	if (argc < 1)
		return need_id(argc, argv, "set", &v.id);
	ret = need_id(1, argv, "set", &v.id);
	if (ret)
		return ret;
	if (argc != 3 || strcmp(argv[1], "domain") ||
	    mv_parse_u32(argv[2], 0, UINT32_MAX, &v.domain)) {
		fprintf(stderr, "mvctl: usage: 'vm set ID domain N' (N: a sharing domain, 0 is the default)\n");
		return 2;
	}
	if (mvctl_connect())
		return 1;
	if (mvnl_request(&nl, MV_CMD_VM_SET, false, build_vm_set, &v, NULL, NULL))
		return mvctl_fail();
	return 0;
}

struct balloon_args {
	uint32_t id;
	uint64_t bytes;
	int rel;		/* -1, 0, +1; 2: full */
	uint64_t mem, cur;	/* the VM's size, its memory target now */
};

static int vm_size_reply(struct nlattr **a, uint8_t cmd, void *arg)
{
	struct balloon_args *b = arg;

	(void)cmd;
	b->mem = mvnl_u64(a, MV_A_VM_MEM_SIZE);
	b->cur = mvnl_u64(a, MV_A_VM_BALLOON_TARGET);
	return 0;
}

static int build_balloon(struct nl_msg *msg, void *arg)
{
	struct balloon_args *b = arg;

	return nla_put_u32(msg, MV_A_VM_ID, b->id) ||
	       nla_put_u64(msg, MV_A_VM_BALLOON_TARGET, b->bytes);
}

/* "256M", "1G", "+64M", "-64M", "full": the memory the guest should keep. */
static int parse_target(const char *s, struct balloon_args *b)
{
	if (!strcmp(s, "full")) {
		b->rel = 2;
		return 0;
	}
	b->rel = *s == '+' ? 1 : *s == '-' ? -1 : 0;
	if (b->rel)
		s++;
	if (mv_parse_size(s, &b->bytes))
		return -1;
	b->bytes &= ~4095ull;
	return 0;
}

static int vm_balloon(int argc, char **argv)
{
	struct balloon_args b = { 0 };
	int ret;

	if (argc != 2) {
		fprintf(stderr, "mvctl: usage: 'vm balloon ID SIZE': the memory the guest should keep, e.g. 256M, 1G, -64M, +64M or full\n");
		return 2;
	}
	ret = need_id(1, argv, "balloon", &b.id);
	if (ret)
		return ret;
	if (parse_target(argv[1], &b)) {
		fprintf(stderr, "mvctl: '%s' is not a size: try 256M, 1G, -64M, +64M or full\n",
			argv[1]);
		return 2;
	}
	if (mvctl_connect())
		return 1;
	if (b.rel) {
		/* Relative to the target now; within 0 and the VM's size. */
		if (mvnl_request(&nl, MV_CMD_GET_VM, false, put_id, &b.id,
				 vm_size_reply, &b))
			return mvctl_fail();
		if (b.rel == 2)
			b.bytes = b.mem;
		else if (b.rel > 0)
			b.bytes = b.cur + b.bytes > b.mem ? b.mem : b.cur + b.bytes;
		else
			b.bytes = b.bytes > b.cur ? 0 : b.cur - b.bytes;
	}
	if (mvnl_request(&nl, MV_CMD_VM_SET, false, build_balloon, &b, NULL, NULL))
		return mvctl_fail();
	return 0;
}

static const struct mvctl_cmd vm_cmds[] = {
	{ "list", vm_list },
	{ "show", vm_show },
	{ "pause", vm_pause },
	{ "resume", vm_resume },
	{ "destroy", vm_destroy },
	{ "set", vm_set },
	{ "balloon", vm_balloon },
	{ NULL, NULL },
};

int cmd_vm(int argc, char **argv)
{
	if (argc < 1)
		return vm_list(0, argv);
	return mvctl_dispatch(vm_cmds, "'vm' command", argc, argv);
}

static int event_reply(struct nlattr **a, uint8_t cmd, void *arg)
{
	struct vm_info vm;
	char mem[32];

	(void)arg;
	if (cmd == MV_CMD_EVENT_SCAN_DONE) {
		mvctl_print_scan_event(a);
		return 0;
	}
	parse_vm(a, &vm);
	out_obj_begin(NULL);
	out_str("event", "%s", mvnl_cmd_name(cmd));
	out_u64("id", " id %" PRIu64, vm.id);
	out_str("name", " name %s", vm.name[0] ? vm.name : "-");
	out_u64("pid", " pid %" PRIu64, vm.pid);
	if (a[MV_A_VM_MEM_SIZE] && cmd == MV_CMD_EVENT_VM_CREATED)
		out_str("mem", " mem %s", human(vm.mem, mem, sizeof(mem)));
	if (a[MV_A_VM_SHARE_DOMAIN] && cmd == MV_CMD_EVENT_VM_CREATED)
		out_u64("share_domain", " domain %" PRIu64, vm.domain);
	if (cmd == MV_CMD_EVENT_BALLOON_TARGET_REACHED) {
		out_u64("balloon_pages", " balloon %" PRIu64 " pages", vm.bl_pages);
		out_str("mem_target", " memory %s",
			human(vm.bl_mem, mem, sizeof(mem)));
		out_u64("mem_target_bytes", NULL, vm.bl_mem);
	}
	if (vm.crash[0])
		out_str("reason", " reason \"%s\"", vm.crash);
	out_text("\n");
	out_obj_end();
	out_flush();
	return 0;
}

int cmd_monitor(int argc, char **argv)
{
	if (argc > 0)
		return mvctl_usage_error("'monitor' takes no arguments, got '%s'",
					 argv[0]);
	if (mvctl_connect())
		return 1;
	if (mvnl_subscribe_events(&nl))
		return mvctl_fail();
	/* Tell whoever waits on us that events will be seen from now on. */
	fflush(stdout);
	if (mvnl_listen(&nl, event_reply, NULL))
		return mvctl_fail();
	return 0;
}
