"""Real-browser fixtures: one ``streamlit run`` per session, Debian chromium through Playwright.

The server gets its own data folder (``BACKFIRE_DATA_DIR``, see ``app_support.prepare_data``):
nothing the browser does (uploads, saved cases) touches the repository's ``data/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_support import prepare_data, seed_data
from browser_support import PAGE_TIMEOUT_MS, VIEWPORT

from analysis import paths

ROOT = paths.PROJECT_ROOT
__all__ = ["seed_data"]  # session fixture shared with the AppTests
CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# A first page run scores nothing (caches are copied) but imports pandas, plotly, NLTK…
START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit not healthy after {START_TIMEOUT_S}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def app_data(tmp_path_factory: pytest.TempPathFactory, seed_data: Path) -> Path:
    return prepare_data(tmp_path_factory.mktemp("browser") / "data", seed_data)


@pytest.fixture(scope="session")
def app_url(app_data: Path) -> Iterator[str]:
    port = free_port()
    log = app_data.parent / "streamlit.log"
    env = {**os.environ, "BACKFIRE_DATA_DIR": str(app_data)}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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
