#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the stock kernel with the test initramfs under QEMU TCG.
#   boot.sh [--cpu MODEL] [--mode MODE] [--mem MB] [--smp N] [--timeout S]
#           [--append ARGS] [--interactive] OUTDIR
# OUTDIR receives console.log (serial 0, kernel noise) and result.log
# (serial 1: what the mode's runner printed, then the kernel log).
# MV_KIMAGE boots another kernel (check-debug's), MV_INITRD another initramfs;
# MV_QEMU_CORE=1 lets QEMU dump core.
. "$(dirname "$0")/lib.sh"
mv_env

cpu=max mode=check mem=2048 smp=2 timeout=900 append="" interactive=0
# One host thread for all vCPUs: multi-threaded TCG hung (rarely, both
# vCPUs spinning) while kvm_amd ran nested guests.
tcg_thread=${MV_TCG_THREAD:-single}
while [ $# -gt 1 ]; do
	case "$1" in
	--cpu) cpu=$2; shift 2 ;;
	--mode) mode=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	*) die "boot.sh: unknown option $1" ;;
	esac
done
outdir=${1:?usage: boot.sh [options] OUTDIR}
mkdir -p "$outdir"
initrd=${MV_INITRD:-$MV_OUT/initramfs.cpio}
[ -f "$initrd" ] || die "no initramfs: run scripts/build.sh first"

cmdline="console=ttyS0 quiet panic=-1 mv.mode=$mode $append"
qemu=(qemu-system-x86_64 -accel "tcg,thread=$tcg_thread" -cpu "$cpu" -m "$mem" -smp "$smp"
      -no-reboot -display none -monitor none
      -kernel "${MV_KIMAGE:-$KIMAGE}" -initrd "$initrd" -append "$cmdline")
if [ "$interactive" = 1 ]; then
	exec "${qemu[@]}" -serial mon:stdio -serial "file:$outdir/result.log"
fi
rc=0
# MV_QEMU_CORE=1: a crashed QEMU leaves a core (README, "When the emulator crashes")
[ -n "${MV_QEMU_CORE:-}" ] && ulimit -c unlimited
timeout --foreground -k 10 "$timeout" "${qemu[@]}" \
	-serial "file:$outdir/console.log" -serial "file:$outdir/result.log" \
	</dev/null || rc=$?
[ "$rc" = 124 ] && log "QEMU timed out after ${timeout}s"
exit "$rc"
