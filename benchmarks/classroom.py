"""A class against one server: what 30 students clicking through the cases share.

    .venv/bin/python benchmarks/classroom.py                  # 30 students, 5 min -> results/class.json
    .venv/bin/python benchmarks/classroom.py --students 6 --seconds 60 --out benchmarks/out/class.json
    .venv/bin/python benchmarks/classroom.py --verify-only    # client vs Chromium, no class

Issue 9's class: 30 students, each clicking through the cases every 10-30 s for 5 minutes
against one server on loopback; targets: median page-ready <= 2 s, p95 <= 5 s, no error.

In a real class each student has a laptop and a browser; they share the server only. On this
2-core machine, 30 Chromium renderers would measure the browsers (a fresh deep-dive costs the
server about 0.8 s of CPU and Chromium 6-8 s), so:

- most students (``--students`` minus ``--browsers``) are protocol-level clients of the real
  server (``benchmarks/stream_client.py``): each its own Streamlit session over
  ``/_stcore/stream``, speaking Streamlit's protobuf messages as the frontend does. Their
  page-ready time = from the request until the page's script run has finished and all its
  deltas (and images) are received: what a browser needs before it can paint;
- ``--browsers`` students (default 2) are real headless Chromium contexts, in the same run:
  their page-ready time is the browser's (key element visible, Streamlit idle; see
  ``benchmarks/load.py``), reported apart, with Chromium's CPU time. They open each page by
  its URL (a new session per visit, warm HTTP cache): heavier than a click.

Every student arrives at a random moment in the first ``--think`` maximum, opens its first
page by its URL (a fresh visit: HTML, scripts, a new session), then clicks through one round
of pages: the library, the deep-dive of each bundled case, the story, compare, anatomy and
methods, starting at a different page each, with a random pause of ``--think`` seconds
(uniform, seeded) after each page is ready; no new visit starts after ``--seconds``.

Before the class, one protocol session visits every page once (Streamlit's caches warm, as
in a class where the instructor opened the app first; reported as ``warm_up``) and, unless
``--verify 0``, the verification: a Chromium session and a protocol session visit the same
pages in the same way, and the element trees their runs produced (path -> element type,
read from Chromium's own websocket frames) must match.

Reported per page and overall: visits, median, p95 (nearest rank), worst, errors by kind; the
protocol students' fresh visits and clicks apart; the server's CPU seconds (and per visit),
Chromium's, this script's own (the protocol clients); the load average before, after and its
peak during the run; the machine, the date and the commit. Written to ``--out`` (default
``benchmarks/results/class.json``, schema of ``benchmarks/results.py`` with the details
outside ``figures``); each visit to ``benchmarks/out/class-visits.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402  (benchmarks/ is not a package)
import results  # noqa: E402
from proc_cpu import cpu_groups  # noqa: E402
from stream_client import FINISHED, PageView, StreamSession, VisitError, element_type  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

ROOT = load.ROOT
OUT = ROOT / "benchmarks" / "out"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "class.json"
DOC = ROOT / "docs" / "performance.md"  # its figures block citing the results (--update-docs)
# The class of issue 9: students, seconds of the class, pause between two clicks; targets.
STUDENTS = 30
BROWSERS = 2
SECONDS = 300.0
THINK_S = (10.0, 30.0)
TARGETS_S = {"median_s": 2.0, "p95_s": 5.0}
# A page not ready after this long is a timeout.
PAGE_TIMEOUT_S = 60.0
# Pages with a case in their URL; the others are reached from the sidebar, without one.
SIDEBAR_PAGES = ("compare", "anatomy", "methods")
# Seconds between two readings of the load average during the run.
LOAD_SAMPLE_S = 5.0
# Error messages kept in the report (the most frequent).
SAMPLES = 10


@dataclass(frozen=True)
class Stop:
    """One page of a round: report name, url path (home: ""), query string, key elements."""

    name: str
    page: str
    query: str
    key: dict[str, str]

    @property
    def url(self) -> str:
        return self.page + (f"?{self.query}" if self.query else "")


@dataclass
class Visit:
    student: int
    client: str  # "protocol" or "browser"
    page: str
    kind: str  # "fresh" (opened by its URL) or "click" (inside the session)
    at_s: float  # since the class started
    seconds: float | None = None
    error: str | None = None
    message: str = ""
    deltas: int = 0
    bytes: int = 0
    frontend_s: float | None = None  # a protocol student's fresh visit: HTML and scripts


def round_of_pages() -> list[Stop]:
    """Library, every bundled case's deep-dive, the story, compare, anatomy, methods."""
    # Imported here: ui.data's cached helpers warn "no runtime" outside `streamlit run`
    # (expected in a benchmark), so the log level is set before they are imported.
    import streamlit.logger

    streamlit.logger.set_log_level("error")
    # Imported here: after the log level above.
    from analysis.cases import load_cases
    from ui import data, state

    bundled = load_cases(include_library=False)
    labels = data.labels(bundled)
    last = f"#{list(bundled.values())[-1].hashtag}"
    stops = [Stop("library", "", "", load.fill("library", last_hashtag=last))]
    for case_id, case in bundled.items():
        query = urllib.parse.urlencode({state.CASE: labels[case_id]})
        stops.append(Stop(f"case:{case_id}", "case", query,
                          load.fill("case", hashtag=f"#{case.hashtag}")))
    # the story of the last deep-dive of the round (the browser keeps ?case= on the way)
    stops.append(Stop("story", "story", stops[-1].query, load.fill("story", hashtag=last)))
    stops += [Stop(name, name, "", load.fill(name)) for name in SIDEBAR_PAGES]
    return stops


