"""The fitted scalars of scoring, stored as data: ``data/scoring_model.json``.

It holds a handful of numbers with their provenance (dataset, split, date, command): the
sentiment label thresholds and the hostility combiner's weights and default threshold. No
benchmark text or vocabulary is ever stored. ``benchmarks/evaluate.py --fit`` rewrites it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Final

from analysis.store import atomic, paths

MODEL_FILE: Final = paths.PROJECT_ROOT / "data" / "scoring_model.json"


@functools.cache
def load(path: Path = MODEL_FILE) -> dict[str, Any]:
    """The stored model, or ``{}`` when the file does not exist yet."""
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def save(model: dict[str, Any], path: Path = MODEL_FILE) -> None:
    """Write the model atomically (temporary file, then rename) and forget the cached copy."""
    with atomic.atomic_writer(path) as out:
        out.write((json.dumps(model, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    load.cache_clear()
