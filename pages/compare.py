"""Compare: every backfire on one clock (hours since launch), your own archives included."""

import pandas as pd
import streamlit as st

from analysis import charts
from analysis.exports import data as exported
from analysis.metrics import kpis, timeline
from analysis.metrics import span as span_rule
from ui import boot, data, state, widgets
from ui.errors import edge

boot.through_navigation()

# Compare view defaults: the first two days hold every bundled case's peak and decay.
DEFAULT_SPAN_H = 48
MAX_SPAN_H = 24 * 14
# Small multiples: cases per row (four keeps eight cases to two rows).
GRID_COLUMNS = 4
GROUP_TITLES = {"reconstruction": "Reconstructions (synthetic)", "real": "Real archives"}
TABLE_KPIS = kpis.shown_in(kpis.COMPARE)


def takeaway(reports: dict[str, kpis.KpiReport], names: dict[str, str]) -> str:
    """One sentence: which case turned fastest, which was most hostile, which was biggest."""
    def best(key: str, low: bool) -> str | None:
        known = {cid: r.values.get(key) for cid, r in reports.items()
                 if r.values.get(key) is not None}
        if len(known) < 2:
            return None
        cid = (min if low else max)(known, key=lambda c: known[c])
        return f"**{widgets.md_escape(names[cid])}** ({kpis.format_value(key, known[cid])})"

    parts = [f"{what} {who}" for what, who in (
        ("fastest hijack:", best("time_to_hijack_minutes", low=True)),
        ("most hostile:", best("hostile_share", low=False)),
        ("biggest peak:", best("peak_hourly_rate", low=False)),
        ("slowest brand reaction:", best("response_latency_hours", low=False)),
    ) if who]
    return ("In short — " + "; ".join(parts) + ".") if parts else ""


st.title("Compare backfires")
st.markdown("All cases aligned on **hours since launch**, so the speed and shape of each "
            "backlash can be compared directly, whatever the date.")

with edge():
    cases = data.all_cases()
    names = data.labels(cases)
    side = st.sidebar
    chosen = side.multiselect("Cases to compare", list(cases), default=list(cases) or None,
                              format_func=names.__getitem__, key=state.CASES,
                              help="Every case is chosen at first; your saved archives appear "
                                   "here too.", **state.BOUND)
    # Eight overlaid lines are a tangle: one case can be brought forward, the rest fade.
    focus = side.selectbox("Highlight one case", chosen, index=None, key=state.FOCUS,
                           format_func=names.__getitem__, placeholder="None (all in colour)",
                           help="The other cases fade to thin lines on the overlaid charts.",
                           **state.BOUND)
    bin_label = side.select_slider("Bin size", list(state.BIN_SIZES), value=state.DEFAULT_BIN,
                                   key=state.BIN, **state.BOUND)
    span = side.slider("Hours after launch to show", min_value=6, max_value=MAX_SPAN_H,
                       value=DEFAULT_SPAN_H, step=6, key="span", **state.BOUND)
    if not chosen:
        st.info("Choose at least one case in the sidebar.")
        st.stop()
    widgets.mixed_notice([cases[cid].provenance for cid in chosen])
    reports = {cid: data.case_kpis(cid) for cid in chosen}
    st.markdown(takeaway(reports, names))

    shown_hours = span_rule.Window(-1.0, float(span))
    bin_size = span_rule.bin_for(shown_hours, state.BIN_SIZES.get(str(bin_label)))
    bin_label = next(label for label, key in state.BIN_SIZES.items() if key == bin_size)
    frames = {names[cid]: data.case_timeline(cid, data.View(), bin_size, shown_hours)
              for cid in chosen}

    kind = {cid: cases[cid].provenance for cid in chosen}
    mixed = widgets.provenance_of(list(kind.values()))
    groups = {names[cid]: GROUP_TITLES.get(kind[cid], kind[cid]) for cid in chosen}
    highlight = names.get(focus) if focus else None
    left, right = st.columns(2)
    with left:
        widgets.chart(charts.compare_curves(
            frames, y="tweets", title=f"Volume: tweets per {bin_label}",
            y_title=f"Tweets per {bin_label}", groups=groups, focus=highlight), key="volume_abs", name="compare-volume", provenance=mixed)
    with right:
        widgets.chart(charts.compare_curves(
            frames, y="tweets", normalise=True, title="Volume normalised to each case's peak",
            y_title="Share of the case's peak bin", groups=groups, focus=highlight), key="volume_norm",
            name="compare-volume-normalised", provenance=mixed)
    widgets.chart(charts.compare_curves(
        {k: f.assign(share=f["hostile_share_smooth"]) for k, f in frames.items()}, y="share",
        percent=True, title="Hostile share (smoothed over 3 bins)",
        y_title="Hostile share of tweets", groups=groups, focus=highlight), key="hostile_share", name="compare-hostile-share", provenance=mixed)

    st.subheader("Key figures")
    table = pd.DataFrame({
        kpis.KPIS[key].label: [kpis.format_value(key, reports[cid].values.get(key))
                               for cid in chosen]
        for key in TABLE_KPIS
    }, index=[names[cid] for cid in chosen])
    table.insert(0, "Data", ["reconstruction" if cases[cid].is_reconstruction else "real"
                             for cid in chosen])
    platforms = {cid: data.saved_platforms(cid) for cid in chosen}
    table.insert(1, "Platforms", [data.platform_names(platforms[cid]) for cid in chosen])
    st.dataframe(table, width="stretch", column_config={
        "_index": st.column_config.TextColumn("Case"),
        **{kpis.KPIS[key].label: st.column_config.TextColumn(
            kpis.KPIS[key].label, help=kpis.KPIS[key].definition) for key in TABLE_KPIS},
    })
    st.caption("Hover a column header for the KPI's definition; the Methods page has them all.")
    for cid in chosen:
        if platforms[cid] != ("x",):
            st.caption(f":material/info: **{widgets.md_escape(names[cid])}** has posts from "
                       f"{data.platform_names(platforms[cid])}: its retweet, reply and follower "
                       f"figures are X's notions ({'; '.join(data.x_only_notes(platforms[cid]))}).")
    widgets.csv_download(exported.kpi_frame(reports, kind), file_name="backfire-kpis.csv", key="export_kpis",
                         label="Download the KPI table (CSV)")

    # The grid (two Plotly axes per case) is drawn when opened: it is the heaviest chart for
    # the browser, and the first view already aligns every case on the curves above.
    grid = st.expander("Each case on its own scale", icon=":material/grid_view:",
                       key=state.GRID, bind="query-params")
    if grid.open:
        with grid:
            widgets.chart(charts.small_multiples(frames, columns=GRID_COLUMNS),
                          key="small_multiples", name="compare-small-multiples",
                          provenance=mixed)
    stacked = timeline.stack({cid: data.case_timeline(cid, data.View(), bin_size, shown_hours)
                              for cid in chosen})
    stacked.insert(1, "provenance", stacked["case"].map(kind))
    widgets.csv_download(stacked, file_name=f"backfire-timelines-{bin_size}.csv",
                         key="export_timelines", label="Download the aligned timelines (CSV)")
    st.subheader("Take it to the meeting")
    widgets.post_mortem_export(list(chosen), None, key="compare_export",
                               stem="backfire-comparison")
