#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside scripts/debug-selftest.sh's machine: loads mvbad (each bug
# the debug kernel must report, once), unloads it, then a kmemleak scan.
kml=/sys/kernel/debug/kmemleak
echo scan > $kml
echo clear > $kml
insmod /lib/modules/mv/mvbad.ko
rmmod mvbad
sleep 6
echo scan > $kml
echo "# MV-KMEMLEAK after rmmod mvbad"
cat $kml
echo "# MV-KMEMLEAK-END after rmmod mvbad"
