"""AppTest of a case's real 1 % sample: its own dataset, honest numbers, the side-by-side,
the how-to when absent, and a sample that appears without a restart."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_support import assert_clean, case_label, figure, metric, open_page, prepare_data, text_of

from tests.streamgrab_support import sample_of_reconstruction


@pytest.fixture(scope="module")
def sample_data(tmp_path_factory: pytest.TempPathFactory, seed_data: Path) -> Path:
    """A data folder with the bundled cases and a 1 % sample of #myNYPD's reconstruction."""
    root = prepare_data(tmp_path_factory.mktemp("sample") / "data", seed_data)
    sample_of_reconstruction("mynypd", root / "archives" / "mynypd.jsonl.gz",
                             tmp_path_factory.mktemp("grab"), root / "samples")
    return root


@pytest.fixture
def env(sample_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("BACKFIRE_DATA_DIR", str(sample_data))
    yield sample_data


def _open(case_id: str, dataset: str, tab: str = "Timeline"):
    return open_page("case", {"case": case_label(case_id), "dataset": dataset, "tab": tab})


def test_sample_is_its_own_labelled_dataset_with_estimates(env: Path) -> None:
    at = _open("mynypd", "sample")
    assert_clean(at)
    text = text_of(at).replace("\\", "")
    assert "Real tweets, 1 % sample" in text and "sampled tweets attacked" in text and "Reconstruction." not in text
    assert "archiveteam-twitter-stream-2014-04.tar" in text  # the grab is named
    assert "millisecond window (657–666)" in text
    tweets = metric(at, "Tweets")
    assert tweets.startswith("≈ ") and tweets.endswith("k")
    captions = [c.value for c in at.caption]
    assert any(c.startswith("in sample: ") and "95 % CI" in c for c in captions)
    assert any("95 % CI" in c and "sampled" in c for c in captions)  # hostile share, Wilson
    reported = at.dataframe[0].value
    assert {"figure", "reported", "sample estimate", "agrees"} <= set(reported.columns)
    assert reported["figure"].str.contains("Sysomos").any()
    assert set(reported["agrees"]) <= {"yes", "no"}


@pytest.mark.parametrize("tab", ["Timeline", "Hostile posts", "Tweets"])
def test_sample_tabs_render_and_say_so(env: Path, tab: str) -> None:
    at = _open("mynypd", "sample", tab)
    assert_clean(at)
    if tab == "Timeline":
        fig = figure(at, "volume")
        assert "1 % sample" in fig["layout"]["title"]["subtitle"]["text"]


def test_side_by_side(env: Path) -> None:
    at = _open("mynypd", "compare")
    assert_clean(at)
    fig = figure(at, "reconstruction vs real sample")
    names = [t.get("name") for t in fig["data"]]
    assert names == ["Real sample: 95 % interval", "Real sample: estimate (count ÷ p)",
                     "Reconstruction (synthetic)"]
    frames = [d.value for d in at.dataframe]
    shares = next(f for f in frames if "measure" in f.columns)
    assert 0.0 < shares["sample"].iloc[0] < 1.0 and (shares["sample_low"] <= shares["sample"]).all()
    terms = next(f for f in frames if "sample term" in f.columns)
    assert terms["sample term"].iloc[0] != ""


def test_reconstruction_points_to_the_sample(env: Path) -> None:
    at = _open("mynypd", "reconstruction")
    assert_clean(at)
    assert "A real 1 % sample of this case is available" in text_of(at)
    assert "Reconstruction" in text_of(at)


def test_how_to_get_a_sample_is_sent_only_when_its_expander_is_opened(env: Path) -> None:
    """On a reconstruction without a sample, the how-to sits in a closed expander whose
    content (a code block: the browser's 1.5 MB highlighter) is computed only when opened."""
    at = _open("askrkelly", "reconstruction")
    assert_clean(at)
    (box,) = [e for e in at.expander if e.label.startswith("Real tweets of this case")]
    assert not at.code, "a closed expander sends no code block"
    at.session_state["how_to_get_askrkelly"] = True  # what a click on its label does
    at.run()
    assert_clean(at)
    assert [c.value for c in at.code] == [
        ".venv/bin/python -m analysis streamgrab archiveteam-twitter-stream-2013-12.tar "
        "--case askrkelly"]


def test_no_sample_says_how_to_get_one_then_appears_without_restart(env: Path, tmp_path: Path) -> None:
    at = _open("askrkelly", "sample")
    assert_clean(at)
    code = [c.value for c in at.code]
    assert code == [".venv/bin/python -m analysis streamgrab archiveteam-twitter-stream-2013-12.tar "
                    "--case askrkelly"]
    assert "archiveteam-twitter-stream-2013-12" in at.expander[0].label or "48.5 GB" in text_of(at)
    assert "48.5 GB" in text_of(at)
    try:
        sample_of_reconstruction("askrkelly", env / "archives" / "askrkelly.jsonl.gz", tmp_path,
                                 env / "samples")
        at.run()
        assert_clean(at)
        assert "Real tweets, 1 % sample" in text_of(at)
        assert metric(at, "Hostile share") == "too few tweets" or "95 % CI" in text_of(at)
    finally:
        for name in ("askrkelly.jsonl.gz", "askrkelly.sampling.json"):
            (env / "samples" / name).unlink(missing_ok=True)
    shutil.rmtree(tmp_path, ignore_errors=True)
