"""The archives analysts hold in 2026: X web captures, API v2 edits, workbooks, bad dates.

Real files are read from ../shared/real-archives and checked against the files themselves
(parsed here independently with ``json``). Listening-suite files are IMITATIONS built in
these tests from the column lists in ../shared/notes/formats-2026.md: no real export is
public.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from analysis.errors import ArchiveError
from analysis.ingest import uploads
from analysis.ingest.loaders import detect, load
from analysis.store.paths import SHARED_DIR

REAL = SHARED_DIR / "real-archives"
V1_TIME = "%a %b %d %H:%M:%S %z %Y"


def _unescaped(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _timeline_tweets(path: Path) -> list[dict[str, Any]]:
    """The timeline's own tweets, found independently: entries and module items (no pins)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = []
    instructions = (data["data"].get("user", {}).get("result", {}).get("timeline", {})
                    .get("timeline", {}).get("instructions")
                    or data["data"]["threaded_conversation_with_injections_v2"]["instructions"])
    for instruction in instructions:
        for entry in instruction.get("entries", []):
            content = entry["content"]
            contents = [content.get("itemContent")] + [i["item"].get("itemContent")
                                                       for i in content.get("items", [])]
            for item in contents:
                if item and "tweet_results" in item:
                    found.append(item["tweet_results"]["result"])
    return found


def _screen_name(tweet: dict[str, Any]) -> str:
    user = tweet["core"]["user_results"]["result"]
    return user.get("core", {}).get("screen_name") or user["legacy"]["screen_name"]


def _full_text(tweet: dict[str, Any]) -> str:
    """A long post's text is in note_tweet; the legacy full_text is cut at 280 characters."""
    note = tweet.get("note_tweet", {}).get("note_tweet_results", {}).get("result", {}).get("text")
    return str(note or tweet["legacy"]["full_text"])


# --------------------------------------------------------------------------- X web (real)
@pytest.mark.parametrize(("name", "rows", "retweets"), [
    ("x_web_user_tweets.json", 20, 16), ("x_web_tweet_replies.json", 37, 0)])
def test_x_web_timelines_load_their_own_tweets_only(name: str, rows: int, retweets: int) -> None:
    path = REAL / name
    expected = _timeline_tweets(path)
    assert len(expected) == rows  # the README's count, found by walking the entries
    result = load(path)
    report, table = result.report, result.table.set_index("id")
    assert detect(path) == report.format == "x-web"
    assert (report.rows_read, report.kept, report.retweets) == (rows, rows, retweets)
    assert report.reconciles and set(table.index) == {t["rest_id"] for t in expected}
    for tweet in expected:
        row = table.loc[tweet["rest_id"]]
        legacy = tweet["legacy"]
        assert row["author"] == _screen_name(tweet)
        assert row["created_at"] == pd.Timestamp(datetime.strptime(legacy["created_at"], V1_TIME))
        assert row["like_count"] == int(legacy["favorite_count"])
        assert row["platform"] == "x"
        followers = tweet["core"]["user_results"]["result"].get("relationship_counts", {}).get("followers")
        if followers is not None:
            assert row["author_followers"] == followers
        original = legacy.get("retweeted_status_result", {}).get("result")
        if original:
            assert row["is_retweet"] and row["retweeted_id"] == original["rest_id"]
            assert row["text"] == f"RT @{_screen_name(original)}: {_unescaped(_full_text(original))}"
        else:
            assert row["text"] == _unescaped(_full_text(tweet))
        if legacy.get("in_reply_to_status_id_str"):
            assert row["is_reply"] and row["in_reply_to_id"] == legacy["in_reply_to_status_id_str"]


def test_html_entities_are_decoded_once() -> None:
    result = load(REAL / "x_web_user_tweets.json")
    texts = " ".join(result.table["text"].dropna())
    assert "&amp;" not in texts and "X Chat API & Chat XDK" in texts


def _zeeschuimer_lines(path: Path) -> bytes:
    """Each timeline tweet in the Zeeschuimer envelope, one per line (as the extension writes)."""
    lines = [json.dumps({"nav_index": "1:1:1", "item_id": t["rest_id"], "timestamp_collected": 1,
                         "source_platform": "twitter.com", "source_platform_url": "https://x.com",
                         "data": t}) for t in _timeline_tweets(REAL / "x_web_tweet_replies.json")]
    return ("\n".join(lines) + "\n").encode()


