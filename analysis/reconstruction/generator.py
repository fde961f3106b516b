"""Deterministic generator of the reconstructed archives (Twitter API v1.1 JSONL.gz).

For each reconstruction case it writes, under ``paths.archives_dir()`` (or ``out_dir``):
- ``<name>.jsonl.gz``: one v1.1 tweet object per line, newest first (as a search collector
  writes them), including real ``retweeted_status`` / ``quoted_status`` objects, replies to
  the brand, a few non-English tweets, spam accounts posting identical texts and a few exact
  duplicate lines (overlapping collection pages);
- ``<name>.truth.csv``: ``tweet_id,stance,hostile,theme`` for every tweet that is not a
  retweet (evaluation only: the dashboard never reads it); ``theme`` is the case theme the text
  was drawn from (``general`` for shared templates, ``none`` for brand and spam tweets);
- ``<name>.meta.json``: generator version, seed and case-file hash, so ``--if-missing``
  rebuilds stale archives.

Same case file + seed + ``GENERATOR_VERSION`` give the same bytes: a seeded numpy
``Generator``, fixed key order, gzip ``mtime=0`` and no file name in the gzip header.

Everything the generator needs for a case is in its ``[reconstruction]`` table (volume
curve, stance mix over time, shares of retweets/replies/quotes/spam/languages, amplifier
accounts, brand tweets, spin-off hashtags, phrase grammar); this module holds no case facts.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import orjson
import pandas as pd

from analysis import schema
from analysis.cases import HOSTILE_STANCES, STANCES, TOML_NUMBER, Case, check_keys
from analysis.errors import CaseError
from analysis.reconstruction.grammar import (
    COMMON_FILE,
    COMPOSED_STANCES,
    Composer,
    Draws,
    grammar_for,
)
from analysis.store import atomic, paths

# Bump when the output for the same case file and seed changes (invalidates built archives).
GENERATOR_VERSION: Final = "1.5"
ORIGINAL, RETWEET, REPLY, QUOTE = 0, 1, 2, 3
STANCE_INDEX: Final[dict[str, int]] = {s: i for i, s in enumerate(STANCES)}
HOSTILE_MASK: Final = np.array([s in HOSTILE_STANCES for s in STANCES])
# Lines per page of a search collector: duplicates appear at page boundaries.
PAGE_LINES: Final = 100
# gzip level 1: JSON still shrinks ~8x and it is 4x faster than the default; the writes run in
# a second thread (zlib frees the GIL).
GZIP_LEVEL: Final = 1
# Lines serialised per chunk handed to the compressing thread.
CHUNK_LINES: Final = 4000
# Share of replies addressed to the brand's latest tweet (the rest answer other tweets).
REPLY_TO_BRAND_SHARE: Final = 0.65
# How far back (minutes) a retweeter looks around the drawn delay, and the weight of followers.
RETWEET_WINDOW_MINUTES: Final = 120.0
FOLLOWER_EXPONENT: Final = 0.55
KIND_VIRALITY: Final[dict[int, float]] = {ORIGINAL: 1.0, REPLY: 0.25, QUOTE: 0.8}
# The truth table's theme for brand and spam tweets (no grammar theme).
NO_THEME: Final = "none"
# Share of hostile/other tweets that carry one of the case's co-hashtags.
COHASHTAG_SHARE: Final = 0.1
DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PROFILE_IMAGE: Final = "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
NEWS_HOST: Final = "http://news.example.com/story/"
URL_RE: Final = re.compile(r"http://t\.co/\w+")

# key -> (TOML types, required) of a [reconstruction] table, as data: its keys by type
# (check_keys reports the first missing key in this order).
RECON_KEYS: Final[dict[str, tuple[Any, bool]]] = {
    **dict.fromkeys(("seed", "spam_accounts", "brand_followers"), (int, True)),
    **dict.fromkeys(("window_start_hours", "window_end_hours", "retweet_share", "reply_share",
                     "quote_share", "spam_share", "non_english_share", "duplicate_line_share",
                     "author_ratio", "activity_sigma", "followers_median", "followers_sigma",
                     "retweet_delay_median_minutes", "retweet_delay_sigma", "virality_sigma"),
                    (TOML_NUMBER, True)),
    **dict.fromkeys(("rate", "stance_mix", "languages", "brand_tweets"), (list, True)),
    **dict.fromkeys(("stance_virality", "photo_share", "grammar"), (dict, True)),
    "brand_name": (str, True),
    # Optional. hostile_from_hours / hindsight_from_hours: hours since launch before which no
    # tweet attacks the brand (the tag did not exist yet) and before which no text reacts to the
    # backlash (a teaser can draw mockery, not hindsight); absent, no such limit (the case's
    # stance mix and grammar say it all).
    **dict.fromkeys(("rhythm_amplitude", "rhythm_peak_local_hour", "utc_offset_hours",
                     "hostile_from_hours", "hindsight_from_hours"), (TOML_NUMBER, False)),
    # brand_series: many routine brand tweets (e.g. hundreds of answers), spread evenly over a
    # window.
    **dict.fromkeys(("amplifiers", "spinoffs", "brand_series", "cohashtags"), (list, False)),
    "brand_retweets": (dict, False),
}


@dataclass(frozen=True)
class BuildResult:
    case_id: str
    archive: Path
    truth: Path
    tweets: int
    lines: int
    originals: int
    retweets: int
    seconds: float


@dataclass
class _Authors:
    handles: list[str]
    names: list[str]
    ids: np.ndarray
    followers: np.ndarray
    friends: np.ndarray
    statuses: np.ndarray
    created: list[str]
    locations: list[str]
    bios: list[str]
    sources: list[str]
    verified: np.ndarray
    fragments: dict[int, orjson.Fragment] = field(default_factory=dict)
    by_handle: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_handle = {h.lower(): i for i, h in enumerate(self.handles)}


@dataclass
class _Plan:
    t_ms: np.ndarray
    kind: np.ndarray
    stance: np.ndarray
    author: np.ndarray
    ref: np.ndarray
    lang: np.ndarray
    spin: np.ndarray
    ids: np.ndarray
    fixed_text: dict[int, str]
    fixed_likes: dict[int, int]


# --------------------------------------------------------------------------- public API

def archive_name(case_id: str, scale: int | None = None) -> str:
    """File stem of a case's archive: ``<id>`` or ``<id>-<N>`` for scaled benchmarks."""
    return f"{case_id}-{scale}" if scale else case_id


