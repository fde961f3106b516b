"""Fitting the shipped models: ``python -m analysis evaluate --fit``.

- Hostility: one logistic regression on hashed word and byte n-grams (tf-idf, idf from
  train) and the generic features (standardised, × ``EXT_SCALE``), fitted on TweetEval
  offensive *train*; the threshold maximises macro-F1 of 5-fold out-of-fold probabilities on
  train. Val is never used. The context weights are priors (``hostility.context_prior``).
- Sentiment: a ridge regression of human valence ratings on hashed n-grams and VADER's scores,
  fitted on Hutto & Gilbert's 4,200 rated tweets (from vaderSentiment's sdist, read from a
  path given by the caller and never copied); then a 3-class logistic regression on VADER's
  scores, the other lexicons (AFINN, Pattern, emoji) and that valence, fitted on TweetEval
  sentiment val (no train split exists) and reported by repeated 5-fold cross-validation on
  val. The same combiner fitted on the rated tweets alone (classes cut from the mean rating)
  is stored as a baseline and measured on val as held-out data.

Only weights are written: bucket weights in ``data/models/*.npz``, scalars with provenance in
``data/scoring_model.json``. No benchmark text or vocabulary is stored.
"""

from __future__ import annotations

import html
import platform
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

from analysis.errors import BackfireError
from analysis.nlp import features, hostility, ngrams, scoring_model, sentiment_model
from analysis.nlp.measures import best_threshold, macro_f1, macro_recall

# The generic features enter the joint regression standardised and scaled down, so that the
# n-gram block (hundreds of small tf-idf values) and 10 dense features share one penalty
# (notes/nlp-models.md, row 14).
EXT_SCALE: Final = 0.1
# Inverse regularisation of the logistic regressions (sklearn's default, best in the notes).
C: Final = 1.0
MAX_ITER: Final = 3000
FOLDS: Final = 5
REPEATS: Final = 3
SEED: Final = 12
# Every out-of-fold estimate uses these folds: stratified, shuffled with the fixed seed (the
# sentiment combiner's report on val repeats them). A seeded splitter yields the same folds
# at every call.
SPLITS: Final = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
REPEATED_SPLITS: Final = RepeatedStratifiedKFold(n_splits=FOLDS, n_repeats=REPEATS, random_state=SEED)
# Ridge penalty of the valence regression.
RIDGE_ALPHA: Final = 3.0
# Sentiment classes of the rated tweets: a mean rating (−4…+4) within ±0.5 of 0 rounds to the
# scale's neutral point, so it is neutral; set a priori (never tuned on TweetEval).
NEUTRAL_RATING: Final = 0.5
# Inside vaderSentiment-3.3.2.tar.gz's additional_resources/hutto_ICWSM_2014.tar.gz.
GROUND_TRUTH_MEMBER: Final = "hutto_ICWSM_2014/tweets_GroundTruth.txt"
COMMAND: Final = "python -m analysis evaluate --fit --ground-truth PATH"


class Rated(NamedTuple):
    """Rated tweets as read: their texts and their mean human ratings (−4…+4)."""

    texts: list[str]
    ratings: np.ndarray


def read_ground_truth(path: Path) -> Rated:
    """Hutto & Gilbert's rated tweets: the ``tweets_GroundTruth.txt`` file, or the
    ``hutto_ICWSM_2014.tar.gz`` that holds it (``id<TAB>mean rating<TAB>text``)."""
    if not path.is_file():
        raise BackfireError(f"{path}: not found (pip download --no-deps --no-binary :all: "
                            "vaderSentiment==3.3.2, then point at additional_resources/hutto_ICWSM_2014.tar.gz)")
    if path.name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(path) as archive:
            member = archive.extractfile(GROUND_TRUTH_MEMBER)
            if member is None:
                raise BackfireError(f"{path}: no {GROUND_TRUTH_MEMBER} inside")
            raw = member.read().decode("utf-8", "replace")
    else:
        raw = path.read_text(encoding="utf-8", errors="replace")
    texts, ratings = [], []
    for line in raw.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            texts.append(html.unescape(parts[2]))
            ratings.append(float(parts[1]))
    return Rated(texts, np.asarray(ratings))


