"""Unit tests of the export building blocks: text fitting, the story, lessons, the filters
footer, safe links. Fast: no chart images, no browser."""

from __future__ import annotations

import pandas as pd
import pytest
from PIL import ImageFont

from analysis import cases, pipeline
from analysis.exports import content, deck, report, textfit
from analysis.exports.model import SECTIONS, CaseContent, Report, Speed, minutes_text
from analysis.metrics import filters, kpis

# --- text fitting ---------------------------------------------------------------------------

LONG_WORDS = "Supercalifragilisticexpialidocious" * 6
TEXTS = [
    "",
    "short",
    "mmmm wwww " * 80,
    LONG_WORDS,
    "שלום עולם, זה טקסט בעברית שנכתב מימין לשמאל " * 8,
    "🔥😡🤬 " * 60,
    "混合 text 日本語のテキスト " * 30,
    "tab\tand\nnew\rlines\x00and\x07controls " * 10,
]


def _pillow_width(text: str, size: float) -> float:
    font = ImageFont.truetype(str(textfit.FONT_FILE), int(size * 10))
    return font.getlength(text) / 10


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("width, height, size", [(400.0, 60.0, 14), (900.0, 40.0, 18),
                                                  (120.0, 200.0, 11)])
def test_fit_never_exceeds_the_box(text: str, width: float, height: float, size: int) -> None:
    fitted = textfit.fit(text, width, height, size)
    lines = textfit.wrap(fitted, width, size)
    assert len(lines) * size * textfit.LINE_HEIGHT <= height or len(lines) == 1
    for line in lines:  # an independent measure (Pillow) of lines the font covers
        if all(ord(c) < 0x2000 for c in line):
            assert _pillow_width(line, size) <= width
    if len(textfit.wrap(text, width, size)) > len(lines):
        assert fitted.endswith(textfit.ELLIPSIS)


def test_fit_keeps_text_that_fits_untouched() -> None:
    assert textfit.fit("A short tweet.", 500, 40, 14) == "A short tweet."


def test_clean_drops_what_xml_cannot_hold_and_keeps_scripts() -> None:
    cleaned = textfit.clean("a\x00b\x0bc\ud800d  e\n\tf 😀 שלום")
    assert cleaned == "abcd e f 😀 שלום"


def test_glyphs_missing_from_the_font_count_wide() -> None:
    assert textfit.text_width("😀", 10) == pytest.approx(textfit.WIDE_EM * 10)
    assert textfit.text_width("i", 10) < textfit.text_width("m", 10)


@pytest.mark.parametrize("limit", [1, 5, 50])
def test_truncate(limit: int) -> None:
    out = textfit.truncate("x" * 100, limit)
    assert len(out) == limit and out.endswith(textfit.ELLIPSIS)


def test_fit_paragraphs_drops_what_does_not_fit() -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 40 for i in range(20)]
    kept = deck.fit_paragraphs(paragraphs, 600, 200, 18)
    assert 0 < len(kept) < len(paragraphs)
    assert kept[-1].endswith(textfit.ELLIPSIS)


# --- links, filters, story, lessons -----------------------------------------------------------

@pytest.mark.parametrize("url, safe", [
    ("https://twitter.com/a/status/1", True), ("http://example.org/x?a=1", True),
    ("javascript:alert(1)", False), ("JAVASCRIPT:alert(1)", False), ("data:text/html,x", False),
    ("//evil.example", False), ("", False), (None, False), ("http://[bad", False),
])
def test_safe_url_allows_only_http(url: str | None, safe: bool) -> None:
    assert (report.safe_url(url) != "") is safe


@pytest.mark.parametrize("selection, expected", [
    (filters.Filters(), "Filters: none (all tweets)"),
    (filters.Filters(keyword=" police "), 'Filters: keyword "police"'),
    (filters.Filters(languages=("en", "es")), "Filters: language en, es"),
    (filters.Filters(stance="hostile"), "Filters: stance: Hostile to the brand or campaign"),
    (filters.Filters(include_retweets=False), "Filters: retweets excluded"),
    (filters.Filters(start=pd.Timestamp("2014-04-22 18:00", tz="UTC")),
     "Filters: time 2014-04-22 18:00 to end UTC"),
])
def test_describe_names_every_filter(selection: filters.Filters, expected: str) -> None:
    assert content.describe(selection) == expected


def test_story_has_five_bullets_from_events_and_facts() -> None:
    case = cases.load_case("mynypd")
    story = content.story(case)
    assert len(story) == content.STORY_BULLETS
    assert story[0].startswith("22 Apr 2014, 17:55 UTC: @NYPDnews launched #myNYPD")
    labels = {e.label for e in case.events}
    assert sum(any(label in bullet for label in labels) for bullet in story[1:-1]) >= 2
    assert story[-1] == f"Outcome: {case.story}"


def test_story_time_offsets_keep_their_sign() -> None:
    case = cases.load_case("askrkelly")
    before = [b for b in content.story(case) if b.startswith("-")]
    assert all("+-" not in b for b in content.story(case))
    assert all(b.split(":")[0].endswith(("h", "min")) for b in before)


def test_key_events_are_capped_and_in_time_order() -> None:
    case = cases.load_case("mynypd")
    events = content.key_events(case)
    assert len(events) == min(content.MAX_CHART_EVENTS, len(case.events))
    assert [e.time for e in events] == sorted(e.time for e in events)
    assert events[0].kind == "ask"


def _case(tag: str, fired: float | None, reacted: float | None) -> CaseContent:
    return CaseContent(case_id=tag, hashtag=tag, brand="b", provenance="real", start=None,
                       end=None, tweets=0, story=(), timeline=None,  # type: ignore[arg-type]
                       speed=Speed(None, fired, reacted, ""), posts=(), terms=None,  # type: ignore[arg-type]
                       clouds=(), sources=())


