"""Fill the post-mortem content model from the engine, for one case or a comparison.

``build(cases, filters)`` is what every export renders: the deck, the HTML report and the PDF
all say what this returns. The cases come loaded and scored from ``analysis.pipeline``; their
tables are filtered here (``analysis.metrics.filters``) and the filters are written into
every footer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd
import plotly.graph_objects as go

from analysis import charts, pipeline, schema
from analysis.cases import Case, Event
from analysis.errors import BackfireError, ExportError
from analysis.exports import data
from analysis.exports.model import (
    CaseContent,
    Cloud,
    Kpi,
    Post,
    Report,
    Source,
    Speed,
    ThemeRow,
    Themes,
)
from analysis.metrics import alerts, engagement, filters, kpis, span, terms, themes, timeline
from analysis.nlp import evaluation, sentiment
from analysis.pipeline import Loaded

# Posts listed per case (the deck shows the first five; the report all of them).
TOP_POSTS: Final = 10
# Extra posts fetched so that dropping the brand's own posts still leaves TOP_POSTS.
BRAND_POSTS_SLACK: Final = 10
# Distinctive terms per side in the terms chart.
TOP_TERMS: Final = 12
STORY_BULLETS: Final = 5
# Longest word drawn in a word cloud (longer "words" are URLs or keyboard mashing).
MAX_CLOUD_WORD: Final = 30
# The story in five bullets: the ask, then the first event of each group (in time order),
# then the case's one-line outcome. Groups without an event are filled with facts.
STORY_GROUPS: Final[tuple[tuple[str, ...], ...]] = (
    ("hostile_wave", "amplifier"),
    ("trend", "milestone", "spinoff", "media"),
    ("brand_response", "cancellation"),
)
LAUNCH_KINDS: Final[tuple[str, ...]] = ("ask", "teaser")
# Observations from the data that complete a story short of events and facts.
STORY_OBSERVATIONS: Final[tuple[tuple[tuple[str, ...], str], ...]] = (
    (("tweets", "unique_authors"), "In the data: {tweets} tweets by {unique_authors} accounts."),
    (("peak_hourly_rate", "peak_time"), "Volume peaked at {peak_hourly_rate} ({peak_time})."),
    (("hostile_share", "hostile_engagement_share"),
     "{hostile_share} of the tweets were hostile; hostile posts captured "
     "{hostile_engagement_share} of the engagement."),
)
# Event markers on a timeline: more than six labels overlap on a slide-sized chart. Kinds in
# the order they are kept (the story's turning points first).
MAX_CHART_EVENTS: Final = 6
EVENT_PRIORITY: Final[dict[str, int]] = {kind: rank for rank, kind in enumerate((
    "ask", "hostile_wave", "brand_response", "cancellation", "amplifier", "trend",
    "spinoff", "milestone", "media", "brand_action", "teaser", "fade"))}
# Hours since launch shown when comparing: the run-up and three days after, where the
# bundled backfires rise and fade (a reader can still zoom out in the HTML report).
COMPARE_HOURS: Final = (-6.0, 72.0)
# Lessons (a comparison only) name the KPIs whose registry entry shows in ``kpis.LESSON``.
MAX_LESSONS: Final = 5
NOTICE: Final = ("{tags}: synthetic reconstruction{s} made by Backfire's generator, calibrated to "
                 "published figures (sources under Methods). No real tweet is reproduced.")
NO_FILTERS: Final = "Filters: none (all tweets)"
THEMES_NOTE: Final = ("Themes: non-negative matrix factorisation of the authored texts (TF-IDF), "
                      "seeded by the case's target terms and fitted once on the whole case; "
                      "each is named by its top terms; shares are of the themed tweets in "
                      "this selection.")
ALERT_BAR_OPACITY: Final = 0.45


def build(items: Sequence[Loaded], selection: filters.Filters | None = None, *,
          generated_at: pd.Timestamp | None = None) -> Report:
    """The post-mortem of ``items`` (one case, or several compared) under ``selection``."""
    if not items:
        raise ExportError("choose at least one case to export")
    selection = selection or filters.Filters()
    tables = [filters.apply(item.table, selection) for item in items]
    if not any(len(t) for t in tables):
        raise ExportError(f"no tweet matches the filters ({describe(selection)}): nothing to export")
    reports = [kpis.for_case(item.case, table) for item, table in zip(items, tables, strict=True)]
    cases = tuple(_case(item, table, report)
                  for item, table, report in zip(items, tables, reports, strict=True))
    tags = [c.hashtag for c in cases]
    return Report(
        title=f"Post-mortem: {' vs '.join(tags)}" if len(tags) > 1 else f"Post-mortem: {tags[0]}",
        cases=cases,
        kpis=_kpi_rows(reports),
        lessons=lessons(cases, reports),
        methods=_methods(tables),
        accuracy=accuracy(),
        notice=notice(items),
        filters=describe(selection),
        generated_at=generated_at or pd.Timestamp.now(tz="UTC").floor("min"),
        comparison=_comparison(items, tables) if len(items) > 1 else (),
    )


def data_zip(items: Sequence[Loaded], selection: filters.Filters | None = None) -> bytes:
    """The data exports of ``items`` under ``selection`` as one zip (``analysis.exports.data``)."""
    selection = selection or filters.Filters()
    tables = {item.case.id: filters.apply(item.table, selection) for item in items}
    reports = {item.case.id: kpis.for_case(item.case, tables[item.case.id]) for item in items}
    provenance = {item.case.id: item.case.provenance for item in items}
    extra = [line for line in (notice(items),) if line]
    found = {item.case.id: theme_report(item, tables[item.case.id]) for item in items}
    return data.bundle(tables, reports, filters=describe(selection), provenance=provenance,
                       notes=extra, themes={k: v for k, v in found.items() if v is not None}
                       ).to_zip()


# --- one case -------------------------------------------------------------------------------

def _case(item: Loaded, table: pd.DataFrame, report: kpis.KpiReport) -> CaseContent:
    """``table``: the case's tweets under the filters (the themes are fitted on the whole case,
    as on screen, and reported on ``table``)."""
    case = item.case
    dated = table["created_at"].dropna()
    stop = terms.stopwords_of(case)
    clouds = terms.stance_frequencies(table, stopwords=stop) if "hostile" in table else {}
    return CaseContent(
        case_id=case.id,
        hashtag=hashtag(case),
        brand=case.brand,
        provenance=case.provenance,
        start=dated.min() if len(dated) else None,
        end=dated.max() if len(dated) else None,
        tweets=len(table),
        story=story(case, report),
        timeline=_timeline(case, table),
        speed=_speed(case, table, report),
        posts=top_posts(table, brand_account=case.brand_account,
                        synthetic=case.provenance == schema.SYNTHETIC_PROVENANCE),
        terms=charts.distinctive_terms(
            terms.distinctive_terms(table, stopwords=stop, top=TOP_TERMS), top=TOP_TERMS,
            title=f"Distinctive terms of hostile vs other tweets, {hashtag(case)}"),
        clouds=(Cloud("Hostile tweets", _cloud_words(clouds.get("hostile", {})), hostile=True),
                Cloud("Supportive tweets", _cloud_words(clouds.get("supportive", {})),
                      hostile=False)),
        sources=sources(case),
        caveats=tuple(case.caveats),
        events=tuple(event_caption(case, e) for e in key_events(case)),
        themes=case_themes(item, table),
    )


def theme_report(item: Loaded, table: pd.DataFrame) -> themes.ThemeReport | None:
    """The case's themes on ``table`` (a filtered part of ``item.table``), or None with too few
    texts. They are fitted once on the whole case, as on screen: the stored summaries
    (``pipeline.summaries``), computed and stored on the first export of a case."""
    try:
        fitted = pipeline.summaries(item).fitted()
    except BackfireError:
        return None
    return themes.report(table, fitted, launch=item.case.launch)


def case_themes(item: Loaded, table: pd.DataFrame) -> Themes | None:
    """The themes section of a case: shares over time, stability, one row per theme."""
    case = item.case
    found = theme_report(item, table)
    if found is None:
        return None
    names = list(found.themes["name"])
    rows = tuple(ThemeRow(str(r.name), str(r.top_terms),
                          "—" if pd.isna(r.share) else f"{r.share:.0%}",
                          "—" if pd.isna(r.stability) else f"{r.stability:.2f}")
                 for r in found.themes.itertuples())
    note = THEMES_NOTE + (" " + found.stability.describe() if found.stability else "")
    return Themes(
        shares=charts.theme_shares(found.over_time, names=names, launch=case.launch,
                                   title=f"Each theme's share of the themed tweets, {hashtag(case)}"),
        stability=charts.theme_stability(
            found.themes, halves=found.stability.halves if found.stability else None,
            title=f"How stable are the themes of {hashtag(case)}?"),
        rows=rows, note=note)


def _cloud_words(frequencies: Mapping[str, int]) -> dict[str, int]:
    """Cloud words short enough to draw (a 6,000-letter "word" makes wordcloud crawl)."""
    return {w: n for w, n in frequencies.items() if len(w) <= MAX_CLOUD_WORD}


def hashtag(case: Case) -> str:
    return case.hashtag if case.hashtag.startswith("#") else f"#{case.hashtag}"


def story(case: Case, report: kpis.KpiReport | None = None) -> tuple[str, ...]:
    """Five bullets from the case's events and facts: ask, hijack, spread, reaction, outcome.

    A case with too few events and facts (an archive without a case file) gets observations
    from its KPIs (``report``) in the free places.
    """
    events = sorted(case.events, key=lambda e: e.time)
    launch = next((e for e in events if e.kind in LAUNCH_KINDS), None)
    assumed = " (launch time assumed)" if case.launch_assumed else ""
    first = (f"{case.launch:%d %b %Y, %H:%M} UTC{assumed}: @{case.brand_account} launched "
             f"{hashtag(case)}. The ask: {case.ask}")
    picked: list[Event] = []
    for kinds in STORY_GROUPS:
        found = next((e for e in events if e.kind in kinds and e is not launch), None)
        if found is not None:
            picked.append(found)
    middle = [_event_bullet(case, e) for e in sorted(picked, key=lambda e: e.time)]
    middle += [f"{f.label}: {f.value}" for f in case.facts]
    middle += _observed(report) if report is not None else []
    return (first, *middle[: STORY_BULLETS - 2], f"Outcome: {case.story}")


def _observed(report: kpis.KpiReport) -> list[str]:
    """The data's own story, for cases without enough documented events and facts."""
    values = report.values
    out = []
    for keys, template in STORY_OBSERVATIONS:
        if all(_known(values.get(k)) for k in keys):
            out.append(template.format(**{k: kpis.format_value(k, values.get(k)) for k in keys}))
    return out


