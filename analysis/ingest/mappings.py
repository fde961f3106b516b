"""Column mappings for spreadsheets of unknown layout: guessed, corrected by the user, saved.

A mapping names, for canonical columns, the header that holds them (``id``, ``created_at``
and ``text`` required) and the zone of times written without one. Mappings are saved by
the *signature* of the header (its cleaned names), in ``<data dir>/mappings.json``, so the
next file with the same header is read with it again, and so are the files of a saved case
when they are loaded later. A listening-suite export whose times carry no zone keeps the
zone the user picked the same way (a mapping without columns).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from analysis.store import atomic, paths

FILE_NAME: Final = "mappings.json"
# Canonical columns a mapping may name, in the order the mapping screen shows them.
MAPPABLE: Final[tuple[str, ...]] = (
    "id", "created_at", "text", "author", "author_followers", "retweet_count", "like_count",
    "reply_count", "quote_count", "lang", "hashtags", "platform", "url", "vendor_sentiment",
)
REQUIRED: Final[tuple[str, ...]] = ("id", "created_at", "text")
# Header words that suggest each canonical column (lower-case; whole-word matches win over
# substrings; the first column of the file that matches is guessed).
HINTS: Final[dict[str, tuple[str, ...]]] = {
    "id": ("id", "post id", "tweet id", "status id", "message id", "mention id", "guid", "uid",
           "document id", "resource id", "id_str"),
    "created_at": ("created_at", "created", "date", "time", "timestamp", "published", "posted",
                   "datetime", "date time", "created time"),
    "text": ("text", "full text", "content", "message", "body", "tweet", "post", "caption",
             "snippet", "hit sentence", "mention"),
    "author": ("author", "username", "user", "handle", "screen name", "screen_name", "from",
               "account", "user name", "author handle", "who", "poster", "name"),
    "author_followers": ("followers", "follower count", "followers_count", "audience"),
    "retweet_count": ("retweets", "retweet count", "reposts", "shares", "boosts"),
    "like_count": ("likes", "like count", "favorites", "favourites", "hearts"),
    "reply_count": ("replies", "reply count", "comments"),
    "quote_count": ("quotes", "quote count"),
    "lang": ("lang", "language"),
    "hashtags": ("hashtags", "tags"),
    "platform": ("platform", "network", "source", "site", "page type"),
    "url": ("url", "link", "permalink", "perma_link"),
    "vendor_sentiment": ("sentiment", "tone"),
}
_WORDS = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"^\d{1,20}$")


@dataclass(frozen=True)
class ColumnMapping:
    """What the user said about a layout: header per canonical column, and the time zone."""

    columns: dict[str, str] = field(default_factory=dict)
    tz: str = "UTC"
    saved: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"columns": dict(self.columns), "tz": self.tz, "saved": self.saved}


def signature(header: Sequence[str]) -> str:
    """A stable key for a header: its cleaned names in order."""
    cleaned = "\x1f".join(h.strip().lower() for h in header)
    return hashlib.sha256(cleaned.encode("utf-8")).hexdigest()[:24]


def _store() -> Path:
    return paths.data_dir() / FILE_NAME


def _read() -> dict[str, Any]:
    try:
        data = json.loads(_store().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def find(header: Sequence[str]) -> ColumnMapping | None:
    """The mapping saved for this header, if any (a damaged entry counts as none)."""
    entry = _read().get(signature(header))
    if not isinstance(entry, dict):
        return None
    found = entry.get("columns")
    columns: dict[Any, Any] = found if isinstance(found, dict) else {}
    names = set(h.strip() for h in header)
    usable = {str(k): str(v) for k, v in columns.items() if k in MAPPABLE and str(v) in names}
    return ColumnMapping(usable, str(entry.get("tz") or "UTC"), str(entry.get("saved") or ""))


def remember(header: Sequence[str], columns: Mapping[str, str], tz: str = "UTC") -> ColumnMapping:
    """Save a mapping for this header (replacing an earlier one); return it."""
    mapping = ColumnMapping({k: v for k, v in columns.items() if v},
                            tz, pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ"))
    data = _read()
    data[signature(header)] = {**mapping.to_dict(), "header": list(header)}
    atomic.write_bytes(_store(), json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))
    return mapping


def _normal(name: str) -> str:
    return _WORDS.sub(" ", name.lower()).strip()


def guess(header: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[str, str]:
    """A first guess of the mapping from header names and the first rows' values."""
    names = [_normal(h) for h in header]
    taken: set[str] = set()
    out: dict[str, str] = {}
    for canon in MAPPABLE:
        hints = HINTS[canon]
        found = next((h for h, n in zip(header, names, strict=True) if n in hints and h not in taken), None)
        if found is None:
            found = next((h for h, n in zip(header, names, strict=True)
                          if h not in taken and any(f" {hint} " in f" {n} " for hint in hints)), None)
        if found is not None:
            out[canon] = found
            taken.add(found)
    _fix_id(out, header, rows)
    if "text" not in out:
        longest = _longest_text(header, rows, taken)
        if longest:
            out["text"] = longest
    return out


def _column(header: Sequence[str], rows: Sequence[Sequence[str]], name: str) -> list[str]:
    index = list(header).index(name)
    return [row[index] for row in rows if index < len(row)]


def _fix_id(out: dict[str, str], header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Prefer a column of digits for the id (an X or Mastodon id), when the guess is not one."""
    current = out.get("id")
    if current and all(_DIGITS.match(v.strip()) for v in _column(header, rows, current) if v.strip()):
        return
    for name in header:
        values = [v.strip() for v in _column(header, rows, name) if v.strip()]
        if values and all(_DIGITS.match(v) and len(v) >= 6 for v in values) and name not in out.values():
            out["id"] = name
            return


def _longest_text(header: Sequence[str], rows: Sequence[Sequence[str]], taken: set[str]) -> str | None:
    best, length = None, 0.0
    for name in header:
        if name in taken:
            continue
        values = _column(header, rows, name)
        mean = sum(len(v) for v in values) / len(values) if values else 0.0
        if mean > length:
            best, length = name, mean
    return best
