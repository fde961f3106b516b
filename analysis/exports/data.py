"""Data exports: the filtered tweets (CSV, Parquet), the KPI table, and hashtag and mention
networks (GEXF for Gephi, CSV edge lists), each described by a data dictionary, in one zip.

Pure: tables in, bytes out. Text cells of every CSV are neutralised (``analysis.safety``)
so no tweet can run as a spreadsheet formula; Parquet and GEXF keep the text verbatim (they
are typed data, not spreadsheets), with characters XML cannot carry removed from GEXF labels.
The filters and the provenance of each case travel with the data: in the data dictionary,
the Parquet metadata, the GEXF description and the zip comment.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from xml.etree import ElementTree

import networkx as nx
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import safety, schema
from analysis.cases import PROVENANCE_LABELS
from analysis.errors import ExportError
from analysis.metrics import kpis
from analysis.metrics import themes as theme_metrics
from analysis.nlp import sentiment

# File names inside the bundle (data, so the dictionary and the tests share them).
TWEETS_CSV: Final = "tweets.csv"
TWEETS_PARQUET: Final = "tweets.parquet"
KPIS_CSV: Final = "kpis.csv"
THEMES_CSV: Final = "themes.csv"
HASHTAG_EDGES_CSV: Final = "hashtag_edges.csv"
HASHTAG_GEXF: Final = "hashtag_network.gexf"
MENTION_EDGES_CSV: Final = "mention_edges.csv"
MENTION_GEXF: Final = "mention_network.gexf"
DICTIONARY_MD: Final = "data_dictionary.md"
DICTIONARY_CSV: Final = "data_dictionary.csv"
# Key of the Parquet schema metadata holding filters and provenance (JSON).
PARQUET_META_KEY: Final = b"backfire"
# Characters XML 1.0 cannot carry (C0 controls but tab/newline/CR, surrogates, U+FFFE/FFFF).
_XML_INVALID: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
KINDS: Final = schema.KINDS
# The provenance column of every file, in the words of the case library (one home).
PROVENANCE_DOC: Final = " ".join(f"'{key}': {label}." for key, label in PROVENANCE_LABELS.items())

# Columns added to the canonical ones in the tweets export.
EXTRA_TWEET_COLUMNS: Final[dict[str, str]] = {
    "case": "Case id the tweet belongs to (bundled case or library case).",
    "provenance": PROVENANCE_DOC,
    "kind": f"{' | '.join(KINDS)} (retweet > quote > reply > original).",
    "url": "The tweet's public URL, built from author and id; empty for a reconstruction "
           "(synthetic examples: their handles and ids do not exist on Twitter).",
}
TWEET_COLUMN_DOCS: Final[dict[str, str]] = {
    "id": "Tweet id, a string of digits (never a float: ids exceed 53 bits).",
    "created_at": "Posting time, UTC (ISO 8601).",
    "text": "Full text; a retweet is rebuilt as "
            f"'{schema.retweet_text('<original author>', '<original text>')}'.",
    "author": "Handle of the account, without '@'.",
    "author_followers": "Followers of the author when collected (empty = unknown).",
    "is_retweet": "True for a retweet.",
    "retweeted_id": "Id of the retweeted tweet.",
    "retweeted_author": "Handle of the retweeted tweet's author.",
    "is_reply": "True for a reply.",
    "in_reply_to_id": "Id of the tweet replied to.",
    "in_reply_to_author": "Handle of the account replied to.",
    "is_quote": "True for a quote tweet.",
    "quoted_id": "Id of the quoted tweet.",
    "quoted_author": "Handle of the quoted tweet's author.",
    "lang": "Language code given by the archive.",
    "hashtags": "Hashtags, lower-case, without '#' (CSV: separated by spaces; Parquet: a list).",
    "mentions": "Mentioned handles, without '@' (CSV: separated by spaces; Parquet: a list).",
    "retweet_count": "Retweets of the tweet as captured (empty = unknown; see metrics_semantics).",
    "like_count": "Likes as captured (empty = unknown).",
    "reply_count": "Replies as captured (empty = unknown).",
    "quote_count": "Quotes as captured (empty = unknown).",
    "metrics_semantics": "How the counts were captured: " + "; ".join(
        f"{k} = {v}" for k, v in schema.METRICS_SEMANTICS.items()) + ".",
    "platform": "Where the post was made (x, bluesky, mastodon, reddit, facebook, news, …).",
    "url": "The post's public address when the archive carries it.",
    "vendor_sentiment": "Sentiment assigned by the listening suite that exported the row "
                        "(empty for other formats); Backfire's own is in 'sentiment'.",
    "source_format": "Archive format the row was read from.",
    "compound": "VADER compound sentiment in [-1, 1].",
    "pos": "VADER positive proportion.",
    "neg": "VADER negative proportion.",
    "neu": "VADER neutral proportion.",
    "sentiment": f"{' | '.join(sentiment.LABELS)}, from the VADER compound score.",
    "hostile_prob": "Probability that the tweet attacks the brand or campaign (Backfire's "
                    "hostility classifier; accuracy on the Methods page).",
    "hostile": "hostile_prob >= the threshold used for the export.",
}
# file -> its columns and what each holds: the data dictionary of every table in the bundle
# but the tweets (their columns are the canonical schema's: TWEET_COLUMN_DOCS).
TABLE_COLUMNS: Final[dict[str, dict[str, str]]] = {
    KPIS_CSV: {
        "case": "Case id.",
        "provenance": PROVENANCE_DOC,
        "kpi": "Key of the KPI.",
        "label": "Display name.",
        "unit": "Unit of the value.",
        "value": "The value (empty = not computable).",
        "note": "Why a value is missing, or how it was measured (e.g. from an assumed launch).",
        "definition": "How the KPI is computed.",
    },
    THEMES_CSV: {
        "case": "Case id.",
        "theme": "Theme number (0 = the first theme of the case).",
        "name": "The theme's name: its three top terms.",
        "top_terms": "The theme's top terms, heaviest first (non-negative matrix factorisation).",
        "seeded": "True when the theme started from the case's target terms.",
        "theme_tweets": "Tweets (retweets included) whose dominant theme this is, in the export.",
        "theme_share": "The theme's share of the themed tweets in the export.",
        "stability": "Matched cosine similarity of the theme with the themes fitted on two random "
                     "halves of the texts (1 = found again identically).",
        "bin_start": "Start of the time bin (UTC, ISO 8601); empty on a theme's summary row.",
        "hours_since_launch": "Start of the bin in hours since the launch.",
        "bin_tweets": "Tweets of the theme in the bin.",
        "bin_share": "The theme's share of the bin's themed tweets (bins with fewer than "
                     f"{theme_metrics.MIN_BIN_TWEETS} themed tweets are left out).",
    },
    HASHTAG_EDGES_CSV: {
        "source": "A hashtag (lower-case, no '#'); source < target alphabetically (undirected).",
        "target": "The other hashtag.",
        "weight": "Tweets carrying both hashtags, retweets included.",
        "originals": "Original posts (not retweets) carrying both hashtags.",
    },
    MENTION_EDGES_CSV: {
        "source": "Handle of the posting account.",
        "target": "Handle it mentions (from the tweet's mentions list as the archive gives it).",
        "weight": "Tweets from source mentioning target.",
        **{kind: f"Of those, {kind}s." for kind in KINDS},
    },
}
NODE_DOCS: Final = ("GEXF nodes carry `label` (the hashtag or handle) and `tweets` (hashtags: "
                    "tweets carrying it; handles: tweets posted plus tweets mentioning it).")


@dataclass(frozen=True)
class Bundle:
    """What goes into the export zip (each member also available on its own)."""

    files: dict[str, bytes]
    comment: str

    def to_zip(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.files.items():
                archive.writestr(name, data)
            archive.comment = self.comment.encode("utf-8")[:65535]
        return buffer.getvalue()


# --------------------------------------------------------------------------- tweets

def tweets_frame(tables: Mapping[str, pd.DataFrame],
                 provenance: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One table of every case's (filtered) tweets with ``case``, ``provenance``, ``kind``, ``url``."""
    columns = list(schema.COLUMNS) + list(schema.SCORE_COLUMNS)
    parts = []
    for case_id, table in tables.items():
        present = [c for c in columns if c in table.columns]
        part = table[present].reset_index(drop=True).copy()
        part.insert(0, "provenance",
                    pd.array([(provenance or {}).get(case_id)] * len(part), dtype="string"))
        part.insert(1, "case", pd.array([case_id] * len(part), dtype="string"))
        part["kind"] = schema.kind(part) if len(part) else pd.Series([], dtype="string")
        part["url"] = pd.array(schema.post_urls(part, (provenance or {}).get(case_id)), dtype="string")
        parts.append(part)
    if not parts:
        raise ExportError("nothing to export: no case selected")
    return pd.concat(parts, ignore_index=True)


def csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as every tweets CSV writes it (the zip's and the dashboard's): times as ISO
    8601 UTC text; ``safety.to_safe_csv`` then joins lists and neutralises text cells."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype("string")
    return out


def tweets_csv(frame: pd.DataFrame, *, bom: bool = True) -> bytes:
    """The tweets as CSV; text cells neutralised, times ISO 8601 UTC, lists space-separated."""
    return safety.to_safe_csv(csv_ready(frame), bom=bom)


def tweets_parquet(frame: pd.DataFrame, meta: Mapping[str, Any]) -> bytes:
    """The tweets as Parquet (typed: lists stay lists, ids strings, times UTC), ``meta`` attached."""
    data = frame.copy()
    for name in schema.LIST_COLUMNS:
        if name in data.columns:
            data[name] = data[name].map(lambda v: [str(x) for x in v] if isinstance(v, list) else [])
    table = pa.Table.from_pandas(data, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[PARQUET_META_KEY] = json.dumps(dict(meta), default=str).encode("utf-8")
    buffer = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(metadata), buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- KPIs

def kpi_frame(reports: Mapping[str, kpis.KpiReport],
              provenance: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per case and KPI (``kpis.KPIS`` order): the KPI table of the data zip and of the
    Compare page's download alike (columns: ``TABLE_COLUMNS[KPIS_CSV]``)."""
    rows = []
    for case_id, report in reports.items():
        for key, spec in kpis.KPIS.items():
            value = report.values.get(key)
            rows.append({"case": case_id, "provenance": (provenance or {}).get(case_id),
                         "kpi": key, "label": spec.label, "unit": spec.unit,
                         "value": value.isoformat() if isinstance(value, pd.Timestamp) else value,
                         "note": report.notes.get(key, ""), "definition": spec.definition})
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS[KPIS_CSV]))


