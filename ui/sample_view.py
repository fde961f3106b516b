"""The real-sample parts of the case deep-dive: how to get a sample, where it comes from,
its estimates beside the case's reported figures, and the side-by-side with the
reconstruction. Everything here says which dataset it shows."""

from __future__ import annotations

from typing import Any, Final

import streamlit as st

from analysis import charts
from analysis.cases import Case
from analysis.metrics import sampling
from analysis.store import samples
from ui import data, widgets
from ui.widgets import md_escape

SHARE_COLUMNS: Final[dict[str, Any]] = {
    "measure": st.column_config.TextColumn("Measure"),
    "reconstruction": st.column_config.NumberColumn("Reconstruction (synthetic)", format="percent"),
    "sample": st.column_config.NumberColumn("Real 1 % sample", format="percent"),
    "sample_low": st.column_config.NumberColumn("Sample: 95 % CI low", format="percent"),
    "sample_high": st.column_config.NumberColumn("Sample: 95 % CI high", format="percent"),
    "sample_n": st.column_config.NumberColumn("Sampled tweets", format="%d"),
}


def how_to_get(c: Case, *, expanded: bool) -> None:
    """The item, its size and the one command that extracts the case's real tweets.

    The expander is lazy (``on_change="rerun"``): closed, its content is neither computed nor
    sent, so a deep-dive's first view does not load the browser's code highlighter (1.5 MB
    of JavaScript) for a command nobody has asked to see yet.
    """
    how = samples.how_to(c)
    box = st.expander("Real tweets of this case: the Internet Archive's 1 % sample",
                      expanded=expanded, icon=":material/travel_explore:",
                      key=f"how_to_get_{c.id}" + ("_shown" if expanded else ""),
                      on_change="rerun")
    if not box.open:
        return
    with box:
        st.markdown(
            f"No real sample of #{md_escape(c.hashtag)} has been extracted yet. Its month is in the "
            f"Internet Archive item **{md_escape(how.item)}** ({how.size}): download "
            f"`{how.file}` from {how.url}, then run in the project folder:")
        st.code(how.command, language="bash")
        st.caption("The command reads the tar by member offsets on every core (or on a Dask "
                   "cluster with `--scheduler`), keeps the tweets tagged with the case's hashtag "
                   "in the case window, and writes them to the app's data folder: this page "
                   "picks them up at the next interaction, no restart needed."
                   + (f" {md_escape(how.note)}" if how.note else ""))


def offer(c: Case) -> None:
    """On the reconstruction: point at the real sample, or say how to get one."""
    if data.sample_available(c.id):
        st.caption(":material/travel_explore: A real 1 % sample of this case is available: choose "
                   "**Real sample** or **Side by side** under *Dataset* in the sidebar.")
    else:
        how_to_get(c, expanded=False)


def provenance(sample_id: str) -> None:
    """Where the sample comes from and how complete it is (from its sampling.json)."""
    side = data.sidecar(sample_id)
    members = side.get("members", {})
    check = side.get("sampling", {})
    gaps = sum(1 for h in side.get("hours", []) if not h.get("complete"))
    st.caption(
        f"Source: {md_escape(samples.grab_label(side))}; window "
        f"{md_escape(str(side.get('window', {}).get('start', '?'))[:16])} to "
        f"{md_escape(str(side.get('window', {}).get('end', '?'))[:16])} UTC; "
        f"{members.get('scanned', 0):,} minute files scanned, {members.get('failed', 0)} unreadable; "
        f"{side.get('deletes_applied', 0)} deleted tweets removed; {gaps} hour(s) with missing minutes. "
        + ("Every tweet's id lies in the sample's millisecond window (657–666)."
           if check.get("consistent") else
           f"{check.get('outside_window', 0)} tweet(s) outside the sample's millisecond window: "
           "see sampling.json.")
        + f" {sampling.CAVEAT}")


def reported(sample_id: str) -> None:
    """The case's reported figures beside the sample's estimates of the same quantities."""
    frame = data.side_by_side(samples.base_id(sample_id))["reported"]
    if frame.empty:
        return
    st.markdown("**Reported figures beside the sample's estimates** (estimate = count in the "
                "sample ÷ 1 %, exact Poisson 95 % interval; shares with Wilson intervals)")
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        "figure": st.column_config.TextColumn("Reported figure", width="large"),
        "source": st.column_config.LinkColumn("Source"),
    })


def side_by_side(c: Case) -> None:
    """Reconstruction vs the real 1 % sample: volume, hostile share, top terms."""
    st.subheader("Reconstruction vs the real 1 % sample")
    st.info("Left of each comparison: the **synthetic reconstruction**. Right: **real tweets** "
            "from the Internet Archive's 1 % sample, scaled by 1/p where a count is estimated. "
            "Where they agree, the reconstruction is faithful; where they differ, reality wins.",
            icon=":material/compare_arrows:")
    found = data.side_by_side(c.id)
    widgets.chart(charts.sample_vs_reconstruction(found["volume"], title="Tweets per hour: reconstruction vs real sample"),
                  key="sample_volume_chart", name=f"{c.id}-sample-vs-reconstruction", provenance="sample")
    st.caption("The band is the 95 % exact Poisson interval of the hourly estimate; hours with "
               "few sampled tweets are wide on purpose.")
    st.markdown("**Hostile share**")
    st.dataframe(found["shares"], hide_index=True, width="stretch", column_config=SHARE_COLUMNS)
    st.markdown("**Top terms** (uses per tweet; the hashtag and brand words left out)")
    st.dataframe(found["terms"], width="stretch")
    reported(samples.sample_id(c.id))
    provenance(samples.sample_id(c.id))
