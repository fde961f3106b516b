"""Engagement per authored post, and the top-engagement hostile posts.

A *post* is an authored tweet: an original, a reply or a quote. Retweets are collapsed onto
the post they repeat. When a retweeted post is not itself in the archive (sampled streams,
searches that start after it), it is rebuilt from its retweets (``original_in_archive`` False,
``created_at`` unknown, ``first_seen`` = its first retweet).

Engagement of a post = retweets + likes + replies + quotes. Two measures exist:
- *reported*: the counts carried by the archive, trusted only when ``metrics_semantics`` is
  "snapshot" (counted after the fact); for a rebuilt post, the counts its retweets copied from
  it ("copied_from_original"); unknown otherwise (stream captures record zeros at posting time);
- *in-dataset*: how many retweets, replies and quotes of the post the archive itself holds,
  a lower bound of the true engagement.
``engagement`` is the larger of the two (an in-dataset count above the reported one proves the
reported one stale, e.g. a capture-time zero); ``engagement_source`` says which was used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from analysis import schema
from analysis.metrics.filters import hostile_mask

# Only counts collected after the fact measure a post's reach; see schema.METRICS_SEMANTICS.
RELIABLE_SEMANTICS: Final[frozenset[str]] = frozenset({"snapshot"})
# Retweet rows carrying their original's counts: usable for a post rebuilt from its retweets.
COPIED_SEMANTICS: Final[frozenset[str]] = frozenset({"copied_from_original"})
DEFAULT_TOP: Final = 20

SCORE_KEEP: Final[tuple[str, ...]] = ("compound", "sentiment", "hostile_prob", "hostile")
POST_COLUMNS: Final[tuple[str, ...]] = (
    "id", "kind", "author", "created_at", "first_seen", "text", "original_in_archive",
    "retweets_in_dataset", "replies_in_dataset", "quotes_in_dataset", "in_dataset_engagement",
    "reported_engagement", "engagement", "engagement_source",
    *schema.ENGAGEMENT_COLUMNS,
)


@dataclass(frozen=True)
class Engagement:
    """Per-post arrays (one entry per post, authored posts first, then rebuilt ones).

    ``row``: position (iloc) in the table of the post's own row, or of its first retweet for a
    rebuilt post; ``reported`` is NaN when unknown.
    """

    row: np.ndarray
    rebuilt: np.ndarray
    retweets: np.ndarray
    replies: np.ndarray
    quotes: np.ndarray
    reported: np.ndarray
    engagement: np.ndarray
    from_reported: np.ndarray
    first_seen: np.ndarray

    @property
    def in_dataset(self) -> np.ndarray:
        return self.retweets + self.replies + self.quotes


@dataclass(frozen=True)
class _Links:
    """Integer codes of the ids a table refers to (-1 = missing), one factorisation for all."""

    authored: np.ndarray   # row positions of authored posts
    retweets: np.ndarray   # row positions of retweets
    own: np.ndarray        # code of each authored post's id
    rt_of: np.ndarray      # code of each retweet's retweeted id
    reply_to: np.ndarray   # code of each authored post's replied-to id
    quote_of: np.ndarray   # code of each quote's quoted id
    size: int              # number of distinct ids


def _links(table: pd.DataFrame) -> _Links:
    is_rt = table["is_retweet"].to_numpy(dtype=bool)
    authored, rts = np.flatnonzero(~is_rt), np.flatnonzero(is_rt)
    quotes_at = authored[table["is_quote"].to_numpy(dtype=bool)[authored]]
    pieces = [table["id"].iloc[authored], table["retweeted_id"].iloc[rts],
              table["in_reply_to_id"].iloc[authored], table["quoted_id"].iloc[quotes_at]]
    codes, uniques = pd.factorize(pd.concat(pieces, ignore_index=True))
    bounds = np.cumsum([0, *(len(p) for p in pieces)])
    own, rt_of, reply_to, quote_of = (codes[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True))
    return _Links(authored, rts, own, rt_of, reply_to, quote_of, len(uniques))


def _first_retweets(links: _Links, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Retweets of ids absent from the archive: (their rows, their codes, and for each absent
    id its code and first retweet's row)."""
    present = np.zeros(links.size, dtype=bool)
    present[links.own[links.own >= 0]] = True
    absent = (links.rt_of >= 0) & ~present[np.maximum(links.rt_of, 0)]
    rows, codes = links.retweets[absent], links.rt_of[absent]
    order = np.lexsort((rows, times[rows], codes))
    first = np.unique(codes[order], return_index=True)[1]
    if len(first) == 0:
        return rows, codes, np.zeros((2, 0), dtype=np.int64)
    return rows, codes, np.stack([codes[order][first], rows[order][first]])