def theme_frame(reports: Mapping[str, theme_metrics.ThemeReport]) -> pd.DataFrame:
    """One row per case, theme and time bin (columns: ``TABLE_COLUMNS[THEMES_CSV]``): each theme's top
    terms, overall share and stability, and its share of every bin over time."""
    parts = []
    for case_id, found in reports.items():
        summary = found.themes.rename(columns={"tweets": "theme_tweets", "share": "theme_share"})
        over = found.over_time.rename(columns={"tweets": "bin_tweets", "share": "bin_share"})
        merged = summary.merge(over.drop(columns=["name"]), on="theme", how="left")
        merged["bin_start"] = pd.to_datetime(merged["bin_start"], utc=True).map(
            lambda t: "" if pd.isna(t) else t.isoformat())
        parts.append(merged.assign(case=case_id))
    if not parts:
        return pd.DataFrame(columns=list(TABLE_COLUMNS[THEMES_CSV]))
    return pd.concat(parts, ignore_index=True).reindex(columns=list(TABLE_COLUMNS[THEMES_CSV]))


# --------------------------------------------------------------------------- networks

def _exploded(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """(row, item, is_retweet, kind) for each distinct list item of each row."""
    items = frame[column].map(lambda v: sorted({str(x) for x in v if str(x)})
                              if isinstance(v, list | tuple) else [])
    base = pd.DataFrame({"row": range(len(frame)), "item": items.to_numpy(),
                         "author": frame["author"].to_numpy(),
                         "is_retweet": frame["is_retweet"].to_numpy(dtype=bool),
                         "kind": schema.kind(frame).to_numpy() if len(frame) else []})
    out = base.explode("item").dropna(subset=["item"])
    return out.reset_index(drop=True)


def hashtag_edges(frame: pd.DataFrame) -> pd.DataFrame:
    """Undirected hashtag co-occurrence: source < target, tweets and originals with both."""
    tags = _exploded(frame, "hashtags")[["row", "item", "is_retweet"]]
    pairs = tags.merge(tags[["row", "item"]], on="row", suffixes=("_a", "_b"))
    pairs = pairs[pairs["item_a"] < pairs["item_b"]]
    edges = (pairs.assign(original=~pairs["is_retweet"])
             .groupby(["item_a", "item_b"], sort=True)
             .agg(weight=("row", "size"), originals=("original", "sum"))
             .reset_index().rename(columns={"item_a": "source", "item_b": "target"}))
    edges["originals"] = edges["originals"].astype("int64")
    return edges.sort_values(["weight", "source", "target"], ascending=[False, True, True],
                             ignore_index=True)[list(TABLE_COLUMNS[HASHTAG_EDGES_CSV])]


def mention_edges(frame: pd.DataFrame) -> pd.DataFrame:
    """Directed author -> mentioned handle, with counts by tweet kind."""
    mentions = _exploded(frame, "mentions").dropna(subset=["author"])
    mentions = mentions[mentions["author"].astype(str) != ""]
    if mentions.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c not in ("source", "target") else "object")
                             for c in TABLE_COLUMNS[MENTION_EDGES_CSV]})
    counts = (pd.crosstab([mentions["author"].astype(str), mentions["item"]], mentions["kind"])
              .reindex(columns=list(KINDS), fill_value=0))
    counts.insert(0, "weight", counts.sum(axis=1))
    edges = counts.reset_index()
    edges.columns = ["source", "target", "weight", *KINDS]
    return edges.sort_values(["weight", "source", "target"], ascending=[False, True, True],
                             ignore_index=True)[list(TABLE_COLUMNS[MENTION_EDGES_CSV])]


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _XML_INVALID.sub("", text)


