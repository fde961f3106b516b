"""Validation of uploaded archive files, before any loader parses them.

Every rule here answers one way an upload can hurt the app or its host: too big, the wrong
type, a decompression bomb, an archive inside an archive, a name that tries to escape the
data folder, an empty file, a file without a single valid tweet. Each breach raises
``UploadRejected`` with a one-line message that names the file.

Compressed files are checked by *streaming* decompression with a byte counter, so a bomb is
refused as soon as it crosses a cap, without ever being inflated in full or in memory.

Uploaded names are only ever shown in messages; files are stored under app-chosen names
(content hash + a whitelisted extension) inside ``data_dir()/uploads`` or a library entry.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import re
import struct
import tomllib
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Final

from analysis.errors import ArchiveError, UnknownFormatError, UploadRejected
from analysis.ingest import loaders, signatures
from analysis.ingest.loaders import LoadResult
from analysis.ingest.signatures import (
    ACCOUNT_ARCHIVE_JS,
    UTF8_BOM,
    UTF16_BOMS,
    WORKBOOK_HEADERS,
    ZIP_END_OF_DIRECTORY,
    ZIP_LOCAL_HEADER,
)
from analysis.store import atomic, paths

MB: Final = 1024 * 1024
# Largest upload accepted, in MB. Streamlit refuses bigger files before they reach the app;
# the value must equal `server.maxUploadSize` in .streamlit/config.toml (a test checks it).
MAX_UPLOAD_MB: Final = 200
MAX_UPLOAD_BYTES: Final = MAX_UPLOAD_MB * MB
# Largest total decompressed size of one upload: the loaders hold a table in memory, and
# 1 GB of tweet JSON is ~1M tweets, the size the app is built and benchmarked for.
MAX_DECOMPRESSED_BYTES: Final = 1024 * MB
# Largest compression ratio tolerated once the output passes RATIO_GRACE_BYTES. Tweet JSON
# and CSV compress 5-25x with gzip or bzip2; a bomb of zeros compresses 1000x or more.
MAX_RATIO: Final = 100
# Small files may compress very well (a few repeated rows); the ratio is only judged past this.
RATIO_GRACE_BYTES: Final = 16 * MB
# Most files a zip may hold (real archives: a handful of daily/hourly files).
MAX_MEMBERS: Final = 50
# Zip members that are never data (macOS Finder's resource forks); the loaders skip them too.
IGNORED_MEMBER_PREFIXES: Final[tuple[str, ...]] = ("__MACOSX/",)
# Most entries (files, folders, resource forks) a zip may declare; checked from its end
# record before the central directory is parsed (0xFFFF also flags a zip64 archive, which
# only more than 65,535 entries would need below the size cap).
MAX_ZIP_ENTRIES: Final = 1000
EOCD_SIZE: Final = 22
# Longest file name accepted (common file-system limit).
MAX_NAME_LENGTH: Final = 255
# Decompression step: the most memory one read may take.
CHUNK_BYTES: Final = 1 * MB
# How much of each file is inspected to recognise its content.
SNIFF_BYTES: Final = 64 * 1024
# Sub-folder of the data folder where uploads are stored under app-chosen names.
UPLOADS_FOLDER: Final = "uploads"
STREAMLIT_CONFIG: Final = paths.PROJECT_ROOT / ".streamlit" / "config.toml"

# data extension -> expected content ("json": starts with { or [; "js": the Twitter-archive
# `window.YTD…` prefix or JSON; "text": any text, the loaders detect CSV/TSV/JSONL inside).
DATA_TYPES: Final[dict[str, str]] = {
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".js": "js",
    ".csv": "text",
    ".tsv": "text",
    ".txt": "text",
    ".xlsx": "workbook",
    ".xls": "workbook",
    ".ods": "workbook",
}
# compression extension -> the signature (analysis.ingest.signatures) its content must have
COMPRESSIONS: Final[dict[str, str]] = {".gz": "gzip", ".bz2": "bzip2", ".zip": "zip"}
# A data extension made of these characters only; anything else in a name is never trusted.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Member:
    """One data file of an upload (the upload itself, or one file of a zip)."""

    name: str     # as written in the upload (messages only, never a path)
    kind: str     # the DATA_TYPES value of its extension
    size: int     # decompressed bytes


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check. ``data`` is the raw (still compressed) bytes."""

    name: str
    suffix: str                # app-chosen extension, e.g. ".jsonl.gz" (whitelisted parts)
    compression: str | None    # "gzip" | "bzip2" | "zip" | None
    size: int
    decompressed_size: int
    members: tuple[Member, ...]
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def stored_name(self) -> str:
        """The app-chosen file name: content hash plus the whitelisted extension."""
        return f"{self.sha256[:32]}{self.suffix}"


