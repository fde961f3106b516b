"""Two browser sessions upload and analyse different archives at the same time.

Two Playwright contexts (two Streamlit sessions, two websockets) drive one ``streamlit run``.
Their uploads, and then their "Analyse and save" clicks, are sent back to back, so the
server checks, loads, scores and saves both archives concurrently (one script thread per
session). Each session must only ever show its own file, detected format, counts and result;
both cases must land intact in the library (same bytes as uploaded, load reports that
match), appear on Compare, and every library and cache file must still parse.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import tomllib
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from app_support import prepare_data
from browser_support import ARTIFACTS, PAGE_TIMEOUT_MS, VIEWPORT, wait_ready

from analysis import pipeline
from analysis.cases import load_cases
from analysis.ingest import loaders
from analysis.store import atomic, library
from benchmarks.server import serve
from ui import data

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Loading, scoring and saving a small archive takes seconds; two at once on 2 cores, more.
SAVE_TIMEOUT_MS = 180_000
SAVED = re.compile(r"as a case: [\d,]+ tweets")
SAVED_LIST = "Your saved cases"
# How often the observer re-reads the library and the cache while the saves run.
OBSERVE_EVERY_S = 0.05


@dataclass(frozen=True)
class Upload:
    """One session's archive and what it calls the campaign."""

    file: str
    hashtag: str
    brand: str


UPLOADS = (
    Upload("v2_twarc2_brexit.jsonl", "#ConcurrentAlpha", "Alpha Session Brand"),
    Upload("v1_user_timeline.jsonl", "#ConcurrentBravo", "Bravo Session Brand"),
)


