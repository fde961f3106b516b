"""The post-mortem as a PowerPoint deck (python-pptx), one slide per section (per case).

Layout is fixed: 16:9, every text box has a fixed font size, auto-size off, word wrap on,
and its text cut (with an ellipsis) to what the box holds, measured with ``textfit``. Long
tweets are cut on the slide and given in full in the slide notes. Charts are static PNGs
rendered by kaleido; word clouds by wordcloud. Tweet text goes in as text runs, never as
fields or markup, so nothing in it can execute.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NamedTuple

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from analysis import charts, schema
from analysis.exports import images, textfit
from analysis.exports.model import (
    SECTION_TITLES,
    CaseContent,
    Cloud,
    Post,
    Report,
    Themes,
    date_range,
    hours_text,
    minutes_text,
    provenance_text,
)
from analysis.store import atomic

# 16:9 widescreen, the PowerPoint default since 2013.
SLIDE_W: Final = Inches(13.333)
SLIDE_H: Final = Inches(7.5)
MARGIN: Final = Inches(0.5)
TITLE_TOP: Final = Inches(0.3)
TITLE_H: Final = Inches(0.85)
BODY_TOP: Final = Inches(1.25)
FOOTER_H: Final = Inches(0.45)
FOOTER_TOP: Final = SLIDE_H - FOOTER_H - Inches(0.1)
BODY_H: Final = FOOTER_TOP - BODY_TOP - Inches(0.1)
BODY_W: Final = SLIDE_W - 2 * MARGIN
# Inner margin of every text box (also subtracted when measuring).
PAD: Final = Inches(0.05)
# The timeline slide: the chart's share of the width; the numbered event list takes the rest.
TIMELINE_CHART_SHARE: Final = 0.66
# Said after an event of the list that lies outside the chart's time window.
OFF_CHART: Final = "(outside the chart's hours)"
# The terms slide: the chart's share of the width (long axis title); the word clouds beside it.
TERMS_CHART_SHARE: Final = 0.58
# The themes slide: the shares chart's share of the width; the stability chart's share of the
# height of the column beside it (the method note under it).
THEMES_CHART_SHARE: Final = 0.56
THEMES_STABILITY_SHARE: Final = 0.62
NO_THEMES: Final = "Too few distinct texts in this case to find themes."
# Space after each paragraph, as a fraction of its font size.
PARA_GAP: Final = 0.35
MAX_POSTS: Final = 5
# Lines of tweet text per post on the slide (the full text is in the notes).
POST_LINES: Final = 2
# Pixel size of word-cloud images per inch of slide.
PX_PER_INCH: Final = 100

# Text colour: the charts' ink, so slide text and chart text match.
INK: Final = RGBColor.from_string(charts.INK.lstrip("#"))
MUTED: Final = RGBColor(0x66, 0x66, 0x66)
# A timeline's trace names on a slide (the legend's row is short).
SLIDE_TRACE_NAMES: Final[dict[str, str]] = {"Originals, replies, quotes": "Originals",
                                            "Mean sentiment (VADER)": "Mood (VADER)"}
BLANK_LAYOUT: Final = 6


class Box(NamedTuple):
    """A rectangle on a slide, in EMU: a value, like the (left, top, width, height) python-pptx
    takes."""

    left: int
    top: int
    width: int
    height: int

    def emu(self) -> tuple[Emu, Emu, Emu, Emu]:
        """The rectangle as python-pptx takes a shape's position and size."""
        return Emu(self.left), Emu(self.top), Emu(self.width), Emu(self.height)

    def split_x(self, width: int, gap: int = 0) -> tuple[Box, Box]:
        """The box's left ``width``, and what is right of it after ``gap``."""
        return (self._replace(width=width),
                Box(self.left + width + gap, self.top, self.width - width - gap, self.height))

    def split_y(self, height: int, gap: int = 0) -> tuple[Box, Box]:
        """The box's top ``height``, and what is below it after ``gap``."""
        return (self._replace(height=height),
                Box(self.left, self.top + height + gap, self.width, self.height - height - gap))

    def columns(self, count: int, gap: int = 0) -> list[Box]:
        """``count`` boxes of equal width side by side, ``gap`` apart."""
        width = (self.width - gap * (count - 1)) // count
        return [Box(self.left + i * (width + gap), self.top, width, self.height) for i in range(count)]

    def rows(self, count: int, gap: int = 0) -> list[Box]:
        """``count`` boxes of equal height, one under the other, ``gap`` apart."""
        height = (self.height - gap * (count - 1)) // count
        return [Box(self.left, self.top + i * (height + gap), self.width, height)
                for i in range(count)]

    def inner_width_pt(self) -> float:
        return float(Emu(self.width - 2 * PAD).pt)

    def inner_height_pt(self) -> float:
        return float(Emu(self.height - 2 * PAD).pt)


