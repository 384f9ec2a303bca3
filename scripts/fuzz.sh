#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz [FUZZ_S=seconds] [SEED=n] [LANES=a,b] [REPLAY=lane:case]:
# boot the test machine and run mvfuzz (tests/fuzz) in it for FUZZ_S
# seconds (default 60) with SEED (default: a new one, printed), then check
# that no VM is left, that the module unloads, and that the kernel log is
# clean.  Prints what the fuzzer prints as it goes, then one line
#   FUZZ seed=... seconds=... ioctls=... netlink=... guest_runs=...
#        differential=... divergences=... host_faults=... ... result=ok|fail
# and exits 1 unless result=ok.  REPLAY runs one case by itself (verbose).
# Logs and the corpus: build/fuzz/ (MV_FUZZ_DIR).
. "$(dirname "$0")/lib.sh"
mv_env
secs=${FUZZ_S:-60}
seed=${SEED:-$(( $(date +%s) % 1000000 ))}
lanes=${LANES:-}
replay=${REPLAY:-}
case "$secs$seed" in *[!0-9]*) die "FUZZ_S and SEED must be numbers" ;; esac
[ "${MV_FUZZ_NOBUILD:-0}" = 1 ] || "$MV_TOP/scripts/build.sh" >&2
dir=${MV_FUZZ_DIR:-$MV_OUT/fuzz}
rm -rf "$dir"
mkdir -p "$dir"
append="mv.seed=$seed mv.fuzz_s=$secs${lanes:+ mv.lanes=$lanes}${replay:+ mv.replay=$replay}"
log "fuzzing for ${secs}s with seed $seed${replay:+ (replaying $replay)}"
"$MV_TOP/scripts/boot.sh" --mode fuzz --smp 2 --timeout $((secs + 600)) \
	--append "$append" "$dir" >"$dir/boot.log" 2>&1 &
qemu=$!
# Follow what the fuzzer prints, up to the corpus and the kernel log.
tail --pid=$qemu -n +1 -F "$dir/result.log" 2>/dev/null |
	tr -d '\r' | sed -u -n '/^# MV-CORPUS-BEGIN/q; /MV-KERNEL-LOG-BEGIN/q; /^FUZZ seed=/d; p' || true
wait $qemu || true

res=$dir/result.log
[ -s "$res" ] || die "the test machine printed nothing; see $dir/console.log"
tr -d '\r' < "$res" > "$dir/result.txt"
# The corpus, back as files.
if grep -q '^# MV-CORPUS-BEGIN' "$dir/result.txt"; then
	mkdir -p "$dir/corpus"
	sed -n '/^# MV-CORPUS-BEGIN/,/^# MV-CORPUS-END/{/^#/d;p}' "$dir/result.txt" |
		base64 -d 2>/dev/null | gunzip 2>/dev/null | tar -C "$dir/corpus" -xf - 2>/dev/null || true
fi
if [ -n "$replay" ]; then
	grep -aq '^# replay done: ok' "$dir/result.txt"
	exit $?
fi

line=$(grep -a '^FUZZ seed=' "$dir/result.txt" | tail -n 1)
faults=0
why=()
if [ -z "$line" ]; then
	# The fuzzer never finished: the machine died, hung or timed out.
	faults=$((faults + 1))
	why+=("mvfuzz did not finish (see $dir/console.log; the last progress lines say what ran)")
	line="FUZZ seed=$seed seconds=0 ioctls=0 netlink=0 guest_runs=0 differential=0 divergences=0 host_faults=0 result=fail"
fi
info=$(sed -n 's/^# post-info: //p' "$dir/result.txt")
for k in nr_vms guest_pages mmu_pages; do
	v=$(printf '%s' "$info" | grep -o "\"$k\": *[0-9]*" | grep -o '[0-9]*$' || true)
	if [ "$v" != 0 ]; then
		faults=$((faults + 1))
		why+=("after the run $k is ${v:-unknown} (mvctl -j info: $info)")
	fi
done
if ! grep -aq '^# post-rmmod: ok' "$dir/result.txt"; then
	faults=$((faults + 1))
	why+=("rmmod minivisor failed after the run")
fi
if ! bad=$("$MV_TOP/scripts/logscan.sh" "$dir/console.log" "$dir/result.log"); then
	faults=$((faults + 1))
	why+=("the kernel log is not clean:")
	while IFS= read -r l; do why+=("  $l"); done <<<"$bad"
fi
for w in "${why[@]}"; do
	echo "HOST-FAULT $w"
done
# The fuzzer's line, with the checks made after it.
hf=$(printf '%s' "$line" | grep -o 'host_faults=[0-9]*' | cut -d= -f2)
hf=$((hf + faults))
line=$(printf '%s' "$line" | sed "s/host_faults=[0-9]*/host_faults=$hf/")
if [ "$faults" != 0 ]; then
	line=$(printf '%s' "$line" | sed 's/result=ok/result=fail/')
fi
echo "$line"
[ -d "$dir/corpus" ] && log "corpus: $(ls "$dir/corpus" | wc -l) inputs in $dir/corpus"
case "$line" in *result=ok*) exit 0 ;; *) exit 1 ;; esac
