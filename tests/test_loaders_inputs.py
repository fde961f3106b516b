"""Compressed files, zip archives, uploads and the decompressed-size cap."""

from __future__ import annotations

import bz2
import gzip
import io
import os
import zipfile
from pathlib import Path

import pytest

from analysis.errors import ArchiveError, UploadRejected
from analysis.ingest import loaders
from analysis.ingest.loaders import detect, load

SAMPLE = "v2_twarc2_brexit.jsonl"


def _gz(data: bytes) -> bytes:
    return gzip.compress(data)


def _bz2(data: bytes) -> bytes:
    return bz2.compress(data)


def _zip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(SAMPLE, data)
        archive.writestr("__MACOSX/._" + SAMPLE, b"resource fork")
    return buffer.getvalue()


@pytest.mark.parametrize(("suffix", "pack"), [(".gz", _gz), (".bz2", _bz2), (".zip", _zip)])
@pytest.mark.parametrize("sample", ["v2_twarc2_brexit.jsonl", "csv_twarc_csv_brexit.csv",
                                    "v1_search_tweets.jsonl"])
def test_compressed_copies_load_like_the_plain_file(real_archives: Path, tmp_path: Path, suffix: str,
                                                    pack: object, sample: str) -> None:
    plain = load(real_archives / sample)
    packed = tmp_path / (sample + suffix)
    packed.write_bytes(pack((real_archives / sample).read_bytes()))  # type: ignore[operator]
    result = load(packed)
    assert result.table.equals(plain.table)
    assert result.report.kept == plain.report.kept
    assert detect(packed) == plain.report.format


def test_misnamed_gzip_is_recognised_by_its_bytes(real_archives: Path, tmp_path: Path) -> None:
    wrong = tmp_path / "archive.csv"
    wrong.write_bytes(gzip.compress((real_archives / SAMPLE).read_bytes()))
    assert load(wrong).report.kept == 100


