"""What is inside a Stream Grab download, and how one member's bytes are read.

Four layouts are read:

- ``tar``: indexed once by member offsets (``TarInfo.offset_data``), then any process reads a
  member with ``seek`` + ``read`` (random access; the tar is splittable by member);
- ``tar.gz``: read as a stream only (gzip cannot seek); members come in archive order;
- ``zip``: members read through the central directory;
- ``folder``: an extracted tar (the same relative paths).

Members are minute files ``…/HH/mm.json.bz2`` (or ``.json.gz`` from 2021). The path time is
read leniently from the last numeric components: ``YYYY/MM/DD/HH/mm``, ``MM/DD/HH/mm`` (the
year from the archive's name) or ``DD/HH/mm`` (the wrong-depth duplicates of 2013; year and
month from the name). Anything else (download leftovers such as ``.09.json.bz2.J1uA1l`` or
``.nfs000…``, hidden files, other files) is skipped with its reason.
"""

from __future__ import annotations

import bz2
import hashlib
import os
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, NamedTuple

from isal import igzip

from analysis.errors import ArchiveError
from analysis.ingest.streamgrab import items

# A minute member: two digits, then .json.bz2 or .json.gz, nothing after.
MEMBER_FILE: Final = re.compile(r"^(\d{2})\.json\.(bz2|gz)$")
# Archive kinds by file-name ending (longest first); a folder is recognised by being one.
KINDS: Final[tuple[tuple[str, str], ...]] = (
    (".tar.gz", "tar.gz"), (".tgz", "tar.gz"), (".tar", "tar"), (".zip", "zip"),
)
# Errors a corrupt or truncated member raises while being decompressed.
DECOMPRESS_ERRORS: Final = (OSError, EOFError, ValueError, zlib.error)


@dataclass(frozen=True)
class Member:
    """One minute file of an archive. ``offset`` is the data offset inside a tar (-1 when the
    member is read by name); ``path_time`` is the minute its path names (UTC assumed)."""

    name: str
    offset: int
    size: int
    path_time: datetime


class Skipped(NamedTuple):
    """A file of the archive that is not a minute file, and why."""

    name: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ArchiveIndex:
    """The minute members of one archive (in archive order) and what was skipped, and why.
    Built by keyword: path and kind are both strings."""

    path: str
    kind: str
    size: int
    members: tuple[Member, ...]
    skipped: tuple[Skipped, ...]

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def random_access(self) -> bool:
        return self.kind != "tar.gz"


def kind_of(path: Path) -> str:
    """``tar``, ``tar.gz``, ``zip`` or ``folder``; ``ArchiveError`` for anything else."""
    if path.is_dir():
        return "folder"
    if not path.exists():
        raise ArchiveError("no such file or folder", path=str(path))
    lower = path.name.lower()
    for ending, kind in KINDS:
        if lower.endswith(ending):
            return kind
    raise ArchiveError("not a Stream Grab download (expected a .tar, .tar.gz, .zip or a folder)",
                       path=str(path))


def parse_member(name: str, default: tuple[int, int] | None) -> Member | Skipped:
    """The member's path time, or why it is not a minute member. ``default`` is the (year,
    month) of the archive's name, used when the path does not carry them."""
    parts = name.strip("/").split("/")
    base = parts[-1]
    if base.startswith("."):
        return Skipped(name, "hidden file (a download leftover)")
    found = MEMBER_FILE.match(base)
    if not found:
        return Skipped(name, "not a minute file (NN.json.bz2 or NN.json.gz)")
    numbers = [int(p) for p in parts[:-1] if p.isdigit()]
    minute = int(found.group(1))
    year, month = default if default else (None, None)
    if len(numbers) >= 4 and numbers[-4] > 1000:
        year, month, day, hour = numbers[-4:]
    elif len(numbers) >= 3:
        month, day, hour = numbers[-3:]
    elif len(numbers) == 2 and month is not None:
        day, hour = numbers
    else:
        return Skipped(name, "path names no day and hour")
    if year is None:
        return Skipped(name, "no year in the path or the archive's name")
    try:
        when = datetime(year, int(month), day, hour, minute, tzinfo=UTC)
    except ValueError:
        return Skipped(name, "path is not a valid date and time")
    return Member(name, -1, 0, when)


