"""``python -m analysis library list|add|delete``: the user's library of saved cases.

``add`` runs the same checks as an upload in the app (size, type, bombs, names, valid rows)
and saves the archive(s) with a case file; the case then shows in the app and on Compare.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from analysis.commands.inspect import parse_mapping
from analysis.errors import CaseError
from analysis.ingest import uploads
from analysis.store import library

NAME = "library"
HELP = "list, add (an archive as a case) or delete the cases in your local library"
ACTIONS = ("list", "add", "delete")
EVENT_SEPARATOR = "|"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=ACTIONS, help="what to do")
    parser.add_argument("targets", nargs="*", metavar="FILE_OR_ID",
                        help="add: archive file(s); delete: case id(s)")
    parser.add_argument("--hashtag", help="add: the campaign hashtag, e.g. '#MyBrand'")
    parser.add_argument("--brand", help="add: the brand's name")
    parser.add_argument("--account", default="", help="add: the brand's handle")
    parser.add_argument("--launch", help="add: launch time with UTC offset, e.g. 2014-04-22T17:55Z")
    parser.add_argument("--event", action="append", default=[], metavar="TIME|KIND|LABEL",
                        help="add: an event (repeatable); KIND is a case event kind")
    parser.add_argument("--map", dest="mapping", action="append", default=None,
                        metavar="COLUMN=HEADER",
                        help="add: read a spreadsheet of unknown layout with this column mapping "
                             "(repeatable; id, created_at and text required); saved for its header")
    parser.add_argument("--tz", default="UTC",
                        help="add: time zone of times written without one (default UTC)")
    parser.add_argument("--json", action="store_true", help="list: print JSON")


def run(args: argparse.Namespace) -> int:
    if args.action == "list":
        return _list(args.json)
    if args.action == "delete":
        for case_id in _required(args.targets, "case id"):
            library.delete_case(case_id)
            print(f"deleted {case_id}")
        return 0
    return _add(args)


def _required(values: list[str], what: str) -> list[str]:
    if not values:
        raise CaseError(f"give at least one {what}")
    return values


def _list(as_json: bool) -> int:
    entries = library.list_cases()
    if as_json:
        print(json.dumps([{"id": e.case_id, "hashtag": e.hashtag, "brand": e.brand,
                           "created": e.created, "files": list(e.files)} for e in entries],
                         indent=2, ensure_ascii=False))
        return 0
    if not entries:
        print("the library is empty")
    for entry in entries:
        kept = sum(int(r.get("kept", 0) or 0) for r in entry.load_reports)
        print(f"{entry.case_id}\t#{entry.hashtag}\t{entry.brand}\t{kept:,} tweets\t{entry.created}")
    return 0


def _add(args: argparse.Namespace) -> int:
    files = [Path(p) for p in _required(args.targets, "archive file")]
    for key in ("hashtag", "brand", "launch"):
        if not getattr(args, key):
            raise CaseError(f"add needs --{key}")
    for path in files:
        if not path.is_file():
            raise CaseError(f"{path}: file not found")
        if path.stat().st_size > uploads.MAX_UPLOAD_BYTES:  # refuse before reading it
            raise uploads.reject(path.name, f"the file is larger than {uploads.MAX_UPLOAD_MB} MB")
    case_id = library.save_case(
        hashtag=args.hashtag, brand=args.brand, brand_account=args.account or args.brand,
        launch=args.launch, events=[_event(text) for text in args.event],
        files=[(path.name, path.read_bytes()) for path in files],
        mapping=parse_mapping(args.mapping), tz=args.tz)
    print(case_id)
    return 0


def _event(text: str) -> dict[str, str]:
    parts = text.split(EVENT_SEPARATOR, 2)
    if len(parts) != 3:
        raise CaseError(f"--event {text!r}: expected TIME{EVENT_SEPARATOR}KIND{EVENT_SEPARATOR}LABEL")
    time, kind, label = (p.strip() for p in parts)
    return {"time": time, "kind": kind, "label": label}
