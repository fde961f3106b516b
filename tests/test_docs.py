"""The docs stay honest: a short README with the two commands and links into ``docs/``; every
page, CLI command, archive format, KPI and export format documented; every figure quoted in a
``<!-- figures: FILE -->`` block found in FILE (the benchmarks' results, the evaluation)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from analysis.__main__ import _command_modules, build_parser
from analysis.cases import load_cases
from analysis.exports import FORMATS as EXPORT_FORMATS
from analysis.ingest.formats import FORMATS
from analysis.metrics import kpis
from ui.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# A docs screenshot is a 256-colour PNG: a long page stays under this size.
SCREENSHOT_MAX_BYTES = 600_000
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = [module.NAME for module in _command_modules()]
README_MAX_BYTES = 8 * 1024
# The topics a newcomer looks for (issue 8), each a file of docs/ linked from the README.
DOC_FILES = ("pages.md", "formats.md", "cases.md", "methods.md", "performance.md",
             "exports-and-safety.md", "contributing.md", "testing.md", "cli.md")
FIGURES = re.compile(r"<!-- figures: (\S+) -->(.*?)<!-- /figures -->", re.S)
# A number as written in prose or a table: 56,802 · 0.749 · 12.5x; not part of a word (macro-F1,
# 100k, v1.1 stays 1.1).
NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?=x\b|[^\w]|$)")


def doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _section(text: str, name: str) -> str:
    match = re.search(rf"<!-- section:{name} -->(.*?)<!-- /section:{name} -->", text, re.S)
    assert match, f"no section {name!r}"
    return match.group(1)


# --- README -------------------------------------------------------------------------------------

def test_readme_opens_with_purpose_and_two_commands() -> None:
    first_paragraph = README.split("\n\n")[1]
    assert first_paragraph.startswith("Backfire is") and first_paragraph.count(". ") == 0
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    assert "bash scripts/app.sh" in quickstart and "bash scripts/test.sh" in quickstart
    for script in ("scripts/app.sh", "scripts/test.sh"):
        assert (ROOT / script).is_file()


def test_readme_is_short_with_one_screenshot_a_map_and_links_into_docs() -> None:
    assert len(README.encode("utf-8")) <= README_MAX_BYTES
    shots = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert len(shots) == 1 and (ROOT / shots[0]).is_file()
    assert "## Map of the repository" in README
    for folder in ("pages/", "ui/", "analysis/ingest/", "analysis/nlp/", "analysis/metrics/",
                   "analysis/store/", "analysis/exports/", "benchmarks/", "tests/", "docs/"):
        assert f"`{folder}`" in README, folder
    for name in DOC_FILES:
        assert f"(docs/{name})" in README and (DOCS / name).is_file(), name


def test_every_link_between_docs_resolves() -> None:
    for path in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)\)", path.read_text(encoding="utf-8")):
            if not target.startswith(("http://", "https://")):
                assert (path.parent / target).exists(), f"{path.name}: {target}"


@pytest.mark.parametrize("case_id", sorted(load_cases(include_library=False)))
def test_every_case_has_story_themes_and_network_screenshots(case_id: str) -> None:
    """docs/classroom.md shows the Story, Themes and Network views of every bundled case, as
    small PNGs taken by tests/browser/test_story_views.py."""
    classroom = (DOCS / "classroom.md").read_text(encoding="utf-8")
    for shot in (f"story-{case_id}", f"story-{case_id}-peak", f"story-{case_id}-discuss",
                 f"themes-{case_id}", f"network-{case_id}"):
        path = DOCS / "screenshots" / f"{shot}.png"
        assert f"(screenshots/{shot}.png)" in classroom, shot
        assert path.is_file() and path.stat().st_size < SCREENSHOT_MAX_BYTES, shot


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci


# --- everything documented ----------------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_every_cli_command_is_documented(command: str) -> None:
    assert f"python -m analysis {command}" in _section(doc("cli.md"), "cli"), \
        f"docs/cli.md does not document {command!r}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_cli_command_has_help(command: str) -> None:
    result = subprocess.run([sys.executable, "-m", "analysis", command, "--help"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "usage: python -m analysis " + command in result.stdout


def test_parser_lists_every_command() -> None:
    help_text = build_parser().format_help()
    for command in COMMANDS:
        assert command in help_text


@pytest.mark.parametrize(("file", "title"), [(f, t) for f, t, _i, _u in PAGES])
def test_every_page_is_documented_with_a_screenshot(file: str, title: str) -> None:
    pages = _section(doc("pages.md"), "pages")
    assert f"## {title}" in pages, f"docs/pages.md lacks a heading for {title!r}"
    shots = re.findall(rf"\(screenshots/({Path(file).stem}(?:-[\w-]+)?\.png)\)", pages)
    assert shots, f"docs/pages.md shows no screenshot of {file}"
    assert all((DOCS / "screenshots" / shot).is_file() for shot in shots)


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_archive_format_is_documented(name: str) -> None:
    assert f"`{name}`" in doc("formats.md"), f"docs/formats.md does not document {name!r}"


@pytest.mark.parametrize("key", list(kpis.KPIS))
def test_every_kpi_is_documented_with_the_registrys_definition(key: str) -> None:
    spec = kpis.KPIS[key]
    assert f"- `{key}`, **{spec.label}** ({spec.unit}): {spec.definition}" in doc("methods.md")


@pytest.mark.parametrize("key", list(EXPORT_FORMATS))
def test_every_export_format_is_documented(key: str) -> None:
    assert f"`{key}`" in doc("exports-and-safety.md")


# --- figures ------------------------------------------------------------------------------------

def numbers_in(value: Any) -> list[float]:
    """Every number of a JSON document, those written inside its strings included."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, str):
        return [float(n.replace(",", "")) for n in NUMBER.findall(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers_in(v)] + \
            [n for k in value for n in numbers_in(str(k))]
    if isinstance(value, list):
        return [n for v in value for n in numbers_in(v)]
    return []


def quoted(text: str, known: list[float]) -> list[str]:
    """The numbers of ``text`` that are none of ``known`` (as rounded where quoted)."""
    missing = []
    for token in NUMBER.findall(text):
        digits = len(token.split(".")[1]) if "." in token else 0
        value = float(token.replace(",", ""))
        if not any(round(k, digits) == value for k in known):
            missing.append(token)
    return missing


def figure_blocks() -> list[tuple[str, str, str]]:
    return [(path.name, source, body) for path in sorted(DOCS.glob("*.md"))
            for source, body in FIGURES.findall(path.read_text(encoding="utf-8"))]


def test_the_docs_quote_the_benchmarks_and_the_evaluation() -> None:
    cited = {source for _, source, _ in figure_blocks()}
    assert "data/evaluation.json" in cited
    assert any(source.startswith("benchmarks/results/") for source in cited)
    for source in cited:
        assert (ROOT / source).is_file(), source


@pytest.mark.parametrize(("doc_name", "source", "body"), figure_blocks(),
                         ids=[f"{d}:{s}" for d, s, _ in figure_blocks()])
def test_every_quoted_figure_matches_the_file_it_cites(doc_name: str, source: str,
                                                       body: str) -> None:
    known = numbers_in(json.loads((ROOT / source).read_text(encoding="utf-8")))
    assert quoted(body, known) == []


def test_a_wrong_figure_is_caught() -> None:
    known = numbers_in({"tweets_per_s": 56802, "share": 0.74894, "machine": "2 cores"})
    assert quoted("56,802 tweets/s, 0.749, 2 cores", known) == []
    assert quoted("56,803 tweets/s and 0.76x", known) == ["56,803", "0.76"]
