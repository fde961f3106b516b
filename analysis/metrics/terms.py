"""Words, hashtags and accounts: what the crowd said and who carried it.

- hashtags: counts, co-occurrence with the campaign tag, spin-offs, a pair matrix;
- accounts: top posters vs most amplified (retweeted), top mentioned;
- language: word frequencies for word clouds, and distinctive terms of hostile vs non-hostile
  tweets by log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
  "Fightin' Words", Political Analysis 16(4)).

Text is tokenised the same way everywhere (``tokens``). Language functions count authored
posts only by default (``include_retweets=False``): a retweet repeats words it did not choose,
and one viral post would otherwise fill the cloud.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Protocol

import numpy as np
import pandas as pd
from scipy import sparse
from wordcloud import STOPWORDS

from analysis import schema
from analysis.metrics.filters import STANCES, Filters, apply, hostile_mask

# Lower-cased words of 2+ characters starting with a letter ('#' is dropped: #bailout -> bailout).
TOKEN_RE: Final = re.compile(r"[a-z][a-z0-9']*[a-z0-9]")
# Removed before tokenising: links and @mentions (schema.MENTION). A retweet's prefix is cut
# before that (schema.original_text).
STRIP_RE: Final = re.compile(rf"https?://\S+|www\.\S+|{schema.MENTION.pattern}")
# Twitter noise that wordcloud's English stopwords do not cover.
TWITTER_STOPWORDS: Final[frozenset[str]] = frozenset(
    {"rt", "amp", "via", "https", "http", "co", "gt", "lt", "im", "u", "ur", "dont", "cant"})
BASE_STOPWORDS: Final[frozenset[str]] = frozenset(w.lower() for w in STOPWORDS) | TWITTER_STOPWORDS
DEFAULT_TOP: Final = 20
DEFAULT_CLOUD_WORDS: Final = 150  # more words than a cloud can legibly show
# A hashtag is a spin-off of the campaign tag when it contains it (#askjpmfail) or when
# difflib's similarity is at least 0.6 (#mylapd vs #mynypd: 0.67), and it is not the campaign
# tag's own root (#nypd inside #mynypd).
SPINOFF_SIMILARITY: Final = 0.6
# Log-odds prior: the pooled corpus (both groups) at a tenth of its counts. It shrinks each
# group's word rate towards the pooled rate in proportion to the evidence, as Monroe et al.
# (2008, section 3.5) do with an informative Dirichlet prior, without the prior outweighing
# the groups themselves.
PRIOR_WEIGHT: Final = 0.1
# Words seen fewer than 3 times in total cannot be told apart from chance; they are skipped.
MIN_TERM_COUNT: Final = 3
DISTINCTIVE_COLUMNS: Final[list[str]] = ["term", "side", "hostile_count", "other_count",
                                         "log_odds", "z"]


# --- tokens and stopwords ------------------------------------------------------------------------

class CaseNames(Protocol):
    """The names of a case that its own texts repeat (``analysis.cases.Case`` has them)."""

    @property
    def hashtag(self) -> str: ...
    @property
    def brand(self) -> str: ...
    @property
    def brand_account(self) -> str: ...


def stopwords_of(case: CaseNames) -> frozenset[str]:
    """``case_stopwords`` of a case: its hashtag, brand words and account left out."""
    return case_stopwords(case.hashtag, case.brand, case.brand_account)


def case_stopwords(hashtag: str | None = None, brand: str | None = None,
                   brand_account: str | None = None, extra: Iterable[str] = ()) -> frozenset[str]:
    """``BASE_STOPWORDS`` plus the case's own terms: its hashtag, brand words and account.

    "J.P. Morgan" gives "morgan" and "jpmorgan"; "#myNYPD" gives "mynypd".
    """
    words = set(BASE_STOPWORDS)
    for term in (hashtag, brand, brand_account, *extra):
        if not term:
            continue
        low = term.lower().lstrip("#@")
        words.update(TOKEN_RE.findall(low))
        words.add(re.sub(r"[^a-z0-9]", "", low))
    words.discard("")
    return frozenset(words)


# One pass: skipped spans (STRIP_RE) match the first branch and leave the last group empty,
# words match the second and fill it.
_SCAN_RE: Final = re.compile(f"(?:{STRIP_RE.pattern})|({TOKEN_RE.pattern})")


def words(text: str) -> list[str]:
    """Tokens of one text: lower-cased, without the RT prefix, links and @handles."""
    return [groups[-1] for groups in _SCAN_RE.findall(schema.original_text(text).lower()) if groups[-1]]


def tokens(texts: pd.Series) -> pd.Series:
    """Tokens of each text: one row per token, indexed by the text's index label."""
    labels, found = [], []
    for label, text in zip(texts.index, texts.fillna("").tolist(), strict=True):
        for word in words(text):
            labels.append(label)
            found.append(word)
    return pd.Series(found, index=labels, dtype=object)


