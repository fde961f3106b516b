"""Cached data access for the pages: every call is keyed by case id (+ library state) + params.

Big read-only tables (scored archives, filtered views) are held once per process with
``st.cache_resource`` (no copy per rerun: callers must not mutate them); small derived frames
(timelines, rankings, KPI dicts) go through ``st.cache_data``. Keys carry the data folder and
the modification times of what the result depends on (the library's case files for the case
list, a case's own file and archives for its tables), so saving, deleting or rebuilding, or
pointing ``BACKFIRE_DATA_DIR`` elsewhere, invalidates exactly what depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from analysis import cases as case_library
from analysis import measurements, pipeline, schema, story
from analysis.cases import Case
from analysis.metrics import (
    engagement,
    filters,
    kpis,
    network,
    readings,
    sampling,
    span,
    terms,
    themes,
    timeline,
)
from analysis.store import library, paths, samples

Stamp = tuple[str, tuple[tuple[str, int], ...]]


def stamp() -> Stamp:
    """The data folder and the saved cases' files with their modification times."""
    folder = paths.library_dir()
    files = tuple(sorted((str(p.relative_to(folder)), p.stat().st_mtime_ns)
                         for p in folder.glob(f"*/{case_library.CASE_FILE_NAME}")))
    return str(paths.data_dir()), files


@st.cache_data(show_spinner=False, max_entries=8)
def _cases(key: Stamp) -> dict[str, Case]:
    return case_library.load_cases()


def all_cases() -> dict[str, Case]:
    """Every case, bundled first then the user's library, by id."""
    return _cases(stamp())


def case(case_id: str) -> Case:
    """A case by id; ``<id>~sample`` is the case's real 1 % sample (its own dataset)."""
    if samples.is_sample_id(case_id):
        return _sample_case(case_id, sample_stamp(case_id))
    return all_cases()[case_id]


# --- the real 1 % sample of a case (python -m analysis streamgrab) ---------------------------

def sample_stamp(case_id: str) -> Stamp:
    """The sample's two files with their modification times: a new run of the command shows
    up at the next rerun, without a restart."""
    return str(paths.data_dir()), tuple((str(p), _mtime(p)) for p in samples.files(case_id))


