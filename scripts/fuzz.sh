#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz [FUZZ_SECONDS=s] [SEED=n] [LANES=a,b] [REPLAY=lane:case[-case]]
#           [REPLAY_FILE=build/fuzz/corpus/diff-SEED-CASE.div]:
# boot the test machine and run mvfuzz (tests/fuzz) in it for FUZZ_SECONDS
# (default 180; FUZZ_S is the same) with SEED (default: a new one, printed),
# then check that the module unloads and that the kernel log is clean.
# Prints what the fuzzer prints as it goes (findings with the command that
# reproduces them), one "ok"/"not ok" line per lane and per check, the line
#   FUZZ seed=... seconds=... cases=... exec/s=... ... result=ok|fail
# and "N passed, N failed"; exits 1 when anything failed.  REPLAY runs
# those cases by themselves, verbosely, and reports whether they were bad;
# REPLAY_FILE does the same for a guest input saved in a corpus (a mutant
# or any corpus file: .new, .mut, .div).
# Logs and the corpus (the inputs that showed something new, and every
# divergence's input): build/fuzz/ (MV_FUZZ_DIR).
. "$(dirname "$0")/lib.sh"
mv_env
secs=${FUZZ_SECONDS:-${FUZZ_S:-180}}
seed=${SEED:-$(( $(date +%s) % 1000000 ))}
lanes=${LANES:-}
replay=${REPLAY:-}
rfile=${REPLAY_FILE:-}
case "$secs$seed" in *[!0-9]*) die "FUZZ_SECONDS and SEED must be numbers" ;; esac
case "$replay" in ""|[a-z]*:[0-9]*) ;; *) die "REPLAY is lane:case, e.g. diff:36" ;; esac
if [ -n "$rfile" ]; then
	[ -f "$rfile" ] || die "REPLAY_FILE: no file $rfile"
	# Out of the way of the rm below (it may be in the last run's corpus).
	mkdir -p "$MV_OUT/fuzz-replay"
	cp "$rfile" "$MV_OUT/fuzz-replay/$(basename "$rfile")"
	rfile=$(basename "$rfile")
	replay=file:$rfile
fi
[ "${MV_FUZZ_NOBUILD:-0}" = 1 ] || "$MV_TOP/scripts/build.sh" >&2
dir=${MV_FUZZ_DIR:-$MV_OUT/fuzz}
rm -rf "$dir"
mkdir -p "$dir"
append="mv.seed=$seed mv.fuzz_s=$secs${lanes:+ mv.lanes=$lanes}"
if [ -n "$rfile" ]; then
	# The input travels in the initramfs.
	mkdir -p "$MV_OUT/initramfs/mv/tests/replay"
	cp "$MV_OUT/fuzz-replay/$rfile" "$MV_OUT/initramfs/mv/tests/replay/"
	(cd "$MV_OUT/initramfs" && find . -print0 | cpio --null -o -H newc --quiet) \
		> "$MV_OUT/fuzz-replay.cpio"
	export MV_INITRD=$MV_OUT/fuzz-replay.cpio
	append+=" mv.replay_file=/mv/tests/replay/$rfile"
elif [ -n "$replay" ]; then
	append+=" mv.replay=$replay"
fi
log "fuzzing for ${secs}s with seed $seed${replay:+ (replaying $replay)}; logs in $dir"
start=$(date +%s)
"$MV_TOP/scripts/boot.sh" --mode fuzz --smp 2 --timeout $((secs + 600)) \
	--append "$append" "$dir" >"$dir/boot.log" 2>&1 &
qemu=$!
# Follow what the fuzzer prints, up to the corpus and the kernel log.
tail --pid=$qemu -n +1 -F "$dir/result.log" 2>/dev/null |
	tr -d '\r' | sed -u -n '/^# MV-CORPUS-BEGIN/q; /MV-KERNEL-LOG-BEGIN/q; /^FUZZ seed=/d; p' || true
wait $qemu || true

res=$dir/result.log
[ -s "$res" ] || die "the test machine printed nothing; see $dir/console.log"
# The results without the corpus (base64 that may spell anything).
tr -d '\r' < "$res" | sed '/^# MV-CORPUS-BEGIN/,/^# MV-CORPUS-END/d' > "$dir/result.txt"
if grep -q '^# MV-CORPUS-BEGIN' "$res"; then
	mkdir -p "$dir/corpus"
	tr -d '\r' < "$res" | sed -n '/^# MV-CORPUS-BEGIN/,/^# MV-CORPUS-END/{/^#/d;p}' |
		base64 -d 2>/dev/null | gunzip 2>/dev/null | tar -C "$dir/corpus" -xf - 2>/dev/null || true
fi

pass=0 fail=0
report() { # ok|fail name [detail]
	if [ "$1" = ok ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "not ok - $2${3:+ ($3)}"
	fi
}
if [ -n "$replay" ]; then
	if grep -aq '^# replay done: ok' "$dir/result.txt"; then
		report ok "replay $replay"
	else
		report fail "replay $replay" "see $dir/result.txt"
	fi
else
	# The fuzzer's own verdicts (printed above as they came).
	while IFS= read -r line; do
		case "$line" in
		"not ok "*) fail=$((fail + 1)) ;;
		"ok "*) pass=$((pass + 1)) ;;
		esac
	done < <(sed -n '/^# MV-KERNEL-LOG-BEGIN/q; /^\(not \)\{0,1\}ok [0-9]* fuzz/p' "$dir/result.txt")
	grep -aq '^FUZZ seed=' "$dir/result.txt" ||
		report fail "mvfuzz finished" "the machine died, hung or timed out; the last progress lines above say what ran; see $dir/console.log"
fi
if grep -aq '^# post-rmmod: ok' "$dir/result.txt"; then
	report ok "module unloads after the run"
else
	report fail "module unloads after the run" "rmmod minivisor failed"
fi
if bad=$("$MV_TOP/scripts/logscan.sh" "$dir/console.log" "$dir/result.txt"); then
	report ok "kernel log free of oops/BUG/WARN/leak reports"
else
	report fail "kernel log free of oops/BUG/WARN/leak reports"
	echo "$bad" | sed 's/^/#   /'
fi
line=$(grep -a '^FUZZ seed=' "$dir/result.txt" | tail -n 1 || true)
[ -z "$line" ] || echo "$line"
n=$(find "$dir/corpus" -type f 2>/dev/null | wc -l || true)
[ "$n" = 0 ] || echo "# corpus: $n inputs in $dir/corpus"
echo "# seed $seed, took $(($(date +%s) - start)) s; reproduce a case with: make fuzz SEED=$seed REPLAY=lane:case"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
