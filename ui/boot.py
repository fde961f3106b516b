"""Make a direct link to a page (``/case?case=…``) run through ``app.py``'s navigation.

Streamlit decides at server start whether the app is a legacy "pages/ folder" app (a
``pages/`` directory next to the entry point) and keeps that guess until some session runs
``st.navigation``. Until then, a first visit to ``/case`` would run ``pages/case.py`` on its
own: no page config, the legacy sidebar. Each page calls ``through_navigation()`` first: on a
session's first run in that situation it flips the flag and reruns, so ``app.py`` runs and
resolves the same page (legacy and ``st.Page`` pages share their hash: that of the url path).

Only the first run of a session may rerun: a rerun drops one-shot widget events (a button
click, a form submission), and AppTest restores the legacy guess before every run.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

_FIRST_RUN_DONE = "_backfire_booted"


def through_navigation() -> None:
    first = _FIRST_RUN_DONE not in st.session_state
    st.session_state[_FIRST_RUN_DONE] = True
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if first:
            st.rerun()
