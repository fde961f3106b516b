"""``python -m analysis streamgrab ARCHIVE… --case C``: real tweets of cases from the
Internet Archive's Twitter Stream Grab (the 1 % sample).

Reads a tar by member offsets (a ``.tar.gz`` as a stream), a zip or a folder of minute
members; writes ``<case>.jsonl.gz`` and ``<case>.sampling.json`` per case into the app's
``samples/`` folder (or ``--out``). Engines: one process per core by default, a Dask
LocalCluster (``--dask-local N``) or an existing Dask cluster (``--scheduler tcp://…``).
A rerun after a kill skips the finished hours.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Final

from tqdm import tqdm

from analysis.cases import load_case
from analysis.ingest.streamgrab import archive, items, plan, runner
from analysis.ingest.streamgrab.engines import Engine
from analysis.ingest.streamgrab.task import TaskResult

NAME: Final = "streamgrab"
HELP: Final = "extract the real tweets of cases from Internet Archive Twitter Stream Grab downloads"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("archives", nargs="+", type=Path, metavar="ARCHIVE",
                        help="a downloaded .tar (or .tar.gz, .zip, or a folder of minute members)")
    parser.add_argument("--case", action="append", required=True, metavar="C",
                        help="case id or case file (repeatable: several cases in one pass)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="output folder (default: the app's data folder, samples/)")
    parser.add_argument("--workers", type=int, metavar="N", help="local processes (default: one per core)")
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run the tasks on an existing Dask cluster (workers need the archives)")
    engine.add_argument("--dask-local", type=int, metavar="N",
                        help="start a Dask LocalCluster of N workers for the run")
    parser.add_argument("--margin-hours", type=float, default=plan.DEFAULT_MARGIN_HOURS, metavar="H",
                        help="hours read on each side of a case window, because path hours may "
                             f"not be UTC (default {plan.DEFAULT_MARGIN_HOURS:g})")
    parser.add_argument("--stream", action="store_true",
                        help="read a plain tar as a stream (one sequential pass) instead of by offsets")
    parser.add_argument("--verify-md5", action="store_true",
                        help="check each archive's md5 against the published digest first (slow)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    cases = [load_case(c) for c in args.case]
    if args.verify_md5:
        for path in args.archives:
            _verify(path)
    engine = (Engine("dask", address=args.scheduler) if args.scheduler
              else Engine("dask-local", workers=args.dask_local) if args.dask_local
              else Engine("processes", workers=args.workers))
    print(f"Scanning {len(args.archives)} archive(s) for {', '.join(c.id for c in cases)} "
          f"on {engine.describe()}…", file=sys.stderr)
    bar = None if args.quiet else _Bar()
    try:
        report = runner.extract(args.archives, cases, args.out, engine=engine,
                                margin_hours=args.margin_hours, stream=args.stream, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    for line in runner.summary_line(report):
        print(line)
    if report.resumed:
        print(f"({report.resumed} of {report.tasks} hour tasks were finished by an earlier run)")
    print("These are real tweets from the Internet Archive's 1 % sample: every count is about "
          "1 % of the real volume (see <case>.sampling.json).")
    return 0


def _verify(path: Path) -> None:
    published = items.published_digest(path.name)
    if published is None:
        print(f"{path.name}: no published digest known, not verified", file=sys.stderr)
        return
    digest = archive.file_md5(path)
    state = "matches" if digest == published[1] else f"DIFFERS from the published {published[1]}"
    print(f"{path.name}: md5 {digest} {state}", file=sys.stderr)


class _Bar:
    """tqdm over members, with compressed MB/s and matches so far."""

    def __init__(self) -> None:
        self._bar: tqdm[None] | None = None
        self._began = time.perf_counter()
        self._bytes = 0
        self._matches = 0

    def start(self, members: int, compressed_bytes: int, resumed: int) -> None:
        self._bar = tqdm(total=members, unit="member", file=sys.stderr, dynamic_ncols=True,
                         desc="resumed" if resumed else "members")

    def done(self, result: TaskResult) -> None:
        self._bytes += result.compressed_bytes
        self._matches += len(result.matches)
        if self._bar is not None:
            rate = self._bytes / 1e6 / max(time.perf_counter() - self._began, 1e-9)
            self._bar.set_postfix_str(f"{rate:.1f} MB/s, {self._matches:,} matches")
            self._bar.update(len(result.members))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
