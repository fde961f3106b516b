"""python -m analysis streamgrab: exact extraction from tiny downloads in every real layout."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from analysis.__main__ import main
from analysis.cases import load_case
from analysis.ingest import loaders
from analysis.ingest.streamgrab import archive, matcher, plan, runner
from analysis.ingest.streamgrab.engines import Engine
from analysis.ingest.streamgrab.task import TaskResult, scan
from tests import streamgrab_support as sg

OLD_TAR = "archiveteam-twitter-stream-2014-04.tar"


def _ids(path: Path) -> list[int]:
    with gzip.open(path, "rb") as handle:
        return [json.loads(line)["id"] for line in handle]


def _run(archives: list[Path], out: Path, **kwargs: Any) -> runner.RunReport:
    cases = [load_case("mynypd"), sg.mylapd_case()]
    return runner.extract(archives, cases, out, engine=kwargs.pop("engine", Engine(workers=1)), **kwargs)


def _stable(summary_path: Path) -> dict[str, Any]:
    """The sidecar without what legitimately differs between runs and layouts."""
    data = json.loads(summary_path.read_text())
    for key in ("run", "archives"):
        data.pop(key)
    for failure in data["members"]["failures"]:
        failure.pop("archive")
        failure["name"] = failure["name"][-12:]
    return data


@pytest.fixture(scope="module")
def scenario() -> sg.Scenario:
    return sg.scenario()


@pytest.fixture(scope="module")
def old_tar(tmp_path_factory: pytest.TempPathFactory, scenario: sg.Scenario) -> Path:
    folder = tmp_path_factory.mktemp("grab")
    return sg.write_tar(folder / OLD_TAR, sg.members(scenario, sg.old_name))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, old_tar: Path) -> Path:
    """The random-access, single-process run every other path must equal."""
    out = tmp_path_factory.mktemp("reference")
    _run([old_tar], out)
    return out


def _same_as_reference(out: Path, reference: Path) -> None:
    for case in ("mynypd", "mylapd-test"):
        assert (out / f"{case}.jsonl.gz").read_bytes() == (reference / f"{case}.jsonl.gz").read_bytes()
        assert _stable(out / f"{case}.sampling.json") == _stable(reference / f"{case}.sampling.json")


def test_exact_ids_near_misses_deletes_and_window(reference: Path, scenario: sg.Scenario) -> None:
    nypd = _ids(reference / "mynypd.jsonl.gz")
    assert set(nypd) == scenario.expected["mynypd"]
    assert nypd == sorted(nypd) and len(nypd) == len(set(nypd))
    assert set(_ids(reference / "mylapd-test.jsonl.gz")) == scenario.expected["mylapd-test"]
    for label, tweet_id in scenario.excluded.items():
        assert tweet_id not in nypd, label
    assert not scenario.deleted & set(nypd)


def test_sidecar_reports_defects_coverage_and_ms_check(reference: Path, scenario: sg.Scenario) -> None:
    side = json.loads((reference / "mynypd.sampling.json").read_text())
    assert side["tweets"] == len(scenario.expected["mynypd"])
    assert side["deletes_applied"] == 1
    assert side["duplicates_removed"] == 7  # the wrong-depth copy of 18:00 repeats its seven matches
    assert side["outside_window"] == 2       # tagged, but created before / after the window
    assert side["members"]["failed"] == 1
    failure = side["members"]["failures"][0]
    assert failure["name"] == "04/22/18/30.json.bz2" and "corrupt or truncated" in failure["reason"]
    skipped = {s["name"]: s["reason"] for s in side["archives"][0]["skipped"]}
    assert set(skipped) == {"04/22/18/.09.json.bz2.J1uA1l", ".nfs000000000123456700000001"}
    assert all("hidden" in r for r in skipped.values())
    sampling = side["sampling"]
    assert sampling["outside_window"] == 1 and sampling["outside_ids"] == [str(i) for i in scenario.ms_outside]
    assert not sampling["consistent"] and sampling["rate"] == 0.01
    hours = {h["hour"][:13]: h for h in side["hours"]}
    assert len(hours) == 54 + 1  # 11:55 … 17:55 two days later, whole hours
    assert hours["2014-04-22T19"]["members"] == 2 and not hours["2014-04-22T19"]["complete"]
    assert hours["2014-04-22T19"]["tweets"] == 3
    assert side["path_offset_hours"]["-4"] == 1  # the member filed under a local-time hour
    assert side["run"]["reading"] == "random access"
    assert side["archives"][0]["kind"] == "tar"


def test_output_loads_with_the_v1_loader(reference: Path, scenario: sg.Scenario) -> None:
    result = loaders.load(reference / "mynypd.jsonl.gz", workers=1)
    assert set(result.table["id"].astype(str)) == {str(i) for i in scenario.expected["mynypd"]}
    assert result.report.rejected == 0


@pytest.mark.parametrize("layout", ["new-tar", "tar.gz", "zip", "json.gz", "folder", "stream"])
def test_every_layout_and_reading_path_gives_the_same_output(
        layout: str, tmp_path: Path, scenario: sg.Scenario, old_tar: Path, reference: Path) -> None:
    stream = False
    if layout == "new-tar":
        source = sg.write_tar(tmp_path / "twitter-stream-2014-04-22.tar", sg.members(scenario, sg.new_name))
    elif layout == "tar.gz":
        source = sg.write_tar(tmp_path / "archiveteam-twitter-stream-2014-04.tar.gz",
                              sg.members(scenario, sg.old_name), gz=True)
    elif layout == "zip":
        source = sg.write_zip(tmp_path / "twitter-stream-2014-04-22.zip", sg.members(scenario, sg.new_name))
    elif layout == "json.gz":
        source = sg.write_tar(tmp_path / "twitter-stream-20140422.tar",
                              sg.members(scenario, sg.new_name, ext="gz"))
    elif layout == "folder":
        source = sg.write_folder(tmp_path / "2014-04", sg.members(scenario, sg.old_name))
    else:
        source, stream = old_tar, True
    out = tmp_path / "out"
    report = _run([source], out, stream=stream)
    if layout == "json.gz":  # the duplicate member keeps its .bz2 name: compare ids only
        assert set(_ids(out / "mynypd.jsonl.gz")) == set(_ids(reference / "mynypd.jsonl.gz"))
        return
    _same_as_reference(out, reference)
    side = json.loads((out / "mynypd.sampling.json").read_text())
    assert side["run"]["reading"] == ("stream" if layout in {"tar.gz", "stream"} else "random access")
    assert report.tasks == 6  # path hours 18, 19, 20 and 00 on the 22nd/23rd, 14 on the 23rd, 17 on the 24th


def test_two_archives_are_deduplicated(tmp_path: Path, old_tar: Path, reference: Path,
                                       scenario: sg.Scenario) -> None:
    # the 2013-12-b case: a second tar repeating part of the first
    subset = sg.write_tar(tmp_path / "archiveteam-twitter-stream-2014-04-b.tar",
                          sg.members(scenario, sg.old_name, defects=False)[:3])
    out = tmp_path / "out"
    _run([old_tar, subset], out)
    assert (out / "mynypd.jsonl.gz").read_bytes() == (reference / "mynypd.jsonl.gz").read_bytes()
    side = json.loads((out / "mynypd.sampling.json").read_text())
    assert side["duplicates_removed"] == 7 + 7 + 2
    assert [a["name"] for a in side["archives"]] == [OLD_TAR, subset.name]


def test_process_pool_gives_the_same_output(tmp_path: Path, old_tar: Path, reference: Path) -> None:
    out = tmp_path / "out"
    _run([old_tar], out, engine=Engine("processes", workers=2))
    _same_as_reference(out, reference)
    assert "2 local processes" in json.loads((out / "mynypd.sampling.json").read_text())["run"]["engine"]


def test_dask_local_cluster_gives_the_same_output(tmp_path: Path, old_tar: Path, reference: Path) -> None:
    pytest.importorskip("distributed", reason="requirements-dev.txt installs dask[distributed]")
    out = tmp_path / "out"
    _run([old_tar], out, engine=Engine("dask-local", workers=2))
    _same_as_reference(out, reference)
    assert "LocalCluster" in json.loads((out / "mynypd.sampling.json").read_text())["run"]["engine"]


class _Interrupt:
    """A progress hook that stops the run (like Ctrl-C) after ``after`` finished tasks."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.seen = 0

    def start(self, members: int, compressed_bytes: int, resumed: int) -> None:
        self.resumed = resumed

    def done(self, result: TaskResult) -> None:
        self.seen += 1
        if self.seen >= self.after:
            raise KeyboardInterrupt


