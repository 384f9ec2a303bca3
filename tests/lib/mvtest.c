// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/minivisor.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "mvtest.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int mv_load_path(const char *path, const char *params)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

int mv_load(const char *params)
{
	return mv_load_path(MV_KO, params);
}

static int unload_name(const char *name)
{
	int i;

	/* A just-closed fd may still hold a reference for a moment. */
	for (i = 0; i < 50; i++) {
		if (!syscall(SYS_delete_module, name, O_NONBLOCK))
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			return -errno;
		usleep(20000);
	}
	return -errno;
}

int mv_unload(void)
{
	return unload_name("minivisor");
}

bool mv_loaded(void)
{
	return access("/sys/module/minivisor", F_OK) == 0;
}

int mv_ensure_loaded(void)
{
	int ret;

	if (mv_loaded())
		return 0;
	ret = mv_load(NULL);
	return ret == -EEXIST ? 0 : ret;
}

static int load_if_missing(const char *name, const char *file, const char *params)
{
	char path[256];
	int ret;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (!access(path, F_OK))
		return 0;
	snprintf(path, sizeof(path), MV_KVM_DIR "/%s", file);
	ret = mv_load_path(path, params);
	return ret == -EEXIST ? 0 : ret;
}

int kvm_amd_load(const char *params)
{
	int ret;

	ret = load_if_missing("irqbypass", "irqbypass.ko", NULL);
	if (!ret)
		ret = load_if_missing("kvm", "kvm.ko", NULL);
	if (!ret)
		ret = load_if_missing("ccp", "ccp.ko", NULL);
	if (!ret)
		ret = load_if_missing("kvm_amd", "kvm-amd.ko", params);
	return ret;
}

int kvm_amd_unload(void)
{
	if (access("/sys/module/kvm_amd", F_OK))
		return 0;
	return unload_name("kvm_amd");
}

int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

bool kmsg_find(int fd, const char *needle, char *line, size_t len)
{
	char buf[2048];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0) {
			if (errno == EPIPE)
				continue;
			return false;
		}
		buf[n] = 0;
		if (strstr(buf, needle)) {
			const char *msg = strchr(buf, ';');

			if (line)
				snprintf(line, len, "%s", msg ? msg + 1 : buf);
			return true;
		}
	}
}

