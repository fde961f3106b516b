"""JSON tweet records (v1.1, v2 pages/flat/stream, snscrape, tweets.js) mapped to rows.

A *row* is a tuple in ``ROW_FIELDS`` order (or ``FULL_ROW_FIELDS``, which adds platform,
url and vendor sentiment): the canonical columns (``schema.COLUMNS``) without
``source_format``, with ``created_at`` still the raw string of the format (the
loader parses the whole column at once). A mapper raises ``NotATweet`` with a reason for
records that are not tweets (delete notices, API error objects, wrong types); a mapper of
multi-tweet records (v2 pages) returns a reason string in place of each unusable item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from analysis import schema
from analysis.schema import COLUMNS

# Columns a mapper may leave out: the loader fills platform from the format, the rest empty.
EXTRA_FIELDS: Final[tuple[str, ...]] = ("platform", "url", "vendor_sentiment")
ROW_FIELDS: Final[tuple[str, ...]] = tuple(
    name for name in COLUMNS if name != "source_format" and name not in EXTRA_FIELDS)
# Not canonical: the id of the latest version of an edited post (API v2 edit history); the
# loader drops earlier versions when the latest is in the file and counts them.
LATEST_ID: Final = "_latest_id"
# A row of a mapper that knows the platform or URL (Bluesky, Mastodon, listening suites);
# shorter rows are padded with None.
FULL_ROW_FIELDS: Final[tuple[str, ...]] = ROW_FIELDS + EXTRA_FIELDS + (LATEST_ID,)
Row = tuple[Any, ...]
MAX_COUNT: Final = 2**53  # beyond this a "count" is garbage (and overflows Int64 on the way)
Record = Mapping[str, Any]
# Stream/REST envelopes that are not tweets, and what they are (v1 streaming + v2 API).
NOTICES: Final[dict[str, str]] = {
    "delete": "delete notice (not a tweet)",
    "scrub_geo": "scrub_geo notice (not a tweet)",
    "limit": "rate-limit notice (not a tweet)",
    "status_withheld": "withheld notice (not a tweet)",
    "user_withheld": "withheld notice (not a tweet)",
    "disconnect": "disconnect notice (not a tweet)",
    "warning": "stall warning (not a tweet)",
    "errors": "API error object (not a tweet)",
    "friends": "friends list preamble (not a tweet)",
}


class NotATweet(Exception):
    """This record is not a usable tweet; ``args[0]`` says why."""


def _notice(record: object) -> str:
    if not isinstance(record, dict):
        return f"a JSON {type(record).__name__}, not a tweet object"
    for key, reason in NOTICES.items():
        if key in record:
            detail = _error_detail(record[key]) if key == "errors" else ""
            return reason + detail
    keys = ", ".join(sorted(record)[:6])
    return f"not a tweet object (keys: {keys})"


def _error_detail(errors: object) -> str:
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return f": {first.get('detail') or first.get('title') or first.get('message') or ''}".rstrip(": ")
    return ""


def _sid(value: object) -> str | None:
    """An id as a string; ints are exact, anything else is refused by the loader."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise NotATweet(f"id is a boolean ({value})")
    if isinstance(value, float):
        raise NotATweet(f"id {value!r} is a float: precision lost")
    return str(value)


def _post_id(record: object, is_kind: Callable[[Mapping[str, Any]], bool], time_key: str,
             noun: str) -> str:
    """The id of a record a mapper reads: it must be an object of the mapper's kind, with an
    ``id`` and a creation time (``time_key``); else ``NotATweet`` says what is missing."""
    if not isinstance(record, dict) or not is_kind(record):
        raise NotATweet(_notice(record))
    post_id = _sid(record.get("id"))
    if not post_id or not record.get(time_key):
        raise NotATweet(f"{noun} has no id or {time_key}")
    return post_id


def _int(value: object) -> int | None:
    """A count or follower number; anything that is not a whole number in range is unknown."""
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, int):
        try:
            value = int(str(value))
        except ValueError:
            return None
    return value if -MAX_COUNT < value < MAX_COUNT else None


