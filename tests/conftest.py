"""Shared fixtures: where ../shared lives, and an isolated writable data folder per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.store.paths import SHARED_DIR

REAL_ARCHIVES = SHARED_DIR / "real-archives"
BENCHMARKS = SHARED_DIR / "benchmarks"


@pytest.fixture
def real_archives() -> Path:
    if not REAL_ARCHIVES.is_dir():
        pytest.fail(f"../shared/real-archives not found at {REAL_ARCHIVES}: CI must run beside ../shared")
    return REAL_ARCHIVES


@pytest.fixture
def isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point BACKFIRE_DATA_DIR at a fresh temporary folder for this test."""
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("BACKFIRE_DATA_DIR", str(root))
    return root
