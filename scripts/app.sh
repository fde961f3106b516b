#!/usr/bin/env bash
# Run the Backfire dashboard on the bundled case library.
# Installs the pinned requirements into .venv and builds the reconstructed archives if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-chromium.sh
bash scripts/bootstrap.sh requirements.txt
export BROWSER_PATH="${BROWSER_PATH:-/usr/bin/chromium}"
.venv/bin/python -m analysis build-archives --if-missing
exec .venv/bin/python -m streamlit run app.py "$@"
