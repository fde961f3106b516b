"""The scan of one decompressed minute member: which lines are tweets of which case.

Cheap first, exact second. The whole member is lower-cased once and searched for each tag
as bytes (hundreds of MB/s, where ``re.I`` manages tens); only the lines around a hit are
parsed (orjson). A parsed tweet belongs to a case when one of the case's tags is a hashtag
entity (case-insensitive) of the tweet itself, of its ``extended_tweet``, or of the
retweeted or quoted original it carries, so ``#mynypdx``, ``@myNYPD`` and URLs never match,
and a fullwidth ``＃`` does (Twitter's entities already normalise it). The tweet's own
``created_at`` (the snowflake time when it lacks one) must fall in the case window: the
member's path time is never used. Delete notices are collected for the merge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import orjson

from analysis.ingest.formats.times import V1_FORMAT
from analysis.schema import SNOWFLAKE_EPOCH_MS, SNOWFLAKE_SHIFT

# Start of a delete notice line ({"delete":{"status":{"id":…}}}); a quote inside a JSON
# string is escaped, so these bytes only ever start a notice.
DELETE_START: Final = b'{"delete":'
# The first tweet line's own time (v1.1 puts created_at first): the path-hour offset check.
FIRST_CREATED: Final = re.compile(rb'^\{"created_at":"([^"]{20,40})"', re.M)
# Retweets of quotes carry originals two levels down; deeper nesting does not occur.
MAX_NESTING: Final = 2


@dataclass(frozen=True)
class Query:
    """One case: its tags (without ``#``) and its window [start, end) in UTC."""

    case_id: str
    tags: tuple[str, ...]
    start: datetime
    end: datetime

    @property
    def folded(self) -> frozenset[str]:
        return frozenset(t.casefold() for t in self.tags)

    @property
    def needles(self) -> tuple[bytes, ...]:
        """Lower-case byte forms of the tags as they can appear in a JSON line: UTF-8, and
        with non-ASCII letters \\u-escaped (``ensure_ascii`` writers)."""
        forms: set[bytes] = set()
        for tag in self.tags:
            low = tag.lower()
            forms.add(low.encode("utf-8"))
            forms.add(_escaped(low))
        return tuple(sorted(forms))


def _escaped(text: str) -> bytes:
    return "".join(c if c.isascii() else f"\\u{ord(c):04x}" for c in text).encode()


@dataclass
class MemberScan:
    """What one member held: line and delete counts, the matches per case, and problems."""

    lines: int = 0
    deletes: list[int] = field(default_factory=list)
    matches: list[tuple[str, int, bytes]] = field(default_factory=list)  # (case, id, raw line)
    outside_window: dict[str, int] = field(default_factory=dict)
    bad_lines: int = 0
    first_created: datetime | None = None


def snowflake_time(tweet_id: int) -> datetime:
    return datetime.fromtimestamp(((tweet_id >> SNOWFLAKE_SHIFT) + SNOWFLAKE_EPOCH_MS) / 1000, UTC)


def snowflake_ms(tweet_id: int) -> int:
    """The millisecond part of a snowflake id's time: the 1 % sample keeps 657-666."""
    return ((tweet_id >> SNOWFLAKE_SHIFT) + SNOWFLAKE_EPOCH_MS) % 1000


def parse_time(value: object) -> datetime | None:
    """A v1.1 (``Wed Apr 23 01:02:03 +0000 2014``) or v2 (ISO 8601) time, in UTC."""
    if not isinstance(value, str):
        return None
    try:
        if value[:4].isdigit():
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
        return datetime.strptime(value, V1_FORMAT).astimezone(UTC)
    except ValueError:
        return None


def scan_member(data: bytes, queries: Sequence[Query]) -> MemberScan:
    """Scan one decompressed member for every query (several cases in one pass)."""
    out = MemberScan(lines=data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0))
    out.deletes = _delete_ids(data)
    first = FIRST_CREATED.search(data)
    if first:
        out.first_created = parse_time(first.group(1).decode("ascii", "replace"))
    low = data.lower()
    spans: set[tuple[int, int]] = set()
    for query in queries:
        for needle in query.needles:
            spans.update(_line_spans(low, needle))
    for start, end in sorted(spans):
        _match_line(data[start:end].strip(), queries, out)
    return out


def _line_spans(low: bytes, needle: bytes) -> Iterable[tuple[int, int]]:
    pos = low.find(needle)
    while pos != -1:
        start = low.rfind(b"\n", 0, pos) + 1
        end = low.find(b"\n", pos)
        end = len(low) if end == -1 else end
        yield start, end
        pos = low.find(needle, end)


def _delete_ids(data: bytes) -> list[int]:
    ids: list[int] = []
    pos = data.find(DELETE_START)
    while pos != -1:
        end = data.find(b"\n", pos)
        end = len(data) if end == -1 else end
        if pos == 0 or data[pos - 1] in b"\r\n":
            try:
                status = orjson.loads(data[pos:end])["delete"]["status"]
                ids.append(int(status.get("id_str") or status["id"]))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                pass
        pos = data.find(DELETE_START, end)
    return ids


def _match_line(line: bytes, queries: Sequence[Query], out: MemberScan) -> None:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        out.bad_lines += 1
        return
    if not isinstance(record, dict):
        return
    tweet, related = _unwrap(record)
    if tweet is None:
        return
    try:
        tweet_id = int(tweet.get("id_str") or tweet["id"])
    except (KeyError, TypeError, ValueError):
        out.bad_lines += 1
        return
    tags = _hashtags(tweet, related, 0)
    when = parse_time(tweet.get("created_at")) or snowflake_time(tweet_id)
    for query in queries:
        if tags.isdisjoint(query.folded):
            continue
        if query.start <= when < query.end:
            out.matches.append((query.case_id, tweet_id, line))
        else:
            out.outside_window[query.case_id] = out.outside_window.get(query.case_id, 0) + 1


def _unwrap(record: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Any]]:
    """(the tweet, related tweets): v1.1 lines are the tweet; v2 stream lines wrap it as
    ``{"data": …, "includes": {"tweets": […]}}``. Notices (delete, scrub_geo…) have no id."""
    data = record.get("data")
    if isinstance(data, dict):
        includes = record.get("includes")
        related = includes.get("tweets") if isinstance(includes, dict) else None
        return data, related if isinstance(related, list) else []
    if "id" in record or "id_str" in record:
        return record, []
    return None, []


def _hashtags(tweet: Mapping[str, Any], related: list[Any], depth: int) -> set[str]:
    """Case-folded hashtag entities of a tweet, its extended form and its originals."""
    found: set[str] = set()
    for holder in (tweet, tweet.get("extended_tweet")):
        entities = holder.get("entities") if isinstance(holder, dict) else None
        tags = entities.get("hashtags") if isinstance(entities, dict) else None
        for tag in tags if isinstance(tags, list) else ():
            text = tag.get("text") or tag.get("tag") if isinstance(tag, dict) else None
            if isinstance(text, str):
                found.add(text.casefold())
    if depth < MAX_NESTING:
        for key in ("retweeted_status", "quoted_status"):
            original = tweet.get(key)
            if isinstance(original, dict):
                found |= _hashtags(original, [], depth + 1)
        for original in related:
            if isinstance(original, dict):
                found |= _hashtags(original, [], depth + 1)
    return found
