"""Sidebar controls shared by pages: the case picker and the filters, all bound to the URL."""

from __future__ import annotations

import math
from typing import Final

import pandas as pd
import streamlit as st

from analysis.cases import Case
from analysis.metrics import filters
from ui import data, state

# Short stance labels: they are shown in the picker AND written in the URL.
STANCE_LABELS: Final[dict[str, str]] = {
    "all": "All tweets",
    "hostile": "Hostile",
    "not_hostile": "Not hostile",
    "supportive": "Supportive",
    "negative": "Negative mood",
    "neutral": "Neutral mood",
    "positive": "Positive mood",
}
STANCE_HELP: Final = "  \n".join(
    f"**{STANCE_LABELS[key]}**: {label}" for key, (label, _) in filters.STANCES.items()
)
# The datasets a classic (reconstructed) case offers: value -> label. The URL carries the
# label (``?dataset=Real+sample``); the value is accepted too (``?dataset=sample``).
DATASETS: Final[dict[str, str]] = {
    "reconstruction": "Reconstruction",
    "sample": "Real sample",
    "compare": "Side by side",
}
# Window slider step: finer for short archives (hours).
FINE_STEP_SPAN_H: Final = 72


def _forget_window() -> None:
    """A new case has another time span: drop the old window and language choice."""
    for key in (state.WINDOW, state.LANGS):
        st.session_state.pop(key, None)


def case_picker(cases: dict[str, Case]) -> str:
    """The case shown on the page, chosen in the sidebar and kept in the URL (``?case=``)."""
    names = data.labels(cases)
    return str(st.sidebar.selectbox(
        "Case", list(cases), format_func=names.__getitem__, key=state.CASE,
        on_change=_forget_window, help="Bundled reconstructions first, then your saved archives.",
        **state.BOUND,
    ))


def dataset_picker(c: Case) -> str:
    """For a reconstructed case: which dataset to show (``?dataset=``); other cases have one."""
    if not c.is_reconstruction:
        return "reconstruction"
    alias = st.query_params.get(state.DATASET)
    if alias in DATASETS:
        st.session_state[state.DATASET] = alias
    chosen = st.sidebar.radio(
        "Dataset", list(DATASETS), format_func=DATASETS.__getitem__, key=state.DATASET,
        on_change=_forget_window, horizontal=False,
        help="The reconstruction is synthetic; the real sample is the case's real tweets from the "
             "Internet Archive's 1 % Stream Grab (when extracted); side by side compares them.",
        **state.BOUND)
    return str(chosen or "reconstruction")


def _span_hours(first: pd.Timestamp | None, last: pd.Timestamp | None,
                launch: pd.Timestamp) -> tuple[float, float]:
    if first is None or last is None:
        return 0.0, 1.0
    lo = (first - launch) / pd.Timedelta(hours=1)
    hi = (last - launch) / pd.Timedelta(hours=1)
    return float(math.floor(min(lo, 0.0))), float(math.ceil(max(hi, lo + 1)))


def view(c: Case) -> data.View:
    """The filter widgets in the sidebar; returns the resulting view."""
    side = st.sidebar
    side.subheader("Filters", help="They apply to every chart, table and export on the page.")
    langs, first, last = data.facets(c.id)
    lo, hi = _span_hours(first, last, c.launch)
    step = 0.5 if hi - lo <= FINE_STEP_SPAN_H else 1.0
    window = side.slider("Time window (hours since launch)", min_value=lo, max_value=hi,
                         value=(lo, hi), step=step, key=state.WINDOW, **state.BOUND)
    keyword = side.text_input("Keyword in the text", key=state.KEYWORD,
                              placeholder="e.g. bailout", **state.BOUND)
    chosen = side.multiselect("Language", langs, key=state.LANGS, placeholder="All languages",
                              **state.BOUND)
    stance = side.selectbox("Stance", list(STANCE_LABELS), format_func=STANCE_LABELS.__getitem__,
                            key=state.STANCE, help=STANCE_HELP, **state.BOUND)
    retweets = side.toggle("Include retweets", value=True, key=state.RETWEETS, **state.BOUND)
    full = window[0] <= lo and window[1] >= hi
    return data.View(
        start_hours=None if full else float(window[0]),
        end_hours=None if full else float(window[1]),
        keyword=(keyword or "").strip(),
        languages=tuple(chosen),
        stance=str(stance),
        include_retweets=bool(retweets),
    )
