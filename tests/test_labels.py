"""Label layout: event labels on story charts and case names on the Anatomy chart never cover
one another, on screen and on the instructor's slides, for every bundled case."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from analysis import charts, labels, story
from analysis.cases import Case, load_cases
from analysis.exports import classroom, deck, textfit

CASES = load_cases(include_library=False)
# The plot area of a chapter chart on an instructor's slide (the chart box less its list of
# at most eight events in two columns), as classroom lays it out.
SLIDE_BOX = deck.Box(0, 0, int(deck.BODY_W * (1 - classroom.TEXT_SHARE)),
                     int(deck.BODY_H - deck.Inches(1.0)))
LAYOUTS = {"screen": (charts.STORY_PLOT_PX, charts.EVENT_LABEL_CHARS, charts.EVENT_LABEL_PX),
           "slide": (classroom.slide_plot_px(SLIDE_BOX), classroom.SLIDE_LABEL_CHARS,
                     classroom.SLIDE_LABEL_PX)}


def _hours(case: Case) -> list[tuple[str, tuple[float, float]]]:
    # a chapter without a window spans the busy part of its table: the first two days here
    return [(ch.phase, ch.window or (-1.0, 48.0)) for ch in case.chapters]


def _assert_clear(placed: list[labels.Placed], width: float) -> None:
    for p in placed:
        assert p.box.left >= 0 and p.box.right <= width, p
    for a, b in itertools.combinations(placed, 2):
        if a.row == b.row:
            assert not a.box.overlaps(b.box, labels.GAP_PX), (a, b)
        else:  # another row is another height: the boxes do not touch vertically
            assert a.box.bottom <= b.box.top or b.box.bottom <= a.box.top, (a, b)


def test_close_events_go_to_other_rows_and_never_overlap() -> None:
    xs = [100.0, 104.0, 110.0, 112.0, 400.0]
    texts = ["1 Session opens", "2 Trending within minutes", "3 A parody account",
             "4 Pijls answers", "5 Statement"]
    tops = labels.row_tops(0, 200, 15)
    placed = labels.in_rows(xs, texts, width_px=800, tops_px=tops, font_px=15)
    assert all(p is not None for p in placed)
    assert [p.row for p in placed if p is not None][:4] == [0, 1, 2, 3]
    _assert_clear([p for p in placed if p is not None], 800)


def test_a_label_without_room_is_left_out_not_drawn_over_another() -> None:
    xs = [50.0 + i for i in range(6)]
    tops = labels.row_tops(0, 90, 15)  # three rows
    placed = labels.in_rows(xs, [f"{i} a long event label" for i in range(6)], width_px=600,
                            tops_px=tops, font_px=15)
    assert sum(p is not None for p in placed) == len(tops)
    _assert_clear([p for p in placed if p is not None], 600)


def test_near_the_right_edge_a_label_ends_at_its_line() -> None:
    placed = labels.in_rows([780.0], ["9 The brand apologises"], width_px=800,
                            tops_px=[0.0], font_px=15)[0]
    assert placed is not None and placed.anchor == "right" and placed.box.right == 780.0


def test_a_label_longer_than_either_side_is_cut_to_the_wider_side() -> None:
    text = "2 Earlier call for questions from 1pm (time unknown)"
    placed = labels.in_rows([190.0], [text], width_px=380, tops_px=[0.0], font_px=14)[0]
    assert placed is not None and placed.text.endswith(labels.ELLIPSIS)
    assert placed.box.right <= 380 and placed.box.left >= 0


def test_width_estimate_is_generous_for_every_event_label() -> None:
    """Labels are laid out with ``labels.text_size``: never narrower than the real text."""
    for case in CASES.values():
        for event in case.events:
            for _, chars, font in LAYOUTS.values():
                text = f"{len(case.events)} {charts._cut(event.label, chars)}"
                assert textfit.text_width(text, font) + 2 * labels.PAD_PX <= \
                    labels.text_size(text, font)[0], text


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("case_id", sorted(CASES))
def test_chapter_charts_labels_never_overlap(case_id: str, layout: str) -> None:
    case = CASES[case_id]
    plot_px, chars, font = LAYOUTS[layout]
    for phase, hours in _hours(case):
        events = story.chapter_events(case, hours)
        if events.empty:
            continue
        slots, panel = charts.event_label_layout(events, x_range=hours, plot_px=plot_px,
                                                 launch=case.launch, font_px=font,
                                                 max_chars=chars)
        placed = [s for s in slots if s is not None]
        assert placed, (case_id, phase)  # at least one event is written out
        _assert_clear(placed, plot_px[0])
        for slot in placed:  # inside the top panel, under the numbered markers
            assert panel * charts.LABELS_FROM <= slot.box.top and slot.box.bottom <= panel
        # each label starts with its marker's number
        numbers = {int(s.text.split()[0]) for s in placed}
        assert numbers <= set(events["number"].astype(int))


def test_label_events_draws_the_laid_out_labels_numbered_as_the_markers() -> None:
    case = CASES["askbg"]
    chapter = next(ch for ch in case.chapters if ch.phase == "response")
    assert chapter.window is not None
    events = story.chapter_events(case, chapter.window)
    frame = pd.DataFrame({"hours_since_launch": [0.0, 1.0, 2.0], "tweets": [10, 20, 5],
                          "retweets": [1, 2, 0], "hostile_share": [0.5, 0.6, 0.7],
                          "mean_compound": [0.0, -0.1, 0.2]})
    fig = charts.timeline(frame, x="hours_since_launch", events=events, launch=case.launch)
    charts.label_events(fig, events, x_range=chapter.window, launch=case.launch)
    drawn = [a for a in fig.layout.annotations if a.name == charts.EVENT_LABEL_NAME]
    slots, _ = charts.event_label_layout(events, x_range=chapter.window, launch=case.launch)
    assert len(drawn) == sum(s is not None for s in slots) >= 3
    markers = {t for trace in fig.data if trace.legendgroup == charts.EVENT_LEGEND_GROUP
               for t in trace.text}
    for annotation in drawn:
        assert annotation.text.split()[0] in markers
        assert annotation.yref == "y domain" and annotation.yanchor == "top"
    # an event without a label is still listed, numbered, with the chart
    lines = story.event_lines(case, events)
    assert len(lines) == len(events)
    assert [int(line.split(" · ")[0]) for line in lines] == sorted(events["number"])


def test_anatomy_names_cover_no_bubble_and_no_other_name() -> None:
    # eight cases, several close together (as reaction times and volumes of the bundled ones)
    xs = [6.07, 5.7, 5.75, 2.0, 2.1, 24.0, 0.5, 5.72]
    ys = [180_000, 60_000, 62_000, 16_000, 17_000, 9_000, 30_000, 58_000]
    sizes = [60, 40, 30, 25, 35, 20, 22, 28]
    names = ["#myNYPD", "#AskJPM", "#AskBG", "#McDStories", "#QantasLuxury", "#CosbyMeme",
             "#AskSeaWorld", "#AskRKelly"]
    placed, x_range, y_range = charts.pattern_layout(xs, ys, sizes, names)
    width, height = charts.PATTERN_PLOT_PX
    assert x_range[0] < min(xs) and x_range[1] > max(xs)
    for a, b in itertools.combinations(placed, 2):
        assert not a.box.overlaps(b.box, labels.GAP_PX), (a, b)
    for p in placed:
        assert p.box.inside(width, height), p
    # a bubble standing alone keeps its name clear of every other bubble
    lone = charts.pattern_layout([1.0, 10.0, 20.0], [1_000, 100_000, 10_000], [40, 40, 40],
                                 ["#A", "#B", "#C"])[0]
    assert {p.anchor for p in lone} <= {"top center", "bottom center"}
    fig = charts.pattern(pd.DataFrame({"x": xs, "y": ys, "n": names, "s": sizes,
                                       "c": [0.5] * 8}),
                         x="x", y="y", label="n", size="s", colour="c", title="t",
                         x_title="x", y_title="y", colour_title="c")
    assert set(fig.data[0].textposition) <= set(labels.POSITIONS)
    assert len(set(fig.data[0].textposition)) > 1  # crowded bubbles push names aside
    assert list(fig.layout.xaxis.range)[0] < min(xs)


def test_themes_chart_draws_every_event_line_and_only_labels_with_room() -> None:
    case = CASES["qantasluxury"]
    events = story.chapter_events(case, (-1.0, 45.0))
    frame = pd.DataFrame([{"hours_since_launch": h, "theme": t, "share": 0.5, "tweets": 10}
                          for h in range(45) for t in range(2)])
    fig = charts.theme_shares(frame, names=["a", "b"], events=events, launch=case.launch)
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    hours = [case.hours_since_launch(pd.Timestamp(t)) for t in events["time"]]
    assert len(lines) == sum(0 <= h <= 44 for h in hours) > 5
    drawn = sorted(float(a.x) for a in fig.layout.annotations
                   if a.name == charts.EVENT_LABEL_NAME)
    assert 1 < len(drawn) < len(lines)  # crowded events keep their line only
    px = [x / 44 * charts.STORY_PLOT_PX[0] for x in drawn]
    assert all(b - a >= charts.THEME_LABEL_SEP_PX for a, b in itertools.pairwise(px))
