"""The case library: one TOML file per hijacked campaign, loaded into typed dataclasses.

A case file holds what is known about a campaign (hashtag, brand account, launch, the ask,
an event timeline, reported figures with their sources and confidence, caveats, cue terms
for hostility), the classroom material (``[[discussion]]`` questions tied to a
crisis-communication concept, ``[[chapters]]`` of the story in phase order, each with a short
cited text and an optional time window) and, for the bundled reconstructions, a
``[reconstruction]`` table with everything the generator needs. Adding a case means adding one file: bundled cases live in
``paths.CASES_DIR`` (files starting with ``_`` are shared fragments, not cases); the user's
own cases live in ``paths.library_dir()/<name>/case.toml``.

Each key is written down once, as the dataclass field it fills: its annotation gives the TOML
types it accepts (``TOML_TYPES``), its default makes it optional and is its value when absent.
The tables ``CASE_KEYS`` etc. and the generic reading (``_record``) derive from those fields;
the few fields the loader sets itself are marked ``_derived``. Every problem raises ``CaseError`` naming the
file and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Any, Final, TypeVar, Union, get_args, get_origin, get_type_hints

import pandas as pd
import tomli_w

from analysis.errors import CaseError
from analysis.store import atomic, paths

if TYPE_CHECKING:  # typeshed's protocol of a dataclass, for keys_of and _record (no runtime name)
    from _typeshed import DataclassInstance

PROVENANCES: Final[tuple[str, ...]] = ("reconstruction", "real", "sample")
# What each provenance means, in the words every screen and export uses. "sample" is a case's
# real tweets from the Internet Archive's 1 % Stream Grab (analysis.store.samples), never
# written in a case file.
PROVENANCE_LABELS: Final[dict[str, str]] = {
    "reconstruction": "synthetic reconstruction made by Backfire's generator, calibrated to "
                      "cited figures; not real tweets",
    "real": "real archive",
    "sample": "real tweets from the Internet Archive's 1 % sample (Twitter Stream Grab); "
              "counts are about 1 % of the true volume",
}
# First word of every confidence string: the scale used by ../shared/case-facts.md, plus the
# labels this project adds for its own choices ("assumed") and derivations ("inferred").
CONFIDENCE_LEVELS: Final[tuple[str, ...]] = (
    "high", "medium-high", "medium", "medium-low", "low-medium", "low",
    "unverified", "assumed", "inferred",
)
EVENT_KINDS: Final[tuple[str, ...]] = (
    "teaser", "ask", "brand_action", "hostile_wave", "amplifier", "trend", "milestone",
    "brand_response", "cancellation", "media", "spinoff", "fade",
)
# Ground-truth stances of the reconstructions (truth.csv) and which of them attack the brand.
STANCES: Final[tuple[str, ...]] = (
    "accusation", "mockery", "sarcasm", "insult", "support", "neutral", "offtopic", "spam", "brand",
)
HOSTILE_STANCES: Final[frozenset[str]] = frozenset({"accusation", "mockery", "sarcasm", "insult"})
# The phases of a case's story, in the order a class meets them; a case's [[chapters]] follow
# this order, each phase at most once (a case may skip phases, e.g. a brand that never reacted).
CHAPTER_PHASES: Final[tuple[str, ...]] = (
    "context", "ask", "first_wave", "peak", "response", "aftermath", "lessons",
)
# The numbers a chapter's "predict, then reveal" prompt may ask for; the answer is computed
# from the case's data (never written in the case file). Key -> what it measures.
REVEAL_METRICS: Final[dict[str, str]] = {
    "minutes_to_hijack": "minutes from launch until hostile posts are the majority of originals",
    "hours_to_peak": "hours from launch to the busiest hour",
    "peak_hourly": "posts in the busiest hour",
    "hours_to_response": "hours from launch to the brand's first reaction on the timeline",
    "hostile_share": "share of hostile posts in the chapter's window",
    "tweets_in_window": "posts in the chapter's window",
    "retweet_share": "share of retweets in the chapter's window",
}

# A TOML integer or float (check_keys refuses true/false where a number is expected).
TOML_NUMBER: Final = (int, float)
# The TOML types a case-file key accepts, by the annotation of the field it fills (a union
# accepts each member's, None left out): times are TOML datetimes or ISO strings, a float any
# number, tuples TOML arrays. A key's field with another annotation is a programming error
# (``keys_of`` raises TypeError naming it).
TOML_TYPES: Final[dict[Any, Any]] = {
    str: str,
    bool: bool,
    int: int,
    float: TOML_NUMBER,
    pd.Timestamp: (datetime, str),
    tuple: list,
    Mapping: dict,
}
# Metadata key of a dataclass field that the loader sets itself (not read from a case-file key).
_DERIVED: Final = "derived"
R = TypeVar("R", bound="DataclassInstance")


def _derived(**options: Any) -> Any:
    """A field the loader fills (where the case came from), not a key of the case file."""
    return field(metadata={_DERIVED: True}, **options)


def keys_of(record: type[DataclassInstance]) -> dict[str, tuple[Any, bool]]:
    """key -> (accepted TOML types, required) of the case-file table ``record`` is read from:
    one key per field, typed by its annotation; a field with a default is optional."""
    hints = get_type_hints(record)
    return {f.name: (_toml_types(f"{record.__name__}.{f.name}", hints[f.name]),
                     f.default is MISSING and f.default_factory is MISSING)
            for f in fields(record) if not f.metadata.get(_DERIVED)}


def _toml_types(where: str, annotation: Any) -> Any:
    members = ([a for a in get_args(annotation) if a is not type(None)]
               if get_origin(annotation) in (Union, UnionType) else [annotation])
    try:
        found = [TOML_TYPES[get_origin(member) or member] for member in members]
    except KeyError:
        raise TypeError(f"{where}: no TOML type for the annotation {annotation}; add it to "
                        "TOML_TYPES, or mark the field _derived() if the loader sets it") from None
    if len(found) == 1:
        return found[0]
    return tuple(dict.fromkeys(t for f in found for t in (f if isinstance(f, tuple) else (f,))))


# Library cases are found as <library_dir>/<name>/CASE_FILE_NAME.
CASE_FILE_NAME: Final = "case.toml"


@dataclass(frozen=True, kw_only=True)
class Event:
    """One moment of a case's timeline (UTC)."""

    time: pd.Timestamp
    kind: str
    label: str
    note: str = ""
    source_url: str = ""
    confidence: str

    @property
    def assumed(self) -> bool:
        """True when the time is the project's choice or inference, not a sourced time."""
        return self.confidence.split()[0] in {"assumed", "inferred", "unverified"}