def test_resumes_after_an_interrupted_run(tmp_path: Path, old_tar: Path, reference: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        _run([old_tar], out, progress=_Interrupt(3))
    assert not list(out.glob("*.jsonl.gz")) and not list(out.glob("*.sampling.json"))
    work = list((out / runner.WORK_FOLDER).glob("*/*.json.gz"))
    assert len(work) == 3
    assert not list(out.rglob(".tmp-*"))
    hook = _Interrupt(99)
    report = _run([old_tar], out, progress=hook)
    assert report.resumed == 3 and hook.resumed == 3 and hook.seen == report.tasks - 3
    _same_as_reference(out, reference)
    assert json.loads((out / "mynypd.sampling.json").read_text())["run"]["resumed_tasks"] == 3
    assert not (out / runner.WORK_FOLDER).exists()


def _peak_bytes(source: Path) -> tuple[int, TaskResult]:
    (task,) = plan.plan(archive.index(source), [plan.case_query(load_case("mynypd"))])
    tracemalloc.start()
    result = scan(task)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, result


def test_a_task_holds_one_decompressed_member_at_a_time(tmp_path: Path) -> None:
    when = datetime(2014, 4, 22, 18, 0, tzinfo=UTC)
    big = [sg.line(sg.tweet(when, "x" * 2000 + f" filler {i}")) for i in range(2500)]
    entries = [(sg.old_name(when.replace(minute=m), "bz2"), sg.Minute(when, big).bz2_bytes()) for m in range(5)]
    one_peak, _ = _peak_bytes(sg.write_tar(tmp_path / "one" / OLD_TAR, entries[:1]))
    five_peak, result = _peak_bytes(sg.write_tar(tmp_path / "five" / OLD_TAR, entries))
    assert len(result.members) == 5 and sum(m["lines"] for m in result.members) == 5 * 2500
    assert one_peak > len(b"\n".join(big))  # the measure sees the decompressed member
    assert five_peak < 1.3 * one_peak        # five members cost what one does


def test_member_names_are_parsed_leniently() -> None:
    april = (2014, 4)
    parsed = archive.parse_member("04/22/18/05.json.bz2", april)
    assert isinstance(parsed, archive.Member) and parsed.path_time.isoformat() == "2014-04-22T18:05:00+00:00"
    later = archive.parse_member("2017/11/11/17/05.json.bz2", None)
    assert isinstance(later, archive.Member) and later.path_time.year == 2017
    assert isinstance(archive.parse_member("22/18/05.json.bz2", april), archive.Member)
    for name in ("04/22/18/.09.json.bz2.J1uA1l", ".nfs0000001", "04/22/18/05.json", "README.txt",
                 "04/31/18/05.json.bz2", "18/05.json.bz2"):
        assert isinstance(archive.parse_member(name, april), archive.Skipped), name
    assert isinstance(archive.parse_member("04/22/18/05.json.bz2", None), archive.Skipped)


def test_needles_cover_escaped_non_ascii_tags() -> None:
    query = matcher.Query("x", ("caféTag",), datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
    assert b"caf\\u00e9tag" in query.needles and "caf\u00e9tag".encode() in query.needles


def test_cli_writes_into_the_data_folder(isolated_data: Path, old_tar: Path, scenario: sg.Scenario,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["streamgrab", str(old_tar), "--case", "mynypd", "--workers", "1", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert f"mynypd: {len(scenario.expected['mynypd'])} tweets in the sample" in printed
    assert "1 % sample" in printed
    assert set(_ids(isolated_data / "samples" / "mynypd.jsonl.gz")) == scenario.expected["mynypd"]
    assert (isolated_data / "samples" / "mynypd.sampling.json").is_file()


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    dask_engine = pytest.importorskip("analysis.ingest.streamgrab.dask_engine")
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", 2)
    (tmp_path / "notes.txt").write_text("hello")
    assert main(["streamgrab", str(tmp_path / "notes.txt"), "--case", "mynypd", "--out", str(tmp_path)]) == 2
    assert "not a Stream Grab download" in capsys.readouterr().err
    assert main(["streamgrab", str(tmp_path / "missing.tar"), "--case", "mynypd"]) == 2
    assert main(["streamgrab", str(tmp_path), "--case", "mynypd", "--scheduler", "tcp://127.0.0.1:9",
                 "--out", str(tmp_path / "o")]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
