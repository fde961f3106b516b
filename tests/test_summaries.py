"""A case's Language and Themes summaries on disk (``analysis.store.summaries`` through
``pipeline.summaries``): computed once, then read; recomputed when the archive, the scoring
model, the deriving code or the case changes; a damaged file is a miss, never an error."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from analysis import cases, pipeline, schema
from analysis.errors import BackfireError
from analysis.exports import classroom, content, data
from analysis.metrics import filters, terms, themes
from analysis.store import cache, summaries

T0 = pd.Timestamp("2014-11-13 17:00", tz="UTC")
# Three planted themes (the answer is known), as in tests/test_themes.py.
GROUPS = {
    "money": ["foreclosure", "bailout", "settlement", "fines", "libor", "mortgage", "whale", "fraud"],
    "career": ["career", "advice", "internship", "student", "mentor", "resume", "interview", "skills"],
    "jokes": ["vampire", "squid", "shredder", "aquarium", "plea", "sequel", "realityshow", "popcorn"],
}


def _rows(n: int = 300) -> list[dict[str, Any]]:
    rng = np.random.default_rng(5)
    rows = []
    for i in range(n):
        group = list(GROUPS)[i % 3]
        words = " ".join(rng.choice(GROUPS[group], size=4, replace=False))
        mood = "awful terrible disgrace" if group == "money" else "great thanks love"
        rows.append({"id": str(i + 1), "created_at": T0 + pd.Timedelta(minutes=i),
                     "text": f"#AskJPM {words} {mood} n{i}", "author": f"u{i % 41}",
                     "is_retweet": False, "lang": "en", "hashtags": ["askjpm"], "mentions": []})
    return rows


def _case(target_terms: tuple[str, ...] = ("foreclosure", "bailout", "fines", "libor")
          ) -> cases.Case:
    return cases.case_from_dict({
        "id": "planted", "hashtag": "AskJPM", "brand": "J.P. Morgan", "brand_account": "jpmorgan",
        "launch": T0.to_pydatetime(), "ask": "questions", "story": "planted themes",
        "provenance": "real", "target_terms": list(target_terms)})


def _loaded(rows: list[dict[str, Any]], case: cases.Case | None = None) -> pipeline.Loaded:
    scored = pipeline.scored_table(schema.conform(pd.DataFrame(rows)))
    return pipeline.Loaded(case or _case(), scored.table, scored.report, scored.key)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Calls of the two computations behind the summaries (computed, not read)."""
    calls: list[str] = []
    fit, language = themes.fit_case, terms.language

    def fit_case(*args: Any, **kwargs: Any) -> themes.Fitted:
        calls.append("themes")
        return fit(*args, **kwargs)

    def language_of(*args: Any, **kwargs: Any) -> terms.Language:
        calls.append("language")
        return language(*args, **kwargs)

    monkeypatch.setattr(themes, "fit_case", fit_case)
    monkeypatch.setattr(terms, "language", language_of)
    return calls


def _same(a: pipeline.Summaries, b: pipeline.Summaries) -> None:
    assert_frame_equal(a.language.distinctive, b.language.distinctive)
    assert a.language.frequencies == b.language.frequencies
    assert a.clouds == b.clouds
    assert set(a.clouds) == {k for k, words in a.language.frequencies.items() if words}
    assert all(png.startswith(b"\x89PNG") for png in a.clouds.values())
    fa, fb = a.fitted(), b.fitted()
    assert (fa.top_terms, fa.seeded, fa.texts, fa.stability) == (fb.top_terms, fb.seeded,
                                                                 fb.texts, fb.stability)
    assert_series_equal(fa.labels, fb.labels)


def test_computed_once_then_read_from_disk(isolated_data: Path, counted: list[str]) -> None:
    loaded = _loaded(_rows())
    first = pipeline.summaries(loaded)
    assert counted == ["language", "themes"]
    files = list((isolated_data / "cache").glob(f"{loaded.key}.*{summaries.SUFFIX}"))
    assert len(files) == 1  # beside the scored table, named after its key
    again = pipeline.summaries(loaded)
    assert counted == ["language", "themes"]  # read, not computed
    _same(first, again)
    # what was stored is what the metrics compute on the table
    direct = themes.fit_case(loaded.table, target_terms=loaded.case.target_terms,
                             stopwords=terms.case_stopwords("AskJPM", "J.P. Morgan", "jpmorgan"))
    assert direct.top_terms == again.fitted().top_terms
    assert_series_equal(direct.labels, again.fitted().labels)


