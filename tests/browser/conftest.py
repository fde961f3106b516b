"""Real-browser fixtures: one ``streamlit run`` per session, Debian chromium through Playwright.

The server gets its own data folder (``BACKFIRE_DATA_DIR``, see ``app_support.prepare_data``):
nothing the browser does (uploads, saved cases) touches the repository's ``data/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_support import prepare_data
from browser_support import PAGE_TIMEOUT_MS, VIEWPORT

from benchmarks.server import serve

CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def app_data(tmp_path_factory: pytest.TempPathFactory, seed_data: Path) -> Path:
    return prepare_data(tmp_path_factory.mktemp("browser") / "data", seed_data)


@pytest.fixture(scope="session")
def app_url(app_data: Path) -> Iterator[str]:
    with serve(app_data) as server:
        yield server.url


# One chromium per test module: a session-wide Playwright would keep its event loop open
# in the main thread, and later sync_playwright() users (tests/test_exports_render.py) fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: scripts/test.sh installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser tab; any JavaScript dialog (alert) is recorded in ``page.dialogs``."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(PAGE_TIMEOUT_MS)
    tab.dialogs = []

    def on_dialog(dialog: object) -> None:
        tab.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    tab.on("dialog", on_dialog)
    yield tab
    context.close()
