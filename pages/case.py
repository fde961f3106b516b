"""Case deep-dive: one backfire, from launch to the brand's reaction.

Sidebar: the case and the filters (all in the URL). Main: headline, reconstruction notice,
one-sentence takeaway, KPI cards, then tabs (only the open tab is computed).
"""

import streamlit as st

from analysis import charts
from analysis.cases import Case
from analysis.metrics import kpis
from ui import boot, controls, data, sections, widgets
from ui.errors import edge

boot.through_navigation()

TABS = ["Timeline", "Hostile posts", "Language", "Themes", "People & tags", "Network",
        "Alert replay", "Tweets", "Fact sheet"]
HEADLINE_KPIS = ["tweets", "hostile_share", "time_to_hijack_minutes", "peak_hourly_rate",
                 "alert_fired_minutes", "response_latency_hours"]

with edge():
    cases = data.all_cases()
    if not cases:
        st.warning("No case is available yet. Run `python -m analysis build-archives` or add "
                   "your own archive on the *Your archive* page.")
        st.stop()
    case_id = controls.case_picker(cases)
    case: Case = cases[case_id]
    view = controls.view(case)

    st.title(widgets.md_escape(f"#{case.hashtag}"), anchor=False)
    st.caption(f"{widgets.md_escape(case.brand)} (@{widgets.md_escape(case.brand_account)}) · launched "
               f"{case.launch:%d %b %Y, %H:%M} UTC"
               + (" (launch time assumed)" if case.launch_assumed else ""))
    widgets.provenance_notice(case.provenance)
    report = data.case_kpis(case_id, view)
    st.markdown(sections.takeaway(case, report))
    if view != data.View():
        st.caption(f":material/filter_alt: Filtered: {widgets.md_escape(view.describe())}.")

    cols = st.columns(len(HEADLINE_KPIS))
    for col, key in zip(cols, HEADLINE_KPIS, strict=True):
        spec = kpis.KPIS[key]
        col.metric(spec.label, widgets.kpi_text(key, report.values.get(key)),
                   help=spec.definition + sections.note_for(report, key), border=True)

    (timeline_tab, posts_tab, language_tab, themes_tab, people_tab, network_tab, alert_tab,
     tweets_tab, facts_tab) = st.tabs(TABS, key="tab", bind="query-params")

    if timeline_tab.open:
        with timeline_tab:
            sections.timeline(case, view)
    if posts_tab.open:
        with posts_tab:
            sections.hostile_posts(case, view)
    if language_tab.open:
        with language_tab:
            sections.language(case, view)
    if themes_tab.open:
        with themes_tab:
            sections.themes(case, view)
    if people_tab.open:
        with people_tab:
            sections.people(case, view)
    if network_tab.open:
        with network_tab:
            sections.interaction_network(case, view)
    if alert_tab.open:
        with alert_tab:
            st.subheader(report.alert.sentence() if report.alert else "No alert replay")
            if report.alert is not None:
                widgets.chart(charts.alert_replay(
                    report.alert.series, min_share=report.alert.rule.min_share,
                    fired_minutes=report.alert.fired_minutes,
                    reaction_hours=report.alert.reaction_hours,
                    reaction_label=report.alert.reaction_label), key="alert_chart",
                    provenance=case.provenance)
                st.caption("The replay steps through the archive minute by minute from the "
                           "launch and checks the rule on the trailing window. Change the "
                           "filters to see how a narrower listening query would have done.")
    if tweets_tab.open:
        with tweets_tab:
            sections.browse(case, view)
    if facts_tab.open:
        with facts_tab:
            sections.fact_sheet(case)

    st.divider()
    st.markdown(f"**{len(data.filtered(case_id, view)):,} tweets** in this view.")
    widgets.csv_download(
        lambda: sections.tweets_export(data.filtered(case_id, view), case.provenance),
        file_name=f"{case.id}-tweets.csv", key="export_tweets",
        label="Download the filtered tweets (CSV)")
    st.caption("Cells that a spreadsheet could run as a formula (starting with = + - @ or a "
               "tab) are prefixed with a quote. Each chart's toolbar has a PNG download.")
    widgets.post_mortem_export([case_id], view.filters(case.launch), key="case_export",
                               stem=f"backfire-{case.id}")
    st.caption("The deck, report and data carry the filters above in their footer.")
