"""Exports of a post-mortem: slide deck, self-contained HTML report, PDF and data files.

Every format is rendered from one content model (``analysis.exports.content``), so a deck,
a report and a PDF of the same cases and filters say the same thing. Tweet text is treated
as untrusted everywhere: plain text runs in slides, escaped text in HTML, neutralised cells
in CSV (``analysis.safety``).

``FORMATS`` is the registry: each entry is a whole format (label, MIME type, extension and
the callable that renders it). Adding a format is one entry here plus its test. The one
entry point for the CLI and the dashboard::

    items = [pipeline.load("mynypd").inputs()]        # or content.Inputs(case, scored_table)
    data = export_bytes(items, "pptx", filters.Filters(keyword="police"))
    FORMATS["pptx"].mime, FORMATS["pptx"].file_name("mynypd")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from analysis.errors import ExportError
from analysis.exports import content, deck, pdf, report
from analysis.exports.content import Inputs
from analysis.exports.model import Report
from analysis.metrics.filters import Filters

Render = Callable[[Sequence[Inputs], Filters | None], bytes]


@dataclass(frozen=True)
class Format:
    """An export format: what it is, its MIME type and file extension, and ``render``, the
    callable that makes its bytes from the cases (``content.Inputs``) and the filters."""

    key: str
    label: str
    mime: str
    extension: str
    render: Render

    def file_name(self, stem: str) -> str:
        return f"{stem}.{self.extension}"


def from_report(to_bytes: Callable[[Report], bytes]) -> Render:
    """A renderer of the post-mortem content model (``content.build``) as a format."""
    def render(items: Sequence[Inputs], selection: Filters | None) -> bytes:
        return to_bytes(content.build(items, selection))
    return render


FORMATS: Final[dict[str, Format]] = {f.key: f for f in (
    Format("pptx", "PowerPoint deck",
           "application/vnd.openxmlformats-officedocument.presentationml.presentation",
           "pptx", from_report(deck.to_bytes)),
    Format("html", "self-contained HTML report (opens offline)", "text/html", "html",
           from_report(report.to_bytes)),
    Format("pdf", "the HTML report printed to PDF (headless Chromium)", "application/pdf",
           "pdf", from_report(pdf.to_bytes)),
    Format("data", "zip: filtered tweets (CSV, Parquet), KPI table, hashtag/mention networks "
                   "(GEXF, CSV), data dictionary", "application/zip", "zip", content.data_zip),
)}


def export_bytes(items: Sequence[Inputs], fmt: str, selection: Filters | None = None) -> bytes:
    """The post-mortem of ``items`` (one case or a comparison) under ``selection``, as ``fmt``."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[fmt].render(items, selection)
