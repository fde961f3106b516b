"""Brand hostility: the probability that a tweet attacks the brand or its campaign.

Hostility is not negative mood. A tweet is hostile when it accuses, mocks (sarcasm included),
insults or swears at its target. The probability is a logistic combination of a handful of
signals, each a column of ``features``:

- generic offensiveness, fitted on TweetEval *offensive* (train split; threshold on val):
  ``alt-profanity-check`` (a linear model shipped with its weights on PyPI), the strongest
  offensive term it knows in the tweet, VADER's scores, the most negative VADER lexicon word,
  whether the tweet addresses someone ("you"), and shouting;
- campaign context, which no public benchmark labels: a case's target terms (``cue_terms``,
  e.g. foreclosure, bailout, brutality: in a hijacked campaign, naming the scandal is the
  accusation), sarcasm cues of Q&A hijacks (praise about the targets, lexically positive
  questions, scare quotes, "great time to…", "can I have my … back", "nailed it", 👏) and
  mockery cues (laughter and derision: lol, 😂, "epic fail", "good luck with that"). Their
  weights are priors set by a stated rule (``fit``), not fitted.

Only the scalar weights are stored (``data/scoring_model.json``), with their provenance.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.nlp import lexicon, scoring_model, sentiment
from analysis.nlp.measures import best_threshold

# VADER's four scores come first in every feature matrix.
POLARITY_COLUMNS: Final = ("compound", "pos", "neg", "neu")
# Generic signals, weighted by a logistic regression fitted on TweetEval offensive (train).
GENERIC_FEATURES: Final[dict[str, str]] = {
    "profanity_logit": "alt-profanity-check probability, as a logit",
    "offensive_term_max": "largest alt-profanity-check term weight among the tweet's words",
    "offensive_terms": "number of words with a strongly offensive term weight (capped)",
    "compound": "VADER compound",
    "pos": "VADER positive share",
    "neg": "VADER negative share",
    "lexicon_min": "valence of the tweet's most negative VADER lexicon word",
    "second_person": "addresses someone: you, your, u, ur…",
    "shouting": "share of upper-case letters",
}
# Campaign-context signals: weights are priors (see ``context_weight``), not fitted.
CONTEXT_FEATURES: Final[dict[str, str]] = {
    "target": "names one of the case's target terms (cue terms)",
    "sarcasm": "a sarcasm or irony cue, or praise/positive question about a target term",
    "mockery": "a laughter or derision cue",
    "condemnation": "an anger emoji or a word of condemnation (shameful, disgrace…)",
}
FEATURES: Final = (*GENERIC_FEATURES, *CONTEXT_FEATURES)

# Probabilities are clipped before the logit so that 0 and 1 stay finite.
PROBABILITY_FLOOR: Final = 1e-3
# A term weight above this in alt-profanity-check's SVM marks a strongly offensive word
# (about the top 1.5% of its 15k-word vocabulary).
OFFENSIVE_TERM_WEIGHT: Final = 1.0
# Counts are capped: a third swear word says little more than the second.
COUNT_CAP: Final = 3
# Prior rule for the context weights: a cue alone lifts this quantile of harmless training
# tweets (ordered by generic logit, most benign first) this many logit units above the
# threshold. 0.1: even clearly positive praise turns hostile when it carries a sarcasm cue.
CONTEXT_QUANTILE: Final = 0.1
CONTEXT_MARGIN_LOGIT: Final = 0.5
# Default threshold when no fitted model is stored (the fitted one is chosen on TweetEval val).
DEFAULT_THRESHOLD: Final = 0.5

SECOND_PERSON: Final = re.compile(r"\b(?:you|your|yours|you're|youre|yourself|u|ur|ya)\b", re.I)
# Praise words that, in a question about the brand's own failings, read as mockery.
PRAISE: Final = ("great", "love", "favorite", "favourite", "best", "proud", "wonderful",
                 "amazing", "awesome", "thanks", "thank", "congrats", "excited", "fun", "enjoy")
PRAISE_WORD: Final = re.compile(r"\b(?:" + "|".join(PRAISE) + r")\w*", re.I)
# Sarcasm and irony cues typical of hijacked Q&A hashtags, as data: name -> pattern. Common
# markers of written irony (interjection before praise, mock applause, "love how…"), not
# phrases of any dataset.
SARCASM_CUES: Final[dict[str, re.Pattern[str]]] = {
    "scare_quotes": re.compile(r"[\"“]\s*\w+(?:\s+\w+){0,2}\s*[\"”]"),
    "great_time_to": re.compile(r"\b(?:great|perfect|good|best|nice)\s+(?:time|day|moment|way)\s+to\b", re.I),
    "give_it_back": re.compile(r"\bcan\s+(?:i|we)\s+(?:have|get)\s+(?:my|our)\b.{1,60}?\bback\b", re.I),
    "how_does_it_feel": re.compile(r"\bhow\s+(?:does|did|do)\s+(?:it|you)\s+feel\b|\bwhat(?:'s| is)\s+it\s+like\s+to\b", re.I),
    "marked_irony": re.compile(r"#(?:not|sarcasm|irony)\b|\byeah,?\s+right\b|\bsaid\s+no\s+one\b|\bwhat\s+could\s+(?:possibly\s+)?go\s+wrong\b|\bwho\s+knew\b|\bnothing\s+says\b", re.I),
    "best_ever": re.compile(r"\b(?:best|greatest)\W+\w+\W+ever\b|\bthanks?\s+(?:a lot|for nothing)\b", re.I),
    "mock_praise": re.compile(r"\b(?:nailed\s+it|bravo|genius|slow\s+clap|well\s+played|good\s+job|gold\s+star|so\s+(?:inspiring|refreshing|brave))\b", re.I),
    "interjection_praise": re.compile(r"^\W*(?:oh\s+(?:wow|good|great|joy|look)|aww+|yay|how\s+(?:lovely|nice|sweet|wonderful))\b", re.I),
    "love_how": re.compile(r"\b(?:love|loving|adore)\s+how\b|\bso\s+glad\s+(?:that\s+)?(?:you|they)\b", re.I),
    "mock_applause": re.compile("[\U0001F644\U0001F612\U0001F44F]"),
}
# Laughter and derision: in a hijacked campaign, laughing at it is mockery.
MOCKERY_CUES: Final[dict[str, re.Pattern[str]]] = {
    "laughter": re.compile(r"\b(?:lol+|lmf?ao+|rofl|ha(?:ha)+h?|hehe+|kek)\b|[\U0001F602\U0001F923\U0001F37F]", re.I),
    "derision": re.compile(r"\b(?:smh|welp|yikes|oops|whoops|facepalm|cringe|epic\s+fail|#?fail(?:ed|s)?|backfire[sd]?|good\s+luck\s+with\s+that|nice\s+try|what\s+were\s+they\s+thinking|who\s+approved|clowns?|middle\s+finger)\b|[\U0001F926\U0001F595]", re.I),
}
# One pattern per signal for scoring (the named dicts above explain which cue matched).
SARCASM_ANY: Final = re.compile("|".join(f"(?:{p.pattern})" for p in SARCASM_CUES.values()), re.I)
MOCKERY_ANY: Final = re.compile("|".join(f"(?:{p.pattern})" for p in MOCKERY_CUES.values()), re.I)

# Explicit anger and condemnation: hostile when aimed at a campaign, whatever the lexicon says.
CONDEMNATION: Final = re.compile(
    r"\b(?:shame(?:ful|\s+on)|disgrac\w*|unacceptable|outrage\w*|appalling|despicable|"
    r"disgusting|corrupt|criminals?|crooks?|thugs?|liars?|hypocrit\w*)\b"
    "|[\U0001F621\U0001F620\U0001F92C\U0001F44E\U0001F595]", re.I)


@dataclass(frozen=True)
class Model:
    """The combiner: ``p = sigmoid(intercept + Σ weight × feature)``, hostile at ``threshold``."""

    weights: dict[str, float]
    intercept: float
    threshold: float
    provenance: dict[str, Any] = field(default_factory=dict)

    def logits(self, matrix: np.ndarray, *, context: bool = True) -> np.ndarray:
        """Logits for a feature matrix laid out as ``POLARITY_COLUMNS + FEATURES``.

        ``context=False`` leaves out the campaign-context signals: the generic offensiveness
        model alone, as measured on benchmarks that have no campaign.
        """
        offset = len(POLARITY_COLUMNS)
        names = FEATURES if context else tuple(GENERIC_FEATURES)
        weights = np.asarray([self.weights.get(name, 0.0) for name in names])
        return self.intercept + matrix[:, offset:offset + len(names)] @ weights

    def probabilities(self, matrix: np.ndarray, *, context: bool = True) -> np.ndarray:
        return _sigmoid(self.logits(matrix, context=context))

    def to_dict(self) -> dict[str, Any]:
        return {"weights": dict(self.weights), "intercept": self.intercept,
                "threshold": self.threshold, "provenance": dict(self.provenance)}


def model() -> Model:
    """The stored model (``data/scoring_model.json``); a neutral placeholder if none is stored."""
    stored = scoring_model.load().get("hostility")
    if not stored:
        return Model({"profanity_logit": 1.0}, 0.0, DEFAULT_THRESHOLD, {"fitted": False})
    return Model(dict(stored["weights"]), float(stored["intercept"]), float(stored["threshold"]),
                 dict(stored.get("provenance", {})))


def cue_pattern(cue_terms: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any target term (plus a short word ending)."""
    terms = sorted({term.strip().lstrip("#@").lower() for term in cue_terms if term.strip()},
                   key=len, reverse=True)
    if not terms:
        return None
    alternatives = "|".join(re.sub(r"(?:\\[ -]|\\-)+", r"[\\s-]+", re.escape(t)) for t in terms)
    return re.compile(r"\b(?:" + alternatives + r")\w{0,3}\b", re.I)


