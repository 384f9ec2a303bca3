#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kvm-unit-tests for the test machine.  Builds the peer snapshot
# (../shared/peer/kvm-unit-tests-*.tar.gz, never copied into this tree)
# into build/kut/src, once per tarball checksum, then stages what the
# emulated machine needs to run each test of scripts/kut.list under mvrun
# and under QEMU -accel kvm: the .flat files and the list (/mv/kut), QEMU
# with its shared libraries and firmware (/usr/bin, /usr/share/qemu,
# /usr/share/seabios: QEMU looks for firmware next to its binary).  The
# staged tree becomes a cpio of its own, appended to the initramfs (the
# kernel unpacks concatenated archives in turn), so the other boots do not
# carry QEMU.
#   kut.sh [BASE.cpio [OUT.cpio]]
# BASE defaults to build/initramfs.cpio, OUT to build/initramfs-kut.cpio.
# KUT_TARBALL=FILE takes another snapshot.
. "$(dirname "$0")/lib.sh"

base=${1:-$MV_OUT/initramfs.cpio}
out=${2:-$MV_OUT/initramfs-kut.cpio}
list=$MV_TOP/scripts/kut.list
dir=$MV_OUT/kut

tarball=${KUT_TARBALL:-}
if [ -z "$tarball" ]; then
	for f in "$MV_TOP"/../shared/peer/kvm-unit-tests-*.tar.gz; do
		[ -f "$f" ] || continue
		[ -z "$tarball" ] || die "more than one kvm-unit-tests snapshot in ../shared/peer: set KUT_TARBALL"
		tarball=$f
	done
fi
[ -n "$tarball" ] && [ -f "$tarball" ] ||
	die "no kvm-unit-tests snapshot (../shared/peer/kvm-unit-tests-*.tar.gz; or set KUT_TARBALL)"
[ -f "$base" ] || die "no $base: run scripts/build.sh first"

# Build, unless this tarball was built already.
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
src=$dir/src/kvm-unit-tests
if [ "$(cat "$dir/src/.sha256" 2>/dev/null)" != "$sum" ]; then
	log "building kvm-unit-tests from $(basename "$tarball")"
	rm -rf "$dir/src"
	mkdir -p "$dir/src"
	tar -C "$dir/src" -xzf "$tarball"
	[ -x "$src/configure" ] || die "$tarball holds no kvm-unit-tests/configure"
	(cd "$src" && ./configure --arch=x86_64 && make -j"$(nproc)") > "$dir/build.log" 2>&1 ||
		{ tail -n 20 "$dir/build.log" >&2; die "kvm-unit-tests build failed (see $dir/build.log)"; }
	echo "$sum" > "$dir/src/.sha256"
fi

# Stage.
stage=$dir/stage
rm -rf "$stage"
mkdir -p "$stage/mv/kut" "$stage/usr/bin" "$stage/usr/share/qemu" "$stage/usr/share/seabios"
sed -n 's/^[^#|]*|[[:space:]]*\([^[:space:]|]*\.flat\)[[:space:]]*|.*/\1/p' "$list" | sort -u |
while read -r flat; do
	[ -f "$src/x86/$flat" ] || die "kut.list names $flat, which kvm-unit-tests did not build"
	cp "$src/x86/$flat" "$stage/mv/kut/"
done
cp "$list" "$stage/mv/kut/kut.list"
echo "$sum $(basename "$tarball")" > "$stage/mv/kut/VERSION"

qemu=$(command -v qemu-system-x86_64) || die "no qemu-system-x86_64 (scripts/deps.sh installs it)"
cp -L "$qemu" "$stage/usr/bin/qemu-system-x86_64"
# -kernel with a multiboot or Linux kernel, the KVM vapic ROM, SeaBIOS.
for f in linuxboot.bin linuxboot_dma.bin multiboot.bin multiboot_dma.bin kvmvapic.bin; do
	cp -L "/usr/share/qemu/$f" "$stage/usr/share/qemu/"
done
cp -L /usr/share/seabios/bios-256k.bin "$stage/usr/share/seabios/"
ldd "$qemu" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done

(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) > "$dir/stage.cpio"
cat "$base" "$dir/stage.cpio" > "$out.tmp"
mv "$out.tmp" "$out"
log "kvm-unit-tests staged: $(find "$stage/mv/kut" -name '*.flat' | wc -l) tests, $(($(stat -c %s "$out") >> 20)) MiB initramfs"
