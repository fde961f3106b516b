"""Kill the app in the middle of a save, start it again: nothing lost, nothing half-written.

The app is the real ``streamlit run app.py`` server, started through a tiny wrapper that
wraps one function of the save path: once a save reaches it (for the doomed case only), the
wrapper writes a marker file and waits, and the test SIGKILLs the server's whole process
group right there. Kill points: right before the library entry's final rename, and (after
the library save) before the scored table's Parquet file is renamed into the cache. A new server on the same data folder must then list
the earlier case unchanged, show no partial entry anywhere, and render the pages.
"""

from __future__ import annotations

import hashlib
import json
import signal
import sys
import textwrap
import time
import tomllib
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from app_support import prepare_data
from browser_support import PAGE_TIMEOUT_MS, VIEWPORT, wait_ready

from analysis.cases import load_cases
from analysis.store import library
from benchmarks.server import Server, serve
from ui import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# How long the save may take to reach its kill point (load + checks, scoring for the cache).
REACH_TIMEOUT_S = 120
SAVE_TIMEOUT_MS = 180_000
EARLIER = ("v2_twarc2_brexit.jsonl", "#EarlierIntact", "Earlier Brand")
DOOMED_FILE = "v1_user_timeline.jsonl"
DOOMED_BRAND = "Doomed Brand"

# Runs streamlit in this process after wrapping ``target``: once ``marker``.armed exists, a
# call whose arguments mention ``match`` writes ``marker`` and sleeps (before or after the
# real call) until the test kills the server.
SERVER = textwrap.dedent("""
    import importlib, os, runpy, sys, time
    target, when, match, marker = sys.argv[1:5]
    if target:
        module_name, attr = target.rsplit(".", 1)
        module = importlib.import_module(module_name)
        original = getattr(module, attr)

        def pause():
            open(marker, "w").close()
            time.sleep(3600)

        def hooked(*args, **kwargs):
            hit = os.path.exists(marker + ".armed") and any(match in str(a) for a in args)
            if hit and when == "before":
                pause()
            result = original(*args, **kwargs)
            if hit and when == "after":
                pause()
            return result

        setattr(module, attr, hooked)
    sys.argv = ["streamlit", *sys.argv[5:]]
    runpy.run_module("streamlit", run_name="__main__", alter_sys=True)
""")


@dataclass(frozen=True)
class KillPoint:
    target: str  # module.function wrapped in the server
    when: str  # "before" or "after" the real call
    hashtag: str  # the doomed case's hashtag; ``match`` defaults to its slug
    match: str = ""
    library_saved: bool = False  # the library save had completed when the kill landed

    @property
    def matching(self) -> str:
        return self.match or self.hashtag.lstrip("#")


# The library save's own kill points (after an archive file, after meta.json, before the case
# file, before the rename) are all covered by tests/test_crash_safety.py in plain processes;
# here the app is killed at the last moment of each of its two saves.
KILL_POINTS = {
    "before the final rename": KillPoint("analysis.store.library._rename_into_place", "before",
                                         "#KilledRename", match="killedrename-"),
    "before the cache rename": KillPoint("os.replace", "before", "#KilledCache",
                                         match=".parquet", library_saved=True),
}


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    yield page
    context.close()


def _upload(page: Any, url: str, file: Path, hashtag: str, brand: str, terms: str = "") -> None:
    page.goto(f"{url}/archive")
    wait_ready(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(file))
    page.get_by_text("detected format", exact=False).first.wait_for()
    wait_ready(page)
    page.get_by_label("Campaign hashtag", exact=True).fill(hashtag)
    page.get_by_label("Brand", exact=True).fill(brand)
    page.get_by_label("Target terms (comma-separated)", exact=True).fill(terms)
    page.get_by_role("button", name="Analyse and save").click()


