"""Small hand-built scored tables for the metrics tests (answers computable by hand)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis import schema

T0 = pd.Timestamp("2014-04-22 18:00", tz="UTC")


def tweet(minute: float, *, id: str | None = None, author: str = "a", text: str = "hello",
          hostile: bool = False, compound: float = 0.0, rt_of: str | None = None,
          rt_author: str | None = None, reply_to: str | None = None, quote_of: str | None = None,
          hashtags: list[str] | None = None, mentions: list[str] | None = None,
          lang: str = "en", counts: tuple[int | None, ...] | None = None,
          semantics: str = "unknown") -> dict[str, Any]:
    """One row, ``minute`` minutes after ``T0``. ``counts``: (retweets, likes, replies, quotes)."""
    row: dict[str, Any] = {
        "id": id, "created_at": T0 + pd.Timedelta(minutes=minute), "text": text,
        "author": author, "is_retweet": rt_of is not None, "retweeted_id": rt_of,
        "retweeted_author": rt_author, "is_reply": reply_to is not None,
        "in_reply_to_id": reply_to, "is_quote": quote_of is not None, "quoted_id": quote_of,
        "lang": lang, "hashtags": hashtags or [], "mentions": mentions or [],
        "metrics_semantics": semantics, "hostile": hostile, "compound": compound,
        "hostile_prob": 0.9 if hostile else 0.1,
        "sentiment": "negative" if compound <= -0.05 else "positive" if compound >= 0.05 else "neutral",
    }
    names = schema.ENGAGEMENT_COLUMNS
    for name, value in zip(names, counts or (None,) * 4, strict=True):
        row[name] = value
    return row


def table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A canonical table with score columns; ids default to "1", "2", … in row order."""
    for n, row in enumerate(rows, start=1):
        if row["id"] is None:
            row["id"] = str(n)
    raw = pd.DataFrame(rows)
    out = schema.conform(raw)
    out["compound"] = raw["compound"].astype("float64")
    out["pos"] = 0.0
    out["neg"] = 0.0
    out["neu"] = 1.0
    out["sentiment"] = raw["sentiment"].astype("string")
    out["hostile_prob"] = raw["hostile_prob"].astype("float64")
    out["hostile"] = raw["hostile"].astype(bool)
    return out
