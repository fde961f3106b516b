"""The shape of the code, read from every import with ``ast`` (nothing is imported or run).

- imports point one way: ``pages`` -> ``ui`` -> ``analysis`` (``app.py`` is a page);
- ``analysis.ingest`` reads archives and imports neither ``nlp``, ``metrics`` nor ``exports``;
- nothing in ``analysis`` imports Streamlit (the caching layer is ``ui/``);
- ``benchmarks/`` import no test helpers (they measure the product, not the tests);
- no import cycle between the modules of ``analysis``;
- no import of the project's own modules inside a function, unless the line above says why
  (a comment starting ``# Deferred:`` or ``# Imported here``);
- the shipped code repeats no six lines (the ``duplicates`` tool, where it is installed).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_FOLDERS = ("analysis", "ui", "pages")
# Modules of tests/ that the benchmarks must not use (a benchmark runs without the test suite).
TEST_HELPERS = frozenset(p.stem for p in (ROOT / "tests").rglob("*.py")) | {"tests"}
DEFERRED_MARKS = ("# Deferred:", "# Imported here")


@dataclass(frozen=True)
class Import:
    source: str       # the importing module, dotted ("analysis.pipeline", "pages.case")
    target: str       # the imported module, dotted, resolved to a module where it is one
    line: int
    in_function: bool
    type_only: bool   # under ``if TYPE_CHECKING:`` (never runs)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _targets(node: ast.Import | ast.ImportFrom, source: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = source.split(".") if is_package else source.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([base] if base else [])])
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        yield candidate if _is_module(candidate) else base


def _walk(tree: ast.AST, in_function: bool = False,
          type_only: bool = False) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function, type_only
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(child, True, type_only)
        elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            yield from _walk(child, in_function, True)
        else:
            yield from _walk(child, in_function, type_only)


@cache
def imports_of(path: Path) -> tuple[Import, ...]:
    source = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return tuple(Import(source, target, node.lineno, in_function, type_only)
                 for node, in_function, type_only in _walk(tree)
                 for target in _targets(node, source, path.name == "__init__.py"))


def files(*folders: str) -> list[Path]:
    out: list[Path] = []
    for folder in folders:
        path = ROOT / folder
        out += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return out


def all_imports(*folders: str) -> list[Import]:
    return [imp for path in files(*folders) for imp in imports_of(path)]


def top(dotted: str) -> str:
    return dotted.split(".")[0]


def within(dotted: str, package: str) -> bool:
    return dotted == package or dotted.startswith(package + ".")


# --- direction ---------------------------------------------------------------------------------

def test_the_reader_sees_every_project_import() -> None:
    """The test's own sanity: it finds the imports it is meant to police."""
    found = {(i.source, i.target) for i in all_imports("pages", "ui", "analysis")}
    assert ("pages.case", "ui.tabs") in found
    assert ("ui.data", "analysis.pipeline") in found
    assert ("analysis.pipeline", "analysis.store.cache") in found


def test_imports_point_from_pages_to_ui_to_analysis() -> None:
    allowed = {"app": {"ui", "analysis"}, "pages": {"ui", "analysis"}, "ui": {"analysis"},
               "analysis": set()}
    layers = set(allowed)
    wrong = [f"{i.source}:{i.line} imports {i.target}"
             for i in all_imports("app.py", "pages", "ui", "analysis")
             if top(i.target) in layers and top(i.target) != top(i.source)
             and top(i.target) not in allowed[top(i.source)]]
    assert wrong == []


def test_ingest_imports_neither_nlp_metrics_nor_exports() -> None:
    banned = ("analysis.nlp", "analysis.metrics", "analysis.exports", "analysis.pipeline")
    wrong = [f"{i.source}:{i.line} imports {i.target}" for i in all_imports("analysis/ingest")
             if any(within(i.target, b) for b in banned)]
    assert wrong == []


def test_analysis_never_imports_streamlit() -> None:
    wrong = [f"{i.source}:{i.line}" for i in all_imports("analysis") if top(i.target) == "streamlit"]
    assert wrong == []


def test_benchmarks_import_no_test_helpers() -> None:
    wrong = [f"{i.source}:{i.line} imports {i.target}" for i in all_imports("benchmarks")
             if top(i.target) in TEST_HELPERS]
    assert wrong == []


# --- cycles ------------------------------------------------------------------------------------

def analysis_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for imp in all_imports("analysis"):
        if within(imp.target, "analysis") and not imp.type_only and imp.target != imp.source:
            graph.add_edge(imp.source, imp.target)
    return graph


def test_no_import_cycle_between_analysis_modules() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(analysis_graph()) if len(c) > 1]
    assert cycles == []


def test_the_cycle_finder_sees_a_cycle() -> None:
    graph = analysis_graph()
    graph.add_edge("analysis.schema", "analysis.pipeline")  # pipeline -> ... -> schema exists
    assert any(len(c) > 1 for c in nx.strongly_connected_components(graph))


# --- imports inside functions ------------------------------------------------------------------

def test_project_imports_sit_at_module_level_unless_a_comment_says_why() -> None:
    hidden = []
    for path in files("app.py", *APP_FOLDERS):
        lines = path.read_text(encoding="utf-8").splitlines()
        for imp in imports_of(path):
            if not imp.in_function or top(imp.target) not in ("analysis", "ui", "pages"):
                continue
            above = lines[imp.line - 2].strip() if imp.line >= 2 else ""
            if not above.startswith(DEFERRED_MARKS):
                hidden.append(f"{imp.source}:{imp.line} imports {imp.target}")
    assert hidden == []


@pytest.mark.parametrize("folder", ["analysis", "ui", "pages"])
def test_every_app_module_parses(folder: str) -> None:
    assert all(imports_of(path) is not None for path in files(folder))


# --- test modules -----------------------------------------------------------------------------

def test_test_modules_have_unique_names() -> None:
    """tests/ has no __init__.py: pytest imports each test module by its file name, so two
    modules of one name (tests/x.py and tests/browser/x.py) stop the whole run at collection."""
    names = [p.name for p in (ROOT / "tests").rglob("*.py") if p.name != "conftest.py"]
    assert sorted({n for n in names if names.count(n) > 1}) == []


# The app's code (what ships): no pair of places shares six or more lines, the same or of the
# same shape (the `duplicates` tool of the development machine; issue 8).
SHIPPED = (*APP_FOLDERS, "scripts", "static", "app.py")


@pytest.mark.skipif(shutil.which("duplicates") is None, reason="the duplicates tool is not installed")
def test_app_code_repeats_no_six_lines(tmp_path: Path) -> None:
    for name in SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    out = subprocess.run(["duplicates", "--repo", str(tmp_path), "--most", "20", "--seconds", "120"],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    assert out.startswith("no duplicates"), out
    assert not [line for line in out.splitlines() if line.startswith("incomplete:")], out
