"""score(): canonical table + SCORE_COLUMNS, retweets as originals, unique texts once, settings kept."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import schema
from analysis.errors import BackfireError
from analysis.nlp import features, hostility, scoring

TEXTS = [
    "Loving the new #myNYPD photos with officers 😍",
    "RT @someone: Loving the new #myNYPD photos with officers 😍",
    "#myNYPD here is the brutality nobody tweets about, disgusting",
    "#myNYPD here is the brutality nobody tweets about, disgusting",
    "you are all fucking pigs #myNYPD",
    "Can I have my dignity back? #myNYPD",
    "",
]


def make_table(texts: list[str]) -> pd.DataFrame:
    raw = pd.DataFrame({
        "id": [str(1000 + i) for i in range(len(texts))],
        "created_at": pd.Timestamp("2014-04-22 18:00", tz="UTC"),
        "text": texts,
        "author": [f"user{i}" for i in range(len(texts))],
        "is_retweet": [t.startswith("RT @") for t in texts],
    })
    return schema.conform(raw)


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    return scoring.score(make_table(TEXTS), cue_terms=["brutality"], workers=1)


def test_adds_score_columns_with_canonical_dtypes(scored: pd.DataFrame) -> None:
    assert list(scored.columns) == [*schema.COLUMNS, *schema.SCORE_COLUMNS]
    for name, dtype in schema.SCORE_COLUMNS.items():
        assert str(scored[name].dtype) == dtype
    assert set(scored["sentiment"]) <= {"negative", "neutral", "positive"}
    assert scored["hostile_prob"].between(0, 1).all()


def test_retweet_scores_as_its_original(scored: pd.DataFrame) -> None:
    original, retweet = scored.iloc[0], scored.iloc[1]
    for name in schema.SCORE_COLUMNS:
        assert original[name] == retweet[name]


def test_unique_text_scoring_equals_per_row_scoring(scored: pd.DataFrame) -> None:
    texts = scoring.scoring_texts(make_table(TEXTS)["text"]).tolist()
    per_row = np.vstack([features.matrix([t], ["brutality"]) for t in texts])
    assert scored["compound"].to_numpy() == pytest.approx(per_row[:, 0])
    assert scored["hostile_prob"].to_numpy() == pytest.approx(hostility.model().probabilities(per_row))
    assert scored.attrs["scoring"]["unique_texts"] == len(set(texts))


def test_settings_are_recorded(scored: pd.DataFrame) -> None:
    settings = scored.attrs["scoring"]
    assert settings["cue_terms"] == ["brutality"]
    assert settings["threshold"] == hostility.model().threshold
    assert settings["model"]["fitted_on"]
    assert set(settings["sentiment_thresholds"]) == {"negative_at_most", "positive_at_least"}


@pytest.mark.parametrize("threshold", [0.0, 0.2, 0.5, 0.8])
def test_threshold_decides_hostile_and_is_recorded(threshold: float) -> None:
    result = scoring.score(make_table(TEXTS), threshold=threshold, workers=1)
    assert result.attrs["scoring"]["threshold"] == threshold
    assert (result["hostile"] == (result["hostile_prob"] >= threshold)).all()


def test_threshold_out_of_range_is_a_clear_error() -> None:
    with pytest.raises(BackfireError, match="between 0 and 1"):
        scoring.score(make_table(TEXTS), threshold=1.5)


def test_cue_terms_change_the_result() -> None:
    table = make_table(TEXTS)
    plain = scoring.score(table, workers=1)
    cued = scoring.score(table, cue_terms=["brutality"], workers=1)
    row = 2
    assert cued.loc[row, "hostile_prob"] > plain.loc[row, "hostile_prob"]
    assert plain.attrs["scoring"]["cue_terms"] == []


@pytest.mark.slow
def test_worker_processes_give_the_same_scores(monkeypatch: pytest.MonkeyPatch, scored: pd.DataFrame) -> None:
    monkeypatch.setattr(scoring, "PARALLEL_MIN_TEXTS", 1)
    monkeypatch.setattr(scoring, "CHUNK_TEXTS", 2)
    parallel = scoring.score(make_table(TEXTS), cue_terms=["brutality"], workers=2)
    pd.testing.assert_frame_equal(parallel, scored)


def test_empty_table() -> None:
    result = scoring.score(schema.empty())
    assert len(result) == 0
    assert list(result.columns) == [*schema.COLUMNS, *schema.SCORE_COLUMNS]


def test_input_table_is_not_modified() -> None:
    table = make_table(TEXTS)
    scoring.score(table, workers=1)
    assert list(table.columns) == list(schema.COLUMNS)


@pytest.mark.parametrize(("n", "workers"), [(1, 2), (5_001, 2), (40_632, 2), (12_345, 3), (2_500, 1)])
def test_chunks_are_equal_in_a_multiple_of_the_workers(n: int, workers: int) -> None:
    texts = [str(i) for i in range(n)]
    chunks = scoring.balanced_chunks(texts, workers)
    assert [t for chunk in chunks for t in chunk] == texts
    sizes = [len(chunk) for chunk in chunks]
    assert max(sizes) <= scoring.CHUNK_TEXTS and max(sizes) - min(sizes) <= 1
    assert n < workers or len(chunks) % workers == 0


@pytest.mark.slow
def test_the_worker_pool_is_started_once_and_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "PARALLEL_MIN_TEXTS", 1)
    scoring.start_workers(2)
    pool = scoring._pool(2)
    workers = set(pool._processes)  # the executor's own pid -> process table
    assert len(workers) == 2 and os.getpid() not in workers
    for _ in range(2):
        scoring.score(make_table(TEXTS), workers=2)
    assert scoring._pool(2) is pool and set(pool._processes) == workers


def test_workers_never_run_the_parents_main_script(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Under Streamlit (or an AppTest, or ``python -``) ``__main__`` is a script that must not
    run again in each scoring worker: here one that leaves a mark, and a missing one."""
    mark = tmp_path / "ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(mark)!r}, 'w').close()\n")
    for path in (script, tmp_path / "<stdin>"):
        fake = types.ModuleType("__main__")
        fake.__file__ = str(path)
        monkeypatch.setitem(sys.modules, "__main__", fake)
        scoring._pool.cache_clear()
        try:
            scoring.start_workers(2)
            texts = [f"text number {i} is #fine" for i in range(scoring.PARALLEL_MIN_TEXTS)]
            matrix = scoring.feature_matrix(texts, workers=2)
        finally:
            scoring._pool(2).shutdown(wait=True)
            scoring._pool.cache_clear()
        assert matrix.shape[0] == len(texts)
        assert fake.__file__ == str(path)  # put back
        assert not mark.exists()
