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

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Final

import orjson
import pandas as pd

from analysis import schema
from analysis.errors import ArchiveError, UnknownFormatError
from analysis.formats import FORMATS, Format, detect_header, detect_record, lookup, tables
from analysis.formats.inputs import Input, Source, inputs
from analysis.formats.records import ROW_FIELDS, NotATweet, Row
from analysis.formats.times import PARSERS

__all__ = ["FORMATS", "LoadReport", "LoadResult", "Rejection", "detect", "load"]

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
UTF8_BOM: Final = b"\xef\xbb\xbf"
# Encoding tried on a line that is not valid UTF-8 (Excel and old Windows tools write it).
FALLBACK_ENCODING: Final = "cp1252"
JS_PREFIX: Final = b"window.YTD."


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
    retweets: int = 0
    time_min: pd.Timestamp | None = None
    time_max: pd.Timestamp | None = None
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def retweet_share(self) -> float:
        return self.retweets / self.kept if self.kept else 0.0

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.kept + self.rejected + self.duplicates

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.files[0] if len(self.files) == 1 else list(self.files),
            "format": self.format,
            "rows_read": self.rows_read,
            "kept": self.kept,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "retweets": self.retweets,
            "retweet_share": round(self.retweet_share, 4),
            "time_min": _iso(self.time_min),
            "time_max": _iso(self.time_max),
            "rejections": [r.to_dict() for r in self.rejections],
            "warnings": list(self.warnings),
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
         max_members: int | None = None) -> LoadResult:
    """Load one or several archives into one canonical table (deduplicated by id).

    ``fmt`` forces a format (a name of ``FORMATS``); ``mapping`` reads any CSV by naming
    the header of each canonical column (``id``, ``created_at`` and ``text`` required).
    ``max_bytes`` caps each file's decompressed size, ``max_members`` a zip's file count.
    """
    forced = _forced_format(fmt, mapping)
    parts = [_load_input(item, forced, mapping, max_bytes)
             for item in inputs(source, max_members=max_members)]
    if len(parts) == 1:
        return parts[0]
    return _combine(parts)


