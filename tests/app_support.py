"""Shared helpers of the AppTests (``tests/test_app_*.py``) and the browser tests.

The app runs against its own data folder: the bundled reconstructed archives are linked in
read-only and the score caches copied from a seed folder where every bundled case is scored
once per session (``score_seed``), so tests never write into the repository's ``data/``
and scoring (the slow part) happens at most once. The fixtures built on these helpers
(``seed_data``, ``app_data_dir``, ``app_env``, ``csv_downloads``) are in tests/conftest.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from analysis.cases import load_cases
from analysis.store import paths
from ui import chart_view

ROOT = paths.PROJECT_ROOT
APP = ROOT / "app.py"
# Every bundled reconstruction (eight classics), in the library's file order.
BUNDLED = tuple(c.id for c in load_cases(include_library=False).values() if c.is_reconstruction)
# The first run of a page may load and score a case (no cache yet): allow for it.
FIRST_RUN_TIMEOUT_S = 600
PAGES = {
    "library": "pages/library.py",
    "case": "pages/case.py",
    "story": "pages/story.py",
    "compare": "pages/compare.py",
    "anatomy": "pages/anatomy.py",
    "archive": "pages/archive.py",
    "methods": "pages/methods.py",
}


def _link_archives(root: Path, archives: Path = ROOT / "data" / "archives") -> None:
    missing = [c for c in BUNDLED if not (archives / f"{c}.jsonl.gz").is_file()]
    if missing:
        pytest.fail(f"reconstructed archives missing for {missing}: run "
                    "`python -m analysis build-archives --if-missing` (scripts/test.sh does)")
    (root / "archives").mkdir(parents=True)
    for file in sorted(archives.iterdir()):
        (root / "archives" / file.name).symlink_to(file)


def score_seed(root: Path) -> Path:
    """A data folder whose score cache holds every bundled case (scored here if needed) with
    its summaries (``pipeline.summaries``).

    The repository's ``data/cache`` entries of the three bundled cases are reused (only
    those files are copied, not the whole cache); what is missing is scored once, into
    ``root``, never into the repository (about 12 s for the three cases on 2 cores).
    """
    from analysis import cases, pipeline

    # a private copy: a rebuild of data/archives during the session must not change them
    shutil.copytree(ROOT / "data" / "archives", root / "archives-snapshot")
    _link_archives(root, root / "archives-snapshot")
    (root / "cache").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKFIRE_DATA_DIR", str(root))
        for case_id in BUNDLED:
            case = cases.load_case(case_id)
            _copy_cached(_cache_key(case), ROOT / "data" / "cache", root / "cache")
            # its Language and Themes summaries too (copied along, or computed once here)
            pipeline.summaries(pipeline.load(case))
    return root


# What ``pipeline.scored_archive`` adds to the files' hash when no format or mapping is forced.
_DEFAULT_LOAD_OPTIONS = json.dumps({"fmt": None, "mapping": None}, sort_keys=True)


def _cache_key(case: Any) -> str:
    """The key under which ``pipeline.scored_case(case)`` stores the case (content-based)."""
    from analysis.store import cache

    files = list(getattr(case, "archive_paths", None) or [case.archive_path])
    return cache.cache_key(cache.file_hash(files) + _DEFAULT_LOAD_OPTIONS,
                           cue_terms=tuple(case.target_terms))


def _copy_cached(key: str, source: Path, target: Path) -> None:
    """Copy one cache entry (table + report) if the repository's cache has it."""
    for file in sorted(source.glob(f"{key}.*")) if source.is_dir() else []:
        shutil.copy2(file, target / file.name)


def prepare_data(root: Path, seed: Path) -> Path:
    """A data folder with the seed's archives linked and its score cache copied."""
    _link_archives(root, seed / "archives-snapshot")
    shutil.copytree(seed / "cache", root / "cache")
    return root


def open_page(page: str, query: dict[str, Any] | None = None,
              state: dict[str, Any] | None = None) -> AppTest:
    """Run app.py, switch to ``page`` (a key of PAGES) with URL ``query`` and session ``state``."""
    at = AppTest.from_file(str(APP), default_timeout=FIRST_RUN_TIMEOUT_S)
    if page != "library":
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        at.switch_page(PAGES[page])
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run()


def assert_clean(at: AppTest) -> None:
    """No exception and no error message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def open_clean(page: str, query: dict[str, Any] | None = None,
               state: dict[str, Any] | None = None) -> AppTest:
    """``open_page``, then ``assert_clean``: the page ran with no exception and no error."""
    at = open_page(page, query, state)
    assert_clean(at)
    return at


def figures(at: AppTest) -> list[dict[str, Any]]:
    """The Plotly figures on the page, as dicts, in page order.

    Drawn by ``ui.chart_view`` (a components-v2 element whose data holds the figure's JSON)
    or, as its fallback, by ``st.plotly_chart``.
    """
    out = []
    for el in at.main:
        proto = getattr(el, "proto", None)
        if el.type == "plotly_chart":
            out.append(json.loads(proto.spec))
        elif el.type == "bidi_component" and proto.component_name == chart_view.COMPONENT:
            out.append(json.loads(json.loads(proto.json)["figure"]))
    return out


def figure(at: AppTest, title_part: str) -> dict[str, Any]:
    for fig in figures(at):
        if title_part in fig.get("layout", {}).get("title", {}).get("text", ""):
            return fig
    titles = [f.get("layout", {}).get("title", {}).get("text") for f in figures(at)]
    raise AssertionError(f"no figure titled like {title_part!r}; found {titles}")


def metric(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no metric {label!r}: {[m.label for m in at.metric]}"
    return str(values[0])


def text_of(at: AppTest) -> str:
    """Every markdown, caption, info, title and subheader text on the page, joined."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info",
                                  "warning", "success") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def served(download: object) -> Any:
    """A CSV download recorded by the ``csv_downloads`` fixture, as the frame it serves
    (built now when the download is lazy)."""
    return download() if callable(download) else download


def case_label(case_id: str) -> str:
    """The case picker's label for a case (it is what the URL carries)."""
    from analysis.cases import load_cases
    from ui import data

    return data.labels(load_cases())[case_id]


def values(data: Any) -> list[Any]:
    """A Plotly array as a list: plain lists, or the typed-array form ``{dtype, bdata}``."""
    if isinstance(data, dict) and "bdata" in data:
        import base64

        import numpy as np

        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        return array.reshape(data["shape"]).tolist() if "shape" in data else array.tolist()
    return list(data or [])
