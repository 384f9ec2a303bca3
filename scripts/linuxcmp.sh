#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The stock kernel with the small busybox image (256 MiB, 1 vCPU) booted to
# /init under minivisor (mvrun) and under KVM npt=0 (QEMU, with ACPI and
# PCI as QEMU's pc machine has them) in one boot of the test machine:
# wall times, guest uptimes, exits.  Prints the BOOT/KVM/exit lines.
#   scripts/linuxcmp.sh
. "$(dirname "$0")/lib.sh"
mv_env
MV_QEMU_L2=1 "$MV_TOP/scripts/build.sh" >&2
dir=$MV_OUT/linuxcmp
rm -rf "$dir"
"$MV_TOP/scripts/boot.sh" --mode linuxcmp --smp 2 --timeout "${MV_TIMEOUT:-900}" "$dir" >&2 || true
sed -n '/MV-KERNEL-LOG-BEGIN/q;p' "$dir/result.log" | grep -v '^\[ '
