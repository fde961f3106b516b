"""VADER's lexicon and emoji descriptions, offline, read through NLTK.

The lexicon is not downloaded: it comes from the installed ``vaderSentiment`` package and is
registered as an NLTK data directory (``<cache>/nltk_data/sentiment/vader_lexicon.zip``),
because NLTK 3.10.3+ only reads data from its data roots and refuses arbitrary paths. NLTK's
VADER ignores emoji that ``vaderSentiment`` scores, so emoji are first replaced by their
descriptions from ``vaderSentiment``'s ``emoji_utf8_lexicon.txt`` ("😡" → "enraged face").
NLTK stays the reference implementation and the source of the lexicon (``analysis.nlp.vader``
reads its words and constants from here and from NLTK).
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import zipfile
from pathlib import Path
from typing import Final

import nltk
from nltk.sentiment.vader import SentimentIntensityAnalyzer

from analysis.store import atomic, paths

# The resource name NLTK's SentimentIntensityAnalyzer loads by default.
LEXICON_RESOURCE: Final = "sentiment/vader_lexicon.zip/vader_lexicon/vader_lexicon.txt"
LEXICON_MEMBER: Final = "vader_lexicon/vader_lexicon.txt"
# NLTK refuses data roots that another account can write to: keep them private.
PRIVATE_DIR_MODE: Final = 0o700
PRIVATE_FILE_MODE: Final = 0o600
# Emoji presentation selector: carries no meaning of its own.
VARIATION_SELECTOR: Final = "\ufe0f"


def nltk_data_dir() -> Path:
    """A private NLTK data root holding VADER's lexicon, built from ``vaderSentiment`` once."""
    root = paths.cache_dir() / "nltk_data"
    target = root / "sentiment" / "vader_lexicon.zip"
    source = package_file("vader_lexicon.txt")
    if _needs_rebuild(target, source):
        _write_lexicon_zip(source, target)
    for folder in (root, target.parent):
        folder.chmod(PRIVATE_DIR_MODE)
    return root


def _needs_rebuild(target: Path, source: Path) -> bool:
    """Missing, older than the package's lexicon, or a file NLTK refuses to read: hard-linked
    (a second name, as a benchmark's linked copy of the data folder makes) or not ours."""
    if not target.is_file():
        return True
    held = target.stat()
    return (held.st_mtime < source.stat().st_mtime or held.st_nlink > 1
            or held.st_uid != os.geteuid())


def package_file(name: str) -> Path:
    """A data file shipped inside the ``vaderSentiment`` package."""
    return Path(str(importlib.resources.files("vaderSentiment") / name))


def _write_lexicon_zip(source: Path, target: Path) -> None:
    """Write the zip atomically: another process never reads half a lexicon."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    with atomic.atomic_writer(target) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(LEXICON_MEMBER, source.read_bytes())
    target.chmod(PRIVATE_FILE_MODE)


@functools.cache
def analyzer() -> SentimentIntensityAnalyzer:
    """NLTK's own, unmodified VADER on the registered lexicon (no network): the reference."""
    root = str(nltk_data_dir())
    if root not in nltk.data.path:
        nltk.data.path.insert(0, root)
    return SentimentIntensityAnalyzer(lexicon_file=LEXICON_RESOURCE)


@functools.cache
def emoji_table() -> dict[int, str]:
    """``str.translate`` table: each single-character emoji → `` <its description> ``."""
    table: dict[int, str] = {}
    for line in package_file("emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines():
        emoji, _, description = line.partition("\t")
        emoji = emoji.replace(VARIATION_SELECTOR, "")
        if len(emoji) == 1 and description:
            table[ord(emoji)] = f" {description.strip()} "
    table[ord(VARIATION_SELECTOR)] = ""
    return table


def demojize(text: str) -> str:
    """Replace emoji by their descriptions, as ``vaderSentiment`` does before scoring."""
    return text.translate(emoji_table())
