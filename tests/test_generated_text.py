"""The reconstructions' generated text: each class of slip the issue found is caught here.

Read from the bundled archives as built (``python -m analysis build-archives``): no doubled
article ("The the", "a the bank", "five the boys"), no "a" before a vowel ("a excellent"), no
doubled word ("pathetic Pathetic"), no hostile tweet before a case's hostile_from_hours (the
tag did not exist), and no text before the launch that reacts to the backlash (#AskJPM's
teaser days cannot know the Q&A backfired).
"""

from __future__ import annotations

import gzip
import re
from functools import cache

import orjson
import pandas as pd
import pytest

from analysis import cases
from analysis.reconstruction import generator
from analysis.reconstruction.grammar import grammar_for, tidy
from analysis.store import paths

BUNDLED = ("mynypd", "askjpm", "askrkelly")
# Written independently of the generator's own fixer, from the slips found in the archives.
SLIPS = {
    "doubled article": re.compile(
        r"\b(?:the|a|an|one|two|three|four|five|six|seven|eight|nine|ten|many|several) the\b",
        re.IGNORECASE),
    "a before a vowel": re.compile(
        r"(?<![&\w])[Aa] (?!uni|use|usu|uti|one|once|eu|ur)[aeiouAEIOU]\w*"),
    "doubled word": re.compile(
        r"(?<![@#\w])(?!(?:lol|lmao|lmfao|haha|hahaha|wow|smh|no|so|very)\b)(\w+) \1\b",
        re.IGNORECASE),
}


@cache
def _originals(case_id: str) -> pd.DataFrame:
    """Every authored (not retweeted) tweet of a bundled archive: id, time, text, author."""
    path = paths.archives_dir() / f"{case_id}.jsonl.gz"
    if not path.is_file():
        pytest.fail(f"{path} missing: run python -m analysis build-archives")
    rows = []
    with gzip.open(path, "rb") as stream:
        for line in stream:
            record = orjson.loads(line)
            if "retweeted_status" in record:
                continue
            rows.append((record["id_str"], record["created_at"], record["full_text"],
                         record["user"]["screen_name"]))
    frame = pd.DataFrame(rows, columns=["id", "created_at", "text", "author"])
    frame["created_at"] = pd.to_datetime(frame["created_at"], format="%a %b %d %H:%M:%S %z %Y")
    return frame


@pytest.mark.parametrize("case_id", BUNDLED)
@pytest.mark.parametrize("slip", list(SLIPS))
def test_no_grammar_slips(case_id: str, slip: str) -> None:
    texts = _originals(case_id)["text"]
    found = texts[texts.map(lambda text: SLIPS[slip].search(text) is not None)]
    assert found.empty, f"{len(found)} tweets with a {slip}, e.g. {found.head(3).tolist()}"


@pytest.mark.parametrize("case_id", BUNDLED)
def test_no_hostile_tweet_before_the_case_allows_one(case_id: str) -> None:
    case = cases.load_case(case_id)
    start = float(generator.reconstruction_of(case)["hostile_from_hours"])
    truth = pd.read_csv(case.truth_path, dtype={"tweet_id": str})
    tweets = _originals(case_id).merge(truth, left_on="id", right_on="tweet_id")
    early = tweets[tweets["created_at"] < case.launch + pd.Timedelta(hours=start)]
    assert len(early) > 0, "the archives start before the launch"
    hostile = early[early["hostile"] == 1]
    assert hostile.empty, f"{len(hostile)} hostile tweets before {start:+} h: {hostile['text'].head(3).tolist()}"


@pytest.mark.parametrize("case_id", BUNDLED)
def test_nothing_before_the_launch_reacts_to_the_backlash(case_id: str) -> None:
    case = cases.load_case(case_id)
    grammar = grammar_for(case)
    assert grammar.hindsight, "the shared grammar lists the phrases of hindsight"
    start = float(generator.reconstruction_of(case)["hindsight_from_hours"])
    tweets = _originals(case_id)
    early = tweets[(tweets["created_at"] < case.launch + pd.Timedelta(hours=start))
                   & (tweets["author"].str.lower() != case.brand_account.lower())]
    reacting = early[early["text"].map(grammar.reacts)]
    assert reacting.empty, f"{len(reacting)} early tweets react: {reacting['text'].head(3).tolist()}"


def test_askjpm_teaser_days_still_have_jibes_at_the_bank() -> None:
    """The fix removes hindsight, not the teaser-day mockery the case documents."""
    case = cases.load_case("askjpm")
    truth = pd.read_csv(case.truth_path, dtype={"tweet_id": str})
    tweets = _originals("askjpm").merge(truth, left_on="id", right_on="tweet_id")
    teaser = tweets[tweets["created_at"] < case.launch]
    assert (teaser["hostile"] == 1).sum() >= 5


@pytest.mark.parametrize(("text", "tidied"), [
    ("The the department asked", "The department asked"),
    ("Somewhere a the bank intern", "Somewhere a bank intern"),
    ("five the boys in blue", "five boys in blue"),
    ("What a amazing time", "What an amazing time"),
    ("A excellent idea", "An excellent idea"),
    ("pathetic Pathetic.", "pathetic."),
    ("Q&A after the flood", "Q&A after the flood"),
    ("a university, a one-off, an NYPD officer", "a university, a one-off, an NYPD officer"),
    ("@jpmorgan JPMorgan Chase lol LOL", "@jpmorgan JPMorgan Chase lol"),
])
def test_tidy(text: str, tidied: str) -> None:
    assert tidy(text) == tidied


def test_the_early_grammar_has_no_hindsight() -> None:
    grammar = grammar_for(cases.load_case("askjpm"))
    early = grammar.without_hindsight()
    for table in (early.shared, early.own, early.openers, early.closers):
        for values in table.values():
            assert not any(grammar.reacts(v) for v in values) or all(grammar.reacts(v) for v in values)
    assert sum(map(len, early.own.values())) < sum(map(len, grammar.own.values()))
