"""The bundled reconstructed archives, as tests read them: built beforehand, never rebuilt here.

``scripts/test.sh`` runs ``python -m analysis build-archives --if-missing`` before pytest.
Tests only read ``data/archives/``: rebuilding a stale archive from inside a test would
rewrite files that other test processes are reading at the same time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cases import Case
from analysis.reconstruction import generator

BUILD_COMMAND = "python -m analysis build-archives --if-missing"


def current_archive(case: Case) -> Path:
    """The case's bundled archive; fails the test clearly when it is absent or stale."""
    if not generator.is_current(case):
        pytest.fail(f"the bundled archive of case {case.id!r} is missing or stale: "
                    f"run {BUILD_COMMAND} (scripts/test.sh does it before pytest)")
    return case.archive_path