# ------------------------------------------------------------------------------ students

class Class:
    """The students' visits, and the clock they share."""

    def __init__(self, base: str, stops: list[Stop], args: argparse.Namespace) -> None:
        self.base, self.stops, self.args = base, stops, args
        self.visits: list[Visit] = []
        self.started = time.perf_counter()
        self.stop_at = self.started + args.seconds

    def _plan(self, n: int) -> tuple[random.Random, int]:
        return random.Random(n), n % len(self.stops)

    async def _pause(self, rng: random.Random) -> None:
        await asyncio.sleep(min(rng.uniform(*self.args.think),
                                max(0.0, self.stop_at - time.perf_counter())))

    async def protocol_student(self, n: int) -> None:
        rng, offset = self._plan(n)
        await asyncio.sleep(rng.uniform(0, self.args.think[1]))
        session: StreamSession | None = None
        count = 0
        while time.perf_counter() < self.stop_at:
            stop = self.stops[(offset + count) % len(self.stops)]
            count += 1
            visit = Visit(n, "protocol", stop.name, "click" if session else "fresh",
                          round(time.perf_counter() - self.started, 1))
            self.visits.append(visit)
            try:
                if session is None:
                    session = StreamSession(self.base, self.args.page_timeout)
                    view = await session.open(stop.page, stop.query)
                else:
                    view = await session.navigate(stop.page, stop.query)
                self._record(visit, view)
                await session.fetch_downloads(view)
            except VisitError as err:
                visit.error, visit.message = err.kind, err.message
                if err.kind not in ("media", "page_not_found") and session is not None:
                    await session.close()
                    session = None  # the student reloads the page: a new session
            await self._pause(rng)
        if session is not None:
            await session.close()

    @staticmethod
    def _record(visit: Visit, view: PageView) -> None:
        visit.seconds = round(view.seconds, 3)
        visit.deltas, visit.bytes = view.deltas, view.bytes
        if view.fresh:
            visit.frontend_s = round(view.frontend_s, 3)
        if view.exceptions:
            visit.error, visit.message = "exception", view.exceptions[0]

    async def browser_student(self, n: int, browser: Any) -> None:
        rng, offset = self._plan(n)
        await asyncio.sleep(rng.uniform(0, self.args.think[1]))
        context = await browser.new_context(viewport=load.VIEWPORT)
        names = [s.name for s in self.stops]
        found = load.Results(names)
        tab = load.Tab(context, found, n)
        await tab.open()
        count = 0
        while time.perf_counter() < self.stop_at:
            stop = self.stops[(offset + count) % len(self.stops)]
            count += 1
            at = round(time.perf_counter() - self.started, 1)
            before_times, before_errors = len(found.times[stop.name]), len(found.errors)
            await tab.visit(self.base, load.Target(stop.name, stop.url, stop.key),
                            self.args.page_timeout)
            visit = Visit(n, "browser", stop.name, "fresh", at)
            if len(found.times[stop.name]) > before_times:
                visit.seconds = round(found.times[stop.name][-1], 3)
            if len(found.errors) > before_errors:
                first = found.errors[before_errors]
                visit.error, visit.message = first["kind"], first["message"]
            self.visits.append(visit)
            await self._pause(rng)
        await context.close()


