"""``scan(task)``: the pure function every engine runs, and its JSON-able result.

A task reads its members one at a time (by offset, by name, or from its payload),
decompresses one, scans it and lets it go before the next: at most one decompressed member
is in memory. A member that fails to read or decompress is reported with its reason and
skipped; the others still count. Only matches and counters leave the task (kilobytes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from analysis.ingest.streamgrab.archive import DECOMPRESS_ERRORS, Member, decompress, read_members
from analysis.ingest.streamgrab.matcher import scan_member, snowflake_time
from analysis.ingest.streamgrab.plan import Task


@dataclass
class TaskResult:
    """What one task found. ``matches`` are (case, tweet id, raw line); ``deletes`` the ids
    named by delete notices whose tweet was created inside some query window."""

    task: str
    archive: str
    hour: str
    compressed_bytes: int = 0
    members: list[dict[str, Any]] = field(default_factory=list)
    matches: list[tuple[str, int, str]] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    outside_window: dict[str, int] = field(default_factory=dict)
    bad_lines: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "archive": self.archive, "hour": self.hour,
                "compressed_bytes": self.compressed_bytes, "members": self.members,
                "matches": [list(m) for m in self.matches], "deletes": self.deletes,
                "outside_window": self.outside_window, "bad_lines": self.bad_lines}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskResult:
        return cls(data["task"], data["archive"], data["hour"], int(data["compressed_bytes"]),
                   list(data["members"]), [(str(c), int(i), str(line)) for c, i, line in data["matches"]],
                   [int(i) for i in data["deletes"]], dict(data["outside_window"]), int(data["bad_lines"]))


def scan(task: Task) -> TaskResult:
    """Scan every member of the task for every query."""
    result = TaskResult(task.id, task.archive.rsplit("/", 1)[-1], task.hour.isoformat())
    for member, raw in _compressed(task):
        stat: dict[str, Any] = {"name": member.name, "path_time": member.path_time.isoformat(),
                                "bytes": len(raw) if isinstance(raw, bytes) else 0,
                                "lines": 0, "deletes": 0, "error": None, "offset_hours": None}
        result.members.append(stat)
        if isinstance(raw, str):
            stat["error"] = raw
            continue
        result.compressed_bytes += len(raw)
        try:
            data = decompress(member.name, raw)
        except DECOMPRESS_ERRORS as exc:
            stat["error"] = f"corrupt or truncated: {exc}"
            continue
        found = scan_member(data, task.queries)
        del data
        stat["lines"], stat["deletes"] = found.lines, len(found.deletes)
        if found.first_created is not None:
            offset = (found.first_created - member.path_time).total_seconds() / 3600
            stat["offset_hours"] = round(offset)
        result.bad_lines += found.bad_lines
        result.matches.extend((case, tid, line.decode("utf-8", "replace")) for case, tid, line in found.matches)
        result.deletes.extend(i for i in found.deletes if _in_some_window(i, task))
        for case, n in found.outside_window.items():
            result.outside_window[case] = result.outside_window.get(case, 0) + n
    return result


def _in_some_window(tweet_id: int, task: Task) -> bool:
    when = snowflake_time(tweet_id)
    return any(q.start <= when < q.end for q in task.queries)


def _compressed(task: Task) -> Iterator[tuple[Member, bytes | str]]:
    if task.payload is None:
        yield from read_members(task.archive, task.kind, list(task.members))
        return
    for member, data in zip(task.members, task.payload, strict=True):
        yield member, data if data is not None else "member not found in the stream"
