"""Backfire KPIs per case, defined once: each entry of ``KPIS`` carries the KPI whole (label,
unit, definition, compute function, where it shows); every page, export and the CLI read it.
Adding a KPI is one entry here plus its test.

Conventions shared by every KPI:
- "tweets" counts every row, retweets included; "originals" are authored posts (every row
  that is not a retweet: plain tweets, replies, quotes);
- times are UTC; "launch" is the brand's launch tweet from the case file (for an archive
  without a case, the first tweet, and the KPIs measured from it say so in ``notes``);
- a KPI that cannot be computed is None, and ``notes[key]`` gives the reason.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from analysis.metrics import alerts, engagement
from analysis.metrics.filters import hostile_mask
from analysis.metrics.timeline import assign_bins

# --- peak and decay ---------------------------------------------------------------------------
# The hourly rate is measured over 60-minute windows sliding in 5-minute steps, so the peak does
# not depend on where the clock hour happens to split the burst.
RATE_STEP: Final = pd.Timedelta(minutes=5)
RATE_WINDOW_STEPS: Final = 12  # 12 x 5 min = 60 min
# Half-life: the volume has halved once a full 60-minute window holds <= 50% of the peak.
DECAY_FRACTION: Final = 0.5

# --- time to hijack ---------------------------------------------------------------------------
# 15-minute bins: fine enough for hijacks that happen within the first hour (#AskJPM), coarse
# enough that each bin holds several originals.
HIJACK_BIN: Final = pd.Timedelta(minutes=15)
# Each window spans 4 bins = 60 minutes of originals: one hour is the span a community manager
# would look at before calling a trend.
HIJACK_WINDOW_BINS: Final = 4
# "Hostile originals are at least 50%" (issue 3): the tag now says more against the brand than for it.
HIJACK_SHARE: Final = 0.5
# Sustained: 3 consecutive windows (a hostile majority that lasts 90 minutes from the first
# window's start), so one hostile burst between friendly ones does not count.
HIJACK_SUSTAIN_WINDOWS: Final = 3
# At least 20 originals per window: below that a 50% share is one or two tweets of noise
# (standard error about 11 points at 20 originals).
HIJACK_MIN_ORIGINALS: Final = 20

# --- author concentration ---------------------------------------------------------------------
TOP_AUTHOR_FRACTION: Final = 0.01  # "the top 1% of authors"


# Where a KPI shows besides the Methods page, the CLI, the HTML report's key figures and
# kpis.csv (which list every KPI): the place's name -> the KPI's position there.
CARD: Final = "card"        # the deep-dive's headline cards
LIBRARY: Final = "library"  # the case library's cards
COMPARE: Final = "compare"  # the Compare page's key-figures table
LESSON: Final = "lesson"    # the exports' lessons (KPIs that can separate cases)

Result = tuple[Any, str | None]


class Measure:
    """What every KPI is computed from: a table, its launch, the case events and the alert rule.

    Intermediate results shared by several KPIs (the hourly peak, the alert replay) are
    computed once, on first use.
    """

    def __init__(self, table: pd.DataFrame, launch: pd.Timestamp, events: Sequence[Any] = (),
                 alert_rule: alerts.AlertRule | None = None) -> None:
        self.table, self.launch, self.events, self.alert_rule = table, launch, events, alert_rule

    @functools.cached_property
    def peak(self) -> dict[str, Any]:
        return peak(self.table, self.launch)

    @functools.cached_property
    def totals(self) -> dict[str, int]:
        return totals(self.table)

    @functools.cached_property
    def hostile_shares(self) -> dict[str, float | None]:
        return hostile_shares(self.table)

    @functools.cached_property
    def alert(self) -> alerts.AlertReplay:
        return alerts.replay(self.table, self.launch, rule=self.alert_rule, events=self.events)


@dataclass(frozen=True)
class KpiSpec:
    """A KPI, whole: key, display label, unit, definition (plain text, for hover help), how it
    is computed (``compute(measure) -> (value, reason it is None)``), whether it needs the
    scores, and where it shows (``shows``: place -> position, see ``CARD`` and the others)."""

    key: str
    label: str
    unit: str
    definition: str
    compute: Callable[[Measure], Result]
    needs_scores: bool = False
    shows: Mapping[str, int] = field(default_factory=dict)


def _known(value: Any, reason: str) -> Result:
    return value, None if value is not None else reason


def _alert_fired(m: Measure) -> Result:
    fired = m.alert.fired_minutes
    return fired, None if fired is not None else (
        f"the rule ({m.alert.rule.describe()}) never held in the "
        f"{alerts.REPLAY_HORIZON.days} days after launch")


NO_ORIGINALS: Final = "the archive holds no originals"

KPIS: Final[dict[str, KpiSpec]] = {spec.key: spec for spec in (
    KpiSpec("tweets", "Tweets", "tweets",
            "Every tweet in the archive, retweets included.",
            lambda m: (m.totals["tweets"], None), shows={CARD: 0, LIBRARY: 0, COMPARE: 0}),
    KpiSpec("originals", "Original posts", "tweets",
            "Tweets that are not retweets: plain tweets, replies and quotes.",
            lambda m: (m.totals["originals"], None), shows={COMPARE: 1}),
    KpiSpec("unique_authors", "Unique authors", "accounts",
            "Distinct accounts that posted or retweeted at least once.",
            lambda m: (m.totals["unique_authors"], None), shows={COMPARE: 2}),
    KpiSpec("peak_hourly_rate", "Peak hourly rate", "tweets/hour",
            "The most tweets (retweets included) in any 60-minute window; windows slide in "
            "5-minute steps.",
            lambda m: (m.peak["peak_hourly_rate"], None),
            shows={CARD: 3, COMPARE: 3, LESSON: 5}),
    KpiSpec("peak_time", "Peak time", "UTC time",
            "Start of the 60-minute window with the peak hourly rate (the earliest one if tied).",
            lambda m: (m.peak["peak_time"], None)),
    KpiSpec("time_to_peak_hours", "Time to peak", "hours",
            "Peak time minus launch, in hours.",
            lambda m: (m.peak["time_to_peak_hours"], None), shows={COMPARE: 5}),
    KpiSpec("time_to_hijack_minutes", "Time to hijack", "minutes",
            f"Minutes from launch to the start of the first sustained hostile window. Originals "
            f"are counted in {int(HIJACK_BIN.total_seconds() // 60)}-minute bins from the launch; a "
            f"window is {HIJACK_WINDOW_BINS} bins "
            f"({int(HIJACK_WINDOW_BINS * HIJACK_BIN.total_seconds() // 60)} minutes) and qualifies "
            f"when it holds at least {HIJACK_MIN_ORIGINALS} originals of which at least "
            f"{HIJACK_SHARE:.0%} are hostile. The hijack starts at the first window that qualifies "
            f"together with the next {HIJACK_SUSTAIN_WINDOWS - 1} windows.",
            lambda m: time_to_hijack_minutes(m.table, m.launch), needs_scores=True,
            shows={CARD: 2, LIBRARY: 2, COMPARE: 6, LESSON: 1}),
    KpiSpec("hostile_share", "Hostile share", "share",
            "Hostile tweets / all tweets, retweets included (a retweet repeats a hostile message).",
            lambda m: _known(m.hostile_shares["hostile_share"], NO_ORIGINALS), needs_scores=True,
            shows={CARD: 1, LIBRARY: 1, COMPARE: 7, LESSON: 0}),
    KpiSpec("hostile_share_originals", "Hostile share of originals", "share",
            "Hostile originals / originals (retweets excluded).",
            lambda m: _known(m.hostile_shares["hostile_share_originals"], NO_ORIGINALS),
            needs_scores=True, shows={COMPARE: 8}),
    KpiSpec("hostile_engagement_share", "Engagement captured by hostile posts", "share",
            "Engagement of hostile posts / engagement of all posts. A post's engagement is "
            "retweets + likes + replies + quotes: the archive's counts when collected after the "
            "fact, else (or when larger) the retweets, replies and quotes of it found in the "
            "archive. Retweets are collapsed onto the post they repeat.",
            lambda m: engagement.hostile_engagement_share(m.table), needs_scores=True,
            shows={COMPARE: 9, LESSON: 2}),
    KpiSpec("top1pct_author_share", "Top 1% authors' share", "share",
            "Share of all tweets posted by the most active 1% of authors (at least one author), "
            "ranked by tweets, retweets included.",
            lambda m: top_author_share(m.table), shows={COMPARE: 10, LESSON: 7}),
    KpiSpec("decay_half_life_hours", "Decay half-life", "hours",
            "Hours from the peak window's start to the first later 60-minute window (same "
            "5-minute grid, fully inside the archive) holding at most half the peak's tweets.",
            lambda m: decay_half_life_hours(m.table, m.launch), shows={COMPARE: 11, LESSON: 6}),
    KpiSpec("response_latency_hours", "Brand response latency", "hours",
            "Hours from launch to the brand's first documented reaction (response, statement or "
            "cancellation) in the case events.",
            lambda m: response_latency_hours(m.events, m.launch),
            shows={CARD: 5, COMPARE: 12, LESSON: 4}),
    KpiSpec("alert_fired_minutes", "Listening alert fired", "minutes",
            f"Minutes after launch at which a social-listening alert would have fired, replaying "
            f"the archive minute by minute over the first "
            f"{alerts.REPLAY_HORIZON.days} days: {alerts.AlertRule().describe()}.",
            _alert_fired, needs_scores=True, shows={CARD: 4, COMPARE: 13, LESSON: 3}),
)}

# KPIs that need the scores (hostile column).
HOSTILITY_KPIS: Final[tuple[str, ...]] = tuple(k for k, s in KPIS.items() if s.needs_scores)
# KPIs measured from the launch: they move when the launch is only assumed.
LAUNCH_KPIS: Final[tuple[str, ...]] = (
    "time_to_peak_hours", "time_to_hijack_minutes", "alert_fired_minutes")
NO_LAUNCH: Final = "no launch time given: measured from the first tweet in the archive"
LAUNCH_ASSUMED: Final = "the launch time is assumed (see the caveats): measured from it"
# Units as shown next to values.
UNIT_FORMATS: Final[dict[str, str]] = {
    "tweets": "{:,.0f}", "accounts": "{:,.0f}", "tweets/hour": "{:,.0f}/h",
    "hours": "{:.1f} h", "minutes": "{:,.0f} min", "share": "{:.1%}", "UTC time": "{}",
}


def shown_in(place: str) -> list[str]:
    """The keys of the KPIs that show in ``place`` (``CARD``, ``COMPARE``…), in their order."""
    keys = [key for key, spec in KPIS.items() if place in spec.shows]
    return sorted(keys, key=lambda key: KPIS[key].shows[place])


@dataclass
class KpiReport:
    """KPI values (keys of ``KPIS``; None = not computable) and ``notes`` key -> reason."""

    values: dict[str, Any]
    notes: dict[str, str] = field(default_factory=dict)
    launch: pd.Timestamp | None = None
    launch_assumed: bool = False
    alert: alerts.AlertReplay | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: timestamps as ISO 8601 strings, plus ``notes`` and ``launch``."""
        out = {key: _jsonable(self.values.get(key)) for key in KPIS}
        out["launch"] = _jsonable(self.launch)
        out["launch_assumed"] = self.launch_assumed
        out["notes"] = dict(self.notes)
        return out


