"""X's account archive: tweets.js completed by note-tweet.js (long texts) and account.js (the
handle) when they sit in the same zip or folder.

The files are IMITATIONS built here in the shape X writes them (``window.YTD.<name>.part0 =``
before a JSON array; string counts; a long post's ``full_text`` cut with "…" and a link; the
note's own ``noteTweetId`` and ISO ``createdAt``): no real account archive is public. The
words and ids are made up.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from analysis.errors import ArchiveError, UploadRejected
from analysis.ingest import uploads
from analysis.ingest.loaders import load

LONG = ("Our #AcmeAir lounge relaunch went badly and we owe every traveller who waited four "
        "hours at gate 12 a real apology, not a voucher. Here is what went wrong, what we are "
        "changing this week, and how to claim a refund without calling anyone: reply here or "
        "use the form on our site. We read every message.")
REPLY_NOTE = ("thank you for telling us. The delay at gate 12 was our fault, not the crew's, "
              "and the refund is on its way; we are also changing how we staff the lounge on "
              "Fridays so this does not happen to the next traveller. #AcmeAir")


def _ytd(name: str, items: list[dict[str, Any]]) -> bytes:
    return f"window.YTD.{name}.part0 = ".encode() + json.dumps(items, indent=2).encode()


def _tweet(tweet_id: str, created: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"tweet": {"id": tweet_id, "id_str": tweet_id, "created_at": created,
                      "full_text": text, "favorite_count": "12", "retweet_count": "3",
                      "lang": "en", "truncated": False, "display_text_range": ["0", str(len(text))],
                      "entities": {"hashtags": [], "user_mentions": [], "urls": []}, **extra}}


def _files() -> dict[str, bytes]:
    tweets = [
        _tweet("1990000000000000001", "Sat Nov 15 09:30:05 +0000 2025",
               LONG[:270] + "… https://t.co/abc123XYZ"),
        _tweet("1990000000000000002", "Sat Nov 15 10:00:00 +0000 2025", "Short and sweet #AcmeAir"),
        _tweet("1990000000000000003", "Sat Nov 15 11:12:13 +0000 2025",
               "@angry_flyer " + REPLY_NOTE[:250] + "… https://t.co/def456",
               in_reply_to_status_id_str="1989999999999999999", in_reply_to_screen_name="angry_flyer"),
        _tweet("1990000000000000004", "Sat Nov 15 12:00:00 +0000 2025",
               "RT @acme_fan: the lounge is lovely now, give them a break #AcmeAir"),
    ]
    notes = [
        {"noteTweet": {"noteTweetId": "1990000000000000101", "createdAt": "2025-11-15T09:30:05.000Z",
                       "updatedAt": "2025-11-15T09:30:05.000Z",
                       "core": {"text": LONG, "urls": [], "mentions": [], "cashtags": [],
                                "hashtags": [{"text": "AcmeAir", "fromIndex": "4", "toIndex": "12"}],
                                "styletags": []}}},
        {"noteTweet": {"noteTweetId": "1990000000000000103", "createdAt": "2025-11-15T11:12:13.000Z",
                       "core": {"text": REPLY_NOTE, "hashtags": []}}},
        {"noteTweet": {"noteTweetId": "1990000000000000199", "createdAt": "2025-11-16T08:00:00.000Z",
                       "core": {"text": "A long post that was deleted since", "hashtags": []}}},
    ]
    account = [{"account": {"email": "press@example.com", "createdVia": "web",
                            "username": "AcmeAir", "accountId": "1234567",
                            "createdAt": "2011-03-01T10:00:00.000Z",
                            "accountDisplayName": "Acme Air"}}]
    likes = [{"like": {"tweetId": "5", "fullText": "liked post", "expandedUrl": "https://x.com/i/5"}}]
    return {"data/tweets.js": _ytd("tweets", tweets), "data/note-tweet.js": _ytd("note_tweet", notes),
            "data/account.js": _ytd("account", account), "data/like.js": _ytd("like", likes)}


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _unpack(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def _check_completed(result: Any) -> None:
    report, table = result.report, result.table.set_index("id")
    assert report.format == "tweets-js" and report.reconciles
    assert (report.rows_read, report.kept, report.rejected) == (4, 4, 0)
    assert set(table["author"]) == {"AcmeAir"}
    assert table.loc["1990000000000000001", "text"] == LONG
    assert table.loc["1990000000000000001", "hashtags"] == ["acmeair"]
    assert table.loc["1990000000000000003", "text"] == "@angry_flyer " + REPLY_NOTE
    assert table.loc["1990000000000000002", "text"] == "Short and sweet #AcmeAir"
    retweet = table.loc["1990000000000000004"]
    assert retweet["is_retweet"] and retweet["retweeted_author"] == "acme_fan"
    assert table.loc["1990000000000000001", "like_count"] == 12  # string counts read
    assert any("2 long post(s) given their full text from note-tweet.js; 1 note(s) matched no post"
               in w for w in report.warnings), report.warnings
    assert any("like.js" in w and "skipped" in w for w in report.warnings)
    assert not any("names no author" in w for w in report.warnings)


def test_a_zipped_account_archive_is_completed(isolated_data: Path) -> None:
    _check_completed(load(_zip(_files())))


def test_an_unpacked_archive_folder_and_a_tweets_js_path_find_their_companions(
        tmp_path: Path, isolated_data: Path) -> None:
    root = _unpack(tmp_path / "twitter-2025-11-30", _files())
    _check_completed(load(root))                       # the archive's root folder
    _check_completed(load(root / "data"))              # its data/ folder
    beside = load(root / "data" / "tweets.js")         # the tweets.js alone: siblings found
    assert beside.report.kept == 4 and set(beside.table["author"]) == {"AcmeAir"}
    assert LONG in set(beside.table["text"])


def test_without_companions_the_texts_stay_cut_and_the_author_unknown(
        tmp_path: Path, isolated_data: Path) -> None:
    only = tmp_path / "tweets.js"
    only.write_bytes(_files()["data/tweets.js"])
    result = load(only)
    assert result.table["author"].isna().all()
    assert any("names no author" in w for w in result.report.warnings)
    assert LONG not in set(result.table["text"])


def test_companions_alone_are_a_clear_error(isolated_data: Path) -> None:
    files = _files()
    del files["data/tweets.js"]
    with pytest.raises(ArchiveError, match="only complete an account archive's tweets.js"):
        load(_zip(files))


def test_a_broken_note_file_is_a_warning_not_a_failure(isolated_data: Path) -> None:
    files = _files() | {"data/note-tweet.js": b"window.YTD.note_tweet.part0 = [ {\"noteTweet\": "}
    result = load(_zip(files))
    assert result.report.kept == 4 and set(result.table["author"]) == {"AcmeAir"}
    assert any("note-tweet.js could not be read" in w for w in result.report.warnings)


def test_the_archive_zip_passes_the_upload_checks(isolated_data: Path) -> None:
    checked = uploads.check_upload("twitter-archive.zip", _zip(_files()))
    _check_completed(uploads.load_upload(checked))
    with pytest.raises(UploadRejected):
        uploads.load_upload(uploads.check_upload(
            "account.zip", _zip({"data/account.js": _files()["data/account.js"]})))
