#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test machine: every kselftest binary, in order, TAP out.
# Each binary is framed so the host can tell a crash from a pass.
cd /mv/tests || exit 1
for t in $(cat /mv/tests/ORDER); do
	[ -x "./$t" ] || { echo "# MV-BINARY $t"; echo "not ok 1 $t missing"; continue; }
	echo "# MV-BINARY $t"
	"./$t"
	echo "# MV-BINARY-END $t rc=$?"
done
