"""The Story page's parts: projector type, the chapter picker, one chapter, the questions.

Posts are shown with ``st.text`` (text stays text). A synthetic post never gets a link: only
posts of real archives link to their public URL.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st

from analysis import charts, story
from analysis.cases import REVEAL_METRICS, Case, Chapter
from analysis.errors import BackfireError
from analysis.metrics import timeline
from analysis.metrics.themes import NO_THEME_NAME
from ui import data, state, widgets
from ui.widgets import md_escape

DISCUSS: Final = "discuss"
DISCUSS_TITLE: Final = "Discuss"
# Large type for a projected classroom screen: static CSS only (no data in it).
PROJECTOR_CSS: Final = """<style>
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] li {
  font-size: 1.35rem; line-height: 1.55; }
[data-testid="stMainBlockContainer"] [data-testid="stText"] { font-size: 1.25rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] { font-size: 3.4rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"] p { font-size: 1.2rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 3rem; }
[data-testid="stMainBlockContainer"] h2 { font-size: 2.3rem; }
</style>"""
# Story charts: larger type than the dashboard's, read from the back of a room.
CHART_FONT_SIZE: Final = 17
# About 40 bars across a chapter's window.
CHAPTER_BINS: Final = 40


def projector_type() -> None:
    st.html(PROJECTOR_CSS)


def chapter_keys(c: Case) -> list[str]:
    """The case's chapters in order, then the discussion."""
    return [ch.phase for ch in c.chapters] + [DISCUSS]


def _title(key: str) -> str:
    return DISCUSS_TITLE if key == DISCUSS else story.PHASE_TITLES[key]


def _step(keys: list[str], by: int) -> None:
    current = st.session_state.get(state.CHAPTER, keys[0])
    at = keys.index(current) if current in keys else 0
    st.session_state[state.CHAPTER] = keys[max(0, min(len(keys) - 1, at + by))]


def chapter_picker(c: Case) -> str:
    """The chapter buttons (in the URL: ``?chapter=The+peak``) with Previous / Next."""
    keys = chapter_keys(c)
    titles = {_title(k): k for k in keys}
    from_url = titles.get(str(st.query_params.get(state.CHAPTER, "")))
    if st.session_state.get(state.CHAPTER) not in keys:
        # a new case (or a first visit): the chapter in the URL if it has one, else the first
        st.session_state[state.CHAPTER] = from_url or keys[0]
    chosen = st.segmented_control("Chapter", keys, format_func=_title, key=state.CHAPTER,
                                  **state.BOUND)
    return str(chosen or keys[0])


def step_buttons(c: Case, key: str) -> None:
    keys = chapter_keys(c)
    at = keys.index(key)
    left, _, right = st.columns([1, 3, 1])
    left.button("← Previous", key="story_prev", disabled=at == 0, on_click=_step,
                args=(keys, -1), width="stretch")
    right.button("Next →", key="story_next", disabled=at == len(keys) - 1, on_click=_step,
                 args=(keys, 1), type="primary", width="stretch")


def _chapter_view(c: Case, chapter: Chapter) -> data.View:
    if chapter.window is None:
        return data.View()
    return data.View(start_hours=chapter.window[0], end_hours=chapter.window[1])


def chapter_chart(c: Case, chapter: Chapter) -> None:
    lo, hi = story.chart_hours(data.scored(c.id), c, chapter)
    bin_key = timeline.bin_for_span(pd.Timedelta(hours=hi - lo), CHAPTER_BINS)
    frame = data.case_timeline(c.id, data.View(start_hours=lo, end_hours=hi), bin_key)
    events = story.chapter_events(c, (lo, hi))
    label = next(k for k, v in state.BIN_SIZES.items() if v == bin_key)
    fig = charts.timeline(frame, x="hours_since_launch", events=events, launch=c.launch,
                          bin_label=label, title=f"{story.PHASE_TITLES[chapter.phase]}: "
                          f"tweets per {label}, hostile share and mood")
    charts.label_events(fig, events, x_range=(lo, hi), launch=c.launch)
    fig.update_xaxes(range=[lo, hi])
    fig.update_layout(font_size=CHART_FONT_SIZE)
    widgets.chart(fig, key=f"story_chart_{chapter.phase}", name=f"{c.id}-story-{chapter.phase}",
                  provenance=c.provenance)
    if len(events):
        st.caption("Events on the chart (numbered as its markers): "
                   + " ; ".join(md_escape(line) for line in story.event_lines(c, events)))


def _themes_line(c: Case, chapter: Chapter) -> str | None:
    try:
        found = data.theme_report(c.id, _chapter_view(c, chapter)).themes
    except BackfireError:  # too few texts for themes: the chapter goes on without them
        return None
    top = found.loc[found["tweets"] > 0].sort_values("share", ascending=False).head(3)
    if top.empty:
        return None
    parts = [f"*{md_escape(str(r.name))}* ({r.share:.0%})" for r in top.itertuples()
             if r.name != NO_THEME_NAME]
    return "What the crowd talked about here: " + "; ".join(parts) + "."


def posts(c: Case, frame: pd.DataFrame) -> None:
    if frame.empty:
        st.caption("No post in this phase.")
        return
    synthetic = c.provenance == "reconstruction"
    st.markdown("**Posts of this phase**, the most engaged"
                + (" (synthetic: written by the generator, not real tweets)" if synthetic else ""))
    for row in frame.itertuples():
        with st.container(border=True):
            st.text(str(row.text))
            when = row.created_at if not pd.isna(row.created_at) else row.first_seen
            meta = (f"@{md_escape(str(row.author))} · {when:%d %b %Y, %H:%M} UTC · "
                    f"{int(row.engagement):,} engagements · "
                    + ("**synthetic post** (reconstruction)" if synthetic
                       else "**real post** (from the archive you loaded)"))
            if synthetic:
                st.caption(meta)
            else:
                left, right = st.columns([4, 1])
                left.caption(meta)
                right.link_button("Open the post", str(row.url), icon=":material/open_in_new:")


def predict_then_reveal(c: Case, chapter: Chapter, answer: story.Number) -> None:
    st.markdown(f"**Predict, then reveal.** {md_escape(chapter.prompt)}")
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    guess = left.number_input("Your class's prediction (optional)", value=None, min_value=0.0,
                              step=1.0, key=f"guess_{c.id}_{chapter.phase}")
    shown_key = f"revealed_{c.id}_{chapter.phase}"
    if right.button("Reveal the answer", key=f"reveal_{chapter.phase}",
                    icon=":material/visibility:", width="stretch"):
        st.session_state[shown_key] = True
    if st.session_state.get(shown_key):
        st.success(f"**{answer.text}**: {md_escape(REVEAL_METRICS[answer.key])}, measured on "
                   "this case's archive.", icon=":material/lightbulb:")
        scored = story.score_guess(guess, answer)
        if scored:
            st.markdown(scored)


def chapter(c: Case, chapter: Chapter) -> None:
    number, answer, phase_posts = data.chapter_numbers(c.id, chapter.phase)
    st.header(f"{story.PHASE_TITLES[chapter.phase]}: {md_escape(chapter.title)}", anchor=False)
    text_col, number_col = st.columns([3, 1])
    with text_col:
        st.markdown(md_escape(chapter.text))
        st.caption(f"{widgets.source_link(chapter.source_url)} · confidence: "
                   f"{md_escape(chapter.confidence)}")
    number_col.metric(number.label, number.text, help=number.meaning.capitalize() + ".",
                      border=True)
    chapter_chart(c, chapter)
    themes_line = _themes_line(c, chapter)
    if themes_line:
        st.markdown(themes_line)
    posts(c, phase_posts)
    if answer is not None and chapter.prompt:
        predict_then_reveal(c, chapter, answer)


def discussion(c: Case) -> None:
    st.header("Discuss", anchor=False)
    if c.discussion:
        for i, q in enumerate(c.discussion, start=1):
            st.markdown(f"**{i}. {md_escape(q.concept)}.** {md_escape(q.question)}")
            st.caption(f"{md_escape(q.source)} · {widgets.source_link(q.source_url)}")
    else:
        st.info("This case has no discussion questions yet (add `[[discussion]]` entries to "
                "its case file).")
    st.subheader("Glossary", anchor=False)
    for term in data.glossary():
        st.markdown(f"**{md_escape(term.term)}.** {md_escape(term.definition)}")
        st.caption(f"Where: {md_escape(term.see)}")
