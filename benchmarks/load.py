"""Load benchmark: N concurrent browser sessions against one ``streamlit run`` on loopback.

    .venv/bin/python benchmarks/load.py [--sessions 8] [--seconds 60] [--rounds 50] [--json]

Every session here is a Chromium context on this machine: the browsers' CPU competes with
the server's. The class of issue 9 (30 students, mostly protocol-level clients, a few real
browsers) is ``benchmarks/classroom.py``. Results go to ``--out``
(default ``benchmarks/results/load.json``).

1. An isolated data folder (``BACKFIRE_DATA_DIR`` in a temporary directory): the built
   archives ``data/archives/*`` and the score caches ``data/cache/*`` are hard-linked into it
   (copied across file systems), so reruns are warm and nothing is written into ``data/``.
   The cache writes atomically (new file, ``os.replace``), so a link is never written through.
2. One ``streamlit run app.py`` on 127.0.0.1, a free port (``benchmarks/server.py``).
3. One headless Debian Chromium (``BROWSER_PATH``, default /usr/bin/chromium) through
   Playwright. A warm-up context visits every page once; then ``--sessions`` browser contexts
   loop, concurrently, through the pages: library, the deep-dive of EACH bundled case (its
   ``?case=`` URL parameter), compare, archive, methods, waiting ``--think`` seconds (a
   random pause between the two bounds) after each page is ready. A session starts no new
   visit after ``--seconds`` or after ``--rounds`` full rounds, whichever comes first. Each
   visit opens its page's URL (a new Streamlit session, like a student following a link):
   heavier than clicking inside the app.

Page-ready time: from just before navigation starts (``page.goto``) until the page's key
element is visible (``KEY_ELEMENTS``) and Streamlit's running indicator is gone (script state
``notRunning``, no spinner or skeleton), on two readings ``SETTLE_MS`` apart (a page may rerun
right after loading); the time of the first of the two readings is kept. Reported overall and
per page: visits, median, p95 (nearest rank) and worst, and errors by kind:

- ``exception``: Streamlit's exception element (``stException``) on the page;
- ``console``: a console message of type error (``page.on("console")``);
- ``pageerror``: an uncaught JavaScript error (``page.on("pageerror")``);
- ``timeout``: not ready after ``--page-timeout`` seconds;
- ``navigation``: ``page.goto`` itself failed.

Not counted as errors, reported apart as ``probes_404``: when a page other than home is opened
by its URL, Streamlit's frontend first asks for ``<page>/_stcore/health`` and
``<page>/_stcore/host-config`` (404, logged to the console) before using the app root
(streamlit/streamlit#7074); the app is not at fault. A console or page error is counted against the page being visited when it fires. Times are
kept for every visit that became ready, errors or not. The machine (nproc, CPU model, RAM)
and the load average before and after are recorded, with the CPU seconds the server and the
browser used during the timed part (``benchmarks/proc_cpu.py``) and the server's CPU per
visit. Results: a table on stdout (or the JSON with ``--json``), always written to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from analysis import pipeline  # noqa: E402  (needs the path above)
from analysis.cases import load_cases  # noqa: E402
from analysis.store import summaries  # noqa: E402
from benchmarks import results as bench_results  # noqa: E402
from benchmarks.server import IDLE_JS, Server, serve  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from proc_cpu import cpu_groups  # noqa: E402  (benchmarks/ is not a package)

OUT = ROOT / "benchmarks" / "out"
RESULTS = ROOT / "benchmarks" / "results"
CHROMIUM = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 900}
# A visit not ready after this long is a timeout (8 sessions on 2 cores queue behind each other).
PAGE_TIMEOUT_S = 120.0
# Two ready readings this far apart make a page ready (a page may rerun right after loading).
SETTLE_MS = 300
# Delay between two readiness readings while waiting.
POLL_MS = 50
# Error samples kept in the report (the most frequent distinct messages).
SAMPLES = 10
EXCEPTION = '[data-testid="stException"]'
# Streamlit's base-path probe of a deep link (see the docstring): a known 404, not an error.
PROBE_404 = re.compile(r"/[^/]+/_stcore/(health|host-config|allowed-message-origins)$")
# Page url path -> what must be visible for the page to count as shown: a heading (role
# "heading", by name) and/or a CSS selector. "{hashtag}" is the visited case's hashtag.
KEY_ELEMENTS: dict[str, dict[str, str]] = {
    "library": {"heading": "{last_hashtag}"},  # the last bundled case's card
    "case": {"heading": "{hashtag}", "css": ".js-plotly-plot"},  # title + timeline chart
    "compare": {"heading": "Compare backfires", "css": ".js-plotly-plot"},
    # a story opened by its URL shows its first chapter: the title and the chapter's chart
    # ("Discuss" is the last chapter's heading, and that chapter has no chart)
    "story": {"heading": "The story of {hashtag}", "css": ".js-plotly-plot"},
    "anatomy": {"heading": "Anatomy of a backfire", "css": ".js-plotly-plot"},
    "archive": {"heading": "Your saved cases"},  # the last section of the page
    "methods": {"heading": "Limitations"},  # the last section of the page
}


@dataclass(frozen=True)
class Target:
    """One page visit of a round: report name, URL path + query, key element fill-ins."""

    name: str
    path: str
    key: dict[str, str]


@dataclass
class Results:
    names: list[str]
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    probes: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.times = {name: [] for name in self.names}

    def error(self, page: str, session: int, kind: str, message: str) -> None:
        self.errors.append({"page": page, "session": session, "kind": kind,
                            "message": " ".join(message.split())[:300]})

    def summary(self) -> dict[str, Any]:
        every = [t for values in self.times.values() for t in values]
        pages = {}
        for name, values in self.times.items():
            mine = [e for e in self.errors if e["page"] == name]
            pages[name] = {**stats(values), "errors": _kinds(mine),
                           "probes_404": self.probes[name]}
        common = Counter((e["kind"], e["page"], e["message"]) for e in self.errors)
        return {
            "overall": {**stats(every), "errors": _kinds(self.errors),
                        "probes_404": sum(self.probes.values())},
            "pages": pages,
            "error_samples": [{"kind": k, "page": p, "message": m, "count": n}
                              for (k, p, m), n in common.most_common(SAMPLES)],
        }


def _kinds(errors: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(e["kind"] for e in errors)
    return {"total": len(errors), **dict(sorted(counts.items()))}


def stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"visits": 0, "median_s": None, "p95_s": None, "worst_s": None}
    ordered = sorted(values)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank
    return {"visits": len(values), "median_s": round(statistics.median(values), 2),
            "p95_s": round(p95, 2), "worst_s": round(ordered[-1], 2)}


# ------------------------------------------------------------------------------ set-up

def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in lscpu.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {"nproc": len(os.sched_getaffinity(0)), "cpu_count": os.cpu_count(),
            "cpu_model": model, "ram_gb": round(ram_gb, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _link_tree(source: Path, target: Path) -> int:
    """Hard-link (or copy, across file systems) every file of ``source`` into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    for file in sorted(source.iterdir()) if source.is_dir() else []:
        if not file.is_file():
            continue
        try:
            os.link(file, target / file.name)
        except OSError:
            shutil.copy2(file, target / file.name)
        count += 1
    return count


