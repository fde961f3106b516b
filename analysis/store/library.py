"""The user's library of saved cases: ``library_dir()/<case_id>/`` on disk.

Each entry holds ``case.toml`` (the format of ``analysis.cases``, provenance ``"real"``),
the uploaded archive file(s) under app-chosen names (content hash + whitelisted extension)
and ``meta.json`` (creation time, original upload names, sizes, hashes, load reports).

Crash safety: an entry is built completely in a staging folder inside the library
(``.staging/<random>/``, two levels deep so the ``*/case.toml`` glob of ``cases.load_cases``
never sees it), every file fsynced, then renamed into place in one atomic ``os.rename``.
A process killed mid-save leaves only a staging folder, which listings ignore and the next
save, delete or listing removes. Deletion renames the entry into ``.trash/`` first, so it
disappears atomically too.

Concurrency: saves and deletes hold an exclusive ``fcntl.flock`` on ``.lock`` (released by
the kernel even if the process is killed), so two sessions never interleave their writes;
listings need no lock because an entry is either fully in place or absent.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd

from analysis import cases
from analysis.errors import CaseError, DuplicateCase
from analysis.ingest import loaders, mappings, uploads
from analysis.ingest.formats import FORMATS
from analysis.store import atomic, paths

CASE_FILE: Final = cases.CASE_FILE_NAME
META_FILE: Final = "meta.json"
LOCK_FILE: Final = ".lock"
STAGING: Final = ".staging"
TRASH: Final = ".trash"
# Provenance of every library case: the user's own archive, not a reconstruction.
PROVENANCE: Final = "real"
# Version of the meta.json layout (bump when its keys change).
META_VERSION: Final = 1
# Hex digits of the content hash in a case id: 8 (32 bits) make an accidental clash between
# two of one user's cases with the same hashtag negligible, and ids stay readable.
ID_HASH_LENGTH: Final = 8
# Longest hashtag slug in a case id (ids show in URLs and pickers).
ID_SLUG_LENGTH: Final = 40
CASE_ID_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")
# How long a save or delete waits for another session's save before giving up (a 200 MB
# save takes seconds; a minute means something is stuck).
LOCK_TIMEOUT_SECONDS: Final = 60.0
LOCK_POLL_SECONDS: Final = 0.05
# Confidence recorded for events the user types in (the case format requires one).
USER_EVENT_CONFIDENCE: Final = "assumed (entered by the user)"
DEFAULT_EVENT_KIND: Final = "milestone"


@dataclass(frozen=True, kw_only=True)
class LibraryEntry:
    """A saved case as listed: its id, folder and what meta.json says about it (built by
    keyword: most of its fields are strings)."""

    case_id: str
    path: Path
    hashtag: str
    brand: str
    created: str
    files: tuple[dict[str, Any], ...]
    load_reports: tuple[dict[str, Any], ...]
    # where the posts come from (keys of schema.PLATFORMS), most posts first
    platforms: tuple[str, ...] = ("x",)

    @property
    def x_only(self) -> bool:
        """Every post is from X: retweet, reply and follower views mean what they say."""
        return self.platforms == ("x",)

    @property
    def case_file(self) -> Path:
        return self.path / CASE_FILE

    def load(self) -> cases.Case:
        """The entry as a ``cases.Case`` (not bundled, provenance "real")."""
        return cases.load_case(self.case_file)


# --------------------------------------------------------------------------- locking

@contextlib.contextmanager
def _locked(root: Path, *, blocking: bool = True) -> Iterator[bool]:
    """Hold the library's exclusive lock; yields False if ``blocking`` is off and it is busy."""
    with open(root / LOCK_FILE, "a+b") as handle:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not blocking:
                    yield False
                    return
                if time.monotonic() > deadline:
                    raise CaseError("the case library is busy (another session is saving); "
                                    "try again in a moment") from None
                time.sleep(LOCK_POLL_SECONDS)
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def recover(root: Path | None = None) -> int:
    """Remove what interrupted saves and deletes left behind; return how many folders.

    Call it while holding the lock (saves and deletes do): then no staging folder belongs
    to a save in progress.
    """
    root = root or paths.library_dir()
    removed = 0
    for folder in (root / STAGING, root / TRASH):
        if not folder.is_dir():
            continue
        for leftover in folder.iterdir():
            shutil.rmtree(leftover, ignore_errors=True)
            if leftover.is_file():
                leftover.unlink(missing_ok=True)
            removed += 1
    atomic.remove_stale_temp_files(root)
    return removed