@pytest.fixture
def app(seed_data: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A server of its own (the shared one's library must hold only the page tests' cases)."""
    data_dir = prepare_data(tmp_path / "data", seed_data)
    with serve(data_dir) as server:
        yield server.url, data_dir


@pytest.fixture
def sessions(browser: Any) -> Iterator[list[Any]]:
    """Two isolated browser contexts (separate cookies, separate Streamlit sessions)."""
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in UPLOADS]
    tabs = [context.new_page() for context in contexts]
    for tab in tabs:
        tab.set_default_timeout(PAGE_TIMEOUT_MS)
    yield tabs
    for context in contexts:
        context.close()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _metric(page: Any, label: str) -> str:
    """The value of the load report's metric ``label`` (e.g. "Rows read")."""
    card = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return str(card.locator('[data-testid="stMetricValue"]').inner_text()).strip()


def _uploaded_count(page: Any) -> int:
    """Files in this session's uploader (chips; long names are shortened on screen)."""
    return int(page.locator('[data-testid="stFileUploader"] [data-testid="stFileChipName"]')
               .count())


def _assert_own_state(page: Any, mine: Upload, other: Upload, real_archives: Path) -> None:
    """The session shows its own file, format and counts, nothing of the other session's."""
    report = loaders.load(real_archives / mine.file).report
    assert _uploaded_count(page) == 1
    # the session's own work, above the shared list of saved cases (which lists every case)
    body = page.inner_text('[data-testid="stMain"]').split(SAVED_LIST)[0]
    assert f"{mine.file} · detected format {report.format}" in body
    other_format = loaders.load(real_archives / other.file).report.format
    assert f"detected format {other_format}" not in body
    assert other.file not in body
    for label, value in (("Rows read", report.rows_read), ("Kept", report.kept),
                         ("Rejected", report.rejected), ("Duplicates", report.duplicates)):
        assert _metric(page, label) == f"{value:,}", label


def _describe(page: Any, upload: Upload, terms: str) -> None:
    page.get_by_label("Campaign hashtag", exact=True).fill(upload.hashtag)
    page.get_by_label("Brand", exact=True).fill(upload.brand)
    page.get_by_label("Target terms (comma-separated)", exact=True).fill(terms)


@dataclass
class Observer:
    """A third party reading the library and the cache while the two sessions save.

    It lists and loads every case the way a restarted app would, and reads every table
    cached since it started, over and over; whatever fails to parse or misses a file is
    recorded. (A cached table may vanish between listing and reading: the cache drops its
    least recently used entries. That is a miss for a reader, not a broken file.)
    """

    data_dir: Path
    problems: list[str] = field(default_factory=list)
    rounds: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    known: set[Path] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.known = set(self._tables())

    def _tables(self) -> list[Path]:
        return list((self.data_dir / "cache").glob("*.parquet"))

    def _look(self) -> None:
        for entry in library.list_cases():
            case = entry.load()
            missing = [p for p in case.archive_paths if not p.is_file()]
            if missing:
                self.problems.append(f"{entry.case_id}: listed without {missing}")
        for table in set(self._tables()) - self.known:
            try:
                pq.read_table(table)
            except FileNotFoundError:
                continue

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self._look()
            except Exception as exc:  # anything at all is a half-finished state seen
                self.problems.append(repr(exc))
            self.rounds += 1
            self.stop.wait(OBSERVE_EVERY_S)


def _assert_files_intact(data_dir: Path, since: float) -> None:
    """Every case.toml and meta.json parses, every cached Parquet table reads, and no write
    begun after ``since`` (a time stamp) was left unfinished."""
    lib = data_dir / "library"
    for toml_file in lib.glob("*/case.toml"):
        tomllib.loads(toml_file.read_text(encoding="utf-8"))
    for meta in lib.glob("*/meta.json"):
        json.loads(meta.read_text(encoding="utf-8"))
    tables = sorted((data_dir / "cache").glob("*.parquet"))
    assert tables, "the scored tables were cached"
    for table in tables:
        pq.read_table(table)
    staging = lib / library.STAGING
    assert not staging.is_dir() or not any(staging.iterdir()), "no half-built entry left"
    unfinished = [p for p in (data_dir / "cache").glob(f"{atomic.TEMP_PREFIX}*")
                  if p.stat().st_mtime >= since]
    assert not unfinished, "no cache write left half-done"


def test_two_sessions_upload_and_save_different_archives(
        sessions: list[Any], app: tuple[str, Path], real_archives: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    app_url, app_data = app
    first, second = UPLOADS
    started = time.time()
    for page in sessions:
        page.goto(f"{app_url}/archive")
    for page in sessions:
        wait_ready(page)

    # both uploads in flight at once: each server-side run checks and parses its own file
    inputs = [p.locator('[data-testid="stFileUploaderDropzoneInput"]') for p in sessions]
    for uploader, upload in zip(inputs, UPLOADS, strict=True):
        uploader.set_input_files(str(real_archives / upload.file))
    for page in sessions:
        page.get_by_text("detected format", exact=False).first.wait_for()
        wait_ready(page)
    _assert_own_state(sessions[0], first, second, real_archives)
    _assert_own_state(sessions[1], second, first, real_archives)

    # both analyses at once: load, score, cache and save run in two script threads while a
    # third party keeps reading the library and the cache. Fresh target terms (part of the
    # score-cache key) make both tables be scored and written now, even if the cache copied
    # from data/ already held these archives.
    terms = f"concurrent{uuid.uuid4().hex[:8]}"
    for page, upload in zip(sessions, UPLOADS, strict=True):
        _describe(page, upload, terms)
    monkeypatch.setenv("BACKFIRE_DATA_DIR", str(app_data))
    observer = Observer(app_data)
    watcher = threading.Thread(target=observer.run, daemon=True)
    watcher.start()
    try:
        for page in sessions:
            page.get_by_role("button", name="Analyse and save").click()
        for page in sessions:
            page.get_by_text(SAVED).first.wait_for(timeout=SAVE_TIMEOUT_MS)
            wait_ready(page)
    finally:
        observer.stop.set()
        watcher.join(timeout=30)
    assert observer.rounds > 0 and observer.problems == []
    for page, mine, other in ((sessions[0], first, second), (sessions[1], second, first)):
        saved = page.get_by_text(SAVED).first.inner_text()
        kept = loaders.load(real_archives / mine.file).report.kept
        assert mine.hashtag in saved and f"{kept:,} tweets" in saved, saved
        assert other.hashtag not in saved
        _assert_own_state(page, mine, other, real_archives)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # test artifacts only, not README shots
    for page, name in zip(sessions, ("a", "b"), strict=True):
        page.screenshot(path=str(ARTIFACTS / f"concurrency-session-{name}.png"), full_page=True)

    # the library, read by another process: both entries complete, bytes as uploaded
    entries = {e.brand: e for e in library.list_cases()}
    for upload in UPLOADS:
        entry = entries[upload.brand]
        source = real_archives / upload.file
        assert entry.hashtag == upload.hashtag.lstrip("#")
        assert [f["uploaded_name"] for f in entry.files] == [upload.file]
        assert [f["sha256"] for f in entry.files] == [_sha256(source)]
        report = loaders.load(source).report
        assert [r["kept"] for r in entry.load_reports] == [report.kept]
        case = entry.load()
        assert [_sha256(p) for p in case.archive_paths] == [_sha256(source)]
        scored = pipeline.scored_case_result(case)
        assert scored.from_cache, f"{upload.file}: the app's scored table was cached"
        assert len(scored.table) == report.kept
    _assert_files_intact(app_data, started)

    # both sessions now list both saved cases; Compare shows them side by side
    for page in sessions:
        page.goto(f"{app_url}/archive")
        wait_ready(page)
        listed = page.inner_text('[data-testid="stMain"]')
        for upload in UPLOADS:
            assert entries[upload.brand].case_id in listed
    labels = data.labels(load_cases())
    chosen = [labels[entries[u.brand].case_id] for u in UPLOADS]
    page = sessions[1]
    page.goto(f"{app_url}/compare?" + urllib.parse.urlencode({"cases": chosen}, doseq=True))
    wait_ready(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    legend = page.locator(".js-plotly-plot .legendtext").evaluate_all(
        "els => els.map(e => e.textContent)")
    for label in chosen:
        assert label in legend
