"""The story of a case, chapter by chapter: the numbers each chapter shows and reveals.

A case file's ``[[chapters]]`` (``analysis.cases.Chapter``) hold the words: phase, title, a
short cited text, an optional window in hours since launch, and a "predict, then reveal"
prompt naming a metric of ``cases.REVEAL_METRICS``. Every number comes from here, computed
on the case's scored table, never written in the case file:
- the reveal (``REVEALS``): the answer to the chapter's prompt;
- one number that matters (``PHASE_NUMBERS``): shown up front, never the same measure as the
  chapter's reveal (the class would see the answer before predicting it);
- a few posts of the phase: the most engaged hostile posts of the window (for the context and
  the ask, the most engaged posts of any stance).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from analysis.cases import REVEAL_METRICS, Case, Chapter, numbered_events
from analysis.errors import CaseError
from analysis.metrics import engagement, filters, kpis
from analysis.store import paths

# Phase key (``cases.CHAPTER_PHASES``) -> the heading a class sees.
PHASE_TITLES: Final[dict[str, str]] = {
    "context": "The context",
    "ask": "The ask",
    "first_wave": "The first hostile wave",
    "peak": "The peak",
    "response": "The brand's response",
    "aftermath": "The aftermath",
    "lessons": "The lessons",
}
# Phases before the hijack show the most engaged posts of any stance (the crowd had not
# turned yet); the others show the most engaged hostile posts.
ANY_STANCE_PHASES: Final[frozenset[str]] = frozenset({"context", "ask"})
POSTS_PER_CHAPTER: Final = 3
GLOSSARY_FILE: Final = paths.PROJECT_ROOT / "data" / "glossary.toml"


@dataclass(frozen=True)
class Number:
    """A computed number with its display text and what it measures."""

    key: str
    value: float | None
    text: str          # the value as shown ("42 min", "71%", "4,512")
    meaning: str       # what it measures, in words

    @property
    def label(self) -> str:
        """A short label for a metric card."""
        return SHORT_LABELS.get(self.key, self.key)

    @property
    def known(self) -> bool:
        return self.value is not None and not pd.isna(self.value)


def window_table(table: pd.DataFrame, case: Case, chapter: Chapter) -> pd.DataFrame:
    """The rows of the chapter's window (all rows when the chapter has none)."""
    if chapter.window is None:
        return table
    start, end = filters.window(case.launch, *chapter.window)
    return filters.apply(table, filters.Filters(start=start, end=end))


# A chapter without a window (the lessons) shows the busy part of the case: from the 1st to
# the 99th percentile of tweet times (a few stray posts weeks later would squash the chart).
BUSY_QUANTILES: Final = (0.01, 0.99)


def chart_hours(table: pd.DataFrame, case: Case, chapter: Chapter) -> tuple[float, float]:
    """The hours since launch a chapter's chart spans: its window, else the busy part."""
    if chapter.window is not None:
        return chapter.window
    dated = table["created_at"].dropna()
    if dated.empty:
        return (0.0, 48.0)
    lo, hi = ((dated.quantile(q) - case.launch) / pd.Timedelta(hours=1) for q in BUSY_QUANTILES)
    return (float(np.floor(lo)), float(np.ceil(max(hi, lo + 1))))


def chapter_events(case: Case, hours: tuple[float, float]) -> pd.DataFrame:
    """The case's events within ``hours`` since launch, numbered as on every chart of the
    case (event *n* is the *n*-th of ``cases.numbered_events``), for ``charts.timeline``."""
    rows = [{"number": n, "time": e.time, "kind": e.kind, "label": e.label,
             "note": e.note + (f" (confidence: {e.confidence})" if e.confidence else ""),
             "source_url": e.source_url or "no source: see the fact sheet"}
            for n, e in enumerate(numbered_events(case), start=1)
            if hours[0] <= case.hours_since_launch(e.time) <= hours[1]]
    return pd.DataFrame(rows, columns=["number", "time", "kind", "label", "note", "source_url"])


def event_lines(case: Case, events: pd.DataFrame) -> list[str]:
    """A chart's events as a numbered list (the numbers of its markers and labels):
    ``3 · +1.5 h · Statement: …``."""
    out = []
    for row in events.sort_values("number", kind="stable").itertuples():
        when = kpis.format_offset(case.hours_since_launch(pd.Timestamp(row.time)))
        out.append(f"{int(row.number)} · {when} · {row.label}")
    return out


def _kpi(key: str) -> Callable[[pd.DataFrame, kpis.KpiReport], tuple[float | None, str]]:
    def compute(_window: pd.DataFrame, report: kpis.KpiReport) -> tuple[float | None, str]:
        value = report.values.get(key)
        return (None if value is None else float(value)), kpis.format_value(key, value)
    return compute


def _share(column: str) -> Callable[[pd.DataFrame, kpis.KpiReport], tuple[float | None, str]]:
    def compute(window: pd.DataFrame, _report: kpis.KpiReport) -> tuple[float | None, str]:
        if window.empty or column not in window.columns:
            return None, "n/a"
        value = float(window[column].fillna(False).astype(bool).mean())
        return value, f"{value:.0%}"
    return compute


def _count(window: pd.DataFrame, _report: kpis.KpiReport) -> tuple[float | None, str]:
    return float(len(window)), f"{len(window):,}"


def _duration(key: str, per_hour: float) -> Callable[[pd.DataFrame, kpis.KpiReport],
                                                     tuple[float | None, str]]:
    """A KPI in minutes or hours, shown as a readable duration."""
    def compute(_window: pd.DataFrame, report: kpis.KpiReport) -> tuple[float | None, str]:
        value = report.values.get(key)
        if value is None:
            return None, "n/a"
        return float(value), kpis.format_duration(float(value) * 60 / per_hour)
    return compute


