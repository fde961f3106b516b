"""The extra sentiment lexicons: read from their packages, scored vectorised, equal to a
per-text reference written from the lexicon files directly."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.nlp import lexicons, vader

TEXTS = ["I love this, a wonderful and happy day 😂", "awful, terrible service 😡😡", "", "the bus at 9",
         "❤ great", "bad bad good", "emoji only 🙂 and a rare one \U0001FAE0", "naïve café ☕ nice"]


def reference(text: str) -> list[float]:
    """One text at a time, from the lexicon tables (the slow, obvious way)."""
    tokens = vader.tokenize([text])
    words = [w.lower() for w in tokens.lower.to_pylist()]
    afinn_words, afinn_values = lexicons.afinn()
    afinn = dict(zip(afinn_words.to_pylist(), afinn_values, strict=True))
    forms, polarity, subjectivity = lexicons.pattern()
    pattern = {f: (p, s) for f, p, s in zip(forms.to_pylist(), polarity, subjectivity, strict=True)}
    values = [afinn.get(w, 0.0) for w in words]
    hits = [pattern[w] for w in words if w in pattern]
    table = lexicons.emoji_scores()
    emoji = [table[ord(c)] for c in text if ord(c) < lexicons.MAX_CODE_POINT and not np.isnan(table[ord(c)])]
    return [sum(v for v in values if v > 0), sum(v for v in values if v < 0),
            float(np.mean([h[0] for h in hits])) if hits else 0.0,
            float(np.mean([h[1] for h in hits])) if hits else 0.0,
            float(np.mean(emoji)) if emoji else 0.0]


def test_vectorised_scores_equal_the_per_text_reference() -> None:
    tokens = vader.tokenize(TEXTS)
    got = lexicons.scores(tokens, vader.text_column(TEXTS))
    assert got.shape == (len(TEXTS), len(lexicons.COLUMNS))
    np.testing.assert_allclose(got, [reference(t) for t in TEXTS], atol=1e-12)


@pytest.mark.parametrize(("text", "column", "sign"), [
    ("I love this, wonderful", "afinn_pos", 1), ("awful, terrible", "afinn_neg", -1),
    ("a great day", "pattern_polarity", 1), ("a horrible day", "pattern_polarity", -1),
    ("❤", "emoji_sentiment", 1), ("😡", "emoji_sentiment", -1)])
def test_scores_point_the_right_way(text: str, column: str, sign: int) -> None:
    value = lexicons.scores(vader.tokenize([text]), vader.text_column([text]))[0, lexicons.COLUMNS.index(column)]
    assert np.sign(value) == sign


def test_lexicons_are_read_from_the_installed_packages() -> None:
    words, values = lexicons.afinn()
    assert len(words) > 3000 and values.min() == -5 and values.max() == 5
    forms, polarity, subjectivity = lexicons.pattern()
    assert len(forms) > 1500 and polarity.min() >= -1 and polarity.max() <= 1 and subjectivity.max() <= 1
    assert np.count_nonzero(~np.isnan(lexicons.emoji_scores())) > 500


def test_code_points_decode_utf8_of_three_and_four_bytes() -> None:
    doc, points = lexicons.code_points(vader.text_column(["a€b", "", "x😂", "ü"]))
    assert sorted(zip(doc.tolist(), points.tolist(), strict=True)) == [(0, ord("€")), (2, ord("😂"))]
