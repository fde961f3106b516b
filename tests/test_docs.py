"""The docs stay honest: the README documents every page, every CLI command and both commands."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import _command_modules, build_parser
from ui.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = [module.NAME for module in _command_modules()]


def _section(name: str) -> str:
    match = re.search(rf"<!-- section:{name} -->(.*?)<!-- /section:{name} -->", README, re.S)
    assert match, f"README has no section {name!r}"
    return match.group(1)


def test_readme_opens_with_purpose_and_two_commands() -> None:
    first_paragraph = README.split("\n\n")[1]
    assert first_paragraph.startswith("Backfire is")
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    assert "bash scripts/app.sh" in quickstart and "bash scripts/test.sh" in quickstart
    for script in ("scripts/app.sh", "scripts/test.sh"):
        assert (ROOT / script).is_file()


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci


@pytest.mark.parametrize("command", COMMANDS)
def test_every_cli_command_is_documented(command: str) -> None:
    assert f"python -m analysis {command}" in _section("cli"), f"README does not document {command!r}"


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
    pages = _section("pages")
    assert f"### {title}" in pages, f"README section 'pages' lacks a heading for {title!r}"
    shot = Path(file).stem
    assert f"docs/screenshots/{shot}.png" in pages
    assert (ROOT / "docs" / "screenshots" / f"{shot}.png").is_file()