def index(path: Path) -> ArchiveIndex:
    """List the minute members of a download (a full pass over a ``.tar.gz``)."""
    path = Path(path)
    kind = kind_of(path)
    default = items.month_of(path.name)
    entries = list(_entries(path, kind))
    members: list[Member] = []
    skipped: list[Skipped] = []
    for name, offset, size in entries:
        parsed = parse_member(name, default)
        if isinstance(parsed, Skipped):
            skipped.append(parsed)
        else:
            members.append(Member(name, offset, size, parsed.path_time))
    size = sum(s for _, _, s in entries) if kind == "folder" else path.stat().st_size
    return ArchiveIndex(path=str(path), kind=kind, size=size, members=tuple(members),
                        skipped=tuple(skipped))


def _entries(path: Path, kind: str) -> Iterator[tuple[str, int, int]]:
    """(name, data offset or -1, size) of every regular file in the archive."""
    try:
        yield from LISTERS[kind](path)
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ArchiveError(f"cannot list the archive: {exc}", path=str(path)) from exc


def _folder_entries(path: Path) -> Iterator[tuple[str, int, int]]:
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        yield file.relative_to(path).as_posix(), -1, file.stat().st_size


def _zip_entries(path: Path) -> Iterator[tuple[str, int, int]]:
    with zipfile.ZipFile(path) as archive:
        for entry in archive.infolist():
            if not entry.is_dir():
                yield entry.filename, -1, entry.file_size


def _tar_entries(path: Path) -> Iterator[tuple[str, int, int]]:
    with tarfile.open(path, "r:") as tar:
        for info in tar:
            if info.isfile():
                yield info.name, info.offset_data, info.size


def _tar_gz_entries(path: Path) -> Iterator[tuple[str, int, int]]:
    with tarfile.open(path, "r|gz") as tar:
        for info in tar:
            if info.isfile():
                yield info.name, -1, info.size


LISTERS: Final[dict[str, Callable[[Path], Iterator[tuple[str, int, int]]]]] = {
    "folder": _folder_entries, "zip": _zip_entries, "tar": _tar_entries, "tar.gz": _tar_gz_entries,
}


def read_members(path: str, kind: str, members: list[Member]) -> Iterator[tuple[Member, bytes | str]]:
    """Each member's compressed bytes, one at a time (random-access kinds), or the reason it
    could not be read."""
    if kind == "tar":
        with open(path, "rb") as handle:
            for member in members:
                handle.seek(member.offset)
                data = handle.read(member.size)
                yield member, data if len(data) == member.size else "archive ends inside the member"
    elif kind == "zip":
        with zipfile.ZipFile(path) as archive:
            for member in members:
                try:
                    yield member, archive.read(member.name)
                except (zipfile.BadZipFile, OSError, zlib.error) as exc:
                    yield member, f"unreadable zip entry: {exc}"
    elif kind == "folder":
        for member in members:
            try:
                yield member, Path(path, member.name).read_bytes()
            except OSError as exc:
                yield member, f"unreadable file: {exc.strerror}"
    else:
        raise ArchiveError(f"{kind} members cannot be read by position", path=path)


def stream_members(path: Path, wanted: set[str]) -> Iterator[tuple[str, bytes]]:
    """Compressed bytes of the wanted members, in archive order, from one sequential pass
    (the only way through a ``.tar.gz``; also usable on a plain tar)."""
    try:
        with (tarfile.open(path, "r|gz") if kind_of(path) == "tar.gz" else tarfile.open(path, "r|")) as tar:
            for info in tar:
                if info.isfile() and info.name in wanted:
                    handle = tar.extractfile(info)
                    if handle is not None:
                        yield info.name, handle.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(f"stream ended early: {exc}", path=str(path)) from exc


def decompress(name: str, data: bytes) -> bytes:
    """A member's JSON lines. ``bz2.decompress`` reads every stream of a multi-stream member
    (a bare ``BZ2Decompressor`` would stop after the first); gzip likewise."""
    if name.endswith(".gz"):
        return igzip.decompress(data)
    return bz2.decompress(data)


def file_md5(path: Path, chunk: int = 1 << 22) -> str:
    """md5 of a file, read in 4 MiB chunks (a 48 GB tar takes minutes: only on request)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def describe(idx: ArchiveIndex) -> dict[str, object]:
    """The archive's identity for ``sampling.json``: name, kind, size and the published md5."""
    published = items.published_digest(idx.name)
    return {
        "name": idx.name, "kind": idx.kind, "bytes": idx.size,
        "published_bytes": published[0] if published else None,
        "published_md5": published[1] if published else None,
        "size_matches_published": (published[0] == idx.size) if published else None,
        "members": len(idx.members),
        "skipped": [{"name": s.name, "reason": s.reason} for s in idx.skipped],
        "modified": datetime.fromtimestamp(os.stat(idx.path).st_mtime, UTC).isoformat(),
    }
