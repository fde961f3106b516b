"""``python -m analysis build-archives``: write the reconstructed (synthetic) archives.

Default: every reconstruction case of the library, to ``paths.archives_dir()``.
``--if-missing`` skips cases whose archive is present and current (same generator version,
seed and case file); the run scripts call it on every start, so it must stay quick.
``--scale N`` writes an N-tweet archive ``<case>-<N>.jsonl.gz`` for benchmarks (default case:
mynypd).
"""

from __future__ import annotations

import argparse
import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Final

from analysis.cases import Case, load_case, load_cases
from analysis.errors import CaseError
from analysis.reconstruction import generator

NAME: Final = "build-archives"
HELP: Final = "write the reconstructed (synthetic, calibrated) archives of the bundled cases"
# The case a bare --scale run builds: the largest storm.
SCALE_DEFAULT_CASE: Final = "mynypd"
# Two cores on the target machine: build two cases at once.
MAX_WORKERS: Final = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--case", action="append", metavar="C",
                        help="case id or case file (repeatable; default: every reconstruction case)")
    parser.add_argument("--scale", type=int, metavar="N",
                        help="write an N-tweet archive named <case>-<N>.jsonl.gz (benchmarks)")
    parser.add_argument("--if-missing", action="store_true",
                        help="only build archives that are absent or stale")
    parser.add_argument("--seed", type=int, help="override the case's seed")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="output folder (default: the data folder's archives/)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")


def run(args: argparse.Namespace) -> int:
    if args.scale is not None and args.scale <= 0:
        raise CaseError("--scale must be a positive number of tweets")
    cases = _selected(args)
    todo = [c for c in cases if not (args.if_missing and generator.is_current(
        c, out_dir=args.out, seed=args.seed, scale=args.scale))]
    results = _build(todo, args)
    summary = [{"case": r.case_id, "archive": str(r.archive), "truth": str(r.truth),
                "tweets": r.tweets, "lines": r.lines, "originals": r.originals,
                "retweets": r.retweets, "seconds": round(r.seconds, 2)} for r in results]
    skipped = [c.id for c in cases if c not in todo]
    if args.json:
        print(json.dumps({"built": summary, "up_to_date": skipped}, indent=2))
        return 0
    for row in summary:
        print(f"{row['case']}: {row['tweets']:,} tweets ({row['retweets']:,} retweets), "
              f"{row['lines']:,} lines -> {row['archive']} in {row['seconds']} s")
    if skipped:
        print(f"up to date: {', '.join(skipped)}")
    print("These archives are synthetic reconstructions, not real tweets.")
    return 0


def _selected(args: argparse.Namespace) -> list[Case]:
    if args.case:
        cases = [load_case(c) for c in args.case]
    elif args.scale:
        cases = [load_case(SCALE_DEFAULT_CASE)]
    else:
        cases = [c for c in load_cases(include_library=False).values() if c.is_reconstruction]
    for case in cases:
        if not case.is_reconstruction:
            raise CaseError(f"{case.source}: key 'provenance': case {case.id!r} is real, "
                            "there is nothing to reconstruct")
    return cases


def _build(cases: list[Case], args: argparse.Namespace) -> list[generator.BuildResult]:
    sources = [str(c.source) if c.source else c.id for c in cases]
    if len(cases) <= 1 or (os.cpu_count() or 1) < 2:
        return [_one(s, args.out, args.seed, args.scale) for s in sources]
    # Biggest first, so the long case starts at once and the small ones share the other core.
    order = sorted(range(len(cases)), key=lambda i: -_expected_size(cases[i]))
    with ProcessPoolExecutor(max_workers=MAX_WORKERS) as pool:
        futures = {i: pool.submit(_one, sources[i], args.out, args.seed, args.scale) for i in order}
        return [futures[i].result() for i in range(len(cases))]


def _one(source: str, out: Path | None, seed: int | None, scale: int | None) -> generator.BuildResult:
    return generator.build_case(load_case(source), out_dir=out, seed=seed, scale=scale)


def _expected_size(case: Case) -> float:
    knots = (case.reconstruction or {}).get("rate", [])
    return sum((b[0] - a[0]) * (a[1] + b[1]) / 2 for a, b in zip(knots, knots[1:], strict=False))
