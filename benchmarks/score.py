"""Speed of scoring: distinct real texts against the naive NLTK loop, and the 1M pipelines.

Commands (run on a quiet machine; each writes its figures with the load average):

    # distinct real texts: naive NLTK VADER loop, score() with 1 and with 2 workers, in one
    # run; then a 1M-row archive with 50 % distinct texts (~3 min)
    .venv/bin/python benchmarks/score.py --real
    # the synthetic 1M-tweet pipeline (ingest, score, metrics) against the plain loop (~5 min)
    .venv/bin/python benchmarks/score.py
    # smoke run end to end, small sizes, nothing saved (~1 min)
    .venv/bin/python benchmarks/score.py --real --texts 25000 --mixed-rows 60000 --no-save

Options: ``[--case mynypd] [--scale 1000000] [--sample 20000] [--archive PATH] [--workers N]``;
``--real [--texts N] [--mixed-rows 1000000] [--plain-sample 1000] [--no-save]``.

Synthetic mode:

1. Builds (once) the scaled reconstruction with ``python -m analysis build-archives --case C
   --scale N`` into ``benchmarks/out/data`` (git-ignored), unless ``--archive`` is given.
2. Runs the whole pipeline in a fresh child process: ingest (``analysis.loaders.load``),
   score (``analysis.scoring.score``), metrics (``analysis.kpis.for_case`` and two
   ``analysis.timeline.timeline`` binnings). Peak RSS is the child's own ``ru_maxrss`` and,
   sampled every 50 ms from ``/proc``, the sum over the child and its worker processes.
3. In the same child, the plain approach (``plain_loop``): NLTK's stock VADER and the
   hostility model (alt-profanity-check, cue patterns, combiner) called on every row in a
   loop (no dedup, no batching, one core), timed on a random sample of rows and extrapolated
   to all rows; and, as a floor for any per-row loop, NLTK's stock VADER alone per row.

Results are printed and written to ``benchmarks/out/score.json`` and, as
``synthetic_pipeline``, to ``benchmarks/results/score.json``.

``--real`` measures instead, in one fresh child process, on *distinct real texts* (every
labelled tweet in ../shared/benchmarks and every real archive text, duplicates made distinct):
NLTK's stock VADER called per text (the naive loop), the full plain loop on a sample, and
``score()`` with one worker and with two (the worker pool started beforehand, as in the app),
the three back to back in ``--repeats`` rounds (default 3; the round with the median two-worker
speed-up is kept, every round's wall times are saved); then ``score()`` on a 1M-row table with 50 % distinct texts (each real text with a distinct
counter appended, every made text on two rows). Wall and CPU seconds are both recorded: CPU
of this process and of the workers (from ``/proc``), and the wall time projected on idle cores
(this process's CPU plus the busiest worker's), which is what to compare while others load
the machine. Written to ``benchmarks/results/score.json`` as ``real_distinct`` and
``mixed_half_distinct``, with the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
RESULTS = ROOT / "benchmarks" / "results" / "score.json"
# Rounds of the --real passes: a pass of 1-10 s drifts by 10-20 % between runs on this VM.
REPEATS = 3
# Rows of the full plain loop timed in --real mode (it runs at a few hundred texts per second).
REAL_PLAIN_SAMPLE = 1_000
sys.path.insert(0, str(ROOT))

# How often the memory sampler reads /proc (seconds).
SAMPLE_EVERY = 0.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", default="mynypd")
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000, help="rows timed in the plain loop")
    parser.add_argument("--archive", type=Path, default=None, help="score this archive instead")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--real", action="store_true", help="measure on distinct real texts (see above)")
    parser.add_argument("--mixed-rows", type=int, default=1_000_000, help="rows of the 50 %% distinct table")
    parser.add_argument("--plain-sample", type=int, default=REAL_PLAIN_SAMPLE,
                        help="--real: texts timed in the full plain loop")
    parser.add_argument("--repeats", type=int, default=REPEATS,
                        help="--real: rounds of the three passes on the distinct texts; the median round is kept")
    parser.add_argument("--texts", type=int, default=0, help="--real: use only the first N distinct texts (0: all)")
    parser.add_argument("--no-save", action="store_true", help="print only (a smoke run)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(real_child(args) if args.real else child(args)))
        return 0
    if args.real:
        found = real_parent(args)
        if not args.no_save:
            save_results(found)
        print(real_report(found))
        return 0
    archive = args.archive or build(args.case, args.scale)
    result = parent(args, archive)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "score.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    save_results({"synthetic_pipeline": result})
    print(report(result))
    return 0


def save_results(found: dict[str, Any]) -> None:
    """Merge into benchmarks/results/score.json (other keys kept)."""
    stored = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}
    stored.update(found)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")


def real_parent(args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--real",
               "--mixed-rows", str(args.mixed_rows), "--texts", str(args.texts),
               "--plain-sample", str(args.plain_sample), "--repeats", str(args.repeats)]
    load_before = os.getloadavg()
    found, sampler = run_child(command)
    context = {"load_average_before": [round(x, 2) for x in load_before],
               "load_average_after": [round(x, 2) for x in os.getloadavg()],
               "peak_rss_tree_mb": round(sampler.peak / 2**20, 1), "machine": machine(),
               "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    for value in found.values():
        value.update(context)
    return found


def run_child(command: list[str]) -> tuple[dict[str, Any], TreeMemory]:
    """Run the measuring child (this script with ``--child``) while sampling its process tree;
    its result is the JSON object on the last line of its output."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    sampler = TreeMemory(process.pid)
    sampler.start()
    out, _ = process.communicate()
    sampler.stop()
    if process.returncode:
        raise SystemExit(f"benchmark child failed with status {process.returncode}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result, sampler


def machine() -> str:
    from analysis.nlp import evaluation

    return evaluation.machine()


def distinct_real_texts() -> list[str]:
    """Every labelled tweet and every real archive text, each occurring once (a repeat gets
    `` ·2``, `` ·3``… appended: as distinct as a reply quoting it)."""
    from analysis.errors import BackfireError
    from analysis.ingest import loaders
    from analysis.nlp import evaluation, scoring
    from analysis.store.paths import SHARED_DIR

    texts: list[str] = []
    for folder, splits in ((evaluation.DEFAULT_OFFENSIVE, ("train", "val")),
                           (evaluation.DEFAULT_SENTIMENT, ("val",))):
        for split in splits:
            texts += evaluation.read_tweeteval(folder, split).texts
    texts += evaluation.read_davidson(evaluation.DEFAULT_DAVIDSON).texts
    for path in sorted((SHARED_DIR / "real-archives").iterdir()):
        try:
            texts += list(scoring.scoring_texts(loaders.load(path).table["text"]))
        except BackfireError:
            continue
    seen: dict[str, int] = {}
    out = []
    for text in texts:
        count = seen.get(text, 0) + 1
        seen[text] = count
        out.append(text if count == 1 else f"{text} ·{count}")
    return out


def workers_cpu_seconds() -> dict[int, float]:
    """CPU seconds (user + system) of each descendant of this process: the fork server and the
    scoring workers, which ``getrusage`` does not see (they are not this process's children)."""
    ticks = os.sysconf("SC_CLK_TCK")
    return {pid: _cpu_ticks(pid) / ticks for pid in _tree(os.getpid()) if pid != os.getpid()}


def timed_score(table: Any, workers: int) -> dict[str, float]:
    """Wall and CPU seconds of ``score(table, workers=...)``: this process's CPU, the workers'
    CPU, and the projection on idle cores (this process's CPU plus the busiest worker's)."""
    from analysis.nlp import scoring

    before = workers_cpu_seconds()
    start, cpu_start = time.perf_counter(), time.process_time()
    scored = scoring.score(table, workers=workers)
    wall, main_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    used = {pid: cpu - before.get(pid, 0.0) for pid, cpu in workers_cpu_seconds().items()}
    busiest = max(used.values(), default=0.0) if workers > 1 else 0.0
    return {"wall_s": wall, "main_cpu_s": main_cpu, "workers_cpu_s": sum(used.values()) if workers > 1 else 0.0,
            "projected_idle_s": main_cpu + busiest, "unique_texts": scored.attrs["scoring"]["unique_texts"]}


def interleaved(naive: Callable[[], dict[str, float]],
                table: Any) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """One round: the naive loop, ``score()`` with 1 worker, with 2 workers, back to back."""
    return naive(), timed_score(table, 1), timed_score(table, 2)


def real_child(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    from analysis.nlp import lexicon, scoring

    texts = distinct_real_texts()
    texts = texts[: args.texts] if args.texts else texts
    table = pd.DataFrame({"text": texts})
    stock = lexicon.analyzer()

    def naive() -> dict[str, float]:
        start, cpu_start = time.perf_counter(), time.process_time()
        for text in texts:  # the naive NLTK loop: stock VADER, one text at a time
            stock.polarity_scores(lexicon.demojize(text))
        return {"wall_s": time.perf_counter() - start, "main_cpu_s": time.process_time() - cpu_start}

    sample = texts[:args.plain_sample]
    start = time.perf_counter()
    plain_loop(np.asarray(sample, dtype=object), ())
    plain_rate = len(sample) / (time.perf_counter() - start)
    # The app's steady state: the worker pool (forked from the preloaded fork server) runs.
    start = time.perf_counter()
    scoring.start_workers(2)
    pool_start_s = time.perf_counter() - start
    scoring.score(table.head(100), workers=1)  # this process's tables and models loaded
    # Rounds of the three passes in turn, so that a slow spell of the (virtual) machine slows
    # all three alike; the round with the median 2-worker speed-up is kept.
    rounds = sorted((interleaved(naive, table) for _ in range(max(1, args.repeats))),
                    key=lambda r: r[0]["wall_s"] / r[2]["wall_s"])
    (naive_run, one, two) = rounds[len(rounds) // 2]
    naive_s, naive_cpu = naive_run["wall_s"], naive_run["main_cpu_s"]
    n = len(texts)
    real = {
        "texts": n, "unique_texts": one["unique_texts"],
        "mean_text_chars": round(float(table["text"].str.len().mean()), 1),
        "naive_nltk_vader_loop_s": round(naive_s, 2), "naive_tweets_per_s": round(n / naive_s),
        "plain_loop_tweets_per_s": round(plain_rate), "plain_loop_sample": len(sample),
        "score_1_worker_s": round(one["wall_s"], 2), "score_2_workers_s": round(two["wall_s"], 2),
        "score_1_worker_tweets_per_s": round(n / one["wall_s"]), "score_2_workers_tweets_per_s": round(n / two["wall_s"]),
        "speedup_2_workers_vs_naive": round(naive_s / two["wall_s"], 2),
        "speedup_1_worker_vs_naive": round(naive_s / one["wall_s"], 2),
        "second_core_gain": round(one["wall_s"] / two["wall_s"], 2),
        "speedup_2_workers_vs_plain_loop": round(n / plain_rate / two["wall_s"], 1),
        "pool_start_s": round(pool_start_s, 2),
        "naive_loop_cpu_s": round(naive_cpu, 2),
        "score_1_worker_cpu_s": round(one["main_cpu_s"], 2),
        "score_2_workers_main_cpu_s": round(two["main_cpu_s"], 2),
        "score_2_workers_workers_cpu_s": round(two["workers_cpu_s"], 2),
        "speedup_per_cpu_second_vs_naive": round(naive_cpu / one["main_cpu_s"], 2),
        "projected_2_workers_s_on_idle_cores": round(two["projected_idle_s"], 2),
        "projected_speedup_2_workers_vs_naive_cpu": round(naive_cpu / two["projected_idle_s"], 2),
        "projected_second_core_gain": round(one["main_cpu_s"] / two["projected_idle_s"], 2),
        "targets": {"speedup_2_workers_vs_naive": 6, "second_core_gain": 1.7},
        "repeats": args.repeats,
        "rounds_s": [{"naive": round(a["wall_s"], 2), "score_1_worker": round(b["wall_s"], 2),
                      "score_2_workers": round(c["wall_s"], 2)} for a, b, c in rounds],
    }
    rng = np.random.default_rng(12)
    distinct = args.mixed_rows // 2
    pool = np.asarray(texts, dtype=object)
    made = [f"{pool[k % n]} ·{k // n + 1}" for k in range(distinct)]
    rows = np.repeat(np.arange(distinct), 2)[: args.mixed_rows]
    rng.shuffle(rows)
    mixed = pd.DataFrame({"text": np.asarray(made, dtype=object)[rows]})
    found = timed_score(mixed, scoring.default_workers())
    return {"real_distinct": real, "mixed_half_distinct": {
        "rows": len(mixed), "unique_texts": found["unique_texts"],
        "mean_text_chars": round(float(mixed["text"].str.len().mean()), 1),
        "workers": scoring.default_workers(), "score_s": round(found["wall_s"], 2),
        "tweets_per_s": round(len(mixed) / found["wall_s"]), "target_s": 30,
        "main_cpu_s": round(found["main_cpu_s"], 2), "workers_cpu_s": round(found["workers_cpu_s"], 2),
        "projected_s_on_idle_cores": round(found["projected_idle_s"], 2),
        "texts": "the distinct real texts, each with a distinct counter appended (' ·k', as a reply "
                 "quoting it), every made text on two rows in random order",
    }}


def real_report(found: dict[str, Any]) -> str:
    real, mixed = found["real_distinct"], found["mixed_half_distinct"]
    return "\n".join([
        f"{real['texts']:,} distinct real texts: naive NLTK VADER loop {real['naive_tweets_per_s']:,}/s; "
        f"score() {real['score_1_worker_tweets_per_s']:,}/s with 1 worker, {real['score_2_workers_tweets_per_s']:,}/s "
        f"with 2 → {real['speedup_2_workers_vs_naive']}x the naive loop, second core x{real['second_core_gain']}; "
        f"full plain loop {real['plain_loop_tweets_per_s']:,}/s ({real['speedup_2_workers_vs_plain_loop']}x); "
        f"per CPU-second {real['speedup_per_cpu_second_vs_naive']}x the naive loop",
        f"CPU: naive loop {real['naive_loop_cpu_s']} s; score() 1 worker {real['score_1_worker_cpu_s']} s; "
        f"2 workers {real['score_2_workers_main_cpu_s']} s main + {real['score_2_workers_workers_cpu_s']} s workers "
        f"→ on idle cores {real['projected_2_workers_s_on_idle_cores']} s = "
        f"{real['projected_speedup_2_workers_vs_naive_cpu']}x the naive loop, second core x{real['projected_second_core_gain']}",
        f"{mixed['rows']:,} rows, {mixed['unique_texts']:,} distinct texts: score() {mixed['score_s']} s "
        f"({mixed['tweets_per_s']:,}/s, target ≤ {mixed['target_s']} s); CPU {mixed['main_cpu_s']} s main + "
        f"{mixed['workers_cpu_s']} s workers → on idle cores {mixed['projected_s_on_idle_cores']} s",
        f"{real['machine']}; load average before {real['load_average_before']} after "
        f"{real['load_average_after']}; {real['date']}",
    ])


def build(case: str, scale: int) -> Path:
    data = OUT / "data"
    env = {**os.environ, "BACKFIRE_DATA_DIR": str(data)}
    archives = data / "archives"
    found = _scaled_archive(archives, case, scale)
    if found is None:
        subprocess.run([sys.executable, "-m", "analysis", "build-archives", "--case", case,
                        "--scale", str(scale)], cwd=ROOT, env=env, check=True)
        found = _scaled_archive(archives, case, scale)
    if found is None:
        raise SystemExit(f"build-archives wrote no archive for {case} under {archives}")
    return found


def _scaled_archive(folder: Path, case: str, scale: int) -> Path | None:
    candidates = sorted(folder.glob(f"{case}*.jsonl.gz"), key=lambda p: p.stat().st_mtime)
    preferred = [p for p in candidates if str(scale) in p.name]
    return (preferred or candidates or [None])[-1]


def parent(args: argparse.Namespace, archive: Path) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--archive", str(archive),
               "--case", args.case, "--sample", str(args.sample)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    result, sampler = run_child(command)
    result["child_wall_s"] = round(time.perf_counter() - started, 2)
    result["peak_rss_tree_mb"] = round(sampler.peak / 2**20, 1)
    result["cpu_tree_s"] = round(sampler.cpu_seconds(), 1)
    result["cpu_tree_pipeline_s"] = round(sampler.cpu_seconds_at(result["pipeline_end_unix"]), 1)
    result["load_average_before_after"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    result["archive"] = archive.name
    result["archive_mb"] = round(archive.stat().st_size / 2**20, 1)
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    result["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return result


def child(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    from analysis.ingest import loaders
    from analysis.metrics import kpis, timeline
    from analysis.nlp import features, lexicon, scoring

    case = _case(args.case)
    terms = tuple(case.target_terms) if case is not None else ()
    marks, cpu = {"start": time.perf_counter()}, {"start": time.process_time()}
    loaded = loaders.load(args.archive)
    table = loaded.table
    marks["ingest"], cpu["ingest"] = time.perf_counter(), time.process_time()
    scored = scoring.score(table, cue_terms=terms, workers=args.workers)
    marks["score"], cpu["score"] = time.perf_counter(), time.process_time()
    kpi = kpis.for_case(case, scored) if case is not None else kpis.compute(scored)
    for size in ("5min", "1h"):
        timeline.timeline(scored, bin_size=size, launch=getattr(case, "launch", None))
    marks["metrics"], cpu["metrics"] = time.perf_counter(), time.process_time()
    pipeline_end = time.time()
    rss_pipeline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = len(scored)
    sample = min(args.sample, rows)
    picks = np.random.default_rng(0).choice(rows, size=sample, replace=False)
    texts = scored["text"].astype("string").fillna("").to_numpy()[picks]
    loop_start = time.perf_counter()
    plain_loop(texts, terms)
    loop_s = time.perf_counter() - loop_start
    stock = lexicon.analyzer()
    vader_start = time.perf_counter()
    for text in texts:  # for reference: NLTK's stock VADER alone, row by row
        stock.polarity_scores(str(text))
    vader_s = time.perf_counter() - vader_start
    # Single-core CPU rate of the batched features on unique texts (projection on idle cores).
    unique_sample = list(dict.fromkeys(scoring.scoring_texts(scored["text"]).iloc[picks]))
    rate_start = time.process_time()
    features.matrix(unique_sample, terms)
    features_rate = len(unique_sample) / (time.process_time() - rate_start)
    plain_total = loop_s / sample * rows
    score_s = marks["score"] - marks["ingest"]
    return {
        "pipeline_end_unix": pipeline_end,
        "rows": rows, "unique_texts": scored.attrs["scoring"]["unique_texts"],
        "retweets": int(scored["is_retweet"].sum()),
        "workers": args.workers or scoring.default_workers(),
        "ingest_s": round(marks["ingest"] - marks["start"], 2),
        "cpu_main_ingest_s": round(cpu["ingest"] - cpu["start"], 2),
        "cpu_main_score_s": round(cpu["score"] - cpu["ingest"], 2),
        "cpu_main_metrics_s": round(cpu["metrics"] - cpu["score"], 2),
        "features_unique_texts_per_cpu_s": round(features_rate),
        "projected_score_s_on_idle_cores": round(
            scored.attrs["scoring"]["unique_texts"] / features_rate / (args.workers or scoring.default_workers())
            + (cpu["score"] - cpu["ingest"]), 1),
        "score_s": round(score_s, 2),
        "metrics_s": round(marks["metrics"] - marks["score"], 2),
        "pipeline_s": round(marks["metrics"] - marks["start"], 2),
        "score_tweets_per_s": round(rows / score_s),
        "pipeline_tweets_per_s": round(rows / (marks["metrics"] - marks["start"])),
        "plain_loop_sample_rows": sample, "plain_loop_sample_s": round(loop_s, 2),
        "plain_loop_tweets_per_s": round(sample / loop_s),
        "plain_loop_extrapolated_s": round(plain_total, 1),
        "speedup_vs_plain": round(plain_total / score_s, 1),
        "vader_only_loop_tweets_per_s": round(sample / vader_s),
        "speedup_vs_vader_only_loop": round(vader_s / sample * rows / score_s, 1),
        "vader_only_loop_extrapolated_s": round(vader_s / sample * rows, 1),
        "peak_rss_main_pipeline_mb": round(rss_pipeline, 1),
        "peak_rss_main_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "hostile_share": kpi.values.get("hostile_share"),
        "peak_hourly_rate": kpi.values.get("peak_hourly_rate"),
    }


def plain_loop(texts: Any, terms: tuple[str, ...]) -> None:
    """The plain approach: every row scored on its own, as a straightforward loop would.

    NLTK's stock VADER, alt-profanity-check called per row, the hostility cues searched with
    Python's re, and the combiner, for each row in turn (no dedup, no batching, one core).
    """
    import numpy as np
    from profanity_check import predict_prob

    from analysis.nlp import hostility, lexicon

    stock = lexicon.analyzer()
    fitted, cues = hostility.model(), hostility.cue_pattern(terms)
    checks = (hostility.SECOND_PERSON, hostility.SARCASM_ANY, hostility.MOCKERY_ANY,
              hostility.CONDEMNATION)
    weights = np.asarray([fitted.weights.get(name, 0.0) for name in hostility.FEATURES])
    for text in texts:
        text = str(text)
        scores = stock.polarity_scores(lexicon.demojize(text))
        profane = min(max(float(predict_prob([text])[0]), 1e-3), 1 - 1e-3)
        flags = [bool(p.search(text)) for p in checks]
        values = {"profanity_logit": np.log(profane / (1 - profane)), "compound": scores["compound"],
                  "pos": scores["pos"], "neg": scores["neg"], "neu": scores["neu"],
                  "second_person": flags[0], "target": bool(cues and cues.search(text)),
                  "sarcasm": flags[1], "mockery": flags[2], "condemnation": flags[3]}
        row = np.asarray([float(values.get(name, 0.0)) for name in hostility.FEATURES])
        _ = 1 / (1 + np.exp(-(fitted.intercept + row @ weights)))


def _case(case_id: str) -> Any:
    try:
        from analysis import cases

        return cases.load_case(case_id)
    except Exception:  # an archive without a case file: no cue terms, launch from the data
        return None


class TreeMemory:
    """Peak of the summed RSS of a process and all its descendants, sampled from /proc."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._ticks: dict[int, int] = {}
        self.history: list[tuple[float, float]] = []  # (unix time, tree CPU seconds so far)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of every process seen in the tree, as last sampled."""
        return sum(self._ticks.values()) / os.sysconf("SC_CLK_TCK")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = _tree(self.pid)
            self.peak = max(self.peak, sum(_rss(pid) for pid in pids))
            for pid in pids:
                self._ticks[pid] = max(self._ticks.get(pid, 0), _cpu_ticks(pid))
            self.history.append((time.time(), self.cpu_seconds()))
            time.sleep(SAMPLE_EVERY)

    def cpu_seconds_at(self, moment: float) -> float:
        """Tree CPU seconds as last sampled before ``moment`` (unix time)."""
        return max((cpu for when, cpu in self.history if when <= moment), default=0.0)


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        found += frontier
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def report(r: dict[str, Any]) -> str:
    return "\n".join([
        f"archive {r['archive']} ({r['archive_mb']} MB): {r['rows']:,} tweets, "
        f"{r['unique_texts']:,} unique texts after RT→original, {r['retweets']:,} retweets",
        f"plain loop (VADER + hostility per row, 1 core): {r['plain_loop_tweets_per_s']:,} tweets/s on "
        f"{r['plain_loop_sample_rows']:,} sampled rows → {r['plain_loop_extrapolated_s']:,} s for all rows "
        f"(extrapolated); NLTK VADER alone per row: {r['vader_only_loop_tweets_per_s']:,} tweets/s → "
        f"{r['vader_only_loop_extrapolated_s']:,} s (score() is {r['speedup_vs_vader_only_loop']}x faster than that too)",
        f"score(): {r['score_s']} s = {r['score_tweets_per_s']:,} tweets/s with {r['workers']} workers "
        f"→ {r['speedup_vs_plain']}x faster",
        f"whole pipeline: ingest {r['ingest_s']} s + score {r['score_s']} s + metrics {r['metrics_s']} s "
        f"= {r['pipeline_s']} s ({r['pipeline_tweets_per_s']:,} tweets/s)",
        f"CPU: main process ingest {r['cpu_main_ingest_s']} s, score {r['cpu_main_score_s']} s, "
        f"metrics {r['cpu_main_metrics_s']} s; process tree (main + loader and scoring workers) "
        f"{r['cpu_tree_pipeline_s']} s for ingest+score+metrics; load average "
        f"before/after {r['load_average_before_after']} on {os.cpu_count()} cores",
        f"features of unique texts: {r['features_unique_texts_per_cpu_s']:,} texts per CPU-second → "
        f"score() projected on idle cores: {r['projected_score_s_on_idle_cores']} s",
        f"peak RSS: main process {r['peak_rss_main_pipeline_mb']} MB during the pipeline; "
        f"process tree (main + workers, sampled) {r['peak_rss_tree_mb']} MB",
        f"{r['machine']}, {r['date']}",
    ])


if __name__ == "__main__":
    sys.exit(main())
