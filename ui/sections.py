"""The deep-dive's sections (one function per tab), so the page reads like the screen."""

from __future__ import annotations

import urllib.parse
from typing import Any, Final

import pandas as pd
import streamlit as st

from analysis import cases as case_library
from analysis import charts, schema
from analysis.cases import Case
from analysis.errors import BackfireError
from analysis.exports import data as export_data
from analysis.metrics import kpis, network, span
from ui import controls, data, state, widgets
from ui.widgets import md_escape

POST_TABLE: Final[dict[str, Any]] = {
    "rank": st.column_config.NumberColumn("#", width="small"),
    "text": st.column_config.TextColumn("Text (as posted)", width="large"),
    "author": st.column_config.TextColumn("Author"),
    "created_at": st.column_config.DatetimeColumn("Posted (UTC)", format="D MMM YYYY, HH:mm"),
    "kind": st.column_config.TextColumn("Kind", help="original, reply or quote"),
    "engagement": st.column_config.NumberColumn(
        "Engagement", help="retweets + likes + replies + quotes (see Methods)", format="%d"),
    "engagement_source": st.column_config.TextColumn(
        "Counted from", help="reported: the archive's counts; in_dataset: retweets, replies "
                             "and quotes of it found in the archive"),
    "hostile_prob": st.column_config.ProgressColumn(
        "Hostility", help="probability the post attacks the brand or campaign",
        min_value=0.0, max_value=1.0, format="%.2f"),
    "compound": st.column_config.NumberColumn("Sentiment", help="VADER compound, -1 to 1",
                                              format="%.2f"),
    "url": st.column_config.LinkColumn("Link", display_text="open ↗",
                                       help="the tweet's public URL"),
}
# Exported tweet columns: the canonical table plus the scores, lists joined by safety.
EXPORT_COLUMNS: Final[list[str]] = [*schema.COLUMNS, *schema.SCORE_COLUMNS]


def note_for(report: kpis.KpiReport, key: str) -> str:
    note = report.notes.get(key)
    return f"\n\n*Not available here: {note}.*" if note and report.values.get(key) is None else ""


def takeaway(c: Case, report: kpis.KpiReport) -> str:
    """One sentence a student can repeat: how hostile, how fast, how late the brand was."""
    v = report.values
    sampled = " sampled" if c.provenance == "sample" else ""
    parts = [f"**{kpis.format_value('hostile_share', v.get('hostile_share'))}** of the "
             f"{kpis.format_value('tweets', v.get('tweets'))}{sampled} tweets attacked "
             f"{md_escape(c.brand)} or its campaign"]
    if v.get("time_to_hijack_minutes") is not None:
        parts.append(f"the tag was hijacked **{widgets.duration_minutes(v['time_to_hijack_minutes'])}"
                     f"** after launch")
    if v.get("alert_fired_minutes") is not None:
        parts.append(f"a listening alert would have fired after "
                     f"**{widgets.duration_minutes(v['alert_fired_minutes'])}**")
    if v.get("response_latency_hours") is not None:
        parts.append(f"the brand reacted after **{widgets.duration_hours(v['response_latency_hours'])}**")
    return "; ".join(parts) + "."


def tweets_export(table: pd.DataFrame, provenance: str | None = None, *,
                  link_for: str | None = None) -> pd.DataFrame:
    """The filtered tweets as exported: canonical + score columns, public URL added (empty for
    a reconstruction: its posts were never on Twitter).

    With ``provenance``, a first column says whether the rows are a reconstruction;
    ``link_for`` gives the provenance for the links only (no extra column).
    """
    out = table[[c for c in EXPORT_COLUMNS if c in table.columns]].copy()
    out["url"] = schema.post_urls(out, provenance or link_for)
    return out if provenance is None else with_provenance(out, provenance)


def with_provenance(frame: pd.DataFrame, provenance: str) -> pd.DataFrame:
    """``frame`` with a first ``provenance`` column (``reconstruction`` or ``real``)."""
    return frame.assign(provenance=provenance)[["provenance", *frame.columns]]


# ------------------------------------------------------------------------------ timeline

