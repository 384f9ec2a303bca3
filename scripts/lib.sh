# SPDX-License-Identifier: GPL-2.0
# Common settings for the testbed scripts; sourced, not run.
set -euo pipefail

MV_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads and extractions, keyed by package version, outside the repo.
MV_CACHE=${MV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minivisor}
# Build outputs of the testbed (ignored by git).
MV_OUT=${MV_OUT:-$MV_TOP/build}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Load what deps.sh found (kernel version, paths); run it first if needed.
mv_env() {
	if [ ! -f "$MV_CACHE/env" ] || [ "${MV_DEPS_DONE:-}" != 1 ]; then
		"$MV_TOP/scripts/deps.sh" >&2
		export MV_DEPS_DONE=1
	fi
	# shellcheck source=/dev/null
	. "$MV_CACHE/env"
}