def format_value(key: str, value: Any) -> str:
    """A KPI value as display text ("n/a" for None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return UNIT_FORMATS[KPIS[key].unit].format(value)


def format_duration(minutes: float | None) -> str:
    """Minutes as a short human duration (``42 min``, ``3.5 h``, ``2.1 days``; ``—`` if unknown)."""
    if minutes is None or pd.isna(minutes):
        return "—"
    if abs(minutes) < 120:
        return f"{minutes:.0f} min"
    if abs(minutes) < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"


def format_offset(hours: float) -> str:
    """Time from launch, signed, with ``format_duration``'s units and steps: ``-45 min``,
    ``+5.3 h``, ``+18 days`` (whole days: an event days away needs no decimal)."""
    if abs(hours) < 2:
        return f"{hours * 60:+.0f} min"
    if abs(hours) < 48:
        return f"{hours:+.1f} h"
    return f"{hours / 24:+.0f} days"


def compute(table: pd.DataFrame, *, launch: pd.Timestamp | None = None,
            events: Sequence[Any] = (), alert_rule: alerts.AlertRule | None = None,
            launch_assumed: bool = False) -> KpiReport:
    """Every KPI of ``KPIS`` for a scored table. ``events`` are ``analysis.cases.Event``-like."""
    report = KpiReport(values=dict.fromkeys(KPIS), launch_assumed=launch_assumed)
    dated = table["created_at"].dropna()
    if len(dated) == 0:
        report.notes.update(dict.fromkeys(KPIS, "the archive holds no dated tweets"))
        report.values.update(tweets=len(table), originals=int((~table["is_retweet"]).sum()))
        return report
    if launch is None or launch_assumed:
        note = LAUNCH_ASSUMED if launch is not None else NO_LAUNCH
        launch = dated.min() if launch is None else launch
        report.launch_assumed = True
        for key in LAUNCH_KPIS:
            report.notes[key] = note
    report.launch = launch = _utc(launch)
    measure = Measure(table, launch, events, alert_rule)
    scored = hostile_mask(table) is not None
    for key, spec in KPIS.items():
        if spec.needs_scores and not scored:
            report.notes[key] = "the table is not scored (no hostile column)"
        else:
            _note(report, key, spec.compute(measure))
    if scored:
        report.alert = measure.alert
    return report


def for_case(case: Any, table: pd.DataFrame, *,
             alert_rule: alerts.AlertRule | None = None) -> KpiReport:
    """``compute`` with a case's launch and events (``analysis.cases.Case``)."""
    return compute(table, launch=getattr(case, "launch", None),
                   events=getattr(case, "events", ()) or (), alert_rule=alert_rule,
                   launch_assumed=bool(getattr(case, "launch_assumed", False)))