int run_cmd(char *out, size_t len, int uid, const char *fmt, ...)
{
	char cmd[1024];
	int pipefd[2], status;
	size_t used = 0;
	va_list ap;
	pid_t pid;
	ssize_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		if (uid >= 0 && drop_privileges())
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (len && (n = read(pipefd[0], out + used, len - 1 - used)) > 0)
		used += n;
	if (len)
		out[used] = 0;
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

uint64_t meminfo(const char *key)
{
	char line[256];
	uint64_t kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			sscanf(line + strlen(key) + 1, "%llu", (unsigned long long *)&kb);
	if (f)
		fclose(f);
	return kb * 1024;
}

bool json_get(const char *json, const char *key, char *val, size_t len)
{
	char pat[128];
	const char *p, *end;
	size_t n;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(json, pat);
	if (!p)
		return false;
	p += strlen(pat);
	if (*p == '"') {
		end = strchr(++p, '"');
	} else if (*p == '[' || *p == '{') {
		char open = *p, close = open == '[' ? ']' : '}';
		int depth = 0;

		for (end = p; *end; end++) {
			if (*end == open)
				depth++;
			else if (*end == close && !--depth)
				break;
		}
		if (*end)
			end++;
	} else {
		end = p + strcspn(p, ",}]\n");
	}
	if (!end)
		return false;
	n = end - p;
	if (n >= len)
		n = len - 1;
	memcpy(val, p, n);
	val[n] = 0;
	return true;
}

uint64_t json_u64(const char *json, const char *key)
{
	char val[64];

	if (!json_get(json, key, val, sizeof(val)))
		return UINT64_MAX;
	return strtoull(val, NULL, 0);
}

int drop_privileges(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -errno;
	return 0;
}

int mv_genl_ids(int *family, int *events_group)
{
	struct nl_sock *sk = nl_socket_alloc();
	int ret = 0, id;

	if (!sk)
		return -ENOMEM;
	if (genl_connect(sk)) {
		ret = -EIO;
		goto out;
	}
	if (family) {
		id = genl_ctrl_resolve(sk, MV_GENL_NAME);
		if (id < 0) {
			ret = id == -NLE_OBJ_NOTFOUND ? -ENOENT : -EIO;
			goto out;
		}
		*family = id;
	}
	if (events_group) {
		id = genl_ctrl_resolve_grp(sk, MV_GENL_NAME, MV_GENL_MCGRP_EVENTS);
		if (id < 0) {
			ret = id == -NLE_OBJ_NOTFOUND ? -ENOENT : -EIO;
			goto out;
		}
		*events_group = id;
	}
out:
	nl_socket_free(sk);
	return ret;
}

/* The extended-ack attributes of an error or done message. */
static void parse_ack_tlvs(const char *p, long rem, struct genl_answer *ans)
{
	const struct nlattr *nla = (const void *)p;

	while (rem >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN &&
	       nla->nla_len <= rem) {
		const char *data = (const char *)nla + NLA_HDRLEN;
		int dlen = nla->nla_len - NLA_HDRLEN;
		uint32_t off;

		switch (nla->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			snprintf(ans->msg, sizeof(ans->msg), "%.*s", dlen, data);
			break;
		case NLMSGERR_ATTR_OFFS:
			if (dlen >= (int)sizeof(off)) {
				memcpy(&off, data, sizeof(off));
				ans->bad_off = off;
			}
			break;
		}
		rem -= NLA_ALIGN(nla->nla_len);
		nla = (const void *)((const char *)nla + NLA_ALIGN(nla->nla_len));
	}
}

static void parse_error(const struct nlmsghdr *nlh, struct genl_answer *ans)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	long off = sizeof(*e);

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
		ans->err = -EPROTO;
		return;
	}
	ans->err = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Unless capped, the request comes back before the attributes. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	parse_ack_tlvs((const char *)e + off,
		       (long)nlh->nlmsg_len - NLMSG_HDRLEN - off, ans);
}

static void parse_done(const struct nlmsghdr *nlh, struct genl_answer *ans)
{
	const char *p = NLMSG_DATA(nlh);
	int err;

	ans->in_done = true;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(err)))
		return;
	memcpy(&err, p, sizeof(err));
	ans->err = err;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		parse_ack_tlvs(p + NLMSG_ALIGN(sizeof(err)),
			       (long)nlh->nlmsg_len - NLMSG_HDRLEN -
			       NLMSG_ALIGN(sizeof(err)), ans);
}

int genl_raw_request(uint8_t cmd, bool dump, const void *attrs, size_t len,
		     struct genl_answer *ans)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr genl;
		char attrs[1024];
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 10 };
	static char buf[65536];
	int fd, family, one = 1, ret;

	memset(ans, 0, sizeof(*ans));
	ans->bad_off = -1;
	if (len > sizeof(req.attrs))
		return -EMSGSIZE;
	ret = mv_genl_ids(&family, NULL);
	if (ret)
		return ret;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		ret = -errno;
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + len);
	req.nlh.nlmsg_type = family;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
	req.nlh.nlmsg_seq = 1;
	req.genl.cmd = cmd;
	req.genl.version = MV_GENL_VERSION;
	memcpy(req.attrs, attrs, len);
	if (sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		long n = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *nlh = (const void *)buf;

		if (n < 0) {
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		for (; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				parse_error(nlh, ans);
				goto out;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				parse_done(nlh, ans);
				goto out;
			}
			ans->replies++;
		}
	}
out:
	close(fd);
	return ret;
}

static size_t read_all(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(out, 1, len - 1, f);
		fclose(f);
	}
	out[n] = 0;
	return n;
}

