"""Which members to read for which cases, grouped into hour tasks.

A case's window comes from its case file (the reconstruction's window around the launch) or
``DEFAULT_WINDOW_HOURS``. Members are chosen by their *path* hour with a margin on both
sides, because path hours may be local time and tweets sit in the wrong minute file; the
matcher then keeps tweets by their own ``created_at``. A task is one path hour of members
(about 60 members, 65 MB compressed in 2014): enough tasks to balance, few enough for the
scheduler. A task's id hashes what decides its result, so a rerun finds finished tasks.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from analysis.cases import Case
from analysis.ingest.streamgrab import TOOL_VERSION
from analysis.ingest.streamgrab.archive import ArchiveIndex, Member, stream_members
from analysis.ingest.streamgrab.matcher import Query

# Cases without a reconstruction window: a day before the launch to three days after.
DEFAULT_WINDOW_HOURS: Final = (-24.0, 72.0)
# Path hours may be local time: UTC offsets in use run from -12 h to +14 h.
DEFAULT_MARGIN_HOURS: Final = 14.0


def case_query(case: Case) -> Query:
    """The case's tag and window as the matcher's query."""
    recon = case.reconstruction or {}
    start_h = float(recon.get("window_start_hours", DEFAULT_WINDOW_HOURS[0]))
    end_h = float(recon.get("window_end_hours", DEFAULT_WINDOW_HOURS[1]))
    launch = case.launch.to_pydatetime()
    return Query(case.id, (case.hashtag,), launch + timedelta(hours=start_h),
                 launch + timedelta(hours=end_h))


@dataclass(frozen=True)
class Task:
    """One path hour of one archive's members, for every query. ``payload`` carries the
    members' compressed bytes when the archive can only be streamed."""

    id: str
    archive: str
    kind: str
    hour: datetime
    members: tuple[Member, ...]
    queries: tuple[Query, ...]
    payload: tuple[bytes | None, ...] | None = None

    @property
    def compressed_bytes(self) -> int:
        return sum(m.size for m in self.members)


def plan(idx: ArchiveIndex, queries: Sequence[Query], margin_hours: float = DEFAULT_MARGIN_HOURS) -> list[Task]:
    """Hour tasks of the members whose path time lies in some window widened by the margin."""
    margin = timedelta(hours=margin_hours)
    hours: dict[datetime, list[Member]] = defaultdict(list)
    for member in idx.members:
        if any(q.start - margin <= member.path_time < q.end + margin for q in queries):
            hours[member.path_time.replace(minute=0)].append(member)
    identity = f"{idx.name}|{idx.size}|{TOOL_VERSION}|" + "|".join(
        f"{q.case_id}:{','.join(q.tags)}:{q.start.isoformat()}:{q.end.isoformat()}" for q in queries)
    tasks = []
    for hour in sorted(hours):
        members = tuple(hours[hour])
        digest = hashlib.sha256(identity.encode())
        for m in members:
            digest.update(f"\n{m.name}:{m.size}".encode())
        tasks.append(Task(f"{hour:%Y%m%dT%H}-{digest.hexdigest()[:16]}", idx.path, idx.kind, hour,
                          members, tuple(queries)))
    return tasks


def with_payloads(tasks: Sequence[Task], skip: set[str]) -> Iterator[Task]:
    """The tasks, each with its members' bytes, from one sequential pass over the archive
    (``.tar.gz``, or a tar read as a stream). A task is yielded as soon as all its members
    have been read; tasks in ``skip`` (finished earlier) are not filled."""
    todo = [t for t in tasks if t.id not in skip]
    if not todo:
        return
    owner = {m.name: t.id for t in todo for m in t.members}
    waiting = {t.id: t for t in todo}
    got: dict[str, dict[str, bytes]] = defaultdict(dict)
    for name, data in stream_members(Path(todo[0].archive), set(owner)):
        task_id = owner[name]
        got[task_id][name] = data
        task = waiting[task_id]
        if len(got[task_id]) == len(task.members):
            parts = got.pop(task_id)
            del waiting[task_id]
            yield _filled(task, parts)
    for task_id, task in waiting.items():  # members the stream never reached
        yield _filled(task, got.pop(task_id, {}))


def _filled(task: Task, parts: dict[str, bytes]) -> Task:
    return Task(task.id, task.archive, task.kind, task.hour, task.members, task.queries,
                tuple(parts.get(m.name) for m in task.members))
