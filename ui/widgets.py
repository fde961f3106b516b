"""Shared widgets: the reconstruction notice, charts with PNG export, safe CSV export, tables.

Tweet text is only ever shown through ``st.dataframe`` (a canvas grid: text stays text) or
``st.text``; no ``unsafe_allow_html`` anywhere with data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis import exports, safety
from analysis.errors import BackfireError
from analysis.exports.report import PAPERS
from analysis.metrics import kpis
from analysis.pipeline import Loaded
from ui import chart_view, data

RECONSTRUCTION_NOTICE = (
    "**Reconstruction.** The tweets behind this case are synthetic: Backfire's generator wrote "
    "them, calibrated to the published figures in the fact sheet. No real tweet's wording is "
    "used, so quote the patterns, not the posts."
)
REAL_NOTICE = "**Real archive.** These tweets come from an archive you loaded."
SAMPLE_NOTICE = (
    "**Real tweets, 1 % sample.** These are real tweets from the Internet Archive's Twitter "
    "Stream Grab, the ~1 % sample of all public tweets: every count is about 1 % of the true "
    "volume. Estimates of totals carry 95 % intervals; this dataset is never mixed with the "
    "reconstruction."
)
# Plotly toolbar: PNG download at twice the screen resolution, for slides.
PNG_SCALE = 2
# Chart subtitles by provenance, so a PNG saved from the toolbar still says what it shows.
CHART_NOTICES = {
    "reconstruction": "Reconstruction: synthetic tweets calibrated to published figures",
    "mixed": "Includes reconstructions: synthetic tweets calibrated to published figures",
    "sample": "Real tweets: Internet Archive 1 % sample (Twitter Stream Grab); counts ≈ 1 % of the total",
}
# Top margin (px) that leaves room for the title and its subtitle.
SUBTITLE_MARGIN = 80


def provenance_notice(provenance: str, *, compact: bool = False) -> None:
    """Say plainly whether the tweets on screen are a reconstruction or real data."""
    if provenance == "reconstruction":
        if compact:
            st.caption(":material/science: Reconstruction — synthetic tweets calibrated to "
                       "published figures, not real posts.")
        else:
            st.info(RECONSTRUCTION_NOTICE, icon=":material/science:")
    elif provenance == "sample":
        if compact:
            st.caption(":material/travel_explore: Real tweets — Internet Archive 1 % sample.")
        else:
            st.info(SAMPLE_NOTICE, icon=":material/travel_explore:")
    elif not compact:
        st.caption(REAL_NOTICE)


def mixed_notice(provenances: list[str]) -> None:
    """For pages showing several cases: name the reconstructions once."""
    if "reconstruction" in provenances:
        st.info("**Reconstructions among these cases.** Cases marked *reconstruction* are "
                "synthetic tweets calibrated to published figures, not real posts; cases "
                "marked *real* come from archives you loaded.", icon=":material/science:")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def provenance_of(provenances: list[str]) -> str:
    """One provenance for a chart of several cases: ``mixed`` if any is a reconstruction."""
    return "mixed" if "reconstruction" in provenances else "real"


def with_notice(fig: go.Figure, provenance: str | None) -> go.Figure:
    """``fig`` with the provenance notice as its subtitle (unchanged for real data)."""
    notice = CHART_NOTICES.get(provenance or "")
    if notice is None:
        return fig
    out = go.Figure(fig)
    out.update_layout(title_subtitle_text=notice,
                      margin_t=max(out.layout.margin.t or 0, SUBTITLE_MARGIN))
    return out


def chart(fig: go.Figure, *, key: str, name: str | None = None,
          provenance: str | None = None) -> None:
    """A Plotly chart whose toolbar downloads a PNG named after the chart.

    ``provenance`` (``reconstruction``, ``mixed`` or ``real``) adds the notice as a subtitle.
    """
    title = fig.layout.title.text or key
    fig = with_notice(fig, provenance)
    config: dict[str, Any] = {
        "displaylogo": False,
        # plotly.js 4's "Share chart..." button uploads the figure's data to Plotly Cloud: an
        # analyst's own crisis archive must never leave the machine by one click.
        "showSendToCloud": False,
        "toImageButtonOptions": {"format": "png", "filename": slug(name or title),
                                 "scale": PNG_SCALE},
    }
    chart_view.show(fig, config=config, key=key)


def csv_download(frame: pd.DataFrame | Callable[[], pd.DataFrame], *, file_name: str, key: str,
                 label: str = "Download CSV") -> None:
    """A download button for a frame as CSV; formula-like cells are neutralised.

    Pass a callable to build the frame only when the user clicks (large tables).
    """
    if callable(frame):
        make = frame

        def payload() -> bytes:
            return safety.to_safe_csv(make(), bom=True)
        content: bytes | Callable[[], bytes] = payload
    else:
        content = safety.to_safe_csv(frame, bom=True)
    st.download_button(label, data=content, file_name=file_name, mime="text/csv", key=key,
                       icon=":material/download:", on_click="ignore")


# Markdown/HTML syntax characters: escaped so data shows as typed, never as markup or links.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")


def md_escape(text: str) -> str:
    """``text`` for st.markdown, with markdown syntax and ``<``/``&`` escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("&", "&amp;").replace("<", "&lt;")


