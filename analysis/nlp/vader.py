"""VADER, column at a time: NLTK's ``SentimentIntensityAnalyzer`` over whole batches of texts.

The scores equal NLTK 3.10's ``polarity_scores`` (same lexicon, same constants, read from
NLTK itself) but every rule runs on flat NumPy/Arrow arrays of tokens instead of a Python
loop per word. The rules, as NLTK applies them:

- tokens: ``text.split()``, tokens of one character dropped, one leading *or* trailing mark of
  ``PUNC_LIST`` stripped when what remains is a punctuation-free word of two characters or more
  (NLTK's pair dictionary reduces to exactly this rule, see ``_strip_marks``);
- a token is scored at the position of its *first* occurrence in the text (NLTK looks tokens
  up with ``list.index``), so a repeated word takes its first context;
- booster words and "kind of" score 0; a lexicon word gets its valence, ±0.733 when it is in
  capitals while other words are not, then for each of the three preceding words that is not
  itself in the lexicon: the booster scalar (damped 1, 0.95, 0.9 by distance; capitals add
  0.733), negation (×−0.74: a NEGATE word or one containing "n't"), "never so/this" (×1.5
  and ×1.25), at the third step the idioms and the "sort of"/"kind of" bigrams; then "least";
- "but": words before the first "but" ×0.5, after it ×1.5;
- ``!`` (up to 4, 0.292 each) and ``?`` (2–3: 0.18 each, more: 0.96) emphasis, the
  normalisation ``x / sqrt(x² + 15)``, and the pos/neg/neu shares, rounded as NLTK rounds.

Sums run word by word in text order (as Python's ``sum`` does), so the floating-point results
are bit-identical, not merely close. ``tokenize`` is the one tokenisation pass of scoring:
hostility features and hashed n-grams read the same ``Tokens``.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from nltk.sentiment.vader import VaderConstants

from analysis.nlp import lexicon

CONSTANTS: Final = VaderConstants()
# NLTK's normalisation constant (``normalize(score, alpha=15)``).
ALPHA: Final = 15.0
# Exclamation marks: at most 4 count, 0.292 each. Question marks: 2 or 3 count 0.18 each,
# more than 3 count 0.96 in all (NLTK's _amplify_ep / _amplify_qm).
EP_MAX: Final = 4
EP_WEIGHT: Final = 0.292
QM_WEIGHT: Final = 0.18
QM_MAX_COUNTED: Final = 3
QM_CAP: Final = 0.96
# Damping of a booster's scalar by its distance from the scored word (1, 2 or 3 words before).
DISTANCE_DAMPING: Final = (1.0, 0.95, 0.9)
# "but": scores before the first "but" are halved, scores after it raised by half.
BUT_BEFORE: Final = 0.5
BUT_AFTER: Final = 1.5
# "never so/this" (two words before) and "so/this" (one or three words before).
NEVER_SO_TWO: Final = 1.5
NEVER_SO_THREE: Final = 1.25
# Rounding of NLTK's output: compound to 4 decimals, shares to 3.
COMPOUND_DECIMALS: Final = 4
SHARE_DECIMALS: Final = 3
# A value closer than this to a rounding tie is rounded by Python's ``round`` (which rounds
# the exact binary value), not by NumPy's scaled rint.
ROUNDING_TIE_BAND: Final = 1e-6
# ASCII punctuation, as NLTK's REGEX_REMOVE_PUNCTUATION (string.punctuation) in RE2 syntax.
PUNCTUATION_CLASS: Final = "[" + "".join("\\" + c for c in string.punctuation) + "]"
WORD_CHAR: Final = "[^" + "".join("\\" + c for c in string.punctuation) + "]"
SO_THIS: Final = ("so", "this")
COLUMNS: Final = ("compound", "pos", "neg", "neu")


@dataclass(frozen=True)
class Tokens:
    """VADER's tokens of a batch, flat: text ``doc[k]`` holds ``raw[k]`` at ``position[k]``."""

    column: pa.Array      # the texts themselves (large_string)
    raw: pa.Array         # tokens as NLTK keeps them (marks stripped), case preserved
    lower: pa.Array       # the same, lower-cased
    doc: np.ndarray       # int64 text index of each token
    position: np.ndarray  # int64 position of each token inside its text
    counts: np.ndarray    # int64 tokens per text
    starts: np.ndarray    # int64 flat index of each text's first token

    @property
    def size(self) -> int:
        return len(self.doc)


