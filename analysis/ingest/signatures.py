"""File signatures: the formats Backfire knows by their first bytes, as data.

One home for every magic number: the upload check (``analysis.ingest.uploads``) accepts a
compressed container only when its content says so and refuses a nested archive or a binary
file; the input reader (``formats.inputs``) picks its decompressor; the spreadsheet and
document readers (``formats.sheets``, ``formats.documents``) recognise a workbook's container
and a byte-order mark; the exports check the PNG and PDF they render.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

# A zip's local file header: what a zip file (and an XLSX or ODS workbook) starts with.
ZIP_LOCAL_HEADER: Final = b"PK\x03\x04"
# A zip's end-of-central-directory record (an empty zip is only this), and a spanned zip's
# data-descriptor marker.
ZIP_END_OF_DIRECTORY: Final = b"PK\x05\x06"
ZIP_SPANNED: Final = b"PK\x07\x08"
PNG_HEADER: Final = b"\x89PNG\r\n\x1a\n"
PDF_HEADER: Final = b"%PDF-"
# tar's "ustar" tag stands at this offset of its first header.
TAR_TAG_OFFSET: Final = 257
# The OLE2 compound file of a legacy XLS workbook.
OLE2_HEADER: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The containers a workbook may be: a zip (XLSX, ODS) or OLE2 (legacy XLS).
WORKBOOK_HEADERS: Final = (ZIP_LOCAL_HEADER, OLE2_HEADER)
# An X account archive's data files are JavaScript: "window.YTD.tweets.part0 = [ … ]".
ACCOUNT_ARCHIVE_JS: Final = b"window.YTD."
UTF8_BOM: Final = b"\xef\xbb\xbf"
UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
# bzip2: "BZh", block size 1-9, then a block magic (pi) or the end-of-stream magic (sqrt pi).
BZIP2_HEADER: Final = re.compile(rb"BZh[1-9](1AY&SY|\x17rE8P\x90)")


def is_text(head: bytes) -> bool:
    """``head`` (a file's first bytes) reads as UTF-8 text with no NUL byte."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the end of the sample
    return True


def _bzip2_stream(head: bytes) -> bool:
    return BZIP2_HEADER.match(head) is not None


def _tar_header(head: bytes) -> bool:
    return b"\x00" in head[:TAR_TAG_OFFSET]


@dataclass(frozen=True)
class Signature:
    """A format known by what its files start with (at ``offset``)."""

    name: str
    prefixes: bytes | tuple[bytes, ...]
    # an archive or compressed stream: nested inside an upload, it is refused as one
    archive: bool = False
    offset: int = 0
    # Where the prefix alone could be text, what confirms it. Absent: an archive's prefix is
    # enough; another binary's prefix counts only when the head is not text ("MZ", "GIF8",
    # "%PDF" can start a CSV).
    confirm: Callable[[bytes], bool] | None = None

    def matches(self, head: bytes) -> bool:
        if not head.startswith(self.prefixes, self.offset):
            return False
        if self.confirm is not None:
            return self.confirm(head)
        return self.archive or not is_text(head)


GZIP: Final = Signature("gzip", b"\x1f\x8b", archive=True)
BZIP2: Final = Signature("bzip2", b"BZh", archive=True, confirm=_bzip2_stream)
ZIP: Final = Signature("zip", (ZIP_LOCAL_HEADER, ZIP_END_OF_DIRECTORY, ZIP_SPANNED), archive=True)
TAR: Final = Signature("tar", b"ustar", archive=True, offset=TAR_TAG_OFFSET, confirm=_tar_header)
# Every known signature, tried in order: the first that matches names the format.
SIGNATURES: Final[tuple[Signature, ...]] = (
    GZIP, BZIP2, ZIP,
    Signature("xz", b"\xfd7zXZ\x00", archive=True),
    Signature("7z", b"7z\xbc\xaf\x27\x1c", archive=True),
    Signature("rar", b"Rar!\x1a\x07", archive=True),
    Signature("zstd", b"\x28\xb5\x2f\xfd", archive=True),
    Signature("lzma", b"\x5d\x00\x00", archive=True),
    Signature("pdf", PDF_HEADER),
    Signature("png", PNG_HEADER),
    Signature("jpeg", b"\xff\xd8\xff"),
    Signature("gif", b"GIF8"),
    Signature("elf", b"\x7fELF"),
    Signature("exe", b"MZ"),
    Signature("sqlite", b"SQLite format 3\x00"),
    Signature("parquet", b"PAR1"),
    TAR,
)
ARCHIVES: Final[frozenset[str]] = frozenset(s.name for s in SIGNATURES if s.archive)


def format_of(head: bytes) -> str | None:
    """The name of the archive or binary format ``head`` (a file's first bytes) is, or None."""
    return next((s.name for s in SIGNATURES if s.matches(head)), None)
