#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fail (exit 1, printing the lines) when a test machine's kernel log shows
# an oops, BUG, WARN, general protection fault, bad page fault, lockdep,
# hung task, soft lockup, RCU stall, panic or leak report.  Lines that
# begin with "#| " are a guest program's own output that a runner copied
# into its results (run-kut.sh), not the kernel's: they are left out.
#   logscan.sh [--debug] LOG...
# --debug, for check-debug's debug kernel: also KASAN, UBSAN, kmemleak,
# lockdep, RCU, sleeping-in-atomic, SLUB and debug-objects reports.  What
# that kernel prints when all is well (its detectors saying they are there)
# is no report, and a section between MV-IGNORE-BEGIN and MV-IGNORE-END
# (kmemleak's boot-time findings, before the suite) is left out.
debug=0
if [ "${1:-}" = --debug ]; then
	debug=1
	shift
fi
pattern='Oops|BUG:|kernel BUG|WARNING:|general protection|[Uu]nable to handle|'
pattern+='lockdep|possible circular locking|possible recursive locking|'
pattern+='INFO: task .* blocked|soft lockup|hard LOCKUP|rcu.*stall|'
pattern+='Kernel panic|Call Trace:|kmemleak|memory leak|minivisor: leak|'
pattern+='Objects remaining|Bad page state|double fault|segfault at'
if [ $debug = 1 ]; then
	pattern+='|BUG: KASAN|UBSAN:|unreferenced object|suspicious RCU usage|'
	pattern+='sleeping function called from invalid context|inconsistent lock state|'
	pattern+='possible irq lock inversion|Invalid wait context|bad unlock balance|'
	pattern+='held lock freed|lock held when returning to user space|'
	pattern+='BUG [^ ]+ \(|Poison overwritten|Redzone overwritten|Object already free|'
	pattern+='ODEBUG:|list_(add|del) corruption|scheduling while atomic|'
	pattern+='turning off the locking correctness validator'
fi
# The debug kernel's detectors announcing themselves.
benign='kmemleak: Kernel memory leak detector initialized|'
benign+='kmemleak: Automatic memory scanning thread|'
benign+='rcu:[[:space:]]+RCU lockdep checking is enabled'
found=$(cat "$@" 2>/dev/null | tr -d '\r' | grep -v '^#| ' |
	if [ $debug = 1 ]; then
		awk '/MV-IGNORE-BEGIN/ { skip = 1 } !skip { print } /MV-IGNORE-END/ { skip = 0 }' |
			grep -Ev "$benign"
	else
		cat
	fi | grep -E "$pattern" || true)
if [ -n "$found" ]; then
	echo "$found" | head -n 40
	exit 1
fi
exit 0
