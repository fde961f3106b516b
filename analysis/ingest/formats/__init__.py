"""The format registry: every archive format the loaders read, described as data.

Each ``Format`` says how it is detected (JSON keys of a record, or CSV header names), how
its creation times are written (a parser of ``analysis.formats.times``), and how a record
or a CSV row maps to the canonical table (``analysis.schema``). Detection tries the formats
in registry order; the first whose rule matches wins, so more specific rules come first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from analysis.ingest.formats import records
from analysis.ingest.formats.tables import CSV_SPECS, CsvSpec

Container = Literal["json", "csv"]


@dataclass(frozen=True)
class Format:
    """One archive format."""

    name: str
    label: str
    container: Container
    # JSON: keys every record of the format has ("key" or "key:list"/"key:dict");
    # CSV: header names that must all be present.
    detect: tuple[str, ...]
    time: str
    mapper: records.Mapper | None = None
    csv: CsvSpec | None = None
    notes: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def matches_record(self, record: object) -> bool:
        return self.container == "json" and isinstance(record, dict) and all(
            _has_key(record, spec) for spec in self.detect)

    def matches_header(self, header: set[str]) -> bool:
        return self.container == "csv" and bool(self.detect) and set(self.detect) <= header


def _has_key(record: Mapping[str, Any], spec: str) -> bool:
    key, _, kind = spec.partition(":")
    if key not in record:
        return False
    if kind == "list":
        return isinstance(record[key], list)
    if kind == "dict":
        return isinstance(record[key], dict)
    return True


_JSON_FORMATS: Final[tuple[Format, ...]] = (
    Format("tweets-js", "Account archive tweets.js", "json", ("tweet:dict",), "v1",
           records.tweets_js, notes="window.YTD.tweets.part0 = [{\"tweet\": {...}}]"),
    Format("snscrape", "snscrape JSONL", "json", ("_type", "date"), "iso", records.snscrape),
    Format("v2-stream", "API v2 stream lines (twarc2 stream)", "json", ("data:dict",), "iso",
           records.v2_stream),
    Format("v2-page", "API v2 response pages (twarc2 search)", "json", ("data:list",), "iso",
           records.v2_page),
    Format("v1.1", "API v1.1 tweet JSON (twarc1, REST, streaming)", "json",
           ("user:dict", "created_at"), "v1", records.v1),
    Format("v2-flat", "API v2 flattened tweets (twarc2 flatten)", "json",
           ("author_id", "created_at", "text"), "iso", records.v2_flat),
)

_CSV_FORMATS: Final[tuple[Format, ...]] = tuple(
    Format(spec.name, spec.label, "csv", spec.detect, spec.time, csv=spec) for spec in CSV_SPECS)

FORMATS: Final[dict[str, Format]] = {f.name: f for f in _JSON_FORMATS + _CSV_FORMATS}
# Names a user may type for a format, besides the registry names.
ALIASES: Final[dict[str, str]] = {"v1": "v1.1", "sfm": "twarc1-csv",
                                  "json2csv": "twarc1-csv", "dmi-tcat": "tcat", "tags-csv": "tags"}


def detect_record(record: object) -> Format | None:
    """The JSON format whose keys this record has, if any."""
    return next((f for f in _JSON_FORMATS if f.matches_record(record)), None)


def detect_header(header: list[str]) -> Format | None:
    """The CSV format whose required headers are all present, if any."""
    names = {h.strip() for h in header}
    return next((f for f in _CSV_FORMATS if f.matches_header(names)), None)


def lookup(name: str) -> Format:
    """The format called ``name`` (or one of its aliases); KeyError if unknown."""
    return FORMATS[ALIASES.get(name, name)]
