"""Atomic file writes: write to a temporary file in the same folder, fsync, then rename.

A reader (another session, another process, the app after a crash) sees either the old file
or the complete new one, never a half-written file. The temporary file lives in the target's
own folder because ``os.replace`` is only atomic within one file system. Its name is
``.tmp-<random>.partial``: globs for real files (``*.parquet``, ``case.toml``) never match
it, and ``remove_stale_temp_files`` finds the leftovers of a crash by the prefix.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Final

# Prefix of every temporary file or folder written here (leftovers of a crash carry it too).
TEMP_PREFIX: Final = ".tmp-"
# ...and ends with this, never with the target's suffix, so `*.parquet`-style globs skip it.
TEMP_SUFFIX: Final = ".partial"
# A temporary file older than this is a crash leftover, not a write in progress: the largest
# write (a 200 MB upload or a scored Parquet table) takes seconds, not an hour.
STALE_AFTER_SECONDS: Final = 3600.0


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename inside it) to disk. No-op where unsupported."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[IO[bytes]]:
    """Yield a binary file; on normal exit it replaces ``path`` atomically.

    On an exception the temporary file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return ``path``."""
    with atomic_writer(path) as handle:
        handle.write(data)
    return Path(path)


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically; return ``path``."""
    return write_bytes(path, text.encode(encoding))


def remove_stale_temp_files(folder: Path, *, older_than: float = STALE_AFTER_SECONDS) -> int:
    """Delete ``.tmp-*`` files in ``folder`` left by a crash; return how many were removed."""
    removed = 0
    cutoff = time.time() - older_than
    for tmp in Path(folder).glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if tmp.is_file() and tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed += 1
    return removed
