"""Themes in the post-mortem exports: a slide per case in the deck (shares over time and the
stability chart, top terms in the notes), a section of the HTML report, and themes.csv in the
data zip (one row per case, theme and time bin; no cell runs as a formula)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pptx import Presentation

from analysis import exports, pipeline, safety
from analysis.exports import content, data, deck, report
from analysis.exports.model import SECTION_TITLES
from analysis.metrics import themes

CASE = "askrkelly"  # the smallest bundled case


@pytest.fixture(scope="module")
def item(app_data_dir: Path) -> pipeline.Loaded:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BACKFIRE_DATA_DIR", str(app_data_dir))
        return pipeline.load(CASE)


@pytest.fixture(scope="module")
def built(item: pipeline.Loaded) -> content.Report:
    return content.build([item])


def test_content_has_the_themes_the_deep_dive_shows(item: pipeline.Loaded,
                                                    built: content.Report) -> None:
    found = built.cases[0].themes
    assert found is not None
    expected = themes.for_case(item.case, item.table)
    assert [r.name for r in found.rows] == list(expected.themes["name"])
    assert len(found.rows) == themes.DEFAULT_THEMES
    assert "two random halves" in found.note
    # one stacked area per theme, one bar per theme
    assert len(found.shares.data) == len(found.rows)
    assert list(found.stability.data[0].x) == pytest.approx(list(expected.themes["stability"]))


def test_deck_has_a_themes_slide_with_both_charts_and_terms_in_the_notes(
        built: content.Report) -> None:
    pres = Presentation(io.BytesIO(deck.to_bytes(built)))
    title = f"{SECTION_TITLES['themes']}: {built.cases[0].hashtag}"
    slides = [s for s in pres.slides
              if any(sh.has_text_frame and sh.text_frame.text == title for sh in s.shapes)]
    assert len(slides) == 1
    slide = slides[0]
    assert sum(sh.shape_type == 13 for sh in slide.shapes) == 2  # two pictures
    notes = slide.notes_slide.notes_text_frame.text
    found = built.cases[0].themes
    assert found is not None
    for row in found.rows:
        assert row.top_terms in notes
    # after the terms slide, before the key figures
    titles = [next((sh.text_frame.text for sh in s.shapes if sh.has_text_frame), "")
              for s in pres.slides]
    at = titles.index(title)
    assert titles[at - 1].startswith(SECTION_TITLES["terms"])
    assert titles[at + 1].startswith(SECTION_TITLES["kpis"])


def test_html_report_has_a_themes_section(built: content.Report) -> None:
    html = report.render(built)
    start = html.index('<section id="section-themes-1">')
    section = html[start:html.index("</section>", start)]
    assert SECTION_TITLES["themes"] in section
    assert section.count('class="plotly-graph-div"') == 2
    found = built.cases[0].themes
    assert found is not None
    for row in found.rows:
        assert row.name in section


def test_data_zip_has_themes_csv_with_a_share_per_bin(item: pipeline.Loaded) -> None:
    payload = exports.export_bytes([item], "data")
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        assert data.THEMES_CSV in archive.namelist()
        text = archive.read(data.THEMES_CSV).decode("utf-8-sig")
        dictionary = archive.read(data.DICTIONARY_MD).decode("utf-8")
    assert f"## {data.THEMES_CSV}" in dictionary
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns) == list(data.TABLE_COLUMNS[data.THEMES_CSV])
    assert set(frame["case"]) == {CASE}
    assert frame["theme"].nunique() == themes.DEFAULT_THEMES
    # in every bin the themes' shares add up to one
    sums = frame.groupby("bin_start")["bin_share"].sum()
    assert len(sums) >= 5
    assert np.allclose(sums, 1.0)
    expected = themes.for_case(item.case, item.table)
    assert sorted(frame["top_terms"].unique()) == sorted(expected.themes["top_terms"])


def test_themes_csv_cells_never_run_as_formulas() -> None:
    hostile = '=HYPERLINK("http://x","y")'
    found = themes.ThemeReport(
        themes=pd.DataFrame({"theme": [0], "name": [hostile], "top_terms": ["@SUM(1), -2+3"],
                             "seeded": [True], "tweets": [5], "share": [1.0],
                             "stability": [0.9]}),
        over_time=pd.DataFrame({"bin_start": [pd.Timestamp("2014-04-22T18:00Z")],
                                "hours_since_launch": [0.0], "theme": [0], "name": [hostile],
                                "tweets": [5], "share": [1.0]}),
        stability=None, bin_size=pd.Timedelta("1h"))
    payload = safety.to_safe_csv(data.theme_frame({"x": found}), bom=True)
    rows = list(csv.DictReader(io.StringIO(payload.decode("utf-8-sig"))))
    assert rows[0]["name"] == "'" + hostile
    assert rows[0]["top_terms"].startswith("'@")
    for row in rows:
        for cell in row.values():
            assert not cell or not safety.is_dangerous(cell) or cell[0] == "'" or \
                cell.replace(".", "").replace("-", "").isdigit()