def isolated_data(root: Path) -> dict[str, int]:
    """The benchmark's data folder: the built archives and score caches, linked in, with the
    bundled cases' summaries stored first (what ``python -m analysis prepare all`` leaves)."""
    archives = _link_tree(ROOT / "data" / "archives", root / "archives")
    if not archives:
        raise SystemExit("no built archives in data/archives: run "
                         "`.venv/bin/python -m analysis build-archives --if-missing` first")
    prepared = prepare_summaries()
    cache_files = _link_tree(ROOT / "data" / "cache", root / "cache")
    return {"archives": archives, "cache_files": cache_files, "summaries_computed": prepared,
            "cache_parquet": len(list((root / "cache").glob("*.parquet")))}


def prepare_summaries() -> int:
    """Warm caches include the cases' summaries (the Language and Themes tabs read them):
    store those missing in ``data/cache`` (``analysis.pipeline.summaries``); how many were."""
    before = set(summaries.entries())
    for case in load_cases(include_library=False).values():
        pipeline.summaries(pipeline.load(case))
    return len(set(summaries.entries()) - before)


def targets() -> list[Target]:
    """One round: library, every bundled case's deep-dive, compare, archive, methods."""
    import urllib.parse

    import streamlit.logger

    # ui.data's cached helpers warn "no runtime" outside `streamlit run`: expected here
    streamlit.logger.set_log_level("error")
    from ui import data

    bundled = load_cases(include_library=False)
    labels = data.labels(bundled)
    last = f"#{list(bundled.values())[-1].hashtag}"
    # home is the library: its URL is the app root (/library would be "page not found")
    out = [Target("library", "", fill("library", last_hashtag=last))]
    for case_id, case in bundled.items():
        query = urllib.parse.urlencode({"case": labels[case_id]})
        out.append(Target(f"case:{case_id}", f"case?{query}",
                          fill("case", hashtag=f"#{case.hashtag}")))
    out += [Target(name, name, fill(name)) for name in ("compare", "archive", "methods")]
    return out