/* Whether the fd @name in the /proc/PID/fd directory @dir is a socket. */
static bool socket_inode(int dir, const char *name, unsigned long *ino)
{
	char link[64];
	ssize_t n;

	n = readlinkat(dir, name, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = 0;
	return sscanf(link, "socket:[%lu]", ino) == 1;
}

/*
 * /proc/net/netlink names sockets by inode, and shows the first 32 group
 * bits (group g is bit g - 1).
 */
bool netlink_group_joined(pid_t pid, int grp)
{
	unsigned long inodes[64], ino;
	unsigned int groups;
	char path[64], line[256];
	int n = 0, i, proto;
	struct dirent *de;
	bool found = false;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (n < 64 && (de = readdir(dir)))
		if (socket_inode(dirfd(dir), de->d_name, &inodes[n]))
			n++;
	closedir(dir);
	f = n ? fopen("/proc/net/netlink", "r") : NULL;
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %d %*u %x %*d %*d %*d %*d %*u %lu",
			   &proto, &groups, &ino) != 3 ||
		    proto != NETLINK_GENERIC || !(groups & (1u << (grp - 1))))
			continue;
		for (i = 0; i < n; i++)
			if (inodes[i] == ino)
				found = true;
	}
	fclose(f);
	return found;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int monitor_start(struct monitor *m, bool json, int timeout_ms,
		  char *err, size_t len)
{
	char printed[512];
	long deadline = now_ms() + timeout_ms;
	int fd, grp, ret, status;

	m->pid = -1;
	snprintf(m->path, sizeof(m->path), "/tmp/mvmonXXXXXX");
	ret = mv_genl_ids(NULL, &grp);
	if (ret) {
		snprintf(err, len, "cannot resolve the events group: %s",
			 strerror(-ret));
		return -1;
	}
	if (grp < 1 || grp > 32) {
		snprintf(err, len,
			 "the events group has id %d, but /proc/net/netlink shows groups 1 to 32 only: cannot see the monitor subscribe",
			 grp);
		return -1;
	}
	fd = mkstemp(m->path);
	if (fd < 0) {
		snprintf(err, len, "mkstemp: %s", strerror(errno));
		return -1;
	}
	m->pid = fork();
	if (m->pid < 0) {
		snprintf(err, len, "fork: %s", strerror(errno));
		close(fd);
		unlink(m->path);
		return -1;
	}
	if (!m->pid) {
		dup2(fd, 1);
		dup2(fd, 2);
		/* Only mvctl's own sockets may be found under its pid. */
		close_range(3, ~0u, 0);
		/* A test that fails an ASSERT leaves no monitor behind. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() == 1)
			_exit(126);
		if (json)
			execlp("mvctl", "mvctl", "-j", "monitor", (char *)NULL);
		else
			execlp("mvctl", "mvctl", "monitor", (char *)NULL);
		_exit(127);
	}
	close(fd);
	while (!netlink_group_joined(m->pid, grp)) {
		if (waitpid(m->pid, &status, WNOHANG) == m->pid) {
			m->pid = -1;
			read_all(m->path, printed, sizeof(printed));
			snprintf(err, len, "mvctl monitor exited (status 0x%x) before it joined the events group: %s",
				 status, printed);
			unlink(m->path);
			return -1;
		}
		if (now_ms() > deadline) {
			monitor_stop(m, printed, sizeof(printed));
			snprintf(err, len, "mvctl monitor had not joined the events group (id %d) after %d ms; it printed: %s",
				 grp, timeout_ms, printed);
			return -1;
		}
		usleep(5000);
	}
	return 0;
}

bool monitor_wait_for(struct monitor *m, const char *needle, int timeout_ms,
		      char *out, size_t len)
{
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		read_all(m->path, out, len);
		if (strstr(out, needle))
			return true;
		if (now_ms() > deadline)
			return false;
		usleep(20000);
	}
}

void monitor_stop(struct monitor *m, char *out, size_t len)
{
	if (m->pid > 0) {
		kill(m->pid, SIGTERM);
		waitpid(m->pid, NULL, 0);
	}
	m->pid = -1;
	if (out)
		read_all(m->path, out, len);
	unlink(m->path);
}
