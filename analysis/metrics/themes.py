"""Themes: what the crowd talked about, as a handful of named themes per case, over time.

Method (one home for it; the Methods page and docs quote this docstring):
- the authored texts (originals, replies, quotes; retweets repeat a text they did not write)
  are tokenised as everywhere else (``terms.words``), the case's own hashtag and brand words
  removed, and weighted by TF-IDF;
- non-negative matrix factorisation (NMF, Lee & Seung 1999; scikit-learn) splits them into
  ``DEFAULT_THEMES`` themes. It is *seeded* by the case's target terms: part of the themes start
  from an NMF of the target-term columns alone (so "foreclosure, fraud, settlement" begins as
  one theme and "whale, libor" as another), the rest start from an NMF of everything else; the
  final NMF then refines all of them on the whole vocabulary;
- each theme is named by its top terms; each tweet (a retweet through the text it repeats)
  joins its dominant theme, or none when it has no weight on any;
- stability: the same procedure on two random halves of the texts; the halves' themes are
  matched one to one (Hungarian algorithm on the cosine similarity of their term weights). A
  theme found again on both halves scores near 1; a theme that is an artefact of one sample
  scores low.
"""

from __future__ import annotations

import base64
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.errors import BackfireError
from analysis.metrics import terms
from analysis.metrics.timeline import BIN_SIZES, assign_bins, bin_for_span

# "A handful": five themes read at a glance on a slide and still separate the grievances of
# every bundled case (fewer merge them, more split one grievance into near-duplicates).
DEFAULT_THEMES: Final = 5
# Distinct authored texts the model is fit on (a seeded sample): a few seconds on one core,
# and the halves for the stability check still hold 3,000 texts each.
FIT_TEXTS: Final = 6000
# Below 40 distinct texts a theme would rest on a handful of tweets.
MIN_TEXTS: Final = 40
# A word must appear in at least 3 distinct texts (rarer words are noise for a theme) and in
# at most 40% of them (more is the campaign's own vocabulary, not a theme).
MIN_DF: Final = 3
MAX_DF: Final = 0.4
MAX_FEATURES: Final = 4000
# Terms shown per theme, and how many of them make its name.
TOP_TERMS: Final = 8
NAME_TERMS: Final = 3
# Seeded themes: at most half of the themes (rounded up), and only when the target terms
# present in the vocabulary are at least twice as many as the seeded themes.
SEEDED_FRACTION: Final = 0.5
NMF_MAX_ITER: Final = 400
RANDOM_SEED: Final = 13
# Share-over-time bins holding fewer tweets than this are left out (a share of 3 tweets
# swings by a third with each one).
MIN_BIN_TWEETS: Final = 20
# About this many bins across the busy part of the case: a curve, not a comb.
TARGET_BINS: Final = 48
# The busy part: from the 1st to the 99th percentile of tweet times.
SPAN_QUANTILES: Final = (0.01, 0.99)
# Filler words that say how something was said, not what: kept out of the themes' vocabulary.
FILLER_WORDS: Final[frozenset[str]] = frozenset({
    "oh", "lol", "lmao", "wow", "ugh", "nah", "yes", "yeah", "really", "got", "get", "go",
    "going", "still", "look", "said", "sure", "just", "like", "now", "know", "think", "asking",
    "one", "will", "even", "much", "well", "ok", "okay", "haha", "omg", "pls", "please",
})
NO_THEME: Final = -1
NO_THEME_NAME: Final = "(no theme)"


@dataclass(frozen=True)
class ThemeModel:
    """A fitted theme model: the vocabulary, the NMF, and each theme's top terms."""

    vectorizer: TfidfVectorizer
    nmf: NMF
    top_terms: tuple[tuple[str, ...], ...]
    seeded: tuple[bool, ...]
    texts: int

    @property
    def names(self) -> list[str]:
        return [" · ".join(t[:NAME_TERMS]) for t in self.top_terms]

    def weights(self, texts: Sequence[str]) -> np.ndarray:
        """Theme weights of each text (rows), as NMF's transform gives them."""
        return np.asarray(self.nmf.transform(self.vectorizer.transform(texts)))

    def dominant(self, texts: Sequence[str]) -> np.ndarray:
        """The theme of each text: its heaviest theme, ``NO_THEME`` when it weighs nothing."""
        if not len(texts):
            return np.zeros(0, dtype=np.int64)
        w = self.weights(texts)
        out = w.argmax(axis=1).astype(np.int64)
        out[w.max(axis=1) <= 0] = NO_THEME
        return out