def _recover_if_idle(root: Path) -> None:
    with _locked(root, blocking=False) as acquired:
        if acquired:
            recover(root)


# --------------------------------------------------------------------------- ids

def slug(text: str) -> str:
    """Lower-case ASCII letters and digits of ``text`` (``#MyNYPD`` -> ``mynypd``)."""
    cleaned = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return cleaned[:ID_SLUG_LENGTH].strip("-") or "case"


def case_id_for(hashtag: str, fingerprint: str) -> str:
    return f"{slug(hashtag)}-{fingerprint[:ID_HASH_LENGTH]}"


def _fingerprint(fields: Mapping[str, Any], checked: Sequence[uploads.CheckedUpload]) -> str:
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode())
    for upload in checked:
        digest.update(upload.sha256.encode())
    return digest.hexdigest()


def _check_id(case_id: str) -> None:
    if not CASE_ID_PATTERN.match(case_id):
        raise CaseError(f"invalid library case id {case_id!r}")


# --------------------------------------------------------------------------- saving

def save_case(*, hashtag: str, brand: str, brand_account: str,
              launch: pd.Timestamp | datetime | str,
              events: Sequence[Mapping[str, Any] | cases.Event] = (),
              files: Sequence[tuple[str, bytes]],
              ask: str | None = None, story: str | None = None,
              launch_assumed: bool = False, target_terms: Sequence[str] = (),
              caveats: Sequence[str] = (),
              keep_from: pd.Timestamp | datetime | None = None,
              keep_until: pd.Timestamp | datetime | None = None,
              refuse_duplicate: bool = False,
              load_reports: Sequence[Mapping[str, Any]] | None = None,
              mapping: dict[str, str] | None = None, tz: str = "UTC") -> str:
    """Save an uploaded archive as a library case; return its (app-chosen) id.

    Every file is checked (``uploads.check_upload``) and, unless the caller passes the
    ``load_reports`` it already has, loaded to make sure it holds valid rows. Nothing is
    written before all checks pass. Saving the same archive with the same fields again
    returns the existing id; with ``refuse_duplicate`` (the dashboard's default), the same files
    under other fields raise ``DuplicateCase`` naming the saved case. ``keep_from``/``keep_until`` leave stray tweets out of the case. Raises ``UploadRejected`` or ``CaseError``; the library is
    unchanged on any error.
    """
    if not files:
        raise CaseError("a library case needs at least one archive file")
    checked = [uploads.check_upload(name, data) for name, data in files]
    reports = list(load_reports) if load_reports is not None else _load_reports(checked, mapping, tz)
    fields = _case_fields(hashtag=hashtag, brand=brand, brand_account=brand_account,
                          launch=launch, events=events, ask=ask, story=story,
                          launch_assumed=launch_assumed, target_terms=target_terms,
                          caveats=caveats)
    for key, stamp in (("keep_from", keep_from), ("keep_until", keep_until)):
        if stamp is not None:
            fields[key] = _utc(stamp, key)
    case_id = case_id_for(hashtag, _fingerprint(fields, checked))
    _refuse_bundled(case_id)
    data = {"id": case_id, **fields,
            "archives": [upload.stored_name for upload in _unique(checked)]}
    cases.case_to_toml(data)  # validates: a bad field fails here, before any write
    root = paths.library_dir()
    with _locked(root):
        recover(root)
        if (root / case_id / CASE_FILE).is_file():
            return case_id
        if refuse_duplicate:
            _refuse_duplicate(checked)
        _write_entry(root, case_id, data, checked, reports)
    return case_id


def same_archive(checked: Sequence[uploads.CheckedUpload]) -> LibraryEntry | None:
    """The saved case holding exactly these files (by content hash), if any."""
    wanted = {upload.sha256 for upload in checked}
    return next((entry for entry in list_cases()
                 if {str(f.get("sha256", "")) for f in entry.files} == wanted), None)


def _refuse_duplicate(checked: Sequence[uploads.CheckedUpload]) -> None:
    found = same_archive(checked)
    if found is not None:
        raise DuplicateCase(
            f"this archive is already saved as #{found.hashtag} ({found.brand}), saved "
            f"{found.created}: open that case, edit it under *Your saved cases*, or delete it "
            "before saving the archive again", case_id=found.case_id)


