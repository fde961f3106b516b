"""The post-mortem as one self-contained HTML file with interactive Plotly charts.

The file opens offline: plotly.js is inlined once, word clouds are PNG data URIs, and there
is no external script, style sheet or font. Every text field goes through Jinja2 with
autoescaping on, so tweet text is shown as text; the only markup inserted unescaped is
plotly.js and Plotly's own figure HTML (whose JSON escapes ``<``). Links go only to
``http(s)`` URLs.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup
from PIL import Image
from plotly.offline import get_plotlyjs

from analysis import charts, safety
from analysis.exports import deck, images
from analysis.exports.model import (
    SECTION_TITLES,
    Cloud,
    Report,
    date_range,
    hours_text,
    minutes_text,
    provenance_text,
)
from analysis.store import atomic

TEMPLATES: Final = Path(__file__).parent / "templates"
TEMPLATE: Final = "report.html.j2"
# Plotly's modebar: no logo, and PNG downloads at 2x for slides.
PLOTLY_CONFIG: Final = {"displaylogo": False, "responsive": True,
                        "toImageButtonOptions": {"format": "png", "scale": 2}}
CLOUD_SIZE: Final = (800, 420)
# Printed page margins (mm), as in the template's @page rule.
PRINT_MARGIN_MM: Final = 12
# CSS pixels per millimetre (96 px per inch).
PX_PER_MM: Final = 96 / 25.4
# Tallest chart on a printed page (px): a timeline, its heading and its numbered events
# share one page, so nothing spills onto an almost empty next page.
PRINT_CHART_MAX_PX: Final = 500


@dataclass(frozen=True)
class Paper:
    """A printed page size: its CSS ``@page`` name, its width in millimetres, its name."""

    css: str
    width_mm: float
    label: str

    def content_px(self) -> int:
        """The width (CSS px) between the page margins: printed charts are drawn at it, so
        Chromium never scales (stretches) them to the page."""
        return int((self.width_mm - 2 * PRINT_MARGIN_MM) * PX_PER_MM)


PAPERS: Final[dict[str, Paper]] = {"letter": Paper("letter", 215.9, "US Letter"),
                                   "a4": Paper("A4", 210.0, "A4")}


@dataclass(frozen=True)
class _CloudImage:
    label: str
    src: str  # a data: URI, or "" when there are no words


@dataclass(frozen=True)
class _Charts:
    timelines: list[Markup]
    terms: list[Markup]
    themes: list[tuple[Markup, Markup] | None]
    clouds: list[list[_CloudImage]]
    comparison: list[Markup]
    alerts: list[Markup]


def write(report: Report, path: Path) -> Path:
    """Write ``report`` as a single HTML file to ``path`` (atomically)."""
    return atomic.write_bytes(path, to_bytes(report))


def to_bytes(report: Report) -> bytes:
    """The report as UTF-8 bytes (for a download button)."""
    return render(report).encode("utf-8")


def render(report: Report, *, paper: Paper | None = None) -> str:
    """The report as an HTML document (a string); ``paper``: laid out to be printed on it
    (charts at the page's width, the ``@page`` size set), else for a screen."""
    def figure(fig: go.Figure) -> Markup:
        return _figure(fig) if paper is None else _printed_figure(fig, paper)

    figures = _Charts(
        timelines=[figure(c.timeline) for c in report.cases],
        terms=[figure(c.terms) for c in report.cases],
        themes=[(figure(c.themes.shares), figure(c.themes.stability)) if c.themes else None
                for c in report.cases],
        clouds=[[_cloud(cloud) for cloud in c.clouds] for c in report.cases],
        comparison=[figure(f) for f in report.comparison],
        alerts=[figure(c.speed.alert) for c in report.cases if c.speed.alert is not None],
    )
    return _environment().get_template(TEMPLATE).render(
        report=report, charts=figures, titles=SECTION_TITLES, paper=paper,
        plotlyjs=Markup(get_plotlyjs()), event_text=event_text, no_themes=deck.NO_THEMES,
        footer_css=css_string(report.footer()),
    )


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string (for the printed pages' footer, an ``@page`` margin
    box): every character but letters, digits and spaces as a hexadecimal escape, so no
    text can end the string, the rule or the style element."""
    escaped = "".join(c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):x} "
                      for c in text)
    return Markup(f'"{escaped}"')


def event_text(line: str) -> str:
    """An event caption without its marker glyph (the list's number stands for the marker)."""
    return line.lstrip("▼ ")


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every {{ }} is escaped unless it is Markup we built ourselves
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(date_range=date_range, provenance=provenance_text, minutes=minutes_text,
                       hours=hours_text, when=_when, count=_count, prob=_prob, safe_url=safe_url)
    return env


def _figure(fig: go.Figure) -> Markup:
    html = pio.to_html(fig, full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG,
                       default_width="100%")
    return Markup(html)  # Plotly's JSON escapes "<", so tweet text in it cannot close the tag


def _printed_figure(fig: go.Figure, paper: Paper) -> Markup:
    """``fig`` at a fixed size for ``paper``: as wide as the page's text, at most
    ``PRINT_CHART_MAX_PX`` tall, not responsive (its aspect ratio is the one drawn)."""
    height = min(int(fig.layout.height or PRINT_CHART_MAX_PX), PRINT_CHART_MAX_PX)
    sized = go.Figure(fig).update_layout(width=paper.content_px(), height=height)
    html = pio.to_html(sized, full_html=False, include_plotlyjs=False,
                       config={**PLOTLY_CONFIG, "responsive": False, "staticPlot": True})
    return Markup(html)


def _cloud(cloud: Cloud) -> _CloudImage:
    if not deck.has_words(cloud):
        return _CloudImage(cloud.label, "")
    width, height = CLOUD_SIZE
    array = charts.wordcloud_image(dict(cloud.frequencies), hostile=cloud.hostile,
                                   width=width, height=height)
    png = images.png_bytes(Image.fromarray(np.asarray(array, dtype=np.uint8)))
    return _CloudImage(cloud.label, "data:image/png;base64," + base64.b64encode(png).decode())


def safe_url(url: str | None) -> str:
    """``url`` if it may become a link (``analysis.safety.web_link``), else ""."""
    return safety.web_link(url) or ""


def _when(value: pd.Timestamp | None) -> str:
    return "unknown" if value is None or pd.isna(value) else f"{value:%Y-%m-%d %H:%M}"


def _count(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def _prob(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else f"{value:.2f}"
