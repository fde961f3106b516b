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
from analysis.ingest.formats.inputs import inputs

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


@pytest.mark.parametrize(("name", "head"), [
    ("7z", b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(24)),
    ("rar", b"Rar!\x1a\x07\x01\x00" + bytes(24)),
    ("zstd", b"\x28\xb5\x2f\xfd\x24\x00" + bytes(24)),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    ("png", signatures.PNG_HEADER + b"\x00\x00\x00\rIHDR"),
    ("jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
    ("gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00"),
    ("elf", b"\x7fELF\x02\x01\x01\x00" + bytes(8)),
    ("exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
])
def test_binary_heads_are_recognised(name: str, head: bytes) -> None:
    assert signatures.format_of(head) == name


def test_text_starting_like_bzip2_loads_as_text(tmp_path: Path) -> None:
    """'BZh' alone does not make a bzip2 stream: the upload check and the reader agree."""
    path = tmp_path / "export.csv"
    path.write_bytes(b"BZh fans,id,text,created_at\n1,1,hi,2014-04-22T18:00:00Z\n")
    with inputs(path)[0].open() as stream:
        assert stream.read().startswith(b"BZh fans")
