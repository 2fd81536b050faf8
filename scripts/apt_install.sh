#!/usr/bin/env bash
# apt_install.sh WHAT PACKAGE...: install Debian packages unattended and quietly, as root or through
# passwordless sudo; shows apt's log only if it fails. The setup scripts call it once their check fails.
set -euo pipefail
what=$1
shift
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "$what is missing and this user cannot install it; as root run:" >&2
        echo "  apt-get update && apt-get install -y --no-install-recommends $*" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing $what from Debian's packages (once)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "$@"; } </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
