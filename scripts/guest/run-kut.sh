#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test machine (mv.mode=kut): kvm-unit-tests, each test of
# /mv/kut/kut.list (scripts/kut.list, staged by scripts/kut.sh) first under
# KVM (QEMU -accel kvm, kvm_amd npt=0), then under minivisor (mvrun), with
# kvm-unit-tests' conventions: the .flat file as the multiboot kernel, the
# environment (NR_CPUS=N, TEST_DEVICE=0) as its module, the test args as
# its command line; exit status (v << 1) | 1 from isa-debug-exit, where
# v = 0 is a pass, 38 (status 77) a skip.
#
# mv.kut= on the kernel command line picks the tests: "check" (the list's
# "check" set, the default), "all", or names separated by commas.
#
# One TAP binary "kvm-unit-tests", two results per test, each written as
# soon as it is known (if the machine dies, what came before stays):
#   ok N T (KVM npt=0)       KVM passes; a KVM failure is a SKIP with its
#                            reason, a harness failure (QEMU cannot start)
#                            "not ok"; a SKIP "not run" when the list says
#                            why KVM cannot be the reference for this test
#   ok N T (minivisor)       minivisor passes; "not ok" when it does not and
#                            KVM npt=0 passes (or is not run); a SKIP "fails
#                            under KVM npt=0 too: <reason>" when neither
#                            passes; a SKIP "known deviation: <reason>" when
#                            it does not pass for a reason the list gives
#                            (a feature minivisor does not offer)
# and machine-readable lines for the host (scripts/check.sh):
#   # KUT-RUN T SIDE TIMEOUT               before each run
#   # KUT-RESULT T SIDE VERDICT SECONDS REASON
#   # KUT-RETRY T kvm REASON               a QEMU that hung silently, run again
#   # MV-KUT-LOG T SIDE ... # MV-KUT-LOG-END   the run's output, "#| " lines
set -f
K=/mv/kut
W=/tmp/kut
LIST=$K/kut.list
mkdir -p $W

want=check
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	mv.kut=*) want=${arg#mv.kut=} ;;
	esac
done

# trim VAR: strip surrounding blanks, squeeze inner ones
trim() { local _v=$1; eval "set -- \$$_v"; eval "$_v=\"\$*\""; }

selected() { # name set
	case "$want" in
	all) return 0 ;;
	check) [ "$2" = check ] ;;
	*) case ",$want," in *",$1,"*) return 0 ;; esac; return 1 ;;
	esac
}

# Iterate over the selected tests: each_test FUNCTION
each_test() {
	grep -v '^[[:space:]]*#' $LIST | grep '|' > $W/list
	while IFS='|' read -r name flat smp tmo set args qemu mv nokvm deviation; do
		for v in name flat smp tmo set args qemu mv nokvm deviation; do trim $v; done
		[ -n "$name" ] || continue
		selected "$name" "$set" || continue
		"$1"
	done < $W/list
}

uptime_s() { cut -d' ' -f1 /proc/uptime; }

# A log into the results: the first 40 and last 120 lines.
emit_log() { # name side file
	local n
	echo "# MV-KUT-LOG $1 $2"
	n=$(wc -l < "$3")
	if [ "$n" -le 160 ]; then
		sed 's/^/#| /' "$3"
	else
		head -n 40 "$3" | sed 's/^/#| /'
		echo "#| ... $((n - 160)) lines left out ..."
		tail -n 120 "$3" | sed 's/^/#| /'
	fi
	echo "# MV-KUT-LOG-END"
}

# What kvm-unit-tests said: its SUMMARY line and the first FAIL.
summary_of() { # log
	local s f
	s=$(tr -d '\r' < "$1" | grep '^SUMMARY: ' | tail -n 1)
	f=$(tr -d '\r' < "$1" | grep -m 1 '^FAIL: ' | cut -c 1-100)
	if [ -n "$s" ] && [ -n "$f" ]; then
		echo "$s; first $f"
	elif [ -n "$s$f" ]; then
		echo "$s$f"
	else
		# No summary: the last thing it printed.
		tr -d '\r' < "$1" | grep -v '^[[:space:]]*$' | tail -n 1 | cut -c 1-120
	fi
}

