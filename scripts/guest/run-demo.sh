#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test machine: make demo (tests/tools/mvdemo.c).
vms=8 mib=64
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	mv.demo_vms=*) vms=${arg#mv.demo_vms=} ;;
	mv.demo_mib=*) mib=${arg#mv.demo_mib=} ;;
	esac
done
insmod /lib/modules/mv/minivisor.ko
/mv/tests/mvdemo -n "$vms" -m "$mib"
echo "# mvdemo rc=$?"
