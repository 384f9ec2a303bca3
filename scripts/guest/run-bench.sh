#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test machine: the side-by-side benchmarks.
MVBENCH_VERBOSE=1 /mv/tests/mvbench
echo "# mvbench rc=$?"
# The Linux guest: boot to /init and a fork/exec loop, minivisor and KVM.
/mv/run-bench-linux.sh
