#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-ab BASE=rev: the exit and paging figures of this tree's module
# against those of the module at git revision BASE (default HEAD~1), both
# in one boot of the test machine, alternating, so that a change's cost
# shows without the drift between boots.  Prints BENCH lines whose
# reference is minivisor-base.
. "$(dirname "$0")/lib.sh"
mv_env
base=${BASE:-HEAD~1}
rev=$(git -C "$MV_TOP" rev-parse --verify "$base^{commit}") || die "no such revision: $base"
wt=$MV_OUT/bench-ab-base
rm -rf "$wt"
git -C "$MV_TOP" worktree prune
git -C "$MV_TOP" worktree add -f --detach "$wt" "$rev" >&2
trap 'git -C "$MV_TOP" worktree remove --force "$wt" >/dev/null 2>&1 || true' EXIT
log "building the base module ($base = ${rev:0:12})"
make -s -C "$wt" module KDIR="$KDIR" >&2
"$MV_TOP/scripts/build.sh" >&2
root=$MV_OUT/initramfs
mkdir -p "$root/lib/modules/mv/base"
cp "$wt/minivisor.ko" "$root/lib/modules/mv/base/"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) > "$MV_OUT/bench-ab.cpio"
dir=$MV_OUT/bench-ab
rm -rf "$dir"
rc=0
MV_INITRD=$MV_OUT/bench-ab.cpio "$MV_TOP/scripts/boot.sh" --mode bench-ab --smp 1 \
	--timeout 1800 "$dir" >&2 || rc=$?
grep -a '^BENCH \|^# ' "$dir/result.log" | grep -av 'MV-KERNEL-LOG' | tr -d '\r' || true
grep -aq '^# mvbench rc=0' "$dir/result.log" || { echo "make bench-ab: a benchmark failed; see $dir/result.log" >&2; exit 1; }
"$MV_TOP/scripts/logscan.sh" "$dir/console.log" "$dir/result.log" >&2 ||
	{ echo "make bench-ab: the kernel log shows a problem; see $dir" >&2; exit 1; }
exit $rc
