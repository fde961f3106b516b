"""Honest numbers for a case built from the Internet Archive's 1 % sample.

The sample keeps a tweet when its id's millisecond lies in 657-666 (p = 1 %), independently
of content, so a count x in the sample is close to a Poisson thinning of the true count
(Wu, Rizoiu & Xie 2020). Hence:

- counts: "in sample: x" and "estimated total ≈ x / p" with the exact (Garwood) Poisson 95 %
  interval ``[χ²(α/2; 2x)/2, χ²(1-α/2; 2x+2)/2] / p``;
- shares (hostile share…): the share in the sample with a Wilson 95 % interval, no scale-up;
- everything else (times, concentrations) as measured in the sample, and only from a minimum
  number of sampled tweets: below it the KPI reads "too few tweets". The rules are data
  (``SAMPLE_RULES``).

The grab itself holds about 95 % of the stream (Sequiera & Lin 2017): totals are *not*
silently divided by that; the note says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from analysis.metrics import terms
from analysis.metrics.filters import hostile_mask
from analysis.metrics.kpis import KPIS, format_value, hourly_rate

CONFIDENCE: Final = 0.95
# The sampling rate of the Stream Grab (10 of 1000 milliseconds); sampling.json may carry a
# measured one.
DEFAULT_RATE: Final = 0.01
TOO_FEW: Final = "too few tweets"
# One sentence on every estimate screen (Pfeffer, Mayer & Morstatter 2018).
CAVEAT: Final = ("The 1 % sample is selected by the millisecond of each tweet's id, not at random: "
                 "automated posting can be over- or under-represented, and the grab holds about "
                 "95 % of the stream, so true totals may be somewhat higher.")


@dataclass(frozen=True)
class SampleRule:
    """How a KPI reads on a sample: ``count`` (scaled by 1/p with a Poisson interval),
    ``share`` (Wilson interval), ``sample`` (as measured, "in the 1 % sample"), ``case`` (from
    the case file, not the tweets); ``min_n`` sampled tweets are needed to say anything."""

    kind: str
    min_n: int
    why: str = ""


# Minimums: a share from 30 tweets has a Wilson half-width of about ±17 points; times and
# rankings need the burst itself to be visible at 1 % (about 500 tweets: the hijack rule's 20
# originals per hour are 2,000 per hour in the full stream).
SAMPLE_RULES: Final[dict[str, SampleRule]] = {
    "tweets": SampleRule("count", 1),
    "originals": SampleRule("count", 1),
    "peak_hourly_rate": SampleRule("count", 10, "the peak hour holds fewer than 10 sampled tweets"),
    "hostile_share": SampleRule("share", 30, "fewer than 30 tweets"),
    "hostile_share_originals": SampleRule("share", 30, "fewer than 30 originals"),
    "unique_authors": SampleRule("sample", 30, "author counts do not scale with the sample"),
    "top1pct_author_share": SampleRule("sample", 100, "author rankings do not scale with the sample"),
    "hostile_engagement_share": SampleRule("sample", 100, "engagement in a sample is a lower bound"),
    "time_to_hijack_minutes": SampleRule("sample", 500, "the hijack rule needs 20 originals an hour"),
    "alert_fired_minutes": SampleRule("sample", 500, "the alert rule was set for full streams"),
    "peak_time": SampleRule("sample", 100, "the peak needs a visible burst"),
    "time_to_peak_hours": SampleRule("sample", 100, "the peak needs a visible burst"),
    "decay_half_life_hours": SampleRule("sample", 300, "the decay needs a visible burst"),
    "response_latency_hours": SampleRule("case", 0),
}


def garwood(x: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact Poisson interval for a count ``x``."""
    alpha = 1 - confidence
    low = 0.0 if x == 0 else float(chi2.ppf(alpha / 2, 2 * x) / 2)
    high = float(chi2.ppf(1 - alpha / 2, 2 * x + 2) / 2)
    return low, high


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval for a share k/n (``(0, 1)`` when n = 0)."""
    if n <= 0:
        return 0.0, 1.0
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Estimate:
    """A count in the sample and the estimated total with its interval."""

    in_sample: int
    rate: float
    total: float
    low: float
    high: float

    def text(self) -> str:
        return f"≈ {_short(self.total)} (95 % CI {_short(self.low)}–{_short(self.high)})"


def estimate(x: int, rate: float = DEFAULT_RATE) -> Estimate:
    low, high = garwood(x)
    return Estimate(x, rate, x / rate, low / rate, high / rate)


@dataclass(frozen=True)
class Share:
    k: int
    n: int
    value: float | None
    low: float
    high: float

    def text(self) -> str:
        if self.value is None:
            return "n/a"
        return f"{self.value:.0%} (95 % CI {self.low:.0%}–{self.high:.0%})"


def share(k: int, n: int) -> Share:
    low, high = wilson(k, n)
    return Share(k, n, k / n if n else None, low, high)


@dataclass(frozen=True)
class SampledKpi:
    """A KPI as a sample can tell it: the card text, and the detail under it."""

    key: str
    text: str
    detail: str
    too_few: bool


def sampled_kpis(values: Mapping[str, Any], table: pd.DataFrame, launch: pd.Timestamp,
                 rate: float = DEFAULT_RATE) -> dict[str, SampledKpi]:
    """Every KPI of ``SAMPLE_RULES`` as the sample can tell it (``values`` from kpis)."""
    n = len(table)
    counts = _counts(table, launch)
    out: dict[str, SampledKpi] = {}
    for key, rule in SAMPLE_RULES.items():
        base = counts.get(key, n)
        if base < rule.min_n:
            out[key] = SampledKpi(key, TOO_FEW, f"{rule.why} in the sample ({base:,})", True)
        elif rule.kind == "count":
            est = estimate(base, rate)
            unit = "/h" if key == "peak_hourly_rate" else ""
            out[key] = SampledKpi(key, f"≈ {_short(est.total)}{unit}",
                                  f"in sample: {base:,}; 95 % CI {_short(est.low)}–{_short(est.high)}", False)
        elif rule.kind == "share":
            hostile = hostile_mask(table)
            mask = np.ones(n, dtype=bool) if key == "hostile_share" else ~table["is_retweet"].to_numpy(dtype=bool)
            k = int(hostile[mask].sum()) if hostile is not None else 0
            sh = share(k, int(mask.sum()))
            out[key] = SampledKpi(key, f"{sh.value:.0%}" if sh.value is not None else "n/a",
                                  f"95 % CI {sh.low:.0%}–{sh.high:.0%} ({k:,} of {sh.n:,} sampled)", False)
        else:
            detail = "from the case's events" if rule.kind == "case" else f"in the 1 % sample ({n:,} tweets)"
            out[key] = SampledKpi(key, format_value(key, values.get(key)), detail, False)
    return out


def _counts(table: pd.DataFrame, launch: pd.Timestamp) -> dict[str, int]:
    """The sample size each rule is judged on."""
    originals = int((~table["is_retweet"].to_numpy(dtype=bool)).sum()) if len(table) else 0
    rates = hourly_rate(table, launch) if len(table) else pd.DataFrame()
    peak = int(rates["tweets"].max()) if len(rates) and "tweets" in rates else 0
    return {"tweets": len(table), "originals": originals, "hostile_share_originals": originals,
            "peak_hourly_rate": peak}


def _short(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.2f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:,.0f}"


# --- side by side with the reconstruction ---------------------------------------------------------

def volume_comparison(reconstruction: pd.DataFrame, sample: pd.DataFrame, launch: pd.Timestamp,
                      rate: float = DEFAULT_RATE, bin_hours: int = 1) -> pd.DataFrame:
    """Per bin since launch: the reconstruction's tweets, the sample's count, and the estimate
    from the sample with its Poisson interval (columns ``hours``, ``reconstruction``,
    ``in_sample``, ``estimate``, ``low``, ``high``)."""
    def counts(table: pd.DataFrame) -> pd.Series:
        hours = (pd.to_datetime(table["created_at"], utc=True) - launch) / pd.Timedelta(hours=1)
        return (np.floor(hours / bin_hours) * bin_hours).value_counts()

    recon, samp = counts(reconstruction), counts(sample)
    index = sorted(set(recon.index) | set(samp.index))
    rows = []
    for h in index:
        x = int(samp.get(h, 0))
        est = estimate(x, rate)
        rows.append({"hours": float(h), "reconstruction": int(recon.get(h, 0)), "in_sample": x,
                     "estimate": est.total, "low": est.low, "high": est.high})
    return pd.DataFrame(rows, columns=["hours", "reconstruction", "in_sample", "estimate", "low", "high"])


def share_comparison(reconstruction: pd.DataFrame, sample: pd.DataFrame) -> pd.DataFrame:
    """Hostile share of tweets and of originals in each dataset; Wilson interval on the sample."""
    rows = []
    for label, mask_of in (("all tweets", lambda t: np.ones(len(t), dtype=bool)),
                           ("originals", lambda t: ~t["is_retweet"].to_numpy(dtype=bool))):
        row: dict[str, Any] = {"measure": f"hostile share of {label}"}
        for name, table in (("reconstruction", reconstruction), ("sample", sample)):
            hostile = hostile_mask(table)
            mask = mask_of(table)
            k = int(hostile[mask].sum()) if hostile is not None else 0
            sh = share(k, int(mask.sum()))
            row[name] = sh.value
            if name == "sample":
                row["sample_low"], row["sample_high"], row["sample_n"] = sh.low, sh.high, sh.n
        rows.append(row)
    return pd.DataFrame(rows)


def top_terms_comparison(reconstruction: pd.DataFrame, sample: pd.DataFrame,
                         stopwords: frozenset[str], top: int = 15) -> pd.DataFrame:
    """The ``top`` terms of each dataset side by side, with their uses per tweet."""
    columns: dict[str, list[Any]] = {}
    for name, table in (("reconstruction", reconstruction), ("sample", sample)):
        counts = terms.term_counts(table["text"], stopwords).head(top) if len(table) else pd.Series(dtype=int)
        share_of = counts / max(len(table), 1)
        columns[f"{name} term"] = list(counts.index) + [""] * (top - len(counts))
        columns[f"{name} per tweet"] = list(share_of.round(3)) + [None] * (top - len(counts))
    out = pd.DataFrame(columns)
    out.index = range(1, top + 1)
    return out


def kpi_label(key: str) -> str:
    return KPIS[key].label


# --- the case's reported figures beside the sample's estimates --------------------------------------

def _hours(table: pd.DataFrame, launch: pd.Timestamp) -> pd.Series:
    return (pd.to_datetime(table["created_at"], utc=True) - launch) / pd.Timedelta(hours=1)


def _count_target(x: int, rate: float, spec: Mapping[str, Any]) -> tuple[str, bool | None]:
    est = estimate(x, rate)
    lo, hi = spec.get("min", -math.inf), spec.get("max", math.inf)
    return f"{est.text()}; in sample: {x:,}", est.high >= lo and est.low <= hi


def _share_target(k: int, n: int, spec: Mapping[str, Any]) -> tuple[str, bool | None]:
    sh = share(k, n)
    lo, hi = spec.get("min", -math.inf), spec.get("max", math.inf)
    return f"{sh.text()}; {k:,} of {n:,} sampled", sh.high >= lo and sh.low <= hi


def _cumulative(table: pd.DataFrame, launch: pd.Timestamp, rate: float,
                spec: Mapping[str, Any]) -> tuple[str, bool | None]:
    hours = _hours(table, launch)
    return _count_target(int(hours.between(0, float(spec["hours"])).sum()), rate, spec)


def _peak_hourly(table: pd.DataFrame, launch: pd.Timestamp, rate: float,
                 spec: Mapping[str, Any]) -> tuple[str, bool | None]:
    times = pd.to_datetime(table["created_at"], utc=True)
    peak = int(times.dt.floor("1h").value_counts().max()) if len(times) else 0
    return _count_target(peak, rate, spec)


def _hostile_share(table: pd.DataFrame, launch: pd.Timestamp, rate: float,
                   spec: Mapping[str, Any]) -> tuple[str, bool | None]:
    inside = _hours(table, launch).between(float(spec.get("from_hours", -math.inf)),
                                           float(spec.get("to_hours", math.inf))).to_numpy()
    hostile = hostile_mask(table)
    k = int(hostile[inside].sum()) if hostile is not None else 0
    return _share_target(k, int(inside.sum()), spec)


def _retweet_share(table: pd.DataFrame, launch: pd.Timestamp, rate: float,
                   spec: Mapping[str, Any]) -> tuple[str, bool | None]:
    return _share_target(int(table["is_retweet"].sum()), len(table), spec)


# The metrics of a case file's [[reconstruction.targets]], measured on a sample.
TARGET_METRICS: Final = {
    "cumulative": (_cumulative, "count"), "peak_hourly": (_peak_hourly, "count"),
    "hostile_share": (_hostile_share, "share"), "retweet_share": (_retweet_share, "share"),
}


def _reported(spec: Mapping[str, Any], kind: str) -> str:
    fmt = (lambda v: f"{v:.0%}") if kind == "share" else (lambda v: f"{v:,.0f}")
    if "min" in spec and "max" in spec:
        return f"{fmt(spec['min'])} to {fmt(spec['max'])}"
    return f"at least {fmt(spec['min'])}" if "min" in spec else f"at most {fmt(spec['max'])}"


def reported_vs_sample(targets: list[Mapping[str, Any]], table: pd.DataFrame, launch: pd.Timestamp,
                       rate: float = DEFAULT_RATE) -> pd.DataFrame:
    """Each reported figure of the case (its calibration targets, with their sources) beside
    the sample's estimate of the same quantity and whether the two agree (the interval meets
    the reported range). Columns: figure, reported, sample estimate, agrees, source."""
    rows = []
    for spec in targets:
        metric = TARGET_METRICS.get(str(spec.get("metric")))
        if metric is None:
            continue
        measure, kind = metric
        text, agrees = measure(table, launch, rate, spec)
        base = len(table)
        rows.append({"figure": spec.get("label", ""), "reported": _reported(spec, kind),
                     "sample estimate": text if base else TOO_FEW,
                     "agrees": ("yes" if agrees else "no") if base else TOO_FEW,
                     "source": spec.get("source_url", "")})
    return pd.DataFrame(rows, columns=["figure", "reported", "sample estimate", "agrees", "source"])
