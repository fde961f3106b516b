"""Load benchmark: N concurrent browser sessions against one ``streamlit run`` on loopback.

    .venv/bin/python benchmarks/load.py [--sessions 8] [--seconds 120] [--json]

Starts the app on 127.0.0.1 (a free port), waits for ``/_stcore/health``, visits every page
once to warm the caches, then runs ``--sessions`` Playwright browser contexts (one headless
Debian Chromium, ``BROWSER_PATH``) that loop through the pages until ``--seconds`` have
passed. A page is *ready* when Streamlit's script has stopped running and no spinner or
skeleton is left, twice in a row ``SETTLE_MS`` apart; its time is measured from navigation.
Reports the median and worst page-ready time per page and overall, and every error (a
navigation failure, a timeout, or a Streamlit exception box on the page).

Everything stays on 127.0.0.1; the app uses the usual data folder (``BACKFIRE_DATA_DIR`` if
set), reading the bundled cases like ``scripts/app.sh`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Page url paths of the app (ui/pages.py), visited in this order by every session.
PAGES = ("library", "case", "compare", "archive", "methods")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update"]
START_TIMEOUT_S = 120
# A page that is not ready after this long counts as an error (a timeout).
PAGE_TIMEOUT_S = 120
# Two idle readings this far apart make a page ready (a page may rerun right after loading).
SETTLE_MS = 300
IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]')
        && !document.querySelector('[data-testid="stSpinner"]');
}"""


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        every = [t for values in self.times.values() for t in values]
        return {
            "pages": {page: _stats(values) for page, values in self.times.items()},
            "overall": _stats(every),
            "errors": len(self.errors),
            "error_samples": self.errors[:10],
        }


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"visits": 0, "median_s": None, "worst_s": None}
    return {"visits": len(values), "median_s": round(statistics.median(values), 3),
            "worst_s": round(max(values), 3)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_app(port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"streamlit not healthy after {START_TIMEOUT_S} s")


async def visit(page: Any, url: str) -> float:
    """Navigate to ``url`` and return the seconds until the page is ready."""
    started = time.perf_counter()
    await page.goto(url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_S * 1000)
    deadline = started + PAGE_TIMEOUT_S
    while time.perf_counter() < deadline:
        if await page.evaluate(IDLE_JS):
            ready = time.perf_counter()
            await page.wait_for_timeout(SETTLE_MS)
            if await page.evaluate(IDLE_JS):
                if await page.locator('[data-testid="stException"]').count():
                    raise RuntimeError("Streamlit exception on the page")
                return ready - started
        else:
            await page.wait_for_timeout(50)
    raise TimeoutError(f"not ready after {PAGE_TIMEOUT_S} s")


async def session(browser: Any, base: str, stop_at: float, results: Results, n: int) -> None:
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    i = n  # sessions start on different pages
    while time.perf_counter() < stop_at:
        name = PAGES[i % len(PAGES)]
        i += 1
        try:
            results.times[name].append(await visit(page, f"{base}/{name}"))
        except Exception as exc:  # every failure is a reported error, the loop goes on
            results.errors.append(f"session {n} {name}: {type(exc).__name__}: {str(exc)[:200]}")
            await page.close()
            page = await context.new_page()
    await context.close()


async def run(base: str, sessions: int, seconds: float) -> tuple[Results, Results]:
    from playwright.async_api import async_playwright

    chromium = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        warm = Results()
        context = await browser.new_context()
        page = await context.new_page()
        for name in PAGES:  # warm-up: every page once, caches built
            try:
                warm.times[name].append(await visit(page, f"{base}/{name}"))
            except Exception as exc:
                warm.errors.append(f"warm-up {name}: {type(exc).__name__}: {str(exc)[:200]}")
        await context.close()
        results = Results()
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(*(session(browser, base, stop_at, results, n)
                               for n in range(sessions)))
        await browser.close()
    return warm, results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="backfire-load-") as scratch:
        log = Path(scratch) / "streamlit.log"
        started = time.perf_counter()
        proc = start_app(port, log)
        boot = time.perf_counter() - started
        try:
            warm, results = asyncio.run(run(f"http://127.0.0.1:{port}", args.sessions,
                                            args.seconds))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    report = {"sessions": args.sessions, "seconds": args.seconds, "cores": os.cpu_count(),
              "server_start_s": round(boot, 2), "warm_up": warm.summary(),
              "load": results.summary()}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"server healthy after {boot:.1f} s; warm-up (one visit per page): "
          + ", ".join(f"{p} {v['median_s']} s" for p, v in report["warm_up"]["pages"].items()))
    print(f"{args.sessions} sessions x {args.seconds:.0f} s on {os.cpu_count()} cores:")
    for page, stats in report["load"]["pages"].items():
        print(f"  {page:<8} visits {stats['visits']:>4}  median {stats['median_s']} s  "
              f"worst {stats['worst_s']} s")
    overall = report["load"]["overall"]
    print(f"  overall  visits {overall['visits']:>4}  median {overall['median_s']} s  "
          f"worst {overall['worst_s']} s  errors {report['load']['errors']}")
    for sample in report["load"]["error_samples"]:
        print(f"  error: {sample}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