# judge SIDE RC SECONDS TIMEOUT LOG ERR: sets verdict (pass, fail, skip,
# timeout, error: the harness, not the test) and why.
judge() {
	local side=$1 rc=$2 secs=$3 tmo=$4 log=$5 err=$6 said first
	said=$(summary_of "$log")
	first=$(grep -v '^[[:space:]]*$' "$err" | grep -vi warning | head -n 1 | cut -c 1-160)
	verdict=fail
	if [ "$rc" = 137 ] && [ "${secs%.*}" -ge $((tmo - 1)) ]; then
		verdict=timeout why="no result in $tmo s${said:+ (last: $said)}"
		return
	fi
	case "$rc" in
	1)
		if [ "$side" = kvm ] && [ -n "$first" ]; then
			verdict=error why="QEMU failed: $first"
		else
			verdict=pass why=$said
		fi
		return ;;
	77) verdict=skip why=$said; return ;;
	esac
	if [ $((rc % 2)) = 1 ] && [ "$rc" -lt 128 ]; then
		why="exit code $((rc >> 1))${said:+: $said}"
		return
	fi
	if [ "$side" = kvm ]; then
		case "$rc" in
		0) why="QEMU ended without debug-exit${first:+: $first}${said:+ (last: $said)}" ;;
		134) why="QEMU aborted${first:+: $first}${said:+ (last: $said)}" ;;
		*) why="QEMU exit status $rc${first:+: $first}${said:+ (last: $said)}" ;;
		esac
		return
	fi
	case "$rc" in
	0) why="vCPU 0 halted with interrupts off${said:+ (last: $said)}" ;;
	2) verdict=error why="mvrun usage error: $first" ;;
	64) verdict=error why="mvrun could not set up the VM: $first" ;;
	66) why="guest crashed (triple fault)${first:+: $first}${said:+ (last: $said)}" ;;
	68) why="mvrun internal error${first:+: $first}${said:+ (last: $said)}" ;;
	72) why="VM destroyed by an administrator" ;;
	*) why="mvrun exit status $rc${first:+: $first}${said:+ (last: $said)}" ;;
	esac
}

n=0
count() { n=$((n + 1)); }
each_test count
plan=$((n * 2))

echo "# MV-BINARY kvm-unit-tests"
echo "# kvm-unit-tests $(cat $K/VERSION 2>/dev/null), tests: $want"
echo "1..$plan"

# minivisor, and KVM with its own shadow paging.
kvm_ok=1 mv_ok=1
insmod /lib/modules/mv/minivisor.ko || mv_ok=0
for m in irqbypass kvm ccp; do
	[ -d /sys/module/$m ] || insmod /lib/modules/mv/kvm/$m.ko || kvm_ok=0
done
[ -d /sys/module/kvm_amd ] || insmod /lib/modules/mv/kvm/kvm-amd.ko npt=0 || kvm_ok=0
[ "$(cat /sys/module/kvm_amd/parameters/npt 2>/dev/null)" = N ] || kvm_ok=0
[ -c /dev/kvm ] || kvm_ok=0
[ -c /dev/minivisor ] || mv_ok=0
mvrun_kernel=1
mvrun --help 2>&1 | grep -q -- '--kernel' || mvrun_kernel=0
echo "# KVM npt=0 ready: $kvm_ok, minivisor ready: $mv_ok, mvrun --kernel: $mvrun_kernel"

i=0
tap() { i=$((i + 1)); echo "$1 $i $2"; }

run_qemu() {
	rc=0
	t0=$(uptime_s)
	# shellcheck disable=SC2086
	timeout -s KILL "$tmo" qemu-system-x86_64 --no-reboot -nodefaults -nic none \
		-global kvm-pit.lost_tick_policy=discard \
		-device pc-testdev -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
		-display none -serial stdio -device pci-testdev -machine accel=kvm \
		-kernel "$K/$flat" -smp "$smp" $qemu ${args:+-append "$args"} \
		-initrd "$W/$name.env" \
		< /dev/null > $W/$name.kvm.log 2> $W/$name.kvm.err || rc=$?
	t1=$(uptime_s)
	secs=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")
}

