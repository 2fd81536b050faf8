#!/usr/bin/env bash
# Install Debian's bubblewrap (bwrap), the sandbox the class grader runs each submission in
# (grader/sandbox.py), unless bwrap is on the PATH already. Idempotent; runs unattended as root (CI) or
# via sudo. Without it the grader still grades, but says that submissions are not isolated, and
# `python -m grader` (which requires isolation) refuses to grade.
set -euo pipefail
if ! command -v bwrap >/dev/null 2>&1; then
    "$(dirname "$0")/apt_install.sh" "bubblewrap (the grader's sandbox)" bubblewrap
    command -v bwrap >/dev/null 2>&1 || { echo "sandbox_setup: bwrap is still not on the PATH" >&2; exit 1; }
fi
# bwrap needs user namespaces; Ubuntu 24.04 restricts them for unprivileged programs through AppArmor
restrict=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
if ! bwrap --unshare-user --ro-bind / / true 2>/dev/null && [ "$(cat "$restrict" 2>/dev/null)" = 1 ]; then
    echo "sandbox_setup: bwrap cannot create user namespaces here (AppArmor); the sandboxed grader tests" >&2
    echo "  will be skipped. To allow them: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0" >&2
fi
