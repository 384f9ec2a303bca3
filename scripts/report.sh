# SPDX-License-Identifier: GPL-2.0
# The tally of make check and make check-debug; sourced (after lib.sh), not
# run.  report() counts one ok / not ok / skip line, step() runs a command
# as one, tally() turns a test machine's TAP into them, boot_suite() boots
# one and checks its kernel log, summary() ends with "N passed, N failed".

# boot_suite's log scan: logscan.sh's options and what its line says
# (check-debug widens both).
scan_opts=()
scan_what="oops/BUG/WARN/leak reports"

pass=0 fail=0 skip=0
report() { # status name [detail]
	case "$1" in
	ok) pass=$((pass + 1)); echo "ok - $2" ;;
	skip) skip=$((skip + 1)); echo "ok - $2 # SKIP ${3:-}" ;;
	*) fail=$((fail + 1)); echo "not ok - $2${3:+ ($3)}" ;;
	esac
}
summary() {
	# Skips are neither: said apart, before the last line.
	[ "$skip" = 0 ] || echo "# $skip skipped"
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit $?
}
step() { # name command...
	local name=$1 logf
	shift
	logf=$MV_OUT/logs/$(echo "$name" | tr ' /' '__').log
	if "$@" >"$logf" 2>&1; then
		report ok "$name"
	else
		report fail "$name" "see $logf"
		tail -n 20 "$logf" | sed 's/^/#   /'
		return 1
	fi
}

# Tally one boot's TAP: kselftest binaries framed by MV-BINARY markers.
tally() { # suite result.log
	local suite=$1 res=$2 line
	while IFS= read -r line; do
		case "$line" in
		"ok "*"# SKIP"*)
			rest=${line#ok }
			report skip "$suite: ${rest%% # SKIP*}" "${rest#* # SKIP }" ;;
		"ok "*) report ok "$suite: ${line#ok }" ;;
		"not ok "*) report fail "$suite: ${line#not ok }" ;;
		esac
	done < <(tr -d '\r' < "$res" | awk '
		/^# MV-KERNEL-LOG-BEGIN/ { exit }
		/^# MV-BINARY / { bin = $3; plan = 0; n = 0; bad = 0; open = 1; next }
		/^1\.\.[0-9]+/ { plan = substr($0, 4) + 0; next }
		/^ok [0-9]+ / { n++; $1 = ""; $2 = ""; sub(/^  /, ""); print "ok " bin ": " $0; next }
		/^not ok [0-9]+ / { n++; bad++; $1 = ""; $2 = ""; $3 = ""; sub(/^   /, "");
			print "not ok " bin ": " $0; next }
		/^# MV-BINARY-END / {
			open = 0
			rc = $4; sub(/rc=/, "", rc)
			if (n < plan) print "not ok " bin ": only " n " of " plan " results (crashed?)"
			else if (rc != 0 && !bad) print "not ok " bin ": exited with " rc
			else if (n == 0) print "not ok " bin ": no results"
		}
		END { if (open) print "not ok " bin ": never finished (machine died or timed out)" }')
}

# QEMU's own last words (an assertion, cpu_abort's register dump) and what
# the machine was running when it died.
boot_last_words() { # log-dir
	local dir=$1
	tail -n 40 "$dir.boot.log" | sed 's/^/#   qemu: /'
	if [ -s "$dir/result.log" ]; then
		tr -d '\r' <"$dir/result.log" | tail -n 15 | sed 's/^/#   last result: /'
	fi
	if [ -s "$dir/console.log" ]; then
		tr -d '\r' <"$dir/console.log" | tail -n 15 | sed 's/^/#   last console: /'
	fi
}

boot_suite() { # name log-dir boot.sh-args...
	local name=$1 dir=$2
	shift 2
	local rc tries=0
	rm -rf "$dir" "$dir.crashed"
	while :; do
		rc=0
		"${MV_BOOT:-$MV_TOP/scripts/boot.sh}" "$@" "$dir" >"$dir.boot.log" 2>&1 || rc=$?
		# QEMU itself died of a signal (134: SIGABRT, 139: SIGSEGV): the
		# emulator crashed, not the machine it emulates.  That boot runs
		# once more, all of it; a second crash fails (README, "When the
		# emulator crashes").
		if [ "$tries" = 0 ] && { [ "$rc" = 134 ] || [ "$rc" = 139 ]; }; then
			echo "# $name: QEMU (the emulator) crashed (status $rc); the boot runs once more"
			boot_last_words "$dir"
			mv "$dir" "$dir.crashed"
			cp "$dir.boot.log" "$dir.crashed/boot.log"
			tries=1
			continue
		fi
		break
	done
	if [ "$rc" != 0 ]; then
		report fail "$name: test machine boot" "$(tail -n 1 "$dir.boot.log")"
		boot_last_words "$dir"
	fi
	if [ ! -s "$dir/result.log" ]; then
		report fail "$name: results" "nothing came back; see $dir/console.log"
		return
	fi
	tally "$name" "$dir/result.log"
	if grep -q "MV-KERNEL-LOG-END" "$dir/result.log"; then
		report ok "$name: kernel log captured"
	else
		report fail "$name: kernel log captured" "see $dir/console.log"
	fi
	if bad=$("$MV_TOP/scripts/logscan.sh" "${scan_opts[@]}" "$dir/console.log" "$dir/result.log"); then
		report ok "$name: kernel log free of $scan_what"
	else
		report fail "$name: kernel log free of $scan_what"
		echo "$bad" | sed 's/^/#   /'
	fi
}
