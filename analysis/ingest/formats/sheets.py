"""Spreadsheets as grids of text cells: CSV/TSV in any common encoding, and workbooks.

A *grid* is a list of ``(line, cells)``: the physical line (CSV) or row number (workbook)
where a record starts, and its cells as strings. Workbooks (XLSX, XLS, ODS) are read with
python-calamine, falling back to openpyxl for an XLSX calamine refuses. Encodings: UTF-8
(with or without BOM), UTF-16 with a BOM (Meltwater's tab-separated exports), else cp1252.

``header_row`` finds the header below any preamble (Brandwatch writes report rows above it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import openpyxl
from python_calamine import CalamineError, CalamineWorkbook

from analysis.errors import ArchiveError
from analysis.ingest.signatures import UTF16_BOMS, WORKBOOK_HEADERS, ZIP_LOCAL_HEADER

Grid = list[tuple[int, list[str]]]
# Cells of JSON columns (context_annotations, entities) in twarc-csv exceed csv's 128 KiB default.
FIELD_SIZE_LIMIT: Final = 16 * 1024 * 1024
DELIMITERS: Final = (",", "\t", ";")
# Lines looked at to choose the delimiter and rows looked at to find the header: vendor
# preambles are 5-12 rows ("Report:", "Brand:", "From:", "To:", "Label:", blank lines).
SNIFF_LINES: Final = 30
HEADER_SEARCH_ROWS: Final = 30
# Integers above this in a numeric cell lost digits in the spreadsheet (doubles hold 2**53);
# they are written in scientific form so the id check refuses them as float-corrupted.
EXACT_INT: Final = 2**53
# A workbook's sheets: the first with data is read (exports hold one sheet of mentions).
MAX_SHEETS_TRIED: Final = 10


def is_workbook(head: bytes) -> bool:
    return head.startswith(WORKBOOK_HEADERS)


@dataclass
class Decoded:
    text: str
    encoding: str


def decode(data: bytes, warn: Callable[[str], None]) -> Decoded:
    """Text of a CSV/TSV: UTF-16 by its BOM, UTF-8 (BOM optional), else cp1252 with a warning."""
    if data.startswith(UTF16_BOMS):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            warn(f"UTF-16 text with a broken character at byte {exc.start}; replaced")
            return Decoded(data.decode("utf-16", errors="replace"), "utf-16")
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        warn(f"not valid UTF-8 (first bad byte at line {line}, column {column}); "
             "read as cp1252/Latin-1")
        return Decoded(data.decode("cp1252", errors="replace"), "cp1252")


def delimiter(text: str) -> str:
    """The delimiter used most on any of the first lines (a preamble line has none)."""
    lines = text.split("\n", SNIFF_LINES)[:SNIFF_LINES]
    return max(DELIMITERS, key=lambda d: max((line.count(d) for line in lines), default=0))


def csv_grid(text: str, reject: Callable[[int | None, str], None]) -> Grid:
    """Every record of a CSV text with the physical line where it starts."""
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    grid: Grid = []
    previous = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            reject(previous + 1, f"unreadable CSV record ({exc})")
            if reader.line_num == previous:
                break
            previous = reader.line_num
            continue
        start, previous = previous + 1, reader.line_num
        grid.append((start, fields))
    return grid


def workbook_grid(data: bytes, name: str) -> Grid:
    """The first sheet with data of a workbook, its cells as text, rows numbered from 1."""
    try:
        rows = _calamine_rows(data)
    except (CalamineError, ValueError, TypeError, OSError, IndexError) as first:
        if not data.startswith(ZIP_LOCAL_HEADER):
            raise ArchiveError(f"unreadable workbook ({first})", path=name) from None
        try:
            rows = _openpyxl_rows(data)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on a broken file
            raise ArchiveError(f"unreadable workbook ({first}; openpyxl: {type(exc).__name__}: {exc})",
                               path=name) from None
    return [(number, [cell_text(c) for c in row]) for number, row in enumerate(rows, 1)]


def _calamine_rows(data: bytes) -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for sheet_name in book.sheet_names[:MAX_SHEETS_TRIED]:
        rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        if any(any(c not in ("", None) for c in row) for row in rows):
            return rows
    return []


def _openpyxl_rows(data: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets[:MAX_SHEETS_TRIED]:
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            if any(any(c not in ("", None) for c in row) for row in rows):
                return rows
        return []
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A workbook cell as the text a CSV would hold (ids stay digits; corrupted ones show it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < EXACT_INT:
            return str(int(value))
        return f"{value:.17g}" if math.isfinite(value) else ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def header_row(grid: Grid, is_known: Callable[[list[str]], bool],
               wanted: set[str] | None = None) -> int:
    """Index in ``grid`` of the header: the first row a known format (or the mapping's
    headers, ``wanted``) recognises, else the first full row as wide as the widest."""
    top = grid[:HEADER_SEARCH_ROWS]
    for index, (_, cells) in enumerate(top):
        names = [c.strip() for c in cells]
        if is_known(names) or (wanted and wanted <= set(names)):
            return index
    widths = [len([c for c in cells if c.strip()]) for _, cells in top]
    widest = max(widths, default=0)
    for index, (_, cells) in enumerate(top):
        if widths[index] == widest and widest and len(cells) == widths[index]:
            return index
    return next((i for i, w in enumerate(widths) if w == widest), 0)


def column_names(header: list[str]) -> list[str]:
    """A header's names made unique, as a table needs them: a repeated name gets ``.1``,
    ``.2`` … (pandas' ``read_csv`` convention), so the first of them keeps its own name."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}.{seen[name] - 1}")
    return out
