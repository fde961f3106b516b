"""Typed exceptions of the analysis engine.

They are translated once at the edge: into ``st.error`` in the UI, into a one-line message
(and exit status 2) in the CLI. Nothing here formats a traceback for the user.
"""

from __future__ import annotations


class BackfireError(Exception):
    """Base class of every error that the user should see as a clear message."""


class ArchiveError(BackfireError):
    """A file could not be read as a tweet archive at all (not a single valid row)."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | str | None = None) -> None:
        self.path = path
        self.line = line
        self.column = column
        where = ", ".join(
            part for part in (
                path,
                f"line {line}" if line is not None else None,
                f"column {column}" if column is not None else None,
            ) if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class UnknownFormatError(ArchiveError):
    """The archive's format could not be detected and no column mapping was given."""


class UploadRejected(BackfireError):
    """An uploaded file breaks a safety rule (size, type, path, decompression bomb)."""


class CaseError(BackfireError):
    """A case file is missing or invalid, or a case id is unknown."""


class DuplicateCase(CaseError):
    """The uploaded archive is already saved as a library case (``case_id``)."""

    def __init__(self, message: str, *, case_id: str) -> None:
        self.case_id = case_id
        super().__init__(message)


class ExportError(BackfireError):
    """An export could not be produced."""


class EngineError(BackfireError):
    """A compute engine is missing (an optional install) or cannot be reached."""


class ModelError(BackfireError):
    """A stored scoring model does not fit the code that reads it (refit it)."""
