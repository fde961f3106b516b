"""Property-based tests: arbitrary tweets (any Unicode, RTL, emoji, control characters,
huge or empty) go through every export path without a crash, and nothing in them becomes
markup. Few examples: each one builds a deck with chart images and prints a PDF."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pptx import Presentation

from analysis import cases, pipeline, schema
from analysis.exports import content, deck, pdf, report
from analysis.nlp import scoring

START = pd.Timestamp("2020-05-01 12:00", tz="UTC")
SPECIAL = [
    "",
    " ",
    "مرحبا بالعالم — هذا نص عربي من اليمين إلى اليسار",
    "\u202eevil override\u202c and \u200f RTL mark",
    "🔥" * 400,
    "👩🏽‍💻 🏳️‍🌈 🇺🇸 family 👨‍👩‍👧‍👦",
    "x" * 6000,
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "</script><script>alert(2)</script>",
    "{{ 7*7 }} {% raw %} ${7*7}",
    "\x00\x01\x02\x1b[31m",
]
TWEET = st.one_of(st.text(max_size=400), st.sampled_from(SPECIAL))
FUZZ = settings(max_examples=4, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _table(texts: list[str]) -> pd.DataFrame:
    n = len(texts)
    frame = schema.conform(pd.DataFrame({
        "id": [str(10_000 + i) for i in range(n)],
        "created_at": [START + pd.Timedelta(minutes=7 * i) for i in range(n)],
        "text": texts,
        "author": [f"user{i % 3}" for i in range(n)],
        "lang": ["und"] * n,
        "like_count": list(range(n, 0, -1)),
        "metrics_semantics": ["snapshot"] * n,
    }))
    scored = scoring.score(frame)
    scored["hostile"] = [i % 2 == 0 for i in range(n)]  # both groups present, whatever the text
    return scored


def _case(tag: str) -> cases.Case:
    return cases.case_from_dict({
        "id": "fuzz", "hashtag": tag or "fuzz", "brand": "Brand", "brand_account": "brand",
        "launch": START.to_pydatetime(), "ask": "anything", "story": "fuzzed",
        "provenance": "real",
    })


@FUZZ
@given(texts=st.lists(TWEET, min_size=1, max_size=8),
       tag=st.text(alphabet=st.characters(categories=["L", "N"]), max_size=30))
def test_any_tweets_export_to_every_format(texts: list[str], tag: str) -> None:
    items = [pipeline.Loaded(_case(tag), _table(texts))]
    built = content.build(items)
    prs = Presentation(io.BytesIO(deck.to_bytes(built)))
    assert len(prs.slides) >= len(built.sections())  # a slide per section (Methods may take more)
    html = report.render(built)
    assert "<script>alert(1)</script>" not in html
    assert "</script><script>alert(2)" not in html
    with zipfile.ZipFile(io.BytesIO(content.data_zip(items))) as archive:
        assert archive.testzip() is None


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(TWEET, min_size=1, max_size=5))
def test_any_tweets_print_to_pdf(texts: list[str]) -> None:
    built = content.build([pipeline.Loaded(_case("fuzz"), _table(texts))])
    assert pdf.to_bytes(built).startswith(b"%PDF-")
