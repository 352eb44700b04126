"""Stories of difference: what changed for one person, told in their own terms.

Figures: ``measures.stories.stories`` (kept; only stories shared with consent), written by
``present.stories``. Shown one after another as plain text, so the page prints cleanly and
nothing in a story is read as markup.
"""

import streamlit as st

from evaluation.measures.stories import stories
from evaluation.measures.survey import sites
from evaluation.present.stories import heading, stories_text
from evaluation.store.figures import cached
from ui import components, filters
from ui.session import current_store

ANY_CONVERSATION = "Any conversation"

st.title("Stories of difference")
st.write(
    "Stories of what changed for people and families, shared with their agreement. Choose a "
    "site or a conversation to read the stories from it."
)
store = current_store()
site_names = cached(store, sites, "stories")
if not site_names:
    components.nothing_yet(
        "There are no stories of difference yet. Import a stories file on the Upload data page."
    )

left, right = st.columns(2)
site = filters.one_site(left, site_names, "story_site")
conversation = right.selectbox(
    "Conversation",
    [ANY_CONVERSATION, 1, 2, 3],
    format_func=lambda c: c if isinstance(c, str) else f"Conversation {c}",
    key="story_conversation",
)
chosen = cached(
    store,
    stories,
    site=site,
    conversation=None if conversation == ANY_CONVERSATION else int(conversation),
)
st.caption(
    "To print, use your browser's Print command (Ctrl+P, or Cmd+P on a Mac): the stories "
    "print one after another. Or download them as a plain text file."
)
if not chosen:
    components.nothing_yet("No stories shared with consent match these choices.", upload_link=False)

st.download_button(
    f"Download these {len(chosen)} stories as text",
    stories_text(chosen).encode("utf-8"),
    file_name="stories-of-difference.txt",
    mime="text/plain",
)
st.caption(f"{len(chosen)} stories")
for item in chosen:
    st.divider()
    st.text(item.title)
    st.text(heading(item))
    st.text(item.story)