def _idf(found: dict[str, ngrams.Occurrences]) -> dict[str, np.ndarray]:
    return {name: ngrams.idf(ngrams.document_frequency(found[name]), found[name].texts) for name in ngrams.BLOCKS}


def _hashed(found: dict[str, ngrams.Occurrences], idf: dict[str, np.ndarray]) -> sp.csr_matrix:
    return sp.hstack([ngrams.matrix(found[name], idf[name]) for name in ngrams.BLOCKS]).tocsr()


def _standardise(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, scale = values.mean(axis=0), values.std(axis=0)
    return mean, np.where(scale > 0, scale, 1.0)


def _block_weights(coef: np.ndarray, idf: dict[str, np.ndarray]) -> ngrams.BlockWeights:
    parts = {name: coef[i * ngrams.SLOTS:(i + 1) * ngrams.SLOTS] for i, name in enumerate(ngrams.BLOCKS)}
    return ngrams.BlockWeights({name: parts[name] * idf[name] for name in ngrams.BLOCKS},
                               {name: idf[name] ** 2 for name in ngrams.BLOCKS})


def _logistic() -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=MAX_ITER)


def _provenance(**items: Any) -> dict[str, Any]:
    return {**items, "date": datetime.now(UTC).strftime("%Y-%m-%d"), "command": COMMAND,
            "machine": f"{platform.machine()}, Python {platform.python_version()}"}


def fit_hostility(texts: list[str], labels: np.ndarray, *, source: str) -> tuple[hostility.Model, dict[str, Any]]:
    """The joint n-gram + feature regression, its cross-validated threshold, the priors."""
    found = features.run(texts)
    idf = _idf(found.found)
    hashed = _hashed(found.found, idf)
    mean, scale = _standardise(found.generic)
    design = sp.hstack([hashed, sp.csr_matrix((found.generic - mean) / scale * EXT_SCALE)]).tocsr()
    y = np.asarray(labels, dtype=int)
    out_of_fold = np.zeros(len(y))
    for fold_train, fold_test in SPLITS.split(design, y):
        fold_model = _logistic().fit(design[fold_train], y[fold_train])
        out_of_fold[fold_test] = fold_model.predict_proba(design[fold_test])[:, 1]
    threshold = best_threshold(y, out_of_fold)
    cross_validated = macro_f1(y, out_of_fold >= threshold)
    regression = _logistic().fit(design, y)
    coef = regression.coef_[0]
    ext = coef[len(ngrams.BLOCKS) * ngrams.SLOTS:] * EXT_SCALE / scale
    intercept = float(regression.intercept_[0] - ext @ mean)
    weights = {name: float(w) for name, w in zip(features.GENERIC, ext, strict=True)}
    weights["ngrams"] = 1.0
    block = _block_weights(coef, idf)
    generic_logits = intercept + found.generic @ ext + block.score(found.found)
    prior = hostility.context_prior(generic_logits[y == 0], threshold)
    weights.update({name: prior for name in hostility.CONTEXT_FEATURES})
    provenance = _provenance(
        fitted_on=f"{source} train split ({len(y)} tweets): one logistic regression (C={C}) on hashed "
                  f"word 1-2-grams and byte {min(ngrams.BYTE_SIZES)}-{max(ngrams.BYTE_SIZES)}-grams "
                  f"(2^{ngrams.BUCKET_BITS} buckets per block, tf-idf) and the generic features",
        threshold_chosen_on=f"{source} train split, {FOLDS}-fold out-of-fold probabilities, max macro-F1 "
                            "(val never used)",
        train_cross_validated_macro_f1=round(cross_validated, 4),
        context_weights=f"prior, not fitted: each cue alone lifts the {hostility.CONTEXT_QUANTILE:.0%} "
                        "most benign harmless train tweet (by generic logit) "
                        f"{hostility.CONTEXT_MARGIN_LOGIT} logit above the threshold",
        ngram_weights=str(hostility.NGRAM_FILE.relative_to(hostility.NGRAM_FILE.parents[2])),
    )
    fitted = hostility.Model({k: round(v, 6) for k, v in weights.items()}, round(intercept, 6),
                             round(threshold, 4), provenance, block)
    return fitted, {"cross_validated_macro_f1": cross_validated, "threshold": threshold,
                    "combiner": fit_combiner(found.generic, y)}


