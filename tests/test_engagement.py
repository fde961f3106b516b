"""Engagement per post and the top hostile posts, pinned on hand-built tables."""

from __future__ import annotations

import pandas as pd
import pytest
from metrics_tables import T0, table, tweet

from analysis import schema
from analysis.metrics import engagement


@pytest.fixture
def mixed() -> pd.DataFrame:
    return table([
        # 1: snapshot counts 2+3+1+0 = 6, one in-dataset reply -> reported 6
        tweet(0, id="1", author="brand", text="Ask us anything", counts=(2, 3, 1, 0), semantics="snapshot"),
        # 2: stream capture zeros, retweeted twice in the archive -> in-dataset 2
        tweet(5, id="2", author="b", text="bailout bank", hostile=True, counts=(0, 0, 0, 0),
              semantics="stream_capture"),
        tweet(6, id="3", author="c", text="RT @b: bailout bank", rt_of="2", rt_author="b", hostile=True),
        tweet(7, id="4", author="d", text="RT @b: bailout bank", rt_of="2", rt_author="b", hostile=True),
        # 5: snapshot zero but quoted once and retweeted once in the archive -> in-dataset 2
        tweet(8, id="5", author="e", text="whale fines", hostile=True, counts=(0, 0, 0, 0), semantics="snapshot"),
        tweet(9, id="6", author="f", text="RT @e: whale fines", rt_of="5", rt_author="e", hostile=True),
        tweet(10, id="7", author="g", text="this ^", quote_of="5", hostile=True, semantics="unknown"),
        # 8: a reply to 1, counts unknown
        tweet(11, id="8", author="h", text="when do you pay?", reply_to="1", hostile=True),
        # 99 is not in the archive: rebuilt from its retweet, which copied its counts 5+1+0+0
        tweet(12, id="9", author="i", text="RT @z: foreclosure queen", rt_of="99", rt_author="z",
              hostile=True, counts=(5, 1, 0, 0), semantics="copied_from_original"),
    ])


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("id")


@pytest.mark.parametrize(("post", "expected", "source", "kind"), [
    ("1", 6, "reported", "original"),
    ("2", 2, "in_dataset", "original"),
    ("5", 2, "in_dataset", "original"),
    ("7", 0, "in_dataset", "quote"),
    ("8", 0, "in_dataset", "reply"),
    ("99", 6, "reported", "original"),
])
def test_engagement_per_post(mixed: pd.DataFrame, post: str, expected: int, source: str,
                             kind: str) -> None:
    row = by_id(engagement.posts(mixed)).loc[post]
    assert row["engagement"] == expected
    assert row["engagement_source"] == source
    assert row["kind"] == kind


def test_retweets_collapse_onto_their_original(mixed: pd.DataFrame) -> None:
    posts = by_id(engagement.posts(mixed))
    assert sorted(posts.index) == ["1", "2", "5", "7", "8", "99"]
    assert posts.loc["2", "retweets_in_dataset"] == 2
    assert posts.loc["5", "quotes_in_dataset"] == 1
    assert posts.loc["1", "replies_in_dataset"] == 1


def test_rebuilt_original(mixed: pd.DataFrame) -> None:
    post = by_id(engagement.posts(mixed)).loc["99"]
    assert post["author"] == "z"
    assert post["text"] == "foreclosure queen"
    assert not post["original_in_archive"]
    assert pd.isna(post["created_at"])
    assert post["first_seen"] == T0 + pd.Timedelta(minutes=12)
    assert bool(post["hostile"])


def test_top_hostile_posts_ranked_with_urls(mixed: pd.DataFrame) -> None:
    top = engagement.top_hostile_posts(mixed, n=3)
    assert top["id"].tolist() == ["99", "2", "5"]   # 6; then 2 and 2 by first appearance
    assert top["rank"].tolist() == [1, 2, 3]
    assert top["url"].tolist() == ["https://twitter.com/z/status/99", "https://twitter.com/b/status/2",
                                   "https://twitter.com/e/status/5"]
    assert top["hostile"].all()


def test_top_posts_including_non_hostile(mixed: pd.DataFrame) -> None:
    top = engagement.top_hostile_posts(mixed, n=2, hostile_only=False)
    assert top["id"].tolist() == ["1", "99"]   # 6 each; "1" seen first


def test_hostile_engagement_share(mixed: pd.DataFrame) -> None:
    # hostile: 2 + 2 + 0 + 0 + 6 = 10 of 6 + 10 = 16
    assert engagement.hostile_engagement_share(mixed) == (pytest.approx(10 / 16), None)


def test_no_engagement_at_all_is_explained() -> None:
    frame = table([tweet(0, hostile=True), tweet(1)])
    value, reason = engagement.hostile_engagement_share(frame)
    assert value is None and reason and "no engagement" in reason


def test_unscored_table_has_no_hostile_posts(mixed: pd.DataFrame) -> None:
    plain = schema.conform(mixed)
    assert engagement.top_hostile_posts(plain).empty
    assert engagement.hostile_engagement_share(plain)[0] is None


def test_larger_in_dataset_count_beats_a_stale_snapshot() -> None:
    rows = [tweet(0, id="1", author="a", counts=(1, 0, 0, 0), semantics="snapshot", hostile=True)]
    rows += [tweet(1 + i, id=f"r{i}", author=f"r{i}", rt_of="1", rt_author="a", hostile=True) for i in range(3)]
    post = by_id(engagement.posts(table(rows))).loc["1"]
    assert (post["engagement"], post["engagement_source"]) == (3, "in_dataset")


def test_posts_have_the_documented_columns(mixed: pd.DataFrame) -> None:
    assert list(engagement.posts(mixed).columns) == [*engagement.POST_COLUMNS, *engagement.SCORE_KEEP]


def test_empty_table_has_no_posts() -> None:
    empty = table([tweet(0)]).iloc[0:0]
    assert engagement.posts(empty).empty
    assert engagement.top_hostile_posts(empty).empty
    assert engagement.hostile_engagement_share(empty)[0] is None
