"""Three Conversations evaluation dashboard: navigation and the frame every page shares.

Run with ``make run`` (or ``streamlit run app.py``). Pages live in ``pages/`` and are thin:
they read filters, call ``evaluation`` and show the result.
"""

import streamlit as st

from pages.common import (
    allowed_pages,
    follow_deep_link,
    leased_store,
    sample_note,
    sidebar_identity,
    sign_in_gate,
)

st.set_page_config(
    page_title="Three Conversations evaluation", page_icon=":material/forum:", layout="wide"
)

PAGES = {
    "Overview": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    ],
    "Evidence": [
        st.Page(
            "pages/meeting.py",
            title="Making it Happen",
            icon=":material/groups:",
            url_path="meeting",
        ),
        st.Page(
            "pages/people.py",
            title="People and families",
            icon=":material/diversity_3:",
            url_path="people",
        ),
        st.Page(
            "pages/stories.py",
            title="Stories of difference",
            icon=":material/auto_stories:",
            url_path="stories",
        ),
        st.Page(
            "pages/staff.py", title="Staff experience", icon=":material/badge:", url_path="staff"
        ),
        st.Page(
            "pages/money.py",
            title="Money and resources",
            icon=":material/payments:",
            url_path="money",
        ),
        st.Page(
            "pages/cost_change.py",
            title="Cost change",
            icon=":material/trending_down:",
            url_path="cost-change",
        ),
        st.Page(
            "pages/conversations.py",
            title="Conversations",
            icon=":material/forum:",
            url_path="conversations",
        ),
    ],
    "Data": [
        st.Page(
            "pages/upload.py", title="Upload data", icon=":material/upload_file:", url_path="upload"
        ),
    ],
}

visitor = sign_in_gate(PAGES)  # the sign-in screen or 'no access' page end the run here
allowed = allowed_pages(PAGES, visitor.permissions)
page = st.navigation(allowed)
follow_deep_link(page, allowed)
sidebar_identity(visitor)
with leased_store():
    sample_note()
    page.run()
