"""Filters on a scored table: each filter, their combination, and bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from metrics_tables import T0, table, tweet

from analysis import schema
from analysis.errors import BackfireError
from analysis.metrics.filters import STANCES, Filters, apply, hostile_mask, languages, mask, window


@pytest.fixture
def scored() -> pd.DataFrame:
    return table([
        tweet(0, text="Police brutality #myNYPD", hostile=True, compound=-0.6),          # 1
        tweet(10, text="Lovely photo with officers", compound=0.7),                       # 2
        tweet(20, text="RT @x: Police BRUTALITY", rt_of="1", hostile=True, compound=-0.6),  # 3
        tweet(30, text="Foto con la policía", lang="es", compound=0.0),                   # 4
        tweet(60, text="bailout bank again", hostile=True, compound=0.3),                 # 5
        tweet(90, text="meh", lang="es", compound=-0.2),                                  # 6
    ])


def ids(frame: pd.DataFrame) -> list[str]:
    return frame["id"].tolist()


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(), ["1", "2", "3", "4", "5", "6"]),
    (Filters(start=T0 + pd.Timedelta(minutes=10)), ["2", "3", "4", "5", "6"]),
    (Filters(end=T0 + pd.Timedelta(minutes=30)), ["1", "2", "3"]),  # end is exclusive
    (Filters(start=T0 + pd.Timedelta(minutes=10), end=T0 + pd.Timedelta(minutes=61)), ["2", "3", "4", "5"]),
    (Filters(keyword="brutality"), ["1", "3"]),                     # case-insensitive
    (Filters(keyword="  brutality "), ["1", "3"]),                  # trimmed
    (Filters(keyword="#mynypd"), ["1"]),
    (Filters(keyword="a.k"), []),                                   # literal, not a regex
    (Filters(languages=("es",)), ["4", "6"]),
    (Filters(languages=("en", "es")), ["1", "2", "3", "4", "5", "6"]),
    (Filters(stance="hostile"), ["1", "3", "5"]),
    (Filters(stance="not_hostile"), ["2", "4", "6"]),
    (Filters(stance="supportive"), ["2"]),                          # not hostile AND positive
    (Filters(stance="positive"), ["2", "5"]),
    (Filters(stance="negative"), ["1", "3", "6"]),
    (Filters(stance="neutral"), ["4"]),
    (Filters(include_retweets=False), ["1", "2", "4", "5", "6"]),
    (Filters(keyword="brutality", include_retweets=False), ["1"]),
    (Filters(stance="hostile", languages=("en",), end=T0 + pd.Timedelta(minutes=60)), ["1", "3"]),
])
def test_apply_keeps_exactly_the_matching_rows(scored: pd.DataFrame, filters: Filters,
                                               expected: list[str]) -> None:
    assert ids(apply(scored, filters)) == expected


def test_filtered_rows_keep_their_index_and_columns(scored: pd.DataFrame) -> None:
    out = apply(scored, Filters(stance="hostile"))
    assert list(out.index) == [0, 2, 4]
    assert list(out.columns) == list(scored.columns)


def test_naive_window_bounds_are_read_as_utc(scored: pd.DataFrame) -> None:
    naive = Filters(start=pd.Timestamp("2014-04-22 18:30"))
    assert ids(apply(scored, naive)) == ["4", "5", "6"]


def test_window_from_hours_since_launch() -> None:
    start, end = window(T0, 1.5, None)
    assert start == T0 + pd.Timedelta(minutes=90)
    assert end is None


def test_unknown_stance_is_a_clear_error(scored: pd.DataFrame) -> None:
    with pytest.raises(BackfireError, match="unknown stance 'angry'"):
        apply(scored, Filters(stance="angry"))


def test_stance_needs_scores() -> None:
    plain = schema.conform(table([tweet(0)]))
    with pytest.raises(BackfireError, match="scored"):
        apply(plain, Filters(stance="hostile"))
    assert hostile_mask(plain) is None
    assert len(mask(plain, Filters(keyword="hello"))) == 1


def test_languages_are_listed_most_frequent_first(scored: pd.DataFrame) -> None:
    assert languages(scored) == [("en", 4), ("es", 2)]


def test_every_stance_has_a_label() -> None:
    assert all(label for label, _ in STANCES.values())


def test_rows_without_a_language_are_undetermined(scored: pd.DataFrame) -> None:
    scored.loc[5, "lang"] = pd.NA
    assert languages(scored) == [("en", 4), ("es", 1), ("und", 1)]
    assert ids(apply(scored, Filters(languages=("und",)))) == ["6"]