def test_zeeschuimer_and_4cat_ndjson_of_real_tweets() -> None:
    zeeschuimer = load(_zeeschuimer_lines(REAL / "x_web_tweet_replies.json"))
    assert zeeschuimer.report.format == "zeeschuimer" and zeeschuimer.report.kept == 37
    fourcat = b"\n".join(json.dumps({**t, "__import_meta": {"source_platform": "twitter.com"}}).encode()
                         for t in _timeline_tweets(REAL / "x_web_tweet_replies.json"))
    result = load(fourcat)
    assert result.report.format == "x-web-tweets" and result.report.kept == 37
    pd.testing.assert_frame_equal(result.table.drop(columns="source_format"),
                                  zeeschuimer.table.drop(columns="source_format"))


def test_2026_graphql_drift_legacy_null_and_missing_entities() -> None:
    """Since 2026-09 X may serve ``legacy: null`` with its fields at the top level."""
    tweet = _timeline_tweets(REAL / "x_web_tweet_replies.json")[0]
    legacy = dict(tweet["legacy"])
    legacy.pop("entities", None)
    drifted = {**{k: v for k, v in tweet.items() if k != "legacy"}, "legacy": None, **legacy}
    result = load(json.dumps(drifted).encode())
    row = result.table.iloc[0]
    assert row["id"] == tweet["rest_id"] and row["author"] == _screen_name(tweet)
    assert row["hashtags"] == []


# --------------------------------------------------------------------------- API v2 (real)
def test_v2_edit_chain_keeps_the_latest_version_and_counts_the_earlier() -> None:
    page = json.loads((REAL / "v2_twarc2_edited.jsonl").read_text().splitlines()[0])
    latest = page["data"][0]
    earlier_id = latest["edit_history_tweet_ids"][0]
    earlier = next(t for t in page["includes"]["tweets"] if t["id"] == earlier_id)
    before = json.dumps({"data": [earlier], "includes": page["includes"]})
    result = load(before.encode() + b"\n" + (REAL / "v2_twarc2_edited.jsonl").read_bytes())
    report = result.report
    assert (report.rows_read, report.kept, report.duplicates, report.edited) == (2, 1, 1, 1)
    assert list(result.table["id"]) == [latest["id"]] and report.reconciles
    assert any("edited" in w for w in report.warnings)


def test_v2_note_tweet_gives_the_full_text_also_of_a_retweeted_original() -> None:
    page = json.loads((REAL / "v2_twarc2_brexit.jsonl").read_text().splitlines()[0])
    original_tweet = next(t for t in page["data"] if not t.get("referenced_tweets"))
    retweet = next(t for t in page["data"] if any(
        r["type"] == "retweeted" for r in t.get("referenced_tweets", [])))
    ref = next(r["id"] for r in retweet["referenced_tweets"] if r["type"] == "retweeted")
    included = next(t for t in page["includes"]["tweets"] if t["id"] == ref)
    for tweet in (original_tweet, included):
        tweet["note_tweet"] = {"text": tweet["text"] + " … and the rest of a post beyond 280 characters"}
    table = load(json.dumps(page).encode()).table.set_index("id")
    assert table.loc[original_tweet["id"], "text"] == _unescaped(original_tweet["note_tweet"]["text"])
    assert table.loc[retweet["id"], "text"].endswith(_unescaped(included["note_tweet"]["text"]))


# --------------------------------------------------------------------------- bad dates
@pytest.mark.parametrize("stamp", ["0019-05-01T10:00:00Z", "2262-06-01T10:00:00Z",
                                   "9999-12-31T23:59:59Z"])
def test_a_row_dated_out_of_range_is_a_rejection_not_a_crash(stamp: str) -> None:
    page = json.loads((REAL / "v2_twarc2_flat.jsonl").read_text().splitlines()[0])
    good = json.dumps(page)
    page["id"], page["created_at"] = "1", stamp
    result = load((good + "\n" + json.dumps(page) + "\n").encode())
    report = result.report
    assert (report.rows_read, report.kept, report.rejected) == (2, 1, 1) and report.reconciles
    assert report.rejections[0].line == 2 and report.rejections[0].column == "created_at"
    assert stamp in report.rejections[0].reason


def test_v1_year_0019_is_rejected() -> None:
    line = (REAL / "v1_search_tweets.jsonl").read_text().splitlines()[0]
    tweet = json.loads(line)
    tweet["created_at"] = tweet["created_at"][:-4] + "0019"
    tweet["id_str"] = "2"
    result = load((line + "\n" + json.dumps(tweet) + "\n").encode())
    assert (result.report.kept, result.report.rejected) == (1, 1)


# --------------------------------------------------------------------------- workbooks
def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_of_a_known_csv_layout_loads_like_the_csv() -> None:
    path = REAL / "csv_twarc_csv_brexit.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    data = _xlsx([list(frame.columns)] + frame.to_numpy().tolist())
    from_xlsx, from_csv = load(data), load(path)
    assert from_xlsx.report.format == "twarc-csv" and from_xlsx.report.kept == 100
    pd.testing.assert_frame_equal(from_xlsx.table, from_csv.table)


