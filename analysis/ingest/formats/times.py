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
# Plausible post times. Outside them a date is corrupt (year 0019, 2262, 9999: a typo, an
# Excel serial gone wrong, a sentinel) and its row is rejected; the upper bound also keeps
# every value inside the nanosecond range of the canonical dtype (ends 2262-04-11).
EARLIEST: Final = pd.Timestamp("1970-01-01", tz="UTC")
LATEST: Final = pd.Timestamp("2100-01-01", tz="UTC")
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


def bounded(times: pd.Series) -> pd.Series:
    """``times`` as the canonical dtype, with values outside [EARLIEST, LATEST) made NaT.

    pandas parses year 0019 or 9999 at microsecond resolution; casting such a value to
    nanoseconds would raise ``OutOfBoundsDatetime`` for the whole column.
    """
    if times.dtype == object:
        times = pd.to_datetime(times, utc=True, errors="coerce")
    inside = (times >= EARLIEST) & (times < LATEST)
    return times.where(inside).astype(UTC_DTYPE)


def _with_format(fmt: str) -> Callable[[pd.Series], pd.Series]:
    def parse(values: pd.Series) -> pd.Series:
        return bounded(pd.to_datetime(values, format=fmt, utc=True, errors="coerce"))
    return parse


def iso(values: pd.Series) -> pd.Series:
    """ISO 8601 (``2021-03-01T12:34:56.000Z``, ``2016-12-21T19:30:03+00:00``, a space for T)."""
    return bounded(pd.to_datetime(values, format="ISO8601", utc=True, errors="coerce"))


def epoch(values: pd.Series) -> pd.Series:
    """Unix seconds or milliseconds."""
    numbers = pd.to_numeric(values, errors="coerce")
    millis = numbers.where(numbers.abs() < EPOCH_MS_THRESHOLD, numbers / 1000)
    sane = millis.where(millis.abs() < LATEST.timestamp())
    return bounded(pd.to_datetime(sane, unit="s", utc=True, errors="coerce"))


def twint(values: pd.Series) -> pd.Series:
    """Twint's local times: ``2020-05-01 14:03:22 CEST``, ``01-05-2020 14:03:22 CEST``, epoch ms."""
    return pd.Series([_twint_one(v) for v in values], index=values.index, dtype=UTC_DTYPE)


def _twint_one(value: object) -> pd.Timestamp | None:
    stamp = _twint_raw(value)
    return stamp if stamp is not None and EARLIEST <= stamp < LATEST else None


def _twint_raw(value: object) -> pd.Timestamp | None:
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
        except (ValueError, TypeError, OverflowError):
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


MELTWATER_FORMATS: Final = ("%d-%b-%Y %I:%M%p", "%d-%b-%Y %I:%M %p", "%d-%b-%Y %H:%M")
# A time written with its zone: "Z", "+0100", "+01:00", "GMT", "UTC" at the end, or epoch digits.
_ZONED = re.compile(r"(?:Z|[+-]\d{2}:?\d{2}|\b(?:UTC|GMT))\s*$|^\s*\d+(?:\.\d+)?\s*$", re.IGNORECASE)


def meltwater(values: pd.Series) -> pd.Series:
    """Meltwater UI exports: ``15-Nov-2025 09:30AM`` (no zone); any other form as ``any``."""
    out = pd.Series(pd.NaT, index=values.index, dtype=UTC_DTYPE)
    for fmt in MELTWATER_FORMATS:
        missing = out.isna() & values.notna()
        if not missing.any():
            return out
        out = out.mask(missing, _with_format(fmt)(values[missing]))
    missing = out.isna() & values.notna()
    return out.mask(missing, any_time(values[missing])) if missing.any() else out


def localize(values: pd.Series, times: pd.Series, zone: str) -> pd.Series:
    """Re-read the times whose text carried no zone as wall-clock times in ``zone``.

    The parsers read a zone-less time as UTC; an export written in, say, Europe/Paris then
    sits one or two hours late. Ambiguous or skipped local times (DST changes) become NaT.
    """
    if zone.upper() == "UTC":
        return times
    naive = ~values.astype("string").str.contains(_ZONED, na=True).to_numpy(dtype=bool)
    if not naive.any():
        return times
    wall = times[naive].dt.tz_localize(None)
    local = wall.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    out = times.copy()
    out[naive] = bounded(local)
    return out


def has_zone(value: object) -> bool:
    """Whether a time's text says its zone (or is epoch digits, which are UTC)."""
    return bool(_ZONED.search(str(value))) if value is not None else False


PARSERS: Final[dict[str, Callable[[pd.Series], pd.Series]]] = {
    "v1": _with_format(V1_FORMAT),
    "iso": iso,
    "sql": _with_format(SQL_FORMAT),
    "epoch": epoch,
    "twint": twint,
    "any": any_time,
    "meltwater": meltwater,
}