def test_the_report_of_the_stored_themes_is_the_models(isolated_data: Path) -> None:
    loaded = _loaded(_rows())
    case, table = loaded.case, loaded.table
    stored = pipeline.summaries(loaded).fitted()
    view = table.iloc[: len(table) // 2]
    model = themes.fit(table, target_terms=case.target_terms,
                       stopwords=terms.case_stopwords(case.hashtag, case.brand, case.brand_account))
    expected = themes.report(view, model, labels=themes.assign(table, model), launch=case.launch,
                             stable=stored.stability)
    found = themes.report(view, stored, launch=case.launch)
    assert_frame_equal(found.themes, expected.themes)
    assert_frame_equal(found.over_time, expected.over_time)


def test_a_changed_archive_gets_new_summaries(isolated_data: Path, counted: list[str]) -> None:
    rows = _rows()
    before = pipeline.summaries(_loaded(rows))
    rows[0]["text"] = "#AskJPM foreclosure fraud whale libor awful n0 edited"
    after_loaded = _loaded(rows)
    after = pipeline.summaries(after_loaded)
    assert counted == ["language", "themes"] * 2
    assert len(list((isolated_data / "cache").glob(f"*{summaries.SUFFIX}"))) == 2
    assert after.fitted().texts == before.fitted().texts
    assert after.language.frequencies != before.language.frequencies


def test_a_new_scoring_model_gets_new_summaries(isolated_data: Path, counted: list[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    pipeline.summaries(_loaded(rows))
    # the scoring model's files are part of the score key (tests/test_cache.py): a new model
    # is a new scored table, and its summaries are computed again
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "a new model file")
    pipeline.summaries(_loaded(rows))
    assert counted == ["language", "themes"] * 2


def test_a_changed_case_gets_new_summaries(isolated_data: Path, counted: list[str]) -> None:
    rows = _rows()
    pipeline.summaries(_loaded(rows))
    pipeline.summaries(_loaded(rows, _case(("career", "advice", "mentor", "resume"))))
    assert counted == ["language", "themes"] * 2


@pytest.mark.parametrize("changed", summaries.SUMMARY_SOURCES)
def test_keys_follow_the_deriving_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       changed: str) -> None:
    for name in summaries.SUMMARY_SOURCES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"# {name}\n")
    monkeypatch.setattr(cache.paths, "PROJECT_ROOT", tmp_path)
    key = summaries.key("scorekey", {"a": 1})
    assert key.startswith("scorekey.") and summaries.key("scorekey", {"a": 1}) == key
    assert summaries.key("other", {"a": 1}) != key
    assert summaries.key("scorekey", {"a": 2}) != key
    (tmp_path / changed).write_text(f"# {changed}, fixed\n")
    assert summaries.key("scorekey", {"a": 1}) != key


def test_a_damaged_or_foreign_file_is_rebuilt(isolated_data: Path, counted: list[str]) -> None:
    loaded = _loaded(_rows())
    first = pipeline.summaries(loaded)
    (entry,) = (isolated_data / "cache").glob(f"*{summaries.SUFFIX}")
    entry.write_text('{"language": {"distinc', encoding="utf-8")
    _same(pipeline.summaries(loaded), first)
    # labels for another table (one row fewer) under the same key: recomputed, not misread
    shorter = pipeline.Loaded(loaded.case, loaded.table.iloc[1:], loaded.report, loaded.key)
    assert len(pipeline.summaries(shorter).fitted().labels) == len(loaded.table) - 1
    assert counted == ["language", "themes"] * 3


def test_too_few_texts_store_the_reason(isolated_data: Path, counted: list[str]) -> None:
    loaded = _loaded(_rows(12))
    first = pipeline.summaries(loaded)
    assert first.themes is None and "at least" in (first.themes_error or "")
    again = pipeline.summaries(loaded)
    assert counted == ["language", "themes"]
    with pytest.raises(BackfireError, match="at least"):
        again.fitted()


def test_a_table_not_from_the_cache_is_summarised_not_stored(isolated_data: Path) -> None:
    loaded = _loaded(_rows())
    found = pipeline.summaries(pipeline.Loaded(loaded.case, loaded.table))
    assert found.themes is not None
    assert not list((isolated_data / "cache").glob(f"*{summaries.SUFFIX}"))


def test_prune_and_clear(isolated_data: Path) -> None:
    for n in range(4):
        path = summaries.save(f"k{n}.digest", {"n": n})
        os.utime(path, (1_000_000 + n, 1_000_000 + n))  # k3 used last
    assert summaries.prune(2) == 2
    assert summaries.load("k3.digest") == {"n": 3} and summaries.load("k0.digest") is None
    assert summaries.clear() == 2
    assert cache.clear() == 0  # the score cache's own files only


def test_exports_read_the_stored_themes(isolated_data: Path, counted: list[str]) -> None:
    """The report, the data zip and the instructor's deck take the case's themes from the
    stored summaries (fitted once on the whole case, as on screen), reported on the filtered
    tweets; a second export computes nothing."""
    loaded = _loaded(_rows())
    half = filters.Filters(end=loaded.table["created_at"].iloc[len(loaded.table) // 2])
    report = content.build([loaded], half)
    assert counted == ["language", "themes"]  # the first export computes and stores them
    data_zip = content.data_zip([loaded], half)
    classroom.render([loaded])
    assert counted == ["language", "themes"]  # then every export reads them
    found = report.cases[0].themes
    assert found is not None
    stored = pipeline.summaries(loaded).fitted()
    expected = themes.report(filters.apply(loaded.table, half), stored, launch=loaded.case.launch)
    assert [r.name for r in found.rows] == list(expected.themes["name"])
    with zipfile.ZipFile(io.BytesIO(data_zip)) as archive:
        exported = pd.read_csv(archive.open(data.THEMES_CSV))
    totals = exported[exported["bin_start"].isna()].set_index("name")["theme_tweets"]
    assert totals.to_dict() == expected.themes.set_index("name")["tweets"].to_dict()