def term_counts(texts: pd.Series, stopwords: Iterable[str] = BASE_STOPWORDS) -> pd.Series:
    """Token -> occurrences over ``texts`` (each distinct text tokenised once), most frequent first.

    A plain Python loop over distinct texts: faster here than pandas' string methods, which
    convert Arrow strings back and forth.
    """
    distinct = texts.dropna().value_counts()
    counter: Counter[str] = Counter()
    for text, times in zip(distinct.index.tolist(), distinct.tolist(), strict=True):
        found = words(str(text))
        if times == 1:
            counter.update(found)
        else:
            for word in found:
                counter[word] += times
    stop = frozenset(stopwords)
    for word in stop.intersection(counter):
        del counter[word]
    if not counter:
        return pd.Series(dtype=np.int64)
    counts = pd.Series(counter, dtype=np.int64)
    order = np.lexsort((counts.index.to_numpy(dtype=str), -counts.to_numpy()))
    return counts.iloc[order]


def word_frequencies(table: pd.DataFrame, *, stopwords: Iterable[str] = BASE_STOPWORDS,
                     top: int = DEFAULT_CLOUD_WORDS,
                     include_retweets: bool = False) -> dict[str, int]:
    """Word -> count for a word cloud (the dashboard renders it), at most ``top`` words."""
    texts = table["text"] if include_retweets else table["text"][~table["is_retweet"].to_numpy(dtype=bool)]
    counts = term_counts(texts, stopwords).head(top)
    return {str(k): int(v) for k, v in counts.items()}


def stance_frequencies(table: pd.DataFrame, *, stopwords: Iterable[str] = BASE_STOPWORDS,
                       stances: tuple[str, ...] = ("hostile", "supportive"),
                       top: int = DEFAULT_CLOUD_WORDS,
                       include_retweets: bool = False) -> dict[str, dict[str, int]]:
    """Word frequencies per stance (keys of ``filters.STANCES``), e.g. hostile vs supportive."""
    stop = frozenset(stopwords)
    needed = [c for c in ("text", "is_retweet", "hostile", "sentiment") if c in table.columns]
    slim = table[needed]  # filtering copies rows: copy only the columns words need
    return {stance: word_frequencies(apply(slim, Filters(stance=stance)), stopwords=stop,
                                     top=top, include_retweets=include_retweets)
            for stance in stances if stance in STANCES}


