// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mvtest.h"

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
