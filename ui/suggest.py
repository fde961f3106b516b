"""Suggestions for a new case from its archive (pure pandas: no Streamlit here).

The Your-archive form pre-fills the hashtag, the brand account and the launch time from the
data; the user can overwrite every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

# Surge detection: 15-minute bins; the first bin holding at least a fifth of the busiest bin
# marks the start of the surge (early enough to include the take-off, late enough to skip a
# few stray early tweets).
SURGE_BIN: Final = "15min"
SURGE_FRACTION: Final = 0.2


@dataclass(frozen=True)
class Launch:
    time: pd.Timestamp
    reason: str


def hashtag(table: pd.DataFrame) -> str:
    """The most used hashtag (lower-case, no ``#``), or "" when the archive has none."""
    tags = table["hashtags"].explode().dropna()
    return str(tags.astype(str).str.lower().value_counts().index[0]) if len(tags) else ""


def brand_account(table: pd.DataFrame) -> str:
    """The most mentioned account (often the brand), or ""."""
    mentions = table["mentions"].explode().dropna()
    return str(mentions.astype(str).value_counts().index[0]) if len(mentions) else ""


def launch(table: pd.DataFrame, account: str = "") -> Launch | None:
    """The brand's first tweet when the account posted in the archive, else the first surge."""
    times = table["created_at"]
    if times.dropna().empty:
        return None
    handle = account.strip().lstrip("@").lower()
    if handle:
        own = times[(table["author"].str.lower() == handle).fillna(False).to_numpy(dtype=bool)]
        if own.notna().any():
            return Launch(own.min(), f"the first tweet by @{handle} in the archive")
    dated = times.dropna()
    counts = dated.dt.floor(SURGE_BIN).value_counts().sort_index()
    surge = counts.index[(counts >= SURGE_FRACTION * counts.max()).to_numpy()][0]
    first = dated[dated >= surge].min()
    return Launch(first, "the first tweet of the first surge (first 15-minute bin with at "
                         f"least {SURGE_FRACTION:.0%} of the busiest bin's tweets)")