def _valence_design(found: features.Pass, idf: dict[str, np.ndarray],
                    mean: np.ndarray, scale: np.ndarray) -> sp.csr_matrix:
    return sp.hstack([_hashed(found.found, idf), sp.csr_matrix((found.polarity - mean) / scale)]).tocsr()


def rating_classes(ratings: np.ndarray) -> np.ndarray:
    """0 negative, 1 neutral, 2 positive: a mean rating within ``NEUTRAL_RATING`` of 0 is neutral."""
    return np.digitize(ratings, [-NEUTRAL_RATING, NEUTRAL_RATING])


def fit_valence(rated: Rated, found: features.Pass | None = None) -> tuple[ngrams.BlockWeights, np.ndarray, float, np.ndarray]:
    """Ridge regression of human valence on hashed n-grams and VADER's four scores; also its
    5-fold out-of-fold predictions on the rated tweets (each from a model not fitted on it)."""
    found = found if found is not None else features.run(rated.texts)
    idf = _idf(found.found)
    mean, scale = _standardise(found.polarity)
    design = _valence_design(found, idf, mean, scale)
    predicted = np.zeros(len(rated.ratings))
    for fold_train, fold_test in SPLITS.split(design, rating_classes(rated.ratings)):
        fold_model = Ridge(alpha=RIDGE_ALPHA).fit(design[fold_train], rated.ratings[fold_train])
        predicted[fold_test] = fold_model.predict(design[fold_test])
    regression = Ridge(alpha=RIDGE_ALPHA).fit(design, rated.ratings)
    coef = regression.coef_
    ext = coef[len(ngrams.BLOCKS) * ngrams.SLOTS:] / scale
    intercept = float(regression.intercept_ - ext @ mean)
    return _block_weights(coef, idf), ext, intercept, predicted


def _balanced_logistic() -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=MAX_ITER, class_weight="balanced")


def fit_rated_combiner(inputs: np.ndarray, ratings: np.ndarray) -> dict[str, Any]:
    """The 3-class combiner fitted on the rated tweets alone (classes cut from the mean rating,
    valence out-of-fold): no TweetEval tweet involved. Kept as a baseline (``--fit`` stores it)."""
    y = rating_classes(ratings)
    predicted = cross_validated_labels(inputs, y)
    mean, scale = _standardise(inputs)
    final = _balanced_logistic().fit((inputs - mean) / scale, y)
    coef = final.coef_ / scale
    return {"coef": coef.round(6).tolist(), "intercept": (final.intercept_ - coef @ mean).round(6).tolist(),
            "inputs": list(sentiment_model.INPUTS), "classes": np.bincount(y, minlength=3).tolist(),
            "rated_cross_validated_macro_recall": round(float(np.mean([macro_recall(y, row) for row in predicted])), 4),
            "provenance": _provenance(fitted_on=f"Hutto & Gilbert's {len(y)} rated tweets only, classes by mean "
                                                f"rating (neutral within ±{NEUTRAL_RATING}), valence out-of-fold")}


