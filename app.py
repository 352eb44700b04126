"""Three Conversations evaluation dashboard: navigation and the frame every page shares.

Run with ``make run`` (or ``streamlit run app.py``). Pages live in ``pages/`` and are thin:
they read filters, take kept figures from ``evaluation`` and show them with ``ui`` blocks.
"""

import streamlit as st

from ui import navigation, style
from ui.session import leased_store, sample_note, sidebar_identity
from ui.signin import sign_in_gate

st.set_page_config(
    page_title="Three Conversations evaluation", page_icon=str(style.ICON), layout="wide"
)
style.apply()
navigation.mark_framed()
visitor = sign_in_gate()  # the sign-in screen or 'no access' page end the run here
pages = navigation.menu(visitor.permissions)
page = st.navigation(pages)
navigation.follow_deep_link(page, pages)
sidebar_identity(visitor)
with leased_store():
    sample_note()
    page.run()
