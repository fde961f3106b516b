"""Real browser: a case's real 1 % sample beside its reconstruction, and the how-to when absent."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_support import prepare_data
from browser_support import screenshot, wait_ready

from analysis.cases import load_cases
from benchmarks.server import serve
from tests.streamgrab_support import sample_of_reconstruction
from ui import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory, seed_data: Path) -> Iterator[str]:
    root = prepare_data(tmp_path_factory.mktemp("browser-sample") / "data", seed_data)
    sample_of_reconstruction("mynypd", root / "archives" / "mynypd.jsonl.gz",
                             tmp_path_factory.mktemp("grab"), root / "samples")
    with serve(root) as server:
        yield server.url


def _url(base: str, case_id: str, dataset: str) -> str:
    label = data.labels(load_cases(include_library=False))[case_id]
    return f"{base}/case?" + urllib.parse.urlencode({"case": label, "dataset": dataset})


def _visit(page: Any, url: str) -> str:
    page.goto(url)
    wait_ready(page)
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]
    return str(page.inner_text("body"))


def test_sample_dataset_in_a_browser(page: Any, sample_url: str) -> None:
    body = _visit(page, _url(sample_url, "mynypd", "sample"))
    assert "Real tweets, 1 % sample" in body and "archiveteam-twitter-stream-2014-04.tar" in body
    assert "in sample:" in body and "95 % CI" in body
    assert "Reported figures beside the sample's estimates" in body
    screenshot(page, "case-sample")


def test_side_by_side_in_a_browser(page: Any, sample_url: str) -> None:
    body = _visit(page, _url(sample_url, "mynypd", "compare"))
    assert "Reconstruction vs the real 1 % sample" in body
    page.locator(".js-plotly-plot .legendtext").first.wait_for()
    legend = page.locator(".js-plotly-plot .legendtext").evaluate_all("els => els.map(e => e.textContent)")
    assert "Reconstruction (synthetic)" in legend and "Real sample: 95 % interval" in legend
    screenshot(page, "case-sample-vs-reconstruction")


def test_how_to_get_a_sample_in_a_browser(page: Any, sample_url: str) -> None:
    body = _visit(page, _url(sample_url, "askjpm", "sample"))
    assert "archiveteam-twitter-stream-2013-11" in body and "46.8 GB" in body
    assert "python -m analysis streamgrab archiveteam-twitter-stream-2013-11.tar --case askjpm" in body
