"""Three Conversations evaluation dashboard: navigation and the frame every page shares.

Run with ``make run`` (or ``streamlit run app.py``). Pages live in ``pages/`` and are thin:
they read filters, call ``evaluation`` and show the result.
"""

import streamlit as st

from pages.common import current_user, sample_note

st.set_page_config(
    page_title="Three Conversations evaluation", page_icon=":material/forum:", layout="wide"
)

PAGES = {
    "Overview": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    ],
    "Data": [
        st.Page(
            "pages/upload.py", title="Upload data", icon=":material/upload_file:", url_path="upload"
        ),
    ],
}

page = st.navigation(PAGES)
st.sidebar.caption(f"Signed in as {current_user()} (no sign-in configured on this machine)")
sample_note()
page.run()
