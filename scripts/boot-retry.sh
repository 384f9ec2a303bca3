#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh, booted again when the test machine's /init has said nothing
# within MV_FIRST_WORD_S seconds (300 by default; at most MV_BOOT_TRIES
# boots, 3 by default).  check-debug's kernel hangs now and then early in
# its boot, in the RCU-tasks self-test that PROVE_RCU runs before the
# second CPU comes up ("Running RCU-tasks wait API self tests", then
# nothing: 4 boots in 13 under TCG here); the suite has not started then.
#   boot-retry.sh BOOT.SH-ARGS... OUTDIR
. "$(dirname "$0")/lib.sh"

outdir=${!#}
first=${MV_FIRST_WORD_S:-300}
tries=${MV_BOOT_TRIES:-3}
rm -f "$outdir.retries" "$outdir".hung-*.console.log
for try in $(seq 1 "$tries"); do
	rm -rf "$outdir"
	mkdir -p "$outdir"
	# Its own session: the whole of it (boot.sh, timeout, QEMU) can go.
	setsid "$MV_TOP/scripts/boot.sh" "$@" &
	pid=$!
	waited=0
	while kill -0 "$pid" 2>/dev/null && [ ! -s "$outdir/result.log" ] &&
		[ "$waited" -lt "$first" ]; do
		sleep 5
		waited=$((waited + 5))
	done
	if [ -s "$outdir/result.log" ] || ! kill -0 "$pid" 2>/dev/null; then
		rc=0
		wait "$pid" || rc=$?
		[ "$try" = 1 ] || log "boot $try of $tries reached /init"
		exit "$rc"
	fi
	log "boot $try of $tries: /init silent after ${first} s (hung in early boot?); killing it"
	echo "# MV-BOOT-RETRY $try: /init silent after ${first} s" >> "$outdir.retries"
	kill -TERM -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	cp "$outdir/console.log" "$outdir.hung-$try.console.log" 2>/dev/null || true
done
die "no boot of $tries reached /init"
