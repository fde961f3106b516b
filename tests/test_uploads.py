"""Upload validation (analysis.uploads): every bad upload class gets a clear message."""

from __future__ import annotations

import bz2
import gzip
import io
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import UploadRejected
from analysis.ingest import uploads

TWEET_LINE = b'{"id_str": "1", "created_at": "Tue Apr 22 18:00:00 +0000 2014", "text": "hi"}\n'
CSV_TEXT = b"id,created_at,text\n1,2014-04-22T18:00:00Z,hi\n"


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


def _rejected(name: str, data: bytes) -> str:
    with pytest.raises(UploadRejected) as info:
        uploads.check_upload(name, data)
    message = str(info.value)
    assert "\n" not in message, "messages are one line"
    return message


# ------------------------------------------------------------------ accepted uploads

def test_config_and_constant_agree() -> None:
    assert uploads.streamlit_max_upload_mb() == uploads.MAX_UPLOAD_MB
    assert uploads.MAX_UPLOAD_BYTES == uploads.MAX_UPLOAD_MB * 1024 * 1024


def _real_files(real_archives: Path) -> list[Path]:
    files = sorted(p for p in real_archives.iterdir() if p.suffix in (".jsonl", ".csv"))
    assert files, "no real archives found"
    return files


def test_real_archives_pass_plain_and_compressed(real_archives: Path) -> None:
    for path in _real_files(real_archives):
        data = path.read_bytes()
        plain = uploads.check_upload(path.name, data)
        assert plain.decompressed_size == len(data) and plain.compression is None
        assert plain.suffix == path.suffix
        gz = uploads.check_upload(path.name + ".gz", gzip.compress(data))
        assert gz.decompressed_size == len(data) and gz.suffix == path.suffix + ".gz"
        bz = uploads.check_upload(path.name + ".bz2", bz2.compress(data))
        assert bz.compression == "bzip2" and bz.decompressed_size == len(data)


def test_zip_of_real_archives_lists_every_member(real_archives: Path) -> None:
    files = _real_files(real_archives)
    data = _zip({f"export/{p.name}": p.read_bytes() for p in files})
    checked = uploads.check_upload("archives.zip", data)
    assert [m.name for m in checked.members] == [f"export/{p.name}" for p in files]
    assert checked.decompressed_size == sum(p.stat().st_size for p in files)
    assert checked.suffix == ".zip"


@pytest.mark.parametrize(("name", "data"), [
    ("tweets.js", b"window.YTD.tweets.part0 = [ {\"tweet\": {}} ]"),
    ("tweets.json", b"\xef\xbb\xbf  [" + TWEET_LINE + b"]"),
    ("export.tsv", b"id\tcreated_at\n1\t2014\n"),
    ("export.txt", TWEET_LINE),
    ("UPPER.CSV", CSV_TEXT),
    ("utf16.csv", "id,text\n1,hi\n".encode("utf-16")),
    ("small-but-repetitive.jsonl.gz", gzip.compress(TWEET_LINE * 10_000)),
])
def test_various_valid_uploads_pass(name: str, data: bytes) -> None:
    assert uploads.check_upload(name, data).size == len(data)


# ------------------------------------------------------------------ too large

def test_too_large_is_refused_before_reading() -> None:
    message = _rejected("big.csv", bytes(uploads.MAX_UPLOAD_BYTES + 1))
    assert "'big.csv'" in message and "limit is 200 MB" in message


# ------------------------------------------------------------------ wrong type

