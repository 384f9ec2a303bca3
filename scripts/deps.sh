#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make this Debian 12 machine able to build and test minivisor: install the
# packages that are missing, the stock kernel's headers, fetch the stock
# kernel image (not installed: extracted into the cache), and extract the
# kselftest harness and checkpatch from linux-source-6.1.  Idempotent and
# quick when everything is already there.  Writes $MV_CACHE/env.
#   deps.sh [PACKAGE...]     (also these, e.g. a kernel's build dependencies)
. "$(dirname "$0")/lib.sh"

PKGS="qemu-system-x86 busybox-static libnl-3-dev libnl-genl-3-dev kmod cpio
dkms linux-source-6.1 sparse xz-utils pkg-config gcc make libc6-dev binutils
gnuplot-nox $*"

[ "$(id -u)" = 0 ] || die "run as root (packages and DKMS need it)"
mkdir -p "$MV_CACHE"

apt_updated=0
apt_update() {
	if [ $apt_updated = 0 ]; then
		log "apt-get update"
		apt-get update -qq
		apt_updated=1
	fi
}
apt_install() {
	apt_update
	log "installing: $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
# shellcheck disable=SC2086
[ -z "$missing" ] || apt_install $missing

# The stock kernel: whatever linux-image-amd64 depends on right now.
resolve_kver() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9.]*-[0-9]*-amd64\)$/\1/p' | head -n1
}
KVER=$(resolve_kver)
if [ -z "$KVER" ]; then
	apt_update
	KVER=$(resolve_kver)
fi
[ -n "$KVER" ] || die "cannot resolve the stock kernel from linux-image-amd64"

dpkg-query -W -f='${Status}' "linux-headers-$KVER" 2>/dev/null | grep -q "ok installed" ||
	apt_install "linux-headers-$KVER"
KDIR=/usr/src/linux-headers-$KVER
[ -f "$KDIR/Module.symvers" ] || die "headers for $KVER are incomplete ($KDIR)"

# The image itself, extracted (installing it would run boot hooks we do not
# need on the build machine).
KROOT=$MV_CACHE/kernel/$KVER
if [ ! -f "$KROOT/.done" ]; then
	log "fetching linux-image-$KVER"
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q "linux-image-$KVER" >/dev/null) ||
		{ apt_update; (cd "$tmp" && apt-get download -q "linux-image-$KVER" >/dev/null); }
	rm -rf "$KROOT"
	mkdir -p "$KROOT"
	dpkg -x "$tmp"/linux-image-*.deb "$KROOT"
	rm -rf "$tmp"
	touch "$KROOT/.done"
fi

# kselftest_harness.h and checkpatch.pl from linux-source-6.1.
SRCVER=$(dpkg-query -W -f='${Version}' linux-source-6.1)
SRC=$MV_CACHE/linux-source-$SRCVER
if [ ! -f "$SRC/.done" ]; then
	log "extracting kselftest and checkpatch from linux-source-6.1 $SRCVER"
	rm -rf "$SRC"
	mkdir -p "$SRC"
	tar -C "$SRC" --strip-components=1 -xf /usr/src/linux-source-6.1.tar.xz \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	touch "$SRC/.done"
fi

cat > "$MV_CACHE/env.tmp" <<EOT
KVER=$KVER
KDIR=$KDIR
KIMAGE=$KROOT/boot/vmlinuz-$KVER
KMODS=$KROOT/lib/modules/$KVER
KSFT=$SRC/tools/testing/selftests
CHECKPATCH=$SRC/scripts/checkpatch.pl
EOT
mv "$MV_CACHE/env.tmp" "$MV_CACHE/env"
