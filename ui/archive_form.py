"""The Your-archive page's pieces: checked + loaded uploads, their reports, the case form."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from analysis import cases as case_library
from analysis.errors import BackfireError, UnknownFormatError
from analysis.ingest import loaders, mappings, uploads
from analysis.ingest.loaders import LoadResult
from analysis.metrics import span
from analysis.store import library
from ui import data, mapping_form, suggest
from ui.mapping_form import NeedsMapping
from ui.widgets import md_escape

SESSION_KEY: Final = "_archive_loads"
EVENT_COLUMNS: Final = ["time", "kind", "label", "note", "source_url"]
# Rejections listed on screen per file (the full list is in the CSV download).
SHOWN_REJECTIONS: Final = 200


@dataclass
class Loaded:
    """The uploads of this rerun: what passed (checked + loaded) and what was refused."""

    results: list[tuple[uploads.CheckedUpload, LoadResult]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    # spreadsheets no format recognises, by Streamlit file id: the page asks for a mapping
    pending: list[tuple[str, NeedsMapping]] = field(default_factory=list)
    # file id of each result (to re-read one with another time zone)
    ids: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Identifies the set of files (form defaults reset when it changes)."""
        joined = "|".join(sorted(c.sha256 for c, _ in self.results))
        return hashlib.sha256(joined.encode()).hexdigest()[:12]

    def table(self) -> pd.DataFrame:
        tables = [r.table for _, r in self.results]
        merged = pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
        return merged.drop_duplicates(subset=["id"]) if len(tables) > 1 else merged

    def files(self) -> list[tuple[str, bytes]]:
        return [(c.name, c.data) for c, _ in self.results]

    def reports(self) -> list[dict[str, Any]]:
        return [r.report.to_dict() for _, r in self.results]


def _check_and_load_one(name: str, payload: bytes) -> tuple[uploads.CheckedUpload, LoadResult] | NeedsMapping:
    checked = uploads.check_upload(name, payload)
    try:
        return checked, uploads.load_upload(checked, ask_mapping=True)
    except UnknownFormatError as err:
        if _is_json(checked):
            raise
        sheet = loaders.preview(io.BytesIO(checked.data))
        if not sheet.header:
            raise
        return NeedsMapping(checked, sheet.header, sheet.rows, sheet.header_line, str(err))


def _is_json(checked: uploads.CheckedUpload) -> bool:
    return all(m.kind in ("json", "js") for m in checked.members)


def apply_mapping(file_id: str, need: NeedsMapping, mapping: dict[str, str], tz: str) -> str | None:
    """Read a pending spreadsheet with the user's mapping; save the mapping. An error message
    when not one row could be read with it."""
    memo: dict[str, Any] = st.session_state.setdefault(SESSION_KEY, {})
    try:
        result = uploads.load_upload(need.checked, mapping=mapping, tz=tz)
    except BackfireError as err:
        return str(err)
    mappings.remember(need.header, mapping, tz)
    memo[file_id] = (need.checked, result)
    return None


def rezone(file_id: str, checked: uploads.CheckedUpload, tz: str) -> None:
    """Re-read an export whose times carry no zone in ``tz``, and keep ``tz`` for its header."""
    memo: dict[str, Any] = st.session_state.setdefault(SESSION_KEY, {})
    _, old = memo[file_id]
    result = uploads.load_upload(checked, mapping=old.report.mapping, tz=tz)
    header = loaders.preview(io.BytesIO(checked.data), rows=0).header
    mappings.remember(header, old.report.mapping or {}, tz)
    memo[file_id] = (checked, result)


def remap(file_id: str, checked: uploads.CheckedUpload, current: dict[str, str], tz: str) -> None:
    """Show the mapping screen again for a file read with a (saved) mapping, from that one."""
    memo: dict[str, Any] = st.session_state.setdefault(SESSION_KEY, {})
    sheet = loaders.preview(io.BytesIO(checked.data))
    memo[file_id] = NeedsMapping(checked, sheet.header, sheet.rows, sheet.header_line, "",
                                 current=dict(current), tz=tz)


def check_and_load(files: list[Any]) -> Loaded:
    """Check and parse each uploaded file once per session (kept by Streamlit's file id)."""
    memo: dict[str, Any] = st.session_state.setdefault(SESSION_KEY, {})
    out = Loaded()
    current = set()
    for file in files:
        current.add(file.file_id)
        if file.file_id not in memo:
            with st.spinner(f"Reading {file.name}…"):
                try:
                    memo[file.file_id] = _check_and_load_one(file.name, file.getvalue())
                except BackfireError as err:
                    memo[file.file_id] = str(err)
        found = memo[file.file_id]
        if isinstance(found, str):
            out.errors.append((file.name, found))
        elif isinstance(found, NeedsMapping):
            out.pending.append((file.file_id, found))
        else:
            out.results.append(found)
            out.ids.append(file.file_id)
    for stale in set(memo) - current:  # files removed from the uploader
        del memo[stale]
    return out


