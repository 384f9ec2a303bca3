#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The DKMS round trip against the stock kernel's headers: register the
# sources (make dkms-install), dkms build and dkms install for the stock
# version, and keep the .ko DKMS produced for the test machine to load.
. "$(dirname "$0")/lib.sh"
mv_env

ver=$(sed -n 's/^#define MV_VERSION "\(.*\)"/\1/p' "$MV_TOP/module/version.h")
dkms remove "minivisor/$ver" --all >/dev/null 2>&1 || true
make -s -C "$MV_TOP" dkms-install
dkms build -k "$KVER" "minivisor/$ver"
dkms install -k "$KVER" "minivisor/$ver" --force
ko=$(find "/lib/modules/$KVER/" -path '*/updates/*' -name 'minivisor.ko*' | head -n1)
[ -n "$ko" ] || die "dkms install left no minivisor.ko under /lib/modules/$KVER"
dkms status "minivisor/$ver" -k "$KVER" | grep -q installed ||
	die "dkms status does not say installed"
mkdir -p "$MV_OUT/dkms"
case "$ko" in
*.xz) xz -dc "$ko" > "$MV_OUT/dkms/minivisor.ko" ;;
*.zst) zstd -dcq "$ko" > "$MV_OUT/dkms/minivisor.ko" ;;
*) cp "$ko" "$MV_OUT/dkms/minivisor.ko" ;;
esac
log "dkms built and installed $ko"
