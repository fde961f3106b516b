"""Listening-suite exports (CSV or XLSX) as data: column aliases per vendor and vintage.

Sources: ``../shared/notes/formats-2026.md`` §1 (Brandwatch's field definitions and public
scripts pinned to its 2026 layout, Talkwalker's document fields, Meltwater's output
templates, Pulsar's TRAC column definitions, Sprout Social's listening message fields).
No real export is public; the tests build imitations from these column lists.

Every vendor keeps its own sentiment (``vendor_sentiment``) and the platform of each row
(exports mix X, Bluesky, Reddit, Facebook, news…). Brandwatch and Meltwater write times
without a zone: they are read in the zone the user picks (UTC by default) and the load
report says so.
"""

from __future__ import annotations

import re
from typing import Final

import pandas as pd

from analysis.ingest.formats.csvspec import CsvSpec, cols

# An X/Twitter status URL -> the post id.
STATUS_ID: Final = re.compile(r"(?:twitter\.com|x\.com)/(?:[^/\s]+|i/web)/status(?:es)?/(\d{1,20})")
# Brandwatch "Thread Entry Type" -> the relation it marks (values: post, reply, share, quote).
THREAD_ENTRY_KINDS: Final[dict[str, str]] = {"share": "is_retweet", "retweet": "is_retweet",
                                             "repost": "is_retweet", "reply": "is_reply",
                                             "comment": "is_reply", "quote": "is_quote"}


def _text(source: pd.DataFrame, name: str) -> pd.Series:
    if name not in source.columns:
        return pd.Series([None] * len(source), index=source.index, dtype=object)
    values = source[name].astype("string").str.strip()
    return values.astype(object).where(values.notna() & (values != ""), None)


def _id_from_url(out: pd.DataFrame, url: pd.Series) -> None:
    """Rows without an id: the X status id of their URL, else the URL itself (other sites)."""
    found = url.astype("string").str.extract(STATUS_ID.pattern, expand=False)
    from_url = found.astype(object).where(found.notna(), url)
    out["id"] = out["id"].where(out["id"].notna(), from_url)


def _brandwatch(source: pd.DataFrame, out: pd.DataFrame) -> None:
    """Ids from ``Url`` when there is no id column; relations from ``Thread Entry Type``."""
    _id_from_url(out, _text(source, "Url"))
    kinds = _text(source, "Thread Entry Type").astype("string").str.lower().fillna("")
    thread_author = _text(source, "Thread Author")
    for value, column in THREAD_ENTRY_KINDS.items():
        marked = (kinds == value).to_numpy(dtype=bool)
        out.loc[marked, column] = True
    is_rt = (kinds.isin([k for k, c in THREAD_ENTRY_KINDS.items() if c == "is_retweet"])).to_numpy(dtype=bool)
    is_reply = (kinds.isin(["reply", "comment"])).to_numpy(dtype=bool)
    out.loc[is_rt & out["retweeted_author"].isna().to_numpy(dtype=bool), "retweeted_author"] = \
        thread_author[is_rt & out["retweeted_author"].isna().to_numpy(dtype=bool)]
    out.loc[is_reply & out["in_reply_to_author"].isna().to_numpy(dtype=bool), "in_reply_to_author"] = \
        thread_author[is_reply & out["in_reply_to_author"].isna().to_numpy(dtype=bool)]
    for ref, column in (("Twitter Retweet of", "retweeted_id"), ("X Repost of", "retweeted_id"),
                        ("Twitter Reply to", "in_reply_to_id"), ("X Reply to", "in_reply_to_id")):
        found = _text(source, ref).astype("string").str.extract(STATUS_ID.pattern, expand=False)
        out[column] = out[column].where(out[column].notna(), found.astype(object).where(found.notna(), None))


def _talkwalker(source: pd.DataFrame, out: pd.DataFrame) -> None:
    """Ids from ``url`` when ``external_id`` is blank."""
    _id_from_url(out, _text(source, "url"))


def _meltwater(source: pd.DataFrame, out: pd.DataFrame) -> None:
    """Older files split the time into ``Date`` and ``Time``; ids from ``URL`` if missing."""
    if "Time" in source.columns and "Date" in source.columns:
        joined = _text(source, "Date").astype("string") + " " + _text(source, "Time").astype("string")
        out["created_at"] = joined.astype(object).where(joined.notna(), out["created_at"])
    _id_from_url(out, _text(source, "URL"))


