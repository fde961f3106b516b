"""Page-ready time in a real browser, per page: a fresh visit and a switch, with CPU split.

    .venv/bin/python benchmarks/page_ready.py [--repeats 5] [--json] [--out FILE]

One ``streamlit run app.py`` on loopback with an isolated data folder (the built archives
and score caches linked in, as ``benchmarks/load.py`` does) and one headless Debian Chromium
through Playwright. Every page is visited once first (Streamlit's caches warm: "warm caches"
in the targets). Then, ``--repeats`` times each:

- ``fresh``: a new browser context (new profile: cold HTTP cache, new Streamlit session)
  opens the page's URL: what a student clicking a shared link waits for.
- ``fresh_warm_http``: a new tab of a context that has loaded the app before (the
  browser's HTTP cache holds Streamlit's JavaScript), new Streamlit session.
- ``switch``: inside one session, from the library, a click on the page's link (the sidebar
  navigation, or a case card's "Open the deep-dive"): no new session, no new page load.
- ``tab``: on a deep-dive, a click on each tab (only the open tab is computed).
- ``floor``: the fresh visits, cold and warm HTTP cache, of a bare Streamlit page (a title,
  ``benchmarks/floor/app.py``) on a second server: Streamlit's own cost, which no page of the
  app can go below.

"Ready" is the time from the navigation (or click) until the page's key element
(``load.KEY_ELEMENTS``; a tab: its panel holds content) is visible and Streamlit is idle
(script state ``notRunning``, no spinner or skeleton), confirmed by a second reading
``SETTLE_MS`` later with no new script run in between.

CPU time is read from ``/proc/<pid>/stat`` (user + system, of every thread; ``cutime`` of
reaped children) around each page view, for three process groups: the Streamlit server and
its children; Chromium (every process under this script but the server and Playwright's
node driver); the driver. The browser's CPU is thus reported apart from the server's; the
server's CPU per page view is what a page costs the machine that hosts a class.

Targets (issue 9, warm caches, this 2-core machine): fresh visit of a static page (library,
archive, methods) <= 1.5 s, of the deep-dive or Compare <= 3 s, a switch <= 1 s.
Results go to ``benchmarks/results/pages.json`` (``--out`` to change), with the machine,
the load average before and after, and the date.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402  (benchmarks/ is not a package)
from proc_cpu import cpu_groups  # noqa: E402

from benchmarks import results as bench_results  # noqa: E402  (load put the project on the path)

ROOT = load.ROOT
RESULTS = ROOT / "benchmarks" / "results"
VIEWPORT = load.VIEWPORT
SETTLE_MS = 400
POLL_MS = 25
PAGE_TIMEOUT_S = 120.0
# A click that starts no script run within this long is ready when idle (a client-side change).
NO_RUN_GRACE_S = 1.5
# Page name -> target (s): static pages 1.5 s, deep-dive and Compare 3 s; switches 1 s.
FRESH_TARGET_S = {"library": 1.5, "archive": 1.5, "methods": 1.5, "compare": 3.0, "case": 3.0}
SWITCH_TARGET_S = 1.0
# Counts Streamlit script runs (transitions of the app's script state to "running").
RUN_COUNTER_JS = """(() => {
    window.__backfireRuns = 0;
    const seen = new WeakSet();
    new MutationObserver(records => {
        for (const r of records) {
            const nodes = r.type === 'attributes' ? [r.target]
                : [...r.addedNodes].filter(n => n.querySelectorAll).flatMap(
                    n => [n, ...n.querySelectorAll('[data-test-script-state]')]);
            for (const n of nodes) {
                if (!n.getAttribute) continue;
                const state = n.getAttribute('data-test-script-state');
                if (state === 'running' && (r.type === 'attributes'
                        ? r.oldValue !== 'running' : !seen.has(n))) window.__backfireRuns++;
                if (state) seen.add(n);
            }
        }
    }).observe(document, {subtree: true, childList: true, attributes: true,
                          attributeFilter: ['data-test-script-state'], attributeOldValue: true});
})();"""
RUNS_JS = "() => window.__backfireRuns || 0"
# The open tab's panel has drawn content (a lazily computed tab is empty until its run).
TAB_PANEL_JS = """() => {
    const panel = [...document.querySelectorAll('[role="tabpanel"]')]
        .find(p => !p.hidden && p.getBoundingClientRect().height > 0);
    return !!panel && !!panel.querySelector(
        '.js-plotly-plot, [data-testid="stDataFrame"], [data-testid="stImage"], '
        + '[data-testid="stHeading"], [data-testid="stMarkdown"]');
}"""


# ------------------------------------------------------------------------------ views

@dataclass
class Views:
    """Every measured page view: name -> list of {ready_s, runs, cpu seconds per group}."""

    rows: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, name: str, row: dict[str, float]) -> None:
        self.rows.setdefault(name, []).append(row)

    def summary(self, kind: str) -> dict[str, Any]:
        out = {}
        for name, rows in self.rows.items():
            if not name.startswith(kind + " "):
                continue
            page = name.split(" ", 1)[1]
            ready = [r["ready_s"] for r in rows]
            target = (FRESH_TARGET_S.get(page.split(":")[0]) if kind.startswith("fresh")
                      else SWITCH_TARGET_S)
            out[page] = {
                "views": len(rows),
                "median_s": round(statistics.median(ready), 2),
                "worst_s": round(max(ready), 2),
                "target_s": target,
                "meets_target": target is None or statistics.median(ready) <= target,
                "script_runs_median": statistics.median(r["runs"] for r in rows),
                "server_cpu_s": round(statistics.median(r["server"] for r in rows), 2),
                "browser_cpu_s": round(statistics.median(r["browser"] for r in rows), 2),
                "driver_cpu_s": round(statistics.median(r["driver"] for r in rows), 2),
            }
        return out


class Meter:
    """Times one page view: from ``start()`` to ready, with the CPU each group used."""

    def __init__(self, server_pid: int, views: Views) -> None:
        self.server_pid, self.views = server_pid, views

    async def measure(self, name: str, page: Any, act: Callable[[], Awaitable[Any]],
                      ready_js: str, arg: Any = None) -> float | None:
        """Seconds until ready; ``None`` when the page never got ready (recorded in
        ``errors``, the run goes on)."""
        cpu0 = cpu_groups(self.server_pid)
        runs0 = await _runs(page)
        started = time.perf_counter()
        await act()
        try:
            ready = await _wait_ready(page, ready_js, arg, runs0, started)
        except (TimeoutError, RuntimeError) as failed:
            self.views.errors.append(f"{name}: {failed}")
            print(f"{name:<36} FAILED: {failed}", file=sys.stderr, flush=True)
            return None
        await page.wait_for_timeout(SETTLE_MS)  # the confirmation reading: CPU of it counted
        cpu1 = cpu_groups(self.server_pid)
        exceptions = await page.locator(load.EXCEPTION).count()
        if exceptions:
            self.views.errors.append(f"{name}: {exceptions} exception box(es)")
        row = {"ready_s": ready, "runs": await _runs(page) - runs0,
               **{k: cpu1[k] - cpu0[k] for k in cpu0}}
        self.views.add(name, row)
        print(f"{name:<36} ready {ready:6.2f} s  runs {row['runs']}  server CPU "
              f"{row['server']:5.2f} s  browser CPU {row['browser']:5.2f} s", file=sys.stderr,
              flush=True)
        return ready


async def _runs(page: Any) -> int:
    try:
        return int(await page.evaluate(RUNS_JS))
    except Exception:  # no document yet (a new tab)
        return 0


async def _is_ready(page: Any, ready_js: str, arg: Any) -> bool:
    try:
        return bool(await page.evaluate(load.IDLE_JS)) and bool(
            await page.evaluate(ready_js, arg))
    except Exception:  # the page navigated while we asked
        return False


async def _failed(page: Any) -> bool:
    """Streamlit is idle with an exception box on the page: the key element will not come."""
    try:
        return bool(await page.evaluate(load.IDLE_JS)) and bool(
            await page.locator(load.EXCEPTION).count())
    except Exception:  # the page navigated while we asked
        return False


async def _wait_ready(page: Any, ready_js: str, arg: Any, runs0: int, started: float) -> float:
    """Seconds from ``started`` until ready and still ready (same run count) SETTLE_MS later."""
    deadline = started + PAGE_TIMEOUT_S
    while time.perf_counter() < deadline:
        new_run = await _runs(page) > runs0
        waited = time.perf_counter() - started
        if await _failed(page):
            raise RuntimeError(f"the page stopped on an exception: {page.url}")
        if (new_run or waited > NO_RUN_GRACE_S) and await _is_ready(page, ready_js, arg):
            ready = time.perf_counter() - started
            runs = await _runs(page)
            await page.wait_for_timeout(SETTLE_MS)
            if await _runs(page) == runs and await _is_ready(page, ready_js, arg):
                return ready
        else:
            await page.wait_for_timeout(POLL_MS)
    raise TimeoutError(f"not ready after {PAGE_TIMEOUT_S:.0f} s: {page.url}")


# A case's card on the library (its container's key is ``card_<case id>``).
CARD_CSS = ".st-key-card_{case_id}"
# The key element of a target as one JavaScript predicate (headings by text, plus CSS).
KEY_JS = """([heading, css]) => {
    const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    if (heading) {
        const hs = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')];
        if (!hs.some(h => h.textContent.trim().startsWith(heading) && visible(h))) return false;
    }
    return !css || [...document.querySelectorAll(css)].some(visible);
}"""


def _key_arg(target: load.Target) -> list[str | None]:
    return [target.key.get("heading"), target.key.get("css")]


async def _new_context(browser: Any) -> Any:
    context = await browser.new_context(viewport=VIEWPORT)
    await context.add_init_script(RUN_COUNTER_JS)
    return context


async def fresh(browser: Any, base: str, plan: list[load.Target], meter: Meter,
                repeats: int) -> None:
    warm_context = await _new_context(browser)
    first = await warm_context.new_page()
    await first.goto(base)
    await _wait_ready(first, KEY_JS, _key_arg(plan[0]), -1, time.perf_counter())
    for _ in range(repeats):
        for target in plan:
            context = await _new_context(browser)
            page = await context.new_page()
            url = f"{base}/{target.path}"
            await meter.measure(f"fresh {target.name}", page, lambda p=page, u=url: p.goto(
                u, wait_until="commit"), KEY_JS, _key_arg(target))
            await context.close()
            page = await warm_context.new_page()
            await meter.measure(f"fresh_warm_http {target.name}", page,
                                lambda p=page, u=url: p.goto(u, wait_until="commit"),
                                KEY_JS, _key_arg(target))
            await page.close()
    await warm_context.close()


async def switches(browser: Any, base: str, plan: list[load.Target], meter: Meter,
                   repeats: int) -> None:
    context = await _new_context(browser)
    page = await context.new_page()
    home = plan[0]
    await page.goto(base)
    await _wait_ready(page, KEY_JS, _key_arg(home), -1, time.perf_counter())
    cases = [t for t in plan if t.name.startswith("case:")]
    for _ in range(repeats):
        for target in plan[1:]:
            if target.name.startswith("case:"):
                # the target's own card: the library orders its cards by date (or as the
                # visitor chose), not in the plan's order
                link = page.locator(CARD_CSS.format(case_id=target.name.split(":", 1)[1])
                                    ).get_by_role("link", name="Open the deep-dive")
            else:
                link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{target.path}"]')
            if await meter.measure(f"switch {target.name}", page, link.click, KEY_JS,
                                   _key_arg(target)) is None:  # start again from the library
                await page.goto(base)
                await _wait_ready(page, KEY_JS, _key_arg(home), -1, time.perf_counter())
                continue
            if target is cases[0]:
                tabs = [t.strip() for t in await page.get_by_role("tab").all_inner_texts()]
                for tab in tabs[1:] + tabs[:1]:  # end on the default tab
                    button = page.get_by_role("tab", name=tab, exact=True)
                    await meter.measure(f"tab {tab}", page, button.click, TAB_PANEL_JS)
            back = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{home.path}"]')
            await meter.measure(f"switch {home.name}", page, back.click, KEY_JS, _key_arg(home))
    await context.close()


# A bare Streamlit page (benchmarks/floor/app.py): its fresh visit is Streamlit's own floor.
FLOOR_APP = Path(__file__).resolve().parent / "floor"
FLOOR = load.Target("floor", "", {"heading": "Floor"})


async def run(base: str, server_pid: int, repeats: int,
              floor: tuple[str, int] | None = None) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    plan = load.targets()
    views = Views()
    meter = Meter(server_pid, views)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=load.CHROMIUM, args=load.CHROMIUM_ARGS)
        warm = load.Results([t.name for t in plan])
        context = await browser.new_context(viewport=VIEWPORT)
        tab = load.Tab(context, warm, -1)
        await tab.open()
        for target in plan:  # every page once: Streamlit's caches filled before timing
            await tab.visit(base, target, PAGE_TIMEOUT_S)
        await context.close()
        await fresh(browser, base, plan, meter, repeats)
        if floor is not None:
            await fresh(browser, floor[0], [FLOOR], Meter(floor[1], views), repeats)
        await switches(browser, base, plan, meter, repeats)
        version = browser.version
        await browser.close()
    return {"chromium": version, "warm_up": warm.summary()["pages"],
            "fresh": views.summary("fresh"), "fresh_warm_http": views.summary("fresh_warm_http"),
            "switch": views.summary("switch"), "tab": views.summary("tab"),
            "errors": views.errors}


def print_table(report: dict[str, Any]) -> None:
    m = report["machine"]
    print(f"{report['date']}  {m['nproc']} cores ({m['cpu_model']}), {m['ram_gb']} GB; "
          + load.load_averages(report))
    print(f"{'kind':<16} {'page':<20} {'median':>7} {'worst':>7} {'target':>6} {'runs':>4} "
          f"{'server':>7} {'browser':>7}  (CPU s per view)")
    for kind in ("fresh", "fresh_warm_http", "switch", "tab"):
        for page, s in report[kind].items():
            target = "-" if s["target_s"] is None else f"{s['target_s']:g}"
            flag = "" if s["meets_target"] else "  MISSED"
            print(f"{kind:<16} {page:<20} {s['median_s']:>7.2f} {s['worst_s']:>7.2f} "
                  f"{target:>6} {s['script_runs_median']:>4g} {s['server_cpu_s']:>7.2f} "
                  f"{s['browser_cpu_s']:>7.2f}{flag}")
    for error in report["errors"]:
        print("error:", error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the JSON, not the table")
    parser.add_argument("--out", type=Path, default=RESULTS / "pages.json")
    args = parser.parse_args(argv)
    # a kill (timeout, Ctrl-C from a wrapper) still stops the server: SystemExit unwinds
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report: dict[str, Any] = {
        "benchmark": "benchmarks/page_ready.py", "commit": load.commit(__file__),
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": load.machine(),
        "repeats": args.repeats, "settle_ms": SETTLE_MS,
        "load_average_before": load._load_average(),
    }
    with tempfile.TemporaryDirectory(prefix="backfire-ready-") as scratch, \
            load.app(Path(scratch)) as (server, _linked, boot), \
            load.serve(None, cwd=FLOOR_APP, log_dir=Path(scratch)) as floor:
        report["server_start_s"] = round(boot, 1)
        try:
            report |= asyncio.run(run(server.url, server.proc.pid, args.repeats,
                                      (floor.url, floor.proc.pid)))
        except BaseException:
            print(server.tail(), file=sys.stderr)
            raise
    report["load_average_after"] = load._load_average()
    bench_results.save_report(report, args.out, as_json=args.json, print_table=print_table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
