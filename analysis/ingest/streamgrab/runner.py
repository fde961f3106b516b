"""A whole extraction: index, plan, run the tasks on an engine, merge, write. Resumable.

Each finished task's result is written at once (atomically, gzip'd JSON) under
``<out>/.streamgrab-work/<run key>/``. A rerun of the same command (same archives, cases,
margin and tool version: the run key) loads those and runs only the rest, so a kill costs at
most the tasks in flight. The samples themselves are written only when every task is done,
each atomically, and the work folder is removed after: a kill never leaves a half-written
sample. At most a few tasks per worker are in flight (bounded memory for streamed archives).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol

import orjson

from analysis.cases import Case
from analysis.errors import ArchiveError
from analysis.ingest.streamgrab import TOOL_VERSION, archive, merge, plan
from analysis.ingest.streamgrab.engines import Engine, open_executor
from analysis.ingest.streamgrab.task import TaskResult, scan
from analysis.store import atomic, paths

WORK_FOLDER: Final = ".streamgrab-work"
# Tasks in flight per worker: one running, one queued, so no worker waits for the driver.
IN_FLIGHT_PER_WORKER: Final = 2


class Progress(Protocol):
    def start(self, members: int, compressed_bytes: int, resumed: int) -> None: ...

    def done(self, result: TaskResult) -> None: ...


@dataclass
class RunReport:
    outputs: dict[str, tuple[Path, Path]]
    tasks: int
    resumed: int
    seconds: float
    samples: dict[str, merge.CaseSample] = field(default_factory=dict)


def extract(archives: Sequence[Path], cases: Sequence[Case], out_dir: Path | None = None, *,
            engine: Engine | None = None, margin_hours: float = plan.DEFAULT_MARGIN_HOURS,
            stream: bool = False, progress: Progress | None = None) -> RunReport:
    """Extract every case's tweets from the archives into ``out_dir`` (default: the app's)."""
    began = time.perf_counter()
    if not archives:
        raise ArchiveError("no archive given")
    if not cases:
        raise ArchiveError("no case given")
    out = Path(out_dir) if out_dir is not None else paths.samples_dir()
    engine = engine or Engine()
    queries = [plan.case_query(c) for c in cases]
    indexes = [archive.index(Path(p)) for p in archives]
    tasks = [(idx, plan.plan(idx, queries, margin_hours)) for idx in indexes]
    all_tasks = [t for _, ts in tasks for t in ts]
    work = out / WORK_FOLDER / _run_key([t.id for t in all_tasks])
    finished = _load_finished(work)
    if progress is not None:
        todo = [t for t in all_tasks if t.id not in finished]
        progress.start(sum(len(t.members) for t in todo), sum(t.compressed_bytes for t in todo),
                       len(finished))
    results = dict(finished)
    with open_executor(engine) as (pool, workers):
        for idx, idx_tasks in tasks:
            runnable = _runnable(idx, idx_tasks, finished, stream)
            for result in _run(pool, workers, runnable):
                atomic.write_bytes(work / f"{result.task}.json.gz",
                                   gzip.compress(orjson.dumps(result.to_dict()), compresslevel=1))
                results[result.task] = result
                if progress is not None:
                    progress.done(result)
    samples = merge.merge(list(results.values()), queries, indexes, margin_hours)
    seconds = time.perf_counter() - began
    run = {"created": datetime.now(UTC).isoformat(timespec="seconds"), "engine": engine.describe(),
           "seconds": round(seconds, 2), "tasks": len(all_tasks), "resumed_tasks": len(finished),
           "reading": "stream" if stream or any(not i.random_access for i in indexes) else "random access"}
    outputs = {cid: merge.write(s, out, run) for cid, s in samples.items()}
    shutil.rmtree(work, ignore_errors=True)
    _remove_if_empty(out / WORK_FOLDER)
    return RunReport(outputs, len(all_tasks), len(finished), seconds, samples)


def _run_key(task_ids: list[str]) -> str:
    digest = hashlib.sha256(TOOL_VERSION.encode())
    for task_id in task_ids:
        digest.update(task_id.encode())
    return digest.hexdigest()[:20]


def _load_finished(work: Path) -> dict[str, TaskResult]:
    found: dict[str, TaskResult] = {}
    for file in sorted(work.glob("*.json.gz")) if work.is_dir() else ():
        try:
            result = TaskResult.from_dict(orjson.loads(gzip.decompress(file.read_bytes())))
        except (OSError, EOFError, ValueError, KeyError, TypeError):
            file.unlink(missing_ok=True)  # unreadable: run that task again
            continue
        found[result.task] = result
    return found


def _runnable(idx: archive.ArchiveIndex, tasks: list[plan.Task], finished: dict[str, TaskResult],
              stream: bool) -> Iterable[plan.Task]:
    if stream or not idx.random_access:
        return plan.with_payloads(tasks, set(finished))
    return [t for t in tasks if t.id not in finished]


def _run(pool: Executor, workers: int, tasks: Iterable[plan.Task]) -> Iterator[TaskResult]:
    """Results as tasks finish, with at most IN_FLIGHT_PER_WORKER tasks per worker pending.
    A task whose process pool broke (a worker killed) is scanned here instead."""
    pending: dict[Future[TaskResult], plan.Task] = {}
    limit = max(1, workers * IN_FLIGHT_PER_WORKER)
    for task in tasks:
        while len(pending) >= limit:
            yield from _collect(pending)
        pending[_submit(pool, task)] = task
    while pending:
        yield from _collect(pending)


def _submit(pool: Executor, task: plan.Task) -> Future[TaskResult]:
    try:
        return pool.submit(scan, task)
    except (BrokenProcessPool, RuntimeError):
        done: Future[TaskResult] = Future()
        done.set_result(scan(task))
        return done


def _collect(pending: dict[Future[TaskResult], plan.Task]) -> Iterator[TaskResult]:
    finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    for future in finished:
        task = pending.pop(future)
        try:
            yield future.result()
        except BrokenProcessPool:
            yield scan(task)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def summary_line(report: RunReport) -> list[str]:
    """One line per case for the CLI."""
    lines = []
    for cid, sample in report.samples.items():
        s: dict[str, Any] = sample.summary
        lines.append(f"{cid}: {s['tweets']:,} tweets in the sample ({s['retweets']:,} retweets; "
                     f"{s['deletes_applied']} deleted, {s['duplicates_removed']} duplicates removed) "
                     f"from {s['members']['scanned']:,} members, {s['members']['failed']} failed "
                     f"-> {report.outputs[cid][0]}")
    return lines