def features(texts: Sequence[str], cue_terms: Sequence[str] = ()) -> np.ndarray:
    """``(n, 4 + len(FEATURES))`` float matrix: VADER's scores, then every feature.

    VADER runs text by text (NLTK); everything else is vectorised over the batch: the
    profanity model on one sparse matrix, the cue patterns through Arrow's RE2 engine.
    """
    texts = list(texts)
    polar = sentiment.polarities(texts)
    profane, term_max, term_count = _profanity(texts)
    profane = np.clip(profane, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
    column = pa.array(texts, type=pa.large_string())
    cues = cue_pattern(cue_terms)
    targeted = _matches(column, cues.pattern) if cues else np.zeros(len(texts), dtype=bool)
    praise_of_target = targeted & (polar[:, 1] > 0) & (
        _matches(column, r"\?") | _matches(column, PRAISE_WORD.pattern))
    rows = np.column_stack([
        np.log(profane / (1 - profane)), term_max, term_count,
        polar[:, 0], polar[:, 1], polar[:, 2], _lexicon_min(column),
        _matches(column, SECOND_PERSON.pattern), _shouting(column),
        targeted, praise_of_target | _matches(column, SARCASM_ANY.pattern),
        _matches(column, MOCKERY_ANY.pattern), _matches(column, CONDEMNATION.pattern),
    ]).astype("float64")
    return np.hstack([polar, rows.reshape(len(texts), len(FEATURES))])


def _matches(column: pa.Array, pattern: str) -> np.ndarray:
    """Case-insensitive regex search on every text at once (RE2, vectorised)."""
    found = pc.match_substring_regex(column, _re2(pattern), ignore_case=True)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


@functools.cache
def _re2(pattern: str) -> str:
    """A Python pattern in RE2's dialect: ``\\U0001F602`` escapes become ``\\x{1F602}``."""
    return re.sub(r"\\U([0-9a-fA-F]{8})", lambda m: "\\x{" + m.group(1).lstrip("0") + "}", pattern)


def _lexicon_min(column: pa.Array) -> np.ndarray:
    """Valence of each text's most negative VADER lexicon word (0 if none is negative)."""
    tokens = pc.split_pattern_regex(pc.utf8_lower(column), r"[^a-z']+")
    flat = pc.list_flatten(tokens).to_numpy(zero_copy_only=False)
    valences = pd.Series(flat, dtype=object).map(_negative_lexicon()).fillna(0.0).to_numpy(dtype="float64")
    offsets = tokens.offsets.to_numpy()
    out = np.zeros(len(column))
    nonempty = offsets[1:] > offsets[:-1]
    if valences.size:
        out[nonempty] = np.minimum.reduceat(valences, offsets[:-1][nonempty])
    return np.minimum(out, 0.0)


def _shouting(column: pa.Array) -> np.ndarray:
    """Share of upper-case letters."""
    letters = pc.count_substring_regex(column, r"\pL").to_numpy(zero_copy_only=False)
    upper = pc.count_substring_regex(column, r"\p{Lu}").to_numpy(zero_copy_only=False)
    return np.divide(upper, letters, out=np.zeros(len(column)), where=letters > 0)


@functools.cache
def _negative_lexicon() -> dict[str, float]:
    return {word: value for word, value in lexicon.analyzer().lexicon.items() if value < 0}


def probabilities(texts: Sequence[str], cue_terms: Sequence[str] = (),
                  fitted: Model | None = None) -> np.ndarray:
    """Hostility probability per text (convenience for small inputs; scoring batches it)."""
    return (fitted or model()).probabilities(features(texts, cue_terms))


def sarcasm_cues(text: str) -> list[str]:
    """Names of the sarcasm and mockery cues found in ``text`` (for explanations and tests)."""
    return [name for name, pattern in (SARCASM_CUES | MOCKERY_CUES).items() if pattern.search(text)]


def _profanity(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """alt-profanity-check per text: its probability, the largest term weight of its SVM
    among the text's words, and the number of strongly offensive words (one vectorisation)."""
    if not texts:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    # Imported on first use: loading alt-profanity-check unpickles its models (about 1 s).
    from profanity_check import profanity_check as package

    matrix = package.vectorizer.transform(texts)
    probability = np.asarray(package.model.predict_proba(matrix)[:, 1], dtype="float64")
    present = (matrix > 0).astype("float64").multiply(_term_weights()).tocsr()
    strongest = np.asarray(present.max(axis=1).todense()).ravel()
    count = np.asarray((present > OFFENSIVE_TERM_WEIGHT).sum(axis=1)).ravel()
    return probability, np.maximum(strongest, 0.0), np.minimum(count, COUNT_CAP).astype("float64")


@functools.cache
def _term_weights() -> np.ndarray:
    # Imported on first use, as in ``_profanity``.
    from profanity_check import profanity_check as package

    return np.mean([c.estimator.coef_[0] for c in package.model.calibrated_classifiers_], axis=0)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype="float64")


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def fit(train: tuple[Sequence[str], Sequence[int] | np.ndarray],
        val: tuple[Sequence[str], Sequence[int] | np.ndarray],
        *, source: str) -> Model:
    """Fit the generic weights on ``train``, choose the threshold on ``val``, set the priors.

    The context weights (target terms, sarcasm, mockery, condemnation) cannot be fitted on a benchmark that has no
    brand targets. Rule: each alone lifts the *median* harmless training tweet
    ``CONTEXT_MARGIN_LOGIT`` above the chosen threshold.
    """
    # Imported here: only fitting needs them, and importing sklearn's estimators costs ~1 s.
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    offset = len(POLARITY_COLUMNS)
    generic = slice(offset, offset + len(GENERIC_FEATURES))
    x_train = features(train[0])[:, generic]
    y_train = np.asarray(train[1])
    scaler = StandardScaler().fit(x_train)
    regression = LogisticRegression(max_iter=2000).fit(scaler.transform(x_train), y_train)
    raw = regression.coef_[0] / scaler.scale_
    intercept = float(regression.intercept_[0] - raw @ scaler.mean_)
    weights = {name: float(w) for name, w in zip(GENERIC_FEATURES, raw, strict=True)}
    draft = Model(weights, intercept, DEFAULT_THRESHOLD)
    val_probs = draft.probabilities(features(val[0]), context=False)
    threshold = best_threshold(np.asarray(val[1]), val_probs)
    harmless = np.quantile(intercept + x_train[y_train == 0] @ raw, CONTEXT_QUANTILE)
    prior = _logit(threshold) - float(harmless) + CONTEXT_MARGIN_LOGIT
    weights.update({name: round(prior, 4) for name in CONTEXT_FEATURES})
    provenance = {
        "fitted_on": f"{source} train split ({len(y_train)} tweets), logistic regression",
        "threshold_chosen_on": f"{source} val split ({len(val[1])} tweets), max macro-F1",
        "context_weights": f"prior, not fitted: each cue alone lifts the {CONTEXT_QUANTILE:.0%} "
                           "most benign harmless train tweet (by generic logit) "
                           f"{CONTEXT_MARGIN_LOGIT} logit above the threshold",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "command": "python -m analysis evaluate --fit",
    }
    return Model({k: round(v, 6) for k, v in weights.items()}, round(intercept, 6),
                 round(threshold, 4), provenance)
