#!/usr/bin/env bash
# Install Debian's chromium for the browser test (tests/browser) unless a Chromium or Chrome is on the
# PATH already (GitHub's Ubuntu runners have one). Idempotent and quiet; runs unattended as root (CI)
# or through passwordless sudo.
set -euo pipefail
for name in chromium google-chrome google-chrome-stable chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then
        exit 0
    fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "browser_setup: no chromium, and this user cannot install it; as root run:" >&2
        echo "  apt-get update && apt-get install -y chromium" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "browser_setup: installing Debian's chromium (once, about 30 s)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium; } </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
command -v chromium >/dev/null 2>&1 || { echo "browser_setup: chromium is still not on the PATH" >&2; exit 1; }
