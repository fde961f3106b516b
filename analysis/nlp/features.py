"""The one scoring pass: tokenise once, then VADER, offensive features and n-grams from it.

``matrix(texts, cue_terms)`` returns one float row per text, laid out as ``COLUMNS``:
VADER's four scores, every hostility feature (``hostility.FEATURES``), the other sentiment
lexicons' scores (``lexicons.COLUMNS``), then the sentiment model's valence. Texts are read
with emoji as words (``lexicon.demojize``); the tokens feed VADER, alt-profanity-check's
linear model, the lexicon minimum, AFINN, Pattern and the hashed word n-grams;
the lower-cased text feeds the byte n-grams; Arrow's RE2 engine runs the cue patterns on the
original text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa

from analysis.nlp import hostility, lexicon, lexicons, ngrams, profanity, sentiment_model, vader

POLARITY_COLUMNS: Final = vader.COLUMNS
SENTIMENT_COLUMNS: Final = (*lexicons.COLUMNS, "valence")
COLUMNS: Final = (*POLARITY_COLUMNS, *hostility.FEATURES, *SENTIMENT_COLUMNS)


def column(name: str) -> int:
    """Index of a named column in ``matrix``'s output."""
    return COLUMNS.index(name)


@dataclass(frozen=True)
class Pass:
    """What one pass over a batch computes before any model weights are applied."""

    tokens: vader.Tokens
    polarity: np.ndarray                   # (n, 4) compound, pos, neg, neu
    generic: np.ndarray                    # (n, len(GENERIC)) without the n-gram score
    found: dict[str, ngrams.Occurrences]   # n-gram occurrences per block
    original: pa.Array                     # the texts as given (for cue patterns)
    lexical: np.ndarray                    # (n, len(lexicons.COLUMNS)) AFINN, Pattern, emoji


# The generic hostility features computed directly (the n-gram score needs model weights).
GENERIC: Final = tuple(name for name in hostility.GENERIC_FEATURES if name != "ngrams")


def run(texts: Sequence[str]) -> Pass:
    """Tokenise once and compute every model-free feature."""
    texts = [str(text) for text in texts]
    original = vader.text_column(texts)
    tokens = vader.tokenize([lexicon.demojize(text) for text in texts])
    words = vader.lexical(tokens)
    polar = vader.scores(tokens=tokens, words=words)
    probability, term_max, term_count = profanity.features(tokens)
    probability = np.clip(probability, hostility.PROBABILITY_FLOOR, 1 - hostility.PROBABILITY_FLOOR)
    values = {
        "profanity_logit": np.log(probability / (1 - probability)),
        "offensive_term_max": np.maximum(term_max, 0.0),
        "offensive_terms": term_count,
        "compound": polar[:, 0], "pos": polar[:, 1], "neg": polar[:, 2], "neu": polar[:, 3],
        "lexicon_min": _lexicon_min(tokens, words),
        "second_person": hostility.matches(original, hostility.SECOND_PERSON.pattern),
        "shouting": hostility.shouting(original),
    }
    generic = np.column_stack([np.asarray(values[name], dtype=np.float64) for name in GENERIC])
    return Pass(tokens, polar, generic.reshape(len(texts), len(GENERIC)), dict(ngrams.blocks(tokens)), original,
                lexicons.scores(tokens, original))


def _lexicon_min(tokens: vader.Tokens, words: vader.Lexical) -> np.ndarray:
    """Valence of each text's most negative VADER lexicon word (0 if none is negative)."""
    out = np.zeros(len(tokens.counts))
    np.minimum.at(out, tokens.doc, words.valence)
    return out


def context(found: Pass, cue_terms: Sequence[str]) -> np.ndarray:
    """The campaign-context signals (``hostility.CONTEXT_FEATURES``), one column each."""
    original, n = found.original, len(found.tokens.counts)
    cues = hostility.cue_pattern(cue_terms)
    targeted = hostility.matches(original, cues.pattern) if cues else np.zeros(n, dtype=bool)
    praise_of_target = targeted & (found.polarity[:, 1] > 0) & (
        hostility.matches(original, r"\?") | hostility.matches(original, hostility.PRAISE_WORD.pattern))
    return np.column_stack([
        targeted, praise_of_target | hostility.matches(original, hostility.SARCASM_ANY.pattern),
        hostility.matches(original, hostility.MOCKERY_ANY.pattern),
        hostility.matches(original, hostility.CONDEMNATION.pattern),
    ]).astype(np.float64).reshape(n, len(hostility.CONTEXT_FEATURES))


def matrix(texts: Sequence[str], cue_terms: Sequence[str] = ()) -> np.ndarray:
    """``(n, len(COLUMNS))``: every score and feature of every text, from one pass."""
    found = run(texts)
    generic = dict(zip(GENERIC, found.generic.T, strict=True))
    generic["ngrams"] = hostility.model().ngram_score(found.found)
    ordered = np.column_stack([generic[name] for name in hostility.GENERIC_FEATURES])
    valence = sentiment_model.model().valence(found.polarity, found.found)
    n = len(found.tokens.counts)
    return np.hstack([found.polarity, ordered.reshape(n, len(hostility.GENERIC_FEATURES)), context(found, cue_terms),
                      found.lexical, valence.reshape(n, 1)])


def warm() -> None:
    """Load every table and weight the pass reads (lexicon, alt-profanity-check, both models),
    so that processes forked afterwards start with them in memory."""
    matrix(["warm up"])
