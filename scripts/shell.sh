#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make shell: build everything and boot the test machine (stock kernel,
# QEMU TCG -cpu max with SVM) to an interactive shell with the module
# loaded and mvctl, mvrun and the tests present.  Leave with 'poweroff -f'
# (or Ctrl-A X).
. "$(dirname "$0")/lib.sh"
mv_env
"$MV_TOP/scripts/build.sh"
exec "$MV_TOP/scripts/boot.sh" --interactive --mode shell "$MV_OUT/shell"
