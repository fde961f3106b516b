"""Backfire: the Streamlit entry point. Pages live in ``pages/``; navigation is declared here."""

import streamlit as st

st.set_page_config(page_title="Backfire", page_icon="🔥", layout="wide")
st.title("Backfire")
st.write("Post-mortems of hijacked brand hashtag campaigns. The dashboard pages are being built.")
