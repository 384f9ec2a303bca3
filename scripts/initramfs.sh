#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Assemble the test machine's initramfs (uncompressed cpio: no gunzip under
# emulation): busybox, the module (and the DKMS-built one when present),
# KVM's modules from the stock kernel, mvctl, mvrun, the tests and the
# shared libraries they need, and a Linux guest (the stock kernel and a
# busybox initramfs) in /mv/guests.
#   initramfs.sh OUT.cpio
# Another kernel's test machine (check-debug) names its own: MV_MODULE (the
# module built for it), MV_KMODS (its lib/modules/RELEASE), MV_DKMS_MODULE
# (empty: none).
. "$(dirname "$0")/lib.sh"
mv_env

out=${1:?usage: initramfs.sh OUT.cpio}
root=$MV_OUT/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,mv/tests,mv/guests} \
	"$root"/lib/modules/mv/{kvm,dkms} "$root"/usr/{bin,sbin} "$root"/lib64

cp /bin/busybox "$root/bin/busybox"
install -m 0755 "$MV_TOP/scripts/guest/init" "$root/init"
install -m 0755 "$MV_TOP"/scripts/guest/run-*.sh "$root/mv/"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nminivisor:x:900:\nnogroup:x:65534:\n' > "$root/etc/group"

module=${MV_MODULE:-$MV_TOP/minivisor.ko}
dkms_module=${MV_DKMS_MODULE-$MV_OUT/dkms/minivisor.ko}
kmods=${MV_KMODS:-$KMODS}
cp "$module" "$root/lib/modules/mv/"
if [ -n "$dkms_module" ] && [ -f "$dkms_module" ]; then
	cp "$dkms_module" "$root/lib/modules/mv/dkms/"
fi
for m in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-amd.ko \
	 arch/x86/kvm/kvm-intel.ko drivers/crypto/ccp/ccp.ko; do
	cp "$kmods/kernel/$m" "$root/lib/modules/mv/kvm/"
done

bins="$MV_TOP/userspace/mvctl/mvctl"
[ -x "$MV_TOP/userspace/mvrun/mvrun" ] && bins="$bins $MV_TOP/userspace/mvrun/mvrun"
for b in $bins; do
	cp "$b" "$root/usr/sbin/"
done
cp "$MV_TOP"/tests/bin/* "$MV_TOP/tests/ORDER" "$root/mv/tests/"
# MV_TESTS: run only these kselftest binaries (make check-quick TESTS=...).
# shellcheck disable=SC2086
if [ -n "${MV_TESTS:-}" ]; then
	printf '%s\n' $MV_TESTS > "$root/mv/tests/ORDER"
fi
if ls "$MV_TOP"/tests/guest/bin/*.bin >/dev/null 2>&1; then
	cp "$MV_TOP"/tests/guest/bin/*.bin "$root/mv/guests/"
fi
if ls "$MV_TOP"/tests/guest/bin/*.elf >/dev/null 2>&1; then
	cp "$MV_TOP"/tests/guest/bin/*.elf "$root/mv/guests/"
fi
# A Linux guest for mvrun: the stock kernel the test machine boots, and the
# small busybox image (make guest-image).
cp "$KIMAGE" "$root/mv/guests/vmlinuz"
"$MV_TOP/scripts/guest-image.sh" "$root/mv/guests/linux-guest.cpio"
# MV_QEMU_L2=1: QEMU with its libraries and firmware too, to boot the same
# Linux guest under KVM in the same machine (a boot-time reference).
if [ "${MV_QEMU_L2:-0}" = 1 ]; then
	q=$(command -v qemu-system-x86_64)
	cp "$q" "$root/usr/bin/"
	mkdir -p "$root/usr/share/qemu" "$root/usr/share/seabios"
	cp /usr/share/seabios/bios-256k.bin "$root/usr/share/seabios/"
	cp /usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin \
	   /usr/share/qemu/multiboot_dma.bin "$root/usr/share/qemu/" 2>/dev/null || true
	ln -sf ../share/seabios/bios-256k.bin "$root/usr/share/qemu/bios-256k.bin"
fi
# MV_EXTRA=DIR: DIR's contents go to /mv/extra, for debugging by hand
# (scripts/debug.sh), e.g. kvm-unit-tests' x86/*.flat built elsewhere.
if [ -n "${MV_EXTRA:-}" ]; then
	[ -d "$MV_EXTRA" ] || die "MV_EXTRA=$MV_EXTRA is not a directory"
	mkdir -p "$root/mv/extra"
	cp -r "$MV_EXTRA"/. "$root/mv/extra/"
fi

# Shared libraries of every dynamic executable, with the loader.
for f in "$root"/usr/sbin/* "$root"/usr/bin/* "$root"/mv/tests/*; do
	ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true
done | sort -u | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
