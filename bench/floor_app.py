"""The floor of the meeting load test: the lightest page Streamlit can serve that the test's
sessions can use in the same way (a title, a site filter, the chosen sites in text).

Run by ``python -m bench.load`` on its own server, with the same browser and the same number
of sessions as the dashboard: whatever time this takes is Streamlit and Chromium on this
machine, not the dashboard's figures. Never part of the app.
"""

import streamlit as st

SITES = ("Northfield innovation site", "Riverside innovation site", "Central locality team")

st.title("Making it Happen")
chosen = st.multiselect("Sites", SITES, placeholder="All sites")
st.text(f"Sites: {', '.join(chosen) or 'all sites'}")
