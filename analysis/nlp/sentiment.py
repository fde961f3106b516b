"""Sentiment: NLTK's VADER, offline, with emoji read as words.

The lexicon is not downloaded: it comes from the installed ``vaderSentiment`` package and is
registered as an NLTK data directory (``<cache>/nltk_data/sentiment/vader_lexicon.zip``),
because NLTK 3.10.3+ only reads data from its data roots and refuses arbitrary paths. NLTK's
VADER ignores emoji that ``vaderSentiment`` scores, so emoji are first replaced by their
descriptions from ``vaderSentiment``'s ``emoji_utf8_lexicon.txt`` ("😡" → "enraged face").
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final, NamedTuple

import nltk
import numpy as np
import pandas as pd
from nltk.sentiment import vader
from nltk.sentiment.vader import SentimentIntensityAnalyzer

from analysis.nlp import scoring_model
from analysis.store import atomic, paths

# The resource name NLTK's SentimentIntensityAnalyzer loads by default.
LEXICON_RESOURCE: Final = "sentiment/vader_lexicon.zip/vader_lexicon/vader_lexicon.txt"
LEXICON_MEMBER: Final = "vader_lexicon/vader_lexicon.txt"
# NLTK refuses data roots that another account can write to: keep them private.
PRIVATE_DIR_MODE: Final = 0o700
PRIVATE_FILE_MODE: Final = 0o600
# Hutto & Gilbert's standard label thresholds on the compound score.
STANDARD_THRESHOLDS: Final = (-0.05, 0.05)
LABELS: Final = ("negative", "neutral", "positive")
# "RT @handle: " as the canonical schema rebuilds a retweet's text.
RETWEET_PREFIX: Final = re.compile(r"^RT @\w+: ")
# Emoji presentation selector: carries no meaning of its own.
VARIATION_SELECTOR: Final = "\ufe0f"


class Polarity(NamedTuple):
    compound: float
    pos: float
    neg: float
    neu: float


def nltk_data_dir() -> Path:
    """A private NLTK data root holding VADER's lexicon, built from ``vaderSentiment`` once."""
    root = paths.cache_dir() / "nltk_data"
    target = root / "sentiment" / "vader_lexicon.zip"
    source = _package_file("vader_lexicon.txt")
    if not target.is_file() or target.stat().st_mtime < source.stat().st_mtime:
        _write_lexicon_zip(source, target)
    for folder in (root, target.parent):
        folder.chmod(PRIVATE_DIR_MODE)
    return root


def _package_file(name: str) -> Path:
    return Path(str(importlib.resources.files("vaderSentiment") / name))


def _write_lexicon_zip(source: Path, target: Path) -> None:
    """Write the zip atomically: another process never reads half a lexicon."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    with atomic.atomic_writer(target) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(LEXICON_MEMBER, source.read_bytes())
    target.chmod(PRIVATE_FILE_MODE)


@functools.cache
def analyzer() -> SentimentIntensityAnalyzer:
    """NLTK's VADER, reading its lexicon through the registered data root (no network).

    Same scores as NLTK's own class, ~2.5x faster: its tokenizer builds a dictionary of every
    (punctuation, word) pair for every text; ours strips the same punctuation directly.
    """
    root = str(nltk_data_dir())
    if root not in nltk.data.path:
        nltk.data.path.insert(0, root)
    return _fast_analyzer_class()(lexicon_file=LEXICON_RESOURCE)


def stock_analyzer() -> SentimentIntensityAnalyzer:
    """NLTK's own, unmodified class on the same lexicon (reference for tests and benchmarks)."""
    analyzer()  # registers the data root
    return SentimentIntensityAnalyzer(lexicon_file=LEXICON_RESOURCE)


@functools.cache
def _fast_analyzer_class() -> type[SentimentIntensityAnalyzer]:
    class FastSentiText(vader.SentiText):
        """``SentiText`` whose tokens equal NLTK's, without the pair dictionary.

        NLTK maps ``p + word`` and ``word + p`` (``p`` in ``PUNC_LIST``, ``word`` a
        punctuation-free word of the text) back to ``word``. Since ``word`` holds no
        punctuation, at most one split of a token can match, so checking each token's
        leading or trailing ``p`` gives the same tokens.
        """

        def _words_and_emoticons(self) -> list[str]:
            text = self.REGEX_REMOVE_PUNCTUATION.sub("", self.text)
            words = {w for w in text.split() if len(w) > 1}
            tokens = [token for token in self.text.split() if len(token) > 1]
            marks = self.PUNC_LIST
            ends = _mark_characters(tuple(marks))
            return [_strip_punctuation(token, words, marks)
                    if token[0] in ends or token[-1] in ends else token for token in tokens]

    class FastAnalyzer(vader.SentimentIntensityAnalyzer):
        def polarity_scores(self, text: str) -> dict[str, float]:
            # NLTK 3.10.4's polarity_scores, with FastSentiText in place of SentiText.
            sentitext = FastSentiText(text, self.constants.PUNC_LIST,
                                      self.constants.REGEX_REMOVE_PUNCTUATION)
            sentiments: list[float] = []
            words = sentitext.words_and_emoticons
            first_index: dict[str, int] = {}
            for idx, token in enumerate(words):
                first_index.setdefault(token, idx)
            for item in words:
                i = first_index[item]
                if (i < len(words) - 1 and item.lower() == "kind" and words[i + 1].lower() == "of") \
                        or item.lower() in self.constants.BOOSTER_DICT:
                    sentiments.append(0)
                    continue
                sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
            sentiments = self._but_check(words, sentiments)
            scores: dict[str, float] = self.score_valence(sentiments, text)
            return scores

    return FastAnalyzer


@functools.cache
def _mark_characters(marks: tuple[str, ...]) -> frozenset[str]:
    """Characters a punctuation mark can start or end with: other tokens need no check."""
    return frozenset(mark[0] for mark in marks) | frozenset(mark[-1] for mark in marks)


def _strip_punctuation(token: str, words: set[str], punctuation: Sequence[str]) -> str:
    for mark in punctuation:
        if token.endswith(mark) and token[:-len(mark)] in words:
            return token[:-len(mark)]
        if token.startswith(mark) and token[len(mark):] in words:
            return token[len(mark):]
    return token


@functools.cache
def emoji_table() -> dict[int, str]:
    """``str.translate`` table: each single-character emoji → `` <its description> ``."""
    table: dict[int, str] = {}
    for line in _package_file("emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines():
        emoji, _, description = line.partition("\t")
        emoji = emoji.replace(VARIATION_SELECTOR, "")
        if len(emoji) == 1 and description:
            table[ord(emoji)] = f" {description.strip()} "
    table[ord(VARIATION_SELECTOR)] = ""
    return table


def demojize(text: str) -> str:
    """Replace emoji by their descriptions, as ``vaderSentiment`` does before scoring."""
    return text.translate(emoji_table())


def original_text(text: str) -> str:
    """A retweet is scored as its original: drop the ``RT @handle: `` prefix."""
    return RETWEET_PREFIX.sub("", text, count=1)


def polarity(text: str) -> Polarity:
    """VADER's four scores for one text (emoji read as words)."""
    scores = analyzer().polarity_scores(demojize(text))
    return Polarity(scores["compound"], scores["pos"], scores["neg"], scores["neu"])


def polarities(texts: Iterable[str]) -> np.ndarray:
    """An ``(n, 4)`` float array of compound, pos, neg, neu, one row per text."""
    rows = [polarity(text) for text in texts]
    return np.asarray(rows, dtype="float64").reshape(len(rows), 4)


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