def _known(value: Any) -> bool:
    return isinstance(value, pd.Timestamp) or _number(value) is not None


def _event_bullet(case: Case, event: Event) -> str:
    return f"{_offset(case, event)}: {event.label}" + (f" ({event.note})" if event.note else "")


def event_caption(case: Case, event: Event) -> str:
    """An event marker explained: ``▼ 22 Apr 19:22 UTC (+87 min): label``."""
    return f"▼ {event.time:%d %b %H:%M} UTC ({_offset(case, event)}): {event.label}"


def _offset(case: Case, event: Event) -> str:
    return kpis.format_offset(case.hours_since_launch(event.time))


def key_events(case: Case, limit: int = MAX_CHART_EVENTS) -> list[Event]:
    """At most ``limit`` events for a static chart, the most telling kinds first, in time order."""
    ranked = sorted(case.events, key=lambda e: (EVENT_PRIORITY.get(e.kind, len(EVENT_PRIORITY)),
                                                e.time))
    return sorted(ranked[:limit], key=lambda e: e.time)


def _events_frame(case: Case) -> pd.DataFrame:
    return pd.DataFrame([{"time": e.time, "kind": e.kind, "label": e.label, "note": e.note,
                          "source_url": e.source_url} for e in key_events(case)],
                        columns=["time", "kind", "label", "note", "source_url"])


