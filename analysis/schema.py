"""The canonical tweet table, written down once.

Every loader maps its format into exactly these columns and dtypes (``conform`` enforces
it); every analysis function reads them. Scoring adds the ``SCORE_COLUMNS`` on top.

Conventions
- Ids are strings, always (tweet ids exceed 53 bits; floats corrupt them). X and Mastodon
  ids are digits; a Bluesky id is the post's ``at://`` URI; listening-suite rows of other
  platforms keep the vendor's id.
- ``platform`` says where a post was made (``PLATFORMS``); every table may mix platforms.
- ``vendor_sentiment`` is the sentiment a listening suite assigned (kept beside ours, never
  overwriting it); empty for every other format.
- ``created_at`` is timezone-aware UTC.
- ``text`` is the full text. For a retweet it is rebuilt from the original:
  ``"RT @<original author>: <full original text>"``.
- Handles carry no leading ``@``; hashtags carry no ``#`` and are lower-cased.
- Engagement counts are nullable (``<NA>`` = unknown, not zero). ``metrics_semantics`` says
  how they were captured (see ``METRICS_SEMANTICS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

# column -> pandas dtype. Order is the canonical column order.
COLUMNS: Final[dict[str, str]] = {
    # identity and time
    "id": "string",
    "created_at": "datetime64[ns, UTC]",
    # text
    "text": "string",
    # author
    "author": "string",
    "author_followers": "Int64",
    # relations
    "is_retweet": "bool",
    "retweeted_id": "string",
    "retweeted_author": "string",
    "is_reply": "bool",
    "in_reply_to_id": "string",
    "in_reply_to_author": "string",
    "is_quote": "bool",
    "quoted_id": "string",
    "quoted_author": "string",
    # language and entities (hashtags/mentions: Python lists of str, possibly empty)
    "lang": "string",
    "hashtags": "object",
    "mentions": "object",
    # engagement
    "retweet_count": "Int64",
    "like_count": "Int64",
    "reply_count": "Int64",
    "quote_count": "Int64",
    "metrics_semantics": "string",
    # where the post was made and what the source said about it
    "platform": "string",          # a key of PLATFORMS ("x", "bluesky", "mastodon", "reddit", …)
    "url": "string",               # the post's public address when the file carries it
    "vendor_sentiment": "string",  # a listening suite's own label: negative | neutral | positive
    # provenance
    "source_format": "string",
}

ENGAGEMENT_COLUMNS: Final[tuple[str, ...]] = ("retweet_count", "like_count", "reply_count", "quote_count")
LIST_COLUMNS: Final[tuple[str, ...]] = ("hashtags", "mentions")

# How the engagement counts of a row were captured.
METRICS_SEMANTICS: Final[dict[str, str]] = {
    "snapshot": "counts as they stood when the tweet was collected (REST search, timelines)",
    "stream_capture": "captured by a stream at posting time: counts are (mostly) zero",
    "copied_from_original": "a retweet row carrying its original's counts (do not sum them)",
    "unknown": "the format carries no engagement counts",
}

# Added by analysis.scoring on top of COLUMNS.
SCORE_COLUMNS: Final[dict[str, str]] = {
    "compound": "float64",   # VADER compound in [-1, 1]
    "pos": "float64",
    "neg": "float64",
    "neu": "float64",
    "sentiment": "string",   # "negative" | "neutral" | "positive"
    "hostile_prob": "float64",  # probability the tweet attacks the brand or campaign
    "hostile": "bool",       # hostile_prob >= the threshold recorded with the results
}

KINDS: Final[tuple[str, ...]] = ("original", "retweet", "reply", "quote")

# X's ids are snowflakes: the milliseconds since X's epoch, shifted left past 22 bits of
# worker and sequence numbers. Decoded by the Stream Grab importer, made by the generator.
SNOWFLAKE_EPOCH_MS: Final = 1288834974657
SNOWFLAKE_SHIFT: Final = 22

# The text rules, written once; loaders, scoring, terms and the generator all use these.
# A retweet's text starts "RT @<author>: " (rebuilt by the loaders, or an old-style retweet
# typed by hand). The handle is anything up to the colon without spaces: X's letters, digits
# and "_", Bluesky's dotted domains, Mastodon's user@server. The space after the colon is
# optional (clients wrote "RT @x:text" too). The group is the author.
RETWEET_PREFIX: Final = re.compile(r"^RT @([^\s:]+): ?")
# A mention found in a text (formats without entity lists): "@" and 1-20 word characters, as
# twitter-text (the library X itself used to make entities) allows; not inside a word or an
# e-mail address, not after another "@", and not a longer run cut short.
MENTION: Final = re.compile(r"(?<![\w@])@(\w{1,20})(?!\w)")
# A hashtag found in a text: "#" and word characters, not inside a word or an HTML entity
# ("&#39;").
HASHTAG: Final = re.compile(r"(?<![\w&])#(\w+)")


def empty() -> pd.DataFrame:
    """An empty canonical table with the right dtypes."""
    return conform(pd.DataFrame({name: [] for name in COLUMNS}))


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical columns, in order, with canonical dtypes.

    Missing columns are added as missing values; extra columns are dropped.
    """
    n = len(frame)
    present = set(frame.columns)
    columns = {name: _column(frame[name].to_numpy() if name in present else None, dtype, n)
               for name, dtype in COLUMNS.items()}
    return pd.DataFrame(columns, index=pd.RangeIndex(n))  # built at once: no per-column insert


