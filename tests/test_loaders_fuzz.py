"""Property tests: truncated, mis-encoded and wrong-typed input at every loader.

Each run must end in a clear ``BackfireError`` or a partial load whose counts reconcile —
never another exception.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import schema
from analysis.errors import BackfireError
from analysis.ingest.formats import FORMATS
from analysis.ingest.loaders import LoadResult, load
from analysis.store.paths import SHARED_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
# Real samples are large; a few lines of each keep examples fast.
SAMPLE_LINES = 6
SAMPLES: dict[str, bytes] = {}
for _path in sorted((SHARED_DIR / "real-archives").glob("*.*")) + sorted(FIXTURES.iterdir()):
    if _path.suffix in (".jsonl", ".csv", ".tsv", ".js"):
        SAMPLES[_path.name] = b"".join(_path.read_bytes().splitlines(keepends=True)[:SAMPLE_LINES])
NAMES = sorted(SAMPLES)
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8)


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def _check(data: bytes, name: str, fmt: str | None = None) -> None:
    try:
        result = load(Upload(data, name), fmt=fmt)
    except BackfireError as exc:
        assert str(exc)
        return
    _assert_sound(result)


def _assert_sound(result: LoadResult) -> None:
    report = result.report
    assert report.rows_read == report.kept + report.rejected + report.duplicates
    assert report.kept == len(result.table) > 0
    assert list(result.table.columns) == list(schema.COLUMNS)
    assert result.table["id"].str.fullmatch(r"\d+").all()
    assert result.table["created_at"].notna().all()
    assert not result.table["id"].duplicated().any()
    for rejection in report.rejections:
        assert rejection.reason and rejection.file == name_of(report)


def name_of(report: Any) -> str:
    return str(report.files[0])


@FUZZ
@given(name=st.sampled_from(NAMES), cut=st.floats(min_value=0.0, max_value=1.0))
def test_truncated_files(name: str, cut: float) -> None:
    data = SAMPLES[name]
    _check(data[: int(len(data) * cut)], name)


@FUZZ
@given(name=st.sampled_from(NAMES), position=st.floats(min_value=0.0, max_value=1.0), junk=st.binary(min_size=1, max_size=4),
       latin=st.booleans())
def test_mis_encoded_files(name: str, position: float, junk: bytes, latin: bool) -> None:
    data = SAMPLES[name]
    if latin:  # the whole file re-encoded as Latin-1 (what Excel "CSV" often writes)
        data = data.decode("utf-8").encode("latin-1", errors="replace")
    at = int(len(data) * position)
    _check(data[:at] + b"\xff\xfe" + junk + data[at:], name)


def _poke(record: Any, path: list[str], value: Any) -> Any:
    """Replace the value at a (best-effort) key path with ``value``."""
    if not path or not isinstance(record, dict) or not record:
        return value
    keys = sorted(record)
    key = keys[sum(map(ord, path[0])) % len(keys)]
    record[key] = _poke(record[key], path[1:], value)
    return record


JSON_NAMES = [n for n in NAMES if n.endswith(".jsonl")]


@FUZZ
@given(name=st.sampled_from(JSON_NAMES), path=st.lists(st.text(max_size=3), max_size=4), value=json_values,
       line=st.integers(min_value=0, max_value=SAMPLE_LINES - 1))
def test_wrong_typed_json_fields(name: str, path: list[str], value: Any, line: int) -> None:
    """A field anywhere in a record (top level or nested) replaced by any JSON value."""
    lines = SAMPLES[name].splitlines()
    line %= len(lines)
    try:
        record = json.loads(lines[line])
    except json.JSONDecodeError:
        return
    lines[line] = json.dumps(_poke(record, path, value)).encode()
    _check(b"\n".join(lines) + b"\n", name)


CSV_NAMES = [n for n in NAMES if n.endswith((".csv", ".tsv"))]


@FUZZ
@given(name=st.sampled_from(CSV_NAMES), cell=st.integers(min_value=0), value=st.text(max_size=30) | st.sampled_from(
    ["1.2E+18", "nan", "", "None", "[", "{\"a\":", "-1", "True", "9" * 40]))
def test_wrong_typed_csv_cells(name: str, cell: int, value: str) -> None:
    text = SAMPLES[name].decode("utf-8")
    sep = "\t" if name.endswith(".tsv") else ","
    rows = text.splitlines()
    if len(rows) < 2:
        return
    row = 1 + cell % (len(rows) - 1)
    fields = rows[row].split(sep)
    fields[cell % len(fields)] = value.replace(sep, " ").replace("\n", " ")
    rows[row] = sep.join(fields)
    _check(("\n".join(rows) + "\n").encode("utf-8", errors="replace"), name)


@FUZZ
@given(fmt=st.sampled_from(sorted(f for f in FORMATS if f != "custom-csv")), data=st.binary(max_size=400) | st.text(max_size=300).map(str.encode))
def test_random_bytes_at_every_forced_format(fmt: str, data: bytes) -> None:
    """Every loader of the registry, forced onto arbitrary bytes."""
    _check(data, "random.bin", fmt=fmt)


@FUZZ
@given(fmt=st.sampled_from(sorted(f for f in FORMATS if FORMATS[f].container == "json")), records=st.lists(json_values, min_size=1, max_size=4))
def test_random_json_records_at_every_json_format(fmt: str, records: list[Any]) -> None:
    _check(b"\n".join(json.dumps(r).encode() for r in records) + b"\n", "records.jsonl", fmt=fmt)


MAPPING = {"id": "tweet", "created_at": "when", "text": "body", "author": "who", "retweet_count": "shares",
           "hashtags": "tags"}
cells = st.text(max_size=25) | st.sampled_from(
    ["1398189600", "2014-04-22T18:00:00Z", "Tue Apr 22 18:30:00 +0000 2014", "467000000000000001",
     "4.67E+17", "['a', 'b']", "[\"#x\"]", "RT @someone: hi", "\"", ""])


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=6, max_size=7), min_size=1, max_size=5),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_mapped_csv_with_arbitrary_cells(rows: list[list[str]], delimiter: str) -> None:
    """The custom-CSV loader (explicit mapping) on arbitrary cells, quoted by the csv module."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["tweet", "when", "body", "who", "shares", "tags"])
    writer.writerows(rows)
    try:
        result = load(Upload(buffer.getvalue().encode("utf-8", errors="replace"), "mapped.csv"),
                      mapping=MAPPING)
    except BackfireError as exc:
        assert str(exc)
        return
    _assert_sound(result)


def _kept(data: bytes, name: str) -> int | None:
    """Rows kept from ``data``, or None when the loader refuses the whole file."""
    try:
        return load(Upload(data, name)).report.kept
    except BackfireError:
        return None


@FUZZ
@given(name=st.sampled_from(JSON_NAMES + CSV_NAMES), cut=st.floats(min_value=0.0, max_value=1.0))
def test_valid_rows_survive_a_cut_short_file(name: str, cut: float) -> None:
    """Not only "some clear error": every complete record before the cut is still loaded."""
    data = SAMPLES[name]
    at = int(len(data) * cut)
    whole_lines = data[: data.rfind(b"\n", 0, at) + 1]  # the complete lines before the cut
    before = _kept(whole_lines, name)
    if not before:
        return  # nothing valid before the cut (or only a header): nothing has to survive
    after = _kept(data[:at], name)
    assert after is not None and after >= before, (before, after)
