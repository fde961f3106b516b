"""The text rules of analysis.schema (retweet prefix, mentions, hashtags) are the ones every
module applies: the same texts give the same retweet and mention decisions in the loaders
(CSV and JSON), the scoring, the engagement posts, the term counts and the network."""

from __future__ import annotations

import csv
import json
from typing import NamedTuple

import pandas as pd
import pytest

from analysis import schema
from analysis.ingest.loaders import load
from analysis.metrics import engagement, network, terms
from analysis.nlp import scoring


class Expected(NamedTuple):
    retweeted_author: str | None
    said: str           # what the post says: scored and counted (the text without its prefix)
    mentions: list[str]
    hashtags: list[str]
    words: list[str]    # terms.words


CASES: dict[str, Expected] = {
    "RT @nypd_fan: Great day #myNYPD":
        Expected("nypd_fan", "Great day #myNYPD", ["nypd_fan"], ["mynypd"], ["great", "day", "mynypd"]),
    "RT @alice.bsky.social: reposted from Bluesky":
        Expected("alice.bsky.social", "reposted from Bluesky", ["alice.bsky.social"], [],
                 ["reposted", "from", "bluesky"]),
    "RT @Mapper_One:no space after the colon":
        Expected("Mapper_One", "no space after the colon", ["Mapper_One"], [],
                 ["no", "space", "after", "the", "colon"]),
    "not a RT @quoted: retweet, asks @brand_acct":
        Expected(None, "not a RT @quoted: retweet, asks @brand_acct", ["quoted", "brand_acct"], [],
                 ["not", "rt", "retweet", "asks"]),
    "RT @bob without a colon":
        Expected(None, "RT @bob without a colon", ["bob"], [], ["rt", "without", "colon"]),
    "write help@bank.com or @@spam, not @abcdefghijklmnopqrstuvwxyz":
        Expected(None, "write help@bank.com or @@spam, not @abcdefghijklmnopqrstuvwxyz", [], [],
                 ["write", "help", "bank", "com", "or", "spam", "not", "abcdefghijklmnopqrstuvwxyz"]),
    "#Fail &#39;quoted&#39; and#not #Bank_2":
        Expected(None, "#Fail &#39;quoted&#39; and#not #Bank_2", [], ["fail", "bank_2"],
                 ["fail", "quoted", "and", "not", "bank"]),
}
TEXTS = list(CASES)
EXPECTED = list(CASES.values())


@pytest.mark.parametrize(("text", "expected"), [
    ("RT @nypd_fan: Great day #myNYPD", "Great day #myNYPD"),
    ("RT @a: RT @b: nested", "RT @b: nested"),
    ("not a RT @x: retweet", "not a RT @x: retweet"),
    ("plain", "plain"),
])
def test_retweet_prefix_is_dropped(text: str, expected: str) -> None:
    assert schema.original_text(text) == expected


def test_a_rebuilt_retweet_reads_back_as_its_author_and_text() -> None:
    for author in ("nypd_fan", "alice.bsky.social", "user@mastodon.social"):
        rebuilt = schema.retweet_text(author, "the original")
        assert schema.retweet_author(rebuilt) == author
        assert schema.original_text(rebuilt) == "the original"


@pytest.fixture(scope="module")
def csv_table(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The texts as a spreadsheet without entity or retweet columns: the rules decide."""
    path = tmp_path_factory.mktemp("rules") / "posts.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["post_id", "posted_at", "message", "handle"])
        for i, text in enumerate(TEXTS):
            writer.writerow([f"46800000000000000{i}", "2014-04-22T18:00:00Z", text, f"user{i}"])
    mapping = {"id": "post_id", "created_at": "posted_at", "text": "message", "author": "handle"}
    result = load(path, mapping=mapping)
    assert result.report.kept == len(TEXTS)
    return result.table.set_index("id").loc[[f"46800000000000000{i}" for i in range(len(TEXTS))]]


@pytest.fixture(scope="module")
def json_table(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The same texts as v1 tweets without ``retweeted_status`` (old-style retweets)."""
    path = tmp_path_factory.mktemp("rules") / "posts.jsonl"
    tweets = [{"id_str": f"46900000000000000{i}", "created_at": "Tue Apr 22 18:00:00 +0000 2014",
               "text": text, "user": {"screen_name": f"user{i}", "followers_count": 1},
               "entities": {"hashtags": [], "user_mentions": []}}
              for i, text in enumerate(TEXTS)]
    path.write_text("\n".join(json.dumps(t) for t in tweets) + "\n", encoding="utf-8")
    return load(path).table.set_index("id").loc[[f"46900000000000000{i}" for i in range(len(TEXTS))]]


def test_loaders_decide_retweets_by_the_prefix_rule(csv_table: pd.DataFrame,
                                                    json_table: pd.DataFrame) -> None:
    expected = [e.retweeted_author for e in EXPECTED]
    for table in (csv_table, json_table):
        assert table["is_retweet"].tolist() == [a is not None for a in expected]
        assert [a if isinstance(a, str) else None for a in table["retweeted_author"]] == expected
        assert table["text"].tolist() == TEXTS  # a prefix already there is not added again


def test_csv_loader_finds_mentions_and_hashtags_by_the_rules(csv_table: pd.DataFrame) -> None:
    assert [list(m) for m in csv_table["mentions"]] == [e.mentions for e in EXPECTED]
    assert [list(h) for h in csv_table["hashtags"]] == [e.hashtags for e in EXPECTED]


def test_scoring_reads_a_retweet_as_its_original_exactly_where_the_loader_saw_one(
        csv_table: pd.DataFrame) -> None:
    assert scoring.scoring_texts(csv_table["text"]).tolist() == [e.said for e in EXPECTED]


def test_terms_skip_the_prefix_and_the_mentions_the_loader_finds() -> None:
    assert [terms.words(text) for text in TEXTS] == [e.words for e in EXPECTED]


def test_network_counts_mentions_only_in_posts_the_loader_calls_original(csv_table: pd.DataFrame) -> None:
    table = csv_table.reset_index()
    mentions = network.edges(table, "mention")
    assert sorted(zip(mentions["source"], mentions["target"], strict=True)) == [
        ("user3", "brand_acct"), ("user3", "quoted"), ("user4", "bob")]
    retweets = network.edges(table, "retweet")
    assert sorted(zip(retweets["source"], retweets["target"], strict=True)) == [
        ("user0", "nypd_fan"), ("user1", "alice.bsky.social"), ("user2", "Mapper_One")]


def test_a_post_rebuilt_from_its_retweets_shows_what_the_original_said(csv_table: pd.DataFrame) -> None:
    table = csv_table.reset_index()
    retweets = table["is_retweet"].to_numpy(dtype=bool)
    table.loc[retweets, "retweeted_id"] = [f"1{i}" for i in range(int(retweets.sum()))]
    posts = engagement.posts(schema.conform(table)).set_index("id")
    said = [e.said for e, r in zip(EXPECTED, retweets, strict=True) if r]
    assert [posts.loc[f"1{i}", "text"] for i in range(len(said))] == said
