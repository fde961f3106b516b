"""Alert replay: when would a social-listening alert have fired?

The archive is replayed minute by minute from the launch. At the end of each minute
``t = launch + k min`` (k = 1, 2, …) the rule looks back over the window ``[t - Y, t)``:
it fires when that window holds at least Z tweets (retweets included, as a listening tool counts
mentions) and at least a share X of them are hostile. The replay reports the first such k, as
minutes after launch, next to the brand's actual reaction (first response or cancellation
in the case events). The replay stops ``REPLAY_HORIZON`` (a week) after launch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from analysis.errors import BackfireError
from analysis.metrics.filters import hostile_mask
from analysis.metrics.timeline import assign_bins

# X: a hostile majority, the same bar as time-to-hijack: below it the tag is contested, not lost.
DEFAULT_MIN_SHARE: Final = 0.5
# Y: listening dashboards aggregate over 15-60 min; 30 min reacts within half an hour while a
# single burst of a few angry tweets cannot fill the window on its own.
DEFAULT_WINDOW_MINUTES: Final = 30
# Z: with 30 tweets the standard error of a share near 0.5 is about 9 points, and an on-call team
# would not be paged for fewer mentions than that in half an hour.
DEFAULT_MIN_TWEETS: Final = 30
# Event kinds (``analysis.cases.EVENT_KINDS``) that count as the brand reacting to the hijack.
# "brand_action" is not one: it is the brand carrying on with its campaign.
BRAND_REACTION_KINDS: Final[frozenset[str]] = frozenset({"brand_response", "cancellation"})
MINUTE: Final = pd.Timedelta(minutes=1)
# The replay covers the first week after launch: an alert that first fires later answers a
# different question than "did the launch backfire", and the per-minute series stays small
# (10,080 rows) even for archives that span years.
REPLAY_HORIZON: Final = pd.Timedelta(days=7)


@dataclass(frozen=True)
class AlertRule:
    """Hostile share >= ``min_share`` over a rolling ``window_minutes`` with >= ``min_tweets``."""

    min_share: float = DEFAULT_MIN_SHARE
    window_minutes: int = DEFAULT_WINDOW_MINUTES
    min_tweets: int = DEFAULT_MIN_TWEETS

    def __post_init__(self) -> None:
        if not 0.0 < self.min_share <= 1.0:
            raise BackfireError(f"alert share must be in (0, 1], got {self.min_share}")
        if self.window_minutes < 1 or self.min_tweets < 1:
            raise BackfireError("alert window and minimum tweets must be at least 1")

    def describe(self) -> str:
        return (f"hostile share ≥ {self.min_share:.0%} over a rolling {self.window_minutes}-minute "
                f"window holding ≥ {self.min_tweets} tweets")


@dataclass(frozen=True)
class AlertReplay:
    """Result of a replay. ``series``: one row per minute after launch (for a chart)."""

    rule: AlertRule
    launch: pd.Timestamp
    fired_at: pd.Timestamp | None
    fired_minutes: int | None
    reaction_at: pd.Timestamp | None
    reaction_hours: float | None
    reaction_label: str | None
    series: pd.DataFrame

    def sentence(self) -> str:
        """The replay told in one sentence."""
        if self.fired_minutes is None:
            alert = f"A listening alert ({self.rule.describe()}) would not have fired on this archive"
        else:
            alert = (f"A listening alert ({self.rule.describe()}) would have fired "
                     f"{self.fired_minutes} minutes after launch")
        if self.reaction_hours is None:
            return f"{alert}; no brand reaction is documented."
        return f"{alert}; the brand reacted after {self.reaction_hours:.1f} hours."

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": {"min_share": self.rule.min_share, "window_minutes": self.rule.window_minutes,
                     "min_tweets": self.rule.min_tweets},
            "fired_at": None if self.fired_at is None else self.fired_at.isoformat(),
            "fired_minutes": self.fired_minutes,
            "reaction_at": None if self.reaction_at is None else self.reaction_at.isoformat(),
            "reaction_hours": self.reaction_hours,
            "sentence": self.sentence(),
        }


def replay(table: pd.DataFrame, launch: pd.Timestamp, *, rule: AlertRule | None = None,
           events: Sequence[Any] = ()) -> AlertReplay:
    """Replay ``table`` minute by minute after ``launch`` under ``rule`` (defaults above)."""
    rule = rule or AlertRule()
    hostile = hostile_mask(table)
    if hostile is None:
        raise BackfireError("the alert replay needs scored tweets (no hostile column)")
    launch = _utc(launch)
    start = launch - rule.window_minutes * MINUTE
    times = table["created_at"]
    inside = ((times >= start) & (times < launch + REPLAY_HORIZON)).fillna(False).to_numpy(dtype=bool)
    bins = assign_bins(times[inside], MINUTE, start, start=start, max_bins=None)
    n = bins.count
    tweets = np.bincount(bins.index, minlength=n)
    hostiles = np.bincount(bins.index, weights=hostile[inside][bins.rows].astype(float), minlength=n)
    series = _window_series(tweets, hostiles, rule, bins.first_start, launch)
    series = series.loc[series["minute"] >= 1].reset_index(drop=True)
    firing = series.loc[series["firing"]]
    fired_minutes = int(firing["minute"].iloc[0]) if len(firing) else None
    reaction = brand_reaction(events, launch)
    reaction_at = reaction[0] if reaction else None
    return AlertReplay(
        rule=rule, launch=launch,
        fired_at=None if fired_minutes is None else launch + fired_minutes * MINUTE,
        fired_minutes=fired_minutes,
        reaction_at=reaction_at,
        reaction_hours=None if reaction_at is None else (reaction_at - launch) / pd.Timedelta(hours=1),
        reaction_label=reaction[1] if reaction else None,
        series=series,
    )


def brand_reaction(events: Sequence[Any], launch: pd.Timestamp) -> tuple[pd.Timestamp, str] | None:
    """The first event at or after launch whose kind is a brand reaction: (time, label)."""
    found = [(_utc(e.time), str(getattr(e, "label", e.kind))) for e in events
             if str(getattr(e, "kind", "")).lower() in BRAND_REACTION_KINDS
             and getattr(e, "time", None) is not None and _utc(e.time) >= _utc(launch)]
    return min(found, key=lambda pair: pair[0]) if found else None


def _window_series(tweets: np.ndarray, hostiles: np.ndarray, rule: AlertRule,
                   first_start: pd.Timestamp, launch: pd.Timestamp) -> pd.DataFrame:
    """Trailing window sums evaluated at the end of each minute bin."""
    width = rule.window_minutes
    csum_t = np.concatenate([[0], np.cumsum(tweets)])
    csum_h = np.concatenate([[0.0], np.cumsum(hostiles)])
    ends = np.arange(1, len(tweets) + 1)
    lo = np.maximum(ends - width, 0)
    in_window = csum_t[ends] - csum_t[lo]
    hostile_in = csum_h[ends] - csum_h[lo]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(in_window > 0, hostile_in / np.maximum(in_window, 1), np.nan)
    firing = (in_window >= rule.min_tweets) & (np.nan_to_num(share) >= rule.min_share)
    evaluated_at = first_start + pd.to_timedelta(ends, unit="min")
    return pd.DataFrame({
        "minute": ((evaluated_at - launch) // MINUTE).astype(np.int64),
        "evaluated_at": evaluated_at,
        "tweets_in_window": in_window.astype(np.int64),
        "hostile_share_in_window": share,
        "firing": firing,
    })


def _utc(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
