# SPDX-License-Identifier: GPL-2.0
#
# minivisor: top-level build.
#
#   make                  module (against KDIR) and userspace tools
#   make check            the whole test suite inside emulated machines
#   make check-quick      build and boot the suite only (TESTS="a_test b_test"
#                         for some binaries): no style, DKMS, kvm-unit-tests
#                         or no-SVM boot
#   make check-kut        every kvm-unit-tests test of scripts/kut.list under
#                         minivisor and KVM npt=0 (KUT_TESTS="realmode,sieve"
#                         for some), nothing else
#   make check-debug      the suite under a debug kernel (KASAN, kmemleak,
#                         lockdep, UBSAN, ...): built once (half an hour), cached
#   make unit             unit tests of module code, in userspace (no guest)
#   make fuzz             fuzz ioctls, netlink, guests (against KVM) and races
#                         (FUZZ_SECONDS=s SEED=n LANES=a,b REPLAY=lane:case)
#   make bench            side-by-side figures against KVM
#   make bench-linux      only its Linux guest's figures (boot, fork/exec)
#   make bench-ab BASE=r  this module's exit/paging figures against revision r's
#   make shell            boot the test machine to an interactive shell
#   make guest-image      build/guest-image.cpio: a busybox initramfs for
#                         Linux guests (mvrun --kernel bzImage --initrd ...)
#   make style            checkpatch --strict over module/ and uapi/
#   make install          install module, tools, man pages, udev rule
#   make dkms-install     register the sources with DKMS

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := $(shell sed -n 's/^\#define MV_VERSION "\(.*\)"/\1/p' module/version.h)

all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

module-sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CF="-D__CHECK_ENDIAN__" modules

userspace:
	$(MAKE) -C userspace

tests: userspace
	$(MAKE) -C tests

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=extra modules_install
	depmod -a $(KERNELRELEASE)
	$(MAKE) -C userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -D -m 0644 scripts/60-minivisor.rules $(DESTDIR)/lib/udev/rules.d/60-minivisor.rules
	getent group minivisor >/dev/null || groupadd --system minivisor
	-udevadm control --reload-rules 2>/dev/null

DKMS_SRC := /usr/src/minivisor-$(VERSION)
dkms-install:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r Kbuild Makefile dkms.conf module uapi $(DKMS_SRC)/
	dkms add minivisor/$(VERSION)

check:
	scripts/check.sh

check-quick:
	MV_QUICK=1 MV_TESTS="$(TESTS)" scripts/check.sh

KUT_TESTS ?= all
check-kut:
	MV_KUT_ONLY=1 MV_KUT="$(KUT_TESTS)" scripts/check.sh

check-debug:
	MV_TESTS="$(TESTS)" scripts/check-debug.sh

unit:
	$(MAKE) -C tests/unit check

fuzz:
	scripts/fuzz.sh

bench:
	scripts/bench.sh

bench-linux:
	MV_BENCH_MODE=bench-linux scripts/bench.sh

bench-ab:
	BASE="$(BASE)" scripts/bench-ab.sh

shell:
	scripts/shell.sh

guest-image:
	scripts/guest-image.sh

demo:
	scripts/demo.sh

style:
	scripts/style.sh

module-clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -f module/*.o module/.*.cmd

clean: module-clean
	$(MAKE) -C userspace clean
	$(MAKE) -C tests clean
	$(MAKE) -C tests/unit clean
	rm -rf build

.PHONY: all module module-sparse userspace tests install dkms-install check check-quick check-kut bench-linux \
	check-debug guest-image unit fuzz bench bench-ab shell demo style module-clean clean
