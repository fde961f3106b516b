"""The class benchmark's protocol client (``benchmarks/stream_client.py``) against a real
``streamlit run app.py``: a fresh visit by URL and a click inside the session get the page's
finished run, and a page the app does not have is an error, not a hang. No timing asserted
(speed is measured by ``benchmarks/classroom.py``)."""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import classroom
from benchmarks.server import serve
from benchmarks.stream_client import StreamSession, VisitError

# A page's run on a busy 2-core runner (the first one imports pandas, plotly…).
TIMEOUT_S = 300.0


@pytest.fixture(scope="module")
def server_url(app_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(app_data_dir, log_dir=tmp_path_factory.mktemp("stream-client")) as server:
        yield server.url


async def _methods_twice(url: str) -> tuple[object, object, dict[str, str]]:
    client = StreamSession(url, TIMEOUT_S)
    try:
        fresh = await client.open("methods")
        click = await client.navigate("methods")
        return fresh, click, dict(client.pages)
    finally:
        await client.close()


def test_a_fresh_visit_and_a_click_get_the_pages_finished_run(server_url: str) -> None:
    fresh, click, pages = asyncio.run(_methods_twice(server_url))
    # the server's navigation lists every page of the app, home under ""
    assert {"", "case", "story", "compare", "anatomy", "archive", "methods"} <= set(pages)
    for view in (fresh, click):
        headings = list(view.headings.values())  # type: ignore[attr-defined]
        assert headings[0] == "Methods" and "Limitations" in headings
        assert view.elements["dataframe"] >= 1  # type: ignore[attr-defined]
        assert view.exceptions == []  # type: ignore[attr-defined]
        assert view.deltas >= len(view.tree) > 0  # type: ignore[attr-defined]
    assert fresh.fresh and not click.fresh  # type: ignore[attr-defined]
    # the same page twice: the same elements (the second time partly as cached references)
    assert fresh.tree == click.tree  # type: ignore[attr-defined]


async def _unknown(url: str, fresh: bool) -> str:
    client = StreamSession(url, TIMEOUT_S)
    try:
        if fresh:  # a deep link: the server answers page_not_found
            await client.open("no-such-page")
        else:  # a click: the server's navigation has no such page
            await client.open("methods")
            await client.navigate("no-such-page")
    except VisitError as err:
        return err.kind
    finally:
        await client.close()
    return "no error"


@pytest.mark.parametrize(("fresh", "kind"), [(True, "page_not_found"), (False, "protocol")])
def test_a_page_the_app_does_not_have_is_an_error(server_url: str, fresh: bool,
                                                  kind: str) -> None:
    assert asyncio.run(_unknown(server_url, fresh)) == kind


def test_the_class_story_stop_waits_for_the_story_it_opens() -> None:
    """The story stop opens the last deep-dive's case by URL: its first chapter, under the
    title "The story of #<hashtag>" (tests/browser/test_benchmark_rules.py opens each in
    Chromium)."""
    stops = classroom.round_of_pages()
    story = next(s for s in stops if s.name == "story")
    last_case = [s for s in stops if s.name.startswith("case:")][-1]
    assert story.query == last_case.query and story.url.startswith("story?case=")
    hashtag = urllib.parse.parse_qs(story.query)["case"][0]
    assert story.key == {"heading": f"The story of {hashtag}", "css": ".js-plotly-plot"}
    assert "Discuss" not in story.key.values()
