"""Anatomy of a backfire: the cases ranked on the four numbers that describe a hijack, each
with its caveat, and the pattern between the brand's reaction time and the storm's size.

The numbers are the case KPIs (``analysis.metrics.kpis``); this module only says which four,
which way is "worse" (rank 1 = the most severe backfire on that measure), and what to keep in
mind before comparing them (``MEASURES``, as data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from analysis.cases import Case
from analysis.metrics import kpis


@dataclass(frozen=True)
class Measure:
    """One ranked number: its KPI, which end is the most severe, and its caveat."""

    kpi: str
    severe: str     # "low" (fewer minutes = faster hijack) or "high"
    caveat: str


MEASURES: Final[tuple[Measure, ...]] = (
    Measure("time_to_hijack_minutes", "low",
            "Depends on the hostility model and its threshold (a sustained hour-long majority "
            "of hostile originals). On a reconstruction it follows the generator's calibrated "
            "stance mix; for a tag that was hostile from its first minutes it is the first "
            "window with enough posts, not the first hostile post."),
    Measure("peak_hourly_rate", "high",
            "Counts what the archive holds. Reconstructions are calibrated to reported totals "
            "that often conflict (Topsy counts, press figures); a 1% stream sample would need "
            "scaling by about 100, with a wide uncertainty."),
    Measure("hostile_share", "high",
            "Model-scored, retweets included. Sarcasm and jokes that sound friendly are the "
            "hardest posts for any model; published figures (\"at least two-thirds "
            "negative\") were rough estimates of a different quantity (negative mood)."),
    Measure("response_latency_hours", "high",
            "Taken from the case's event timeline: the first documented statement, reply or "
            "cancellation. Many such times are known to the day or the hour only (see each "
            "event's confidence); a brand that never reacted has no value."),
)


def table(reports: Mapping[str, kpis.KpiReport], cases: Mapping[str, Case]) -> pd.DataFrame:
    """One row per case: the four numbers, their ranks (1 = most severe; ties share the best
    rank; no value, no rank), total tweets, and whether the launch or the data are assumed."""
    rows = []
    for cid, report in reports.items():
        case = cases[cid]
        row: dict[str, object] = {"case": cid, "hashtag": f"#{case.hashtag}", "brand": case.brand,
                                  "date": case.launch.strftime("%b %Y"),
                                  "provenance": case.provenance,
                                  "launch_assumed": case.launch_assumed,
                                  "tweets": report.values.get("tweets")}
        for m in MEASURES:
            value = report.values.get(m.kpi)
            row[m.kpi] = np.nan if value is None else float(value)
        rows.append(row)
    out = pd.DataFrame(rows)
    for m in MEASURES:
        if out.empty:
            out[f"{m.kpi}_rank"] = pd.Series(dtype="Int64")
            continue
        ranks = out[m.kpi].rank(method="min", ascending=m.severe == "low")
        out[f"{m.kpi}_rank"] = pd.array(ranks.round(), dtype="Int64")
    return out


def severity(frame: pd.DataFrame) -> pd.Series:
    """Mean rank over the measures a case has (lower = a more severe backfire overall)."""
    ranks = frame[[f"{m.kpi}_rank" for m in MEASURES]].astype("Float64")
    return ranks.mean(axis=1, skipna=True)


def caveats() -> dict[str, str]:
    """KPI label -> its caveat, in the order of ``MEASURES``."""
    return {kpis.KPIS[m.kpi].label: m.caveat for m in MEASURES}