# ---------------------------------------------------------------- API v1.1 and tweets.js
def v1(record: Record) -> list[Row]:
    """One v1.1 tweet object (REST, streaming, twarc1, Stream Grab)."""
    if not isinstance(record, dict) or "user" not in record or "created_at" not in record:
        raise NotATweet(_notice(record))
    return [_v1_row(record, record["user"])]


def tweets_js(record: Record) -> list[Row]:
    """One ``{"tweet": {...}}`` item of the account archive (no user object per tweet)."""
    tweet = record.get("tweet") if isinstance(record, dict) else None
    if not isinstance(tweet, dict) or "created_at" not in tweet:
        raise NotATweet(_notice(record))
    return [_v1_row(tweet, None)]


def _v1_text(tweet: Record) -> tuple[str, Record]:
    ext = tweet.get("extended_tweet")
    if isinstance(ext, dict) and "full_text" in ext:
        return ext["full_text"], ext.get("entities") or {}
    text = tweet.get("full_text") or tweet.get("text")
    if not isinstance(text, str):
        raise NotATweet("tweet has no text")
    return text, tweet.get("entities") or {}


def _v1_row(tweet: Record, user: Any) -> Row:
    tweet_id = tweet.get("id_str") or _sid(tweet.get("id"))
    if not tweet_id:
        raise NotATweet("tweet has no id")
    author = user.get("screen_name") if isinstance(user, dict) else None
    followers = user.get("followers_count") if isinstance(user, dict) else None
    original = tweet.get("retweeted_status")
    retweeted_id = retweeted_author = None
    if isinstance(original, dict):
        otext, entities = _v1_text(original)
        ouser = original.get("user")
        retweeted_author = ouser.get("screen_name") if isinstance(ouser, dict) else None
        retweeted_id = original.get("id_str") or _sid(original.get("id"))
        text = schema.retweet_text(retweeted_author, otext)
        mentions = [retweeted_author] if retweeted_author else []
    else:
        text, entities = _v1_text(tweet)
        mentions = []
        original = None
        # an old-style or stripped retweet: "RT @x:" with no retweeted_status
        retweeted_author = schema.retweet_author(text)
    hashtags = [h["text"].lower() for h in entities.get("hashtags") or () if isinstance(h, dict)]
    mentions += [m["screen_name"] for m in entities.get("user_mentions") or ()
                 if isinstance(m, dict) and m.get("screen_name") not in mentions]
    reply_id = tweet.get("in_reply_to_status_id_str") or _sid(tweet.get("in_reply_to_status_id"))
    quoted_id = tweet.get("quoted_status_id_str") or _sid(tweet.get("quoted_status_id"))
    quoted = tweet.get("quoted_status")
    quoted_author = None
    if isinstance(quoted, dict):
        quoted_id = quoted_id or quoted.get("id_str")
        quser = quoted.get("user")
        quoted_author = quser.get("screen_name") if isinstance(quser, dict) else None
    is_retweet = retweeted_id is not None or retweeted_author is not None
    if is_retweet:
        semantics = "copied_from_original"
    elif "timestamp_ms" in tweet:
        semantics = "stream_capture"
    else:
        semantics = "snapshot"
    get = tweet.get
    return (  # counts stay raw: the loader converts whole columns (and refuses non-numbers)
        str(tweet_id), tweet["created_at"], text, author, followers,
        is_retweet, retweeted_id, retweeted_author,
        reply_id is not None, reply_id, get("in_reply_to_screen_name"),
        quoted_id is not None and not is_retweet, quoted_id, quoted_author,
        get("lang"), hashtags, mentions,
        get("retweet_count"), get("favorite_count"), get("reply_count"), get("quote_count"), semantics,
    )


