"""Hashed n-grams: stable buckets, no n-gram across two texts, scores equal to the matrix."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.nlp import ngrams, vader

TEXTS = ["You are an idiot!", "you ARE an idiot", "lovely day", "", "é😀 ok"]


def blocks(texts: list[str]) -> dict[str, ngrams.Occurrences]:
    return dict(ngrams.blocks(vader.tokenize(texts)))


def test_buckets_depend_only_on_the_text_not_on_the_batch() -> None:
    alone = blocks([TEXTS[2]])
    together = blocks(TEXTS)
    for name in ngrams.BLOCKS:
        mine = (together[name].doc == 2) & (together[name].bucket != ngrams.DUMMY)
        own = alone[name].bucket[alone[name].bucket != ngrams.DUMMY]
        assert sorted(together[name].bucket[mine]) == sorted(own)
        assert together[name].bucket.max() <= ngrams.DUMMY


def test_word_block_counts_unigrams_and_bigrams() -> None:
    found = blocks(["lovely day", "day lovely"])["word"]
    first, second = found.bucket[found.doc == 0], found.bucket[found.doc == 1]
    assert len(first) == len(second) == 3  # two words, one bigram
    assert len(set(first) & set(second)) == 2  # same unigrams, different bigrams


def test_byte_block_never_spans_two_texts() -> None:
    found = blocks(["ab", "cd"])["byte"]
    # " ab " has 3 + 2 + 1 n-grams of sizes 2, 3, 4 (none of 5); the rest go to DUMMY.
    real = found.bucket != ngrams.DUMMY
    assert np.bincount(found.doc[real]).tolist() == [6, 6]


def test_case_is_ignored_and_text_order_matters_for_bigrams() -> None:
    found = blocks(TEXTS[:2])["word"]
    assert sorted(found.bucket[found.doc == 0]) == sorted(found.bucket[found.doc == 1])


def test_block_score_equals_the_feature_matrix_times_weights() -> None:
    rng = np.random.default_rng(0)
    found = blocks(TEXTS)
    for name in ngrams.BLOCKS:
        idf = ngrams.idf(ngrams.document_frequency(found[name]), len(TEXTS))
        weights = rng.normal(size=ngrams.SLOTS)
        weights[ngrams.DUMMY] = 0
        matrix = ngrams.matrix(found[name], idf)
        expected = matrix @ weights
        assert ngrams.block_score(found[name], weights * idf, idf ** 2) == pytest.approx(expected)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        # Normalised over occurrences (sqrt of the summed idf² of every occurrence): a repeated
        # n-gram makes the norm exceed 1 a little (the empty text still has the byte n-gram "  ").
        assert (norms[[0, 1, 2, 4]] >= 1 - 1e-9).all()


def test_weights_round_trip_and_refuse_other_bucket_sizes(tmp_path, monkeypatch) -> None:
    rng = np.random.default_rng(1)
    weights = ngrams.BlockWeights({b: rng.normal(size=ngrams.SLOTS) for b in ngrams.BLOCKS},
                                  {b: rng.random(ngrams.SLOTS) for b in ngrams.BLOCKS})
    path = tmp_path / "w.npz"
    weights.save(path)
    again = ngrams.BlockWeights.load(path)
    found = blocks(TEXTS)
    assert again.score(found) == pytest.approx(weights.score(found), rel=1e-5)
    monkeypatch.setattr(ngrams, "BUCKET_BITS", ngrams.BUCKET_BITS + 1)
    with pytest.raises(Exception, match="refit"):
        ngrams.BlockWeights.load(path)
