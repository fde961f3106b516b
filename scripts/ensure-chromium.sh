#!/usr/bin/env bash
# Install Debian's chromium if missing: kaleido renders static chart images with it (slide
# decks, PNG exports), the PDF report is printed by it and the browser tests drive it through
# Playwright. With it, a colour emoji font: posts' emoji in the PDF and in LibreOffice renders
# of the decks are drawn, not empty boxes.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -q "Noto Color Emoji"; then exit 0; fi
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium fonts-dejavu-core fonts-noto-color-emoji >/dev/null
