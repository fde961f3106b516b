"""The sentiment timeline: volume, hostile share and mean mood per time bin.

Bins are 1 minute to 30 days wide. They are aligned either on the clock (edges at multiples of
the bin width since the Unix epoch, so daily bins start at 00:00 UTC) or on the launch (edges at
launch + k x width, so hours since launch are round numbers). Every bin between the first and the
last tweet is present, empty ones included, so rolling windows and charts see real gaps.

"Originals" here and everywhere in the metrics are authored posts: every row that is not a
retweet (plain tweets, replies and quotes). ``originals + retweets == tweets`` in every bin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd

from analysis.errors import BackfireError
from analysis.metrics.filters import hostile_mask

# Bin widths offered in the UI, narrowest to widest: 1 minute for archives of a few minutes,
# a week and 30 days for archives that span years (``analysis.metrics.span`` picks among them).
BIN_SIZES: Final[dict[str, pd.Timedelta]] = {
    "1min": pd.Timedelta(minutes=1),
    "5min": pd.Timedelta(minutes=5),
    "15min": pd.Timedelta(minutes=15),
    "30min": pd.Timedelta(minutes=30),
    "1h": pd.Timedelta(hours=1),
    "3h": pd.Timedelta(hours=3),
    "6h": pd.Timedelta(hours=6),
    "12h": pd.Timedelta(hours=12),
    "1D": pd.Timedelta(days=1),
    "7D": pd.Timedelta(days=7),
    "30D": pd.Timedelta(days=30),
}
MIN_BIN: Final = pd.Timedelta(minutes=1)
MAX_BIN: Final = pd.Timedelta(days=30)
# Centred rolling mean over 3 bins: removes single-bin jitter without shifting the peak in time.
DEFAULT_SMOOTH_BINS: Final = 3
# Safety valve: a 5-minute timeline spanning years would be millions of mostly empty bins.
MAX_BINS: Final = 200_000

Align = Literal["clock", "launch"]

TIMELINE_COLUMNS: Final[tuple[str, ...]] = (
    "bin_start", "hours_since_launch", "tweets", "originals", "retweets", "hostile",
    "hostile_originals", "hostile_share", "hostile_share_originals", "mean_compound",
    "tweets_smooth", "hostile_share_smooth", "mean_compound_smooth",
)


@dataclass(frozen=True)
class Bins:
    """Integer bin index of each dated row of a table (rows without a date are dropped)."""

    index: np.ndarray        # bin number of each dated row, 0 = first bin
    rows: np.ndarray         # positions (iloc) of the dated rows in the table
    first_start: pd.Timestamp
    width: pd.Timedelta
    count: int

    def starts(self) -> pd.DatetimeIndex:
        return pd.date_range(self.first_start, periods=self.count, freq=self.width)


def bin_width(size: str | pd.Timedelta) -> pd.Timedelta:
    """A bin width from a ``BIN_SIZES`` key or a Timedelta between 1 minute and 30 days."""
    width = BIN_SIZES.get(size) if isinstance(size, str) else pd.Timedelta(size)
    if width is None:
        raise BackfireError(f"unknown bin size {size!r}; choose one of {', '.join(BIN_SIZES)}")
    if not MIN_BIN <= width <= MAX_BIN:
        raise BackfireError(f"bin size {width} is outside {MIN_BIN} .. {MAX_BIN}")
    return width


def assign_bins(times: pd.Series, width: pd.Timedelta, origin: pd.Timestamp | None = None,
                *, start: pd.Timestamp | None = None, max_bins: int | None = MAX_BINS) -> Bins:
    """Bin ``times`` (UTC datetimes) into ``width`` bins whose edges fall on ``origin`` + k x width.

    ``origin`` None means the Unix epoch (clock alignment). ``start``, when given, is a time the
    bins must cover even if no tweet falls there (e.g. the launch). ``max_bins`` guards charts
    against millions of empty bins (None: no limit, for internal counts).
    """
    values = times.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    dated = ~pd.isna(times).to_numpy()
    rows = np.flatnonzero(dated)
    step = width.value
    zero = 0 if origin is None else _utc(origin).value
    raw = (values[rows] - zero) // step
    bounds = [] if start is None else [(_utc(start).value - zero) // step]
    if len(raw):
        bounds += [int(raw.min()), int(raw.max())]
    if not bounds:
        return Bins(np.zeros(0, np.int64), rows, pd.Timestamp(zero, tz="UTC"), width, 0)
    lo, hi = int(min(bounds)), int(max(bounds))
    if max_bins is not None and hi - lo + 1 > max_bins:
        raise BackfireError(f"the archive spans {hi - lo + 1} bins of {width}; choose wider bins")
    first = pd.Timestamp(zero + lo * step, tz="UTC")
    return Bins(raw - lo, rows, first, width, hi - lo + 1)


def timeline(table: pd.DataFrame, *, bin_size: str | pd.Timedelta = "1h",
             launch: pd.Timestamp | None = None, align: Align | None = None,
             smooth_bins: int = DEFAULT_SMOOTH_BINS) -> pd.DataFrame:
    """One row per bin (tidy), columns ``TIMELINE_COLUMNS``.

    - ``tweets``/``originals``/``retweets``: volumes; ``hostile``/``hostile_originals``: how many
      of them are hostile;
    - ``hostile_share`` = hostile / tweets and ``hostile_share_originals`` = hostile originals /
      originals (NaN in an empty bin); ``mean_compound``: mean VADER compound (NaN if empty);
    - ``*_smooth``: centred rolling over ``smooth_bins`` bins; shares and means are pooled
      (sum of numerators / sum of denominators), not a mean of ratios;
    - ``hours_since_launch``: bin start minus launch in hours (NaN without a launch).

    ``align`` defaults to "launch" when a launch is given, else "clock". Unscored tables get NaN
    in the score columns.
    """
    width = bin_width(bin_size)
    align = align or ("launch" if launch is not None else "clock")
    if align == "launch" and launch is None:
        raise BackfireError("aligning bins on the launch needs a launch time")
    bins = assign_bins(table["created_at"], width, launch if align == "launch" else None)
    n = bins.count
    retweet = table["is_retweet"].to_numpy(dtype=bool)[bins.rows]
    hostile = hostile_mask(table)
    compound = (table["compound"].to_numpy(dtype=float)[bins.rows]
                if "compound" in table.columns else None)

    def count(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(bins.index, weights=weights, minlength=n).astype(float)

    out = pd.DataFrame({"bin_start": bins.starts()})
    out["hours_since_launch"] = ((out["bin_start"] - _utc(launch)) / pd.Timedelta(hours=1)
                                 if launch is not None else np.nan)
    out["tweets"] = count().astype(np.int64)
    out["retweets"] = count(retweet.astype(float)).astype(np.int64)
    out["originals"] = out["tweets"] - out["retweets"]
    if hostile is not None:
        h = hostile[bins.rows]
        out["hostile"] = count(h.astype(float)).astype(np.int64)
        out["hostile_originals"] = count((h & ~retweet).astype(float)).astype(np.int64)
    else:
        out["hostile"] = pd.array([pd.NA] * n, dtype="Int64")
        out["hostile_originals"] = pd.array([pd.NA] * n, dtype="Int64")
    out["hostile_share"] = _ratio(out["hostile"], out["tweets"])
    out["hostile_share_originals"] = _ratio(out["hostile_originals"], out["originals"])
    if compound is not None:
        known = ~np.isnan(compound)
        sums = count(np.where(known, compound, 0.0))
        scored = count(known.astype(float))
    else:
        sums = np.full(n, np.nan)
        scored = np.zeros(n)
    out["mean_compound"] = _ratio(pd.Series(sums), pd.Series(scored))
    _smooth(out, sums, scored, smooth_bins)
    return out[list(TIMELINE_COLUMNS)]


def stack(timelines: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Several cases' timelines in one tidy frame, for the Compare page.

    Adds ``case`` and ``tweets_norm`` (each case's volume divided by its own peak bin).
    """
    frames = []
    for case_id, frame in timelines.items():
        part = frame.copy()
        part.insert(0, "case", case_id)
        peak = part["tweets"].max() if len(part) else 0
        part["tweets_norm"] = part["tweets"] / peak if peak else np.nan
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=["case", *TIMELINE_COLUMNS, "tweets_norm"])
    return pd.concat(frames, ignore_index=True)


