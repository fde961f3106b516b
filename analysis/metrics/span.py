"""The time span a chart shows: the dense period, the default window around launch, the bin.

One rule for the dashboard and the exports, so a chart on screen and the same chart on a slide
show the same hours in the same bins:

- **Dense period**: the archive without its stray tweets. Sorted tweet times are cut at gaps
  longer than ``OUTLIER_GAP``; the largest group is the dense period, and the tweets outside it
  are *outliers* when they are a small minority (``OUTLIER_MAX_SHARE``). A real archive of 215
  tweets with three from years earlier has a dense period of a few days, not eleven years.
- **Default window**: launch ``-BEFORE_LAUNCH_H`` to ``+AFTER_LAUNCH_H`` hours, cut to the dense
  period (a short archive is shown whole; an archive far from its launch shows its dense period).
- **Bin**: the narrowest width in ``BIN_SIZES`` that draws at most ``TARGET_BINS`` bars over the
  window; a width the user asks for is widened when it would draw more than ``MAX_CHART_BINS``.
- **Share lines** are drawn only for bins with at least ``MIN_SHARE_TWEETS`` tweets (a share of
  one or two tweets zig-zags between 0 and 100 %).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from analysis.metrics.timeline import BIN_SIZES

# A gap this long between two consecutive tweets splits the archive into separate groups: a
# hijack lasts days; a month of silence means the tweets on the far side belong elsewhere.
OUTLIER_GAP: Final = pd.Timedelta(days=30)
# Tweets outside the largest group count as outliers only if they are this small a minority
# (otherwise the archive really has several periods and all of it is shown).
OUTLIER_MAX_SHARE: Final = 0.05
# Default window around the launch: the run-up, then the three days where every bundled
# backfire rises and fades (#AskRKelly's data ends at 72 h).
BEFORE_LAUNCH_H: Final = 2.0
AFTER_LAUNCH_H: Final = 72.0
# About this many bars over the window when the bin is chosen automatically (readable on a
# laptop screen and on a slide).
TARGET_BINS: Final = 120
# Never more bars than this, whatever bin is asked for (94,000 one-hour bins froze a browser).
MAX_CHART_BINS: Final = 1500
# Bins with fewer tweets get no hostile-share or sentiment point.
MIN_SHARE_TWEETS: Final = 5
# Widths tried, narrowest first (the timeline's own table of bin sizes).
WIDTHS: Final[tuple[tuple[str, pd.Timedelta], ...]] = tuple(
    sorted(BIN_SIZES.items(), key=lambda item: item[1]))
# Words for how far the outliers lie from the rest (lower bound of the gap -> word).
GAP_WORDS: Final[tuple[tuple[pd.Timedelta, str], ...]] = (
    (pd.Timedelta(days=730), "years"),
    (pd.Timedelta(days=60), "months"),
    (pd.Timedelta(days=14), "weeks"),
    (pd.Timedelta(0), "days"),
)


@dataclass(frozen=True)
class Period:
    """Where an archive's tweets are: the dense period and the stray tweets around it."""

    start: pd.Timestamp | None
    end: pd.Timestamp | None
    first: pd.Timestamp | None          # first and last tweet of the whole archive
    last: pd.Timestamp | None
    before: int = 0                     # outliers before / after the dense period
    after: int = 0
    gap_before: pd.Timedelta = pd.Timedelta(0)
    gap_after: pd.Timedelta = pd.Timedelta(0)

    @property
    def outliers(self) -> int:
        return self.before + self.after

    def describe(self) -> str:
        """E.g. "3 tweets lie years before the rest" ('' without outliers)."""
        parts = []
        for count, gap, side in ((self.before, self.gap_before, "before"),
                                 (self.after, self.gap_after, "after")):
            if count:
                noun = "tweet lies" if count == 1 else "tweets lie"
                parts.append(f"{count:,} {noun} {gap_words(gap)} {side} the rest")
        return "; ".join(parts)


