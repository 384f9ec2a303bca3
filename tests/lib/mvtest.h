/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the minivisor kselftests: loading the module, reading
 * the kernel log, running a command and picking values out of its JSON,
 * raw generic netlink requests, and an mvctl monitor that is listening.
 */
#ifndef MV_TEST_H
#define MV_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MV_KO		"/lib/modules/mv/minivisor.ko"
#define MV_DKMS_KO	"/lib/modules/mv/dkms/minivisor.ko"
#define MV_KVM_DIR	"/lib/modules/mv/kvm"

/* 0 or -errno. */
int mv_load_path(const char *path, const char *params);
int mv_load(const char *params);
int mv_unload(void);
bool mv_loaded(void);
/* Loads the module unless it already is; 0 or -errno. */
int mv_ensure_loaded(void);
/* Loads irqbypass, kvm, ccp and kvm-amd (params for kvm-amd); 0 or -errno. */
int kvm_amd_load(const char *params);
int kvm_amd_unload(void);

/* A /dev/kmsg reader that starts at the end of the log. */
int kmsg_open(void);
/* Reads new records; true when one contains @needle (copied to @line). */
bool kmsg_find(int fd, const char *needle, char *line, size_t len);

/*
 * Runs a shell command; stdout and stderr (merged) go to @out.  Returns the
 * exit status, or -1 when it could not run.  @uid >= 0 runs it as that user.
 */
int run_cmd(char *out, size_t len, int uid, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Finds "key": in a JSON text and copies the raw value (a number, a quoted
 * string without its quotes, or a bracketed array/object) to @val.
 */
bool json_get(const char *json, const char *key, char *val, size_t len);
/* Same, parsing the value as an unsigned number; UINT64_MAX if absent. */
uint64_t json_u64(const char *json, const char *key);

/* A /proc/meminfo figure (MemAvailable, MemFree, ...), in bytes; 0 if absent. */
uint64_t meminfo(const char *key);

/* Drops to an unprivileged user (nobody) in the calling process. */
int drop_privileges(void);

/*
 * The minivisor family's id and its events group's id through the genl
 * controller (CTRL_CMD_GETFAMILY); 0 or -errno.  Either may be NULL.
 */
int mv_genl_ids(int *family, int *events_group);

/* What a raw generic netlink request got back. */
struct genl_answer {
	int err;		/* 0 or -errno, from NLMSG_ERROR or NLMSG_DONE */
	bool in_done;		/* the error came in a dump's NLMSG_DONE */
	int replies;		/* messages other than the error/ack/done */
	char msg[512];		/* the extack message; "" without one */
	int64_t bad_off;	/* NLMSGERR_ATTR_OFFS; -1 without one */
};

/*
 * Sends @cmd of the minivisor family (NLM_F_DUMP when @dump) with the
 * attributes in @attrs (@len bytes, already in netlink format) on a fresh
 * socket with extended acks on, and reads until the ack, the error or the
 * dump's end.  Returns 0 when an answer came (see @ans), or -errno when
 * the socket failed or nothing came within a few seconds.
 */
int genl_raw_request(uint8_t cmd, bool dump, const void *attrs, size_t len,
		     struct genl_answer *ans);

/*
 * Whether a socket of @pid is a generic netlink socket that joined
 * multicast group @group (1 to 32: what /proc/net/netlink shows).
 */
bool netlink_group_joined(pid_t pid, int group);

/*
 * "mvctl [-j] monitor", its stdout and stderr in a temporary file.
 * monitor_start() returns only once the monitor's netlink socket has joined
 * the events group (found in /proc/net/netlink by the socket inodes of the
 * process), so every event from then on reaches it.  It fails, with @err
 * saying why (mvctl's own output included), when mvctl exits, when the
 * group's id cannot be seen there (above 32), or after @timeout_ms.
 */
struct monitor {
	pid_t pid;
	char path[32];
};

int monitor_start(struct monitor *m, bool json, int timeout_ms,
		  char *err, size_t len);
/* Waits up to @timeout_ms for @needle in the output, read into @out. */
bool monitor_wait_for(struct monitor *m, const char *needle, int timeout_ms,
		      char *out, size_t len);
/* Ends the monitor, reads all it printed into @out, removes the file. */
void monitor_stop(struct monitor *m, char *out, size_t len);

#endif
