#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make check's short run of make fuzz (tests/fuzz/mvfuzz): every lane at
# once for MV_FUZZ_SMOKE_S seconds (default 20) with a seed of its own,
# printed, or mv.seed= from the kernel command line; TAP out (one test per
# lane and per check).  A finding says how to replay it:
#   make fuzz SEED=<seed> REPLAY=<lane>:<case>
seed=$(( $(date +%s) % 1000000 ))
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	mv.seed=*) seed=${arg#mv.seed=} ;;
	esac
done
echo "# fuzz smoke run: seed $seed, ${MV_FUZZ_SMOKE_S:-20} s (make fuzz SEED=$seed for a longer one)"
exec "$(dirname "$0")/mvfuzz" -s "$seed" -t "${MV_FUZZ_SMOKE_S:-20}"
