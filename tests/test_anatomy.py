"""Anatomy of a backfire: ranks (1 = most severe, each measure in its own direction), ties,
missing values, and a caveat for every measure."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.cases import load_case
from analysis.metrics import anatomy, kpis


def _report(**values: float | None) -> kpis.KpiReport:
    return kpis.KpiReport(values=dict(values))


def test_ranks_follow_severity_with_ties_and_gaps() -> None:
    cases = {cid: load_case(cid) for cid in ("askjpm", "mynypd", "askrkelly")}
    reports = {
        "askjpm": _report(tweets=60000, time_to_hijack_minutes=90, peak_hourly_rate=5000,
                          hostile_share=0.7, response_latency_hours=5.7),
        "mynypd": _report(tweets=170000, time_to_hijack_minutes=30, peak_hourly_rate=9000,
                          hostile_share=0.7, response_latency_hours=None),
        "askrkelly": _report(tweets=9000, time_to_hijack_minutes=15, peak_hourly_rate=800,
                             hostile_share=0.5, response_latency_hours=30),
    }
    frame = anatomy.table(reports, cases).set_index("case")
    assert frame.loc["askrkelly", "time_to_hijack_minutes_rank"] == 1  # fastest = most severe
    assert frame.loc["mynypd", "peak_hourly_rate_rank"] == 1
    assert frame.loc["askjpm", "hostile_share_rank"] == frame.loc["mynypd", "hostile_share_rank"] == 1
    assert frame.loc["askrkelly", "hostile_share_rank"] == 3
    assert frame.loc["askrkelly", "response_latency_hours_rank"] == 1  # slowest reaction
    assert pd.isna(frame.loc["mynypd", "response_latency_hours_rank"])
    assert frame.loc["askjpm", "hashtag"] == "#AskJPM"
    severity = anatomy.severity(frame.reset_index()).to_numpy()
    assert severity[1] == pytest.approx((2 + 1 + 1) / 3)  # mynypd: the missing rank is skipped


def test_every_measure_has_a_caveat_and_a_kpi() -> None:
    caveats = anatomy.caveats()
    assert len(caveats) == len(anatomy.MEASURES) == 4
    for m in anatomy.MEASURES:
        assert m.kpi in kpis.KPIS and m.severe in ("low", "high") and len(m.caveat) > 40