def fit_sentiment(rated: Rated, texts: list[str], labels: np.ndarray, *, source: str) -> tuple[sentiment_model.Model, dict[str, Any]]:
    """Valence from the rated tweets, then the 3-class combiner on ``texts`` (cross-validated);
    also the combiner fitted on the rated tweets alone (``info["rated_only"]``)."""
    rated_pass = features.run(rated.texts)
    block, ext, intercept, out_of_fold = fit_valence(rated, rated_pass)
    rated_only = fit_rated_combiner(np.column_stack([rated_pass.polarity, rated_pass.lexical, out_of_fold]),
                                    rated.ratings)
    draft = sentiment_model.Model(block, ext, intercept, np.zeros((3, len(sentiment_model.INPUTS))), np.zeros(3))
    found = features.run(texts)
    inputs = np.column_stack([found.polarity, found.lexical, draft.valence(found.polarity, found.found)])
    y = np.asarray(labels, dtype=int)
    predicted = cross_validated_labels(inputs, y)
    recalls = [macro_recall(y, row) for row in predicted]
    mean, scale = _standardise(inputs)
    final = _balanced_logistic().fit((inputs - mean) / scale, y)
    coef = final.coef_ / scale
    intercepts = final.intercept_ - coef @ mean
    correlation = float(np.corrcoef(out_of_fold, rated.ratings)[0, 1])
    provenance = _provenance(
        valence_fitted_on=f"Hutto & Gilbert (ICWSM 2014) ground-truth tweets ({len(rated.texts)}, "
                          f"mean human valence), ridge (alpha={RIDGE_ALPHA}) on hashed n-grams and VADER",
        valence_cross_validated_correlation=round(correlation, 4),
        classes_fitted_on=f"{source} ({len(y)} tweets; no train split exists): 3-class logistic "
                          f"regression (balanced) on {', '.join(sentiment_model.INPUTS)}",
        val_figure="cross-validated on val: repeated stratified 5-fold x3, each tweet predicted by a "
                   "model not fitted on it",
        val_cross_validated_macro_recall=round(float(np.mean(recalls)), 4),
        ngram_weights=str(sentiment_model.NGRAM_FILE.relative_to(sentiment_model.NGRAM_FILE.parents[2])),
    )
    fitted = sentiment_model.Model(block, ext, intercept, coef, intercepts, provenance)
    return fitted, {"cross_validated_macro_recall": float(np.mean(recalls)),
                    "cross_validated_predictions": predicted[0], "valence_correlation": correlation,
                    "rated_only": rated_only}


def cross_validated_labels(inputs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``(REPEATS, n)`` labels, each predicted by a 3-class combiner fitted without it
    (repeated stratified 5-fold); the model is fitted on standardised inputs."""
    y = np.asarray(labels, dtype=int)
    predicted = np.zeros((REPEATS, len(y)), dtype=int)
    for index, (fold_train, fold_test) in enumerate(REPEATED_SPLITS.split(inputs, y)):
        mean, scale = _standardise(inputs[fold_train])
        fold_model = _balanced_logistic()
        fold_model.fit((inputs[fold_train] - mean) / scale, y[fold_train])
        predicted[index // FOLDS, fold_test] = fold_model.predict((inputs[fold_test] - mean) / scale)
    return predicted


def fit_combiner(generic: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """The previous hostility model, for comparison: a logistic regression on the generic
    features alone (no n-grams), threshold by 5-fold cross-validation on train."""
    y = np.asarray(labels, dtype=int)
    mean, scale = _standardise(generic)
    standard = (generic - mean) / scale
    out_of_fold = np.zeros(len(y))
    for fold_train, fold_test in SPLITS.split(standard, y):
        fold_model = LogisticRegression(max_iter=MAX_ITER).fit(standard[fold_train], y[fold_train])
        out_of_fold[fold_test] = fold_model.predict_proba(standard[fold_test])[:, 1]
    threshold = best_threshold(y, out_of_fold)
    regression = LogisticRegression(max_iter=MAX_ITER).fit(standard, y)
    raw = regression.coef_[0] / scale
    return {"weights": {name: round(float(w), 6) for name, w in zip(features.GENERIC, raw, strict=True)},
            "intercept": round(float(regression.intercept_[0] - raw @ mean), 6), "threshold": threshold,
            "provenance": _provenance(fitted_on="TweetEval offensive train: logistic regression on the "
                                                "generic features only (the combiner before issue 12)",
                                      threshold_chosen_on="5-fold out-of-fold on train")}


def save(hostile: hostility.Model, senti: sentiment_model.Model, cuts: dict[str, Any],
         combiner: dict[str, Any], rated_only: dict[str, Any] | None = None) -> None:
    """Write both models (bucket weights first, then the JSON that points at them)."""
    if hostile.ngram_weights is not None:
        hostile.ngram_weights.save(hostility.NGRAM_FILE)
    if senti.ngram_weights is not None:
        senti.ngram_weights.save(sentiment_model.NGRAM_FILE)
    scoring_model.save({"hostility": hostile.to_dict(), "sentiment_model": senti.to_dict(), "sentiment": cuts,
                        "baselines": {"hostility_combiner": combiner,
                                      **({"sentiment_rated_only": rated_only} if rated_only else {})}})
    hostility.model.cache_clear()
    sentiment_model.model.cache_clear()