def is_current(case: Case, *, out_dir: Path | None = None, seed: int | None = None,
               scale: int | None = None) -> bool:
    """True when the archive, truth and meta exist and match version, seed and case file."""
    folder = out_dir or paths.archives_dir()
    stem = archive_name(case.id, scale)
    meta_path = folder / f"{stem}.meta.json"
    if not all((folder / f"{stem}{s}").is_file() for s in (".jsonl.gz", ".truth.csv", ".meta.json")):
        return False
    try:
        meta = orjson.loads(meta_path.read_bytes())
    except orjson.JSONDecodeError:
        return False
    return bool(meta == _meta(case, seed, scale) | {k: meta.get(k) for k in _COUNT_KEYS})


def ensure_archive(case: Case) -> Path:
    """The case's bundled archive, built first when absent or stale; its path."""
    if not is_current(case):
        build_case(case)
    return case.archive_path


def build_case(case: Case, *, out_dir: Path | None = None, seed: int | None = None,
               scale: int | None = None) -> BuildResult:
    """Generate and write one case's archive, truth table and meta file."""
    started = time.perf_counter()
    recon = _with_brand_series(reconstruction_of(case))
    folder = out_dir or paths.archives_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = archive_name(case.id, scale)
    run_seed = int(recon["seed"] if seed is None else seed)
    # The version is not part of the seed: a fix that changes bytes should not reshuffle every
    # calibrated figure; it only invalidates archives built by an older version (meta file).
    rng = np.random.default_rng([run_seed, zlib.crc32(case.id.encode())])
    draws = Draws(rng)
    grammar = grammar_for(case)
    composer = Composer(grammar, draws, hashtag=case.hashtag, brand_account=case.brand_account)
    early = Composer(grammar.without_hindsight(), draws, hashtag=case.hashtag,
                     brand_account=case.brand_account)
    plan, authors = _plan(case, recon, rng, draws, scale)
    texts, themes = _texts(case, recon, plan, authors, (early, composer), draws)
    archive = folder / f"{stem}.jsonl.gz"
    lines = _write_archive(archive, case, recon, plan, authors, texts, rng)
    truth = folder / f"{stem}.truth.csv"
    _write_truth(truth, plan, themes)
    retweets = int((plan.kind == RETWEET).sum())
    result = BuildResult(case.id, archive, truth, len(plan.t_ms), lines,
                         len(plan.t_ms) - retweets, retweets, 0.0)
    counts = {"tweets": result.tweets, "lines": lines, "originals": result.originals,
              "retweets": retweets}
    atomic.write_bytes(folder / f"{stem}.meta.json",
                       orjson.dumps(_meta(case, seed, scale) | counts, option=orjson.OPT_INDENT_2))
    return BuildResult(**{**result.__dict__, "seconds": time.perf_counter() - started})


def reconstruction_of(case: Case) -> Mapping[str, Any]:
    """The case's ``[reconstruction]`` table, validated (``CaseError`` names file and key)."""
    where = str(case.source or case.id)
    recon = case.reconstruction
    if recon is None:
        raise CaseError(f"{where}: key 'reconstruction': case {case.id!r} has no reconstruction")
    check_keys(recon, RECON_KEYS, where, prefix="reconstruction.")
    _check_knots(recon["rate"], where, "reconstruction.rate")
    if not recon["window_start_hours"] < recon["window_end_hours"]:
        raise CaseError(f"{where}: key 'reconstruction.window_end_hours': must follow window_start_hours")
    for i, row in enumerate(recon["stance_mix"]):
        if not isinstance(row, Mapping) or "at" not in row:
            raise CaseError(f"{where}: key 'reconstruction.stance_mix[{i}]': needs 'at' and weights")
        unknown = set(row) - {"at", *COMPOSED_STANCES}
        if unknown:
            raise CaseError(f"{where}: key 'reconstruction.stance_mix[{i}]': unknown stance "
                            f"{sorted(unknown)[0]!r}")
    for i, tweet in enumerate(recon["brand_tweets"]):
        if not isinstance(tweet, Mapping) or "text" not in tweet or not {"hours", "time"} & set(tweet):
            raise CaseError(f"{where}: key 'reconstruction.brand_tweets[{i}]': needs text and "
                            "hours (since launch) or time (UTC)")
    for i, spec in enumerate(recon.get("brand_series", [])):
        texts = spec.get("texts") if isinstance(spec, Mapping) else None
        if (not isinstance(spec, Mapping) or not {"from_hours", "to_hours", "count"} <= set(spec)
                or not isinstance(texts, list) or not texts
                or not all(isinstance(t, str) for t in texts)):
            raise CaseError(f"{where}: key 'reconstruction.brand_series[{i}]': needs from_hours, "
                            "to_hours, count and a non-empty list of texts")
    for i, amp in enumerate(recon.get("amplifiers", [])):
        needed = {"screen_name", "followers", "from_hours", "to_hours", "posts", "stances"}
        if not isinstance(amp, Mapping) or not needed <= set(amp):
            raise CaseError(f"{where}: key 'reconstruction.amplifiers[{i}]': needs "
                            f"{', '.join(sorted(needed))}")
    return recon