def timeline(c: Case, view: data.View) -> None:
    left, right = st.columns([1, 2])
    axis = left.radio("X axis", list(state.AXES), horizontal=True, key=state.AXIS, **state.BOUND)
    bin_label = str(right.select_slider("Bin size", list(state.BIN_SIZES), value=state.DEFAULT_BIN,
                                        key=state.BIN, **state.BOUND))
    window = controls.chart_window(c, view)
    wanted = state.BIN_SIZES.get(bin_label)
    size = span.bin_for(window, wanted)
    shown = _bin_words(size)
    frame = data.case_timeline(c.id, view, size, window)
    fig = charts.timeline(frame, x=state.AXES[str(axis)], events=data.events_frame(c),
                          launch=c.launch, bin_label=shown, window=(window.start, window.end),
                          min_tweets=span.MIN_SHARE_TWEETS,
                          title=f"#{c.hashtag}: volume, hostility and sentiment per {shown}")
    widgets.chart(fig, key="timeline_chart", name=f"{c.id}-timeline", provenance=c.provenance)
    st.caption(_timeline_caption(window, bin_label, size, view))
    widgets.csv_download(with_provenance(frame, c.provenance),
                         file_name=f"{c.id}-timeline-{size}.csv",
                         key="export_timeline", label="Download the timeline bins (CSV)")


def _hours(hours: float) -> str:
    """Hours since launch as the caption writes them: ``−2 h``, ``+48 h``, ``+0.5 h``."""
    return f"{'−' if hours < 0 else '+'}{abs(hours):g} h"


def _bin_words(size: str) -> str:
    """``1h`` -> ``1 hour`` (the label the bin control shows)."""
    return next((label for label, key in state.BIN_SIZES.items() if key == size), size)


def _timeline_caption(window: span.Window, bin_label: str, size: str, view: data.View) -> str:
    shown = f"launch {_hours(window.start)} … {_hours(window.end)}"
    default = f"launch {_hours(-span.BEFORE_LAUNCH_H)} … {_hours(span.AFTER_LAUNCH_H)}"
    where = (f"{shown}, the time window chosen in the sidebar" if view.start_hours is not None
             else shown + ("" if shown == default else f" ({default}, cut to where the tweets "
                                                       "are)")
             + " (switch on *Full time range* in the sidebar for the whole archive)")
    if st.session_state.get(state.FULL) and view.start_hours is None:
        where = f"the whole archive ({shown})"
    binning = f"{_bin_words(size)} bins ({span.bars(window, size):,} bars)"
    if state.BIN_SIZES.get(bin_label) not in (None, size):
        binning += (f": {bin_label} bins would draw more than {span.MAX_CHART_BINS:,} bars "
                    "over this window")
    return (f"Showing {where}, in {binning}. Bars: tweets per bin (light: retweets). Lines: "
            f"share of tweets that attack the brand (orange) and mean VADER sentiment (green, "
            f"dotted, right axis), drawn only for bins of at least {span.MIN_SHARE_TWEETS} "
            "tweets. Numbered triangles mark the case's events (colour: who acted, see the "
            "legend; the fact sheet lists them); hover one for its note and source.")


# ------------------------------------------------------------------------------ posts

def hostile_posts(c: Case, view: data.View) -> None:
    st.subheader("The hostile posts that travelled furthest")
    top = data.top_hostile(c.id, view)
    if top.empty:
        st.info("No hostile post in this view.")
        return
    synthetic = c.provenance == schema.SYNTHETIC_PROVENANCE
    shown = top.assign(created_at=top["created_at"].fillna(top["first_seen"]))
    if synthetic:
        shown = shown.assign(url=None)
    st.dataframe(shown, column_order=_columns(POST_TABLE, synthetic),
                 column_config=_synthetic_config(POST_TABLE, synthetic),
                 hide_index=True, width="stretch", key="hostile_posts_table")
    st.caption("Retweets are collapsed onto the post they repeat. Engagement counts captured "
               "by a stream at posting time are near zero, so the in-archive retweets, replies "
               "and quotes are used when larger. Texts are shown exactly as posted."
               + (SYNTHETIC_CAPTION if synthetic else ""))
    widgets.csv_download(with_provenance(shown[list(POST_TABLE)], c.provenance),
                         file_name=f"{c.id}-top-hostile-posts.csv",
                         key="export_posts", label="Download these posts (CSV)")


SYNTHETIC_CAPTION: Final = (" These are **synthetic examples** written by Backfire's "
                            "generator: the handles and ids are made up, so no post links to "
                            "Twitter.")


def _columns(config: dict[str, Any], synthetic: bool) -> list[str]:
    """The table's columns: no link column for synthetic posts."""
    return [c for c in config if not (synthetic and c == "url")]


def _synthetic_config(config: dict[str, Any], synthetic: bool) -> dict[str, Any]:
    """Column headers that say the texts are synthetic examples."""
    if not synthetic:
        return config
    return config | {"text": st.column_config.TextColumn(
        f"Text ({schema.SYNTHETIC_LABEL})", width="large",
        help="written by Backfire's generator, calibrated to the case; not a real post")}


