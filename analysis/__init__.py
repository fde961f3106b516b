"""Backfire's analysis engine: pure functions from archives to tables, scores and KPIs.

Nothing in this package imports Streamlit. DataFrames go in, DataFrames or values come out.
"""

ANALYSIS_VERSION = "1"
"""Bumped whenever scoring or metrics change, so that on-disk caches are invalidated."""