def _with_brand_series(recon: Mapping[str, Any]) -> Mapping[str, Any]:
    """``recon`` with each ``[[brand_series]]`` (from_hours, to_hours, count, texts) expanded
    into evenly spaced brand tweets that cycle through its texts."""
    series = recon.get("brand_series", [])
    if not series:
        return recon
    extra = []
    for spec in series:
        lo, hi, count = float(spec["from_hours"]), float(spec["to_hours"]), int(spec["count"])
        texts = list(spec["texts"])
        extra += [{"hours": lo + (i + 0.5) * (hi - lo) / count, "kind": "series",
                   "text": texts[i % len(texts)]} for i in range(count)]
    return {**recon, "brand_tweets": [*recon["brand_tweets"], *extra]}


def _check_knots(knots: Any, where: str, key: str) -> None:
    ok = all(isinstance(k, list) and len(k) == 2 and all(isinstance(v, int | float) for v in k)
             for k in knots)
    hours = [k[0] for k in knots] if ok else []
    if not ok or len(knots) < 2 or hours != sorted(hours) or any(k[1] < 0 for k in knots):
        raise CaseError(f"{where}: key '{key}': needs [hours, tweets_per_hour] pairs in time order")


_COUNT_KEYS: Final = ("tweets", "lines", "originals", "retweets")


def _meta(case: Case, seed: int | None, scale: int | None) -> dict[str, Any]:
    digest = hashlib.sha256()
    for path in (case.source, paths.CASES_DIR / COMMON_FILE):
        if path is not None and path.is_file():
            digest.update(path.read_bytes())
    recon = case.reconstruction or {}
    return {"case": case.id, "generator_version": GENERATOR_VERSION,
            "seed": int(recon.get("seed", 0) if seed is None else seed),
            "scale": scale, "case_sha256": digest.hexdigest()}


# --------------------------------------------------------------------------- planning

