"""Issue 11's "done when", in a real browser: the archives analysts hold in 2026 are uploaded,
mapped if needed, saved as a case and compared with the classics.

A Brandwatch export as CSV and as XLSX (IMITATIONS built here from the documented columns,
see tests/test_loaders_vendors.py: no real export is public), a real X web capture, a real
Bluesky thread and a real Mastodon tag timeline (``../shared/real-archives/``), and a CSV of
unknown layout written here (made up), mapped on the page with one column corrected. Each
saved case is opened on Compare beside a bundled classic and its KPIs must be there. A
second CSV with the same header is read with the saved mapping, without the mapping screen.
"""

from __future__ import annotations

import csv
import io
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browser_support import screenshot, wait_ready

from analysis.cases import load_cases
from analysis.ingest import mappings
from analysis.metrics import kpis
from tests.test_loaders_vendors import BRANDWATCH_2026, BRANDWATCH_PREAMBLE, _brandwatch_rows, _xlsx
from ui import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CLASSIC = "mynypd"
UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'
# A layout no format knows. "Name" is the display name: the guess takes it for the author,
# the user corrects it to "Alias" (the handle).
UNKNOWN_HEADER = ["Ref", "Post Number", "Posted", "Message", "Name", "Alias", "Hearts"]


def _brandwatch_rows_for(tag: str) -> list[list[Any]]:
    rows = BRANDWATCH_PREAMBLE + [BRANDWATCH_2026] + _brandwatch_rows()
    return [[str(v).replace("#acme", f"#{tag}") if isinstance(v, str) else v for v in row]
            for row in rows]