BODY: Final = Box(MARGIN, BODY_TOP, BODY_W, BODY_H)


@dataclass(frozen=True)
class TypeScale:
    """The decks' font sizes (points), fixed: a slide is read from the back of a room."""

    title: int
    headline: int
    body: int
    post: int
    meta: int
    table: int
    footer: int
    # Methods and sources are split over as many slides as they need, at these sizes.
    methods: int
    # Sources (long URLs) in two columns: they are read on a screen or a print-out, not projected.
    sources: int
    # Smallest text in a chart picture, in points on the slide: readable from the back of a
    # room when projected. Charts are drawn at one CSS pixel per point of their box, so a font
    # of this many pixels is this many points.
    chart_min: int
    chart_title: int
    # The numbered event list beside the timeline chart.
    event: int
    # The classroom deck: a "predict, then reveal" question alone on its slide, a chapter's
    # revealed number, and the event list under a chapter's chart.
    prompt: int
    number: int
    event_list: int


PT: Final = TypeScale(title=28, headline=40, body=18, post=15, meta=11, table=12, footer=10,
                      methods=16, sources=12, chart_min=14, chart_title=18, event=14,
                      prompt=36, number=40, event_list=12)


def write(report: Report, path: Path) -> Path:
    """Write ``report`` as a .pptx deck to ``path`` (atomically: whole file or nothing)."""
    return atomic.write_bytes(path, to_bytes(report))


def to_bytes(report: Report) -> bytes:
    """The deck as bytes (for a download button)."""
    buffer = io.BytesIO()
    build(report).save(buffer)
    return buffer.getvalue()


def build(report: Report) -> PresentationType:
    deck = Presentation()
    deck.slide_width = SLIDE_W
    deck.slide_height = SLIDE_H
    for section in report.sections():
        builder = _BUILDERS[section.key]
        if section.per_case:
            for case in report.cases:
                builder(deck, report, case)
        else:
            builder(deck, report, None)
    return deck


# --- slides ---------------------------------------------------------------------------------

def _title_slide(deck: PresentationType, report: Report, _: CaseContent | None) -> None:
    slide = _new_slide(deck, report, None)
    _text(slide, Box(MARGIN, Inches(1.6), BODY_W, Inches(1.5)), [report.title],
          PT.headline, bold=True)
    lines = [f"{c.hashtag} ({c.brand}): {date_range(c.start, c.end)}, {c.tweets:,} tweets, "
             f"{provenance_text(c.provenance)}" for c in report.cases]
    _text(slide, Box(MARGIN, Inches(3.3), BODY_W, Inches(2.4)), lines, PT.body)
    if report.notice:
        _text(slide, Box(MARGIN, Inches(5.8), BODY_W, Inches(0.9)), [report.notice], PT.meta + 2,
              colour=MUTED)
    _notes(slide, [report.title, *lines, report.notice, report.filters])


