"""The case library: bundled TOML files, validation errors that name file and key, a fourth
case is one file, and the round trip the user library relies on."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis import cases
from analysis.cases import (
    CHAPTER_PHASES,
    CONFIDENCE_LEVELS,
    EVENT_KINDS,
    REVEAL_METRICS,
    case_from_dict,
    case_to_dict,
    case_to_toml,
    load_case,
    load_cases,
    write_case,
)
from analysis.errors import CaseError
from analysis.store import paths

BUNDLED = ("mynypd", "askjpm", "askrkelly", "qantasluxury", "mcdstories", "askbg", "cosbymeme",
           "askseaworld")
# Cases whose launch hour is not documented (the project's placeholder) and cases whose facts
# files record conflicting sources.
ASSUMED_LAUNCH = ("askrkelly", "mcdstories", "cosbymeme", "askseaworld")
WITH_CONFLICTS = ("qantasluxury", "mcdstories", "askbg", "cosbymeme", "askseaworld")

MINIMAL = """
id = "mcdstories"
hashtag = "McDStories"
brand = "McDonald's"
brand_account = "McDonalds"
launch = 2012-01-18T17:00:00Z
launch_assumed = true
provenance = "real"
ask = "Share your stories about the farmers behind the food."
story = "A promoted hashtag pulled within two hours after horror stories."
caveats = ["Launch hour assumed."]
target_terms = ["food poisoning"]

[[events]]
time = 2012-01-18T17:00:00Z
kind = "ask"
label = "Promoted trend starts"
source_url = "http://hypervocal.com/news/2012/mcdonalds-tweets-twitter-mcdstories-fail/"
confidence = "assumed (hour)"

[[facts]]
label = "Peak"
value = "About 1,600 mentions at the peak"
source_url = "http://hypervocal.com/news/2012/mcdonalds-tweets-twitter-mcdstories-fail/"
confidence = "medium"

[[discussion]]
question = "Was pulling the promotion after two hours the right call?"
concept = "SCCT: response strategies"
source = "Coombs (2007)"
source_url = "https://doi.org/10.1057/palgrave.crr.1550049"

[[chapters]]
phase = "ask"
title = "Promoted trend"
text = "Two promoted tweets ask for stories."
from_hours = -1.0
to_hours = 2.0
prompt = "How many minutes until the tag turned?"
reveal = "minutes_to_hijack"
source_url = "https://www.huffpost.com/entry/mcdstories-twitter-hashtag_n_1223678"
confidence = "assumed (hour)"

