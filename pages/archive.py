"""Your archive: upload, check, describe, analyse and save your own crisis archive as a case."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import cases as case_library
from analysis.errors import BackfireError
from analysis.ingest import uploads
from analysis.ingest.formats import FORMATS
from analysis.metrics.agreement import vendor_agreement
from analysis.store import library
from ui import archive_form, boot, data, mapping_form, pages, state, widgets
from ui.errors import edge

boot.through_navigation()

# Above this many tweets, scoring in the browser takes minutes: point to the CLI as well.
LARGE_ARCHIVE_ROWS = 300_000

st.title("Your archive")
st.markdown("Load your own crisis archive (listening-suite exports from Brandwatch, "
            "Talkwalker, Meltwater, Pulsar or Sprout Social as CSV or XLSX; X API v2, X web "
            "captures (Zeeschuimer, 4CAT), twscrape, Apify; Bluesky and Mastodon posts; twarc, "
            "snscrape, X's data export, TCAT… compressed with gzip, bzip2 or zip too; any other "
            "spreadsheet through a column mapping), "
            "check what was read, describe the campaign and save it as a case. Saved cases "
            "appear in the case picker and on *Compare*, and stay until you delete them.")

with edge(stop=False), st.expander("Supported formats"):
    st.dataframe(pd.DataFrame([{"format": name, "description": fmt.label}
                               for name, fmt in FORMATS.items()]),
                 hide_index=True, width="stretch")
    st.caption(f"Files: {', '.join(uploads.DATA_TYPES)}, optionally "
               f"{', '.join(uploads.COMPRESSIONS)}. At most {uploads.MAX_UPLOAD_MB} MB per file "
               f"and {uploads.MAX_DECOMPRESSED_BYTES // uploads.MB} MB decompressed. Files are "
               "stored in the app's data folder under names the app chooses.")

st.header("1 · Upload")
files = st.file_uploader("Archive files", accept_multiple_files=True, key="uploads",
                         help="Several files are merged into one case (duplicates removed).")
loaded = archive_form.check_and_load(files or [])
for _name, message in loaded.errors:
    st.error(widgets.md_escape(message), icon=":material/block:")
for file_id, need in loaded.pending:
    chosen = mapping_form.mapping_form(file_id, need)
    if chosen is not None:
        problem = archive_form.apply_mapping(file_id, need, *chosen)
        if problem is None:
            st.rerun()
        st.error(widgets.md_escape(problem), icon=":material/error:")

if loaded.results:
    archive_form.show_reports(loaded)
    table = loaded.table()
    if len(table) > LARGE_ARCHIVE_ROWS:
        st.info(f"This archive has {len(table):,} tweets: scoring them here takes a few "
                "minutes. The command line does the same faster and prints every KPI: "
                "`python -m analysis kpis path/to/archive --json`.", icon=":material/terminal:")

    dense = archive_form.outlier_choice(table, key=loaded.key)
    if dense is not None:
        table = table.loc[table["created_at"].between(dense.start, dense.end)
                          | table["created_at"].isna()]
    duplicate = library.same_archive([checked for checked, _ in loaded.results])
    save_again = False
    if duplicate is not None:
        st.info(f"This archive is already saved as **#{widgets.md_escape(duplicate.hashtag)}** "
                f"({widgets.md_escape(duplicate.brand)}, saved {duplicate.created}). Open it "
                "from the case picker, or edit or delete it under *Your saved cases* below.",
                icon=":material/content_copy:")
        save_again = st.checkbox("Save it again as another case", key=f"again_{loaded.key}")

    st.header("2 · Describe the campaign")
    with edge(stop=False):
        fields = archive_form.describe(table, key=loaded.key)
    if fields is not None:
        st.header("3 · Analyse and save")
        progress = st.progress(0.0, text="Saving the case…")
        if dense is not None:
            fields |= {"keep_from": dense.start if dense.before else None,
                       "keep_until": dense.end if dense.after else None}
        try:
            case_id = library.save_case(files=loaded.files(), load_reports=loaded.reports(),
                                        refuse_duplicate=not save_again, **fields)
            progress.progress(0.3, text="Loading and scoring the tweets…")
            data.clear()
            scored = data.scored(case_id)
            progress.progress(0.7, text=f"Computing the KPIs of {len(scored):,} tweets…")
            report = data.case_kpis(case_id)
            # kept beside the scored table: the deep-dive's Language and Themes open at once
            progress.progress(0.8, text="Finding its words and themes…")
            data.summaries(case_id)
            progress.progress(1.0, text="Done.")
        except BackfireError as err:
            progress.empty()
            st.error(widgets.md_escape(str(err)), icon=":material/error:")
        else:
            new = data.case(case_id)
            st.success(f"Saved **#{widgets.md_escape(new.hashtag)}** as a case: "
                       f"{len(scored):,} tweets, hostile share "
                       f"{widgets.percent(report.values.get('hostile_share'))}.",
                       icon=":material/check_circle:")
            agreement = vendor_agreement(scored)
            if agreement is not None:
                kappa = "n/a" if agreement.kappa is None else f"{agreement.kappa:.2f}"
                st.markdown(f"**The export's own sentiment and Backfire's agree on "
                            f"{agreement.share:.0%}** of {agreement.posts:,} posts "
                            f"(Cohen's kappa {kappa}). Posts by the vendor's label (rows) and "
                            "Backfire's (columns):")
                st.dataframe(agreement.table, width="content")
            label = data.labels(data.all_cases())[case_id]
            st.page_link(pages.path("case"), label="Open its deep-dive",
                         icon=":material/arrow_forward:", query_params={state.CASE: label})
            st.page_link(pages.path("compare"), label="Compare it with the classics",
                         icon=":material/compare_arrows:")

st.header("Your saved cases")
with edge(stop=False):
    entries = library.list_cases()
    if not entries:
        st.caption("None yet.")
    for entry in entries:
        with st.container(border=True, key=f"saved_{entry.case_id}"):
            left, right = st.columns([4, 1])
            names = ", ".join(str(f.get("uploaded_name", "")) for f in entry.files)
            kept = sum(int(r.get("kept", 0)) for r in entry.load_reports)
            left.markdown(f"**#{widgets.md_escape(entry.hashtag)}** · "
                          f"{widgets.md_escape(entry.brand)}")
            left.caption(f"{kept:,} {'post' if kept == 1 else 'posts'} from {widgets.md_escape(names)} · "
                         f"{data.platform_names(entry.platforms)} · saved "
                         f"{entry.created} · id `{entry.case_id}`")
            archive_form.saved_case_actions(entry, right)
    st.caption(f"Stored in the app's data folder (one folder per case: "
               f"{case_library.CASE_FILE_NAME} and the archive files); they survive restarts.")
