"""Inputs: turn a path, a list of paths or an uploaded file into named binary streams.

Compression is recognised by its magic bytes, not by the file name (uploads are often
misnamed): gzip, bzip2 and zip (each zip member becomes one input). ``max_bytes`` caps the
decompressed size of every input and ``max_members`` the members of a zip, so the upload
layer can refuse decompression bombs.
"""

from __future__ import annotations

import bz2
import io
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, cast

# ISA-L decompresses gzip ~2.5x faster than zlib (same format and API as gzip).
from isal import igzip, isal_zlib

from analysis.errors import ArchiveError, UploadRejected
from analysis.ingest.signatures import BZIP2, GZIP, ZIP_LOCAL_HEADER

# Bytes looked at to recognise a compressed stream (bzip2's stream magic ends at byte 10).
HEAD_BYTES = 16
# Large buffered reads keep line iteration in C (1 MiB: a few thousand tweets per read).
READ_BUFFER = 1 << 20
# Members of a zip that are never tweet files (macOS resource forks, folders).
IGNORED_MEMBER_PREFIXES = ("__MACOSX/",)
# An X account archive unpacked: its root folder holds the posts in this sub-folder.
ACCOUNT_ARCHIVE_DATA = "data"
# A zip holding one of these is a workbook (XLSX, ODS), read as a spreadsheet, not expanded.
WORKBOOK_MARKERS = ("xl/workbook.xml", "content.xml")
# What truncated or corrupt compressed data raises while it is read.
DECOMPRESSION_ERRORS: tuple[type[Exception], ...] = (
    EOFError, OSError, zlib.error, cast(type[Exception], isal_zlib.error), zipfile.BadZipFile, ValueError)
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
              NotImplementedError, KeyError)


class NamedUpload(Protocol):
    """What Streamlit's ``UploadedFile`` (and any open binary file) offers."""

    name: str

    def read(self, size: int = ..., /) -> bytes: ...


Source = str | Path | bytes | NamedUpload


@dataclass(frozen=True)
class Input:
    """One readable file: its display name and a way to open it decompressed."""

    name: str
    data: bytes | None = None
    path: Path | None = None
    member: str | None = None

    def open(self, max_bytes: int | None = None) -> IO[bytes]:
        raw = self._open_raw()
        head = raw.peek(HEAD_BYTES)[:HEAD_BYTES] if isinstance(raw, io.BufferedReader) else b""
        stream: IO[bytes] = raw
        if GZIP.matches(head):
            stream = cast(IO[bytes], igzip.IGzipFile(fileobj=raw, mode="rb"))
        elif BZIP2.matches(head):
            stream = cast(IO[bytes], bz2.BZ2File(raw, mode="rb"))
        if max_bytes is not None:
            capped = _CappedReader(stream, max_bytes, self.name)
            return cast(IO[bytes], io.BufferedReader(capped, READ_BUFFER))
        if stream is raw:
            return stream
        return cast(IO[bytes], io.BufferedReader(cast(io.RawIOBase, _RawAdapter(stream, self.name)),
                                                 READ_BUFFER))

    def _open_raw(self) -> io.BufferedReader:
        if self.member is not None:
            try:
                archive = zipfile.ZipFile(self.path if self.path is not None else io.BytesIO(self.data or b""))
                member = archive.open(self.member)
            except ZIP_ERRORS as exc:
                raise ArchiveError(f"unreadable zip member ({exc})", path=self.name) from None
            return io.BufferedReader(cast(io.RawIOBase, _RawAdapter(member, self.name)), READ_BUFFER)
        if self.path is not None:
            return cast(io.BufferedReader, open(self.path, "rb", buffering=READ_BUFFER))  # noqa: SIM115
        return io.BufferedReader(cast(io.RawIOBase, _RawAdapter(io.BytesIO(self.data or b""))), READ_BUFFER)