def gexf(edges: pd.DataFrame, *, directed: bool, description: str,
         node_tweets: Mapping[str, int]) -> bytes:
    """A GEXF 1.2 graph of an edge list (``source``, ``target``, ``weight`` + int attributes)."""
    graph: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    graph.graph["mode"] = "static"
    extra = [c for c in edges.columns if c not in ("source", "target", "weight")]
    for row in edges.itertuples(index=False):
        record = row._asdict()
        source, target = xml_safe(str(record["source"])), xml_safe(str(record["target"]))
        for node in (source, target):
            if node not in graph:
                graph.add_node(node, label=node, tweets=int(node_tweets.get(node, 0)))
        graph.add_edge(source, target, weight=float(record["weight"]),
                       **{c: int(record[c]) for c in extra})
    buffer = io.BytesIO()
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:
        ElementTree.SubElement(meta, "description").text = xml_safe(description)
    writer.add_graph(graph)
    writer.write(buffer)
    return buffer.getvalue()


def _hashtag_counts(frame: pd.DataFrame) -> dict[str, int]:
    counts = _exploded(frame, "hashtags")["item"].map(xml_safe).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def _handle_counts(frame: pd.DataFrame) -> dict[str, int]:
    mentioned = _exploded(frame, "mentions")["item"].value_counts()
    posted = frame["author"].dropna().astype(str).value_counts()
    total = mentioned.add(posted, fill_value=0)
    return {xml_safe(str(k)): int(v) for k, v in total.items()}


# --------------------------------------------------------------------------- dictionary

