"""Bluesky and Mastodon posts mapped to canonical rows (with ``platform`` and ``url``).

Bluesky (AT Protocol):
- post views (``app.bsky.feed.defs#postView``) as ``searchPosts`` pages (``posts``), feeds
  (``feed``: a ``reasonRepost`` item is a repost row), ``getPostThread`` responses
  (``thread``: the post, its parents and replies) or one per line; 4CAT's Bluesky NDJSON is
  the same object in snake_case (``like_count``, ``created_at``, ``4CAT_metadata``);
- raw ``app.bsky.feed.post`` records (``{uri, cid, value}`` from ``getRecord``);
- Jetstream events, one per line: only ``create`` commits of ``app.bsky.feed.post`` are posts;
  every other event (likes, follows, identity…) is rejected with what it was.
A Bluesky id is the post's ``at://`` URI; its link is ``https://bsky.app/profile/<handle>/post/<rkey>``.
A view does not carry follower counts; Jetstream carries no handle (the author's DID stands in).

Mastodon: statuses as the API returns them (``/timelines/tag``, ``/statuses``): HTML content
turned into text, ``reblog`` as a repost ("RT @acct: …"), replies, tags, mentions. Counts are
those of the instance the file came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from typing import Any, Final

from analysis import schema
from analysis.ingest.formats.records import NotATweet, Record, Row, _int, _notice, _post_id, _sid

POST_COLLECTION: Final = "app.bsky.feed.post"
AT_URI: Final = r"at://[^\s/]{1,300}/app\.bsky\.feed\.post/[^\s/]{1,100}(/reposted-by/[^\s/]{1,300})?"
# Facet features (rich-text annotations) of Bluesky posts.
TAG_FEATURE: Final = "app.bsky.richtext.facet#tag"
MENTION_FEATURE: Final = "app.bsky.richtext.facet#mention"
QUOTE_EMBEDS: Final = ("app.bsky.embed.record", "app.bsky.embed.recordWithMedia")
REPOST_REASON: Final = "app.bsky.feed.defs#reasonRepost"
# HTML elements that end a line or a paragraph in Mastodon content.
LINE_BREAKS: Final = frozenset({"br"})
PARAGRAPHS: Final = frozenset({"p", "div", "li", "blockquote", "pre"})
_BLANK_LINES = re.compile(r"\n{3,}")


def _dict(value: object) -> Record:
    return value if isinstance(value, dict) else {}


def _get(record: Mapping[str, Any], camel: str, snake: str) -> Any:
    """A field of a Bluesky object in the API's camelCase or the Python SDK's snake_case."""
    return record.get(camel, record.get(snake))


def _type(record: Mapping[str, Any]) -> str:
    return str(record.get("$type") or record.get("py_type") or "")


# --------------------------------------------------------------------------- Bluesky
def is_post_view(record: Mapping[str, Any]) -> bool:
    return str(record.get("uri", "")).startswith("at://") and isinstance(record.get("record"), dict) \
        and isinstance(record.get("author"), dict)


def is_post_record(record: Mapping[str, Any]) -> bool:
    value = record.get("value")
    return str(record.get("uri", "")).startswith("at://") and isinstance(value, dict) \
        and POST_COLLECTION in _type(value)


def is_post_page(record: Mapping[str, Any]) -> bool:
    items = record.get("posts") if isinstance(record.get("posts"), list) else record.get("feed")
    return isinstance(items, list) and any(
        isinstance(i, dict) and (is_post_view(i) or is_post_view(_dict(i.get("post")))) for i in items)


def is_thread(record: Mapping[str, Any]) -> bool:
    return is_post_view(_dict(_dict(record.get("thread")).get("post")))


def is_jetstream(record: Mapping[str, Any]) -> bool:
    return "time_us" in record and "did" in record


def _rkey(uri: str) -> tuple[str, str]:
    """(DID, record key) of an ``at://`` post URI."""
    did, _, rkey = uri.removeprefix("at://").partition(f"/{POST_COLLECTION}/")
    return did, rkey


def _bsky_url(uri: str, handle: str | None) -> str | None:
    did, rkey = _rkey(uri)
    return f"https://bsky.app/profile/{handle or did}/post/{rkey}" if rkey else None


def _facets(post: Record) -> tuple[list[str], list[str]]:
    """Hashtags and mentioned handles of a post record (facets index UTF-8 bytes of the text)."""
    text = str(post.get("text") or "").encode("utf-8")
    tags = [str(t).lower().lstrip("#") for t in post.get("tags") or () if isinstance(t, str)]
    mentions: list[str] = []
    for facet in post.get("facets") or ():
        facet = _dict(facet)
        index = _dict(facet.get("index"))
        start, end = _get(index, "byteStart", "byte_start"), _get(index, "byteEnd", "byte_end")
        for feature in facet.get("features") or ():
            feature = _dict(feature)
            kind = _type(feature)
            if kind.endswith("#tag") or kind.endswith("Tag"):
                tags.append(str(feature.get("tag", "")).lower().lstrip("#"))
            elif (kind.endswith("#mention") or kind.endswith("Mention")) and isinstance(start, int) \
                    and isinstance(end, int) and 0 <= start < end <= len(text):
                mentions.append(text[start:end].decode("utf-8", errors="replace").lstrip("@"))
    return [t for t in dict.fromkeys(tags) if t], [m for m in dict.fromkeys(mentions) if m]


