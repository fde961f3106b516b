"""Shared fixtures: where ../shared lives, an isolated writable data folder per test, and the
app's data folder (bundled cases scored once per session, see tests/app_support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from app_support import prepare_data, score_seed

from analysis.store.paths import SHARED_DIR
from ui import widgets

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


@pytest.fixture(scope="session")
def seed_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose score cache holds every bundled case (``app_support.score_seed``)."""
    return score_seed(tmp_path_factory.mktemp("seed") / "data")


@pytest.fixture(scope="session")
def app_data_dir(tmp_path_factory: pytest.TempPathFactory, seed_data: Path) -> Path:
    """The AppTests' data folder: the seed's archives linked, its score cache copied."""
    return prepare_data(tmp_path_factory.mktemp("app") / "data", seed_data)


@pytest.fixture
def app_env(app_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point BACKFIRE_DATA_DIR at the session's app data folder for this test."""
    monkeypatch.setenv("BACKFIRE_DATA_DIR", str(app_data_dir))
    yield app_data_dir


@pytest.fixture
def own_data(tmp_path: Path, seed_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder of the test's own (the seed's cases, scores cached), for a test that
    writes to it: BACKFIRE_DATA_DIR points at it for this test."""
    root = prepare_data(tmp_path / "data", seed_data)
    monkeypatch.setenv("BACKFIRE_DATA_DIR", str(root))
    return root


@pytest.fixture
def csv_downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """What the page offers as CSV downloads, by file name (recorded, then served as usual):
    a frame, or the function that builds it when the download is lazy."""
    offered: dict[str, object] = {}
    original = widgets.csv_download

    def record(frame: object, *, file_name: str, **kwargs: object) -> None:
        offered[file_name] = frame
        original(frame, file_name=file_name, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(widgets, "csv_download", record)
    return offered
