#!/usr/bin/env bash
# Install what the slide-render test needs if missing: LibreOffice Impress (renders every slide
# of the exported decks to PDF) and poppler-utils (pdftoppm: PDF pages to PNG). Impress is
# heavy: about 4 min on the 2-core dev machine while it was busy (load average ~11), 300+
# packages; --no-install-recommends keeps it to what the headless conversion uses.
set -euo pipefail
if command -v soffice >/dev/null && command -v pdftoppm >/dev/null; then exit 0; fi
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    libreoffice-impress poppler-utils >/dev/null
