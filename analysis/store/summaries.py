"""A case's summaries on disk, beside its scored table: what the deep-dive's Language and
Themes tabs (and the story's theme lines) show of the whole case, computed once per scored
table instead of on every server's first open.

The key is the scored table's cache key (``analysis.store.cache``: the archive's bytes, the
loading and scoring code, the model files, the threshold and cue terms), so a new archive or
a new scoring model invalidates the summaries with the table, followed by a SHA-256 over
- a fingerprint of the code that derives them (``SUMMARY_SOURCES``) and
  ``analysis.ANALYSIS_VERSION``;
- the caller's parameters (the case's stopwords, target terms, kept window, library
  versions): a case edited in the library gets new summaries.

Besides the terms and themes, the summaries hold the Language tab's two word clouds as PNG
(a cloud takes longer to draw than the terms take to count).

Each entry is one small JSON file ``<score key>.<digest>.summary.json`` in
``paths.cache_dir()`` (copying a scored table's ``<score key>.*`` files takes it along),
written atomically; a file that fails to read is a miss. At most ``MAX_ENTRIES`` are kept, the least
recently used go first. The score cache's globs (``*.parquet``, ``*.report.json``) never
match these files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Final

from analysis import ANALYSIS_VERSION
from analysis.store import atomic, cache, paths

# Files whose bytes define the summaries (globs under the project root): tokenising, terms,
# stance filters, themes, the word clouds' drawing. A change in any of them invalidates every
# summary.
SUMMARY_SOURCES: Final[tuple[str, ...]] = (
    "analysis/metrics/terms.py", "analysis/metrics/themes.py", "analysis/metrics/filters.py",
    "analysis/schema.py", "analysis/charts.py",
)
SUFFIX: Final = ".summary.json"
# Hex digits of the digest after the score key (64 bits: no collision among a few entries).
DIGEST_CHARS: Final = 16
# Entries kept (a few hundred kB each): every bundled case plus the user's saved cases, at
# a few thresholds, like the score cache's bound.
MAX_ENTRIES: Final = 64

log = logging.getLogger(__name__)


def key(score_key: str, params: dict[str, Any]) -> str:
    """The summaries' key: ``<score key>.<digest>``, the digest over the code and the caller's
    parameters, so the entry sits beside its scored table and goes with it."""
    payload = {"scored": score_key, "version": ANALYSIS_VERSION,
               "code": cache.sources_fingerprint(SUMMARY_SOURCES), "params": params}
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode())
    return f"{score_key}.{digest.hexdigest()[:DIGEST_CHARS]}"


def entry_path(entry_key: str) -> Path:
    return paths.cache_dir() / f"{entry_key}{SUFFIX}"


def load(entry_key: str) -> dict[str, Any] | None:
    """The stored summaries, or None (missing or unreadable: a miss, never an error)."""
    target = entry_path(entry_key)
    try:
        payload = json.loads(target.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        log.warning("summary %s unreadable (%s): treated as a miss, rebuilt", entry_key, err)
        return None
    if not isinstance(payload, dict):
        return None
    with contextlib.suppress(OSError):
        os.utime(target)  # recently used: pruned last
    return payload


def save(entry_key: str, payload: dict[str, Any]) -> Path:
    """Write the summaries atomically, then prune the oldest beyond ``MAX_ENTRIES``."""
    target = entry_path(entry_key)
    with atomic.atomic_writer(target) as out:
        out.write(json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    prune(MAX_ENTRIES)
    return target


def entries() -> list[Path]:
    """The stored summaries' files."""
    return sorted(paths.cache_dir().glob(f"*{SUFFIX}"))


def prune(keep: int = MAX_ENTRIES) -> int:
    """Delete all but the ``keep`` most recently used summaries; returns how many went."""
    old = cache.least_recently_used(entries(), keep)
    for path in old:
        path.unlink(missing_ok=True)
    return len(old)


def clear() -> int:
    """Delete every summary; returns how many files were removed."""
    found = entries()
    for path in found:
        path.unlink(missing_ok=True)
    return len(found)
