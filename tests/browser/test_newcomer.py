"""What a newcomer hit (issue 9), checked in a real browser at common laptop widths.

KPI cards whole at 1280 and 1440 px; #AskJPM's timeline on the hours around launch with the
outlying events listed; the alert chart marking the hijack and saying why it differs from the
alert; synthetic posts never linked; a real archive with stray old tweets offered for
exclusion and drawn in a few hundred bars, not 94,000.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from browser_support import VIEWPORT, screenshot, wait_ready

from analysis.cases import load_cases
from analysis.metrics import span
from tests import stray_archive
from ui import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP_WIDTHS = (1280, 1440)


def _case_url(app_url: str, case_id: str, **query: str) -> str:
    label = data.labels(load_cases(include_library=False))[case_id]
    return f"{app_url}/case?" + urllib.parse.urlencode({"case": label, **query})


def _full_range(page: Any) -> None:
    # the toggle's own label comes first (a caption below it names the switch too)
    page.get_by_test_id("stSidebarUserContent").get_by_text("Full time range", exact=True).first.click()
    wait_ready(page)


def _open(page: Any, url: str) -> None:
    page.goto(url)
    wait_ready(page)
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]


def _cut_texts(page: Any) -> list[str]:
    """Texts of KPI card labels and values that overflow their box or end in an ellipsis."""
    return list(page.evaluate(
        """() => {
            const cut = [];
            for (const card of document.querySelectorAll('[data-testid="stMetric"]')) {
                for (const part of card.querySelectorAll(
                        '[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] *,'
                        + '[data-testid="stMetricLabel"], [data-testid="stMetricValue"]')) {
                    const text = (part.textContent || '').trim();
                    if (!text) continue;
                    if (part.scrollWidth > part.clientWidth + 1 || text.endsWith('…'))
                        cut.push(text);
                }
            }
            return cut;
        }"""))


def _layout(page: Any, title_part: str) -> dict[str, Any]:
    """The Plotly layout of the chart whose title contains ``title_part``."""
    return dict(page.evaluate(
        """(part) => {
            for (const el of document.querySelectorAll('.js-plotly-plot')) {
                const title = (el.layout && el.layout.title && el.layout.title.text) || '';
                if (title.includes(part)) return JSON.parse(JSON.stringify(el.layout));
            }
            return null;
        }""", title_part) or {})


def _bars(page: Any, title_part: str) -> int:
    return int(page.evaluate(
        """(part) => {
            for (const el of document.querySelectorAll('.js-plotly-plot')) {
                const title = (el.layout && el.layout.title && el.layout.title.text) || '';
                if (title.includes(part)) return el.calcdata[0].length;
            }
            return -1;
        }""", title_part))


@pytest.mark.parametrize("width", LAPTOP_WIDTHS)
@pytest.mark.parametrize("case_id", ["mynypd", "askjpm"])
def test_kpi_cards_are_whole_at_laptop_widths(page: Any, app_url: str, case_id: str,
                                              width: int) -> None:
    page.set_viewport_size({"width": width, "height": VIEWPORT["height"]})
    _open(page, _case_url(app_url, case_id))
    cards = page.locator('[data-testid="stMetric"]')
    assert cards.count() >= 6
    assert _cut_texts(page) == []
    if case_id == "mynypd":
        screenshot(page, f"case-kpis-{width}", docs=False)


def test_askjpm_opens_on_the_launch_with_outlying_events_listed(page: Any, app_url: str) -> None:
    _open(page, _case_url(app_url, "askjpm"))
    layout = _layout(page, "volume, hostility")
    assert layout["xaxis2"]["range"] == [-2, 72]
    notes = [a["text"] for a in layout.get("annotations", []) if a["text"].startswith("Outside")]
    assert notes and "days)" in notes[0]
    assert page.get_by_text("Outside this window", exact=False).first.is_visible()
    legend = page.locator(".js-plotly-plot .legendtext").evaluate_all(
        "els => els.map(e => e.textContent)")
    assert any(t.startswith("Event: ") for t in legend)
    screenshot(page, "case-askjpm-window", docs=False)
    _full_range(page)
    assert "full=true" in page.url
    lo, hi = _layout(page, "volume, hostility")["xaxis2"]["range"]
    assert lo < -100 and hi >= 72
    screenshot(page, "case-askjpm-full", docs=False)


def test_alert_chart_marks_the_hijack_and_explains_the_gap(page: Any, app_url: str) -> None:
    _open(page, _case_url(app_url, "mynypd", tab="Alert replay"))
    texts = [a["text"] for a in _layout(page, "Alert replay").get("annotations", [])]
    assert any(t.startswith("hijacked:") for t in texts)
    assert any(t.startswith("alert fires:") for t in texts)
    tab = page.get_by_test_id("stTabs")
    assert tab.get_by_text("the two count different things", exact=False).is_visible()
    screenshot(page, "case-alert-replay", docs=False)


def test_synthetic_posts_have_no_links(page: Any, app_url: str) -> None:
    _open(page, _case_url(app_url, "askrkelly", tab="Tweets"))
    assert page.get_by_text("synthetic example, not a real post", exact=False).is_visible()
    assert page.get_by_role("link", name="Open on Twitter").count() == 0
    assert page.locator('a[href*="twitter.com/"][href*="/status/"]').count() == 0
    page.get_by_role("tab", name="Hostile posts").click()
    wait_ready(page)
    assert page.get_by_text("synthetic examples", exact=False).first.is_visible()
    assert page.locator('a[href*="/status/"]').count() == 0


def test_stray_old_tweets_are_offered_out_and_the_chart_stays_small(
        page: Any, app_url: str, tmp_path: Path) -> None:
    file = stray_archive.write(tmp_path / "stray-brexit.jsonl")
    _open(page, f"{app_url}/archive")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(file))
    page.get_by_text("3 tweets lie years before the rest", exact=False).first.wait_for()
    wait_ready(page)
    screenshot(page, "archive-stray-tweets", docs=False)
    # keep them this time: the full range must still draw without freezing the page
    page.get_by_text("Leave the 3 stray tweets out of this case").click()
    wait_ready(page)
    page.get_by_label("Brand", exact=True).fill("Stray tweets brand")
    page.get_by_role("button", name="Analyse and save").click()
    page.get_by_text("Saved", exact=False).first.wait_for(timeout=180_000)
    wait_ready(page)
    page.get_by_role("link", name="Open its deep-dive").click()
    wait_ready(page)
    assert page.get_by_text("3 tweets lie years before the rest", exact=False).is_visible()
    assert 0 < _bars(page, "volume, hostility") <= span.MAX_CHART_BINS
    _full_range(page)
    assert 0 < _bars(page, "volume, hostility") <= span.MAX_CHART_BINS
    screenshot(page, "case-stray-full-range", docs=False)
