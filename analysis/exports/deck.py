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
from typing import Final

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
# Font sizes (points), fixed: a slide is read from the back of a room.
TITLE_PT: Final = 28
HEADLINE_PT: Final = 40
BODY_PT: Final = 18
POST_PT: Final = 15
META_PT: Final = 11
TABLE_PT: Final = 12
FOOTER_PT: Final = 9
# Space after each paragraph, as a fraction of its font size.
PARA_GAP: Final = 0.35
MAX_POSTS: Final = 5
# Lines of tweet text per post on the slide (the full text is in the notes).
POST_LINES: Final = 2
# Pixel size of word-cloud images per inch of slide.
PX_PER_INCH: Final = 100
# Charts are drawn at the height their builder chose (else this), at least this wide (CSS px;
# kaleido renders them at images.SCALE).
DEFAULT_CHART_PX: Final = 450
MIN_CHART_PX: Final = 560
# Sources listed on the methods slide (all of them are in its notes).
MAX_SOURCES_ON_SLIDE: Final = 4

INK: Final = RGBColor(0x22, 0x22, 0x22)
MUTED: Final = RGBColor(0x66, 0x66, 0x66)
BLANK_LAYOUT: Final = 6


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    width: int
    height: int

    def emu(self) -> tuple[Emu, Emu, Emu, Emu]:
        return Emu(self.left), Emu(self.top), Emu(self.width), Emu(self.height)

    def inner_width_pt(self) -> float:
        return float(Emu(self.width - 2 * PAD).pt)

    def inner_height_pt(self) -> float:
        return float(Emu(self.height - 2 * PAD).pt)


BODY: Final = Box(MARGIN, BODY_TOP, BODY_W, BODY_H)


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
          HEADLINE_PT, bold=True)
    lines = [f"{c.hashtag} ({c.brand}): {date_range(c.start, c.end)}, {c.tweets:,} tweets, "
             f"{provenance_text(c.provenance)}" for c in report.cases]
    _text(slide, Box(MARGIN, Inches(3.3), BODY_W, Inches(2.4)), lines, BODY_PT)
    if report.notice:
        _text(slide, Box(MARGIN, Inches(5.8), BODY_W, Inches(0.9)), [report.notice], META_PT + 2,
              colour=MUTED)
    _notes(slide, [report.title, *lines, report.notice, report.filters])


def _story_slide(deck: PresentationType, report: Report, case: CaseContent | None) -> None:
    assert case is not None
    slide = _new_slide(deck, report, f"{SECTION_TITLES['story']}: {case.hashtag}")
    _bullets(slide, BODY, case.story, BODY_PT)
    _notes(slide, case.story)


def _compare_slide(deck: PresentationType, report: Report, _: CaseContent | None) -> None:
    slide = _new_slide(deck, report, SECTION_TITLES["compare"])
    figures = report.comparison[:2]
    if not figures:
        return
    width = BODY_W // len(figures)
    for i, fig in enumerate(figures):
        _chart(slide, fig, Box(MARGIN + i * width, BODY_TOP, width, BODY_H))


def _timeline_slide(deck: PresentationType, report: Report, case: CaseContent | None) -> None:
    assert case is not None
    slide = _new_slide(deck, report, f"{SECTION_TITLES['timeline']}: {case.hashtag}")
    caption_h = Inches(0.75) if case.events else 0
    _chart(slide, case.timeline, Box(MARGIN, BODY_TOP, BODY_W, BODY_H - caption_h))
    if case.events:
        _text(slide, Box(MARGIN, BODY_TOP + BODY_H - caption_h, BODY_W, caption_h),
              ["   ".join(case.events)], META_PT, colour=MUTED)
    _notes(slide, ["Event markers:", *case.events])


