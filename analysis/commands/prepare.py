"""``python -m analysis prepare CASE|all``: score a case and store its summaries, so a
dashboard server's first visit and first open of the Language and Themes tabs read them."""

from __future__ import annotations

import argparse
import time

from analysis import pipeline

NAME = "prepare"
HELP = ("score a case (id, case file, archive) or every case (all) into the score cache and "
        "store its Language and Themes summaries beside it (done once; the app reads them)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", metavar="CASE",
                        help=f"a case id, a case file (.toml), an archive path, or '{pipeline.ALL}'")


def run(args: argparse.Namespace) -> int:
    loaded = (pipeline.load_all() if args.case == pipeline.ALL
              else {args.case: pipeline.load(args.case)})
    for name, one in loaded.items():
        started = time.process_time()
        found = pipeline.summaries(one)
        themes = (f"{len(found.themes.top_terms)} themes" if found.themes is not None
                  else f"no themes ({found.themes_error})")
        print(f"{name}: {len(one.table):,} tweets scored; summaries ready "
              f"({themes}; {time.process_time() - started:.1f} s CPU)")
    return 0