def _quote(post: Record, view_embed: Record) -> tuple[str | None, str | None]:
    """(uri, handle) of the post quoted through a record or record-with-media embed."""
    embed = _dict(post.get("embed"))
    kind = _type(embed)
    if not kind.startswith(QUOTE_EMBEDS):
        return None, None
    inner = _dict(embed.get("record"))
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        inner = _dict(inner.get("record"))
    viewed = _dict(view_embed.get("record"))
    viewed = _dict(viewed.get("record")) if "record" in viewed and "uri" not in viewed else viewed
    handle = _dict(viewed.get("author")).get("handle")
    uri = inner.get("uri")
    return (str(uri) if uri else None), (str(handle) if handle else None)


def _reply(post: Record) -> str | None:
    parent = _dict(_dict(post.get("reply")).get("parent"))
    return str(parent["uri"]) if parent.get("uri") else None


def _bluesky_row(uri: str, post: Record, handle: str | None, followers: object,
                 counts: Record, view_embed: Record, meta: Record) -> Row:
    created = _get(post, "createdAt", "created_at")
    if not uri or not created:
        raise NotATweet("post has no uri or createdAt")
    text = post.get("text")
    if not isinstance(text, str):
        raise NotATweet("post has no text")
    hashtags, mentions = _facets(post)
    mentions += [str(m.get("handle")) for m in meta.get("mentions") or ()
                 if isinstance(m, dict) and m.get("handle") and m.get("handle") not in mentions]
    reply_uri = _reply(post)
    quoted_uri, quoted_handle = _quote(post, view_embed)
    langs = post.get("langs")
    reply_to = meta.get("reply_to")
    return (
        uri, created, text, handle, _int(followers),
        False, None, None,
        reply_uri is not None, reply_uri, str(reply_to) if isinstance(reply_to, str) and reply_to else None,
        quoted_uri is not None, quoted_uri, quoted_handle,
        langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None,
        hashtags, mentions,
        _int(_get(counts, "repostCount", "repost_count")), _int(_get(counts, "likeCount", "like_count")),
        _int(_get(counts, "replyCount", "reply_count")), _int(_get(counts, "quoteCount", "quote_count")),
        "snapshot" if any(k in counts for k in ("likeCount", "like_count")) else "unknown",
        "bluesky", _bsky_url(uri, handle), None,
    )


def _view_row(view: Record) -> Row:
    author = _dict(view.get("author"))
    return _bluesky_row(str(view.get("uri") or ""), _dict(view.get("record")), author.get("handle"),
                        _get(author, "followersCount", "followers_count"), view,
                        _dict(view.get("embed")), _dict(view.get("4CAT_metadata")))


def post_view(record: Record) -> list[Row]:
    """One post view (one per line; 4CAT's snake_case NDJSON too)."""
    if not isinstance(record, dict) or not is_post_view(record):
        raise NotATweet(_notice(record))
    return [_view_row(record)]


def post_record(record: Record) -> list[Row]:
    """A raw ``app.bsky.feed.post`` record as ``getRecord`` returns it (no author handle)."""
    if not isinstance(record, dict) or not is_post_record(record):
        raise NotATweet(_notice(record))
    uri = str(record["uri"])
    return [_bluesky_row(uri, record["value"], _rkey(uri)[0] or None, None, {}, {}, {})]


def _feed_row(item: Record) -> Row:
    view = _dict(item.get("post")) or item
    row = _view_row(view)
    reason = _dict(item.get("reason"))
    if REPOST_REASON not in _type(reason):
        return row
    by = _dict(reason.get("by"))
    who = str(by.get("did") or by.get("handle") or "")
    if not who:
        raise NotATweet("repost without its author")
    original_author = row[3]
    return (
        f"{row[0]}/reposted-by/{who}", _get(reason, "indexedAt", "indexed_at") or row[1],
        schema.retweet_text(original_author, row[2]), by.get("handle"), None,
        True, row[0], original_author, False, None, None, False, None, None,
        row[14], row[15], [original_author] if original_author else [],
        row[17], row[18], row[19], row[20], "copied_from_original", "bluesky", row[23], None)


def post_page(record: Record) -> list[Row | str]:
    """A ``searchPosts`` page (``posts``) or a feed page (``feed``; reposts become rows)."""
    if not isinstance(record, dict):
        raise NotATweet(_notice(record))
    items = record.get("posts") if isinstance(record.get("posts"), list) else record.get("feed")
    if not isinstance(items, list):
        raise NotATweet(_notice(record))
    out: list[Row | str] = []
    for index, item in enumerate(items):
        try:
            out.append(_feed_row(_dict(item)) if isinstance(item, dict) else
                       _fail(f"a JSON {type(item).__name__}, not a post view"))
        except NotATweet as exc:
            out.append(f"posts[{index}]: {exc}")
    return out


