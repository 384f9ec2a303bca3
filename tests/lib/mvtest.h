/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the minivisor kselftests: loading the module, reading
 * the kernel log, running a command and picking values out of its JSON.
 */
#ifndef MV_TEST_H
#define MV_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Drops to an unprivileged user (nobody) in the calling process. */
int drop_privileges(void);

#endif
