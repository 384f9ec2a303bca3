#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: the whole suite.  Installs what it needs, checks style,
# runs the unit tests (module code built in userspace), builds against
# the stock kernel, does the DKMS round trip, boots the stock kernel
# under QEMU TCG (-cpu max: AMD SVM with NPT) to run the kselftests,
# boots it again without SVM, scans every kernel log, and ends with
# "N passed, N failed".
#
# kvm-unit-tests (scripts/kut.sh, scripts/kut.list) boot once more, each
# test under minivisor and KVM npt=0: MV_KUT=check (default) runs the
# list's "check" set, MV_KUT=all every test, MV_KUT="a,b" those, and
# MV_KUT=none none.  MV_KUT_ONLY=1 (make check-kut) builds and runs only
# them.
#
# For iteration: MV_QUICK=1 skips style, modinfo, DKMS, kvm-unit-tests and
# the no-SVM boot; MV_TESTS="exits_test paging_test" runs only those
# kselftest binaries (make check-quick TESTS="...").
. "$(dirname "$0")/lib.sh"
. "$MV_TOP/scripts/report.sh"
quick=${MV_QUICK:-0}
kut=${MV_KUT:-check}
kut_only=${MV_KUT_ONLY:-0}
[ "$quick" = 1 ] && kut=none

# kvm-unit-tests: what each test did on each side, its log in
# DIR/logs/T.SIDE.log, and the test the machine stopped in, if it did.
kut_report() { # dir
	local dir=$1 res=$1/result.log last
	[ -s "$res" ] || return 0
	mkdir -p "$dir/logs"
	tr -d '\r' < "$res" | awk -v d="$dir/logs" '
		/^# MV-KERNEL-LOG-BEGIN/ { exit }
		/^# MV-KUT-LOG / { f = d "/" $3 "." $4 ".log"; printf "" > f; next }
		/^# MV-KUT-LOG-END/ { close(f); f = ""; next }
		f != "" { sub(/^#\| ?/, ""); print >> f }'
	echo "# kvm-unit-tests: test, side, verdict, seconds, what it said (logs: $dir/logs)"
	tr -d '\r' < "$res" | sed -n 's/^# KUT-RESULT /#   /p'
	# A run that began and never ended: the machine died or timed out in it.
	last=$(tr -d '\r' < "$res" | sed -n 's/^# KUT-\(RUN\|RESULT\) \([^ ]* [^ ]*\).*/\1 \2/p' | tail -n 1)
	case "$last" in
	RUN*) echo "#   the test machine stopped while running ${last#RUN } (see $dir/console.log)" ;;
	esac
}

kut_suite() { # which
	local which=$1 dir=$MV_OUT/check-kut timeout
	step "kvm-unit-tests built and staged" "$MV_TOP/scripts/kut.sh" || return 0
	# Every selected test's timeout, both sides, and the boot; but make
	# check as a whole stays within half an hour.
	timeout=$(grep -v '^[[:space:]]*#' "$MV_TOP/scripts/kut.list" | awk -F'|' -v w="$which" '
		function t(s) { gsub(/[[:space:]]/, "", s); return s }
		NF >= 5 && (w == "all" || (w == "check" && t($5) == "check") ||
			    index("," w ",", "," t($1) ",")) { sum += (t($9) == "" ? 2 : 1) * t($4) }
		END { print sum + 120 }')
	if [ "$which" != all ] && [ "$timeout" -gt "${MV_KUT_MAX_S:-1200}" ]; then
		timeout=${MV_KUT_MAX_S:-1200}
	fi
	MV_INITRD=$MV_OUT/initramfs-kut.cpio boot_suite "kut" "$dir" --cpu max --mode kut \
		--smp 2 --timeout "$timeout" --append "mv.kut=$which"
	kut_report "$dir"
}

start=$(date +%s)
mkdir -p "$MV_OUT/logs"
step "dependencies installed" "$MV_TOP/scripts/deps.sh" || summary
export MV_DEPS_DONE=1
mv_env
echo "# stock kernel: $KVER"

if [ "$kut_only" = 1 ]; then
	step "build against $KVER" "$MV_TOP/scripts/build.sh" || summary
	kut_suite "$kut"
	echo "# took $(($(date +%s) - start)) s"
	summary
fi

[ "$quick" = 1 ] || step "style (checkpatch --strict, sparse)" "$MV_TOP/scripts/style.sh" || true
step "unit tests (decoder, in userspace)" make -s -C "$MV_TOP/tests/unit" check || true
step "build against $KVER" "$MV_TOP/scripts/build.sh" || summary
if [ "$quick" != 1 ]; then
	step "modinfo fields" "$MV_TOP/scripts/modinfo-check.sh" || true
	step "dkms add/build/install for $KVER" "$MV_TOP/scripts/dkms.sh" || true
	# Re-assemble so the initramfs carries the DKMS-built module.
	step "initramfs" "$MV_TOP/scripts/initramfs.sh" "$MV_OUT/initramfs.cpio" || summary
fi

extra=()
if [ "$quick" = 1 ]; then
	# No DKMS build: leave no stale DKMS module in the test machine.
	rm -rf "$MV_OUT/dkms"
	"$MV_TOP/scripts/initramfs.sh" "$MV_OUT/initramfs.cpio"
	extra=(--append mv.nodkms)
fi
boot_suite "svm" "$MV_OUT/check-svm" --cpu max --mode check --smp 2 --timeout 1500 "${extra[@]}"
[ "$kut" = none ] || kut_suite "$kut"
# -la57 because QEMU 7.2 TCG with "max,-svm" garbles readlink(/proc/self/exe)
# under 5-level paging, which makes the static busybox abort.
[ "$quick" = 1 ] ||
	boot_suite "no-svm" "$MV_OUT/check-nosvm" --cpu max,-svm,-la57 --mode nosvm --smp 1 --timeout 300

echo "# took $(($(date +%s) - start)) s"
summary
