"""How a listening suite's own sentiment agrees with Backfire's (VADER) on the same posts.

Listening-suite exports carry a sentiment the vendor assigned (``vendor_sentiment``); the
loaders keep it beside Backfire's score instead of dropping it. The agreement is the share
of posts where both say the same, Cohen's kappa (agreement beyond chance) and the cross table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd
from sklearn.metrics import cohen_kappa_score

LABELS: Final = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Agreement:
    """Vendor labels against ours on the posts that have both."""

    posts: int
    share: float            # posts where the labels are equal / posts
    kappa: float | None     # Cohen's kappa (None when one side uses a single label)
    table: pd.DataFrame     # rows: the vendor's label; columns: Backfire's; cells: posts


def vendor_agreement(scored: pd.DataFrame) -> Agreement | None:
    """None when the table has no vendor sentiment (every format but listening suites)."""
    if "vendor_sentiment" not in scored.columns or "sentiment" not in scored.columns:
        return None
    both = scored.loc[scored["vendor_sentiment"].notna() & scored["sentiment"].notna(),
                      ["vendor_sentiment", "sentiment"]].astype(str)
    if both.empty:
        return None
    vendor, ours = both["vendor_sentiment"], both["sentiment"]
    table = pd.crosstab(vendor, ours).reindex(index=list(LABELS), columns=list(LABELS), fill_value=0)
    table.index.name, table.columns.name = "vendor", "Backfire"
    single = vendor.nunique() < 2 and ours.nunique() < 2
    kappa = None if single else float(cohen_kappa_score(vendor, ours, labels=list(LABELS)))
    return Agreement(len(both), float((vendor == ours).mean()), kappa, table)
