"""The sentiment model the app labels with: VADER plus a valence learnt from human ratings.

Two stages:

1. ``valence``: a ridge regression predicting the mean human valence rating (−4…+4) of a
   tweet from hashed word and byte n-grams and VADER's four scores. Fitted on the 4,200
   human-rated tweets of Hutto & Gilbert (ICWSM 2014), which ship in vaderSentiment's source
   distribution (MIT); only bucket weights are stored (``data/models/sentiment.npz``).
2. ``labels``: a 3-class logistic regression (balanced classes) on VADER's four scores, the
   AFINN, Pattern and Emoji Sentiment Ranking scores (``lexicons``) and that valence. Its 33
   numbers are fitted on TweetEval sentiment val (no train split exists); the figure reported
   for val is therefore cross-validated (every tweet predicted by a model not fitted on it).
   The same combiner fitted on the rated tweets alone (no TweetEval tweet) is kept as a
   baseline: measured on val as held-out data it is weaker (docs/methods.md).

Without a stored model, labels fall back to cuts on VADER's compound (``sentiment.labels``).
VADER's compound stays in every scored table as the classic reference.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from analysis.nlp import lexicons, ngrams, scoring_model, sentiment
from analysis.store import paths

NGRAM_FILE: Final = paths.PROJECT_ROOT / "data" / "models" / "sentiment.npz"
# The classifier's inputs, in order: VADER's four scores, the other lexicons, the learnt valence.
INPUTS: Final = ("compound", "pos", "neg", "neu", *lexicons.COLUMNS, "valence")
NEUTRAL: Final = sentiment.LABELS.index("neutral")


@dataclass(frozen=True)
class Model:
    ngram_weights: ngrams.BlockWeights | None
    valence_weights: np.ndarray   # on VADER's four scores (raw scale)
    valence_intercept: float
    coef: np.ndarray              # (3 classes, len(INPUTS)), raw scale
    intercept: np.ndarray         # (3,)
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def fitted(self) -> bool:
        return self.coef.size > 0

    def valence(self, polarity: np.ndarray, found: dict[str, ngrams.Occurrences]) -> np.ndarray:
        """Predicted human valence rating per text (0 without a fitted model)."""
        if not self.fitted or self.ngram_weights is None:
            return np.zeros(len(polarity))
        return np.asarray(self.valence_intercept + polarity @ self.valence_weights
                          + self.ngram_weights.score(found), dtype=np.float64)

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """``(n, 3)`` negative, neutral, positive probabilities from ``INPUTS`` columns."""
        logits = inputs @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return np.asarray(odds / odds.sum(axis=1, keepdims=True), dtype=np.float64)

    def labels(self, inputs: np.ndarray) -> pd.Series:
        """``negative`` / ``neutral`` / ``positive`` per row of ``INPUTS`` columns."""
        if not self.fitted:
            return sentiment.labels(inputs[:, 0])
        codes = np.argmax(self.probabilities(inputs), axis=1) if len(inputs) else np.zeros(0, int)
        # A text without a single word (empty, or only one-letter tokens) is neutral.
        codes = np.where(np.all(inputs[:, :4] == 0, axis=1), NEUTRAL, codes)
        return pd.Series(np.asarray(sentiment.LABELS, dtype=object)[codes], dtype="string")

    def to_dict(self) -> dict[str, Any]:
        return {"valence_weights": self.valence_weights.round(6).tolist(),
                "valence_intercept": round(self.valence_intercept, 6),
                "coef": self.coef.round(6).tolist(), "intercept": self.intercept.round(6).tolist(),
                "inputs": list(INPUTS), "provenance": dict(self.provenance)}


UNFITTED: Final = Model(None, np.zeros(4), 0.0, np.zeros((0, len(INPUTS))), np.zeros(0), {"fitted": False})


@functools.cache
def model() -> Model:
    """The stored model, or ``UNFITTED`` (labels by cuts on VADER's compound)."""
    stored = scoring_model.load().get("sentiment_model")
    if not stored or not NGRAM_FILE.is_file():
        return UNFITTED
    return Model(ngrams.BlockWeights.load(NGRAM_FILE), np.asarray(stored["valence_weights"], dtype=np.float64),
                 float(stored["valence_intercept"]), np.asarray(stored["coef"], dtype=np.float64),
                 np.asarray(stored["intercept"], dtype=np.float64), dict(stored.get("provenance", {})))
