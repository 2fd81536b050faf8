#!/usr/bin/env bash
# Install Debian's chromium for the browser test (tests/browser) if it is not on the PATH yet.
# Idempotent and quiet; runs unattended as root (CI) or through sudo when available.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "browser_setup: chromium is missing and this user cannot install it; run as root:" >&2
        echo "  apt-get update && apt-get install -y chromium" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "browser_setup: installing Debian's chromium (once, about 30 s)"
$SUDO apt-get update -qq </dev/null >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium </dev/null >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "browser_setup: chromium still not on the PATH" >&2; exit 1; }
