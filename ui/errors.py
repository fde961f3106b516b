"""The error edge: a ``BackfireError`` becomes one clear ``st.error``, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from analysis.errors import BackfireError
from ui.widgets import md_escape


@contextmanager
def edge(stop: bool = True) -> Iterator[None]:
    """Run a block; show a ``BackfireError`` as a message (and stop the page if ``stop``)."""
    try:
        yield
    except BackfireError as err:
        st.error(md_escape(str(err)), icon=":material/error:")
        if stop:
            st.stop()
