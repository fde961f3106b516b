"""First start in a real browser: a server whose score cache is empty must say what it is
doing (a progress bar naming the case being scored) and draw no case card until every case
is ready, instead of a half-drawn card and a silent wait.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from app_support import _link_archives
from browser_support import PAGE_TIMEOUT_MS, VIEWPORT, wait_ready

from analysis.cases import load_cases
from benchmarks.server import serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROGRESS = '[data-testid="stProgress"]'
CARD_LINK = "Open the deep-dive"


def test_first_start_shows_progress_and_no_half_drawn_card(browser: Any,
                                                           tmp_path: Path) -> None:
    bundled = len(load_cases(include_library=False))
    data_dir = tmp_path / "data"
    _link_archives(data_dir)  # the archives, but no score cache: everything is scored now
    with serve(data_dir) as server:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.goto(server.url)
        page.locator(PROGRESS).first.wait_for(state="visible")
        message = page.locator(PROGRESS).first.inner_text()
        assert "Preparing #" in message and f"(1 of {bundled})" in message and "once" in message
        assert page.get_by_text(CARD_LINK).count() == 0  # no card while cases are scored
        # every case scored: the bar is gone and every card is whole
        deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
        while page.locator(PROGRESS).count() and time.monotonic() < deadline:
            page.wait_for_timeout(500)
        wait_ready(page)
        assert page.locator(PROGRESS).count() == 0
        assert page.get_by_text(CARD_LINK).count() == bundled
        # a second visit (a new session) finds every case ready: no progress at all
        again = context.new_page()
        again.goto(server.url)
        wait_ready(again)
        assert again.locator(PROGRESS).count() == 0
        assert again.get_by_text(CARD_LINK).count() == bundled
        context.close()
