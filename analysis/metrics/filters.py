"""Filters on a scored tweet table: time window, keyword, language, stance, retweets.

Every dashboard widget and every export reads the same filtered table, so the filters live
here once, as data (``STANCES``) and one pure function (``apply``).

A filtered table keeps the canonical columns, the score columns and the original index (so a
selection can be traced back to the full table).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from analysis.errors import BackfireError

# stance name -> (label, [(column, required value), ...]); all conditions must hold.
# "supportive" is deliberately stricter than "not hostile": not attacking AND positive mood.
STANCES: Final[dict[str, tuple[str, tuple[tuple[str, object], ...]]]] = {
    "all": ("All tweets", ()),
    "hostile": ("Hostile to the brand or campaign", (("hostile", True),)),
    "not_hostile": ("Not hostile", (("hostile", False),)),
    "supportive": ("Supportive (not hostile, positive mood)",
                   (("hostile", False), ("sentiment", "positive"))),
    "negative": ("Negative mood (VADER)", (("sentiment", "negative"),)),
    "neutral": ("Neutral mood (VADER)", (("sentiment", "neutral"),)),
    "positive": ("Positive mood (VADER)", (("sentiment", "positive"),)),
}

# Twitter's own code for an undetermined language; rows without a language code count as it.
UNKNOWN_LANGUAGE: Final = "und"


@dataclass(frozen=True)
class Filters:
    """What to keep. The default keeps everything.

    - ``start``/``end``: UTC time window, ``start`` inclusive, ``end`` exclusive.
    - ``keyword``: case-insensitive literal substring of the text (not a regex).
    - ``languages``: keep these ``lang`` codes only (empty: all languages).
    - ``stance``: a key of ``STANCES``.
    - ``include_retweets``: False drops retweet rows.
    - ``platforms``: keep posts of these platforms only (empty: all).
    """

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    keyword: str | None = None
    languages: tuple[str, ...] = field(default_factory=tuple)
    stance: str = "all"
    include_retweets: bool = True
    # keep these platforms only (schema.PLATFORMS keys; empty: all). A row without one is X.
    platforms: tuple[str, ...] = field(default_factory=tuple)

    def is_default(self) -> bool:
        return self == Filters()


def window(launch: pd.Timestamp, start_hours: float | None = None,
           end_hours: float | None = None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """A time window given in hours since ``launch``, as UTC timestamps (None = open end)."""
    start = None if start_hours is None else launch + pd.Timedelta(hours=start_hours)
    end = None if end_hours is None else launch + pd.Timedelta(hours=end_hours)
    return start, end


def apply(table: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows of ``table`` that pass every filter (index preserved)."""
    if filters.stance not in STANCES:
        raise BackfireError(f"unknown stance {filters.stance!r}; choose one of {', '.join(STANCES)}")
    if filters.is_default():
        return table
    return table.loc[mask(table, filters)]


def mask(table: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Boolean array: which rows pass every filter."""
    keep = np.ones(len(table), dtype=bool)
    if filters.start is not None:
        keep &= (table["created_at"] >= _utc(filters.start)).fillna(False).to_numpy(dtype=bool)
    if filters.end is not None:
        keep &= (table["created_at"] < _utc(filters.end)).fillna(False).to_numpy(dtype=bool)
    if filters.keyword and filters.keyword.strip():
        found = table["text"].str.contains(filters.keyword.strip(), case=False, regex=False)
        keep &= found.fillna(False).to_numpy(dtype=bool)
    if filters.languages:
        lang = table["lang"].fillna(UNKNOWN_LANGUAGE)
        keep &= lang.isin(list(filters.languages)).to_numpy(dtype=bool)
    if filters.platforms and "platform" in table.columns:
        keep &= table["platform"].fillna("x").isin(list(filters.platforms)).to_numpy(dtype=bool)
    if not filters.include_retweets:
        keep &= ~table["is_retweet"].to_numpy(dtype=bool)
    for column, value in STANCES[filters.stance][1]:
        if column not in table.columns:
            raise BackfireError(f"the stance filter needs scored tweets (column {column!r} missing)")
        keep &= (table[column] == value).fillna(False).to_numpy(dtype=bool)
    return keep


def languages(table: pd.DataFrame) -> list[tuple[str, int]]:
    """Language codes present, most frequent first, with their tweet counts (for a picker)."""
    counts = table["lang"].fillna(UNKNOWN_LANGUAGE).value_counts()
    return [(str(code), int(n)) for code, n in counts.items()]


def platforms(table: pd.DataFrame) -> list[tuple[str, int]]:
    """Platforms present, most frequent first, with their post counts (a row without one is X)."""
    if "platform" not in table.columns:
        return [("x", len(table))] if len(table) else []
    counts = table["platform"].fillna("x").value_counts()
    return [(str(name), int(n)) for name, n in counts.items()]


def hostile_mask(table: pd.DataFrame) -> np.ndarray | None:
    """The ``hostile`` column as a numpy bool array, or None when the table is not scored."""
    if "hostile" not in table.columns:
        return None
    return table["hostile"].fillna(False).to_numpy(dtype=bool)


def _utc(value: pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
