"""Shared inputs of the export tests: a real archive, scored, plus hostile tweets whose text
is an attack (spreadsheet formula, script tag) or absurdly long, and a case file around it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from analysis import cases, pipeline, schema
from analysis.ingest import loaders
from analysis.metrics import filters
from analysis.nlp import scoring
from analysis.store.paths import SHARED_DIR

REAL_ARCHIVE = SHARED_DIR / "real-archives" / "v2_twarc2_brexit.jsonl"
FORMULA = '=HYPERLINK("http://x","y") you lying crooks ruined everything'
SCRIPT = "<script>alert(1)</script> disgusting liars, shame on you"
IMG = '<img src=x onerror="alert(2)"> pathetic frauds'
LONG = "Utterly shameful and dishonest. " * 30 + "THE-END-OF-THE-LONG-TWEET"
# Emoji carry much of a hijack's mockery: exports must draw them, not empty boxes.
EMOJI = "\U0001F602\U0001F921 clowns, the lot of you \U0001F44E"
ATTACKS = (FORMULA, SCRIPT, IMG, LONG, EMOJI)
# Engagement that puts the attack tweets at the top of the hostile ranking.
TOP_LIKES = 1_000_000
# A rendered slide whose grey levels span less than this is blank (nothing drawn on it).
MIN_SLIDE_CONTRAST = 50


def scored_archive() -> pd.DataFrame:
    """The real archive, scored, with the attack tweets added as top-engagement hostile posts."""
    if not REAL_ARCHIVE.is_file():
        pytest.fail(f"{REAL_ARCHIVE} not found: CI must run beside ../shared")
    table = loaders.load(REAL_ARCHIVE).table
    start = table["created_at"].min()
    extra = schema.conform(pd.DataFrame({
        "id": [f"9000000000000000{i}" for i in range(len(ATTACKS))],
        "created_at": [start + pd.Timedelta(minutes=2 + i) for i in range(len(ATTACKS))],
        "text": list(ATTACKS),
        "author": [f"attacker_{i}" for i in range(len(ATTACKS))],
        "lang": ["en"] * len(ATTACKS),
        "like_count": [TOP_LIKES - i for i in range(len(ATTACKS))],
        "retweet_count": [0] * len(ATTACKS),
        "reply_count": [0] * len(ATTACKS),
        "quote_count": [0] * len(ATTACKS),
        "metrics_semantics": ["snapshot"] * len(ATTACKS),
        "source_format": ["test"] * len(ATTACKS),
    }))
    scored = scoring.score(pd.concat([table, extra], ignore_index=True), cue_terms=("brexit",))
    attack = scored["id"].isin(extra["id"]).to_numpy()
    # The classifier may or may not call an attack hostile; the tests need them in the ranking.
    scored.loc[attack, "hostile"] = True
    scored.loc[attack, "hostile_prob"] = 0.99
    return scored


def archive_case(table: pd.DataFrame, case_id: str = "brexit", tag: str = "brexit") -> cases.Case:
    """A case file for the archive, with events and facts (one with an unsafe source URL)."""
    launch = table["created_at"].min().to_pydatetime()
    step = pd.Timedelta(minutes=4).to_pytimedelta()
    return cases.case_from_dict({
        "id": case_id, "hashtag": tag, "brand": "Test Brand <b>", "brand_account": "testbrand",
        "launch": launch, "ask": "Tell us what you think <script>alert(3)</script>",
        "story": "A real sample of tweets about Brexit, used as a stand-in case.",
        "provenance": "real",
        "events": [
            {"time": launch, "kind": "ask", "label": "Launch", "note": "first tweet",
             "source_url": "https://example.org/launch", "confidence": "high"},
            {"time": launch + step, "kind": "hostile_wave", "label": "Critics pile in",
             "source_url": "https://example.org/wave", "confidence": "medium"},
            {"time": launch + 2 * step, "kind": "brand_response", "label": "Brand replies",
             "note": "a statement", "source_url": "javascript:alert(4)", "confidence": "low"},
        ],
        "facts": [
            {"label": "Sample size", "value": "about 100 tweets",
             "source_url": "https://example.org/facts", "confidence": "high"},
        ],
    })


def inputs(table: pd.DataFrame, n_cases: int = 1) -> list[pipeline.Loaded]:
    tags = ["brexit", "brexitcopy", "brexitthird"]
    return [pipeline.Loaded(archive_case(table, tags[i], tags[i]), table) for i in range(n_cases)]


# Keeps every attack tweet and 96 of the 100 real ones (a strict subset, so filtering shows).
KEYWORD_FILTER = filters.Filters(keyword="u")


def assert_slides_render(deck_file: Path, out: Path, work: Path) -> list[Path]:
    """Render every slide of ``deck_file`` through LibreOffice Impress (PDF) and pdftoppm
    (``out/slide-N.png``, old ones replaced) and check each page is a slide and none is blank.

    ``work`` holds LibreOffice's profile and the PDF; the PNGs stay in ``out`` for a human.
    """
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found: scripts/ensure-render-tools.sh installs it")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/lo",
                    "--convert-to", "pdf", "--outdir", str(work), str(deck_file)],
                   check=True, capture_output=True, timeout=300)
    rendered = work / f"{deck_file.stem}.pdf"
    slides = len(Presentation(str(deck_file)).slides)
    assert len(PdfReader(str(rendered)).pages) == slides
    for old in out.glob("slide-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(rendered), str(out / "slide")],
                   check=True, capture_output=True, timeout=180)
    pngs = sorted(out.glob("slide-*.png"))
    assert len(pngs) == slides
    for png in pngs:
        with Image.open(png) as image:
            low, high = image.convert("L").getextrema()
            assert high - low > MIN_SLIDE_CONTRAST
    return pngs
