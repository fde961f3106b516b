"""Sentiment: NLTK VADER offline (lexicon from vaderSentiment), emoji read as words, labels."""

from __future__ import annotations

import socket
import stat
from pathlib import Path

import nltk
import pytest

from analysis.nlp import lexicon, sentiment
from analysis.store import paths


@pytest.fixture
def fresh_analyzer(isolated_data: Path, monkeypatch: pytest.MonkeyPatch):
    """No cached analyzer, an empty data folder, no network and no nltk.download."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network or nltk.download used")

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(nltk.data, "path", list(nltk.data.path))
    lexicon.analyzer.cache_clear()
    yield
    lexicon.analyzer.cache_clear()


def test_lexicon_loads_from_the_installed_package_without_network(fresh_analyzer: None) -> None:
    analyzer = lexicon.analyzer()
    package_lines = lexicon.package_file("vader_lexicon.txt").read_text(encoding="utf-8").splitlines()
    assert len(analyzer.lexicon) >= 0.99 * len([line for line in package_lines if line.strip()])
    root = paths.cache_dir() / "nltk_data"
    assert (root / "sentiment" / "vader_lexicon.zip").is_file()
    assert str(root) in nltk.data.path
    # NLTK refuses data roots others can write to: ours must stay private.
    assert not root.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    assert analyzer.polarity_scores("I love this")["compound"] > 0.5


@pytest.mark.parametrize(("with_emoji", "without"), [
    ("my order arrived 😠", "my order arrived"),
    ("new uniforms 😍", "new uniforms"),
    ("another meeting 😢", "another meeting"),
])
def test_emoji_change_the_score(with_emoji: str, without: str) -> None:
    assert sentiment.polarity(with_emoji).compound != sentiment.polarity(without).compound


@pytest.mark.parametrize(("emoji", "sign"), [("😠", -1), ("😍", 1), ("😢", -1)])
def test_emoji_score_in_the_expected_direction(emoji: str, sign: int) -> None:
    assert sign * sentiment.polarity(f"the news {emoji}").compound > 0


def test_demojize_uses_the_package_descriptions() -> None:
    assert "face with tears of joy" in lexicon.demojize("lol 😂")
    assert lexicon.demojize("plain text") == "plain text"


@pytest.mark.parametrize(("compound", "cuts", "expected"), [
    (0.05, (-0.05, 0.05), "positive"),
    (0.0499, (-0.05, 0.05), "neutral"),
    (-0.05, (-0.05, 0.05), "negative"),
    (0.2, (-0.1, 0.35), "neutral"),
    (-0.2, (-0.1, 0.35), "negative"),
])
def test_labels_follow_the_thresholds(compound: float, cuts: tuple[float, float], expected: str) -> None:
    assert sentiment.labels([compound], cuts).tolist() == [expected]


def test_stored_thresholds_are_used_by_default() -> None:
    low, high = sentiment.thresholds()
    assert low < high
    assert sentiment.labels([high]).tolist() == ["positive"]
    assert sentiment.labels([low]).tolist() == ["negative"]


def test_polarities_shape_and_order() -> None:
    scores = sentiment.polarities(["I love it", "I hate it"])
    assert scores.shape == (2, 4)
    assert scores[0, 0] > 0 > scores[1, 0]
    assert scores[0, 1] > 0 and scores[1, 2] > 0


def test_a_hard_linked_lexicon_is_rebuilt_not_refused(isolated_data: Path) -> None:
    """benchmarks/load.py hard-links the data folder; NLTK refuses a file with a second name."""
    import os

    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    root = lexicon.nltk_data_dir()
    target = root / "sentiment" / "vader_lexicon.zip"
    os.link(target, isolated_data / "second-name.zip")
    assert target.stat().st_nlink == 2
    assert lexicon.nltk_data_dir() == root
    assert target.stat().st_nlink == 1  # rebuilt under its own name
    nltk.data.path.insert(0, str(root))
    try:
        scores = SentimentIntensityAnalyzer(lexicon_file=lexicon.LEXICON_RESOURCE).polarity_scores(
            "what a great day")
    finally:
        nltk.data.path.remove(str(root))
    assert scores["compound"] > 0.5
