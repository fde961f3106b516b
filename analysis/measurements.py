"""Measured speed and memory: the benchmarks' committed results (``benchmarks/results/*.json``),
as the Methods page and the docs show them. The figures are read from those files, never
typed again: a re-run of a benchmark updates the screen.

A results file holds ``benchmark``, ``measured_at``, ``machine``, ``load_average``,
``command``, ``note`` and ``figures`` (numbers, possibly nested by run); ``rows`` flattens the
nesting into ``figure`` -> ``value`` lines (``load_1m · tweets_per_s``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from analysis.store import paths

RESULTS_DIR: Final = paths.PROJECT_ROOT / "benchmarks" / "results"
# Joins the keys of nested figures into one figure name.
KEY_SEP: Final = " · "
# What each benchmark measures, in the order the Methods page shows them; others follow.
TITLES: Final[dict[str, str]] = {
    "ingest": "Ingest: a 1M-tweet archive into the canonical table",
    "score": "Scoring: 1M tweets through sentiment and hostility",
    "metrics": "Metrics and the score cache",
    "pages": "Page speed (server-side reruns, first start)",
    "load": "Load: concurrent browser sessions",
    "class": "A class: 30 students on one server",
    "page_ready": "Page-ready time in a real browser",
}

# Keys of a results file that describe the run rather than measure it.
META_KEYS: Final = frozenset({"benchmark", "measured_at", "date", "machine", "load_average",
                              "command", "note"})

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Measurement:
    """One benchmark's results file."""

    name: str
    title: str
    measured_at: str
    machine: str
    load_average: float | None
    command: str
    note: str
    rows: tuple[tuple[str, Any], ...]
    path: Path

    def caption(self) -> str:
        """When, on what and how it was measured, in one line (what the file leaves out is
        left out: a load average recorded per run is among the figures)."""
        parts = [self.measured_at, self.machine,
                 "" if self.load_average is None else f"load average {self.load_average}",
                 self.command, self.note]
        return " · ".join(part for part in parts if part and part != "?")


def rows(figures: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested figures as flat (name, value) rows, in the file's order."""
    if not isinstance(figures, dict):
        return [(prefix or "value", figures)]
    out: list[tuple[str, Any]] = []
    for key, value in figures.items():
        name = f"{prefix}{KEY_SEP}{key}" if prefix else str(key)
        out += rows(value, name) if isinstance(value, dict) else [(name, value)]
    return out


def read(path: Path) -> Measurement | None:
    """A results file, or None (with a warning in the log) when it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        log.warning("benchmark results %s not shown: %s", path, err)
        return None
    # The file names the result (two files may hold runs of one script); the script, its title.
    script = Path(str(data.get("benchmark") or path.stem).split()[0]).stem
    title = TITLES.get(script, script) + ("" if script == path.stem else f" ({path.name})")
    load_average = _meta(data, "load_average", "load_average_before")
    if isinstance(load_average, list):  # (1 min, 5 min, 15 min): the 1-minute figure
        load_average = load_average[0] if load_average else None
    return Measurement(name=path.stem, title=title,
                       measured_at=str(_meta(data, "measured_at", "date") or "?"),
                       machine=machine_text(_meta(data, "machine")),
                       load_average=load_average if isinstance(load_average, int | float) else None,
                       command=str(data.get("command", "")), note=str(data.get("note", "")),
                       rows=tuple(rows(_figures(data))), path=path)


def _meta(data: dict[str, Any], *keys: str) -> Any:
    """The first of ``keys`` in the file, else in its first run (a script that writes one
    record per run keeps the machine and date in each)."""
    runs = [v for v in data.values() if isinstance(v, dict)]
    for where in (data, *runs[:1]):
        for key in keys:
            if where.get(key) is not None:
                return where[key]
    return None


def machine_text(machine: Any) -> str:
    """The machine as one line: a script's own text, or its record (cores, CPU, RAM, Python)."""
    if isinstance(machine, dict):
        cores = machine.get("nproc") or machine.get("cpu_count") or machine.get("cores") or "?"
        cpu = machine.get("cpu_model") or machine.get("cpu") or "?"
        return (f"{cores} cores ({cpu}), "
                f"{machine.get('ram_gb', '?')} GB RAM, Python {machine.get('python', '?')}")
    return "?" if machine is None else str(machine)


def _figures(data: dict[str, Any]) -> Any:
    """``figures``, or (a script that writes its own layout) everything but the metadata."""
    if "figures" in data:
        return data["figures"]
    return {k: v for k, v in data.items() if k not in META_KEYS}


def load(folder: Path = RESULTS_DIR) -> list[Measurement]:
    """Every results file of ``folder``, the known benchmarks first."""
    found = [m for m in (read(p) for p in sorted(folder.glob("*.json"))) if m is not None]
    order = list(TITLES)
    return sorted(found, key=lambda m: (order.index(m.name) if m.name in order else len(order), m.name))
