"""Load tweet archives of any supported format into the canonical table, with a load report.

``load(source)`` accepts a path, a list of paths, raw bytes or an uploaded file-like object
with a ``name``; plain, gzip, bzip2 or zip. The format is detected from the JSON keys of the
records or the CSV header (see ``analysis.formats.FORMATS``) unless ``fmt`` names it; a CSV
of any other layout is read with an explicit ``mapping`` (canonical column -> header).

Every load returns the table and a ``LoadReport`` whose counts reconcile:
``rows_read == kept + rejected + duplicates``. A malformed line is a rejection (file, line,
column, reason), never an abort; only a file without a single usable row raises
``ArchiveError`` (or ``UnknownFormatError`` when nothing in it looks like a known format).
"""

from __future__ import annotations

import gc
import itertools
import math
import multiprocessing
import os
import threading
import zoneinfo
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import IO, Any, Final

import orjson
import pandas as pd

from analysis import schema
from analysis.errors import ArchiveError, UnknownFormatError
from analysis.ingest import signatures
from analysis.ingest.formats import (
    FORMATS,
    Format,
    account_archive,
    detect_header,
    detect_record,
    documents,
    lookup,
    sheets,
    tables,
)
from analysis.ingest.formats.inputs import Input, Source, inputs
from analysis.ingest.formats.records import FULL_ROW_FIELDS, LATEST_ID, NotATweet, Row
from analysis.ingest.formats.times import EARLIEST, LATEST, PARSERS, has_zone, localize

__all__ = ["FORMATS", "LoadReport", "LoadResult", "Rejection", "detect", "load", "metric_warnings",
           "preview"]
# Rows of a spreadsheet shown on the mapping screen.
PREVIEW_ROWS: Final = 20

# Records looked at before giving up on detecting a JSON format (stream files may open
# with notices; an archive whose first 1,000 records are not tweets is not a tweet archive).
DETECT_LIMIT: Final = 1000
# Rejections kept in the report (all are counted); a garbage file must not fill memory.
MAX_LISTED_REJECTIONS: Final = 1000
# Share of original tweets with zero retweets and likes above which the counts look
# captured by a stream at posting time rather than snapshots taken later.
STREAM_ZERO_SHARE: Final = 0.9
# Fewer originals than this with counts: too few to judge the counts at all.
MIN_ROWS_FOR_METRIC_WARNINGS: Final = 20
# JSONL lines parsed per block: big enough to amortise a process hop, small enough that
# a few blocks in flight stay well under the memory budget (a v1.1 tweet is 2-5 KB).
BLOCK_LINES: Final = 10_000
# Parsing processes for large JSONL files: one per core plus one, because the reading process
# itself spends most of its time decompressing and assembling rather than competing for a core
# (measured on 2 cores, 1M tweets: 2 workers 21.9 s, the same as in-process; 3 workers 17.4 s).
EXTRA_WORKERS: Final = 1
MAX_WORKERS: Final = 3
# Blocks queued per worker: keeps both busy without reading the whole file ahead.
BLOCKS_IN_FLIGHT_PER_WORKER: Final = 2
# Canonical columns holding counts; larger "counts" than MAX_COUNT are garbage (and would
# overflow Int64), so they become unknown.
INT_COLUMNS: Final = ("author_followers", *schema.ENGAGEMENT_COLUMNS)
MAX_COUNT: Final = 2**53
# Zone in which times written without one are read, unless the caller names another.
DEFAULT_TZ: Final = "UTC"
# The three entities X writes in tweet text, decoded in this order (&amp; last: once only).
ENTITIES: Final = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True)
class Rejection:
    """One row that could not be used, and where it is."""

    file: str
    line: int | None
    column: int | str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        where = ", ".join(p for p in (
            self.file,
            f"line {self.line}" if self.line is not None else "",
            f"column {self.column}" if self.column is not None else "",
        ) if p)
        return f"{where}: {self.reason}"