def test_zip_with_several_members_loads_them_all(real_archives: Path, tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(real_archives / "v1_search_tweets.jsonl", "a/v1.jsonl")
        archive.write(real_archives / "csv_twarc_csv_brexit.csv", "b/brexit.csv")
    report = load(path).report
    assert report.kept == 115 and len(report.files) == 2
    assert report.files[0].endswith("two.zip:a/v1.jsonl")


class Upload(io.BytesIO):
    """What Streamlit hands over: bytes with a name."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def test_uploaded_file_objects_and_bytes_load(real_archives: Path) -> None:
    data = (real_archives / SAMPLE).read_bytes()
    upload = Upload(gzip.compress(data), "mine.jsonl.gz")
    upload.read()  # already read once by the UI: load must rewind
    result = load(upload)
    assert result.report.kept == 100 and result.report.files == ["mine.jsonl.gz"]
    assert load(data).report.kept == 100


def test_max_bytes_caps_decompressed_size(real_archives: Path) -> None:
    bomb = gzip.compress(b"{" + b" " * 5_000_000 + b"}\n")
    with pytest.raises(UploadRejected, match="decompressed"):
        load(Upload(bomb, "bomb.jsonl.gz"), max_bytes=1_000_000)
    assert load(real_archives / SAMPLE, max_bytes=10_000_000).report.kept == 100


def test_max_members_caps_zip_members(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(5):
            archive.writestr(f"f{index}.jsonl", b"{}\n")
    with pytest.raises(UploadRejected, match="5 files"):
        load(path, max_members=3)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"PK\x03\x04garbage", "zip"),
])
def test_unreadable_files_are_clear_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.bin"
    path.write_bytes(content)
    with pytest.raises(ArchiveError, match=message) as caught:
        load(path)
    assert str(path) in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no such file"):
        load(tmp_path / "absent.jsonl")


def test_duplicates_across_files_are_counted(real_archives: Path) -> None:
    path = real_archives / SAMPLE
    report = load([path, path]).report
    assert (report.rows_read, report.kept, report.duplicates) == (200, 100, 100)
    assert report.reconciles


def test_notices_and_errors_in_v1_stream_are_rejected_with_reasons(tmp_path: Path,
                                                                    real_archives: Path) -> None:
    tweets = (real_archives / "v1_user_timeline.jsonl").read_bytes().splitlines()[:3]
    lines = [b'{"delete":{"status":{"id":1,"id_str":"1","user_id":2}}}', *tweets,
             b'{"limit":{"track":12}}', b"not json at all", tweets[0], b"[1, 2]"]
    path = tmp_path / "stream.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = load(path).report
    assert (report.rows_read, report.kept, report.duplicates, report.rejected) == (8, 3, 1, 4)
    reasons = {r.line: r.reason for r in report.rejections}
    assert "delete notice" in reasons[1] and "rate-limit" in reasons[5]
    assert "invalid JSON" in reasons[6] and "list" in reasons[8]


def test_latin1_lines_are_read_with_a_warning(tmp_path: Path) -> None:
    line = ('{"id_str": "1", "created_at": "Tue Apr 22 18:00:00 +0000 2014", "text": "caf\u00e9 #Ol\u00e9", '
            '"user": {"screen_name": "someone"}, "entities": {"hashtags": []}}\n')
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(line.encode("latin-1"))
    result = load(path)
    assert result.table.loc[0, "text"] == "caf\u00e9 #Ol\u00e9"
    assert any("cp1252" in w for w in result.report.warnings)


def test_pretty_printed_json_array_of_v1_tweets(tmp_path: Path, real_archives: Path) -> None:
    import json
    tweets = [json.loads(line) for line in (real_archives / "v1_search_tweets.jsonl").read_text().splitlines()]
    path = tmp_path / "search.json"
    path.write_text(json.dumps({"statuses": tweets}, indent=2))
    assert load(path).report.kept == 15


@pytest.mark.parametrize("workers", [1, 2])
def test_block_and_worker_paths_give_the_same_table(real_archives: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    lines = (real_archives / "v1_user_timeline.jsonl").read_bytes().splitlines(keepends=True)
    broken = [*lines[:10], b'{"id_str": "broken\n', *lines[10:], lines[3]]
    path = tmp_path / "timeline.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(broken)))
    whole = load(path, workers=1)
    monkeypatch.setattr("analysis.ingest.loaders.BLOCK_LINES", 4)
    blocked = load(path, workers=workers)
    assert blocked.table.equals(whole.table)
    assert blocked.report.to_dict() == whole.report.to_dict()
    report = blocked.report
    assert (report.rows_read, report.kept, report.rejected, report.duplicates) == (26, 24, 1, 1)
    assert report.rejections[0].line == 11


_PARENT = os.getpid()


def _dying_worker(*args: object) -> object:
    """Stands in for the block parser: kills any worker process, works in the parent."""
    if os.getpid() != _PARENT:
        os._exit(3)
    return _ORIGINAL_BLOCK(*args)


_ORIGINAL_BLOCK = loaders._block_from_bytes


def test_a_dying_worker_degrades_to_in_process_parsing(real_archives: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = real_archives / "v1_user_timeline.jsonl"
    expected = load(path, workers=1)
    monkeypatch.setattr(loaders, "BLOCK_LINES", 4)
    monkeypatch.setattr(loaders, "_block_from_bytes", _dying_worker)
    result = load(path, workers=2)
    assert result.table.equals(expected.table)
    assert result.report.to_dict() == expected.report.to_dict()


def test_v2_stream_error_objects_are_rejected_with_their_detail(real_archives: Path,
                                                                 tmp_path: Path) -> None:
    lines = (real_archives / "v2_twarc2_streaming_output_with_error.jsonl").read_bytes().splitlines()[:7]
    error = (b'{"errors": [{"title": "operational-disconnect", "disconnect_type": "UpstreamOperationalDisconnect",'
             b' "detail": "This stream has been disconnected upstream for operational reasons."}]}')
    path = tmp_path / "stream.jsonl"
    path.write_bytes(b"\n".join([*lines[:3], error, *lines[3:]]) + b"\n")
    report = load(path).report
    assert (report.rows_read, report.kept, report.rejected) == (8, 7, 1)
    (rejection,) = report.rejections
    assert rejection.line == 4
    assert "API error object" in rejection.reason and "disconnected upstream" in rejection.reason
