#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build, boot the test machine once, and run the same guest
# programs under minivisor and under KVM (kvm_amd npt=0 and npt=1) in that
# boot.  Prints the BENCH lines; the full output is in build/bench/.
. "$(dirname "$0")/lib.sh"
mv_env
# QEMU in the initramfs: the Linux guest's KVM reference (run-bench-linux.sh).
MV_QEMU_L2=1 "$MV_TOP/scripts/build.sh" >&2
# MV_BENCH_MODE=bench-linux (make bench-linux): the Linux guest's part only.
mode=${MV_BENCH_MODE:-bench}
dir=$MV_OUT/$mode
rm -rf "$dir"
rc=0
"$MV_TOP/scripts/boot.sh" --mode "$mode" --smp 1 --timeout 1800 "$dir" >&2 || rc=$?
grep -a '^BENCH \|^# ' "$dir/result.log" | grep -av 'MV-KERNEL-LOG' | tr -d '\r' || true
if [ "$mode" = bench ] && ! grep -aq '^# mvbench rc=0' "$dir/result.log"; then
	echo "make bench: a benchmark failed; see $dir/result.log" >&2
	exit 1
fi
if ! "$MV_TOP/scripts/logscan.sh" "$dir/console.log" "$dir/result.log" >&2; then
	echo "make bench: the kernel log shows a problem; see $dir" >&2
	exit 1
fi
exit $rc
