"""Case library (home): one card per backfire, with its three headline KPIs."""

import pandas as pd
import streamlit as st

from analysis.cases import Case
from analysis.metrics import kpis
from ui import boot, data, pages, state, widgets
from ui.errors import edge
from ui.widgets import md_escape

boot.through_navigation()

CARD_KPIS = kpis.shown_in(kpis.LIBRARY)
COLUMNS = 3
# How the cards can be ordered (the choice is in the URL, ?sort=...): label -> (what to sort
# on: "launch" or a KPI key, descending?). Cases without the figure go last.
SORTS = {
    "Date": ("launch", False),
    "Speed of hijack": ("time_to_hijack_minutes", False),
    "Size": ("tweets", True),
}
DEFAULT_SORT = "Date"


def card_order(cases: dict[str, Case], values: dict[str, dict[str, object]], sort: str) -> list[str]:
    """Case ids in the order of ``sort`` (a SORTS label); ties and gaps keep date order."""
    key, descending = SORTS.get(sort, SORTS[DEFAULT_SORT])
    by_date = sorted(cases, key=lambda cid: cases[cid].launch)
    if key == "launch":
        return by_date
    known = [cid for cid in by_date if isinstance(values[cid].get(key), int | float)]
    missing = [cid for cid in by_date if cid not in known]
    known.sort(key=lambda cid: float(values[cid][key]), reverse=descending)  # type: ignore[arg-type]
    return known + missing

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

    widgets.prepare_cases(list(cases), names)  # first start: a progress bar, not half-drawn cards
    reports = {cid: data.case_kpis(cid) for cid in cases}
    sort = st.segmented_control("Order the cases by", list(SORTS), default=DEFAULT_SORT,
                                key=state.SORT, **state.BOUND) or DEFAULT_SORT
    ids = card_order(cases, {cid: dict(r.values) for cid, r in reports.items()}, str(sort))
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
                found = data.saved_platforms(case_id)
                if not c.bundled:
                    st.caption(f":material/hub: Posts from {data.platform_names(found)}",
                               help=None if found == ("x",) else
                               "Retweet, reply and follower views are X's notions: "
                               + "; ".join(data.x_only_notes(found)) + ".")
                st.markdown(md_escape(widgets.first_sentence(c.story)))
                report = reports[case_id]
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
                           "data": c.provenance, **reports[cid].to_dict()}
                          for cid in ids for c in (cases[cid],)]).drop(columns=["notes"], errors="ignore")
    widgets.csv_download(table, file_name="backfire-cases.csv", key="export_cases",
                         label="Download every case's KPIs (CSV)")
    left, right = st.columns(2)
    left.page_link(pages.path("archive"), label="Bring your own archive",
                   icon=":material/upload_file:")
    right.page_link(pages.path("methods"), label="How the numbers are made",
                    icon=":material/menu_book:")
