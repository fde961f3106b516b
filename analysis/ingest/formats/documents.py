"""JSON containers: JSON Lines (one record per line) or one whole document.

Whole documents are JSON arrays, saved v1.1 search responses (``{"statuses": [...]}``),
pretty-printed objects and the account archive's ``tweets.js`` (a JavaScript assignment).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import IO, Any, Final, Literal

import orjson

from analysis.ingest.signatures import ACCOUNT_ARCHIVE_JS, UTF8_BOM

# Encoding tried on a line that is not valid UTF-8 (Excel and old Windows tools write it).
FALLBACK_ENCODING: Final = "cp1252"

Mode = Literal["lines", "items"]


def decode(line: bytes) -> tuple[Any, bool]:
    """One JSON value, and whether it had to be read as cp1252 (it was not valid UTF-8)."""
    try:
        return orjson.loads(line), False
    except orjson.JSONDecodeError as exc:
        if "utf-8" not in str(exc).lower():
            raise
        return orjson.loads(line.decode(FALLBACK_ENCODING, errors="replace")), True


def open_json(stream: IO[bytes], head: bytes) -> tuple[Mode, Iterator[Any]]:
    """``("lines", raw lines)`` for JSON Lines, ``("items", records)`` for a whole document.

    A file whose first line is not a complete JSON value is read whole: if it parses as one
    document its items are the records, otherwise it is JSON Lines with a bad first line.
    """
    if head.lstrip().startswith((b"[", ACCOUNT_ARCHIVE_JS)):
        data = stream.read()
    else:
        first = stream.readline()
        try:
            decode(first.removeprefix(UTF8_BOM))
        except orjson.JSONDecodeError:
            data = first + stream.read()
        else:
            return "lines", itertools.chain([first], stream)
    items = whole_document(data)
    if items is not None:
        return "items", iter(items)
    return "lines", iter(data.splitlines(keepends=True))


def whole_document(data: bytes) -> list[Any] | None:
    """The records of one JSON document, or None when ``data`` is not one document."""
    body = data.lstrip().removeprefix(UTF8_BOM)
    if body.startswith(ACCOUNT_ARCHIVE_JS):  # tweets.js: "window.YTD.tweets.part0 = [ … ]"
        body = body.split(b"=", 1)[1] if b"=" in body else b""
    try:
        document, _ = decode(body)
    except orjson.JSONDecodeError:
        return None
    if isinstance(document, dict) and isinstance(document.get("statuses"), list):
        document = document["statuses"]  # a saved v1.1 search response
    return document if isinstance(document, list) else [document]
