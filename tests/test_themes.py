"""Themes: NMF seeded by target terms, on a table with three planted themes whose mix changes
over time (the answer is known by construction)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from metrics_tables import T0, table, tweet

from analysis.errors import BackfireError
from analysis.metrics import themes
from analysis.metrics.timeline import BIN_SIZES

GROUPS = {
    "money": ["foreclosure", "bailout", "settlement", "fines", "libor", "mortgage", "whale", "fraud"],
    "career": ["career", "advice", "internship", "student", "mentor", "resume", "interview", "skills"],
    "jokes": ["vampire", "squid", "shredder", "aquarium", "plea", "sequel", "realityshow", "popcorn"],
}
FILLER = ["today", "people", "question", "bank"]


def _text(rng: np.random.Generator, group: str) -> str:
    words = list(rng.choice(GROUPS[group], size=4, replace=False)) + list(rng.choice(FILLER, size=2))
    rng.shuffle(words)
    return "#AskX " + " ".join(words) + f" n{rng.integers(1_000_000)}"


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    """600 originals: career talk in the first 5 hours, money and jokes after; one retweet each
    of the first ten posts."""
    rng = np.random.default_rng(7)
    rows = []
    for i in range(600):
        minute = float(i)  # ten hours, one post a minute
        group = "career" if minute < 300 else ("money" if i % 2 else "jokes")
        rows.append(tweet(minute, id=f"o{i}", author=f"u{i % 97}", text=_text(rng, group)))
    for i in range(10):
        rows.append(tweet(600 + i, id=f"r{i}", author=f"rt{i}", rt_of=f"o{i}",
                          rt_author=f"u{i % 97}", text=f"RT @u{i % 97}: " + rows[i]["text"]))
    return table(rows)


def _group_of(terms: tuple[str, ...]) -> set[str]:
    return {g for g, words in GROUPS.items() if set(terms[:3]) <= set(words)}


def test_finds_the_planted_themes_and_seeds_from_target_terms(planted: pd.DataFrame) -> None:
    model = themes.fit(planted, target_terms=["foreclosure", "bailout", "london whale", "fines"],
                       n_themes=3)
    groups = [_group_of(t) for t in model.top_terms]
    assert all(len(g) == 1 for g in groups), model.top_terms
    assert {g.pop() for g in groups} == set(GROUPS)
    # The seeded theme (first) started from the target terms and is still the money theme.
    assert model.seeded[0] and set(model.top_terms[0][:3]) <= set(GROUPS["money"])
    assert model.names[0].count(" · ") == themes.NAME_TERMS - 1


def test_assign_puts_each_post_and_its_retweets_in_its_theme(planted: pd.DataFrame) -> None:
    model = themes.fit(planted, n_themes=3)
    labels = themes.assign(planted, model)
    assert labels.index.equals(planted.index)
    career = next(i for i, t in enumerate(model.top_terms) if _group_of(t) == {"career"})
    originals = planted.index[~planted["is_retweet"]]
    early = originals[:300]
    assert (labels.loc[early] == career).mean() > 0.95
    assert (labels.loc[originals[300:]] == career).mean() < 0.05
    # each retweet joins the theme of the post it repeats
    retweets = planted.index[planted["is_retweet"]]
    assert (labels.loc[retweets].to_numpy() == labels.loc[originals[:10]].to_numpy()).all()


def test_shares_over_time_follow_the_planted_shift(planted: pd.DataFrame) -> None:
    model = themes.fit(planted, n_themes=3)
    found = themes.report(planted, model, launch=T0, width=pd.Timedelta(hours=1))
    career = next(i for i, t in enumerate(model.top_terms) if _group_of(t) == {"career"})
    over = found.over_time
    assert set(over.columns) >= {"bin_start", "hours_since_launch", "theme", "name", "share"}
    per_bin = over.groupby("hours_since_launch")["share"].sum()
    assert np.allclose(per_bin, 1.0)
    career_share = over.loc[over["theme"] == career].set_index("hours_since_launch")["share"]
    assert career_share.loc[1.0] > 0.9 and career_share.loc[7.0] < 0.1
    assert found.themes["share"].sum() == pytest.approx(1.0)
    assert found.themes.loc[career, "share"] == pytest.approx(305 / 610, abs=0.03)


def test_stability_is_high_for_planted_themes_and_matching_is_one_to_one(
        planted: pd.DataFrame) -> None:
    model = themes.fit(planted, n_themes=3)
    stable = themes.stability(planted, model)
    assert stable.halves > 0.8 and min(stable.per_theme) > 0.8
    assert "mean cosine similarity" in stable.describe()
    a = np.eye(3) + 0.01
    assert np.allclose(themes.matched_similarity(a, a[[2, 0, 1]]), 1.0)
    # one-to-one: two themes of a cannot both claim the same theme of b
    b = np.array([[1.0, 0, 0], [0, 0, 1.0], [0, 0, 1.0]])
    assert sorted(np.round(themes.matched_similarity(a[:3], b), 2))[0] < 0.5


def test_too_few_texts_is_a_clear_error() -> None:
    few = table([tweet(i, text=f"just a few words {i}") for i in range(5)])
    with pytest.raises(BackfireError, match="at least 40 distinct authored texts"):
        themes.fit(few)


def test_auto_bin_aims_at_a_readable_number_of_bins() -> None:
    times = pd.Series(pd.date_range(T0, periods=100, freq="30min"))
    width = themes.auto_bin(times)
    assert (times.max() - times.min()) / width <= themes.TARGET_BINS
    assert width in BIN_SIZES.values()


def test_fit_case_is_fit_assign_and_stability_in_one_pass(planted: pd.DataFrame) -> None:
    terms_ = ["foreclosure", "bailout", "london whale", "fines"]
    found = themes.fit_case(planted, target_terms=terms_, n_themes=3)
    model = themes.fit(planted, target_terms=terms_, n_themes=3)
    assert (found.top_terms, found.seeded, found.texts) == (model.top_terms, model.seeded,
                                                            model.texts)
    assert found.stability == themes.stability(planted, model, target_terms=terms_)
    pd.testing.assert_series_equal(found.labels, themes.assign(planted, model))
    # the texts are read once: the authored ones are the same, in the same order
    codes, distinct = themes._tokenised(planted)
    pd.testing.assert_series_equal(themes._authored(planted, codes, distinct),
                                   themes.authored_texts(planted))
    # a Fitted reports as the model it came from
    direct = themes.report(planted, model, launch=T0)
    pd.testing.assert_frame_equal(themes.report(planted, found, launch=T0).over_time,
                                  direct.over_time)
