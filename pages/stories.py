"""Stories of difference: what changed for one person, told in their own terms.

Only stories the teller agreed to share. Shown one after another as plain text (``st.text``,
never Markdown), so the page prints cleanly and nothing in a story is read as markup.
"""

from __future__ import annotations

import streamlit as st

from evaluation.measures import feedback as fb
from pages.common import linked_site_index, store

ALL_SITES = "All sites"
ANY_CONVERSATION = "Any conversation"

st.title("Stories of difference")
st.write(
    "Stories of what changed for people and families, shared with their agreement. Choose a "
    "site or a conversation to read the stories from it."
)

data = store()
site_names = fb.sites(data, "stories")
if not site_names:
    st.info(
        "There are no stories of difference yet. Import a stories file on the Upload data page."
    )
    st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
    st.stop()

left, right = st.columns(2)
site = left.selectbox(
    "Site",
    sites := [ALL_SITES, *site_names],
    index=linked_site_index(sites),
    key="story_site",
)
conversation = right.selectbox(
    "Conversation",
    [ANY_CONVERSATION, 1, 2, 3],
    format_func=lambda c: c if isinstance(c, str) else f"Conversation {c}",
    key="story_conversation",
)
chosen = fb.stories(
    data,
    site=None if site == ALL_SITES else site,
    conversation=None if conversation == ANY_CONVERSATION else int(conversation),
)
st.caption(
    "To print, use your browser's Print command (Ctrl+P, or Cmd+P on a Mac): the stories "
    "print one after another. Or download them as a plain text file."
)
if not chosen:
    st.info("No stories shared with consent match these choices.")
    st.stop()

st.download_button(
    f"Download these {len(chosen)} stories as text",
    fb.stories_text(chosen).encode("utf-8"),
    file_name="stories-of-difference.txt",
    mime="text/plain",
)
st.caption(f"{len(chosen)} stories")
for item in chosen:
    st.divider()
    st.text(item.title)
    st.text(item.heading())
    st.text(item.story)