def sample_available(case_id: str) -> bool:
    return samples.available(case_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _sample_case(case_id: str, key: Stamp) -> Case:
    return samples.sample_case(all_cases()[samples.base_id(case_id)])


@st.cache_data(show_spinner=False, max_entries=16)
def _sidecar(case_id: str, key: Stamp) -> dict[str, Any]:
    return samples.sidecar(case_id)


def sidecar(case_id: str) -> dict[str, Any]:
    """The sample's ``sampling.json``."""
    return _sidecar(samples.base_id(case_id), sample_stamp(case_id))


def sampling_rate(case_id: str) -> float:
    return float(sidecar(case_id).get("sampling", {}).get("rate", sampling.DEFAULT_RATE))


@st.cache_data(show_spinner=False, max_entries=32)
def _sampled_kpis(case_id: str, view: View, key: Stamp) -> dict[str, sampling.SampledKpi]:
    c = case(case_id)
    return sampling.sampled_kpis(case_kpis(case_id, view).values, filtered(case_id, view), c.launch,
                                 sampling_rate(case_id))


def sampled_kpis(case_id: str, view: View) -> dict[str, sampling.SampledKpi]:
    """The KPIs as the sample can tell them (estimates, intervals, "too few tweets")."""
    return _sampled_kpis(case_id, view, case_stamp(case_id))


@st.cache_data(show_spinner=False, max_entries=16)
def _side_by_side(case_id: str, key: Stamp, sample_key: Stamp) -> dict[str, pd.DataFrame]:
    c = case(case_id)
    sample_id = samples.sample_id(case_id)
    recon, real = scored(case_id), scored(sample_id)
    rate = sampling_rate(sample_id)
    return {"volume": sampling.volume_comparison(recon, real, c.launch, rate),
            "shares": sampling.share_comparison(recon, real),
            "terms": sampling.top_terms_comparison(recon, real, stopwords(c)),
            "reported": sampling.reported_vs_sample(
                list((c.reconstruction or {}).get("targets", [])), real, c.launch, rate)}


def side_by_side(case_id: str) -> dict[str, pd.DataFrame]:
    """Reconstruction vs real sample: volume, hostile shares, top terms, reported figures."""
    sample_id = samples.sample_id(case_id)
    return _side_by_side(case_id, case_stamp(case_id), case_stamp(sample_id))


def _mtime(path: Path | None) -> int:
    return path.stat().st_mtime_ns if path is not None and path.exists() else 0


def case_stamp(case_id: str) -> Stamp:
    """The data folder, the case file and its archives with their modification times: what a
    case's cached tables depend on (saving another case does not invalidate them)."""
    c = case(case_id)
    files = ((str(c.source), _mtime(c.source)),
             *((str(p), _mtime(p)) for p in c.archive_paths))
    return str(paths.data_dir()), files


def labels(cases: dict[str, Case]) -> dict[str, str]:
    """A unique display label per case id, also what the URL carries: ``#hashtag``, then
    ``#hashtag · brand`` when two cases share the hashtag, then `` (id)`` as a last resort."""
    def unique(make: Any, ids: list[str]) -> dict[str, str]:
        made = {cid: make(cases[cid], cid) for cid in ids}
        counts = pd.Series(list(made.values()), dtype=object).value_counts()
        return {cid: lbl for cid, lbl in made.items() if counts[lbl] == 1}

    ids = list(cases)
    out = unique(lambda c, _: f"#{c.hashtag}", ids)
    rest = [cid for cid in ids if cid not in out]
    out |= unique(lambda c, _: f"#{c.hashtag} · {c.brand}", rest)
    rest = [cid for cid in ids if cid not in out]
    out |= {cid: f"#{cases[cid].hashtag} · {cases[cid].brand} ({cid})" for cid in rest}
    return {cid: out[cid] for cid in ids}


@st.cache_resource(show_spinner="Loading and scoring the archive…", max_entries=12)
def _scored(case_id: str, key: Stamp) -> pipeline.Loaded:
    loaded = case(case_id) if samples.is_sample_id(case_id) else case_library.load_case(case_id)
    return pipeline.load(loaded)


def scored(case_id: str) -> pd.DataFrame:
    """The case's scored tweet table (shared, read-only)."""
    return _scored(case_id, case_stamp(case_id)).table


@st.cache_resource(show_spinner="Reading the case's words and themes…", max_entries=12)
def _summaries(case_id: str, key: Stamp) -> pipeline.Summaries:
    return pipeline.summaries(_scored(case_id, key))


def summaries(case_id: str) -> pipeline.Summaries:
    """The whole case's Language and Themes (``pipeline.summaries``: kept on disk beside the
    scored table, so a server's first open of those tabs reads them instead of computing)."""
    return _summaries(case_id, case_stamp(case_id))


@dataclass(frozen=True)
class View:
    """The page's filters as plain values (hashable, URL-friendly); hours since launch."""

    start_hours: float | None = None
    end_hours: float | None = None
    keyword: str = ""
    languages: tuple[str, ...] = ()
    stance: str = "all"
    include_retweets: bool = True
    platforms: tuple[str, ...] = ()

    def filters(self, launch: pd.Timestamp) -> filters.Filters:
        start, end = filters.window(launch, self.start_hours, self.end_hours)
        return filters.Filters(start=start, end=end, keyword=self.keyword or None,
                               languages=self.languages, stance=self.stance,
                               include_retweets=self.include_retweets, platforms=self.platforms)

    def describe(self) -> str:
        """The filters in words (for captions and export footers)."""
        parts = []
        if self.start_hours is not None or self.end_hours is not None:
            parts.append(f"hours {self.start_hours:g} to {self.end_hours:g} after launch")
        if self.keyword:
            parts.append(f"text contains “{self.keyword}”")
        if self.languages:
            parts.append("language " + ", ".join(self.languages))
        if self.stance != "all":
            parts.append(filters.STANCES[self.stance][0].lower())
        if not self.include_retweets:
            parts.append("retweets excluded")
        if self.platforms:
            parts.append("platform " + ", ".join(self.platforms))
        return "; ".join(parts) or "all tweets"


@st.cache_resource(show_spinner=False, max_entries=24)
def _filtered(case_id: str, view: View, key: Stamp) -> pd.DataFrame:
    return filters.apply(scored(case_id), view.filters(case(case_id).launch))


def filtered(case_id: str, view: View) -> pd.DataFrame:
    """The case's scored table with the view's filters applied (shared, read-only)."""
    return _filtered(case_id, view, case_stamp(case_id))


@st.cache_data(show_spinner=False, max_entries=128)
def _timeline(case_id: str, view: View, bin_size: str, window: span.Window | None,
              key: Stamp) -> pd.DataFrame:
    launch = case(case_id).launch
    table = filtered(case_id, view)
    if window is not None:
        start, end = window.times(launch)
        table = filters.apply(table, filters.Filters(start=start, end=end))
    return timeline.timeline(table, bin_size=bin_size, launch=launch)


def case_timeline(case_id: str, view: View, bin_size: str,
                  window: span.Window | None = None) -> pd.DataFrame:
    """The view's timeline in ``bin_size`` bins, only the tweets inside ``window`` if given."""
    return _timeline(case_id, view, bin_size, window, case_stamp(case_id))


@st.cache_data(show_spinner=False, max_entries=32)
def _period(case_id: str, key: Stamp) -> span.Period:
    return span.period(scored(case_id)["created_at"])


def period(case_id: str) -> span.Period:
    """Where the case's tweets are: dense period and stray tweets (``analysis.metrics.span``)."""
    return _period(case_id, case_stamp(case_id))


@st.cache_data(show_spinner=False, max_entries=64)
def _top_hostile(case_id: str, view: View, n: int, key: Stamp) -> pd.DataFrame:
    return engagement.top_hostile_posts(filtered(case_id, view), n)


def top_hostile(case_id: str, view: View, n: int = engagement.DEFAULT_TOP) -> pd.DataFrame:
    return _top_hostile(case_id, view, n, case_stamp(case_id))


def events_frame(c: Case) -> pd.DataFrame:
    """The case's events as a frame for ``analysis.charts.timeline``."""
    rows: list[dict[str, Any]] = [
        {"number": number, "time": e.time, "kind": e.kind, "label": e.label,
         "note": e.note + (f" (confidence: {e.confidence})" if e.confidence else ""),
         "source_url": e.source_url or "no source: see the fact sheet"}
        for number, e in enumerate(case_library.numbered_events(c), start=1)
    ]
    return pd.DataFrame(rows, columns=["number", "time", "kind", "label", "note", "source_url"])


def clear() -> None:
    """Forget every cached table (after the library changed on disk)."""
    _cases.clear()
    _scored.clear()
    _summaries.clear()
    _filtered.clear()


@st.cache_data(show_spinner=False, max_entries=64)
def _readings(case_id: str, view: View, key: Stamp) -> dict[str, str]:
    c, table = case(case_id), filtered(case_id, view)
    found = {"hostile_share": readings.hostile_share_gap(c, table),
             "mean_compound": readings.sentiment_gap(c, table),
             "hijack_vs_alert": readings.hijack_and_alert(case_kpis(case_id, view))}
    return {key: text for key, text in found.items() if text}


def case_readings(case_id: str, view: View) -> dict[str, str]:
    """How to read the headline numbers (``analysis.metrics.readings``), by topic."""
    return _readings(case_id, view, case_stamp(case_id))


@st.cache_data(show_spinner=False, max_entries=64)
def _kpis(case_id: str, view: View, key: Stamp) -> kpis.KpiReport:
    return kpis.for_case(case(case_id), filtered(case_id, view))


# (case id, stamp) whose unfiltered KPIs this server process has computed: their tables are
# loaded and scored. Pages ask before drawing, to show progress instead of a half-drawn page.
_READY: set[tuple[str, Stamp]] = set()


def case_kpis(case_id: str, view: View | None = None) -> kpis.KpiReport:
    """Every KPI of the case (of the filtered view when given)."""
    stamp_ = case_stamp(case_id)
    report = _kpis(case_id, view or View(), stamp_)
    _READY.add((case_id, stamp_))
    return report


def kpis_ready(case_id: str) -> bool:
    """Whether ``case_kpis(case_id)`` is already computed (no loading or scoring to wait for)."""
    return (case_id, case_stamp(case_id)) in _READY


def stopwords(c: Case) -> frozenset[str]:
    return terms.stopwords_of(c)


@st.cache_data(show_spinner=False, max_entries=64)
def _language(case_id: str, view: View, key: Stamp) -> terms.Language:
    return terms.language(filtered(case_id, view), stopwords=stopwords(case(case_id)))


def language(case_id: str, view: View) -> terms.Language:
    """Distinctive terms of hostile vs other tweets and word frequencies per stance (of the
    whole case: the stored summary; of a filtered view: computed)."""
    if view == View():
        return summaries(case_id).language
    return _language(case_id, view, case_stamp(case_id))


@st.cache_data(show_spinner=False, max_entries=64)
def _people(case_id: str, view: View, key: Stamp) -> dict[str, pd.DataFrame]:
    c = case(case_id)
    table = filtered(case_id, view)
    return {"posters": terms.top_posters(table), "amplified": terms.most_amplified(table),
            "mentions": terms.top_mentions(table),
            "hashtags": terms.hashtags(table, c.hashtag, spinoffs=c.spinoff_hashtags)}


def people(case_id: str, view: View) -> dict[str, pd.DataFrame]:
    """Top posters, most amplified, top mentioned accounts, and hashtags (spin-offs marked)."""
    return _people(case_id, view, case_stamp(case_id))


@st.cache_data(show_spinner=False, max_entries=16)
def _clouds(frequencies: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]) -> dict[str, bytes]:
    return pipeline.word_clouds({stance: dict(words) for stance, words in frequencies})


