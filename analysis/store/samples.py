"""A case's real sample from the Internet Archive's Stream Grab, as its own dataset.

``python -m analysis streamgrab`` writes ``<case>.jsonl.gz`` and ``<case>.sampling.json``
into ``paths.samples_dir()``. Here that pair becomes a ``Case`` of provenance ``"sample"``
with its own id (``<case>~sample``), so every table, KPI and export of it is cached and
labelled apart from the reconstruction and the two are never mixed. The sample is complete
once its sidecar exists (the command writes it last).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from analysis.cases import Case
from analysis.ingest.streamgrab import items
from analysis.store import paths

# Suffix of a sample dataset's case id (not a character case ids of files use).
ID_SUFFIX: Final = "~sample"
LINES_SUFFIX: Final = ".jsonl.gz"
SIDECAR_SUFFIX: Final = ".sampling.json"


def sample_id(case_id: str) -> str:
    return f"{case_id}{ID_SUFFIX}"


def base_id(case_id: str) -> str:
    """The reconstruction's id of a sample id (other ids unchanged)."""
    return case_id.removesuffix(ID_SUFFIX)


def is_sample_id(case_id: str) -> bool:
    return case_id.endswith(ID_SUFFIX)


def files(case_id: str) -> tuple[Path, Path]:
    folder = paths.samples_dir()
    return folder / f"{base_id(case_id)}{LINES_SUFFIX}", folder / f"{base_id(case_id)}{SIDECAR_SUFFIX}"


def available(case_id: str) -> bool:
    lines, sidecar = files(case_id)
    return lines.is_file() and sidecar.is_file()


def sidecar(case_id: str) -> dict[str, Any]:
    """The run's ``sampling.json`` (empty when missing or unreadable)."""
    try:
        data = json.loads(files(case_id)[1].read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def grab_label(side: dict[str, Any]) -> str:
    """Names the grab: 'Internet Archive Twitter Stream Grab (1 % sample): <file>, …'."""
    names = ", ".join(str(a.get("name")) for a in side.get("archives", [])) or "unknown download"
    return f"Internet Archive Twitter Stream Grab (1 % sample): {names}"


def sample_case(case: Case) -> Case:
    """The case's real sample as a case of its own (provenance ``sample``)."""
    side = sidecar(case.id)
    caveat = (f"Real tweets from the {grab_label(side)}, extracted by Backfire's streamgrab "
              f"{side.get('tool_version', '?')} on {side.get('run', {}).get('created', '?')}. "
              "Every count is about 1 % of the true volume; estimates carry Poisson intervals.")
    return dataclasses.replace(case, id=sample_id(case.id), provenance="sample",
                               archives=(files(case.id)[0],), caveats=(caveat, *case.caveats[1:]),
                               reconstruction=None)


@dataclass(frozen=True)
class HowTo:
    """How to get a case's sample: the item, its size, the download and the one command."""

    item: str
    file: str
    size: str
    url: str
    command: str
    note: str


def how_to(case: Case) -> HowTo:
    item = items.item_for(f"{case.launch:%Y-%m}")
    files = item.file if item.single_file else "DAY-FILES…"
    note = item.note if item.single_file else (
        "This month is stored as daily files: download the days of the case window (plus one "
        "on each side) and name them all on the command line.")
    return HowTo(item.item, item.file if item.single_file else "the daily files", item.size_text,
                 item.url, f".venv/bin/python -m analysis streamgrab {files} --case {case.id}", note)
