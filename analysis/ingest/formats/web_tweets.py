"""X as captured from the web in the 2020s: GraphQL tweet objects and scraper JSON.

- X's web GraphQL responses (UserTweets, SearchTimeline, TweetDetail…), saved whole: every
  ``tweet_results.result`` of the timeline is a row; the originals nested in a retweet or a
  quote only complete that row (as ``includes`` does for v2 pages). Pinned posts sit outside
  the timeline's window and are skipped.
- Zeeschuimer NDJSON (``{"source_platform": "twitter.com", "data": {tweet}}``) and 4CAT's
  NDJSON of such a dataset (the tweet object with ``__import_meta``): one tweet per line.
- Apify / twitterapi.io tweet JSON (``type: "tweet"``, camelCase ``author.userName``).

The GraphQL shape drifted three times in 2026 (user fields split between ``core`` and
``legacy``; ``legacy`` null with its fields at the top level; empty entity keys omitted), so
every field is looked up along a list of paths and a missing one is unknown, not an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from analysis import schema
from analysis.ingest.formats.records import NotATweet, Record, Row, _int, _notice, _post_id, _sid

# GraphQL wrappers around a tweet; their inner tweet is under "tweet".
WRAPPERS: Final = frozenset({"TweetWithVisibilityResults"})
# Results that stand for a post X will not show (deleted, withheld, age-gated).
UNAVAILABLE: Final = frozenset({"TweetTombstone", "TweetUnavailable"})
# Timeline instructions whose tweets are not part of the timeline's own window.
SKIPPED_INSTRUCTIONS: Final = frozenset({"TimelinePinEntry"})


def _dict(value: object) -> Record:
    return value if isinstance(value, dict) else {}


def _path(record: Record, *keys: str) -> Any:
    value: Any = record
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _unwrap(result: object) -> Record:
    tweet = _dict(result)
    while tweet.get("__typename") in WRAPPERS and isinstance(tweet.get("tweet"), dict):
        tweet = tweet["tweet"]
    return tweet


# --------------------------------------------------------------------------- GraphQL tweets
def is_timeline(record: Mapping[str, Any]) -> bool:
    """A saved GraphQL response: ``data`` holds a timeline, not a v2 tweet."""
    data = record.get("data")
    return isinstance(data, dict) and "text" not in data and "id" not in data and any(
        True for _ in _tweet_results(data))


def is_tweet_object(record: Mapping[str, Any]) -> bool:
    return "rest_id" in record and ("legacy" in record or "core" in record)


def is_zeeschuimer(record: Mapping[str, Any]) -> bool:
    return "twitter" in str(record.get("source_platform", "")) or "x.com" in str(
        record.get("source_platform", ""))


def _tweet_results(node: object) -> Iterator[object]:
    """Every ``tweet_results.result`` of a response, not descending into tweets themselves."""
    if isinstance(node, dict):
        if node.get("type") in SKIPPED_INSTRUCTIONS:
            return
        for key, value in node.items():
            if key in ("tweet_results", "tweetResult") and isinstance(value, dict):
                if "result" in value:
                    yield value["result"]
            else:
                yield from _tweet_results(value)
    elif isinstance(node, list):
        for item in node:
            yield from _tweet_results(item)


def timeline(record: Record) -> list[Row | str]:
    """A whole GraphQL response: one row per timeline tweet, a reason per unusable one."""
    if not isinstance(record, dict) or not isinstance(record.get("data"), dict):
        raise NotATweet(_notice(record))
    out: list[Row | str] = []
    for index, result in enumerate(_tweet_results(record["data"]), 1):
        try:
            out.append(_row(result))
        except NotATweet as exc:
            out.append(f"tweet {index}: {exc}")
    if not out:
        raise NotATweet("a GraphQL response without tweets")
    return out


def tweet_object(record: Record) -> list[Row]:
    """One GraphQL tweet object (4CAT NDJSON, or a bare ``tweet_results.result``)."""
    return [_row(record)]


def zeeschuimer(record: Record) -> list[Row]:
    """One Zeeschuimer item: the tweet is its ``data``."""
    data = record.get("data") if isinstance(record, dict) else None
    if not isinstance(data, dict):
        raise NotATweet(_notice(record))
    return [_row(data)]


def _user(tweet: Record) -> tuple[str | None, int | None]:
    user = _unwrap(_path(tweet, "core", "user_results", "result"))
    handle = (_path(user, "core", "screen_name") or _path(user, "legacy", "screen_name")
              or user.get("screen_name"))
    followers = (_path(user, "relationship_counts", "followers")
                 or _path(user, "legacy", "followers_count") or user.get("followers_count"))
    return (str(handle) if handle else None), _int(followers)


def _fields(tweet: Record) -> Record:
    """The tweet's v1.1-like fields: ``legacy``, or the top level when legacy is null (2026-09)."""
    legacy = tweet.get("legacy")
    return legacy if isinstance(legacy, dict) else tweet


def _text(tweet: Record, fields: Record) -> str:
    note = _path(tweet, "note_tweet", "note_tweet_results", "result", "text")
    if isinstance(note, str) and note:
        return note
    text = fields.get("full_text") or fields.get("text")
    if not isinstance(text, str):
        raise NotATweet("tweet has no text")
    return text