def word_clouds(case_id: str, view: View) -> dict[str, bytes]:
    """The Language tab's word clouds (PNG) by stance: of the whole case, the stored ones
    (``summaries``); of a filtered view, drawn from its frequencies."""
    if view == View():
        return summaries(case_id).clouds
    found = language(case_id, view).frequencies
    return _clouds(tuple((stance, tuple(sorted(words.items())))
                         for stance, words in sorted(found.items())))


@st.cache_data(show_spinner=False, max_entries=32)
def _facets(case_id: str, key: Stamp) -> tuple[list[str], pd.Timestamp | None, pd.Timestamp | None]:
    table = scored(case_id)
    times = table["created_at"].dropna()
    first = times.min() if len(times) else None
    last = times.max() if len(times) else None
    return [code for code, _ in filters.languages(table)], first, last


def platforms(case_id: str) -> list[tuple[str, int]]:
    """The case's platforms with their post counts, most frequent first."""
    return filters.platforms(scored(case_id))


@st.cache_data(show_spinner=False, max_entries=8)
def _saved_platforms(key: Stamp) -> dict[str, tuple[str, ...]]:
    return {entry.case_id: entry.platforms for entry in library.list_cases()}


def saved_platforms(case_id: str) -> tuple[str, ...]:
    """Where a case's posts come from, as its library metadata records it (no table is
    loaded): the bundled cases and their samples are X only."""
    return _saved_platforms(stamp()).get(case_id, ("x",))