def _brandwatch_csv(folder: Path) -> Path:
    """An IMITATION of a Brandwatch mentions download (CSV, preamble above the header)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_brandwatch_rows_for("bwcsv"))
    target = folder / "brandwatch-mentions.csv"
    target.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return target


def _brandwatch_xlsx(folder: Path) -> Path:
    """The same IMITATION as an XLSX workbook."""
    target = folder / "brandwatch-mentions.xlsx"
    target.write_bytes(_xlsx(_brandwatch_rows_for("bwxlsx")))
    return target


def _unknown_csv(folder: Path, name: str, first: int, count: int) -> Path:
    """A made-up spreadsheet of unknown layout: ``count`` posts, one every 3 minutes."""
    start = pd.Timestamp("2025-11-20 08:00")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(UNKNOWN_HEADER)
    for i in range(first, first + count):
        text = ("@acmeair this #acmefly ad is a joke" if i % 3 else
                "loving the new #acmefly lounge")
        writer.writerow([f"R{i}", 1995000000000000000 + i,
                         (start + pd.Timedelta(minutes=3 * i)).strftime("%Y-%m-%d %H:%M"),
                         text, f"Person {i}", f"user{i % 7}", i % 5])
    target = folder / name
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


# upload id -> (file builder, hashtag typed in the form, detected format shown)
UPLOADS: dict[str, tuple[Callable[[Path, Path], Path], str, str]] = {
    "brandwatch-csv": (lambda real, tmp: _brandwatch_csv(tmp), "#BwCsvBrowser", "brandwatch"),
    "brandwatch-xlsx": (lambda real, tmp: _brandwatch_xlsx(tmp), "#BwXlsxBrowser", "brandwatch"),
    "x-web": (lambda real, tmp: real / "x_web_user_tweets.json", "#XWebBrowser", "x-web"),
    "bluesky": (lambda real, tmp: real / "bluesky_thread_view_post.json", "#BlueskyBrowser",
                "bluesky-thread"),
    "mastodon": (lambda real, tmp: real / "mastodon_tag_timeline.json", "#MastodonBrowser",
                 "mastodon"),
}


def _visit(page: Any, url: str) -> None:
    page.goto(url)
    wait_ready(page)
    _no_exception(page)


def _no_exception(page: Any) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]


def _upload(page: Any, app_url: str, file: Path) -> None:
    _visit(page, f"{app_url}/archive")
    page.locator(UPLOADER).set_input_files(str(file))
    page.get_by_text(f"{file.name}", exact=False).first.wait_for()
    wait_ready(page)
    _no_exception(page)


def _save(page: Any, hashtag: str, brand: str) -> None:
    """Describe the campaign and save it; the success message must follow."""
    again = page.get_by_text("Save it again as another case")
    if again.count():  # another browser test of this session saved the same real file
        again.click()
        wait_ready(page)
    page.get_by_label("Campaign hashtag", exact=True).fill(hashtag)
    page.get_by_label("Brand", exact=True).fill(brand)
    page.get_by_role("button", name="Analyse and save").click()
    page.get_by_text("as a case:", exact=False).first.wait_for(timeout=180_000)
    wait_ready(page)
    _no_exception(page)


def _saved_label(app_data: Path, brand: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BACKFIRE_DATA_DIR", str(app_data))  # read the server's library
    everything = load_cases()
    case_id = next(cid for cid, c in everything.items() if c.brand == brand)
    return data.labels(everything)[case_id]


def _compare(page: Any, app_url: str, saved: str, classic: str) -> None:
    """Compare with the saved case beside the classic: its curve and its KPI row show."""
    page.get_by_role("link", name="Compare it with the classics").click()
    wait_ready(page)
    query = urllib.parse.urlencode({"cases": [saved, classic]}, doseq=True)
    _visit(page, f"{app_url}/compare?{query}")
    legend = page.locator(".js-plotly-plot .legendtext").evaluate_all(
        "els => els.map(e => e.textContent)")
    assert saved in legend and classic in legend
    row = _kpi_row(page, saved)
    assert row["Data"] == "real"
    assert int(row[kpis.KPIS["tweets"].label].replace(",", "")) > 0
    assert row[kpis.KPIS["hostile_share"].label].endswith("%")


def _kpi_row(page: Any, case_label: str) -> dict[str, str]:
    """The Key figures row of one case, read from the data grid's accessible table (the grid
    draws on a canvas; its cells are also written as a table inside it)."""
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    header = grid.locator("thead th").evaluate_all("els => els.map(e => e.textContent)")
    rows = grid.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(c => c.textContent))")
    found = [dict(zip(header, cells, strict=False)) for cells in rows if cells and cells[0] == case_label]
    assert found, (header, rows)
    return found[0]


def _classic_label() -> str:
    return data.labels(load_cases(include_library=False))[CLASSIC]


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_upload_save_and_compare(page: Any, app_url: str, app_data: Path, real_archives: Path,
                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    build, hashtag, fmt = UPLOADS[kind]
    file = build(real_archives, tmp_path)
    brand = f"Browser {kind} brand"
    _upload(page, app_url, file)
    assert page.get_by_text(f"detected format {fmt}", exact=False).first.is_visible()
    assert page.get_by_text("Read = kept + rejected + duplicates: yes", exact=False).first.is_visible()
    screenshot(page, f"own-{kind}-uploaded", docs=False)
    _save(page, hashtag, brand)
    screenshot(page, f"own-{kind}-saved", docs=False)
    saved = _saved_label(app_data, brand, monkeypatch)
    _compare(page, app_url, saved, _classic_label())
    screenshot(page, f"own-{kind}-compare", docs=False)


def test_unknown_csv_is_mapped_saved_compared_and_its_mapping_reused(
        page: Any, app_url: str, app_data: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    first = _unknown_csv(tmp_path, "campaign-listening.csv", 0, 60)
    _upload(page, app_url, first)
    mapping = page.get_by_text("not a layout Backfire knows", exact=False).first
    assert mapping.is_visible()
    screenshot(page, "own-unknown-mapping", docs=False)
    author = page.get_by_label("Author (handle)", exact=True)
    assert author.input_value() == "Name"  # the guess: the display name
    author.click()
    page.keyboard.type("Alias")  # the select filters its options as one types
    page.keyboard.press("Enter")
    wait_ready(page)
    assert author.input_value() == "Alias"
    page.get_by_role("button", name="Read the file with this mapping").click()
    page.get_by_text("detected format custom-csv", exact=False).first.wait_for()
    wait_ready(page)
    _no_exception(page)
    assert page.get_by_text("author ← Alias", exact=False).first.is_visible()
    screenshot(page, "own-unknown-mapped", docs=False)
    monkeypatch.setenv("BACKFIRE_DATA_DIR", str(app_data))
    saved_mapping = mappings.find(UNKNOWN_HEADER)
    assert saved_mapping is not None and saved_mapping.columns["author"] == "Alias"
    assert saved_mapping.columns["id"] == "Post Number"
    _save(page, "#acmefly", "Browser mapped brand")
    saved = _saved_label(app_data, "Browser mapped brand", monkeypatch)
    _compare(page, app_url, saved, _classic_label())
    screenshot(page, "own-unknown-compare", docs=False)

    # the next file with the same header: read with the saved mapping, no mapping screen
    second = _unknown_csv(tmp_path, "campaign-listening-day2.csv", 60, 30)
    _upload(page, app_url, second)
    assert page.get_by_text("detected format custom-csv", exact=False).first.is_visible()
    assert page.get_by_text("not a layout Backfire knows", exact=False).count() == 0
    assert page.get_by_text("author ← Alias", exact=False).first.is_visible()
    screenshot(page, "own-unknown-second-file", docs=False)

    # the saved mapping can be changed from there: the screen opens on it
    page.get_by_role("button", name="Change the column mapping").click()
    wait_ready(page)
    page.get_by_text("the new mapping replaces the one saved", exact=False).first.wait_for()
    assert page.get_by_label("Author (handle)", exact=True).input_value() == "Alias"
    assert page.get_by_label("Likes", exact=True).input_value() == "Hearts"
    screenshot(page, "own-unknown-change-mapping", docs=False)
    page.get_by_role("button", name="Read the file with this mapping").click()
    page.get_by_text("detected format custom-csv", exact=False).first.wait_for()
    wait_ready(page)
    _no_exception(page)
