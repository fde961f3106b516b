"""Ingest benchmark: a 1M-tweet v1.1 JSONL.gz archive into the canonical table.

    .venv/bin/python benchmarks/ingest.py                 # 1M tweets, baseline on 100k
    .venv/bin/python benchmarks/ingest.py --tweets 200000 --baseline-tweets 50000

The archive is the generator's #myNYPD reconstruction at scale
(``python -m analysis build-archives --case mynypd --scale N``, written under
``benchmarks/out/data`` when missing). Each measurement runs in a fresh process so its peak
RSS is its own; RSS is sampled over the whole process tree (the loader's worker processes
included). The baseline is what a user would write: ``pandas.read_json(lines=True)`` then
``pandas.json_normalize``. It needs several GB per 100k tweets, so it runs on the first
``--baseline-tweets`` lines of the same archive, and ``analysis.loaders.load`` is measured on
that same subset too: the speed-up compares equal inputs. Results: ``benchmarks/out/ingest.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere: import the project's analysis
from benchmarks import results as bench_results  # noqa: E402  (needs the path above)

OUT = ROOT / "benchmarks" / "out"
DATA = OUT / "data"
TARGET_RATE = 50_000        # tweets/s
TARGET_SPEEDUP = 3.0        # x the pandas baseline
TARGET_RSS_MB = 2048        # peak RSS of the whole process tree
SAMPLE_SECONDS = 0.02       # RSS sampling period


# ----------------------------------------------------------------------------- RSS sampling
def _tree_rss_kb(pid: int) -> int:
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                total += next((int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _wait_sampling_peak(process: subprocess.Popen[str]) -> int:
    """Wait for ``process``, sampling the RSS of it and its descendants; the peak in KB.

    Sampled from the parent, not from a thread in the child: the loader forks its parsing
    workers only from a single-threaded process, so a sampler thread there would measure the
    in-process path instead of what users get.
    """
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss_kb(process.pid))
        time.sleep(SAMPLE_SECONDS)
    return peak


# ----------------------------------------------------------------------------- children
def _ours(path: Path, workers: int | None) -> dict[str, Any]:
    from analysis.ingest.loaders import load

    started = time.perf_counter()
    result = load(path, workers=workers)
    seconds = time.perf_counter() - started
    report = result.report
    assert report.reconciles
    return {"seconds": seconds, "rows_read": report.rows_read, "kept": report.kept,
            "columns": len(result.table.columns)}


def _baseline(path: Path) -> dict[str, Any]:
    import pandas as pd

    started = time.perf_counter()
    raw = pd.read_json(path, lines=True, compression="gzip")
    flat = pd.json_normalize(raw.to_dict(orient="records"))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows_read": len(raw), "kept": len(flat), "columns": len(flat.columns)}


def _cpu_seconds() -> float:
    """User + system time of this process and its reaped children (the loader's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(kind: str, path: Path, workers: int | None) -> None:
    cpu = _cpu_seconds()
    load_before = os.getloadavg()[0]
    figures = _ours(path, workers) if kind == "ours" else _baseline(path)
    figures["cpu_seconds"] = _cpu_seconds() - cpu
    figures["load_average"] = round((load_before + os.getloadavg()[0]) / 2, 1)
    figures["rate"] = figures["rows_read"] / figures["seconds"]
    # What the run would take on otherwise idle cores: its CPU time spread over the cores it
    # can use (the wall-clock rate above is lower whenever other work shares the machine).
    usable = min(os.cpu_count() or 1, 1 + (workers if workers is not None else 2)) if kind == "ours" else 1
    figures["cpu_bound_rate"] = figures["rows_read"] / (figures["cpu_seconds"] / min(usable, os.cpu_count() or 1))
    print(json.dumps(figures))


def _run_child(kind: str, path: Path, workers: int | None) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--archive", str(path)]
    if workers is not None:
        command += ["--workers", str(workers)]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        peak_kb = _wait_sampling_peak(process)
        stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{kind} on {path.name} failed:\n{stderr[-2000:]}")
    figures = dict(json.loads(stdout.strip().splitlines()[-1]))
    figures["peak_rss_mb"] = round(peak_kb / 1024)
    return figures


# ----------------------------------------------------------------------------- inputs
def archive(tweets: int) -> Path:
    """The generator's mynypd archive at ``tweets`` scale (built when missing)."""
    path = DATA / "archives" / f"mynypd-{tweets}.jsonl.gz"
    if not path.exists():
        print(f"building {path.relative_to(ROOT)} with the generator…", flush=True)
        env = os.environ | {"BACKFIRE_DATA_DIR": str(DATA)}
        subprocess.run([sys.executable, "-m", "analysis", "build-archives", "--case", "mynypd",
                        "--scale", str(tweets)], cwd=ROOT, env=env, check=True)
    return path


def head_of(path: Path, lines: int) -> Path:
    """The first ``lines`` lines of ``path``, gzip-compressed (the baseline's input)."""
    target = OUT / f"{path.name.removesuffix('.jsonl.gz')}-head{lines}.jsonl.gz"
    if not target.exists() or target.stat().st_mtime < path.stat().st_mtime:
        with gzip.open(path, "rb") as source, gzip.open(target, "wb", compresslevel=6) as sink:
            for count, line in enumerate(source):
                if count >= lines:
                    break
                sink.write(line)
    return target


def machine() -> dict[str, Any]:
    model = platform.processor()
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines()
                      if line.startswith("Model name")), model)
    except OSError:
        pass
    with open("/proc/meminfo") as handle:
        mem_kb = next(int(line.split()[1]) for line in handle if line.startswith("MemTotal:"))
    return {"cpu": model, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 1024**2, 1),
            "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=int, default=1_000_000, help="archive size (generator --scale)")
    parser.add_argument("--baseline-tweets", type=int, default=100_000,
                        help="lines of the archive given to the pandas baseline (and to ours, to compare)")
    parser.add_argument("--archive", type=Path, help="measure this file instead of the generator's")
    parser.add_argument("--workers", type=int, default=None, help="loader processes (default: auto)")
    parser.add_argument("--child", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.archive, args.workers)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    full = args.archive or archive(args.tweets)
    subset = head_of(full, args.baseline_tweets)
    ours = _run_child("ours", full, args.workers)
    ours_subset = _run_child("ours", subset, args.workers)
    base = _run_child("baseline", subset, None)
    speedup = ours_subset["rate"] / base["rate"]
    results = {"archive": str(full.relative_to(ROOT)) if full.is_relative_to(ROOT) else str(full),
               "archive_mb": round(full.stat().st_size / 1024**2), "machine": machine(),
               "ours": ours, "ours_on_baseline_subset": ours_subset, "baseline": base,
               "speedup_vs_baseline": round(speedup, 2),
               "targets": {"rate": TARGET_RATE, "speedup": TARGET_SPEEDUP, "peak_rss_mb": TARGET_RSS_MB},
               "met": {"rate": ours["rate"] >= TARGET_RATE, "speedup": speedup >= TARGET_SPEEDUP,
                       "peak_rss": ours["peak_rss_mb"] <= TARGET_RSS_MB}}
    (OUT / "ingest.json").write_text(json.dumps(results, indent=2))
    bench_results.write("ingest", results)
    print(f"machine: {results['machine']}")
    print(f"{'run':<34}{'tweets':>10}{'seconds':>9}{'tweets/s':>10}{'CPU s':>8}{'CPU-bound/s':>12}"
          f"{'peak RSS MB':>12}{'load avg':>9}")
    for label, row in ((f"load() {full.name}", ours), (f"load() {subset.name}", ours_subset),
                       (f"pandas baseline {subset.name}", base)):
        print(f"{label[:33]:<34}{row['rows_read']:>10,}{row['seconds']:>9.1f}{row['rate']:>10,.0f}"
              f"{row['cpu_seconds']:>8.1f}{row['cpu_bound_rate']:>12,.0f}{row['peak_rss_mb']:>12,}"
              f"{row['load_average']:>9}")
    print(f"speed-up vs baseline (same subset): {speedup:.1f}x; targets met: {results['met']}")


if __name__ == "__main__":
    main()
