#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test machine, after mvbench (make bench), or alone
# (mv.mode=bench-linux): the stock kernel with the busybox image (256 MiB,
# 1 vCPU, quiet) under minivisor (mvrun), KVM npt=0 and KVM npt=1 (QEMU's
# pc machine, -cpu host): the wall time to /init, then /init's fork/exec
# loop (mvg=forkloop: 500 times /bin/true), each timed on this machine's
# clock between the guest's console lines, and each engine's exits by
# reason at the end of the loop.  BENCH lines for the ratios.
M=/lib/modules/mv/kvm
K=/mv/guests/vmlinuz I=/mv/guests/linux-guest.cpio
now() { cut -d' ' -f1 /proc/uptime; }
insmod /lib/modules/mv/minivisor.ko 2>/dev/null
insmod $M/irqbypass.ko 2>/dev/null; insmod $M/kvm.ko 2>/dev/null; insmod $M/ccp.ko 2>/dev/null
[ -d /sys/kernel/debug/kvm ] || mount -t debugfs none /sys/kernel/debug
mkfifo /tmp/lx.fifo

# exits NAME PID: what the engine counted for the VM, as comment lines.
exits() {
	if [ "$1" = minivisor ]; then
		mvctl vm show "$(mvctl vm list | awk 'NR == 2 { print $1 }')" |
			sed -n '/exits:/,$p' | sed "s/^/# linux $1 /"
		return
	fi
	for d in /sys/kernel/debug/kvm/"$2"-*; do
		for f in exits pf_fixed pf_guest io_exits mmio_exits irq_exits halt_exits \
			 insn_emulation invlpg tlb_flush nmi_window_exits irq_window_exits \
			 request_irq_exits signal_exits; do
			[ -r "$d/$f" ] && echo "# linux $1 exits: $f $(cat "$d/$f")"
		done
	done
}

# lx NAME CMD...: a boot; sets init_s (wall seconds to /init) and fork_s
# (the loop's wall seconds), empty when it did not get there.
lx() {
	name=$1; shift
	init_s="" fork_s="" fb=""
	s=$(now)
	"$@" < /dev/null > /tmp/lx.fifo 2>&1 &
	pid=$!
	# An L2 under KVM in this emulated machine hangs now and then: a limit.
	(sleep 300; kill -9 $pid 2>/dev/null) &
	dog=$!
	while IFS= read -r l; do
		case "$l" in
		*"mvguest: /init reached"*)
			init_s=$(awk "BEGIN { print $(now) - $s }")
			echo "# linux $name: /init at ${init_s} s :: ${l#*mvguest: }" ;;
		*"mvguest: forkloop begin"*)
			fb=$(now) ;;
		*"mvguest: forkloop end"*)
			fork_s=$(awk "BEGIN { print $(now) - $fb }")
			echo "# linux $name: 500 fork/exec/exit in ${fork_s} s"
			exits "$name" $pid
			kill $pid ;;
		esac
	done < /tmp/lx.fifo
	kill $dog 2>/dev/null
	wait $pid 2>/dev/null
}

# exec: in lx's background job, QEMU itself is $pid (debugfs names it).
qemu_kvm() {
	exec qemu-system-x86_64 -accel kvm -M pc -cpu host -m 256 -smp 1 -nographic \
		-vga none -no-reboot -nic none -kernel $K -initrd $I \
		-append "console=ttyS0 quiet panic=-1 mvg=forkloop"
}

# bench NAME MV REF UNIT: a BENCH line (nothing when either is missing).
bench() {
	[ -n "$2" ] && [ -n "$3" ] || { echo "# BENCH $1: no figure (minivisor '$2', reference '$3')"; return; }
	echo "BENCH $1 minivisor=$2 $ref=$3 ratio=$(awk "BEGIN { printf \"%.2f\", $2 / $3 }") unit=$4"
}

lx minivisor mvrun --kernel $K --initrd $I --mem 256M --append 'quiet mvg=forkloop'
mv_init=$init_s mv_fork=$fork_s
for npt in 0 1; do
	rmmod kvm_amd 2>/dev/null
	insmod $M/kvm-amd.ko npt=$npt || { echo "# kvm_amd npt=$npt did not load"; continue; }
	lx kvm-npt$npt qemu_kvm
	ref=kvm-npt$npt
	bench linux-boot-to-init "$mv_init" "$init_s" s
	bench linux-fork-exec-loop "$mv_fork" "$fork_s" s
done
rm -f /tmp/lx.fifo
echo "# bench-linux done"
