"""Every export format, generated from a real archive and opened with its own reader:
python-pptx for the deck, an HTML parser and headless Chromium for the report, pypdf for the
PDF, zipfile/csv for the data. Attack tweets (formula, script tag, image with onerror) must
come out inert everywhere, and long tweets truncated on slides with the full text in notes.

Rendered pages go to ``artifacts/exports/`` (git-ignored) for a human to look at.
"""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from exports_support import (
    FORMULA,
    IMG,
    KEYWORD_FILTER,
    LONG,
    REAL_ARCHIVE,
    SCRIPT,
    assert_slides_render,
    inputs,
    scored_archive,
)
from PIL import Image, ImageFont
from pptx import Presentation
from pptx.enum.text import MSO_AUTO_SIZE
from pypdf import PdfReader

from analysis.__main__ import main
from analysis.exports import content, deck, images, pdf, report, textfit
from analysis.exports.model import SECTION_TITLES, SECTIONS, Report
from analysis.ingest import signatures
from analysis.metrics import filters
from analysis.store import paths

pytestmark = pytest.mark.slow
ARTIFACTS = paths.PROJECT_ROOT / "artifacts" / "exports"
PNG = signatures.PNG_HEADER


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return scored_archive()


@pytest.fixture(scope="module")
def single(table: pd.DataFrame) -> Report:
    return content.build(inputs(table, 1), KEYWORD_FILTER)


@pytest.fixture(scope="module")
def comparison(table: pd.DataFrame) -> Report:
    return content.build(inputs(table, 3))


@pytest.fixture(scope="module")
def decks(single: Report, comparison: Report) -> dict[str, Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return {"single": deck.write(single, ARTIFACTS / "single.pptx"),
            "comparison": deck.write(comparison, ARTIFACTS / "comparison.pptx")}


@pytest.fixture(scope="module")
def html_file(single: Report) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return report.write(single, ARTIFACTS / "single.html")


def _expected_slides(n_cases: int, methods_slides: int) -> int:
    """One slide per section (per case where per-case), the methods over ``methods_slides``."""
    kept = [s for s in SECTIONS if n_cases > 1 or not s.comparison_only]
    per_case = sum(1 for s in kept if s.per_case)
    shared = sum(1 for s in kept if not s.per_case and s.key != "methods")
    return shared + per_case * n_cases + methods_slides


def _methods_slides(prs: object) -> list[object]:
    return [slide for slide in prs.slides  # type: ignore[attr-defined]
            if any(t.startswith(SECTION_TITLES["methods"]) for t in _slide_texts(slide))]


def _slide_texts(slide: object) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes  # type: ignore[attr-defined]
            if shape.has_text_frame]


# --- deck -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, n_cases", [("single", 1), ("comparison", 3)])
def test_deck_has_every_section(decks: dict[str, Path], name: str, n_cases: int) -> None:
    prs = Presentation(str(decks[name]))
    assert len(prs.slides) == _expected_slides(n_cases, len(_methods_slides(prs)))
    texts = "\n".join(t for slide in prs.slides for t in _slide_texts(slide))
    for section in SECTIONS:
        if section.key == "title":
            assert "Post-mortem:" in texts
        elif n_cases > 1 or not section.comparison_only:
            assert section.title in texts, section.title
        else:  # one case: no comparison chart, no "what separates the cases"
            assert section.title not in texts, section.title


@pytest.mark.parametrize("name", ["single", "comparison"])
def test_deck_images_are_real_pngs(decks: dict[str, Path], single: Report, comparison: Report,
                                   name: str) -> None:
    prs = Presentation(str(decks[name]))
    pictures = [shape for slide in prs.slides for shape in slide.shapes if shape.shape_type == 13]
    built = single if name == "single" else comparison
    # per case: timeline, terms chart and the clouds that have words; one case: its alert
    # replay; a comparison: the two comparison charts
    clouds = sum(deck.has_words(cloud) for case in built.cases for cloud in case.clouds)
    assert len(pictures) == 2 * len(built.cases) + clouds + (2 if built.is_comparison else 1)
    for picture in pictures:
        blob = picture.image.blob
        assert blob.startswith(PNG)
        with Image.open(io.BytesIO(blob)) as image:
            image.load()
            assert image.width > 300 and image.height > 150
            low, high = image.convert("L").getextrema()
            assert high - low > 50  # not a blank picture


