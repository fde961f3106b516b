"""Committed benchmark results: ``benchmarks/results/<name>.json``, read by the Methods page and
quoted by ``docs/performance.md`` (``tests/test_docs.py`` checks the quotes against them).

Every file says when and where it was measured: ``measured_at`` (UTC), ``machine`` (cores, CPU,
RAM, Python), ``load_average`` (1-minute, before the run) and the ``command``; ``figures`` holds
what the script measured (numbers, or tables of numbers).
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

RESULTS: Final = Path(__file__).resolve().parent / "results"


def machine() -> str:
    """``2 cores (AMD EPYC 7B13), 23.5 GB RAM, Python 3.11.7``: what the figures depend on."""
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    kb = next((int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
               if line.startswith("MemTotal")), 0)
    return (f"{os.cpu_count()} cores ({cpu}), {kb / 1024 / 1024:.1f} GB RAM, "
            f"Python {platform.python_version()}")


def write(name: str, figures: dict[str, Any], *, load_before: float | None = None,
          note: str = "") -> Path:
    """Write ``benchmarks/results/<name>.json`` (small, committed) and return its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "load_average": round(os.getloadavg()[0] if load_before is None else load_before, 1),
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "note": note,
        "figures": figures,
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def save_report(report: dict[str, Any], out: Path, *, as_json: bool,
                print_table: Callable[[dict[str, Any]], None]) -> None:
    """Write a browser benchmark's full report to ``out`` (indented JSON) and print it: that
    JSON with ``--json``, else the script's own table."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""
