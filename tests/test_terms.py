"""Words, hashtags and accounts, pinned on hand-built tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from metrics_tables import table, tweet

from analysis.metrics import terms


@pytest.fixture
def nypd() -> pd.DataFrame:
    return table([
        tweet(0, author="NYPDnews", text="Do you have a photo with the NYPD? #myNYPD",
              hashtags=["mynypd"]),
        tweet(1, author="occupy", text="Police brutality again #myNYPD #myLAPD http://t.co/x @NYPDnews",
              hashtags=["mynypd", "mylapd"], mentions=["NYPDnews"], hostile=True, compound=-0.7),
        tweet(2, author="c", text="RT @occupy: Police brutality again #myNYPD #myLAPD",
              rt_of="2", rt_author="occupy", hashtags=["mynypd", "mylapd"], mentions=["occupy"],
              hostile=True, compound=-0.7),
        tweet(3, author="occupy", text="brutality brutality, batons and police #nypd",
              hashtags=["nypd", "mynypd"], hostile=True, compound=-0.8),
        tweet(4, author="e", text="Lovely photo, great officers! #myNYPD", compound=0.8,
              hashtags=["mynypd", "mynypd"], mentions=["occupy", "NYPDnews"]),
    ])


@pytest.fixture
def stop() -> frozenset[str]:
    return terms.case_stopwords("#myNYPD", "NYPD", "NYPDnews")


def test_case_stopwords_add_the_case_terms() -> None:
    words = terms.case_stopwords("#AskJPM", "J.P. Morgan", "jpmorgan", extra=["Chase Bank"])
    assert {"askjpm", "morgan", "jpmorgan", "chase", "bank", "chasebank"} <= words
    assert "the" in words and "rt" in words        # wordcloud's stopwords and Twitter noise
    assert "bailout" not in words


@pytest.mark.parametrize(("text", "expected"), [
    ("RT @occupy: Police brutality", ["police", "brutality"]),
    ("see http://t.co/abc and www.x.com now", ["see", "and", "now"]),
    ("@NYPDnews #Bailout isn't OK", ["bailout", "isn't", "ok"]),
    ("a 2014 x1", ["x1"]),
])
def test_tokens(text: str, expected: list[str]) -> None:
    assert terms.tokens(pd.Series([text], dtype="string")).tolist() == expected


def test_word_frequencies_skip_retweets_and_stopwords(nypd: pd.DataFrame, stop: frozenset[str]) -> None:
    freq = terms.word_frequencies(nypd, stopwords=stop)
    assert freq == {"brutality": 3, "photo": 2, "police": 2, "batons": 1, "great": 1,
                    "lovely": 1, "mylapd": 1, "officers": 1}
    with_rts = terms.word_frequencies(nypd, stopwords=stop, include_retweets=True)
    assert with_rts["brutality"] == 4
    assert list(terms.word_frequencies(nypd, stopwords=stop, top=2)) == ["brutality", "photo"]


def test_stance_frequencies(nypd: pd.DataFrame, stop: frozenset[str]) -> None:
    out = terms.stance_frequencies(nypd, stopwords=stop)
    assert out["hostile"] == {"brutality": 3, "police": 2, "batons": 1, "mylapd": 1}
    assert out["supportive"] == {"great": 1, "lovely": 1, "officers": 1, "photo": 1}


def test_log_odds_matches_monroe_formula_by_hand() -> None:
    delta, z = terms.log_odds(np.array([3.0, 1.0]), np.array([1.0, 3.0]), prior_weight=0.1)
    # a_w = 0.1 * 4 = 0.4 for both words, a_0 = 0.8, n = 4 in each group
    d = math.log(3.4 / (4.8 - 3.4)) - math.log(1.4 / (4.8 - 1.4))
    assert delta.tolist() == pytest.approx([d, -d])
    assert z.tolist() == pytest.approx([d / math.sqrt(1 / 3.4 + 1 / 1.4), -d / math.sqrt(1 / 3.4 + 1 / 1.4)])


def test_log_odds_of_a_word_used_equally_is_zero() -> None:
    delta, z = terms.log_odds(np.array([5.0, 5.0]), np.array([5.0, 5.0]))
    assert delta.tolist() == pytest.approx([0.0, 0.0])


def test_distinctive_terms(nypd: pd.DataFrame, stop: frozenset[str]) -> None:
    out = terms.distinctive_terms(nypd, stopwords=stop, min_count=1)
    hostile = out.loc[out["side"] == "hostile"]
    other = out.loc[out["side"] == "not_hostile"]
    assert hostile["term"].iloc[0] == "brutality"
    assert hostile["hostile_count"].iloc[0] == 3
    assert other["term"].tolist() == ["photo", "great", "lovely", "officers"]
    assert (hostile["z"] > 0).all() and (other["z"] < 0).all()
    assert terms.distinctive_terms(nypd, stopwords=stop)["term"].tolist() == ["brutality"]  # 3+ uses


def test_distinctive_terms_need_both_groups(stop: frozenset[str]) -> None:
    frame = table([tweet(0, text="bailout bailout bailout", hostile=True)])
    assert terms.distinctive_terms(frame, stopwords=stop, min_count=1).empty


@pytest.mark.parametrize(("tag", "focus", "expected"), [
    ("mylapd", "mynypd", True),        # similarity 0.67
    ("mycpd", "mynypd", True),
    ("askjpmorgan", "askjpm", True),   # contains the campaign tag
    ("mynypdfail", "#myNYPD", True),
    ("nypd", "mynypd", False),         # the campaign tag's own root
    ("mynypd", "mynypd", False),
    ("tcot", "askjpm", False),
    ("askrkelly", "askjpm", False),
])
def test_is_spinoff(tag: str, focus: str, expected: bool) -> None:
    assert terms.is_spinoff(tag, focus) is expected


def test_hashtags_with_focus_and_spinoffs(nypd: pd.DataFrame) -> None:
    out = terms.hashtags(nypd, "#myNYPD", spinoffs=["myELAS"]).set_index("hashtag")
    assert out["tweets"].to_dict() == {"mynypd": 5, "mylapd": 2, "nypd": 1}  # a tag counts once per tweet
    assert out["with_focus"].to_dict() == {"mynypd": 5, "mylapd": 2, "nypd": 1}
    assert out["share"]["mylapd"] == pytest.approx(2 / 5)
    assert out["is_spinoff"].to_dict() == {"mynypd": False, "mylapd": True, "nypd": False}
    assert bool(out["is_focus"]["mynypd"])


def test_spinoffs_are_listed_below_the_top(nypd: pd.DataFrame) -> None:
    out = terms.hashtags(nypd, "mynypd", top=1)
    assert out["hashtag"].tolist() == ["mynypd", "mylapd"]


def test_listed_spinoff_counts_even_if_dissimilar() -> None:
    frame = table([tweet(0, hashtags=["mynypd", "myelas"])])
    out = terms.hashtags(frame, "mynypd", spinoffs=["#myELAS"]).set_index("hashtag")
    assert bool(out["is_spinoff"]["myelas"])


def test_cooccurrence_matrix(nypd: pd.DataFrame) -> None:
    out = terms.cooccurrence(nypd, top=3)
    pairs = {(a, b): n for a, b, n in out.itertuples(index=False)}
    assert pairs[("mynypd", "mynypd")] == 5
    assert pairs[("mynypd", "mylapd")] == pairs[("mylapd", "mynypd")] == 2
    assert pairs[("mylapd", "nypd")] == 0
    assert pairs[("nypd", "mynypd")] == 1
    assert len(out) == 9


def test_top_posters(nypd: pd.DataFrame) -> None:
    out = terms.top_posters(nypd)
    first = out.iloc[0]
    assert (first["account"], first["tweets"], first["originals"], first["retweets"]) == ("occupy", 2, 2, 0)
    assert first["hostile_share"] == 1.0
    assert out["account"].tolist()[1:] == ["NYPDnews", "c", "e"]


def test_most_amplified(nypd: pd.DataFrame) -> None:
    out = terms.most_amplified(nypd)
    assert out.to_dict("records") == [{"account": "occupy", "retweets_received": 1, "retweeters": 1,
                                       "posts_retweeted": 1}]


def test_top_mentions_leave_out_the_retweet_attribution(nypd: pd.DataFrame) -> None:
    out = terms.top_mentions(nypd)
    # "occupy" on the retweet is its "RT @occupy" attribution; tweet 5 really mentions it
    assert out.to_dict("records") == [{"account": "nypdnews", "mentions": 2},
                                      {"account": "occupy", "mentions": 1}]


def test_a_missing_list_counts_as_no_entity() -> None:
    frame = table([tweet(0, hashtags=["bailout"]), tweet(1, hashtags=["bailout"])])
    frame.at[1, "hashtags"] = None
    assert terms.hashtags(frame).to_dict("records")[0]["tweets"] == 1


def test_no_hashtags_at_all() -> None:
    frame = table([tweet(0), tweet(1)])
    assert terms.hashtags(frame, "mynypd").empty
    assert terms.cooccurrence(frame).empty
    assert terms.top_mentions(frame).empty
