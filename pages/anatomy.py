"""Anatomy of a backfire: every case ranked on time to hijack, peak rate, hostile share and
the brand's reaction time, the pattern between reaction time and size, each number's caveat."""

import pandas as pd
import streamlit as st

from analysis import charts
from analysis.metrics import anatomy, kpis
from ui import boot, data, widgets
from ui.errors import edge

boot.through_navigation()

st.title("Anatomy of a backfire")
st.markdown("What the hijacks have in common: how fast the tag turned, how big the storm "
            "got, how hostile it was and how long the brand took to react. **Rank 1 is the "
            "most severe** on each measure (fastest hijack, highest peak, most hostile, "
            "slowest reaction).")

with edge():
    cases = data.all_cases()
    if not cases:
        st.info("No case is available yet.")
        st.stop()
    widgets.mixed_notice([c.provenance for c in cases.values()])
    reports = {cid: data.case_kpis(cid) for cid in cases}
    frame = anatomy.table(reports, cases)
    frame["severity"] = anatomy.severity(frame)
    frame = frame.sort_values(["severity", "hashtag"], na_position="last")

    shown = frame[["hashtag", "brand", "date", "provenance"]].copy()
    for m in anatomy.MEASURES:
        spec = kpis.KPIS[m.kpi]
        shown[spec.label] = [kpis.format_value(m.kpi, v if pd.notna(v) else None)
                             + (f"  (#{int(r)})" if pd.notna(r) else "")
                             for v, r in zip(frame[m.kpi], frame[f"{m.kpi}_rank"], strict=True)]
    st.subheader("The cases, most severe first")
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "hashtag": st.column_config.TextColumn("Case"),
        "provenance": st.column_config.TextColumn("Data"),
        **{kpis.KPIS[m.kpi].label: st.column_config.TextColumn(
            kpis.KPIS[m.kpi].label, help=kpis.KPIS[m.kpi].definition + " Caveat: " + m.caveat)
           for m in anatomy.MEASURES},
    }, key="anatomy_table")
    st.caption("Each cell: the value and, in brackets, its rank among the cases. Ordered by "
               "the mean rank over the four measures. Hover a header for the definition and "
               "the caveat.")

    st.subheader("The pattern: a slow reaction, a bigger storm?")
    widgets.chart(charts.pattern(
        frame.assign(hostile=frame["hostile_share"]), x="response_latency_hours", y="tweets",
        label="hashtag", size="peak_hourly_rate", colour="hostile",
        title="Brand reaction time against total volume (bubble: peak hourly rate)",
        x_title="Brand reaction time (hours)", y_title="Tweets in the archive",
        colour_title="Hostile share"), key="anatomy_pattern", name="anatomy-pattern",
        provenance=widgets.provenance_of([c.provenance for c in cases.values()]))
    st.caption("A handful of cases is not a sample: read the chart as a prompt for discussion "
               "(did a late reaction feed the storm, or did big storms force a reaction?), "
               "not as evidence of a trend. Cases without a documented reaction are left out.")

    st.subheader("Before you compare: each number's caveat")
    for label, caveat in anatomy.caveats().items():
        st.markdown(f"**{widgets.md_escape(label)}.** {widgets.md_escape(caveat)}")
    assumed = frame.loc[frame["launch_assumed"], "hashtag"].tolist()
    if assumed:
        st.caption("Launch time assumed (time-based numbers measured from it): "
                   + ", ".join(widgets.md_escape(a) for a in assumed) + ".")
    widgets.csv_download(frame.drop(columns=["severity"]), file_name="backfire-anatomy.csv",
                         key="export_anatomy", label="Download the ranking (CSV)")