def _fail(reason: str) -> Row:
    raise NotATweet(reason)


def _thread_views(node: object) -> Iterator[Record]:
    """The post views of a thread: parents first, then the post, then replies (depth first)."""
    node = _dict(node)
    if "parent" in node:
        yield from _thread_views(node["parent"])
    if is_post_view(_dict(node.get("post"))):
        yield node["post"]
    for reply in node.get("replies") or ():
        yield from _thread_views_down(reply)


def _thread_views_down(node: object) -> Iterator[Record]:
    node = _dict(node)
    if is_post_view(_dict(node.get("post"))):
        yield node["post"]
    for reply in node.get("replies") or ():
        yield from _thread_views_down(reply)


def thread(record: Record) -> list[Row | str]:
    """A ``getPostThread`` response: the post, its parents and its replies are rows."""
    if not isinstance(record, dict) or not is_thread(record):
        raise NotATweet(_notice(record))
    out: list[Row | str] = []
    for index, view in enumerate(_thread_views(record["thread"])):
        try:
            out.append(_view_row(view))
        except NotATweet as exc:
            out.append(f"thread post {index + 1}: {exc}")
    return out


def jetstream(record: Record) -> list[Row]:
    """One Jetstream event: a created post is a row; anything else says what it was."""
    if not isinstance(record, dict) or not is_jetstream(record):
        raise NotATweet(_notice(record))
    commit = _dict(record.get("commit"))
    collection = commit.get("collection")
    if record.get("kind") != "commit" or collection != POST_COLLECTION or commit.get("operation") != "create":
        what = collection or record.get("kind") or "event"
        raise NotATweet(f"not a new post ({what} {commit.get('operation') or ''}): skipped".replace(" )", ")"))
    did, rkey = str(record.get("did") or ""), str(commit.get("rkey") or "")
    if not did or not rkey:
        raise NotATweet("post event without did or rkey")
    return [_bluesky_row(f"at://{did}/{POST_COLLECTION}/{rkey}", _dict(commit.get("record")), did,
                         None, {}, {}, {})]


# --------------------------------------------------------------------------- Mastodon
class _Text(HTMLParser):
    """Mastodon's status HTML as plain text: paragraphs and line breaks kept, tags dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in LINE_BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in PARAGRAPHS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(content: str) -> str:
    """The text of an HTML fragment (entities decoded once, markup never kept)."""
    parser = _Text()
    parser.feed(content)
    parser.close()
    return _BLANK_LINES.sub("\n\n", "".join(parser.parts)).strip()


def is_status(record: Mapping[str, Any]) -> bool:
    return isinstance(record.get("account"), dict) and "content" in record and "uri" in record


def _status_text(status: Record) -> str:
    content = status.get("content")
    if not isinstance(content, str):
        raise NotATweet("status has no content")
    text = html_text(content)
    warning = status.get("spoiler_text")
    return f"CW: {warning}\n\n{text}" if isinstance(warning, str) and warning else text


def _acct(status: Record) -> str | None:
    acct = _dict(status.get("account")).get("acct")
    return str(acct) if acct else None


def status(record: Record) -> list[Row]:
    """One Mastodon status (a reblog is a repost of its original)."""
    status_id = _post_id(record, is_status, "created_at", "status")
    original = _dict(record.get("reblog"))
    source = original or record
    text = _status_text(source)
    hashtags = [str(t.get("name", "")).lower() for t in source.get("tags") or () if isinstance(t, dict)]
    mentions = [str(m.get("acct")) for m in source.get("mentions") or () if isinstance(m, dict) and m.get("acct")]
    retweeted_id = retweeted_author = None
    if original:
        retweeted_id, retweeted_author = _sid(original.get("id")), _acct(original)
        text = schema.retweet_text(retweeted_author, text)
        mentions = ([retweeted_author] if retweeted_author else []) + [
            m for m in mentions if m != retweeted_author]
    reply_id = _sid(record.get("in_reply_to_id"))
    reply_account = record.get("in_reply_to_account_id")
    reply_author = next((str(m.get("acct")) for m in record.get("mentions") or ()
                         if isinstance(m, dict) and m.get("id") == reply_account), None)
    quote = _dict(record.get("quote"))
    quoted = _dict(quote.get("quoted_status")) if quote.get("state", "accepted") == "accepted" else {}
    counts = source if original else record
    account = _dict(record.get("account"))
    return [(
        status_id, record["created_at"], text, _acct(record), _int(account.get("followers_count")),
        original != {}, retweeted_id, retweeted_author,
        reply_id is not None, reply_id, reply_author,
        bool(quoted) and not original, _sid(quoted.get("id")) if quoted else None,
        _acct(quoted) if quoted else None,
        record.get("language") if isinstance(record.get("language"), str) else None,
        [t for t in hashtags if t], mentions,
        _int(counts.get("reblogs_count")), _int(counts.get("favourites_count")),
        _int(counts.get("replies_count")), _int(counts.get("quotes_count")),
        "copied_from_original" if original else "snapshot",
        "mastodon", record.get("url") or record.get("uri"), None,
    )]
