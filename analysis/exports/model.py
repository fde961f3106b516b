"""The post-mortem as data: what every export format says, independent of how it looks.

``analysis.exports.content`` fills these from the engine; the deck, the HTML report and the
PDF only lay them out. Text fields hold plain text (tweets verbatim); each renderer makes it
safe for its medium.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import pandas as pd
import plotly.graph_objects as go

from analysis.metrics import kpis


@dataclass(frozen=True)
class Section:
    """One part of the post-mortem. ``per_case`` sections repeat for each case;
    ``comparison_only`` ones exist only when several cases are compared."""

    key: str
    title: str
    per_case: bool = False
    comparison_only: bool = False


# The post-mortem's sections, in order: the deck has one slide per section (per case where
# ``per_case``), the report one <section> each. Tests check every title is present.
SECTIONS: Final[tuple[Section, ...]] = (
    Section("title", "Post-mortem"),
    Section("story", "The story in five bullets", per_case=True),
    Section("compare", "The cases compared, hours since launch", comparison_only=True),
    Section("timeline", "Sentiment timeline", per_case=True),
    Section("speed", "Hijack speed"),
    Section("posts", "Top hostile posts by engagement", per_case=True),
    Section("terms", "Distinctive terms and word clouds", per_case=True),
    Section("themes", "Themes over time", per_case=True),
    Section("kpis", "Key figures"),
    # One case has nothing to separate: its figures are on the speed and KPI slides.
    Section("lessons", "Lessons: what separates the cases", comparison_only=True),
    Section("methods", "Methods and sources"),
)
SECTION_TITLES: Final[dict[str, str]] = {s.key: s.title for s in SECTIONS}


@dataclass(frozen=True)
class Post:
    """A top hostile post: its text verbatim, handle as in the data."""

    author: str
    created_at: pd.Timestamp | None
    text: str
    engagement: int | None
    kind: str
    url: str | None
    hostile_prob: float | None = None
    # A reconstruction's post: quoted as a synthetic example, never linked.
    synthetic: bool = False


@dataclass(frozen=True)
class Source:
    """A cited fact: label, value, the source URL and the confidence given in the case file."""

    label: str
    value: str
    url: str
    confidence: str


@dataclass(frozen=True)
class Speed:
    """How fast the tag was hijacked, and what an alert would have bought the brand."""

    time_to_hijack_minutes: float | None
    alert_fired_minutes: float | None
    response_latency_hours: float | None
    sentence: str
    alert: go.Figure | None = None  # the alert replay chart


@dataclass(frozen=True)
class Cloud:
    """Word-cloud frequencies of one group of tweets (hostile or supportive)."""

    label: str
    frequencies: Mapping[str, float]
    hostile: bool


@dataclass(frozen=True)
class ThemeRow:
    """One theme as written out: its name, top terms, share of the themed tweets, stability."""

    name: str
    top_terms: str
    share: str
    stability: str


@dataclass(frozen=True)
class Themes:
    """What the crowd talked about: each theme's share over time, and how stable the themes
    are (``analysis.metrics.themes``). ``note`` says how they were found and how stable."""

    shares: go.Figure
    stability: go.Figure
    rows: tuple[ThemeRow, ...]
    note: str


@dataclass(frozen=True)
class CaseContent:
    """Everything the post-mortem says about one case, after the filters."""

    case_id: str
    hashtag: str
    brand: str
    provenance: str              # "reconstruction" | "real"
    start: pd.Timestamp | None   # first and last tweet in the filtered data
    end: pd.Timestamp | None
    tweets: int
    story: tuple[str, ...]
    timeline: go.Figure
    speed: Speed
    posts: tuple[Post, ...]
    terms: go.Figure
    clouds: tuple[Cloud, ...]
    sources: tuple[Source, ...]
    caveats: tuple[str, ...] = ()
    events: tuple[str, ...] = ()  # the timeline's event markers, as caption lines
    themes: Themes | None = None  # None: too few texts in the case to find themes


@dataclass(frozen=True)
class Kpi:
    """One row of the KPI table: the registry's KPI (label, definition) and its formatted
    value per case."""

    spec: kpis.KpiSpec
    values: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """The whole post-mortem of one case or a comparison."""

    title: str
    cases: tuple[CaseContent, ...]
    kpis: tuple[Kpi, ...]
    lessons: tuple[str, ...]
    methods: tuple[str, ...]
    accuracy: tuple[str, ...]
    notice: str                  # the reconstruction notice ("" when every case is real data)
    filters: str                 # what the reader is looking at, for every page's footer
    generated_at: pd.Timestamp
    comparison: tuple[go.Figure, ...] = field(default_factory=tuple)

    @property
    def is_comparison(self) -> bool:
        return len(self.cases) > 1

    def sections(self) -> tuple[Section, ...]:
        """The sections this report has (no comparison charts or lessons for a single case)."""
        return tuple(s for s in SECTIONS if self.is_comparison or not s.comparison_only)

    def footer(self) -> str:
        parts = [self.filters, self.notice, f"Generated {self.generated_at:%Y-%m-%d %H:%M} UTC"]
        return " · ".join(p for p in parts if p)


def date_range(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    """``22 Apr 2014 17:55 – 24 Apr 2014 23:59 UTC`` (or a dash when unknown)."""
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return "no dated tweets"
    return f"{start:%d %b %Y %H:%M} – {end:%d %b %Y %H:%M} UTC"


def provenance_text(provenance: str) -> str:
    return {"reconstruction": "synthetic reconstruction",
            "sample": "real tweets, Internet Archive 1 % sample"}.get(provenance, "real archive")


def minutes_text(value: float | None) -> str:
    """A duration given in minutes, worded as on screen (``kpis.format_duration``)."""
    return "not reached" if value is None or pd.isna(value) else kpis.format_duration(value)


def hours_text(value: float | None) -> str:
    """A duration given in hours, worded as on screen (``kpis.format_duration``)."""
    return ("no response recorded" if value is None or pd.isna(value)
            else kpis.format_duration(float(value) * 60))