def _report(**values: float) -> kpis.KpiReport:
    return kpis.KpiReport(values={**dict.fromkeys(kpis.KPIS), **values})


def test_lessons_name_the_kpis_that_separate_the_cases() -> None:
    cases_ = [_case("#a", 10, 2.0), _case("#b", 90, None)]
    reports = [_report(hostile_share=0.9, peak_hourly_rate=100.0),
               _report(hostile_share=0.3, peak_hourly_rate=110.0)]
    found = content.lessons(cases_, reports)
    assert found[0] == ("Hostile share separates the cases: from 30.0% (#b) to 90.0% (#a).")
    assert any("Peak hourly rate" in lesson for lesson in found)
    # #b has no documented reaction: only #a can be the one an alert would have helped
    assert found[-1] == ("A listening alert would have bought #a the most time: 1.8 h before "
                         "its first documented reaction.")


def test_lessons_say_which_brand_reacted_before_the_alert() -> None:
    cases_ = [_case("#a", 10, 2.0), _case("#b", 90, 1.0)]
    reports = [_report(hostile_share=0.9), _report(hostile_share=0.3)]
    assert content.lessons(cases_, reports)[-1].endswith(
        "#b reacted before the alert would have fired.")


def test_one_case_has_no_lessons_and_no_lessons_section() -> None:
    """A single-case deck would only restate its own KPIs under "what separates the cases"."""
    assert content.lessons([_case("#a", 10, 2.0)], [_report(hostile_share=0.42)]) == ()
    single = Report(title="t", cases=(_case("#a", None, None),), kpis=(), lessons=(), methods=(),
                    accuracy=(), notice="", filters="", generated_at=pd.Timestamp("2020-01-01"))
    assert [s.key for s in single.sections()] == [
        s.key for s in SECTIONS if s.key not in ("compare", "lessons")]


@pytest.mark.parametrize("value, text", [(None, "not reached"), (45.0, "45 min"),
                                         (240.0, "4.0 h")])
def test_minutes_text(value: float | None, text: str) -> None:
    assert minutes_text(value) == text


def test_export_formats_are_data_and_unknown_ones_are_refused() -> None:
    from analysis.errors import ExportError
    from analysis.exports import FORMATS, export_bytes

    assert set(FORMATS) == {"pptx", "html", "pdf", "data", "classroom"}
    assert FORMATS["pdf"].options == ("paper",)
    assert FORMATS["pptx"].file_name("mynypd") == "mynypd.pptx"
    with pytest.raises(ExportError, match="unknown export format 'docx'"):
        export_bytes([], "docx")


def test_a_missing_browser_is_a_clear_export_error(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: object) -> None:
    from analysis.errors import ExportError
    from analysis.exports import images

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(ExportError, match="BROWSER_PATH=/nonexistent/chromium does not exist"):
        images.browser_path()


def test_a_story_short_of_events_is_completed_from_the_data() -> None:
    case = cases.case_from_dict({
        "id": "bare", "hashtag": "bare", "brand": "Brand", "brand_account": "brand",
        "launch": pd.Timestamp("2020-01-01", tz="UTC").to_pydatetime(), "launch_assumed": True,
        "ask": "nothing", "story": "An archive without a case file.", "provenance": "real"})
    report = _report(tweets=1200, unique_authors=300, hostile_share=0.5,
                     hostile_engagement_share=0.75)
    story = content.story(case, report)
    assert len(story) == 4
    assert "(launch time assumed)" in story[0]
    assert story[1] == "In the data: 1,200 tweets by 300 accounts."
    assert story[2] == ("50.0% of the tweets were hostile; hostile posts captured 75.0% of the "
                        "engagement.")
    assert story[3] == "Outcome: An archive without a case file."


def test_top_posts_leave_out_the_brands_own_posts() -> None:
    from analysis import schema

    table = schema.conform(pd.DataFrame({
        "id": ["1", "2", "3"], "text": ["Ask us anything!", "you crooks", "liars"],
        "author": ["RKelly", "critic", "other"],
        "created_at": pd.to_datetime(["2013-12-10 17:00", "2013-12-10 17:05",
                                      "2013-12-10 17:06"], utc=True),
        "like_count": [900, 50, 10], "metrics_semantics": ["snapshot"] * 3,
    }))
    table["hostile"] = True
    table["hostile_prob"] = 0.9
    posts = content.top_posts(table, 5, brand_account="@rkelly")
    assert [p.author for p in posts] == ["critic", "other"]
    assert [p.author for p in content.top_posts(table, 5)][0] == "RKelly"


def test_synthetic_posts_are_quoted_as_examples_and_never_linked() -> None:
    """Issue 9 item 7: a reconstruction's posts have made-up handles and ids."""
    import dataclasses

    from analysis import exports
    from tests.exports_support import archive_case, scored_archive

    table = scored_archive()
    real = archive_case(table)
    fake = dataclasses.replace(real, provenance="reconstruction")
    assert all(p.url and not p.synthetic for p in content.top_posts(table, 3))
    synthetic = content.top_posts(table, 3, synthetic=True)
    assert synthetic and all(p.url is None and p.synthetic for p in synthetic)
    assert deck._post_meta(synthetic[0]).startswith("Synthetic example (not a real post)")
    html = exports.export_bytes([pipeline.Loaded(fake, table)], "html", None).decode()
    assert "/status/" not in html and "synthetic example" in html
    linked = exports.export_bytes([pipeline.Loaded(real, table)], "html", None).decode()
    assert "twitter.com/" in linked and "/status/" in linked
