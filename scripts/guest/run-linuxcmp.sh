#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test machine (scripts/linuxcmp.sh, mv.mode=linuxcmp): the
# same Linux guest (the stock kernel, the busybox image, 256 MiB, 1 vCPU)
# booted to /init under minivisor and under KVM npt=0 (QEMU's pc machine,
# its firmware, ACPI and PCI included), and minivisor's exits of a boot.
M=/lib/modules/mv/kvm
insmod /lib/modules/mv/minivisor.ko
insmod $M/irqbypass.ko; insmod $M/kvm.ko; insmod $M/ccp.ko 2>/dev/null
insmod $M/kvm-amd.ko npt=0 && echo "kvm_amd npt=$(cat /sys/module/kvm_amd/parameters/npt)"
K=/mv/guests/vmlinuz I=/mv/guests/linux-guest.cpio
now() { cut -d' ' -f1 /proc/uptime; }
# run NAME CMD...: wall time to /init and in all
run() {
	name=$1; shift
	s=$(now)
	"$@" < /dev/null 2>&1 | while IFS= read -r l; do
		case "$l" in *"init reached"*) echo "BOOT $name init_wall=$(awk "BEGIN { print $(now) - $s }") :: ${l#*mvguest: }" ;; esac
	done
	echo "BOOT $name total_wall=$(awk "BEGIN { print $(now) - $s }")"
}
for i in 1 2; do
	run minivisor mvrun --kernel $K --initrd $I --mem 256M --append 'quiet mvg=poweroff'
	# An L2 under KVM in this emulated machine hangs now and then: a limit.
	run kvm-npt0 timeout -s KILL 240 qemu-system-x86_64 -accel kvm -M pc -cpu host -m 256 \
		-smp 1 -nographic -vga none -no-reboot -nic none \
		-kernel $K -initrd $I -append "console=ttyS0 quiet panic=-1 mvg=poweroff"
done
# minivisor's exits up to its shell: the VM kept alive there.
mkfifo /tmp/in
(sleep 100000 > /tmp/in &)
: > /tmp/mvout
mvrun --kernel $K --initrd $I --mem 256M --append 'quiet mvg=shell' < /tmp/in > /tmp/mvout 2>&1 &
P=$!
while ! grep -q 'a shell on the console' /tmp/mvout; do sleep 1; done
mvctl vm show "$(mvctl vm list | awk 'NR == 2 { print $1 }')" | sed -n '/exits:/,$p'
kill $P
