#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test machine and run the given shell commands inside it, with the
# module loaded; prints what they printed.  For example:
#   scripts/debug.sh "./mvguest paging64 8 3 10000" "mvctl vm list"
. "$(dirname "$0")/lib.sh"
mv_env
"$MV_TOP/scripts/build.sh" >&2
printf '%s\n' "$@" > "$MV_OUT/initramfs/mv/tests/DEBUG"
(cd "$MV_OUT/initramfs" && find . -print0 | cpio --null -o -H newc --quiet) > "$MV_OUT/debug.cpio"
dir=$MV_OUT/debug
rm -rf "$dir"
MV_INITRD=$MV_OUT/debug.cpio "$MV_TOP/scripts/boot.sh" --mode debug --timeout "${MV_TIMEOUT:-600}" "$dir" >&2 || true
sed -n '/MV-KERNEL-LOG-BEGIN/q;p' "$dir/result.log"
grep -aE 'minivisor|BUG|WARN|Oops|RIP|Call Trace' "$dir/result.log" | grep -v "taints\|verification\|loaded\|unloaded" || true
