"""Page speed: server-side rerun time per page (AppTest), and first start from a fresh clone.

    .venv/bin/python benchmarks/pages.py            # both parts, a table on stdout
    .venv/bin/python benchmarks/pages.py --json     # the same as JSON
    .venv/bin/python benchmarks/pages.py --skip-clone

Reruns: each page is run once to warm the caches (bundled cases loaded and scored, from the
Parquet score cache when present), then rerun ``--repeats`` times; the median and the worst
rerun are reported. This is what a user waits for after moving a widget, minus the network
and the browser drawing. Targets (issue 4): deep-dive <= 300 ms, Compare <= 500 ms.

First start: ``git clone`` of this checkout into a temporary folder, ``.venv`` linked (the
install step is not timed), then timed: ``build-archives --if-missing`` + ``streamlit run``
until ``/_stcore/health`` answers + the home page fully rendered in headless chromium (which
loads and scores every bundled case). Target: <= 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import results as bench_results  # noqa: E402  (needs the path above)
from benchmarks.server import serve  # noqa: E402  (needs the path above)

CASES = ("mynypd", "askjpm", "askrkelly")
TARGETS_MS = {"case": 300, "compare": 500}
FIRST_START_TARGET_S = 30
CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CLONE_STREAMLIT_ARGS = ["--server.address", "127.0.0.1", "--server.headless", "true"]


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return f"{os.cpu_count()} cores, {model}, {ram_gb:.0f} GB RAM, Python {platform.python_version()}"


# ------------------------------------------------------------------------------ reruns

def _scenarios() -> list[tuple[str, str, dict[str, Any]]]:
    from analysis.cases import load_cases
    from ui import data

    labels = data.labels(load_cases())
    out: list[tuple[str, str, dict[str, Any]]] = [("library", "pages/library.py", {})]
    for case_id in CASES:
        for tab in ("Timeline", "Hostile posts", "Language", "People & tags", "Alert replay"):
            out.append((f"case {case_id} · {tab}", "pages/case.py",
                        {"case": labels[case_id], "tab": tab}))
    out.append(("compare (3 cases)", "pages/compare.py", {}))
    out.append(("archive", "pages/archive.py", {}))
    out.append(("methods", "pages/methods.py", {}))
    return out


def reruns(repeats: int) -> list[dict[str, Any]]:
    from streamlit.testing.v1 import AppTest

    results = []
    for name, page, query in _scenarios():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
        at.run()
        at.switch_page(page)
        for key, value in query.items():
            at.query_params[key] = value
        start = time.perf_counter()
        at.run()  # first visit: caches warm from here on
        first = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{name}: {at.exception[0].value}")
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
        kind = "case" if page.endswith("case.py") else Path(page).stem
        results.append({"page": name, "first_ms": round(first * 1000),
                        "median_ms": round(statistics.median(times) * 1000),
                        "worst_ms": round(max(times) * 1000),
                        "target_ms": TARGETS_MS.get(kind)})
    return results


# ------------------------------------------------------------------------------ first start

def _page_ready(url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(600_000)
        page.goto(url)
        page.get_by_text("Open the deep-dive").first.wait_for()
        page.wait_for_function("""() => document.querySelector('[data-testid="stApp"]')
            .getAttribute('data-test-script-state') === 'notRunning'""")
        browser.close()


def first_start() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="backfire-clone-") as tmp:
        clone = Path(tmp) / "backfire"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        (clone / ".venv").symlink_to(ROOT / ".venv")
        from analysis.store import paths

        env = {k: v for k, v in os.environ.items() if k != "BACKFIRE_DATA_DIR"}
        # the clone sits in a temporary folder: point it at this checkout's shared data
        env["BACKFIRE_SHARED_DIR"] = str(paths.SHARED_DIR)
        python = str(clone / ".venv" / "bin" / "python")
        t0 = time.perf_counter()
        subprocess.run([python, "-m", "analysis", "build-archives", "--if-missing"], cwd=clone,
                       env=env, check=True, stdout=subprocess.DEVNULL)
        t_archives = time.perf_counter()
        # the clone's own data/ (no BACKFIRE_DATA_DIR), streamlit's default options
        with serve(None, [python, "-m", "streamlit"], cwd=clone, env=env,
                   args=CLONE_STREAMLIT_ARGS, timeout=120, log_dir=Path(tmp)) as server:
            t_health = time.perf_counter()
            _page_ready(server.url)
            t_ready = time.perf_counter()
        shutil.rmtree(clone, ignore_errors=True)
    return {"build_archives_s": round(t_archives - t0, 1),
            "server_healthy_s": round(t_health - t_archives, 1),
            "first_page_ready_s": round(t_ready - t_health, 1),
            "total_s": round(t_ready - t0, 1), "target_s": FIRST_START_TARGET_S}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--skip-clone", action="store_true")
    parser.add_argument("--skip-reruns", action="store_true")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {"machine": machine()}
    if not args.skip_reruns:
        out["reruns"] = reruns(args.repeats)
    if not args.skip_clone:
        out["first_start"] = first_start()
    bench_results.write("page-reruns", out)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"machine: {out['machine']}")
    for row in out.get("reruns", []):
        target = f"(target ≤ {row['target_ms']} ms)" if row["target_ms"] else ""
        print(f"{row['page']:<36} first {row['first_ms']:>7} ms   rerun median "
              f"{row['median_ms']:>5} ms   worst {row['worst_ms']:>5} ms {target}")
    if "first_start" in out:
        fs = out["first_start"]
        print(f"first start from a fresh clone: {fs['total_s']} s (archives {fs['build_archives_s']} s, "
              f"server {fs['server_healthy_s']} s, first page {fs['first_page_ready_s']} s; "
              f"target ≤ {fs['target_s']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
