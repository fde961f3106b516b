"""CSV formats as data: which header holds which canonical column, and how flags are written.

``CSV_SPECS`` lists the CSV layouts researchers hold (twarc-csv, twarc1 json2csv/SFM, TAGS,
Twint, 4CAT, DMI-TCAT) and ``custom-csv`` (any CSV, read through a user's column mapping).
``collect`` reads a CSV into an object frame in ``records.FULL_ROW_FIELDS`` order, rejecting rows
with the wrong number of fields or ids corrupted into floats, with their physical line.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Final

import orjson
import pandas as pd

from analysis import schema
from analysis.errors import ArchiveError, UnknownFormatError
from analysis.ingest import mappings
from analysis.ingest.formats import sheets
from analysis.ingest.formats.csvspec import CsvSpec, cols
from analysis.ingest.formats.records import FULL_ROW_FIELDS
from analysis.ingest.formats.vendors import VENDOR_SPECS
from analysis.schema import COLUMNS, ENGAGEMENT_COLUMNS

if TYPE_CHECKING:
    from analysis.ingest.formats import Format

# A float or scientific rendering of an integer id: Excel/pandas corrupted it (precision lost).
FLOAT_ID: Final = re.compile(r"^[+-]?\d+(\.\d*)?[eE][+-]?\d+$|^\d+\.\d*$")
TRUE_WORDS: Final = frozenset({"true", "yes", "y", "1", "t"})
ID_COLUMNS: Final = ("id", "retweeted_id", "in_reply_to_id", "quoted_id")
INT_COLUMNS: Final = ("author_followers", *ENGAGEMENT_COLUMNS)
LIST_CELL_LIMIT: Final = 100_000
MAX_COUNT: Final = 2**53  # larger "counts" are not counts (and would not survive a float)  # longer list cells are not parsed (literal_eval cost)
# Vendor sentiment words (prefixes, lower-case) -> Backfire's labels.
SENTIMENT_WORDS: Final = (("neg", "negative"), ("pos", "positive"), ("neu", "neutral"),
                          ("mixed", "neutral"), ("not rated", "neutral"))
# Columns a custom mapping must name.
REQUIRED_MAPPED: Final = ("id", "created_at", "text")


CSV_SPECS: Final[tuple[CsvSpec, ...]] = (
    CsvSpec(
        "twarc-csv", "twarc-csv (twarc2 csv, API v2)", ("id", "public_metrics.like_count"), "iso",
        cols(id="id", created_at="created_at", text="text", author="author.username",
              author_followers="author.public_metrics.followers_count",
              retweeted_id="referenced_tweets.retweeted.id", retweeted_author="retweeted_username",
              in_reply_to_id="referenced_tweets.replied_to.id", in_reply_to_author="in_reply_to_username",
              quoted_id="referenced_tweets.quoted.id", quoted_author="quoted_username", lang="lang",
              hashtags="entities.hashtags", mentions="entities.mentions",
              retweet_count="public_metrics.retweet_count", like_count="public_metrics.like_count",
              reply_count="public_metrics.reply_count", quote_count="public_metrics.quote_count"),
        escaped_newlines=True, html_entities=True),
    CsvSpec(
        "twarc1-csv", "twarc1 json2csv / SFM CSV (API v1.1)", ("id", "tweet_type"), "iso",
        cols(id="id", created_at=("parsed_created_at", "created_at"), text="text",
              author="user_screen_name", author_followers="user_followers_count",
              in_reply_to_id="in_reply_to_status_id", in_reply_to_author="in_reply_to_screen_name",
              lang="lang", hashtags="hashtags", retweet_count="retweet_count",
              like_count="favorite_count"),
        derive="tweet_type", html_entities=True),
    CsvSpec(
        "tags", "TAGS Google Sheet export", ("id_str", "from_user"), "v1",
        cols(id="id_str", created_at="created_at", text=("full_text", "text"), author="from_user",
              author_followers="user_followers_count", in_reply_to_id="in_reply_to_status_id_str",
              in_reply_to_author="in_reply_to_screen_name", lang="lang",
              retweet_count="retweet_count", like_count="favorite_count"),
        derive="entities_str", html_entities=True),
    CsvSpec(
        "twint", "Twint CSV (local time zones)", ("id", "likes_count", "tweet"), "twint",
        cols(id="id", created_at="created_at", text="tweet", author="username",
              retweeted_id="retweet_id", retweeted_author="user_rt", lang="language",
              hashtags="hashtags", mentions="mentions", retweet_count="retweets_count",
              like_count="likes_count", reply_count="replies_count"),
        flags={"is_retweet": "retweet"}, derive="twint"),
    CsvSpec(
        "4cat", "4CAT CSV export (Twitter API v2 datasource)", ("id", "is_retweet", "body"), "sql",
        cols(id="id", created_at="timestamp", text="body", author="author",
              author_followers="author_followers", retweeted_author="retweeted_user",
              in_reply_to_author="replied_user", quoted_author="quoted_user",
              lang="language_guess", hashtags="hashtags", mentions="mentions",
              retweet_count="retweet_count", like_count="like_count", reply_count="reply_count",
              quote_count="quote_count"),
        flags={"is_retweet": "is_retweet", "is_reply": "is_reply", "is_quote": "is_quote_tweet"}),
    CsvSpec(
        "tcat", "DMI-TCAT export", ("id", "from_user_name", "time"), "sql",
        cols(id="id", created_at="created_at", text="text", author="from_user_name",
              author_followers="from_user_followercount", in_reply_to_id="in_reply_to_status_id",
              in_reply_to_author="to_user_name", quoted_id="quoted_status_id", lang="lang",
              hashtags="hashtags", retweet_count="retweet_count", like_count="favorite_count")),
    *VENDOR_SPECS,
    # No detection rule: chosen only when the caller passes a column mapping.
    CsvSpec("custom-csv", "any CSV or XLSX, through a column mapping", (), "any", naive_times=True),
)


# --------------------------------------------------------------------------- reading
# The registry (``analysis.ingest.formats``) is built from this module's specs, so it is not
# imported here: the functions below take its header detector (``detect_header``) instead.
Detect = Callable[[list[str]], "Format | None"]


def read_header(head: bytes, detect_header: Detect) -> list[str]:
    """The header fields of a CSV whose first bytes are ``head`` (below any preamble)."""
    if sheets.is_workbook(head):
        return []
    text = sheets.decode(head, lambda _: None).text
    grid = sheets.csv_grid(text, lambda *_: None)
    if not grid:
        return []
    at = sheets.header_row(grid, lambda names: detect_header(names) is not None)
    return [h.strip() for h in grid[at][1]]


@dataclass(frozen=True)
class Sheet:
    """A CSV or workbook split into its header and records (preamble rows left out)."""

    header: list[str]
    header_line: int
    rows: list[list[str]]
    lines: list[int]
    workbook: bool


def read_sheet(data: bytes, collector: Any, detect_header: Detect,
               mapping: dict[str, str] | None = None) -> Sheet:
    """Header and records of a CSV/TSV (any encoding) or of a workbook's first sheet; the header
    row is the first that ``detect_header`` recognises (or that holds ``mapping``'s columns)."""
    workbook = sheets.is_workbook(data[:8])
    if workbook:
        grid = sheets.workbook_grid(data, collector.name)
    else:
        text = sheets.decode(data, collector.warn).text
        grid = sheets.csv_grid(text, lambda line, reason: collector.reject(line, None, reason))
    if not grid:
        raise ArchiveError("no CSV header (the file holds no record)", path=collector.name, line=1)
    wanted = set(mapping.values()) if mapping else None
    at = sheets.header_row(grid, lambda names: detect_header(names) is not None, wanted)
    header_line, raw_header = grid[at]
    header = [h.strip() for h in raw_header]
    while workbook and header and not header[-1]:
        header.pop()  # a sheet's used range can be wider than its header
    if at:
        collector.warn(f"{at} row(s) above the header skipped (report preamble); header on "
                       f"{'row' if workbook else 'line'} {header_line}")
    rows: list[list[str]] = []
    lines: list[int] = []
    width = len(header)
    for line, fields in grid[at + 1:]:
        if not fields or fields == [""] or (workbook and not any(f.strip() for f in fields)):
            continue
        if len(fields) != width and workbook:
            extra = fields[width:]
            fields = fields[:width] + [""] * (width - len(fields)) if not any(
                f.strip() for f in extra) else fields
        if len(fields) != width:
            collector.reject(line, None, f"{len(fields)} fields where the header has {width}")
            continue
        rows.append(fields)
        lines.append(line)
    return Sheet(header, header_line, rows, lines, workbook)


def collect(stream: IO[bytes], forced: Format | None, mapping: dict[str, str] | None,
            collector: Any, *, detect_header: Detect,
            custom: Format) -> tuple[Format, pd.DataFrame, list[int | None]]:
    """Read a CSV or workbook into an object frame in FULL_ROW_FIELDS order (plus ``_line``).

    The format is ``forced`` or the one ``detect_header`` finds; ``custom`` (the registry's
    mapped CSV) reads the columns through ``mapping``."""
    sheet = read_sheet(stream.read(), collector, detect_header, mapping)
    header = sheet.header
    fmt = forced or detect_header(header)
    saved = mappings.find(header) if mapping is None else None
    if fmt is None and saved is not None and all(c in saved.columns for c in REQUIRED_MAPPED):
        fmt, mapping = custom, saved.columns
        collector.warn(f"read with the column mapping saved for this header ({saved.saved})")
    if saved is not None and (fmt is None or fmt.naive_times):
        collector.saved_tz = saved.tz
    collector.mapping = mapping if fmt is custom else None
    if fmt is None:
        raise UnknownFormatError(
            f"CSV header not recognised ({', '.join(header[:8])}{'…' if len(header) > 8 else ''}); "
            "give a column mapping (the Your archive page asks for one; CLI: --map column=header)",
            path=collector.name, line=sheet.header_line)
    spec = fmt.csv
    assert spec is not None
    if fmt is custom:
        spec = _mapped_spec(mapping or {}, header, collector.name)
    columns = sheets.column_names(header)
    source = pd.DataFrame(sheet.rows, columns=columns, dtype=object) if sheet.rows else \
        pd.DataFrame(columns=columns, dtype=object)
    frame, keep = _canonical(source, spec, sheet.lines, collector)
    kept_lines: list[int | None] = [line for line, ok in zip(sheet.lines, keep, strict=True) if ok]
    frame["_line"] = pd.Series(kept_lines, dtype=object)
    return fmt, frame, kept_lines


def _mapped_spec(mapping: dict[str, str], header: list[str], name: str) -> CsvSpec:
    unknown = sorted(set(mapping) - set(COLUMNS))
    if unknown:
        raise ArchiveError(f"mapping names unknown canonical column(s): {', '.join(unknown)}; "
                           f"known: {', '.join(COLUMNS)}", path=name)
    missing = [c for c in REQUIRED_MAPPED if c not in mapping]
    if missing:
        raise ArchiveError(f"the mapping must name the header of: {', '.join(missing)}", path=name)
    absent = [h for h in mapping.values() if h not in header]
    if absent:
        raise ArchiveError(f"mapped header(s) not in the file: {', '.join(absent)}", path=name, line=1)
    flags = {k: v for k, v in mapping.items() if COLUMNS[k] == "bool"}
    columns = {k: (v,) for k, v in mapping.items() if COLUMNS[k] != "bool"}
    return CsvSpec("custom-csv", "mapped CSV", (), "any", columns, flags, naive_times=True)


# --------------------------------------------------------------------------- mapping
def _canonical(source: pd.DataFrame, spec: CsvSpec, lines: list[int],
               collector: Any) -> tuple[pd.DataFrame, list[bool]]:
    """Canonical object columns from the source frame; rows with float-corrupted ids dropped."""
    n = len(source)
    headers = {canon: next((h for h in cands if h in source.columns), None)
               for canon, cands in spec.columns.items()}
    out = pd.DataFrame(index=source.index)
    for canon in FULL_ROW_FIELDS:
        present = [h for h in spec.columns.get(canon, ()) if h in source.columns]
        out[canon] = _coalesce(source, present) if present else pd.Series([None] * n, dtype=object)
    for canon, header in spec.flags.items():
        if header in source.columns:
            out[canon] = source[header].map(lambda v: str(v).strip().lower() in TRUE_WORDS)
    if spec.derive:
        derive = DERIVATIONS[spec.derive] if isinstance(spec.derive, str) else spec.derive
        derive(source, out)
    if spec.escaped_newlines:
        out["text"] = out["text"].map(_unescape, na_action="ignore")
    keep = _check_ids(out, headers, lines, collector)
    out = out.loc[keep].reset_index(drop=True)
    _general_rules(out, spec, headers)
    out.attrs["headers"] = {k: v for k, v in headers.items() if v}
    return out, keep.tolist()


def _coalesce(source: pd.DataFrame, headers: list[str]) -> pd.Series:
    """Per row, the first non-blank cell among ``headers`` (Full Text, else Snippet, …)."""
    out = _blank_to_none(source[headers[0]])
    for header in headers[1:]:
        out = out.where(out.notna(), _blank_to_none(source[header]))
    return out


def _blank_to_none(values: pd.Series) -> pd.Series:
    return values.map(lambda v: None if v is None or str(v).strip() == "" else v).astype(object)


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t")


def _check_ids(out: pd.DataFrame, headers: dict[str, str | None], lines: list[int],
               collector: Any) -> pd.Series:
    """Reject rows whose own id is a float rendering; blank float referenced ids, with a warning."""
    keep = pd.Series(True, index=out.index)
    for canon in ID_COLUMNS:
        values = out[canon].astype("string")
        floats = values.str.match(FLOAT_ID.pattern).fillna(False).astype(bool)
        count = int(floats.sum())
        if not count:
            continue
        header = headers.get(canon) or canon
        example = values[floats].iloc[0]
        collector.warn(f"column {header!r}: {count} id(s) in float/scientific notation "
                       f"(e.g. {example}) — precision lost; export ids as text")
        if canon == "id":
            for position in floats.to_numpy().nonzero()[0]:
                collector.reject(lines[position], header,
                                 f"id {values.iloc[position]} was corrupted into a float (precision lost)")
            keep &= ~floats
        else:
            out.loc[floats, canon] = None
    return keep


def _general_rules(out: pd.DataFrame, spec: CsvSpec, headers: dict[str, str | None]) -> None:
    """Rules common to every CSV: lists, counts, relation flags, retweet text, semantics."""
    for canon, find in (("hashtags", schema.HASHTAG.findall), ("mentions", schema.mentions_in)):
        if headers.get(canon) or spec.derive == "entities_str":
            out[canon] = out[canon].map(_parse_list)
        else:  # the format has no such column: take them from the text
            out[canon] = [find(t) if isinstance(t, str) else [] for t in out["text"]]
    out["hashtags"] = out["hashtags"].map(lambda tags: [t.lower() for t in tags])
    for canon in INT_COLUMNS:
        out[canon] = _ints(out[canon])
    text = out["text"].astype("string").fillna("")
    prefix = text.str.extract(schema.RETWEET_PREFIX, expand=False)
    if "is_retweet" not in spec.flags and spec.derive != "tweet_type":
        out["is_retweet"] = _flag(out["is_retweet"]) | out["retweeted_id"].notna() \
            | prefix.notna().to_numpy()
    out["retweeted_author"] = out["retweeted_author"].where(
        out["retweeted_author"].notna(), prefix.astype(object).where(prefix.notna(), None))
    needs_prefix = out["is_retweet"].astype(bool) & prefix.isna().to_numpy() \
        & out["retweeted_author"].notna()
    out.loc[needs_prefix, "text"] = [schema.retweet_text(author, body) for author, body in zip(
        out.loc[needs_prefix, "retweeted_author"], out.loc[needs_prefix, "text"].fillna(""), strict=True)]
    out["mentions"] = [
        [author] + [m for m in names if m != author] if rt and isinstance(author, str) else names
        for rt, author, names in zip(out["is_retweet"].astype(bool), out["retweeted_author"],
                                     out["mentions"], strict=True)]
    if "is_reply" not in spec.flags and spec.derive != "tweet_type":
        out["is_reply"] = _flag(out["is_reply"]) | out["in_reply_to_id"].notna() \
            | out["in_reply_to_author"].notna()
    if "is_quote" not in spec.flags and spec.derive != "tweet_type":
        out["is_quote"] = (_flag(out["is_quote"]) | out["quoted_id"].notna()) & ~out["is_retweet"].astype(bool)
    for canon in ("author", "in_reply_to_author", "retweeted_author", "quoted_author"):
        out[canon] = out[canon].map(_handle)
    out["platform"] = [schema.platform_of(p) or spec.platform for p in out["platform"]]
    out["vendor_sentiment"] = out["vendor_sentiment"].map(sentiment_label)
    has_counts = any(headers.get(c) for c in ENGAGEMENT_COLUMNS)
    out["metrics_semantics"] = [
        "unknown" if not has_counts else "copied_from_original" if rt else "snapshot"
        for rt in out["is_retweet"].astype(bool)]


def _handle(value: object) -> object:
    """Handles carry no leading ``@`` (Meltwater writes ``@ann``)."""
    return value.strip().lstrip("@") or None if isinstance(value, str) else value


def _flag(values: pd.Series) -> pd.Series:
    """A relation flag a derivation may have set (True), else False."""
    return values.map(lambda v: v is True or v is not None and v is not False and str(v).lower() in TRUE_WORDS)


def sentiment_label(value: object) -> str | None:
    """A vendor's sentiment as negative/neutral/positive: words (Brandwatch, Meltwater) or a
    signed score (Talkwalker -5..+5, Pulsar -1..+1); blank or unreadable is unknown."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if not text:
        return None
    for stem, label in SENTIMENT_WORDS:
        if text.startswith(stem):
            return label
    try:
        number = float(text)
    except ValueError:
        return None
    if number != number:  # NaN
        return None
    return "negative" if number < 0 else "positive" if number > 0 else "neutral"


def _ints(values: pd.Series) -> pd.Series:
    """Whole numbers that fit a count; anything else (text, fractions, overflow) is unknown."""
    numbers = pd.to_numeric(values, errors="coerce")
    usable = numbers.notna() & (numbers.abs() < MAX_COUNT) & (numbers == numbers.round())
    return pd.Series([int(n) if ok else None for n, ok in zip(numbers, usable, strict=True)],
                     index=values.index, dtype=object)


def _parse_list(cell: object) -> list[str]:
    """Hashtags/mentions however written: JSON list, Python list, or comma/space separated."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return []
    text = str(cell).strip()
    if not text or len(text) > LIST_CELL_LIMIT:
        return []
    items: Any
    if text.startswith("["):
        try:
            items = orjson.loads(text)
        except orjson.JSONDecodeError:
            try:
                items = ast.literal_eval(text)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                items = re.split(r"[,\s]+", text.strip("[]"))
    else:
        items = re.split(r"[,\s]+", text)
    if not isinstance(items, list):
        return []
    return [name for name in (_item_name(i) for i in items) if name]


def _item_name(item: object) -> str:
    if isinstance(item, dict):
        item = item.get("tag") or item.get("text") or item.get("username") or item.get("screen_name") or ""
    return str(item).strip().strip("'\"").lstrip("#@")


# --------------------------------------------------------------------------- hooks
def _tweet_type(source: pd.DataFrame, out: pd.DataFrame) -> None:
    """twarc1/SFM: ``tweet_type`` says retweet/quote/reply; the referenced id column is shared."""
    kind = source.get("tweet_type", pd.Series("", index=source.index)).astype(str).str.lower()
    ref_id = _blank_to_none(source.get("retweet_or_quote_id", pd.Series(None, index=source.index)))
    ref_user = _blank_to_none(source.get("retweet_or_quote_screen_name",
                                         pd.Series(None, index=source.index)))
    is_rt, is_quote = kind == "retweet", kind == "quote"
    out["is_retweet"] = is_rt
    out["is_quote"] = is_quote
    out["is_reply"] = (kind == "reply") | out["in_reply_to_id"].notna()
    out["retweeted_id"] = ref_id.where(is_rt, None)
    out["retweeted_author"] = ref_user.where(is_rt, None)
    out["quoted_id"] = ref_id.where(is_quote, None)
    out["quoted_author"] = ref_user.where(is_quote, None)


def _entities_str(source: pd.DataFrame, out: pd.DataFrame) -> None:
    """TAGS: hashtags and mentions live in ``entities_str`` (v1.1 entities as JSON)."""
    if "entities_str" not in source.columns:
        return
    entities = source["entities_str"].map(_json_dict)
    out["hashtags"] = entities.map(lambda e: [h.get("text", "") for h in e.get("hashtags") or ()
                                              if isinstance(h, dict)])
    out["mentions"] = entities.map(lambda e: [m.get("screen_name", "") for m in e.get("user_mentions") or ()
                                              if isinstance(m, dict)])
    if "time" in source.columns:
        out["created_at"] = out["created_at"].where(out["created_at"].notna(), source["time"])


def _json_dict(cell: object) -> dict[str, Any]:
    try:
        value = orjson.loads(str(cell)) if cell else {}
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


QUOTE_URL_ID: Final = re.compile(r"/status(?:es)?/(\d{1,20})")


def _twint(source: pd.DataFrame, out: pd.DataFrame) -> None:
    """Twint: local time from date+time+timezone, replies from ``reply_to``, quotes from URL."""
    if {"date", "time", "timezone"} <= set(source.columns):
        joined = source["date"].astype(str) + " " + source["time"].astype(str) + " " \
            + source["timezone"].astype(str)
        usable = source["timezone"].astype(str).str.fullmatch(r"[+-]\d{4}")
        out["created_at"] = joined.where(usable, out["created_at"])
    if "reply_to" in source.columns:
        replied = source["reply_to"].map(_parse_list)
        own = out["author"].astype(str).str.lower()
        others = [[u for u in users if u.lower() != o] for users, o in zip(replied, own, strict=True)]
        out["in_reply_to_author"] = [users[0] if users else None for users in others]
    if "quote_url" in source.columns:
        found = source["quote_url"].astype(str).str.extract(QUOTE_URL_ID.pattern, expand=False)
        out["quoted_id"] = found.astype(object).where(found.notna(), None)


DERIVATIONS: Final[dict[str, Callable[[pd.DataFrame, pd.DataFrame], None]]] = {
    "tweet_type": _tweet_type,
    "entities_str": _entities_str,
    "twint": _twint,
}
