"""CPU time of what the deep-dive's Language and Themes tabs compute on their first open.

    .venv/bin/python benchmarks/tabs.py [--case askjpm ...] [--json] [--write]

For each bundled case (its scored table read from the score cache, in the normal data folder):
the Language tab's terms (distinctive terms + word frequencies per stance) and its two word
clouds; the Themes tab's fit (``themes.fit_case``: NMF, labels, stability) and its report on
the whole case; and reading the case's summaries when they are on disk (``pipeline.
summaries``, what the tabs do instead of the terms and the fit). Times are ``time.process_time`` (CPU of this process, all
threads), so other work on the machine does not inflate them; best of ``--repeats``.
``--write`` saves ``benchmarks/results/tabs.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from analysis import charts, pipeline  # noqa: E402  (needs the path above)
from analysis.cases import load_cases  # noqa: E402
from analysis.metrics import terms, themes  # noqa: E402
from benchmarks import results as bench_results  # noqa: E402


def cpu(job: Callable[[], object], repeats: int) -> float:
    """Best CPU seconds of ``repeats`` runs of ``job``."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        job()
        best = min(best, time.process_time() - start)
    return round(best, 3)


def measure(case_id: str, repeats: int) -> dict[str, float]:
    loaded = pipeline.load(case_id)
    case, table = loaded.case, loaded.table
    stop = terms.case_stopwords(case.hashtag, case.brand, case.brand_account)
    found = terms.language(table, stopwords=stop)
    fitted = themes.fit_case(table, target_terms=case.target_terms, stopwords=stop)
    out: dict[str, float] = {
        "rows": len(table),
        # computed on a first open without summaries (best of --repeats)
        "language_terms_s": cpu(lambda: terms.language(table, stopwords=stop), repeats),
        "language_clouds_s": cpu(lambda: [charts.wordcloud_image(f, hostile=s == "hostile")
                                          for s, f in found.frequencies.items()], repeats),
        "themes_fit_s": cpu(lambda: themes.fit_case(table, target_terms=case.target_terms,
                                                    stopwords=stop), repeats),
        "themes_report_s": cpu(lambda: themes.report(table, fitted, launch=case.launch), repeats),
    }
    with tempfile.TemporaryDirectory() as folder:
        previous = os.environ.get("BACKFIRE_DATA_DIR")
        os.environ["BACKFIRE_DATA_DIR"] = folder
        try:
            pipeline.summaries(loaded)  # computed and stored
            # a first open with the summaries on disk: read them (the tab then reports)
            out["summaries_read_s"] = cpu(lambda: pipeline.summaries(loaded), repeats)
        finally:
            if previous is None:
                del os.environ["BACKFIRE_DATA_DIR"]
            else:
                os.environ["BACKFIRE_DATA_DIR"] = previous
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", nargs="*", default=None, help="case ids (default: bundled)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write", action="store_true", help="write benchmarks/results/tabs.json")
    args = parser.parse_args()
    ids = args.case or list(load_cases(include_library=False))
    load_before = os.getloadavg()[0]
    figures = {case_id: measure(case_id, args.repeats) for case_id in ids}
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        keys = list(next(iter(figures.values())))
        print(f"{'case':<14}" + "".join(f"{k:>20}" for k in keys))
        for case_id, row in figures.items():
            print(f"{case_id:<14}" + "".join(f"{row[k]:>20}" for k in keys))
    if args.write:
        path = bench_results.write("tabs", figures, load_before=load_before,
                                   note="CPU seconds (time.process_time), best of --repeats")
        print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