# ------------------------------------------------------------------------------ alert

def alert_replay(c: Case, view: data.View) -> None:
    replay = data.case_kpis(c.id, view).alert
    st.subheader(replay.sentence() if replay else "No alert replay")
    if replay is None:
        return
    widgets.chart(charts.case_alert_replay(data.case_kpis(c.id, view)), key="alert_chart",
                  provenance=c.provenance)
    explained = data.case_readings(c.id, view).get("hijack_vs_alert")
    if explained:
        st.markdown(md_escape(explained))
    st.caption("The replay steps through the archive minute by minute from the launch and "
               "checks the rule on the trailing window. Change the filters to see how a "
               "narrower listening query would have done.")


# ------------------------------------------------------------------------------ tweets

# Rows shown in the tweet browser (the CSV export below the tabs has them all).
BROWSE_ROWS: Final = 2000
BROWSE_TABLE: Final[dict[str, Any]] = {
    "created_at": st.column_config.DatetimeColumn("Posted (UTC)", format="D MMM YYYY, HH:mm"),
    "author": st.column_config.TextColumn("Author"),
    "kind": st.column_config.TextColumn("Kind"),
    "text": st.column_config.TextColumn("Text (as posted)", width="large"),
    "sentiment": st.column_config.TextColumn("Mood"),
    "hostile_prob": st.column_config.ProgressColumn("Hostility", min_value=0.0, max_value=1.0,
                                                    format="%.2f"),
    "url": st.column_config.LinkColumn("Link", display_text="open ↗"),
}


def browse(c: Case, view: data.View) -> None:
    table = data.filtered(c.id, view)
    st.subheader(f"The tweets in this view ({len(table):,})")
    if table.empty:
        st.info("No tweet matches the filters.")
        return
    synthetic = c.provenance == schema.SYNTHETIC_PROVENANCE
    shown = tweets_export(table.sort_values("created_at", kind="stable").head(BROWSE_ROWS),
                          link_for=c.provenance)
    shown["kind"] = schema.kind(shown)
    picked = st.dataframe(shown, column_order=_columns(BROWSE_TABLE, synthetic),
                          column_config=_synthetic_config(BROWSE_TABLE, synthetic),
                          hide_index=True, width="stretch", key="browse_table",
                          on_select="rerun", selection_mode="single-row")
    rows = picked.selection.rows if picked is not None else []
    row = shown.iloc[rows[0] if rows else 0]
    st.markdown("**Selected tweet** (click a row to read another one in full)"
                + (f" · *{schema.SYNTHETIC_LABEL}, not a real post*" if synthetic else ""))
    st.text(str(row["text"]))
    when = "unknown time" if pd.isna(row["created_at"]) else f"{row['created_at']:%d %b %Y %H:%M} UTC"
    left, right = st.columns([3, 1])
    left.caption(f"@{md_escape(str(row['author']))} · {when}")
    if synthetic:
        right.caption(":material/science: Made-up handle and id: no link.")
    else:
        right.link_button("Open on Twitter", str(row["url"]), icon=":material/open_in_new:")
    if len(table) > BROWSE_ROWS:
        st.caption(f"The first {BROWSE_ROWS:,} tweets by time are listed; the CSV below has all "
                   f"{len(table):,}.")


# ------------------------------------------------------------------------------ language

def language(c: Case, view: data.View) -> None:
    found = data.language(c.id, view)
    distinctive, frequencies = found.distinctive, found.frequencies
    clouds = data.word_clouds(c.id, view)
    st.subheader("What the hostile tweets said, and what the others said")
    left, right = st.columns(2)
    for col, stance, title in ((left, "hostile", "Hostile tweets"),
                               (right, "supportive", "Supportive tweets")):
        words = frequencies.get(stance, {})
        col.markdown(f"**{title}** · {len(words)} most frequent words")
        if words:
            col.image(clouds[stance], width="stretch",
                      caption=f"Word cloud of {title.lower()} (size = frequency)")
        else:
            col.info(f"No {title.lower()} in this view.")
    fig = charts.distinctive_terms(distinctive, title=f"#{c.hashtag}: words that set hostile "
                                   "tweets apart (log-odds, informative prior)")
    widgets.chart(fig, key="terms_chart", name=f"{c.id}-distinctive-terms",
                  provenance=c.provenance)
    st.caption("Right (orange): words far more typical of hostile tweets; left (blue): of the "
               "others. The case's own hashtag and brand words are left out.")


# ------------------------------------------------------------------------------ people

