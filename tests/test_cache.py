"""The Parquet cache: canonical round trip, keys, atomic writes, misses, real archives."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from metrics_tables import table, tweet
from pandas.testing import assert_frame_equal

from analysis import pipeline, schema
from analysis.errors import CaseError
from analysis.store import cache


def awkward() -> pd.DataFrame:
    frame = table([
        tweet(0, id="458665477409996800", author="NYPDnews", text="Ask #myNYPD 📸 «ünïcode»",
              hashtags=["mynypd", "mylapd"], mentions=["a", "b"], counts=(1, None, 0, 3), semantics="snapshot"),
        tweet(1, id="1", author=None, text=None, hashtags=[], mentions=[]),  # type: ignore[arg-type]
        tweet(2, id="2", rt_of="458665477409996800", rt_author="NYPDnews", text="RT @NYPDnews: Ask",
              hostile=True, compound=-0.25, lang=None),  # type: ignore[arg-type]
    ])
    frame.attrs["scoring"] = {"threshold": 0.42, "cue_terms": ["whale", "bailout"]}
    return frame


@pytest.mark.parametrize("rows", [slice(None), slice(0, 1), slice(0, 0)])
def test_round_trip_keeps_canonical_dtypes_and_values(isolated_data: Path, rows: slice) -> None:
    frame = awkward().iloc[rows].reset_index(drop=True)
    frame.attrs["scoring"] = {"threshold": 0.42, "cue_terms": ["whale", "bailout"]}
    cache.save("k1", frame, {"rows_read": 3})
    hit = cache.load("k1")
    assert hit is not None and hit.from_cache
    assert_frame_equal(hit.table, frame)
    for name, dtype in {**schema.COLUMNS, **schema.SCORE_COLUMNS}.items():
        assert str(hit.table[name].dtype) == dtype, name
    assert all(type(v) is list for v in hit.table["hashtags"])
    assert hit.table.attrs["scoring"] == {"threshold": 0.42, "cue_terms": ["whale", "bailout"]}
    assert hit.report == {"rows_read": 3}


def test_round_trip_of_ids_beyond_53_bits(isolated_data: Path) -> None:
    cache.save("k2", awkward())
    hit = cache.load("k2")
    assert hit is not None
    assert hit.table["id"].iloc[0] == "458665477409996800"
    assert hit.table["retweeted_id"].iloc[2] == "458665477409996800"


def test_entry_files_live_in_the_cache_dir(isolated_data: Path) -> None:
    path = cache.save("k3", awkward(), {"a": 1})
    assert path.parent == isolated_data / "cache"
    assert sorted(p.name for p in path.parent.iterdir() if p.is_file()) == ["k3.parquet", "k3.report.json"]


def test_missing_and_corrupt_entries_are_misses(isolated_data: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    assert cache.load("nope") is None
    path = cache.save("k4", awkward())
    path.write_bytes(path.read_bytes()[:100])   # truncated, as if a copy had been cut short
    assert cache.load("k4") is None
    assert "k4" in caplog.text and "unreadable" in caplog.text  # never silent


def test_crash_during_write_leaves_no_entry(isolated_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(arrow: Any, out: Any) -> None:
        out.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(cache.pq, "write_table", explode)
    with pytest.raises(OSError):
        cache.save("k5", awkward())
    assert cache.load("k5") is None
    assert [p.name for p in (isolated_data / "cache").iterdir() if p.name.startswith(".tmp")] == []


def test_crash_replacing_an_entry_keeps_the_old_one(isolated_data: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cache.save("k6", awkward())

    def explode(arrow: Any, out: Any) -> None:
        raise OSError("killed")

    monkeypatch.setattr(cache.pq, "write_table", explode)
    with pytest.raises(OSError):
        cache.save("k6", awkward().iloc[:1])
    hit = cache.load("k6")
    assert hit is not None and len(hit.table) == 3


@pytest.mark.parametrize(("a", "b", "same"), [
    ({}, {}, True),
    ({"threshold": 0.5}, {"threshold": 0.5000000001}, True),
    ({"threshold": None}, {"threshold": 0.5}, False),
    ({"threshold": 0.5}, {"threshold": 0.6}, False),
    ({"cue_terms": ["Whale", "bailout"]}, {"cue_terms": ["bailout", "whale "]}, True),
    ({"cue_terms": ["whale"]}, {"cue_terms": ["whale", "bailout"]}, False),
])
def test_keys_depend_on_scoring_parameters(a: dict[str, Any], b: dict[str, Any], same: bool) -> None:
    assert (cache.cache_key("input", **a) == cache.cache_key("input", **b)) is same


def test_keys_depend_on_input_and_version(monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.cache_key("input")
    assert cache.cache_key("other") != key
    monkeypatch.setattr(cache, "ANALYSIS_VERSION", "999")
    assert cache.cache_key("input") != key


CODE_FILES = ("analysis/ingest/loaders.py", "analysis/ingest/formats/tables.py", "analysis/schema.py",
              "analysis/nlp/scoring.py", "analysis/nlp/vader.py", "data/scoring_model.json",
              "data/models/hostility.npz")


@pytest.mark.parametrize("changed", CODE_FILES)
def test_keys_depend_on_loading_and_scoring_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 changed: str) -> None:
    for name in CODE_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"# {name}\n")
    monkeypatch.setattr(cache.paths, "PROJECT_ROOT", tmp_path)
    key = cache.cache_key("input")
    assert cache.cache_key("input") == key
    (tmp_path / changed).write_text(f"# {changed}, fixed\n")
    assert cache.cache_key("input") != key


def test_code_fingerprint_covers_every_format_module(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache.paths, "PROJECT_ROOT", tmp_path)
    empty = cache.code_fingerprint()
    (tmp_path / "analysis" / "ingest" / "formats").mkdir(parents=True)
    (tmp_path / "analysis" / "ingest" / "formats" / "new_format.py").write_text("X = 1\n")
    assert cache.code_fingerprint() != empty


def test_file_hash_follows_the_bytes(tmp_path: Path) -> None:
    one, two = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    one.write_bytes(b'{"id": "1"}\n')
    two.write_bytes(b'{"id": "1"}\n')
    assert cache.file_hash(one) == cache.file_hash(two)
    two.write_bytes(b'{"id": "2"}\n')
    assert cache.file_hash(one) != cache.file_hash(two)
    assert cache.file_hash([one, two]) != cache.file_hash([two, one])


def test_table_hash_sees_list_columns() -> None:
    frame = awkward()
    other = awkward()
    other.at[0, "hashtags"] = ["mynypd"]
    assert cache.table_hash(frame) == cache.table_hash(awkward())
    assert cache.table_hash(frame) != cache.table_hash(other)


def test_clear_removes_entries_only(isolated_data: Path) -> None:
    cache.save("k7", awkward(), {"a": 1})
    (isolated_data / "cache" / "keep.txt").write_text("x")
    assert cache.clear() == 2
    assert [p.name for p in (isolated_data / "cache").iterdir()] == ["keep.txt"]


# --- with the real loader and scorer ----------------------------------------------------------------

def test_scored_archive_is_cached(real_archives: Path, isolated_data: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis.nlp import scoring

    archive = isolated_data / "v1.jsonl"
    shutil.copy(real_archives / "v1_search_tweets.jsonl", archive)
    first = pipeline.scored_archive(archive, cue_terms=["brexit"])
    assert not first.from_cache
    assert first.report is not None and first.report["kept"] == len(first.table)
    calls: list[int] = []
    monkeypatch.setattr(scoring, "score", lambda *a, **k: calls.append(1))
    again = pipeline.scored_archive(archive, cue_terms=["brexit"])
    assert again.from_cache and calls == []
    assert_frame_equal(again.table, first.table)
    assert again.report == first.report
    assert again.table.attrs["scoring"]["threshold"] == first.table.attrs["scoring"]["threshold"]


def test_scored_table_keys_on_content(isolated_data: Path) -> None:
    frame = schema.conform(awkward())
    first = pipeline.scored_table(frame, threshold=0.3)
    again = pipeline.scored_table(frame.copy(), threshold=0.3)
    assert again.from_cache and again.key == first.key
    assert pipeline.scored_table(frame, threshold=0.4).key != first.key
    assert list(first.table.columns) == [*schema.COLUMNS, *schema.SCORE_COLUMNS]


def test_scored_case_uses_the_case_archive_and_terms(real_archives: Path, isolated_data: Path) -> None:
    case = SimpleNamespace(id="brexit", archive_paths=(real_archives / "v2_twarc2_brexit.jsonl",),
                           target_terms=("brexit", "tories"))
    out = pipeline.scored_case(case)
    assert len(out) == 100
    assert out.attrs["scoring"]["cue_terms"] == ["brexit", "tories"]
    result = pipeline.scored_case_result(case)
    assert result.from_cache


def test_scored_case_without_archive_says_how_to_build_it(isolated_data: Path) -> None:
    case = SimpleNamespace(id="ghost", archive_paths=(isolated_data / "ghost.jsonl.gz",), target_terms=())
    with pytest.raises(CaseError, match="build-archives"):
        pipeline.scored_case(case)


def test_prune_keeps_the_most_recently_used(isolated_data: Path) -> None:
    import os

    for n, key in enumerate(["old", "used", "new"]):
        path = cache.save(key, awkward(), {"n": n})
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
    assert cache.load("old") is not None        # a hit marks the entry as recently used
    assert cache.prune(keep=2) == 1
    assert cache.load("used") is None
    assert cache.load("old") is not None and cache.load("new") is not None
    assert not (isolated_data / "cache" / "used.report.json").exists()


def test_saving_bounds_the_number_of_entries(isolated_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    for key in ("a", "b", "c"):
        cache.save(key, awkward())
    assert len(list((isolated_data / "cache").glob("*.parquet"))) == 2


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_characters="\x1f",
                                                         blacklist_categories=("Cs",)),
                                 min_size=1, max_size=8), max_size=4), min_size=1, max_size=12))
def test_list_columns_round_trip(tmp_path_factory: pytest.TempPathFactory, tags: list[list[str]]) -> None:
    frame = table([tweet(i, hashtags=t, mentions=t[:1]) for i, t in enumerate(tags)])
    root = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKFIRE_DATA_DIR", str(root))
        cache.save("lists", frame)
        hit = cache.load("lists")
    assert hit is not None
    assert hit.table["hashtags"].tolist() == tags
    assert hit.table["mentions"].tolist() == [t[:1] for t in tags]
    assert all(type(v) is list for v in hit.table["mentions"])
