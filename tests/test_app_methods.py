"""AppTest of Methods: definitions from the code, accuracy from data/evaluation.json."""

from __future__ import annotations

import pytest
from app_support import app_data_dir, app_env, assert_clean, open_page, seed_data, text_of

from analysis import evaluation, kpis

__all__ = ["app_data_dir", "app_env", "seed_data"]

pytestmark = pytest.mark.usefixtures("app_env")


def test_methods_page_reads_definitions_and_accuracy() -> None:
    at = open_page("methods")
    assert_clean(at)
    headers = [h.value for h in at.header]
    assert headers == ["Scores per tweet", "Measured accuracy", "Backfire KPIs",
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