def totals(table: pd.DataFrame) -> dict[str, int]:
    """``tweets`` (all rows), ``originals`` (non-retweets), ``unique_authors`` (distinct, non-empty)."""
    retweets = int(table["is_retweet"].to_numpy(dtype=bool).sum())
    return {"tweets": len(table), "originals": len(table) - retweets,
            "unique_authors": int(table["author"].dropna().nunique())}


def hourly_rate(table: pd.DataFrame, launch: pd.Timestamp | None = None) -> pd.DataFrame:
    """Tweets in each 60-minute window starting on the 5-minute grid (aligned on ``launch``).

    Columns: ``start`` (window start, UTC), ``tweets``, ``full`` (the window lies entirely
    before the end of the archive's last 5-minute bin).
    """
    bins = assign_bins(table["created_at"], RATE_STEP, launch, max_bins=None)
    counts = np.bincount(bins.index, minlength=bins.count)
    csum = np.concatenate([[0], np.cumsum(counts)])
    starts = np.arange(bins.count)
    ends = np.minimum(starts + RATE_WINDOW_STEPS, bins.count)
    return pd.DataFrame({
        "start": bins.starts(),
        "tweets": (csum[ends] - csum[starts]).astype(np.int64),
        "full": starts + RATE_WINDOW_STEPS <= bins.count,
    })