def fill(page: str, **values: str) -> dict[str, str]:
    return {kind: text.format(**values) for kind, text in KEY_ELEMENTS[page].items()}


# ------------------------------------------------------------------------------ visits

class Tab:
    """A browser tab whose console and page errors are charged to the page being visited."""

    def __init__(self, context: Any, results: Results, session: int) -> None:
        self.context, self.results, self.session = context, results, session
        self.current = "(none)"
        self.page: Any = None

    async def open(self) -> None:
        self.page = await self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", self._pageerror)

    async def reopen(self) -> None:
        with contextlib.suppress(Exception):
            await self.page.close()
        await self.open()

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        url = str((message.location or {}).get("url", ""))
        if "404" in message.text and PROBE_404.search(url.split("?")[0]):
            self.results.probes[self.current] += 1
        else:
            self.results.error(self.current, self.session, "console", message.text)

    def _pageerror(self, error: Any) -> None:
        self.results.error(self.current, self.session, "pageerror", str(error))

    async def _key_visible(self, key: dict[str, str]) -> bool:
        page = self.page
        if "heading" in key and not await page.get_by_role(
                "heading", name=key["heading"]).first.is_visible():
            return False
        return "css" not in key or bool(await page.locator(key["css"]).first.is_visible())

    async def _ready(self, key: dict[str, str]) -> bool:
        return bool(await self.page.evaluate(IDLE_JS)) and await self._key_visible(key)

    async def visit(self, base: str, target: Target, timeout_s: float) -> None:
        """One visit: its page-ready time into the results, or its error."""
        self.current = target.name
        started = time.perf_counter()
        try:
            await self.page.goto(f"{base}/{target.path}", wait_until="commit",
                                 timeout=timeout_s * 1000)
        except Exception as exc:
            self.results.error(target.name, self.session, "navigation",
                               f"{type(exc).__name__}: {exc}")
            await self.reopen()
            return
        deadline = started + timeout_s
        while time.perf_counter() < deadline:
            if await self._ready(target.key):
                ready = time.perf_counter() - started
                await self.page.wait_for_timeout(SETTLE_MS)
                if await self._ready(target.key):
                    self.results.times[target.name].append(ready)
                    await self._exceptions(target)
                    return
            elif await self.page.evaluate(IDLE_JS) and await self._exceptions(target):
                return  # the script stopped on an exception: the key element won't come
            else:
                await self.page.wait_for_timeout(POLL_MS)
        self.results.error(target.name, self.session, "timeout",
                           f"not ready after {timeout_s:.0f} s")
        await self.reopen()

    async def _exceptions(self, target: Target) -> bool:
        boxes = self.page.locator(EXCEPTION)
        count = int(await boxes.count())
        for i in range(count):
            text = await boxes.nth(i).inner_text()
            self.results.error(target.name, self.session, "exception", text)
        return count > 0


