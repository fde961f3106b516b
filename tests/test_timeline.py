"""Timeline bins pinned on hand-built tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from metrics_tables import T0, table, tweet

from analysis import schema
from analysis.errors import BackfireError
from analysis.metrics.timeline import TIMELINE_COLUMNS, bin_width, stack, timeline


@pytest.fixture
def five() -> pd.DataFrame:
    # minutes 0, 10, 20 (a retweet), 70, 75 after 18:00 UTC
    return table([
        tweet(0, hostile=False, compound=0.5),
        tweet(10, hostile=True, compound=-0.5),
        tweet(20, rt_of="2", hostile=True, compound=-0.5),
        tweet(70, hostile=True, compound=-0.8),
        tweet(75, hostile=False, compound=0.0),
    ])


def test_clock_bins_count_volume_share_and_mood(five: pd.DataFrame) -> None:
    out = timeline(five, bin_size="1h")
    assert list(out.columns) == list(TIMELINE_COLUMNS)
    assert list(out["bin_start"]) == [T0, T0 + pd.Timedelta(hours=1)]
    assert list(out["tweets"]) == [3, 2]
    assert list(out["originals"]) == [2, 2]
    assert list(out["retweets"]) == [1, 0]
    assert list(out["hostile"]) == [2, 1]
    assert list(out["hostile_originals"]) == [1, 1]
    assert out["hostile_share"].tolist() == pytest.approx([2 / 3, 1 / 2])
    assert out["hostile_share_originals"].tolist() == pytest.approx([1 / 2, 1 / 2])
    assert out["mean_compound"].tolist() == pytest.approx([-0.5 / 3, -0.4])
    assert out["hours_since_launch"].isna().all()


def test_launch_alignment_puts_edges_on_the_launch(five: pd.DataFrame) -> None:
    launch = T0 + pd.Timedelta(minutes=30)
    out = timeline(five, bin_size="1h", launch=launch)
    # bins [17:30, 18:30) holds minutes 0, 10, 20; [18:30, 19:30) holds 70, 75
    assert list(out["bin_start"]) == [launch - pd.Timedelta(hours=1), launch]
    assert list(out["hours_since_launch"]) == [-1.0, 0.0]
    assert list(out["tweets"]) == [3, 2]


def test_clock_alignment_with_a_launch_keeps_clock_edges(five: pd.DataFrame) -> None:
    launch = T0 + pd.Timedelta(minutes=30)
    out = timeline(five, bin_size="1h", launch=launch, align="clock")
    assert list(out["bin_start"]) == [T0, T0 + pd.Timedelta(hours=1)]
    assert list(out["hours_since_launch"]) == [-0.5, 0.5]


def test_daily_clock_bins_start_at_midnight_utc(five: pd.DataFrame) -> None:
    out = timeline(five, bin_size="1D")
    assert list(out["bin_start"]) == [pd.Timestamp("2014-04-22", tz="UTC")]
    assert list(out["tweets"]) == [5]


def test_empty_bins_are_present_and_smoothing_is_pooled() -> None:
    frame = table([
        tweet(0, hostile=True, compound=-1.0), tweet(1, hostile=True, compound=-1.0),
        tweet(2, hostile=False, compound=1.0),
        tweet(125, hostile=False, compound=0.5), tweet(126, hostile=False, compound=0.5),
    ])
    out = timeline(frame, bin_size="1h", smooth_bins=3)
    assert list(out["tweets"]) == [3, 0, 2]
    assert math.isnan(out["hostile_share"].iloc[1])
    assert math.isnan(out["mean_compound"].iloc[1])
    # centred window of 3 bins, shrinking at the edges
    assert out["tweets_smooth"].tolist() == pytest.approx([1.5, 5 / 3, 1.0])
    # pooled: (2 + 0 + 0) / (3 + 0 + 2), not the mean of the bins' shares
    assert out["hostile_share_smooth"].tolist() == pytest.approx([2 / 3, 2 / 5, 0.0])
    assert out["mean_compound_smooth"].tolist() == pytest.approx([-1 / 3, 0.0, 0.5])


def test_no_smoothing_with_one_bin_window(five: pd.DataFrame) -> None:
    out = timeline(five, bin_size="1h", smooth_bins=1)
    assert out["tweets_smooth"].tolist() == out["tweets"].astype(float).tolist()


def test_unscored_table_has_volumes_and_empty_scores(five: pd.DataFrame) -> None:
    out = timeline(schema.conform(five), bin_size="30min")
    assert list(out["tweets"]) == [3, 0, 2]
    assert out["hostile_share"].isna().all()
    assert out["mean_compound"].isna().all()


@pytest.mark.parametrize(("size", "expected"), [
    ("5min", pd.Timedelta(minutes=5)), ("1D", pd.Timedelta(days=1)),
    (pd.Timedelta(minutes=20), pd.Timedelta(minutes=20)),
])
def test_bin_width(size: str | pd.Timedelta, expected: pd.Timedelta) -> None:
    assert bin_width(size) == expected


@pytest.mark.parametrize("size", ["2min", "weekly", pd.Timedelta(seconds=30), pd.Timedelta(days=60)])
def test_bad_bin_sizes_are_clear_errors(size: str | pd.Timedelta) -> None:
    with pytest.raises(BackfireError, match="bin size"):
        bin_width(size)


def test_launch_alignment_needs_a_launch(five: pd.DataFrame) -> None:
    with pytest.raises(BackfireError, match="launch"):
        timeline(five, align="launch")


def test_empty_table_gives_an_empty_timeline() -> None:
    out = timeline(table([tweet(0)]).iloc[0:0])
    assert out.empty
    assert list(out.columns) == list(TIMELINE_COLUMNS)


def test_rows_without_a_date_are_left_out(five: pd.DataFrame) -> None:
    five.loc[0, "created_at"] = pd.NaT
    assert timeline(five)["tweets"].sum() == 4


def test_stack_normalises_each_case_to_its_peak(five: pd.DataFrame) -> None:
    out = stack({"a": timeline(five, bin_size="1h"), "b": timeline(five.iloc[:1], bin_size="1h")})
    assert out["case"].tolist() == ["a", "a", "b"]
    assert out["tweets_norm"].tolist() == pytest.approx([1.0, 2 / 3, 1.0])


@settings(max_examples=40, deadline=None)
@given(minutes=st.lists(st.integers(min_value=-600, max_value=3000), min_size=1, max_size=60),
       retweet=st.lists(st.booleans(), min_size=60, max_size=60),
       size=st.sampled_from(["5min", "15min", "1h", "6h", "1D"]))
def test_bins_partition_the_tweets(minutes: list[int], retweet: list[bool], size: str) -> None:
    rows = [tweet(m, rt_of="x" if retweet[i] else None, hostile=bool(i % 2)) for i, m in enumerate(minutes)]
    out = timeline(table(rows), bin_size=size, launch=T0)
    assert out["tweets"].sum() == len(rows)
    assert (out["originals"] + out["retweets"] == out["tweets"]).all()
    assert out["hostile"].sum() == sum(i % 2 for i in range(len(rows)))
    assert (np.diff(out["bin_start"].to_numpy()) == np.timedelta64(bin_width(size))).all()
    first = T0 + pd.Timedelta(minutes=min(minutes))
    assert out["bin_start"].iloc[0] <= first < out["bin_start"].iloc[0] + bin_width(size)


def test_a_timeline_of_millions_of_bins_asks_for_wider_bins() -> None:
    frame = table([tweet(0), tweet(3 * 365 * 24 * 60)])
    with pytest.raises(BackfireError, match="choose wider bins"):
        timeline(frame, bin_size="1min")
    assert timeline(frame, bin_size="1D")["tweets"].sum() == 2
