"""The thin Streamlit layer: cached data access, shared widgets, URL state, the error edge."""