def _column(values: np.ndarray | None, dtype: str, n: int) -> pd.Series:
    if dtype == "object":
        if values is None:
            return pd.Series([[] for _ in range(n)], dtype="object")
        return pd.Series([list(v) if isinstance(v, list | tuple | np.ndarray) else [] for v in values],
                         dtype="object")
    if dtype == "bool":
        if values is None:
            return pd.Series(np.zeros(n, dtype=bool))
        return pd.Series(pd.array(values, dtype="boolean").fillna(False).astype(bool))
    if dtype.startswith("datetime64"):
        if values is None:
            return pd.Series(pd.NaT, index=range(n), dtype=dtype)
        return pd.Series(pd.to_datetime(values, utc=True, errors="coerce")).astype(dtype)
    if values is None:
        return pd.Series(pd.array([None] * n, dtype=dtype))
    return pd.Series(pd.array(values, dtype=dtype))


def kind(frame: pd.DataFrame) -> pd.Series:
    """Each row's kind: ``retweet`` > ``quote`` > ``reply`` > ``original``."""
    out = pd.Series("original", index=frame.index, dtype="string")
    out = out.mask(frame["is_reply"], "reply")
    out = out.mask(frame["is_quote"], "quote")
    return out.mask(frame["is_retweet"], "retweet")


# Provenance whose posts never existed on Twitter: they get no link anywhere (app, CSV, decks).
SYNTHETIC_PROVENANCE = "reconstruction"
# What a synthetic post is called wherever it is quoted.
SYNTHETIC_LABEL = "synthetic example"


def public_url(author: str | None, tweet_id: str, provenance: str | None) -> str | None:
    """The post's public URL, or None for a synthetic post (a made-up handle and id)."""
    return None if provenance == SYNTHETIC_PROVENANCE else tweet_url(author, tweet_id)


def tweet_url(author: str | None, tweet_id: str) -> str:
    """The tweet's public URL (``/i/web/status/`` works without the handle)."""
    if author:
        return f"https://twitter.com/{author}/status/{tweet_id}"
    return f"https://twitter.com/i/web/status/{tweet_id}"


@dataclass(frozen=True)
class Platform:
    """A network posts come from: its name on screen and how its words are said there."""

    label: str
    repost: str       # what its "retweet" is called
    x_only_note: str  # shown on views that only make sense for X ("" for X itself)


_NOT_X = "counts and relations follow {label}'s own rules ({repost}s, not retweets)"