def text_column(texts: Sequence[str]) -> pa.Array:
    """The texts as an Arrow column; a lone surrogate (invalid UTF-8) becomes U+FFFD."""
    try:
        return pa.array(list(texts), type=pa.large_string())
    except UnicodeEncodeError:
        return pa.array([t.encode("utf-8", "replace").decode("utf-8") for t in texts],
                        type=pa.large_string())


def tokenize(texts: Sequence[str] | pa.Array) -> Tokens:
    """NLTK's ``SentiText.words_and_emoticons`` for every text, as flat arrays.

    Arrow's whitespace split uses the same 29 code points as ``str.split()`` (checked over all
    of Unicode by the tests); empty and one-character tokens are dropped as NLTK drops them.
    """
    column = texts if isinstance(texts, pa.Array) else text_column(texts)
    split = pc.utf8_split_whitespace(column)
    words = split.flatten()
    offsets = np.asarray(split.offsets, dtype=np.int64)
    lengths = offsets[1:] - offsets[:-1]
    doc = np.repeat(np.arange(len(column), dtype=np.int64), lengths)
    keep = _flag(pc.greater(pc.utf8_length(words), 1))
    words, doc = words.filter(pa.array(keep)), doc[keep]
    raw = _strip_marks(words)
    counts = np.bincount(doc, minlength=len(column)).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    position = np.arange(len(doc), dtype=np.int64) - starts[doc]
    return Tokens(column, raw, pc.utf8_lower(raw), doc, position, counts, starts)


def _flag(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)


def _strip_marks(words: pa.Array) -> pa.Array:
    """NLTK's ``_words_plus_punc`` lookup, as one rule per token.

    NLTK maps ``mark + word`` and ``word + mark`` back to ``word`` for every punctuation-free
    ``word`` of two characters or more in the text and every ``mark`` of ``PUNC_LIST``. A token
    ``mark + rest`` whose ``rest`` is punctuation-free is itself such a word of the text, so the
    lookup succeeds exactly when one end of the token is a whole ``PUNC_LIST`` mark and the
    rest holds no ASCII punctuation and at least two characters. Only tokens starting or ending
    with ASCII punctuation are examined; the marks are cut out of the byte buffer directly.
    """
    if len(words) == 0:
        return words.cast(pa.large_string())
    words = pa.concat_arrays([words.cast(pa.large_string())])  # own buffers, offset 0
    offsets = np.frombuffer(words.buffers()[1], dtype=np.int64)[: len(words) + 1]
    data_buffer = words.buffers()[2]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    punctuation = np.zeros(256, dtype=bool)
    punctuation[[ord(c) for c in string.punctuation]] = True
    first, last = data[offsets[:-1]], data[offsets[1:] - 1]
    candidates = np.flatnonzero(punctuation[first] | punctuation[last])
    if candidates.size == 0:
        return words
    subset = words.take(pa.array(candidates))
    marks = "|".join(re.escape(mark) for mark in sorted(CONSTANTS.PUNC_LIST, key=len, reverse=True))
    trailing = _flag(pc.match_substring_regex(subset, f"^{WORD_CHAR}{{2,}}(?:{marks})$"))
    leading = _flag(pc.match_substring_regex(subset, f"^(?:{marks}){WORD_CHAR}{{2,}}$"))
    core = pc.replace_substring_regex(subset, f"^{PUNCTUATION_CLASS}+|{PUNCTUATION_CLASS}+$", "")
    cut = (np.asarray(pc.binary_length(subset), dtype=np.int64)
           - np.asarray(pc.binary_length(core), dtype=np.int64))
    keep = np.ones(len(data), dtype=bool)
    for which, anchor in ((trailing, offsets[1:][candidates] - cut), (leading, offsets[:-1][candidates])):
        for step in range(int(cut.max(initial=0))):
            hit = which & (step < cut)
            keep[anchor[hit] + step] = False
    removed = np.zeros(len(words), dtype=np.int64)
    removed[candidates] = np.where(trailing | leading, cut, 0)
    new_offsets = np.concatenate([[0], np.cumsum(np.diff(offsets) - removed)]).astype(np.int64)
    kept = data[offsets[0]:offsets[-1]][keep[offsets[0]:offsets[-1]]]
    return pa.LargeStringArray.from_buffers(len(words), pa.py_buffer(new_offsets), pa.py_buffer(kept.tobytes()))