async def session(browser: Any, base: str, plan: list[Target], results: Results, n: int,
                  stop_at: float, rounds: int, timeout_s: float,
                  think: tuple[float, float] = (0.0, 0.0)) -> int:
    """Loop through the pages until ``stop_at`` or ``rounds`` rounds, pausing ``think``
    seconds (uniform between the bounds, seeded per session) after each; the visits made."""
    pause = random.Random(n)
    if think[1] > 0:  # students don't all arrive in the same second
        await asyncio.sleep(pause.uniform(0, think[1]))
    context = await browser.new_context(viewport=VIEWPORT)
    tab = Tab(context, results, n)
    await tab.open()
    visits = 0
    offset = n  # sessions start on different pages, so they don't move in lockstep
    while time.perf_counter() < stop_at and visits < rounds * len(plan):
        await tab.visit(base, plan[(offset + visits) % len(plan)], timeout_s)
        visits += 1
        if think[1] > 0:
            await asyncio.sleep(min(pause.uniform(*think), max(0.0, stop_at - time.perf_counter())))
    await context.close()
    return visits


async def run(base: str, plan: list[Target], args: argparse.Namespace,
              server_pid: int) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    names = [t.name for t in plan]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm = Results(names)
        context = await browser.new_context(viewport=VIEWPORT)
        tab = Tab(context, warm, -1)
        await tab.open()
        for target in plan:  # every page once: Streamlit's caches filled before timing
            await tab.visit(base, target, args.page_timeout)
        await context.close()
        results = Results(names)
        cpu0 = cpu_groups(server_pid)
        started = time.perf_counter()
        visits = await asyncio.gather(*(
            session(browser, base, plan, results, n, started + args.seconds, args.rounds,
                    args.page_timeout, tuple(args.think)) for n in range(args.sessions)))
        wall = time.perf_counter() - started
        cpu1 = cpu_groups(server_pid)
        version = browser.version
        await browser.close()
    cpu = {f"{group}_s": round(cpu1[group] - cpu0[group], 1) for group in cpu0}
    cpu["server_per_visit_s"] = round(cpu["server_s"] / max(1, sum(visits)), 3)
    cpu["browser_per_visit_s"] = round(cpu["browser_s"] / max(1, sum(visits)), 3)
    return {"chromium": version, "warm_up": warm.summary(),
            "load": {"wall_s": round(wall, 1), "visits_per_session": visits, "cpu": cpu,
                     **results.summary()}}


# ------------------------------------------------------------------------------ report

def sec(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def header(width: int = 16) -> str:
    """The column titles of a page-ready table, aligned with ``row``."""
    return f"  {'page':<{width}} {'visits':>6} {'median':>8} {'p95':>8} {'worst':>8} {'errors':>7}"


def load_averages(report: dict[str, Any], peak: float | None = None) -> str:
    """``load average before [1.2, ...], after [...]`` (with the peak between when measured)."""
    during = "" if peak is None else f"peak {peak}, "
    return (f"load average before {report['load_average_before']}, {during}"
            f"after {report['load_average_after']}")


def row(name: str, s: dict[str, Any], width: int = 16) -> str:
    """One line of a page-ready table: visits, median, p95, worst, errors by kind."""
    errors = s["errors"]
    detail = ", ".join(f"{k} {v}" for k, v in errors.items() if k != "total")
    return (f"  {name:<{width}} {s['visits']:>6} {sec(s['median_s']):>8} {sec(s['p95_s']):>8} "
            f"{sec(s['worst_s']):>8} {errors['total']:>7}  {detail}")


def print_table(report: dict[str, Any]) -> None:
    m = report["machine"]
    print(f"machine: {m['nproc']} cores ({m['cpu_model']}), {m['ram_gb']} GB RAM; "
          + load_averages(report))
    print(f"server healthy after {report['server_start_s']} s; chromium {report['chromium']}; "
          f"isolated data folder ({report['data']['archives']} archive files, "
          f"{report['data']['cache_files']} cache files linked, "
          f"{report['data']['cache_parquet_written']} scored tables written during the run)")
    warm = report["warm_up"]["pages"]
    print("warm-up (one visit each): " + ", ".join(
        f"{p} {v['median_s']} s" for p, v in warm.items()))
    load = report["load"]
    print(f"\n{report['sessions']} sessions, up to {report['seconds']:.0f} s / "
          f"{report['rounds']} rounds each; wall {load['wall_s']} s; page-ready time (s):")
    print(header())
    for name, stats in load["pages"].items():
        print(row(name, stats))
    print(row("overall", load["overall"]))
    cpu = load["cpu"]
    print(f"  CPU during the run: server {cpu['server_s']} s ({cpu['server_per_visit_s']} s per "
          f"visit), browser {cpu['browser_s']} s ({cpu['browser_per_visit_s']} s per visit), "
          f"Playwright driver {cpu['driver_s']} s")
    print(f"  (not errors: {load['overall']['probes_404']} known 404s of Streamlit's "
          "deep-link base-path probe, streamlit/streamlit#7074)")
    warm_errors = report["warm_up"]["overall"]["errors"]["total"]
    if warm_errors:
        print(f"  (warm-up errors: {warm_errors})")
    for sample in load["error_samples"] + report["warm_up"]["error_samples"]:
        print(f"  {sample['count']}x {sample['kind']} on {sample['page']}: {sample['message']}")
    print(f"\nwritten to {report['written_to']}")


def commit(path: str | Path = __file__) -> str:
    """The checkout's commit, with ``+modified`` when ``path`` (this script) differs from it."""
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        clean = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", str(path)],
                               cwd=ROOT).returncode == 0
        return head if clean else f"{head}+modified"
    return "unknown"


