"""Spreadsheet-formula neutralisation for exported cells (CSV injection).

Tweets are attacker-controlled text. A cell such as ``=HYPERLINK("http://x","y")`` or
``@SUM(1)`` in an exported CSV runs as a formula when an analyst opens the file in Excel,
LibreOffice or Google Sheets. Following the OWASP CSV-injection guidance, every *text* cell
whose first meaningful character could start a formula is prefixed with a single quote,
which spreadsheets display as text. Numbers are left alone, so a numeric column with
negative values stays numeric. The original text is recoverable: drop the leading quote.

https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

import pandas as pd

# Characters that make a spreadsheet parse a cell as a formula (OWASP list). Tab and
# carriage return are on it because some importers strip them and then see what follows.
FORMULA_STARTS: Final[frozenset[str]] = frozenset({"=", "+", "-", "@", "\t", "\r", "\n"})
# Look-alikes that spreadsheets (or their import wizards) may fold into the ones above and
# that NFKC normalisation does not map to them (NFKC already maps full-width ＝＋－＠ and the
# small forms ﹦﹢﹣﹫).
FORMULA_LOOKALIKES: Final[frozenset[str]] = frozenset({"\u2212", "\u2796", "\u2795"})
# Unicode categories a spreadsheet may skip before it looks for the formula sign: spaces,
# controls and invisible format characters (zero-width space, BOM, bidi marks).
SKIPPED_CATEGORIES: Final[frozenset[str]] = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})
# What goes in front of a dangerous cell: a single quote is shown as text by every
# spreadsheet, and it is what OWASP recommends.
ESCAPE: Final = "'"
# A CSV written for Excel users: the BOM makes Excel read the file as UTF-8.
UTF8_BOM: Final = "\ufeff"
# How list cells (hashtags, mentions) are written into one CSV cell.
LIST_SEPARATOR: Final = " "


def is_dangerous(text: str) -> bool:
    """True if a spreadsheet could read ``text`` as a formula."""
    for char in text:
        if char in FORMULA_STARTS:
            return True
        if unicodedata.category(char) in SKIPPED_CATEGORIES:
            continue
        return _folds_to_formula_start(char)
    return False


def _folds_to_formula_start(char: str) -> bool:
    return char in FORMULA_LOOKALIKES or unicodedata.normalize("NFKC", char)[:1] in FORMULA_STARTS


def neutralise_cell(value: object) -> object:
    """Return ``value`` with a leading quote if it is text that could run as a formula.

    Anything that is not a ``str`` (numbers, missing values, timestamps) is returned as is.
    """
    if isinstance(value, str) and is_dangerous(value):
        return ESCAPE + value
    return value


def _is_text_column(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series.dtype) or series.dtype == object


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are neutralised; numeric columns untouched.

    Lists inside object cells (hashtags, mentions) have each element neutralised.
    """
    out = frame.copy()
    for name in out.columns:
        series = out[name]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = out[name] = series.astype(object)  # categories could collide once quoted
        if _is_text_column(series):
            out[name] = series.map(_neutralise_any, na_action="ignore").astype(series.dtype)
    return out


def _neutralise_any(value: object) -> object:
    if isinstance(value, list | tuple):
        return [neutralise_cell(item) for item in value]
    return neutralise_cell(value)


def flatten_lists(frame: pd.DataFrame, separator: str = LIST_SEPARATOR) -> pd.DataFrame:
    """A copy of ``frame`` where list cells become one string joined by ``separator``."""
    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object and out[name].map(_is_list).any():
            out[name] = out[name].map(lambda v: _join(v, separator) if _is_list(v) else v)
    return out


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple)


def _join(items: Iterable[object], separator: str) -> str:
    return separator.join(str(item) for item in items)


def to_safe_csv(frame: pd.DataFrame, *, bom: bool = False) -> bytes:
    """``frame`` as UTF-8 CSV bytes in which no cell can run as a spreadsheet formula.

    List cells are joined with spaces first (then neutralised as one cell). Every text
    cell is quoted, as OWASP recommends; numbers stay bare so they remain numbers.
    """
    safe = neutralise_frame(flatten_lists(frame))
    safe.columns = [str(neutralise_cell(str(name))) for name in safe.columns]
    text = safe.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    return ((UTF8_BOM if bom else "") + text).encode("utf-8")


# --- links ---------------------------------------------------------------------------------
# Schemes that may become a link: a case file or an archive could carry ``javascript:`` or
# ``data:`` addresses.
WEB_SCHEMES: Final = frozenset({"http", "https"})
# Characters that end or break a link in markdown or HTML: an address holding one stays text.
_LINK_BREAKERS: Final = re.compile(r"[\s()<>\[\]\"'`]")


def web_link(url: str | None) -> str | None:
    """``url`` (trimmed) when it may become a link, else None: an absolute http(s) address with
    a host and nothing that could break out of a markdown or HTML link. The one rule for the
    app's links and the exports' links."""
    text = str(url or "").strip()
    if not text or _LINK_BREAKERS.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in WEB_SCHEMES and parts.netloc else None