def shown(name: str) -> str:
    """``name`` made safe for a one-line message (control characters escaped, length capped)."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)
    return "'" + (text if len(text) <= 80 else text[:77] + "...") + "'"


def reject(name: str, reason: str) -> UploadRejected:
    return UploadRejected(f"upload {shown(name)}: {reason}")


# --------------------------------------------------------------------------- names

def _name_problem(name: str, *, allow_folders: bool) -> str | None:
    """Why ``name`` is unsafe as a (member) file name, or None."""
    if not name or not name.strip():
        return "the file has no name"
    if len(name) > MAX_NAME_LENGTH:
        return f"the name is longer than {MAX_NAME_LENGTH} characters"
    if "\x00" in name or _CONTROL.search(name):
        return "the name contains control characters (e.g. NUL)"
    if "\\" in name:
        return "the name contains a backslash (path separator)"
    if name.startswith("/") or _WINDOWS_DRIVE.match(name):
        return "the name is an absolute path"
    parts = PurePosixPath(name).parts
    if ".." in parts or name in (".", ".."):
        return "the name tries to leave its folder ('..')"
    if "/" in name and not allow_folders:
        return "the name contains a path separator"
    return None


def check_name(name: str, *, allow_folders: bool = False) -> None:
    """Refuse names that could point outside a folder: ``..``, absolute, ``\\``, NUL."""
    problem = _name_problem(name, allow_folders=allow_folders)
    if problem:
        raise reject(name, problem)


def split_suffix(name: str) -> tuple[str | None, str | None]:
    """(data extension, compression extension) of ``name``, lower-cased; None when absent."""
    suffixes = [s.lower() for s in PurePosixPath(name).suffixes]
    last = suffixes[-1] if suffixes else None
    if last in COMPRESSIONS:
        before = suffixes[-2] if len(suffixes) > 1 else None
        return (before if before in DATA_TYPES else None), last
    return (last if last in DATA_TYPES else None), None


def _allowed_types() -> str:
    data = ", ".join(k for k, v in DATA_TYPES.items() if v != "workbook")
    books = ", ".join(k for k, v in DATA_TYPES.items() if v == "workbook")
    return f"{data} (optionally .gz or .bz2), a .zip of those, or a workbook ({books})"


def _suffix_for(name: str) -> tuple[str, str | None, str | None]:
    """(app-chosen suffix, data extension, compression) or raise for a disallowed type."""
    data_ext, comp_ext = split_suffix(name)
    if comp_ext == ".zip":
        return ".zip", None, "zip"
    if data_ext is None:
        raise reject(name, f"unsupported file type; allowed: {_allowed_types()}")
    if comp_ext is None:
        return data_ext, data_ext, None
    return data_ext + comp_ext, data_ext, COMPRESSIONS[comp_ext]


# --------------------------------------------------------------------------- content

def _content_problem(head: bytes, kind: str) -> str | None:
    """Why ``head`` (the first bytes of a data file) does not match ``kind``, or None."""
    if kind == "workbook":
        return None if head.startswith(WORKBOOK_HEADERS) else "is not a spreadsheet workbook"
    fmt = signatures.format_of(head)
    if fmt in signatures.ARCHIVES:
        return f"contains a nested {fmt} archive; upload the data files themselves"
    if fmt is not None:
        return f"is a {fmt} file, not a tweet archive"
    if head.startswith(UTF16_BOMS):
        return None  # UTF-16 text: the loaders decode it
    body = head.removeprefix(UTF8_BOM)
    if b"\x00" in body:
        return "is binary, not text"
    start = body.lstrip()
    if not start:
        return None  # whitespace only so far; emptiness is judged on the whole file
    if kind == "json" and start[:1] not in (b"{", b"["):
        return "does not look like JSON (it should start with '{' or '[')"
    if kind == "js" and not (start.startswith(ACCOUNT_ARCHIVE_JS) or start[:1] in (b"{", b"[")):
        return "does not look like a Twitter-archive .js file (window.YTD...)"
    return None


class _Budget:
    """Counts decompressed bytes across an upload and refuses bombs as they inflate."""

    def __init__(self, name: str, raw_size: int) -> None:
        self.name = name
        self.raw_size = max(raw_size, 1)
        self.total = 0

    def add(self, count: int) -> None:
        self.total += count
        if self.total > MAX_DECOMPRESSED_BYTES:
            raise reject(self.name, f"decompresses to more than {MAX_DECOMPRESSED_BYTES // MB} MB "
                                    "(possible zip bomb)")
        if self.total > RATIO_GRACE_BYTES and self.total / self.raw_size > MAX_RATIO:
            raise reject(self.name, f"compression ratio above {MAX_RATIO}:1 "
                                    "(possible zip bomb)")


def _chunks(stream: IO[bytes] | io.BufferedIOBase) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK_BYTES):
        yield chunk


def _scan(stream: IO[bytes] | io.BufferedIOBase, label: str, kind: str, budget: _Budget) -> int:
    """Read ``stream`` to its end through ``budget``; check its head; return its size."""
    head = b""
    checked = False
    size = 0
    for chunk in _chunks(stream):
        budget.add(len(chunk))
        size += len(chunk)
        if not checked:
            head += chunk[:SNIFF_BYTES - len(head)]
            if len(head) >= SNIFF_BYTES:
                _check_head(head, label, kind, budget)
                checked = True
    if not checked and head:
        _check_head(head, label, kind, budget)
    return size


def _check_head(head: bytes, label: str, kind: str, budget: _Budget) -> None:
    problem = _content_problem(head, kind)
    if problem:
        where = "the file " if label == budget.name else f"member {shown(label)} "
        raise reject(budget.name, f"{where}{problem}")


_OPENERS: Final[dict[str, Callable[[IO[bytes]], io.BufferedIOBase]]] = {
    "gzip": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    "bzip2": lambda raw: bz2.BZ2File(raw, mode="rb"),
}


def _scan_compressed(name: str, data: bytes, compression: str, kind: str,
                     budget: _Budget) -> tuple[Member, ...]:
    try:
        with _OPENERS[compression](io.BytesIO(data)) as stream:
            size = _scan(stream, name, kind, budget)
    except (OSError, EOFError, zlib.error) as exc:
        raise reject(name, f"is not a valid {compression} file ({exc})") from None
    return (Member(name, kind, size),)


def zip_entry_count(data: bytes) -> int | None:
    """Entries a zip declares in its end-of-central-directory record (None: not found).

    Read before ``zipfile`` parses the central directory, which builds one object per
    entry: a 200 MB zip of millions of empty entries must be refused without that.
    """
    tail = data[-(EOCD_SIZE + 0xFFFF):]
    at = tail.rfind(ZIP_END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < EOCD_SIZE:
        return None
    (_, _, _, _, total, _, _, _) = struct.unpack("<4s4H2LH", tail[at:at + EOCD_SIZE])
    return int(total)


def _check_entry_count(name: str, data: bytes) -> None:
    count = zip_entry_count(data)
    if count is not None and count > MAX_ZIP_ENTRIES:
        raise reject(name, f"the zip holds {count:,} entries; at most {MAX_MEMBERS} files "
                           f"(and {MAX_ZIP_ENTRIES} entries with folders) are accepted")


def _zip_members(name: str, archive: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, str]]:
    infos = [info for info in archive.infolist() if not info.is_dir()]
    data_infos = [i for i in infos if not i.filename.startswith(IGNORED_MEMBER_PREFIXES)]
    if len(data_infos) > MAX_MEMBERS:
        raise reject(name, f"the zip holds {len(data_infos)} files; at most {MAX_MEMBERS} are accepted")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_DECOMPRESSED_BYTES:
        raise reject(name, f"decompresses to more than {MAX_DECOMPRESSED_BYTES // MB} MB "
                           "(possible zip bomb)")
    members = []
    for info in infos:
        kind = _zip_member_kind(name, info)
        if not info.filename.startswith(IGNORED_MEMBER_PREFIXES):
            members.append((info, kind))
    if not members:
        raise reject(name, "the zip holds no files")
    return members


def _zip_member_kind(name: str, info: zipfile.ZipInfo) -> str:
    problem = _name_problem(info.filename, allow_folders=True)
    if problem:
        raise reject(name, f"member {shown(info.filename)}: {problem}")
    if info.filename.startswith(IGNORED_MEMBER_PREFIXES):
        return "ignored"
    if info.flag_bits & 0x1:
        raise reject(name, f"member {shown(info.filename)} is encrypted")
    data_ext, comp_ext = split_suffix(info.filename)
    if comp_ext is not None or _is_archive_name(info.filename):
        raise reject(name, f"member {shown(info.filename)} is a nested archive; "
                           "upload the data files themselves")
    if data_ext is None:
        raise reject(name, f"member {shown(info.filename)} has an unsupported type; "
                           f"allowed: {', '.join(DATA_TYPES)}")
    return DATA_TYPES[data_ext]


def _is_archive_name(member: str) -> bool:
    lowered = member.lower()
    return lowered.endswith((".tar", ".tgz", ".xz", ".7z", ".rar", ".zst", ".lzma", ".jar"))


def _scan_zip(name: str, data: bytes, budget: _Budget) -> tuple[Member, ...]:
    _check_entry_count(name, data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            scanned = []
            for info, kind in _zip_members(name, archive):
                with archive.open(info) as stream:
                    size = _scan(stream, info.filename, kind, budget)
                scanned.append(Member(info.filename, kind, size))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error,
            NotImplementedError) as exc:
        raise reject(name, f"is not a valid zip file ({exc})") from None
    return tuple(scanned)


# --------------------------------------------------------------------------- public API

def check_upload(name: str, data: bytes) -> CheckedUpload:
    """Run every safety check on one uploaded file; return it described, or raise.

    Raises ``UploadRejected`` (one line, naming the file) for: an unsafe name, an empty or
    too large file, a disallowed type, content that does not match the extension, a nested
    archive, too many zip members, or a decompressed size/ratio above the caps.
    """
    check_name(name)
    if len(data) == 0:
        raise reject(name, "the file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise reject(name, f"the file is {len(data) / MB:.0f} MB; the limit is {MAX_UPLOAD_MB} MB")
    suffix, data_ext, compression = _suffix_for(name)
    _check_container(name, data, compression)
    budget = _Budget(name, len(data))
    members = _scan_all(name, data, data_ext, compression, budget)
    if budget.total == 0:
        raise reject(name, "the file is empty once decompressed")
    empty = [m.name for m in members if m.size == 0]
    if empty and len(members) == 1:
        raise reject(name, "the file is empty once decompressed")
    return CheckedUpload(name=name, suffix=suffix, compression=compression, size=len(data),
                         decompressed_size=budget.total, members=members, data=data)


def _check_container(name: str, data: bytes, compression: str | None) -> None:
    actual = signatures.format_of(data[:SNIFF_BYTES])
    if compression is not None and actual != compression:
        found = f"{actual} data" if actual else "not compressed"
        raise reject(name, f"the name says {compression} but the content is {found}")


def _scan_all(name: str, data: bytes, data_ext: str | None, compression: str | None,
              budget: _Budget) -> tuple[Member, ...]:
    if compression == "zip":
        return _scan_zip(name, data, budget)
    kind = DATA_TYPES[data_ext or ".txt"]
    if kind == "workbook" and compression is None:
        return _scan_workbook(name, data, budget)
    if compression is not None:
        return _scan_compressed(name, data, compression, kind, budget)
    size = _scan(io.BytesIO(data), name, kind, budget)
    return (Member(name, kind, size),)


def _scan_workbook(name: str, data: bytes, budget: _Budget) -> tuple[Member, ...]:
    """A workbook: its container checked, and an XLSX/ODS zip's declared size held to the caps
    (the spreadsheet reader inflates its sheets in memory)."""
    problem = _content_problem(data[:SNIFF_BYTES], "workbook")
    if problem:
        raise reject(name, f"the file {problem}")
    size = len(data)
    if data.startswith(ZIP_LOCAL_HEADER):
        _check_entry_count(name, data)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                declared = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
            raise reject(name, f"is not a valid workbook ({exc})") from None
        budget.add(declared)
        size = declared
    else:
        budget.add(size)
    return (Member(name, "workbook", size),)


def uploads_dir() -> Path:
    """Where uploads are stored (created on demand)."""
    folder = paths.data_dir() / UPLOADS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(upload: CheckedUpload, folder: Path | None = None) -> Path:
    """Save a checked upload under its app-chosen name inside ``folder`` (default uploads/).

    The name is the content hash plus a whitelisted extension, so an uploaded name never
    becomes a path. Identical content is stored once. The write is atomic.
    """
    root = (folder if folder is not None else uploads_dir()).resolve()
    target = (root / upload.stored_name).resolve()
    if not target.is_relative_to(root) or target.parent != root:
        raise reject(upload.name, "refused to write outside the data folder")
    if target.is_file() and target.stat().st_size == upload.size:
        return target
    return atomic.write_bytes(target, upload.data)


def store_upload(name: str, data: bytes, folder: Path | None = None) -> Path:
    """Check one uploaded file and store it (see ``check_upload`` and ``store``)."""
    return store(check_upload(name, data), folder)


def load_upload(upload: CheckedUpload, *, fmt: str | None = None,
                mapping: dict[str, str] | None = None, tz: str = "UTC",
                ask_mapping: bool = False) -> LoadResult:
    """Parse a checked upload with the loaders; refuse it if not one row is valid.

    ``fmt``, ``mapping`` and ``tz`` are passed to ``loaders.load`` (forced format, column map,
    zone of zone-less times). With ``ask_mapping``, a file of unknown layout raises ``UnknownFormatError`` (the page
    then asks for a mapping) instead of ``UploadRejected``.
    """
    stream = io.BytesIO(upload.data)
    stream.name = upload.name
    try:
        result = loaders.load(stream, fmt=fmt, mapping=mapping, tz=tz,
                              max_bytes=MAX_DECOMPRESSED_BYTES, max_members=MAX_MEMBERS)
    except UploadRejected:
        raise
    except UnknownFormatError as exc:
        if ask_mapping:
            raise
        raise reject(upload.name, f"no valid tweet rows ({exc})") from None
    except ArchiveError as exc:
        raise reject(upload.name, f"no valid tweet rows ({exc})") from None
    if result.report.kept == 0:
        raise reject(upload.name, _zero_rows_reason(result))
    return result


def _zero_rows_reason(result: LoadResult) -> str:
    report = result.report
    reason = f"no valid tweet rows ({report.rows_read} read, {report.rejected} rejected"
    if report.rejections:
        first = report.rejections[0]
        reason += f"; first: line {first.line}, column {first.column}: {first.reason}"
    return reason + ")"


def streamlit_max_upload_mb(config: Path = STREAMLIT_CONFIG) -> int | None:
    """``server.maxUploadSize`` from the Streamlit config (None if not set)."""
    with config.open("rb") as handle:
        value = tomllib.load(handle).get("server", {}).get("maxUploadSize")
    return int(value) if value is not None else None
