"""Hashed n-grams: word uni- and bigrams of VADER's tokens and byte 2–5-grams of the text.

No vocabulary is stored: each n-gram is hashed (a polynomial hash over its bytes, then a
multiplicative hash) to one of ``BUCKETS`` buckets per block. A text's feature value for a
bucket is ``count · idf / sqrt(Σ idf²)`` over the n-gram occurrences of its block, so a linear
model's block score is ``Σ (w·idf) / sqrt(Σ idf²)``: two float32 arrays per block (weights with
idf folded in, and idf²) are all a fitted model ships.

Words come from ``vader.Tokens.lower`` (the one tokenisation pass of scoring); bytes from the
lower-cased text, padded with a space at each end, n-grams never crossing two texts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from analysis.errors import ModelError
from analysis.nlp.vader import Tokens
from analysis.store import atomic

# 2^17 buckets per block: no measurable loss against 2^18 on OLID (notes/nlp-models.md,
# rows 14-15), half the weights to ship.
BUCKET_BITS: Final = 17
BUCKETS: Final = 1 << BUCKET_BITS
BYTE_SIZES: Final = (2, 3, 4, 5)
BLOCKS: Final = ("word", "byte")
# Hash constants: an odd multiplier for the polynomial hash, Knuth's 64-bit golden ratio for
# the bucket, and distinct seeds so that a bigram never shares a hash with a unigram and
# n-grams of different lengths stay apart.
POLY: Final = np.uint64(0x100000001B3)
GOLDEN: Final = np.uint64(0x9E3779B97F4A7C15)
BIGRAM_MIX: Final = np.uint64(0xC2B2AE3D27D4EB4F)
SEEDS: Final = {size: np.uint64(size * 0x27D4EB2F165667C5 % (1 << 64)) for size in (1, 2, *BYTE_SIZES)}
SHIFT: Final = np.uint64(64 - BUCKET_BITS)
# The byte block hashes in 32 bits (half the memory traffic of 64).
POLY32: Final = np.uint32(0x01000193)
GOLDEN32: Final = np.uint32(0x9E3779B1)
SEEDS32: Final = {size: np.uint32(size * 0x27D4EB2F % (1 << 32)) for size in BYTE_SIZES}
SHIFT32: Final = np.uint32(32 - BUCKET_BITS)
# An extra bucket for n-grams spanning two texts: weight 0, idf² 0. Arrays have BUCKETS + 1 slots.
DUMMY: Final = BUCKETS
SLOTS: Final = BUCKETS + 1


@dataclass(frozen=True)
class Occurrences:
    """Text and bucket of every n-gram occurrence of a block (in no particular order)."""

    doc: np.ndarray     # int64
    bucket: np.ndarray  # int64 in [0, BUCKETS)
    texts: int


def _bucket(hashes: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.asarray((hashes * GOLDEN) >> SHIFT, dtype=np.int64)


def _buffer(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Byte buffer and int64 offsets of a string array (no copy of the bytes)."""
    array = pa.concat_arrays([array.cast(pa.large_string())])
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[: len(array) + 1]
    data = array.buffers()[2]
    return (np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)), offsets


def _string_hashes(array: pa.Array) -> np.ndarray:
    """A 64-bit polynomial hash of each string's bytes (vectorised over the whole array)."""
    data, offsets = _buffer(array)
    lengths = offsets[1:] - offsets[:-1]
    out = np.zeros(len(lengths), dtype=np.uint64)
    total = int(offsets[-1] - offsets[0]) if len(offsets) else 0
    if total == 0:
        return out
    data = data[offsets[0]:offsets[-1]]
    relative = offsets - offsets[0]
    owner = np.repeat(np.arange(len(lengths)), lengths)
    after = relative[1:][owner] - 1 - np.arange(total)  # bytes after this one in its string
    with np.errstate(over="ignore"):
        steps = np.concatenate([np.ones(1, np.uint64), np.full(int(lengths.max()) - 1, POLY, np.uint64)])
        powers = np.cumprod(steps, dtype=np.uint64)
        terms = data.astype(np.uint64) * powers[after]
        nonempty = lengths > 0
        out[nonempty] = np.add.reduceat(terms, relative[:-1][nonempty])
    return out


def word_occurrences(tokens: Tokens) -> Occurrences:
    """Word unigrams and bigrams (adjacent tokens of the same text)."""
    unigram = _string_hashes(tokens.lower)
    with np.errstate(over="ignore"):
        first = unigram ^ SEEDS[1]
        same = tokens.doc[1:] == tokens.doc[:-1] if tokens.size else np.zeros(0, bool)
        pair = (unigram[:-1] * BIGRAM_MIX + unigram[1:]) ^ SEEDS[2] if tokens.size else np.zeros(0, np.uint64)
    doc = np.concatenate([tokens.doc, tokens.doc[:-1][same] if tokens.size else tokens.doc[:0]])
    return Occurrences(doc, _bucket(np.concatenate([first, pair[same]])), len(tokens.counts))


