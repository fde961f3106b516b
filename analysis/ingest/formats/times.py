"""Creation-time parsers, one per way the formats write a time, all returning UTC.

Each parser takes a Series of strings and returns a ``datetime64[ns, UTC]`` Series with
``NaT`` where a value could not be read (the loader rejects those rows, naming the value).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

import pandas as pd

UTC_DTYPE: Final = "datetime64[ns, UTC]"
V1_FORMAT: Final = "%a %b %d %H:%M:%S %z %Y"    # "Wed Oct 10 20:19:24 +0000 2018"
SQL_FORMAT: Final = "%Y-%m-%d %H:%M:%S"          # DMI-TCAT, 4CAT, TAGS `time` (no zone: UTC)
# Twint writes the scraper's local zone as an abbreviation; these are the ones its users had.
# An unknown abbreviation is rejected rather than guessed.
ZONE_OFFSETS: Final[dict[str, str]] = {
    "UTC": "+0000", "GMT": "+0000", "WET": "+0000", "WEST": "+0100", "BST": "+0100",
    "CET": "+0100", "CEST": "+0200", "EET": "+0200", "EEST": "+0300", "MSK": "+0300",
    "EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500", "MST": "-0700",
    "MDT": "-0600", "PST": "-0800", "PDT": "-0700", "AEST": "+1000", "AEDT": "+1100",
    "JST": "+0900", "KST": "+0900", "HKT": "+0800", "SGT": "+0800",
}
# Epoch values above this are milliseconds (older Twint, 4CAT `unix_timestamp` is seconds).
EPOCH_MS_THRESHOLD: Final = 10**11
_TWINT_ZONE = re.compile(r"^(?P<stamp>.+?)\s+(?P<zone>[A-Z]{2,5}|[+-]\d{4})$")
_DIGITS = re.compile(r"^\d+(\.\d+)?$")


def _with_format(fmt: str) -> Callable[[pd.Series], pd.Series]:
    def parse(values: pd.Series) -> pd.Series:
        return pd.to_datetime(values, format=fmt, utc=True, errors="coerce").astype(UTC_DTYPE)
    return parse


def iso(values: pd.Series) -> pd.Series:
    """ISO 8601 (``2021-03-01T12:34:56.000Z``, ``2016-12-21T19:30:03+00:00``)."""
    return pd.to_datetime(values, format="ISO8601", utc=True, errors="coerce").astype(UTC_DTYPE)


def epoch(values: pd.Series) -> pd.Series:
    """Unix seconds or milliseconds."""
    numbers = pd.to_numeric(values, errors="coerce")
    millis = numbers.where(numbers < EPOCH_MS_THRESHOLD, numbers / 1000)
    return pd.to_datetime(millis, unit="s", utc=True, errors="coerce").astype(UTC_DTYPE)


def twint(values: pd.Series) -> pd.Series:
    """Twint's local times: ``2020-05-01 14:03:22 CEST``, ``01-05-2020 14:03:22 CEST``, epoch ms."""
    return pd.Series([_twint_one(v) for v in values], index=values.index, dtype=UTC_DTYPE)


def _twint_one(value: object) -> pd.Timestamp | None:
    text = str(value).strip() if value is not None else ""
    if _DIGITS.match(text):
        return epoch(pd.Series([text])).iloc[0]
    match = _TWINT_ZONE.match(text)
    if match is None:
        return None
    stamp, zone = match["stamp"], match["zone"]
    offset = zone if zone[0] in "+-" else ZONE_OFFSETS.get(zone)
    if offset is None:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%d-%m-%Y %H:%M:%S %z"):
        try:
            return pd.Timestamp(pd.to_datetime(f"{stamp} {offset}", format=fmt)).tz_convert("UTC")
        except (ValueError, TypeError):
            continue
    return None


def any_time(values: pd.Series) -> pd.Series:
    """For mapped CSVs: ISO 8601, then the v1.1 form, then epoch seconds/milliseconds."""
    out = iso(values)
    for parser in (PARSERS["v1"], PARSERS["sql"], epoch):
        missing = out.isna() & values.notna()
        if not missing.any():
            break
        out = out.mask(missing, parser(values[missing]))
    return out


PARSERS: Final[dict[str, Callable[[pd.Series], pd.Series]]] = {
    "v1": _with_format(V1_FORMAT),
    "iso": iso,
    "sql": _with_format(SQL_FORMAT),
    "epoch": epoch,
    "twint": twint,
    "any": any_time,
}