def update_case(case_id: str, *, hashtag: str, brand: str, brand_account: str,
                launch: pd.Timestamp | datetime | str,
                events: Sequence[Mapping[str, Any] | cases.Event] = (),
                ask: str | None = None, story: str | None = None,
                launch_assumed: bool = False, target_terms: Sequence[str] = (),
                caveats: Sequence[str] = ()) -> None:
    """Rewrite a saved case's description (id, archives and stray-tweet limits unchanged)."""
    entry = get_case(case_id)
    old = cases.load_case(entry.case_file)
    fields = _case_fields(hashtag=hashtag, brand=brand, brand_account=brand_account,
                          launch=launch, events=events, ask=ask, story=story,
                          launch_assumed=launch_assumed, target_terms=target_terms,
                          caveats=caveats)
    data = {**{k: v for k, v in cases.case_to_dict(old).items()
               if k in ("archives", "keep_from", "keep_until")}, "id": case_id, **fields}
    cases.case_to_toml(data)  # validates before anything is written
    root = paths.library_dir()
    with _locked(root):
        cases.write_case(data, entry.case_file)
        meta = json.loads((entry.path / META_FILE).read_text(encoding="utf-8"))
        meta.update(hashtag=data["hashtag"], brand=data["brand"])
        atomic.write_text(entry.path / META_FILE, json.dumps(meta, indent=2, default=str))


def _load_reports(checked: Sequence[uploads.CheckedUpload], mapping: dict[str, str] | None = None,
                  tz: str = "UTC") -> list[dict[str, Any]]:
    """Each file loaded (with the column mapping and zone, if given); a mapping or a zone other
    than UTC is saved for the file's header, so the case reads the same way later."""
    reports = []
    for upload in checked:
        result = uploads.load_upload(upload, mapping=mapping, tz=tz)
        if mapping or (tz != "UTC" and result.report.tz is not None):
            header = loaders.preview(io.BytesIO(upload.data), rows=0).header
            mappings.remember(header, mapping or {}, tz)
        reports.append(result.report.to_dict())
    return reports


def _unique(checked: Sequence[uploads.CheckedUpload]) -> list[uploads.CheckedUpload]:
    seen: dict[str, uploads.CheckedUpload] = {}
    for upload in checked:
        seen.setdefault(upload.stored_name, upload)
    return list(seen.values())


def _refuse_bundled(case_id: str) -> None:
    bundled = cases.load_cases(include_library=False)
    if case_id in bundled:
        raise CaseError(f"case id {case_id!r} is taken by a bundled case; change the hashtag")


def _case_fields(*, hashtag: str, brand: str, brand_account: str,
                 launch: pd.Timestamp | datetime | str,
                 events: Sequence[Mapping[str, Any] | cases.Event], ask: str | None,
                 story: str | None, launch_assumed: bool, target_terms: Sequence[str],
                 caveats: Sequence[str]) -> dict[str, Any]:
    tag = hashtag.strip().lstrip("#")
    if not tag:
        raise CaseError("a library case needs a hashtag")
    return {
        "hashtag": tag,
        "brand": brand.strip(),
        "brand_account": brand_account.strip().lstrip("@"),
        "launch": _utc(launch, "launch"),
        "launch_assumed": bool(launch_assumed),
        "ask": (ask or "").strip() or "not recorded (user archive)",
        "story": (story or "").strip() or f"User archive of #{tag} ({brand.strip()}).",
        "provenance": PROVENANCE,
        "target_terms": [t for t in target_terms if t.strip()],
        "caveats": [c for c in caveats if c.strip()],
        "events": [_event_dict(e) for e in events],
    }


def _utc(value: pd.Timestamp | datetime | str, key: str) -> datetime:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise CaseError(f"{key}: not a date-time: {value!r}") from None
    if pd.isna(stamp):
        raise CaseError(f"{key}: missing date-time")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


def _event_dict(event: Mapping[str, Any] | cases.Event) -> dict[str, Any]:
    if isinstance(event, cases.Event):
        item: dict[str, Any] = {key: getattr(event, key) for key in cases.EVENT_KEYS}
    else:
        item = dict(event)
    item["time"] = _utc(item.get("time", ""), "events.time")
    item.setdefault("kind", DEFAULT_EVENT_KIND)
    item.setdefault("confidence", USER_EVENT_CONFIDENCE)
    return {k: v for k, v in item.items() if v not in (None, "")}


