"""AppTest of the Story page: every chapter of every bundled case, the chapter in the URL,
Previous / Next, predict-then-reveal with the answer from the data, questions and glossary."""

from __future__ import annotations

import pytest
from app_support import BUNDLED, assert_clean, case_label, figure, open_page, text_of

from analysis import charts, story
from analysis.cases import load_case

pytestmark = pytest.mark.usefixtures("app_env")


def _open(case_id: str, chapter: str | None = None):
    query = {"case": case_label(case_id)}
    if chapter:
        query["chapter"] = chapter
    return open_page("story", query)


@pytest.mark.parametrize("case_id", BUNDLED)
def test_every_chapter_renders_with_chart_number_and_posts(case_id: str) -> None:
    case = load_case(case_id)
    assert 5 <= len(case.chapters) <= 7
    for chapter in case.chapters:
        title = story.PHASE_TITLES[chapter.phase]
        at = _open(case_id, title)
        assert_clean(at)
        assert at.header[0].value.startswith(title), (title, at.header[0].value)
        fig = figure(at, f"{title}: tweets per")
        labels = [a["text"] for a in fig["layout"].get("annotations", [])
                  if a.get("name") == charts.EVENT_LABEL_NAME]
        drawn = sum(1 for t in fig["layout"]["shapes"]) // 2  # a dashed line per panel
        # events are written on the chart where a label has room, and every one of them is
        # listed, numbered as its marker, under the chart
        assert 0 < len(labels) <= drawn or chapter.window is None
        listed = next((c.value for c in at.caption if c.value.startswith("Events on the chart")),
                      "")
        assert listed.count(" · ") == 2 * drawn, listed
        for label in labels:
            assert label.split(" ", 1)[0] + " · " in listed
        assert at.metric[0].value not in ("", "n/a")
        body = text_of(at)
        assert "synthetic post" in body  # every bundled post is labelled synthetic
        assert not at.get("link_button")  # and never linked
        if chapter.prompt:
            assert "Predict, then reveal" in body


def test_reveal_shows_the_answer_computed_from_the_data() -> None:
    case = load_case("askjpm")
    ask = next(ch for ch in case.chapters if ch.phase == "ask")
    at = _open("askjpm", story.PHASE_TITLES["ask"])
    assert not at.success
    at.number_input(key="guess_askjpm_ask").set_value(30).run()
    at.button(key="reveal_ask").click().run()
    assert_clean(at)
    from analysis import pipeline
    from analysis.metrics import kpis

    report = kpis.for_case(case, pipeline.scored_case(case))
    expected = story.reveal(pipeline.scored_case(case), case, ask, report)
    assert expected is not None and expected.known
    assert expected.text in at.success[0].value
    assert any("Your guess: 30" in m.value for m in at.markdown)


def test_next_and_previous_walk_the_chapters_in_order() -> None:
    at = _open("mynypd")
    case = load_case("mynypd")
    first = story.PHASE_TITLES[case.chapters[0].phase]
    assert at.header[0].value.startswith(first)
    at.button(key="story_next").click().run()
    assert at.header[0].value.startswith(story.PHASE_TITLES[case.chapters[1].phase])
    assert at.query_params["chapter"] in (story.PHASE_TITLES[case.chapters[1].phase],
                                          [story.PHASE_TITLES[case.chapters[1].phase]])
    at.button(key="story_prev").click().run()
    assert at.header[0].value.startswith(first)


@pytest.mark.parametrize("case_id", BUNDLED)
def test_discussion_and_glossary(case_id: str) -> None:
    at = _open(case_id, "Discuss")
    assert_clean(at)
    case = load_case(case_id)
    body = text_of(at).replace("\\", "").replace("&amp;", "&").replace("&lt;", "<")
    assert len(case.discussion) >= 3
    for q in case.discussion:
        assert q.question[:60] in body and q.concept in body
    for term in ("Hashtag hijack", "Amplification", "Hostile vs negative", "Log-odds", "Sample"):
        assert term in body
    assert at.button(key="story_next").disabled