@functools.cache
def _lexicon() -> tuple[pa.Array, np.ndarray]:
    """NLTK's lexicon (read through ``lexicon.analyzer``): words and valences."""
    words = lexicon.analyzer().lexicon
    return pa.array(list(words), type=pa.large_string()), np.fromiter(words.values(), dtype=np.float64)


@functools.cache
def _boosters() -> tuple[pa.Array, np.ndarray]:
    """Single-word boosters (the two-word ones are matched as bigrams by the idiom rule)."""
    single = {word: value for word, value in CONSTANTS.BOOSTER_DICT.items() if " " not in word}
    return pa.array(list(single), type=pa.large_string()), np.fromiter(single.values(), dtype=np.float64)


@functools.cache
def _phrase_words() -> tuple[str, ...]:
    """Case-sensitive words the rules compare: "never so/this", idioms, two-word boosters."""
    phrases = [*CONSTANTS.SPECIAL_CASE_IDIOMS, *(k for k in CONSTANTS.BOOSTER_DICT if " " in k)]
    return tuple(sorted({"never", *SO_THIS, *(w for p in phrases for w in p.split(" "))}))


# Lower-cased words with a rule of their own.
RULE_WORDS: Final = ("kind", "of", "least", "at", "very", "but")


def lookup(values: pa.Array, keys: pa.Array | Sequence[str]) -> np.ndarray:
    """Index of each value in ``keys``, −1 when absent (one hash pass in Arrow)."""
    if not isinstance(keys, pa.Array):
        keys = pa.array(list(keys), type=pa.large_string())
    found = pc.index_in(values, value_set=keys)
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


@dataclass(frozen=True)
class Lexical:
    """Per-token lookups shared by VADER and the hostility features (one pass each)."""

    lexicon: np.ndarray   # index into the lexicon, −1 if not a lexicon word
    valence: np.ndarray   # lexicon valence, 0 if not a lexicon word
    booster: np.ndarray   # booster scalar, 0 if not a booster
    rule: np.ndarray      # index into RULE_WORDS (lower-case), −1 otherwise
    phrase: np.ndarray    # index into _phrase_words() (case-sensitive), −1 otherwise
    upper: np.ndarray     # str.isupper()


def lexical(tokens: Tokens) -> Lexical:
    lexicon_keys, lexicon_values = _lexicon()
    booster_keys, booster_values = _boosters()
    in_lexicon = lookup(tokens.lower, lexicon_keys)
    in_boosters = lookup(tokens.lower, booster_keys)
    return Lexical(
        lexicon=in_lexicon,
        valence=np.where(in_lexicon >= 0, lexicon_values[np.maximum(in_lexicon, 0)], 0.0),
        booster=np.where(in_boosters >= 0, booster_values[np.maximum(in_boosters, 0)], 0.0),
        rule=lookup(tokens.lower, RULE_WORDS),
        phrase=lookup(tokens.raw, _phrase_words()),
        upper=_flag(pc.utf8_is_upper(tokens.raw)),
    )