def platform_names(found: tuple[str, ...] | list[str]) -> str:
    """``X (Twitter), Bluesky`` for the platforms' keys."""
    return ", ".join(schema.PLATFORMS.get(p, schema.PLATFORMS["other"]).label for p in found)


def x_only_notes(found: tuple[str, ...] | list[str]) -> list[str]:
    """What the retweet, reply and follower views mean on each platform that is not X."""
    return list(dict.fromkeys(schema.PLATFORMS.get(p, schema.PLATFORMS["other"]).x_only_note
                              for p in found if p != "x"))


def facets(case_id: str) -> tuple[list[str], pd.Timestamp | None, pd.Timestamp | None]:
    """(language codes, most frequent first; first and last tweet time) of the whole case."""
    return _facets(case_id, case_stamp(case_id))


def theme_model(case_id: str) -> themes.Fitted:
    """The case's themes, fitted on the whole case (so filters do not change what a theme
    is), each row's theme, and the themes' stability (shared, read-only); raises
    ``BackfireError`` when the case has too few texts."""
    return summaries(case_id).fitted()


@st.cache_data(show_spinner=False, max_entries=64)
def _theme_report(case_id: str, view: View, key: Stamp) -> themes.ThemeReport:
    return themes.report(filtered(case_id, view), theme_model(case_id),
                         launch=case(case_id).launch)


