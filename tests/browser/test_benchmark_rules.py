"""Real browser: the benchmarks' readiness rules (``benchmarks/load.py``'s ``KEY_ELEMENTS``)
are met by the pages as the benchmarks open them. The class benchmark's browser students open
the story by its URL (``story?case=<label>``, as ``benchmarks/classroom.py`` does), which shows
the case's first chapter: its rule once asked for the "Discuss" heading (the last chapter's,
which has no chart) together with a chart, so every story visit timed out."""

from __future__ import annotations

import asyncio
import urllib.parse

import pytest
from playwright.async_api import async_playwright

from analysis.cases import load_cases
from benchmarks import load
from ui import data, state

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# A first story visit may load a case's table on a busy 2-core runner.
TIMEOUT_S = 180.0
# The rule the class benchmark used before (never met by a story opened by its URL).
OLD_STORY_RULE = {"heading": "Discuss", "css": ".js-plotly-plot"}


def _story_targets() -> list[load.Target]:
    bundled = load_cases(include_library=False)
    labels = data.labels(bundled)
    return [load.Target(f"story:{case_id}",
                        "story?" + urllib.parse.urlencode({state.CASE: labels[case_id]}),
                        load.fill("story", hashtag=f"#{case.hashtag}"))
            for case_id, case in bundled.items()]


async def _visit(base: str, targets: list[load.Target]) -> tuple[load.Results, list[bool]]:
    old_rule_met = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=load.CHROMIUM, args=load.CHROMIUM_ARGS)
        found = load.Results([t.name for t in targets])
        context = await browser.new_context(viewport=load.VIEWPORT)
        tab = load.Tab(context, found, 0)
        await tab.open()
        for target in targets:  # one tab, each page opened by its URL: a browser student
            await tab.visit(base, target, TIMEOUT_S)
            old_rule_met.append(await tab._key_visible(OLD_STORY_RULE))
        await browser.close()
    return found, old_rule_met


def test_every_story_opened_by_its_url_meets_the_benchmark_rule(app_url: str) -> None:
    targets = _story_targets()
    found, old_rule_met = asyncio.run(_visit(app_url, targets))
    assert found.errors == []
    assert all(len(found.times[t.name]) == 1 for t in targets), found.times
    assert not any(old_rule_met)  # what the class benchmark waited for never shows
