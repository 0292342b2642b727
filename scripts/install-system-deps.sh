#!/bin/sh
# Install the real applications the tests open generated workbooks in:
# LibreOffice Calc (run headless) and poppler's pdftoppm. Debian/Ubuntu only.
#
# The GUI build of Calc (libreoffice-calc) is required, not
# libreoffice-calc-nogui: tests/office.py:resave_xlsx opens workbooks with a
# document view (so frozen panes survive the re-save), and the -nogui build
# ships no Calc .ui files, so it aborts when a view is created. The GUI build
# still runs with --headless; no X server or Xvfb is needed. apt replaces
# the -nogui packages automatically (they conflict).
set -eu

# True when soffice's Calc has its UI files (i.e. is not the -nogui build).
calc_has_gui() {
    prog=$(dirname "$(readlink -f "$(command -v soffice)")")
    ls "$prog/../share/config/soffice.cfg/modules/scalc/ui/"*.ui >/dev/null 2>&1
}

if command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
    && calc_has_gui; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install LibreOffice Calc (with its GUI files) and poppler-utils (pdftoppm) with your package manager." >&2
    exit 1
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    libreoffice-calc poppler-utils fonts-noto-cjk fonts-dejavu-core >/dev/null
