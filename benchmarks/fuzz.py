"""Fuzz benchmark: thousands of damaged versions of every real archive, through ``load``.

    .venv/bin/python benchmarks/fuzz.py                  # 600 mutations per file (>= 10,000)
    .venv/bin/python benchmarks/fuzz.py --per-file 50     # a quick look

Every file of ``../shared/real-archives`` is mutated ``--per-file`` times with a seeded
random generator: truncation, byte flips, inserted junk, JSON type changes and key renames,
CSV cell and header damage, dates moved to years 0019/2262/9999, gzip/bzip2/zip wrappers
(also of truncated data) and odd encodings (UTF-16, cp1252, Latin-1, stray BOMs). Each
input goes through ``analysis.ingest.loaders.load`` exactly as an upload does and ends as:

- ``loaded``: a table and a report whose counts reconcile (read = kept + rejected + duplicates);
- ``clear_error``: a ``BackfireError`` with a one-line message naming the file;
- ``unhandled``: anything else (another exception, a report that does not reconcile). Must be 0.

This is a benchmark, not a test (the CI runs a fast hypothesis property test instead).
Results: ``benchmarks/results/fuzz.json`` (counts per file and per mutation, the first
unhandled cases, machine, load average, date).
"""

from __future__ import annotations

import argparse
import bz2
import datetime as dt
import gzip
import io
import json
import os
import platform
import random
import sys
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: import the project's analysis