class _Around:
    """Values of the words around a set of scored tokens (``at``: flat token indices)."""

    def __init__(self, tokens: Tokens, at: np.ndarray) -> None:
        self.tokens, self.at = tokens, at
        self.position = tokens.position[at]
        self.count = tokens.counts[tokens.doc[at]]

    def exists(self, offset: int) -> np.ndarray:
        target = self.position + offset
        return (target >= 0) & (target < self.count)

    def get(self, array: np.ndarray, offset: int, fill: object) -> np.ndarray:
        """``array`` at the word ``offset`` places away (negative: before), else ``fill``."""
        valid = self.exists(offset)
        out = np.full(len(self.at), fill, dtype=array.dtype)
        out[valid] = array[self.at[valid] + offset]
        return out


def token_valences(tokens: Tokens, words: Lexical | None = None) -> np.ndarray:
    """Each token's sentiment as NLTK appends it (before the "but" rule); 0 off the lexicon."""
    words = lexical(tokens) if words is None else words
    out = np.zeros(tokens.size)
    kind_of_at = np.flatnonzero(words.rule == RULE_WORDS.index("kind"))
    scored = np.flatnonzero((words.lexicon >= 0) & (words.booster == 0))
    if scored.size == 0:
        return out
    near = _Around(tokens, scored)
    n_lower = _Around(tokens, kind_of_at)
    kind_of = np.zeros(tokens.size, dtype=bool)
    kind_of[kind_of_at] = n_lower.get(words.rule, 1, -1) == RULE_WORDS.index("of")
    values = _valences(tokens, words, near)
    values[kind_of[scored]] = 0.0
    out[scored] = values
    first = _first_occurrence(tokens, scored)
    out[scored] = out[first]
    return out


def _valences(tokens: Tokens, words: Lexical, near: _Around) -> np.ndarray:
    """NLTK's sentiment_valence for every lexicon word at once."""
    caps = np.bincount(tokens.doc, weights=words.upper, minlength=len(tokens.counts))
    cap_diff = ((tokens.counts - caps) > 0) & ((tokens.counts - caps) < tokens.counts)
    capitalised = cap_diff[tokens.doc[near.at]]
    v = words.valence[near.at].copy()
    v = np.where(words.upper[near.at] & capitalised,
                 np.where(v > 0, v + CONSTANTS.C_INCR, v - CONSTANTS.C_INCR), v)
    phrase = {word: i for i, word in enumerate(_phrase_words())}
    so_this = np.isin(words.phrase, [phrase[w] for w in SO_THIS])
    never = words.phrase == phrase["never"]
    negated = _negated(tokens, near)
    for step in range(3):
        back = -(step + 1)
        applies = (near.position > step) & (near.get(words.lexicon, back, 0) < 0)
        booster = near.get(words.booster, back, 0.0)
        scalar = np.where(v < 0, -booster, booster)
        capital_booster = near.get(words.upper, back, False) & capitalised & (booster != 0)
        scalar = np.where(capital_booster, np.where(v > 0, scalar + CONSTANTS.C_INCR,
                                                    scalar - CONSTANTS.C_INCR), scalar)
        if step:
            scalar = np.where(scalar != 0, scalar * DISTANCE_DAMPING[step], scalar)
        stepped = v + scalar
        negation = negated[step]
        if step == 0:
            stepped = np.where(negation, stepped * CONSTANTS.N_SCALAR, stepped)
        else:
            if step == 1:
                emphatic, factor = near.get(never, -2, False) & near.get(so_this, -1, False), NEVER_SO_TWO
            else:
                emphatic = ((near.get(never, -3, False) & near.get(so_this, -2, False))
                            | near.get(so_this, -1, False))
                factor = NEVER_SO_THREE
            stepped = np.where(emphatic, stepped * factor,
                               np.where(negation, stepped * CONSTANTS.N_SCALAR, stepped))
            if step == 2:
                stepped = _idioms(words, near, stepped)
        v = np.where(applies, stepped, v)
    return _least(words, near, v)