def distinctive_terms(table: pd.DataFrame, *, stopwords: Iterable[str] = BASE_STOPWORDS,
                      top: int = DEFAULT_TOP, prior_weight: float = PRIOR_WEIGHT,
                      min_count: int = MIN_TERM_COUNT,
                      include_retweets: bool = False) -> pd.DataFrame:
    """Terms most distinctive of hostile (``side`` "hostile") vs non-hostile tweets.

    For word w with counts y_h, y_o in the hostile and other groups (totals n_h, n_o), prior
    a_w = ``prior_weight`` x (y_h + y_o) and a_0 = sum of a_w:
        delta_w = log((y_h + a_w) / (n_h + a_0 - y_h - a_w)) - log((y_o + a_w) / (n_o + a_0 - y_o - a_w))
        z_w = delta_w / sqrt(1 / (y_h + a_w) + 1 / (y_o + a_w))
    Returns the ``top`` highest z (side "hostile") and the ``top`` lowest (side "not_hostile"),
    columns: term, side, hostile_count, other_count, log_odds, z.
    """
    columns = DISTINCTIVE_COLUMNS
    if "hostile" not in table.columns:
        return pd.DataFrame(columns=columns)
    keep = np.ones(len(table), dtype=bool) if include_retweets else ~table["is_retweet"].to_numpy(dtype=bool)
    flag = table["hostile"].fillna(False).to_numpy(dtype=bool)
    stop = frozenset(stopwords)
    texts = table["text"]
    y = pd.concat({"h": term_counts(texts[keep & flag], stop),
                   "o": term_counts(texts[keep & ~flag], stop)}, axis=1).fillna(0)
    if y.empty or not (y["h"].sum() and y["o"].sum()):
        return pd.DataFrame(columns=columns)
    scored = log_odds(y["h"].to_numpy(float), y["o"].to_numpy(float), prior_weight)
    frame = pd.DataFrame({"term": y.index.astype(str), "hostile_count": y["h"].astype(np.int64),
                          "other_count": y["o"].astype(np.int64),
                          "log_odds": scored[0], "z": scored[1]}).reset_index(drop=True)
    frame = frame.loc[(frame["hostile_count"] + frame["other_count"]) >= min_count]
    frame = frame.sort_values(["z", "term"], ascending=[False, True], kind="stable")
    hostile = frame.loc[frame["z"] > 0].head(top).assign(side="hostile")
    other = frame.loc[frame["z"] < 0].sort_values(["z", "term"], kind="stable")
    other = other.head(top).assign(side="not_hostile")
    return pd.concat([hostile, other], ignore_index=True)[columns]


@dataclass(frozen=True)
class Language:
    """What the Language tab shows of a table: its distinctive terms (``distinctive_terms``)
    and word frequencies per stance (``stance_frequencies``); small, kept on disk for a whole
    case (``analysis.store.summaries``)."""

    distinctive: pd.DataFrame
    frequencies: dict[str, dict[str, int]]

    def to_json(self) -> dict[str, Any]:
        return {"distinctive": self.distinctive.to_dict(orient="list"),
                "frequencies": self.frequencies}

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> Language:
        frame = pd.DataFrame(payload["distinctive"], columns=DISTINCTIVE_COLUMNS)
        frame = frame.astype({"term": str, "side": str, "hostile_count": np.int64,
                              "other_count": np.int64, "log_odds": float, "z": float})
        return cls(frame, {stance: {str(w): int(n) for w, n in words.items()}
                           for stance, words in payload["frequencies"].items()})


def language(table: pd.DataFrame, *, stopwords: Iterable[str] = BASE_STOPWORDS) -> Language:
    """The Language tab's terms of ``table``."""
    stop = frozenset(stopwords)
    return Language(distinctive_terms(table, stopwords=stop),
                    stance_frequencies(table, stopwords=stop))


def log_odds(y_a: np.ndarray, y_b: np.ndarray,
             prior_weight: float = PRIOR_WEIGHT) -> tuple[np.ndarray, np.ndarray]:
    """Monroe et al. (2008) log-odds ratio with an informative Dirichlet prior: (delta, z).

    The prior is the pooled counts times ``prior_weight`` (see ``distinctive_terms``).
    """
    alpha = prior_weight * (y_a + y_b)
    a0 = alpha.sum()
    n_a, n_b = y_a.sum(), y_b.sum()
    delta = (np.log((y_a + alpha) / (n_a + a0 - y_a - alpha))
             - np.log((y_b + alpha) / (n_b + a0 - y_b - alpha)))
    variance = 1.0 / (y_a + alpha) + 1.0 / (y_b + alpha)
    return delta, delta / np.sqrt(variance)