# ---------------------------------------------------------------- API v2
class _V2Lookup:
    """Users and referenced tweets by id: from ``includes`` (pages) or inlined (flat)."""

    def __init__(self, users: Mapping[str, Record], tweets: Mapping[str, Record]) -> None:
        self.users = users
        self.tweets = tweets

    @classmethod
    def from_includes(cls, includes: object) -> _V2Lookup:
        inc = includes if isinstance(includes, dict) else {}
        users = {str(u.get("id")): u for u in inc.get("users") or () if isinstance(u, dict)}
        tweets = {str(t.get("id")): t for t in inc.get("tweets") or () if isinstance(t, dict)}
        return cls(users, tweets)

    @classmethod
    def from_flat(cls, tweet: Record) -> _V2Lookup:
        users: dict[str, Record] = {}
        tweets: dict[str, Record] = {}
        for key in ("author", "in_reply_to_user"):
            if isinstance(tweet.get(key), dict):
                users[str(tweet[key].get("id"))] = tweet[key]
        for ref in tweet.get("referenced_tweets") or ():
            if isinstance(ref, dict) and "text" in ref:
                tweets[str(ref.get("id"))] = ref
                if isinstance(ref.get("author"), dict):
                    users[str(ref["author"].get("id"))] = ref["author"]
        return cls(users, tweets)

    def handle(self, user_id: object) -> str | None:
        user = self.users.get(str(user_id)) if user_id is not None else None
        return user.get("username") if user else None


def v2_page(record: Record) -> list[Row | str]:
    """A v2 response page: ``data`` is a list; ``includes.tweets`` only complete them."""
    data = record.get("data") if isinstance(record, dict) else None
    if not isinstance(data, list):
        raise NotATweet(_notice(record))
    lookup = _V2Lookup.from_includes(record.get("includes"))
    return [_v2_row_or_reason(tweet, lookup, "snapshot", index) for index, tweet in enumerate(data)]


def v2_stream(record: Record) -> list[Row]:
    """One filtered/sample stream message: ``data`` is a single tweet."""
    data = record.get("data") if isinstance(record, dict) else None
    if not isinstance(data, dict):
        raise NotATweet(_notice(record))
    return [_v2_row(data, _V2Lookup.from_includes(record.get("includes")), "stream_capture")]


def v2_flat(record: Record) -> list[Row]:
    """One tweet flattened by ``twarc2 flatten`` (author and references inlined)."""
    if not isinstance(record, dict) or "author_id" not in record or "text" not in record:
        raise NotATweet(_notice(record))
    return [_v2_row(record, _V2Lookup.from_flat(record), "snapshot")]


def _v2_row_or_reason(tweet: object, lookup: _V2Lookup, semantics: str, index: int) -> Row | str:
    """A page's tweet, or the reason it is rejected (the page's other tweets are kept)."""
    try:
        if not isinstance(tweet, dict):
            raise NotATweet(f"a JSON {type(tweet).__name__}, not a tweet object")
        return _v2_row(tweet, lookup, semantics)
    except (NotATweet, AttributeError, TypeError, KeyError) as exc:
        return f"data[{index}]: {exc}"


def _v2_tags(entities: object) -> tuple[list[str], list[str]]:
    ents = entities if isinstance(entities, dict) else {}
    tags = [str(h.get("tag", "")).lower() for h in ents.get("hashtags") or () if isinstance(h, dict)]
    names = [str(m.get("username")) for m in ents.get("mentions") or () if isinstance(m, dict)]
    return tags, names


def _v2_row(tweet: Record, lookup: _V2Lookup, semantics: str) -> Row:
    tweet_id = _sid(tweet.get("id"))
    if not tweet_id or "created_at" not in tweet:
        raise NotATweet("tweet has no id or created_at")
    refs = {r.get("type"): _sid(r.get("id")) for r in tweet.get("referenced_tweets") or ()
            if isinstance(r, dict)}
    author_id = tweet.get("author_id")
    user = lookup.users.get(str(author_id), {})
    text = _v2_text(tweet)
    tags, mentions = _v2_tags(tweet.get("entities"))
    retweeted_id, retweeted_author = refs.get("retweeted"), None
    if retweeted_id is not None:
        original = lookup.tweets.get(retweeted_id)
        if original is not None:
            retweeted_author = lookup.handle(original.get("author_id"))
            text = schema.retweet_text(retweeted_author, _v2_text(original))
            tags, omentions = _v2_tags(original.get("entities"))
            mentions = [retweeted_author or ""] + [m for m in omentions if m != retweeted_author]
        else:
            retweeted_author = schema.retweet_author(text)
        semantics = "copied_from_original"
    reply_id, quoted_id = refs.get("replied_to"), refs.get("quoted")
    quoted = lookup.tweets.get(quoted_id) if quoted_id else None
    metrics: Record = tweet["public_metrics"] if isinstance(tweet.get("public_metrics"), dict) else {}
    followers = (user.get("public_metrics") or {}).get("followers_count") if user else None
    return (
        tweet_id, tweet["created_at"], text, user.get("username") if user else None, _int(followers),
        retweeted_id is not None, retweeted_id, retweeted_author,
        reply_id is not None, reply_id, lookup.handle(tweet.get("in_reply_to_user_id")),
        quoted_id is not None and retweeted_id is None, quoted_id,
        lookup.handle(quoted.get("author_id")) if quoted else None,
        tweet.get("lang"), tags, [m for m in mentions if m],
        _int(metrics.get("retweet_count")), _int(metrics.get("like_count")),
        _int(metrics.get("reply_count")), _int(metrics.get("quote_count")),
        semantics if metrics else "unknown",
        None, None, None, _latest_version(tweet_id, tweet.get("edit_history_tweet_ids")),
    )


