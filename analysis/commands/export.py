"""``python -m analysis export CASE… --format pptx|html|pdf|data --out FILE``.

Writes the post-mortem of one case, or the comparison of several, as a slide deck, a
self-contained HTML report, a PDF, or a zip of data files (filtered tweets as CSV and
Parquet, KPI table, hashtag/mention networks, each with a data dictionary). The filters
options narrow the tweets exactly as the dashboard's filters do, and every export says which
filters it reflects.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis import pipeline
from analysis.errors import BackfireError, ExportError
from analysis.exports import DEFAULT_PAPER, FORMATS, content, export_bytes
from analysis.exports.report import PAPERS
from analysis.metrics import filters
from analysis.store import atomic

NAME = "export"
HELP = ("export the post-mortem of one or more cases as a deck (pptx), report (html), pdf "
        "or data (zip)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cases", metavar="CASE", nargs="+",
                        help="case ids, case files (.toml) or archive files; several = a comparison")
    parser.add_argument("--format", dest="fmt", choices=sorted(FORMATS), required=True,
                        help="; ".join(f"{k}: {f.label}" for k, f in FORMATS.items()))
    parser.add_argument("--out", type=Path, required=True, help="the file to write")
    parser.add_argument("--paper", choices=sorted(PAPERS), default=DEFAULT_PAPER,
                        help=f"page size of the pdf (default: {DEFAULT_PAPER})")
    parser.add_argument("--start", help="keep tweets from this UTC time on (e.g. 2014-04-22T18:00)")
    parser.add_argument("--end", help="keep tweets before this UTC time")
    parser.add_argument("--keyword", help="keep tweets containing this text (case-insensitive)")
    parser.add_argument("--lang", action="append", default=[],
                        help="keep this language code (repeat or comma-separate for several)")
    parser.add_argument("--stance", choices=sorted(filters.STANCES), default="all",
                        help="keep tweets of this stance (default: all)")
    parser.add_argument("--no-retweets", action="store_true", help="drop retweets")


def run(args: argparse.Namespace) -> int:
    selection = selection_from(args)
    out: Path = args.out
    if out.is_dir():
        raise ExportError(f"{out} is a folder; give a file name for --out")
    items = [pipeline.load(target) for target in args.cases]
    atomic.write_bytes(out, export_bytes(items, args.fmt, selection, paper=args.paper))
    paper = f", {args.paper} paper" if "paper" in FORMATS[args.fmt].options else ""
    print(f"wrote {out} ({FORMATS[args.fmt].label}{paper}; {content.describe(selection)})")
    return 0


def selection_from(args: argparse.Namespace) -> filters.Filters:
    """The command-line filter options as ``analysis.filters.Filters``."""
    languages = tuple(code.strip() for item in args.lang for code in item.split(",") if code.strip())
    return filters.Filters(start=_time(args.start, "--start"), end=_time(args.end, "--end"),
                           keyword=args.keyword or None, languages=languages,
                           stance=args.stance, include_retweets=not args.no_retweets)


def _time(value: str | None, option: str) -> pd.Timestamp | None:
    if not value:
        return None
    try:
        stamp = pd.Timestamp(value)
    except ValueError as exc:
        raise BackfireError(f"{option}: {value!r} is not a date/time (use e.g. 2014-04-22T18:00)") from exc
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
