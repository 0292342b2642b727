#!/bin/sh
# Install the real applications the tests open generated workbooks in:
# LibreOffice Calc (headless) and poppler's pdftoppm. Debian/Ubuntu only.
set -eu
if command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install LibreOffice Calc and poppler-utils (pdftoppm) with your package manager." >&2
    exit 1
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    libreoffice-calc-nogui poppler-utils fonts-noto-cjk fonts-dejavu-core >/dev/null
