#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the suite under a debug kernel.  Builds Debian's
# linux-source-6.1 (the stock kernel's upstream version) with KASAN,
# kmemleak, lockdep, UBSAN, SLUB_DEBUG, KCOV and gcov support
# (scripts/debug-kernel.sh: a quarter of an hour once, then cached), builds
# the module against it (with -g and gcov profiling, and once more
# instrumented for KCOV) and the tests as make check does, boots it in the
# same QEMU machine (booted again if it hangs early: boot-retry.sh), runs
# the suite, then a kmemleak scan after rmmod
# (scripts/guest/run-check-debug.sh), and fails on any KASAN, UBSAN,
# kmemleak, lockdep, RCU, sleeping-in-atomic or other report in its kernel
# log (logscan.sh --debug).  Prints the suite's share of the module's lines
# (gcov).  Ends with "N passed, N failed"; what it found is under
# build/check-debug/.
#
# MV_TESTS="exits_test paging_test" runs only those kselftest binaries.
. "$(dirname "$0")/lib.sh"
. "$MV_TOP/scripts/report.sh"

out=$MV_OUT/check-debug
# The machine make check boots; KASAN's shadow takes an eighth of it.
mem=${MV_DEBUG_MEM:-2048}
timeout=${MV_DEBUG_TIMEOUT:-7200}
# Every KASAN report, not only the first; room in the kernel log for the
# reports; no DKMS module in this machine (a skip).  SLUB's own debugging
# (slub_debug=FZPU: red zones, poisoning, consistency checks) overlaps
# KASAN and slows the suite down: MV_DEBUG_APPEND="slub_debug=FZPU" adds
# it, MV_DEBUG_APPEND="mv.alarm_scale=N" stretches test timeouts N times
# (6 by default).
append="kasan_multi_shot log_buf_len=16M mv.nodkms ${MV_DEBUG_APPEND:-}"

# Run by step(), where set -e does not reach: every command is checked.

