"""File signatures: each format is recognised in a real file written by the library that makes
it, and text that merely starts like a signature is not taken for it."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import sqlite3
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest import signatures

TEXT = b'{"id_str": "1", "text": "hello"}\n' * 50


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.jsonl", TEXT)
    return buffer.getvalue()


def _tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("a.jsonl")
        info.size = len(TEXT)
        archive.addfile(info, io.BytesIO(TEXT))
    return buffer.getvalue()


def _sqlite(tmp_path: Path) -> bytes:
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("create table t (x)")
    return path.read_bytes()


def _parquet(tmp_path: Path) -> bytes:
    path = tmp_path / "t.parquet"
    pd.DataFrame({"x": [1, 2]}).to_parquet(path)
    return path.read_bytes()


@pytest.mark.parametrize(("name", "make"), [
    ("gzip", lambda _: gzip.compress(TEXT)),
    ("bzip2", lambda _: bz2.compress(TEXT)),
    ("bzip2", lambda _: bz2.compress(b"")),  # the end-of-stream magic right after the header
    ("zip", lambda _: _zip()),
    ("xz", lambda _: lzma.compress(TEXT)),
    ("lzma", lambda _: lzma.compress(TEXT, format=lzma.FORMAT_ALONE)),
    ("tar", lambda _: _tar()),
    ("sqlite", _sqlite),
    ("parquet", _parquet),
])
def test_real_files_are_recognised(name: str, make: Callable[[Path], bytes], tmp_path: Path) -> None:
    head = make(tmp_path)[:64 * 1024]
    assert signatures.format_of(head) == name
    assert (name in signatures.ARCHIVES) == (name in {"gzip", "bzip2", "zip", "xz", "lzma", "tar"})


@pytest.mark.parametrize("head", [
    TEXT,
    b"MZ,count\n1,2\n",
    b"GIF8 fans,text\n",
    b"BZh fans,text\n",
    b"%PDF,text\n",
    b"x" * 257 + b"ustar and more text\n",
])
def test_text_is_no_format(head: bytes) -> None:
    assert signatures.is_text(head)
    assert signatures.format_of(head) is None


def test_every_signature_has_one_name() -> None:
    names = [s.name for s in signatures.SIGNATURES]
    assert len(names) == len(set(names))
    assert set(names) >= signatures.ARCHIVES


def test_workbook_headers_start_real_workbooks(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    pd.DataFrame({"x": [1]}).to_excel(path)
    assert path.read_bytes().startswith(signatures.WORKBOOK_HEADERS)
    assert signatures.format_of(path.read_bytes()) == "zip"