def show_reports(loaded: Loaded) -> None:
    """The detected format and the load report of each file, rejected rows included."""
    for file_id, (checked, result) in zip(loaded.ids, loaded.results, strict=True):
        report = result.report
        with st.container(border=True):
            st.markdown(f"**{md_escape(checked.name)}** · detected format **{report.format}** · "
                        f"{file_size(checked.size)}")
            if report.tz is not None:
                zone = mapping_form.zone_picker(file_id, md_escape(checked.name), report.tz)
                if zone != report.tz:
                    rezone(file_id, checked, zone)
                    st.rerun()
            if report.mapping:
                st.caption("Read with the column mapping: " + md_escape(", ".join(
                    f"{canon} ← {header}" for canon, header in report.mapping.items())))
                if st.button("Change the column mapping", key=f"remap_{file_id}",
                             icon=":material/edit:"):
                    remap(file_id, checked, report.mapping, report.tz or "UTC")
                    st.rerun()
            cols = st.columns(5)
            for col, (label, value) in zip(cols, [
                ("Rows read", report.rows_read), ("Kept", report.kept),
                ("Rejected", report.rejected), ("Duplicates", report.duplicates),
                ("Retweets", report.retweets),
            ], strict=True):
                col.metric(label, f"{value:,}")
            if set(report.platforms) - {"x"}:
                st.caption("Posts by platform: " + " · ".join(
                    f"{data.platform_names([name])} {count:,}"
                    for name, count in report.platforms.items()))
            if report.time_min is not None:
                st.caption(f"Tweets from {report.time_min:%d %b %Y %H:%M} to "
                           f"{report.time_max:%d %b %Y %H:%M} UTC. "
                           f"Read = kept + rejected + duplicates: "
                           f"{'yes' if report.reconciles else 'NO'}.")
            for warning in report.warnings:
                st.warning(md_escape(warning), icon=":material/warning:")
            if report.rejections:
                with st.expander(f"{report.rejected:,} rejected rows: file, line, column, reason"):
                    st.dataframe(pd.DataFrame([r.to_dict() for r in
                                               report.rejections[:SHOWN_REJECTIONS]]),
                                 hide_index=True, width="stretch")


def file_size(size: int) -> str:
    """``1.2 MB``, or ``3 KB`` for small files (``0.0 MB`` reads as empty)."""
    if size >= uploads.MB // 10:
        return f"{size / uploads.MB:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _split_terms(text: str) -> list[str]:
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


def _event_rows(saved: case_library.Case | None) -> pd.DataFrame:
    """The events table the form starts from: empty, or a saved case's events."""
    rows = [] if saved is None else [
        {"time": e.time.tz_convert("UTC").tz_localize(None), "kind": e.kind, "label": e.label,
         "note": e.note, "source_url": e.source_url} for e in saved.events]
    return pd.DataFrame(rows, columns=EVENT_COLUMNS).astype({"time": "datetime64[ns]"})


def outlier_choice(table: pd.DataFrame, *, key: str) -> span.Period | None:
    """When a few tweets lie far from the rest, offer to leave them out; the period to keep
    if the user agrees (None: keep everything)."""
    found = span.period(table["created_at"])
    if not found.outliers or found.start is None or found.end is None:
        return None
    st.warning(f"{found.describe()} ({found.start:%d %b %Y} – {found.end:%d %b %Y} holds "
               f"{len(table) - found.outliers:,} of the {len(table):,} tweets). Stray tweets "
               "stretch every timeline over the empty years between.",
               icon=":material/warning:")
    leave_out = st.checkbox(f"Leave the {found.outliers:,} stray tweets out of this case",
                            value=True, key=f"outliers_{key}",
                            help="The archive file is kept whole; the case only analyses the "
                                 "tweets from the first to the last of the dense period.")
    return found if leave_out else None


def _events(frame: pd.DataFrame) -> list[dict[str, Any]]:
    events = []
    for row in frame.to_dict("records"):
        if pd.isna(row.get("time")) or not str(row.get("label") or "").strip():
            continue
        stamp = pd.Timestamp(row["time"])
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        events.append({"time": stamp, "kind": row.get("kind") or library.DEFAULT_EVENT_KIND,
                       "label": str(row["label"]).strip(),
                       "note": str(row.get("note") or "").strip(),
                       "source_url": str(row.get("source_url") or "").strip()})
    return events


