"""AppTest of Anatomy of a backfire: every bundled case ranked, the pattern chart, caveats."""

from __future__ import annotations

import pytest
from app_support import BUNDLED, figure, open_clean, text_of

pytestmark = pytest.mark.usefixtures("app_env")


def test_ranking_pattern_and_caveats() -> None:
    at = open_clean("anatomy")
    table = at.dataframe[0].value
    assert len(table) >= len(BUNDLED)
    for column in ("Time to hijack", "Peak hourly rate", "Hostile share", "Brand response latency"):
        assert column in table.columns
        assert table[column].str.contains(r"\(#\d\)").any()
    fig = figure(at, "Brand reaction time against total volume")
    assert len(fig["data"][0]["x"]) >= 2
    body = text_of(at)
    assert "caveat" in body and "Reconstructions among these cases" in body
    assert "most severe" in body
