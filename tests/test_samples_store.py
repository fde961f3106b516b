"""A case's real sample as its own dataset: ids, files, the derived case, the how-to, labels."""

from __future__ import annotations

from pathlib import Path

from analysis.cases import PROVENANCE_LABELS, load_case
from analysis.exports.model import provenance_text
from analysis.store import paths, samples
from tests import streamgrab_support as sg


def test_ids_and_files(isolated_data: Path) -> None:
    assert samples.sample_id("mynypd") == "mynypd~sample" and samples.base_id("mynypd~sample") == "mynypd"
    assert samples.is_sample_id("mynypd~sample") and not samples.is_sample_id("mynypd")
    lines, side = samples.files("mynypd~sample")
    assert lines == paths.samples_dir() / "mynypd.jsonl.gz" and side.name == "mynypd.sampling.json"
    assert not samples.available("mynypd") and samples.sidecar("mynypd") == {}


def test_sample_case_is_labelled_and_separate(isolated_data: Path, tmp_path: Path) -> None:
    scenario = sg.scenario()
    tar = sg.write_tar(tmp_path / "archiveteam-twitter-stream-2014-04.tar", sg.members(scenario, sg.old_name))
    from analysis.ingest.streamgrab import runner
    from analysis.ingest.streamgrab.engines import Engine

    runner.extract([tar], [load_case("mynypd")], engine=Engine(workers=1))
    assert samples.available("mynypd")
    base = load_case("mynypd")
    case = samples.sample_case(base)
    assert case.id == "mynypd~sample" and case.provenance == "sample" and case.reconstruction is None
    assert case.archive_paths == (paths.samples_dir() / "mynypd.jsonl.gz",)
    assert "archiveteam-twitter-stream-2014-04.tar" in case.caveats[0]
    assert not any("synthetic reconstruction" in c for c in case.caveats)
    assert "1 % sample" in samples.grab_label(samples.sidecar("mynypd"))


def test_how_to_names_item_size_and_command() -> None:
    how = samples.how_to(load_case("askjpm"))
    assert how.item == "archiveteam-twitter-stream-2013-11" and how.size == "46.8 GB"
    assert how.url == ("https://archive.org/download/archiveteam-twitter-stream-2013-11/"
                       "archiveteam-twitter-stream-2013-11.tar")
    assert how.command.endswith("streamgrab archiveteam-twitter-stream-2013-11.tar --case askjpm")
    assert "-b.tar" in samples.how_to(load_case("askrkelly")).note


def test_how_to_for_months_of_daily_files() -> None:
    import dataclasses

    import pandas as pd

    early = dataclasses.replace(load_case("askjpm"), id="early", launch=pd.Timestamp("2011-11-20T12:00Z"))
    how = samples.how_to(early)
    assert how.item == "archiveteam-json-twitterstream" and how.size == "size unknown"
    assert how.url == "https://archive.org/details/archiveteam-json-twitterstream"
    assert how.command.endswith("streamgrab DAY-FILES… --case early") and "daily files" in how.note


def test_exports_label_the_sample() -> None:
    assert provenance_text("sample") == "real tweets, Internet Archive 1 % sample"
    assert "1 % sample" in PROVENANCE_LABELS["sample"]
