"""Brand hostility: the probability that a tweet attacks the brand or its campaign.

Hostility is not negative mood. A tweet is hostile when it accuses, mocks (sarcasm included),
insults or swears at its target. The probability is one logistic regression over:

- generic offensiveness, fitted on TweetEval *offensive* train (threshold by 5-fold
  cross-validation on train, never on val): hashed word and byte n-grams (``ngrams``; only
  bucket weights are shipped, no text and no vocabulary) jointly with alt-profanity-check's
  probability, its strongest offensive term in the tweet, VADER's scores, the most negative
  VADER lexicon word, whether the tweet addresses someone ("you"), and shouting;
- campaign context, which no public benchmark labels: a case's target terms (``cue_terms``,
  e.g. foreclosure, bailout, brutality: in a hijacked campaign, naming the scandal is the
  accusation), sarcasm cues of Q&A hijacks (praise about the targets, lexically positive
  questions, scare quotes, "great time to…", "can I have my … back", "nailed it", 👏) and
  mockery cues (laughter and derision: lol, 😂, "epic fail", "good luck with that"). Their
  weights are priors set by a stated rule (``context_prior``), not fitted.

The features are computed in one pass by ``analysis.nlp.features``; the scalar weights live in
``data/scoring_model.json`` with their provenance, the n-gram weights in
``data/models/hostility.npz``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis.nlp import ngrams, scoring_model
from analysis.store import paths

# VADER's four scores come first in every feature matrix.
POLARITY_COLUMNS: Final = ("compound", "pos", "neg", "neu")
# Generic signals, weighted by a logistic regression fitted on TweetEval offensive (train).
GENERIC_FEATURES: Final[dict[str, str]] = {
    "ngrams": "hashed word 1-2-gram and byte 2-5-gram score (weights fitted jointly, fixed weight 1)",
    "profanity_logit": "alt-profanity-check probability, as a logit",
    "offensive_term_max": "largest alt-profanity-check term weight among the tweet's words",
    "offensive_terms": "number of words with a strongly offensive term weight (capped)",
    "compound": "VADER compound",
    "pos": "VADER positive share",
    "neg": "VADER negative share",
    "neu": "VADER neutral share",
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
# Prior rule for the context weights: a cue alone lifts this quantile of harmless training
# tweets (ordered by generic logit, most benign first) this many logit units above the
# threshold. 0.1: even clearly positive praise turns hostile when it carries a sarcasm cue.
CONTEXT_QUANTILE: Final = 0.1
CONTEXT_MARGIN_LOGIT: Final = 0.5
# Default threshold when no fitted model is stored (the fitted one is chosen by cross-validation
# on TweetEval offensive train).
DEFAULT_THRESHOLD: Final = 0.5
NGRAM_FILE: Final = paths.PROJECT_ROOT / "data" / "models" / "hostility.npz"

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
    ngram_weights: ngrams.BlockWeights | None = None

    def ngram_score(self, found: dict[str, ngrams.Occurrences]) -> np.ndarray:
        """The n-gram part of the logit (0 without stored n-gram weights)."""
        texts = next(iter(found.values())).texts if found else 0
        if self.ngram_weights is None:
            return np.zeros(texts)
        return self.ngram_weights.score(found)

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


@functools.cache
def model() -> Model:
    """The stored model (``data/scoring_model.json`` and ``data/models/hostility.npz``); a
    neutral placeholder if none is stored."""
    stored = scoring_model.load().get("hostility")
    if not stored:
        return Model({"profanity_logit": 1.0}, 0.0, DEFAULT_THRESHOLD, {"fitted": False})
    weights = ngrams.BlockWeights.load(NGRAM_FILE) if NGRAM_FILE.is_file() else None
    return Model(dict(stored["weights"]), float(stored["intercept"]), float(stored["threshold"]),
                 dict(stored.get("provenance", {})), weights)


def cue_pattern(cue_terms: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any target term (plus a short word ending)."""
    terms = sorted({term.strip().lstrip("#@").lower() for term in cue_terms if term.strip()},
                   key=len, reverse=True)
    if not terms:
        return None
    alternatives = "|".join(re.sub(r"(?:\\[ -]|\\-)+", r"[\\s-]+", re.escape(t)) for t in terms)
    return re.compile(r"\b(?:" + alternatives + r")\w{0,3}\b", re.I)


def matches(column: pa.Array, pattern: str) -> np.ndarray:
    """Case-insensitive regex search on every text at once (RE2, vectorised)."""
    found = pc.match_substring_regex(column, _re2(pattern), ignore_case=True)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


@functools.cache
def _re2(pattern: str) -> str:
    """A Python pattern in RE2's dialect: ``\\U0001F602`` escapes become ``\\x{1F602}``."""
    return re.sub(r"\\U([0-9a-fA-F]{8})", lambda m: "\\x{" + m.group(1).lstrip("0") + "}", pattern)


def shouting(column: pa.Array) -> np.ndarray:
    """Share of upper-case letters (Unicode letters; ASCII texts counted on their bytes)."""
    column = pa.concat_arrays([column.cast(pa.large_string())])
    n = len(column)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int64)[: n + 1]
    data = column.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]] if data is not None else np.zeros(0, np.uint8)
    starts = offsets[:-1] - offsets[0]
    letters, upper = np.zeros(n), np.zeros(n)
    nonempty = offsets[1:] > offsets[:-1]
    if raw.size:
        is_upper = (raw >= ord("A")) & (raw <= ord("Z"))
        is_letter = is_upper | ((raw >= ord("a")) & (raw <= ord("z")))
        letters[nonempty] = np.add.reduceat(is_letter.astype(np.int64), starts[nonempty])
        upper[nonempty] = np.add.reduceat(is_upper.astype(np.int64), starts[nonempty])
        high = np.zeros(n, dtype=bool)
        high[nonempty] = np.maximum.reduceat(raw, starts[nonempty]) >= 0x80
        if high.any():
            others = column.filter(pa.array(high))
            letters[high] = pc.count_substring_regex(others, r"\pL").to_numpy(zero_copy_only=False)
            upper[high] = pc.count_substring_regex(others, r"\p{Lu}").to_numpy(zero_copy_only=False)
    return np.divide(upper, letters, out=np.zeros(n), where=letters > 0)


def sarcasm_cues(text: str) -> list[str]:
    """Names of the sarcasm and mockery cues found in ``text`` (for explanations and tests)."""
    return [name for name, pattern in (SARCASM_CUES | MOCKERY_CUES).items() if pattern.search(text)]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype="float64")


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def context_prior(harmless_logits: np.ndarray, threshold: float) -> float:
    """The context weights' prior: each cue alone lifts the ``CONTEXT_QUANTILE`` most benign
    harmless training tweet (by generic logit) ``CONTEXT_MARGIN_LOGIT`` above the threshold."""
    harmless = float(np.quantile(harmless_logits, CONTEXT_QUANTILE))
    return _logit(threshold) - harmless + CONTEXT_MARGIN_LOGIT
