"""Story numbers: reveals computed from the data, a headline that never gives the answer
away, the window of a chapter, guesses scored, the glossary file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from metrics_tables import T0, table, tweet

from analysis import story
from analysis.cases import CHAPTER_PHASES, REVEAL_METRICS, Chapter, load_case
from analysis.errors import CaseError
from analysis.metrics import kpis

CASE = replace(load_case("askjpm"), launch=T0, events=())


def _chapter(phase: str = "first_wave", reveal: str = "hostile_share",
             window: tuple[float, float] | None = (0.0, 1.0)) -> Chapter:
    return Chapter(phase=phase, title="t", text="x", from_hours=window[0] if window else None,
                   to_hours=window[1] if window else None, prompt="guess?" if reveal else "",
                   reveal=reveal, source_url="https://example.org", confidence="high")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rows = [tweet(-30, text="before", hostile=False)]
    rows += [tweet(m, text=f"hostile {m}", hostile=m % 4 != 0) for m in range(0, 60)]  # 45/60
    rows += [tweet(90 + m, text=f"later {m}", rt_of="2", hostile=True) for m in range(10)]
    rows += [tweet(130, author=CASE.brand_account.upper(), text="brand post", hostile=True,
                   counts=(10**6, 0, 0, 0))]
    return table(rows)


def test_every_reveal_metric_has_a_computation() -> None:
    assert set(story.REVEALS) == set(REVEAL_METRICS)
    assert set(story.PHASE_TITLES) == set(CHAPTER_PHASES)


def test_window_metrics_use_the_chapter_window(frame: pd.DataFrame) -> None:
    report = kpis.compute(frame, launch=T0)
    ch = _chapter(reveal="hostile_share")
    answer = story.reveal(frame, CASE, ch, report)
    assert answer is not None and answer.value == pytest.approx(45 / 60) and answer.text == "75%"
    count = story.measure("tweets_in_window", frame, CASE, ch, report)
    assert count.value == 60 and count.text == "60"
    rts = story.measure("retweet_share", frame, CASE, _chapter(window=(1.0, 2.0)), report)
    assert rts.value == 1.0
    whole = story.measure("tweets_in_window", frame, CASE, _chapter(window=None), report)
    assert whole.value == len(frame) and "whole archive" in whole.meaning


def test_kpi_reveals_are_the_case_kpis(frame: pd.DataFrame) -> None:
    report = kpis.compute(frame, launch=T0)
    peak = story.measure("peak_hourly", frame, CASE, _chapter(), report)
    assert peak.value == report.values["peak_hourly_rate"]
    to_peak = story.measure("hours_to_peak", frame, CASE, _chapter(), report)
    assert to_peak.value == pytest.approx(report.values["time_to_peak_hours"])
    missing = story.measure("hours_to_response", frame, CASE, _chapter(), report)
    assert not missing.known and missing.text == "n/a"  # no brand event in this case


def test_headline_never_gives_the_answer_away(frame: pd.DataFrame) -> None:
    report = kpis.compute(frame, launch=T0)
    for phase in CHAPTER_PHASES:
        for key in REVEAL_METRICS:
            number = story.headline(frame, CASE, _chapter(phase, key), report)
            assert number.key != key
    assert story.reveal(frame, CASE, _chapter(reveal=""), report) is None


def test_posts_of_the_phase(frame: pd.DataFrame) -> None:
    hostile = story.posts(frame, CASE, _chapter("peak"))
    assert len(hostile) == story.POSTS_PER_CHAPTER and hostile["hostile"].all()
    late = story.posts(frame, CASE, _chapter("aftermath", window=(2.0, 2.5)))
    assert "brand post" not in set(late["text"])  # the brand's own tweet is not the backlash
    context = story.posts(frame, CASE, _chapter("context", window=(-1.0, 0.0)))
    assert list(context["text"]) == ["before"]


def test_score_guess() -> None:
    share = story.Number("hostile_share", 0.75, "75%", "")
    assert story.score_guess(70, share) == "Your guess: 70%; off by 5 points."
    assert story.score_guess(0.8, share) == "Your guess: 80%; off by 5 points."
    minutes = story.Number("minutes_to_hijack", 40.0, "40 min", "")
    assert story.score_guess(60, minutes) == "Your guess: 60; 50% too high."
    assert story.score_guess(40, minutes) == "Your guess: 40; spot on."
    assert story.score_guess(None, minutes) is None


def test_glossary(tmp_path: Path) -> None:
    terms = [t.term for t in story.load_glossary()]
    for wanted in ("Hashtag hijack", "Amplification", "Hostile vs negative", "Log-odds", "Sample"):
        assert wanted in terms
    bad = tmp_path / "glossary.toml"
    bad.write_text('[[terms]]\nterm = "x"\ndefinition = ""\nsee = "y"\n', encoding="utf-8")
    with pytest.raises(CaseError, match=r"terms\[0\]\.definition"):
        story.load_glossary(bad)
    bad.write_text("[[terms]\n", encoding="utf-8")
    with pytest.raises(CaseError, match="cannot read the glossary"):
        story.load_glossary(bad)