@dataclass(frozen=True)
class Window:
    """A span of hours since launch (``start`` inclusive, ``end`` exclusive)."""

    start: float
    end: float

    @property
    def hours(self) -> float:
        return self.end - self.start

    def contains(self, hours: float) -> bool:
        return self.start <= hours <= self.end

    def times(self, launch: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
        return launch + pd.Timedelta(hours=self.start), launch + pd.Timedelta(hours=self.end)


def gap_words(gap: pd.Timedelta) -> str:
    return next(word for bound, word in GAP_WORDS if gap >= bound)


def period(times: pd.Series) -> Period:
    """The dense period of ``times`` (UTC datetimes; missing ones ignored) and its outliers."""
    dated = np.sort(times.dropna().to_numpy(dtype="datetime64[ns]"))
    if not len(dated):
        return Period(None, None, None, None)
    first, last = _stamp(dated[0]), _stamp(dated[-1])
    cuts = np.flatnonzero(np.diff(dated) > OUTLIER_GAP.to_timedelta64()) + 1
    bounds = np.concatenate(([0], cuts, [len(dated)]))
    sizes = np.diff(bounds)
    main = int(np.argmax(sizes))
    lo, hi = int(bounds[main]), int(bounds[main + 1])
    if len(dated) - (hi - lo) > OUTLIER_MAX_SHARE * len(dated):
        return Period(first, last, first, last)
    return Period(
        start=_stamp(dated[lo]), end=_stamp(dated[hi - 1]), first=first, last=last,
        before=lo, after=len(dated) - hi,
        gap_before=pd.Timedelta(dated[lo] - dated[lo - 1]) if lo else pd.Timedelta(0),
        gap_after=pd.Timedelta(dated[hi] - dated[hi - 1]) if hi < len(dated) else pd.Timedelta(0),
    )


def hours(stamp: pd.Timestamp, launch: pd.Timestamp) -> float:
    return float((stamp - launch) / pd.Timedelta(hours=1))


def dense_hours(found: Period, launch: pd.Timestamp) -> Window:
    """The dense period in whole hours since launch (the launch always inside)."""
    if found.start is None or found.end is None:
        return Window(0.0, 1.0)
    lo, hi = hours(found.start, launch), hours(found.end, launch)
    return Window(float(math.floor(min(lo, 0.0))), float(math.ceil(max(hi, 0.0, lo + 1 / 60))))


def full_hours(found: Period, launch: pd.Timestamp) -> Window:
    """The whole archive in whole hours since launch, outliers included."""
    if found.first is None or found.last is None:
        return Window(0.0, 1.0)
    lo, hi = hours(found.first, launch), hours(found.last, launch)
    return Window(float(math.floor(min(lo, 0.0))), float(math.ceil(max(hi, 0.0, lo + 1 / 60))))


def default_window(found: Period, launch: pd.Timestamp) -> Window:
    """Launch -2 h .. +72 h cut to the dense period (the dense period if they do not meet)."""
    if found.start is None or found.end is None:
        return Window(-BEFORE_LAUNCH_H, AFTER_LAUNCH_H)
    lo, hi = hours(found.start, launch), hours(found.end, launch)
    start, end = max(lo, -BEFORE_LAUNCH_H), min(hi, AFTER_LAUNCH_H)
    if end <= start:  # the data lies away from the launch: show the data
        start, end = lo, hi
    return Window(_floor(start), _ceil(max(end, start + 1 / 60)))


def chart_window(found: Period, launch: pd.Timestamp, *, start: float | None = None,
                 end: float | None = None, full: bool = False) -> Window:
    """The hours a timeline shows: the chosen window (hours since launch) when there is one,
    else the whole archive (``full``) or the default window around the launch."""
    if start is not None or end is not None:
        whole = full_hours(found, launch)
        return Window(whole.start if start is None else start, whole.end if end is None else end)
    return full_hours(found, launch) if full else default_window(found, launch)


def bin_for(window: Window, wanted: str | None = None) -> str:
    """The bin width (a ``BIN_SIZES`` key) for ``window``: ``wanted`` unless it would draw more
    than ``MAX_CHART_BINS`` bars; by default about ``TARGET_BINS`` bars."""
    span = pd.Timedelta(hours=max(window.hours, 0.0))
    limit = TARGET_BINS if wanted is None else MAX_CHART_BINS
    floor = BIN_SIZES[wanted] if wanted is not None else pd.Timedelta(0)
    for key, width in WIDTHS:
        if width >= floor and span / width <= limit:
            return key
    return WIDTHS[-1][0]


def bars(window: Window, bin_key: str) -> int:
    """How many bars ``bin_key`` draws over ``window``."""
    return max(1, math.ceil(pd.Timedelta(hours=window.hours) / BIN_SIZES[bin_key]))


def outside(event_hours: Sequence[float], window: Window) -> list[int]:
    """Positions of the events (hours since launch) that fall outside ``window``."""
    return [i for i, h in enumerate(event_hours) if not window.contains(h)]


def _stamp(value: np.datetime64) -> pd.Timestamp:
    return pd.Timestamp(value).tz_localize("UTC")


def _floor(value: float) -> float:
    """Down to the half hour (the slider's step), so the window's ends are round."""
    return math.floor(value * 2) / 2


def _ceil(value: float) -> float:
    return math.ceil(value * 2) / 2
