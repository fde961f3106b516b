"""``python -m analysis inspect``: readable report and ``--json``, through the real CLI."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from analysis.__main__ import main
from analysis.store.paths import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
KEYS = {"path", "format", "rows_read", "kept", "rejected", "duplicates", "retweets", "time_min",
        "time_max", "rejections", "warnings"}


def test_inspect_json_lists_one_object_per_file(real_archives: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    stream = real_archives / "v2_twarc2_streaming_output_with_error.jsonl"
    page = real_archives / "v2_twarc2_brexit.jsonl"
    assert main(["inspect", "--json", str(stream), str(page)]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["path"] for e in entries] == [str(stream), str(page)]
    assert all(set(e) >= KEYS for e in entries)
    first, second = entries
    assert (first["format"], first["rows_read"], first["kept"], first["rejected"]) == ("v2-stream", 8, 7, 1)
    assert first["rejections"][0]["line"] == 8 and first["rejections"][0]["reason"]
    assert first["time_min"] == "2021-04-01T15:52:31Z" and first["time_max"] == "2021-04-01T15:54:16Z"
    assert (second["kept"], second["retweets"]) == (100, 67)


def test_inspect_readable_report(real_archives: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(real_archives / "v2_twarc2_streaming_output_with_error.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "8 = 7 kept + 1 rejected + 0 duplicates" in out
    assert "line 8, column" in out and "invalid JSON" in out
    assert "2021-04-01T15:52:31Z" in out


def test_inspect_mapping_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    custom = FIXTURES / "custom.csv"
    args = ["inspect", "--json", "--map", "id=post_id", "--map", "created_at=posted_at",
            "--map", "text=message", str(custom)]
    assert main(args) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["format"], entry["kept"], entry["rejected"]) == ("custom-csv", 3, 1)
    assert entry["rejections"][0]["column"] == "post_id"
    missing = tmp_path / "missing.jsonl"
    assert main(["inspect", "--json", str(custom), str(missing)]) == 2
    entries = json.loads(capsys.readouterr().out)
    assert "mapping" in entries[0]["error"] and "no such file" in entries[1]["error"]


def test_inspect_runs_as_a_module_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("just,a,header\n1,2,3\n")
    done = subprocess.run([sys.executable, "-m", "analysis", "inspect", str(bad)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "CSV header not recognised" in done.stdout


def test_inspect_names_the_zip_member_of_a_rejection(tmp_path: Path, real_archives: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "z.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("a.jsonl", (real_archives / "v1_search_tweets.jsonl").read_bytes() + b"{not json\n")
    assert main(["inspect", str(archive)]) == 0
    out = capsys.readouterr().out
    assert f"{archive}:a.jsonl, line " in out and "invalid JSON" in out


def test_inspect_of_a_plain_file_does_not_repeat_its_path(real_archives: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = str(real_archives / "v2_twarc2_streaming_output_with_error.jsonl")
    assert main(["inspect", path]) == 0
    assert capsys.readouterr().out.count(path) == 1


def test_inspect_into_a_closed_pipe_exits_quietly(tmp_path: Path, real_archives: Path) -> None:
    # A thousand listed rejections: far more output than a pipe holds, so writing hits EPIPE.
    archive = tmp_path / "many_bad_lines.jsonl"
    archive.write_bytes((real_archives / "v1_search_tweets.jsonl").read_bytes() + b"{not json\n" * 2000)
    args = [sys.executable, "-m", "analysis", "inspect", "--json", str(archive)]
    command = " ".join(shlex.quote(a) for a in args)
    done = subprocess.run(["bash", "-o", "pipefail", "-c", f"{command} | head -c 10"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.stdout == "[\n  {\n    "[:10]
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