def _story_slide(deck: PresentationType, report: Report, case: CaseContent | None) -> None:
    assert case is not None
    slide = _new_slide(deck, report, f"{SECTION_TITLES['story']}: {case.hashtag}")
    _bullets(slide, BODY, case.story, PT.body)
    _notes(slide, case.story)


def _compare_slide(deck: PresentationType, report: Report, _: CaseContent | None) -> None:
    slide = _new_slide(deck, report, SECTION_TITLES["compare"])
    figures = report.comparison[:2]
    if not figures:
        return
    for fig, box in zip(figures, BODY.columns(len(figures)), strict=True):
        _chart(slide, fig, box)


def _timeline_slide(deck: PresentationType, report: Report, case: CaseContent | None) -> None:
    assert case is not None
    slide = _new_slide(deck, report, f"{SECTION_TITLES['timeline']}: {case.hashtag}")
    figure = timeline_for_slide(go.Figure(case.timeline))  # a copy: the report keeps its own
    if not case.events:
        _chart(slide, figure, BODY)
        return
    chart, listing = BODY.split_x(int(BODY_W * TIMELINE_CHART_SHARE), Inches(0.2))
    heading, events = listing.split_y(Inches(0.45))
    _chart(slide, figure, chart)
    _text(slide, heading, ["Events on the chart"], PT.event, bold=True)
    _text(slide, events, event_lines(case), PT.event)
    _notes(slide, ["Events (numbered as on the chart):", *event_lines(case)])


def event_lines(case: CaseContent) -> list[str]:
    """The timeline's events as a numbered list: number n is the chart's marker n; an event
    outside the chart's window says so."""
    drawn = marker_numbers(case.timeline)
    return [f"{i}. {textfit.clean(line).lstrip('▼ ')}"
            + ("" if i in drawn else f" {OFF_CHART}") for i, line in enumerate(case.events, 1)]


def marker_numbers(fig: go.Figure) -> set[int]:
    """The numbers written on a timeline's event markers."""
    return {int(text) for trace in fig.data
            if getattr(trace, "legendgroup", None) == charts.EVENT_LEGEND_GROUP
            and getattr(trace, "text", None) is not None for text in trace.text}


def _speed_slide(deck: PresentationType, report: Report, _: CaseContent | None) -> None:
    slide = _new_slide(deck, report, SECTION_TITLES["speed"])
    header = ["Case", "Time to hijack", "Alert would fire", "Brand reacted"]
    rows = [[c.hashtag, minutes_text(c.speed.time_to_hijack_minutes),
             minutes_text(c.speed.alert_fired_minutes), hours_text(c.speed.response_latency_hours)]
            for c in report.cases]
    table_h = _table(slide, BODY.split_y(Inches(0.4) * (len(rows) + 1))[0], [header, *rows],
                     first_col_share=0.25)
    sentences = [f"{c.hashtag}: {c.speed.sentence}" if report.is_comparison else c.speed.sentence
                 for c in report.cases]
    below = BODY.split_y(table_h, Inches(0.15))[1]
    size = PT.body - 2 if report.is_comparison else PT.meta + 1
    # A comparison's sentences take the whole space below the table; one case's leave room
    # for its alert chart.
    text, charts_area = (below.split_y(below.height) if report.is_comparison
                         else below.split_y(Inches(0.9), Inches(0.05)))
    _bullets(slide, text, sentences, size)
    # One alert chart per slide: three side by side would be too small to read.
    figures = [c.speed.alert for c in report.cases if c.speed.alert is not None][:1]
    if figures and not report.is_comparison:
        for fig, box in zip(figures, charts_area.columns(len(figures)), strict=True):
            _chart(slide, fig, box)
    _notes(slide, sentences)