[[chapters]]
phase = "lessons"
title = "Narrow asks"
text = "A broad prompt invites every grievance."
source_url = "https://www.huffpost.com/entry/mcdstories-twitter-hashtag_n_1223678"
confidence = "inferred"
"""


def test_bundled_cases_load_with_their_launches() -> None:
    cases = load_cases(include_library=False)
    assert set(BUNDLED) <= set(cases)
    nypd = cases["mynypd"]
    assert nypd.launch == pd.Timestamp("2014-04-22 17:55:46", tz="UTC")
    assert nypd.launch_tweet_id == "458665477409996800"
    assert nypd.brand_account == "NYPDnews" and not nypd.launch_assumed
    assert cases["askjpm"].launch == pd.Timestamp("2013-11-13 18:26", tz="UTC")
    kelly = cases["askrkelly"]
    assert kelly.launch.date() == pd.Timestamp("2013-12-10").date() and kelly.launch_assumed
    assert any("assum" in c for c in kelly.caveats) and any("unverified" in c for c in kelly.caveats)
    assert any("45" in c and "80" in c for c in cases["askjpm"].caveats)


@pytest.mark.parametrize("case_id", BUNDLED)
def test_every_fact_and_event_carries_source_and_confidence(case_id: str) -> None:
    case = load_case(case_id)
    assert case.is_reconstruction and case.target_terms and case.events and case.facts
    for fact in case.facts:
        assert fact.source_url.startswith("http") and fact.confidence.split()[0] in CONFIDENCE_LEVELS
    for event in case.events:
        assert event.kind in EVENT_KINDS and event.confidence.split()[0] in CONFIDENCE_LEVELS
    times = [e.time for e in case.events]
    assert times == sorted(times)
    assert hash(case) == hash(load_case(case_id)), "cases are hashable (cache keys, sets)"
    assert case.events_of("ask"), "every case has its ask on the timeline"
    assert case.archive_path == paths.archives_dir() / f"{case_id}.jsonl.gz"


def test_eight_classics_with_their_launches() -> None:
    cases = load_cases(include_library=False)
    assert set(BUNDLED) <= set(cases)
    assert cases["qantasluxury"].launch == pd.Timestamp("2011-11-22 00:34", tz="UTC")
    assert cases["askbg"].launch == pd.Timestamp("2013-10-17 12:00", tz="UTC")
    assert cases["cosbymeme"].launch <= pd.Timestamp("2014-11-10 22:39:02", tz="UTC")
    assert cases["mcdstories"].launch.strftime("%Y-%m-%d") == "2012-01-18"
    assert cases["askseaworld"].launch.strftime("%Y-%m-%d") == "2015-03-26"
    for case_id in BUNDLED:
        assert cases[case_id].launch_assumed == (case_id in ASSUMED_LAUNCH), case_id


@pytest.mark.parametrize("case_id", ASSUMED_LAUNCH)
def test_assumed_launches_are_labelled(case_id: str) -> None:
    case = load_case(case_id)
    ask = case.events_of("ask")[0]
    assert ask.time == case.launch and ask.assumed, "the ask's time is marked as assumed"
    assert any("assum" in c or "placeholder" in c for c in case.caveats)


@pytest.mark.parametrize("case_id", WITH_CONFLICTS)
def test_conflicting_sources_are_shown_as_conflicts(case_id: str) -> None:
    case = load_case(case_id)
    conflicts = [f for f in case.facts if f.conflict]
    assert conflicts, "at least one fact records what another source says instead"
    for fact in conflicts:
        assert fact.conflict != fact.value and len(fact.conflict) >= 20
    assert any("conflict" in c.lower() for c in case.caveats)


def test_case_timeline_has_the_story_beats() -> None:
    jpm = load_case("askjpm")
    cancel = jpm.events_of("cancellation")[0]
    assert 5.5 <= jpm.hours_since_launch(cancel.time) <= 6.0
    nypd = load_case("mynypd")
    kinds = {e.kind for e in nypd.events}
    assert {"ask", "hostile_wave", "brand_response", "spinoff", "milestone"} <= kinds


@pytest.mark.parametrize("case_id", BUNDLED)
def test_every_case_has_discussion_questions_tied_to_a_concept(case_id: str) -> None:
    case = load_case(case_id)
    assert 3 <= len(case.discussion) <= 5
    for q in case.discussion:
        assert "?" in q.question and len(q.question) <= 500
        assert q.concept and q.source and q.source_url.startswith("http")
    concepts = " ".join(q.concept for q in case.discussion)
    assert "SCCT" in concepts, "at least one question uses Coombs' SCCT"


@pytest.mark.parametrize("case_id", BUNDLED)
def test_every_case_tells_its_story_in_five_to_seven_ordered_chapters(case_id: str) -> None:
    case = load_case(case_id)
    phases = [c.phase for c in case.chapters]
    assert 5 <= len(phases) <= 7
    assert phases == sorted(phases, key=CHAPTER_PHASES.index) and len(set(phases)) == len(phases)
    assert {"context", "ask", "first_wave", "lessons"} <= set(phases)
    recon = case.reconstruction or {}
    start, end = recon["window_start_hours"], recon["window_end_hours"]
    for chapter in case.chapters:
        assert chapter.title and 40 <= len(chapter.text) <= 400
        assert chapter.source_url.startswith("http")
        assert chapter.confidence.split()[0].rstrip(",;:.") in CONFIDENCE_LEVELS
        if chapter.window is not None:
            assert start <= chapter.window[0] < chapter.window[1] <= end, chapter.title
        if chapter.prompt:
            assert chapter.prompt.endswith("?") and chapter.reveal in REVEAL_METRICS
            assert chapter.window is not None, "a prompt's answer is computed on the window"
    ask = next(c for c in case.chapters if c.phase == "ask")
    assert ask.window is not None and ask.window[0] <= 0 < ask.window[1], "the ask is at launch"
    assert any(c.reveal == "minutes_to_hijack" for c in case.chapters)


def _write(folder: Path, text: str, name: str = "extra.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_fourth_case_is_one_file(tmp_path: Path, isolated_data: Path) -> None:
    folder = tmp_path / "cases"
    _write(folder, MINIMAL, "mcdstories.toml")
    _write(folder, "# shared fragment, not a case\n[grammar]\n", "_common.toml")
    cases = load_cases(folder)
    assert list(cases) == ["mcdstories"]
    case = cases["mcdstories"]
    assert case.hashtag == "McDStories" and case.launch_assumed and case.provenance == "real"
    assert case.facts[0].confidence == "medium"
    assert case.discussion[0].concept.startswith("SCCT")
    assert [c.phase for c in case.chapters] == ["ask", "lessons"]
    assert case.chapters[0].window == (-1.0, 2.0) and case.chapters[1].window is None


BROKEN = [
    ('id = "mcdstories"\n', "", "'id': missing"),  # a required key missing
    ('hashtag = "McDStories"', 'hashtag = 12', "'hashtag'"),
    ('provenance = "real"', 'provenance = "rumour"', "'provenance'"),
    ("launch = 2012-01-18T17:00:00Z", "launch = 2012-01-18T17:00:00", "'launch'"),
    ("launch = 2012-01-18T17:00:00Z", "launch = 2012-01-18", "'launch'"),
    ('kind = "ask"', 'kind = "party"', "'events[0].kind'"),
    ('confidence = "medium"', 'confidence = "pretty sure"', "'facts[0].confidence'"),
    ('value = "About 1,600 mentions at the peak"\n', "", "'facts[0].value'"),
    ('id = "mcdstories"', 'id = "../etc"', "'id'"),
    ('caveats = ["Launch hour assumed."]', "caveats = [1]", "'caveats'"),
    ('provenance = "real"', 'provenance = "reconstruction"', "'reconstruction'"),
    ('concept = "SCCT: response strategies"\n', "", "'discussion[0].concept'"),
    ('source = "Coombs (2007)"', "source = 3", "'discussion[0].source'"),
    ('phase = "ask"', 'phase = "climax"', "'chapters[0].phase'"),
    ('phase = "lessons"', 'phase = "context"', "'chapters[1].phase'"),   # out of order
    ("to_hours = 2.0\n", "", "'chapters[0].to_hours'"),
    ("to_hours = 2.0", "to_hours = -2.0", "'chapters[0].to_hours'"),
    ("from_hours = -1.0", 'from_hours = "soon"', "'chapters[0].from_hours'"),
    ("from_hours = -1.0", "from_hours = true", "'chapters[0].from_hours': expected a number, got True"),
    ("launch_assumed = true", 'launch_assumed = "yes"', "'launch_assumed': expected true/false"),
    ('reveal = "minutes_to_hijack"', 'reveal = "vibes"', "'chapters[0].reveal'"),
    ('reveal = "minutes_to_hijack"\n', "", "'chapters[0].reveal'"),
    ('confidence = "inferred"', 'confidence = "sure"', "'chapters[1].confidence'"),
]


@pytest.mark.parametrize(("old", "new", "key"), BROKEN)
def test_invalid_case_names_file_and_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    assert old in MINIMAL
    path = _write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(CaseError) as err:
        load_case(path)
    assert str(path) in str(err.value) and key in str(err.value)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL + "\nthis is = = not toml\n")
    with pytest.raises(CaseError, match="not valid TOML") as err:
        load_case(path)
    assert str(path) in str(err.value)


def test_unknown_case_id_lists_the_known_ones(isolated_data: Path) -> None:
    with pytest.raises(CaseError, match="mynypd"):
        load_case("nosuchcase")


def test_round_trip_and_user_library(isolated_data: Path) -> None:
    original = load_case("askjpm")
    text = case_to_toml(original)
    again = case_from_dict(tomllib.loads(text))
    assert case_to_dict(again) == case_to_dict(original)
    # The library helper saves user cases as <library>/<name>/case.toml in this format.
    folder = paths.library_dir() / "my-storm"
    folder.mkdir()
    (folder / "archive.jsonl").write_text("", encoding="utf-8")
    data = tomllib.loads(MINIMAL) | {"id": "mystorm", "archives": ["archive.jsonl"]}
    write_case(data, folder / "case.toml")
    cases = load_cases()
    assert "mystorm" in cases and "mynypd" in cases
    user = cases["mystorm"]
    assert not user.bundled and user.archive_path == (folder / "archive.jsonl").resolve()


def test_library_case_cannot_point_outside_its_folder(isolated_data: Path) -> None:
    folder = paths.library_dir() / "sneaky"
    folder.mkdir()
    data = tomllib.loads(MINIMAL) | {"archives": ["../../secret.jsonl"]}
    with pytest.raises(CaseError, match="'archives'"):
        case_from_dict(data, source=folder / "case.toml")


def test_a_broken_library_case_can_be_skipped_and_reported(isolated_data: Path) -> None:
    folder = paths.library_dir() / "broken"
    folder.mkdir()
    (folder / "case.toml").write_text(MINIMAL.replace("launch = 2012-01-18T17:00:00Z", ""),
                                      encoding="utf-8")
    with pytest.raises(CaseError, match="'launch'"):
        load_cases()
    errors: list[CaseError] = []
    cases = load_cases(errors=errors)
    assert set(BUNDLED) <= set(cases) and len(errors) == 1
    assert "broken" in str(errors[0]) and "'launch': missing" in str(errors[0])


def test_duplicate_ids_are_refused(isolated_data: Path) -> None:
    folder = paths.library_dir() / "copy"
    folder.mkdir()
    data = tomllib.loads(MINIMAL) | {"id": "mynypd"}
    write_case(data, folder / "case.toml")
    with pytest.raises(CaseError, match="duplicate case id 'mynypd'"):
        load_cases()


def test_key_types_come_from_the_field_annotations() -> None:
    """A key accepts the TOML types of its field's annotation (a union: each member's), is
    optional when the field has a default, and a derived field is no key at all."""
    assert cases.CASE_KEYS["hashtag"] == (str, True)
    assert cases.CASE_KEYS["launch"] == (cases.TOML_TYPES[pd.Timestamp], True)
    assert cases.CASE_KEYS["launch_tweet_id"] == (str, False)  # str | None = None
    assert cases.CASE_KEYS["events"] == (list, False)
    assert cases.CHAPTER_KEYS["from_hours"] == (cases.TOML_NUMBER, False)
    assert not {"source", "bundled", "raw"} & set(cases.CASE_KEYS)

    @dataclass(frozen=True, kw_only=True)
    class Mixed:
        count: int
        either: str | float = 0.0
        place: Path = cases._derived(default=Path())

    assert cases.keys_of(Mixed) == {"count": (int, True), "either": ((str, int, float), False)}


def test_a_field_without_a_toml_type_is_named() -> None:
    @dataclass(frozen=True, kw_only=True)
    class Odd:
        when: date

    with pytest.raises(TypeError, match=r"Odd\.when: no TOML type .*TOML_TYPES"):
        cases.keys_of(Odd)


def test_a_bad_choice_is_reported_before_the_confidence() -> None:
    data = tomllib.loads(MINIMAL)
    data["events"] = [{"time": "2012-01-18T17:00:00Z", "kind": "party", "label": "x",
                       "confidence": "sure"}]
    with pytest.raises(CaseError, match=r"key 'events\[0\]\.kind': must be one of"):
        case_from_dict(data)
