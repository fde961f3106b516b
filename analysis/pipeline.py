"""The pipeline in one place: "a case id, a case file or an archive" -> its case, the scored
table, the loader's report and the KPIs. The CLI, the exports and the dashboard all start here.

    archive --ingest.loaders--> canonical table --nlp.scoring--> scores --metrics.kpis--> KPIs
                        (scored tables kept by store.cache, keyed by input, code and settings)

An archive without a case file becomes a case of its own (``archive_case``): named after the
file, real data, launch assumed at the first tweet, so every caller names it, dates it and
notes it the same way.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import cases, charts
from analysis.cases import Case
from analysis.errors import BackfireError, CaseError, ExportError
from analysis.ingest import loaders
from analysis.metrics import alerts, kpis, terms, themes
from analysis.metrics.themes import Fitted
from analysis.nlp import scoring
from analysis.store import cache
from analysis.store import summaries as summary_store
from analysis.store.cache import Scored

# The CLI's word for "every case in the library".
ALL = "all"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """A case with its scored table and the loader's report (None for a table given in memory)."""

    case: Case
    table: pd.DataFrame
    report: dict[str, Any] | None = None
    key: str | None = None  # the score cache's key of the table (None: not from the cache)

    def kpis(self, alert_rule: alerts.AlertRule | None = None) -> kpis.KpiReport:
        """Every KPI of the case (``analysis.metrics.kpis``)."""
        return kpis.for_case(self.case, self.table, alert_rule=alert_rule)


def load(target: str | Path | Case, *, threshold: float | None = None) -> Loaded:
    """A case id, a case file (.toml), an archive file or a ``Case``, loaded and scored (cached)."""
    if isinstance(target, Case):
        return _loaded(target, scored_case_result(target, threshold=threshold))
    path = Path(target)
    if path.is_file() and path.suffix != ".toml":
        scored = scored_archive(path, threshold=threshold)
        return Loaded(archive_case(path, scored.table), scored.table, scored.report, scored.key)
    return load(cases.load_case(str(target)), threshold=threshold)


def load_all(*, threshold: float | None = None) -> dict[str, Loaded]:
    """Every case of the library (bundled first), by id."""
    return {case_id: load(case, threshold=threshold)
            for case_id, case in cases.load_cases().items()}


def archive_case(path: Path, table: pd.DataFrame) -> Case:
    """A minimal case for an archive that has no case file (launch = first tweet, assumed)."""
    dated = table["created_at"].dropna()
    if dated.empty:
        raise ExportError(f"{path.name}: the archive holds no dated tweets")
    name = path.name.split(".")[0] or "archive"
    return cases.case_from_dict({
        "id": name, "hashtag": name, "brand": f"archive {path.name}", "brand_account": "unknown",
        "launch": dated.min().to_pydatetime(), "launch_assumed": True,
        "ask": "unknown (no case file: the launch is assumed at the first tweet)",
        "story": f"Tweets read from {path.name}.", "provenance": "real",
        "caveats": ["No case file: the launch is assumed at the first tweet in the archive."],
    })


# --- load and score, through the cache ----------------------------------------------------------

def scored_table(table: pd.DataFrame, *, cue_terms: Sequence[str] = (),
                 threshold: float | None = None,
                 report: dict[str, Any] | None = None) -> Scored:
    """Score a canonical table in memory, through the cache (keyed by its content)."""
    key = cache.cache_key(cache.table_hash(table), threshold=threshold, cue_terms=cue_terms)
    return _through_cache(key, lambda: (table, report), cue_terms, threshold)


def scored_archive(files: str | Path | Sequence[str | Path], *, cue_terms: Sequence[str] = (),
                   threshold: float | None = None, fmt: str | None = None,
                   mapping: dict[str, str] | None = None) -> Scored:
    """Load (``analysis.ingest.loaders.load``) and score archive files, through the cache."""
    items = [files] if isinstance(files, str | Path) else list(files)
    extra = json.dumps({"fmt": fmt, "mapping": mapping}, sort_keys=True)
    key = cache.cache_key(cache.file_hash(items) + extra, threshold=threshold, cue_terms=cue_terms)

    def produce() -> tuple[pd.DataFrame, dict[str, Any] | None]:
        result = loaders.load(items if len(items) != 1 else items[0], fmt=fmt, mapping=mapping)
        return result.table, result.report.to_dict()

    return _through_cache(key, produce, cue_terms, threshold)


def scored_case(case: Case, *, threshold: float | None = None,
                cue_terms: Sequence[str] | None = None) -> pd.DataFrame:
    """A case's archive, loaded and scored with its target terms (or ``cue_terms``), cached."""
    return scored_case_result(case, threshold=threshold, cue_terms=cue_terms).table


