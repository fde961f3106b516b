"""The charts' lighter plotly.js (``ui/chart_view.py``): right bundle, right traces, fallback.

Every page's figures must be drawn by the basic bundle: a figure with another trace type would
silently fall back to ``st.plotly_chart`` and bring the full 4.7 MB plotly.js back to the
visitor's browser, so each page is opened and checked here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly
import plotly.graph_objects as go
import pytest
from app_support import BUNDLED, assert_clean, case_label, figures, open_clean
from streamlit.testing.v1 import AppTest

from ui import chart_view

VERSION = re.compile(r"plotly\.js (?:\([^)]*\) )?v(\d+\.\d+\.\d+)")
PLOTLY_PY_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _version(bundle: Path) -> str:
    match = VERSION.search(bundle.read_text(encoding="utf-8")[:400])
    assert match, f"no plotly.js version in the header of {bundle}"
    return match.group(1)


def test_bundle_is_plotly_py_version_of_basic() -> None:
    """The served bundle is the basic partial bundle of the very plotly.js that plotly.py
    writes figures for (a drift would draw figures with a different library version)."""
    assert "(basic - minified)" in chart_view.BUNDLE.read_text(encoding="utf-8")[:200]
    assert _version(chart_view.BUNDLE) == _version(PLOTLY_PY_BUNDLE)
    assert chart_view.BUNDLE.stat().st_size < PLOTLY_PY_BUNDLE.stat().st_size / 3


def test_static_serving_is_on_in_the_app_config() -> None:
    config = (chart_view.BUNDLE.parent.parent / ".streamlit" / "config.toml").read_text()
    assert re.search(r"^enableStaticServing\s*=\s*true", config, re.MULTILINE)


def test_trace_types() -> None:
    fig = go.Figure([go.Bar(y=[1]), go.Scatter(y=[1]), go.Heatmap(z=[[1]])])
    assert chart_view.trace_types(fig) == {"bar", "scatter", "heatmap"}


def _chart_elements(at: AppTest) -> tuple[int, int]:
    """(charts drawn by the component, charts drawn by st.plotly_chart)."""
    lite = [el for el in at.main if el.type == "bidi_component"
            and el.proto.component_name == chart_view.COMPONENT]
    return len(lite), len(at.get("plotly_chart"))


def _draw(kind: str) -> None:
    import plotly.graph_objects as go

    from ui import widgets

    trace = go.Heatmap(z=[[1, 2]]) if kind == "heatmap" else go.Bar(x=["a"], y=[1])
    widgets.chart(go.Figure(trace, layout_title_text=f"A {kind}"), key="one")


@pytest.mark.parametrize(("kind", "expected"), [("bar", (1, 0)), ("heatmap", (0, 1))])
def test_other_traces_fall_back_to_st_plotly_chart(kind: str, expected: tuple[int, int]) -> None:
    at = AppTest.from_function(_draw, args=(kind,)).run()
    assert_clean(at)
    assert _chart_elements(at) == expected
    (fig,) = figures(at)
    assert fig["layout"]["title"]["text"] == f"A {kind}"


def test_component_data_carries_figure_and_png_config() -> None:
    at = AppTest.from_function(_draw, args=("bar",)).run()
    (element,) = [el for el in at.main if el.type == "bidi_component"]
    data = json.loads(element.proto.json)
    assert data["config"]["toImageButtonOptions"]["format"] == "png"
    assert data["config"]["displaylogo"] is False
    assert data["config"]["showSendToCloud"] is False  # no "Share chart..." upload button
    assert json.loads(data["figure"])["data"][0]["type"] == "bar"


TABS = ["Timeline", "Hostile posts", "Language", "Themes", "People & tags", "Network",
        "Alert replay", "Tweets", "Fact sheet"]
PAGES = [("library", {}), ("compare", {"grid": "true"}), ("anatomy", {}), ("methods", {}),
         *[("case", {"case": c}) for c in BUNDLED],
         *[("case", {"case": "mynypd", "tab": t}) for t in TABS[1:]],
         *[("story", {"case": c}) for c in BUNDLED[:3]]]


@pytest.mark.usefixtures("app_env")
@pytest.mark.parametrize(("page", "query"), PAGES, ids=[f"{p}-{q}" for p, q in PAGES])
def test_every_page_draws_with_the_basic_bundle(page: str, query: dict[str, str]) -> None:
    if "case" in query:
        query = {**query, "case": case_label(query["case"])}
    at = open_clean(page, query)
    lite, full = _chart_elements(at)
    assert full == 0, f"{page}: {full} figure(s) fell back to the full plotly.js"
    assert lite == len(figures(at))
