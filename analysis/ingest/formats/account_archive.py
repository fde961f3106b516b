"""X's account archive: ``tweets.js`` completed by ``note-tweet.js`` and ``account.js``.

The archive X gives an account owner keeps each post in ``data/tweets.js`` without its
author (one account, named once in ``data/account.js``) and, for posts longer than 280
characters, only a truncated ``full_text``: the whole text is in ``data/note-tweet.js``,
whose ``noteTweetId`` is not the post's id. A note is matched to its post by creation time
(to the second) and text: the post's text, cut and ended with "…", starts the note's.

When these files sit in the same zip or folder as a ``tweets.js``, the loader takes the
handle and the long texts from them instead of loading them as archives of their own; the
archive's other files (likes, followers, direct messages…) are skipped and counted.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Final

import pandas as pd

from analysis import schema
from analysis.errors import ArchiveError, BackfireError
from analysis.ingest.formats import documents
from analysis.ingest.formats.inputs import Input
from analysis.ingest.formats.times import PARSERS

# File names (lower-case) of the archive's parts, with or without a "-partN" suffix.
TWEETS: Final = re.compile(r"^(tweets?|community-tweet)(-part\d+)?\.js$")
NOTES: Final = re.compile(r"^note-tweet(-part\d+)?\.js$")
ACCOUNT: Final = re.compile(r"^account\.js$")
# Characters of a post's text compared with the start of a note (a truncated post keeps at
# least its first 24; beyond 80 the two may differ in how links are written).
MIN_PREFIX: Final = 24
MAX_PREFIX: Final = 80
# Links, the ellipsis X appends to a cut text, and the reply's leading mentions (schema.MENTION) differ
# between a post and its note: they are left out of the comparison.
_LINK: Final = re.compile(r"https?://\S+")
_LEADING_MENTIONS: Final = re.compile(rf"^(?:{schema.MENTION.pattern}\s+)+")
_SPACES: Final = re.compile(r"\s+")


@dataclass(frozen=True)
class Note:
    """One long post's full text from note-tweet.js."""

    second: int
    text: str
    hashtags: tuple[str, ...]


@dataclass
class Companions:
    """What account.js and note-tweet.js add to the tweets.js files beside them."""

    handle: str | None = None
    notes: dict[int, list[Note]] = field(default_factory=lambda: defaultdict(list))
    # file names read, and the archive's other files left out (for the load report)
    read: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def note_count(self) -> int:
        return sum(len(found) for found in self.notes.values())

    def warnings(self) -> list[str]:
        out = list(self.problems)
        if self.skipped:
            out.append(f"{len(self.skipped)} other file(s) of the account archive skipped (not "
                       f"posts): {', '.join(self.skipped[:5])}{'…' if len(self.skipped) > 5 else ''}")
        return out


def _base(item: Input) -> str:
    name = item.member if item.member is not None else (item.path.name if item.path else item.name)
    return PurePosixPath(name.replace("\\", "/")).name.lower()


def role(item: Input) -> str | None:
    """"tweets", "notes", "account" or None (not a part of an account archive)."""
    base = _base(item)
    for name, pattern in (("tweets", TWEETS), ("notes", NOTES), ("account", ACCOUNT)):
        if pattern.match(base):
            return name
    return None


def _container(item: Input) -> object:
    """Inputs of one zip (same bytes or path) or one folder belong together."""
    if item.member is not None:
        return ("zip", item.path) if item.path is not None else ("zip", id(item.data))
    return ("folder", item.path.parent if item.path is not None else None)


def gather(items: Sequence[Input]) -> tuple[list[Input], dict[object, Companions]]:
    """The inputs to load as archives, and the companions of each group holding a tweets.js.

    In a zip or folder with a tweets.js, account.js and note-tweet.js complete it, and other
    ``.js`` files of the archive are skipped. A tweets.js given as a path also finds them
    in its own folder. account.js or note-tweet.js without any tweets.js is an error.
    """
    groups: dict[object, list[Input]] = defaultdict(list)
    for item in items:
        groups[_container(item)].append(item)
    keep: list[Input] = []
    found: dict[object, Companions] = {}
    for key, members in groups.items():
        roles = [role(m) for m in members]
        if "tweets" not in roles:
            if any(r in ("notes", "account") for r in roles):
                names = ", ".join(_base(m) for m, r in zip(members, roles, strict=True) if r)
                raise ArchiveError(f"{names} only complete an account archive's tweets.js; "
                                   "upload them together with it (or the archive's zip)",
                                   path=members[0].name)
            keep.extend(members)
            continue
        companions = Companions()
        for member, kind in zip(members, roles, strict=True):
            if kind == "tweets":
                keep.append(member)
            elif kind is not None:
                _read(member, kind, companions)
            elif _base(member).endswith(".js"):
                companions.skipped.append(_base(member))
            else:
                keep.append(member)
        _siblings(members, companions)
        found[key] = companions
    return keep, found


