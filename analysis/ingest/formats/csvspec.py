"""How one CSV/XLSX layout maps onto the canonical table (the value type of the CSV registry)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class CsvSpec:
    """How one CSV format maps onto the canonical table."""

    name: str
    label: str
    detect: tuple[str, ...]
    time: str
    # canonical column -> candidate headers (the first present in the file wins)
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # canonical bool column -> header holding true/false/yes/no
    flags: Mapping[str, str] = field(default_factory=dict)
    # hook for what a header map cannot say (a name in DERIVATIONS, or the function itself)
    derive: str | Callable[[pd.DataFrame, pd.DataFrame], None] | None = None
    # twarc-csv writes newlines inside text as the two characters backslash-n
    escaped_newlines: bool = False
    # other header sets that also identify the format (vendors renamed columns over time)
    detect_also: tuple[tuple[str, ...], ...] = ()
    # where the rows come from when no column says it (a key of schema.PLATFORMS)
    platform: str = "x"
    # ids are the vendor's own (any token), not only X's digits
    vendor_ids: bool = False
    # times are written without a zone (read in the zone the user picks, UTC by default)
    naive_times: bool = False
    # text carries X's HTML entities (&amp; &lt; &gt;)
    html_entities: bool = False


def cols(**columns: str | tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {k: (v,) if isinstance(v, str) else v for k, v in columns.items()}