def peak(table: pd.DataFrame, launch: pd.Timestamp) -> dict[str, Any]:
    """``peak_hourly_rate``, ``peak_time`` (window start) and ``time_to_peak_hours``."""
    rates = hourly_rate(table, launch)
    best = int(np.argmax(rates["tweets"].to_numpy()))
    start = rates["start"].iloc[best]
    return {"peak_hourly_rate": int(rates["tweets"].iloc[best]), "peak_time": start,
            "time_to_peak_hours": (start - launch) / pd.Timedelta(hours=1)}


def decay_half_life_hours(table: pd.DataFrame,
                          launch: pd.Timestamp | None = None) -> tuple[float | None, str | None]:
    """Hours from the peak window to the first later full window with <= half the peak.

    Uses the same grid as ``peak`` (5-minute steps aligned on ``launch``).
    """
    rates = hourly_rate(table, launch)
    counts = rates["tweets"].to_numpy()
    best = int(np.argmax(counts))
    later = np.flatnonzero((np.arange(len(counts)) > best) & rates["full"].to_numpy()
                           & (counts <= DECAY_FRACTION * counts[best]))
    if len(later) == 0:
        return None, "the volume did not fall to half its peak before the archive ends"
    return float((later[0] - best) * RATE_STEP / pd.Timedelta(hours=1)), None


