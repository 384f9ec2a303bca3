#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fail (exit 1, printing the lines) when a test machine's kernel log shows
# an oops, BUG, WARN, general protection fault, bad page fault, lockdep,
# hung task, soft lockup, RCU stall, panic or leak report.  Lines that
# begin with "#| " are a guest program's own output that a runner copied
# into its results (run-kut.sh), not the kernel's: they are left out.
#   logscan.sh LOG...
pattern='Oops|BUG:|kernel BUG|WARNING:|general protection|[Uu]nable to handle|'
pattern+='lockdep|possible circular locking|possible recursive locking|'
pattern+='INFO: task .* blocked|soft lockup|hard LOCKUP|rcu.*stall|'
pattern+='Kernel panic|Call Trace:|kmemleak|memory leak|minivisor: leak|'
pattern+='Objects remaining|Bad page state|double fault|segfault at'
found=$(cat "$@" 2>/dev/null | tr -d '\r' | grep -v '^#| ' | grep -E "$pattern" || true)
if [ -n "$found" ]; then
	echo "$found" | head -n 40
	exit 1
fi
exit 0
