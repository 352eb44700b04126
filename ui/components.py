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
from evaluation.present.survey_pages import comments_caption, page_of
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


def chart(figure: Any, text: str | Sequence[str], *, label: str = "The chart in words") -> None:
    """A chart with its text alternative (a sentence, or one per part): read aloud as the
    chart's ``alt``, and printed in an expander under it."""
    sentences = [text] if isinstance(text, str) else list(text)
    st.altair_chart(figure, width="stretch", alt=" ".join(sentences))
    words(sentences, label)


def download_csv(label: str, data: bytes, file_name: str, key: str | None = None) -> None:
    st.download_button(label, data, file_name=file_name, mime="text/csv", key=key)


def metrics(
    items: Sequence[tuple[str, str, str | None]], *, border: bool = True, under: bool = False
) -> None:
    """A row of metrics: (label, value, what it rests on) — on hover, or written ``under``."""
    for column, (label, value, base) in zip(st.columns(len(items)), items, strict=True):
        column.metric(label, value, help=None if under else base, border=border)
        if under and base:
            column.caption(base)


def quoted(heading: str, text: str) -> None:
    """One consented comment or story in a bordered card: where and when, then the words."""
    with st.container(border=True):
        st.text(heading)
        st.text(text)


def comments(found: Sequence[Any], key: str) -> None:
    """Consented comments, newest first, a page of them at a time, each in a card."""
    if not found:
        st.info("No comments match.")
        return
    _, pages = page_of(found, 1)
    page = (
        int(st.number_input("Page", min_value=1, max_value=pages, value=1, key=f"{key}_page"))
        if pages > 1
        else 1
    )
    shown, pages = page_of(found, page)
    st.caption(comments_caption(found, page, pages))
    for comment in shown:
        quoted(comment_heading(comment), comment.text)


def details(rows: Sequence[Mapping[str, Any]], label: str, key: str | None = None) -> None:
    """A wide table one click away, under the short one the page shows."""
    with st.expander(label):
        table(rows, key=key)


def words(sentences: Sequence[str], label: str = "The chart in words") -> None:
    """A chart's text alternative, one click away (it is also the chart's ``alt``)."""
    with st.expander(label):
        for sentence in sentences:
            st.text(sentence)