@contextlib.contextmanager
def app(scratch: Path) -> Iterator[tuple[Server, dict[str, int], float]]:
    data_dir = scratch / "data"
    linked = isolated_data(data_dir)
    os.environ["BACKFIRE_DATA_DIR"] = str(data_dir)  # targets() reads the same cases
    started = time.perf_counter()
    with serve(data_dir) as server:
        yield server, linked, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8, help="concurrent browser contexts")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="no new visit starts after this long")
    parser.add_argument("--rounds", type=int, default=50,
                        help="at most this many rounds through the pages per session")
    parser.add_argument("--page-timeout", type=float, default=PAGE_TIMEOUT_S,
                        help="a visit not ready after this many seconds is a timeout")
    parser.add_argument("--think", type=float, nargs=2, default=[0.0, 0.0],
                        metavar=("MIN", "MAX"), help="seconds between two visits of a session")
    parser.add_argument("--out", type=Path, help="where the JSON goes (default: "
                        "benchmarks/results/load.json)")
    parser.add_argument("--json", action="store_true", help="print the JSON, not the table")
    args = parser.parse_args(argv)
    out = args.out or RESULTS / "load.json"
    # a kill (timeout) still stops the server: SystemExit unwinds the context managers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"chromium not found at {CHROMIUM} (set BROWSER_PATH)")
    report: dict[str, Any] = {
        "benchmark": "benchmarks/load.py", "commit": commit(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
        "scenario": "load",
        "sessions": args.sessions, "seconds": args.seconds, "rounds": args.rounds,
        "think_s": args.think,
        "page_timeout_s": args.page_timeout, "settle_ms": SETTLE_MS,
        "load_average_before": _load_average(),
    }
    with tempfile.TemporaryDirectory(prefix="backfire-load-") as scratch, \
            app(Path(scratch)) as (server, linked, boot):
        plan = targets()
        report |= {"server_start_s": round(boot, 1), "data": linked,
                   "pages": {t.name: t.path for t in plan}}
        try:
            report |= asyncio.run(run(server.url, plan, args, server.proc.pid))
        except BaseException:
            print(server.tail(), file=sys.stderr)
            raise
        # > 0: the linked caches did not match the archives, the app scored (cold warm-up)
        written = len(list((Path(scratch) / "data" / "cache").glob("*.parquet")))
        report["data"]["cache_parquet_written"] = written - linked["cache_parquet"]
    report["load_average_after"] = _load_average()
    report["written_to"] = str(out.relative_to(ROOT) if out.is_relative_to(ROOT) else out)
    bench_results.save_report(report, out, as_json=args.json, print_table=print_table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
