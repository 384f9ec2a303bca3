#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build, boot the test machine once, and run the same guest
# programs under minivisor and under KVM (kvm_amd npt=0 and npt=1) in that
# boot.  Prints the BENCH lines; the full output is in build/bench/.
. "$(dirname "$0")/lib.sh"
mv_env
"$MV_TOP/scripts/build.sh" >&2
dir=$MV_OUT/bench
rm -rf "$dir"
rc=0
"$MV_TOP/scripts/boot.sh" --mode bench --smp 1 --timeout 1800 "$dir" >&2 || rc=$?
grep -a '^BENCH \|^# ' "$dir/result.log" | grep -av 'MV-KERNEL-LOG' | tr -d '\r' || true
grep -aq '^# mvbench rc=0' "$dir/result.log" || { echo "make bench: a benchmark failed; see $dir/result.log" >&2; exit 1; }
if ! "$MV_TOP/scripts/logscan.sh" "$dir/console.log" "$dir/result.log" >&2; then
	echo "make bench: the kernel log shows a problem; see $dir" >&2
	exit 1
fi
exit $rc
