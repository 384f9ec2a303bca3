#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test machine: the commands in /mv/tests/DEBUG, one per
# line, with the module loaded (a debugging aid: scripts/debug.sh).
insmod /lib/modules/mv/minivisor.ko
cd /mv/tests
while read -r cmd; do
	echo "\$ $cmd"
	sh -c "$cmd" 2>&1
	echo "# rc=$?"
done < /mv/tests/DEBUG
