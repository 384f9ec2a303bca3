#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Does check-debug's kernel catch what it claims to?  Builds mvbad
# (scripts/debug-selftest/: a leak, an out-of-bounds read, a use after
# free, a shift out of bounds, a sleep in atomic context, two locks in both
# orders) against the debug kernel, boots that kernel with it in a minimal
# initramfs, and expects each report in its log, and logscan.sh --debug to
# fail on it.  About 3 minutes once the kernel is built.  Ends with
# "N passed, N failed".
. "$(dirname "$0")/lib.sh"
. "$MV_TOP/scripts/report.sh"

out=$MV_OUT/debug-selftest
mkdir -p "$MV_OUT/logs" "$out"
step "debug kernel built or cached" "$MV_TOP/scripts/debug-kernel.sh" || summary
export MV_DEPS_DONE=1
mv_env
# shellcheck source=/dev/null
. "$(tail -n 1 "$MV_OUT/logs/debug_kernel_built_or_cached.log")"

build() {
	rm -rf "$out/mvbad" "$out/root" && mkdir -p "$out/mvbad" &&
		cp "$MV_TOP"/scripts/debug-selftest/{Kbuild,mvbad.c} "$out/mvbad/" &&
		make -s -C "$DKDIR" M="$out/mvbad" modules &&
		mkdir -p "$out/root"/{bin,dev,proc,sys,tmp,run,mv,lib/modules/mv} &&
		cp /bin/busybox "$out/root/bin/" &&
		install -m 0755 "$MV_TOP/scripts/guest/init" "$out/root/init" &&
		install -m 0755 "$MV_TOP/scripts/guest/run-debug-selftest.sh" "$out/root/mv/" &&
		cp "$out/mvbad/mvbad.ko" "$out/root/lib/modules/mv/" &&
		(cd "$out/root" && find . -print0 | cpio --null -o -H newc --quiet) > "$out/initramfs.cpio"
}
step "mvbad built against $DKREL" build || summary

export MV_KIMAGE=$DKIMAGE MV_INITRD=$out/initramfs.cpio
# Two vCPUs as for the suite; booted again when it hangs early (see
# boot-retry.sh).
rm -rf "$out/svm"
"$MV_TOP/scripts/boot-retry.sh" --cpu max --mode debug-selftest --smp 2 --mem 2048 --timeout 900 \
	--append "kasan_multi_shot" "$out/svm" >"$out/boot.log" 2>&1 || true
log=$out/log.txt
tr -d '\r' < "$out/svm/result.log" > "$log" 2>/dev/null || : > "$log"
expect() { # name pattern
	if grep -qE "$2" "$log"; then
		report ok "reported: $1"
	else
		report fail "reported: $1" "no '$2' in $log"
	fi
}
# (Its backtrace names no symbol: the module is gone when it is read.)
expect "kmemleak: the leak" '^  comm "insmod"'
expect "KASAN: the out-of-bounds read" "BUG: KASAN: slab-out-of-bounds in mvbad_oob"
expect "KASAN: the use after free" "BUG: KASAN: use-after-free in mvbad_uaf"
expect "UBSAN: the shift" "UBSAN: shift-out-of-bounds in .*mvbad.c"
expect "sleeping in atomic context" "BUG: sleeping function called from invalid context"
expect "lockdep: the lock inversion" "possible circular locking dependency detected"
if "$MV_TOP/scripts/logscan.sh" --debug "$out/svm/console.log" "$out/svm/result.log" > "$out/logscan.txt"; then
	report fail "logscan.sh --debug fails on them" "it passed"
else
	report ok "logscan.sh --debug fails on them ($(wc -l < "$out/logscan.txt") lines)"
fi
summary
