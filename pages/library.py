"""Case library (home): one card per backfire, with its three headline KPIs."""

import pandas as pd
import streamlit as st

from analysis.metrics import kpis
from ui import boot, data, pages, state, widgets
from ui.errors import edge
from ui.widgets import md_escape

boot.through_navigation()

CARD_KPIS = kpis.shown_in(kpis.LIBRARY)
COLUMNS = 3

st.title("Backfire")
st.markdown(
    "#### When a brand's hashtag turns against it\n"
    "A *backfire* is a brand campaign that invites the public to tweet a hashtag, and the "
    "public uses it to attack the brand instead. Pick a case to see how fast it turned, "
    "who carried it and when the brand reacted; or compare them all on one clock."
)

with edge():
    cases = data.all_cases()
    if not cases:
        st.warning("No case is available yet: run `python -m analysis build-archives`.")
        st.stop()
    names = data.labels(cases)
    widgets.mixed_notice([c.provenance for c in cases.values()])
    st.page_link(pages.path("compare"), label="Compare all cases on one clock",
                 icon=":material/compare_arrows:")

    ids = list(cases)
    widgets.prepare_cases(ids, names)  # first start: a progress bar, not half-drawn cards
    for start in range(0, len(ids), COLUMNS):
        row = st.columns(COLUMNS)
        for col, case_id in zip(row, ids[start:start + COLUMNS], strict=False):
            c = cases[case_id]
            with col.container(border=True, key=f"card_{case_id}"):
                st.subheader(md_escape(f"#{c.hashtag}"), anchor=False)
                badge = ("Reconstruction" if c.is_reconstruction else "Real archive")
                st.badge(badge, icon=":material/science:" if c.is_reconstruction
                         else ":material/dataset:",
                         color="orange" if c.is_reconstruction else "blue")
                st.caption(f"{md_escape(c.brand)} · {c.launch:%d %b %Y}")
                st.markdown(md_escape(widgets.first_sentence(c.story)))
                report = data.case_kpis(case_id)
                cells = st.columns(len(CARD_KPIS))
                for cell, key in zip(cells, CARD_KPIS, strict=True):
                    spec = kpis.KPIS[key]
                    cell.markdown(f"#### {widgets.kpi_text(key, report.values.get(key))}",
                                  anchors=False)
                    cell.caption(spec.label, help=spec.definition)
                st.page_link(pages.path("case"), label="Open the deep-dive",
                             icon=":material/arrow_forward:",
                             query_params={state.CASE: names[case_id]})

    st.divider()
    table = pd.DataFrame([{"case": cid, "hashtag": f"#{c.hashtag}", "brand": c.brand,
                           "data": c.provenance, **data.case_kpis(cid).to_dict()}
                          for cid, c in cases.items()]).drop(columns=["notes"], errors="ignore")
    widgets.csv_download(table, file_name="backfire-cases.csv", key="export_cases",
                         label="Download every case's KPIs (CSV)")
    left, right = st.columns(2)
    left.page_link(pages.path("archive"), label="Bring your own archive",
                   icon=":material/upload_file:")
    right.page_link(pages.path("methods"), label="How the numbers are made",
                    icon=":material/menu_book:")
