#!/usr/bin/env bash
# Create .venv and install the pinned requirements, once per change of the requirement files.
# Usage: scripts/bootstrap.sh [requirements-file]   (default: requirements.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
req="${1:-requirements.txt}"
py="${PYTHON:-python3.11}"
command -v "$py" >/dev/null 2>&1 || py=python3
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
stamp=".venv/.install-$(cat requirements.txt "$req" | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  # (this machine's pip config names local mirrors that may be absent: drop those warnings)
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req" 2>&1 \
    | { grep -v "^WARNING: Location 'file:" || true; }
  test "${PIPESTATUS[0]}" -eq 0
  touch "$stamp"
fi