async def _sample_load(peak: list[float], until: float) -> None:
    while time.perf_counter() < until:
        peak[0] = max(peak[0], os.getloadavg()[0])
        await asyncio.sleep(LOAD_SAMPLE_S)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_class(base: str, stops: list[Stop], args: argparse.Namespace,
                    server_pid: int) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=load.CHROMIUM, args=load.CHROMIUM_ARGS)
        version = browser.version
        klass = Class(base, stops, args)
        protocol = max(0, args.students - args.browsers)
        cpu0, own0 = cpu_groups(server_pid), _own_cpu()
        peak = [os.getloadavg()[0]]
        sampler = asyncio.create_task(_sample_load(peak, klass.stop_at))
        await asyncio.gather(
            *(klass.protocol_student(n) for n in range(protocol)),
            *(klass.browser_student(n, browser) for n in range(protocol, args.students)))
        wall = time.perf_counter() - klass.started
        cpu1, own1 = cpu_groups(server_pid), _own_cpu()
        sampler.cancel()
        await browser.close()
    visits = klass.visits
    done = max(1, sum(v.seconds is not None for v in visits))
    cpu = {
        "server_s": round(cpu1["server"] - cpu0["server"], 1),
        "server_per_visit_s": round((cpu1["server"] - cpu0["server"]) / done, 3),
        "chromium_s": round(cpu1["browser"] - cpu0["browser"], 1),
        "playwright_driver_s": round(cpu1["driver"] - cpu0["driver"], 1),
        "protocol_clients_s": round(own1 - own0, 1),
    }
    return {"chromium": version, "wall_s": round(wall, 1), "cpu": cpu,
            "load_average_peak_1m": round(peak[0], 2), "visits": visits}


# ------------------------------------------------------------------------------ verification

def tree_of(frames: list[bytes]) -> dict[str, Any]:
    """The last finished run's element tree of a list of ForwardMsg frames (Chromium's)."""
    tree: dict[tuple[int, ...], str] = {}
    deltas = 0
    cache: dict[str, Any] = {}
    done: dict[str, Any] = {"deltas": 0, "elements": {}}
    for raw in frames:
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        if msg.WhichOneof("type") == "ref_hash":
            path = list(msg.metadata.delta_path)
            msg = cache[msg.ref_hash]
            msg.metadata.ClearField("delta_path")
            msg.metadata.delta_path.extend(path)
        elif msg.metadata.cacheable and msg.hash:
            cache[msg.hash] = msg
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            tree, deltas = {}, 0
        elif kind == "delta":
            deltas += 1
            tree[tuple(msg.metadata.delta_path)] = element_type(msg)
        elif kind == "script_finished" and msg.script_finished == FINISHED.FINISHED_SUCCESSFULLY:
            done = {"deltas": deltas, "elements": dict(sorted(Counter(tree.values()).items()))}
    return done