def measure(table: pd.DataFrame) -> Engagement:
    """Resolve every post's engagement with array operations (no per-post Python)."""
    links = _links(table)
    times = table["created_at"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    rt_rows, rt_codes, rebuilt = _first_retweets(links, times)
    post_codes = np.concatenate([links.own, rebuilt[0]])
    safe, known = np.maximum(post_codes, 0), post_codes >= 0
    retweets, replies, quotes = (np.where(known, np.bincount(c[c >= 0], minlength=links.size)[safe], 0)
                                 for c in (links.rt_of, links.reply_to, links.quote_of))
    reported = np.concatenate([_reported_authored(table, links.authored),
                               _reported_rebuilt(table, rt_rows, rt_codes, rebuilt[0], links.size)])
    in_dataset = retweets + replies + quotes
    engagement = np.maximum(np.nan_to_num(reported, nan=0.0).astype(np.int64), in_dataset)
    from_reported = ~np.isnan(reported) & (np.nan_to_num(reported, nan=-1) >= in_dataset) & (engagement > 0)
    rows = np.concatenate([links.authored, rebuilt[1]]).astype(np.int64)
    return Engagement(row=rows, rebuilt=np.arange(len(rows)) >= len(links.authored),
                      retweets=retweets, replies=replies, quotes=quotes, reported=reported,
                      engagement=engagement, from_reported=from_reported, first_seen=times[rows])


def _counts_sum(table: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Sum of the four counts at ``rows``; NaN only where all four are unknown."""
    values = np.column_stack([table[c].to_numpy(dtype=float, na_value=np.nan)[rows]
                              for c in schema.ENGAGEMENT_COLUMNS])
    total = np.nansum(values, axis=1)
    return np.where(np.isnan(values).all(axis=1), np.nan, total) if len(rows) else np.zeros(0)


def _reported_authored(table: pd.DataFrame, authored: np.ndarray) -> np.ndarray:
    reliable = table["metrics_semantics"].isin(list(RELIABLE_SEMANTICS)).to_numpy(dtype=bool)
    return np.where(reliable[authored], _counts_sum(table, authored), np.nan)


def _reported_rebuilt(table: pd.DataFrame, rt_rows: np.ndarray, rt_codes: np.ndarray,
                      rebuilt_codes: np.ndarray, n: int) -> np.ndarray:
    """For a rebuilt post: the largest count total its retweets copied from it."""
    copied = table["metrics_semantics"].isin(list(COPIED_SEMANTICS)).to_numpy(dtype=bool)[rt_rows]
    best = np.full(n, -1.0)
    totals = _counts_sum(table, rt_rows[copied])
    ok = ~np.isnan(totals)
    np.maximum.at(best, rt_codes[copied][ok], totals[ok])
    out = best[rebuilt_codes] if len(rebuilt_codes) else np.zeros(0)
    return np.where(out < 0, np.nan, out)


def posts(table: pd.DataFrame) -> pd.DataFrame:
    """Every authored post with its resolved engagement, columns ``POST_COLUMNS`` + scores."""
    return _frame(table, measure(table), None)


def top_hostile_posts(table: pd.DataFrame, n: int = DEFAULT_TOP, *,
                      hostile_only: bool = True) -> pd.DataFrame:
    """The ``n`` posts with the most engagement (hostile ones only by default), with their URL.

    Ties are broken by first appearance, then archive order. Adds ``rank`` (1 = most engaged)
    and ``url``.
    """
    found = measure(table)
    keep = np.ones(len(found.row), dtype=bool)
    if hostile_only:
        hostile = hostile_mask(table)
        if hostile is None:
            empty = _frame(table, found, np.zeros(0, dtype=np.int64))
            return empty.assign(rank=pd.Series(dtype=int), url=pd.Series(dtype=str))
        keep = hostile[found.row]
    candidates = np.flatnonzero(keep)
    order = np.lexsort((candidates, found.first_seen[candidates], -found.engagement[candidates]))
    picked = candidates[order][:n]
    frame = _frame(table, found, picked)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame["url"] = _urls(table, found, picked, frame)
    return frame


def _urls(table: pd.DataFrame, found: Engagement, picked: np.ndarray, frame: pd.DataFrame) -> list[str | None]:
    """Each post's public address on its platform (a rebuilt original has no URL of its own)."""
    base = table.iloc[found.row[picked]].reset_index(drop=True)
    links = pd.DataFrame({"id": frame["id"], "author": frame["author"]})
    if "platform" in base.columns:
        links["platform"] = base["platform"]
        links["url"] = base["url"].where(~found.rebuilt[picked], None)
    return schema.post_urls(links)


def hostile_engagement_share(table: pd.DataFrame) -> tuple[float | None, str | None]:
    """Share of all post engagement captured by hostile posts, or (None, reason)."""
    hostile = hostile_mask(table)
    if hostile is None:
        return None, "the table is not scored (no hostile column)"
    found = measure(table)
    total = int(found.engagement.sum())
    if total == 0:
        return None, "no engagement observed: no counts and no in-dataset retweets, replies or quotes"
    return float(found.engagement[hostile[found.row]].sum()) / total, None


def _frame(table: pd.DataFrame, found: Engagement, pick: np.ndarray | None) -> pd.DataFrame:
    """Materialise posts (all, or the ``pick`` positions) as a DataFrame."""
    idx = np.arange(len(found.row)) if pick is None else pick
    rows = found.row[idx]
    rebuilt = found.rebuilt[idx]
    base = table.iloc[rows].reset_index(drop=True)
    out = pd.DataFrame(index=base.index)
    out["id"] = base["id"].where(~rebuilt, base["retweeted_id"])
    out["kind"] = schema.kind(base).where(~rebuilt, "original").astype("string")
    out["author"] = base["author"].where(~rebuilt, base["retweeted_author"])
    out["created_at"] = base["created_at"].where(~rebuilt, pd.NaT)
    out["first_seen"] = base["created_at"]
    text = base["text"].copy()
    if rebuilt.any():
        text[rebuilt] = schema.original_texts(text[rebuilt])
    out["text"] = text
    out["original_in_archive"] = ~rebuilt
    out["retweets_in_dataset"] = found.retweets[idx]
    out["replies_in_dataset"] = found.replies[idx]
    out["quotes_in_dataset"] = found.quotes[idx]
    out["in_dataset_engagement"] = found.in_dataset[idx]
    out["reported_engagement"] = pd.array(found.reported[idx], dtype="Float64").round().astype("Int64")
    out["engagement"] = found.engagement[idx]
    out["engagement_source"] = pd.array(np.where(found.from_reported[idx], "reported", "in_dataset"),
                                        dtype="string")
    for column in schema.ENGAGEMENT_COLUMNS:
        out[column] = base[column].where(~rebuilt, pd.NA)
    for column in SCORE_KEEP:
        if column in base.columns:
            out[column] = base[column]
    return out
