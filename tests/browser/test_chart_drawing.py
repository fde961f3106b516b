"""Charts in Chromium: drawn by plotly.js's basic bundle, full width, resizable, exportable.

The visitor's browser must fetch the 1.2 MB basic bundle once per page and never Streamlit's
4.7 MB plotly.js chunk (``ui/chart_view.py``); every chart is drawn, fills its column, follows
a window resize and keeps the toolbar's PNG download.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from browser_support import wait_ready

from analysis.cases import load_cases
from ui import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _open(page: Any, url: str) -> list[str]:
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(url)
    wait_ready(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    return scripts


def _widths(page: Any) -> list[tuple[float, float]]:
    """(chart SVG width, its Streamlit element's width) for every chart."""
    return page.locator("div.bf-chart").evaluate_all(
        """els => els.map(e => [e.querySelector('.main-svg').getBoundingClientRect().width,
                                e.closest('[data-testid="stElementContainer"]')
                                 .getBoundingClientRect().width])""")


def test_deep_dive_loads_the_basic_bundle_only(page: Any, app_url: str) -> None:
    label = data.labels(load_cases(include_library=False))["mynypd"]
    scripts = _open(page, f"{app_url}/case?{urllib.parse.urlencode({'case': label})}")
    assert [s for s in scripts if s.endswith("/app/static/plotly-basic.min.js")], scripts
    assert not [s for s in scripts if "PlotlyChart" in s], "Streamlit's full plotly.js loaded"
    charts = page.locator("div.bf-chart")
    assert charts.count() >= 1
    assert page.locator("div.bf-chart .main-svg").count() >= charts.count()  # all drawn
    for svg, column in _widths(page):
        assert svg == pytest.approx(column, abs=2)
    # the toolbar's PNG export is there (plotly.js modebar, shown on hover)
    charts.first.hover()
    titles = page.locator("div.bf-chart").first.locator(".modebar-btn").evaluate_all(
        "els => els.map(e => e.getAttribute('data-title'))")
    assert "Download plot as a PNG" in titles
    assert not [t for t in titles if "Share" in (t or "")], titles  # no upload to Plotly Cloud


def test_charts_follow_a_window_resize(page: Any, app_url: str) -> None:
    _open(page, f"{app_url}/anatomy")
    before = _widths(page)[0][0]
    page.set_viewport_size({"width": 900, "height": 1000})
    page.wait_for_timeout(800)  # plotly.js redraws on the window's resize event
    svg, column = _widths(page)[0]
    assert svg < before - 200
    assert svg == pytest.approx(column, abs=2)
