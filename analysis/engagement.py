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

from typing import Final

import numpy as np
import pandas as pd

from analysis import schema
from analysis.filters import hostile_mask

# Only counts collected after the fact measure a post's reach; see schema.METRICS_SEMANTICS.
RELIABLE_SEMANTICS: Final[frozenset[str]] = frozenset({"snapshot"})
# Retweet rows carrying their original's counts: usable for a post rebuilt from its retweets.
COPIED_SEMANTICS: Final[frozenset[str]] = frozenset({"copied_from_original"})
# "RT @author: " prefix of a retweet's rebuilt text (schema convention).
RT_PREFIX: Final = r"^RT @[^:\s]+: "
DEFAULT_TOP: Final = 20

SCORE_KEEP: Final[tuple[str, ...]] = ("compound", "sentiment", "hostile_prob", "hostile")
POST_COLUMNS: Final[tuple[str, ...]] = (
    "id", "kind", "author", "created_at", "first_seen", "text", "original_in_archive",
    "retweets_in_dataset", "replies_in_dataset", "quotes_in_dataset", "in_dataset_engagement",
    "reported_engagement", "engagement", "engagement_source",
    *schema.ENGAGEMENT_COLUMNS,
)


def posts(table: pd.DataFrame) -> pd.DataFrame:
    """Every authored post with its resolved engagement, columns ``POST_COLUMNS`` + scores."""
    is_rt = table["is_retweet"].to_numpy(dtype=bool)
    authored = table.loc[~is_rt]
    retweets = table.loc[is_rt]
    rebuilt = _rebuilt_originals(retweets, authored["id"])
    out = pd.concat([_authored_posts(authored), rebuilt], ignore_index=True)
    out = _with_in_dataset(out, retweets, authored)
    out["engagement"] = np.maximum(
        out["reported_engagement"].fillna(0).to_numpy(dtype=np.int64),
        out["in_dataset_engagement"].to_numpy(dtype=np.int64))
    reported_wins = (out["reported_engagement"].fillna(-1).to_numpy(dtype=np.int64)
                     >= out["in_dataset_engagement"].to_numpy()) & (out["engagement"] > 0)
    out["engagement_source"] = pd.array(np.where(reported_wins, "reported", "in_dataset"),
                                        dtype="string")
    keep = [*POST_COLUMNS, *(c for c in SCORE_KEEP if c in out.columns)]
    return out[keep]


def top_hostile_posts(table: pd.DataFrame, n: int = DEFAULT_TOP, *,
                      hostile_only: bool = True) -> pd.DataFrame:
    """The ``n`` posts with the most engagement (hostile ones only by default), with their URL.

    Ties are broken by first appearance, then id. Adds ``rank`` (1 = most engaged) and ``url``.
    """
    frame = posts(table)
    if hostile_only:
        if "hostile" not in frame.columns:
            return frame.iloc[0:0].assign(rank=pd.Series(dtype=int), url=pd.Series(dtype=str))
        frame = frame.loc[frame["hostile"].fillna(False).to_numpy(dtype=bool)]
    frame = frame.sort_values(["engagement", "first_seen", "id"], ascending=[False, True, True],
                              kind="stable").head(n).reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame["url"] = [schema.tweet_url(None if pd.isna(a) else str(a), str(i))
                    for a, i in zip(frame["author"], frame["id"], strict=True)]
    return frame


def hostile_engagement_share(table: pd.DataFrame) -> tuple[float | None, str | None]:
    """Share of all post engagement captured by hostile posts, or (None, reason)."""
    if hostile_mask(table) is None:
        return None, "the table is not scored (no hostile column)"
    frame = posts(table)
    total = int(frame["engagement"].sum())
    if total == 0:
        return None, "no engagement observed: no counts and no in-dataset retweets, replies or quotes"
    hostile = frame["hostile"].fillna(False).to_numpy(dtype=bool)
    return float(frame.loc[hostile, "engagement"].sum()) / total, None


def _authored_posts(authored: pd.DataFrame) -> pd.DataFrame:
    out = authored.reset_index(drop=True).copy()
    out["kind"] = schema.kind(out).to_numpy()
    out["original_in_archive"] = True
    out["first_seen"] = out["created_at"]
    reliable = out["metrics_semantics"].isin(list(RELIABLE_SEMANTICS)).to_numpy(dtype=bool)
    out["reported_engagement"] = _count_sum(out).where(reliable, pd.NA)
    return out


def _rebuilt_originals(retweets: pd.DataFrame, present: pd.Series) -> pd.DataFrame:
    """One post per retweeted id absent from the archive, built from its first retweet."""
    # object dtype: a hash-table lookup (Arrow-backed strings' isin is slow on large sets)
    found = retweets["retweeted_id"].astype(object).isin(present.dropna().astype(object))
    missing = retweets.loc[retweets["retweeted_id"].notna().to_numpy(dtype=bool)
                           & ~found.to_numpy(dtype=bool)]
    if missing.empty:
        return _authored_posts(retweets.iloc[0:0]).iloc[0:0]
    ordered = missing.sort_values("created_at", kind="stable")
    first = ordered.drop_duplicates("retweeted_id", keep="first").reset_index(drop=True)
    copied = ordered.loc[ordered["metrics_semantics"].isin(list(COPIED_SEMANTICS)).to_numpy(dtype=bool)]
    reported = _count_sum(copied).groupby(copied["retweeted_id"].to_numpy()).max()
    out = first.copy()
    out["first_seen"] = first["created_at"]
    out["id"] = first["retweeted_id"]
    out["author"] = first["retweeted_author"]
    out["text"] = first["text"].str.replace(RT_PREFIX, "", regex=True)
    out["created_at"] = pd.Series(pd.NaT, index=out.index, dtype=first["created_at"].dtype)
    out["is_retweet"] = False
    out["kind"] = pd.array(["original"] * len(out), dtype="string")
    out["original_in_archive"] = False
    out["reported_engagement"] = pd.array(
        reported.reindex(out["id"].to_numpy()).to_numpy(dtype=float, na_value=np.nan),
        dtype="Float64").round().astype("Int64")
    for column in schema.ENGAGEMENT_COLUMNS:
        out[column] = pd.array([pd.NA] * len(out), dtype="Int64")
    return out


def _with_in_dataset(out: pd.DataFrame, retweets: pd.DataFrame,
                     authored: pd.DataFrame) -> pd.DataFrame:
    ids = out["id"].to_numpy()
    counts = {
        "retweets_in_dataset": retweets["retweeted_id"].value_counts(),
        "replies_in_dataset": authored["in_reply_to_id"].value_counts(),
        "quotes_in_dataset": authored.loc[authored["is_quote"].to_numpy(dtype=bool),
                                          "quoted_id"].value_counts(),
    }
    for column, series in counts.items():
        out[column] = series.reindex(ids).fillna(0).to_numpy(dtype=np.int64)
    out["in_dataset_engagement"] = (out["retweets_in_dataset"] + out["replies_in_dataset"]
                                    + out["quotes_in_dataset"])
    return out


def _count_sum(frame: pd.DataFrame) -> pd.Series:
    """Sum of the four counts; unknown (NA) only when all four are unknown."""
    counts = frame[list(schema.ENGAGEMENT_COLUMNS)]
    total = counts.fillna(0).sum(axis=1).astype("Int64")
    return total.where(counts.notna().any(axis=1), pd.NA)
