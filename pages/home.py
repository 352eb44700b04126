"""Home: what the store holds, so a site lead sees at a glance that their data is in.

Figures: ``measures.overview.overview`` (kept), written by ``present.overview``.
"""

import streamlit as st

from evaluation.measures.overview import overview
from evaluation.present import overview as shown
from evaluation.store.figures import cached
from ui import components
from ui.session import current_store, visitor

st.title("Three Conversations evaluation")
st.write(
    "Are we making things better? This dashboard brings together the three types of evidence "
    "an innovation site collects: what people and families say, what staff experience, and "
    "what happens to money and resources."
)
who = visitor()
if who.identity.sign_in:
    st.text(f"Signed in as {who.name}, role: {who.role}.")
else:
    st.caption(
        "No sign-in is configured on this machine: you are its single local user, and may do "
        "everything (upload, undo, erase)."
    )

store = current_store()
summary = cached(store, overview)
if summary.empty:
    components.nothing_yet(
        "The store is empty. Go to Upload data to import your first CSV export."
        if who.permissions.may_upload_any
        else "The store is empty: nothing has been imported yet.",
        upload_link=who.permissions.may_upload_any,
    )

st.subheader("What the store holds")
components.metrics(shown.kind_metrics(summary), border=False)
components.table(shown.ranges_rows(summary))
st.subheader("Rows per site")
components.table(shown.site_rows(summary))
last = shown.last_import_text(summary)
if last:
    text, stale = last
    st.caption("Last import")
    st.text(text)
    if stale:
        st.warning("The newest import is more than 14 days old: the figures may be out of date.")
