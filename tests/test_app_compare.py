"""AppTest of Compare: curves aligned on hours since launch, KPI table, small multiples."""

from __future__ import annotations

import pytest
from app_support import (
    BUNDLED,
    assert_clean,
    case_label,
    figure,
    figures,
    open_clean,
    open_page,
    text_of,
    values,
)

from analysis.cases import load_cases
from analysis.metrics import kpis

pytestmark = pytest.mark.usefixtures("app_env")


def _kpi_table(at):
    return next(df.value for df in at.dataframe if "Hostile share" in df.value.columns)


def test_all_bundled_cases_by_default() -> None:
    at = open_clean("compare")
    labels = [case_label(c) for c in load_cases(include_library=False)]
    volume = figure(at, "Volume: tweets per")
    assert [t["name"] for t in volume["data"]] == labels
    normalised = figure(at, "normalised to each case's peak")
    for trace in normalised["data"]:
        assert max(v for v in values(trace["y"]) if v == v) == pytest.approx(1.0)
    figure(at, "Hostile share")
    assert volume["layout"]["xaxis"]["title"]["text"] == "Hours since launch"
    # the small multiples are drawn when their expander is opened (in the URL: ?grid=true)
    assert not any("Each case's timeline" in f["layout"]["title"]["text"] for f in figures(at))
    assert [e.label for e in at.expander] == ["Each case on its own scale"]
    small = figure(open_page("compare", {"grid": "true"}), "Each case's timeline")
    assert sum(t["name"] == "Tweets" for t in small["data"]) == len(BUNDLED)
    table = _kpi_table(at)
    assert list(table.index) == labels
    assert {kpis.KPIS[k].label for k in ("tweets", "hostile_share", "time_to_hijack_minutes")} \
        <= set(table.columns)
    assert "Reconstruction" in text_of(at)
    summary = next(m.value for m in at.markdown if m.value.startswith("In short"))
    assert "fastest hijack:" in summary and "most hostile:" in summary


def test_eight_cases_without_clutter() -> None:
    """Eight cases: one titled legend group per provenance, eight distinct colours, small
    multiples four to a row (two rows), and one case can be brought forward (in the URL)."""
    labels = [case_label(c) for c in load_cases(include_library=False)]
    assert len(labels) >= 8
    at = open_page("compare")
    traces = figure(at, "Volume: tweets per")["data"]
    assert {t["legendgroup"] for t in traces} == {"Reconstructions (synthetic)"}
    assert sum("legendgrouptitle" in t for t in traces) == 1, "the group is titled once"
    assert figure(at, "Volume: tweets per")["layout"]["legend"]["groupclick"] == "toggleitem"
    assert len({t["line"]["color"] for t in traces[:8]}) == 8, "eight distinct colours"
    layout = figure(open_page("compare", {"grid": "true"}), "Each case's timeline")["layout"]
    assert layout["xaxis5"]["domain"] == layout["xaxis"]["domain"], "four cases per row"
    assert layout["yaxis"]["domain"] != layout["yaxis9"]["domain"], "a second row"

    focused = open_page("compare", {"focus": case_label("askbg")})
    assert_clean(focused)
    for title in ("Volume: tweets per", "normalised to each case's peak", "Hostile share"):
        lines = {t["name"]: t for t in figure(focused, title)["data"]}
        assert lines[case_label("askbg")].get("opacity", 1) == 1
        assert lines[case_label("askbg")]["line"]["width"] > 3
        others = [t for name, t in lines.items() if name != case_label("askbg")]
        assert others and all(t["opacity"] < 0.5 and t["line"]["width"] < 2 for t in others)


def test_kpi_definitions_on_hover() -> None:
    at = open_page("compare")
    table = next(df for df in at.dataframe if "Hostile share" in df.value.columns)
    config = table.proto.columns
    assert kpis.KPIS["time_to_hijack_minutes"].definition[:40] in config


def test_choosing_cases_and_bin_size_changes_the_view() -> None:
    two = open_page("compare", {"cases": [case_label("mynypd"), case_label("askjpm")]})
    assert_clean(two)
    assert len(_kpi_table(two)) == 2
    assert len(figure(two, "Volume: tweets per")["data"]) == 2
    def nypd_bins(query: dict[str, str] | None = None) -> int:
        traces = figure(open_page("compare", query), "Volume: tweets per")["data"]
        return len(values(next(t for t in traces if t["name"] == case_label("mynypd"))["x"]))

    assert nypd_bins({"bin": "15 min"}) > 1.5 * nypd_bins()


def test_exports_name_the_reconstructions(csv_downloads: dict[str, object]) -> None:
    at = open_clean("compare", {"grid": "true"})
    for title in ("Volume: tweets per", "Hostile share", "Each case's timeline"):
        assert "reconstructions" in figure(at, title)["layout"]["title"]["subtitle"]["text"]
    kpi_table = csv_downloads["backfire-kpis.csv"]
    assert set(kpi_table["provenance"]) == {"reconstruction"}  # type: ignore[index]
    timelines = next(f for name, f in csv_downloads.items() if name.startswith("backfire-timelines"))
    assert set(timelines["provenance"]) == {"reconstruction"}  # type: ignore[index]