def _v2_text(tweet: Record) -> str:
    """The full text: ``note_tweet.text`` for posts over 280 characters, else ``text``."""
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str) and note["text"]:
        return note["text"]
    return str(tweet.get("text", ""))


def _latest_version(tweet_id: str, history: object) -> str | None:
    """The last id of the post's edit chain when it is not this one (an earlier version)."""
    if not isinstance(history, list) or not history:
        return None
    latest = _sid(history[-1]) if not isinstance(history[-1], float) else None
    return latest if latest and latest != tweet_id else None


# ---------------------------------------------------------------- snscrape
def snscrape(record: Record) -> list[Row]:
    """One ``snscrape --jsonl twitter-…`` tweet (``rawContent`` or older ``content``)."""
    if not isinstance(record, dict) or "date" not in record:
        raise NotATweet(_notice(record))
    tweet_id = record.get("id.str") or record.get("id_str") or _sid(record.get("id"))
    if not tweet_id:
        raise NotATweet("tweet has no id")
    user: Record = record["user"] if isinstance(record.get("user"), dict) else {}
    author = user.get("username") or record.get("username")
    text = record.get("rawContent") or record.get("content") or record.get("renderedContent") or ""
    original = record.get("retweetedTweet")
    retweeted_id = retweeted_author = None
    hashtags = record.get("hashtags") or []
    if isinstance(original, dict):
        ouser: Record = original["user"] if isinstance(original.get("user"), dict) else {}
        retweeted_author = ouser.get("username")
        retweeted_id = _sid(original.get("id"))
        text = schema.retweet_text(retweeted_author, original.get("rawContent") or original.get("content") or "")
        hashtags = original.get("hashtags") or hashtags
    quoted: Record | None = record["quotedTweet"] if isinstance(record.get("quotedTweet"), dict) else None
    reply_user: Record = record["inReplyToUser"] if isinstance(record.get("inReplyToUser"), dict) else {}
    mentioned = record.get("mentionedUsers") or []
    reply_id = _sid(record.get("inReplyToTweetId"))
    is_retweet = retweeted_id is not None
    return [(
        str(tweet_id), record["date"], str(text), author, _int(user.get("followersCount")),
        is_retweet, retweeted_id, retweeted_author,
        reply_id is not None, reply_id, reply_user.get("username"),
        quoted is not None and not is_retweet, _sid(quoted.get("id")) if quoted else None,
        (quoted.get("user") or {}).get("username") if quoted else None,
        record.get("lang"), [str(h).lower().lstrip("#") for h in hashtags if h],
        [m.get("username") for m in mentioned if isinstance(m, dict) and m.get("username")],
        _int(record.get("retweetCount")), _int(record.get("likeCount")),
        _int(record.get("replyCount")), _int(record.get("quoteCount")),
        "copied_from_original" if is_retweet else "snapshot",
    )]


# A mapper returns rows, or for multi-tweet records (v2 pages) a rejection reason per bad item.
Mapper = Callable[[Record], list[Row | str]] | Callable[[Record], list[Row]]