def _posts_slide(deck: PresentationType, report: Report, case: CaseContent | None) -> None:
    assert case is not None
    slide = _new_slide(deck, report, f"{SECTION_TITLES['posts']}: {case.hashtag}")
    posts = case.posts[:MAX_POSTS]
    if not posts:
        _text(slide, BODY, ["No hostile posts in this selection."], PT.body, colour=MUTED)
        return
    row_h = BODY_H // MAX_POSTS
    meta_h = Inches(0.3)
    for i, post in enumerate(posts):
        top = BODY_TOP + i * row_h
        _text(slide, Box(MARGIN, top, BODY_W, meta_h), [_post_meta(post)], PT.meta,
              colour=MUTED, link=post.url)
        _text(slide, Box(MARGIN, top + meta_h, BODY_W, row_h - meta_h), [post.text], PT.post,
              max_lines=POST_LINES)
    _notes(slide, [f"{i}. {_post_meta(p)}\n{p.text}" + (f"\n{p.url}" if p.url else "")
                   for i, p in enumerate(posts, 1)])


def _terms_slide(deck: PresentationType, report: Report, case: CaseContent | None) -> None:
    assert case is not None
    slide = _new_slide(deck, report, f"{SECTION_TITLES['terms']}: {case.hashtag}")
    chart, right = BODY.split_x(int(BODY_W * TERMS_CHART_SHARE), Inches(0.2))
    _chart(slide, case.terms, chart)
    clouds = case.clouds[:2]
    if not clouds:
        return
    for cloud, cell in zip(clouds, right.rows(len(clouds), Inches(0.05)), strict=True):
        label, box = cell.split_y(Inches(0.35))
        _text(slide, label, [cloud.label], PT.meta + 1, bold=True)
        if has_words(cloud):
            _cloud(slide, cloud.frequencies, cloud.hostile, box)
        else:
            _text(slide, box, [f"No words: no {cloud.label.lower()} in this selection."],
                  PT.meta + 1, colour=MUTED)
    _notes(slide, [f"{c.label}: " + ", ".join(list(c.frequencies)[:40]) for c in clouds])


def _themes_slide(deck: PresentationType, report: Report, case: CaseContent | None) -> None:
    """Each theme's share over time (left) and how stable the themes are (right), with how
    they were found under it; every theme's top terms in the notes."""
    assert case is not None
    slide = _new_slide(deck, report, f"{SECTION_TITLES['themes']}: {case.hashtag}")
    if case.themes is None:
        _text(slide, BODY, [NO_THEMES], PT.body, colour=MUTED)
        return
    themes_body(slide, case.themes)


def themes_body(slide: Slide, themes: Themes) -> None:
    """The themes on a slide (the post-mortem's and the instructor's deck alike)."""
    shares, right = BODY.split_x(int(BODY_W * THEMES_CHART_SHARE), Inches(0.2))
    stability, note = right.split_y(int(right.height * THEMES_STABILITY_SHARE))
    _chart(slide, themes.shares, shares)
    _chart(slide, themes.stability, stability)
    _text(slide, note, [themes.note], PT.meta + 1, colour=MUTED)
    _notes(slide, [themes.note, *[f"{r.name}: {r.share} of the themed tweets, stability "
                                  f"{r.stability}; top terms: {r.top_terms}" for r in themes.rows]])


