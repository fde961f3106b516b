"""Alert replay pinned on hand-built minute-by-minute tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest
from metrics_tables import T0, table, tweet

from analysis import schema
from analysis.errors import BackfireError
from analysis.metrics.alerts import AlertRule, brand_reaction, replay


@dataclass(frozen=True)
class Ev:
    time: pd.Timestamp
    kind: str
    label: str = "statement"


def two_a_minute(hostile_from: int | None, start: int = 0, stop: int = 120) -> pd.DataFrame:
    """Two tweets in each minute of [start, stop), hostile from minute ``hostile_from``."""
    rows = [tweet(m + half / 2, hostile=hostile_from is not None and m >= hostile_from)
            for m in range(start, stop) for half in range(2)]
    return table(rows)


@pytest.mark.parametrize(("hostile_from", "rule", "expected"), [
    # defaults (50%, 30 min, 30 tweets): window full of hostility once it holds 30 tweets
    (0, AlertRule(), 15),
    # hostile from minute 20: half of a 30-minute window at minute 35
    (20, AlertRule(), 35),
    (None, AlertRule(), None),
    # 80% over 10 minutes with >= 5 tweets: 8 hostile minutes of 10 at minute 28
    (20, AlertRule(0.8, 10, 5), 28),
    # 100 tweets in 30 minutes never happens at 2 a minute
    (0, AlertRule(0.5, 30, 100), None),
])
def test_fired_minutes(hostile_from: int | None, rule: AlertRule, expected: int | None) -> None:
    result = replay(two_a_minute(hostile_from), T0, rule=rule)
    assert result.fired_minutes == expected
    if expected is not None:
        assert result.fired_at == T0 + pd.Timedelta(minutes=expected)


def test_window_reaches_back_before_launch() -> None:
    # hostile chatter in the 30 minutes before launch, friendly after: fires one minute in
    frame = pd.concat([two_a_minute(-30, start=-30, stop=0), two_a_minute(None, start=0)],
                      ignore_index=True)
    assert replay(frame, T0).fired_minutes == 1


def test_series_is_one_row_per_minute_after_launch() -> None:
    result = replay(two_a_minute(20), T0)
    series = result.series
    assert series["minute"].tolist() == list(range(1, 121))
    row = series.loc[series["minute"] == 35].iloc[0]
    assert row["tweets_in_window"] == 60
    assert row["hostile_share_in_window"] == pytest.approx(0.5)
    assert bool(row["firing"])
    assert not series.loc[series["minute"] < 35, "firing"].any()


def test_reaction_is_the_first_brand_response_or_cancellation_after_launch() -> None:
    events = [Ev(T0 - pd.Timedelta(hours=1), "brand_response"),
              Ev(T0 + pd.Timedelta(minutes=30), "brand_action"),
              Ev(T0 + pd.Timedelta(hours=5, minutes=30), "cancellation", "Q&A cancelled"),
              Ev(T0 + pd.Timedelta(hours=9), "brand_response")]
    result = replay(two_a_minute(20), T0, events=events)
    assert result.reaction_hours == pytest.approx(5.5)
    assert result.reaction_label == "Q&A cancelled"
    assert result.sentence().endswith("fired 35 minutes after launch; the brand reacted after 5.5 hours.")
    assert brand_reaction([], T0) is None


def test_sentence_without_alert_or_reaction() -> None:
    text = replay(two_a_minute(None), T0).sentence()
    assert "would not have fired" in text and "no brand reaction" in text


def test_to_dict_is_json_ready() -> None:
    out = replay(two_a_minute(0), T0).to_dict()
    assert out["fired_minutes"] == 15
    assert out["rule"] == {"min_share": 0.5, "window_minutes": 30, "min_tweets": 30}
    assert out["fired_at"] == (T0 + pd.Timedelta(minutes=15)).isoformat()


@pytest.mark.parametrize("args", [(0.0, 30, 30), (1.5, 30, 30), (0.5, 0, 30), (0.5, 30, 0)])
def test_bad_rules_are_clear_errors(args: tuple[float, int, int]) -> None:
    with pytest.raises(BackfireError):
        AlertRule(*args)


def test_replay_needs_scores() -> None:
    with pytest.raises(BackfireError, match="scored"):
        replay(schema.conform(two_a_minute(0)), T0)


def test_replay_stops_a_week_after_launch() -> None:
    late = pd.Timedelta(days=8) / pd.Timedelta(minutes=1)
    frame = pd.concat([two_a_minute(None, start=0, stop=60),
                       two_a_minute(0, start=int(late), stop=int(late) + 60)], ignore_index=True)
    result = replay(frame, T0)
    assert result.fired_minutes is None
    assert result.series["minute"].max() <= 7 * 24 * 60


def test_replay_of_an_archive_spanning_years() -> None:
    frame = pd.concat([two_a_minute(0, start=-3 * 365 * 24 * 60, stop=-3 * 365 * 24 * 60 + 5),
                       two_a_minute(0, start=0, stop=30)], ignore_index=True)
    assert replay(frame, T0).fired_minutes == 15
