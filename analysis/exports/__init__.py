"""Exports of a post-mortem: slide deck, self-contained HTML report, PDF and data files.

Every format is rendered from one content model (``analysis.exports.content``), so a deck,
a report and a PDF of the same cases and filters say the same thing. Tweet text is treated
as untrusted everywhere: plain text runs in slides, escaped text in HTML, neutralised cells
in CSV (``analysis.safety``).

``FORMATS`` is the registry: each entry is a whole format (label, MIME type, extension and
the callable that renders it). Adding a format is one entry here plus its test. The one
entry point for the CLI and the dashboard::

    items = [pipeline.load("mynypd")]                 # or pipeline.Loaded(case, scored_table)
    data = export_bytes(items, "pptx", filters.Filters(keyword="police"))
    a4 = export_bytes(items, "pdf", paper="a4")          # the PDF on A4 (default: Letter)
    FORMATS["pptx"].mime, FORMATS["pptx"].file_name("mynypd")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from analysis.errors import ExportError
from analysis.exports import classroom, content, deck, pdf, report
from analysis.metrics.filters import Filters
from analysis.pipeline import Loaded

# (cases, filters, **options) -> bytes; the options are those the format lists.
Render = Callable[..., bytes]
# Page size of the PDF unless asked otherwise (US Letter; A4 on request).
DEFAULT_PAPER: Final = "letter"


@dataclass(frozen=True)
class Format:
    """An export format: what it is, its MIME type and file extension, and ``render``, the
    callable that makes its bytes from the cases (``pipeline.Loaded``) and the filters;
    ``options`` are the keyword options ``render`` takes (``paper``: a key of
    ``analysis.exports.report.PAPERS``)."""

    key: str
    label: str
    mime: str
    extension: str
    render: Render
    options: tuple[str, ...] = ()

    def file_name(self, stem: str) -> str:
        return f"{stem}.{self.extension}"


def from_report(to_bytes: Callable[..., bytes]) -> Render:
    """A renderer of the post-mortem content model (``content.build``) as a format."""
    def render(items: Sequence[Loaded], selection: Filters | None, **options: str) -> bytes:
        return to_bytes(content.build(items, selection), **options)
    return render


FORMATS: Final[dict[str, Format]] = {f.key: f for f in (
    Format("pptx", "PowerPoint deck",
           "application/vnd.openxmlformats-officedocument.presentationml.presentation",
           "pptx", from_report(deck.to_bytes)),
    Format("html", "self-contained HTML report (opens offline)", "text/html", "html",
           from_report(report.to_bytes)),
    Format("pdf", "the HTML report printed to PDF (headless Chromium)", "application/pdf",
           "pdf", from_report(pdf.to_bytes), options=("paper",)),
    Format("classroom", "instructor's deck: the story, prompts on slides, answers and "
                        "questions in the notes",
           "application/vnd.openxmlformats-officedocument.presentationml.presentation",
           "classroom.pptx", classroom.render),
    Format("data", "zip: filtered tweets (CSV, Parquet), KPI table, hashtag/mention networks "
                   "(GEXF, CSV), data dictionary", "application/zip", "zip", content.data_zip),
)}


def export_bytes(items: Sequence[Loaded], fmt: str, selection: Filters | None = None, *,
                 paper: str = DEFAULT_PAPER) -> bytes:
    """The post-mortem of ``items`` (one case or a comparison) under ``selection``, as ``fmt``
    (``paper``: the page size of the formats that have pages, see ``Format.options``)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    given = {"paper": paper}
    return FORMATS[fmt].render(items, selection,
                               **{name: given[name] for name in FORMATS[fmt].options})