async def verify(base: str, stops: list[Stop], count: int) -> dict[str, Any]:
    """Chromium and the protocol client visit the same pages; their element trees compared.

    Chromium opens the library by its URL, then clicks through: a case card's "Open the
    deep-dive", then the sidebar links to the other pages; its websocket frames are read as
    they arrive. The protocol client sends what Chromium sent (read from Chromium's own
    ``rerun_script`` frames: page and query) in its own session.
    """
    from playwright.async_api import async_playwright

    received: list[bytes] = []
    sent: list[Any] = []
    steps: list[tuple[str, Any]] = [("library", None), ("case", "card")]
    steps += [(name, "sidebar") for name in ("story", "compare", "anatomy", "methods")]
    steps = steps[:max(1, count)]
    titles = {"story": "Story", "compare": "Compare", "anatomy": "Anatomy", "methods": "Methods"}
    report: list[dict[str, Any]] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=load.CHROMIUM, args=load.CHROMIUM_ARGS)
        context = await browser.new_context(viewport=load.VIEWPORT)  # type: ignore[arg-type]
        page = await context.new_page()

        def on_ws(ws: Any) -> None:
            ws.on("framereceived", lambda p: received.append(
                p if isinstance(p, bytes) else p.encode("latin-1")))
            ws.on("framesent", lambda p: sent.append(_back(BackMsg, p)))

        page.on("websocket", on_ws)
        client = StreamSession(base, PAGE_TIMEOUT_S)
        for name, how in steps:
            mark = len(received)
            sent_mark = len(sent)
            if how is None:
                await page.goto(f"{base}/")
            elif how == "card":
                await page.get_by_role("link", name="Open the deep-dive").first.click()
            else:
                await page.locator('[data-testid="stSidebarNav"] a',
                                   has_text=titles[name]).first.click()
            browser_run = await _browser_run(page, received, mark)
            request = sent[sent_mark].rerun_script if len(sent) > sent_mark else None
            query = request.query_string if request is not None else ""
            page_path = "" if name == "library" else name
            view = (await client.open(page_path, query) if how is None
                    else await client.navigate(page_path, query))
            mine = {"deltas": view.deltas, "elements": dict(sorted(view.elements.items()))}
            report.append({"page": name, "query": query, "how": how or "url",
                           "chromium": browser_run, "client": mine,
                           "match": browser_run["elements"] == mine["elements"]})
        await client.close()
        await browser.close()
    return {"pages": report, "all_match": all(r["match"] for r in report),
            "matched_pages": sum(r["match"] for r in report)}


def _back(cls: Any, payload: Any) -> Any:
    msg = cls()
    msg.ParseFromString(payload if isinstance(payload, bytes) else payload.encode("latin-1"))
    return msg


async def _browser_run(page: Any, frames: list[bytes], mark: int) -> dict[str, Any]:
    """Wait until Chromium's frames since ``mark`` hold a finished run, and Streamlit is idle."""
    deadline = time.perf_counter() + PAGE_TIMEOUT_S
    while time.perf_counter() < deadline:
        run = tree_of(frames[mark:])
        if run["elements"] and await page.evaluate(load.IDLE_JS):
            await page.wait_for_timeout(500)  # a rerun right after: read it too
            return tree_of(frames[mark:])
        await page.wait_for_timeout(100)
    raise RuntimeError("Chromium: no finished run")


# ------------------------------------------------------------------------------ report

