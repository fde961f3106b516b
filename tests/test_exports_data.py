"""Data exports (analysis.exports.data): every file opens with its reader, cells are inert."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import safety, schema
from analysis.exports import data
from analysis.ingest import loaders
from analysis.metrics import kpis

HOSTILE_TEXTS = ['=HYPERLINK("http://x","y")', "<script>alert(1)</script>", "@SUM(1)",
                 "-2+3", "\t=cmd", "مرحبا بالعالم #رمضان", "😀" * 300, ""]


def _table(texts: list[str] | None = None) -> pd.DataFrame:
    texts = texts if texts is not None else HOSTILE_TEXTS
    n = len(texts)
    frame = schema.conform(pd.DataFrame({
        "id": [str(10**18 + i) for i in range(n)],
        "created_at": pd.date_range("2014-04-22T18:00:00Z", periods=n, freq="min"),
        "text": texts,
        "author": [f"user{i % 3}" for i in range(n)],
        "is_retweet": [i % 4 == 1 for i in range(n)],
        "is_reply": [i % 4 == 2 for i in range(n)],
        "hashtags": [["mynypd", "nypd", "=evil"][: 1 + i % 3] for i in range(n)],
        "mentions": [["nypdnews"] if i % 2 else [] for i in range(n)],
        "retweet_count": [i for i in range(n)],
    }))
    frame["compound"] = [-0.9 + 0.2 * i for i in range(n)]
    frame["hostile"] = [i % 2 == 0 for i in range(n)]
    frame["hostile_prob"] = [0.9 if i % 2 == 0 else 0.1 for i in range(n)]
    return frame


def _inert(cell: str | None) -> bool:
    """A CSV cell a spreadsheet reads as text or as a plain number, never as a formula."""
    if not cell or not safety.is_dangerous(cell):
        return True
    return re.fullmatch(r"-?\d+(\.\d+)?(e[-+]?\d+)?", cell) is not None


def _csv_rows(payload: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(payload.decode("utf-8-sig"), newline="")))


@pytest.fixture
def bundle() -> data.Bundle:
    table = _table()
    report = kpis.compute(table, launch=pd.Timestamp("2014-04-22T18:00:00Z"))
    return data.bundle({"mynypd": table}, {"mynypd": report}, filters="Filters: keyword \"x\"",
                       provenance={"mynypd": "reconstruction"})


def test_zip_holds_every_file_and_says_what_it_is(bundle: data.Bundle) -> None:
    archive = zipfile.ZipFile(io.BytesIO(bundle.to_zip()))
    assert set(archive.namelist()) == {
        data.TWEETS_CSV, data.TWEETS_PARQUET, data.KPIS_CSV, data.HASHTAG_EDGES_CSV,
        data.HASHTAG_GEXF, data.MENTION_EDGES_CSV, data.MENTION_GEXF, data.DICTIONARY_MD,
        data.DICTIONARY_CSV}
    assert archive.testzip() is None
    comment = archive.comment.decode()
    assert 'keyword "x"' in comment and "synthetic reconstruction" in comment
    markdown = archive.read(data.DICTIONARY_MD).decode()
    assert "Filters: keyword" in markdown and "not real tweets" in markdown


def test_tweets_csv_is_inert_and_complete(bundle: data.Bundle) -> None:
    rows = _csv_rows(bundle.files[data.TWEETS_CSV])
    assert [r["text"] for r in rows] == [safety.neutralise_cell(t) for t in HOSTILE_TEXTS]
    assert all(_inert(v) for r in rows for v in r.values())
    assert rows[0]["text"].startswith("'=HYPERLINK")
    assert rows[0]["id"] == str(10**18), "ids stay exact strings"
    assert rows[0]["created_at"] == "2014-04-22T18:00:00Z"
    assert rows[0]["case"] == "mynypd" and rows[0]["provenance"] == "reconstruction"
    assert float(rows[0]["compound"]) == pytest.approx(-0.9), "negative numbers stay numbers"
    assert rows[2]["hashtags"] == "mynypd nypd =evil", "lists are joined, then neutralised as one cell"
    assert [r["kind"] for r in rows[:3]] == ["original", "retweet", "reply"]
    assert rows[0]["url"] == "", "a synthetic post gets no link"


def test_tweets_parquet_is_typed_and_verbatim(bundle: data.Bundle) -> None:
    table = pq.read_table(io.BytesIO(bundle.files[data.TWEETS_PARQUET]))
    frame = table.to_pandas()
    assert frame["text"].tolist() == HOSTILE_TEXTS, "Parquet keeps the text verbatim"
    assert frame["id"].tolist()[0] == str(10**18)
    assert str(frame["created_at"].dt.tz) == "UTC"
    assert list(frame["hashtags"][2]) == ["mynypd", "nypd", "=evil"]
    meta = json.loads(table.schema.metadata[data.PARQUET_META_KEY])
    assert meta["provenance"] == {"mynypd": "reconstruction"} and "keyword" in meta["filters"]


def test_kpi_csv_has_one_row_per_kpi_with_definitions(bundle: data.Bundle) -> None:
    rows = _csv_rows(bundle.files[data.KPIS_CSV])
    assert [r["kpi"] for r in rows] == list(kpis.KPIS)
    by_key = {r["kpi"]: r for r in rows}
    assert by_key["tweets"]["value"] == str(len(HOSTILE_TEXTS))
    assert by_key["tweets"]["definition"] == kpis.KPIS["tweets"].definition


def test_hashtag_edges_count_co_occurrences() -> None:
    frame = schema.conform(pd.DataFrame({
        "id": ["1", "2", "3"], "author": ["a", "b", "c"],
        "is_retweet": [False, True, False],
        "hashtags": [["x", "y", "z"], ["x", "y"], ["y", "y"]],
    }))
    edges = data.hashtag_edges(frame)
    assert edges.to_dict("records") == [
        {"source": "x", "target": "y", "weight": 2, "originals": 1},
        {"source": "x", "target": "z", "weight": 1, "originals": 1},
        {"source": "y", "target": "z", "weight": 1, "originals": 1},
    ]


def test_mention_edges_count_by_kind() -> None:
    frame = schema.conform(pd.DataFrame({
        "id": ["1", "2", "3", "4"], "author": ["a", "a", "b", None],
        "is_retweet": [False, True, False, False], "is_reply": [False, False, True, False],
        "mentions": [["brand"], ["brand", "brand"], ["brand", "a"], ["brand"]],
    }))
    edges = data.mention_edges(frame)
    assert edges.to_dict("records") == [
        {"source": "a", "target": "brand", "weight": 2, "original": 1, "retweet": 1, "reply": 0, "quote": 0},
        {"source": "b", "target": "a", "weight": 1, "original": 0, "retweet": 0, "reply": 1, "quote": 0},
        {"source": "b", "target": "brand", "weight": 1, "original": 0, "retweet": 0, "reply": 1, "quote": 0},
    ]


def test_gexf_opens_in_networkx_and_matches_the_edge_lists(bundle: data.Bundle) -> None:
    for gexf_name, csv_name, directed in ((data.HASHTAG_GEXF, data.HASHTAG_EDGES_CSV, False),
                                          (data.MENTION_GEXF, data.MENTION_EDGES_CSV, True)):
        graph = nx.read_gexf(io.BytesIO(bundle.files[gexf_name]))
        assert graph.is_directed() == directed
        rows = _csv_rows(bundle.files[csv_name])
        assert graph.number_of_edges() == len(rows) > 0
        for row in rows:
            source, target = (v[1:] if v.startswith("'") else v for v in (row["source"], row["target"]))
            assert graph.edges[source, target]["weight"] == float(row["weight"])
        assert all("tweets" in attrs for _, attrs in graph.nodes(data=True))


def test_dictionary_describes_every_column(bundle: data.Bundle) -> None:
    described = {(r["file"], r["column"]) for r in _csv_rows(bundle.files[data.DICTIONARY_CSV])}
    tables = [name for name in data.TABLE_COLUMNS if name in bundle.files]
    assert {data.KPIS_CSV, data.HASHTAG_EDGES_CSV, data.MENTION_EDGES_CSV} <= set(tables)
    for name in (data.TWEETS_CSV, *tables):
        header = next(csv.reader(io.StringIO(bundle.files[name].decode("utf-8-sig"))))
        missing = [c for c in header if (name, c) not in described]
        assert not missing, f"{name}: {missing} undocumented"
        if name in data.TABLE_COLUMNS:  # a table's columns are its registry entry, in order
            assert header == list(data.TABLE_COLUMNS[name])
    rows = _csv_rows(bundle.files[data.DICTIONARY_CSV])
    assert all(r["description"] for r in rows if r["file"] == data.TWEETS_CSV)


def test_real_archive_exports(real_archives: Path) -> None:
    table = loaders.load(real_archives / "v2_twarc2_flat.jsonl").table
    result = data.bundle({"flat": table}, provenance={"flat": "real"})
    assert data.KPIS_CSV not in result.files
    assert len(_csv_rows(result.files[data.TWEETS_CSV])) == len(table)
    assert pq.read_table(io.BytesIO(result.files[data.TWEETS_PARQUET])).num_rows == len(table)
    mentions = nx.read_gexf(io.BytesIO(result.files[data.MENTION_GEXF]))
    assert mentions.number_of_edges() == len(data.mention_edges(table)) > 0


def test_empty_selection_exports_empty_files() -> None:
    result = data.bundle({"none": _table([])})
    assert _csv_rows(result.files[data.TWEETS_CSV]) == []
    assert nx.read_gexf(io.BytesIO(result.files[data.HASHTAG_GEXF])).number_of_nodes() == 0


_handles = st.text(min_size=0, max_size=20)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.text(max_size=400), min_size=1, max_size=8),
       tags=st.lists(st.lists(_handles, max_size=4), min_size=8, max_size=8),
       authors=st.lists(_handles, min_size=8, max_size=8))
def test_property_any_unicode_goes_through_every_format(texts: list[str], tags: list[list[str]],
                                                        authors: list[str]) -> None:
    frame = _table(texts)
    frame["hashtags"] = pd.Series([tags[i % 8] for i in range(len(texts))], dtype="object")
    frame["mentions"] = pd.Series([tags[(i + 3) % 8] for i in range(len(texts))], dtype="object")
    frame["author"] = pd.array([authors[i % 8] for i in range(len(texts))], dtype="string")
    result = data.bundle({"fuzz": frame})
    rows = _csv_rows(result.files[data.TWEETS_CSV])
    assert len(rows) == len(texts)
    for name in (data.TWEETS_CSV, data.HASHTAG_EDGES_CSV, data.MENTION_EDGES_CSV):
        for row in _csv_rows(result.files[name]):
            assert all(_inert(v) for v in row.values())
    assert pq.read_table(io.BytesIO(result.files[data.TWEETS_PARQUET])).column("text").to_pylist() == texts
    for name in (data.HASHTAG_GEXF, data.MENTION_GEXF):
        ElementTree.fromstring(result.files[name])   # well-formed XML
        nx.read_gexf(io.BytesIO(result.files[name]))