# Hashtags in the co-occurrence chart (the case's spin-offs are added when below the top).
SHOWN_TAGS: Final = 20

def people(c: Case, view: data.View) -> None:
    tables = data.people(c.id, view)
    st.subheader("Who carried the backlash")
    left, right = st.columns(2)
    with left:
        widgets.chart(charts.top_accounts(
            tables["posters"].head(15), account="account", count="tweets",
            title="Accounts that posted most", x_title="Tweets posted (retweets included)"),
            key="posters_chart", name=f"{c.id}-top-posters",
        provenance=c.provenance)
    with right:
        widgets.chart(charts.top_accounts(
            tables["amplified"].head(15), account="account", count="retweets_received",
            title="Accounts amplified most", x_title="Times retweeted in the archive",
            colour="#CC79A7"), key="amplified_chart", name=f"{c.id}-most-amplified",
        provenance=c.provenance)
    tags = tables["hashtags"]
    tags = tags.loc[~tags["is_focus"]].reset_index(drop=True)
    tags = tags.loc[(tags.index < SHOWN_TAGS) | tags["is_spinoff"]]  # spin-offs always shown
    widgets.chart(charts.hashtag_cooccurrence(
        tags, tag="hashtag", count="tweets", spinoff="is_spinoff",
        title=f"Hashtags used alongside #{c.hashtag} (spin-offs in orange)",
        x_title="Tweets carrying the tag"), key="hashtags_chart", name=f"{c.id}-hashtags",
        provenance=c.provenance)
    with st.expander("Top mentioned accounts"):
        st.dataframe(tables["mentions"], hide_index=True, width="stretch")


# ------------------------------------------------------------------------------ themes

THEME_TABLE: Final[dict[str, Any]] = {
    "name": st.column_config.TextColumn("Theme (top terms)"),
    "top_terms": st.column_config.TextColumn("More of its terms", width="large"),
    "share": st.column_config.ProgressColumn(
        "Share of tweets", help="share of the view's tweets whose dominant theme this is "
        "(a retweet counts for the text it repeats)", min_value=0.0, max_value=1.0,
        format="percent"),
    "tweets": st.column_config.NumberColumn("Tweets", format="%d"),
    "stability": st.column_config.ProgressColumn(
        "Found again", help="mean cosine similarity with the matched theme fitted on each of "
        "two random halves of the texts (1 = found again exactly)", min_value=0.0,
        max_value=1.0, format="%.2f"),
    "seeded": st.column_config.CheckboxColumn(
        "Seeded", help="started from the case's target terms (see Methods)"),
}


def themes(c: Case, view: data.View) -> None:
    st.subheader("What the crowd talked about, and when")
    try:
        found = data.theme_report(c.id, view)
    except BackfireError as err:
        st.info(md_escape(str(err)), icon=":material/info:")
        return
    names = list(found.themes["name"])
    fig = charts.theme_shares(found.over_time, names=names, events=data.events_frame(c),
                              launch=c.launch,
                              title=f"#{c.hashtag}: themes' share of tweets per "
                                    f"{widgets.duration_minutes(found.bin_size.total_seconds() / 60)}"
                              if found.bin_size is not None else f"#{c.hashtag}: themes over time")
    widgets.chart(fig, key="themes_chart", name=f"{c.id}-themes", provenance=c.provenance)
    st.dataframe(found.themes, column_order=list(THEME_TABLE), column_config=THEME_TABLE,
                 hide_index=True, width="stretch", key="themes_table")
    if found.stability is not None:
        st.caption(found.stability.describe() + " Themes are fitted once on the whole case "
                   "(NMF on the authored texts, seeded by the case's target terms) and named "
                   "by their top terms; the filters change the shares, not the themes.")
    widgets.csv_download(with_provenance(found.over_time, c.provenance),
                         file_name=f"{c.id}-themes-over-time.csv", key="export_themes",
                         label="Download the themes over time (CSV)")


# ------------------------------------------------------------------------------ network