@dataclass(frozen=True)
class Stability:
    """How far the themes are found again on two random halves of the texts."""

    per_theme: tuple[float, ...]   # for each theme of the full model: mean matched cosine
    halves: float                  # mean cosine of the one-to-one matched themes of the halves

    def describe(self) -> str:
        return (f"On two random halves of the texts the themes match with a mean cosine "
                f"similarity of {self.halves:.2f} (1 = the same themes found again).")


@dataclass(frozen=True)
class Fitted:
    """A case's themes as the screens use them, without the model: each theme's top terms and
    whether it was seeded, each row's theme (``labels``, indexed like the case's table) and the
    themes' stability. Small enough to keep on disk beside the scored table
    (``analysis.store.summaries``)."""

    top_terms: tuple[tuple[str, ...], ...]
    seeded: tuple[bool, ...]
    texts: int
    labels: pd.Series
    stability: Stability

    @property
    def names(self) -> list[str]:
        return [" · ".join(t[:NAME_TERMS]) for t in self.top_terms]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values; the labels as little-endian int8 bytes in base64 (a theme
        number fits: at most ``DEFAULT_THEMES`` themes, -1 for none)."""
        codes = self.labels.to_numpy(dtype=np.int64).astype("<i1").tobytes()
        return {"top_terms": [list(t) for t in self.top_terms], "seeded": list(self.seeded),
                "texts": self.texts, "labels": base64.b64encode(codes).decode("ascii"),
                "stability": {"per_theme": list(self.stability.per_theme),
                              "halves": self.stability.halves}}

    @classmethod
    def from_json(cls, payload: dict[str, Any], index: pd.Index) -> Fitted:
        """Back from ``to_json``, the labels indexed by ``index`` (the case table's); raises
        ``ValueError`` when they do not fit it (a table that changed: recompute)."""
        codes = np.frombuffer(base64.b64decode(payload["labels"]), dtype="<i1").astype(np.int64)
        if len(codes) != len(index):
            raise ValueError(f"{len(codes)} theme labels for a table of {len(index)} rows")
        stable = payload["stability"]
        return cls(tuple(tuple(str(w) for w in t) for t in payload["top_terms"]),
                   tuple(bool(b) for b in payload["seeded"]), int(payload["texts"]),
                   pd.Series(codes, index=index, dtype=np.int64),
                   Stability(tuple(float(v) for v in stable["per_theme"]), float(stable["halves"])))


class Named(Protocol):
    """What ``report`` reads of a theme model (``ThemeModel`` or ``Fitted``)."""

    @property
    def names(self) -> list[str]: ...
    @property
    def top_terms(self) -> tuple[tuple[str, ...], ...]: ...
    @property
    def seeded(self) -> tuple[bool, ...]: ...


@dataclass(frozen=True)
class ThemeReport:
    """Themes of a case: a table (one row per theme), shares over time, and stability."""

    themes: pd.DataFrame     # theme, name, top_terms, seeded, tweets, share, stability
    over_time: pd.DataFrame  # bin_start, hours_since_launch, theme, name, tweets, share
    stability: Stability | None
    bin_size: pd.Timedelta | None


def _strip(texts: Iterable[str]) -> list[str]:
    """Texts as the model reads them: the tokens of ``terms.words`` joined by spaces."""
    return [" ".join(terms.words(t)) for t in texts]


def authored_texts(table: pd.DataFrame) -> pd.Series:
    """The distinct authored texts (retweets left out), as the model reads them."""
    own = table.loc[~table["is_retweet"].to_numpy(dtype=bool), "text"].dropna().astype(str)
    cleaned = pd.Series(_strip(own.unique()), dtype=object)
    return cleaned[cleaned.str.len() > 0].drop_duplicates().reset_index(drop=True)


def _tokenised(table: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Every row's text as the model reads it, tokenised once per distinct text: (each row's
    code, the distinct model texts). A retweet and its original share a code."""
    raw, uniques = pd.factorize(table["text"].fillna("").astype(str))
    codes, distinct = pd.factorize(pd.Series(_strip(uniques.tolist()), dtype=object))
    return (codes[raw] if len(raw) else np.zeros(0, np.int64)), [str(t) for t in distinct]


def _authored(table: pd.DataFrame, codes: np.ndarray, distinct: list[str]) -> pd.Series:
    """``authored_texts`` from ``_tokenised``'s result (same texts, same order)."""
    own = (~table["is_retweet"].to_numpy(dtype=bool)) & table["text"].notna().to_numpy(dtype=bool)
    texts = pd.Series([distinct[i] for i in pd.unique(codes[own])], dtype=object)
    return texts[texts.str.len() > 0].reset_index(drop=True)


def _seed_columns(vectorizer: TfidfVectorizer, target_terms: Iterable[str]) -> np.ndarray:
    vocab = vectorizer.vocabulary_
    words = {w for term in target_terms for w in terms.words(str(term))}
    return np.array(sorted(vocab[w] for w in words if w in vocab), dtype=np.int64)


def _nmf(k: int, init: str = "nndsvda") -> NMF:
    return NMF(n_components=k, init=init, random_state=RANDOM_SEED, max_iter=NMF_MAX_ITER)


def _seeded_init(x: sparse.csr_matrix, seed_cols: np.ndarray, k: int
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """Starting W, H: themes from the target-term columns first, then from the rest."""
    n_seeded = int(np.ceil(k * SEEDED_FRACTION))
    if len(seed_cols) < 2 * n_seeded:
        n_seeded = len(seed_cols) // 2
    blocks_w, blocks_h = [], []
    if n_seeded:
        seeds = x[:, seed_cols]
        model = _nmf(n_seeded)
        w = model.fit_transform(seeds)
        h = np.zeros((n_seeded, x.shape[1]))
        h[:, seed_cols] = model.components_
        blocks_w.append(w)
        blocks_h.append(h)
    free = k - n_seeded
    if free:
        rest = x.tolil(copy=True)
        if len(seed_cols):
            rest[:, seed_cols] = 0
        model = _nmf(free)
        blocks_w.append(model.fit_transform(rest.tocsr()))
        blocks_h.append(model.components_)
    # A small floor: multiplicative/coordinate updates cannot move an exact zero.
    w0 = np.hstack(blocks_w) + 1e-6
    h0 = np.vstack(blocks_h) + 1e-6
    return w0, h0, n_seeded


def _fit_nmf(x: sparse.csr_matrix, seed_cols: np.ndarray, k: int) -> tuple[NMF, int]:
    w0, h0, n_seeded = _seeded_init(x, seed_cols, k)
    model = _nmf(k, init="custom")
    # Themes settle well before the strict tolerance: after NMF_MAX_ITER the top terms no
    # longer change, so sklearn's "not converged" warning is noise here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, W=w0, H=h0)
    return model, n_seeded


def fit(table: pd.DataFrame, *, target_terms: Iterable[str] = (),
        stopwords: Iterable[str] = terms.BASE_STOPWORDS, n_themes: int = DEFAULT_THEMES,
        max_texts: int = FIT_TEXTS) -> ThemeModel:
    """Fit the themes on a seeded sample of the table's distinct authored texts."""
    return _fit_texts(_sample(table, max_texts), list(target_terms), frozenset(stopwords),
                      n_themes)


def fit_case(table: pd.DataFrame, *, target_terms: Iterable[str] = (),
             stopwords: Iterable[str] = terms.BASE_STOPWORDS, n_themes: int = DEFAULT_THEMES,
             max_texts: int = FIT_TEXTS) -> Fitted:
    """``fit``, ``assign`` and ``stability`` of a whole case, its texts tokenised once and
    each distinct model text assigned once: what the deep-dive and the story show."""
    codes, distinct = _tokenised(table)
    texts = _limited(_authored(table, codes, distinct), max_texts)
    seeds = list(target_terms)
    model = _fit_texts(texts, seeds, frozenset(stopwords), n_themes)
    labels = model.dominant(distinct)[codes] if len(codes) else np.zeros(0, np.int64)
    return Fitted(model.top_terms, model.seeded, model.texts,
                  pd.Series(labels, index=table.index, dtype=np.int64),
                  _stability(texts, model, seeds))


def _sample(table: pd.DataFrame, max_texts: int) -> pd.Series:
    """The distinct authored texts, a seeded sample of ``max_texts`` when there are more."""
    return _limited(authored_texts(table), max_texts)


def _limited(texts: pd.Series, max_texts: int) -> pd.Series:
    if len(texts) > max_texts:
        texts = texts.sample(max_texts, random_state=RANDOM_SEED).reset_index(drop=True)
    return texts


def _vectorizer(texts: pd.Series, stopwords: frozenset[str]) -> tuple[TfidfVectorizer, sparse.csr_matrix]:
    if len(texts) < MIN_TEXTS:
        raise BackfireError(f"themes need at least {MIN_TEXTS} distinct authored texts; "
                            f"this selection has {len(texts)}")
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", stop_words=sorted(stopwords | FILLER_WORDS),
                                 min_df=MIN_DF, max_df=MAX_DF, max_features=MAX_FEATURES,
                                 sublinear_tf=True)
    try:
        x = vectorizer.fit_transform(texts.tolist())
    except ValueError as err:  # every word pruned: too few or too uniform texts
        raise BackfireError(f"no theme can be found in this selection ({err})") from err
    return vectorizer, sparse.csr_matrix(x)


def _fit_texts(texts: pd.Series, target_terms: list[str], stopwords: frozenset[str],
               n_themes: int) -> ThemeModel:
    vectorizer, x = _vectorizer(texts, stopwords)
    k = max(1, min(n_themes, x.shape[1] - 1, len(texts) // 10))
    seed_cols = _seed_columns(vectorizer, target_terms)
    model, n_seeded = _fit_nmf(x, seed_cols, k)
    vocab = vectorizer.get_feature_names_out()
    tops = tuple(tuple(str(vocab[i]) for i in np.argsort(-row, kind="stable")[:TOP_TERMS] if row[i] > 0)
                 for row in model.components_)
    return ThemeModel(vectorizer, model, tops, tuple(i < n_seeded for i in range(k)), len(texts))


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    def unit(m: np.ndarray) -> np.ndarray:
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        return np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)
    return np.asarray(unit(a) @ unit(b).T)


def matched_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each row (theme) of ``a``: the cosine with the theme of ``b`` it is matched to,
    one to one (Hungarian algorithm, maximising the total similarity)."""
    sim = _cosine(a, b)
    rows, cols = linear_sum_assignment(-sim)
    out = np.zeros(a.shape[0])
    out[rows] = sim[rows, cols]
    return out


def stability(table: pd.DataFrame, model: ThemeModel, *, target_terms: Iterable[str] = (),
              max_texts: int = FIT_TEXTS) -> Stability:
    """Fit the same model on two random halves of the texts (same vocabulary) and match."""
    return _stability(_sample(table, max_texts), model, target_terms)


def _stability(texts: pd.Series, model: ThemeModel, target_terms: Iterable[str]) -> Stability:
    order = np.random.default_rng(RANDOM_SEED).permutation(len(texts))
    half = len(texts) // 2
    x = sparse.csr_matrix(model.vectorizer.transform(texts.tolist()))
    seed_cols = _seed_columns(model.vectorizer, target_terms)
    k = model.nmf.n_components_
    parts = [_fit_nmf(x[idx], seed_cols, k)[0].components_
             for idx in (order[:half], order[half:])]
    full = model.nmf.components_
    per_theme = (matched_similarity(full, parts[0]) + matched_similarity(full, parts[1])) / 2
    halves = float(matched_similarity(parts[0], parts[1]).mean())
    return Stability(tuple(float(v) for v in per_theme), halves)


def assign(table: pd.DataFrame, model: ThemeModel) -> pd.Series:
    """Each row's theme (index preserved); a retweet gets the theme of the text it repeats."""
    codes, uniques = pd.factorize(table["text"].fillna("").astype(str))
    themes = model.dominant(_strip(uniques.tolist()))
    return pd.Series(themes[codes] if len(codes) else np.zeros(0, np.int64), index=table.index,
                     dtype=np.int64)


def auto_bin(times: pd.Series) -> pd.Timedelta:
    """The bin width that gives about ``TARGET_BINS`` bins across the busy part of the case."""
    dated = times.dropna()
    if dated.empty:
        return BIN_SIZES["1h"]
    lo, hi = dated.quantile(list(SPAN_QUANTILES))
    return BIN_SIZES[bin_for_span(max(hi - lo, pd.Timedelta(minutes=5)), TARGET_BINS)]


def shares_over_time(table: pd.DataFrame, labels: pd.Series, names: Sequence[str], *,
                     launch: pd.Timestamp | None, width: pd.Timedelta) -> pd.DataFrame:
    """One row per (bin, theme): tweets of the theme and its share of the bin's themed tweets,
    over the busy part of the case; bins with fewer than ``MIN_BIN_TWEETS`` are left out."""
    columns = ["bin_start", "hours_since_launch", "theme", "name", "tweets", "share"]
    times = table["created_at"]
    dated = times.dropna()
    if dated.empty:
        return pd.DataFrame(columns=columns)
    lo, hi = dated.quantile(list(SPAN_QUANTILES))
    keep = ((times >= lo) & (times <= hi) & (labels != NO_THEME)).fillna(False).to_numpy(bool)
    times, themed = times[keep], labels[keep].to_numpy()
    bins = assign_bins(times, width, launch)
    k = len(names)
    counts = np.zeros((bins.count, k), dtype=np.int64)
    np.add.at(counts, (bins.index, themed[bins.rows]), 1)
    totals = counts.sum(axis=1)
    starts = bins.starts()
    rows = []
    for b in np.flatnonzero(totals >= MIN_BIN_TWEETS):
        hours = (starts[b] - launch) / pd.Timedelta(hours=1) if launch is not None else np.nan
        for t in range(k):
            rows.append((starts[b], hours, t, names[t], int(counts[b, t]), counts[b, t] / totals[b]))
    return pd.DataFrame(rows, columns=columns)


def report(table: pd.DataFrame, model: Named, *, labels: pd.Series | None = None,
           launch: pd.Timestamp | None = None, stable: Stability | None = None,
           width: pd.Timedelta | None = None) -> ThemeReport:
    """The theme table and shares over time of ``table`` (a view of the case the model was fit
    on: ``labels`` are the case's row themes, looked up by index; a ``Fitted`` brings its own
    labels and stability, a ``ThemeModel`` without labels assigns the rows)."""
    if isinstance(model, Fitted):
        labels = model.labels if labels is None else labels
        stable = model.stability if stable is None else stable
    if labels is None:
        if not isinstance(model, ThemeModel):
            raise TypeError("report: labels are needed for this model")
        labels = assign(table, model)
    else:
        labels = labels.loc[table.index]
    names = model.names
    counts = np.bincount(labels[labels != NO_THEME].to_numpy(), minlength=len(names))
    themed = counts.sum()
    frame = pd.DataFrame({
        "theme": range(len(names)),
        "name": names,
        "top_terms": [", ".join(t) for t in model.top_terms],
        "seeded": list(model.seeded),
        "tweets": counts,
        "share": counts / themed if themed else np.nan,
        "stability": list(stable.per_theme) if stable else np.nan,
    })
    width = width or auto_bin(table["created_at"])
    over = shares_over_time(table, labels, names, launch=launch, width=width)
    return ThemeReport(frame, over, stable, width)


class CaseLike(terms.CaseNames, Protocol):
    """What ``for_case`` reads of a case (``analysis.cases.Case``): its names, and these."""

    @property
    def launch(self) -> pd.Timestamp: ...
    @property
    def target_terms(self) -> Sequence[str]: ...


def for_case(case: CaseLike, table: pd.DataFrame, view: pd.DataFrame | None = None) -> ThemeReport:
    """A case's themes as the deep-dive shows them: fitted once on the whole case ``table``
    (seeded by its target terms, its own hashtag and brand words left out, so filters do not
    change what a theme is), with their stability, reported on ``view`` (a filtered part of
    ``table``; all of it by default). Raises ``BackfireError`` when there are too few texts."""
    found = fit_case(table, target_terms=case.target_terms,
                     stopwords=terms.stopwords_of(case))
    return report(table if view is None else view, found, launch=case.launch)
