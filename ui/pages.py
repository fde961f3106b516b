"""The app's pages as ``st.Page`` objects, declared once so pages can link to each other."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent

# (file, title, icon, url path); the first one is home.
PAGES: list[tuple[str, str, str, str]] = [
    ("pages/library.py", "Case library", ":material/collections_bookmark:", "library"),
    ("pages/case.py", "Case deep-dive", ":material/troubleshoot:", "case"),
    ("pages/story.py", "Story", ":material/auto_stories:", "story"),
    ("pages/compare.py", "Compare", ":material/compare_arrows:", "compare"),
    ("pages/anatomy.py", "Anatomy of a backfire", ":material/biotech:", "anatomy"),
    ("pages/archive.py", "Your archive", ":material/upload_file:", "archive"),
    ("pages/methods.py", "Methods", ":material/menu_book:", "methods"),
]


def all_pages() -> list[st.Page]:
    return [st.Page(ROOT / path, title=title, icon=icon, url_path=url, default=i == 0)
            for i, (path, title, icon, url) in enumerate(PAGES)]


def path(name: str) -> str:
    """The page file for a url path name, relative to app.py (what st.page_link accepts)."""
    for file, _title, _icon, url in PAGES:
        if url == name:
            return file
    raise KeyError(name)