def web_link(url: str) -> str | None:
    """Only http(s) addresses become links (``analysis.safety.web_link``, the exports' rule)."""
    return safety.web_link(url)


def source_link(url: str, label: str = "source ↗") -> str:
    """Markdown for a cited source: a link for a plain web address, else the escaped text."""
    link = safety.web_link(url)
    return f"[{label}]({link})" if link else md_escape(url)


def percent(value: float | None, digits: int = 0) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.{digits}%}"


def number(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:,.0f}"


def duration_minutes(value: float | None) -> str:
    """Minutes as a short human duration (``42 min``, ``3.5 h``, ``2.1 days``)."""
    return kpis.format_duration(value)


def duration_hours(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else duration_minutes(float(value) * 60)


def first_sentence(text: str, limit: int = 220) -> str:
    """The first sentence of ``text`` (a one-line story for a card), cut at ``limit``."""
    match = re.search(r"(?<=[.!?])\s", text)
    sentence = text[: match.start()] if match else text
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


# KPI values longer than this many characters are shortened (cards are narrow).
KPI_CHARS = 7


def kpi_text(key: str, value: object) -> str:
    """A KPI value for a card: ``kpis.format_value``, large counts shortened (``10.5k/h``)."""
    text = kpis.format_value(key, value)
    if len(text) <= KPI_CHARS or not isinstance(value, int | float):
        return text
    unit = kpis.KPIS[key].unit
    suffix = "/h" if unit == "tweets/hour" else ""
    if unit in ("tweets", "accounts", "tweets/hour") and abs(value) >= 1000:
        return f"{value / 1000:.1f}k{suffix}" if abs(value) < 1e6 else f"{value / 1e6:.1f}M{suffix}"
    return text


def post_mortem_export(case_ids: list[str], view_filters: Any, *, key: str, stem: str) -> None:
    """Build the slide deck / HTML report / PDF / data zip of ``case_ids`` under the filters.

    Two steps (build, then download): building a deck renders charts through Chromium and
    takes seconds, so it only happens on request; the result is kept for this session.
    """
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    fmt = left.selectbox("Post-mortem export", list(exports.FORMATS),
                         format_func=lambda k: exports.FORMATS[k].label, key=f"{key}_fmt")
    paper = exports.DEFAULT_PAPER
    if "paper" in exports.FORMATS[fmt].options:
        paper = left.radio("Paper size", list(PAPERS), format_func=lambda k: PAPERS[k].label,
                           horizontal=True, key=f"{key}_paper")
    memo: dict[Any, bytes] = st.session_state.setdefault("_exports", {})
    wanted = (tuple(case_ids), repr(view_filters), fmt, paper, data.stamp())
    if right.button("Build it", key=f"{key}_build", icon=":material/build:"):
        with st.spinner(f"Building the {exports.FORMATS[fmt].label}…"):
            try:
                items = [Loaded(data.case(cid), data.scored(cid)) for cid in case_ids]
                memo.clear()
                memo[wanted] = exports.export_bytes(items, fmt, view_filters, paper=paper)
            except BackfireError as err:
                st.error(md_escape(str(err)), icon=":material/error:")
    if wanted in memo:
        spec = exports.FORMATS[fmt]
        st.download_button(f"Download {spec.file_name(stem)}", data=memo[wanted],
                           file_name=spec.file_name(stem), mime=spec.mime, key=f"{key}_get",
                           icon=":material/download:", on_click="ignore", type="primary")


def prepare_cases(case_ids: list[str], labels: dict[str, str]) -> None:
    """Load and score every case not yet ready, behind one progress bar, before the page draws
    anything that needs them: a first start (every archive read and scored, tens of seconds)
    says what it is doing instead of drawing half a card. Ready cases cost nothing."""
    waiting = [cid for cid in case_ids if not data.kpis_ready(cid)]
    if not waiting:
        return
    bar = st.progress(0.0)
    for i, case_id in enumerate(waiting):
        bar.progress(i / len(waiting), text=(
            f"Preparing {md_escape(labels[case_id])} ({i + 1} of {len(waiting)}): reading the "
            "archive and scoring every tweet. This happens once, when the app starts; later "
            "visits are instant."))
        data.case_kpis(case_id)
    bar.empty()

