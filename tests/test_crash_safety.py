"""The library survives a kill in the middle of a save, and concurrent saves.

Crash safety: a child process starts a save and is SIGKILLed at a chosen point (after it
wrote an archive file, before it wrote the case file, right before the final rename). A
fresh process then lists the library: the earlier entry is intact, nothing half-written
shows up (neither in ``library.list_cases`` nor in ``cases.load_cases``), and the leftovers
are cleaned. Concurrency: several processes save at once; every entry lands intact.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from analysis import cases
from analysis.store import atomic, library, paths

SAMPLES = ("v1_search_tweets.jsonl", "v1_user_timeline.jsonl", "v2_twarc2_flat.jsonl")
# How long a child may take to reach its kill point (imports included) on a slow CI runner.
REACH_TIMEOUT = 60.0

# The child: replace one function with a wrapper that, once reached, writes a marker file
# and sleeps, so that the parent kills it exactly there.
CHILD = textwrap.dedent("""
    import importlib, json, os, sys, time
    target, after, marker, sample, hashtag = sys.argv[1:6]
    module_name, attr = target.rsplit(".", 1)
    module = importlib.import_module(module_name)
    original = getattr(module, attr)

    def hooked(*args, **kwargs):
        if after == "after":
            result = original(*args, **kwargs)
        open(marker, "w").close()
        time.sleep(600)
        return result if after == "after" else original(*args, **kwargs)

    setattr(module, attr, hooked)
    from analysis.store import library
    with open(sample, "rb") as handle:
        data = handle.read()
    library.save_case(hashtag=hashtag, brand="Killed Brand", brand_account="killed",
                      launch="2019-07-12T20:00:00Z", files=[("killed.jsonl", data)])
    print("save finished: the hook was never reached", file=sys.stderr)
    sys.exit(3)
""")

# A fresh process: what does a restarted app see?
LISTER = textwrap.dedent("""
    import json
    from analysis import cases
    from analysis.store import library
    entries = library.list_cases()
    found = cases.load_cases()
    print(json.dumps({
        "library": [e.case_id for e in entries],
        "cases": sorted(k for k, c in found.items() if not c.bundled),
        "archives": {e.case_id: [str(p) for p in found[e.case_id].archive_paths] for e in entries},
    }))