def _lines_by_pillow(text: str, width_pt: float, size: float) -> int:
    """An independent measurement: greedy wrap with Pillow's DejaVu Sans, full box width."""
    font = ImageFont.truetype(str(textfit.FONT_FILE), int(size * 10))
    def width(s: str) -> float:
        return font.getlength(s) / 10
    lines, current = 0, ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if width(candidate) <= width_pt:
            current = candidate
            continue
        lines += 1 if current else 0
        current = word
        while width(current) > width_pt:  # a word longer than the line breaks by characters
            cut = max(1, next(i for i in range(len(current), 0, -1) if width(current[:i]) <= width_pt))
            lines += 1
            current = current[cut:]
    return lines + (1 if current else 0)


@pytest.mark.parametrize("name", ["single", "comparison"])
def test_deck_text_never_overflows_its_box(decks: dict[str, Path], name: str) -> None:
    prs = Presentation(str(decks[name]))
    checked = 0
    for slide in prs.slides:
        for shape in slide.shapes:
            if not shape.has_text_frame or not shape.text_frame.text:
                continue
            frame = shape.text_frame
            assert frame.auto_size == MSO_AUTO_SIZE.NONE and frame.word_wrap is True
            inner_w = (shape.width - frame.margin_left - frame.margin_right) / 12700
            inner_h = (shape.height - frame.margin_top - frame.margin_bottom) / 12700
            used = 0.0
            for para in frame.paragraphs:
                size = para.runs[0].font.size.pt
                lines = _lines_by_pillow(para.text, inner_w, size)
                used += lines * size * 1.2 + (para.space_after.pt if para.space_after else 0)
                last_gap = para.space_after.pt if para.space_after else 0
            assert used - last_gap <= inner_h + 0.5, (para.text[:60], used, inner_h)
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("name", ["single", "comparison"])
def test_every_text_is_at_least_footer_size(decks: dict[str, Path], name: str) -> None:
    prs = Presentation(str(decks[name]))
    sizes = [run.font.size.pt for slide in prs.slides for shape in slide.shapes
             if shape.has_text_frame for para in shape.text_frame.paragraphs
             for run in para.runs]
    tables = [run.font.size.pt for slide in prs.slides for shape in slide.shapes
              if shape.has_table for row in shape.table.rows for cell in row.cells
              for para in cell.text_frame.paragraphs for run in para.runs]
    assert sizes and min(sizes + tables) >= deck.PT.footer >= 9


def _figures(built: Report) -> list[object]:
    return [*[c.timeline for c in built.cases], *[c.terms for c in built.cases],
            *[c.speed.alert for c in built.cases if c.speed.alert is not None],
            *built.comparison]