# --- hashtags ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Entities:
    """A list column as (row, code) pairs, each entity once per tweet; ``names[code]``."""

    rows: np.ndarray
    codes: np.ndarray
    names: np.ndarray

    def counts(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Tweets carrying each entity (only among ``rows`` when given)."""
        codes = self.codes if rows is None else self.codes[np.isin(self.rows, rows)]
        return np.bincount(codes, minlength=len(self.names))


def _entities(table: pd.DataFrame, column: str) -> _Entities:
    """Flatten a list column (lower-cased, without '#'/'@'), deduplicated within each tweet."""
    # canonical tables hold lists (schema.conform); anything else counts as no entity
    values = table[column].tolist()
    try:
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    except TypeError:  # a missing value instead of a list: count it as no entity
        values = [v if isinstance(v, list | tuple) else [] for v in values]
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    flat = np.fromiter(itertools.chain.from_iterable(values), dtype=object, count=int(lengths.sum()))
    rows = np.repeat(np.arange(len(values)), lengths)
    codes, uniques = pd.factorize(flat)
    clean = pd.Index(uniques).astype(str).str.lower().str.lstrip("#@")
    merged, names = pd.factorize(np.asarray(clean, dtype=object))
    codes = merged[codes] if len(codes) else codes.astype(np.int64)
    width = max(len(names), 1)
    pairs = _distinct(rows * width + codes)
    return _Entities(rows=pairs // width, codes=pairs % width, names=np.asarray(names, dtype=object))


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int64 array (a sort: faster here than np.unique's hashing)."""
    ordered = np.sort(values.astype(np.int64, copy=False))
    if len(ordered) == 0:
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]


def is_spinoff(tag: str, focus: str) -> bool:
    """Whether ``tag`` is a spin-off of the campaign tag ``focus`` (see ``SPINOFF_SIMILARITY``)."""
    tag, focus = tag.lower().lstrip("#"), focus.lower().lstrip("#")
    if tag == focus or tag in focus:
        return False
    if focus in tag:
        return True
    matcher = difflib.SequenceMatcher(None, focus, tag)
    # cheap upper bounds first: most tags are nothing like the campaign tag
    return (matcher.real_quick_ratio() >= SPINOFF_SIMILARITY
            and matcher.quick_ratio() >= SPINOFF_SIMILARITY
            and matcher.ratio() >= SPINOFF_SIMILARITY)


def hashtags(table: pd.DataFrame, focus: str | None = None, *, top: int = DEFAULT_TOP,
             spinoffs: Iterable[str] = ()) -> pd.DataFrame:
    """The ``top`` hashtags by tweets carrying them, with co-occurrence with ``focus``.

    Columns: hashtag, tweets, share (of all tweets), with_focus (tweets carrying both this tag
    and ``focus``), is_focus, is_spinoff. A spin-off is listed in ``spinoffs`` (the case file's
    ``spinoff_hashtags``) or passes ``is_spinoff``; spin-offs are always listed, even below the top.
    """
    known = {s.lower().lstrip("#") for s in spinoffs}
    tags = _entities(table, "hashtags")
    focus_key = (focus or "").lower().lstrip("#")
    names = [str(n) for n in tags.names]
    out = pd.DataFrame({"hashtag": pd.array(names, dtype="string"),
                        "tweets": tags.counts()})
    out["share"] = out["tweets"] / max(len(table), 1)
    if focus_key in names:
        focus_rows = tags.rows[tags.codes == names.index(focus_key)]
        out["with_focus"] = tags.counts(focus_rows)
    else:
        out["with_focus"] = np.zeros(len(out), dtype=np.int64)
    out["is_focus"] = out["hashtag"] == focus_key
    out["is_spinoff"] = np.array([t in known or (bool(focus_key) and is_spinoff(t, focus_key))
                                  for t in names], dtype=bool)
    out = out.sort_values(["tweets", "hashtag"], ascending=[False, True], kind="stable")
    keep = (np.arange(len(out)) < top) | out["is_spinoff"].to_numpy()
    return out.loc[keep].reset_index(drop=True)