""")


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["BACKFIRE_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(paths.PROJECT_ROOT)
    return env


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def _kill_at_marker(child: subprocess.Popen[str] | subprocess.Popen[bytes], marker: Path,
                    at_kill_point: Callable[[], None] = lambda: None) -> None:
    """Wait until ``child`` reaches its kill point (it writes ``marker`` and sleeps there), run
    the check ``at_kill_point``, then SIGKILL it; a child still alive on the way out is killed."""
    try:
        deadline = time.monotonic() + REACH_TIMEOUT
        while not marker.exists():
            assert child.poll() is None, f"child ended early: {child.stderr.read() if child.stderr else ''}"
            assert time.monotonic() < deadline, "the child never reached its kill point"
            time.sleep(0.02)
        at_kill_point()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def _fields(hashtag: str) -> dict[str, Any]:
    return {"hashtag": hashtag, "brand": "Brand", "brand_account": "brand",
            "launch": "2019-07-12T20:00:00Z"}


KILL_POINTS = {
    "after an archive file": ("analysis.ingest.uploads.store", "after"),
    "after meta.json": ("analysis.store.atomic.write_text", "after"),
    "before the case file": ("analysis.cases.write_case", "before"),
    "before the final rename": ("os.rename", "before"),
}


@pytest.mark.slow
@pytest.mark.parametrize("point", list(KILL_POINTS), ids=list(KILL_POINTS))
def test_kill_mid_save_leaves_nothing_half_written(isolated_data: Path, real_archives: Path,
                                                   tmp_path: Path, point: str) -> None:
    earlier = library.save_case(**_fields("#Earlier"),
                                files=[("a.jsonl", (real_archives / SAMPLES[0]).read_bytes())])
    root = isolated_data / "library"
    before = _digest(root / earlier)

    target, when = KILL_POINTS[point]
    marker = tmp_path / "reached"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, target, when, str(marker),
         str(real_archives / SAMPLES[1]), "#Killed"],
        env=_env(isolated_data), stderr=subprocess.PIPE, text=True)

    def save_has_started() -> None:
        # the kill lands in the middle of the save: its staging folder exists
        staged = list((root / library.STAGING).iterdir())
        assert staged, "the save had started writing"

    _kill_at_marker(child, marker, at_kill_point=save_has_started)
    assert child.returncode == -signal.SIGKILL

    restarted = subprocess.run([sys.executable, "-c", LISTER], env=_env(isolated_data),
                               capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(restarted.stdout)
    assert seen["library"] == [earlier]
    assert seen["cases"] == [earlier]
    assert _digest(root / earlier) == before, "the earlier entry is untouched"
    assert all(Path(p).is_file() for p in seen["archives"][earlier])
    assert not any((root / library.STAGING).iterdir()), "leftovers are cleaned on restart"

    # the library still works: the interrupted save can simply be done again
    again = library.save_case(**_fields("#Killed"),
                              files=[("killed.jsonl", (real_archives / SAMPLES[1]).read_bytes())])
    assert {e.case_id for e in library.list_cases()} == {earlier, again}


def _save_worker(data_dir: str, hashtag: str, sample: str, barrier: Any, results: Any) -> None:
    os.environ["BACKFIRE_DATA_DIR"] = data_dir
    data = Path(sample).read_bytes()
    barrier.wait(timeout=120)
    try:
        results.put((hashtag, library.save_case(**_fields(hashtag), files=[(Path(sample).name, data)])))
    except Exception as exc:  # reported to the parent, which fails the test with it
        results.put((hashtag, f"failed: {exc!r}"))


@pytest.mark.slow
def test_concurrent_saves_all_land_intact(isolated_data: Path, real_archives: Path) -> None:
    # four processes: three different cases, and the third one saved twice at once
    jobs = [("#Alpha", SAMPLES[0]), ("#Beta", SAMPLES[1]), ("#Gamma", SAMPLES[2]),
            ("#Gamma", SAMPLES[2])]
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(jobs)), context.Queue()
    workers = [context.Process(target=_save_worker, args=(str(isolated_data), tag,
                                                          str(real_archives / name), barrier, results))
               for tag, name in jobs]
    for worker in workers:
        worker.start()
    saved = [results.get(timeout=240) for _ in jobs]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    failures = [r for _, r in saved if r.startswith("failed")]
    assert not failures
    by_tag: dict[str, set[str]] = {}
    for tag, case_id in saved:
        by_tag.setdefault(tag, set()).add(case_id)
    ids = [next(iter(by_tag[tag])) for tag, _ in jobs]
    assert len(by_tag["#Gamma"]) == 1, "the same case saved twice at once is one entry"
    assert len(set(ids)) == 3

    entries = {e.case_id: e for e in library.list_cases()}
    assert set(entries) == set(ids)
    found = cases.load_cases()
    for (_, name), case_id in zip(jobs, ids, strict=True):
        case = found[case_id]
        [archive] = case.archive_paths
        assert archive.read_bytes() == (real_archives / name).read_bytes()
        assert entries[case_id].load_reports[0]["kept"] > 0
    root = isolated_data / "library"
    assert not any((root / library.STAGING).iterdir())
    assert not list(root.rglob(".tmp-*")), "no temporary file is left behind"


# ------------------------------------------------------------------ analysis.atomic

def test_atomic_write_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.json"
    atomic.write_text(target, "first")
    atomic.write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]


def test_atomic_writer_keeps_the_old_file_on_error(tmp_path: Path) -> None:
    target = atomic.write_text(tmp_path / "file.txt", "old")
    with pytest.raises(RuntimeError), atomic.atomic_writer(target) as handle:
        handle.write(b"half of the new")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from analysis.store import atomic
    target, marker = Path(sys.argv[1]), Path(sys.argv[2])
    with atomic.atomic_writer(target) as handle:
        handle.write(b"x" * 1_000_000)
        handle.flush()
        marker.touch()
        time.sleep(600)
""")


@pytest.mark.slow
def test_kill_mid_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = atomic.write_text(tmp_path / "table.parquet", "old")
    marker = tmp_path / "reached"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(marker)],
                             env=_env(tmp_path / "data"))
    _kill_at_marker(child, marker)
    assert target.read_text() == "old"
    leftovers = list(tmp_path.glob(f"{atomic.TEMP_PREFIX}*"))
    assert len(leftovers) == 1 and leftovers[0].stat().st_size == 1_000_000
    assert atomic.remove_stale_temp_files(tmp_path) == 0, "a fresh temp file may be a live write"
    assert atomic.remove_stale_temp_files(tmp_path, older_than=-1) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["reached", "table.parquet"]
