"""AppTest of Methods: definitions from the code, accuracy from data/evaluation.json."""

from __future__ import annotations

import pytest
from app_support import app_data_dir, app_env, assert_clean, open_page, seed_data, text_of

from analysis.metrics import kpis
from analysis.nlp import evaluation

__all__ = ["app_data_dir", "app_env", "seed_data"]

pytestmark = pytest.mark.usefixtures("app_env")


def test_methods_page_reads_definitions_and_accuracy() -> None:
    at = open_page("methods")
    assert_clean(at)
    headers = [h.value for h in at.header]
    assert headers == ["Scores per tweet", "Measured accuracy", "Measured speed and memory",
                       "Backfire KPIs",
                       "Where each case's data comes from", "Limitations"]
    frames = [df.value for df in at.dataframe]
    definitions = next(m.value for m in at.markdown if "**Tweets** (tweets)" in m.value)
    for spec in kpis.KPIS.values():
        assert f"**{spec.label}** ({spec.unit}): {spec.definition}" in definitions
    results = evaluation.load_results()
    assert results, "data/evaluation.json is committed by the scoring work"
    accuracy = next(f for f in frames if "ours" in f.columns)
    assert len(accuracy) == len(evaluation.rows(results))
    text = text_of(at)
    assert "sarcasm" in text.lower() and "Reconstruction" in text
    provenance = next(f for f in frames if "data" in f.columns)
    assert provenance["data"].str.startswith("reconstruction").sum() >= 3


def test_methods_page_shows_the_readmes_speed_figures() -> None:
    from ui import readme

    at = open_page("methods")
    assert_clean(at)
    source = readme.README.read_text(encoding="utf-8")
    shown = [m.value for m in at.markdown]
    rows = 0
    for name in readme.SPEED_SECTIONS:
        if f"<!-- section:{name} -->" not in source:
            continue
        body = source.split(f"<!-- section:{name} -->")[1].split(f"<!-- /section:{name} -->")[0]
        figures = [line for line in body.splitlines() if line.startswith("| ") and
                   any(ch.isdigit() for ch in line)]  # rows of measured figures
        assert all(any(row in m for m in shown) for row in figures), name
        rows += len(figures)
    assert rows >= 5  # the ingest, scoring and page-speed tables at least
    assert not any("<!--" in m for m in shown)


@pytest.mark.parametrize(("text", "kept", "dropped"), [
    ("<!-- section:a -->\n### A\n| x | 1 |\n<!-- /section:a -->", "| x | 1 |", "<!--"),
    ("<!-- section:a -->\nsee ![chart](docs/c.png) here<!-- note -->\n<!-- /section:a -->",
     "see  here", "docs/c.png"),
])
def test_readme_sections_drop_comments_and_images(tmp_path, text: str, kept: str,
                                                  dropped: str) -> None:
    from ui import readme

    file = tmp_path / "README.md"
    file.write_text(text, encoding="utf-8")
    (body,) = readme.sections(("a",), file)
    assert kept in body and dropped not in body
    assert readme.sections(("missing",), file) == []
