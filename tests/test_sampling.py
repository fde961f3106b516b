"""Sampling statistics for the 1 % sample: Garwood and Wilson intervals, the KPI rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.metrics import sampling
from analysis.metrics.kpis import KPIS

LAUNCH = pd.Timestamp("2014-04-22T17:55:46Z")


@pytest.mark.parametrize(("x", "low", "high"), [
    (5, 1.6, 11.7), (20, 12.2, 30.9), (50, 37.1, 65.9), (100, 81.4, 121.6), (500, 457, 546), (1000, 939, 1064),
])
def test_garwood_matches_the_published_table(x: int, low: float, high: float) -> None:
    got = sampling.garwood(x)
    assert got[0] == pytest.approx(low, abs=0.6) and got[1] == pytest.approx(high, abs=0.6)


def test_estimate_scales_by_the_rate() -> None:
    est = sampling.estimate(1000)
    assert est.total == 100_000 and 93_000 < est.low < 94_500 and 106_000 < est.high < 106_800
    assert est.text().startswith("≈ 100k (95 % CI 94k–106k)")
    assert sampling.garwood(0) == (0.0, pytest.approx(3.689, abs=0.01))


def test_wilson_interval() -> None:
    low, high = sampling.wilson(8, 20)
    assert low == pytest.approx(0.2188, abs=1e-3) and high == pytest.approx(0.6134, abs=1e-3)
    assert sampling.wilson(0, 0) == (0.0, 1.0)
    assert sampling.wilson(10, 10)[1] == pytest.approx(1.0) and sampling.wilson(0, 10)[0] == pytest.approx(0.0)
    assert sampling.share(30, 40).text() == "75% (95 % CI 60%–86%)"


def test_rules_cover_known_kpis_only() -> None:
    assert set(sampling.SAMPLE_RULES) <= set(KPIS)
    assert {r.kind for r in sampling.SAMPLE_RULES.values()} <= {"count", "share", "sample", "case"}


def _table(n: int, hostile_every: int = 2) -> pd.DataFrame:
    times = LAUNCH + pd.to_timedelta(np.arange(n) * 60, unit="s")
    return pd.DataFrame({"created_at": times, "is_retweet": np.arange(n) % 3 == 0,
                         "hostile": np.arange(n) % hostile_every == 0, "text": ["police photo"] * n})


def test_small_samples_say_too_few_tweets() -> None:
    got = sampling.sampled_kpis({"time_to_hijack_minutes": 42.0}, _table(12), LAUNCH)
    assert got["hostile_share"].text == sampling.TOO_FEW and got["hostile_share"].too_few
    assert got["time_to_hijack_minutes"].text == sampling.TOO_FEW
    assert got["tweets"].text == "≈ 1.2k" and got["tweets"].detail.startswith("in sample: 12;")
    assert got["response_latency_hours"].detail == "from the case's events"


def test_large_samples_get_intervals() -> None:
    got = sampling.sampled_kpis({"time_to_hijack_minutes": 42.0}, _table(1200), LAUNCH)
    assert got["hostile_share"].text == "50%" and "95 % CI 47%–53%" in got["hostile_share"].detail
    assert got["time_to_hijack_minutes"].text == "42 min"
    assert "in the 1 % sample" in got["time_to_hijack_minutes"].detail
    assert got["peak_hourly_rate"].text == "≈ 6.0k/h" and "in sample: 60" in got["peak_hourly_rate"].detail


def test_side_by_side_frames() -> None:
    recon, sample = _table(300, hostile_every=4), _table(30)
    volume = sampling.volume_comparison(recon, sample, LAUNCH)
    assert list(volume["reconstruction"]) == [60, 60, 60, 60, 60]
    assert volume["in_sample"].iloc[0] == 30 and volume["estimate"].iloc[0] == 3000
    assert (volume["low"] <= volume["estimate"]).all() and (volume["estimate"] <= volume["high"]).all()
    shares = sampling.share_comparison(recon, sample).set_index("measure")
    assert shares.loc["hostile share of all tweets", "reconstruction"] == 0.25
    assert shares.loc["hostile share of all tweets", "sample"] == 0.5
    assert shares.loc["hostile share of all tweets", "sample_n"] == 30
    top = sampling.top_terms_comparison(recon, sample, frozenset(), top=3)
    assert list(top["sample term"]) == ["photo", "police", ""]


def test_reported_figures_beside_estimates() -> None:
    table = _table(1200)  # 60 sampled tweets an hour for 20 hours
    targets = [
        {"metric": "cumulative", "hours": 10.0, "min": 50000, "max": 70000, "label": "by T+10",
         "source_url": "https://example.org/a"},
        {"metric": "cumulative", "hours": 10.0, "min": 200000, "label": "too many"},
        {"metric": "peak_hourly", "min": 5000, "max": 7000, "label": "peak"},
        {"metric": "hostile_share", "from_hours": 0.0, "to_hours": 48.0, "min": 0.8, "label": "hostile"},
        {"metric": "retweet_share", "min": 0.3, "max": 0.4, "label": "retweets"},
        {"metric": "unknown", "label": "skipped"},
    ]
    got = sampling.reported_vs_sample(targets, table, LAUNCH).set_index("figure")
    assert list(got.index) == ["by T+10", "too many", "peak", "hostile", "retweets"]
    assert got.loc["by T+10", "reported"] == "50,000 to 70,000" and got.loc["by T+10", "agrees"] == "yes"
    assert "in sample: 601" in got.loc["by T+10", "sample estimate"]
    assert got.loc["too many", "reported"] == "at least 200,000" and got.loc["too many", "agrees"] == "no"
    assert got.loc["peak", "agrees"] == "yes"
    assert got.loc["hostile", "reported"] == "at least 80%" and got.loc["hostile", "agrees"] == "no"
    assert got.loc["retweets", "agrees"] == "yes"
    assert got.loc["by T+10", "source"] == "https://example.org/a"
    empty = sampling.reported_vs_sample(targets[:1], table.iloc[:0], LAUNCH)
    assert empty.loc[0, "agrees"] == sampling.TOO_FEW