def _write_entry(root: Path, case_id: str, data: Mapping[str, Any],
                 checked: Sequence[uploads.CheckedUpload],
                 reports: Sequence[Mapping[str, Any]]) -> None:
    staging = root / STAGING / uuid.uuid4().hex
    staging.mkdir(parents=True)
    try:
        for upload in _unique(checked):
            uploads.store(upload, staging)
        atomic.write_text(staging / META_FILE, json.dumps(_meta(case_id, data, checked, reports),
                                                          indent=2, default=str))
        cases.write_case(data, staging / CASE_FILE)
        atomic.fsync_dir(staging)
        _rename_into_place(staging, root / case_id)
        atomic.fsync_dir(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _rename_into_place(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an identical entry already there counts as saved."""
    try:
        os.rename(staging, target)
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not (target / CASE_FILE).is_file():
            raise
        shutil.rmtree(staging, ignore_errors=True)  # same id = same content: keep the first


def _meta(case_id: str, data: Mapping[str, Any], checked: Sequence[uploads.CheckedUpload],
          reports: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "version": META_VERSION,
        "case_id": case_id,
        "created": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
        "provenance": PROVENANCE,
        "hashtag": data["hashtag"],
        "brand": data["brand"],
        "files": [{"stored_name": u.stored_name, "uploaded_name": u.name, "sha256": u.sha256,
                   "bytes": u.size, "decompressed_bytes": u.decompressed_size,
                   "members": [m.name for m in u.members]} for u in checked],
        "load_reports": [dict(r) for r in reports],
        "platforms": platform_counts(reports),
    }


def platform_counts(reports: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Posts per platform over the files' load reports, most first. A report written before
    reports counted platforms stands for its format's platform."""
    counts: dict[str, int] = {}
    for report in reports:
        found = report.get("platforms")
        if not isinstance(found, dict) or not found:
            fmt = FORMATS.get(str(report.get("format", "")))
            found = {fmt.platform if fmt is not None else "x": int(report.get("kept", 0) or 0)}
        for name, count in found.items():
            counts[str(name)] = counts.get(str(name), 0) + int(count)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


# --------------------------------------------------------------------------- listing

def list_cases() -> list[LibraryEntry]:
    """Every complete library entry, oldest first. Leftovers of crashes are ignored."""
    root = paths.library_dir()
    _recover_if_idle(root)
    entries = [_entry(folder) for folder in sorted(root.iterdir())
               if folder.is_dir() and not folder.name.startswith(".")]
    found = [e for e in entries if e is not None]
    return sorted(found, key=lambda e: (e.created, e.case_id))


def _entry(folder: Path) -> LibraryEntry | None:
    meta_path, case_path = folder / META_FILE, folder / CASE_FILE
    if not (meta_path.is_file() and case_path.is_file()):
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    reports = tuple(meta.get("load_reports", []))
    recorded = meta.get("platforms")
    counts = recorded if isinstance(recorded, dict) and recorded else platform_counts(
        [r for r in reports if isinstance(r, dict)])
    return LibraryEntry(case_id=folder.name, path=folder, hashtag=str(meta.get("hashtag", "")),
                        brand=str(meta.get("brand", "")), created=str(meta.get("created", "")),
                        files=tuple(meta.get("files", [])), load_reports=reports,
                        platforms=tuple(counts) or ("x",))


def get_case(case_id: str) -> LibraryEntry:
    """One library entry by id (``CaseError`` if there is none)."""
    _check_id(case_id)
    entry = _entry(paths.library_dir() / case_id)
    if entry is None:
        raise CaseError(f"no case {case_id!r} in the library")
    return entry


# --------------------------------------------------------------------------- deleting

def delete_case(case_id: str) -> None:
    """Remove a library case (atomically: it is renamed away, then its files deleted)."""
    _check_id(case_id)
    root = paths.library_dir()
    with _locked(root):
        recover(root)
        folder = root / case_id
        if not folder.resolve().is_relative_to(root.resolve()) or not folder.is_dir():
            raise CaseError(f"no case {case_id!r} in the library")
        trash = root / TRASH / uuid.uuid4().hex
        trash.parent.mkdir(exist_ok=True)
        os.rename(folder, trash)
        atomic.fsync_dir(root)
        shutil.rmtree(trash, ignore_errors=True)
