"""The README's own sections, shown in the app so the screen and the README agree.

Sections are delimited in README.md by ``<!-- section:NAME -->`` … ``<!-- /section:NAME -->``.
They are our own text (measured figures), rendered with ``st.markdown``; HTML comments and
image links are dropped (images are relative to the repository, not to the app).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import streamlit as st

from analysis.store import paths

README: Final = paths.PROJECT_ROOT / "README.md"
# The measured speed and memory figures, in the README's order.
SPEED_SECTIONS: Final = ("speed-ingest", "speed-score", "speed-metrics", "speed-pages",
                         "speed-load", "speed-streamgrab")
_COMMENT: Final = re.compile(r"<!--.*?-->", re.DOTALL)
_IMAGE: Final = re.compile(r"!\[[^\]]*\]\([^)]*\)")


def _stamp(path: Path) -> int:
    return path.stat().st_mtime_ns if path.is_file() else 0


@st.cache_data(show_spinner=False, max_entries=8)
def _sections(path: str, names: tuple[str, ...], stamp: int) -> list[str]:
    text = Path(path).read_text(encoding="utf-8") if stamp else ""
    found = []
    for name in names:
        match = re.search(rf"<!-- section:{re.escape(name)} -->(.*?)<!-- /section:{re.escape(name)} -->",
                          text, re.DOTALL)
        if match:
            body = _IMAGE.sub("", _COMMENT.sub("", match.group(1))).strip()
            if body:
                found.append(body)
    return found


def sections(names: tuple[str, ...], path: Path = README) -> list[str]:
    """The markdown of each named README section that exists (re-read when the file changes)."""
    return _sections(str(path), names, _stamp(path))
