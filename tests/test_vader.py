"""Vectorised VADER equals NLTK's SentimentIntensityAnalyzer, text for text.

The reference is NLTK's own, unmodified class on the same lexicon (``lexicon.analyzer``).
Texts: every labelled tweet in ../shared/benchmarks, every text of every real archive the
loaders read, and rule-dense random texts that exercise each rule (idioms, "never so", "least",
"kind of", capitals, boosters, "but", marks, repeated words).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from analysis.errors import BackfireError
from analysis.ingest import loaders
from analysis.nlp import evaluation, lexicon, scoring, vader

# Issue 12: equal to 1e-9 on at least 99.9 % of texts.
TOLERANCE = 1e-9
MIN_EQUAL_SHARE = 0.999
# Real archives the loaders cannot read yet are listed by the test, not hidden.
RULE_VOCABULARY = ["never", "so", "this", "kind", "of", "sort", "just", "enough", "least", "at", "very", "but", "BUT", "not", "isn't", "don't", "without", "the", "shit", "bomb", "bad", "ass", "yeah", "right", "cut", "mustard", "kiss", "death", "hand", "to", "mouth", "good", "GOOD", "great", "hate", "HATE", "awful", "love", "terrible", "nice", "happy", "sad", "kinda", "sorta", "extremely", "EXTREMELY", "barely", "fucking", "really", "so-so", ":)", ":(", "<3", "lol", "no", "yes", "wtf", "won't", "cannot", "nor", "rarely", "despite", "neither"]
MARKS = ("", "", "", "!", "?", "!!", "??", "!?!", ",", ".", "'", '"', "-", "...", "#", "@")


def reference(texts: list[str]) -> np.ndarray:
    analyzer = lexicon.analyzer()
    rows = [analyzer.polarity_scores(text) for text in texts]
    return np.array([[row[name] for name in vader.COLUMNS] for row in rows]).reshape(len(rows), 4)


def differences(texts: list[str]) -> tuple[np.ndarray, list[str]]:
    ours, expected = vader.scores(texts), reference(texts)
    bad = np.flatnonzero(np.abs(ours - expected).max(axis=1) > TOLERANCE)
    listing = [f"{texts[i]!r}: ours {ours[i].tolist()} NLTK {expected[i].tolist()}" for i in bad]
    return bad, listing


def benchmark_texts() -> list[str]:
    texts: list[str] = []
    for folder, splits in ((evaluation.DEFAULT_OFFENSIVE, ("train", "val")),
                           (evaluation.DEFAULT_SENTIMENT, ("val",))):
        for split in splits:
            texts += evaluation.read_tweeteval(folder, split).texts
    return texts + evaluation.read_davidson(evaluation.DEFAULT_DAVIDSON).texts


def archive_texts(folder: Path) -> tuple[list[str], list[str]]:
    texts, unreadable = [], []
    for path in sorted(folder.iterdir()):
        if path.name.lower().startswith("readme"):
            continue
        try:
            table = loaders.load(path).table
        except BackfireError as error:
            unreadable.append(f"{path.name}: {type(error).__name__}")
            continue
        texts += list(scoring.scoring_texts(table["text"]))
    return texts, unreadable


def as_scored(texts: list[str]) -> list[str]:
    """What the app scores: emoji read as words."""
    return [lexicon.demojize(text) for text in texts]


def test_equal_to_nltk_on_every_labelled_tweet() -> None:
    texts = as_scored(benchmark_texts())
    assert len(texts) > 40_000
    bad, listing = differences(texts)
    print(f"{len(bad)} of {len(texts)} labelled tweets differ", *listing, sep="\n")
    assert len(bad) <= (1 - MIN_EQUAL_SHARE) * len(texts), listing[:20]
    assert not listing, "no known difference remains on the labelled tweets"


def test_equal_to_nltk_on_every_real_archive(real_archives: Path) -> None:
    texts, unreadable = archive_texts(real_archives)
    print("not readable by the loaders yet:", unreadable)
    assert len(texts) > 500
    for variant in (texts, as_scored(texts)):
        bad, listing = differences(variant)
        print(f"{len(bad)} of {len(variant)} real archive texts differ", *listing, sep="\n")
        assert not listing


def test_equal_to_nltk_on_rule_dense_random_texts() -> None:
    rng = np.random.default_rng(12)
    texts = []
    for _ in range(20_000):
        size = int(rng.integers(0, 14))
        words = [str(rng.choice(RULE_VOCABULARY)) for _ in range(size)]
        texts.append(" ".join(str(rng.choice(MARKS)) + w + str(rng.choice(MARKS))
                              if rng.random() < 0.3 else w for w in words))
    bad, listing = differences(texts)
    assert not listing, listing[:20]


@pytest.mark.parametrize("text", [
    "", " ", "a", "! ? .", "GOOD good", "good good good bad", "not bad but not great",
    "kind of good", "the shit", "yeah right, great", "at least good", "least good",
    "never so good", "It was never this bad", "I LOVE it, you HATE it", "great!!!!!", "bad????",
    "good?!?!", "'good'", "good,", ",good", "good!!!!", "it's, fine", "cut the mustard",
    "\u00a0good\u2003bad\x1cnice", "caf\u00e9 tr\u00e8s bien :)", "good \ud83d surrogate",
])
def test_equal_to_nltk_on_edge_cases(text: str) -> None:
    fixed = text.encode("utf-8", "replace").decode("utf-8")  # NLTK's input as Arrow stores it
    assert vader.scores([text])[0].tolist() == reference([fixed])[0].tolist()


def test_arrow_whitespace_is_python_whitespace() -> None:
    """Tokens come from Arrow's split: it must split exactly where ``str.split()`` does."""
    points = [c for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    column = pa.array([f"a{chr(c)}b" for c in points])
    splits = pc.list_value_length(pc.utf8_split_whitespace(column)).to_numpy() == 2
    arrow = {c for c, split in zip(points, splits, strict=True) if split}
    assert arrow == {c for c in points if chr(c).isspace()}


def test_python_rounding_next_to_ties() -> None:
    values = np.array([0.12345, 0.00015, -0.00025, 0.5, 2.675, 1e-9, -0.12345])
    for decimals in (3, 4):
        assert vader.py_round(values, decimals).tolist() == [round(float(v), decimals) for v in values]