run_kvm() {
	local rc=0 t0 t1
	if [ -n "$nokvm" ]; then
		echo "not run: $nokvm" > $W/$name.kvm.log
		echo "# KUT-RESULT $name kvm notrun 0 $nokvm"
		kvm_verdict=notrun kvm_why=$nokvm
		tap ok "$name (KVM npt=0) # SKIP not run under KVM npt=0: $nokvm"
		return
	fi
	echo "# KUT-RUN $name kvm $tmo"
	if [ $kvm_ok = 0 ]; then
		echo "kvm_amd npt=0 did not load" > $W/$name.kvm.err
		: > $W/$name.kvm.log
		rc=-1 secs=0
	else
		run_qemu
		# Now and then QEMU hangs here before the test prints a byte
		# (in its firmware, under KVM under TCG): once more, then.
		if [ "$rc" = 137 ] && [ ! -s $W/$name.kvm.log ]; then
			echo "# KUT-RETRY $name kvm: no output in $tmo s"
			run_qemu
		fi
	fi
	if [ $rc = -1 ]; then
		verdict=error why="kvm_amd npt=0 did not load"
	else
		judge kvm "$rc" "$secs" "$tmo" $W/$name.kvm.log $W/$name.kvm.err
	fi
	cat $W/$name.kvm.err >> $W/$name.kvm.log
	echo "# KUT-RESULT $name kvm $verdict $secs $why"
	kvm_verdict=$verdict kvm_why=$why
	case "$verdict" in
	pass) tap ok "$name (KVM npt=0)" ;;
	skip) tap ok "$name (KVM npt=0) # SKIP skipped under KVM npt=0: $why" ;;
	error) tap "not ok" "$name (KVM npt=0): $why" ;;
	timeout) tap ok "$name (KVM npt=0) # SKIP times out under KVM npt=0: $why" ;;
	*) tap ok "$name (KVM npt=0) # SKIP fails under KVM npt=0: $why" ;;
	esac
}

run_mv() {
	local rc=0 t0 t1
	echo "# KUT-RUN $name minivisor $tmo"
	: > $W/$name.mv.log
	if [ $mv_ok = 0 ]; then
		echo "minivisor.ko did not load" > $W/$name.mv.err
		rc=-1 secs=0
	elif [ $mvrun_kernel = 0 ]; then
		echo "this mvrun has no --kernel (multiboot) loader" > $W/$name.mv.err
		rc=-1 secs=0
	else
		t0=$(uptime_s)
		# shellcheck disable=SC2086
		timeout -s KILL "$tmo" mvrun --kernel "$K/$flat" --initrd "$W/$name.env" \
			--cpus "$smp" --mem 128M $mv ${args:+--append "$args"} \
			< /dev/null > $W/$name.mv.log 2> $W/$name.mv.err || rc=$?
		t1=$(uptime_s)
		secs=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")
	fi
	if [ $rc = -1 ]; then
		verdict=error why=$(cat $W/$name.mv.err)
	else
		judge mv "$rc" "$secs" "$tmo" $W/$name.mv.log $W/$name.mv.err
	fi
	cat $W/$name.mv.err >> $W/$name.mv.log
	echo "# KUT-RESULT $name minivisor $verdict $secs $why"
	if [ "$verdict" = pass ]; then
		tap ok "$name (minivisor)"
	elif [ -n "$deviation" ] && [ "$verdict" != error ]; then
		tap ok "$name (minivisor) # SKIP known deviation: $deviation; minivisor: $why"
	elif [ "$kvm_verdict" = notrun ]; then
		tap "not ok" "$name (minivisor): $why; no KVM npt=0 reference (not run: $kvm_why)"
	elif [ "$kvm_verdict" = pass ]; then
		tap "not ok" "$name (minivisor): $why; passes under KVM npt=0"
	elif [ "$kvm_verdict" = error ]; then
		tap "not ok" "$name (minivisor): $why; no KVM npt=0 reference ($kvm_why)"
	elif [ "$kvm_verdict" = skip ] && [ "$verdict" = skip ]; then
		tap ok "$name (minivisor) # SKIP skipped under KVM npt=0 too: $kvm_why"
	else
		tap ok "$name (minivisor) # SKIP fails under KVM npt=0 too: $kvm_why; minivisor: $why"
	fi
}

one_test() {
	printf 'NR_CPUS=%s\nTEST_DEVICE=0\n' "$smp" > $W/$name.env
	run_kvm
	emit_log "$name" kvm $W/$name.kvm.log
	run_mv
	emit_log "$name" minivisor $W/$name.mv.log
}
each_test one_test
echo "# MV-BINARY-END kvm-unit-tests rc=0"
