"""Scored tables on disk: Parquet under ``paths.cache_dir()``, keyed by what produced them.

The key is a SHA-256 over
- the input: the archive files' bytes (or, for a table given in memory, its content),
- ``analysis.ANALYSIS_VERSION`` and a fingerprint of the code that produced the table: the
  loaders, formats and schema (``LOADING_SOURCES``) and the scoring code and model file
  (``SCORING_SOURCES``), so a change in loading or scoring invalidates old entries even if
  nobody remembered to bump the version,
- the scoring parameters: the threshold (None = the model's default) and the cue terms.

Each entry is ``<key>.parquet`` plus ``<key>.report.json`` (the loader's report). Both are
written atomically (temporary file in the same folder, fsync, ``os.replace``); the report
goes first and the table last, so an entry exists only once it is complete and a crash never
leaves a file that loads wrong. A file that fails to read is treated as a miss and rebuilt.
At most ``MAX_ENTRIES`` entries are kept; the least recently used go first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analysis import ANALYSIS_VERSION, schema
from analysis.store import atomic, paths

# Files whose bytes define how archives are read into the canonical table (glob patterns,
# relative to the project root): a loader fix must invalidate tables cached before it.
LOADING_SOURCES: Final[tuple[str, ...]] = (
    "analysis/ingest/loaders.py", "analysis/ingest/formats/*.py", "analysis/schema.py",
)
# Files whose bytes define how tweets are scored (missing ones are skipped).
SCORING_SOURCES: Final[tuple[str, ...]] = (
    "analysis/nlp/scoring.py", "analysis/nlp/hostility.py", "analysis/nlp/sentiment.py",
    "analysis/nlp/vader.py", "analysis/nlp/lexicon.py", "analysis/nlp/features.py",
    "analysis/nlp/ngrams.py", "analysis/nlp/profanity.py", "analysis/nlp/sentiment_model.py",
    "analysis/nlp/scoring_model.py", "data/scoring_model.json", "data/models/*",
)
# Parquet schema-metadata key under which the table's attrs (scoring settings) are kept.
META_KEY: Final = b"backfire"
SUFFIX: Final = ".parquet"
REPORT_SUFFIX: Final = ".report.json"
# Hash files in 1 MiB chunks: bounded memory for archives of any size.
CHUNK_BYTES: Final = 1 << 20
# Separator of list items when hashing or restoring list columns (cannot occur in a hashtag
# or handle).
LIST_SEP: Final = "\x1f"
CANONICAL_DTYPES: Final[dict[str, str]] = {**schema.COLUMNS, **schema.SCORE_COLUMNS}
# Entries kept, least recently used dropped first: the three bundled cases at a few thresholds
# plus a dozen user archives. Each threshold or cue-term change is a new entry (a 1M-tweet
# table is ~80 MB), so without a bound the threshold slider would fill the disk.
MAX_ENTRIES: Final = 32

log = logging.getLogger(__name__)
_file_hashes: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class Scored:
    """A scored table, the loader's report (None for a table given in memory) and its key."""

    table: pd.DataFrame
    report: dict[str, Any] | None
    key: str
    from_cache: bool


# --- keys ---------------------------------------------------------------------------------------

def file_hash(files: str | Path | Sequence[str | Path]) -> str:
    """SHA-256 of the files' bytes, in the given order (memoised per path, size and mtime)."""
    items = [files] if isinstance(files, str | Path) else list(files)
    outer = hashlib.sha256()
    for item in items:
        outer.update(_one_file_hash(Path(item)).encode())
    return outer.hexdigest()


def _one_file_hash(path: Path) -> str:
    stat = path.stat()
    memo = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if memo not in _file_hashes:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
        _file_hashes[memo] = digest.hexdigest()
    return _file_hashes[memo]


def table_hash(table: pd.DataFrame) -> str:
    """SHA-256 of a table's canonical content (column names, values; list columns included)."""
    digest = hashlib.sha256()
    for name in table.columns:
        column = table[name]
        if column.dtype == object:
            column = pd.Series([LIST_SEP.join(map(str, v)) if isinstance(v, list | tuple | np.ndarray)
                                else str(v) for v in column], dtype="string")
        digest.update(str(name).encode())
        digest.update(pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def code_fingerprint() -> str:
    """SHA-256 over the loading and scoring code and the model file.

    ``LOADING_SOURCES`` and ``SCORING_SOURCES`` are glob patterns under the project root;
    files are hashed in sorted order, missing ones skipped.
    """
    return sources_fingerprint((*LOADING_SOURCES, *SCORING_SOURCES))


def sources_fingerprint(patterns: Sequence[str]) -> str:
    """SHA-256 over the files matching ``patterns`` (globs under the project root), each with
    its relative path, in sorted order per pattern; missing files are skipped."""
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(paths.PROJECT_ROOT.glob(pattern)):
            if path.is_file():
                digest.update(path.relative_to(paths.PROJECT_ROOT).as_posix().encode())
                digest.update(_one_file_hash(path).encode())
    return digest.hexdigest()


def cache_key(input_hash: str, *, threshold: float | None = None,
              cue_terms: Sequence[str] = ()) -> str:
    """The cache key of an input scored with these parameters."""
    params = {
        "input": input_hash, "version": ANALYSIS_VERSION, "code": code_fingerprint(),
        "threshold": None if threshold is None else round(float(threshold), 6),
        "cue_terms": sorted({t.strip().lower() for t in cue_terms if t.strip()}),
    }
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:32]