def _pulsar(source: pd.DataFrame, out: pd.DataFrame) -> None:
    """``ID`` is Pulsar's own index: the platform id comes from ``URL``. ``Parent`` != 0 marks
    a retweet of that (Pulsar-internal) post."""
    out["id"] = None
    _id_from_url(out, _text(source, "URL"))
    parent = _text(source, "Parent").astype("string").fillna("0").str.strip()
    out["is_retweet"] = ~parent.isin(["0", "", "0.0"]).to_numpy(dtype=bool)


def _sprout(source: pd.DataFrame, out: pd.DataFrame) -> None:
    _id_from_url(out, _text(source, "perma_link"))


VENDOR_SPECS: Final[tuple[CsvSpec, ...]] = (
    CsvSpec(
        "brandwatch", "Brandwatch Consumer Research export (CSV/XLSX)", ("Thread Entry Type",), "any",
        cols(id=("Resource Id", "Mention Id", "Tweet Id"), created_at="Date",
             text=("Full Text", "Snippet", "Title"), author="Author",
             author_followers=("X Followers", "Twitter Followers", "Bluesky Followers"),
             lang="Language", hashtags="Hashtags", mentions="Mentioned Authors",
             retweet_count=("X Reposts", "Twitter Retweets", "Shares"),
             like_count=("X Likes", "Twitter Likes", "Likes"),
             reply_count=("X Replies", "Twitter Reply Count", "Comments"),
             quote_count=("X Quotes", "Twitter Quotes"),
             platform=("Page Type", "Domain"), url="Url", vendor_sentiment="Sentiment"),
        derive=_brandwatch, vendor_ids=True, naive_times=True,
        detect_also=(("Page Type", "Full Text", "Url"), ("Query Name", "Full Text", "Url"))),
    CsvSpec(
        "talkwalker", "Talkwalker / Hootsuite Lumen export (CSV/XLSX)",
        ("published", "extra_author_attributes.short_name"), "epoch",
        cols(id="external_id", created_at="published", text=("content", "content_snippet", "title"),
             author=("extra_author_attributes.short_name", "extra_author_attributes.name"),
             author_followers="source_extended_attributes.twitter_followers", lang="lang",
             hashtags="tokens_hashtag",
             retweet_count="article_extended_attributes.twitter_retweets",
             like_count="article_extended_attributes.twitter_likes",
             reply_count="article_extended_attributes.twitter_replies",
             quote_count="article_extended_attributes.twitter_quote_tweets",
             platform="source_type", url="url", vendor_sentiment="sentiment"),
        derive=_talkwalker, vendor_ids=True,
        detect_also=(("published", "source_type", "url"),)),
    CsvSpec(
        "meltwater", "Meltwater Explore export (UTF-16 TSV, CSV or XLSX)", ("Hit Sentence",), "meltwater",
        cols(id=("Tweet Id", "Document ID"), created_at="Date",
             text=("Hit Sentence", "Opening Text", "Headline", "Title"),
             author=("Author Handle", "Influencer"), lang="Language", hashtags="Hashtags",
             retweet_count=("Reposts", "Retweets", "Shares"), like_count="Likes",
             reply_count=("Replies", "Comments"), quote_count="Quotes",
             platform=("Source", "Source Domain"), url="URL", vendor_sentiment="Sentiment"),
        derive=_meltwater, vendor_ids=True, naive_times=True,
        detect_also=(("Opening Text", "Headline", "Source"),)),
    CsvSpec(
        "pulsar", "Pulsar TRAC export (XLS/XLSX/CSV)", ("Parent", "Search", "Application"), "any",
        cols(created_at="Date", text=("Content", "Title"),
             author=("Screen Name", "Username", "User Name", "Author"),
             author_followers=("Followers", "Author Followers", "Audience"), lang="Language",
             retweet_count=("Retweets", "Shares", "Reposts"), like_count=("Likes", "Favourites"),
             reply_count=("Replies", "Comments"), quote_count="Quotes",
             platform="Source", url="URL", vendor_sentiment="Sentiment"),
        derive=_pulsar, vendor_ids=True, naive_times=True),
    CsvSpec(
        "sprout", "Sprout Social listening messages (CSV/XLSX)", ("guid", "created_time", "network"), "any",
        cols(id="guid", created_at="created_time", text="text", author=("from.screen_name", "from.name"),
             author_followers="from.followers_count", lang="language",
             retweet_count=("repost_count", "shares_count"), like_count="likes", reply_count="replies",
             quote_count="quote_count", platform="network", url="perma_link",
             vendor_sentiment="sentiment"),
        derive=_sprout, vendor_ids=True, naive_times=True),
)
