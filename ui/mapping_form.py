"""The mapping screen of the Your-archive page: which column holds what, and the time zone.

Shown for a CSV or workbook whose layout no format recognises: its first rows, a guess of
the id, time, text, author and count columns that the user corrects, and the zone of times
written without one. The mapping is saved for the file's header (``analysis.ingest.mappings``)
so the next file with the same header, and the saved case itself, are read with it again.
Also: the zone picker for listening-suite exports whose times carry no zone.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from typing import Final

import pandas as pd
import streamlit as st

from analysis.ingest import mappings
from analysis.ingest.formats import sheets
from analysis.ingest.uploads import CheckedUpload
from ui.widgets import md_escape

NONE: Final = "(none)"
LABELS: Final[dict[str, str]] = {
    "id": "Post id *", "created_at": "Time *", "text": "Text *", "author": "Author (handle)",
    "author_followers": "Author's followers", "retweet_count": "Retweets / reposts / shares",
    "like_count": "Likes", "reply_count": "Replies / comments", "quote_count": "Quotes",
    "lang": "Language", "hashtags": "Hashtags", "platform": "Platform / network",
    "url": "Post URL", "vendor_sentiment": "Vendor's sentiment",
}
# Zones offered first; every IANA zone follows.
COMMON_ZONES: Final = ("UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York",
                       "America/Chicago", "America/Los_Angeles", "Asia/Tokyo", "Asia/Singapore",
                       "Australia/Sydney")
SHOWN_ROWS: Final = 10


@dataclass
class NeedsMapping:
    """An uploaded spreadsheet no format recognises, with what the screen needs to map it."""

    checked: CheckedUpload
    header: list[str]
    rows: list[list[str]]
    header_line: int
    message: str
    # the mapping the file was read with, when the user asked to change it
    current: dict[str, str] | None = None
    tz: str = "UTC"


def zones() -> list[str]:
    return list(COMMON_ZONES) + sorted(zoneinfo.available_timezones() - set(COMMON_ZONES))


def mapping_form(key: str, need: NeedsMapping) -> tuple[dict[str, str], str] | None:
    """The screen for one file; returns (mapping, zone) once the user submits a valid one."""
    with st.container(border=True, key=f"mapping_{key}"):
        if need.current is None:
            st.markdown(f"**{md_escape(need.checked.name)}**: its columns are not a layout "
                        "Backfire knows. Say which column holds what; the mapping is saved for "
                        "files with this header.")
        else:
            st.markdown(f"**{md_escape(need.checked.name)}**: change which column holds what; "
                        "the new mapping replaces the one saved for this header.")
        st.caption(f"Header found on line {need.header_line}. First rows:")
        st.dataframe(pd.DataFrame([row[:len(need.header)] for row in need.rows[:SHOWN_ROWS]],
                                  columns=sheets.column_names(need.header)),
                     hide_index=True, width="stretch")
        guess = need.current if need.current is not None else mappings.guess(need.header, need.rows)
        options = [NONE, *need.header]
        with st.form(f"mapping_form_{key}"):
            columns = st.columns(3)
            chosen: dict[str, str] = {}
            for index, canon in enumerate(mappings.MAPPABLE):
                default = options.index(guess[canon]) if canon in guess else 0
                chosen[canon] = columns[index % 3].selectbox(
                    LABELS[canon], options, index=default, key=f"map_{key}_{canon}")
            offered = zones()
            tz = st.selectbox("Time zone of times written without one", offered,
                              index=offered.index(need.tz) if need.tz in offered else 0,
                              key=f"map_{key}_tz",
                              help="Times that carry their own offset (Z, +01:00) keep it.")
            submitted = st.form_submit_button("Read the file with this mapping", type="primary",
                                              icon=":material/table_view:")
    if not submitted:
        return None
    mapping = {canon: header for canon, header in chosen.items() if header != NONE}
    missing = [LABELS[c].rstrip(" *") for c in mappings.REQUIRED if c not in mapping]
    if missing:
        st.error(f"Choose the column of: {', '.join(missing)}.", icon=":material/error:")
        return None
    return mapping, tz


def zone_picker(key: str, name: str, current: str) -> str:
    """The zone of an export's zone-less times (UTC unless the user says otherwise)."""
    options = zones()
    return st.selectbox(f"Time zone of the times in {name} (the export wrote none)", options,
                        index=options.index(current) if current in options else 0,
                        key=f"zone_{key}",
                        help="Listening suites write times in the account's or export's zone "
                             "without saying which. Pick it if you know it; the choice is "
                             "saved for exports with the same header.")
