"""AppTest of Your archive: upload a real archive, read its load report, save, compare, delete."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from app_support import assert_clean, open_clean, open_page, text_of

from analysis.cases import load_cases
from analysis.store import library, summaries
from ui import data, suggest

REAL = "v2_twarc2_brexit.jsonl"


def _by_label(widgets, label: str):
    found = [w for w in widgets if w.label == label]
    assert found, f"no widget {label!r}: {[w.label for w in widgets]}"
    return found[0]


def test_upload_report_save_compare_delete(own_data: Path, real_archives: Path) -> None:
    at = open_clean("archive")
    payload = (real_archives / REAL).read_bytes()
    at.file_uploader[0].upload(REAL, payload, "application/json").run()
    assert_clean(at)
    text = text_of(at)
    assert "detected format **v2-" in text
    read = int(_by_label(at.metric, "Rows read").value.replace(",", ""))
    kept = int(_by_label(at.metric, "Kept").value.replace(",", ""))
    assert read > 0 and 0 < kept <= read
    # the form is pre-filled from the data
    assert _by_label(at.text_input, "Campaign hashtag").value.startswith("#")
    _by_label(at.text_input, "Brand").set_value("Test brand")
    stored = set((own_data / "cache").glob(f"*{summaries.SUFFIX}"))
    _by_label(at.button, "Analyse and save").click()
    at.run()
    assert_clean(at)
    assert any("Saved" in s.value for s in at.success)
    saved = library.list_cases()
    assert len(saved) == 1 and saved[0].brand == "Test brand"
    assert (own_data / "library" / saved[0].case_id / "case.toml").is_file()
    # its Language and Themes summaries were stored with it (the tabs read them)
    assert len(set((own_data / "cache").glob(f"*{summaries.SUFFIX}")) - stored) == 1

    label = data.labels(load_cases())[saved[0].case_id]
    compare = open_page("compare")
    options = compare.multiselect[0].options
    assert label in options
    chosen = open_page("compare", {"cases": [label, *compare.multiselect[0].value]})
    assert_clean(chosen)
    table = next(df.value for df in chosen.dataframe if "Hostile share" in df.value.columns)
    assert label in table.index and table.loc[label, "Data"] == "real"

    # saving the same archive again under another description is refused with a clear message
    _by_label(at.text_input, "Brand").set_value("Another brand")
    _by_label(at.button, "Analyse and save").click()
    at.run()
    assert not at.exception
    assert any("already saved as" in i.value for i in at.info)
    assert any("this archive is already saved as" in e.value for e in at.error)
    assert len(library.list_cases()) == 1

    # a saved case is preselected on Compare with the bundled ones ("all cases")
    assert saved[0].case_id in open_page("compare").multiselect[0].value

    # edit it: the form starts from the saved values
    edit = open_page("archive")
    _by_label(edit.button, "Edit").click()
    edit.run()
    assert _by_label(edit.text_input, "Brand").value == "Test brand"
    _by_label(edit.text_input, "Brand").set_value("Renamed brand")
    _by_label(edit.button, "Save the changes").click()
    edit.run()
    assert_clean(edit)
    [entry] = library.list_cases()
    assert entry.brand == "Renamed brand" and entry.case_id == saved[0].case_id

    # Delete asks first; Cancel keeps the case, "Yes, delete it" removes it
    again = open_page("archive")
    _by_label(again.button, "Delete").click()
    again.run()
    assert any("cannot be undone" in w.value for w in again.warning)
    assert len(library.list_cases()) == 1
    _by_label(again.button, "Cancel").click()
    again.run()
    assert len(library.list_cases()) == 1 and not again.warning
    _by_label(again.button, "Delete").click()
    again.run()
    _by_label(again.button, "Yes, delete it").click()
    again.run()
    assert_clean(again)
    assert library.list_cases() == []


def test_stray_tweets_are_offered_for_exclusion(own_data: Path, tmp_path: Path) -> None:
    from tests import stray_archive

    payload = stray_archive.write(tmp_path / "stray.jsonl").read_bytes()
    at = open_page("archive")
    at.file_uploader[0].upload("stray.jsonl", payload, "application/json").run()
    assert_clean(at)
    assert any("3 tweets lie years before the rest" in w.value for w in at.warning)
    assert _by_label(at.checkbox, "Leave the 3 stray tweets out of this case").value
    _by_label(at.text_input, "Brand").set_value("Brexit")
    _by_label(at.button, "Analyse and save").click()
    at.run()
    assert_clean(at)
    [entry] = library.list_cases()
    case = entry.load()
    assert case.keep_from is not None and case.keep_from.year == 2021
    assert any("100 tweets" in s.value for s in at.success)


def test_rejected_upload_gets_a_clear_message(own_data: Path) -> None:
    at = open_page("archive")
    at.file_uploader[0].upload("notes.exe", b"MZ\x90\x00binary", "application/octet-stream").run()
    assert not at.exception
    # the file name is shown as text: markdown-escaped, never a link
    assert any(r"notes\.exe" in e.value for e in at.error)
    assert library.list_cases() == []


def test_bad_rows_are_listed_with_line_and_column(own_data: Path, real_archives: Path) -> None:
    good = (real_archives / REAL).read_bytes().splitlines()[:3]
    payload = b"\n".join([*good, b"{not json", *good[:1]]) + b"\n"
    at = open_page("archive")
    at.file_uploader[0].upload("mixed.jsonl", payload, "application/json").run()
    assert_clean(at)
    assert int(_by_label(at.metric, "Rejected").value) >= 1
    rejected = next(df.value for df in at.dataframe if "reason" in df.value.columns)
    assert {"file", "line", "column", "reason"} <= set(rejected.columns)
    assert (rejected["line"] == len(good) + 1).any()  # the broken line, counted from 1


def test_launch_suggestion_prefers_the_brand_then_the_surge() -> None:
    stray = pd.Timestamp("2020-01-01 10:00", tz="UTC")
    surge_start = pd.Timestamp("2020-01-01 12:03", tz="UTC")
    times = [stray] + [surge_start + pd.Timedelta(seconds=30 * i) for i in range(20)]
    authors = ["early"] + [f"user{i}" for i in range(20)]
    authors[5] = "Brand"  # the brand's own first tweet, two minutes into the surge
    table = pd.DataFrame({"created_at": pd.to_datetime(times, utc=True), "author": authors})
    by_brand = suggest.launch(table, "@Brand")
    assert by_brand is not None and by_brand.time == times[5] and "@brand" in by_brand.reason
    surge = suggest.launch(table, "nobody")
    assert surge is not None and surge.time == surge_start and "surge" in surge.reason
    assert suggest.launch(table.iloc[0:0], "x") is None


def test_a_file_name_with_markdown_is_shown_as_text(own_data: Path) -> None:
    at = open_page("archive")
    at.file_uploader[0].upload("[x](javascript:alert(1)).exe", b"MZ\x90\x00binary",
                               "application/octet-stream").run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(r"\[x\]\(javascript:alert\(1\)\)" in e for e in errors), errors
    assert not any("[x](javascript" in e for e in errors)


UNKNOWN_CSV = (b"Post Number,Posted,Message,Who,Hearts\n"
               b"1993000000000000001,2025-11-15 09:00,acme is a joke #acme,ann,4\n"
               b"1993000000000000002,2025-11-15 09:05,@acme fix it #acme,bob,0\n")


def test_unknown_csv_is_mapped_on_the_page_and_the_mapping_is_kept(own_data: Path) -> None:
    at = open_page("archive")
    at.file_uploader[0].upload("listening.csv", UNKNOWN_CSV, "text/csv").run()
    assert_clean(at)
    assert "not a layout Backfire knows" in text_of(at)
    assert _by_label(at.selectbox, "Post id *").value == "Post Number"
    assert _by_label(at.selectbox, "Author (handle)").value == "Who"
    _by_label(at.selectbox, "Time zone of times written without one").set_value("Europe/Paris")
    _by_label(at.button, "Read the file with this mapping").click()
    at.run()
    assert_clean(at)
    text = text_of(at)
    assert "detected format **custom-csv**" in text and "Post Number" in text
    assert int(_by_label(at.metric, "Kept").value) == 2
    from analysis.ingest import mappings
    saved = mappings.find(["Post Number", "Posted", "Message", "Who", "Hearts"])
    assert saved is not None and saved.tz == "Europe/Paris" and saved.columns["author"] == "Who"


def test_brandwatch_like_xlsx_is_saved_and_its_sentiment_compared(own_data: Path) -> None:
    """An IMITATION of a Brandwatch export (preamble, 2026 column names) as XLSX."""
    import io

    import openpyxl
    from test_loaders_vendors import BRANDWATCH_2026, BRANDWATCH_PREAMBLE, _brandwatch_rows

    book = openpyxl.Workbook()
    for row in BRANDWATCH_PREAMBLE + [BRANDWATCH_2026] + _brandwatch_rows():
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    at = open_page("archive")
    at.file_uploader[0].upload("mentions.xlsx", buffer.getvalue(),
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").run()
    assert_clean(at)
    assert "detected format **brandwatch**" in text_of(at)
    zone = [w for w in at.selectbox if w.label.startswith("Time zone of the times in mentions")]
    assert len(zone) == 1 and zone[0].value == "UTC"
    _by_label(at.text_input, "Brand").set_value("Acme")
    _by_label(at.button, "Analyse and save").click()
    at.run()
    assert_clean(at)
    assert "sentiment and Backfire's agree on" in text_of(at)
    saved = library.list_cases()
    assert len(saved) == 1 and saved[0].load_reports[0]["tz"] == "UTC"


def test_the_platforms_of_a_saved_case_show_on_its_card_and_on_compare(
        own_data: Path, real_archives: Path) -> None:
    """A case of a real Bluesky thread and a real Mastodon timeline: not X."""
    case_id = library.save_case(
        hashtag="#OpenNetworks", brand="Open brand", brand_account="open",
        launch="2023-01-01T00:00:00Z",
        files=[(name, (real_archives / name).read_bytes())
               for name in ("bluesky_thread_view_post.json", "mastodon_tag_timeline.json")])
    at = open_clean("library")
    captions = [c.value for c in at.caption]
    assert ":material/hub: Posts from Bluesky, Mastodon" in captions
    assert captions.count(":material/hub: Posts from Bluesky, Mastodon") == 1  # bundled: none
    label = data.labels(load_cases())[case_id]
    at = open_clean("compare", query={"cases": [label, data.labels(load_cases())["mynypd"]]})
    table = next(df.value for df in at.dataframe if "Platforms" in df.value.columns)
    assert list(table["Platforms"]) == ["Bluesky, Mastodon", "X (Twitter)"]
    assert "has posts from Bluesky, Mastodon: its retweet, reply and follower figures are X's " \
           "notions" in text_of(at)