def _plan(case: Case, recon: Mapping[str, Any], rng: np.random.Generator, draws: Draws,
          scale: int | None) -> tuple[_Plan, _Authors]:
    launch_ms = int(case.launch.value // 1_000_000)
    base_t = _poisson_times(recon, launch_ms, rng, scale)
    n = len(base_t)
    kind = _kinds(recon, rng, n)
    stance = _stances(recon, rng, (base_t - launch_ms) / 3.6e6)
    amps = list(recon.get("amplifiers", []))
    n_spam = int(recon["spam_accounts"])
    pool = max(200, int(recon["author_ratio"] * n))
    authors = _authors(case, recon, rng, draws, amps, n_spam, pool)
    first_pool = 1 + len(amps) + n_spam
    author = first_pool + _activity_choice(rng, pool, float(recon["activity_sigma"]), n)

    amp_t, amp_stance, amp_author = _amplifier_posts(amps, launch_ms, rng)
    brand_t = np.array([_brand_ms(b, launch_ms) for b in recon["brand_tweets"]], dtype=np.int64)
    t = np.concatenate([base_t, amp_t, brand_t])
    kind = np.concatenate([kind, np.zeros(len(amp_t) + len(brand_t), dtype=np.int8)])
    stance = np.concatenate([stance, amp_stance,
                             np.full(len(brand_t), STANCE_INDEX["brand"], dtype=np.int8)])
    author = np.concatenate([author, amp_author, np.zeros(len(brand_t), dtype=np.int64)])
    origin = np.concatenate([np.zeros(n, np.int8), np.ones(len(amp_t), np.int8),
                             np.full(len(brand_t), 2, np.int8)])
    brand_pos = np.arange(len(brand_t)) + n + len(amp_t)
    order = np.argsort(t, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    t, kind, stance, author, origin = t[order], kind[order], stance[order], author[order], origin[order]
    brand_rows = rank[brand_pos]
    # An amplifier with a reported ``retweets`` count: its first post gets that many retweets
    # (e.g. a viral image from a small account).
    starts = n + np.cumsum([0] + [int(a["posts"]) for a in amps])[:len(amps)]
    viral = [(int(rank[start]), int(a["retweets"])) for start, a in zip(starts, amps, strict=True)
             if int(a.get("retweets", 0)) > 0 and int(a["posts"]) > 0]

    fixed_text: dict[int, str] = {int(r): str(b["text"]) for r, b in zip(brand_rows, recon["brand_tweets"],
                                                                       strict=True)}
    _assign_spam(recon, rng, kind, stance, author, origin, 1 + len(amps), n_spam)
    lang = _languages(recon, rng, kind, stance, origin)
    ids = _snowflakes(t, rng, {int(r): b.get("id") for r, b in zip(brand_rows, recon["brand_tweets"],
                                                                    strict=True)})
    plan = _Plan(t, kind, stance, author, np.full(len(t), -1, np.int64), lang,
                 np.full(len(t), -1, np.int8), ids, fixed_text,
                 {int(r): int(b["favorites"]) for r, b in zip(brand_rows, recon["brand_tweets"], strict=True)
                  if "favorites" in b})
    _references(recon, rng, plan, authors, brand_rows, viral)
    _brand_retweets(recon, rng, plan, launch_ms)
    _spinoffs(recon, rng, plan, launch_ms)
    return plan, authors


def _brand_ms(tweet: Mapping[str, Any], launch_ms: int) -> int:
    if "time" in tweet:
        return int(pd.Timestamp(tweet["time"]).value // 1_000_000)
    return launch_ms + int(round(float(tweet["hours"]) * 3.6e6))


def _poisson_times(recon: Mapping[str, Any], launch_ms: int, rng: np.random.Generator,
                   scale: int | None) -> np.ndarray:
    start = int(np.ceil(float(recon["window_start_hours"]) * 60))
    end = int(np.floor(float(recon["window_end_hours"]) * 60))
    minutes = np.arange(start, end)
    hours = (minutes + 0.5) / 60.0
    knots = np.asarray(recon["rate"], dtype=float)
    rate = np.interp(hours, knots[:, 0], knots[:, 1])
    local = ((launch_ms / 3.6e6 + hours + float(recon.get("utc_offset_hours", 0))) % 24.0)
    phase = 2 * np.pi * (local - float(recon.get("rhythm_peak_local_hour", 20))) / 24.0
    lam = rate * (1.0 + float(recon.get("rhythm_amplitude", 0.0)) * np.cos(phase)) / 60.0
    if scale:
        lam *= scale / lam.sum()
    counts = rng.poisson(np.clip(lam, 0, None))
    base = np.repeat(minutes.astype(np.int64) * 60_000, counts)
    offsets = rng.integers(0, 60_000, size=len(base))
    return np.sort(launch_ms + base + offsets)


def _kinds(recon: Mapping[str, Any], rng: np.random.Generator, n: int) -> np.ndarray:
    u = rng.random(n)
    v = rng.random(n)
    kind = np.full(n, ORIGINAL, dtype=np.int8)
    rt_share = float(recon["retweet_share"])
    reply, quote = float(recon["reply_share"]), float(recon["quote_share"])
    kind[(u >= rt_share) & (v < reply)] = REPLY
    kind[(u >= rt_share) & (v >= reply) & (v < reply + quote)] = QUOTE
    kind[u < rt_share] = RETWEET
    return kind


def _stances(recon: Mapping[str, Any], rng: np.random.Generator, hours: np.ndarray) -> np.ndarray:
    rows = sorted(recon["stance_mix"], key=lambda r: float(r["at"]))
    at = np.array([float(r["at"]) for r in rows])
    weights = np.stack([np.interp(hours, at, [float(r.get(s, 0.0)) for r in rows])
                        for s in COMPOSED_STANCES], axis=1)
    early = hours < float(recon.get("hostile_from_hours", -np.inf))
    for column, name in enumerate(COMPOSED_STANCES):
        if name in HOSTILE_STANCES:
            weights[early, column] = 0.0
    cum = np.cumsum(weights, axis=1)
    cum /= cum[:, -1:]
    pick = (rng.random(len(hours))[:, None] > cum).sum(axis=1)
    codes = np.array([STANCE_INDEX[s] for s in COMPOSED_STANCES], dtype=np.int8)
    return codes[np.minimum(pick, len(codes) - 1)]


def _activity_choice(rng: np.random.Generator, pool: int, sigma: float, n: int) -> np.ndarray:
    weights = rng.lognormal(0.0, sigma, pool)
    cum = np.cumsum(weights)
    return np.searchsorted(cum, rng.random(n) * cum[-1], side="right").clip(0, pool - 1)


def _amplifier_posts(amps: Sequence[Mapping[str, Any]], launch_ms: int,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    times: list[np.ndarray] = []
    stances: list[np.ndarray] = []
    authors: list[np.ndarray] = []
    for i, amp in enumerate(amps):
        posts = int(amp["posts"])
        lo, hi = float(amp["from_hours"]), float(amp["to_hours"])
        # Front-loaded: amplifiers are most active early.
        hours = lo + (hi - lo) * np.sort(rng.random(posts)) ** 1.8
        times.append(launch_ms + (hours * 3.6e6).astype(np.int64))
        cycle = [STANCE_INDEX[s] for s in amp["stances"]]
        stances.append(np.array([cycle[k % len(cycle)] for k in range(posts)], dtype=np.int8))
        authors.append(np.full(posts, 1 + i, dtype=np.int64))
    if not times:
        return np.zeros(0, np.int64), np.zeros(0, np.int8), np.zeros(0, np.int64)
    return np.concatenate(times), np.concatenate(stances), np.concatenate(authors)


def _assign_spam(recon: Mapping[str, Any], rng: np.random.Generator, kind: np.ndarray,
                 stance: np.ndarray, author: np.ndarray, origin: np.ndarray, first: int,
                 n_spam: int) -> None:
    if n_spam <= 0:
        return
    candidates = (kind != RETWEET) & (origin == 0)
    spam = candidates & (rng.random(len(kind)) < float(recon["spam_share"]))
    stance[spam] = STANCE_INDEX["spam"]
    kind[spam] = ORIGINAL
    author[spam] = first + rng.integers(0, n_spam, int(spam.sum()))


def _languages(recon: Mapping[str, Any], rng: np.random.Generator, kind: np.ndarray,
               stance: np.ndarray, origin: np.ndarray) -> np.ndarray:
    lang = np.full(len(kind), "en", dtype=object)
    languages = list(recon["languages"])
    if not languages:
        return lang
    eligible = np.isin(stance, [STANCE_INDEX[s] for s in ("accusation", "mockery", "neutral")])
    chosen = eligible & (kind != RETWEET) & (origin == 0) & (
        rng.random(len(kind)) < float(recon["non_english_share"]) / 0.6)
    lang[chosen] = np.array(languages, dtype=object)[rng.integers(0, len(languages), int(chosen.sum()))]
    return lang


def _new_ids(t_ms: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Snowflake ids of tweets posted at ``t_ms``, with random worker and sequence bits."""
    shift = schema.SNOWFLAKE_SHIFT
    return ((t_ms - schema.SNOWFLAKE_EPOCH_MS) << shift) | rng.integers(0, 1 << shift, len(t_ms))


def _snowflakes(t_ms: np.ndarray, rng: np.random.Generator, fixed: Mapping[int, Any]) -> np.ndarray:
    """Tweet ids consistent with the times (``_new_ids``); ``fixed`` rows keep the id given,
    and an id drawn twice is drawn again."""
    ids = _new_ids(t_ms, rng)
    for row, value in fixed.items():
        if value:
            ids[row] = int(value)
    while len(np.unique(ids)) < len(ids):
        _, first = np.unique(ids, return_index=True)
        dup = np.setdiff1d(np.arange(len(ids)), first)
        ids[dup] = _new_ids(t_ms[dup], rng)
    return ids


def _references(recon: Mapping[str, Any], rng: np.random.Generator, plan: _Plan,
                authors: _Authors, brand_rows: np.ndarray,
                viral: Sequence[tuple[int, int]] = ()) -> None:
    """Retweets, quotes and replies point at earlier tweets, weighted by virality."""
    n = len(plan.t_ms)
    source = np.flatnonzero(plan.kind != RETWEET)
    virality = _virality(recon, rng, plan, authors, source)
    cum = np.concatenate([[0.0], np.cumsum(virality)])
    src_t = plan.t_ms[source]
    delay_ms = rng.lognormal(np.log(float(recon["retweet_delay_median_minutes"])),
                             float(recon["retweet_delay_sigma"]), n) * 60_000
    pick = _weighted_earlier(plan.t_ms, delay_ms, src_t, cum, rng)
    for k in (RETWEET, QUOTE, REPLY):
        rows = np.flatnonzero(plan.kind == k)
        plan.ref[rows] = np.where(pick[rows] >= 0, source[np.maximum(pick[rows], 0)], -1)
    # Replies mostly answer the brand's latest tweet.
    brand_sorted = np.sort(brand_rows)
    replies = np.flatnonzero(plan.kind == REPLY)
    latest = np.searchsorted(plan.t_ms[brand_sorted], plan.t_ms[replies], side="right") - 1
    to_brand = (latest >= 0) & (rng.random(len(replies)) < REPLY_TO_BRAND_SHARE)
    plan.ref[replies[to_brand]] = brand_sorted[latest[to_brand]]
    # Anything that found nothing to point at (the first minutes) becomes an original.
    lost = (plan.kind != ORIGINAL) & (plan.ref < 0)
    plan.kind[lost] = ORIGINAL
    wanted = [(int(r), int(b.get("retweets", 0))) for r, b in zip(brand_rows, recon["brand_tweets"],
                                                                  strict=True)]
    _retweet_targets(rng, plan, [*wanted, *viral])


def _virality(recon: Mapping[str, Any], rng: np.random.Generator, plan: _Plan, authors: _Authors,
              source: np.ndarray) -> np.ndarray:
    factors = {STANCE_INDEX[s]: float(v) for s, v in recon["stance_virality"].items()}
    stance_f = np.array([factors.get(int(s), 1.0) for s in range(len(STANCES))])[plan.stance[source]]
    kind_f = np.array([KIND_VIRALITY.get(k, 1.0) for k in range(4)])[plan.kind[source]]
    followers = authors.followers[plan.author[source]].astype(float)
    noise = rng.lognormal(0.0, float(recon["virality_sigma"]), len(source))
    return noise * (followers + 30.0) ** FOLLOWER_EXPONENT * stance_f * kind_f


def _weighted_earlier(t_ms: np.ndarray, delay_ms: np.ndarray, src_t: np.ndarray,
                      cum: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each row, a source posted before it, around ``t - delay``, weighted by ``cum``."""
    target = t_ms - delay_ms
    window = RETWEET_WINDOW_MINUTES * 60_000
    lo = np.searchsorted(src_t, target - window, side="left")
    hi = np.minimum(np.searchsorted(src_t, target, side="right"),
                    np.searchsorted(src_t, t_ms, side="left"))
    empty = hi <= lo
    before = np.searchsorted(src_t, t_ms, side="left")
    lo = np.where(empty, np.maximum(before - 200, 0), lo)
    hi = np.where(empty, before, hi)
    u = cum[lo] + rng.random(len(t_ms)) * (cum[hi] - cum[lo])
    pick = np.searchsorted(cum, u, side="right") - 1
    pick = np.clip(pick, lo, np.maximum(hi - 1, lo))
    return np.where(hi > lo, pick, -1)


def _retweet_targets(rng: np.random.Generator, plan: _Plan,
                     wanted_by_row: Sequence[tuple[int, int]]) -> None:
    """Tweets with a reported retweet count (brand tweets, viral amplifier posts) get that many
    retweets (time-decaying)."""
    for row, wanted in wanted_by_row:
        if wanted <= 0:
            continue
        rts = np.flatnonzero((plan.kind == RETWEET) & (plan.t_ms > plan.t_ms[row]))
        if len(rts) == 0:
            continue
        weights = np.exp(-(plan.t_ms[rts] - plan.t_ms[row]) / 3.6e6 / 4.0)
        chosen = rng.choice(rts, size=min(wanted, len(rts)), replace=False, p=weights / weights.sum())
        plan.ref[np.sort(chosen)] = row


def _brand_retweets(recon: Mapping[str, Any], rng: np.random.Generator, plan: _Plan,
                    launch_ms: int) -> None:
    """The brand retweets a few friendly tweets (turns existing retweet rows into the brand's)."""
    spec = recon.get("brand_retweets")
    if not spec:
        return
    lo = launch_ms + float(spec["from_hours"]) * 3.6e6
    hi = launch_ms + float(spec["to_hours"]) * 3.6e6
    friendly = np.flatnonzero((plan.kind == ORIGINAL) & (plan.stance == STANCE_INDEX["support"])
                              & (plan.t_ms >= lo) & (plan.t_ms <= hi))
    for src in friendly[: int(spec["count"])]:
        later = np.flatnonzero((plan.kind == RETWEET) & (plan.t_ms > plan.t_ms[src]))
        if len(later):
            row = later[min(int(rng.integers(0, 20)), len(later) - 1)]
            plan.ref[row] = src
            plan.author[row] = 0


def _spinoffs(recon: Mapping[str, Any], rng: np.random.Generator, plan: _Plan, launch_ms: int) -> None:
    hostile = HOSTILE_MASK[plan.stance] & (plan.kind != RETWEET)
    u = rng.random(len(plan.t_ms))
    for i, spec in enumerate(recon.get("spinoffs", [])):
        start = launch_ms + float(spec["from_hours"]) * 3.6e6
        # The share ramps up over the first 6 hours after a spin-off appears.
        ramp = np.clip((plan.t_ms - start) / (6 * 3.6e6), 0, 1)
        hit = hostile & (plan.spin < 0) & (plan.t_ms >= start) & (u < float(spec["share"]) * ramp)
        plan.spin[hit] = i
        u = rng.random(len(plan.t_ms))


# --------------------------------------------------------------------------- accounts

def _authors(case: Case, recon: Mapping[str, Any], rng: np.random.Generator, draws: Draws,
             amps: Sequence[Mapping[str, Any]], n_spam: int, pool: int) -> _Authors:
    names = grammar_for(case).names
    total = 1 + len(amps) + n_spam + pool
    taken: set[str] = {case.brand_account.lower()}
    handles = [case.brand_account]
    display = [str(recon["brand_name"])]
    for amp in amps:
        handles.append(str(amp["screen_name"]))
        display.append(str(amp.get("name", amp["screen_name"])))
        taken.add(str(amp["screen_name"]).lower())
    for _ in range(n_spam + pool):
        handle = _handle(draws, names, taken)
        handles.append(handle)
        display.append(f"{draws.pick(names['first']).capitalize()} {draws.pick(names['surnames'])}")
    followers = np.maximum(0, rng.lognormal(np.log(float(recon["followers_median"])),
                                            float(recon["followers_sigma"]), total)).astype(np.int64)
    followers[0] = int(recon["brand_followers"])
    for i, amp in enumerate(amps):
        followers[1 + i] = int(amp["followers"])
    spam = slice(1 + len(amps), 1 + len(amps) + n_spam)
    followers[spam] = rng.integers(3, 60, n_spam)
    launch_s = case.launch.value // 1_000_000_000
    created_s = rng.integers(1_170_000_000, launch_s - 10 * 86400, total)
    ids = _unique_ints(rng, total)
    bios = [draws.pick(names["bios"]) for _ in range(total)]
    bios[0] = f"Official account of the {case.brand}."
    for i, amp in enumerate(amps):
        bios[1 + i] = str(amp.get("description", "Synthetic account."))
    return _Authors(
        handles=handles, names=display, ids=ids, followers=followers,
        friends=rng.lognormal(5.5, 1.0, total).astype(np.int64),
        statuses=rng.lognormal(7.5, 1.4, total).astype(np.int64),
        created=_v1_times(created_s.astype(np.int64) * 1000),
        locations=[draws.pick(names["locations"]) for _ in range(total)],
        bios=bios,
        sources=[draws.pick(names["sources"]) for _ in range(total)],
        verified=np.array([True] + [f > 50_000 for f in followers[1:]]),
    )


def _unique_ints(rng: np.random.Generator, count: int) -> np.ndarray:
    values = np.unique(rng.integers(5_000_000, 2_300_000_000, int(count * 1.05) + 16))
    while len(values) < count:
        values = np.unique(np.concatenate([values, rng.integers(5_000_000, 2_300_000_000, count)]))
    return rng.permutation(values)[:count]


def _handle(draws: Draws, names: Mapping[str, Sequence[str]], taken: set[str]) -> str:
    while True:
        style = draws.below(4)
        first, word = draws.pick(names["first"]), draws.pick(names["words"])
        digits = str(draws.below(9999))
        handle = (f"{first}_{word}{digits}", f"{word}{first}{digits}", f"{first}{word}_{digits}",
                  f"the{word}{first}{digits}")[style][:15]
        if handle.lower() not in taken:
            taken.add(handle.lower())
            return handle


# --------------------------------------------------------------------------- text

def _texts(case: Case, recon: Mapping[str, Any], plan: _Plan, authors: _Authors,
           composers: tuple[Composer, Composer], draws: Draws) -> tuple[list[str | None], list[str]]:
    """The text of every non-retweet row, and the theme it was drawn from. ``composers`` =
    (before hindsight is possible, after)."""
    early, later = composers
    texts: list[str | None] = [None] * len(plan.t_ms)
    themes = [NO_THEME] * len(plan.t_ms)
    spam_texts = _spam_texts(later)
    # Before the launch a spam bot cannot claim the tag is trending.
    early_spam = [t for t in spam_texts if not later.g.reacts(t)] or spam_texts
    photo = {STANCE_INDEX[s]: float(v) for s, v in recon["photo_share"].items()}
    spin_tags = [str(s["hashtag"]) for s in recon.get("spinoffs", [])]
    all_cotags = [str(t) for t in recon.get("cohashtags", [])]
    early_cotags = [t for t in all_cotags if not later.g.reacts(t)]
    hindsight = recon.get("hindsight_from_hours")
    hindsight_ms = (int(case.launch.value // 1_000_000) + int(float(hindsight) * 3.6e6)
                    if hindsight is not None else np.iinfo(np.int64).min)
    for row in np.flatnonzero(plan.kind != RETWEET).tolist():
        before = int(plan.t_ms[row]) < hindsight_ms
        composer = early if before else later
        cotags = early_cotags if before else all_cotags
        if row in plan.fixed_text:
            texts[row] = composer.fill(plan.fixed_text[row], tag="#" + case.hashtag)
            continue
        stance = STANCES[plan.stance[row]]
        if stance == "spam":
            pool = early_spam if before else spam_texts
            texts[row] = pool[int(plan.author[row]) % len(pool)]
            continue
        prefix = ""
        if plan.kind[row] == REPLY:
            prefix = "@" + authors.handles[int(plan.author[plan.ref[row]])] + " "
        spin = spin_tags[plan.spin[row]] if plan.spin[row] >= 0 else ""
        text = composer.compose(stance, prefix=prefix, spinoff=spin, lang=str(plan.lang[row]),
                                photo=draws.u() < photo.get(int(plan.stance[row]), 0.0),
                                budget=116 if plan.kind[row] == QUOTE else 140)
        if cotags and draws.u() < COHASHTAG_SHARE:
            extra = " #" + draws.pick(cotags)
            if len(text) + len(extra) <= 140:
                text += extra
        texts[row] = text
        themes[row] = composer.theme
    return texts, themes


def _spam_texts(composer: Composer) -> list[str]:
    """Each spam account repeats one fixed text (drawn once, so copies are identical)."""
    return [composer.fill(t, tag=composer.tag()) for t in composer.g.spam] or ["follow back #spam"]


# --------------------------------------------------------------------------- writing

def _write_archive(path: Path, case: Case, recon: Mapping[str, Any], plan: _Plan,
                   authors: _Authors, texts: list[str | None], rng: np.random.Generator) -> int:
    rt_counts = np.bincount(plan.ref[(plan.kind == RETWEET) & (plan.ref >= 0)],
                            minlength=len(plan.t_ms))
    likes = np.floor(rt_counts * rng.lognormal(-0.1, 0.6, len(rt_counts))
                     + rng.poisson(0.6, len(rt_counts))).astype(np.int64)
    for row, value in plan.fixed_likes.items():
        likes[row] = value
    writer = _Serializer(plan, authors, texts, rt_counts, likes)
    dup_every = max(1, round(2.0 / max(float(recon["duplicate_line_share"]), 1e-9) / PAGE_LINES))
    return _gzip_lines(path, _lines(writer, rng, dup_every))


def _lines(writer: _Serializer, rng: np.random.Generator, dup_every: int) -> Iterator[bytes]:
    """Newest first; at some page boundaries the next page repeats the last lines."""
    n = len(writer.kind)
    recent: list[bytes] = []
    page_draws = rng.random(n // PAGE_LINES + 2).tolist()
    repeat = rng.integers(1, 4, len(page_draws)).tolist()
    for written, row in enumerate(range(n - 1, -1, -1)):
        if written and written % PAGE_LINES == 0:
            page = written // PAGE_LINES
            if page_draws[page] < 1.0 / dup_every:
                yield from recent[-repeat[page]:]
        line = writer.line(row)
        recent = [*recent[-2:], line]
        yield line


class _Serializer:
    """Builds the v1.1 JSON of each row; originals are serialised once and embedded as-is."""

    def __init__(self, plan: _Plan, authors: _Authors, texts: list[str | None],
                 rt_counts: np.ndarray, likes: np.ndarray) -> None:
        self.authors = authors
        self.texts = texts
        self.ids = plan.ids.tolist()
        self.kind = plan.kind.tolist()
        self.ref = plan.ref.tolist()
        self.author = plan.author.tolist()
        self.lang = [str(v) for v in plan.lang]
        self.news = (plan.stance == STANCE_INDEX["neutral"]).tolist()
        self.created = _v1_times(plan.t_ms)
        self.rt_counts = rt_counts.tolist()
        self.likes = likes.tolist()
        self.user_ids = authors.ids.tolist()
        self.built: dict[int, bytes] = {}
        # Per retweeted source: the retweet text and its entities, serialised once.
        self.rt_parts: dict[int, tuple[str, orjson.Fragment]] = {}
        # A quote embedded in another tweet drops its own quoted_status, as v1.1 does.
        self.unnested: dict[int, bytes] = {}
        for row in np.flatnonzero(plan.kind != RETWEET).tolist():
            status = self.status(row)
            self.built[row] = _exact(status)
            if self.kind[row] == QUOTE and "quoted_status" in status:
                self.unnested[row] = _exact({k: v for k, v in status.items()
                                             if not k.startswith("quoted_status")})

    def line(self, row: int) -> bytes:
        return self.built[row] if self.kind[row] != RETWEET else orjson.dumps(self.retweet(row))

    def status(self, row: int) -> dict[str, Any]:
        text = self.texts[row] or ""
        tid, author, kind, ref = self.ids[row], self.author[row], self.kind[row], self.ref[row]
        a = self.authors
        reply = kind == REPLY and ref >= 0
        ref_author = self.author[ref] if ref >= 0 else 0
        photo_of = None if self.news[row] else (a.handles[author], tid)
        status: dict[str, Any] = {
            "created_at": self.created[row], "id": tid, "id_str": str(tid), "full_text": text,
            "truncated": False, "display_text_range": [0, len(text)],
            "entities": _entities(text, a, photo_of=photo_of),
            "metadata": {"iso_language_code": self.lang[row], "result_type": "recent"},
            "source": a.sources[author],
            "in_reply_to_status_id": self.ids[ref] if reply else None,
            "in_reply_to_status_id_str": str(self.ids[ref]) if reply else None,
            "in_reply_to_user_id": self.user_ids[ref_author] if reply else None,
            "in_reply_to_user_id_str": str(self.user_ids[ref_author]) if reply else None,
            "in_reply_to_screen_name": a.handles[ref_author] if reply else None,
            "user": _user(author, a),
            "geo": None, "coordinates": None, "place": None, "contributors": None,
            "is_quote_status": kind == QUOTE and ref >= 0,
        }
        if kind == QUOTE and ref >= 0:
            status["quoted_status_id"] = self.ids[ref]
            status["quoted_status_id_str"] = str(self.ids[ref])
            status["quoted_status"] = orjson.Fragment(self.unnested.get(ref, self.built[ref]))
        status.update({"retweet_count": self.rt_counts[row], "favorite_count": self.likes[row],
                       "favorited": False, "retweeted": False, "lang": self.lang[row]})
        return status

    def retweet(self, row: int) -> dict[str, Any]:
        src = self.ref[row]
        tid, author = self.ids[row], self.author[row]
        parts = self.rt_parts.get(src)
        if parts is None:
            text = _rt_text(self.authors.handles[self.author[src]], self.texts[src] or "")
            parts = (text, orjson.Fragment(_exact(_entities(text, self.authors, photo_of=None))))
            self.rt_parts[src] = parts
        text, entities = parts
        status: dict[str, Any] = {
            "created_at": self.created[row], "id": tid, "id_str": str(tid), "full_text": text,
            "truncated": False, "display_text_range": [0, len(text)], "entities": entities,
            "metadata": {"iso_language_code": self.lang[src], "result_type": "recent"},
            "source": self.authors.sources[author],
            "in_reply_to_status_id": None, "in_reply_to_status_id_str": None,
            "in_reply_to_user_id": None, "in_reply_to_user_id_str": None,
            "in_reply_to_screen_name": None,
            "user": _user(author, self.authors),
            "geo": None, "coordinates": None, "place": None, "contributors": None,
            "retweeted_status": orjson.Fragment(self.built[src]),
            "is_quote_status": self.kind[src] == QUOTE,
            "retweet_count": self.rt_counts[src], "favorite_count": 0,
            "favorited": False, "retweeted": False, "lang": self.lang[src],
        }
        if self.kind[src] == QUOTE:  # v1.1 repeats the quoted tweet on a retweet of a quote
            quoted = self.ref[src]
            status["quoted_status_id"] = self.ids[quoted]
            status["quoted_status_id_str"] = str(self.ids[quoted])
            status["quoted_status"] = orjson.Fragment(self.unnested.get(quoted, self.built[quoted]))
        return status


def _gzip_lines(path: Path, lines: Iterable[bytes]) -> int:
    count = 0
    with atomic.atomic_writer(path) as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0) as gz, \
            ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[int] | None = None
        chunk: list[bytes] = []
        for line in lines:
            chunk.append(line)
            count += 1
            if len(chunk) >= CHUNK_LINES:
                if pending is not None:
                    pending.result()
                pending = pool.submit(gz.write, b"\n".join(chunk) + b"\n")
                chunk = []
        if pending is not None:
            pending.result()
        if chunk:
            gz.write(b"\n".join(chunk) + b"\n")
    return count


def _write_truth(path: Path, plan: _Plan, themes: Sequence[str]) -> None:
    rows = np.flatnonzero(plan.kind != RETWEET)
    out = io.StringIO()
    out.write("tweet_id,stance,hostile,theme\n")
    for row, tid, s in zip(rows.tolist(), plan.ids[rows].tolist(), plan.stance[rows].tolist(),
                           strict=True):
        out.write(f"{tid},{STANCES[s]},{int(HOSTILE_MASK[s])},{themes[row]}\n")
    atomic.write_text(path, out.getvalue())


def _exact(obj: Any) -> bytes:
    """JSON bytes for keeping: orjson over-allocates its result (~8 KB), so copy to size."""
    return memoryview(orjson.dumps(obj)).tobytes()


def _user(author: int, authors: _Authors) -> orjson.Fragment:
    cached = authors.fragments.get(author)
    if cached is not None:
        return cached
    uid = int(authors.ids[author])
    followers = int(authors.followers[author])
    user = {
        "id": uid, "id_str": str(uid), "name": authors.names[author],
        "screen_name": authors.handles[author], "location": authors.locations[author],
        "description": authors.bios[author], "url": None,
        "entities": {"description": {"urls": []}}, "protected": False,
        "followers_count": followers, "friends_count": int(authors.friends[author]),
        "listed_count": followers // 120, "created_at": authors.created[author],
        "favourites_count": int(authors.statuses[author] // 3), "utc_offset": None,
        "time_zone": None, "geo_enabled": False, "verified": bool(authors.verified[author]),
        "statuses_count": int(authors.statuses[author]), "lang": "en",
        "profile_image_url_https": PROFILE_IMAGE, "default_profile": True,
        "default_profile_image": author > 0,
    }
    fragment = orjson.Fragment(_exact(user))
    authors.fragments[author] = fragment
    return fragment


def _rt_text(author: str, text: str) -> str:
    """v1.1 retweet text: ``RT @author: text``, cut to 140 characters with an ellipsis."""
    full = schema.retweet_text(author, text)
    return full if len(full) <= 140 else full[:139] + "…"


def _entities(text: str, authors: _Authors, *, photo_of: tuple[str, int] | None) -> dict[str, Any]:
    hashtags = [{"text": m.group(1), "indices": [m.start(), m.end()]} for m in schema.HASHTAG.finditer(text)]
    mentions = []
    if "@" in text:
        for m in schema.MENTION.finditer(text):
            who = authors.by_handle.get(m.group(1).lower())
            if who is not None:
                uid = int(authors.ids[who])
                mentions.append({"screen_name": authors.handles[who], "name": authors.names[who],
                                 "id": uid, "id_str": str(uid), "indices": [m.start(), m.end()]})
    urls = []
    if "http" in text:
        for m in URL_RE.finditer(text):
            code = m.group(0).rsplit("/", 1)[1]
            if photo_of is None:
                expanded, display = NEWS_HOST + code, "news.example.com/story/" + code[:4] + "…"
            else:
                expanded = f"http://twitter.com/{photo_of[0]}/status/{photo_of[1]}/photo/1"
                display = "pic.twitter.com/" + code
            urls.append({"url": m.group(0), "expanded_url": expanded, "display_url": display,
                         "indices": [m.start(), m.end()]})
    return {"hashtags": hashtags, "symbols": [], "user_mentions": mentions, "urls": urls}


def _v1_times(t_ms: np.ndarray) -> list[str]:
    """``created_at`` in the v1.1 form (``Tue Apr 22 17:55:46 +0000 2014``), vectorised."""
    seconds = (t_ms // 1000).astype("datetime64[s]")
    iso = np.datetime_as_string(seconds, unit="s").tolist()
    weekday = (((t_ms // 86_400_000) + 3) % 7).tolist()  # 1970-01-01 was a Thursday
    return [f"{DAYS[w]} {MONTHS[int(s[5:7]) - 1]} {s[8:10]} {s[11:19]} +0000 {s[:4]}"
            for s, w in zip(iso, weekday, strict=True)]
