#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build everything the test machine needs against the stock kernel's
# headers: the module, the userspace tools, the tests and guest programs,
# then the initramfs.
. "$(dirname "$0")/lib.sh"
mv_env

mkdir -p "$MV_OUT"
log "building minivisor.ko for $KVER"
make -s -C "$MV_TOP" module KDIR="$KDIR"
log "building userspace"
make -s -C "$MV_TOP/userspace"
log "building tests and guest programs"
make -s -C "$MV_TOP/tests" KSFT="$KSFT"
make -s -C "$MV_TOP/tests/guest"
log "assembling initramfs"
"$MV_TOP/scripts/initramfs.sh" "$MV_OUT/initramfs.cpio"
