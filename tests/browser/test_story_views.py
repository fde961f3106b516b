"""Real browser: the Story page (every chapter of every case, keyboard), the deep-dive's
Themes and Network tabs on every case, Anatomy of a backfire. Screenshots: story,
story-<case>, story-<case>-peak, story-<case>-discuss, themes-<case>, network-<case>, anatomy
(docs/screenshots with BACKFIRE_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from browser_support import screenshot, wait_ready

from analysis import story
from analysis.cases import load_cases
from ui import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CASES = [c.id for c in load_cases(include_library=False).values()]


def _label(case_id: str) -> str:
    return data.labels(load_cases(include_library=False))[case_id]


def _visit(page: Any, url: str) -> None:
    page.goto(url)
    wait_ready(page)
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0, \
        page.inner_text("body")[:2000]


def _url(app_url: str, page_name: str, **query: str) -> str:
    return f"{app_url}/{page_name}?" + urllib.parse.urlencode(query)


def _assert_labels_apart(page: Any) -> None:
    """No two event labels drawn on the first chart overlap (their real boxes, as drawn)."""
    boxes = page.locator(".js-plotly-plot").first.evaluate(
        """plot => [...plot.querySelectorAll('.annotation')]
            .filter(a => /^\\d+ /.test(a.textContent))
            .map(a => { const r = a.querySelector('.annotation-text-g, .bg, rect')
                        .getBoundingClientRect();
                        return [r.left, r.top, r.right, r.bottom, a.textContent]; })""")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, (a, b)


@pytest.mark.parametrize("case_id", CASES)
def test_story_every_chapter(page: Any, app_url: str, case_id: str) -> None:
    case = load_cases(include_library=False)[case_id]
    _visit(page, _url(app_url, "story", case=_label(case_id)))
    first = story.PHASE_TITLES[case.chapters[0].phase]
    assert page.get_by_role("heading", name=first).first.is_visible()
    for i, chapter in enumerate(case.chapters):
        title = story.PHASE_TITLES[chapter.phase]
        heading = page.get_by_role("heading", level=2).first
        assert heading.inner_text().startswith(title), (title, heading.inner_text())
        assert page.locator(".js-plotly-plot").first.is_visible()
        # events are written on the chart, not only in hover labels, and listed under it
        if chapter.window is not None:
            page.locator(".js-plotly-plot .annotation-text").first.wait_for(timeout=30_000)
            assert page.get_by_text("Events on the chart", exact=False).first.is_visible()
            _assert_labels_apart(page)
        assert page.get_by_text("synthetic post", exact=False).count() >= 1
        assert page.locator('a:has-text("Open the post")').count() == 0
        if i == 0:
            screenshot(page, f"story-{case_id}")
            if case_id == "askjpm":
                screenshot(page, "story")  # the README's picture of the page
        if chapter.phase == "peak":
            page.get_by_role("button", name="Reveal the answer").click()
            wait_ready(page)
            assert page.locator('[data-testid="stAlertContentSuccess"]').is_visible()
            screenshot(page, f"story-{case_id}-peak")
        # the keyboard: focus "Next" and press Enter
        page.get_by_role("button", name="Next →").focus()
        page.keyboard.press("Enter")
        wait_ready(page)
    assert page.get_by_role("heading", name="Discuss").is_visible()
    assert page.get_by_text("Hostile vs negative", exact=False).first.is_visible()
    assert "chapter=Discuss" in page.url
    screenshot(page, f"story-{case_id}-discuss")


def test_story_chapter_link_opens_that_chapter(page: Any, app_url: str) -> None:
    _visit(page, _url(app_url, "story", case=_label("askjpm"), chapter="The peak"))
    assert page.get_by_role("heading", level=2).first.inner_text().startswith("The peak")


@pytest.mark.parametrize("case_id", CASES)
def test_themes_tab(page: Any, app_url: str, case_id: str) -> None:
    _visit(page, _url(app_url, "case", case=_label(case_id), tab="Themes"))
    chart = page.locator(".js-plotly-plot").first
    assert chart.is_visible()
    assert page.locator(".js-plotly-plot .legendtext").count() >= 5
    assert page.get_by_text("two random halves", exact=False).is_visible()
    screenshot(page, f"themes-{case_id}")


@pytest.mark.parametrize("case_id", CASES)
def test_network_tab(page: Any, app_url: str, case_id: str) -> None:
    _visit(page, _url(app_url, "case", case=_label(case_id), tab="Network"))
    assert page.locator(".js-plotly-plot").first.is_visible()
    assert page.get_by_text("communities (Louvain)", exact=False).is_visible()
    assert page.get_by_role("button", name="Download the whole retweets network (GEXF, for Gephi)"
                            ).is_visible()
    screenshot(page, f"network-{case_id}")
    page.locator('[data-testid="stButtonGroup"] button', has_text="Mentions").first.click()
    wait_ready(page)
    assert "net=Mentions" in page.url
    title = page.locator(".js-plotly-plot .gtitle").first.text_content() or ""
    assert "mentions among the" in title


def test_anatomy(page: Any, app_url: str) -> None:
    _visit(page, f"{app_url}/anatomy")
    assert page.get_by_role("heading", name="Anatomy of a backfire").is_visible()
    assert page.locator(".js-plotly-plot").first.is_visible()
    assert page.get_by_text("each number's caveat", exact=False).first.is_visible()
    screenshot(page, "anatomy")
