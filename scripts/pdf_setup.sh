#!/usr/bin/env bash
# Install the TeX Live subset that `make pdf` (jupyter-book --builder pdflatex) needs, if missing.
# Debian packages, about 100 MB to download; idempotent and quiet; runs unattended as root or via sudo.
set -euo pipefail
PACKAGES="latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended tex-gyre texlive-plain-generic"
if command -v latexmk >/dev/null 2>&1 && command -v pdflatex >/dev/null 2>&1 \
        && kpsewhich tgtermes.sty >/dev/null 2>&1 && kpsewhich fncychap.sty >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "pdf_setup: TeX Live is missing and this user cannot install it; as root run:" >&2
        echo "  apt-get update && apt-get install -y --no-install-recommends $PACKAGES" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "pdf_setup: installing TeX Live from Debian (once, about 100 MB)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086  # PACKAGES is a list of words
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $PACKAGES; } </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
