#!/usr/bin/env bash
# Run the whole test suite: lint, type check, unit tests, AppTests and real-browser tests.
# Installs everything it needs: the pinned Python packages into .venv, Debian's chromium, and
# LibreOffice Impress + poppler-utils for the slide-render test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-chromium.sh
bash scripts/ensure-render-tools.sh
bash scripts/bootstrap.sh requirements-dev.txt
export BROWSER_PATH="${BROWSER_PATH:-/usr/bin/chromium}"
.venv/bin/python -m ruff check .
.venv/bin/python -m mypy analysis ui
.venv/bin/python -m analysis build-archives --if-missing
exec .venv/bin/python -m pytest "$@"