def cooccurrence(table: pd.DataFrame, *, top: int = 15) -> pd.DataFrame:
    """Tweets carrying both hashtags, for every pair of the ``top`` hashtags (tidy, symmetric).

    Columns: a, b, tweets; the diagonal (a == b) is the tag's own tweet count.
    """
    tags = _entities(table, "hashtags")
    counts = tags.counts()
    chosen = np.lexsort((tags.names.astype(str), -counts))[:top] if len(counts) else np.zeros(0, int)
    if len(chosen) == 0:
        return pd.DataFrame(columns=["a", "b", "tweets"])
    position = np.full(len(counts), -1)
    position[chosen] = np.arange(len(chosen))
    keep = position[tags.codes] >= 0
    matrix = sparse.csr_matrix((np.ones(int(keep.sum())), (tags.rows[keep], position[tags.codes[keep]])),
                               shape=(len(table), len(chosen)))
    pairs = (matrix.T @ matrix).toarray().astype(np.int64)
    names = tags.names[chosen].astype(str)
    a, b = np.meshgrid(np.arange(len(chosen)), np.arange(len(chosen)), indexing="ij")
    return pd.DataFrame({"a": names[a.ravel()], "b": names[b.ravel()], "tweets": pairs.ravel()})


# --- accounts ------------------------------------------------------------------------------------

def _ranked(frame: pd.DataFrame, by: str, top: int) -> pd.DataFrame:
    frame = frame.sort_values([by, "account"], ascending=[False, True], kind="stable")
    return frame.head(top).reset_index(drop=True)


def top_posters(table: pd.DataFrame, *, top: int = DEFAULT_TOP) -> pd.DataFrame:
    """Accounts that posted most: account, tweets, originals, retweets, hostile_share."""
    codes, names = pd.factorize(table["author"])
    ok = codes >= 0
    n = len(names)
    tweets = np.bincount(codes[ok], minlength=n)
    retweets = np.bincount(codes[ok], weights=table["is_retweet"].to_numpy(dtype=bool)[ok], minlength=n)
    frame = pd.DataFrame({"account": pd.array(np.asarray(names, dtype=object), dtype="string"),
                          "tweets": tweets, "originals": tweets - retweets.astype(np.int64),
                          "retweets": retweets.astype(np.int64)})
    hostile = hostile_mask(table)
    frame["hostile_share"] = (np.bincount(codes[ok], weights=hostile[ok], minlength=n) / np.maximum(tweets, 1)
                              if hostile is not None else np.nan)
    return _ranked(frame, "tweets", top)


def most_amplified(table: pd.DataFrame, *, top: int = DEFAULT_TOP) -> pd.DataFrame:
    """Accounts retweeted most in the archive: account, retweets_received, retweeters, posts_retweeted."""
    wanted = table["is_retweet"].to_numpy(dtype=bool) & table["retweeted_author"].notna().to_numpy(dtype=bool)
    rts = table[["retweeted_author", "author", "retweeted_id"]].loc[wanted]
    codes, names = pd.factorize(rts["retweeted_author"])
    n = len(names)
    received = np.bincount(codes, minlength=n)

    def distinct(column: str) -> np.ndarray:
        other = pd.factorize(rts[column])[0].astype(np.int64)
        ok = other >= 0
        pairs = _distinct(codes[ok].astype(np.int64) * (int(other.max(initial=0)) + 1) + other[ok])
        return np.bincount(pairs // (int(other.max(initial=0)) + 1), minlength=n)

    frame = pd.DataFrame({"account": pd.array(np.asarray(names, dtype=object), dtype="string"),
                          "retweets_received": received, "retweeters": distinct("author"),
                          "posts_retweeted": distinct("retweeted_id")})
    return _ranked(frame, "retweets_received", top)


def top_mentions(table: pd.DataFrame, *, top: int = DEFAULT_TOP) -> pd.DataFrame:
    """Accounts mentioned most: account (lower-cased), mentions (tweets mentioning it).

    On a retweet, the mention of the retweeted author is the "RT @author" attribution, not a
    mention, and is not counted.
    """
    found = _entities(table, "mentions")
    rt_author = table["retweeted_author"].str.lower().to_numpy(dtype=object, na_value=None)
    attribution = rt_author[found.rows] == found.names[found.codes]
    counts = np.bincount(found.codes[~attribution], minlength=len(found.names))
    frame = pd.DataFrame({"account": pd.array(found.names.astype(str), dtype="string"),
                          "mentions": counts})
    return _ranked(frame.loc[frame["mentions"] > 0], "mentions", top)