# Reveal metric key (``cases.REVEAL_METRICS``) -> how it is computed on (window, case KPIs).
REVEALS: Final[dict[str, Callable[[pd.DataFrame, kpis.KpiReport], tuple[float | None, str]]]] = {
    "minutes_to_hijack": _duration("time_to_hijack_minutes", per_hour=60),
    "hours_to_peak": _duration("time_to_peak_hours", per_hour=1),
    "peak_hourly": _kpi("peak_hourly_rate"),
    "hours_to_response": _duration("response_latency_hours", per_hour=1),
    "hostile_share": _share("hostile"),
    "tweets_in_window": _count,
    "retweet_share": _share("is_retweet"),
}
# Metric-card labels (the full meaning goes in the card's help).
SHORT_LABELS: Final[dict[str, str]] = {
    "minutes_to_hijack": "Time to hijack",
    "hours_to_peak": "Time to peak",
    "peak_hourly": "Busiest hour",
    "hours_to_response": "Brand reaction",
    "hostile_share": "Hostile posts",
    "tweets_in_window": "Posts in this phase",
    "retweet_share": "Retweets",
}
# The number shown up front per phase, then the fall-backs when it is the chapter's reveal.
PHASE_NUMBERS: Final[dict[str, str]] = {
    "context": "tweets_in_window",
    "ask": "tweets_in_window",
    "first_wave": "hostile_share",
    "peak": "peak_hourly",
    "response": "hostile_share",
    "aftermath": "tweets_in_window",
    "lessons": "hostile_share",
}
FALLBACK_NUMBERS: Final[tuple[str, ...]] = ("tweets_in_window", "hostile_share", "retweet_share")


def _meaning(key: str, chapter: Chapter) -> str:
    meaning = REVEAL_METRICS[key]
    if "window" in meaning and chapter.window is None:
        meaning = meaning.replace("in the chapter's window", "in the whole archive")
    return meaning


def measure(key: str, table: pd.DataFrame, case: Case, chapter: Chapter,
            report: kpis.KpiReport) -> Number:
    """The metric ``key`` for the chapter (window metrics on its window)."""
    value, text = REVEALS[key](window_table(table, case, chapter), report)
    return Number(key, value, text, _meaning(key, chapter))


def reveal(table: pd.DataFrame, case: Case, chapter: Chapter,
           report: kpis.KpiReport) -> Number | None:
    """The answer to the chapter's prompt, or None when the chapter asks nothing."""
    if not chapter.reveal:
        return None
    return measure(chapter.reveal, table, case, chapter, report)


def headline(table: pd.DataFrame, case: Case, chapter: Chapter,
             report: kpis.KpiReport) -> Number:
    """The chapter's one number that matters (never its own reveal)."""
    wanted = PHASE_NUMBERS.get(chapter.phase, "tweets_in_window")
    for key in (wanted, *FALLBACK_NUMBERS):
        if key != chapter.reveal:
            return measure(key, table, case, chapter, report)
    raise AssertionError("FALLBACK_NUMBERS holds more than one key")  # pragma: no cover


def posts(table: pd.DataFrame, case: Case, chapter: Chapter,
          n: int = POSTS_PER_CHAPTER) -> pd.DataFrame:
    """The phase's most engaged posts (after the ask: hostile ones, not the brand's own)."""
    window = window_table(table, case, chapter)
    hostile_only = chapter.phase not in ANY_STANCE_PHASES
    if hostile_only:  # the crowd's posts: the brand's own tweets are not part of the backlash
        brand = window["author"].fillna("").astype(str).str.lower() == case.brand_account.lower()
        window = window.loc[~brand.to_numpy(dtype=bool)]
    found = engagement.top_hostile_posts(window, n, hostile_only=hostile_only)
    if found.empty and hostile_only:
        found = engagement.top_hostile_posts(window, n, hostile_only=False)
    return found


def score_guess(guess: float | None, answer: Number) -> str | None:
    """How far a class's guess was from the answer, in words (None without a guess)."""
    if guess is None or not answer.known or answer.value is None:
        return None
    actual = float(answer.value)
    if answer.key in ("hostile_share", "retweet_share"):
        guess = guess / 100 if guess > 1 else guess  # "70" means 70 %
        return f"Your guess: {guess:.0%}; off by {abs(guess - actual) * 100:.0f} points."
    if actual == 0:
        return f"Your guess: {guess:,.4g}."
    off = (guess - actual) / actual
    direction = "too high" if off > 0 else "too low"
    return (f"Your guess: {guess:,.4g}; {abs(off):.0%} {direction}." if abs(off) >= 0.005
            else f"Your guess: {guess:,.4g}; spot on.")


# --------------------------------------------------------------------------- glossary

@dataclass(frozen=True)
class Term:
    term: str
    definition: str
    see: str


def load_glossary(path: Path = GLOSSARY_FILE) -> tuple[Term, ...]:
    """The glossary's terms (``[[terms]]`` with term, definition and see), in file order."""
    try:
        data: Mapping[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise CaseError(f"{path}: cannot read the glossary ({err})") from err
    out = []
    for i, item in enumerate(data.get("terms", [])):
        for key in ("term", "definition", "see"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise CaseError(f"{path}: terms[{i}].{key} must be a non-empty string")
        out.append(Term(item["term"], item["definition"], item["see"]))
    return tuple(out)
