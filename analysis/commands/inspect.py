"""``python -m analysis inspect PATH…``: detect each archive's format, load it, print the report."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Final

from analysis.errors import BackfireError
from analysis.ingest.formats import FORMATS
from analysis.ingest.loaders import LoadReport, load

NAME = "inspect"
HELP = "detect the format of tweet archives, load them and print their load reports (or --json)"
# Rejections printed per file in the readable report (--json lists them all, up to the cap).
SHOWN_REJECTIONS: Final = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="archive files (plain, .gz, .bz2 or .zip)")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON list with one object per file")
    parser.add_argument("--format", dest="fmt", choices=sorted(FORMATS), default=None,
                        help="skip detection and read every file as this format")
    parser.add_argument("--map", dest="mapping", action="append", default=None,
                        metavar="COLUMN=HEADER",
                        help="read a CSV of any layout: canonical column=CSV header "
                             "(repeat; id, created_at and text are required)")


def parse_mapping(pairs: list[str] | None) -> dict[str, str] | None:
    """``["id=tweet_id", "text=body"]`` -> ``{"id": "tweet_id", "text": "body"}``."""
    if not pairs:
        return None
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, header = pair.partition("=")
        if not sep or not column.strip() or not header.strip():
            raise BackfireError(f"--map expects COLUMN=HEADER, got {pair!r}")
        mapping[column.strip()] = header.strip()
    return mapping


def run(args: argparse.Namespace) -> int:
    mapping = parse_mapping(args.mapping)
    entries: list[dict[str, Any]] = []
    failed = False
    for path in args.paths:
        try:
            report = load(path, fmt=args.fmt, mapping=mapping).report
        except BackfireError as exc:
            failed = True
            entries.append({"path": path, "error": str(exc)})
            continue
        entry = report.to_dict()
        entry["path"] = path
        entries.append(entry)
        if not args.json:
            print(readable(path, report))
    if args.json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
    else:
        for entry in entries:
            if "error" in entry:
                print(f"{entry['path']}\n  error: {entry['error']}\n")
    return 2 if failed else 0


def readable(path: str, report: LoadReport) -> str:
    """The load report as a few aligned lines."""
    label = FORMATS[report.format].label if report.format in FORMATS else report.format
    data = report.to_dict()
    lines = [
        path,
        f"  format       {report.format} — {label}",
        f"  rows read    {report.rows_read:,} = {report.kept:,} kept + {report.rejected:,} rejected"
        f" + {report.duplicates:,} duplicates",
        f"  retweets     {report.retweets:,} ({report.retweet_share:.1%} of kept)",
        f"  time range   {data['time_min']} → {data['time_max']} (UTC)",
    ]
    if report.rejections:
        lines.append("  rejected:")
        for rejection in report.rejections[:SHOWN_REJECTIONS]:
            # A zip member (``z.zip:a.jsonl``) is named: the line is counted in it.
            inner = rejection.file if rejection.file not in (path, str(Path(path))) else ""
            where = ", ".join(p for p in (
                inner,
                f"line {rejection.line}" if rejection.line is not None else "",
                f"column {rejection.column}" if rejection.column is not None else "") if p)
            lines.append(f"    {where}: {rejection.reason}" if where else f"    {rejection.reason}")
        if report.rejected > SHOWN_REJECTIONS:
            lines.append(f"    … {report.rejected - SHOWN_REJECTIONS:,} more (see --json)")
    for warning in report.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines) + "\n"
