"""Every real archive in ../shared/real-archives loads through ``load`` with counts and field
values that agree with the files themselves (read here independently with ``json``/``csv``)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis.ingest.loaders import detect, load
from analysis.store.paths import SHARED_DIR

V1_TIME = "%a %b %d %H:%M:%S %z %Y"


def _unescaped(text: str) -> str:
    """X's text with the three entities it writes (&amp; &lt; &gt;) decoded once."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _page_tweets(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    page = _lines(path)[0]
    return page["data"], page["includes"]


def _is_v2_retweet(tweet: dict[str, Any]) -> bool:
    return any(r["type"] == "retweeted" for r in tweet.get("referenced_tweets", []))


def _v1_expected(path: Path) -> dict[str, Any]:
    tweets = _lines(path)
    times = [datetime.strptime(t["created_at"], V1_TIME) for t in tweets]
    return {"format": "v1.1", "read": len(tweets), "kept": len({t["id_str"] for t in tweets}),
            "retweets": sum("retweeted_status" in t for t in tweets),
            "time_min": min(times), "time_max": max(times), "ids": {t["id_str"] for t in tweets}}


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _v2_expected(tweets: list[dict[str, Any]], fmt: str) -> dict[str, Any]:
    times = [_iso(t["created_at"]) for t in tweets]
    return {"format": fmt, "read": len(tweets), "kept": len({t["id"] for t in tweets}),
            "retweets": sum(_is_v2_retweet(t) for t in tweets),
            "time_min": min(times), "time_max": max(times), "ids": {t["id"] for t in tweets}}