def companions_of(item: Input, found: dict[object, Companions]) -> Companions | None:
    """The companions of a tweets.js input (None for any other input)."""
    return found.get(_container(item)) if role(item) == "tweets" else None


def _siblings(members: Sequence[Input], companions: Companions) -> None:
    """account.js and note-tweet.js beside a tweets.js given as a path on disk."""
    folders = {m.path.parent for m in members if m.member is None and m.path is not None}
    given = {m.path for m in members if m.path is not None}
    for folder in folders:
        for file in sorted(folder.glob("*.js")):
            sibling = Input(name=str(file), path=file)
            kind = role(sibling)
            if file not in given and kind in ("notes", "account"):
                _read(sibling, kind, companions)


def _read(item: Input, kind: str, companions: Companions) -> None:
    """Read one companion file; a broken one is a warning, never the end of the load."""
    try:
        with item.open() as stream:
            records = documents.whole_document(stream.read())
    except BackfireError as exc:
        records, detail = None, str(exc)
    else:
        detail = "not one JSON document"
    if records is None:
        companions.problems.append(f"{_base(item)} could not be read ({detail}): ignored")
        return
    companions.read.append(_base(item))
    if kind == "account":
        _account(records, companions)
    else:
        _notes(records, companions, _base(item))


def _account(records: list[Any], companions: Companions) -> None:
    for record in records:
        account = record.get("account") if isinstance(record, dict) else None
        handle = account.get("username") if isinstance(account, dict) else None
        if isinstance(handle, str) and handle.strip():
            companions.handle = handle.strip().lstrip("@")
            return
    companions.problems.append("account.js names no username: author columns stay empty")


def _notes(records: list[Any], companions: Companions, name: str) -> None:
    skipped = 0
    for record in records:
        note = record.get("noteTweet") if isinstance(record, dict) else None
        core = note.get("core") if isinstance(note, dict) else None
        text = core.get("text") if isinstance(core, dict) else None
        stamp = pd.to_datetime(note.get("createdAt"), utc=True, errors="coerce") \
            if isinstance(note, dict) and isinstance(note.get("createdAt"), str) else pd.NaT
        if not isinstance(text, str) or not text or pd.isna(stamp):
            skipped += 1
            continue
        tags = core.get("hashtags") if isinstance(core, dict) else None
        hashtags = tuple(str(t.get("text", "")).lower() for t in tags or ()
                         if isinstance(t, dict) and t.get("text"))
        second = int(stamp.timestamp())
        companions.notes[second].append(Note(second, text, hashtags))
    if skipped:
        companions.problems.append(f"{name}: {skipped} note(s) without text or time ignored")


def _comparable(text: str) -> str:
    text = _LINK.sub(" ", text)
    text = _LEADING_MENTIONS.sub("", text.replace("…", ""))
    return _SPACES.sub(" ", text).strip().lower()


def _matches(post: str, note: str) -> bool:
    short, full = _comparable(post), _comparable(note)
    if not short or not full:
        return False
    length = min(MAX_PREFIX, len(short), len(full))
    return length < MIN_PREFIX or full.startswith(short[:length])


def complete(frame: pd.DataFrame, companions: Companions) -> tuple[pd.DataFrame, list[str]]:
    """Rows of a tweets.js (raw ``created_at`` strings) with the handle and long texts filled
    in; also the report's warnings about what was (not) matched."""
    messages = companions.warnings()
    if companions.handle and len(frame):
        frame["author"] = frame["author"].where(frame["author"].notna(), companions.handle)
    if companions.note_count and len(frame):
        matched = _apply_notes(frame, companions)
        left = companions.note_count - matched
        messages.append(f"{matched:,} long post(s) given their full text from note-tweet.js"
                        + (f"; {left:,} note(s) matched no post in tweets.js" if left else ""))
    return frame, messages


def _apply_notes(frame: pd.DataFrame, companions: Companions) -> int:
    times = PARSERS["v1"](frame["created_at"].astype("string"))
    texts, tags = frame["text"].tolist(), frame["hashtags"].tolist()
    retweets = frame["is_retweet"].fillna(False).astype(bool).tolist()
    used: set[int] = set()
    for position, stamp in enumerate(times):
        if pd.isna(stamp) or retweets[position]:
            continue
        candidates = [n for n in companions.notes.get(int(stamp.timestamp()), ()) if id(n) not in used]
        text = str(texts[position] or "")
        note = next((n for n in candidates if _matches(text, n.text)), None)
        if note is None:
            continue
        used.add(id(note))
        prefix = _LEADING_MENTIONS.match(text)
        texts[position] = note.text if prefix is None or note.text.startswith(
            prefix.group(0).strip()) else prefix.group(0) + note.text
        if note.hashtags:
            tags[position] = list(note.hashtags)
    frame["text"] = pd.Series(texts, index=frame.index, dtype=object)
    frame["hashtags"] = pd.Series(tags, index=frame.index, dtype=object)
    return len(used)
