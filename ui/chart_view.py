"""Plotly figures on screen through plotly.js's basic bundle instead of the full one.

``st.plotly_chart`` makes every visitor's browser load and compile Streamlit's full plotly.js
(4.7 MB): about 1.3 s of a fresh page's wait on this machine. Every figure of the app uses
only bar and scatter traces, which the basic bundle (1.2 MB, ``static/``) draws; a custom
component (Streamlit components v2, no iframe) loads it once per page and draws each figure
with ``Plotly.react``. Measured in Chromium (``benchmarks/page_ready.py``; docs/performance.md).

A figure with another trace type, or an app run without static serving, falls back to
``st.plotly_chart``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import plotly.graph_objects as go
import streamlit as st

# Trace types in plotly.js's basic partial bundle (plotly.js's own list for "basic").
BASIC_TRACES: Final = frozenset({"bar", "scatter", "pie"})
# Where Streamlit's static serving finds the bundle (``static/`` beside app.py).
BUNDLE: Final = Path(__file__).resolve().parent.parent / "static" / "plotly-basic.min.js"
_SCRIPT: Final = (Path(__file__).with_suffix(".js")).read_text(encoding="utf-8")

# The component's registered name (the AppTests find the charts by it).
COMPONENT: Final = "backfire_chart"

_mount = st.components.v2.component(COMPONENT, js=_SCRIPT, isolate_styles=False)


def trace_types(fig: go.Figure) -> set[str]:
    """The trace types of ``fig`` (a trace without a type is a scatter, as in plotly.js)."""
    return {trace.type or "scatter" for trace in fig.data}


def lite(fig: go.Figure) -> bool:
    """Whether the basic bundle can draw ``fig`` in this app run."""
    return (trace_types(fig) <= BASIC_TRACES and BUNDLE.is_file()
            and bool(st.get_option("server.enableStaticServing")))


def show(fig: go.Figure, *, config: dict[str, Any], key: str) -> None:
    """Draw ``fig`` full-width with plotly.js ``config`` (toolbar, PNG export)."""
    if not lite(fig):
        st.plotly_chart(fig, width="stretch", config=config, key=key, theme=None)
        return
    _mount(data={"figure": fig.to_json(), "config": {"responsive": True, **config}},
           key=key, width="stretch", height="content")
