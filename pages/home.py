"""Home: what the store holds, so a site lead can see at a glance that their data is in."""

import pandas as pd
import streamlit as st

from evaluation.measures.overview import age_in_days, overview
from pages.common import store, visitor

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

summary = overview(store())
if summary.empty:
    if who.permissions.may_upload_any:
        st.info("The store is empty. Go to Upload data to import your first CSV export.")
        st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
    else:
        st.info("The store is empty: nothing has been imported yet.")
    st.stop()

st.subheader("What the store holds")
columns = st.columns(len(summary.kinds))
for column, kind in zip(columns, summary.kinds, strict=True):
    column.metric(kind.label, f"{kind.rows:,}")

ranges = pd.DataFrame(
    [
        {
            "Kind": k.label,
            "Rows": k.rows,
            "From": k.first.strftime("%d/%m/%Y") if k.first else "",
            "To": k.last.strftime("%d/%m/%Y") if k.last else "",
        }
        for k in summary.kinds
    ]
)
st.dataframe(ranges, hide_index=True)

st.subheader("Rows per site")
by_site = (
    pd.DataFrame({k.label: k.by_site for k in summary.kinds if k.by_site}).fillna(0).astype(int)
)
by_site.index.name = "Site"
st.dataframe(by_site)

if summary.last_import:
    last = summary.last_import
    days = age_in_days(last["imported_at"])
    st.caption("Last import")
    st.text(
        f"Batch {last['batch_id']}: {last['file_name']} ({last['kind']}), imported "
        f"{last['imported_at']:%d/%m/%Y %H:%M} by {last['imported_by']}, data as of "
        f"{last['as_of']:%d/%m/%Y} ({days} day{'s' if days != 1 else ''} ago)"
    )
    if days > 14:
        st.warning("The newest import is more than 14 days old: the figures may be out of date.")
