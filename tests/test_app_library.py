"""AppTest of the Case library (home): a card per case with its three headline KPIs."""

from __future__ import annotations

import pytest
from app_support import BUNDLED, case_label, open_clean, open_page, served, text_of

from analysis.cases import load_cases

pytestmark = pytest.mark.usefixtures("app_env")


def test_one_card_per_case_with_kpis_and_provenance() -> None:
    at = open_clean("library")
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



def _card_order(at) -> list[str]:
    return [s.value.replace("\\", "") for s in at.subheader if s.value.replace("\\", "").startswith("#")]


def _exported(offered: dict[str, object], query: dict[str, str] | None = None):
    """The page and the case table it offers as CSV (rows in card order)."""
    at = open_clean("library", query)
    return at, served(offered["backfire-cases.csv"])


def test_eight_cards_sortable_by_date_speed_and_size_in_the_url(
        csv_downloads: dict[str, object]) -> None:
    cases = load_cases(include_library=False)
    assert len(cases) >= 8
    at, table = _exported(csv_downloads)
    by_date = [f"#{c.hashtag}" for c in sorted(cases.values(), key=lambda c: c.launch)]
    assert _card_order(at) == by_date
    assert by_date[0] == "#QantasLuxury" and by_date[-1] == "#AskSeaWorld"
    assert list(table["hashtag"]) == by_date, "the CSV follows the cards"

    at, table = _exported(csv_downloads, {"sort": "Size"})
    assert list(table["tweets"]) == sorted(table["tweets"], reverse=True)
    assert _card_order(at) == list(table["hashtag"]) and _card_order(at)[0] == "#myNYPD"

    at, table = _exported(csv_downloads, {"sort": "Speed of hijack"})
    minutes = table["time_to_hijack_minutes"].dropna().tolist()
    assert minutes == sorted(minutes), "fastest hijack first, cases without one last"
    assert table["time_to_hijack_minutes"].isna().sum() == 0 or \
        table["time_to_hijack_minutes"].tail(1).isna().all()
    assert _card_order(at) == list(table["hashtag"])
