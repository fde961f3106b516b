"""CSV formats: which header means which canonical column, as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final


@dataclass(frozen=True)
class CsvSpec:
    """How one CSV format maps onto the canonical table."""

    name: str
    label: str
    detect: tuple[str, ...]
    time: str
    # canonical column -> header (the first header present in the file wins)
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


CSV_SPECS: Final[tuple[CsvSpec, ...]] = ()


def read_header(head: bytes) -> list[str]:
    raise NotImplementedError


def collect(*args: object) -> tuple[object, ...]:
    raise NotImplementedError
