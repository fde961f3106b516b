"""The user's library of saved cases (analysis.library)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import __main__ as cli
from analysis import cases
from analysis.errors import CaseError, DuplicateCase, UploadRejected
from analysis.ingest import loaders, uploads
from analysis.store import library

SAMPLE = "v1_search_tweets.jsonl"


def _fields(hashtag: str = "#MyTest") -> dict[str, Any]:
    return {
        "hashtag": hashtag,
        "brand": "Test Brand",
        "brand_account": "@testbrand",
        "launch": "2019-07-12T20:00:00Z",
        "events": [{"time": "2019-07-12T21:00:00Z", "kind": "brand_response",
                    "label": "Brand replies"}],
    }


def _snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (but the lock) with its content hash."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != library.LOCK_FILE}


@pytest.fixture
def sample(real_archives: Path) -> bytes:
    return (real_archives / SAMPLE).read_bytes()


def test_save_list_and_load_round_trip(isolated_data: Path, sample: bytes) -> None:
    case_id = library.save_case(**_fields(), files=[("My Export.jsonl.gz", gzip.compress(sample))])
    assert case_id.startswith("mytest-") and len(case_id) == len("mytest-") + library.ID_HASH_LENGTH
    [entry] = library.list_cases()
    assert entry.case_id == case_id and entry.hashtag == "MyTest" and entry.brand == "Test Brand"
    assert entry.path == isolated_data / "library" / case_id
    assert entry.created.endswith("Z")
    assert entry.load_reports[0]["kept"] > 0
    assert entry.files[0]["uploaded_name"] == "My Export.jsonl.gz"
    stored = [p.name for p in entry.path.iterdir()]
    assert "My Export.jsonl.gz" not in stored and sorted(stored)[0] != "My Export.jsonl.gz"

    case = cases.load_cases()[case_id]
    assert case.provenance == "real" and not case.bundled and not case.is_reconstruction
    assert case.brand_account == "testbrand"
    assert case.launch.isoformat() == "2019-07-12T20:00:00+00:00"
    assert [e.kind for e in case.events] == ["brand_response"]
    assert case.events[0].assumed, "user-entered events are marked as assumed"
    [archive] = case.archive_paths
    assert archive.parent == entry.path and gzip.decompress(archive.read_bytes()) == sample
    assert entry.load().id == case_id


def test_same_save_twice_is_one_entry(isolated_data: Path, sample: bytes) -> None:
    first = library.save_case(**_fields(), files=[("a.jsonl", sample)])
    again = library.save_case(**_fields(), files=[("renamed.jsonl", sample)])
    assert first == again and len(library.list_cases()) == 1
    # the same archive described differently (another launch time, say) is a duplicate: the
    # dashboard refuses it with a message naming the saved case, unless asked for on purpose
    with pytest.raises(DuplicateCase, match="already saved as #MyTest") as refused:
        library.save_case(**_fields("#Other"), files=[("a.jsonl", sample)],
                          refuse_duplicate=True)
    assert refused.value.case_id == first and len(library.list_cases()) == 1
    other = library.save_case(**_fields("#Other"), files=[("a.jsonl", sample)])
    assert other != first and other.startswith("other-")
    assert {e.case_id for e in library.list_cases()} == {first, other}


def test_a_saved_case_can_be_edited(isolated_data: Path, sample: bytes) -> None:
    case_id = library.save_case(**_fields(), files=[("a.jsonl", sample)])
    library.update_case(case_id, hashtag="#Renamed", brand="New Brand", brand_account="nb",
                        launch="2019-07-12 20:00", target_terms=["strike"],
                        events=[{"time": "2019-07-12 21:00", "label": "Apology",
                                 "kind": "brand_response"}])
    case = cases.load_case(case_id)
    assert (case.hashtag, case.brand, case.target_terms) == ("Renamed", "New Brand", ("strike",))
    assert case.launch == pd.Timestamp("2019-07-12 20:00", tz="UTC")
    assert [e.label for e in case.events] == ["Apology"]
    assert len(case.archive_paths) == 1 and case.archive_paths[0].is_file()
    [entry] = library.list_cases()
    assert (entry.case_id, entry.hashtag) == (case_id, "Renamed")


def test_stray_tweets_left_out_at_save(isolated_data: Path, tmp_path: Path) -> None:
    from analysis import pipeline
    from analysis.metrics import span
    from tests import stray_archive

    payload = stray_archive.write(tmp_path / "stray.jsonl").read_bytes()
    table = loaders.load(tmp_path / "stray.jsonl").table
    found = span.period(table["created_at"])
    case_id = library.save_case(**_fields(), files=[("stray.jsonl", payload)],
                                keep_from=found.start)
    case = cases.load_case(case_id)
    assert case.keep_from == found.start and case.keep_until is None
    kept = pipeline.scored_case(case)
    assert len(kept) == len(table) - 3 and kept["created_at"].min().year == 2021


def test_several_files_in_one_case(isolated_data: Path, real_archives: Path) -> None:
    names = ["v1_search_tweets.jsonl", "v1_user_timeline.jsonl"]
    files = [(n, (real_archives / n).read_bytes()) for n in names]
    case_id = library.save_case(**_fields(), files=files)
    case = cases.load_case(case_id)
    assert len(case.archive_paths) == 2
    assert sorted(p.read_bytes() for p in case.archive_paths) == sorted(d for _, d in files)


def test_delete(isolated_data: Path, sample: bytes) -> None:
    keep = library.save_case(**_fields("#Keep"), files=[("a.jsonl", sample)])
    gone = library.save_case(**_fields("#Gone"), files=[("a.jsonl", sample)])
    library.delete_case(gone)
    assert [e.case_id for e in library.list_cases()] == [keep]
    assert gone not in cases.load_cases() and keep in cases.load_cases()
    assert not (isolated_data / "library" / gone).exists()
    with pytest.raises(CaseError, match="no case"):
        library.delete_case(gone)
    with pytest.raises(CaseError):
        library.get_case(gone)


@pytest.mark.parametrize("bad_id", ["../library", "..", "/etc", "a/b", "", "mynypd\x00"])
def test_delete_refuses_unsafe_ids(isolated_data: Path, bad_id: str) -> None:
    with pytest.raises(CaseError):
        library.delete_case(bad_id)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


BAD_UPLOADS: dict[str, tuple[str, bytes, str]] = {
    "too large": ("big.jsonl", bytes(uploads.MAX_UPLOAD_BYTES + 1), "limit is 200 MB"),
    "wrong type": ("tweets.pptx", b"PK\x03\x04", "unsupported file type"),
    "wrong content": ("tweets.jsonl", b"\x89PNG\r\n\x1a\n", "png"),
    "zip bomb": ("bomb.zip", _zip({"a.jsonl": b"{" + b" " * (40 * uploads.MB) + b"}"}),
                 "zip bomb"),
    "gzip bomb": ("bomb.jsonl.gz", gzip.compress(b"[" + b" " * (40 * uploads.MB) + b"]"),
                  "zip bomb"),
    "nested archive": ("outer.zip", _zip({"inner.zip": _zip({"a.jsonl": b"{}"})}), "nested"),
    "traversal name": ("../../evil.jsonl", b'{"a": 1}\n', "leave its folder"),
    "traversal member": ("a.zip", _zip({"../evil.jsonl": b'{"a": 1}\n'}), "leave its folder"),
    "empty file": ("empty.jsonl", b"", "empty"),
    "zero valid rows": ("junk.jsonl", b'{"not": "a tweet"}\n{"neither": 1}\n', "no valid tweet rows"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS), ids=list(BAD_UPLOADS))
def test_bad_uploads_leave_the_library_unchanged(isolated_data: Path, sample: bytes, case: str) -> None:
    existing = library.save_case(**_fields("#Existing"), files=[("ok.jsonl", sample)])
    root = isolated_data / "library"
    before = _snapshot(root)
    name, data, expected = BAD_UPLOADS[case]
    with pytest.raises(UploadRejected) as info:
        library.save_case(**_fields("#Bad"), files=[("good.jsonl", sample), (name, data)])
    message = str(info.value)
    assert expected in message and "\n" not in message
    assert uploads.shown(name) in message, "the message names the file"
    assert _snapshot(root) == before
    assert [e.case_id for e in library.list_cases()] == [existing]
    assert not any((isolated_data / "uploads").glob("*")) if (isolated_data / "uploads").exists() else True


@pytest.mark.parametrize(("override", "key"), [
    ({"events": [{"time": "2019-07-12T21:00:00Z", "kind": "not-a-kind", "label": "x"}]}, "kind"),
    ({"events": [{"time": "not a time", "label": "x"}]}, "time"),
    ({"launch": "yesterday-ish"}, "launch"),
    ({"hashtag": "  "}, "hashtag"),
    ({"brand": ""}, "brand"),
])
def test_invalid_fields_write_nothing(isolated_data: Path, sample: bytes,
                                      override: dict[str, Any], key: str) -> None:
    fields = {**_fields(), **override}
    with pytest.raises(CaseError, match=key):
        library.save_case(**fields, files=[("a.jsonl", sample)])
    assert _snapshot(isolated_data / "library") == {}


def test_no_files_is_refused(isolated_data: Path) -> None:
    with pytest.raises(CaseError, match="at least one"):
        library.save_case(**_fields(), files=[])


def test_bundled_ids_are_refused(isolated_data: Path, sample: bytes,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = cases.load_cases(include_library=False)
    assert bundled, "the bundled cases are in data/cases"
    taken = next(iter(bundled))
    monkeypatch.setattr(library, "case_id_for", lambda hashtag, fingerprint: taken)
    with pytest.raises(CaseError, match="bundled"):
        library.save_case(**_fields(), files=[("a.jsonl", sample)])
    assert _snapshot(isolated_data / "library") == {}


def test_leftovers_of_a_crash_are_ignored_then_cleaned(isolated_data: Path, sample: bytes) -> None:
    keep = library.save_case(**_fields(), files=[("a.jsonl", sample)])
    root = isolated_data / "library"
    half = root / library.STAGING / "deadbeef"
    half.mkdir(parents=True)
    (half / library.CASE_FILE).write_text((root / keep / library.CASE_FILE).read_text()
                                          .replace(keep, "halfway-1234"))
    (root / library.TRASH / "cafe").mkdir(parents=True)
    (root / "incomplete").mkdir()       # no case.toml, no meta.json: not an entry
    assert "halfway-1234" not in cases.load_cases()
    assert [e.case_id for e in library.list_cases()] == [keep]
    assert not any((root / library.STAGING).iterdir())
    assert not any((root / library.TRASH).iterdir())


def test_meta_json_is_valid_and_complete(isolated_data: Path, sample: bytes) -> None:
    case_id = library.save_case(**_fields(), files=[("a.jsonl", sample)])
    meta = json.loads((isolated_data / "library" / case_id / library.META_FILE).read_text())
    assert meta["version"] == library.META_VERSION and meta["provenance"] == "real"
    assert meta["files"][0]["sha256"] == hashlib.sha256(sample).hexdigest()
    report = meta["load_reports"][0]
    assert report["rows_read"] == report["kept"] + report["rejected"] + report["duplicates"]


def test_caller_supplied_reports_skip_reloading(isolated_data: Path, sample: bytes,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(upload: uploads.CheckedUpload) -> None:
        raise AssertionError("must not reload when the caller passes its reports")

    monkeypatch.setattr(uploads, "load_upload", fail)
    case_id = library.save_case(**_fields(), files=[("a.jsonl", sample)],
                                load_reports=[{"kept": 15}])
    assert library.get_case(case_id).load_reports == ({"kept": 15},)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``python -m analysis library ARGS`` in-process (the CLI's own error edge included)."""
    status = cli.main(["library", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_add_list_delete(isolated_data: Path, real_archives: Path, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _cli(capsys, "add", str(real_archives / SAMPLE), "--hashtag", "#CliCase",
                            "--brand", "Cli", "--launch", "2019-07-12T20:00:00Z",
                            "--event", "2019-07-12T22:00:00Z|brand_response|Brand apologises")
    assert status == 0, err
    case_id = out.strip()
    assert case_id.startswith("clicase-")
    listed = json.loads(_cli(capsys, "list", "--json")[1])
    assert [e["id"] for e in listed] == [case_id]
    assert cases.load_case(case_id).events[0].label == "Brand apologises"

    bad = tmp_path / "junk.jsonl"
    bad.write_bytes(b'{"not": "a tweet"}\n')
    status, out, err = _cli(capsys, "add", str(bad), "--hashtag", "#X", "--brand", "X",
                            "--launch", "2019-07-12T20:00:00Z")
    assert status == 2
    assert err.startswith("error: upload 'junk.jsonl': no valid tweet rows")
    assert "Traceback" not in err and err.count("\n") == 1
    status, _, err = _cli(capsys, "add", str(bad), "--hashtag", "#X", "--brand", "X")
    assert (status, err) == (2, "error: add needs --launch\n")

    assert _cli(capsys, "delete", case_id)[0] == 0
    assert "empty" in _cli(capsys, "list")[1]
    assert _cli(capsys, "delete", case_id)[0] == 2


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(hashtag=st.text(min_size=1, max_size=60), brand=st.text(min_size=1, max_size=60),
       label=st.text(min_size=1, max_size=200))
def test_property_any_unicode_fields_save_and_load_back(isolated_data: Path, sample: bytes,
                                                        hashtag: str, brand: str, label: str) -> None:
    fields = {**_fields(hashtag), "brand": brand,
              "events": [{"time": "2019-07-12T21:00:00Z", "kind": "milestone", "label": label}]}
    try:
        case_id = library.save_case(**fields, files=[("a.jsonl", sample)], load_reports=[{}])
    except CaseError:
        return  # blank after stripping, or text TOML cannot hold (e.g. lone surrogates)
    assert library.CASE_ID_PATTERN.match(case_id)
    case = cases.load_case(case_id)
    assert case.hashtag == hashtag.strip().lstrip("#") and case.brand == brand.strip()
    assert case.events[0].label == label
    assert (isolated_data / "library" / case_id).resolve().parent == (isolated_data / "library").resolve()


def test_rename_onto_an_identical_entry_keeps_the_first(tmp_path: Path) -> None:
    target, staging = tmp_path / "case-1", tmp_path / ".staging" / "x"
    target.mkdir()
    (target / library.CASE_FILE).write_text("first")
    staging.mkdir(parents=True)
    (staging / library.CASE_FILE).write_text("second")
    library._rename_into_place(staging, target)
    assert (target / library.CASE_FILE).read_text() == "first" and not staging.exists()
    # a non-empty folder that is not an entry is never overwritten or adopted
    other = tmp_path / "other"
    other.mkdir()
    (other / "stray").write_text("x")
    staging.mkdir(parents=True)
    with pytest.raises(OSError):
        library._rename_into_place(staging, other)


def test_a_saved_case_records_its_platforms(isolated_data: Path, sample: bytes,
                                            real_archives: Path) -> None:
    """Real X, Bluesky and Mastodon files; the platforms are counted from the loaded posts."""
    x_only = library.save_case(**_fields("#OnX"), files=[(SAMPLE, sample)])
    mixed = library.save_case(**_fields("#Open"), files=[
        (name, (real_archives / name).read_bytes())
        for name in ("bluesky_thread_view_post.json", "mastodon_tag_timeline.json", SAMPLE)])
    entries = {e.case_id: e for e in library.list_cases()}
    assert entries[x_only].platforms == ("x",) and entries[x_only].x_only
    assert entries[mixed].platforms[0] == "x"  # most posts first (15 from X, 1 each)
    assert set(entries[mixed].platforms) == {"x", "bluesky", "mastodon"}
    assert not entries[mixed].x_only
    meta = json.loads((entries[mixed].path / library.META_FILE).read_text())
    assert meta["platforms"] == {"x": 15, "bluesky": 1, "mastodon": 1}
    # a case saved before platforms were recorded: its formats stand for them
    del meta["platforms"]
    for report in meta["load_reports"]:
        report.pop("platforms")
    (entries[mixed].path / library.META_FILE).write_text(json.dumps(meta))
    again = library.get_case(mixed)
    assert set(again.platforms) == {"x", "bluesky", "mastodon"}
