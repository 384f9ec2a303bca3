#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make style: checkpatch --strict over the kernel code and the uapi header
# (0 errors, 0 warnings, 0 checks), then sparse over the module build.
. "$(dirname "$0")/lib.sh"
mv_env

cd "$MV_TOP"
files=$(ls module/*.[chS] uapi/linux/*.h)
rc=0
# shellcheck disable=SC2086
perl "$CHECKPATCH" --strict --no-tree --terse --show-types -f $files || rc=1
log "function length (at most 120 lines)"
"$MV_TOP/scripts/funclen.sh" module/*.c || rc=1
log "sparse"
make -s -C "$KDIR" M="$MV_TOP" clean >/dev/null
out=$(make -s -C "$KDIR" M="$MV_TOP" C=2 modules 2>&1 | grep -v "^Skipping BTF" || true)
if [ -n "$out" ]; then
	echo "$out"
	rc=1
fi
[ $rc = 0 ] && log "style: clean"
exit $rc
