// SPDX-License-Identifier: GPL-2.0
/*
 * The foundation: minivisor.ko loads into the stock kernel, registers
 * /dev/minivisor and the "minivisor" netlink family, answers GET_INFO
 * truthfully, refuses bad requests cleanly, unloads leaving nothing behind,
 * and lives next to kvm_amd.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include "kselftest_harness.h"
#include "mvnl.h"
#include "mvtest.h"
#include "kvm_util.h"

static char out[16384];

struct info {
	char version[32];
	uint32_t api, backend, nr_asids, nr_vms, max_vms;
	uint64_t features;
};

static int info_cb(struct nlattr **a, uint8_t cmd, void *arg)
{
	struct info *info = arg;

	if (cmd != MV_CMD_GET_INFO || !a[MV_A_MODULE_VERSION] ||
	    !a[MV_A_API_VERSION] || !a[MV_A_BACKEND] || !a[MV_A_FEATURES] ||
	    !a[MV_A_NR_ASIDS] || !a[MV_A_NR_VMS] || !a[MV_A_MAX_VMS])
		return -EPROTO;
	snprintf(info->version, sizeof(info->version), "%s",
		 nla_get_string(a[MV_A_MODULE_VERSION]));
	info->api = nla_get_u32(a[MV_A_API_VERSION]);
	info->backend = nla_get_u32(a[MV_A_BACKEND]);
	info->features = nla_get_u64(a[MV_A_FEATURES]);
	info->nr_asids = nla_get_u32(a[MV_A_NR_ASIDS]);
	info->nr_vms = nla_get_u32(a[MV_A_NR_VMS]);
	info->max_vms = nla_get_u32(a[MV_A_MAX_VMS]);
	return 0;
}

static int get_info(struct info *info)
{
	struct mvnl nl;
	int ret;

	ret = mvnl_open(&nl);
	if (ret)
		return ret;
	ret = mvnl_request(&nl, MV_CMD_GET_INFO, false, NULL, NULL, info_cb, info);
	mvnl_close(&nl);
	return ret;
}

/* What the CPU says about SVM, independently of the module. */
static void cpu_svm(uint64_t *features, uint32_t *nr_asids)
{
	unsigned int a, b, c, d;

	__cpuid(0x8000000a, a, b, c, d);
	*nr_asids = b - 1;
	*features = 0;
	if (d & (1u << 0))
		*features |= 1ull << MV_FEAT_NPT;
	if (d & (1u << 1))
		*features |= 1ull << MV_FEAT_LBR_VIRT;
	if (d & (1u << 3))
		*features |= 1ull << MV_FEAT_NRIPS;
	if (d & (1u << 5))
		*features |= 1ull << MV_FEAT_VMCB_CLEAN;
	if (d & (1u << 6))
		*features |= 1ull << MV_FEAT_FLUSH_BY_ASID;
	if (d & (1u << 7))
		*features |= 1ull << MV_FEAT_DECODE_ASSISTS;
	if (d & (1u << 10))
		*features |= 1ull << MV_FEAT_PAUSE_FILTER;
	if (d & (1u << 13))
		*features |= 1ull << MV_FEAT_AVIC;
	if (d & (1u << 16))
		*features |= 1ull << MV_FEAT_VGIF;
}

static const char *const svm_feature_names[] = {
	[MV_FEAT_NPT] = "npt",
	[MV_FEAT_NRIPS] = "nrips",
	[MV_FEAT_DECODE_ASSISTS] = "decode-assists",
	[MV_FEAT_VMCB_CLEAN] = "vmcb-clean",
	[MV_FEAT_FLUSH_BY_ASID] = "flush-by-asid",
	[MV_FEAT_VGIF] = "vgif",
	[MV_FEAT_PAUSE_FILTER] = "pause-filter",
	[MV_FEAT_AVIC] = "avic",
	[MV_FEAT_LBR_VIRT] = "lbr-virt",
};

static bool family_exists(void)
{
	struct mvnl nl;

	if (mvnl_open(&nl))
		return false;
	mvnl_close(&nl);
	return true;
}

