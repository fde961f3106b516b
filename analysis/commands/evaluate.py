"""``python -m analysis evaluate``: measure sentiment and hostility on labelled tweets."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from analysis.nlp import evaluation

NAME = "evaluate"
HELP = ("measure sentiment and hostility on TweetEval, Davidson et al. and the reconstructions' "
        "ground truth; print a table (or --json)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--offensive", type=Path, default=evaluation.DEFAULT_OFFENSIVE, metavar="DIR",
                        help="TweetEval-layout offensive dataset (<split>_text.txt, <split>_labels.txt)")
    parser.add_argument("--sentiment", type=Path, default=evaluation.DEFAULT_SENTIMENT, metavar="DIR",
                        help="TweetEval-layout sentiment dataset (0 negative, 1 neutral, 2 positive)")
    parser.add_argument("--davidson", type=Path, default=evaluation.DEFAULT_DAVIDSON, metavar="FILE",
                        help="Davidson et al.'s labeled_data.csv")
    parser.add_argument("--split", default="val", help="split name inside each DIR (default: val)")
    parser.add_argument("--cases", nargs="*", default=None, metavar="CASE",
                        help="reconstructions to evaluate (default: every one built)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["offensive", "sentiment", "davidson"],
                        help="datasets to leave out")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: every core)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--write", action="store_true",
                        help=f"also store the results in {evaluation.RESULTS_FILE.name} (read by README "
                             "and the Methods page)")
    parser.add_argument("--fit", action="store_true",
                        help="refit the hostility weights (TweetEval offensive train; threshold on "
                             "--split) and the sentiment thresholds (sentiment --split) first")


def run(args: argparse.Namespace) -> int:
    if args.fit:
        evaluation.fit(args.offensive, args.sentiment, args.split)
    cases = evaluation.available_cases() if args.cases is None else list(args.cases)
    results = evaluation.run(
        offensive=None if "offensive" in args.skip else args.offensive,
        sentiment_dir=None if "sentiment" in args.skip else args.sentiment,
        davidson=None if "davidson" in args.skip else args.davidson,
        split=args.split, cases=cases, workers=args.workers,
    )
    if args.write:
        evaluation.write(results)
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


def table(results: dict[str, Any]) -> str:
    """A readable table: dataset, n, metric, ours, baselines, target."""
    lines = [f"{'dataset':<24} {'n':>6}  {'metric':<13} {'ours':>6}  {'VADER':>6}  {'profanity':>9}  {'target':>6}"]
    for row in evaluation.rows(results):
        lines.append(f"{row['dataset']:<24} {row['n']:>6}  {row['metric']:<13} {_num(row['ours']):>6}  "
                     f"{_num(row['vader']):>6}  {_num(row['profanity']):>9}  {_num(row['target']):>6}")
    meta = results.get("meta", {})
    lines.append(f"hostility threshold {meta.get('hostility_threshold')}, sentiment thresholds "
                 f"{meta.get('sentiment_thresholds')}, split {meta.get('split')}; {meta.get('machine')}")
    return "\n".join(lines)


def _num(value: object) -> str:
    return "-" if value is None else f"{float(value):.3f}"  # type: ignore[arg-type]