def _speed_slide(deck: PresentationType, report: Report, _: CaseContent | None) -> None:
    slide = _new_slide(deck, report, SECTION_TITLES["speed"])
    header = ["Case", "Time to hijack", "Alert would fire", "Brand reacted"]
    rows = [[c.hashtag, minutes_text(c.speed.time_to_hijack_minutes),
             minutes_text(c.speed.alert_fired_minutes), hours_text(c.speed.response_latency_hours)]
            for c in report.cases]
    table_h = _table(slide, Box(MARGIN, BODY_TOP, BODY_W, Inches(0.4) * (len(rows) + 1)),
                     [header, *rows], first_col_share=0.25)
    sentences = [f"{c.hashtag}: {c.speed.sentence}" if report.is_comparison else c.speed.sentence
                 for c in report.cases]
    top = BODY_TOP + table_h + Inches(0.15)
    text_h = Inches(0.9) if not report.is_comparison else BODY_TOP + BODY_H - top
    size = BODY_PT - 2 if report.is_comparison else META_PT + 1
    _bullets(slide, Box(MARGIN, top, BODY_W, text_h), sentences, size)
    charts_top = top + text_h + Inches(0.05)
    # One alert chart per slide: three side by side would be too small to read.
    figures = [c.speed.alert for c in report.cases if c.speed.alert is not None][:1]
    if figures and not report.is_comparison:
        width = BODY_W // len(figures)
        for i, fig in enumerate(figures):
            _chart(slide, fig, Box(MARGIN + i * width, charts_top, width,
                                   BODY_TOP + BODY_H - charts_top))
    _notes(slide, sentences)


def _posts_slide(deck: PresentationType, report: Report, case: CaseContent | None) -> None:
    assert case is not None
    slide = _new_slide(deck, report, f"{SECTION_TITLES['posts']}: {case.hashtag}")
    posts = case.posts[:MAX_POSTS]
    if not posts:
        _text(slide, BODY, ["No hostile posts in this selection."], BODY_PT, colour=MUTED)
        return
    row_h = BODY_H // MAX_POSTS
    meta_h = Inches(0.3)
    for i, post in enumerate(posts):
        top = BODY_TOP + i * row_h
        _text(slide, Box(MARGIN, top, BODY_W, meta_h), [_post_meta(post)], META_PT,
              colour=MUTED, link=post.url)
        _text(slide, Box(MARGIN, top + meta_h, BODY_W, row_h - meta_h), [post.text], POST_PT,
              max_lines=POST_LINES)
    _notes(slide, [f"{i}. {_post_meta(p)}\n{p.text}" + (f"\n{p.url}" if p.url else "")
                   for i, p in enumerate(posts, 1)])


def _terms_slide(deck: PresentationType, report: Report, case: CaseContent | None) -> None:
    assert case is not None
    slide = _new_slide(deck, report, f"{SECTION_TITLES['terms']}: {case.hashtag}")
    left_w = int(BODY_W * 0.5)
    _chart(slide, case.terms, Box(MARGIN, BODY_TOP, left_w, BODY_H))
    clouds = case.clouds[:2]
    if not clouds:
        return
    gap = Inches(0.2)
    right = Box(MARGIN + left_w + gap, BODY_TOP, BODY_W - left_w - gap, BODY_H)
    label_h = Inches(0.35)
    each = right.height // len(clouds)
    for i, cloud in enumerate(clouds):
        top = right.top + i * each
        _text(slide, Box(right.left, top, right.width, label_h), [cloud.label], META_PT + 1,
              bold=True)
        box = Box(right.left, top + label_h, right.width, each - label_h - Inches(0.05))
        if has_words(cloud):
            _cloud(slide, cloud.frequencies, cloud.hostile, box)
        else:
            _text(slide, box, [f"No words: no {cloud.label.lower()} in this selection."],
                  META_PT + 1, colour=MUTED)
    _notes(slide, [f"{c.label}: " + ", ".join(list(c.frequencies)[:40]) for c in clouds])


