#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test machine: this module's exit and paging figures
# against the base module's (make bench-ab BASE=rev), in one boot.
MVBENCH_VERBOSE=1 MVBENCH_AB=/lib/modules/mv/base/minivisor.ko /mv/tests/mvbench
echo "# mvbench rc=$?"
