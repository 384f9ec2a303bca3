#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# modinfo shows version, license, description, author and a description
# for every parameter.
. "$(dirname "$0")/lib.sh"
ko=$MV_TOP/minivisor.ko
ver=$(sed -n 's/^#define MV_VERSION "\(.*\)"/\1/p' "$MV_TOP/module/version.h")
dver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$MV_TOP/dkms.conf")
modinfo "$ko"
[ "$(modinfo -F version "$ko")" = "$ver" ] || die "version is not $ver"
[ "$dver" = "$ver" ] || die "dkms.conf says $dver, module/version.h says $ver"
[ "$(modinfo -F license "$ko")" = GPL ] || die "license is not GPL"
[ -n "$(modinfo -F description "$ko")" ] || die "no description"
[ -n "$(modinfo -F author "$ko")" ] || die "no author"
params=$(modinfo -F parm "$ko")
[ -n "$params" ] || die "no parameters"
echo "$params" | while IFS= read -r p; do
	desc=${p#*:}
	[ -n "${desc// /}" ] && [ "$desc" != "$p" ] || die "parameter without description: $p"
done