def _kpi_slide(deck: PresentationType, report: Report, _: CaseContent | None) -> None:
    slide = _new_slide(deck, report, SECTION_TITLES["kpis"])
    header = ["KPI", *[c.hashtag for c in report.cases]]
    rows = [[k.label, *k.values] for k in report.kpis]
    row_h = min(Inches(0.45), BODY_H // max(1, len(rows) + 1))
    _table(slide, Box(MARGIN, BODY_TOP, BODY_W, row_h * (len(rows) + 1)), [header, *rows],
           first_col_share=0.4 if report.is_comparison else 0.6)
    _notes(slide, [f"{k.label}: {k.definition}" for k in report.kpis])


def _lessons_slide(deck: PresentationType, report: Report, _: CaseContent | None) -> None:
    slide = _new_slide(deck, report, SECTION_TITLES["lessons"])
    _bullets(slide, BODY, report.lessons, BODY_PT)
    _notes(slide, report.lessons)


def _methods_slide(deck: PresentationType, report: Report, _: CaseContent | None) -> None:
    slide = _new_slide(deck, report, SECTION_TITLES["methods"])
    half = BODY_W // 2 - Inches(0.1)
    lines = [*report.accuracy, *report.methods]
    if report.notice:
        lines.insert(0, report.notice)
    _bullets(slide, Box(MARGIN, BODY_TOP, half, BODY_H), lines, META_PT + 3)
    sources = [s for c in report.cases for s in c.sources]
    shown = [f"{s.label}: {s.url} ({s.confidence})" for s in sources[:MAX_SOURCES_ON_SLIDE]]
    if len(sources) > len(shown):
        shown.append(f"… and {len(sources) - len(shown)} more in the notes of this slide.")
    _bullets(slide, Box(MARGIN + half + Inches(0.2), BODY_TOP, half, BODY_H), shown, META_PT + 1)
    _notes(slide, [*lines, "Sources:", *[f"{s.label} = {s.value}: {s.url} ({s.confidence})"
                                         for s in sources]])


_BUILDERS = {
    "title": _title_slide,
    "story": _story_slide,
    "compare": _compare_slide,
    "timeline": _timeline_slide,
    "speed": _speed_slide,
    "posts": _posts_slide,
    "terms": _terms_slide,
    "kpis": _kpi_slide,
    "lessons": _lessons_slide,
    "methods": _methods_slide,
}


# --- building blocks ------------------------------------------------------------------------

def _new_slide(deck: PresentationType, report: Report, title: str | None) -> Slide:
    slide = deck.slides.add_slide(deck.slide_layouts[BLANK_LAYOUT])
    if title is not None:
        _text(slide, Box(MARGIN, TITLE_TOP, BODY_W, TITLE_H), [title], TITLE_PT, bold=True,
              max_lines=1, anchor=MSO_ANCHOR.MIDDLE)
    _text(slide, Box(MARGIN, FOOTER_TOP, BODY_W, FOOTER_H), [report.footer()], FOOTER_PT,
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
            run.text = textfit.fit(str(value), inner, TABLE_PT * textfit.LINE_HEIGHT, TABLE_PT,
                                   bold=i == 0, max_lines=1)
            run.font.size = Pt(TABLE_PT)
            run.font.bold = i == 0
            run.font.name = textfit.FONT_NAME
    return row_h * len(rows)


def _chart(slide: Slide, fig: go.Figure, box: Box) -> None:
    """``fig`` as a picture filling ``box``: drawn at the height it was designed for (legends
    and margins are laid out for it) and the box's aspect ratio, then scaled into the box."""
    aspect = box.width / box.height
    height = int(fig.layout.height or DEFAULT_CHART_PX)
    width = int(height * aspect)
    if width < MIN_CHART_PX:  # a narrow box: keep the width readable, shrink the height
        width, height = MIN_CHART_PX, int(MIN_CHART_PX / aspect)
    sized = go.Figure(fig).update_layout(width=width, height=height)
    png = images.figure_png(sized, width=width, height=height)
    slide.shapes.add_picture(io.BytesIO(png), *box.emu())


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