def _csv_expected(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    times = [_iso(r["created_at"]) for r in rows]
    return {"format": "twarc-csv", "read": len(rows), "kept": len({r["id"] for r in rows}),
            "retweets": sum(bool(r["referenced_tweets.retweeted.id"]) for r in rows),
            "time_min": min(times), "time_max": max(times), "ids": {r["id"] for r in rows}}


def _expected(path: Path) -> dict[str, Any]:
    name = path.name
    if name.startswith("v1_"):
        return _v1_expected(path)
    if name.startswith("csv_"):
        return _csv_expected(path)
    if name == "v2_twarc2_flat.jsonl":
        return _v2_expected(_lines(path), "v2-flat")
    if name == "v2_twarc2_streaming_output_with_error.jsonl":
        good = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                good.append(json.loads(line)["data"])
            except json.JSONDecodeError:
                continue
        expected = _v2_expected(good, "v2-stream")
        expected["read"] = len(path.read_text(encoding="utf-8").splitlines())
        return expected
    return _v2_expected(_page_tweets(path)[0], "v2-page")


REAL_FILES = sorted(p.name for p in (SHARED_DIR / "real-archives").glob("*")
                    if p.suffix in (".jsonl", ".csv"))


def test_every_shared_sample_is_covered(real_archives: Path) -> None:
    present = sorted(p.name for p in real_archives.iterdir() if p.suffix in (".jsonl", ".csv"))
    assert present and present == REAL_FILES


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_archive_counts_match_the_file(real_archives: Path, name: str) -> None:
    path = real_archives / name
    expected = _expected(path)
    result = load(path)
    report = result.report
    assert detect(path) == report.format == expected["format"]
    assert report.rows_read == expected["read"]
    assert report.kept == expected["kept"] == len(result.table)
    assert report.retweets == expected["retweets"]
    assert report.reconciles
    assert set(result.table["id"]) == expected["ids"]
    assert report.time_min == pd.Timestamp(expected["time_min"]).tz_convert(UTC)
    assert report.time_max == pd.Timestamp(expected["time_max"]).tz_convert(UTC)
    assert (result.table["source_format"] == expected["format"]).all()
    assert result.table["id"].str.fullmatch(r"\d+").all()


def test_brexit_page_keeps_100_tweets_67_retweets(real_archives: Path) -> None:
    report = load(real_archives / "v2_twarc2_brexit.jsonl").report
    assert (report.kept, report.retweets, report.rejected, report.duplicates) == (100, 67, 0, 0)
    assert report.to_dict()["retweet_share"] == 0.67


def test_stream_sample_keeps_7_and_reports_broken_line_8(real_archives: Path) -> None:
    name = real_archives / "v2_twarc2_streaming_output_with_error.jsonl"
    report = load(name).report
    assert (report.kept, report.rejected, report.rows_read) == (7, 1, 8)
    (rejection,) = report.rejections
    assert rejection.line == 8
    assert isinstance(rejection.column, int) and rejection.column > 0
    assert "invalid JSON" in rejection.reason
    assert rejection.file == str(name)


def test_v2_includes_complete_retweets_but_are_not_rows(real_archives: Path) -> None:
    tweets, includes = _page_tweets(real_archives / "v2_twarc2_brexit.jsonl")
    table = load(real_archives / "v2_twarc2_brexit.jsonl").table.set_index("id")
    users = {u["id"]: u["username"] for u in includes["users"]}
    originals = {t["id"]: t for t in includes["tweets"]}
    only_included = set(originals) - {t["id"] for t in tweets}
    assert only_included and not only_included & set(table.index)
    for tweet in tweets:
        row = table.loc[tweet["id"]]
        assert row["author"] == users[tweet["author_id"]]
        ref = next((r["id"] for r in tweet.get("referenced_tweets", []) if r["type"] == "retweeted"), None)
        if ref is not None and ref in originals:
            author = users[originals[ref]["author_id"]]
            assert row["text"] == f"RT @{author}: {_unescaped(originals[ref]['text'])}"
            assert row["retweeted_author"] == author and row["metrics_semantics"] == "copied_from_original"
        else:
            assert row["text"] == _unescaped(tweet["text"])
        tags = [h["tag"].lower() for h in tweet.get("entities", {}).get("hashtags", [])]
        if ref is None:
            assert row["hashtags"] == tags
            assert row["retweet_count"] == tweet["public_metrics"]["retweet_count"]


@pytest.mark.parametrize("name", ["v1_search_tweets.jsonl", "v1_user_timeline.jsonl"])
def test_v1_fields_agree_with_the_tweet_objects(real_archives: Path, name: str) -> None:
    table = load(real_archives / name).table.set_index("id")
    for tweet in _lines(real_archives / name):
        row = table.loc[tweet["id_str"]]
        assert row["author"] == tweet["user"]["screen_name"]
        assert row["author_followers"] == tweet["user"]["followers_count"]
        assert row["created_at"] == pd.Timestamp(datetime.strptime(tweet["created_at"], V1_TIME))
        original = tweet.get("retweeted_status")
        if original:
            full = original.get("extended_tweet", {}).get("full_text") or original.get("full_text") \
                or original["text"]
            assert row["text"] == f"RT @{original['user']['screen_name']}: {_unescaped(full)}"
            assert row["retweeted_id"] == original["id_str"]
        else:
            assert row["text"] == _unescaped(tweet.get("full_text", tweet["text"]))
            assert row["like_count"] == tweet["favorite_count"]
        assert row["in_reply_to_id"] == tweet["in_reply_to_status_id_str"] or (
            pd.isna(row["in_reply_to_id"]) and tweet["in_reply_to_status_id_str"] is None)
        assert row["hashtags"] == [h["text"].lower() for h in
                                   (original or tweet)["entities"]["hashtags"]]


@pytest.mark.parametrize("stem", ["brexit", "noflat"])
def test_twarc_csv_agrees_with_the_jsonl_it_came_from(real_archives: Path, stem: str) -> None:
    from_csv = load(real_archives / f"csv_twarc_csv_{stem}.csv").table.set_index("id")
    from_json = load(real_archives / f"v2_twarc2_{stem}.jsonl").table.set_index("id")
    assert set(from_csv.index) == set(from_json.index)
    from_csv = from_csv.loc[from_json.index]
    same = ["created_at", "text", "author", "author_followers", "is_retweet", "retweeted_id",
            "retweeted_author", "is_reply", "in_reply_to_id", "is_quote", "quoted_id", "lang",
            "retweet_count"]
    pd.testing.assert_frame_equal(from_csv[same], from_json[same])
    assert from_csv["hashtags"].tolist() == from_json["hashtags"].tolist()
    originals = ~from_json["is_retweet"]
    pd.testing.assert_frame_equal(from_csv.loc[originals, ["like_count", "reply_count", "quote_count"]],
                                  from_json.loc[originals, ["like_count", "reply_count", "quote_count"]])


def test_flat_and_page_forms_of_the_same_tweets_agree(real_archives: Path) -> None:
    flat = load(real_archives / "v2_twarc2_flat.jsonl").table.set_index("id").drop(columns="source_format")
    page = load(real_archives / "v2_twarc2_noflat.jsonl").table.set_index("id").drop(columns="source_format")
    pd.testing.assert_frame_equal(flat.loc[page.index], page)


def test_all_real_archives_load_together_deduplicated(real_archives: Path) -> None:
    paths = [real_archives / name for name in REAL_FILES]
    result = load(paths)
    single = [load(p) for p in paths]
    report = result.report
    assert report.rows_read == sum(r.report.rows_read for r in single)
    assert report.reconciles
    assert report.kept == len(set().union(*(set(r.table["id"]) for r in single)))
    assert report.format.startswith("mixed (")
