"""Unit tests of the dashboard's small helpers: markdown escaping of untrusted text."""

from __future__ import annotations

import re

import pytest

from ui.widgets import md_escape

# Characters that make markdown (links, images, emphasis, code, HTML, maths) out of text.
SYNTAX = set("[]()!<>*_`$\\#|~")
# What md_escape may emit: a backslash escape, an HTML entity, or a harmless character.
TOKEN = re.compile(r"\\(.)|&amp;|&lt;|(.)", re.DOTALL)


def _unescape(escaped: str) -> str:
    """Read ``escaped`` back the way a markdown renderer shows it; fail on live syntax."""
    out = []
    for match in TOKEN.finditer(escaped):
        if match.group(1) is not None:
            out.append(match.group(1))
        elif match.group(2) is not None:
            assert match.group(2) not in SYNTAX, (escaped, match.group(2))
            out.append(match.group(2))
        else:
            out.append({"&amp;": "&", "&lt;": "<"}[match.group(0)])
    return "".join(out)


@pytest.mark.parametrize("text", [
    "[x](javascript:alert(1))",
    "![i](http://e/x.png)",
    "<img src=x onerror=alert(1)>",
    "<script>alert('xss')</script>",
    "**bold** _it_ `code` ~~gone~~",
    "$x^2$ and a \\ backslash",
    "# heading | table | > quote",
    "plain words, 42 tweets",
    "",
])
def test_md_escape_leaves_no_live_syntax(text: str) -> None:
    escaped = md_escape(text)
    assert _unescape(escaped) == text


@pytest.mark.parametrize(("text", "fragment"), [
    ("[x](javascript:alert(1))", r"\[x\]\(javascript:alert\(1\)\)"),
    ("![i](http://e/x.png)", r"\!\[i\]\(http://e/x\.png\)"),
    ("<b>", r"&lt;b\>"),
])
def test_md_escape_escapes_links_and_images(text: str, fragment: str) -> None:
    assert fragment in md_escape(text)