def _negated(tokens: Tokens, near: _Around) -> list[np.ndarray]:
    """NLTK's ``negated([word])`` for the words 1, 2 and 3 places before each scored word."""
    out = []
    negate = pa.array(sorted(CONSTANTS.NEGATE), type=pa.large_string())
    for distance in (1, 2, 3):
        valid = near.exists(-distance)
        found = np.zeros(len(near.at), dtype=bool)
        if valid.any():
            before = tokens.lower.take(pa.array(near.at[valid] - distance))
            found[valid] = _flag(pc.is_in(before, value_set=negate)) | _flag(pc.match_substring(before, "n't"))
        out.append(found)
    return out


def _least(words: Lexical, near: _Around, v: np.ndarray) -> np.ndarray:
    """NLTK's _least_check: "least" before a word negates it, unless "at least"/"very least"."""
    rule = {word: i for i, word in enumerate(RULE_WORDS)}
    previous_least = (near.get(words.rule, -1, -1) == rule["least"]) & (near.get(words.lexicon, -1, 0) < 0)
    guard = near.get(words.rule, -2, -1)
    guarded = (guard == rule["at"]) | (guard == rule["very"])
    first_branch = (near.position > 1) & previous_least
    negate = (first_branch & ~guarded) | (~first_branch & (near.position > 0) & previous_least)
    return np.where(negate, v * CONSTANTS.N_SCALAR, v)


def _idioms(words: Lexical, near: _Around, v: np.ndarray) -> np.ndarray:
    """NLTK's _idioms_check at the third step (case-sensitive word sequences)."""
    index = {word: i for i, word in enumerate(_phrase_words())}

    def sequence(offsets: tuple[int, ...], table: dict[str, float]) -> np.ndarray:
        value = np.full(len(v), np.nan)
        around = [near.get(words.phrase, offset, -1) for offset in offsets]
        for phrase, score in table.items():
            parts = phrase.split(" ")
            if len(parts) == len(offsets):
                hit = np.logical_and.reduce([a == index[p] for a, p in zip(around, parts, strict=True)])
                value = np.where(hit, score, value)
        return value

    idioms = {k: float(s) for k, s in CONSTANTS.SPECIAL_CASE_IDIOMS.items()}
    found = np.full(len(v), np.nan)
    # The first match in NLTK's order wins, then the two sequences after the word override.
    for offsets in reversed([(-1, 0), (-2, -1, 0), (-2, -1), (-3, -2, -1), (-3, -2)]):
        value = sequence(offsets, idioms)
        found = np.where(np.isnan(value), found, value)
    for offsets in ((0, 1), (0, 1, 2)):
        value = sequence(offsets, idioms)
        found = np.where(np.isnan(value), found, value)
    out = np.where(np.isnan(found), v, found)
    bigrams = {k: float(s) for k, s in CONSTANTS.BOOSTER_DICT.items() if " " in k}
    damped = ~np.isnan(sequence((-3, -2), bigrams)) | ~np.isnan(sequence((-2, -1), bigrams))
    return np.where(damped, out + CONSTANTS.B_DECR, out)


def _first_occurrence(tokens: Tokens, at: np.ndarray) -> np.ndarray:
    """For each token in ``at``, the first equal token of its text (NLTK's ``list.index``)."""
    codes = pc.dictionary_encode(tokens.raw.take(pa.array(at))).indices
    code = np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64)
    key = tokens.doc[at] * (int(code.max(initial=0)) + 1) + code
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return np.asarray(at[first[inverse.ravel()]], dtype=np.int64)


