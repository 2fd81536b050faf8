#!/usr/bin/env bash
# Install Debian's chromium for the browser test (tests/browser) unless a Chromium or Chrome is on the
# PATH already (GitHub's Ubuntu runners have one). Idempotent; runs unattended as root (CI) or via sudo.
set -euo pipefail
for name in chromium google-chrome google-chrome-stable chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then
        exit 0
    fi
done
"$(dirname "$0")/apt_install.sh" "Chromium (for the browser test)" chromium
command -v chromium >/dev/null 2>&1 || { echo "browser_setup: chromium is still not on the PATH" >&2; exit 1; }