def summarize(visits: list[Visit], names: list[str]) -> dict[str, Any]:
    def stats(group: list[Visit]) -> dict[str, Any]:
        times = [v.seconds for v in group if v.seconds is not None]
        kinds = Counter(v.error for v in group if v.error)
        return {**load.stats(times), "errors": {"total": sum(kinds.values()),
                                                **dict(sorted(kinds.items()))}}

    out: dict[str, Any] = {}
    for client in ("protocol", "browser"):
        mine = [v for v in visits if v.client == client]
        frontend = [v.frontend_s for v in mine if v.frontend_s is not None]
        out[client] = {
            "overall": stats(mine),
            "fresh": stats([v for v in mine if v.kind == "fresh"]),
            "click": stats([v for v in mine if v.kind == "click"]),
            "pages": {name: stats([v for v in mine if v.page == name]) for name in names},
        }
        if frontend:  # how much of a fresh visit was the HTML and scripts
            out[client]["fresh"]["frontend_median_s"] = round(statistics.median(frontend), 2)
    common = Counter((v.client, v.error, v.page, v.message) for v in visits if v.error)
    out["error_samples"] = [{"client": c, "kind": k, "page": p, "message": m, "count": n}
                            for (c, k, p, m), n in common.most_common(SAMPLES)]
    return out


def _line(name: str, s: dict[str, Any]) -> str:
    return load.row(name, s, width=20)


def _verification_line(found: dict[str, Any]) -> str:
    return "verification (element trees, Chromium vs protocol client): " + ", ".join(
        f"{p['page']} {'match' if p['match'] else 'DIFFER'} ({p['chromium']['deltas']}/"
        f"{p['client']['deltas']} deltas)" for p in found["pages"])


def print_report(report: dict[str, Any]) -> None:
    f = report["figures"]
    print(f"warm-up (s, one session, untimed): {report['warm_up_s']}; scored tables written: "
          f"{report['data']['cache_parquet_written']} (0: the score caches were warm)")
    print(f"{report['machine']}; {load.load_averages(report, peak=f['load_average_peak_1m'])}; "
          f"{report['measured_at']}, commit {report['commit']}")
    if "verification" in report:
        print(_verification_line(report["verification"]))
    print(f"\n{f['students']} students ({f['protocol_students']} protocol, "
          f"{f['browser_students']} Chromium), {f['seconds']:.0f} s, pauses "
          f"{f['think_s'][0]:.0f}-{f['think_s'][1]:.0f} s; page-ready time (s):")
    header = load.header(width=20)
    for client in ("protocol", "browser"):
        detail = report["details"][client]
        print(f"\n {client} students\n{header}")
        for name, stats in detail["pages"].items():
            if stats["visits"] or stats["errors"]["total"]:
                print(_line(name, stats))
        for part in ("fresh", "click", "overall"):
            print(_line(part, detail[part]))
    cpu = f["cpu"]
    print(f"\n CPU: server {cpu['server_s']} s ({cpu['server_per_visit_s']} s per visit), "
          f"Chromium {cpu['chromium_s']} s, protocol clients {cpu['protocol_clients_s']} s")
    met = f["targets_met"]
    print(" targets (protocol students): " + ", ".join(
        f"{k} <= {v} s: {'met' if met[k] else 'MISSED'}" for k, v in TARGETS_S.items())
        + f", no error: {'met' if met['errors'] else 'MISSED'}")
    for sample in report["details"]["error_samples"]:
        print(f"  {sample['count']}x {sample['client']} {sample['kind']} on {sample['page']}: "
              f"{sample['message']}")
    print(f"\nwritten to {report['written_to']}")