def _wait_for(marker: Path, server: Server) -> None:
    deadline = time.monotonic() + REACH_TIMEOUT_S
    while not marker.exists():
        assert server.proc.poll() is None, f"server ended:\n{server.log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, "the save never reached the kill point"
        time.sleep(0.05)


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _listed(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """What the library holds, read like a restarted app does: brand -> case id."""
    monkeypatch.setenv("BACKFIRE_DATA_DIR", str(data_dir))
    entries = {e.brand: e.case_id for e in library.list_cases()}
    found = load_cases()
    assert sorted(cid for cid, c in found.items() if not c.bundled) == sorted(entries.values())
    return entries


def _assert_nothing_half_written(data_dir: Path) -> None:
    lib = data_dir / "library"
    for folder in (p for p in lib.iterdir() if p.is_dir() and not p.name.startswith(".")):
        tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
        json.loads((folder / library.META_FILE).read_text(encoding="utf-8"))
    for table in (data_dir / "cache").glob("*.parquet"):
        pq.read_table(table)


@pytest.mark.parametrize("point", list(KILL_POINTS), ids=list(KILL_POINTS))
def test_kill_mid_save_then_restart(tab: Any, seed_data: Path, real_archives: Path,
                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    point: str) -> None:
    kill = KILL_POINTS[point]
    data_dir = prepare_data(tmp_path / "data", seed_data)  # bundled cases, scores cached
    marker = tmp_path / "reached"
    hook = (kill.target, kill.when, kill.matching, str(marker))
    # target terms are part of the score-cache key: a fresh one means the doomed case's table
    # is scored and written in this run even if a cache copied from data/ already held it
    terms = f"doomed{uuid.uuid4().hex[:8]}"

    with serve(data_dir, [sys.executable, "-c", SERVER, *hook]) as server:
        file, hashtag, brand = EARLIER
        _upload(tab, server.url, real_archives / file, hashtag, brand)
        tab.get_by_text("as a case:", exact=False).first.wait_for(timeout=SAVE_TIMEOUT_MS)
        wait_ready(tab)
        earlier = _listed(data_dir, monkeypatch)[brand]
        before = _digest(data_dir / "library" / earlier)

        Path(f"{marker}.armed").touch()  # only the doomed case's save is interrupted
        _upload(tab, server.url, real_archives / DOOMED_FILE, kill.hashtag, DOOMED_BRAND, terms)
        _wait_for(marker, server)
        if kill.library_saved:  # the kill lands while the scored table is being cached
            assert list((data_dir / "cache").glob(".tmp-*"))
        else:  # the kill lands inside the library save: its staging folder exists
            assert any((data_dir / "library" / library.STAGING).iterdir())
        server.kill()
    assert server.proc.returncode == -signal.SIGKILL

    with serve(data_dir) as server:
        tab.goto(server.url)
        wait_ready(tab)
        assert tab.locator('[data-testid="stException"]').count() == 0
        assert tab.get_by_role("heading", name=EARLIER[1]).is_visible()
        shown = tab.get_by_role("heading", name=kill.hashtag).count()
        assert shown == (1 if kill.library_saved else 0)

        # the archive page lists the saved cases (and clears what the killed save left)
        tab.goto(f"{server.url}/archive")
        wait_ready(tab)
        saved_list = tab.inner_text('[data-testid="stMain"]').split("Your saved cases")[1]
        assert EARLIER[1] in saved_list
        assert (kill.hashtag in saved_list) == kill.library_saved
        staging = data_dir / "library" / library.STAGING
        assert not staging.is_dir() or not any(staging.iterdir()), "leftovers cleaned"

        entries = _listed(data_dir, monkeypatch)
        expected = {EARLIER[2]: earlier}
        if kill.library_saved:
            expected[DOOMED_BRAND] = entries.get(DOOMED_BRAND, "missing")
        assert entries == expected
        assert _digest(data_dir / "library" / earlier) == before, "the earlier case is intact"
        _assert_nothing_half_written(data_dir)

        # the case whose save or scoring was cut off opens (rescored) or can be saved again
        if kill.library_saved:
            label = data.labels(load_cases())[entries[DOOMED_BRAND]]
            tab.goto(f"{server.url}/case?" + urllib.parse.urlencode({"case": label}))
            wait_ready(tab)
            assert tab.get_by_role("heading", name=kill.hashtag).first.is_visible()
        else:
            _upload(tab, server.url, real_archives / DOOMED_FILE, kill.hashtag, DOOMED_BRAND,
                    terms)
            saved = tab.get_by_text("as a case:", exact=False).first
            saved.wait_for(timeout=SAVE_TIMEOUT_MS)
            wait_ready(tab)
            assert kill.hashtag in saved.inner_text()
        assert tab.locator('[data-testid="stException"]').count() == 0
        assert set(_listed(data_dir, monkeypatch)) == {EARLIER[2], DOOMED_BRAND}
        _assert_nothing_half_written(data_dir)
