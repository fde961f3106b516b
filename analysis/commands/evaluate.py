"""``python -m analysis evaluate``: measure sentiment and hostility on labelled tweets."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from analysis.errors import BackfireError
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
                        help="refit first: hostility on TweetEval offensive train (threshold by "
                             "cross-validation on train), the sentiment model on --ground-truth and "
                             "the sentiment --split (reported cross-validated)")
    parser.add_argument("--ground-truth", type=Path, default=None, metavar="FILE",
                        help="Hutto & Gilbert's rated tweets for --fit: hutto_ICWSM_2014.tar.gz from "
                             "vaderSentiment 3.3.2's sdist (pip download --no-deps --no-binary :all: "
                             "vaderSentiment==3.3.2), or its tweets_GroundTruth.txt")


def run(args: argparse.Namespace) -> int:
    if args.fit:
        if args.ground_truth is None:
            raise BackfireError("--fit needs --ground-truth FILE (see --help)")
        evaluation.fit(args.offensive, args.sentiment, args.split, args.ground_truth)
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
    """A readable table: dataset, n, metric, ours, previous model, baselines, target; then
    the protocol of each figure."""
    lines = [f"{'dataset':<26} {'n':>6}  {'metric':<14} {'Backfire':>21}  {'previous':>21}  "
             f"{'VADER':>21}  {'profanity':>21}  {'target':>6}"]
    for row in evaluation.rows(results):
        cells = evaluation.figure_cells(row, dash="-")
        lines.append(f"{row['dataset']:<26} {row['n']:>6}  {row['metric']:<14} "
                     + "  ".join(f"{cell:>21}" for cell in cells)
                     + f"  {evaluation.figure_text(row['target'], dash='-'):>6}")
    meta = results.get("meta", {})
    lines.append(f"95 % intervals: {meta.get('bootstrap')}; split {meta.get('split')}; "
                 f"{meta.get('machine')}; load average {meta.get('load_average')}")
    return "\n".join(lines)