# --- store --------------------------------------------------------------------------------------

def entry_path(key: str) -> Path:
    return paths.cache_dir() / f"{key}{SUFFIX}"


def save(key: str, table: pd.DataFrame, report: dict[str, Any] | None = None) -> Path:
    """Write a cache entry atomically: the report first, the table last."""
    target = entry_path(key)
    if report is not None:
        with atomic.atomic_writer(target.with_suffix(REPORT_SUFFIX)) as out:
            out.write(json.dumps(report, default=str).encode("utf-8"))
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    meta = dict(arrow.schema.metadata or {})
    meta[META_KEY] = json.dumps({"attrs": _json_safe(table.attrs)}, default=str).encode()
    arrow = arrow.replace_schema_metadata(meta)
    with atomic.atomic_writer(target) as out:
        pq.write_table(arrow, out)
    prune(MAX_ENTRIES)
    return target


def load(key: str) -> Scored | None:
    """The cached entry for ``key``, or None (missing or unreadable: a miss, never an error)."""
    target = entry_path(key)
    if not target.is_file():
        return None
    try:
        arrow = pq.read_table(target, memory_map=True)
        lists = {name: _pylists(arrow.column(name)) for name in schema.LIST_COLUMNS
                 if name in arrow.column_names}
        table = restore(arrow.drop_columns(list(lists)).to_pandas())
        for name, values in lists.items():
            table[name] = pd.Series(values, index=table.index, dtype="object")
        table = table[[c for c in arrow.column_names if c in table.columns]]
        meta = json.loads((arrow.schema.metadata or {}).get(META_KEY, b"{}"))
        report_file = target.with_suffix(REPORT_SUFFIX)
        report = json.loads(report_file.read_text("utf-8")) if report_file.is_file() else None
    except (OSError, ValueError, pa.ArrowException) as err:
        log.warning("score cache entry %s unreadable (%s): treated as a miss, rebuilt", key, err)
        return None
    table.attrs = dict(meta.get("attrs", {}))
    with contextlib.suppress(OSError):
        os.utime(target)  # recently used: pruned last
    return Scored(table=table, report=report, key=key, from_cache=True)


def restore(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical dtypes after a Parquet round trip: lists back to lists, strings, UTC times."""
    for name, dtype in CANONICAL_DTYPES.items():
        if name not in frame.columns:
            continue
        if name in schema.LIST_COLUMNS:
            frame[name] = pd.Series([v.tolist() if isinstance(v, np.ndarray) else list(v or [])
                                     for v in frame[name]], index=frame.index, dtype="object")
        elif str(frame[name].dtype) != dtype:
            frame[name] = frame[name].astype(dtype)
    return frame


def _pylists(column: pa.ChunkedArray) -> list[list[str]]:
    """A list<string> column as Python lists (a null list becomes an empty list).

    Tweets repeat a handful of distinct tag lists, so each distinct list is built once and
    rows holding equal lists share it: 10x faster than one new list per row on a million
    rows. Treat the cells as read-only (copy a list before changing it).
    """
    kind = column.type
    if not (pa.types.is_list(kind) or pa.types.is_large_list(kind)) or not (
            pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type)):
        # e.g. list<null> when every list is empty
        return [v if isinstance(v, list) else [] for v in column.to_pylist()]
    joined = pc.binary_join(column, LIST_SEP).combine_chunks().dictionary_encode()
    codes = joined.indices.fill_null(-1).to_numpy(zero_copy_only=False).tolist()
    distinct: list[list[str]] = [u.split(LIST_SEP) if u else [] for u in joined.dictionary.to_pylist()]
    distinct.append([])  # code -1: a null list
    return [distinct[c] for c in codes]


def prune(keep: int = MAX_ENTRIES) -> int:
    """Delete all but the ``keep`` most recently used entries; returns how many were removed."""
    old = least_recently_used(paths.cache_dir().glob(f"*{SUFFIX}"), keep)
    for path in old:
        path.unlink(missing_ok=True)
        path.with_suffix(REPORT_SUFFIX).unlink(missing_ok=True)
    return len(old)


def least_recently_used(files: Iterable[Path], keep: int) -> list[Path]:
    """The ``files`` beyond the ``keep`` most recently used (a read touches its file): the
    ones a bounded store deletes."""
    return sorted(files, key=_mtime, reverse=True)[keep:]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed meanwhile by another process
        return 0.0


def clear() -> int:
    """Delete every cache entry; returns how many files were removed."""
    removed = 0
    for path in paths.cache_dir().iterdir():
        if path.is_file() and (path.suffix == SUFFIX or path.name.endswith(REPORT_SUFFIX)):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value
