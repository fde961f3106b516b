"""alt-profanity-check's model, evaluated on the shared tokens instead of its own vectoriser.

The package ships a TF-IDF vectoriser (unigrams, ``\\w\\w+``, lower case, l2 norm) and five
calibrated linear SVMs. Its probability is linear algebra over the text's known words, so it
is computed here from ``vader.Tokens`` (each token split into its ``\\w`` runs, which is what
the package's ``\\b\\w\\w+\\b`` finds in the text): one tokenisation for the whole scoring
pass. Its weights are read from the installed package, never copied.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis.nlp.vader import Tokens, lookup

# Python's ``\w`` (letters, numbers, underscore) in RE2 syntax: a non-word run splits a token.
NON_WORD: Final = r"[^\p{L}\p{N}_]+"
# A term weight above this in the averaged SVM marks a strongly offensive word (about the top
# 1.5 % of its 15k-word vocabulary).
OFFENSIVE_TERM_WEIGHT: Final = 1.0
# Counts are capped: a third swear word says little more than the second.
COUNT_CAP: Final = 3


@dataclass(frozen=True)
class Weights:
    terms: pa.Array         # vocabulary, ordered by column
    idf: np.ndarray
    coef: np.ndarray        # (classifiers, terms)
    intercept: np.ndarray   # (classifiers,)
    slope: np.ndarray       # sigmoid calibration a, per classifier
    offset: np.ndarray      # sigmoid calibration b, per classifier
    term_weight: np.ndarray  # mean SVM weight per term


@functools.cache
def weights() -> Weights:
    """The package's fitted vectoriser and classifiers, as arrays."""
    # Imported on first use: loading alt-profanity-check unpickles its models (about 1 s),
    # which pages that never score should not pay.
    from profanity_check import profanity_check as package

    vocabulary = package.vectorizer.vocabulary_
    terms = [""] * len(vocabulary)
    for term, column in vocabulary.items():
        terms[column] = term
    calibrated = package.model.calibrated_classifiers_
    coef = np.vstack([c.estimator.coef_[0] for c in calibrated])
    return Weights(
        terms=pa.array(terms, type=pa.large_string()),
        idf=np.asarray(package.vectorizer.idf_, dtype=np.float64),
        coef=coef,
        intercept=np.array([float(c.estimator.intercept_[0]) for c in calibrated]),
        slope=np.array([float(c.calibrators[0].a_) for c in calibrated]),
        offset=np.array([float(c.calibrators[0].b_) for c in calibrated]),
        term_weight=coef.mean(axis=0),
    )


def features(tokens: Tokens) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per text: the package's probability, the largest term weight among its words (≥ 0),
    and the number of strongly offensive words (capped)."""
    model = weights()
    n = len(tokens.counts)
    pieces = pc.split_pattern_regex(tokens.lower, NON_WORD)
    lengths = np.asarray(pc.list_value_length(pieces).to_numpy(zero_copy_only=False), dtype=np.int64)
    flat = pieces.flatten()
    doc = np.repeat(tokens.doc, lengths)
    term = lookup(flat, model.terms)
    known = term >= 0
    size = len(model.idf)
    key, count = np.unique(doc[known] * size + term[known], return_counts=True)
    doc, term = key // size, key % size
    tfidf = count * model.idf[term]
    norm = np.sqrt(np.bincount(doc, weights=tfidf * tfidf, minlength=n))
    x = tfidf / np.where(norm > 0, norm, 1.0)[doc]
    probability = np.zeros(n)
    for k in range(len(model.intercept)):
        decision = np.bincount(doc, weights=x * model.coef[k, term], minlength=n) + model.intercept[k]
        probability += 1.0 / (1.0 + np.exp(model.slope[k] * decision + model.offset[k]))
    probability /= len(model.intercept)
    strongest = np.zeros(n)
    np.maximum.at(strongest, doc, model.term_weight[term])
    strong = np.bincount(doc, weights=model.term_weight[term] > OFFENSIVE_TERM_WEIGHT, minlength=n)
    return probability, strongest, np.minimum(strong, COUNT_CAP)