@pytest.mark.parametrize("name", ["single", "comparison"])
def test_chart_text_is_readable_when_projected(single: Report, comparison: Report,
                                               name: str) -> None:
    """Charts are drawn at one CSS px per point of their box: a font of n px is n pt."""
    box = deck.Box(0, 0, deck.BODY_W // 2, deck.BODY_H)
    width, height = deck.chart_pixels(box)
    assert width == round(box.width / 12700) and height == round(box.height / 12700)
    names = []
    for fig in _figures(single if name == "single" else comparison):
        shown = deck.projected(fig, width, height)  # type: ignore[arg-type]
        assert deck.smallest_font(shown) >= deck.PT.chart_min >= 14
        assert not shown.layout.title.text  # the slide's title says it, bigger
        names += [str(trace.name) for trace in shown.data if trace.name]
    assert names and not [n for n in names if "hover" in n.lower()]


@pytest.mark.parametrize("name", ["single", "comparison"])
def test_chart_pictures_keep_their_aspect_ratio(decks: dict[str, Path], name: str) -> None:
    prs = Presentation(str(decks[name]))
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.shape_type != 13:
                continue
            with Image.open(io.BytesIO(shape.image.blob)) as image:
                drawn = image.width / image.height
            assert drawn == pytest.approx(shape.width / shape.height, rel=0.02)


def test_no_slide_says_hover(decks: dict[str, Path]) -> None:
    for path in decks.values():
        texts = " ".join(t for slide in Presentation(str(path)).slides for t in _slide_texts(slide))
        assert "hover" not in texts.lower()


def test_timeline_events_are_a_numbered_list_matching_the_markers(decks: dict[str, Path],
                                                                  single: Report) -> None:
    case = single.cases[0]
    assert case.events
    slide = next(s for s in Presentation(str(decks["single"])).slides
                 if any(t.startswith(SECTION_TITLES["timeline"]) for t in _slide_texts(s)))
    listing = next(t for t in _slide_texts(slide) if t.startswith("1. "))
    items = listing.split("\n")
    assert len(items) == len(case.events)
    drawn = deck.marker_numbers(case.timeline)
    for i, (item, event) in enumerate(zip(items, case.events, strict=True), 1):
        assert item == f"{i}. {event.lstrip('▼ ')}" + ("" if i in drawn else f" {deck.OFF_CHART}")
    # every numbered marker on the chart (events outside its window have none) is the
    # list's item of that number: same time
    markers = [(int(text), x) for trace in case.timeline.data
               if str(trace.name).startswith("Event") and trace.text is not None
               for text, x in zip(trace.text, trace.x, strict=True)]
    assert markers
    for number, x in markers:
        assert f"{pd.Timestamp(x):%d %b %H:%M} UTC" in items[number - 1]


@pytest.mark.parametrize("name", ["single", "comparison"])
def test_methods_are_split_over_slides_not_cut(decks: dict[str, Path], single: Report,
                                               comparison: Report, name: str) -> None:
    built = single if name == "single" else comparison
    slides = _methods_slides(Presentation(str(decks[name])))
    texts = [t for slide in slides for t in _slide_texts(slide)]
    paragraphs = [p for t in texts for p in t.split("\n")]
    assert not [p for p in paragraphs if p.endswith("…")]
    for line in [*built.methods, *built.accuracy]:
        assert f"• {textfit.clean(line)}" in paragraphs
    sources = [s for c in built.cases for s in c.sources]
    assert sum(p.startswith("• ") and s.url in p for p in paragraphs for s in sources) >= len(sources)
    if len(slides) > 1:
        assert [t for t in texts if t.startswith(SECTION_TITLES["methods"])][-1].endswith(
            f"({len(slides)}/{len(slides)})")


def test_long_tweet_is_cut_on_the_slide_and_whole_in_the_notes(decks: dict[str, Path]) -> None:
    prs = Presentation(str(decks["single"]))
    slide = next(s for s in prs.slides
                 if any(SECTIONS[5].title in t for t in _slide_texts(s)))
    texts = _slide_texts(slide)
    cut = [t for t in texts if t.startswith("Utterly shameful")]
    assert cut and cut[0].endswith("…") and "THE-END-OF-THE-LONG-TWEET" not in cut[0]
    assert textfit.clean(LONG) in slide.notes_slide.notes_text_frame.text


def test_deck_keeps_attack_text_as_plain_text(decks: dict[str, Path]) -> None:
    path = decks["single"]
    prs = Presentation(str(path))
    texts = "\n".join(t for slide in prs.slides for t in _slide_texts(slide))
    assert textfit.clean(SCRIPT) in texts and textfit.clean(IMG) in texts
    assert FORMULA[:30] in texts
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist()
                      if n.startswith(("ppt/slides/", "ppt/notesSlides/")))
    assert "<a:fld" not in xml                      # no field codes in slides or notes
    assert 'Target="http://x"' not in xml           # the formula's URL is not a link
    assert "<script>" not in xml                    # escaped by the XML writer


def test_every_slide_footer_carries_the_filters(decks: dict[str, Path]) -> None:
    prs = Presentation(str(decks["single"]))
    for slide in prs.slides:
        assert any('keyword "u"' in t for t in _slide_texts(slide))


# --- HTML report ----------------------------------------------------------------------------