def detect(path: Source) -> str:
    """The name of the format of ``path`` (its first file, for a zip)."""
    item = inputs(path)[0]
    with item.open() as stream:
        head = _head(stream)
        if _is_json(head):
            for _, record, _ in _json_records(stream, head):
                found = detect_record(record)
                if found is not None:
                    return found.name
            raise UnknownFormatError("no record matches a known JSON tweet format", path=item.name)
    header = tables.read_header(head)
    found_csv = detect_header(header)
    if found_csv is None:
        raise UnknownFormatError(
            f"CSV header not recognised ({', '.join(header[:8])}…); give a column mapping",
            path=item.name, line=1)
    return found_csv.name


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
    """Rows kept so far (with their line numbers) and the rejections of one input."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[Row] = []
        self.lines: list[int | None] = []
        self.rejections: list[Rejection] = []
        self.rejected = 0
        self.warnings: list[str] = []

    def reject(self, line: int | None, column: int | str | None, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_LISTED_REJECTIONS:
            self.rejections.append(Rejection(self.name, line, column, reason))

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def _load_input(item: Input, forced: Format | None, mapping: dict[str, str] | None,
                max_bytes: int | None) -> LoadResult:
    collector = _Collector(item.name)
    with item.open(max_bytes) as stream:
        head = _head(stream)
        if not head.strip():
            raise ArchiveError("the file is empty", path=item.name)
        use_json = forced.container == "json" if forced is not None else _is_json(head)
        if use_json:
            fmt = _collect_json(stream, head, forced, collector)
            raw = _frame(collector.rows, collector.lines)
        else:
            fmt, raw, lines = tables.collect(stream, head, forced, mapping, collector)
            collector.lines = lines
    return _finish(raw, fmt, collector)


def _head(stream: IO[bytes]) -> bytes:
    peek = getattr(stream, "peek", None)
    head = peek(65536) if peek is not None else b""
    return head[len(UTF8_BOM):] if head.startswith(UTF8_BOM) else head


def _is_json(head: bytes) -> bool:
    start = head.lstrip()[:1]
    return start in (b"{", b"[") or head.lstrip().startswith(JS_PREFIX)


# --------------------------------------------------------------------------- JSON
@dataclass(frozen=True)
class _BadJson:
    column: int | None
    reason: str


def _decode(line: bytes) -> tuple[Any, bool]:
    """One JSON value, and whether the line had to be read as cp1252 (not valid UTF-8)."""
    try:
        return orjson.loads(line), False
    except orjson.JSONDecodeError as exc:
        if "utf-8" not in str(exc).lower():
            raise
        return orjson.loads(line.decode(FALLBACK_ENCODING, errors="replace")), True


# (line or None for whole documents, record or _BadJson, read as cp1252?)
JsonItem = tuple[int | None, Any, bool]


def _json_records(stream: IO[bytes], head: bytes) -> Iterator[JsonItem]:
    """Records of JSONL line by line; whole-document JSON (arrays, tweets.js) item by item."""
    if head.lstrip().startswith((b"[", JS_PREFIX)):
        data = stream.read()
    else:
        first = stream.readline()
        try:
            orjson.loads(first)
        except orjson.JSONDecodeError:
            data = first + stream.read()  # pretty-printed JSON, or JSONL with a bad first line
        else:
            yield from _jsonl(itertools.chain([first], stream))
            return
    document = _whole_document(data)
    yield from document if document is not None else _jsonl(iter(data.splitlines(keepends=True)))


def _jsonl(lines: Iterator[bytes]) -> Iterator[JsonItem]:
    loads = orjson.loads
    for number, line in enumerate(lines, 1):
        try:
            yield number, loads(line), False
        except orjson.JSONDecodeError:
            if not line.strip():
                continue
            if number == 1 and line.startswith(UTF8_BOM):
                line = line[len(UTF8_BOM):]
            try:
                record, recoded = _decode(line)
            except orjson.JSONDecodeError as exc:
                yield number, _BadJson(exc.colno, f"invalid JSON: {exc.msg}"), False
            else:
                yield number, record, recoded


def _whole_document(data: bytes) -> Iterator[JsonItem] | None:
    body = data.lstrip()
    if body.startswith(UTF8_BOM):
        body = body[len(UTF8_BOM):]
    if body.startswith(JS_PREFIX):  # tweets.js: "window.YTD.tweets.part0 = [ … ]"
        body = body.split(b"=", 1)[1] if b"=" in body else b""
    try:
        document, recoded = _decode(body)
    except orjson.JSONDecodeError:
        return None
    if isinstance(document, dict) and isinstance(document.get("statuses"), list):
        document = document["statuses"]  # a saved v1.1 search response
    items = document if isinstance(document, list) else [document]
    return ((None, item, recoded) for item in items)


def _collect_json(stream: IO[bytes], head: bytes, forced: Format | None,
                  collector: _Collector) -> Format:
    """Map every JSON record of the stream into ``collector``; return the format used."""
    fmt = forced
    pending: list[tuple[int, Any]] = []
    recoded = 0
    for index, (line, record, was_recoded) in enumerate(_json_records(stream, head)):
        where = line if line is not None else index + 1
        if isinstance(record, _BadJson):
            collector.reject(where, record.column, record.reason)
            continue
        recoded += was_recoded
        if fmt is None:
            fmt = detect_record(record)
            if fmt is None:
                pending.append((where, record))
                if len(pending) > DETECT_LIMIT:
                    break
                continue
            for early_line, early in pending:
                _map_record(fmt, early_line, early, collector)
            pending.clear()
        _map_record(fmt, where, record, collector)
    if fmt is None:
        if pending:
            keys = sorted(pending[0][1])[:8] if isinstance(pending[0][1], dict) else []
            raise UnknownFormatError(
                f"no record matches a known JSON tweet format (first record's keys: {', '.join(keys)})",
                path=collector.name, line=pending[0][0])
        raise ArchiveError(_nothing_usable(collector), path=collector.name)
    if recoded:
        collector.warn(f"{recoded} line(s) were not valid UTF-8 and were read as {FALLBACK_ENCODING}")
    return fmt


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
    for item in out:
        if isinstance(item, str):
            collector.reject(line, None, item)
        else:
            collector.rows.append(item)
            collector.lines.append(line)


def _nothing_usable(collector: _Collector) -> str:
    if collector.rejections:
        return f"no usable tweet; first problem: {collector.rejections[0]}"
    return "no tweet found"


def _frame(rows: list[Row], lines: list[int | None]) -> pd.DataFrame:
    """Rows (tuples in ROW_FIELDS order) as an object DataFrame with a ``_line`` column."""
    if not rows:
        frame = pd.DataFrame({name: pd.Series([], dtype=object) for name in ROW_FIELDS})
    else:
        columns = list(zip(*rows, strict=True))
        frame = pd.DataFrame({name: pd.Series(col, dtype=object)
                              for name, col in zip(ROW_FIELDS, columns, strict=True)})
    frame["_line"] = pd.Series(lines, dtype=object)
    return frame


# --------------------------------------------------------------------------- finishing
def _finish(raw: pd.DataFrame, fmt: Format, collector: _Collector) -> LoadResult:
    """Parse times, refuse bad ids and times, dedupe by id, conform, report."""
    read = len(raw) + collector.rejected
    times = PARSERS[fmt.time](raw["created_at"].astype("string"))
    ids = raw["id"].astype("string")
    bad_time = times.isna().to_numpy()
    bad_id = ~ids.str.fullmatch(r"\d{1,20}").fillna(False).to_numpy(dtype=bool)
    headers = raw.attrs.get("headers", {})
    for position in (bad_time | bad_id).nonzero()[0]:
        row = raw.iloc[position]
        if bad_id[position]:
            collector.reject(row["_line"], headers.get("id", "id"), f"id {row['id']!r} is not a tweet id")
        else:
            collector.reject(row["_line"], headers.get("created_at", "created_at"),
                             f"unreadable created_at {row['created_at']!r}")
    good = ~(bad_time | bad_id)
    frame = raw.loc[good].assign(created_at=times[good], id=ids[good])
    duplicated = frame["id"].duplicated(keep="first").to_numpy()
    frame = frame.loc[~duplicated].reset_index(drop=True)
    table = schema.conform(frame)
    table["source_format"] = pd.array([fmt.name] * len(table), dtype="string")
    if not len(table):
        raise ArchiveError(_nothing_usable(collector), path=collector.name)
    report = LoadReport(format=fmt.name, rows_read=read, kept=len(table),
                        rejected=collector.rejected, duplicates=int(duplicated.sum()),
                        rejections=collector.rejections, warnings=collector.warnings,
                        files=[collector.name])
    _describe(table, report)
    return LoadResult(table, report)


def _describe(table: pd.DataFrame, report: LoadReport) -> None:
    """Fill the report's time range, retweet count and engagement warnings from ``table``."""
    report.retweets = int(table["is_retweet"].sum())
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
        warnings.append(
            f"{copied} retweet rows carry their original tweet's counts (copied, not their own): "
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
        rejections=[r for p in parts for r in p.report.rejections][:MAX_LISTED_REJECTIONS],
        warnings=[],
        files=[f for p in parts for f in p.report.files],
    )
    report.warnings = list(dict.fromkeys(w for p in parts for w in p.report.warnings))
    _describe(table, report)
    return LoadResult(table, report)
