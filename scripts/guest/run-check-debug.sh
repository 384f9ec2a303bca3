#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the debug kernel's test machine (make check-debug): the suite,
# as run-check.sh runs it (each binary also timed), then a kmemleak scan
# after unloading the module, then the module's gcov data.  What kmemleak
# finds before the suite (the boot's own) is shown apart, between
# MV-IGNORE markers, and cleared, so that later findings are the suite's.
# The last scan comes after rmmod: a leaked object is unreferenced then
# whether or not the module's data still pointed to it.
kml=/sys/kernel/debug/kmemleak
gcov=/sys/kernel/debug/gcov
up() { cut -d. -f1 /proc/uptime; }

# kmemleak reports no object younger than 5 s: let them age, then scan.
# One scan takes about half a minute of this machine's time.
leak_scan() { # title
	sleep 6
	s0=$(up)
	echo scan > $kml
	echo "# MV-KMEMLEAK $1 (scan took $(($(up) - s0)) s)"
	cat $kml
	echo "# MV-KMEMLEAK-END $1"
	echo clear > $kml
}

echo "# MV-DEBUG-KERNEL $(uname -r)"
if [ -w $kml ]; then
	# Kernel messages of the baseline scan (its count of suspects) are
	# left out of the log scan too.
	echo "minivisor-check: MV-IGNORE-BEGIN kmemleak boot baseline" > /dev/kmsg
	echo "# MV-IGNORE-BEGIN kmemleak boot baseline"
	leak_scan boot
	echo "# MV-IGNORE-END"
	echo "minivisor-check: MV-IGNORE-END" > /dev/kmsg
else
	echo "# MV-KMEMLEAK-MISSING $kml"
fi

# The kselftest harness's per-test timeouts (alarm()) stretched: this
# kernel runs the suite several times slower than the stock one.
if [ -f /mv/alarm-scale.so ]; then
	export LD_PRELOAD=/mv/alarm-scale.so
	export MV_ALARM_SCALE="${MV_ALARM_SCALE:-6}"
	for arg in $(cat /proc/cmdline); do
		case "$arg" in
		mv.alarm_scale=*) MV_ALARM_SCALE=${arg#mv.alarm_scale=} ;;
		esac
	done
	echo "# MV-ALARM-SCALE $MV_ALARM_SCALE"
fi

t0=$(up)
cd /mv/tests || exit 1
for t in $(cat /mv/tests/ORDER); do
	[ -x "./$t" ] || { echo "# MV-BINARY $t"; echo "not ok 1 $t missing"; continue; }
	echo "# MV-BINARY $t"
	s=$(up)
	"./$t"
	echo "# MV-BINARY-END $t rc=$? seconds=$(($(up) - s))"
done
cd /
unset LD_PRELOAD
echo "# MV-SUITE-SECONDS $(($(up) - t0))"

[ -e /sys/module/minivisor ] || insmod /lib/modules/mv/minivisor.ko
mvctl info > /dev/null
rmmod minivisor
[ -w $kml ] && leak_scan "after rmmod minivisor"
# lockdep turns itself off after its first report (or when its tables
# fill): still on, it saw nothing.
echo "# MV-LOCKDEP $(grep -E 'debug_locks:' /proc/lockdep_stats 2>/dev/null | tr -d ' ')"

# The suite's module is built with gcov profiling: its counters stay after
# rmmod (gcov_persist).  Each .gcda, base64, for the host's gcov.
n=0
for f in $(find $gcov -path '*/check-debug/module/*.gcda' 2>/dev/null); do
	echo "# MV-GCDA ${f##*/}"
	base64 < "$f"
	echo "# MV-GCDA-END"
	n=$((n + 1))
done
echo "# MV-GCDA-FILES $n"

# The module instrumented for KCOV and gcov (check-debug adds it): it loads,
# runs and leaves gcov data.
cov=/lib/modules/mv/cov/minivisor.ko
if [ -f $cov ]; then
	insmod $cov && mvctl info >/dev/null
	gcda=$(find $gcov -path '*/check-debug/cov/*.gcda' 2>/dev/null | grep -c .)
	kcov=no
	[ -e /sys/kernel/debug/kcov ] && kcov=yes
	rmmod minivisor
	echo "# MV-COVERAGE gcda=$gcda kcov=$kcov"
fi
