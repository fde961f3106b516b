"""Make a direct link to a page (``/case?case=…``) run through ``app.py``'s navigation.

Streamlit decides at server start whether the app is a legacy "pages/ folder" app (a
``pages/`` directory next to the entry point) and keeps that guess until some session runs
``st.navigation``. Until then, the first visit to ``/case`` would run ``pages/case.py`` on
its own: no page config, the legacy sidebar. Each page calls ``through_navigation()`` first:
in that situation it flips the flag and reruns, so ``app.py`` runs and resolves the same page
(v1 and v2 pages share their hash: the hash of the url path).
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def through_navigation() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