@dataclass(frozen=True, kw_only=True)
class Fact:
    """A reported figure or statement, with where it comes from and how sure we are."""

    label: str
    value: str
    source_url: str
    confidence: str
    # What another source reports instead, with its source: shown beside the fact as a conflict.
    conflict: str = ""


@dataclass(frozen=True, kw_only=True)
class Question:
    """A discussion question for the class, grounded in a crisis-communication concept."""

    question: str
    concept: str     # e.g. "SCCT: crisis history"
    source: str      # where the question and its concept come from, as cited text
    source_url: str


@dataclass(frozen=True, kw_only=True)
class Chapter:
    """One phase of the case's story: a short cited text and an optional time window."""

    phase: str
    title: str
    text: str
    # the chapter's window, hours since launch (both or neither)
    from_hours: float | None = None
    to_hours: float | None = None
    prompt: str = ""  # "predict, then reveal": the question put to the class
    reveal: str = ""  # a REVEAL_METRICS key: how the answer is computed
    source_url: str
    confidence: str

    @property
    def window(self) -> tuple[float, float] | None:
        """(from, to) in hours since launch, or None for a chapter without a time window."""
        if self.from_hours is None or self.to_hours is None:
            return None
        return (self.from_hours, self.to_hours)


@dataclass(frozen=True, kw_only=True)
class Case:
    """A hijacked campaign: what is known about it and where its archive is."""

    id: str
    hashtag: str
    brand: str
    brand_account: str
    launch: pd.Timestamp
    launch_tweet_id: str | None = None
    launch_assumed: bool = False
    ask: str
    story: str
    provenance: str
    events: tuple[Event, ...] = ()
    facts: tuple[Fact, ...] = ()
    discussion: tuple[Question, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    caveats: tuple[str, ...] = ()
    target_terms: tuple[str, ...] = ()
    spinoff_hashtags: tuple[str, ...] = ()
    archives: tuple[Path, ...] = ()
    # Only tweets in [keep_from, keep_until] are analysed (None: no limit on that side); tweets
    # outside are stray tweets excluded at upload.
    keep_from: pd.Timestamp | None = None
    keep_until: pd.Timestamp | None = None
    # The generator's table: raw TOML data, kept out of equality and hashing (dicts).
    reconstruction: Mapping[str, Any] | None = field(default=None, compare=False)
    source: Path | None = _derived(default=None)
    bundled: bool = _derived(default=True)
    raw: Mapping[str, Any] = _derived(default_factory=dict, repr=False, compare=False)

    @property
    def archive_path(self) -> Path:
        """The case's (first) archive: the reconstruction for bundled cases."""
        if self.archives:
            return self.archives[0]
        return paths.archives_dir() / f"{self.id}.jsonl.gz"

    @property
    def archive_paths(self) -> tuple[Path, ...]:
        return self.archives or (self.archive_path,)

    @property
    def truth_path(self) -> Path:
        """Ground-truth stances of a reconstruction (evaluation only)."""
        return paths.archives_dir() / f"{self.id}.truth.csv"

    @property
    def is_reconstruction(self) -> bool:
        return self.provenance == "reconstruction"

    def events_of(self, *kinds: str) -> list[Event]:
        return [e for e in self.events if e.kind in kinds]

    def kept(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` without the tweets outside [keep_from, keep_until] (undated ones stay)."""
        if self.keep_from is None and self.keep_until is None:
            return table
        times = table["created_at"]
        drop = pd.Series(False, index=table.index)
        if self.keep_from is not None:
            drop |= (times < self.keep_from).fillna(False)
        if self.keep_until is not None:
            drop |= (times > self.keep_until).fillna(False)
        return table.loc[~drop.to_numpy(dtype=bool)]

    def hours_since_launch(self, when: pd.Timestamp) -> float:
        return float((when - self.launch).total_seconds() / 3600.0)


# The whole schema of a case file, as data: each table's keys are its dataclass's keyed fields.
CASE_KEYS: Final = keys_of(Case)
EVENT_KEYS: Final = keys_of(Event)
FACT_KEYS: Final = keys_of(Fact)
DISCUSSION_KEYS: Final = keys_of(Question)
CHAPTER_KEYS: Final = keys_of(Chapter)


# --------------------------------------------------------------------------- loading

def numbered_events(case: Case) -> list[Event]:
    """The case's events in time order: event *n* on a chart is the *n*-th of this list."""
    return sorted(case.events, key=lambda e: e.time)


def load_case(case: str | Path) -> Case:
    """A case by id (bundled or library) or by the path of its TOML file."""
    candidate = Path(case)
    if candidate.suffix == ".toml" or candidate.is_file():
        return _load_file(candidate, bundled=candidate.resolve().parent == paths.CASES_DIR.resolve())
    cases = load_cases()
    if str(case) not in cases:
        known = ", ".join(sorted(cases)) or "none"
        raise CaseError(f"unknown case {str(case)!r} (known: {known})")
    return cases[str(case)]


def load_cases(cases_dir: Path | None = None, *, include_library: bool = True,
               errors: list[CaseError] | None = None) -> dict[str, Case]:
    """Every case: the bundled ones (``cases_dir``) then the user's library, by id.

    A broken bundled file always raises. A broken library case raises too, unless ``errors``
    is given: then it is skipped and its ``CaseError`` appended there (so one bad user file
    does not hide every other case).
    """
    folder = cases_dir or paths.CASES_DIR
    found: dict[str, Case] = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name.startswith("_"):
            continue
        _add(found, _load_file(path, bundled=True))
    if include_library:
        for path in sorted(paths.library_dir().glob(f"*/{CASE_FILE_NAME}")):
            try:
                _add(found, _load_file(path, bundled=False))
            except CaseError as exc:
                if errors is None:
                    raise
                errors.append(exc)
    return found


def _add(found: dict[str, Case], case: Case) -> None:
    if case.id in found:
        raise CaseError(f"{case.source}: key 'id': duplicate case id {case.id!r} "
                        f"(also in {found[case.id].source})")
    found[case.id] = case


def _load_file(path: Path, *, bundled: bool) -> Case:
    if not path.is_file():
        raise CaseError(f"{path}: case file not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CaseError(f"{path}: not valid TOML: {exc}") from None
    return case_from_dict(data, source=path, bundled=bundled)


def case_from_dict(data: Mapping[str, Any], *, source: Path | None = None,
                   bundled: bool = False) -> Case:
    """Validate a parsed case file and build the ``Case``. ``CaseError`` names file and key."""
    where = str(source) if source else "<case>"
    check_keys(data, CASE_KEYS, where, prefix="")
    provenance = data["provenance"]
    _check_choice(provenance, PROVENANCES, where, "provenance")
    case_id = data["id"]
    if not case_id or not all(c.isalnum() or c in "-_" for c in case_id):
        _fail(where, "id", "use letters, digits, '-' and '_' only")
    for key in ("caveats", "target_terms", "spinoff_hashtags", "archives"):
        _check_str_list(data.get(key, []), where, key)
    if provenance == "reconstruction" and "reconstruction" not in data:
        _fail(where, "reconstruction", "a reconstruction case needs a [reconstruction] table")
    base = source.parent if source else Path.cwd()
    launch_tweet_id = data.get("launch_tweet_id")
    if launch_tweet_id is not None and not launch_tweet_id.isdigit():
        _fail(where, "launch_tweet_id", "must be a string of digits")
    return _record(
        Case, data,
        hashtag=data["hashtag"].lstrip("#"),
        brand_account=data["brand_account"].lstrip("@"),
        launch=_timestamp(data["launch"], where, "launch"),
        launch_assumed=bool(data.get("launch_assumed", False)),
        events=tuple(sorted((_event(e, where, i) for i, e in enumerate(data.get("events", []))),
                            key=lambda e: e.time)),
        facts=tuple(_fact(f, where, i) for i, f in enumerate(data.get("facts", []))),
        discussion=tuple(_question(q, where, i) for i, q in enumerate(data.get("discussion", []))),
        chapters=_chapters(data.get("chapters", []), where),
        caveats=tuple(data.get("caveats", [])),
        target_terms=tuple(data.get("target_terms", [])),
        spinoff_hashtags=tuple(t.lstrip("#") for t in data.get("spinoff_hashtags", [])),
        archives=tuple(_archive(base, name, where) for name in data.get("archives", [])),
        keep_from=_optional_time(data, "keep_from", where),
        keep_until=_optional_time(data, "keep_until", where),
        source=source,
        bundled=bundled,
        raw=dict(data),
    )


def _optional_time(data: Mapping[str, Any], key: str, where: str) -> pd.Timestamp | None:
    return None if data.get(key) is None else _timestamp(data[key], where, key)


def _event(item: Any, where: str, index: int) -> Event:
    prefix = _checked_entry(item, where, "events", index, EVENT_KEYS, {"kind": EVENT_KINDS})
    return _record(Event, item, time=_timestamp(item["time"], where, prefix + "time"))


def _fact(item: Any, where: str, index: int) -> Fact:
    _checked_entry(item, where, "facts", index, FACT_KEYS)
    return _record(Fact, item)


def _question(item: Any, where: str, index: int) -> Question:
    _checked_entry(item, where, "discussion", index, DISCUSSION_KEYS)
    return _record(Question, item)


def _checked_entry(item: Any, where: str, array: str, index: int,
                   keys: Mapping[str, tuple[Any, bool]],
                   choices: Mapping[str, Sequence[str]] | None = None) -> str:
    """Check the ``index``-th table of the array ``array``: its ``keys``, then the keys whose
    value is one of ``choices``, then its confidence when it has one. Returns the prefix that
    names its keys in messages (``events[3].``)."""
    if not isinstance(item, Mapping):
        _fail(where, f"{array}[{index}]", "must be a table")
    prefix = f"{array}[{index}]."
    check_keys(item, keys, where, prefix=prefix)
    for key, allowed in (choices or {}).items():
        _check_choice(item[key], allowed, where, prefix + key)
    if "confidence" in keys:
        _check_confidence(item["confidence"], where, prefix + "confidence")
    return prefix


def _chapters(items: list[Any], where: str) -> tuple[Chapter, ...]:
    chapters = tuple(_chapter(item, where, i) for i, item in enumerate(items))
    order = [CHAPTER_PHASES.index(c.phase) for c in chapters]
    for i in range(1, len(order)):
        if order[i] <= order[i - 1]:
            _fail(where, f"chapters[{i}].phase",
                  f"{chapters[i].phase!r} after {chapters[i - 1].phase!r}: chapters follow the "
                  f"order {', '.join(CHAPTER_PHASES)}, each phase once")
    return chapters


def _chapter(item: Any, where: str, index: int) -> Chapter:
    prefix = _checked_entry(item, where, "chapters", index, CHAPTER_KEYS, {"phase": CHAPTER_PHASES})
    start, end = item.get("from_hours"), item.get("to_hours")
    if (start is None) != (end is None):
        _fail(where, prefix + ("to_hours" if end is None else "from_hours"),
              "a window needs both from_hours and to_hours")
    if start is not None and end is not None and not float(start) < float(end):
        _fail(where, prefix + "to_hours", f"must be after from_hours ({start} >= {end})")
    prompt, reveal = item.get("prompt", ""), item.get("reveal", "")
    if bool(prompt) != bool(reveal):
        _fail(where, prefix + ("reveal" if prompt else "prompt"),
              "a prompt needs its reveal metric and a reveal needs its prompt")
    if reveal:
        _check_choice(reveal, REVEAL_METRICS, where, prefix + "reveal")
    return _record(Chapter, item, from_hours=None if start is None else float(start),
                   to_hours=None if end is None else float(end))


def _record(record: type[R], item: Mapping[str, Any], **converted: Any) -> R:
    """``record`` built from a checked table: each key's field takes the key's value (an absent
    key: the field's default), unless ``converted`` gives it; derived fields come in ``converted``."""
    values = {f.name: item[f.name] for f in fields(record)
              if f.name in item and f.name not in converted and not f.metadata.get(_DERIVED)}
    return record(**values, **converted)


def _archive(base: Path, name: str, where: str) -> Path:
    path = (base / name).resolve()
    if not path.is_relative_to(base.resolve()):
        _fail(where, "archives", f"archive {name!r} must stay inside the case folder")
    return path


def check_keys(data: Mapping[str, Any], schema: Mapping[str, tuple[Any, bool]], where: str,
               *, prefix: str) -> None:
    """Check a TOML table against ``schema`` (key -> (accepted types, required)): every required
    key present, every value of an accepted type (true/false is not a number; a string is not
    blank). ``CaseError`` names the file and the key (``prefix`` + key)."""
    for key, (types, required) in schema.items():
        if key not in data:
            if required:
                _fail(where, prefix + key, "missing")
            continue
        value = data[key]
        if (not isinstance(value, types) or (isinstance(value, bool) and not _accepts_bool(types))
                or (types is str and not value.strip())):
            _fail(where, prefix + key, f"expected {_type_name(types)}, got {value!r:.60}")


def _accepts_bool(types: Any) -> bool:
    return bool in (types if isinstance(types, tuple) else (types,))


def _check_str_list(values: Any, where: str, key: str) -> None:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        _fail(where, key, "must be a list of non-empty strings")


def _check_choice(value: str, choices: Sequence[str] | Mapping[str, Any], where: str,
                  key: str) -> None:
    if value not in choices:
        _fail(where, key, f"must be one of {', '.join(choices)}, got {value!r}")


def _check_confidence(value: str, where: str, key: str) -> None:
    level = value.split()[0].rstrip(",;:.") if value.split() else ""
    if level not in CONFIDENCE_LEVELS:
        _fail(where, key, f"must start with one of {', '.join(CONFIDENCE_LEVELS)}, got {value!r}")


def _timestamp(value: Any, where: str, key: str) -> pd.Timestamp:
    if isinstance(value, date) and not isinstance(value, datetime):
        _fail(where, key, "needs a time of day and a UTC offset, e.g. 2014-04-22T17:55:46Z")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        _fail(where, key, f"not a date-time: {value!r}")
    if stamp.tzinfo is None:
        _fail(where, key, "needs a UTC offset, e.g. 2014-04-22T17:55:46Z")
    return stamp.tz_convert("UTC")


def _type_name(types: Any) -> str:
    names = {str: "a non-empty string", bool: "true/false", list: "a list", dict: "a table",
             datetime: "a date-time", int: "a number", float: "a number"}
    group = types if isinstance(types, tuple) else (types,)
    return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in group))


def _fail(where: str, key: str, message: str) -> Any:
    raise CaseError(f"{where}: key '{key}': {message}")


# --------------------------------------------------------------------------- writing

def case_to_dict(case: Case) -> dict[str, Any]:
    """The TOML-ready dict of a case (round-trips through ``case_from_dict``)."""
    out: dict[str, Any] = {
        "id": case.id, "hashtag": case.hashtag, "brand": case.brand,
        "brand_account": case.brand_account, "launch": case.launch.to_pydatetime(),
        "launch_assumed": case.launch_assumed, "ask": case.ask, "story": case.story,
        "provenance": case.provenance, "caveats": list(case.caveats),
        "target_terms": list(case.target_terms), "spinoff_hashtags": list(case.spinoff_hashtags),
    }
    if case.launch_tweet_id:
        out["launch_tweet_id"] = case.launch_tweet_id
    for key, stamp in (("keep_from", case.keep_from), ("keep_until", case.keep_until)):
        if stamp is not None:
            out[key] = stamp.to_pydatetime()
    if case.archives:
        base = case.source.parent if case.source else None
        out["archives"] = [str(p.relative_to(base)) if base and p.is_relative_to(base) else p.name
                           for p in case.archives]
    out["events"] = [{"time": e.time.to_pydatetime(), "kind": e.kind, "label": e.label,
                      "note": e.note, "source_url": e.source_url, "confidence": e.confidence}
                     for e in case.events]
    out["facts"] = [{"label": f.label, "value": f.value, "source_url": f.source_url,
                     "confidence": f.confidence} | ({"conflict": f.conflict} if f.conflict else {})
                    for f in case.facts]
    out["discussion"] = [{"question": q.question, "concept": q.concept, "source": q.source,
                          "source_url": q.source_url} for q in case.discussion]
    out["chapters"] = [_chapter_dict(c) for c in case.chapters]
    if case.reconstruction is not None:
        out["reconstruction"] = dict(case.reconstruction)
    return out


def _chapter_dict(chapter: Chapter) -> dict[str, Any]:
    out: dict[str, Any] = {"phase": chapter.phase, "title": chapter.title, "text": chapter.text}
    if chapter.window is not None:
        out["from_hours"], out["to_hours"] = chapter.window
    if chapter.prompt:
        out["prompt"], out["reveal"] = chapter.prompt, chapter.reveal
    out["source_url"], out["confidence"] = chapter.source_url, chapter.confidence
    return out


def case_to_toml(case: Case | Mapping[str, Any]) -> str:
    """The case as TOML text (validated first, so a written file always loads back)."""
    data = case_to_dict(case) if isinstance(case, Case) else dict(case)
    if not isinstance(case, Case):
        case_from_dict(data)
    return tomli_w.dumps(_drop_none(data))


def write_case(case: Case | Mapping[str, Any], path: Path) -> Path:
    """Write a case file atomically (write-then-rename); return its path."""
    return atomic.write_text(path, case_to_toml(case))


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_drop_none(v) for v in value]
    return value