# The module for the debug kernel, built from a copy of its sources (the
# worktree's objects are the stock kernel's).
build_module() { # dir make-args...
	local dir=$1
	shift
	rm -rf "$dir" && mkdir -p "$dir" &&
		(cd "$MV_TOP" && cp --parents Kbuild module/*.[chS] uapi/linux/*.h "$dir/") &&
		make -s -C "$DKDIR" M="$dir" "$@" modules
}

build_all() {
	# -g: the module's frames in a report resolve to lines (decoded.log);
	# gcov: the share of its lines the suite runs.
	build_module "$out/module" KCFLAGS=-g GCOV_PROFILE=y &&
		make -s -C "$MV_TOP/userspace" &&
		make -s -C "$MV_TOP/tests" KSFT="$KSFT" &&
		make -s -C "$MV_TOP/tests/guest" &&
		MV_MODULE=$out/module/minivisor.ko MV_KMODS=$DKMODS MV_DKMS_MODULE='' \
			"$MV_TOP/scripts/initramfs.sh" "$out/initramfs.cpio"
}

# What the fuzzer needs: a module instrumented for KCOV and gcov builds
# against this kernel (README, "make check-debug").
build_instrumented() {
	local ko=$out/cov/minivisor.ko
	build_module "$out/cov" KCOV_INSTRUMENT=y GCOV_PROFILE=y || return 1
	local syms
	# (Not "nm | grep -q": under pipefail, nm's SIGPIPE fails the pipe.)
	syms=$(nm -u "$ko") || return 1
	grep -q __sanitizer_cov_trace_pc <<<"$syms" || { echo "no KCOV calls in $ko"; return 1; }
	grep -q __sanitizer_cov_trace_cmp <<<"$syms" || { echo "no KCOV comparison hooks in $ko"; return 1; }
	grep -q __gcov_init <<<"$syms" || { echo "no gcov constructor in $ko"; return 1; }
	ls "$out"/cov/module/*.gcno >/dev/null || { echo "no .gcno files"; return 1; }
}

# A section of result.log between "# MV-KMEMLEAK TITLE" and its end.
leak_section() { # result.log title
	awk -v t="$2" 'index($0, "# MV-KMEMLEAK " t " (") == 1 { on = 1; next }
		index($0, "# MV-KMEMLEAK-END " t) == 1 { on = 0 } on' "$1"
}

# Each report in the kernel log, whole: from its first line to the end of
# its backtrace (or the next report).
extract_reports() { # kernel.log
	awk '
	/BUG: KASAN|UBSAN:|WARNING:|BUG:|kernel BUG|unreferenced object|ODEBUG:|Oops|general protection|INFO: task .* blocked|rcu.*stall|Poison overwritten|Redzone overwritten|Object already free|BUG [^ ]+ \(/ {
		if (!on) { n++; print "---- report " n } on = 1
	}
	on { print }
	on && (/<\/TASK>/ || /---\[ end trace/ || /^ *$/) { on = 0 }
	' "$1"
}

# The .gcda files result.log carries (base64, between MV-GCDA markers)
# next to the build's .gcno files, then gcov over the module's sources:
# a line is covered when any compilation unit ran it (a header's inline
# code counts once).  Prints "module line coverage: N% (covered/total)";
# per file in coverage.txt.
coverage() { # result.log
	local dir=$out/module/module
	rm -f "$dir"/*.gcda "$dir"/*.gcov
	tr -d '\r' < "$1" | awk -v d="$dir" '
		/^# MV-GCDA-END/ { if (f != "") close(cmd); f = ""; next }
		/^# MV-GCDA / { f = $3; cmd = "base64 -d > \"" d "/" f "\""; next }
		f != "" { print | cmd }'
	ls "$dir"/*.gcda >/dev/null 2>&1 || { echo "no gcov data came back" >&2; return 1; }
	(cd "$dir" && gcov -t -o . ./*.c 2>/dev/null) | awk -v top="$out/module/" -v per="$out/coverage.tmp" '
		/^ *-: *0:Source:/ { src = $0; sub(/^ *-: *0:Source:/, "", src); next }
		index(src, top) != 1 { next }
		{
			n = split($0, a, ":")
			if (n < 3) next
			c = a[1]; gsub(/ /, "", c); l = a[2] + 0
			if (c == "-" || l == 0) next
			k = src ":" l; total[k] = 1
			if (c ~ /^[0-9]/) hit[k] = 1
		}
		END {
			for (k in total) { f = k; sub(/:[0-9]+$/, "", f); f = substr(f, length(top) + 1)
				ft[f]++; T++; if (k in hit) { fh[f]++; H++ } }
			if (!T) exit 1
			for (f in ft) printf "%6.1f%% %5d/%-5d %s\n", 100 * fh[f] / ft[f], fh[f], ft[f], f > per
			printf "module line coverage: %d%% (%d/%d)\n", int(100 * H / T + 0.5), H, T
		}' || { echo "gcov found no lines of the module" >&2; return 1; }
	sort -b -k3 "$out/coverage.tmp" > "$out/coverage.txt"
	rm -f "$out/coverage.tmp"
}

start=$(date +%s)
mkdir -p "$MV_OUT/logs" "$out"
step "dependencies installed" "$MV_TOP/scripts/deps.sh" bc bison flex libelf-dev libssl-dev ||
	summary
export MV_DEPS_DONE=1
mv_env

t=$(date +%s)
step "debug kernel built or cached" "$MV_TOP/scripts/debug-kernel.sh" || summary
# shellcheck source=/dev/null
. "$(tail -n 1 "$MV_OUT/logs/debug_kernel_built_or_cached.log")"
echo "# debug kernel: $DKREL from linux-source-6.1 $DKVERSION, ready in" \
	"$(($(date +%s) - t)) s (its build took $(cat "$(dirname "$DKDIR")/build-seconds") s)"

step "build against $DKREL" build_all || summary
# What only this machine carries, in a second archive the initramfs
# unpacker takes after the first: the timeout stretcher and the module
# instrumented for KCOV and gcov.
rm -rf "$out/extra-root"
mkdir -p "$out/extra-root/mv" "$out/extra-root/lib/modules/mv/cov"
step "alarm-scale.so (test timeouts stretched)" \
	gcc -shared -fPIC -O2 -Wall -o "$out/extra-root/mv/alarm-scale.so" \
	"$MV_TOP/scripts/guest/alarm-scale.c" || true
instrumented=0
if step "module builds with KCOV and gcov instrumentation" build_instrumented; then
	cp "$out/cov/minivisor.ko" "$out/extra-root/lib/modules/mv/cov/"
	instrumented=1
fi
(cd "$out/extra-root" && find . -print0 | cpio --null -o -H newc --quiet) > "$out/extra.cpio"
cat "$out/initramfs.cpio" "$out/extra.cpio" > "$out/initramfs-debug.cpio"
cpio=$out/initramfs-debug.cpio

scan_opts=(--debug)
scan_what="oops/BUG/WARN/leak, KASAN, UBSAN, kmemleak, lockdep, RCU and atomic-sleep reports"
export MV_KIMAGE=$DKIMAGE MV_INITRD=$cpio
# This kernel hangs now and then early in its boot: boot again then.
export MV_BOOT=$MV_TOP/scripts/boot-retry.sh
t=$(date +%s)
boot_suite "svm-debug" "$out/svm" --cpu max --mode check-debug --smp 2 --mem "$mem" \
	--timeout "$timeout" --append "$append"
res=$out/svm/result.log
[ ! -f "$out/svm.retries" ] || sed 's/$/ (booted again)/' "$out/svm.retries"
echo "# debug boot took $(($(date +%s) - t)) s, the suite in it" \
	"$(sed -n 's/^# MV-SUITE-SECONDS //p' "$res" 2>/dev/null | tr -d '\r') s"
echo "# seconds per binary:" $(tr -d '\r' < "$res" 2>/dev/null |
	sed -n 's/^# MV-BINARY-END \([^ ]*\) rc=[^ ]* seconds=\([0-9]*\)/\1 \2,/p')

if grep -q "^# MV-KMEMLEAK-END after rmmod" "$res" 2>/dev/null; then
	report ok "svm-debug: kmemleak scans after the suite"
else
	report fail "svm-debug: kmemleak scans after the suite" "see $res"
fi
lockdep=$(sed -n 's/^# MV-LOCKDEP //p' "$res" 2>/dev/null | tr -d '\r')
if [ "$lockdep" = "debug_locks:1" ]; then
	report ok "svm-debug: lockdep still on after the suite"
else
	report fail "svm-debug: lockdep still on after the suite" "${lockdep:-no answer}"
fi
if [ $instrumented = 1 ]; then
	cov=$(sed -n 's/^# MV-COVERAGE //p' "$res" 2>/dev/null | tr -d '\r')
	case "$cov" in
	gcda=0*|*kcov=no*|"")
		report fail "svm-debug: instrumented module loads, gcov data and kcov there" \
			"${cov:-no result}" ;;
	*)
		report ok "svm-debug: instrumented module loads, gcov data and kcov there ($cov)" ;;
	esac
fi
# What was found, kept apart: kmemleak's sections, the kernel log, each
# report whole, and the log with the module's frames decoded to lines.
if [ -f "$res" ]; then
	tr -d '\r' < "$res" > "$out/result.txt"
	leak_section "$out/result.txt" boot > "$out/kmemleak-boot.txt"
	leak_section "$out/result.txt" "after rmmod minivisor" > "$out/kmemleak.txt"
	sed -n '/^# MV-KERNEL-LOG-BEGIN/,/^# MV-KERNEL-LOG-END/p' "$out/result.txt" > "$out/kernel.log"
	{
		extract_reports "$out/kernel.log"
		cat "$out/kmemleak.txt"
	} > "$out/reports.txt"
	"$DKSRC/scripts/decode_stacktrace.sh" "$DKDIR/vmlinux" "$DKSRC" "$out/module" \
		< "$out/reports.txt" > "$out/decoded.log" 2>/dev/null || true
	boot_leaks=$(grep -c "^unreferenced object" "$out/kmemleak-boot.txt" || true)
	echo "# kmemleak at boot, before the suite (not the module's): $boot_leaks objects" \
		"(build/check-debug/kmemleak-boot.txt)"
	if [ -s "$out/reports.txt" ]; then
		echo "# reports: build/check-debug/reports.txt, decoded: build/check-debug/decoded.log;" \
			"$(grep -c "minivisor" "$out/reports.txt" || true) lines name minivisor"
	fi
fi

# The suite's share of the module's lines, from the gcov data it left.
if cov=$(coverage "$res" 2>"$out/coverage.err"); then
	report ok "svm-debug: gcov data of the suite's module"
	echo "# $cov (per file: build/check-debug/coverage.txt)"
else
	report fail "svm-debug: gcov data of the suite's module" "$(tail -n 1 "$out/coverage.err")"
fi

echo "# took $(($(date +%s) - start)) s"
summary
