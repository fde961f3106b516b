#!/usr/bin/env bash
# Install Debian's chromium if missing: kaleido renders static chart images with it (slide
# decks, PNG exports) and the browser tests drive it through Playwright.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