def chart_window(case: Case, table: pd.DataFrame) -> span.Window:
    """The hours a case's timeline shows: the dashboard's default window (``analysis.metrics.
    span``) over the exported tweets, so slide and screen show the same hours."""
    return span.chart_window(span.period(table["created_at"]), case.launch)


def _timeline(case: Case, table: pd.DataFrame) -> go.Figure:
    title = f"{hashtag(case)}: volume, hostility and sentiment"
    if table["created_at"].notna().sum() == 0:
        return charts.empty_figure(title, "No dated tweets in this selection.")
    window = chart_window(case, table)
    size = span.bin_for(window)
    start, end = window.times(case.launch)
    shown = filters.apply(table, filters.Filters(start=start, end=end))
    frame = timeline.timeline(shown, bin_size=size, launch=case.launch)
    return charts.timeline(frame, events=_events_frame(case), launch=case.launch,
                           title=f"{title} ({size} bins)", bin_label=size,
                           window=(window.start, window.end), min_tweets=span.MIN_SHARE_TWEETS)


def _speed(case: Case, table: pd.DataFrame, report: kpis.KpiReport) -> Speed:
    hijack = report.values.get("time_to_hijack_minutes")
    latency = report.values.get("response_latency_hours")
    sentence = report.alert.sentence() if report.alert else charts.NO_ALERT_REPLAY
    figure = charts.case_alert_replay(report, title=f"Alert replay, {hashtag(case)}")
    # The volume bars sit on the secondary axis, drawn above the share line: let it show.
    figure.update_traces(opacity=ALERT_BAR_OPACITY, selector={"type": "bar"})
    return Speed(
        time_to_hijack_minutes=_number(hijack),
        alert_fired_minutes=_number(report.values.get("alert_fired_minutes")),
        response_latency_hours=_number(latency),
        sentence=sentence,
        alert=figure,
    )