def markdown(report: dict[str, Any], source: str) -> str:
    """The figures block of docs/performance.md, every number read from ``report``."""
    f, details = report["figures"], report["details"]
    lines = [
        f"<!-- figures: {source} -->",
        f"Measured {report['measured_at']}, {report['machine']}; load average (as uptime prints it) "
        f"{', '.join(map(str, report['load_average_before']))} before, 1-min peak "
        f"{f['load_average_peak_1m']} during, {', '.join(map(str, report['load_average_after']))} "
        f"after (`{report['command']}`, commit {report['commit']}).",
        "",
        f"{f['students']} students for {f['seconds']:.0f} s, a pause of "
        f"{f['think_s'][0]:.0f}-{f['think_s'][1]:.0f} s after each page: "
        f"{f['protocol_students']} protocol-level clients and {f['browser_students']} "
        "Chromium contexts. Page-ready time (s):",
        "",
        "| students, visits | visits | median | p95 | worst | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def row(name: str, s: dict[str, Any]) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in s["errors"].items() if k != "total")
        return (f"| {name} | {s['visits']} | {load.sec(s['median_s'])} | {load.sec(s['p95_s'])} | "
                f"{load.sec(s['worst_s'])} | {s['errors']['total']}{f' ({kinds})' if kinds else ''} |")

    protocol = details["protocol"]
    frontend = protocol["fresh"].get("frontend_median_s")
    lines += [row("protocol, all", protocol["overall"]),
              row("protocol, first visit (by URL)", protocol["fresh"]),
              row("protocol, clicks", protocol["click"]),
              row("Chromium on this machine", details["browser"]["overall"])]
    if frontend is not None:
        lines += ["", f"Of a first visit, the HTML, scripts and health checks took {frontend} s "
                  "(median); the rest is the page's run."]
    lines += ["", "Per page, protocol students:", "",
              "| page | visits | median | p95 | worst | errors |", "|---|---:|---:|---:|---:|---:|"]
    lines += [row(f"`{name}`", stats) for name, stats in protocol["pages"].items()]
    cpu, met = f["cpu"], f["targets_met"]
    limits = f.get("targets_s", TARGETS_S)
    lines += [
        "",
        f"CPU during the class: the server {cpu['server_s']} s ({cpu['server_per_visit_s']} s "
        f"per finished page view), Chromium {cpu['chromium_s']} s, the protocol clients "
        f"{cpu['protocol_clients_s']} s. Targets for the protocol students: median "
        f"≤ {limits['median_s']:g} s {'met' if met['median_s'] else 'missed'}, p95 "
        f"≤ {limits['p95_s']:g} s {'met' if met['p95_s'] else 'missed'}, no error "
        f"{'met' if met['errors'] else 'missed'}.",
    ]
    if "verification" in report:
        v = report["verification"]
        matched = sum(p["match"] for p in v["pages"])
        lines.append(f"Client check: {matched} of {len(v['pages'])} pages gave the protocol "
                     "client the same element tree as Chromium.")
    if report.get("run_note"):
        lines += ["", f"**About this run**: {report['run_note']}"]
    lines.append("<!-- /figures -->")
    return "\n".join(lines)


def update_docs(report: dict[str, Any], source: str, doc: Path = DOC) -> bool:
    """Replace the figures block citing ``source`` in ``doc``; False if it has none."""
    text = doc.read_text(encoding="utf-8")
    start = text.find(f"<!-- figures: {source} -->")
    if start < 0:
        return False
    end = text.index("<!-- /figures -->", start) + len("<!-- /figures -->")
    doc.write_text(text[:start] + markdown(report, source) + text[end:], encoding="utf-8")
    return True


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


async def _warm_up(base: str, stops: list[Stop]) -> dict[str, float]:
    """One session visits every page once: Streamlit's caches filled, as by the instructor."""
    session = StreamSession(base, 600.0)
    seconds = {}
    for i, stop in enumerate(stops):
        view = await (session.open(stop.page, stop.query) if i == 0
                      else session.navigate(stop.page, stop.query))
        seconds[stop.name] = round(view.seconds, 2)
    await session.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--students", type=int, default=STUDENTS)
    parser.add_argument("--browsers", type=int, default=BROWSERS,
                        help="how many of the students are real Chromium contexts")
    parser.add_argument("--seconds", type=float, default=SECONDS,
                        help="no new visit starts after this long")
    parser.add_argument("--think", type=float, nargs=2, default=list(THINK_S),
                        metavar=("MIN", "MAX"), help="seconds between two clicks of a student")
    parser.add_argument("--page-timeout", type=float, default=PAGE_TIMEOUT_S)
    parser.add_argument("--verify", type=int, default=6, metavar="N",
                        help="pages of the client-vs-Chromium check before the class (0: none)")
    parser.add_argument("--verify-only", action="store_true", help="the check, no class")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--note", default="",
                        help="what to know about this run (the machine's state…): saved as "
                        "run_note and shown under the figures in the docs")
    parser.add_argument("--update-docs", action="store_true",
                        help="no run: rewrite the figures block of docs/performance.md that "
                        "cites --out from that file")
    args = parser.parse_args(argv)
    if args.update_docs:
        source = _relative(args.out)
        if not update_docs(json.loads(args.out.read_text(encoding="utf-8")), source):
            raise SystemExit(f"docs/performance.md has no figures block citing {source}")
        print(f"docs/performance.md: figures of {source} updated")
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the server is stopped on a kill
    if not Path(load.CHROMIUM).exists():
        raise SystemExit(f"chromium not found at {load.CHROMIUM} (set BROWSER_PATH)")
    load_before = [round(x, 2) for x in os.getloadavg()]
    report: dict[str, Any] = {
        "benchmark": "class",
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": results.machine(),
        "load_average": load_before[0],
        "command": " ".join(["benchmarks/classroom.py", *(argv if argv is not None
                                                          else sys.argv[1:])]),
        "note": ("Protocol students: page-ready = the page's script run finished and all its "
                 "deltas received (server side, what a browser needs to paint); browser "
                 "students: the page drawn in Chromium on this same machine."),
        "run_note": args.note, "commit": load.commit(Path(__file__).parent), "machine_detail": load.machine(),
        "load_average_before": load_before,
    }
    with tempfile.TemporaryDirectory(prefix="backfire-class-") as scratch, \
            load.app(Path(scratch)) as (server, linked, boot):
        stops = round_of_pages()
        report["server_start_s"] = round(boot, 1)
        report["data"] = linked
        report["pages"] = {s.name: s.url for s in stops}
        try:
            report["warm_up_s"] = asyncio.run(_warm_up(server.url, stops))
            if args.verify or args.verify_only:
                report["verification"] = asyncio.run(
                    verify(server.url, stops, args.verify or len(stops)))
            if args.verify_only:
                print(_verification_line(report["verification"]))
                return 0 if report["verification"]["all_match"] else 1
            found = asyncio.run(run_class(server.url, stops, args, server.proc.pid))
        except BaseException:
            print(server.tail(), file=sys.stderr)
            raise
        # > 0: data/cache did not match the archives; the warm-up scored those cases
        written = len(list((Path(scratch) / "data" / "cache").glob("*.parquet")))
        report["data"]["cache_parquet_written"] = written - linked["cache_parquet"]
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    visits: list[Visit] = found.pop("visits")
    details = summarize(visits, [s.name for s in stops])
    overall = details["protocol"]["overall"]
    report["figures"] = {
        "students": args.students, "protocol_students": max(0, args.students - args.browsers),
        "browser_students": min(args.students, args.browsers), "seconds": args.seconds,
        "think_s": list(args.think), "targets_s": TARGETS_S,
        "protocol": overall, "browser": details["browser"]["overall"],
        "targets_met": {**{k: overall[k] is not None and overall[k] <= v
                           for k, v in TARGETS_S.items()},
                        "errors": overall["errors"]["total"] == 0},
        "cpu": found["cpu"], "load_average_peak_1m": found["load_average_peak_1m"],
        "wall_s": found["wall_s"],
    }
    report["chromium"] = found["chromium"]
    report["details"] = details
    report["written_to"] = _relative(args.out)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    OUT.mkdir(exist_ok=True)
    (OUT / "class-visits.json").write_text(
        json.dumps([asdict(v) for v in visits], indent=1) + "\n", encoding="utf-8")
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