def theme_report(case_id: str, view: View | None = None) -> themes.ThemeReport:
    """Each theme's share of the view's tweets, and its share over time."""
    return _theme_report(case_id, view or View(), case_stamp(case_id))


@st.cache_data(show_spinner="Drawing the network…", max_entries=32)
def _network(case_id: str, view: View, relation: str, key: Stamp) -> network.Network:
    return network.network(filtered(case_id, view), relation,
                           brand_account=case(case_id).brand_account)


def interaction_network(case_id: str, view: View, relation: str) -> network.Network:
    """The view's retweet, reply or mention network among its most active and most amplified
    accounts, with communities and brokers."""
    return _network(case_id, view, relation, case_stamp(case_id))


def _chapter(case_id: str, phase: str) -> case_library.Chapter:
    return next(ch for ch in case(case_id).chapters if ch.phase == phase)


@st.cache_data(show_spinner=False, max_entries=128)
def _chapter_numbers(case_id: str, phase: str, key: Stamp
                     ) -> tuple[story.Number, story.Number | None, pd.DataFrame]:
    c, chapter = case(case_id), _chapter(case_id, phase)
    table, report = scored(case_id), case_kpis(case_id)
    return (story.headline(table, c, chapter, report), story.reveal(table, c, chapter, report),
            story.posts(table, c, chapter))


def chapter_numbers(case_id: str, phase: str) -> tuple[story.Number, story.Number | None, pd.DataFrame]:
    """A story chapter's one number, the answer to its prompt, and its few posts."""
    return _chapter_numbers(case_id, phase, case_stamp(case_id))


@st.cache_data(show_spinner=False, max_entries=4)
def _glossary(mtime: int) -> tuple[story.Term, ...]:
    return story.load_glossary()


def glossary() -> tuple[story.Term, ...]:
    return _glossary(_mtime(story.GLOSSARY_FILE))


@st.cache_data(show_spinner=False, max_entries=4)
def _measurements(key: tuple[tuple[str, int], ...]) -> list[measurements.Measurement]:
    return measurements.load()


def benchmark_results() -> list[measurements.Measurement]:
    """The benchmarks' committed results (re-read when a file changes)."""
    files = sorted(measurements.RESULTS_DIR.glob("*.json"))
    return _measurements(tuple((p.name, p.stat().st_mtime_ns) for p in files))