PLATFORMS: Final[dict[str, Platform]] = {
    "x": Platform("X (Twitter)", "retweet", ""),
    "bluesky": Platform("Bluesky", "repost", _NOT_X.format(label="Bluesky", repost="repost")),
    "mastodon": Platform("Mastodon", "boost", _NOT_X.format(label="Mastodon", repost="boost")
                         + "; counts are as one instance saw them"),
    "reddit": Platform("Reddit", "crosspost", "Reddit has scores and comments, not retweets"),
    "facebook": Platform("Facebook", "share", _NOT_X.format(label="Facebook", repost="share")),
    "instagram": Platform("Instagram", "share", _NOT_X.format(label="Instagram", repost="share")),
    "threads": Platform("Threads", "repost", _NOT_X.format(label="Threads", repost="repost")),
    "tiktok": Platform("TikTok", "share", _NOT_X.format(label="TikTok", repost="share")),
    "youtube": Platform("YouTube", "share", _NOT_X.format(label="YouTube", repost="share")),
    "linkedin": Platform("LinkedIn", "repost", _NOT_X.format(label="LinkedIn", repost="repost")),
    "news": Platform("News and blogs", "share", "articles, not posts: no retweets or replies"),
    "other": Platform("Other", "share", "a source whose counts are not X's"),
}
# What listening suites and APIs write for a platform (lower-cased, matched as substrings in
# this order) -> PLATFORMS key. Domains and Talkwalker's SOCIALMEDIA_TWITTER-style types.
PLATFORM_ALIASES: Final[tuple[tuple[str, str], ...]] = (
    ("bsky", "bluesky"), ("bluesky", "bluesky"), ("mastodon", "mastodon"),
    ("twitter", "x"), ("x.com", "x"), ("reddit", "reddit"), ("facebook", "facebook"),
    ("instagram", "instagram"), ("threads", "threads"), ("tiktok", "tiktok"),
    ("youtube", "youtube"), ("linkedin", "linkedin"), ("news", "news"), ("blog", "news"),
    ("online", "news"), ("forum", "other"), ("messageboard", "other"),
)
# A bare "x" / "X" is X; so is "tw" (Talkwalker's author ids "tw:<id>").
_EXACT_X: Final = frozenset({"x", "tw", "x (twitter)"})


def platform_of(value: object) -> str | None:
    """The PLATFORMS key for a vendor's platform label, domain or type (None if blank)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip().lower()
    if not text:
        return None
    if text in PLATFORMS:
        return text
    if text in _EXACT_X:
        return "x"
    return next((key for alias, key in PLATFORM_ALIASES if alias in text), "other")


def post_url(platform: str | None, author: str | None, post_id: str, url: str | None = None) -> str:
    """A post's public address: the file's own URL when it has one, else built per platform.

    A Bluesky id is ``at://<did>/app.bsky.feed.post/<rkey>`` and links to bsky.app.
    """
    if url and url.startswith(("https://", "http://")):
        return url
    if platform == "bluesky" and post_id.startswith("at://"):
        did, _, rkey = post_id.removeprefix("at://").partition("/app.bsky.feed.post/")
        return f"https://bsky.app/profile/{author or did}/post/{rkey}"
    if platform in (None, "x") and post_id.isdigit():
        return tweet_url(author, post_id)
    return url or ""


def post_urls(frame: pd.DataFrame, provenance: str | None = None) -> list[str | None]:
    """``post_url`` of every row of a table (``platform`` and ``url`` used when present);
    None for every row of a synthetic reconstruction (its posts were never published)."""
    n = len(frame)
    if provenance == SYNTHETIC_PROVENANCE:
        return [None] * n
    platforms = frame["platform"] if "platform" in frame.columns else pd.Series([None] * n)
    urls = frame["url"] if "url" in frame.columns else pd.Series([None] * n)
    return [post_url(_text(p), _text(a), str(i), _text(u)) for p, a, i, u in
            zip(platforms, frame["author"], frame["id"], urls, strict=True)]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def handle(platform: str | None, author: str | None) -> str:
    """An author as written on their platform: ``@name`` (X, Bluesky, Mastodon ``@user@host``)."""
    if not author:
        return ""
    return f"@{author}" if platform in (None, "x", "bluesky", "mastodon", "threads") else author


def retweet_text(author: object, text: object) -> str:
    """A retweet's canonical text, rebuilt from its original: ``RT @<author>: <text>``."""
    return f"RT @{author}: {text}"


def retweet_author(text: str) -> str | None:
    """The author named by a retweet prefix (``RETWEET_PREFIX``), or None without one."""
    match = RETWEET_PREFIX.match(text)
    return match.group(1) if match else None


def mentions_in(text: str) -> list[str]:
    """The handles a text names, for formats without entity lists: a retweet prefix's author
    first, then every ``MENTION`` of the rest (never a piece of the prefix's handle)."""
    author = retweet_author(text)
    found: list[str] = MENTION.findall(original_text(text))
    return [author, *found] if author else found


def original_text(text: str) -> str:
    """``text`` without its retweet prefix: what a retweet says (scored, counted, shown)."""
    match = RETWEET_PREFIX.match(text)
    return text[match.end():] if match else text


def original_texts(texts: pd.Series) -> pd.Series:
    """``original_text`` of every string of ``texts`` (vectorised; missing values stay)."""
    return texts.str.replace(RETWEET_PREFIX, "", n=1, regex=True)
