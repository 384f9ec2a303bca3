#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fail when a function in the given C files is longer than MAX lines
# (default 120), counting from its opening brace to its closing one.
#   funclen.sh [-m MAX] FILE...
max=120
if [ "${1:-}" = -m ]; then
	max=$2
	shift 2
fi
awk -v max="$max" '
	FNR == 1 { infn = 0 }
	# A function body opens with "{" alone in column 0 and closes with "}".
	/^\{$/ { infn = 1; start = FNR; name = prev; next }
	infn && /^\}/ {
		infn = 0
		len = FNR - start - 1
		if (len > max) {
			printf "%s:%d: %s is %d lines (at most %d)\n", FILENAME, start, name, len, max
			bad = 1
		}
	}
	{ if ($0 ~ /\(/) prev = $0 }
	END { exit bad }
' "$@"
