"""Helpers of the real-browser tests: wait for Streamlit, take full-page screenshots."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from PIL import Image

from analysis.store import paths
from benchmarks.server import IDLE_JS

ROOT = paths.PROJECT_ROOT
ARTIFACTS = ROOT / "artifacts" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
# First visits load scored tables (and may score a case): generous on 2 cores.
PAGE_TIMEOUT_MS = 180_000
VIEWPORT = {"width": 1440, "height": 1000}
# Tallest full-page screenshot we take (px): long pages are cut, not scaled.
MAX_SHOT_HEIGHT = 7000
# Docs copies are 256-colour palette PNGs: UI screenshots lose nothing visible and shrink ~3x,
# which keeps the repository small.
DOCS_COLOURS = 256


def _idle(page: Any) -> bool:
    return bool(page.evaluate(IDLE_JS))


def wait_ready(page: Any, settle_ms: int = 600) -> None:
    """Wait until Streamlit has finished running and the page stayed idle for ``settle_ms``.

    A page may rerun right after its first run (URL-bound widgets, navigation), so one idle
    reading is not enough: the page must be idle on two readings ``settle_ms`` apart.
    """
    page.wait_for_selector('[data-testid="stApp"]')
    deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        if _idle(page):
            page.wait_for_timeout(settle_ms)
            if _idle(page):
                return
        else:
            page.wait_for_timeout(100)
    raise TimeoutError("the Streamlit page did not finish running")


def screenshot(page: Any, name: str, *, docs: bool = True) -> Path:
    """Full-page screenshot to artifacts/; also to docs/ when BACKFIRE_UPDATE_SCREENSHOTS=1.

    Streamlit scrolls inside its main container, so the viewport is grown to the content's
    height first (a plain full_page shot would only show the first screen).
    """
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]')
                || document.querySelector('section.main');
            return main ? main.scrollHeight : document.body.scrollHeight;
        }"""
    )
    page.set_viewport_size({"width": VIEWPORT["width"],
                            "height": int(min(max(height, VIEWPORT["height"]), MAX_SHOT_HEIGHT))})
    page.wait_for_timeout(800)  # let charts re-layout
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    page.set_viewport_size(VIEWPORT)
    if docs and os.environ.get("BACKFIRE_UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        save_small(target, DOCS_SCREENSHOTS / f"{name}.png")
    return target


def save_small(source: Path, target: Path) -> None:
    """Copy a screenshot as a palette PNG (``DOCS_COLOURS`` colours, optimised)."""
    with Image.open(source) as image:
        small = image.convert("RGB").quantize(colors=DOCS_COLOURS, method=Image.Quantize.MEDIANCUT)
        small.save(target, optimize=True)
