"""The blocks pages are made of: each shows one presented figure the same way everywhere.

Free text (site names, comments, stories) reaches the screen only through widgets,
``st.text`` and ``st.dataframe``, never as markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from evaluation.measures.selection import choices, date_span
from evaluation.measures.suppression import configured_threshold
from evaluation.measures.survey import sites
from evaluation.present.surveys import comment_heading
from evaluation.store.connection import Store
from evaluation.store.figures import cached
from ui.session import current_store

UPLOAD_PAGE = "pages/upload.py"


def nothing_yet(message: str, *, upload_link: bool = True) -> None:
    """An empty page's message, the way to the Upload page, and the end of the run."""
    st.info(message)
    if upload_link:
        st.page_link(UPLOAD_PAGE, label="Upload data", icon=":material/upload_file:")
    st.stop()


def survey_page(table: str, empty: str) -> tuple[Store, list[str], int]:
    """A survey page's start: the store, the sites with responses and the small-number
    threshold; an empty table ends the page with ``empty``."""
    store = current_store()
    site_names = cached(store, sites, table)
    if not site_names:
        nothing_yet(empty)
    return store, site_names, configured_threshold()


def requests_page(empty: str) -> tuple[Store, tuple[date, date], dict[str, list[str]]]:
    """A page about requests starts: the store, the span of start dates and the filter
    choices; with no conversations in the store the page ends with ``empty``."""
    store = current_store()
    span = cached(store, date_span)
    if span is None:
        nothing_yet(empty)
    return store, span, cached(store, choices)  # type: ignore[return-value]


def table(rows: Sequence[Mapping[str, Any]], *, key: str | None = None, **options: Any) -> None:
    """Rows of already-written cells as a table (plain text, sortable)."""
    st.dataframe(pd.DataFrame(list(rows)), hide_index=True, key=key, **options)


def chart(figure: Any, words: str | Sequence[str], *, label: str = "The chart in words:") -> None:
    """A chart with its text alternative (a sentence, or one per part), read aloud and printed
    under it."""
    sentences = [words] if isinstance(words, str) else list(words)
    st.altair_chart(figure, width="stretch", alt=" ".join(sentences))
    st.caption(label)
    for sentence in sentences:
        st.text(sentence)


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
