#!/usr/bin/env bash
# Install the TeX Live subset that `make pdf` (jupyter-book --builder pdflatex) needs, if missing.
# Debian packages, about 100 MB to download; idempotent and quiet; runs unattended as root or via sudo.
set -euo pipefail
PACKAGES="latexmk texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended tex-gyre texlive-plain-generic"
if command -v latexmk >/dev/null 2>&1 && command -v pdflatex >/dev/null 2>&1 \
        && kpsewhich tgtermes.sty >/dev/null 2>&1 && kpsewhich fncychap.sty >/dev/null 2>&1; then
    exit 0
fi
# shellcheck disable=SC2086  # PACKAGES is a list of words
"$(dirname "$0")/apt_install.sh" "TeX Live (for make pdf, about 100 MB)" $PACKAGES
