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
from urllib.parse import urlsplit

import jinja2
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup
from PIL import Image
from plotly.offline import get_plotlyjs

from analysis import charts
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
SAFE_SCHEMES: Final = frozenset({"http", "https"})
CLOUD_SIZE: Final = (800, 420)


@dataclass(frozen=True)
class _CloudImage:
    label: str
    src: str  # a data: URI, or "" when there are no words


@dataclass(frozen=True)
class _Charts:
    timelines: list[Markup]
    terms: list[Markup]
    clouds: list[list[_CloudImage]]
    comparison: list[Markup]
    alerts: list[Markup]


def write(report: Report, path: Path) -> Path:
    """Write ``report`` as a single HTML file to ``path`` (atomically)."""
    return atomic.write_bytes(path, to_bytes(report))


def to_bytes(report: Report) -> bytes:
    """The report as UTF-8 bytes (for a download button)."""
    return render(report).encode("utf-8")


def render(report: Report) -> str:
    """The report as an HTML document (a string)."""
    figures = _Charts(
        timelines=[_figure(c.timeline) for c in report.cases],
        terms=[_figure(c.terms) for c in report.cases],
        clouds=[[_cloud(cloud) for cloud in c.clouds] for c in report.cases],
        comparison=[_figure(f) for f in report.comparison],
        alerts=[_figure(c.speed.alert) for c in report.cases if c.speed.alert is not None],
    )
    return _environment().get_template(TEMPLATE).render(
        report=report, charts=figures, titles=SECTION_TITLES,
        plotlyjs=Markup(get_plotlyjs()),
    )


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


def _cloud(cloud: Cloud) -> _CloudImage:
    if not deck.has_words(cloud):
        return _CloudImage(cloud.label, "")
    width, height = CLOUD_SIZE
    array = charts.wordcloud_image(dict(cloud.frequencies), hostile=cloud.hostile,
                                   width=width, height=height)
    png = images.png_bytes(Image.fromarray(np.asarray(array, dtype=np.uint8)))
    return _CloudImage(cloud.label, "data:image/png;base64," + base64.b64encode(png).decode())


def safe_url(url: str | None) -> str:
    """``url`` if it is an absolute http(s) URL, else "" (no ``javascript:`` links)."""
    if not url:
        return ""
    try:
        parts = urlsplit(str(url).strip())
    except ValueError:
        return ""
    return str(url).strip() if parts.scheme.lower() in SAFE_SCHEMES and parts.netloc else ""


def _when(value: pd.Timestamp | None) -> str:
    return "unknown" if value is None or pd.isna(value) else f"{value:%Y-%m-%d %H:%M}"


def _count(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def _prob(value: float | None) -> str:
    return "" if value is None or pd.isna(value) else f"{value:.2f}"
