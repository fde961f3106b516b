"""The span rule shared by the dashboard and the exports: dense period, default window, bins."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import pipeline
from analysis.exports import content
from analysis.ingest import loaders
from analysis.metrics import span, timeline
from tests import stray_archive

LAUNCH = stray_archive.LAUNCH


def _times(*stamps: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(stamps), utc=True))


def test_a_real_archive_with_stray_old_tweets_has_a_dense_period(tmp_path: Path) -> None:
    table = loaders.load(stray_archive.write(tmp_path / "stray.jsonl")).table
    found = span.period(table["created_at"])
    assert found.before == 3 and found.after == 0
    assert found.describe() == "3 tweets lie years before the rest"
    assert found.start is not None and found.start.year == 2021
    assert found.first is not None and found.first.year == 2010
    # the slider without "full range" covers the day, not nine years
    dense = span.dense_hours(found, LAUNCH)
    assert dense.hours <= 24
    assert span.full_hours(found, LAUNCH).hours > 9 * 365 * 24


def test_the_chart_of_that_archive_has_few_bins_even_on_the_full_range(tmp_path: Path) -> None:
    table = loaders.load(stray_archive.write(tmp_path / "stray.jsonl")).table
    found = span.period(table["created_at"])
    whole = span.full_hours(found, LAUNCH)
    for wanted in (None, "1h", "1min"):
        size = span.bin_for(whole, wanted)
        assert span.bars(whole, size) <= span.MAX_CHART_BINS
        frame = timeline.timeline(table, bin_size=size, launch=LAUNCH)
        assert len(frame) <= span.MAX_CHART_BINS + 1
        assert frame["tweets"].sum() == len(table)
    assert span.bin_for(whole, "1h") in ("7D", "30D")


def test_the_exports_use_the_same_rule(tmp_path: Path) -> None:
    table = loaders.load(stray_archive.write(tmp_path / "stray.jsonl")).table
    case = pipeline.archive_case(tmp_path / "stray.jsonl", table)
    window = content.chart_window(case, table)
    assert window == span.chart_window(span.period(table["created_at"]), case.launch)
    assert window.hours <= 24  # the dense day, although the launch is the 2010 tweet


@pytest.mark.parametrize(("first", "last", "expected"), [
    ("2014-04-22 09:00", "2014-04-25 18:00", (-2.0, 72.0)),   # weeks of data: -2 .. +72 h
    ("2014-04-22 10:30", "2014-04-23 08:00", (-0.5, 21.0)),   # short archive: all of it
    ("2014-05-22 10:00", "2014-05-22 10:05", (719.0, 719.5)),  # far from launch: the data
])
def test_default_window(first: str, last: str, expected: tuple[float, float]) -> None:
    launch = pd.Timestamp("2014-04-22 11:00", tz="UTC")
    found = span.period(_times(first, last))
    window = span.default_window(found, launch)
    assert (window.start, window.end) == expected


def test_outliers_are_a_small_minority_only() -> None:
    # two equal periods a year apart: neither is "stray", the whole archive is dense
    stamps = [f"2013-01-0{d} 10:00" for d in range(1, 6)] + [f"2014-01-0{d} 10:00" for d in range(1, 6)]
    found = span.period(_times(*stamps))
    assert found.outliers == 0 and found.start == found.first


def test_the_bin_is_chosen_from_the_span() -> None:
    assert span.bin_for(span.Window(-2, 72)) == "1h"
    assert span.bin_for(span.Window(0, 0.1)) == "1min"    # a five-minute archive: 1-min bins
    assert span.bin_for(span.Window(0, 6)) == "5min"
    assert span.bin_for(span.Window(-2, 72), "5min") == "5min"   # allowed: 888 bars
    assert span.bin_for(span.Window(0, 24 * 365), "5min") == "6h"  # 1,460 bars at most


def test_events_outside_the_window() -> None:
    assert span.outside([-200.0, 0.0, 30.0, 440.0], span.Window(-2, 72)) == [0, 3]