def interaction_network(c: Case, view: data.View) -> None:
    st.subheader("Who interacted with whom")
    relation = st.segmented_control(
        "Relation", list(network.RELATIONS), default="retweet", key=state.RELATION,
        format_func=lambda k: network.RELATIONS[k].label, **state.BOUND) or "retweet"
    found = data.interaction_network(c.id, view, str(relation))
    spec = found.relation
    fig = charts.network(found.nodes, found.edges, labelled=network.LABELLED,
                         title=f"#{c.hashtag}: {spec.label.lower()} among the "
                               f"{len(found.nodes)} most active and most amplified accounts")
    widgets.chart(fig, key="network_chart", name=f"{c.id}-{spec.key}-network",
                  provenance=c.provenance)
    brand_note = ("The brand's account is the star." if found.nodes["brand"].any() else
                  f"@{md_escape(c.brand_account)} has no {spec.label.lower()} in this view.")
    brokers = ", ".join(f"@{md_escape(a)}" for a in
                        found.nodes.loc[found.nodes["broker"], "account"]) or "none"
    modularity = f" (modularity {found.modularity:.2f})" if found.modularity is not None else ""
    st.caption(f"{spec.description}. Whole network: {found.accounts:,} accounts, {found.links:,} "
               f"distinct links. Drawn: the {network.TOP_ACTIVE} most active and "
               f"{network.TOP_AMPLIFIED} most amplified accounts with a link among them; colours "
               f"are {found.communities} communities (Louvain){modularity}. Diamonds are the "
               f"brokers (highest betweenness): {brokers}. {brand_note}")
    left, right = st.columns(2)
    with left:
        st.download_button(
            f"Download the whole {spec.label.lower()} network (GEXF, for Gephi)",
            data=lambda: network_gexf(c, view, spec.key), file_name=f"{c.id}-{spec.key}-network.gexf",
            mime="application/gexf+xml", key="export_gexf", icon=":material/download:",
            on_click="ignore")
    with right:
        widgets.csv_download(with_provenance(found.nodes, c.provenance),
                             file_name=f"{c.id}-{spec.key}-accounts.csv", key="export_accounts",
                             label="Download the drawn accounts (CSV)")


def network_gexf(c: Case, view: data.View, relation: str) -> bytes:
    """The relation's whole edge list as GEXF, through the data export's writer."""
    table = data.filtered(c.id, view)
    edge_list = network.edges(table, relation)
    description = (f"#{c.hashtag}: {network.RELATIONS[relation].description}. "
                   + ("Reconstruction: synthetic accounts and tweets, not real."
                      if c.provenance == "reconstruction" else "Real archive."))
    return export_data.gexf(edge_list, directed=True, description=description,
                            node_tweets=network.node_tweets(table))


# ------------------------------------------------------------------------------ facts

# Characters kept as they are when a source address goes into a markdown link.
SAFE_URL_CHARS: Final = ":/?#[]@!$&'*+,;=%~-._"


def _source(url: str) -> str:
    """A markdown link to an http(s) source (address percent-quoted), or the text escaped."""
    link = widgets.web_link(url)
    if link is None:
        return md_escape(url) if url else "no source"
    return f"[source](<{urllib.parse.quote(link, safe=SAFE_URL_CHARS)}>)"


def fact_sheet(c: Case, view: data.View | None = None) -> None:
    """What is documented about the case (the same whatever the filters: ``view`` is unused).

    Facts and events are written out in full (a grid cut long values and notes); events are
    numbered as on the timeline's markers.
    """
    st.subheader("What is documented about this case")
    st.markdown(f"**The ask:** {md_escape(c.ask)}")
    st.markdown(md_escape(c.story))
    if c.facts:
        st.markdown("**Documented facts**")
        st.markdown("\n".join(
            f"- **{md_escape(f.label)}**: {md_escape(f.value)}"
            + (f" · *conflicting report:* {md_escape(f.conflict)}" if f.conflict else "")
            + f" · *{md_escape(f.confidence)}* · {_source(f.source_url)}" for f in c.facts))
        conflicts = [f for f in c.facts if f.conflict]
        if conflicts:
            st.warning("**Sources conflict** on " + "; ".join(
                f"{md_escape(f.label)} ({md_escape(f.value)} vs {md_escape(f.conflict)})"
                for f in conflicts))
    if c.events:
        st.markdown("**Timeline of events** (numbers as on the timeline's markers)")
        st.markdown("\n".join(
            f"{number}\\. **{e.time:%d %b %Y, %H:%M} UTC** · {md_escape(e.kind)} · "
            f"**{md_escape(e.label)}**" + (f": {md_escape(e.note)}" if e.note else "")
            + f" · *{md_escape(e.confidence)}* · {_source(e.source_url)}  "
            for number, e in enumerate(case_library.numbered_events(c), 1)))
    if not (c.facts or c.events):
        st.info("No documented facts or events for this case yet.")
    if c.caveats:
        st.markdown("**Caveats**")
        st.markdown("\n".join(f"- {md_escape(text)}" for text in c.caveats))
    if c.launch_assumed:
        st.caption("The launch time is assumed (see the caveats); time-based KPIs are measured "
                   "from it.")