/* Everything the module registers, present or absent together. */
static void check_registered(struct __test_metadata *_metadata, bool present)
{
	struct stat st;

	ASSERT_EQ(present, mv_loaded());
	ASSERT_EQ(present, stat("/dev/minivisor", &st) == 0);
	ASSERT_EQ(present, access("/sys/class/misc/minivisor", F_OK) == 0);
	ASSERT_EQ(present, family_exists());
}

FIXTURE(mod) {
	int unused;
};

FIXTURE_SETUP(mod)
{
	ASSERT_EQ(0, mv_ensure_loaded());
}

FIXTURE_TEARDOWN(mod)
{
	mv_ensure_loaded();
}

TEST_F(mod, device_node)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, stat("/dev/minivisor", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	fd = open("/dev/minivisor", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(MV_API_VERSION, ioctl(fd, MV_GET_API_VERSION, 0));
	/* MV_GET_API_VERSION takes no argument. */
	EXPECT_EQ(-1, ioctl(fd, MV_GET_API_VERSION, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(MV_IO, 0xff), 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO(0xAE, 0x00), 0));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST_F(mod, sysfs_version_and_params)
{
	FILE *f = fopen("/sys/module/minivisor/version", "r");
	char buf[64] = "";

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	EXPECT_STREQ(MV_TOOLS_VERSION, buf);
	EXPECT_EQ(0, access("/sys/module/minivisor/parameters/max_vms", R_OK));
}

TEST_F(mod, family_and_group_resolve)
{
	struct mvnl nl;

	ASSERT_EQ(0, mvnl_open(&nl));
	EXPECT_LT(0, nl.family);
	EXPECT_EQ(0, mvnl_subscribe_events(&nl));
	mvnl_close(&nl);
}

/* What monitor_start() waits on: a subscription is seen, and only then. */
TEST_F(mod, events_subscription_shows_in_proc)
{
	struct mvnl nl;
	int grp;

	ASSERT_EQ(0, mv_genl_ids(NULL, &grp));
	ASSERT_LE(1, grp);
	ASSERT_GE(32, grp);
	ASSERT_EQ(0, mvnl_open(&nl));
	EXPECT_FALSE(netlink_group_joined(getpid(), grp));
	ASSERT_EQ(0, mvnl_subscribe_events(&nl));
	EXPECT_TRUE(netlink_group_joined(getpid(), grp));
	EXPECT_FALSE(netlink_group_joined(getpid(), grp == 32 ? 31 : grp + 1));
	mvnl_close(&nl);
	EXPECT_FALSE(netlink_group_joined(getpid(), grp));
}

TEST_F(mod, get_info_matches_cpu)
{
	struct info info = { 0 };
	uint64_t features;
	uint32_t nr_asids;

	ASSERT_EQ(0, get_info(&info));
	cpu_svm(&features, &nr_asids);
	EXPECT_STREQ(MV_TOOLS_VERSION, info.version);
	EXPECT_EQ(MV_API_VERSION, info.api);
	EXPECT_EQ(MV_BACKEND_SVM, info.backend);
	EXPECT_EQ(features, info.features);
	EXPECT_EQ(nr_asids, info.nr_asids);
	EXPECT_EQ(0, info.nr_vms);
	EXPECT_EQ(64, info.max_vms);
	/* The testbed's CPU (QEMU TCG -cpu max) emulates NPT (not NRIPS). */
	EXPECT_TRUE(info.features & (1ull << MV_FEAT_NPT));
}

static int put_vm_id(struct nl_msg *msg, void *arg)
{
	return nla_put_u32(msg, MV_A_VM_ID, *(uint32_t *)arg);
}

static int put_api_version(struct nl_msg *msg, void *arg)
{
	(void)arg;
	return nla_put_u32(msg, MV_A_API_VERSION, 1);
}

static int put_garbage(struct nl_msg *msg, void *arg)
{
	(void)arg;
	return nla_put_u64(msg, MV_A_MAX + 5, 1);
}

static int put_short_vm_id(struct nl_msg *msg, void *arg)
{
	(void)arg;
	return nla_put_u8(msg, MV_A_VM_ID, 1);
}

TEST_F(mod, netlink_refusals_carry_extack)
{
	struct mvnl nl;
	uint32_t id;

	ASSERT_EQ(0, mvnl_open(&nl));

	/* GET_INFO takes no attributes. */
	EXPECT_EQ(-EINVAL, mvnl_request(&nl, MV_CMD_GET_INFO, false,
					put_api_version, NULL, NULL, NULL));
	EXPECT_NE(0, strlen(nl.errmsg));
	TH_LOG("GET_INFO with an attribute: %s", nl.errmsg);

	/* Unknown attribute type. */
	EXPECT_EQ(-EINVAL, mvnl_request(&nl, MV_CMD_GET_VM, false,
					put_garbage, NULL, NULL, NULL));
	EXPECT_NE(0, strlen(nl.errmsg));

	/* Wrong length. */
	EXPECT_EQ(-EINVAL, mvnl_request(&nl, MV_CMD_GET_VM, false,
					put_short_vm_id, NULL, NULL, NULL));
	EXPECT_NE(0, strlen(nl.errmsg));

	/* A do request needs the VM ID. */
	EXPECT_EQ(-EINVAL, mvnl_request(&nl, MV_CMD_GET_VM, false,
					NULL, NULL, NULL, NULL));
	EXPECT_NE(0, strlen(nl.errmsg));

	/* VM IDs start at 1. */
	id = 0;
	EXPECT_EQ(-ERANGE, mvnl_request(&nl, MV_CMD_GET_VM, false,
					put_vm_id, &id, NULL, NULL));
	EXPECT_NE(0, strlen(nl.errmsg));

	id = 123456;
	EXPECT_EQ(-ENOENT, mvnl_request(&nl, MV_CMD_GET_VM, false,
					put_vm_id, &id, NULL, NULL));
	EXPECT_NE(NULL, strstr(nl.errmsg, "no VM"));

	/* Unknown command. */
	EXPECT_EQ(-EOPNOTSUPP, mvnl_request(&nl, 200, false, NULL, NULL,
					    NULL, NULL));
	/* GET_INFO cannot be dumped. */
	EXPECT_EQ(-EOPNOTSUPP, mvnl_request(&nl, MV_CMD_GET_INFO, true, NULL,
					    NULL, NULL, NULL));
	mvnl_close(&nl);
}

/* Appends one attribute to a raw request; returns the new length. */
static size_t raw_attr(char *buf, size_t off, uint16_t type, uint64_t val,
		       uint16_t len)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	memset(buf + off, 0, NLA_ALIGN(nla.nla_len));
	memcpy(buf + off, &nla, sizeof(nla));
	memcpy(buf + off + NLA_HDRLEN, &val, len);
	return off + NLA_ALIGN(nla.nla_len);
}

/*
 * What each command takes, as its policy says.  With @first_len, a valid
 * takes[0] of that size and value 1 (never acted on: the whole request is
 * validated first) goes before the stray attribute.
 */
static const struct {
	uint8_t cmd;
	bool dump;
	const char *says;
	int takes[6];
	int first_len;
} cmd_takes[] = {
	{ MV_CMD_GET_INFO, false, "MV_CMD_GET_INFO takes no attributes", { 0 }, 0 },
	{ MV_CMD_GET_SHARE, false, "MV_CMD_GET_SHARE takes no attributes", { 0 }, 0 },
	{ MV_CMD_GET_BALLOON, false, "MV_CMD_GET_BALLOON takes no attributes", { 0 }, 0 },
	{ MV_CMD_GET_VM, false, "MV_CMD_GET_VM takes only MV_A_VM_ID", { MV_A_VM_ID }, 4 },
	{ MV_CMD_GET_VM, true, "MV_CMD_GET_VM takes only MV_A_VM_ID", { MV_A_VM_ID }, 0 },
	{ MV_CMD_VM_PAUSE, false, "take only MV_A_VM_ID", { MV_A_VM_ID }, 4 },
	{ MV_CMD_VM_RESUME, false, "take only MV_A_VM_ID", { MV_A_VM_ID }, 4 },
	{ MV_CMD_VM_DESTROY, false, "take only MV_A_VM_ID", { MV_A_VM_ID }, 4 },
	{ MV_CMD_VM_SET, false, "MV_CMD_VM_SET takes only",
	  { MV_A_VM_ID, MV_A_VM_SHARE_DOMAIN, MV_A_VM_BALLOON_TARGET }, 4 },
	{ MV_CMD_SET_SHARE, false, "MV_CMD_SET_SHARE takes only",
	  { MV_A_SHARE_ENABLED, MV_A_SHARE_SCAN_PAGES, MV_A_SHARE_SCAN_INTERVAL_MS,
	    MV_A_SHARE_DOMAIN_ID, MV_A_SHARE_DOMAIN_POLICY }, 1 },
	{ MV_CMD_SET_BALLOON, false, "MV_CMD_SET_BALLOON takes only",
	  { MV_A_BALLOON_AUTO, MV_A_BALLOON_TAX_PCT, MV_A_BALLOON_FLOOR_PCT,
	    MV_A_BALLOON_FREE_TARGET_MB }, 1 },
};

static bool takes(int c, int type)
{
	int i;

	for (i = 0; i < 6 && cmd_takes[c].takes[i]; i++)
		if (cmd_takes[c].takes[i] == type)
			return true;
	return false;
}

/*
 * Every command, and the VM dump, refuses each attribute it does not take
 * with EINVAL, a message of the module's own saying what it takes, and the
 * offset of that attribute; the core refuses unknown types (0 or above
 * MV_A_MAX) with its own message.
 */
TEST_F(mod, every_command_refuses_what_it_does_not_take)
{
	const size_t hdr = NLMSG_HDRLEN + GENL_HDRLEN;
	struct genl_answer ans;
	int c, type, bad = 0, tried = 0;
	char buf[64];
	size_t off, len;

	for (c = 0; c < (int)(sizeof(cmd_takes) / sizeof(cmd_takes[0])); c++) {
		for (type = 0; type <= MV_A_MAX + 1; type++) {
			if (takes(c, type))
				continue;
			off = 0;
			if (cmd_takes[c].first_len)
				off = raw_attr(buf, 0, cmd_takes[c].takes[0], 1,
					       cmd_takes[c].first_len);
			len = raw_attr(buf, off, type, 0, 8);
			ASSERT_EQ(0, genl_raw_request(cmd_takes[c].cmd,
						      cmd_takes[c].dump, buf,
						      len, &ans));
			tried++;
			if (ans.err == -EINVAL && !ans.in_done &&
			    ans.bad_off == (int64_t)(hdr + off) &&
			    (!type || type > MV_A_MAX ? ans.msg[0] != 0 :
			     strstr(ans.msg, cmd_takes[c].says) != NULL))
				continue;
			if (bad++ < 10)
				TH_LOG("command %u%s, attribute %d: error %d, offset %lld (want %zu), message '%s'",
				       cmd_takes[c].cmd, cmd_takes[c].dump ? " (dump)" : "",
				       type, ans.err, (long long)ans.bad_off,
				       hdr + off, ans.msg);
		}
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(600, tried);

	/* The dump refuses a VM ID; the error ends the dump. */
	len = raw_attr(buf, 0, MV_A_VM_ID, 1, 4);
	ASSERT_EQ(0, genl_raw_request(MV_CMD_GET_VM, true, buf, len, &ans));
	EXPECT_EQ(-EINVAL, ans.err);
	EXPECT_TRUE(ans.in_done);
	EXPECT_NE(NULL, strstr(ans.msg, "a VM dump takes no VM ID")) {
		TH_LOG("message: '%s'", ans.msg);
	}

	/* A do request without its VM ID says which attribute is missing. */
	ASSERT_EQ(0, genl_raw_request(MV_CMD_VM_PAUSE, false, NULL, 0, &ans));
	EXPECT_EQ(-EINVAL, ans.err);
	EXPECT_NE(NULL, strstr(ans.msg, "MV_A_VM_ID) is missing")) {
		TH_LOG("message: '%s'", ans.msg);
	}

	/* What takes nothing still answers a request with nothing. */
	ASSERT_EQ(0, genl_raw_request(MV_CMD_GET_INFO, false, NULL, 0, &ans));
	EXPECT_EQ(0, ans.err);
	EXPECT_EQ(1, ans.replies);
	ASSERT_EQ(0, genl_raw_request(MV_CMD_GET_SHARE, false, NULL, 0, &ans));
	EXPECT_EQ(0, ans.err);
	EXPECT_EQ(1, ans.replies);
	ASSERT_EQ(0, genl_raw_request(MV_CMD_GET_BALLOON, false, NULL, 0, &ans));
	EXPECT_EQ(0, ans.err);
	EXPECT_EQ(1, ans.replies);
	ASSERT_EQ(0, genl_raw_request(MV_CMD_GET_VM, true, NULL, 0, &ans));
	EXPECT_EQ(0, ans.err);
	EXPECT_TRUE(ans.in_done);
	EXPECT_EQ(0, ans.replies);
}

TEST_F(mod, mvctl_info_json)
{
	struct info info = { 0 };
	char val[512], want[64];
	uint64_t features;
	uint32_t nr_asids;
	unsigned int bit;

	ASSERT_EQ(0, get_info(&info));
	cpu_svm(&features, &nr_asids);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j info"));
	TH_LOG("%s", out);
	ASSERT_EQ('{', out[0]);
	ASSERT_TRUE(json_get(out, "module_version", val, sizeof(val)));
	EXPECT_STREQ(MV_TOOLS_VERSION, val);
	EXPECT_EQ(MV_API_VERSION, json_u64(out, "api_version"));
	ASSERT_TRUE(json_get(out, "backend", val, sizeof(val)));
	EXPECT_STREQ("svm", val);
	EXPECT_EQ(nr_asids, json_u64(out, "nr_asids"));
	EXPECT_EQ(0, json_u64(out, "nr_vms"));
	EXPECT_EQ(64, json_u64(out, "max_vms"));
	ASSERT_TRUE(json_get(out, "features", val, sizeof(val)));
	for (bit = 0; bit < sizeof(svm_feature_names) / sizeof(char *); bit++) {
		if (!svm_feature_names[bit])
			continue;
		snprintf(want, sizeof(want), "\"%s\"", svm_feature_names[bit]);
		EXPECT_EQ(!!(features & (1ull << bit)), !!strstr(val, want)) {
			TH_LOG("feature %s", want);
		}
	}
}

TEST_F(mod, mvctl_info_text)
{
	uint64_t features;
	uint32_t nr_asids;
	char want[128];
	unsigned int bit;
	char *line;

	cpu_svm(&features, &nr_asids);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl info"));
	TH_LOG("%s", out);
	snprintf(want, sizeof(want), "minivisor %s (API %d)\n", MV_TOOLS_VERSION,
		 MV_API_VERSION);
	EXPECT_EQ(0, strncmp(out, want, strlen(want)));
	EXPECT_NE(NULL, strstr(out, "\nbackend:  svm\n"));
	snprintf(want, sizeof(want), "\nasids:    %u\n", nr_asids);
	EXPECT_NE(NULL, strstr(out, want));
	EXPECT_NE(NULL, strstr(out, "\nvms:      0 (at most 64)\n"));
	line = strstr(out, "\nfeatures:");
	ASSERT_NE(NULL, line);
	*strchr(line + 1, '\n') = 0;
	for (bit = 0; bit < sizeof(svm_feature_names) / sizeof(char *); bit++) {
		if (!svm_feature_names[bit])
			continue;
		snprintf(want, sizeof(want), " %s", svm_feature_names[bit]);
		EXPECT_EQ(!!(features & (1ull << bit)), !!strstr(line, want));
	}
}

TEST_F(mod, mvctl_vm_list_empty)
{
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm list"));
	EXPECT_STREQ("no VMs\n", out);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -j vm list"));
	EXPECT_STREQ("[]\n", out);
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl vm"));
	EXPECT_STREQ("no VMs\n", out);
}

TEST_F(mod, mvctl_usage_errors)
{
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl frobnicate"));
	EXPECT_NE(NULL, strstr(out, "unknown object 'frobnicate'"));
	EXPECT_NE(NULL, strstr(out, "mvctl --help"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl vm frob"));
	EXPECT_NE(NULL, strstr(out, "'frob'"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl info extra"));
	EXPECT_NE(NULL, strstr(out, "'extra'"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl --bogus info"));
	EXPECT_EQ(2, run_cmd(out, sizeof(out), -1, "mvctl"));
	EXPECT_NE(NULL, strstr(out, "Usage:"));
	EXPECT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl --help"));
	EXPECT_NE(NULL, strstr(out, "Usage: mvctl"));
	EXPECT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl -V"));
	EXPECT_NE(NULL, strstr(out, MV_TOOLS_VERSION));
}

TEST_F(mod, mvctl_module_not_loaded)
{
	ASSERT_EQ(0, mv_unload());
	EXPECT_EQ(1, run_cmd(out, sizeof(out), -1, "mvctl info"));
	EXPECT_NE(NULL, strstr(out, "module is not loaded"));
	EXPECT_NE(NULL, strstr(out, "modprobe minivisor"));
	EXPECT_EQ(1, run_cmd(out, sizeof(out), -1, "mvctl -j vm list"));
	EXPECT_NE(NULL, strstr(out, "module is not loaded"));
	ASSERT_EQ(0, mv_load(NULL));
}

TEST_F(mod, unprivileged_user)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		if (drop_privileges())
			_exit(10);
		fd = open("/dev/minivisor", O_RDWR);
		if (fd >= 0 || errno != EACCES)
			_exit(11);
		/* Reading information needs no privilege. */
		if (run_cmd(out, sizeof(out), -1, "mvctl -j info"))
			_exit(12);
		if (run_cmd(out, sizeof(out), -1, "mvctl vm list"))
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F_TIMEOUT(mod, load_unload_20_times, 300)
{
	struct info info;
	char params[32];
	int i;

	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, mv_unload());
		check_registered(_metadata, false);
		snprintf(params, sizeof(params), "max_vms=%d", 10 + i);
		ASSERT_EQ(0, mv_load(params));
		check_registered(_metadata, true);
		ASSERT_EQ(0, get_info(&info));
		EXPECT_EQ(10 + i, info.max_vms);
		EXPECT_EQ(0, info.nr_vms);
	}
	ASSERT_EQ(0, mv_unload());
	check_registered(_metadata, false);
	ASSERT_EQ(0, mv_load(NULL));
	/* Loading twice is refused; the loaded instance is unaffected. */
	EXPECT_EQ(-EEXIST, mv_load(NULL));
	check_registered(_metadata, true);
}

TEST_F(mod, bad_module_parameter_refused)
{
	ASSERT_EQ(0, mv_unload());
	EXPECT_EQ(-EINVAL, mv_load("max_vms=banana"));
	check_registered(_metadata, false);
	ASSERT_EQ(0, mv_load(NULL));
}

static int param_write(const char *name, const char *val)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/module/minivisor/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static unsigned long param_read(const char *name)
{
	char path[128], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/minivisor/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return ~0ul;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 0);
}

/* Each parameter has one range, checked at load and on every write. */
TEST_F(mod, parameters_out_of_range_refused)
{
	static const char *const bad[] = {
		"max_mmu_pages=63", "max_vms=0", "max_guest_mem_mb=65537",
		"share_scan_pages=0", "share_scan_interval_ms=60001",
		"share_hash_bits=65", "balloon_tax_pct=100",
		"balloon_floor_pct=101", "max_vms=-1",
	};
	unsigned int i;

	ASSERT_EQ(0, mv_unload());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = mv_load(bad[i]);

		if (ret != -EINVAL)
			TH_LOG("%s: %d", bad[i], ret);
		EXPECT_EQ(-EINVAL, ret);
		if (!ret)
			mv_unload();
	}
	check_registered(_metadata, false);
	/* The edges are in range. */
	ASSERT_EQ(0, mv_load("max_mmu_pages=64 share_hash_bits=64 balloon_tax_pct=99 balloon_floor_pct=100"));
	EXPECT_EQ(64, param_read("max_mmu_pages"));
	EXPECT_EQ(-EINVAL, param_write("max_mmu_pages", "63"));
	EXPECT_EQ(-EINVAL, param_write("max_mmu_pages", "many"));
	EXPECT_EQ(64, param_read("max_mmu_pages"));
	EXPECT_EQ(0, param_write("max_mmu_pages", "4096"));
	EXPECT_EQ(4096, param_read("max_mmu_pages"));
	EXPECT_EQ(-EINVAL, param_write("share_hash_bits", "65"));
	EXPECT_EQ(64, param_read("share_hash_bits"));
	EXPECT_EQ(0, param_write("share_hash_bits", "0"));
	EXPECT_EQ(0, param_read("share_hash_bits"));
	ASSERT_EQ(0, mv_unload());
	ASSERT_EQ(0, mv_load(NULL));
}

/* mov al, 'K'; out 0xe9, al; hlt */
static const uint8_t kvm_guest[] = { 0xb0, 'K', 0xe6, 0xe9, 0xf4 };

static void kvm_guest_runs(struct __test_metadata *_metadata, struct kvm_tvm *t)
{
	ASSERT_EQ(0, kvm_tvm_reset_real(t, 0x1000));
	ASSERT_EQ(KVM_EXIT_IO, kvm_tvm_run(t));
	EXPECT_EQ(0xe9, t->run->io.port);
	EXPECT_EQ(KVM_EXIT_IO_OUT, t->run->io.direction);
	EXPECT_EQ('K', *((uint8_t *)t->run + t->run->io.data_offset));
	ASSERT_EQ(KVM_EXIT_HLT, kvm_tvm_run(t));
}

TEST_F_TIMEOUT(mod, coexists_with_kvm_amd, 120)
{
	struct kvm_tvm t;
	int i;

	ASSERT_EQ(0, kvm_amd_load(NULL));
	ASSERT_EQ(0, kvm_tvm_create(&t, 1 << 20));
	memcpy(t.mem + 0x10000, kvm_guest, sizeof(kvm_guest));
	kvm_guest_runs(_metadata, &t);

	/* Cycle minivisor while the KVM VM exists; KVM keeps working. */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, mv_unload());
		kvm_guest_runs(_metadata, &t);
		ASSERT_EQ(0, mv_load(NULL));
		kvm_guest_runs(_metadata, &t);
	}
	kvm_tvm_destroy(&t);

	/* A fresh KVM VM after all that. */
	ASSERT_EQ(0, kvm_tvm_create(&t, 1 << 20));
	memcpy(t.mem + 0x10000, kvm_guest, sizeof(kvm_guest));
	kvm_guest_runs(_metadata, &t);
	kvm_tvm_destroy(&t);
	EXPECT_EQ(0, kvm_amd_unload());
	/* And minivisor still answers. */
	EXPECT_TRUE(family_exists());
}

TEST_F(mod, dkms_built_module_loads)
{
	char buf[64] = "";
	FILE *f;

	/* make check-quick builds no DKMS module, and says so. */
	if (access(MV_DKMS_KO, R_OK) && run_cmd(buf, sizeof(buf), -1,
			"grep -qw mv.nodkms /proc/cmdline") == 0)
		SKIP(return, "make check-quick builds no DKMS module");
	ASSERT_EQ(0, access(MV_DKMS_KO, R_OK)) {
		TH_LOG("the suite builds %s with dkms before booting", MV_DKMS_KO);
	}
	ASSERT_EQ(0, mv_unload());
	ASSERT_EQ(0, mv_load_path(MV_DKMS_KO, NULL));
	check_registered(_metadata, true);
	f = fopen("/sys/module/minivisor/version", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_EQ(0, strncmp(buf, MV_TOOLS_VERSION, strlen(MV_TOOLS_VERSION)));
	ASSERT_EQ(0, run_cmd(out, sizeof(out), -1, "mvctl info"));
	ASSERT_EQ(0, mv_unload());
	check_registered(_metadata, false);
	ASSERT_EQ(0, mv_load(NULL));
}

TEST_HARNESS_MAIN