def _kpi_slide(deck: PresentationType, report: Report, _: CaseContent | None) -> None:
    slide = _new_slide(deck, report, SECTION_TITLES["kpis"])
    header = ["KPI", *[c.hashtag for c in report.cases]]
    rows = [[k.spec.label, *k.values] for k in report.kpis]
    row_h = min(Inches(0.45), BODY_H // max(1, len(rows) + 1))
    _table(slide, Box(MARGIN, BODY_TOP, BODY_W, row_h * (len(rows) + 1)), [header, *rows],
           first_col_share=0.4 if report.is_comparison else 0.6)
    _notes(slide, [f"{k.spec.label}: {k.spec.definition}" for k in report.kpis])


def _lessons_slide(deck: PresentationType, report: Report, _: CaseContent | None) -> None:
    slide = _new_slide(deck, report, SECTION_TITLES["lessons"])
    _bullets(slide, BODY, report.lessons, PT.body)
    _notes(slide, report.lessons)


def _methods_slide(deck: PresentationType, report: Report, _: CaseContent | None) -> None:
    """Methods, then every source in two columns, over as many slides as they need (nothing
    is cut)."""
    methods = [f"• {textfit.clean(line)}" for line in
               [*([report.notice] if report.notice else []), *report.accuracy, *report.methods]]
    sources = [f"• {textfit.clean(f'{s.label} = {s.value}: {s.url} ({s.confidence})')}"
               for c in report.cases for s in c.sources]
    heading, below = BODY.split_y(Inches(0.45))
    column, right = below.columns(2, Inches(0.3))
    pages: list[list[tuple[Box, list[str], int]]] = [
        [(BODY, group, PT.methods)]
        for group in paginate(methods, BODY.inner_width_pt(), BODY.inner_height_pt(), PT.methods)]
    columns = paginate(sources, column.inner_width_pt(), column.inner_height_pt(), PT.sources)
    pages += [[(box, group, PT.sources) for box, group in zip((column, right), columns[i:i + 2],
                                                                 strict=False)]
              for i in range(0, len(columns), 2)]
    for i, page in enumerate(pages):
        count = f" ({i + 1}/{len(pages)})" if len(pages) > 1 else ""
        slide = _new_slide(deck, report, SECTION_TITLES["methods"] + count)
        if page[0][0] is not BODY:
            _text(slide, heading, ["Sources"], PT.methods, bold=True)
        for box, group, size in page:
            _text(slide, box, group, size)
        _notes(slide, [line for _, group, _ in page for line in group])


def paginate(paragraphs: Sequence[str], width_pt: float, height_pt: float,
             size: float) -> list[list[str]]:
    """``paragraphs`` in groups that each fit, whole, in a ``width_pt`` x ``height_pt`` box
    (as ``fit_paragraphs`` lays them out). A paragraph taller than a box gets a box alone."""
    line_h = size * textfit.LINE_HEIGHT
    gap = size * PARA_GAP
    pages: list[list[str]] = []
    used = height_pt + 1.0  # start a page at the first paragraph
    for text in paragraphs:
        need = textfit.lines_needed(text, width_pt, size) * line_h
        if pages and used + gap + need <= height_pt + 1e-6:
            pages[-1].append(text)
            used += gap + need
        else:
            pages.append([text])
            used = need
    return pages


_BUILDERS = {
    "title": _title_slide,
    "story": _story_slide,
    "compare": _compare_slide,
    "timeline": _timeline_slide,
    "speed": _speed_slide,
    "posts": _posts_slide,
    "terms": _terms_slide,
    "themes": _themes_slide,
    "kpis": _kpi_slide,
    "lessons": _lessons_slide,
    "methods": _methods_slide,
}


# --- building blocks ------------------------------------------------------------------------

def _new_slide(deck: PresentationType, report: Report, title: str | None) -> Slide:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    if title is not None:
        _text(slide, Box(MARGIN, TITLE_TOP, BODY_W, TITLE_H), [title], PT.title, bold=True,
              max_lines=1, anchor=MSO_ANCHOR.MIDDLE)
    _text(slide, Box(MARGIN, FOOTER_TOP, BODY_W, FOOTER_H), [report.footer()], PT.footer,
          colour=MUTED, anchor=MSO_ANCHOR.BOTTOM)
    return slide


def _text(slide: Slide, box: Box, paragraphs: Sequence[str], size: int, *, bold: bool = False,
          colour: RGBColor = INK, max_lines: int | None = None, link: str | None = None,
          anchor: MSO_ANCHOR = MSO_ANCHOR.TOP) -> None:
    """A text box whose paragraphs are cut to fit it at ``size`` points."""
    shape = slide.shapes.add_textbox(*box.emu())
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, PAD)
    fitted = fit_paragraphs(paragraphs, box.inner_width_pt(), box.inner_height_pt(), size,
                            bold=bold, max_lines=max_lines)
    for i, text in enumerate(fitted):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = PP_ALIGN.LEFT
        para.space_after = Pt(size * PARA_GAP)
        run = para.add_run()
        run.text = text
        font = run.font
        font.size = Pt(size)
        font.bold = bold
        font.name = textfit.FONT_NAME
        font.color.rgb = colour
        if link:
            run.hyperlink.address = link