@dataclass
class LoadReport:
    """What a load did: counts that reconcile, rejections, time range and warnings."""

    format: str
    rows_read: int = 0
    kept: int = 0
    rejected: int = 0
    duplicates: int = 0
    # of the duplicates: earlier versions of edited posts whose latest version was kept
    edited: int = 0
    retweets: int = 0
    time_min: pd.Timestamp | None = None
    time_max: pd.Timestamp | None = None
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # spreadsheets: the column mapping the file was read with, and the zone of zone-less times
    mapping: dict[str, str] | None = None
    tz: str | None = None
    # kept posts per platform (a key of schema.PLATFORMS), most frequent first
    platforms: dict[str, int] = field(default_factory=dict)

    @property
    def retweet_share(self) -> float:
        return self.retweets / self.kept if self.kept else 0.0

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.kept + self.rejected + self.duplicates

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (times as ISO 8601 UTC), as ``inspect --json`` prints them."""
        return {
            "path": self.files[0] if len(self.files) == 1 else list(self.files),
            "format": self.format,
            "rows_read": self.rows_read,
            "kept": self.kept,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "edited": self.edited,
            "retweets": self.retweets,
            "retweet_share": round(self.retweet_share, 4),
            "time_min": _iso(self.time_min),
            "time_max": _iso(self.time_max),
            "rejections": [r.to_dict() for r in self.rejections],
            "warnings": list(self.warnings),
            "mapping": self.mapping,
            "tz": self.tz,
            "platforms": dict(self.platforms),
        }


@dataclass
class LoadResult:
    """The canonical table and its load report."""

    table: pd.DataFrame
    report: LoadReport


def _iso(stamp: pd.Timestamp | None) -> str | None:
    if stamp is None or pd.isna(stamp):
        return None
    return stamp.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- public API
def load(source: Source | Sequence[Source], *, fmt: str | None = None,
         mapping: dict[str, str] | None = None, max_bytes: int | None = None,
         max_members: int | None = None, workers: int | None = None,
         tz: str = DEFAULT_TZ) -> LoadResult:
    """Load one or several archives into one canonical table (deduplicated by id).

    ``fmt`` forces a format (a name of ``FORMATS``); ``mapping`` reads any CSV by naming
    the header of each canonical column (``id``, ``created_at`` and ``text`` required).
    ``max_bytes`` caps each file's decompressed size, ``max_members`` a zip's file count.
    ``workers`` processes parse large JSONL files (default: one per core plus
    ``EXTRA_WORKERS``, at most ``MAX_WORKERS``; 1 keeps everything in this process).
    ``tz`` is the zone of times written without one (Brandwatch, Meltwater, mapped CSVs).
    """
    forced = _forced_format(fmt, mapping)
    _check_zone(tz)
    count = workers if workers is not None else min(MAX_WORKERS, (os.cpu_count() or 1) + EXTRA_WORKERS)
    items, archives = account_archive.gather(inputs(source, max_members=max_members))
    parts = [_load_input(item, forced, mapping, max_bytes, max(1, count), tz,
                         account_archive.companions_of(item, archives))
             for item in items]
    if len(parts) == 1:
        return parts[0]
    return _combine(parts)


def detect(path: Source) -> str:
    """The name of the format of ``path`` (its first file, for a zip)."""
    item = inputs(path)[0]
    with item.open() as stream:
        head = _head(stream)
        if _is_json(head):
            mode, items = documents.open_json(stream, head)
            first = list(itertools.islice(items, DETECT_LIMIT))
            if mode == "lines":
                return _detect_lines(first, item.name).name
            return _detect_records(first, item.name, [None] * len(first)).name
        header = tables.read_sheet(stream.read(), _Collector(item.name), detect_header).header
    found_csv = detect_header(header)
    if found_csv is None:
        raise UnknownFormatError(
            f"CSV header not recognised ({', '.join(header[:8])}…); give a column mapping",
            path=item.name, line=1)
    return found_csv.name


def preview(source: Source, rows: int = PREVIEW_ROWS) -> tables.Sheet:
    """The header and first rows of a CSV or workbook (its first file, for a zip)."""
    item = inputs(source)[0]
    with item.open() as stream:
        sheet = tables.read_sheet(stream.read(), _Collector(item.name), detect_header)
    return tables.Sheet(sheet.header, sheet.header_line, sheet.rows[:rows], sheet.lines[:rows],
                        sheet.workbook)


def _forced_format(fmt: str | None, mapping: dict[str, str] | None) -> Format | None:
    if mapping is not None:
        return FORMATS["custom-csv"]
    if fmt is None:
        return None
    try:
        return lookup(fmt)
    except KeyError:
        known = ", ".join(FORMATS)
        raise UnknownFormatError(f"unknown format {fmt!r}; known formats: {known}") from None


# --------------------------------------------------------------------------- one input
class _Collector:
    """Rows kept so far (with their line numbers) and the rejections of one block."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[Row] = []
        self.lines: list[int | None] = []
        self.rejections: list[Rejection] = []
        self.rejected = 0
        self.warnings: list[str] = []
        # spreadsheets: the column mapping used, and the zone saved for this header (if any)
        self.mapping: dict[str, str] | None = None
        self.saved_tz: str | None = None

    def reject(self, line: int | None, column: int | str | None, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_LISTED_REJECTIONS:
            self.rejections.append(Rejection(self.name, line, column, reason))

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


class _ItemCollector(_Collector):
    """For a whole JSON document (array, tweets.js): positions are items, not lines."""

    def reject(self, line: int | None, column: int | str | None, reason: str) -> None:
        super().reject(None, column, f"item {line}: {reason}" if line is not None else reason)


@dataclass
class _Part:
    """One block of a file, validated and conformed (not yet deduplicated)."""

    table: pd.DataFrame
    read: int
    rejected: int
    rejections: list[Rejection]
    warnings: list[str]
    # per table row: the id of its post's latest edit when the row is an earlier version
    latest: pd.Series


def _check_zone(tz: str) -> None:
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ArchiveError(f"unknown time zone {tz!r} (use an IANA name such as Europe/Paris)") from None


def _load_input(item: Input, forced: Format | None, mapping: dict[str, str] | None,
                max_bytes: int | None, workers: int, tz: str = DEFAULT_TZ,
                companions: account_archive.Companions | None = None) -> LoadResult:
    with item.open(max_bytes) as stream:
        head = _head(stream)
        if not head.strip():
            raise ArchiveError("the file is empty", path=item.name)
        use_json = forced.container == "json" if forced is not None else _is_json(head)
        use_json = use_json and not sheets.is_workbook(head)
        if use_json:
            fmt, parts = _json_parts(stream, head, forced, item.name, workers, companions)
        else:
            collector = _Collector(item.name)
            fmt, raw, lines = tables.collect(stream, forced, mapping, collector,
                                             detect_header=detect_header,
                                             custom=FORMATS["custom-csv"])
            zone = collector.saved_tz if collector.saved_tz and tz == DEFAULT_TZ else tz
            parts = [_validate(raw, fmt, collector, zone)]
            result = _assemble(parts, fmt, item.name)
            result.report.mapping = collector.mapping
            result.report.tz = zone if fmt.naive_times else None
            return result
    return _assemble(parts, fmt, item.name)


def _head(stream: IO[bytes]) -> bytes:
    peek = getattr(stream, "peek", None)
    head = peek(65536) if peek is not None else b""
    return head[len(documents.UTF8_BOM):] if head.startswith(documents.UTF8_BOM) else head


def _is_json(head: bytes) -> bool:
    start = head.lstrip()[:1]
    return start in (b"{", b"[") or head.lstrip().startswith(signatures.ACCOUNT_ARCHIVE_JS)


# --------------------------------------------------------------------------- JSON
def _json_parts(stream: IO[bytes], head: bytes, forced: Format | None, name: str,
                workers: int, companions: account_archive.Companions | None = None,
                ) -> tuple[Format, list[_Part]]:
    mode, items = documents.open_json(stream, head)
    if mode == "items":  # one JSON document (array, tweets.js, pretty-printed object)
        records = list(items)
        fmt = forced or _detect_records(records, name, [index + 1 for index in range(len(records))])
        collector = _ItemCollector(name)
        for index, record in enumerate(records):
            _map_record(fmt, index + 1, record, collector)
        frame = _frame(collector.rows, collector.lines)
        if companions is not None and fmt.name == "tweets-js":
            frame, messages = account_archive.complete(frame, companions)
            for message in messages:
                collector.warn(message)
        return fmt, [_validate(frame, fmt, collector)]
    first = list(itertools.islice(items, BLOCK_LINES))
    fmt = forced or _detect_lines(first, name)
    parts = [_block(fmt.name, name, 1, first)]
    if len(first) == BLOCK_LINES:
        parts += _more_blocks(items, fmt, name, BLOCK_LINES + 1, workers)
    return fmt, parts


def _detect_lines(lines: list[bytes], name: str) -> Format:
    """The format of the first JSONL lines that parse into a known record."""
    records: list[Any] = []
    numbers: list[int | None] = []
    first_problem = None
    for number, line in enumerate(lines[:DETECT_LIMIT], 1):
        try:
            record, _ = documents.decode(line)
        except orjson.JSONDecodeError as exc:
            if line.strip() and first_problem is None:
                first_problem = ArchiveError(f"no valid JSON record; first problem: invalid JSON: {exc.msg}",
                                             path=name, line=number, column=exc.colno)
            continue
        found = detect_record(record)
        if found is not None:
            return found
        records.append(record)
        numbers.append(number)
    if not records and first_problem is not None:
        raise first_problem
    return _detect_records(records, name, numbers)


def _detect_records(records: list[Any], name: str, numbers: list[int | None]) -> Format:
    for record in records:
        found = detect_record(record)
        if found is not None:
            return found
    if not records:
        raise ArchiveError("no JSON record found", path=name)
    first = records[0]
    if isinstance(first, dict):
        keys = ", ".join(sorted(str(k) for k in first)[:8])
        detail = f"first record's keys: {keys}"
    else:
        detail = f"first record is a JSON {type(first).__name__}"
    raise UnknownFormatError(f"no record matches a known JSON tweet format ({detail})",
                             path=name, line=numbers[0])


def _more_blocks(lines: Iterator[bytes], fmt: Format, name: str, start: int,
                 workers: int) -> list[_Part]:
    """The rest of a JSONL file, block by block: in forked worker processes when allowed.

    Workers are forked only from a single-threaded process (a fork taken while another thread
    holds a lock can deadlock, and spawn/forkserver would re-import the caller's main script);
    the app, which runs threads, parses in-process. A broken pool degrades to in-process too.
    """
    blocks = _blocks(lines, start)
    if workers <= 1 or threading.active_count() > 1:
        return [_block(fmt.name, name, first, block) for first, block in blocks]
    parts: list[_Part] = []
    pending: deque[tuple[Future[_Part], int, bytes]] = deque()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for first, block in blocks:
            data = b"".join(block)
            pending.append((_submit(pool, fmt.name, name, first, data), first, data))
            if len(pending) >= workers * BLOCKS_IN_FLIGHT_PER_WORKER:
                parts.append(_result(*pending.popleft(), fmt.name, name))
        parts.extend(_result(future, first, data, fmt.name, name) for future, first, data in pending)
    return parts


def _submit(pool: ProcessPoolExecutor, fmt_name: str, name: str, first: int, data: bytes) -> Future[_Part]:
    try:
        return pool.submit(_block_from_bytes, fmt_name, name, first, data)
    except BrokenProcessPool:  # the pool died earlier: parse here, keep the order
        done: Future[_Part] = Future()
        done.set_result(_block_from_bytes(fmt_name, name, first, data))
        return done


def _result(future: Future[_Part], first: int, data: bytes, fmt_name: str, name: str) -> _Part:
    try:
        return future.result()
    except BrokenProcessPool:  # a worker died (memory, signal): parse this block here
        return _block_from_bytes(fmt_name, name, first, data)


def _blocks(lines: Iterator[bytes], start: int) -> Iterator[tuple[int, list[bytes]]]:
    while block := list(itertools.islice(lines, BLOCK_LINES)):
        yield start, block
        start += len(block)


def _block_from_bytes(fmt_name: str, name: str, start: int, data: bytes) -> _Part:
    pieces = data.split(b"\n")  # not splitlines(): a stray "\r" must not shift line numbers
    lines = [piece + b"\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return _block(fmt_name, name, start, lines)


def _block(fmt_name: str, name: str, start: int, lines: list[bytes]) -> _Part:
    """Parse, map and validate one block of JSONL lines (first line numbered ``start``).

    The cyclic garbage collector is paused meanwhile: the block allocates hundreds of
    thousands of acyclic dicts, tuples and lists, and collections cost ~20% of the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_block(fmt_name, name, start, lines)
    finally:
        if enabled:
            gc.enable()


def _parse_block(fmt_name: str, name: str, start: int, lines: list[bytes]) -> _Part:
    fmt = FORMATS[fmt_name]
    collector = _Collector(name)
    loads = orjson.loads
    recoded = 0
    for number, line in enumerate(lines, start):
        try:
            record = loads(line)
        except orjson.JSONDecodeError:
            if not line.strip():
                continue
            try:
                record, was_recoded = documents.decode(line.removeprefix(documents.UTF8_BOM))
            except orjson.JSONDecodeError as exc:
                collector.reject(number, exc.colno, f"invalid JSON: {exc.msg}")
                continue
            recoded += was_recoded
        _map_record(fmt, number, record, collector)
    if recoded:
        collector.warn(f"{recoded} line(s) were not valid UTF-8 and were read as "
                       f"{documents.FALLBACK_ENCODING}")
    return _validate(_frame(collector.rows, collector.lines), fmt, collector)


def _map_record(fmt: Format, line: int, record: Any, collector: _Collector) -> None:
    assert fmt.mapper is not None
    try:
        out = fmt.mapper(record)
    except NotATweet as exc:
        collector.reject(line, None, str(exc.args[0]))
        return
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        collector.reject(line, None, f"malformed tweet ({type(exc).__name__}: {exc})")
        return
    _add_rows(out, line, collector)


def _add_rows(out: Sequence[Any], line: int, collector: _Collector) -> None:
    for item in out:
        if isinstance(item, str):
            collector.reject(line, None, item)
        else:
            collector.rows.append(item)
            collector.lines.append(line)


def _frame(rows: list[Row], lines: list[int | None]) -> pd.DataFrame:
    """Rows (tuples in ROW_FIELDS or FULL_ROW_FIELDS order) as an object DataFrame with a
    ``_line`` column."""
    if not rows:
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in FULL_ROW_FIELDS})
    else:
        width = len(FULL_ROW_FIELDS)
        if any(len(row) != width for row in rows):
            rows = [row if len(row) == width else row + (None,) * (width - len(row)) for row in rows]
        columns = list(zip(*rows, strict=True))
        frame = pd.DataFrame({name: pd.Series(col, dtype=object)
                              for name, col in zip(FULL_ROW_FIELDS, columns, strict=True)})
    frame["_line"] = pd.Series(lines, dtype=object)
    return frame


# --------------------------------------------------------------------------- finishing
def _validate(raw: pd.DataFrame, fmt: Format, collector: _Collector, tz: str = DEFAULT_TZ) -> _Part:
    """Parse times, refuse rows with bad ids or times, conform to the canonical schema.

    Zone-less times are read in ``tz`` (UTC unless the user says otherwise) and the report
    says how many there were. HTML entities are decoded once for formats that carry them.
    """
    read = len(raw) + collector.rejected
    written = raw["created_at"].astype("string")
    times = PARSERS[fmt.time](written)
    if fmt.naive_times:
        _note_naive(written, tz, collector)
        times = localize(written, times, tz)
    ids = raw["id"].astype("string")
    bad_time = times.isna().to_numpy()
    bad_id = ~ids.str.fullmatch(fmt.id_pattern).fillna(False).to_numpy(dtype=bool)
    headers = raw.attrs.get("headers", {})
    for position in (bad_time | bad_id).nonzero()[0]:
        row = raw.iloc[position]
        if bad_id[position]:
            collector.reject(row["_line"], headers.get("id", "id"), _id_problem(row["id"]))
        else:
            collector.reject(row["_line"], headers.get("created_at", "created_at"),
                             f"created_at {row['created_at']!r} is unreadable or outside "
                             f"{EARLIEST.year}-{LATEST.year - 1}")
    good = ~(bad_time | bad_id)
    # Naive UTC wall times: conform localises them as UTC without boxing every Timestamp.
    frame = raw.loc[good].assign(created_at=times[good].dt.tz_localize(None), id=ids[good])
    for name in INT_COLUMNS:
        frame[name] = _whole_numbers(frame[name])
    if fmt.html_entities:
        frame["text"] = _unescape_entities(frame["text"])
    frame["platform"] = frame["platform"].where(frame["platform"].notna(), fmt.platform)
    frame = frame.reset_index(drop=True)
    table = schema.conform(frame)
    table["source_format"] = pd.array([fmt.name] * len(table), dtype="string")
    return _Part(table, read, collector.rejected, collector.rejections, collector.warnings,
                 frame[LATEST_ID].astype("string"))


def _note_naive(written: pd.Series, tz: str, collector: _Collector) -> None:
    naive = sum(1 for value in written.dropna() if not has_zone(value))
    if naive:
        collector.warn(f"{naive:,} time(s) carry no time zone: read as {tz} (the export's own "
                       "setting decides; choose another zone if the export used one)")


def _unescape_entities(text: pd.Series) -> pd.Series:
    """X escapes ``&``, ``<`` and ``>`` in tweet text; decode them once (``&amp;lt;`` -> ``&lt;``)."""
    values = text.astype("string")
    for entity, char in ENTITIES:
        values = values.str.replace(entity, char, regex=False)
    return values.astype(object).where(text.notna(), None)


def _id_problem(value: Any) -> str:
    """Why an id was refused: absent or blank (an empty CSV cell reads as NaN), or not digits."""
    blank = isinstance(value, str) and not value.strip()
    if value is None or value is pd.NA or blank or (isinstance(value, float) and math.isnan(value)):
        return "empty id"
    return f"id {value!r} is not a tweet id"


def _whole_numbers(values: pd.Series) -> pd.Series:
    """Counts as Int64; a value that is not a whole number in range becomes unknown."""
    try:
        return pd.Series(pd.array(values.to_numpy(), dtype="Int64"), index=values.index)
    except (TypeError, ValueError, OverflowError):
        return pd.Series(pd.array([_count(v) for v in values], dtype="Int64"), index=values.index)


def _count(value: object) -> int | None:
    if value is None or isinstance(value, bool | float):
        return None
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if abs(number) < MAX_COUNT else None


def _assemble(parts: list[_Part], fmt: Format, name: str) -> LoadResult:
    """One file's blocks: concatenated, deduplicated by id (first wins), reported."""
    tables_ = [p.table for p in parts]
    table = tables_[0] if len(tables_) == 1 else pd.concat(tables_, ignore_index=True)
    latest = pd.concat([p.latest for p in parts], ignore_index=True)
    superseded = (latest.notna() & latest.isin(set(table["id"]))).to_numpy(dtype=bool)
    duplicated = table["id"].duplicated(keep="first").to_numpy() | superseded
    if duplicated.any():
        table = table.loc[~duplicated].reset_index(drop=True)
    rejections = [r for p in parts for r in p.rejections][:MAX_LISTED_REJECTIONS]
    report = LoadReport(format=fmt.name, rows_read=sum(p.read for p in parts), kept=len(table),
                        rejected=sum(p.rejected for p in parts), duplicates=int(duplicated.sum()),
                        rejections=rejections, files=[name], edited=int(superseded.sum()),
                        warnings=list(dict.fromkeys(w for p in parts for w in p.warnings)))
    if report.edited:
        report.warnings.append(f"{report.edited:,} earlier version(s) of edited posts dropped "
                               "(the latest version is kept; counted with the duplicates)")
    if not len(table):
        problem = f"; first problem: {rejections[0]}" if rejections else ""
        raise ArchiveError(f"no usable tweet{problem}", path=name)
    _describe(table, report)
    return LoadResult(table, report)


def _describe(table: pd.DataFrame, report: LoadReport) -> None:
    """Fill the report's time range, retweet count and engagement warnings from ``table``."""
    report.retweets = int(table["is_retweet"].sum())
    counts = table["platform"].fillna("other").value_counts()
    report.platforms = {str(name): int(count) for name, count in counts.items()}
    report.time_min = table["created_at"].min() if len(table) else None
    report.time_max = table["created_at"].max() if len(table) else None
    if report.rejected > MAX_LISTED_REJECTIONS:
        report.warnings.append(f"{report.rejected - MAX_LISTED_REJECTIONS} more rejections not listed")
    if len(table) and table["author"].isna().all():
        report.warnings.append("the file names no author (an account archive keeps the handle in "
                               "account.js): author columns are empty")
    for message in metric_warnings(table):
        if message not in report.warnings:
            report.warnings.append(message)


def metric_warnings(table: pd.DataFrame) -> list[str]:
    """Warnings about engagement counts that must not be read as snapshots."""
    warnings: list[str] = []
    originals = table.loc[~table["is_retweet"] & table["retweet_count"].notna()]
    if len(originals) >= MIN_ROWS_FOR_METRIC_WARNINGS:
        zero = (originals["retweet_count"].fillna(0) == 0) & (originals["like_count"].fillna(0) == 0)
        share = float(zero.mean())
        if share >= STREAM_ZERO_SHARE or (originals["metrics_semantics"] == "stream_capture").all():
            warnings.append(
                f"{share:.0%} of original tweets have zero retweets and likes: the counts look "
                "captured by a stream at posting time, not later snapshots; engagement rankings "
                "are unreliable")
    retweets = table.loc[table["is_retweet"]]
    copied = int((retweets["retweet_count"].fillna(0) > 0).sum())
    if copied:
        rows = "retweet row carries" if copied == 1 else "retweet rows carry"
        warnings.append(
            f"{copied:,} {rows} the original tweet's counts (copied, not their own): "
            "never sum engagement over retweet rows")
    return warnings


def _combine(parts: list[LoadResult]) -> LoadResult:
    """One table from several inputs: deduplicated across files, reports added up."""
    table = pd.concat([p.table for p in parts], ignore_index=True)
    duplicated = table["id"].duplicated(keep="first").to_numpy()
    table = table.loc[~duplicated].reset_index(drop=True)
    names = sorted({p.report.format for p in parts})
    report = LoadReport(
        format=names[0] if len(names) == 1 else "mixed (" + ", ".join(names) + ")",
        rows_read=sum(p.report.rows_read for p in parts),
        kept=len(table),
        rejected=sum(p.report.rejected for p in parts),
        duplicates=sum(p.report.duplicates for p in parts) + int(duplicated.sum()),
        edited=sum(p.report.edited for p in parts),
        rejections=[r for p in parts for r in p.report.rejections][:MAX_LISTED_REJECTIONS],
        warnings=[],
        files=[f for p in parts for f in p.report.files],
    )
    report.warnings = list(dict.fromkeys(w for p in parts for w in p.report.warnings))
    _describe(table, report)
    return LoadResult(table, report)
