"""Sidebar controls shared by pages: the case picker and the filters, all bound to the URL."""

from __future__ import annotations

from typing import Final

import streamlit as st

from analysis import schema
from analysis.cases import Case
from analysis.metrics import filters, span
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
# Window slider step by the slider's span (hours): half hours for a few days, days for years.
SLIDER_STEPS: Final[tuple[tuple[float, float], ...]] = ((72.0, 0.5), (2000.0, 1.0))
COARSE_STEP_H: Final = 24.0
# Session flag set by the case picker's on_change: this rerun follows the visitor's choice.
_PICKED: Final = "_backfire_case_picked"
FULL_HELP: Final = ("Off: the timeline shows launch −2 h … +72 h (cut to where the tweets are) "
                    "and the slider leaves out stray tweets far from the rest. On: the whole "
                    "archive.")


def _forget_window() -> None:
    """A new case has another time span: drop the old window and language choice."""
    for key in (state.WINDOW, state.LANGS):
        st.session_state.pop(key, None)


def _forget_slider() -> None:
    """The slider's bounds change with the full-range switch: start again from its default."""
    st.session_state.pop(state.WINDOW, None)


def _drop_foreign_window(lo: float, hi: float) -> None:
    """Forget a kept window outside this case's bounds: it belongs to the case shown before,
    when this one came by a link (library card, URL) rather than the picker, and a slider
    given a value outside its bounds stops the page."""
    kept = st.session_state.get(state.WINDOW)
    if kept is not None and (min(kept) < lo or max(kept) > hi):
        st.session_state.pop(state.WINDOW, None)
        if state.WINDOW in st.query_params:
            del st.query_params[state.WINDOW]


def slider_step(bounds: span.Window) -> float:
    return next((step for limit, step in SLIDER_STEPS if bounds.hours <= limit), COARSE_STEP_H)


def _picked() -> None:
    """The visitor chose a case in the picker (not a link): keep that choice."""
    st.session_state[_PICKED] = True
    _forget_window()


def _follow_link(names: dict[str, str]) -> None:
    """A link's ``?case=`` wins over the case kept from earlier in the session.

    Streamlit drops a URL value equal to the picker's default (the first case) and then keeps
    the session's earlier choice, so a library card of the first case used to open the case
    seen before. Not after the visitor's own choice in the picker (the URL still holds the
    previous case when that rerun starts).
    """
    if st.session_state.pop(_PICKED, False):
        return
    asked = {label: case_id for case_id, label in names.items()}.get(
        st.query_params.get(state.CASE, ""))
    if asked is not None and st.session_state.get(state.CASE) not in (None, asked):
        st.session_state[state.CASE] = asked
        _forget_window()


def case_picker(cases: dict[str, Case]) -> str:
    """The case shown on the page, chosen in the sidebar and kept in the URL (``?case=``)."""
    names = data.labels(cases)
    _follow_link(names)
    return str(st.sidebar.selectbox(
        "Case", list(cases), format_func=names.__getitem__, key=state.CASE,
        on_change=_picked, help="Bundled reconstructions first, then your saved archives.",
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


def view(c: Case) -> data.View:
    """The filter widgets in the sidebar; returns the resulting view."""
    side = st.sidebar
    side.subheader("Filters", help="They apply to every chart, table and export on the page.")
    langs, _, _ = data.facets(c.id)
    found = data.period(c.id)
    full_range = side.toggle("Full time range", value=False, key=state.FULL, help=FULL_HELP,
                             on_change=_forget_slider, **state.BOUND)
    bounds = span.full_hours(found, c.launch) if full_range else span.dense_hours(found, c.launch)
    lo, hi = bounds.start, bounds.end
    _drop_foreign_window(lo, hi)
    window = side.slider("Time window (hours since launch)", min_value=lo, max_value=hi,
                         value=(lo, hi), step=slider_step(bounds), key=state.WINDOW,
                         **state.BOUND)
    if found.outliers and not full_range:
        side.caption(f":material/info: {found.describe()}: outside this slider (switch on "
                     "*Full time range* to reach them); the KPIs count them.")
    keyword = side.text_input("Keyword in the text", key=state.KEYWORD,
                              placeholder="e.g. bailout", **state.BOUND)
    chosen = side.multiselect("Language", langs, key=state.LANGS, placeholder="All languages",
                              **state.BOUND)
    stance = side.selectbox("Stance", list(STANCE_LABELS), format_func=STANCE_LABELS.__getitem__,
                            key=state.STANCE, help=STANCE_HELP, **state.BOUND)
    present = data.platforms(c.id)
    chosen_platforms: list[str] = []
    if len(present) > 1 or (present and present[0][0] != "x"):
        names = [name for name, _ in present]
        chosen_platforms = side.multiselect(
            "Platform", names, key=state.PLATFORM, placeholder="All platforms",
            format_func=lambda p: schema.PLATFORMS.get(p, schema.PLATFORMS["other"]).label,
            **state.BOUND)
        notes = [schema.PLATFORMS[p].x_only_note for p in names if p in schema.PLATFORMS
                 and schema.PLATFORMS[p].x_only_note]
        side.caption(":material/info: Retweet, reply and follower views are X's notions: "
                     + "; ".join(dict.fromkeys(notes)) + ".")
    retweets = side.toggle("Include retweets", value=True, key=state.RETWEETS, **state.BOUND)
    full = window[0] <= lo and window[1] >= hi
    return data.View(
        start_hours=None if full else float(window[0]),
        end_hours=None if full else float(window[1]),
        keyword=(keyword or "").strip(),
        languages=tuple(chosen),
        stance=str(stance),
        include_retweets=bool(retweets),
        platforms=tuple(chosen_platforms),
    )


def chart_window(c: Case, view: data.View) -> span.Window:
    """The hours the timeline shows (``analysis.metrics.span.chart_window``)."""
    return span.chart_window(data.period(c.id), c.launch, start=view.start_hours,
                             end=view.end_hours, full=bool(st.session_state.get(state.FULL)))