def test_xlsx_upload_is_accepted_and_an_xlsx_id_stored_as_a_number_is_refused() -> None:
    data = _xlsx([["id", "public_metrics.like_count", "created_at", "text"],
                  ["1460323737035677698", 3, "2021-11-15T19:08:05.000Z", "kept"],
                  [1.460323737035678e18, 3, "2021-11-15T19:08:06.000Z", "id lost digits in Excel"]])
    checked = uploads.check_upload("export.xlsx", data)
    assert checked.members[0].kind == "workbook"
    result = uploads.load_upload(checked)
    assert result.report.kept == 1 and result.report.rejected == 1
    assert "float" in result.report.rejections[0].reason and result.report.rejections[0].line == 3


def test_a_broken_workbook_is_a_clear_error() -> None:
    data = _xlsx([["a"], ["b"]])
    broken = data[:200] + b"\x00" * 50 + data[250:]
    with pytest.raises(ArchiveError) as err:
        load(broken)
    assert "upload" in str(err.value)


# --------------------------------------------------------------------------- Bluesky (real)
def test_bluesky_thread_view_is_a_post_with_its_quote() -> None:
    path = REAL / "bluesky_thread_view_post.json"
    view = json.loads(path.read_text())["thread"]["post"]
    result = load(path)
    row = result.table.iloc[0]
    assert result.report.format == "bluesky-thread" and result.report.kept == 1
    assert row["id"] == view["uri"] and row["author"] == view["author"]["handle"]
    assert row["created_at"] == pd.Timestamp(view["record"]["createdAt"])
    assert row["platform"] == "bluesky" and row["lang"] == view["record"]["langs"][0]
    assert row["is_quote"] and row["quoted_id"] == view["record"]["embed"]["record"]["record"]["uri"]
    rkey = view["uri"].rsplit("/", 1)[1]
    assert row["url"] == f"https://bsky.app/profile/{view['author']['handle']}/post/{rkey}"
    assert row["like_count"] == view["likeCount"] and row["retweet_count"] == view["repostCount"]


def test_bluesky_record_links_to_bsky_app_by_did() -> None:
    record = json.loads((REAL / "bluesky_post_record.json").read_text())
    row = load(REAL / "bluesky_post_record.json").table.iloc[0]
    did = record["uri"].split("/")[2]
    assert row["text"] == record["value"]["text"] and row["author"] == did
    assert row["url"] == f"https://bsky.app/profile/{did}/post/{record['uri'].rsplit('/', 1)[1]}"


def _view() -> dict[str, Any]:
    return json.loads((REAL / "bluesky_thread_view_post.json").read_text())["thread"]["post"]


def test_bluesky_search_page_4cat_ndjson_and_jetstream() -> None:
    view = _view()
    page = load(json.dumps({"cursor": "1", "hitsTotal": 1, "posts": [view]}).encode())
    assert page.report.format == "bluesky-posts" and page.table.iloc[0]["id"] == view["uri"]
    # 4CAT writes the Python SDK's model_dump(): snake_case keys and its own metadata
    snake = {"uri": view["uri"], "cid": view["cid"], "author": view["author"],
             "record": {"py_type": "app.bsky.feed.post", "created_at": view["record"]["createdAt"],
                        "text": "reply #Tag @ann.bsky.social", "langs": ["en"],
                        "facets": [{"index": {"byte_start": 11, "byte_end": 27},
                                    "features": [{"py_type": "app.bsky.richtext.facet#mention",
                                                  "did": "did:plc:x"}]},
                                   {"index": {"byte_start": 6, "byte_end": 10},
                                    "features": [{"py_type": "app.bsky.richtext.facet#tag", "tag": "Tag"}]}]},
             "like_count": 3, "repost_count": 1, "reply_count": 0, "indexed_at": view["indexedAt"],
             "4CAT_metadata": {"collected_at": 1, "query": "#tag", "reply_to": "bob.bsky.social"}}
    fourcat = load(json.dumps(snake).encode() + b"\n")
    row = fourcat.table.iloc[0]
    assert fourcat.report.format == "bluesky" and row["like_count"] == 3
    assert row["hashtags"] == ["tag"] and row["mentions"] == ["ann.bsky.social"]
    # Jetstream: the README's like event (another collection) is skipped; a post is kept
    like = {"did": "did:plc:eygmaihciaxprqvxpfvl6flk", "time_us": 1725911162329308, "kind": "commit",
            "commit": {"rev": "3l3qo2vutsw2b", "operation": "create", "collection": "app.bsky.feed.like",
                       "rkey": "3l3qo2vuowo2b", "record": {"$type": "app.bsky.feed.like",
                                                           "createdAt": "2024-09-09T19:46:02.102Z"}}}
    post = {**like, "commit": {**like["commit"], "collection": "app.bsky.feed.post", "rkey": "3l3qo2v",
                               "record": {"$type": "app.bsky.feed.post", "text": "hello",
                                          "createdAt": "2024-09-09T19:46:02.102Z"}}}
    stream = load(f"{json.dumps(like)}\n{json.dumps(post)}\n".encode())
    report = stream.report
    assert report.format == "jetstream" and (report.rows_read, report.kept, report.rejected) == (2, 1, 1)
    assert "app.bsky.feed.like" in report.rejections[0].reason and report.rejections[0].line == 1
    assert stream.table.iloc[0]["id"] == "at://did:plc:eygmaihciaxprqvxpfvl6flk/app.bsky.feed.post/3l3qo2v"


