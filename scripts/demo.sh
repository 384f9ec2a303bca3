#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: the main job.  Boots the test machine, starts DEMO_VMS guests
# (default 8) of DEMO_MIB MiB (default 64) under minivisor, and shows what
# page sharing saves while the scanner converges, then every VM ballooning
# its free memory back to the host: progress lines as they come, then a
# table over time, a BALLOON line and the final DEMO line.  The series goes
# to build/demo/sharing.dat and is plotted to build/demo/sharing.png.
. "$(dirname "$0")/lib.sh"
mv_env
vms=${DEMO_VMS:-8} mib=${DEMO_MIB:-64}
case "$vms$mib" in *[!0-9]*) die "DEMO_VMS and DEMO_MIB must be numbers" ;; esac
"$MV_TOP/scripts/build.sh" >&2
dir=$MV_OUT/demo
rm -rf "$dir"
mkdir -p "$dir"
# Room for the guests, the host and the page cache of the initramfs.
mem=$((1024 + vms * mib * 2))
log "booting the test machine (${mem} MiB) for $vms VMs of $mib MiB"
"$MV_TOP/scripts/boot.sh" --mode demo --mem "$mem" --timeout 1200 \
	--append "mv.demo_vms=$vms mv.demo_mib=$mib" "$dir" >"$dir/boot.log" 2>&1 &
qemu=$!
# Follow the machine's output as it comes: the progress lines.
# (The filter stops reading at the kernel log: tail's SIGPIPE is expected.)
tail --pid=$qemu -n +1 -F "$dir/result.log" 2>/dev/null |
	tr -d '\r' | sed -u -n '/MV-KERNEL-LOG-BEGIN/q; /^SERIES /d; /^DEMO /d; p' || true
wait $qemu || true

res=$dir/result.log
[ -s "$res" ] || die "the test machine printed nothing; see $dir/console.log"
tr -d '\r' < "$res" | sed -n 's/^SERIES //p' > "$dir/sharing.dat"
line=$(tr -d '\r' < "$res" | grep -a '^DEMO ' | tail -n 1)
if ! "$MV_TOP/scripts/logscan.sh" "$dir/console.log" "$res" >&2; then
	echo "make demo: the kernel log shows a problem; see $dir" >&2
	exit 1
fi
[ -n "$line" ] || die "the demo did not finish; see $res"
if [ -s "$dir/sharing.dat" ] && command -v gnuplot >/dev/null; then
	gnuplot <<GP && log "plot: $dir/sharing.png (data: $dir/sharing.dat)"
set terminal pngcairo size 960,540
set output "$dir/sharing.png"
set title "minivisor: $vms VMs of $mib MiB, page sharing then ballooning"
set xlabel "seconds since the scanner started"
set ylabel "MiB"
set key below
set grid
plot "$dir/sharing.dat" using 1:2 with lines lw 2 title "guest memory in use", \
     "" using 1:3 with lines lw 2 title "host memory holding it", \
     "" using 1:4 with lines lw 2 title "saved", \
     "" using 1:5 with lines dt 2 lw 2 title "ideal saving", \
     "" using 1:9 with lines lw 2 title "given back by balloons"
GP
fi
echo "$line"