class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.ids: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "script":
            self.scripts += 1
            if found.get("src"):
                self.external.append(f"script {found['src']}")
        if tag == "link" and found.get("href"):
            self.external.append(f"link {found['href']}")
        source = str(found.get("src") or "")
        if tag in ("img", "iframe", "video", "audio", "source") and source \
                and not source.startswith("data:"):
            self.external.append(f"{tag} {source}")
        if tag == "a" and str(found.get("href", "")).lower().startswith("javascript"):
            self.external.append(f"javascript link {found['href']}")


def test_html_is_self_contained_and_has_every_section(html_file: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    parser = _Collector()
    parser.feed(text)
    assert parser.external == []
    assert parser.scripts >= 2  # inline plotly.js + the figures
    for section in SECTIONS:
        if section.key == "title":
            assert "section-title" in parser.ids
        elif not section.comparison_only:
            assert any(i.startswith(f"section-{section.key}") for i in parser.ids), section.key
            assert section.title in text
    assert "filters-footer" in parser.ids and 'keyword &#34;u&#34;' in text


def test_html_escapes_every_tweet(html_file: Path) -> None:
    text = html_file.read_text(encoding="utf-8")
    for attack in (SCRIPT, IMG):
        assert attack not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=" in text
    assert 'href="javascript' not in text.lower()
    assert "Test Brand &lt;b&gt;" in text


def test_html_renders_offline_in_chromium(html_file: Path) -> None:
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=images.browser_path(),
                                     args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.route("http*://**", lambda route: route.abort())  # offline: any web request fails
        page.goto(html_file.resolve().as_uri())
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3",
                               timeout=60_000)
        plots = page.locator(".js-plotly-plot").count()
        body = page.inner_text("body")
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        browser.close()
    assert plots == 3  # timeline, alert replay, terms
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert dialogs == []
    assert "<script>alert(1)</script>" in body  # shown as literal text


# --- PDF ------------------------------------------------------------------------------------

# Points per millimetre, and the page sizes the PDF is offered in (mm).
PT_PER_MM = 72 / 25.4
PAGE_MM = {"letter": (215.9, 279.4), "a4": (210.0, 297.0)}
# A page whose text, footer aside, is shorter than this is an orphan (a section's last lines).
ORPHAN_CHARS = 150


@pytest.fixture(scope="module", params=["letter", "a4"])
def printed(request: pytest.FixtureRequest, single: Report) -> tuple[str, PdfReader]:
    data = pdf.to_bytes(single, paper=request.param)
    assert data.startswith(b"%PDF-")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"single-{request.param}.pdf").write_bytes(data)
    return request.param, PdfReader(io.BytesIO(data))


def test_pdf_has_pages_and_the_report_text(printed: tuple[str, PdfReader]) -> None:
    _, reader = printed
    assert len(reader.pages) >= len(SECTIONS) - 2
    text = " ".join(page.extract_text() for page in reader.pages)
    for section in SECTIONS[1:]:
        if not section.comparison_only:
            assert section.title.split(" ")[0] in text
    assert "=HYPERLINK(" in text and "alert(1)" in text


def _font_types(page: Any) -> set[str]:
    """The font subtypes a PDF page uses (``/Type0``, ``/Type3``, ...)."""
    fonts = page.get("/Resources", {}).get_object().get("/Font", {}).get_object()
    return {str(font.get_object().get("/Subtype")) for font in fonts.values()}


def test_pdf_draws_emoji_with_an_emoji_font(printed: tuple[str, PdfReader]) -> None:
    """A quoted post's emoji are drawn from a colour emoji font (scripts/ensure-chromium.sh
    installs it beside Chromium), which Chromium embeds as bitmap glyphs (a Type 3 font), not
    as the text font's empty boxes."""
    _, reader = printed
    pages = [page for page in reader.pages if "clowns, the lot" in page.extract_text()]
    assert pages, "the post with emoji is not in the PDF"
    assert all("/Type3" in _font_types(page) for page in pages)


def test_pdf_page_size_is_the_paper_asked_for(printed: tuple[str, PdfReader]) -> None:
    paper, reader = printed
    width, height = (mm * PT_PER_MM for mm in PAGE_MM[paper])
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(width, abs=1.5)
        assert float(page.mediabox.height) == pytest.approx(height, abs=1.5)


