"""Case deep-dive: one backfire, from launch to the brand's reaction.

Sidebar: the case, its dataset (reconstruction, real 1 % sample, or both side by side) and
the filters (all in the URL). Main: headline, provenance notice,
one-sentence takeaway, KPI cards, then tabs (only the open tab is computed).
"""

import streamlit as st

from analysis.cases import Case
from analysis.exports import data as exported
from analysis.metrics import kpis
from analysis.store import samples
from ui import boot, controls, data, sample_view, sections, widgets
from ui.errors import edge
from ui.tabs import TABS

boot.through_navigation()

HEADLINE_KPIS = kpis.shown_in(kpis.CARD)
# Two rows of three cards: six in a row cut labels and values at 1280-1440 px.
CARDS_PER_ROW = 3
READING_TITLES = {"hostile_share": "Why this hostile share?",
                  "mean_compound": "Why is the mean sentiment not negative?",
                  "hijack_vs_alert": "Why do the hijack and the alert give different times?"}

with edge():
    cases = data.all_cases()
    if not cases:
        st.warning("No case is available yet. Run `python -m analysis build-archives` or add "
                   "your own archive on the *Your archive* page.")
        st.stop()
    case_id = controls.case_picker(cases)
    case: Case = cases[case_id]
    dataset = controls.dataset_picker(case)
    if dataset != "reconstruction" and not data.sample_available(case_id):
        st.title(widgets.md_escape(f"#{case.hashtag}: real tweets"), anchor=False)
        sample_view.how_to_get(case, expanded=True)
        st.stop()
    if dataset == "compare":
        st.title(widgets.md_escape(f"#{case.hashtag}"), anchor=False)
        sample_view.side_by_side(case)
        st.stop()
    if dataset == "sample":
        case_id = samples.sample_id(case_id)
        case = data.case(case_id)
    view = controls.view(case)

    st.title(widgets.md_escape(f"#{case.hashtag}"), anchor=False)
    st.caption(f"{widgets.md_escape(case.brand)} (@{widgets.md_escape(case.brand_account)}) · launched "
               f"{case.launch:%d %b %Y, %H:%M} UTC"
               + (" (launch time assumed)" if case.launch_assumed else ""))
    widgets.provenance_notice(case.provenance)
    if case.is_reconstruction:
        sample_view.offer(case)
    elif case.provenance == "sample":
        sample_view.provenance(case_id)
    report = data.case_kpis(case_id, view)
    st.markdown(sections.takeaway(case, report))
    if view != data.View():
        st.caption(f":material/filter_alt: Filtered: {widgets.md_escape(view.describe())}.")

    sampled = data.sampled_kpis(case_id, view) if case.provenance == "sample" else {}
    readings = data.case_readings(case_id, view)
    for start in range(0, len(HEADLINE_KPIS), CARDS_PER_ROW):
        row = HEADLINE_KPIS[start:start + CARDS_PER_ROW]
        for col, key in zip(st.columns(len(row)), row, strict=True):
            spec = kpis.KPIS[key]
            shown = sampled[key].text if key in sampled else widgets.kpi_text(key, report.values.get(key))
            col.metric(spec.label, shown, help=spec.definition + sections.note_for(report, key), border=True)
            if key in sampled:
                col.caption(widgets.md_escape(sampled[key].detail))
    if sampled:
        sample_view.reported(case_id)
    if readings:
        with st.expander("How to read these numbers", icon=":material/help:"):
            for topic, text in readings.items():
                st.markdown(f"**{READING_TITLES[topic]}** {widgets.md_escape(text)}")

    opened = st.tabs([tab.label for tab in TABS], key="tab", bind="query-params")
    for tab, spec in zip(opened, TABS, strict=True):
        if tab.open:  # only the open tab is computed
            with tab:
                spec.render(case, view)

    st.divider()
    st.markdown(f"**{len(data.filtered(case_id, view)):,} tweets** in this view.")
    widgets.csv_download(
        lambda: exported.csv_ready(exported.tweets_frame({case.id: data.filtered(case_id, view)},
                                                         {case.id: case.provenance})),
        file_name=f"{case.id}-tweets.csv", key="export_tweets",
        label="Download the filtered tweets (CSV)")
    st.caption("Cells that a spreadsheet could run as a formula (starting with = + - @ or a "
               "tab) are prefixed with a quote. Each chart's toolbar has a PNG download.")
    widgets.post_mortem_export([case_id], view.filters(case.launch), key="case_export",
                               stem=f"backfire-{case.id}")
    st.caption("The deck, report and data carry the filters above in their footer.")
