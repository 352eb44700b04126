"""The blocks pages are made of: each shows one presented figure the same way everywhere.

Free text (site names, comments, stories) reaches the screen only through widgets,
``st.text`` and ``st.dataframe``, never as markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from evaluation.present.surveys import comment_heading

UPLOAD_PAGE = "pages/upload.py"


def nothing_yet(message: str, *, upload_link: bool = True) -> None:
    """An empty page's message, the way to the Upload page, and the end of the run."""
    st.info(message)
    if upload_link:
        st.page_link(UPLOAD_PAGE, label="Upload data", icon=":material/upload_file:")
    st.stop()


def table(rows: Sequence[Mapping[str, Any]], *, key: str | None = None, **options: Any) -> None:
    """Rows of already-written cells as a table (plain text, sortable)."""
    st.dataframe(pd.DataFrame(list(rows)), hide_index=True, key=key, **options)


def chart(figure: Any, words: str, *, label: str = "The chart in words:") -> None:
    """A chart with its text alternative, read aloud and printed under it."""
    st.altair_chart(figure, width="stretch", alt=words)
    st.caption(label)
    st.text(words)


def download_csv(label: str, data: bytes, file_name: str, key: str | None = None) -> None:
    st.download_button(label, data, file_name=file_name, mime="text/csv", key=key)


def metrics(items: Sequence[tuple[str, str, str | None]], *, border: bool = True) -> None:
    """A row of metrics: (label, value, help shown on hover)."""
    for column, (label, value, help_text) in zip(st.columns(len(items)), items, strict=True):
        column.metric(label, value, help=help_text, border=border)


def quoted(heading: str, text: str) -> None:
    """One consented comment or story in a bordered card: where and when, then the words."""
    with st.container(border=True):
        st.text(heading)
        st.text(text)


COMMENTS_SHOWN = 100


def comments(found: Sequence[Any], shown: int = COMMENTS_SHOWN) -> None:
    """Consented comments, newest first, each in a card (at most ``shown`` of them)."""
    if not found:
        st.info("No comments match.")
        return
    st.caption(
        f"{len(found)} comments"
        + (f"; the newest {shown} shown: narrow with the filters" if len(found) > shown else "")
    )
    for comment in found[:shown]:
        quoted(comment_heading(comment), comment.text)
