#!/usr/bin/env bash
# Install Debian's bubblewrap (bwrap), the sandbox the class grader runs each submission in
# (grader/sandbox.py), unless bwrap is on the PATH already. Idempotent; runs unattended as root (CI) or
# via sudo. Without it the grader still grades, but says that submissions are not isolated.
set -euo pipefail
if command -v bwrap >/dev/null 2>&1; then
    exit 0
fi
"$(dirname "$0")/apt_install.sh" "bubblewrap (the grader's sandbox)" bubblewrap
command -v bwrap >/dev/null 2>&1 || { echo "sandbox_setup: bwrap is still not on the PATH" >&2; exit 1; }
