"""CPU time of what the deep-dive's Language and Themes tabs compute on their first open.

    .venv/bin/python benchmarks/tabs.py [--case askjpm ...] [--repeats 2] [--json] [--write]

For each bundled case (its scored table read from the score cache, in the normal data folder):

- ``language_before_s``: what the Language tab computed on a server's first open before the
  case's summaries were kept (distinctive terms, word frequencies per stance, two word clouds);
- ``themes_before_s``: what the Themes tab computed (``themes.fit``, ``assign``, ``stability``
  and the report of the whole case);
- ``summaries_compute_s``: computing the case's summaries once (``pipeline.summaries``:
  terms, clouds as PNG, ``themes.fit_case``), done by ``python -m analysis prepare``, by
  saving a case, or by the first open ever in a data folder;
- ``language_after_s`` / ``themes_after_s``: a first open with the summaries on disk (read
  them; Themes then reports the view).

Times are ``time.process_time`` (CPU of this process), so other work on the machine does not
inflate them as it does wall time; best of ``--repeats``. ``--write`` saves
``benchmarks/results/tabs.json``.
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
    seeds = case.target_terms
    found = terms.language(table, stopwords=stop)

    def language_before() -> None:  # what the Language tab computed on its first open
        terms.language(table, stopwords=stop)
        for stance, words in found.frequencies.items():
            charts.wordcloud_image(words, hostile=stance == "hostile")

    def themes_before() -> None:  # what the Themes tab computed: fit, assign, stability, report
        model = themes.fit(table, target_terms=seeds, stopwords=stop)
        themes.report(table, model, labels=themes.assign(table, model), launch=case.launch,
                      stable=themes.stability(table, model, target_terms=seeds))

    out: dict[str, float] = {
        "rows": len(table),
        "language_before_s": cpu(language_before, repeats),
        "themes_before_s": cpu(themes_before, repeats),
        # computed once per case now (prepare, saving a case, or the first open ever)
        "summaries_compute_s": cpu(lambda: pipeline.summaries(
            pipeline.Loaded(case, table)), repeats),
    }
    with tempfile.TemporaryDirectory() as folder:
        previous = os.environ.get("BACKFIRE_DATA_DIR")
        os.environ["BACKFIRE_DATA_DIR"] = folder
        try:
            pipeline.summaries(loaded)  # computed and stored
            out["language_after_s"] = cpu(lambda: pipeline.summaries(loaded), repeats)
            out["themes_after_s"] = cpu(lambda: themes.report(
                table, pipeline.summaries(loaded).fitted(), launch=case.launch), repeats)
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