def time_to_hijack_minutes(table: pd.DataFrame,
                           launch: pd.Timestamp) -> tuple[float | None, str | None]:
    """Minutes from launch to the first sustained hostile window of originals (see ``KPIS``)."""
    hostile = hostile_mask(table)
    if hostile is None:
        return None, "the table is not scored (no hostile column)"
    original = ~table["is_retweet"].to_numpy(dtype=bool)
    bins = assign_bins(table["created_at"], HIJACK_BIN, launch, start=launch, max_bins=None)
    n = bins.count
    orig = np.bincount(bins.index, weights=original[bins.rows].astype(float), minlength=n)
    host = np.bincount(bins.index, weights=(original & hostile)[bins.rows].astype(float),
                       minlength=n)
    first = int((launch - bins.first_start) // HIJACK_BIN)
    windows = n - HIJACK_WINDOW_BINS + 1 - first
    if windows < HIJACK_SUSTAIN_WINDOWS:
        return None, "the archive covers too little time after launch to find a sustained window"
    o = np.lib.stride_tricks.sliding_window_view(orig[first:], HIJACK_WINDOW_BINS).sum(axis=1)
    h = np.lib.stride_tricks.sliding_window_view(host[first:], HIJACK_WINDOW_BINS).sum(axis=1)
    ok = (o >= HIJACK_MIN_ORIGINALS) & (h >= HIJACK_SHARE * np.maximum(o, 1))
    sustained = np.lib.stride_tricks.sliding_window_view(ok, HIJACK_SUSTAIN_WINDOWS).all(axis=1)
    hits = np.flatnonzero(sustained)
    if len(hits) == 0:
        return None, (f"hostile originals never held ≥ {HIJACK_SHARE:.0%} of ≥ "
                      f"{HIJACK_MIN_ORIGINALS} originals per hour for {HIJACK_SUSTAIN_WINDOWS} "
                      f"consecutive windows")
    return float(hits[0] * HIJACK_BIN / pd.Timedelta(minutes=1)), None


def hostile_shares(table: pd.DataFrame) -> dict[str, float | None]:
    """``hostile_share`` (all tweets) and ``hostile_share_originals`` (non-retweets)."""
    hostile = hostile_mask(table)
    assert hostile is not None
    original = ~table["is_retweet"].to_numpy(dtype=bool)
    n_orig = int(original.sum())
    return {"hostile_share": float(hostile.mean()) if len(hostile) else None,
            "hostile_share_originals": float(hostile[original].sum()) / n_orig if n_orig else None}


def top_author_share(table: pd.DataFrame) -> tuple[float | None, str | None]:
    """Share of tweets by the top ``ceil(1% of authors)`` authors (at least 1), by tweet count."""
    counts = table["author"].dropna().value_counts()
    if counts.empty:
        return None, "no tweet has an author"
    k = max(1, math.ceil(TOP_AUTHOR_FRACTION * len(counts)))
    return float(counts.nlargest(k).sum()) / float(counts.sum()), None


def response_latency_hours(events: Sequence[Any],
                           launch: pd.Timestamp) -> tuple[float | None, str | None]:
    """Hours from launch to the first brand reaction event (see ``alerts.BRAND_REACTION_KINDS``)."""
    reaction = alerts.brand_reaction(events, launch)
    if reaction is None:
        return None, "no brand response or cancellation is documented in the case events"
    return (reaction[0] - launch) / pd.Timedelta(hours=1), None


def _note(report: KpiReport, key: str, result: tuple[float | None, str | None]) -> None:
    value, reason = result
    report.values[key] = value
    if reason:
        report.notes[key] = reason


def _jsonable(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _utc(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