# --------------------------------------------------------------------------- Mastodon (real)
def test_mastodon_status_html_becomes_text() -> None:
    path = REAL / "mastodon_tag_timeline.json"
    status = json.loads(path.read_text())[0]
    result = load(path)
    row = result.table.iloc[0]
    assert result.report.format == "mastodon" and result.report.kept == 1
    assert row["id"] == status["id"] and row["author"] == status["account"]["acct"]
    assert row["text"] == "#hoot (hashtag toot)" and "<" not in row["text"]
    assert row["hashtags"] == [t["name"] for t in status["tags"]] and row["platform"] == "mastodon"
    assert row["url"] == status["url"] and row["lang"] == status["language"]


def test_mastodon_reblog_is_a_repost_and_reply_names_the_account() -> None:
    status = json.loads((REAL / "mastodon_tag_timeline.json").read_text())[0]
    reblog = {**status, "id": "117020593741189999", "reblog": status, "content": "",
              "account": {**status["account"], "acct": "booster@example.social"}}
    reply = {**status, "id": "117020593741190000", "in_reply_to_id": status["id"],
             "in_reply_to_account_id": status["account"]["id"],
             "mentions": [{"id": status["account"]["id"], "acct": status["account"]["acct"]}],
             "content": "<p>no &amp; never<br>again</p><p>bye</p>"}
    table = load(json.dumps([status, reblog, reply]).encode()).table.set_index("id")
    boosted = table.loc[reblog["id"]]
    assert boosted["is_retweet"] and boosted["retweeted_id"] == status["id"]
    assert boosted["text"] == f"RT @{status['account']['acct']}: #hoot (hashtag toot)"
    answer = table.loc[reply["id"]]
    assert answer["is_reply"] and answer["in_reply_to_author"] == status["account"]["acct"]
    assert answer["text"] == "no & never\nagain\n\nbye"


# --------------------------------------------------------------------------- scrapers
def test_twscrape_jsonl_with_a_space_in_its_date() -> None:
    """An IMITATION of `twscrape search … > out.jsonl` (Tweet.json(): `date` with a space)."""
    line = {"_type": "snscrape.modules.twitter.Tweet", "id": 1942000000000000001,
            "id_str": "1942000000000000001", "url": "https://x.com/ann/status/1942000000000000001",
            "date": "2026-07-08 21:59:10+00:00", "user": {"username": "ann", "followersCount": 12},
            "lang": "en", "rawContent": "boycott #brand &amp; co", "replyCount": 1, "retweetCount": 2,
            "likeCount": 3, "quoteCount": 0, "viewCount": 90, "hashtags": ["brand"]}
    row = load((json.dumps(line) + "\n").encode()).table.iloc[0]
    assert row["created_at"] == pd.Timestamp("2026-07-08 21:59:10", tz="UTC")
    assert (row["author"], row["author_followers"], row["like_count"]) == ("ann", 12, 3)


def test_apify_tweet_json() -> None:
    """An IMITATION of an Apify tweet-scraper dataset item (twitterapi.io shape)."""
    item = {"type": "tweet", "id": "1955900000000000001", "twitterUrl": "https://x.com/ann/status/1955900000000000001",
            "text": "RT @bob: this ad &lt;3", "createdAt": "Thu Aug 14 07:37:46 +0000 2025", "lang": "en",
            "retweetCount": 4, "likeCount": 5, "replyCount": 0, "quoteCount": 0,
            "author": {"userName": "ann", "followers": 77},
            "entities": {"hashtags": [{"text": "Ad"}], "user_mentions": [{"screen_name": "bob"}]},
            "retweeted_tweet": None, "quoted_tweet": None}
    result = load(json.dumps([item]).encode())
    row = result.table.iloc[0]
    assert result.report.format == "apify"
    assert (row["author"], row["author_followers"], row["is_retweet"], row["retweeted_author"]) == \
        ("ann", 77, True, "bob")
    assert row["text"] == "RT @bob: this ad <3" and row["url"] == item["twitterUrl"]