def fit_paragraphs(paragraphs: Sequence[str], width_pt: float, height_pt: float, size: float,
                   *, bold: bool = False, max_lines: int | None = None) -> list[str]:
    """Paragraphs cut so that together (with their gaps) they fill at most the box.

    Paragraphs that no longer fit are dropped; the last one kept is cut with an ellipsis.
    """
    line_h = size * textfit.LINE_HEIGHT
    gap = size * PARA_GAP
    remaining = height_pt
    out: list[str] = []
    used = 0
    for text in paragraphs:
        lines_left = int((remaining + 1e-6) // line_h)
        if max_lines is not None:
            lines_left = min(lines_left, max_lines)
        if lines_left < 1:
            if out:  # say that paragraphs were left out: the last one kept ends with "…"
                last = out.pop()
                out.append(textfit.fit(last, width_pt, used * line_h, size, bold=bold, more=True))
            break
        fitted = textfit.fit(text, width_pt, lines_left * line_h, size, bold=bold)
        out.append(fitted)
        used = textfit.lines_needed(fitted, width_pt, size, bold=bold)
        remaining -= used * line_h + gap
        if fitted.endswith(textfit.ELLIPSIS) and not textfit.clean(text).endswith(textfit.ELLIPSIS):
            break
    return out


def _bullets(slide: Slide, box: Box, items: Sequence[str], size: int) -> None:
    _text(slide, box, [f"• {textfit.clean(item)}" for item in items], size)


def _table(slide: Slide, box: Box, rows: Sequence[Sequence[str]], *,
           first_col_share: float) -> int:
    """A table with one line per cell (cut to fit); returns its height in EMU."""
    n_cols = len(rows[0])
    shape = slide.shapes.add_table(len(rows), n_cols, *box.emu())
    table = shape.table
    first = int(box.width * first_col_share) if n_cols > 1 else box.width
    rest = (box.width - first) // max(1, n_cols - 1)
    widths = [first] + [rest] * (n_cols - 1)
    for j, width in enumerate(widths):
        table.columns[j].width = width
    row_h = box.height // len(rows)
    for i, row in enumerate(rows):
        table.rows[i].height = row_h
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.margin_top = cell.margin_bottom = Inches(0.03)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            inner = float(Emu(widths[j] - Inches(0.16)).pt)
            frame = cell.text_frame
            frame.word_wrap = True
            frame.auto_size = MSO_AUTO_SIZE.NONE
            run = frame.paragraphs[0].add_run()
            run.text = textfit.fit(str(value), inner, PT.table * textfit.LINE_HEIGHT, PT.table,
                                   bold=i == 0, max_lines=1)
            run.font.size = Pt(PT.table)
            run.font.bold = i == 0
            run.font.name = textfit.FONT_NAME
    return row_h * len(rows)


def timeline_for_slide(fig: go.Figure) -> go.Figure:
    """A timeline (``charts.timeline``) for a slide, in place: short trace names and axis
    titles, so that its legend takes one or two rows and its two y-axis titles fit their
    panels at a slide's size."""
    for trace in fig.data:
        trace.name = SLIDE_TRACE_NAMES.get(str(trace.name), trace.name)
    fig.update_yaxes(title_text="Tweets", row=1, col=1)
    fig.update_yaxes(title_text="Hostile", row=2, col=1, secondary_y=False)
    fig.update_yaxes(title_text="Mood", row=2, col=1, secondary_y=True)
    return fig


def _chart(slide: Slide, fig: go.Figure, box: Box) -> None:
    """``fig`` as a picture filling ``box``, drawn at one CSS pixel per point of the box (so
    its fonts, raised to ``PT.chart_min``, are that many points on the slide) and at the box's
    aspect ratio (never stretched)."""
    width, height = chart_pixels(box)
    png = images.figure_png(projected(fig, width, height), width=width, height=height)
    slide.shapes.add_picture(io.BytesIO(png), *box.emu())


def chart_pixels(box: Box) -> tuple[int, int]:
    """The CSS pixel size a chart is drawn at for ``box``: one pixel per point."""
    return round(Emu(box.width).pt), round(Emu(box.height).pt)


def projected(fig: go.Figure, width: int, height: int) -> go.Figure:
    """A copy of ``fig`` laid out for a slide at ``width`` x ``height`` px: every font at least
    ``PT.chart_min`` px, no title (the slide's title says it), legend names without "hover"
    (a slide is static), and the legend in its own band under the x axis, as tall as its
    rows at that size need."""
    spec = fig.to_plotly_json()
    layout = spec.setdefault("layout", {})
    _raise_fonts(spec, PT.chart_min)
    layout["font"] = {**layout.get("font", {}),
                      "size": max(PT.chart_min, layout.get("font", {}).get("size") or 0)}
    layout["title"] = {"text": ""}
    # the events are listed, numbered, beside the chart (with those outside its window): no
    # legend entry per kind of event and no one-line note of the events outside
    layout["annotations"] = [a for a in layout.get("annotations", [])
                             if a.get("name") != charts.OUTSIDE.name]
    names = []
    for trace in spec.get("data", []):
        if trace.get("legendgroup") == charts.EVENT_LEGEND_GROUP:
            trace["showlegend"] = False
        if isinstance(trace.get("name"), str):
            trace["name"] = _static_name(trace["name"])
            if trace.get("showlegend", True) is not False:
                names.append(trace["name"])
    margin = {"l": 10, "r": 10, "t": 30 + _restack_labels_above(layout["annotations"]), "b": 10}
    dates = any(str(v.get("type", "")) == "date" or _has_dates(spec, k)
                for k, v in layout.items() if k.startswith("xaxis") and isinstance(v, dict))
    if layout.get("showlegend", True) and names:
        rows = _legend_rows(names, width - 40)
        band = rows * round(PT.chart_min * LEGEND_ROW_EM)
        margin["b"] = band + (AXIS_BAND_DATES_PX if dates else AXIS_BAND_PX)
        layout["legend"] = {**layout.get("legend", {}), "orientation": "h", "x": 0.0,
                            "xanchor": "left", "y": 0.0, "yanchor": "bottom",
                            "yref": "container", "traceorder": "normal"}
    for key, value in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(value, dict):
            value["automargin"] = True
    layout["margin"] = margin
    out = go.Figure(spec)
    out.update_layout(width=width, height=height)
    return out


def _restack_labels_above(annotations: list[dict[str, Any]]) -> int:
    """Labels stacked in rows above the plot (paper y 1, shifted up in px: the alert replay's
    moments) re-spaced for the slide's larger fonts, in their order; the px they take."""
    above = sorted((a for a in annotations if a.get("yref") == "paper" and a.get("y") == 1.0
                    and a.get("yanchor") == "bottom"), key=lambda a: a.get("yshift", 0))
    room = 0
    for a in above:
        a["yshift"] = room + LABEL_GAP_PX
        room += round(a.get("font", {}).get("size", PT.chart_min) * LEGEND_ROW_EM)
    return room


# A legend row is this many font sizes tall; an entry is its text plus this many px (symbol
# and spacing); under the legend band sits the x axis (tick labels, a second line of dates,
# the axis title) in this many px.
LEGEND_ROW_EM: Final = 1.6
# Between the plot and the first row of labels above it.
LABEL_GAP_PX: Final = 2
LEGEND_ENTRY_PX: Final = 50
AXIS_BAND_PX: Final = 60
AXIS_BAND_DATES_PX: Final = 85


def _legend_rows(names: Sequence[str], width: float) -> int:
    """Rows a horizontal legend of ``names`` takes in ``width`` px at ``PT.chart_min``."""
    rows, used = 1, 0.0
    for name in names:
        entry = textfit.text_width(name, PT.chart_min) + LEGEND_ENTRY_PX
        if used and used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def _has_dates(spec: dict[str, Any], axis: str) -> bool:
    """Whether a trace on x axis ``axis`` (``xaxis``, ``xaxis2``…) plots dates."""
    ref = "x" + axis[len("xaxis"):]
    for trace in spec.get("data", []):
        xs = trace.get("x")
        if trace.get("xaxis", "x") == ref and xs is not None and len(xs):
            if getattr(getattr(xs, "dtype", None), "kind", "") == "M":
                return True
            first = next(iter(xs))
            return isinstance(first, (str, np.datetime64)) or hasattr(first, "year")
    return False


def _static_name(name: str) -> str:
    for hint in (" (hover)", "(hover)", "hover"):
        name = name.replace(hint, "")
    return name.strip()


def _raise_fonts(node: object, floor: int) -> None:
    """Every ``size`` inside a ``*font`` object of a Plotly JSON tree raised to ``floor``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict):
                size = value.get("size")
                if isinstance(size, (int, float)):
                    value["size"] = max(floor, size)
                elif isinstance(size, list):
                    value["size"] = [max(floor, v) for v in size]
            _raise_fonts(value, floor)
    elif isinstance(node, list):
        for item in node:
            _raise_fonts(item, floor)


def smallest_font(fig: go.Figure) -> float:
    """The smallest font size (px) anywhere in ``fig``, its layout's default included."""
    spec = fig.to_plotly_json()
    sizes: list[float] = [spec.get("layout", {}).get("font", {}).get("size") or 12.0]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("font") and isinstance(value, dict):
                    size = value.get("size")
                    sizes.extend(size if isinstance(size, list) else
                                 [size] if isinstance(size, (int, float)) else [])
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    return float(min(sizes))


def _cloud(slide: Slide, frequencies: object, hostile: bool, box: Box) -> None:
    width = int(Emu(box.width).inches * PX_PER_INCH * images.SCALE)
    height = int(Emu(box.height).inches * PX_PER_INCH * images.SCALE)
    array = charts.wordcloud_image(dict(frequencies), hostile=hostile,  # type: ignore[call-overload]
                                   width=width, height=height)
    png = images.png_bytes(Image.fromarray(np.asarray(array, dtype=np.uint8)))
    slide.shapes.add_picture(io.BytesIO(png), *box.emu())


def has_words(cloud: Cloud) -> bool:
    return any(float(v) > 0 for v in cloud.frequencies.values())


def _notes(slide: Slide, lines: Sequence[str]) -> None:
    text = "\n".join(_xml_safe(line) for line in lines if line)
    frame = slide.notes_slide.notes_text_frame
    if frame is not None:
        frame.text = text


def _xml_safe(text: str) -> str:
    """Text an XML part can hold: drop control characters and lone surrogates, keep newlines."""
    return "\n".join(textfit.clean(line) for line in str(text).split("\n"))


def _post_meta(post: Post) -> str:
    when = f"{post.created_at:%d %b %Y %H:%M} UTC" if post.created_at is not None else "time unknown"
    engagement = f"{post.engagement:,} engagements" if post.engagement is not None else "engagement unknown"
    meta = f"@{post.author} · {when} · {engagement} · {post.kind}"
    return f"{schema.SYNTHETIC_LABEL.capitalize()} (not a real post) · {meta}" if post.synthetic else meta


