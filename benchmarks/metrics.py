"""Speed of every metric (and of the score cache) on a million scored tweets.

    .venv/bin/python benchmarks/metrics.py [--case mynypd] [--rows 1000000]

Scores the bundled case once through the cache (``analysis.pipeline.scored_case``, in the normal
data folder), then stacks copies of the scored table until it holds ``--rows`` rows; each copy
gets its own ids and authors, so posts, retweet links and authors stay distinct. Every
function the dashboard calls on a case is timed once on that table, then the cache writes and
reads it back (in a temporary data folder). Results are printed and written to
``benchmarks/out/metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))
from benchmarks import results as bench_results  # noqa: E402  (needs the path above)

ID_COLUMNS = ("id", "retweeted_id", "in_reply_to_id", "quoted_id")
ACCOUNT_COLUMNS = ("author", "retweeted_author", "in_reply_to_author", "quoted_author")


def stacked(table: pd.DataFrame, rows: int) -> pd.DataFrame:
    """Copies of ``table`` (distinct ids and accounts per copy) up to ``rows`` rows."""
    parts = []
    for k in range(max(1, math.ceil(rows / len(table)))):
        part = table.copy()
        for column in (*ID_COLUMNS, *ACCOUNT_COLUMNS):
            part[column] = part[column] + f"_{k}"
        parts.append(part)
    out = pd.concat(parts, ignore_index=True).iloc[:rows]
    out.attrs = dict(table.attrs)
    return out


def jobs(case: Any, table: pd.DataFrame) -> dict[str, Callable[[], object]]:
    from analysis.metrics import alerts, engagement, filters, kpis, terms, timeline

    stop = terms.case_stopwords(case.hashtag, case.brand, case.brand_account)
    view = filters.Filters(keyword="police", stance="hostile", start=case.launch)
    return {
        "kpis.for_case": lambda: kpis.for_case(case, table),
        "timeline 5min": lambda: timeline.timeline(table, bin_size="5min", launch=case.launch),
        "timeline 1h": lambda: timeline.timeline(table, bin_size="1h", launch=case.launch),
        "filters.apply": lambda: filters.apply(table, view),
        "engagement.top_hostile_posts": lambda: engagement.top_hostile_posts(table),
        "terms.hashtags": lambda: terms.hashtags(table, case.hashtag, spinoffs=case.spinoff_hashtags),
        "terms.cooccurrence": lambda: terms.cooccurrence(table),
        "terms.top_posters": lambda: terms.top_posters(table),
        "terms.most_amplified": lambda: terms.most_amplified(table),
        "terms.top_mentions": lambda: terms.top_mentions(table),
        "terms.distinctive_terms": lambda: terms.distinctive_terms(table, stopwords=stop),
        "terms.stance_frequencies": lambda: terms.stance_frequencies(table, stopwords=stop),
        "alerts.replay": lambda: alerts.replay(table, case.launch, events=case.events),
    }


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", default="mynypd")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    from analysis import cases, pipeline
    from analysis.store import cache

    case = cases.load_case(args.case)
    table = stacked(pipeline.scored_case(case), args.rows)
    seconds = {name: timed(fn) for name, fn in jobs(case, table).items()}
    metrics_total = sum(seconds.values())
    with tempfile.TemporaryDirectory() as folder:
        os.environ["BACKFIRE_DATA_DIR"] = folder
        seconds["cache.save"] = timed(lambda: cache.save("benchmark", table))
        seconds["cache.load"] = timed(lambda: cache.load("benchmark"))
    result = {
        "case": args.case, "rows": len(table), "seconds": seconds,
        "metrics_total_seconds": metrics_total,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "cpus": os.cpu_count(), "load_average": os.getloadavg(), "python": platform.python_version(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "metrics.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    bench_results.write("metrics", result, load_before=result["load_average"][0])
    print(f"{len(table):,} scored tweets ({args.case} stacked), load average "
          f"{result['load_average'][0]:.1f} on {result['cpus']} CPUs")
    for name, value in seconds.items():
        print(f"  {name:30s} {value:6.2f} s")
    print(f"  {'all metrics':30s} {metrics_total:6.2f} s   peak RSS {result['peak_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
