#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel of make check-debug, built once from Debian's
# linux-source-6.1 (the same upstream version as the stock kernel: checked)
# and cached.  Its config is the stock kernel's, cut by localmodconfig down
# to the modules the test machine loads, plus scripts/debug-kernel.config
# (KASAN, kmemleak, lockdep, UBSAN, SLUB debugging, KCOV and gcov support);
# every line of the fragment must survive olddefconfig.
#
# The cache, $MV_CACHE/debug-kernel/VERSION-HASH (VERSION: the source
# package's, HASH: of the fragment and the stock config), holds:
#   src/      the source tree
#   build/    the build tree (objects pruned): make -C build/ M=DIR modules
#   bzImage   the kernel
#   mods/     its modules (lib/modules/RELEASE/kernel/...: KVM, ccp)
#   env       DKREL, DKDIR, DKIMAGE, DKMODS, DKSRC for the callers
#   build.log, build-seconds
# Prints the env file's path.  Two runs never build at once (a lock).
#   debug-kernel.sh
. "$(dirname "$0")/lib.sh"
# The kernel's own build dependencies, on top of the testbed's.
"$MV_TOP/scripts/deps.sh" bc bison flex libelf-dev libssl-dev >&2
export MV_DEPS_DONE=1
mv_env

frag=$MV_TOP/scripts/debug-kernel.config
tarball=/usr/src/linux-source-6.1.tar.xz
# Bump when the way the config is derived changes (not the fragment).
derivation=1

pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }

# The Debian revision off a package version: 6.1.192-3 -> 6.1.192.
upstream() { echo "${1%-*}"; }

# linux-source-6.1 is installed once; the stock kernel moves on with
# security updates.  Bring the source along when they part.
check_versions() {
	stock=$(pkgver "linux-headers-$KVER")
	srcver=$(pkgver linux-source-6.1)
	if [ "$(upstream "$srcver")" != "$(upstream "$stock")" ]; then
		log "linux-source-6.1 $srcver is not the stock kernel's $stock: upgrading it"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-source-6.1 >/dev/null
		srcver=$(pkgver linux-source-6.1)
	fi
	[ "$(upstream "$srcver")" = "$(upstream "$stock")" ] ||
		die "linux-source-6.1 is $srcver, the stock kernel ($KVER) $stock: not the same upstream version"
	[ -f "$tarball" ] || die "$tarball missing (reinstall linux-source-6.1)"
}

# The stock config, localmodconfig'd, the fragment merged on top.
make_config() { # src build
	local src=$1 b=$2 mods lsmod
	cp "$KDIR/.config" "$b/.config"
	mods=$(sed -n 's/^# keep-modules: //p' "$frag")
	[ -n "$mods" ] || die "$frag names no keep-modules"
	lsmod=$b/keep-modules.lsmod
	{
		echo "Module Size Used by"
		for m in $mods; do echo "$m 0 0"; done
	} > "$lsmod"
	make -C "$src" O="$b" LSMOD="$lsmod" localmodconfig </dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$b" "$b/.config" "$frag"
	make -C "$src" O="$b" olddefconfig
}

# Every CONFIG line of the fragment as Kconfig left it; prints mismatches.
verify_config() { # .config
	local cfg=$1 line sym bad=0
	while IFS= read -r line; do
		case "$line" in
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			if grep -q "^$sym=" "$cfg"; then
				echo "wanted unset, got $(grep "^$sym=" "$cfg")"
				bad=1
			fi
			;;
		CONFIG_*=*)
			if ! grep -qxF "$line" "$cfg"; then
				echo "wanted $line, got $(grep -E "^(# )?${line%%=*}[= ]" "$cfg" || echo nothing)"
				bad=1
			fi
			;;
		esac
	done < "$frag"
	return $bad
}

# Drop what an out-of-tree module build does not read: objects, archives,
# the boot image's parts (vmlinux, System.map, Module.symvers, headers and
# the host tools stay).
prune_build() { # build
	find "$1" \( -name '*.o' -o -name '*.a' -o -name '*.ko' -o -name '*.mod.c' \
		-o -name '.tmp_vmlinux*' \) -type f -delete
	rm -rf "$1/arch/x86/boot/compressed" "$1/arch/x86/boot/vmlinux.bin" "$1/arch/x86/boot/bzImage"
}

build_kernel() { # dir
	local dir=$1 src=$1/src b=$1/build start secs rel
	rm -rf "$dir"
	mkdir -p "$dir" "$b"
	log "extracting $tarball"
	tar -C "$dir" -xf "$tarball"
	mv "$dir/linux-source-6.1" "$src"
	[ "$(make -s -C "$src" kernelversion)" = "$(upstream "$srcver")" ] ||
		die "$tarball holds $(make -s -C "$src" kernelversion), not $(upstream "$srcver")"
	log "config: stock $KVER's, localmodconfig, $(basename "$frag")"
	make_config "$src" "$b" >>"$dir/build.log" 2>&1 ||
		die "config failed; see $dir/build.log"
	if ! verify_config "$b/.config" >"$dir/config-mismatch"; then
		cat "$dir/config-mismatch" >&2
		die "Kconfig did not keep these lines of $frag (a dependency is off?)"
	fi
	# Niced (MV_DEBUG_NICE, 19 by default): the machine stays usable.
	log "building bzImage and modules with -j$(nproc) (log: $dir/build.log); 15 to 30 minutes"
	start=$(date +%s)
	if ! nice -n "${MV_DEBUG_NICE:-19}" make -C "$src" O="$b" -j"$(nproc)" bzImage modules \
		>>"$dir/build.log" 2>&1; then
		tail -n 30 "$dir/build.log" >&2
		die "kernel build failed; see $dir/build.log"
	fi
	secs=$(($(date +%s) - start))
	rel=$(make -s -C "$src" O="$b" kernelrelease)
	make -C "$src" O="$b" INSTALL_MOD_PATH="$dir/mods" modules_install >>"$dir/build.log" 2>&1 ||
		die "modules_install failed; see $dir/build.log"
	cp "$b/arch/x86/boot/bzImage" "$dir/bzImage"
	prune_build "$b"
	echo "$secs" > "$dir/build-seconds"
	cat > "$dir/env" <<EOT
DKVERSION=$srcver
DKREL=$rel
DKSRC=$src
DKDIR=$b
DKIMAGE=$dir/bzImage
DKMODS=$dir/mods/lib/modules/$rel
EOT
	touch "$dir/.done"
	log "debug kernel $rel built in ${secs} s"
}

check_versions
hash=$( (echo "derivation $derivation"; cat "$frag" "$KDIR/.config") | sha256sum | cut -c1-12)
top=$MV_CACHE/debug-kernel
dir=$top/$srcver-$hash
mkdir -p "$top"
exec 9>"$top/lock"
if ! flock -n 9; then
	log "another debug kernel build is running; waiting for it"
	flock 9
fi
if [ -f "$dir/.done" ]; then
	log "debug kernel cached: $dir (built in $(cat "$dir/build-seconds") s)"
else
	build_kernel "$dir"
fi
echo "$dir/env"