def dictionary_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column of every file: file, column, description."""
    docs = {**TWEET_COLUMN_DOCS, **EXTRA_TWEET_COLUMNS}
    rows = [(name, column, docs.get(column, ""))
            for name in (TWEETS_CSV, TWEETS_PARQUET) for column in frame.columns]
    rows += [(name, c, d) for name, columns in TABLE_COLUMNS.items() for c, d in columns.items()]
    rows += [(HASHTAG_GEXF, "node/edge",
              "Nodes: hashtags; edges: " + TABLE_COLUMNS[HASHTAG_EDGES_CSV]["weight"]),
             (MENTION_GEXF, "node/edge", "Nodes: handles; directed edges: source mentions target.")]
    return pd.DataFrame(rows, columns=["file", "column", "description"])


def dictionary_markdown(dictionary: pd.DataFrame, header: Sequence[str]) -> str:
    lines = ["# Backfire data export: data dictionary", ""]
    lines += [f"- {line}" for line in header]
    lines += ["", "Every CSV is UTF-8 (with a byte-order mark for Excel). Text cells that "
              "could run as a spreadsheet formula (starting with = + - @, a tab or a carriage "
              "return) carry a leading single quote; drop it to recover the original text. "
              "Parquet and GEXF keep the text verbatim.", "", NODE_DOCS, ""]
    for name, group in dictionary.groupby("file", sort=False):
        lines += [f"## {name}", "", "| column | description |", "|---|---|"]
        lines += [f"| `{_md(c)}` | {_md(d)} |" for c, d in zip(group["column"], group["description"],
                                                               strict=True)]
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# --------------------------------------------------------------------------- bundle

def bundle(tables: Mapping[str, pd.DataFrame], reports: Mapping[str, kpis.KpiReport] | None = None,
           *, filters: str = "no filters", provenance: Mapping[str, str] | None = None,
           notes: Sequence[str] = (),
           themes: Mapping[str, theme_metrics.ThemeReport] | None = None) -> Bundle:
    """Every data export of the (already filtered) tables of one or more cases.

    ``filters`` describes the filters applied (e.g. ``exports.content.describe``);
    ``provenance`` maps case id -> "reconstruction" | "real"; ``notes`` are extra header
    lines for the dictionary (e.g. the reconstruction notice); ``themes`` maps case id -> its
    themes on the filtered table (``themes.csv``; cases with too few texts left out).
    """
    frame = tweets_frame(tables, provenance)
    filters = filters if filters.startswith("Filters:") else f"Filters: {filters}"
    header = [f"Cases: {', '.join(tables)}", filters, *_provenance_lines(provenance),
              *notes]
    meta = {"cases": list(tables), "filters": filters, "provenance": dict(provenance or {}),
            "notes": list(notes)}
    hashtags, mentions = hashtag_edges(frame), mention_edges(frame)
    description = " | ".join(header)
    files = {
        TWEETS_CSV: tweets_csv(frame),
        TWEETS_PARQUET: tweets_parquet(frame, meta),
        HASHTAG_EDGES_CSV: safety.to_safe_csv(hashtags, bom=True),
        HASHTAG_GEXF: gexf(hashtags, directed=False, description=description,
                           node_tweets=_hashtag_counts(frame)),
        MENTION_EDGES_CSV: safety.to_safe_csv(mentions, bom=True),
        MENTION_GEXF: gexf(mentions, directed=True, description=description,
                           node_tweets=_handle_counts(frame)),
    }
    if reports:
        files[KPIS_CSV] = safety.to_safe_csv(kpi_frame(reports, provenance), bom=True)
    if themes:
        files[THEMES_CSV] = safety.to_safe_csv(theme_frame(themes), bom=True)
    dictionary = dictionary_frame(frame)
    dictionary = dictionary[dictionary["file"].isin(files)]
    files[DICTIONARY_MD] = dictionary_markdown(dictionary, header).encode("utf-8")
    files[DICTIONARY_CSV] = safety.to_safe_csv(dictionary, bom=True)
    return Bundle(files=files, comment=description)


def _provenance_lines(provenance: Mapping[str, str] | None) -> list[str]:
    return [f"{case}: {PROVENANCE_LABELS.get(kind, kind)}" for case, kind in (provenance or {}).items()]