def _entities(tweet: Record, fields: Record) -> tuple[list[str], list[str]]:
    note = _dict(_path(tweet, "note_tweet", "note_tweet_results", "result", "entity_set"))
    entities = note or _dict(fields.get("entities"))
    tags = [str(h.get("text", "")).lower() for h in entities.get("hashtags") or () if isinstance(h, dict)]
    names = [str(m.get("screen_name")) for m in entities.get("user_mentions") or ()
             if isinstance(m, dict) and m.get("screen_name")]
    return [t for t in tags if t], names


def _row(result: object) -> Row:
    tweet = _unwrap(result)
    kind = tweet.get("__typename")
    if kind in UNAVAILABLE:
        raise NotATweet(f"{kind}: a post X does not show (deleted, withheld or restricted)")
    fields = _fields(tweet)
    tweet_id = _sid(tweet.get("rest_id")) or _sid(fields.get("id_str"))
    if not tweet_id or "created_at" not in fields:
        raise NotATweet("tweet has no rest_id or created_at")
    author, followers = _user(tweet)
    text = _text(tweet, fields)
    hashtags, mentions = _entities(tweet, fields)
    original = _unwrap(_path(fields, "retweeted_status_result", "result")
                       or _path(tweet, "retweeted_status_result", "result"))
    retweeted_id = retweeted_author = None
    if original:
        ofields = _fields(original)
        retweeted_id = _sid(original.get("rest_id")) or _sid(ofields.get("id_str"))
        retweeted_author, _ = _user(original)
        text = schema.retweet_text(retweeted_author, _text(original, ofields))
        hashtags, omentions = _entities(original, ofields)
        mentions = ([retweeted_author] if retweeted_author else []) + [
            m for m in omentions if m != retweeted_author]
    else:
        retweeted_author = schema.retweet_author(text)
    quoted = _unwrap(_path(tweet, "quoted_status_result", "result"))
    quoted_id = _sid(quoted.get("rest_id")) if quoted else _sid(fields.get("quoted_status_id_str"))
    quoted_author = _user(quoted)[0] if quoted else None
    reply_id = _sid(fields.get("in_reply_to_status_id_str"))
    is_retweet = retweeted_id is not None or retweeted_author is not None
    return (
        tweet_id, fields["created_at"], text, author, followers,
        is_retweet, retweeted_id, retweeted_author,
        reply_id is not None, reply_id, fields.get("in_reply_to_screen_name"),
        quoted_id is not None and not is_retweet, quoted_id, quoted_author,
        fields.get("lang"), hashtags, mentions,
        _int(fields.get("retweet_count")), _int(fields.get("favorite_count")),
        _int(fields.get("reply_count")), _int(fields.get("quote_count")),
        "copied_from_original" if is_retweet else "snapshot",
    )


# --------------------------------------------------------------------------- Apify
def is_apify(record: Mapping[str, Any]) -> bool:
    return record.get("type") == "tweet" and isinstance(record.get("author"), dict)


def apify(record: Record) -> list[Row]:
    """One Apify tweet-scraper / twitterapi.io tweet (camelCase, ``author.userName``)."""
    tweet_id = _post_id(record, is_apify, "createdAt", "tweet")
    author = _dict(record.get("author"))
    text = str(record.get("fullText") or record.get("text") or "")
    original = _dict(record.get("retweeted_tweet") or record.get("retweet"))
    quoted = _dict(record.get("quoted_tweet") or record.get("quote"))
    entities = _dict(record.get("entities"))
    hashtags = [str(h.get("text", "")).lower() for h in entities.get("hashtags") or () if isinstance(h, dict)]
    mentions = [str(m.get("screen_name")) for m in entities.get("user_mentions") or ()
                if isinstance(m, dict) and m.get("screen_name")]
    retweeted_id = retweeted_author = None
    if original:
        retweeted_id = _sid(original.get("id"))
        retweeted_author = _dict(original.get("author")).get("userName")
        text = schema.retweet_text(retweeted_author, original.get("fullText") or original.get("text") or "")
    else:
        retweeted_author = schema.retweet_author(text)
    reply_id = _sid(record.get("inReplyToId"))
    is_retweet = retweeted_id is not None or retweeted_author is not None
    quoted_id = _sid(quoted.get("id")) if quoted else None
    return [(
        tweet_id, record["createdAt"], text, author.get("userName"), _int(author.get("followers")),
        is_retweet, retweeted_id, retweeted_author,
        reply_id is not None or bool(record.get("isReply")), reply_id, record.get("inReplyToUsername"),
        quoted_id is not None and not is_retweet, quoted_id,
        _dict(quoted.get("author")).get("userName") if quoted else None,
        record.get("lang"), [t for t in hashtags if t], mentions,
        _int(record.get("retweetCount")), _int(record.get("likeCount")),
        _int(record.get("replyCount")), _int(record.get("quoteCount")),
        "copied_from_original" if is_retweet else "snapshot",
        "x", record.get("twitterUrl") or record.get("url"), None,
    )]