def describe(table: pd.DataFrame | None, *, key: str,
             saved: case_library.Case | None = None) -> dict[str, Any] | None:
    """The case form, pre-filled from the data (or from ``saved``, to edit a saved case).
    Returns the fields once submitted."""
    if saved is not None:
        tag, account, guess = saved.hashtag, saved.brand_account, None
    else:
        frame = table if table is not None else pd.DataFrame()
        tag = suggest.hashtag(frame)
        account = suggest.brand_account(frame)
        guess = suggest.launch(frame, account)
    with st.form(f"case_form_{key}"):
        left, right = st.columns(2)
        hashtag = left.text_input("Campaign hashtag", value=f"#{tag}" if tag else "",
                                  help="Suggested: the archive's most used hashtag.")
        brand = right.text_input("Brand", value=saved.brand if saved else "",
                                 placeholder="e.g. Qantas")
        account_in = left.text_input("Brand account", value=account,
                                     help="Suggested: the most mentioned account.")
        terms = right.text_input("Target terms (comma-separated)",
                                 value=", ".join(saved.target_terms) if saved else "",
                                 placeholder="e.g. strike, grounded, luxury",
                                 help="Words that signal an attack on this brand; they feed "
                                      "the hostility score.")
        if saved is not None:
            default = saved.launch
        else:
            default = guess.time if guess else pd.Timestamp.now(tz="UTC").floor("min")
        day = left.date_input("Launch date (UTC)", value=default.date())
        clock = right.time_input("Launch time (UTC)", value=default.time(), step=60)
        if guess:
            st.caption(f"Launch suggested from the data: {md_escape(guess.reason)}. Change it if you know "
                       "better; the time-based KPIs are measured from it.")
        assumed = st.checkbox("The launch time is an estimate",
                              value=saved.launch_assumed if saved else
                              guess is None or "surge" in guess.reason)
        st.markdown("**Events** (optional): the brand's responses, a cancellation, press coverage…")
        edited = st.data_editor(
            _event_rows(saved),
            num_rows="dynamic", width="stretch", key=f"events_{key}",
            column_config={
                "time": st.column_config.DatetimeColumn("Time (UTC)", required=True),
                "kind": st.column_config.SelectboxColumn(
                    "Kind", options=list(case_library.EVENT_KINDS), default="brand_response"),
                "label": st.column_config.TextColumn("Label", required=True),
                "note": st.column_config.TextColumn("Note"),
                "source_url": st.column_config.TextColumn("Source URL"),
            })
        story = st.text_area("One-line story (optional)", max_chars=500,
                             value=saved.story if saved else "")
        submitted = st.form_submit_button("Save the changes" if saved else "Analyse and save",
                                          type="primary", icon=":material/play_arrow:")
    if not submitted:
        return None
    if not hashtag.strip().lstrip("#") or not brand.strip():
        st.error("Give at least the campaign hashtag and the brand.")
        return None
    launch = pd.Timestamp(dt.datetime.combine(day, clock), tz="UTC")
    handle = (account_in or "").strip().lstrip("@") or re.sub(r"\W+", "", brand) or "unknown"
    return {"hashtag": hashtag, "brand": brand, "brand_account": handle,
            "launch": launch, "launch_assumed": assumed, "events": _events(edited),
            "target_terms": _split_terms(terms), "story": story}


def saved_case_actions(entry: library.LibraryEntry, buttons: DeltaGenerator) -> None:
    """Edit and Delete (with a confirmation) for one saved case."""
    confirm_key, edit_key = f"confirm_delete_{entry.case_id}", f"editing_{entry.case_id}"
    if buttons.button("Edit", key=f"edit_{entry.case_id}", icon=":material/edit:"):
        st.session_state[edit_key] = not st.session_state.get(edit_key, False)
    if buttons.button("Delete", key=f"delete_{entry.case_id}", icon=":material/delete:"):
        st.session_state[confirm_key] = True
    if st.session_state.get(confirm_key):
        st.warning(f"Delete **#{md_escape(entry.hashtag)}** and its archive files? "
                   "This cannot be undone.", icon=":material/delete_forever:")
        yes, no = st.columns(2)
        if yes.button("Yes, delete it", key=f"really_delete_{entry.case_id}", type="primary"):
            library.delete_case(entry.case_id)
            st.session_state.pop(confirm_key, None)
            data.clear()
            st.rerun()
        if no.button("Cancel", key=f"cancel_delete_{entry.case_id}"):
            st.session_state.pop(confirm_key, None)
            st.rerun()
    if st.session_state.get(edit_key):
        fields = describe(None, key=f"edit_{entry.case_id}", saved=entry.load())
        if fields is not None:
            library.update_case(entry.case_id, **fields)
            st.session_state.pop(edit_key, None)
            data.clear()
            st.toast(f"Saved the changes to #{md_escape(fields['hashtag'].lstrip('#'))}.",
                     icon=":material/check_circle:")
            st.rerun()
