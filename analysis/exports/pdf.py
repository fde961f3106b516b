"""The HTML report printed to PDF by headless Chromium, offline.

Chromium is already a requirement (kaleido draws the slide images with it), it prints the
exact HTML report with its charts, and it needs no network: the report is self-contained.
We drive the ``chromium`` binary directly (``--print-to-pdf``) rather than through another
Python package. Each call uses a throw-away profile folder, so concurrent exports do not
share browser state.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from analysis.errors import ExportError
from analysis.exports import images, report
from analysis.exports.model import Report
from analysis.ingest.signatures import PDF_HEADER
from analysis.store import atomic

# Virtual time the page gets to run its scripts (Plotly draws the charts) before printing.
# Plotly draws synchronously on load; 5 s of virtual time covers its deferred relayouts.
SCRIPT_BUDGET_MS: Final = 5_000
# Wall-clock limit of one print (a 3-case report takes ~3 s on 2 cores).
TIMEOUT_S: Final = 180
CHROMIUM_FLAGS: Final[tuple[str, ...]] = (
    "--headless",
    "--disable-gpu",
    "--disable-extensions",
    "--no-first-run",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
    f"--virtual-time-budget={SCRIPT_BUDGET_MS}",
)


def write(content: Report, path: Path, *, paper: str = "letter") -> Path:
    """Write ``content`` as a PDF (the HTML report, printed) to ``path`` (atomically)."""
    return atomic.write_bytes(path, to_bytes(content, paper=paper))


def to_bytes(content: Report, *, paper: str = "letter") -> bytes:
    """The PDF as bytes (for a download button), on ``paper`` (a key of ``report.PAPERS``)."""
    if paper not in report.PAPERS:
        raise ExportError(f"unknown paper size {paper!r}; choose one of {', '.join(report.PAPERS)}")
    with tempfile.TemporaryDirectory(prefix="backfire-pdf-") as scratch:
        html = atomic.write_bytes(Path(scratch) / "report.html",
                                  report.render(content, paper=report.PAPERS[paper]).encode())
        out = Path(scratch) / "report.pdf"
        print_to_pdf(html, out, profile=Path(scratch) / "profile")
        return out.read_bytes()


def print_to_pdf(html: Path, out: Path, *, profile: Path) -> None:
    """Print the local file ``html`` to ``out`` with headless Chromium."""
    command = [images.browser_path(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               f"--print-to-pdf={out}", html.resolve().as_uri()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to sandbox as root (containers, CI)
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExportError(f"Chromium did not finish printing the PDF within {TIMEOUT_S} s") from exc
    if not out.exists() or not out.read_bytes().startswith(PDF_HEADER):
        detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise ExportError(f"Chromium could not print the report to PDF: {detail[0]}")
