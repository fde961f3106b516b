"""Measures of agreement with human labels, and the threshold searches built on them.

Plain numpy (confusion counts), so that grid searches and bootstrap intervals stay fast and
every module that fits or evaluates a model (``hostility``, ``sentiment_model``,
``evaluation``) can import them without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import numpy as np

# Threshold grid for choosing a binary decision threshold on probabilities.
THRESHOLD_GRID: Final = np.round(np.arange(0.05, 0.951, 0.01), 2)
# Grid for the sentiment label thresholds on VADER's compound (negative at most, positive at least).
SENTIMENT_GRID: Final = np.round(np.arange(-0.6, 0.61, 0.05), 2)
# Hutto & Gilbert's standard label thresholds on the compound score.
STANDARD_SENTIMENT_CUTS: Final = (-0.05, 0.05)
# Bootstrap: resamples and the two-sided level of the percentile interval.
BOOTSTRAP_RESAMPLES: Final = 1000
CONFIDENCE: Final = 0.95
# Fixed seed: the same data always gives the same interval (reproducible docs).
BOOTSTRAP_SEED: Final = 12

Labels = Sequence[int] | Sequence[bool] | np.ndarray
Metric = Callable[[np.ndarray, np.ndarray], float]


def _per_class(truth: Labels, predicted: Labels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True positives, predicted counts and true counts for every class seen in either."""
    t, p = np.asarray(truth).astype(int), np.asarray(predicted).astype(int)
    classes = np.union1d(t, p)
    tp = np.array([np.sum((t == c) & (p == c)) for c in classes], dtype=float)
    predicted_n = np.array([np.sum(p == c) for c in classes], dtype=float)
    true_n = np.array([np.sum(t == c) for c in classes], dtype=float)
    return tp, predicted_n, true_n


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0 (sklearn's zero_division=0)."""
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def macro_f1(truth: Labels, predicted: Labels) -> float:
    """Unweighted mean of the per-class F1 over every class in truth or predictions."""
    tp, predicted_n, true_n = _per_class(truth, predicted)
    return float(np.mean(_ratio(2 * tp, predicted_n + true_n))) if tp.size else 0.0


def macro_recall(truth: Labels, predicted: Labels) -> float:
    """Unweighted mean of the per-class recall (TweetEval's sentiment metric)."""
    tp, _, true_n = _per_class(truth, predicted)
    return float(np.mean(_ratio(tp, true_n))) if tp.size else 0.0


def binary_scores(truth: Labels, predicted: Labels) -> dict[str, float]:
    """F1, precision and recall of the positive class, and macro-F1."""
    t, p = np.asarray(truth).astype(int), np.asarray(predicted).astype(int)
    tp = float(np.sum((t == 1) & (p == 1)))
    predicted_n, true_n = float(np.sum(p == 1)), float(np.sum(t == 1))
    return {
        "f1": 2 * tp / (predicted_n + true_n) if predicted_n + true_n else 0.0,
        "precision": tp / predicted_n if predicted_n else 0.0,
        "recall": tp / true_n if true_n else 0.0,
        "macro_f1": macro_f1(t, p),
    }


def best_threshold(truth: Labels, probabilities: np.ndarray) -> float:
    """The grid threshold with the highest macro-F1 (ties: the lowest)."""
    scores = [macro_f1(truth, probabilities >= cut) for cut in THRESHOLD_GRID]
    return float(THRESHOLD_GRID[int(np.argmax(scores))])


def sentiment_codes(compound: np.ndarray, cuts: tuple[float, float]) -> np.ndarray:
    """0 negative (at most the first cut), 2 positive (at least the second), else 1."""
    return np.where(compound >= cuts[1], 2, np.where(compound <= cuts[0], 0, 1))


def best_sentiment_thresholds(truth: Labels, compound: np.ndarray) -> tuple[float, float]:
    """The (negative at most, positive at least) pair with the highest macro recall."""
    best, pair = -1.0, STANDARD_SENTIMENT_CUTS
    for low in SENTIMENT_GRID:
        for high in SENTIMENT_GRID[np.greater(SENTIMENT_GRID, low)]:
            cuts = (float(low), float(high))
            value = macro_recall(truth, sentiment_codes(compound, cuts))
            if value > best:
                best, pair = value, cuts
    return pair


def bootstrap_interval(truth: Labels, predicted: Labels, metric: Metric,
                       resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """Percentile bootstrap ``CONFIDENCE`` interval of ``metric`` (tweets resampled with replacement)."""
    t, p = np.asarray(truth).astype(int), np.asarray(predicted).astype(int)
    if t.size == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, t.size, size=(resamples, t.size))
    values = np.array([metric(t[rows], p[rows]) for rows in draws])
    tail = (1 - CONFIDENCE) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)