def scores(texts: Sequence[str] | None = None, tokens: Tokens | None = None,
           words: Lexical | None = None) -> np.ndarray:
    """``(n, 4)`` compound, pos, neg, neu: NLTK's ``polarity_scores`` of every text."""
    if tokens is None:
        if texts is None:
            raise ValueError("scores() needs texts or tokens")
        tokens = tokenize(texts)
    n = len(tokens.counts)
    words = lexical(tokens) if words is None else words
    sentiments = token_valences(tokens, words)
    nonzero = np.flatnonzero(sentiments)
    values = sentiments[nonzero]
    but_at = np.flatnonzero(words.rule == RULE_WORDS.index("but"))
    first_but = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_but, tokens.doc[but_at], tokens.position[but_at])
    doc = tokens.doc[nonzero]
    has_but = first_but[doc] < np.iinfo(np.int64).max
    relative = tokens.position[nonzero] - first_but[doc]
    values = np.where(has_but & (relative < 0), values * BUT_BEFORE,
                      np.where(has_but & (relative > 0), values * BUT_AFTER, values))
    total = _ordered_sum(doc, values, n)
    positive, negative = values > 0, values < 0
    pos_sum = _ordered_sum(doc[positive], values[positive] + 1, n)
    neg_sum = _ordered_sum(doc[negative], values[negative] - 1, n)
    neutral = tokens.counts - np.bincount(doc[values != 0], minlength=n)
    amplifier = _emphasis(tokens.column)
    total = np.where(total > 0, total + amplifier, np.where(total < 0, total - amplifier, total))
    compound = total / np.sqrt(total * total + ALPHA)
    more_positive, more_negative = pos_sum > np.abs(neg_sum), pos_sum < np.abs(neg_sum)
    pos_sum = np.where(more_positive, pos_sum + amplifier, pos_sum)
    neg_sum = np.where(more_negative, neg_sum - amplifier, neg_sum)
    empty = tokens.counts == 0
    share_total = np.where(empty, 1.0, pos_sum + np.abs(neg_sum) + neutral)
    out = np.column_stack([
        py_round(compound, COMPOUND_DECIMALS),
        py_round(np.abs(pos_sum / share_total), SHARE_DECIMALS),
        py_round(np.abs(neg_sum / share_total), SHARE_DECIMALS),
        py_round(np.abs(neutral / share_total), SHARE_DECIMALS),
    ])
    out[empty] = 0.0
    return out


def _ordered_sum(doc: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per-text sum adding values in text order, one rank at a time (Python's ``sum``, bit
    for bit: zeros, which NLTK also adds, change no float sum). ``doc`` is non-decreasing."""
    out = np.zeros(n)
    if doc.size == 0:
        return out
    group_start = np.flatnonzero(np.concatenate([[True], doc[1:] != doc[:-1]]))
    sizes = np.diff(np.concatenate([group_start, [doc.size]]))
    rank = np.arange(doc.size) - np.repeat(group_start, sizes)
    for r in range(int(sizes.max())):
        at = np.flatnonzero(rank == r) if r else group_start
        out[doc[at]] += values[at]
    return out


def _emphasis(column: pa.Array) -> np.ndarray:
    """NLTK's punctuation emphasis from ``!`` and ``?`` counts in the whole text."""
    bangs = np.asarray(pc.count_substring(column, "!").to_numpy(zero_copy_only=False), dtype=np.int64)
    questions = np.asarray(pc.count_substring(column, "?").to_numpy(zero_copy_only=False), dtype=np.int64)
    ep = np.minimum(bangs, EP_MAX) * EP_WEIGHT
    qm = np.where(questions > QM_MAX_COUNTED, QM_CAP,
                  np.where(questions > 1, questions * QM_WEIGHT, 0.0))
    return np.asarray(ep + qm, dtype=np.float64)


def py_round(values: np.ndarray, decimals: int) -> np.ndarray:
    """``round(x, decimals)`` as Python rounds (the exact binary value), vectorised.

    NumPy scales, rints and unscales; that agrees with Python except next to a tie, so values
    within ``ROUNDING_TIE_BAND`` of one are rounded by Python itself.
    """
    scaled = values * 10.0 ** decimals
    out = np.round(values, decimals)
    near_tie = np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) < ROUNDING_TIE_BAND
    for index in np.flatnonzero(near_tie):
        out[index] = round(float(values[index]), decimals)
    return out