class _RawAdapter(io.RawIOBase):
    """Present any binary stream as a raw stream so ``io.BufferedReader`` can wrap it.

    Decompression failures (truncated or corrupt gzip/bzip2/zip data) become ``ArchiveError``.
    """

    def __init__(self, stream: IO[bytes], name: str = "") -> None:
        self._stream = stream
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            chunk = self._stream.read(len(buffer))
        except DECOMPRESSION_ERRORS as exc:
            raise ArchiveError(f"compressed data is truncated or corrupt ({exc})",
                               path=self._name or None) from None
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._stream.close()
        super().close()


class _CappedReader(_RawAdapter):
    """A raw stream that refuses to yield more than ``limit`` decompressed bytes."""

    def __init__(self, stream: IO[bytes], limit: int, name: str) -> None:
        super().__init__(stream, name)
        self._left = limit
        self._limit = limit

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = super().readinto(buffer)
        self._left -= count
        if self._left < 0:
            raise UploadRejected(
                f"{self._name}: more than {self._limit:,} bytes once decompressed; refused")
        return count


def inputs(source: Source | Sequence[Source], *, max_members: int | None = None) -> list[Input]:
    """Every readable file in ``source`` (zip archives expanded into their members)."""
    if isinstance(source, str | Path | bytes) or hasattr(source, "read"):
        items: Sequence[Source] = [cast(Source, source)]
    else:
        items = cast(Sequence[Source], source)
    found: list[Input] = []
    for item in items:
        if isinstance(item, str | Path) and Path(item).is_dir():
            found.extend(_folder(Path(item)))
            continue
        found.extend(_expand(_as_input(item), max_members))
    return found


def _folder(path: Path) -> list[Input]:
    """The files of a folder (not of its sub-folders); the root of an unpacked X account
    archive stands for its ``data/`` folder, where the posts are."""
    data = path / ACCOUNT_ARCHIVE_DATA
    if data.is_dir() and any(data.glob("tweet*.js")):
        path = data
    files = [f for f in sorted(path.iterdir()) if f.is_file() and not f.name.startswith(".")]
    if not files:
        raise ArchiveError("the folder holds no file", path=str(path))
    return [Input(name=str(file), path=file) for file in files]


def _as_input(item: Source) -> Input:
    if isinstance(item, bytes):
        return Input(name="upload", data=item)
    if isinstance(item, str | Path):
        path = Path(item)
        if not path.is_file():
            raise ArchiveError("no such file", path=str(item))
        return Input(name=str(item), path=path)
    if hasattr(item, "read"):
        name = str(getattr(item, "name", "upload"))
        if hasattr(item, "seek"):
            item.seek(0)
        data = item.read()
        if not isinstance(data, bytes):
            raise ArchiveError("uploaded file did not yield bytes", path=name)
        return Input(name=name, data=data)
    raise ArchiveError(f"cannot read a {type(item).__name__} as an archive")


def _expand(item: Input, max_members: int | None) -> list[Input]:
    with item.open() as stream:
        head = stream.read(4)
    if not head.startswith(ZIP_LOCAL_HEADER):
        return [item]
    try:
        with zipfile.ZipFile(item.path if item.path is not None else io.BytesIO(item.data or b"")) as archive:
            names = [info.filename for info in archive.infolist()
                     if not info.is_dir() and not info.filename.startswith(IGNORED_MEMBER_PREFIXES)]
            if any(marker in names for marker in WORKBOOK_MARKERS):
                return [item]
    except ZIP_ERRORS as exc:
        raise ArchiveError(f"broken zip archive ({exc})", path=item.name) from None
    if max_members is not None and len(names) > max_members:
        raise UploadRejected(f"{item.name}: {len(names)} files in the zip (at most {max_members})")
    if not names:
        raise ArchiveError("the zip archive holds no file", path=item.name)
    return [Input(name=f"{item.name}:{member}", data=item.data, path=item.path, member=member)
            for member in names]
