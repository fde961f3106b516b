"""The floor of a fresh page visit: a bare Streamlit page (a title, a line of text) served by the
same Streamlit, measured by ``benchmarks/page_ready.py`` beside the app's pages. What a fresh
visit of it costs is Streamlit's own start in the browser, which no page of the app can beat."""

import streamlit as st

st.set_page_config(page_title="Floor", layout="wide")
st.title("Floor")
st.write("A bare Streamlit page: what every fresh visit pays before the app draws anything.")