@pytest.mark.parametrize(("name", "data", "expected"), [
    ("virus.exe", b"MZ\x90\x00", "unsupported file type"),
    ("deck.pptx", _zip({"[Content_Types].xml": b"<xml/>"}), "unsupported file type"),
    ("table.parquet", b"PAR1....", "unsupported file type"),
    ("noext", CSV_TEXT, "unsupported file type"),
    ("tweets.gz", gzip.compress(TWEET_LINE), "unsupported file type"),
    ("image.csv", b"\x89PNG\r\n\x1a\n" + bytes(100), "is a png file"),
    ("doc.jsonl", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a pdf file"),
    ("binary.csv", b"id,text\n1,\x00\x01\x02", "is binary"),
    ("tweets.json", CSV_TEXT, "does not look like JSON"),
    ("tweets.js", b"var x = 1;", "Twitter-archive"),
    ("fake.jsonl.gz", TWEET_LINE, "the name says gzip but the content is not compressed"),
    ("fake.csv.bz2", gzip.compress(CSV_TEXT), "the name says bzip2 but the content is gzip"),
    ("fake.zip", TWEET_LINE, "the name says zip"),
    ("broken.jsonl.gz", gzip.compress(TWEET_LINE * 100)[:-20], "is not a valid gzip file"),
    ("members.zip", _zip({"notes.docx": b"PK"}), "unsupported type"),
])
def test_wrong_type_is_refused(name: str, data: bytes, expected: str) -> None:
    message = _rejected(name, data)
    assert expected in message
    assert uploads.shown(name) in message


# ------------------------------------------------------------------ bombs and nesting

def test_gzip_bomb_is_refused_by_ratio_without_inflating_it() -> None:
    block = gzip.compress(TWEET_LINE * 200_000, compresslevel=9)   # ~16 MB of text
    bomb = block * 64                                              # ~1 GB when inflated
    tracemalloc.start()
    try:
        message = _rejected("bomb.jsonl.gz", bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "compression ratio above" in message and "zip bomb" in message
    assert peak < 64 * uploads.MB, f"validation used {peak / uploads.MB:.0f} MB: not streaming"


def test_bzip2_bomb_is_refused() -> None:
    bomb = bz2.compress(b"[" + b" " * (40 * uploads.MB) + b"]")
    assert "possible zip bomb" in _rejected("bomb.json.bz2", bomb)


def test_zip_bomb_is_refused() -> None:
    bomb = _zip({"a.jsonl": TWEET_LINE * 400_000})   # ~32 MB inflated, ~100 kB stored
    assert "compression ratio above" in _rejected("bomb.zip", bomb)


def test_total_decompressed_cap_holds_across_zip_members(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_DECOMPRESSED_BYTES", 2 * uploads.MB)
    monkeypatch.setattr(uploads, "MAX_RATIO", 10**9)
    data = _zip({f"part{i}.jsonl": TWEET_LINE * 5_000 for i in range(8)})  # 8 x 0.4 MB
    assert "decompresses to more than 2 MB" in _rejected("parts.zip", data)


def test_zip_member_count_is_capped() -> None:
    data = _zip({f"f{i}.jsonl": TWEET_LINE for i in range(uploads.MAX_MEMBERS + 1)})
    message = _rejected("many.zip", data)
    assert f"at most {uploads.MAX_MEMBERS}" in message
    ok = _zip({f"f{i}.jsonl": TWEET_LINE for i in range(uploads.MAX_MEMBERS)})
    assert len(uploads.check_upload("enough.zip", ok).members) == uploads.MAX_MEMBERS


@pytest.mark.parametrize(("name", "data"), [
    ("outer.zip", _zip({"inner.zip": _zip({"a.jsonl": TWEET_LINE})})),
    ("outer.zip", _zip({"a.jsonl.gz": gzip.compress(TWEET_LINE)})),
    ("outer.zip", _zip({"a.tar": b"x"})),
    ("outer.zip", _zip({"disguised.csv": _zip({"a.jsonl": TWEET_LINE})})),
    ("outer.zip", _zip({"disguised.jsonl": gzip.compress(TWEET_LINE)})),
    ("double.jsonl.gz", gzip.compress(gzip.compress(TWEET_LINE))),
    ("zip-in-gz.csv.gz", gzip.compress(_zip({"a.csv": CSV_TEXT}))),
    ("plain.csv", _zip({"a.csv": CSV_TEXT})),
])
def test_nested_archives_are_refused(name: str, data: bytes) -> None:
    assert "nested" in _rejected(name, data)


# ------------------------------------------------------------------ path traversal

@pytest.mark.parametrize("name", [
    "../../x.csv", "../x.jsonl", "/etc/passwd.csv", "..\\..\\x.csv", "a\\b.csv",
    "x\x00.csv", "C:\\x.csv", "C:x.csv", "dir/x.csv", "..", ".", "", "   ", "x\n.csv",
    "a" * 300 + ".csv",
])
def test_traversal_upload_names_are_refused(name: str) -> None:
    message = _rejected(name, CSV_TEXT)
    assert "name" in message
    assert "\x00" not in message


@pytest.mark.parametrize("member", [
    "../evil.jsonl", "a/../../evil.jsonl", "/abs.jsonl", "a\\..\\evil.jsonl", "C:/evil.jsonl",
])
def test_traversal_zip_members_are_refused(member: str) -> None:
    message = _rejected("a.zip", _zip({"ok.jsonl": TWEET_LINE, member: TWEET_LINE}))
    assert "member" in message and "name" in message


def test_store_uses_app_chosen_names_inside_uploads(isolated_data: Path) -> None:
    stored = uploads.store_upload("My Tweets (final).JSONL.GZ", gzip.compress(TWEET_LINE))
    folder = (isolated_data / "uploads").resolve()
    assert stored.parent == folder
    assert stored.name.endswith(".jsonl.gz") and "Tweets" not in stored.name
    assert len(stored.name.split(".")[0]) == 32
    assert gzip.decompress(stored.read_bytes()) == TWEET_LINE
    again = uploads.store_upload("other-name.jsonl.gz", stored.read_bytes())
    assert again == stored and len(list(folder.iterdir())) == 1


def test_store_refuses_traversal_and_writes_nothing(isolated_data: Path) -> None:
    with pytest.raises(UploadRejected):
        uploads.store_upload("../../escape.csv", CSV_TEXT)
    assert not any(isolated_data.parent.glob("**/escape.csv"))
    assert not any((isolated_data / "uploads").glob("*")) if (isolated_data / "uploads").exists() else True


def test_store_into_a_chosen_folder(tmp_path: Path) -> None:
    stored = uploads.store(uploads.check_upload("a.csv", CSV_TEXT), tmp_path)
    assert stored.parent == tmp_path.resolve() and stored.read_bytes() == CSV_TEXT


# ------------------------------------------------------------------ empty files

@pytest.mark.parametrize(("name", "data"), [
    ("empty.csv", b""),
    ("empty.jsonl.gz", gzip.compress(b"")),
    ("empty.jsonl.bz2", bz2.compress(b"")),
    ("empty-member.zip", _zip({"a.jsonl": b""})),
    ("no-members.zip", _zip({})),
    ("only-folders.zip", _zip({"folder/": b""})),
])
def test_empty_files_are_refused(name: str, data: bytes) -> None:
    message = _rejected(name, data)
    assert "empty" in message or "no files" in message


# ------------------------------------------------------------------ zero valid rows (loaders)

@pytest.mark.parametrize(("name", "data"), [
    ("junk.jsonl", b'{"not": "a tweet"}\n{"neither": 1}\n'),
    ("junk.csv", b"colour,size\nred,1\nblue,2\n"),
    ("junk.txt", b"just some words\nand more words\n"),
    ("junk.jsonl.gz", gzip.compress(b'{"not": "a tweet"}\n')),
    ("junk.zip", _zip({"a.jsonl": b'{"x": 1}\n'})),
])
def test_zero_valid_rows_are_refused(name: str, data: bytes) -> None:
    checked = uploads.check_upload(name, data)
    with pytest.raises(UploadRejected) as info:
        uploads.load_upload(checked)
    message = str(info.value)
    assert message.startswith(f"upload {uploads.shown(name)}: no valid tweet rows")
    assert "\n" not in message


def test_real_archives_load_through_uploads(real_archives: Path) -> None:
    for path in _real_files(real_archives):
        for name, data in ((path.name, path.read_bytes()),
                           (path.name + ".gz", gzip.compress(path.read_bytes()))):
            result = uploads.load_upload(uploads.check_upload(name, data))
            assert result.report.kept > 0, name
            assert result.report.reconciles


def test_macos_resource_forks_in_a_zip_are_skipped(real_archives: Path) -> None:
    data = (real_archives / "v1_search_tweets.jsonl").read_bytes()
    archive = _zip({"export/a.jsonl": data, "__MACOSX/export/._a.jsonl": b"\x00\x05\x16\x07\x00"})
    checked = uploads.check_upload("mac.zip", archive)
    assert [m.name for m in checked.members] == ["export/a.jsonl"]
    assert uploads.load_upload(checked).report.kept > 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_property_any_name_is_refused_or_replaced(name: str) -> None:
    try:
        checked = uploads.check_upload(name, CSV_TEXT)
    except UploadRejected as exc:
        assert str(exc).startswith("upload '") and "\n" not in str(exc)
        return
    assert re.fullmatch(r"[0-9a-f]{32}\.(jsonl?|ndjson|js|csv|tsv|txt)", checked.stored_name)


def test_zip_with_huge_entry_count_is_refused_before_parsing() -> None:
    entries = uploads.MAX_ZIP_ENTRIES + 1
    data = _zip({f"d{i}/": b"" for i in range(entries)})
    assert uploads.zip_entry_count(data) == entries
    assert f"{entries:,} entries" in _rejected("folders.zip", data)
    # a zip that declares a zip64 count (0xFFFF) is refused too, without parsing it
    fake = data[:-22] + data[-22:-12] + (0xFFFF).to_bytes(2, "little") + data[-10:]
    assert "entries" in _rejected("zip64.zip", fake)


def test_macos_twins_do_not_count_against_the_member_cap() -> None:
    members = {f"f{i}.jsonl": TWEET_LINE for i in range(uploads.MAX_MEMBERS)}
    members |= {f"__MACOSX/._f{i}.jsonl": b"\x00\x05\x16\x07" for i in range(uploads.MAX_MEMBERS)}
    assert len(uploads.check_upload("mac.zip", _zip(members)).members) == uploads.MAX_MEMBERS


@pytest.mark.parametrize("data", [
    b"MZcount,text\n1,hi\n",            # starts like a Windows executable
    b"GIF8 fans,text\n1,hi\n",
    b"BZh fans,text\n1,hi\n",
    b"%PDF,text\n1,hi\n",
    b"x" * 257 + b"ustar and more text\n",
    "id,text\n1,caf\u00e9\n".encode("cp1252"),  # not UTF-8, still text for the loaders
])
def test_text_that_looks_like_a_signature_is_still_text(data: bytes) -> None:
    assert uploads.check_upload("export.csv", data).decompressed_size == len(data)
