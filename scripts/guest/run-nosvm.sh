#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside a test machine whose CPU has no SVM (QEMU -cpu max,-svm).
cd /mv/tests || exit 1
echo "# MV-BINARY nosvm_test"
./nosvm_test
echo "# MV-BINARY-END nosvm_test rc=$?"
