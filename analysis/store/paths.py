"""Where the project keeps its files.

Read-only, committed data (the case library) lives in the repository. Everything written at
run time (reconstructed archives, score caches, the user's library) lives under one data
folder, ``BACKFIRE_DATA_DIR`` (default: ``data/`` in the repository), so tests can isolate it.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = PROJECT_ROOT / "data" / "cases"
# ../shared sits beside every checkout (benchmarks and real archives; never copied in here).
SHARED_DIR = Path(os.environ.get("BACKFIRE_SHARED_DIR", PROJECT_ROOT.parent / "shared"))


def data_dir() -> Path:
    """The writable data folder (created on demand)."""
    root = Path(os.environ.get("BACKFIRE_DATA_DIR", PROJECT_ROOT / "data"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def archives_dir() -> Path:
    """Reconstructed archives: ``<case_id>.jsonl.gz`` and ``<case_id>.truth.csv``."""
    return _sub("archives")


def cache_dir() -> Path:
    """Scored tables as Parquet, keyed by input hash and analysis version."""
    return _sub("cache")


def library_dir() -> Path:
    """The user's own saved cases (uploaded archives plus their case file)."""
    return _sub("library")


def samples_dir() -> Path:
    """Real samples of cases from the Internet Archive's Stream Grab (``python -m analysis
    streamgrab``): ``<case_id>.jsonl.gz`` and ``<case_id>.sampling.json``."""
    return _sub("samples")


def _sub(name: str) -> Path:
    path = data_dir() / name
    path.mkdir(parents=True, exist_ok=True)
    return path