def byte_occurrences(column: pa.Array) -> Occurrences:
    """Byte n-grams (``BYTE_SIZES``) of each lower-cased text padded with one space each side.

    32-bit rolling hashes over one buffer of the whole batch; an n-gram spanning two texts
    goes to the ``DUMMY`` bucket, which weighs nothing (no mask compaction needed).
    """
    data, offsets = _buffer(pc.utf8_lower(column))
    n = len(offsets) - 1
    data = data[offsets[0]:offsets[-1]]
    lengths = offsets[1:] - offsets[:-1]
    buffer = np.full(int(lengths.sum()) + 2 * n, ord(" "), dtype=np.uint32)
    owner = np.repeat(np.arange(n), lengths)
    buffer[np.arange(data.size) + 2 * owner + 1] = data
    doc_of = np.repeat(np.arange(n), lengths + 2)
    docs, buckets = [], []
    rolling = buffer.copy()
    with np.errstate(over="ignore"):
        for size in range(2, max(BYTE_SIZES) + 1):
            count = buffer.size - size + 1
            if count <= 0:
                break
            rolling = rolling[:count] * POLY32 + buffer[size - 1:size - 1 + count]
            if size in BYTE_SIZES:
                bucket = np.asarray(((rolling ^ SEEDS32[size]) * GOLDEN32) >> SHIFT32, dtype=np.int64)
                bucket[doc_of[:count] != doc_of[size - 1:size - 1 + count]] = DUMMY
                docs.append(doc_of[:count])
                buckets.append(bucket)
    doc = np.concatenate(docs) if docs else np.zeros(0, np.int64)
    return Occurrences(doc, np.concatenate(buckets) if buckets else np.zeros(0, np.int64), n)


def blocks(tokens: Tokens) -> Iterator[tuple[str, Occurrences]]:
    yield "word", word_occurrences(tokens)
    yield "byte", byte_occurrences(tokens.column)


def document_frequency(found: Occurrences) -> np.ndarray:
    """Texts containing each bucket."""
    pairs = np.unique(found.doc * SLOTS + found.bucket)
    frequency = np.bincount(pairs % SLOTS, minlength=SLOTS)
    frequency[DUMMY] = 0
    return frequency


def idf(frequency: np.ndarray, texts: int) -> np.ndarray:
    """Smoothed idf, as sklearn's TfidfVectorizer: ln((1 + n) / (1 + df)) + 1; 0 for DUMMY."""
    out = np.log((1.0 + texts) / (1.0 + frequency)) + 1.0
    out[DUMMY] = 0.0
    return out


def matrix(found: Occurrences, weights_idf: np.ndarray) -> sp.csr_matrix:
    """The block's feature matrix (texts × SLOTS) for fitting."""
    value = weights_idf[found.bucket]
    norm = np.sqrt(np.bincount(found.doc, weights=value * value, minlength=found.texts))
    data = value / np.where(norm > 0, norm, 1.0)[found.doc]
    return sp.csr_matrix((data, (found.doc, found.bucket)), shape=(found.texts, SLOTS))


def block_score(found: Occurrences, weights: np.ndarray, idf_squared: np.ndarray) -> np.ndarray:
    """``Σ (w·idf)[b] / sqrt(Σ idf²[b])`` per text: a linear model's score on the block."""
    numerator = np.bincount(found.doc, weights=weights[found.bucket], minlength=found.texts)
    norm = np.sqrt(np.bincount(found.doc, weights=idf_squared[found.bucket], minlength=found.texts))
    return np.divide(numerator, norm, out=np.zeros(found.texts), where=norm > 0)


@dataclass(frozen=True)
class BlockWeights:
    """A linear model's n-gram part: per block, weights with idf folded in, and idf²."""

    weights: dict[str, np.ndarray]
    idf_squared: dict[str, np.ndarray]

    def score(self, found: dict[str, Occurrences]) -> np.ndarray:
        """The summed block scores per text."""
        parts = [block_score(found[name], self.weights[name], self.idf_squared[name]) for name in BLOCKS]
        return np.asarray(np.sum(parts, axis=0), dtype=np.float64)

    def save(self, path: Path) -> None:
        """float32 arrays in one compressed ``.npz``, written atomically."""
        arrays: dict[str, Any] = {f"{name}_weights": self.weights[name].astype(np.float32) for name in BLOCKS}
        arrays |= {f"{name}_idf_squared": self.idf_squared[name].astype(np.float32) for name in BLOCKS}
        arrays["bucket_bits"] = np.array(BUCKET_BITS)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic.atomic_writer(path) as out:
            np.savez_compressed(out, **arrays)

    @classmethod
    def load(cls, path: Path) -> BlockWeights:
        with np.load(path) as stored:
            if int(stored["bucket_bits"]) != BUCKET_BITS:
                raise ModelError(f"{path}: n-gram weights for {int(stored['bucket_bits'])}-bit buckets, "
                                 f"this code hashes to {BUCKET_BITS} bits (refit: python -m analysis evaluate --fit)")
            return cls({name: stored[f"{name}_weights"].astype(np.float64) for name in BLOCKS},
                       {name: stored[f"{name}_idf_squared"].astype(np.float64) for name in BLOCKS})