def top_posts(table: pd.DataFrame, n: int = TOP_POSTS, *,
              brand_account: str | None = None, synthetic: bool = False) -> tuple[Post, ...]:
    """The ``n`` most engaged hostile posts (retweets collapsed onto their original).

    The brand's own posts are left out: a post cannot attack the brand that wrote it, so a
    classifier calling one hostile is wrong (an ask full of target terms, for instance).
    """
    if "hostile" not in table.columns:
        return ()
    frame = engagement.top_hostile_posts(table, n + BRAND_POSTS_SLACK)
    if brand_account:
        own = frame["author"].fillna("").str.lower() == brand_account.lower().lstrip("@")
        frame = frame.loc[~own.to_numpy(dtype=bool)]
    return tuple(
        Post(author=_text(row.author), created_at=_time(row.created_at) or _time(row.first_seen),
             text=_text(row.text), engagement=_int(row.engagement), kind=_text(row.kind),
             url=None if synthetic else _text(row.url),
             hostile_prob=_number(getattr(row, "hostile_prob", None)), synthetic=synthetic)
        for row in frame.head(n).itertuples(index=False)
    )


def sources(case: Case) -> tuple[Source, ...]:
    """The case's facts with their sources, then the sources of its events not yet cited."""
    out = [Source(f.label, f.value, f.source_url, f.confidence) for f in case.facts]
    cited = {s.url for s in out}
    for event in case.events:
        if event.source_url and event.source_url not in cited:
            out.append(Source(event.label, f"{event.time:%Y-%m-%d %H:%M} UTC",
                              event.source_url, event.confidence))
            cited.add(event.source_url)
    return tuple(out)