def test_pdf_has_no_orphan_page_and_a_footer_on_each(printed: tuple[str, PdfReader],
                                                     single: Report) -> None:
    _, reader = printed
    footer_start = single.footer()[:40]
    for number, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert footer_start in " ".join(text.split()), number
        body = " ".join(text.split()).replace(" ".join(single.footer().split()), "")
        assert len(body) >= ORPHAN_CHARS, (number, body)


def test_pdf_table_headers_are_whole_words(printed: tuple[str, PdfReader]) -> None:
    _, reader = printed
    # NFKC: the PDF draws "fi" as a ligature glyph
    text = unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))
    for header in ("Engagement", "Confidence", "Time (UTC)", "P(hostile)", "Alert would fire",
                   "Brand reacted", "Time to hijack"):
        assert header in text, header


def test_pdf_charts_are_drawn_at_the_page_width(single: Report) -> None:
    """A chart drawn wider than the page would be scaled (stretched or squeezed) to it."""
    from analysis.exports.report import PAPERS, render

    for paper in PAPERS.values():
        html = render(single, paper=paper)
        assert f'"width":{paper.content_px()}' in html.replace(" ", "")
        assert '"responsive":true' not in html.replace(" ", "")
        assert f"size: {paper.css};" in html


def test_unknown_paper_is_a_clear_error(single: Report) -> None:
    from analysis.errors import ExportError

    with pytest.raises(ExportError, match="unknown paper size 'a3'"):
        pdf.to_bytes(single, paper="a3")


# --- slides through LibreOffice ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["single", "comparison"])
def test_slides_render_with_libreoffice(decks: dict[str, Path], tmp_path: Path,
                                        name: str) -> None:
    """Every slide through LibreOffice Impress (scripts/test.sh installs it) and pdftoppm;
    the PNGs stay in artifacts/exports/slides-<name>/ for a human to look at."""
    out = ARTIFACTS / f"slides-{name}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    assert_slides_render(decks[name], out, tmp_path)


# --- data, CLI and filters ------------------------------------------------------------------

def test_data_zip_neutralises_formulas(table: pd.DataFrame) -> None:
    data = content.data_zip(inputs(table, 1), KEYWORD_FILTER)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("tweets.csv").decode("utf-8-sig"))))
    texts = [r["text"] for r in rows]
    assert "'" + FORMULA in texts and FORMULA not in texts
    assert len(rows) == len(filters.apply(table, KEYWORD_FILTER))


def test_filters_flow_into_the_content(table: pd.DataFrame, single: Report) -> None:
    kept = filters.apply(table, KEYWORD_FILTER)
    assert 0 < len(kept) < len(table)
    assert single.cases[0].tweets == len(kept)
    assert single.filters == 'Filters: keyword "u"' and single.filters in single.footer()


@pytest.mark.parametrize("fmt, magic", [("html", b"<!DOCTYPE html>"), ("pptx", b"PK"),
                                        ("data", b"PK")])
def test_cli_exports_an_archive(isolated_data: Path, tmp_path: Path, fmt: str,
                                magic: bytes) -> None:
    out = tmp_path / f"export.{fmt}"
    code = main(["export", str(REAL_ARCHIVE), "--format", fmt, "--out", str(out),
                 "--keyword", "brexit", "--lang", "en"])
    assert code == 0 and out.read_bytes().startswith(magic)
    if fmt == "html":
        assert "keyword &#34;brexit&#34;; language en" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, message", [
    (["nosuchcase"], "unknown case"),
    ([str(REAL_ARCHIVE), "--start", "yesterday-ish"], "--start"),
    ([str(REAL_ARCHIVE), "--stance", "hostile", "--keyword", "zzzz-no-such-text"], "no tweet matches"),
])
def test_cli_reports_bad_input_in_one_line(isolated_data: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str], argv: list[str],
                                           message: str) -> None:
    code = main(["export", *argv, "--format", "html", "--out", str(tmp_path / "x.html")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and message in err
    assert "Traceback" not in err and not (tmp_path / "x.html").exists()
