#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test machine: make fuzz (tests/fuzz, mvfuzz).  Seed,
# duration, lanes and a case to replay come from the kernel command line
# (mv.seed=, mv.fuzz_s=, mv.lanes=, mv.replay=, mv.replay_file=).  After the run: what the
# module still holds (mvctl -j info), whether it unloads, and the corpus.
seed=1 secs=60 lanes="" replay="" rfile=""
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	mv.seed=*) seed=${arg#mv.seed=} ;;
	mv.fuzz_s=*) secs=${arg#mv.fuzz_s=} ;;
	mv.lanes=*) lanes=${arg#mv.lanes=} ;;
	mv.replay=*) replay=${arg#mv.replay=} ;;
	mv.replay_file=*) rfile=${arg#mv.replay_file=} ;;
	esac
done
insmod /lib/modules/mv/minivisor.ko || echo "# post-insmod: failed"
cd /mv/tests || exit 1
if [ -n "$rfile" ]; then
	./mvfuzz -s "$seed" -f "$rfile"
elif [ -n "$replay" ]; then
	./mvfuzz -s "$seed" -r "$replay"
else
	./mvfuzz -s "$seed" -t "$secs" -c /tmp/corpus ${lanes:+-l "$lanes"}
fi
echo "# mvfuzz rc=$?"
echo "# post-info: $(mvctl -j info 2>&1 | tr '\n' ' ')"
if rmmod minivisor; then
	echo "# post-rmmod: ok"
else
	echo "# post-rmmod: failed"
fi
if [ -d /tmp/corpus ]; then
	echo "# corpus: $(ls /tmp/corpus | wc -l) inputs"
	echo "# MV-CORPUS-BEGIN"
	tar -C /tmp/corpus -cf - . | gzip -1 | base64
	echo "# MV-CORPUS-END"
fi
