"""The format registry: every archive format the loaders read, described as data.

Each ``Format`` says how it is detected (JSON keys of a record, or CSV header names), how
its creation times are written (a parser of ``analysis.formats.times``), and how a record
or a CSV row maps to the canonical table (``analysis.schema``). Detection tries the formats
in registry order; the first whose rule matches wins, so more specific rules come first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from analysis.ingest.formats import open_networks, records, web_tweets
from analysis.ingest.formats.tables import CSV_SPECS, CsvSpec

Container = Literal["json", "csv"]
DIGIT_ID: Final = r"\d{1,20}"
# Listening suites' own ids (Reddit, Facebook, news rows): any short token without spaces.
VENDOR_ID: Final = r"[^\s]{1,400}"


@dataclass(frozen=True)
class Format:
    """One archive format."""

    name: str
    label: str
    container: Container
    # JSON: keys every record of the format has ("key" or "key:list"/"key:dict");
    # CSV: header names that must all be present.
    detect: tuple[str, ...]
    time: str
    mapper: records.Mapper | None = None
    csv: CsvSpec | None = None
    notes: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    # where its posts come from (a key of schema.PLATFORMS), unless a row says otherwise
    platform: str = "x"
    # what a valid id looks like (X: digits; Bluesky: an at:// URI; vendors: their own ids)
    id_pattern: str = DIGIT_ID
    # text carries X's HTML entities (&amp; &lt; &gt;), decoded once at load
    html_entities: bool = False
    # times are written without a zone (read in the zone the user picks, UTC by default)
    naive_times: bool = False
    # for JSON shapes that keys alone cannot tell apart: a predicate on the record
    test: Callable[[Mapping[str, Any]], bool] | None = None

    def matches_record(self, record: object) -> bool:
        return self.container == "json" and isinstance(record, dict) and (bool(self.detect) or (
            self.test is not None)) and all(_has_key(record, spec) for spec in self.detect) and (
            self.test is None or self.test(record))

    def matches_header(self, header: set[str]) -> bool:
        if self.container != "csv" or self.csv is None:
            return False
        return any(set(names) <= header for names in (self.detect, *self.csv.detect_also) if names)


def _has_key(record: Mapping[str, Any], spec: str) -> bool:
    key, _, kind = spec.partition(":")
    if key not in record:
        return False
    if kind == "list":
        return isinstance(record[key], list)
    if kind == "dict":
        return isinstance(record[key], dict)
    return True


_JSON_FORMATS: Final[tuple[Format, ...]] = (
    Format("tweets-js", "Account archive tweets.js", "json", ("tweet:dict",), "v1",
           records.tweets_js, notes="window.YTD.tweets.part0 = [{\"tweet\": {...}}]",
           html_entities=True),
    Format("x-web", "X web GraphQL response (UserTweets, SearchTimeline, TweetDetail)", "json",
           ("data:dict",), "v1", web_tweets.timeline, html_entities=True,
           test=web_tweets.is_timeline),
    Format("zeeschuimer", "Zeeschuimer NDJSON of X (browser capture)", "json",
           ("source_platform", "data:dict"), "v1", web_tweets.zeeschuimer, html_entities=True,
           test=web_tweets.is_zeeschuimer),
    Format("x-web-tweets", "X web tweet objects, one per line (4CAT NDJSON)", "json",
           ("rest_id",), "v1", web_tweets.tweet_object, html_entities=True,
           test=web_tweets.is_tweet_object),
    Format("apify", "Apify / twitterapi.io tweet JSON", "json", ("type", "author:dict", "createdAt"),
           "v1", web_tweets.apify, html_entities=True, test=web_tweets.is_apify),
    Format("bluesky-thread", "Bluesky getPostThread response", "json", ("thread:dict",), "iso",
           open_networks.thread, platform="bluesky", id_pattern=open_networks.AT_URI,
           test=open_networks.is_thread),
    Format("bluesky-posts", "Bluesky searchPosts / feed pages", "json", (), "iso",
           open_networks.post_page, platform="bluesky", id_pattern=open_networks.AT_URI,
           test=open_networks.is_post_page),
    Format("bluesky", "Bluesky post views, one per line (4CAT Bluesky NDJSON too)", "json",
           ("uri", "record:dict", "author:dict"), "iso", open_networks.post_view, platform="bluesky",
           id_pattern=open_networks.AT_URI, test=open_networks.is_post_view),
    Format("bluesky-record", "Bluesky app.bsky.feed.post records (getRecord)", "json",
           ("uri", "value:dict"), "iso", open_networks.post_record, platform="bluesky",
           id_pattern=open_networks.AT_URI, test=open_networks.is_post_record),
    Format("jetstream", "Bluesky Jetstream events (posts kept, other collections skipped)", "json",
           ("did", "time_us"), "iso", open_networks.jetstream, platform="bluesky",
           id_pattern=open_networks.AT_URI),
    Format("mastodon", "Mastodon statuses (API JSON)", "json", ("account:dict", "uri", "content"), "iso",
           open_networks.status, platform="mastodon", test=open_networks.is_status),
    Format("snscrape", "snscrape / twscrape JSONL", "json", ("_type", "date"), "iso", records.snscrape),
    Format("v2-stream", "API v2 stream lines (twarc2 stream)", "json", ("data:dict",), "iso",
           records.v2_stream, html_entities=True),
    Format("v2-page", "API v2 response pages (twarc2 search)", "json", ("data:list",), "iso",
           records.v2_page, html_entities=True),
    Format("v1.1", "API v1.1 tweet JSON (twarc1, REST, streaming)", "json",
           ("user:dict", "created_at"), "v1", records.v1, html_entities=True),
    Format("v2-flat", "API v2 flattened tweets (twarc2 flatten)", "json",
           ("author_id", "created_at", "text"), "iso", records.v2_flat, html_entities=True),
)

_CSV_FORMATS: Final[tuple[Format, ...]] = tuple(
    Format(spec.name, spec.label, "csv", spec.detect, spec.time, csv=spec, platform=spec.platform,
           id_pattern=VENDOR_ID if spec.vendor_ids else DIGIT_ID, html_entities=spec.html_entities,
           naive_times=spec.naive_times)
    for spec in CSV_SPECS)

FORMATS: Final[dict[str, Format]] = {f.name: f for f in _JSON_FORMATS + _CSV_FORMATS}
# Names a user may type for a format, besides the registry names.
ALIASES: Final[dict[str, str]] = {"v1": "v1.1", "sfm": "twarc1-csv",
                                  "json2csv": "twarc1-csv", "dmi-tcat": "tcat", "tags-csv": "tags"}


def detect_record(record: object) -> Format | None:
    """The JSON format whose keys this record has, if any."""
    return next((f for f in _JSON_FORMATS if f.matches_record(record)), None)


def detect_header(header: list[str]) -> Format | None:
    """The CSV format whose required headers are all present, if any."""
    names = {h.strip() for h in header}
    return next((f for f in _CSV_FORMATS if f.matches_header(names)), None)


def lookup(name: str) -> Format:
    """The format called ``name`` (or one of its aliases); KeyError if unknown."""
    return FORMATS[ALIASES.get(name, name)]
