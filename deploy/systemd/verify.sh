#!/usr/bin/env bash
# CI check for the systemd unit: "systemd-analyze verify" must print nothing at all.
#
#   deploy/systemd/verify.sh [UNIT_FILE]     (default: krx-signal-worker.service beside this script)
#
# systemd-analyze exits 0 when it merely warns (an unknown or misspelt key is "ignored"), so the
# exit code alone proves little: this script fails when the output has any line in it.
#
# On a build machine the program is not installed, and verify reports
# "Command /opt/krx-signal-worker/Worker is not executable". So the unit is copied, under its
# own name, into a temporary folder and the copy's ExecStart is pointed at /bin/true, which
# exists everywhere; every other line is verified exactly as written. (WorkingDirectory= and
# User= are not checked by verify, so they need no stand-in.)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
unit_src=${1:-"$script_dir/krx-signal-worker.service"}
real_exec=/opt/krx-signal-worker/Worker

fail() {
    echo "verify.sh: $*" >&2
    exit 1
}

[[ -f $unit_src ]] || fail "unit file not found: $unit_src"

# A fresh CI image may have only dotnet on it.
if ! command -v systemd-analyze >/dev/null 2>&1; then
    [[ $EUID -eq 0 ]] || fail "systemd-analyze is missing; install the 'systemd' package (needs root)"
    echo "verify.sh: installing systemd for systemd-analyze" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends systemd >/dev/null
    command -v systemd-analyze >/dev/null 2>&1 || fail "systemd-analyze still missing after installing systemd"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unit_name=$(basename "$unit_src")
unit_copy="$tmp/$unit_name"

grep -q "^ExecStart=$real_exec\\b" "$unit_src" || fail "$unit_src: no 'ExecStart=$real_exec' line"
sed "s|^ExecStart=$real_exec\\b|ExecStart=/bin/true|" "$unit_src" >"$unit_copy"

# Settings the daemon cannot live with (see the comments in the unit). verify accepts them,
# so check for them here.
if grep -Eq '^[[:space:]]*MemoryDenyWriteExecute[[:space:]]*=[[:space:]]*(yes|true|on|1)' "$unit_copy"; then
    fail "$unit_src: MemoryDenyWriteExecute=yes breaks the .NET JIT"
fi
if grep -Eq '^[[:space:]]*ProtectProc[[:space:]]*=[[:space:]]*(invisible|noaccess|ptraceable)' "$unit_copy"; then
    fail "$unit_src: ProtectProc= hides /proc/1 and disables the host's systemd detection"
fi

# --man=no: do not run man(1) for the Documentation= lines; a CI image has no manual pages.
# Run from the temporary folder so nothing is resolved against the caller's directory.
status=0
output=$(cd "$tmp" && systemd-analyze verify --man=no "$unit_copy" 2>&1) || status=$?

if [[ -n $output ]]; then
    # Show the lines with the real file name rather than the temporary copy's.
    printf '%s\n' "${output//$unit_copy/$unit_src}" >&2
    fail "systemd-analyze verify printed the lines above (exit code $status)"
fi
if [[ $status -ne 0 ]]; then
    fail "systemd-analyze verify exited with $status"
fi
