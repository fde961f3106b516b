"""Backfire: the Streamlit entry point. Pages live in ``pages/``; navigation is declared here."""

import streamlit as st

from ui import pages as nav

st.set_page_config(page_title="Backfire", page_icon="🔥", layout="wide",
                   initial_sidebar_state="expanded")
st.navigation(nav.all_pages(), position="sidebar").run()