from analysis.errors import BackfireError  # noqa: E402
from analysis.ingest.loaders import load  # noqa: E402
from analysis.store.paths import SHARED_DIR  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "fuzz.json"
REAL = SHARED_DIR / "real-archives"
SEED = 20261130
# Examples of unhandled inputs kept in the results (all are counted).
MAX_EXAMPLES = 20
BAD_YEARS = ("0019", "2262", "9999")
JUNK_VALUES: tuple[Any, ...] = (None, 0, -1, 2**70, 1.5e300, float("nan"), "", "x" * 300, [], {},
                                True, "0019-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "\x00", "🙂" * 50)

Mutation = Callable[[bytes, random.Random], bytes]


# --------------------------------------------------------------------------- mutations
def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(0, max(1, len(data)))]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def insert_junk(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(0, len(data) + 1)
    junk = rng.choice([b"\x00\x00", b"\xff\xfe", b'","', b"\n\n{", b"}]", b"\r", b'"', b"\xef\xbb\xbf",
                       bytes(rng.randrange(256) for _ in range(8))])
    return data[:at] + junk + data[at:]


def _json_values(data: bytes) -> tuple[list[Any], bool] | None:
    """The JSON values of a file (lines or one document) and whether it was JSON Lines."""
    text = data.decode("utf-8", errors="replace")
    try:
        return [json.loads(text)], False
    except ValueError:
        pass
    try:
        return [json.loads(line) for line in text.splitlines() if line.strip()], True
    except ValueError:
        return None


def _dump(values: list[Any], lines: bool) -> bytes:
    if lines:
        return ("\n".join(json.dumps(v) for v in values) + "\n").encode()
    return json.dumps(values[0]).encode()


def _containers(node: Any, found: list[Any]) -> None:
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            _containers(value, found)
    elif isinstance(node, list):
        found.append(node)
        for value in node:
            _containers(value, found)


def _pick_container(values: list[Any], rng: random.Random) -> Any | None:
    found: list[Any] = []
    for value in values:
        _containers(value, found)
    found = [c for c in found if c]
    return rng.choice(found) if found else None


def _edit_json(data: bytes, rng: random.Random, edit: Callable[[Any], None],
               otherwise: Callable[[bytes, random.Random], bytes]) -> bytes:
    """``edit`` one to five containers of a JSON file (or lines); ``otherwise`` for a CSV."""
    parsed = _json_values(data)
    if parsed is None:
        return otherwise(data, rng)
    values, lines = parsed
    for _ in range(rng.randint(1, 5)):
        container = _pick_container(values, rng)
        if container is not None:
            edit(container)
    return _dump(values, lines)


def change_type(data: bytes, rng: random.Random) -> bytes:
    def junk(container: Any) -> None:
        if isinstance(container, dict):
            container[rng.choice(list(container))] = rng.choice(JUNK_VALUES)
        elif isinstance(container, list):
            container[rng.randrange(len(container))] = rng.choice(JUNK_VALUES)

    return _edit_json(data, rng, junk, csv_cell)


def rename_key(data: bytes, rng: random.Random) -> bytes:
    def rename(container: Any) -> None:
        if isinstance(container, dict):
            key = rng.choice(list(container))
            container[key + rng.choice(["_", "X", " "])] = container.pop(key)

    return _edit_json(data, rng, rename, csv_header)


def bad_dates(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", errors="replace")
    for year in ("2010", "2011", "2012", "2013", "2014", "2016", "2019", "2021", "2022", "2023",
                 "2024", "2025", "2026"):
        if year in text and rng.random() < 0.5:
            text = text.replace(year, rng.choice(BAD_YEARS), rng.randint(1, 3))
    return text.encode()


def csv_cell(data: bytes, rng: random.Random) -> bytes:
    lines = data.decode("utf-8", errors="replace").split("\n")
    if len(lines) < 2:
        return flip_bytes(data, rng)
    row = rng.randrange(1, len(lines))
    cells = lines[row].split(",")
    cells[rng.randrange(len(cells))] = rng.choice(["", "NaN", "1e400", "-5", "abc", '"', "2262-06-01",
                                                   "0019-05-01", "1.46e18", "\t", "=cmd()"])
    lines[row] = ",".join(cells)
    return "\n".join(lines).encode()


def csv_header(data: bytes, rng: random.Random) -> bytes:
    lines = data.decode("utf-8", errors="replace").split("\n")
    cells = lines[0].split(",")
    cells[rng.randrange(len(cells))] = rng.choice(["", "id", "ID", "text ", "créé", "id"])
    lines[0] = ",".join(cells)
    return "\n".join(lines).encode()


def gzip_wrap(data: bytes, rng: random.Random) -> bytes:
    packed = gzip.compress(_maybe_damaged(data, rng))
    return packed if rng.random() < 0.7 else packed[:rng.randrange(1, len(packed))]


def bzip2_wrap(data: bytes, rng: random.Random) -> bytes:
    packed = bz2.compress(_maybe_damaged(data, rng))
    return packed if rng.random() < 0.7 else packed[:rng.randrange(1, len(packed))]


def zip_wrap(data: bytes, rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/part1" + rng.choice([".jsonl", ".csv", ".json", ".txt"]),
                         _maybe_damaged(data, rng))
        if rng.random() < 0.3:
            archive.writestr("__MACOSX/._part1", b"\x00\x05\x16\x07")
    packed = buffer.getvalue()
    return packed if rng.random() < 0.8 else packed[:rng.randrange(1, len(packed))]


def odd_encoding(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", errors="replace")
    codec = rng.choice(["utf-16", "utf-16-le", "cp1252", "latin-1", "utf-8-sig", "bom-in-middle"])
    if codec == "bom-in-middle":
        at = rng.randrange(0, len(data) + 1)
        return data[:at] + b"\xef\xbb\xbf" + data[at:]
    return text.encode(codec, errors="replace")


def _maybe_damaged(data: bytes, rng: random.Random) -> bytes:
    return flip_bytes(data, rng) if rng.random() < 0.3 else data


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate, "flip_bytes": flip_bytes, "insert_junk": insert_junk,
    "change_type": change_type, "rename_key": rename_key, "bad_dates": bad_dates,
    "csv_cell": csv_cell, "csv_header": csv_header, "gzip": gzip_wrap, "bzip2": bzip2_wrap,
    "zip": zip_wrap, "odd_encoding": odd_encoding,
}


# --------------------------------------------------------------------------- running
class Named(io.BytesIO):
    """An in-memory upload with a name, as Streamlit hands it over."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def outcome(data: bytes, name: str) -> tuple[str, str]:
    """('loaded' | 'clear_error' | 'unhandled', detail)."""
    try:
        result = load(Named(data, name), workers=1)
    except BackfireError as exc:
        message = str(exc)
        if not message or "\n" in message or "Traceback" in message:
            return "unhandled", f"unclear message: {message!r}"
        return "clear_error", message[:120]
    except Exception as exc:  # noqa: BLE001 - counting these is the point of the benchmark
        return "unhandled", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}"
    if not result.report.reconciles:
        report = result.report
        return "unhandled", (f"counts do not reconcile: read {report.rows_read} != kept {report.kept}"
                             f" + rejected {report.rejected} + duplicates {report.duplicates}")
    return "loaded", ""


def machine() -> dict[str, Any]:
    model = platform.processor()
    try:
        with open("/proc/cpuinfo") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle
                          if line.startswith("model name")), model)
        with open("/proc/meminfo") as handle:
            mem_kb = next(int(line.split()[1]) for line in handle if line.startswith("MemTotal:"))
    except OSError:
        mem_kb = 0
    return {"cpu": model, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 1024**2, 1),
            "python": platform.python_version()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-file", type=int, default=600, help="mutations of each real file")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    files = sorted(p for p in REAL.iterdir() if p.is_file() and p.suffix != ".md")
    if not files:
        print(f"no real archives in {REAL}", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    totals: Counter[str] = Counter()
    per_file: dict[str, dict[str, int]] = {}
    per_mutation: dict[str, Counter[str]] = {name: Counter() for name in MUTATIONS}
    examples: list[dict[str, str]] = []
    for path in files:
        original = path.read_bytes()
        counts: Counter[str] = Counter()
        for index in range(args.per_file):
            mutation = rng.choice(list(MUTATIONS))
            data = MUTATIONS[mutation](original, rng)
            kind, detail = outcome(data, f"{path.name}#{index}")
            counts[kind] += 1
            per_mutation[mutation][kind] += 1
            if kind == "unhandled" and len(examples) < MAX_EXAMPLES:
                examples.append({"file": path.name, "index": str(index), "mutation": mutation,
                                 "detail": detail})
        per_file[path.name] = dict(counts)
        totals.update(counts)
        print(f"{path.name:<48} {dict(counts)}", flush=True)
    seconds = time.perf_counter() - started
    results = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "load_average": round((load_before + os.getloadavg()[0]) / 2, 1),
        "seed": args.seed, "files": len(files), "per_file": args.per_file,
        "inputs": sum(totals.values()), "seconds": round(seconds, 1),
        "totals": {k: totals.get(k, 0) for k in ("loaded", "clear_error", "unhandled")},
        "by_file": per_file, "by_mutation": {k: dict(v) for k, v in per_mutation.items()},
        "unhandled_examples": examples,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{results['inputs']:,} inputs in {seconds:.0f} s: {results['totals']} -> {args.out}")
    return 0 if totals.get("unhandled", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