# --- across cases ---------------------------------------------------------------------------

def _kpi_rows(reports: Sequence[kpis.KpiReport]) -> tuple[Kpi, ...]:
    return tuple(
        Kpi(spec, tuple(kpis.format_value(key, r.values.get(key)) for r in reports))
        for key, spec in kpis.KPIS.items()
    )


def lessons(cases: Sequence[CaseContent], reports: Sequence[kpis.KpiReport]) -> tuple[str, ...]:
    """What separates compared cases: the KPIs whose values spread most across them, and the
    case where a listening alert would have bought the brand the most time. One case has
    nothing to separate (its figures are on the speed and KPI pages): no lessons."""
    if len(cases) < 2:
        return ()
    lead = _alert_lead(cases)
    return tuple([*_separating(cases, reports), *([lead] if lead else [])])


def _separating(cases: Sequence[CaseContent], reports: Sequence[kpis.KpiReport]) -> list[str]:
    spreads: list[tuple[float, str]] = []
    for key in kpis.shown_in(kpis.LESSON):
        values = [(_number(r.values.get(key)), c.hashtag) for r, c in zip(reports, cases, strict=True)]
        known = [(v, tag) for v, tag in values if v is not None]
        if len(known) < 2:
            continue
        low, high = min(known), max(known)
        if high[0] <= 0 or high[0] == low[0]:
            continue
        spread = (high[0] - low[0]) / abs(high[0])
        label = kpis.KPIS[key].label
        spreads.append((spread, f"{label} separates the cases: from {kpis.format_value(key, low[0])} "
                                f"({low[1]}) to {kpis.format_value(key, high[0])} ({high[1]})."))
    spreads.sort(key=lambda pair: -pair[0])
    return [text for _, text in spreads[:MAX_LESSONS - 1]]


def _alert_lead(cases: Sequence[CaseContent]) -> str | None:
    """Which brand a listening alert would have helped most, and which reacted before it."""
    leads = {c.hashtag: c.speed.response_latency_hours - c.speed.alert_fired_minutes / 60.0
             for c in cases if c.speed.alert_fired_minutes is not None
             and c.speed.response_latency_hours is not None}
    if not leads:
        return None
    best = max(leads, key=lambda tag: leads[tag])
    early = [tag for tag, lead in leads.items() if lead <= 0]
    if leads[best] <= 0:
        return f"Every brand with a documented reaction reacted before the alert rule would have fired ({', '.join(early)})."
    text = (f"A listening alert would have bought {best} the most time: {leads[best]:.1f} h "
            f"before its first documented reaction.")
    if early:
        text += f" {', '.join(early)} reacted before the alert would have fired."
    return text


def _comparison(items: Sequence[Loaded], tables: Sequence[pd.DataFrame]) -> tuple[go.Figure, ...]:
    size = _compare_bin(tables)
    frames = {hashtag(item.case): timeline.timeline(table, bin_size=size, launch=item.case.launch)
              for item, table in zip(items, tables, strict=True)
              if table["created_at"].notna().any()}
    volume = charts.compare_curves(frames, y="tweets", normalise=True,
                                   title=f"Volume ({size} bins), each case relative to its own peak",
                                   y_title="Share of the case's peak bin")
    hostile = charts.compare_curves(frames, y="hostile_share_smooth", percent=True,
                                    title=f"Hostile share of tweets ({size} bins, smoothed)",
                                    y_title="Hostile share")
    for figure in (volume, hostile):
        figure.update_xaxes(range=list(COMPARE_HOURS))
    return volume, hostile


