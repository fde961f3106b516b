"""Scoring a tweet table: sentiment and brand hostility for every row, fast on a million.

``score(table)`` returns the canonical table plus ``schema.SCORE_COLUMNS``. Speed comes from
three things: a retweet is scored as its original text (the ``RT @x: `` prefix is dropped),
each unique text is scored once and its scores broadcast back to every row, and large
batches of unique texts are split into chunks scored by worker processes on every core.
The settings used (threshold, cue terms, sentiment thresholds, model provenance) are
recorded in ``result.attrs["scoring"]``.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import math
import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Final

import numpy as np
import pandas as pd

from analysis import ANALYSIS_VERSION, schema
from analysis.errors import BackfireError
from analysis.nlp import features, hostility, sentiment, sentiment_model

# Below this many unique texts, starting worker processes (~1 s) costs more than it saves.
PARALLEL_MIN_TEXTS: Final = 20_000
# Most texts per task sent to a worker: large enough to amortise pickling and the fixed cost of
# a pass, small enough to keep the n-gram buffers in cache. A batch is cut into a multiple of
# the worker count of equal chunks, so that no core waits on a last odd chunk.
CHUNK_TEXTS: Final = 2_500
# Worker processes start from a clean fork server (not a fork of a big, threaded parent such
# as Streamlit) with the scoring modules imported and every weight loaded (nlp/preload.py).
START_METHOD: Final = "forkserver"
PRELOAD: Final = ["analysis.nlp.preload"]


def default_workers() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def scoring_texts(text: pd.Series) -> pd.Series:
    """The text each row is scored on: the original's text for a retweet, ``""`` if missing."""
    return schema.original_texts(text.astype("string").fillna(""))


def feature_matrix(texts: Sequence[str], cue_terms: Sequence[str] = (),
                   workers: int | None = None) -> np.ndarray:
    """``features.matrix`` for many texts, in parallel chunks when it pays off."""
    texts = list(texts)
    workers = default_workers() if workers is None else max(1, workers)
    if workers == 1 or len(texts) < PARALLEL_MIN_TEXTS:
        return _chunked(texts, tuple(cue_terms))
    chunks = balanced_chunks(texts, workers)
    cues = [tuple(cue_terms)] * len(chunks)
    try:
        with _main_script_hidden():
            parts = list(_pool(workers).map(features.matrix, chunks, cues))
    except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh once
        _pool.cache_clear()
        with _main_script_hidden():
            parts = list(_pool(workers).map(features.matrix, chunks, cues))
    return np.vstack(parts) if parts else features.matrix([], cue_terms)


def balanced_chunks(texts: list[str], workers: int) -> list[list[str]]:
    """A multiple of ``workers`` chunks of equal size (± 1), none above ``CHUNK_TEXTS``."""
    count = max(1, math.ceil(len(texts) / CHUNK_TEXTS / workers)) * workers
    bounds = np.linspace(0, len(texts), count + 1).round().astype(int)
    return [texts[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def start_workers(workers: int | None = None) -> None:
    """Start the worker pool now (the app can do it while the user reads the first screen)."""
    workers = default_workers() if workers is None else max(1, workers)
    if workers > 1:
        pool = _pool(workers)
        with _main_script_hidden():
            started = [pool.submit(os.getpid) for _ in range(workers)]
        for future in started:
            future.result()


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Start workers without the parent's main script. multiprocessing runs the ``__main__``
    file again in every new worker; under Streamlit that is the app itself (Streamlit makes the
    running page ``__main__``), under an AppTest a temporary script, under ``python -`` a file
    that does not exist (the worker dies). The workers need only what the fork server preloads.
    A ``python -m`` main is imported by name instead, which is safe, so it is left alone."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main.__spec__, "name", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


@functools.cache
def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per worker count, started on first use and kept for the process's life: the
    workers (forked from the preloaded fork server) start once, not on every ``score()``."""
    context = multiprocessing.get_context(START_METHOD)
    context.set_forkserver_preload(PRELOAD)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    atexit.register(pool.shutdown, wait=False, cancel_futures=True)
    return pool


def _chunked(texts: list[str], cue_terms: tuple[str, ...]) -> np.ndarray:
    """One process, ``CHUNK_TEXTS`` at a time: the n-gram buffers stay small."""
    if len(texts) <= CHUNK_TEXTS:
        return features.matrix(texts, cue_terms)
    return np.vstack([features.matrix(texts[i:i + CHUNK_TEXTS], cue_terms)
                      for i in range(0, len(texts), CHUNK_TEXTS)])


def score(table: pd.DataFrame, *, cue_terms: Sequence[str] = (), threshold: float | None = None,
          workers: int | None = None) -> pd.DataFrame:
    """``table`` plus ``schema.SCORE_COLUMNS``; settings recorded in ``attrs["scoring"]``.

    ``threshold`` (default: the one chosen on TweetEval val) decides ``hostile``;
    ``cue_terms`` are the case's target terms (they raise the hostility of negative tweets
    naming them and of lexically positive questions about them).
    """
    fitted = hostility.model()
    cut = fitted.threshold if threshold is None else float(threshold)
    if not 0.0 <= cut <= 1.0:
        raise BackfireError(f"hostility threshold must be between 0 and 1, got {cut}")
    codes, uniques = pd.factorize(scoring_texts(table["text"]), use_na_sentinel=False)
    # one C-level conversion (iterating the Arrow-backed index costs ~3 µs a text)
    matrix = feature_matrix(uniques.to_numpy(dtype=object).tolist(), cue_terms, workers)
    prob = fitted.probabilities(matrix) if len(uniques) else np.zeros(0)
    cuts = sentiment.thresholds()
    labeller = sentiment_model.model()
    inputs = matrix[:, [features.column(name) for name in sentiment_model.INPUTS]]
    labels = labeller.labels(inputs).array if len(uniques) else pd.array([], "string")
    columns: dict[str, Any] = {
        name: matrix[codes, features.column(name)] if len(uniques) else np.zeros(0)
        for name in features.POLARITY_COLUMNS
    }
    columns["sentiment"] = labels.take(codes) if len(uniques) else labels
    columns["hostile_prob"] = prob[codes] if len(uniques) else prob
    columns["hostile"] = columns["hostile_prob"] >= cut
    out = table.assign(**{name: pd.Series(columns[name], index=table.index).astype(dtype)
                          for name, dtype in schema.SCORE_COLUMNS.items()})
    out.attrs["scoring"] = settings(cue_terms, cut, cuts, fitted, unique_texts=len(uniques))
    out.attrs["scoring"]["sentiment_model"] = labeller.provenance
    return out


def settings(cue_terms: Sequence[str], threshold: float, cuts: tuple[float, float],
             fitted: hostility.Model, *, unique_texts: int) -> dict[str, Any]:
    """What produced the scores, kept with them (and in exports)."""
    return {
        "threshold": threshold,
        "default_threshold": fitted.threshold,
        "cue_terms": [str(term) for term in cue_terms],
        "sentiment_thresholds": {"negative_at_most": cuts[0], "positive_at_least": cuts[1]},
        "model": fitted.provenance,
        "analysis_version": ANALYSIS_VERSION,
        "unique_texts": unique_texts,
    }