def _smooth(out: pd.DataFrame, compound_sums: np.ndarray, scored: np.ndarray,
            smooth_bins: int) -> None:
    window = max(1, int(smooth_bins))

    def roll(values: pd.Series | np.ndarray) -> pd.Series:
        series = pd.Series(np.asarray(values, dtype=float))
        return series.rolling(window, center=True, min_periods=1).sum()

    tweets = roll(out["tweets"])
    counts = pd.Series(np.asarray(out["tweets"], dtype=float))
    out["tweets_smooth"] = counts.rolling(window, center=True, min_periods=1).mean().to_numpy()
    hostile = out["hostile"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    out["hostile_share_smooth"] = _ratio(roll(hostile), tweets).to_numpy()
    out["mean_compound_smooth"] = _ratio(roll(compound_sums), roll(scored)).to_numpy()


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    n = np.asarray(pd.Series(num).astype("Float64").to_numpy(dtype=float, na_value=np.nan))
    d = np.asarray(pd.Series(den).astype("Float64").to_numpy(dtype=float, na_value=np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.Series(np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan))


def _utc(value: pd.Timestamp | None) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def bin_for_span(span: pd.Timedelta, target: int) -> str:
    """The narrowest ``BIN_SIZES`` key that cuts ``span`` into at most ``target`` bins."""
    for key, width in BIN_SIZES.items():
        if span / width <= target:
            return key
    return list(BIN_SIZES)[-1]