def _compare_bin(tables: Sequence[pd.DataFrame]) -> str:
    """One bin width for every curve, chosen by the span rule over the window shown."""
    return span.bin_for(span.Window(*COMPARE_HOURS))


def _methods(tables: Sequence[pd.DataFrame]) -> tuple[str, ...]:
    scoring: Mapping[str, Any] = next((t.attrs.get("scoring", {}) for t in tables
                                       if t.attrs.get("scoring")), {})
    threshold = scoring.get("threshold")
    cut = f" (threshold {float(threshold):.2f}, chosen on validation data)" if threshold else ""
    return (
        sentiment_method(scoring),
        "Hostility: probability that a tweet attacks the brand or the campaign, combining VADER, "
        f"an offensive-language model (alt-profanity-check), the case's target terms and "
        f"sarcasm cues{cut}.",
        "Top posts: ranked by retweets + likes + replies + quotes, retweets collapsed onto their "
        "original; capture-time zeros fall back to in-archive counts; the brand's own posts are "
        "left out.",
        f"Alert replay: {alerts.AlertRule().describe()}, replayed minute by minute.",
        "KPI definitions are in the notes of the KPI slide and under Key figures in the report.",
    )


def sentiment_method(scoring: Mapping[str, Any]) -> str:
    """How the tables' sentiment labels were made, from the scoring settings the tables carry
    (the model the app used), so an export never describes other labels than the screen's."""
    base = "Sentiment: NLTK VADER compound score (−1 to 1) with emoji handling; "
    if scoring.get("sentiment_model"):
        return (base + "negative / neutral / positive labels from a small model on VADER's "
                "scores and a valence learnt from human-rated tweets (accuracy under Methods).")
    low, high = sentiment.thresholds()
    return base + f"labels from thresholds on compound chosen on validation data (negative ≤ " \
                  f"{low:g}, positive ≥ {high:g})."


def accuracy() -> tuple[str, ...]:
    """The measured classifier accuracy, from ``data/evaluation.json``."""
    rows = evaluation.rows(evaluation.load_results())
    if not rows:
        return ("Classifier accuracy not measured yet: run `python -m analysis evaluate`.",)
    return tuple(f"{r['dataset']}: {r['metric']} {r['ours']:.3f} (n={r['n']:,})" for r in rows
                 if r.get("ours") is not None)


def notice(items: Sequence[Loaded]) -> str:
    tags = [hashtag(i.case) for i in items if i.case.provenance == "reconstruction"]
    if not tags:
        return ""
    return NOTICE.format(tags=", ".join(tags), s="s" if len(tags) > 1 else "")


def describe(selection: filters.Filters) -> str:
    """The filters as one footer line, so a reader knows what they are looking at."""
    if selection.is_default():
        return NO_FILTERS
    parts: list[str] = []
    if selection.start is not None or selection.end is not None:
        start = "start" if selection.start is None else f"{pd.Timestamp(selection.start):%Y-%m-%d %H:%M}"
        end = "end" if selection.end is None else f"{pd.Timestamp(selection.end):%Y-%m-%d %H:%M}"
        parts.append(f"time {start} to {end} UTC")
    if selection.keyword and selection.keyword.strip():
        parts.append(f'keyword "{selection.keyword.strip()}"')
    if selection.languages:
        parts.append("language " + ", ".join(selection.languages))
    if selection.stance != "all":
        parts.append(f"stance: {filters.STANCES[selection.stance][0]}")
    if not selection.include_retweets:
        parts.append("retweets excluded")
    return "Filters: " + "; ".join(parts)


# --- value helpers --------------------------------------------------------------------------

def _number(value: Any) -> float | None:
    if value is None or value is pd.NA or isinstance(value, pd.Timestamp):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _text(value: Any) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def _time(value: Any) -> pd.Timestamp | None:
    if value is None or value is pd.NA or pd.isna(value):
        return None
    return pd.Timestamp(value)

