"""AppTest of the Case library (home): a card per case with its three headline KPIs."""

from __future__ import annotations

import pytest
from app_support import (
    BUNDLED,
    app_data_dir,
    app_env,
    assert_clean,
    case_label,
    open_page,
    seed_data,
    text_of,
)

from analysis.cases import load_cases

__all__ = ["app_data_dir", "app_env", "seed_data"]

pytestmark = pytest.mark.usefixtures("app_env")


def test_one_card_per_case_with_kpis_and_provenance() -> None:
    at = open_page("library")
    assert_clean(at)
    cases = load_cases()
    hashtags = [s.value.replace("\\", "") for s in at.subheader]  # shown text, unescaped
    for case_id in BUNDLED:
        assert f"#{cases[case_id].hashtag}" in hashtags
    labels = [c.value for c in at.caption]
    for label in ("Tweets", "Hostile share", "Time to hijack"):
        assert labels.count(label) == len(cases), label
    values = [m.value for m in at.markdown if m.value.startswith("#### ") and "\n" not in m.value]
    assert len(values) == 3 * len(cases)
    assert all(v != "#### n/a" for v in values[::3])  # every case has a tweet count
    assert "Reconstruction" in text_of(at)
    assert any("KPIs (CSV)" in b.label for b in at.download_button)


def test_cards_link_to_the_deep_dive_with_the_case_in_the_url() -> None:
    at = open_page("library")
    links = [el.proto for el in at.get("page_link")]
    targets = {link.query_string for link in links if "deep-dive" in link.label}
    for case_id in BUNDLED:
        assert any(case_label(case_id).split(" ")[0].lstrip("#").lower() in t.lower()
                   for t in targets), (case_id, targets)
    assert any("Compare" in link.label for link in links)
