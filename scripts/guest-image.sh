#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The small Linux guest image (make guest-image): an uncompressed cpio
# (no decompression at boot) with the build machine's static busybox and
# scripts/linux-guest/init.  Boot it with
#   mvrun --kernel /boot/vmlinuz-$(uname -r) --initrd build/guest-image.cpio
#   guest-image.sh [OUT.cpio]    (default: build/guest-image.cpio)
. "$(dirname "$0")/lib.sh"

out=${1:-$MV_OUT/guest-image.cpio}
busybox=${MV_BUSYBOX:-/bin/busybox}
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	die "$busybox is not a static busybox (apt install busybox-static, or MV_BUSYBOX=...)"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc}
cp "$busybox" "$root/bin/busybox"
install -m 0755 "$MV_TOP/scripts/linux-guest/init" "$root/init"
# The kernel opens /dev/console for /init before anything is mounted.
mknod -m 0600 "$root/dev/console" c 5 1 2>/dev/null || true
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
