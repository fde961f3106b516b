"""Static images for exports: Plotly figures as PNG through kaleido.

kaleido 1.x drives a headless Chromium. We use Debian's ``chromium`` (``BROWSER_PATH``; set
to ``/usr/bin/chromium`` or whatever ``chromium`` is on PATH when unset) and keep one kaleido
server alive for the process: the first image costs a browser start (~2-3 s), the next ones
~0.2 s each.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import threading
from typing import Final

import kaleido
import plotly.graph_objects as go
from PIL import Image

from analysis.errors import ExportError
from analysis.ingest.signatures import PNG_HEADER

BROWSER_ENV: Final = "BROWSER_PATH"
# Where Debian puts chromium; used when BROWSER_PATH is unset and chromium is not on PATH.
DEFAULT_BROWSER: Final = "/usr/bin/chromium"
# Device scale of chart images: 2x keeps them sharp on a projector at a modest file size.
SCALE: Final = 2

_lock = threading.Lock()
_server_started = False


def browser_path() -> str:
    """The Chromium kaleido will drive: ``BROWSER_PATH`` if set, else Debian's chromium."""
    configured = os.environ.get(BROWSER_ENV)
    if configured:
        if not os.path.exists(configured):
            raise ExportError(f"{BROWSER_ENV}={configured} does not exist; install chromium "
                              "(apt-get install chromium) or point BROWSER_PATH at it")
        return configured
    found = shutil.which("chromium") or (DEFAULT_BROWSER if os.path.exists(DEFAULT_BROWSER) else None)
    if found is None:
        raise ExportError("chart images need Chromium: install Debian's chromium "
                          "(apt-get install chromium) or set BROWSER_PATH")
    os.environ[BROWSER_ENV] = found
    return found


def _ensure_server() -> None:
    global _server_started
    if not _server_started:
        browser_path()
        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(_stop_server)
        _server_started = True


def _stop_server() -> None:
    global _server_started
    if _server_started:
        kaleido.stop_sync_server(silence_warnings=True)
        _server_started = False


def figure_png(fig: go.Figure, *, width: int, height: int) -> bytes:
    """``fig`` as PNG bytes of ``width`` x ``height`` CSS pixels (rendered at ``SCALE``)."""
    opts = {"format": "png", "width": width, "height": height, "scale": SCALE}
    with _lock:
        _ensure_server()
        try:
            data = kaleido.calc_fig_sync(fig, opts=opts)
        except Exception as exc:  # kaleido raises bare exceptions from the browser side
            raise ExportError(f"could not render a chart image with Chromium: {exc}") from exc
    if not isinstance(data, bytes) or not data.startswith(PNG_HEADER):
        raise ExportError("Chromium returned something that is not a PNG image")
    return data


def png_bytes(image: Image.Image) -> bytes:
    """A Pillow image (e.g. a word cloud) as PNG bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
