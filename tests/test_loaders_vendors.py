"""Listening-suite exports and spreadsheets of unknown layout.

Every vendor file here is an IMITATION built in the test from the column lists documented in
../shared/notes/formats-2026.md §1 (Brandwatch, Talkwalker, Meltwater, Pulsar, Sprout
Social): no real export of these suites is public. The values are made up.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from analysis.errors import UnknownFormatError
from analysis.ingest import mappings
from analysis.ingest.formats import sheets
from analysis.ingest.loaders import detect, load, preview

BRANDWATCH_PREAMBLE = [["Report:", "Hijack post-mortem (imitation)"], ["Bulk Mentions Download"],
                       ["Brand:", "Acme"], ["From:", "2025-11-01"], ["To:", "2025-11-30"],
                       ["Label:", ""], []]
BRANDWATCH_2026 = ["Query Id", "Query Name", "Date", "Title", "Url", "Domain", "Sentiment",
                   "Page Type", "Author", "Full Text", "Snippet", "Thread Entry Type", "Thread Author",
                   "X Followers", "X Author ID", "Bluesky Author Id", "Likes", "Comments", "Shares",
                   "Language", "Hashtags", "Engagement Score"]


def _brandwatch_rows() -> list[list[Any]]:
    return [
        [1, "acme", "2025-11-15 09:30:00.0", "", "https://x.com/bob/status/1989000000000000001", "x.com",
         "negative", "twitter", "bob", "This #acme ad is awful", "", "post", "", 1200, "123", "", 5, 2, 1,
         "en", "acme", 8],
        [1, "acme", "2025-11-15 10:00:00.0", "", "https://x.com/eve/status/1989000000000000002", "x.com",
         "neutral", "twitter", "eve", "RT @bob: This #acme ad is awful", "", "share", "bob", 10, "124", "",
         0, 0, 0, "en", "acme", 0],
        [1, "acme", "2025-11-15 11:00:00.0", "Thread", "https://www.reddit.com/r/ads/comments/abc/", "reddit.com",
         "positive", "reddit", "carl", "", "I like the acme ad", "post", "", "", "", "", 3, 1, 0, "en", "", 4],
        [1, "acme", "2025-11-15 12:00:00.0", "", "https://bsky.app/profile/dee.bsky.social/post/3kx",
         "bsky.app", "negative", "bluesky", "dee.bsky.social", "acme, no.", "", "reply", "bob", "", "",
         "did:plc:abc", 1, 0, 0, "en", "", 1],
        [1, "acme", "9999-11-15 12:00:00.0", "", "https://x.com/zed/status/1989000000000000009", "x.com",
         "negative", "twitter", "zed", "a corrupt date", "", "post", "", 5, "125", "", 0, 0, 0, "en", "", 0],
    ]


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[list[Any]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize("container", ["xlsx", "csv"])
def test_brandwatch_export_below_its_preamble(container: str, isolated_data: Path) -> None:
    rows = BRANDWATCH_PREAMBLE + [BRANDWATCH_2026] + _brandwatch_rows()
    data = _xlsx(rows) if container == "xlsx" else _csv(rows).encode("utf-8-sig")
    result = load(data)
    report, table = result.report, result.table.set_index("id")
    assert report.format == "brandwatch" and report.reconciles
    assert (report.rows_read, report.kept, report.rejected) == (5, 4, 1)
    assert "9999" in report.rejections[0].reason and report.rejections[0].column == "Date"
    assert report.tz == "UTC" and any("no time zone: read as UTC" in w for w in report.warnings)
    assert any("above the header skipped" in w for w in report.warnings)
    bob = table.loc["1989000000000000001"]
    assert (bob["author"], bob["author_followers"], bob["like_count"], bob["platform"],
            bob["vendor_sentiment"]) == ("bob", 1200, 5, "x", "negative")
    assert bob["created_at"] == pd.Timestamp("2025-11-15 09:30", tz="UTC")
    share = table.loc["1989000000000000002"]
    assert share["is_retweet"] and share["retweeted_author"] == "bob"
    reddit = table.loc["https://www.reddit.com/r/ads/comments/abc/"]
    assert reddit["platform"] == "reddit" and reddit["text"] == "I like the acme ad"  # Snippet fallback
    bsky = table.loc["https://bsky.app/profile/dee.bsky.social/post/3kx"]
    assert bsky["platform"] == "bluesky" and bsky["is_reply"] and bsky["in_reply_to_author"] == "bob"
    assert sorted(table["platform"].unique()) == ["bluesky", "reddit", "x"]


def test_brandwatch_2023_twitter_columns_and_a_chosen_time_zone(isolated_data: Path) -> None:
    header = [h.replace("X Followers", "Twitter Followers") for h in BRANDWATCH_2026]
    header = [{"Likes": "Twitter Likes", "Shares": "Twitter Retweets"}.get(h, h) for h in header]
    data = _csv([header] + _brandwatch_rows()[:1]).encode()
    result = load(data, tz="Europe/Paris")
    row = result.table.iloc[0]
    assert result.report.format == "brandwatch" and result.report.tz == "Europe/Paris"
    assert (row["author_followers"], row["like_count"], row["retweet_count"]) == (1200, 5, 1)
    assert row["created_at"] == pd.Timestamp("2025-11-15 08:30", tz="UTC")


def test_talkwalker_dotted_columns_epoch_ms_and_signed_sentiment(isolated_data: Path) -> None:
    header = ["url", "published", "content", "title", "lang", "sentiment", "source_type", "external_id",
              "extra_author_attributes.short_name", "source_extended_attributes.twitter_followers",
              "article_extended_attributes.twitter_retweets", "article_extended_attributes.twitter_likes"]
    rows = [["https://x.com/ann/status/1990000000000000001", "1763199000000", "", "", "en", "-4",
             '["SOCIALMEDIA","SOCIALMEDIA_TWITTER"]', "1990000000000000001", "ann", "40", "2", "7"],
            ["https://www.reddit.com/r/a/comments/x1/", "1763199060000", "meh, acme", "t", "en", "0",
             '["MESSAGEBOARD","MESSAGEBOARD_REDDIT"]', "", "redd", "", "", ""]]
    result = load(_xlsx([header] + rows))
    table = result.table.set_index("id")
    assert detect(io.BytesIO(_csv([header] + rows).encode())) == result.report.format == "talkwalker"
    x_row = table.loc["1990000000000000001"]
    assert x_row["created_at"] == pd.Timestamp(1763199000000, unit="ms", tz="UTC")
    assert (x_row["vendor_sentiment"], x_row["platform"], x_row["like_count"]) == ("negative", "x", 7)
    assert pd.isna(x_row["text"]) or x_row["text"] == ""  # Talkwalker exports no X text
    reddit = table.loc["https://www.reddit.com/r/a/comments/x1/"]
    assert (reddit["platform"], reddit["vendor_sentiment"]) == ("reddit", "neutral")


def test_meltwater_utf16_tab_separated(isolated_data: Path) -> None:
    header = ["Date", "Headline", "URL", "Opening Text", "Hit Sentence", "Source", "Influencer",
              "Language", "Sentiment", "Tweet Id", "Hashtags"]
    rows = [["15-Nov-2025 09:30AM", "", "https://x.com/ann/status/1991", "", "Boycott acme ✊ #acme",
             "Twitter", "@ann", "en", "Negative", "1991000000000000001", "#acme"],
            ["15-Nov-2025 10:05PM", "Acme ad pulled", "https://news.example/acme", "The ad was pulled",
             "", "News", "Reporter", "en", "Neutral", "", ""]]
    data = _csv([header] + rows, delimiter="\t").encode("utf-16")
    result = load(data)
    table = result.table
    assert result.report.format == "meltwater" and result.report.kept == 2
    first = table.set_index("id").loc["1991000000000000001"]
    assert first["text"] == "Boycott acme ✊ #acme" and first["author"] == "ann"
    assert first["created_at"] == pd.Timestamp("2025-11-15 09:30", tz="UTC")
    news = table.set_index("id").loc["https://news.example/acme"]
    assert news["text"] == "The ad was pulled" and news["platform"] == "news"
    assert news["created_at"] == pd.Timestamp("2025-11-15 22:05", tz="UTC")


def test_pulsar_ids_from_urls_and_parent_marks_a_retweet(isolated_data: Path) -> None:
    header = ["ID", "Parent", "Search", "Application", "Date", "Content", "URL", "Screen Name",
              "Sentiment", "Source"]
    rows = [["1", "0", "acme", "web", "2025-11-15 09:00:00", "acme lies", "https://x.com/a/status/1992000000000000001",
             "a", "-0.8", "twitter"],
            ["2", "1", "acme", "web", "2025-11-15 09:05:00", "RT @a: acme lies",
             "https://x.com/b/status/1992000000000000002", "b", "-0.8", "twitter"]]
    table = load(_xlsx([header] + rows)).table.set_index("id")
    assert list(table.index) == ["1992000000000000001", "1992000000000000002"]
    assert table.loc["1992000000000000002", "is_retweet"] and not table.loc["1992000000000000001", "is_retweet"]
    assert set(table["vendor_sentiment"]) == {"negative"}


def test_sprout_listening_messages(isolated_data: Path) -> None:
    header = ["guid", "created_time", "network", "text", "perma_link", "from.screen_name",
              "from.followers_count", "language", "sentiment", "likes", "replies", "shares_count"]
    rows = [["fb_1_2", "2025-11-15T09:00:00Z", "FACEBOOK", "acme, why", "https://facebook.com/1/2", "zoe",
             "10", "en", "negative", "3", "1", "0"]]
    row = load(_csv([header] + rows).encode()).table.iloc[0]
    assert (row["id"], row["platform"], row["author"], row["like_count"]) == ("fb_1_2", "facebook", "zoe", 3)


# --------------------------------------------------------------------------- mappings
UNKNOWN = [["Post Number", "Posted", "Message", "Who", "Hearts", "Reposts"],
           ["1993000000000000001", "2025-11-15 09:00", "acme is a joke", "ann", "4", "1"],
           ["1993000000000000002", "2025-11-15T09:05:00+01:00", "@acme fix it", "bob", "0", "0"]]


def test_unknown_spreadsheet_asks_for_a_mapping_and_shows_its_rows(isolated_data: Path) -> None:
    data = _xlsx(UNKNOWN)
    with pytest.raises(UnknownFormatError) as err:
        load(data)
    assert "mapping" in str(err.value) and "Posted" in str(err.value)
    sheet = preview(data)
    assert sheet.header == UNKNOWN[0] and sheet.rows == UNKNOWN[1:]
    guess = mappings.guess(sheet.header, sheet.rows)
    assert guess["id"] == "Post Number" and guess["created_at"] == "Posted"
    assert guess["text"] == "Message" and guess["author"] == "Who"
    assert guess["like_count"] == "Hearts" and guess["retweet_count"] == "Reposts"


def test_a_saved_mapping_reads_the_next_file_with_the_same_header(isolated_data: Path) -> None:
    columns = {"id": "Post Number", "created_at": "Posted", "text": "Message", "author": "Who",
               "like_count": "Hearts"}
    first = load(_xlsx(UNKNOWN), mapping=columns, tz="Europe/Paris")
    assert first.report.mapping == columns and first.report.tz == "Europe/Paris"
    times = first.table.set_index("id")["created_at"]
    assert times["1993000000000000001"] == pd.Timestamp("2025-11-15 08:00", tz="UTC")
    assert times["1993000000000000002"] == pd.Timestamp("2025-11-15 08:05", tz="UTC")  # own offset kept
    mappings.remember(UNKNOWN[0], columns, "Europe/Paris")
    again = load(_csv(UNKNOWN).encode())  # same header, another container: no mapping passed
    assert again.report.format == "custom-csv" and again.report.mapping == columns
    assert again.report.tz == "Europe/Paris" and any("saved" in w for w in again.report.warnings)
    pd.testing.assert_frame_equal(again.table, first.table)


def test_saved_mapping_store_survives_damage(isolated_data: Path) -> None:
    (isolated_data / mappings.FILE_NAME).write_text("{not json")
    assert mappings.find(UNKNOWN[0]) is None
    mappings.remember(UNKNOWN[0], {"id": "Post Number"}, "UTC")
    assert mappings.find(UNKNOWN[0]) == mappings.ColumnMapping(
        {"id": "Post Number"}, "UTC", mappings.find(UNKNOWN[0]).saved)  # type: ignore[union-attr]


def test_platform_filter_and_vendor_agreement() -> None:
    from analysis.metrics import agreement, filters

    table = load(_csv([BRANDWATCH_2026] + _brandwatch_rows()).encode()).table
    assert filters.platforms(table) == [("x", 2), ("reddit", 1), ("bluesky", 1)]
    only = filters.apply(table, filters.Filters(platforms=("bluesky", "reddit")))
    assert sorted(only["platform"]) == ["bluesky", "reddit"]
    scored = table.assign(sentiment=["negative", "positive", "positive", "neutral"])
    found = agreement.vendor_agreement(scored)
    assert found is not None and found.posts == 4 and found.share == 0.5
    assert int(found.table.loc["negative", "negative"]) == 1 and int(found.table.loc["neutral", "positive"]) == 1


def test_library_add_takes_a_mapping_and_the_case_reads_with_it(isolated_data: Path, tmp_path: Path) -> None:
    from analysis.__main__ import main
    from analysis.store import library

    path = tmp_path / "listening.csv"
    path.write_text(_csv(UNKNOWN))
    assert main(["library", "add", str(path), "--hashtag", "#acme", "--brand", "Acme",
                 "--launch", "2025-11-15T08:00Z", "--map", "id=Post Number", "--map", "created_at=Posted",
                 "--map", "text=Message", "--map", "author=Who", "--tz", "Europe/Paris"]) == 0
    (entry,) = library.list_cases()
    report = entry.load_reports[0]
    assert report["mapping"]["author"] == "Who" and report["tz"] == "Europe/Paris" and report["kept"] == 2
    archive = next(p for p in entry.path.iterdir() if p.suffix == ".csv")
    again = load(archive)  # as the app reloads the saved case: no mapping passed
    assert again.report.mapping == report["mapping"] and again.report.tz == "Europe/Paris"


def test_a_repeated_header_name_is_numbered_and_the_first_one_is_mapped(tmp_path: Path) -> None:
    # the mapping screen's preview and the loader name the columns with this one rule
    assert sheets.column_names(["Text", "Who", "Text", "Text"]) == ["Text", "Who", "Text.1", "Text.2"]
    path = tmp_path / "repeated.csv"
    path.write_text("Post,When,Text,Who,Text\n470000000000000001,2025-11-15 09:00:00,first,ann,second\n",
                    encoding="utf-8")
    table = load(path, mapping={"id": "Post", "created_at": "When", "text": "Text", "author": "Who"}).table
    assert table["text"].tolist() == ["first"] and table["author"].tolist() == ["ann"]
