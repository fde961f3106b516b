"""The instructor's deck: a case's story as slides for a class (python-pptx).

One title slide, then per chapter (``[[chapters]]`` of the case file) a slide with the
chapter's text, its one number, its most engaged posts (synthetic ones labelled) and the
timeline zoomed to its window with its events written on the chart; a chapter with a
"predict, then reveal" prompt is followed by a prompt slide. The **answers** (computed from
the data, ``analysis.story``) and the chapter's sources are in the **speaker notes**, never on
a slide. Then the themes over time, the discussion questions (with their concept and source
in the notes) and the glossary. Slides use the post-mortem deck's building blocks
(``analysis.exports.deck``): same fixed sizes, text cut to fit, charts at projector size.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Final

import pandas as pd
from pptx import Presentation
from pptx.enum.text import MSO_ANCHOR
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Inches, Pt

from analysis import charts, story
from analysis.cases import REVEAL_METRICS, Case, Chapter
from analysis.errors import ExportError
from analysis.exports import content, textfit
from analysis.exports import deck as slides
from analysis.exports.deck import BODY, BODY_W, MARGIN, MUTED, Box
from analysis.metrics import filters, kpis, timeline
from analysis.pipeline import Loaded

# The chapter slide: text, number and posts on the left, the chart on the right.
TEXT_SHARE: Final = 0.38
CHAPTER_BINS: Final = 40
POSTS_ON_SLIDE: Final = 2
# A chapter chart on a slide: the plot area is the picture less its axes (y tick labels and
# titles on both sides) and its legend band under the x axis, in px; labels are shorter
# than on screen (the slide's list under the chart gives every event in full).
AXES_PX: Final = (150, 170)
SLIDE_LABEL_CHARS: Final = 30
SLIDE_LABEL_PX: Final = 14
# Up to this many events are listed in one column under the chart; more take two.
EVENTS_ONE_COLUMN: Final = 3
# Legend names on a slide: short, so that the legend takes one or two rows.
NOTICE = ("Reconstruction: the posts in this deck are synthetic, written by Backfire's generator "
          "and calibrated to published figures. Quote the patterns, never the posts.")


def render(items: Sequence[Loaded], selection: filters.Filters | None = None) -> bytes:
    """The instructor's deck of each case in ``items`` (one after the other), as .pptx bytes.
    The story is told on the whole case: ``selection`` (the page's filters) is not applied."""
    if not items:
        raise ExportError("choose at least one case for the instructor's deck")
    deck = Presentation()
    deck.slide_width, deck.slide_height = slides.SLIDE_W, slides.SLIDE_H
    for item in items:
        _case_slides(deck, item)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _footer(case: Case) -> str:
    kind = ("reconstruction (synthetic posts)" if case.provenance == "reconstruction"
            else "real archive")
    return f"Backfire · the story of #{case.hashtag} · {kind}"


def _slide(deck: PresentationType, case: Case, title: str | None) -> Slide:
    slide = deck.slides.add_slide(deck.slide_layouts[slides.BLANK_LAYOUT])
    if title is not None:
        slides._text(slide, Box(MARGIN, slides.TITLE_TOP, BODY_W, slides.TITLE_H), [title],
                     slides.PT.title, bold=True, max_lines=1, anchor=MSO_ANCHOR.MIDDLE)
    slides._text(slide, Box(MARGIN, slides.FOOTER_TOP, BODY_W, slides.FOOTER_H), [_footer(case)],
                 slides.PT.footer, colour=MUTED, anchor=MSO_ANCHOR.BOTTOM)
    return slide


def _case_slides(deck: PresentationType, item: Loaded) -> None:
    case, table = item.case, item.table
    report = kpis.for_case(case, table)
    synthetic = case.provenance == "reconstruction"
    title = _slide(deck, case, None)
    slides._text(title, Box(MARGIN, Inches(1.4), BODY_W, Inches(1.3)),
                 [f"The story of #{case.hashtag}"], slides.PT.headline, bold=True)
    slides._text(title, Box(MARGIN, Inches(2.9), BODY_W, Inches(2.4)),
                 [f"{case.brand} asked: {case.ask}"], slides.PT.body)
    if synthetic:
        slides._text(title, Box(MARGIN, Inches(5.5), BODY_W, Inches(0.9)), [NOTICE],
                     slides.PT.meta + 3, colour=MUTED)
    slides._notes(title, [
        "Instructor's deck. Each chapter slide is followed, where the case file has one, by a "
        "'predict, then reveal' slide: ask the class first; the answer is in that slide's notes, "
        "computed from the archive.", case.story, NOTICE if synthetic else ""])
    for chapter in case.chapters:
        _chapter_slide(deck, case, table, chapter, report)
        answer = story.reveal(table, case, chapter, report)
        if chapter.prompt and answer is not None:
            _prompt_slide(deck, case, chapter, answer)
    _themes_slide(deck, item)
    _discussion_slides(deck, case)
    _glossary_slides(deck, case)


def chapter_figure(case: Case, table: pd.DataFrame, chapter: Chapter,
                   plot_px: tuple[int, int] = charts.STORY_PLOT_PX, *,
                   label_chars: int = charts.EVENT_LABEL_CHARS,
                   label_px: int = charts.EVENT_LABEL_PX) -> charts.go.Figure:
    """The chapter's timeline: zoomed to its window, its events numbered and labelled on the
    chart where a label has room (laid out for a plot area of ``plot_px``)."""
    lo, hi = story.chart_hours(table, case, chapter)
    window = filters.apply(table, filters.Filters(*filters.window(case.launch, lo, hi)))
    bin_key = timeline.bin_for_span(pd.Timedelta(hours=hi - lo), CHAPTER_BINS)
    frame = timeline.timeline(window, bin_size=bin_key, launch=case.launch)
    events = story.chapter_events(case, (lo, hi))
    fig = charts.timeline(frame, x="hours_since_launch", events=events, launch=case.launch,
                          bin_label=bin_key, title=chapter.title)
    return charts.label_events(fig, events, x_range=(lo, hi), plot_px=plot_px,
                               launch=case.launch, max_chars=label_chars, font_px=label_px
                               ).update_xaxes(range=[lo, hi])


def slide_plot_px(box: Box) -> tuple[int, int]:
    """The plot area (px) of a chapter chart drawn in ``box`` on a slide."""
    width, height = slides.chart_pixels(box)
    return width - AXES_PX[0], height - AXES_PX[1]


def _chapter_slide(deck: PresentationType, case: Case, table: pd.DataFrame, chapter: Chapter,
                   report: kpis.KpiReport) -> None:
    slide = _slide(deck, case, f"{story.PHASE_TITLES[chapter.phase]}: {chapter.title}")
    number = story.headline(table, case, chapter, report)
    posts = story.posts(table, case, chapter)
    synthetic = case.provenance == "reconstruction"
    left, right = BODY.split_x(int(BODY_W * TEXT_SHARE), Inches(0.25))
    text, rest = left.split_y(Inches(2.6))
    figure_box, rest = rest.split_y(Inches(0.8))
    meaning, rest = rest.split_y(Inches(0.45), Inches(0.1))
    slides._text(slide, text, [chapter.text], slides.PT.body - 2)
    slides._text(slide, figure_box, [number.text], slides.PT.number, bold=True)
    slides._text(slide, meaning, [number.meaning.capitalize()], slides.PT.meta + 2, colour=MUTED)
    lines = [f"“{p.text}” ({'synthetic post' if synthetic else '@' + str(p.author)})"
             for p in posts.head(POSTS_ON_SLIDE).itertuples()]
    slides._text(slide, rest, lines, slides.PT.meta + 2)
    events = story.event_lines(case, story.chapter_events(case, story.chart_hours(table, case,
                                                                                  chapter)))
    list_h = _event_list(slide, right, events)
    chart_box = right._replace(height=right.height - list_h)
    figure = chapter_figure(case, table, chapter, slide_plot_px(chart_box),
                            label_chars=SLIDE_LABEL_CHARS, label_px=SLIDE_LABEL_PX)
    slides._chart(slide, slides.timeline_for_slide(figure), chart_box)
    slides._notes(slide, [
        chapter.text, f"Source: {chapter.source_url} (confidence: {chapter.confidence})",
        f"The number: {number.text}, {number.meaning}.",
        "Events on the chart (numbered as its markers):", *events,
        "Posts of this phase" + (" (synthetic, not real tweets):" if synthetic else ":"),
        *[f"- {p.text}" for p in posts.itertuples()],
    ])


def _event_list(slide: Slide, area: Box, events: Sequence[str]) -> int:
    """The chart's events, numbered, at the foot of ``area`` (in two columns beyond
    ``EVENTS_ONE_COLUMN``), one line each; returns the height they take (EMU)."""
    if not events:
        return 0
    columns = 1 if len(events) <= EVENTS_ONE_COLUMN else 2
    per_column = -(-len(events) // columns)
    line = Pt(slides.PT.event_list * (textfit.LINE_HEIGHT + slides.PARA_GAP))
    height = int(line * per_column + 2 * slides.PAD)
    width = area.width // columns
    top = area.top + area.height - height
    for i, event in enumerate(events):  # one box per line: each is cut to its own width
        column, row = divmod(i, per_column)
        slides._text(slide, Box(area.left + column * width, top + row * line, width,
                                line + 2 * slides.PAD), [event], slides.PT.event_list, max_lines=1)
    return height


def _prompt_slide(deck: PresentationType, case: Case, chapter: Chapter,
                  answer: story.Number) -> None:
    slide = _slide(deck, case, f"Predict, then reveal: {story.PHASE_TITLES[chapter.phase].lower()}")
    slides._text(slide, Box(MARGIN, Inches(1.8), BODY_W, Inches(3.2)), [chapter.prompt], slides.PT.prompt,
                 bold=True)
    slides._text(slide, Box(MARGIN, Inches(5.2), BODY_W, Inches(0.8)),
                 ["Write your prediction down before the next slide."], slides.PT.body, colour=MUTED)
    slides._notes(slide, [
        f"ANSWER: {answer.text}",
        f"What it measures: {REVEAL_METRICS[answer.key]} (computed on this case's archive).",
        f"Prompt: {chapter.prompt}",
    ])


def _themes_slide(deck: PresentationType, item: Loaded) -> None:
    found = content.case_themes(item, item.table)
    if found is None:  # too few texts: the deck goes on without themes
        return
    slides.themes_body(_slide(deck, item.case, "What the crowd talked about, and when"), found)


def _discussion_slides(deck: PresentationType, case: Case) -> None:
    if not case.discussion:
        return
    width, height = BODY.inner_width_pt(), BODY.inner_height_pt()
    paragraphs = [f"{i}. {q.question}" for i, q in enumerate(case.discussion, 1)]
    for page in slides.paginate(paragraphs, width, height, slides.PT.body):
        slide = _slide(deck, case, "Discuss")
        slides._text(slide, BODY, page, slides.PT.body)
        slides._notes(slide, [f"{q.question}\nConcept: {q.concept}. Source: {q.source} "
                              f"({q.source_url})" for q in case.discussion
                              if any(q.question in p for p in page)])


def _glossary_slides(deck: PresentationType, case: Case) -> None:
    glossary = story.load_glossary()
    width, height = BODY.inner_width_pt(), BODY.inner_height_pt()
    paragraphs = [f"{t.term}: {t.definition}" for t in glossary]
    for page in slides.paginate(paragraphs, width, height, slides.PT.methods):
        slide = _slide(deck, case, "Glossary")
        slides._text(slide, BODY, page, slides.PT.methods)
        slides._notes(slide, [f"{t.term}: {t.definition} Where in Backfire: {t.see}"
                              for t in glossary if any(p.startswith(t.term + ":") for p in page)])
