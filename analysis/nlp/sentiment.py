"""Sentiment: VADER's four scores (vectorised, equal to NLTK's) and the sentiment labels.

Scores come from ``analysis.nlp.vader`` over whole batches, on texts whose emoji were read as
words (``lexicon.demojize``). Labels come from the fitted sentiment model
(``analysis.nlp.sentiment_model``) when one is stored, else from cuts on VADER's compound.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, NamedTuple

import numpy as np
import pandas as pd

from analysis.nlp import lexicon, scoring_model, vader

# Hutto & Gilbert's standard label thresholds on the compound score.
STANDARD_THRESHOLDS: Final = (-0.05, 0.05)
LABELS: Final = ("negative", "neutral", "positive")


class Polarity(NamedTuple):
    compound: float
    pos: float
    neg: float
    neu: float


def polarity(text: str) -> Polarity:
    """VADER's four scores for one text (emoji read as words)."""
    return Polarity(*(float(value) for value in polarities([text])[0]))


def polarities(texts: Iterable[str]) -> np.ndarray:
    """An ``(n, 4)`` float array of compound, pos, neg, neu, one row per text (emoji read as
    words), equal to NLTK's ``polarity_scores`` (see ``analysis.nlp.vader``)."""
    return vader.scores([lexicon.demojize(text) for text in texts])


def thresholds() -> tuple[float, float]:
    """The label thresholds: negative at or below the first, positive at or above the second.

    Chosen on the TweetEval sentiment validation split and stored with their provenance in
    ``data/scoring_model.json``; the standard ±0.05 if that file does not set them.
    """
    sentiment = scoring_model.load().get("sentiment", {})
    return (float(sentiment.get("negative_at_most", STANDARD_THRESHOLDS[0])),
            float(sentiment.get("positive_at_least", STANDARD_THRESHOLDS[1])))


def labels(compound: Sequence[float] | np.ndarray, cuts: tuple[float, float] | None = None) -> pd.Series:
    """``negative`` / ``neutral`` / ``positive`` from compound scores."""
    negative_at_most, positive_at_least = cuts if cuts is not None else thresholds()
    values = np.asarray(compound, dtype="float64")
    index = np.where(values >= positive_at_least, 2, np.where(values <= negative_at_most, 0, 1))
    return pd.Series(np.asarray(LABELS, dtype=object)[index], dtype="string")
