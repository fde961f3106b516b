"""Real browser (Debian chromium via Playwright) against ``streamlit run app.py``.

Every page is visited and its key elements checked; a real archive is uploaded, saved and
found on Compare; tweets carrying HTML/script payloads are shown as literal text and run
nothing. Full-page screenshots go to ``artifacts/screenshots/`` (and ``docs/screenshots/``
with ``BACKFIRE_UPDATE_SCREENSHOTS=1``).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from browser_support import screenshot, wait_ready

from analysis.cases import load_cases
from ui import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REAL = "v2_twarc2_brexit.jsonl"
# Each payload calls ``alert(``: the marker must never reach a <script> element.
XSS_MARKER = "alert("
XSS_TEXTS = ["<img src=x onerror=alert(1)> owned", "<script>alert('xss')</script> hello"]


def _labels() -> dict[str, str]:
    return data.labels(load_cases(include_library=False))


def _legend(page: Any) -> list[str]:
    """Legend entries of every Plotly chart on the page (SVG text)."""
    return list(page.locator(".js-plotly-plot .legendtext")
                .evaluate_all("els => els.map(e => e.textContent)"))


def _visit(page: Any, url: str) -> None:
    page.goto(url)
    wait_ready(page)
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]


def _query(**params: str | list[str]) -> str:
    return "?" + urllib.parse.urlencode(params, doseq=True)


def test_case_library(page: Any, app_url: str, app_data: Path,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    _visit(page, app_url)
    labels = load_cases(include_library=False)
    for case in labels.values():
        assert page.get_by_role("heading", name=f"#{case.hashtag}").is_visible()
    assert page.get_by_text("Reconstruction", exact=False).first.is_visible()
    monkeypatch.setenv("BACKFIRE_DATA_DIR", str(app_data))  # other tests may have saved cases
    shown = len(load_cases())
    for label in ("Tweets", "Hostile share", "Time to hijack"):
        assert page.get_by_text(label, exact=True).count() == shown
    screenshot(page, "library")
    # the last card (cards are in date order; cases saved by earlier tests are among them) is
    # not the picker's default, so its case must travel in the URL
    last = max(load_cases().values(), key=lambda c: c.launch)
    page.get_by_role("link", name="Open the deep-dive").last.click()
    wait_ready(page)
    assert "/case" in page.url and "case=" in page.url
    assert page.get_by_role("heading", name=f"#{last.hashtag}").is_visible()


def test_each_card_opens_its_own_case(page: Any, app_url: str) -> None:
    """A card's link (found inside the card's container, ``.st-key-card_<id>``, as
    ``benchmarks/page_ready.py`` finds it) opens that card's case, whatever the cards' order."""
    _visit(page, app_url)
    labels = _labels()
    for case_id, label in labels.items():
        link = page.locator(f".st-key-card_{case_id}").get_by_role("link",
                                                                  name="Open the deep-dive")
        assert urllib.parse.urlencode({"case": label}) in str(link.get_attribute("href"))
    # #AskBG is first in the benchmark's plan (alphabetical) but third by date: the page's
    # first link, which the benchmark used to click for it, is #QantasLuxury's
    page.locator(".st-key-card_askbg").get_by_role("link", name="Open the deep-dive").click()
    wait_ready(page)
    assert page.get_by_role("heading", name="#AskBG").is_visible()


def test_card_of_the_first_case_after_another_case(page: Any, app_url: str) -> None:
    """A card opens its own case even when it is the picker's first case and the session saw
    another one before: Streamlit drops a URL value equal to a widget's default and kept the
    earlier case (``ui.controls._follow_link``). The visitor's own choice in the picker still
    wins over the link that brought them."""
    labels = _labels()
    first, other = next(iter(labels)), "qantasluxury"
    _visit(page, app_url)
    for case_id in (other, first):
        page.locator(f".st-key-card_{case_id}").get_by_role("link",
                                                           name="Open the deep-dive").click()
        wait_ready(page)
        assert page.get_by_role("heading", name=labels[case_id].split(" ")[0]).is_visible()
        page.locator('[data-testid="stSidebarNav"] a').first.click()  # back to the library
        wait_ready(page)
    page.goto(f"{app_url}/case{_query(case=labels[other])}")
    wait_ready(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=labels["mynypd"]).click()
    wait_ready(page)
    assert page.get_by_role("heading", name="#myNYPD").is_visible()


@pytest.mark.parametrize("case_id", ["mynypd", "askjpm", "askrkelly"])
def test_deep_dive(page: Any, app_url: str, case_id: str) -> None:
    label = _labels()[case_id]
    _visit(page, f"{app_url}/case{_query(case=label)}")
    hashtag = label.split(" ")[0]
    assert page.get_by_role("heading", name=hashtag).is_visible()
    assert page.get_by_text("Reconstruction.", exact=False).first.is_visible()
    assert page.locator(".js-plotly-plot").first.is_visible()
    assert page.locator('[data-testid="stMetric"]').count() >= 6
    if case_id == "mynypd":
        screenshot(page, "case")
        page.get_by_role("tab", name="Hostile posts").click()
        wait_ready(page)
        assert page.locator('[data-testid="stDataFrame"]').first.is_visible()
        assert "tab=Hostile" in page.url
        screenshot(page, "case-hostile-posts")
        page.get_by_role("tab", name="Language").click()
        wait_ready(page)
        assert page.locator('[data-testid="stImage"]').first.is_visible()
        screenshot(page, "case-language")


def test_url_reproduces_the_view(page: Any, app_url: str) -> None:
    label = _labels()["askjpm"]
    url = f"{app_url}/case{_query(case=label, stance='Hostile', bin='15 min', tab='Alert replay')}"
    _visit(page, url)
    assert page.get_by_role("heading", name="#AskJPM").is_visible()
    assert page.get_by_text("Filtered:", exact=False).is_visible()
    assert page.get_by_role("tab", name="Alert replay", selected=True).is_visible()


def _card_hashtags(page: Any) -> list[str]:
    return [t.strip() for t in page.get_by_role("heading").all_inner_texts()
            if t.strip().startswith("#")]


def test_library_cards_sort_by_date_size_and_speed(page: Any, app_url: str) -> None:
    cases = load_cases(include_library=False)
    by_date = [f"#{c.hashtag}" for c in sorted(cases.values(), key=lambda c: c.launch)]
    _visit(page, app_url)
    # cases saved by earlier tests take their place by date among the bundled ones
    assert [tag for tag in _card_hashtags(page) if tag in by_date] == by_date
    _visit(page, f"{app_url}/{_query(sort='Size')}")
    assert page.get_by_text("Order the cases by").is_visible()
    assert _card_hashtags(page)[0] == "#myNYPD", "the biggest storm first"
    screenshot(page, "library-by-size")
    _visit(page, f"{app_url}/{_query(sort='Speed of hijack')}")
    shown = [tag for tag in _card_hashtags(page) if tag in by_date]
    assert sorted(shown) == sorted(by_date) and shown != by_date


def test_compare(page: Any, app_url: str) -> None:
    _visit(page, f"{app_url}/compare")
    assert page.get_by_role("heading", name="Compare backfires").is_visible()
    legend = _legend(page)
    for label in _labels().values():
        assert label in legend
    assert "Reconstructions (synthetic)" in page.locator(".js-plotly-plot .legend").first.text_content()
    # the small multiples are drawn when their expander is opened, and the URL keeps it open
    assert page.locator(".js-plotly-plot").count() == 3
    page.get_by_text("Each case on its own scale").click()
    wait_ready(page)
    page.locator(".js-plotly-plot").nth(3).wait_for()
    assert "grid=true" in page.url
    assert page.locator(".js-plotly-plot .gtitle").filter(has_text="Each case's timeline").count()
    screenshot(page, "compare")


def test_compare_highlights_one_of_eight(page: Any, app_url: str) -> None:
    labels = _labels()
    assert len(labels) >= 8
    _visit(page, f"{app_url}/compare{_query(focus=labels['askbg'])}")
    legend = _legend(page)
    for label in labels.values():
        assert label in legend
    # faded lines are drawn at reduced opacity in the SVG
    opacities = page.locator(".js-plotly-plot .scatterlayer .trace").evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).opacity))")
    assert min(opacities) < 0.5 and max(opacities) == 1.0
    screenshot(page, "compare-highlight")


def test_methods(page: Any, app_url: str) -> None:
    _visit(page, f"{app_url}/methods")
    for heading in ("Scores per tweet", "Measured accuracy", "Measured speed and memory",
                    "Backfire KPIs", "Limitations"):
        assert page.get_by_role("heading", name=heading).is_visible()
    # a benchmark's figures are drawn when their expander is opened
    grids = page.locator('[data-testid="stDataFrame"]').count()
    page.get_by_text(re.compile(r"^The \d+ figures$")).first.click()
    page.locator('[data-testid="stDataFrame"]').nth(grids).wait_for()
    wait_ready(page)
    assert page.locator('[data-testid="stDataFrame"]').count() == grids + 1
    screenshot(page, "methods")


def _upload_and_save(page: Any, app_url: str, file: Path, brand: str) -> None:
    _visit(page, f"{app_url}/archive")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(file))
    page.get_by_text("detected format", exact=False).first.wait_for()
    wait_ready(page)
    page.get_by_label("Brand", exact=True).fill(brand)
    page.get_by_role("button", name="Analyse and save").click()
    page.get_by_text("Saved", exact=False).first.wait_for(timeout=180_000)
    wait_ready(page)


def test_upload_a_real_archive_and_compare(page: Any, app_url: str, app_data: Path,
                                           real_archives: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _upload_and_save(page, app_url, real_archives / REAL, "Browser test brand")
    assert page.get_by_text("Rows read").first.is_visible()
    screenshot(page, "archive")
    page.get_by_role("link", name="Compare it with the classics").click()
    wait_ready(page)
    monkeypatch.setenv("BACKFIRE_DATA_DIR", str(app_data))  # read the server's library
    everything = load_cases()
    case_id = next(cid for cid, c in everything.items() if c.brand == "Browser test brand")
    saved = data.labels(everything)[case_id]
    chosen = [saved, *_labels().values()]
    _visit(page, f"{app_url}/compare{_query(cases=chosen)}")
    legend = _legend(page)
    assert saved in legend


def _inline_scripts(page: Any) -> list[str]:
    """The text of every inline ``<script>`` element of the document."""
    return list(page.evaluate(
        "() => [...document.querySelectorAll('script:not([src])')].map(s => s.textContent)"))


def _assert_nothing_injected(page: Any, inline_before: int) -> None:
    assert page.dialogs == []
    assert not any(XSS_MARKER in script for script in _inline_scripts(page))
    assert len(_inline_scripts(page)) == inline_before
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("[onerror]").count() == 0


def test_tweet_text_is_never_markup(page: Any, app_url: str, tmp_path: Path) -> None:
    rows = [_tweet(i, text) for i, text in enumerate(XSS_TEXTS * 10)]
    file = tmp_path / "xss.jsonl"
    file.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    _visit(page, app_url)
    inline_before = len(_inline_scripts(page))
    _upload_and_save(page, app_url, file, "XSS test brand")
    _assert_nothing_injected(page, inline_before)
    page.get_by_role("link", name="Open its deep-dive").click()
    wait_ready(page)
    for text in XSS_TEXTS:
        keyword = "onerror" if "onerror" in text else "script"
        page.goto(_with_query(page.url, q=keyword, tab="Tweets"))
        wait_ready(page)
        shown = page.locator('[data-testid="stText"]').first
        assert shown.is_visible()
        assert shown.inner_text() == text
        _assert_nothing_injected(page, inline_before)
        screenshot(page, f"xss-check-{keyword}", docs=False)
    page.get_by_role("tab", name="Hostile posts").click()
    wait_ready(page)
    _assert_nothing_injected(page, inline_before)


def _with_query(url: str, **params: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update(params)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _tweet(i: int, text: str) -> dict[str, Any]:
    """A minimal Twitter API v2 tweet (one JSON object per line, as twarc2 flattens them)."""
    return {
        "id": str(1500000000000000000 + i),
        "text": text,
        "created_at": f"2022-03-01T12:{i:02d}:00.000Z",
        "author_id": str(1000 + i),
        "author": {"id": str(1000 + i), "username": f"user{i}", "public_metrics":
                   {"followers_count": 10}},
        "lang": "en",
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": i, "quote_count": 0},
        "entities": {"hashtags": [{"tag": "xsstest"}]},
    }


@pytest.mark.parametrize("name", ["story", "anatomy"])
def test_story_and_anatomy(page: Any, app_url: str, name: str) -> None:
    _visit(page, f"{app_url}/{name}")
    assert page.locator("h1").first.is_visible()
    screenshot(page, name)
