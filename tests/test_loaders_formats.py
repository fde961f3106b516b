"""Formats without a shared sample: small synthetic fixtures in tests/fixtures/formats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from analysis import schema
from analysis.errors import ArchiveError, UnknownFormatError
from analysis.ingest.formats import FORMATS, times
from analysis.ingest.loaders import detect, load

FIXTURES = Path(__file__).parent / "fixtures" / "formats"

# file -> (format, read, kept, rejected, duplicates, retweets)
COUNTS: dict[str, tuple[str, int, int, int, int, int]] = {
    "sfm.csv": ("twarc1-csv", 6, 4, 1, 1, 1),
    "tags.csv": ("tags", 4, 3, 1, 0, 1),
    "snscrape.jsonl": ("snscrape", 4, 3, 1, 0, 1),
    "4cat.csv": ("4cat", 5, 4, 1, 0, 1),
    "tcat.tsv": ("tcat", 3, 3, 0, 0, 1),
    "twint.csv": ("twint", 4, 4, 0, 0, 1),
    "tweets.js": ("tweets-js", 4, 3, 1, 0, 1),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_fixture_counts(name: str) -> None:
    fmt, read, kept, rejected, duplicates, retweets = COUNTS[name]
    result = load(FIXTURES / name)
    report = result.report
    assert detect(FIXTURES / name) == report.format == fmt
    assert (report.rows_read, report.kept, report.rejected, report.duplicates, report.retweets) == \
        (read, kept, rejected, duplicates, retweets)
    assert report.reconciles and len(result.table) == kept
    assert len(report.rejections) == rejected
    assert all(r.line is not None or fmt == "tweets-js" for r in report.rejections)
    assert {name: str(dtype) for name, dtype in result.table.dtypes.items()} == schema.COLUMNS


# file -> tweet id -> canonical column -> expected value
EXPECTED: dict[str, dict[str, dict[str, Any]]] = {
    "sfm.csv": {
        "460000000000000002": {
            "text": "RT @grumpy_gus: My #AskAcme moment: the widget broke twice, #fail",
            "retweeted_id": "459999999999999999",
            "hashtags": ["askacme", "fail"],
        },
        "460000000000000003": {"in_reply_to_id": "460000000000000001"},
        "460000000000000004": {"quoted_author": "acme_fan", "hashtags": ["askacme", "brands"]},
        "460000000000000001": {"like_count": 12},
    },
    "tags.csv": {
        "461000000000000001": {"hashtags": ["askacme"], "metrics_semantics": "unknown"},
        "461000000000000002": {"retweeted_author": "acme_brand"},
        "461000000000000003": {"in_reply_to_author": "acme_brand"},
    },
    "snscrape.jsonl": {
        "462000000000000002": {"retweeted_id": "462000000000000001"},
        "462000000000000003": {
            "text": "@widget_watch try turning it off and on",
            "in_reply_to_author": "widget_watch",
        },
        "462000000000000001": {"author_followers": 420},
    },
    "4cat.csv": {
        "463000000000000003": {"hashtags": ["askacme", "refund"], "is_reply": True},
        "463000000000000004": {"is_quote": True},
        "463000000000000001": {"author_followers": 90000},
    },
    "tcat.tsv": {
        "464000000000000002": {"created_at": pd.Timestamp("2013-12-02 16:01:40", tz="UTC")},
        "464000000000000001": {"hashtags": ["askacme"]},
        "464000000000000003": {"in_reply_to_id": "464000000000000001"},
    },
    "twint.csv": {
        "465000000000000001": {"created_at": pd.Timestamp("2020-05-01 12:03:22", tz="UTC")},
        "465000000000000002": {
            "created_at": pd.Timestamp("2020-05-01 13:10:00", tz="UTC"),
            "in_reply_to_author": "berlin_b",
        },
        "465000000000000003": {"quoted_id": "465000000000000001"},
        "465000000000000004": {"text": "RT @berlin_b: Evening thoughts on #AskAcme and #widgets"},
    },
    "tweets.js": {
        "466000000000000001": {
            "retweet_count": 17,
            "created_at": pd.Timestamp("2014-04-22 17:55:46", tz="UTC"),
        },
        "466000000000000003": {"retweeted_author": "acme_fan"},
    },
}
FIELDS = [(name, tweet_id, column, value) for name, tweets in EXPECTED.items()
          for tweet_id, columns in tweets.items() for column, value in columns.items()]


@pytest.mark.parametrize(("name", "tweet_id", "column", "value"), FIELDS)
def test_fixture_fields(name: str, tweet_id: str, column: str, value: Any) -> None:
    row = load(FIXTURES / name).table.set_index("id").loc[tweet_id]
    assert row[column] == value


def test_float_corrupted_ids_are_reported_not_used() -> None:
    report = load(FIXTURES / "sfm.csv").report
    (rejection,) = report.rejections
    assert (rejection.line, rejection.column) == (6, "id")
    assert "float" in rejection.reason and "4.60000000000000E+17" in rejection.reason
    assert any("float/scientific" in w and "'id'" in w for w in report.warnings)


def test_rejections_name_csv_line_and_column() -> None:
    tags = load(FIXTURES / "tags.csv").report.rejections[0]
    assert (tags.line, tags.column) == (5, "created_at") and "sometime last week" in tags.reason
    short = load(FIXTURES / "4cat.csv").report.rejections[0]
    assert short.line == 6 and "6 fields where the header has 31" in short.reason


def test_custom_mapping_reads_any_csv() -> None:
    mapping = {"id": "post_id", "created_at": "posted_at", "text": "message", "author": "handle",
               "retweet_count": "shares", "lang": "lang_code"}
    result = load(FIXTURES / "custom.csv", mapping=mapping)
    table = result.table.set_index("id")
    assert result.report.format == "custom-csv"
    assert (result.report.kept, result.report.rejected) == (3, 1)
    assert result.report.rejections[0].column == "post_id"
    assert table.loc["467000000000000002", "created_at"] == pd.Timestamp("2014-04-22 18:00:00", tz="UTC")
    assert table.loc["467000000000000003", "is_retweet"]
    assert table.loc["467000000000000003", "retweeted_author"] == "mapper_one"
    assert table.loc["467000000000000001", "hashtags"] == ["mapped"]
    assert pd.isna(table.loc["467000000000000002", "retweet_count"])


@pytest.mark.parametrize(("cell", "reason"), [
    ("", "empty id"),
    ("   ", "empty id"),
    ("abc", "id 'abc' is not a tweet id"),
])
def test_a_bad_csv_id_says_why(tmp_path: Path, cell: str, reason: str) -> None:
    archive = tmp_path / "ids.csv"
    archive.write_text("post_id,posted_at,message\n"
                       "467000000000000001,2014-04-22T18:00:00Z,kept\n"
                       f"{cell},2014-04-22T18:01:00Z,refused\n")
    result = load(archive, mapping={"id": "post_id", "created_at": "posted_at", "text": "message"})
    assert (result.report.kept, result.report.rejected) == (1, 1)
    (rejection,) = result.report.rejections
    assert (rejection.line, rejection.column, rejection.reason) == (3, "post_id", reason)


@pytest.mark.parametrize(("mapping", "message"), [
    ({"id": "post_id", "text": "message"}, "created_at"),
    ({"id": "post_id", "created_at": "posted_at", "text": "nope"}, "nope"),
    ({"id": "post_id", "created_at": "posted_at", "text": "message", "colour": "x"}, "colour"),
])
def test_bad_mapping_is_a_clear_error(mapping: dict[str, str], message: str) -> None:
    with pytest.raises(ArchiveError, match=message):
        load(FIXTURES / "custom.csv", mapping=mapping)


def test_unknown_csv_asks_for_a_mapping() -> None:
    with pytest.raises(UnknownFormatError, match="mapping") as caught:
        load(FIXTURES / "custom.csv")
    assert caught.value.line == 1 and caught.value.path == str(FIXTURES / "custom.csv")


def test_unknown_format_name_lists_known_ones() -> None:
    with pytest.raises(UnknownFormatError, match="twarc-csv"):
        load(FIXTURES / "sfm.csv", fmt="excel-magic")


def test_forced_format_overrides_detection() -> None:
    assert load(FIXTURES / "sfm.csv", fmt="sfm").report.format == "twarc1-csv"


@pytest.mark.parametrize(("value", "utc"), [
    ("2020-05-01 14:03:22 CEST", "2020-05-01 12:03:22"),
    ("01-05-2020 14:03:22 CEST", "2020-05-01 12:03:22"),
    ("2020-05-01 09:10:00 EDT", "2020-05-01 13:10:00"),
    ("2020-05-01 14:03:22 +0200", "2020-05-01 12:03:22"),
    ("1588334602000", "2020-05-01 12:03:22"),
])
def test_twint_local_times_become_utc(value: str, utc: str) -> None:
    parsed = times.twint(pd.Series([value]))
    assert parsed.iloc[0] == pd.Timestamp(utc, tz="UTC")


def test_twint_unknown_zone_is_not_guessed() -> None:
    assert times.twint(pd.Series(["2020-05-01 14:03:22 XYZT"])).isna().all()


def test_registry_is_data_with_a_detection_rule_per_format() -> None:
    for fmt in FORMATS.values():
        assert fmt.label and fmt.time in times.PARSERS
        assert fmt.detect or fmt.test is not None or fmt.name == "custom-csv"
        assert (fmt.mapper is not None) == (fmt.container == "json")


def test_whole_document_rejections_name_the_item() -> None:
    (rejection,) = load(FIXTURES / "tweets.js").report.rejections
    assert rejection.line is None and rejection.reason.startswith("item 4: ")


def _table(rows: int, *, retweet: bool, retweets: int | None, likes: int | None,
           semantics: str) -> pd.DataFrame:
    return schema.conform(pd.DataFrame({
        "id": [str(10**17 + i) for i in range(rows)],
        "created_at": ["2014-04-22T18:00:00Z"] * rows,
        "is_retweet": [retweet] * rows,
        "retweet_count": [retweets] * rows,
        "like_count": [likes] * rows,
        "metrics_semantics": [semantics] * rows,
    }))


@pytest.mark.parametrize(("table", "expected"), [
    (_table(30, retweet=False, retweets=0, likes=0, semantics="stream_capture"), ["stream"]),
    (_table(30, retweet=False, retweets=0, likes=0, semantics="snapshot"), ["stream"]),
    (_table(30, retweet=False, retweets=3, likes=1, semantics="snapshot"), []),
    (_table(10, retweet=False, retweets=0, likes=0, semantics="snapshot"), []),
    (_table(30, retweet=False, retweets=None, likes=None, semantics="unknown"), []),
    (_table(5, retweet=True, retweets=40, likes=0, semantics="copied_from_original"), ["never sum"]),
    (_table(5, retweet=True, retweets=0, likes=0, semantics="copied_from_original"), []),
])
def test_engagement_warnings(table: pd.DataFrame, expected: list[str]) -> None:
    from analysis.ingest.loaders import metric_warnings

    warnings = metric_warnings(table)
    assert len(warnings) == len(expected)
    for warning, needle in zip(warnings, expected, strict=True):
        assert needle in warning


def _v1(tweet_id: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"id_str": tweet_id, "created_at": "Tue Apr 22 18:00:00 +0000 2014", "text": text,
            "truncated": "extended_tweet" in extra, "user": {"screen_name": f"user{tweet_id[-1]}",
                                                             "followers_count": 10},
            "entities": {"hashtags": [], "user_mentions": []}, "retweet_count": 0,
            "favorite_count": 0, "timestamp_ms": "1398189600000", **extra}


def test_v1_streaming_extended_tweets_give_full_text(tmp_path: Path) -> None:
    import json

    long_text = "A long synthetic post about widgets " * 6 + "#AskAcme #Widgets"
    extended = {"full_text": long_text, "entities": {"hashtags": [{"text": "AskAcme"}, {"text": "Widgets"}],
                                                     "user_mentions": []}}
    original = _v1("470000000000000001", long_text[:120] + "…", extended_tweet=extended)
    retweet = _v1("470000000000000002", "RT @user1: " + long_text[:100] + "…", retweeted_status=original,
                  retweet_count=12)
    quote = _v1("470000000000000003", "look", quoted_status=original,
                quoted_status_id_str="470000000000000001", is_quote_status=True)
    path = tmp_path / "stream.jsonl"
    path.write_text("\n".join(json.dumps(t) for t in (original, retweet, quote)) + "\n")
    table = load(path).table.set_index("id")
    assert table.loc["470000000000000001", "text"] == long_text
    assert table.loc["470000000000000001", "hashtags"] == ["askacme", "widgets"]
    assert table.loc["470000000000000001", "metrics_semantics"] == "stream_capture"
    assert table.loc["470000000000000002", "text"] == f"RT @user1: {long_text}"
    assert table.loc["470000000000000002", "hashtags"] == ["askacme", "widgets"]
    assert table.loc["470000000000000002", "metrics_semantics"] == "copied_from_original"
    assert table.loc["470000000000000003", "is_quote"]
    assert table.loc["470000000000000003", "quoted_author"] == "user1"