def scored_case_result(case: Case, *, threshold: float | None = None,
                       cue_terms: Sequence[str] | None = None) -> Scored:
    """Like ``scored_case``, with the load report and the cache key."""
    files = list(case.archive_paths)
    missing = [str(f) for f in files if not Path(f).is_file()]
    if missing:
        raise CaseError(f"case {case.id!r}: archive not found: {', '.join(missing)} "
                        f"(build the reconstructions with: python -m analysis build-archives)")
    terms = tuple(case.target_terms) if cue_terms is None else tuple(cue_terms)
    scored = scored_archive(files, cue_terms=terms, threshold=threshold)
    # A case may leave stray tweets out (``Case.kept``); duck-typed cases keep every row.
    keep = getattr(case, "kept", None)
    kept = keep(scored.table) if keep is not None else scored.table
    return scored if kept is scored.table else replace(scored, table=kept)


def _loaded(case: Case, scored: Scored) -> Loaded:
    return Loaded(case, scored.table, scored.report, scored.key)


def _through_cache(key: str, produce: Callable[[], tuple[pd.DataFrame, dict[str, Any] | None]],
                   cue_terms: Sequence[str], threshold: float | None) -> Scored:
    hit = cache.load(key)
    if hit is not None:
        return hit
    table, report = produce()
    scored = scoring.score(table, cue_terms=tuple(cue_terms), threshold=threshold)
    cache.save(key, scored, report)
    return Scored(table=scored, report=report, key=key, from_cache=False)


# --- the case's summaries (Language and Themes of the whole case), through the store -------

@dataclass(frozen=True)
class Summaries:
    """What the Language and Themes tabs show of a whole case. ``themes`` is None when the
    case has too few texts for themes, with the reason in ``themes_error``."""

    language: terms.Language
    clouds: dict[str, bytes]  # the word clouds of ``language.frequencies`` (PNG), by stance
    themes: Fitted | None
    themes_error: str | None = None

    def fitted(self) -> Fitted:
        """The themes, or the ``BackfireError`` explaining why there are none."""
        if self.themes is None:
            raise BackfireError(self.themes_error or "no themes for this case")
        return self.themes


def summaries(loaded: Loaded) -> Summaries:
    """The case's summaries: read from disk beside its scored table, or computed and saved
    (``analysis.store.summaries``); computed without saving for a table not from the cache."""
    c = loaded.case
    stop = terms.stopwords_of(c)
    if loaded.key is None:
        return _summarise(loaded.table, c, stop)
    entry = summary_store.key(loaded.key, _summary_params(c))
    stored = summary_store.load(entry)
    if stored is not None:
        try:
            return _summaries_from_json(stored, loaded.table)
        except (KeyError, TypeError, ValueError) as err:  # an old or damaged file: rebuilt
            log.warning("summary %s does not fit the case (%s): rebuilt", entry, err)
    found = _summarise(loaded.table, c, stop)
    summary_store.save(entry, {
        "language": found.language.to_json(),
        "clouds": {stance: base64.b64encode(png).decode("ascii")
                   for stance, png in found.clouds.items()},
        "themes": found.themes.to_json() if found.themes is not None else None,
        "themes_error": found.themes_error})
    return found


def word_clouds(frequencies: dict[str, dict[str, int]]) -> dict[str, bytes]:
    """A word cloud (PNG) per stance that has words, in the stance's colour."""
    return {stance: charts.wordcloud_png(words, hostile=stance == "hostile")
            for stance, words in frequencies.items() if words}


def _summary_params(c: Case) -> dict[str, Any]:
    """What the summaries depend on besides the table and the code: stopwords, seeds, the
    kept window (a case edited in the library), scikit-learn (the NMF), wordcloud."""
    return {"hashtag": c.hashtag, "brand": c.brand, "brand_account": c.brand_account,
            "target_terms": list(c.target_terms), "keep_from": c.keep_from,
            "keep_until": c.keep_until,
            **{package: metadata.version(package) for package in ("scikit-learn", "wordcloud")}}


def _summarise(table: pd.DataFrame, c: Case, stop: frozenset[str]) -> Summaries:
    language = terms.language(table, stopwords=stop)
    clouds = word_clouds(language.frequencies)
    try:
        return Summaries(language, clouds, themes.fit_case(table, target_terms=c.target_terms,
                                                           stopwords=stop))
    except BackfireError as err:
        return Summaries(language, clouds, None, str(err))


def _summaries_from_json(payload: dict[str, Any], table: pd.DataFrame) -> Summaries:
    fitted = payload["themes"]
    return Summaries(terms.Language.from_json(payload["language"]),
                     {str(stance): base64.b64decode(png)
                      for stance, png in payload["clouds"].items()},
                     themes.Fitted.from_json(fitted, table.index) if fitted is not None else None,
                     payload.get("themes_error"))
