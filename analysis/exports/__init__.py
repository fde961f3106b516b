"""Exports of a post-mortem: slide deck, self-contained HTML report, PDF and data files.

Every format is rendered from one content model (``analysis.exports.content``), so a deck,
a report and a PDF of the same cases and filters say the same thing. Tweet text is treated
as untrusted everywhere: plain text runs in slides, escaped text in HTML, neutralised cells
in CSV (``analysis.safety``).

The one entry point for the CLI and the dashboard::

    items = [content.inputs_for("mynypd")]            # or content.Inputs(case, scored_table)
    data = export_bytes(items, "pptx", filters.Filters(keyword="police"))
    a4 = export_bytes(items, "pdf", paper="a4")          # the PDF on A4 (default: Letter)
    FORMATS["pptx"].mime, FORMATS["pptx"].file_name("mynypd")
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from analysis.exports.content import Inputs
    from analysis.metrics.filters import Filters


# Page size of the PDF unless asked otherwise (US Letter; A4 on request).
DEFAULT_PAPER: Final = "letter"


@dataclass(frozen=True)
class Format:
    """An export format: what it is, its MIME type and file extension, and its renderer
    (``module`` exposes ``to_bytes(report, **options)``; ``None`` = the data zip);
    ``options`` are the keyword options its renderer takes (``paper``: a key of
    ``analysis.exports.report.PAPERS``)."""

    key: str
    label: str
    mime: str
    extension: str
    module: str | None
    options: tuple[str, ...] = ()

    def file_name(self, stem: str) -> str:
        return f"{stem}.{self.extension}"


FORMATS: Final[dict[str, Format]] = {f.key: f for f in (
    Format("pptx", "PowerPoint deck",
           "application/vnd.openxmlformats-officedocument.presentationml.presentation",
           "pptx", "analysis.exports.deck"),
    Format("html", "self-contained HTML report (opens offline)", "text/html", "html",
           "analysis.exports.report"),
    Format("pdf", "the HTML report printed to PDF (headless Chromium)", "application/pdf",
           "pdf", "analysis.exports.pdf", options=("paper",)),
    Format("data", "zip: filtered tweets (CSV, Parquet), KPI table, hashtag/mention networks "
                   "(GEXF, CSV), data dictionary", "application/zip", "zip", None),
)}


def export_bytes(items: Sequence[Inputs], fmt: str, selection: Filters | None = None, *,
                 paper: str = DEFAULT_PAPER) -> bytes:
    """The post-mortem of ``items`` (one case or a comparison) under ``selection``, as ``fmt``
    (``paper``: the page size of formats that have pages, see ``Format.options``)."""
    from analysis.errors import ExportError
    from analysis.exports import content

    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    module = FORMATS[fmt].module
    if module is None:
        return content.data_zip(items, selection)
    renderer = importlib.import_module(module)
    given = {"paper": paper}
    options = {name: given[name] for name in FORMATS[fmt].options}
    data: bytes = renderer.to_bytes(content.build(items, selection), **options)
    return data
