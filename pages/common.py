"""What every page shares: the one Store per process, the current user, safe text helpers.

This is the only module under ``pages/`` that knows how the store is opened; pages call
``store()`` and pass it to ``evaluation`` functions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from evaluation.overview import overview
from evaluation.samples_loader import load_sample
from evaluation.store import DB_ENV, Store, StoreBusy, default_path

LOCAL_USER = "local user"


def _leave_folder_navigation() -> None:
    """Make every run go through app.py's ``st.navigation``, deep links included.

    Streamlit treats a ``pages/`` folder beside the main script as the old folder-based
    navigation until ``st.navigation`` has run once in the server process, so the very first
    visit to, say, ``/money`` on a fresh server would run that page without app.py (no page
    frame, no store lease). Switching that mode off and rerunning sends the run through
    app.py. Streamlit is pinned, and a browser test opens a deep link on a fresh server.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_folder_navigation()


def _secret_key() -> str | None:
    """The pseudonym key from Streamlit secrets, if the council keeps it there."""
    try:
        value = st.secrets.get("pseudonym_key")
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None
    return str(value) if value else None


def _sample_wanted() -> bool:
    """Sample data goes into an empty store only for a local install, unless told otherwise."""
    setting = os.environ.get("EVALUATION_SAMPLE", "auto").lower()
    if setting in {"1", "on", "yes", "true"}:
        return True
    if setting in {"0", "off", "no", "false"}:
        return False
    return not os.environ.get(DB_ENV)


@st.cache_resource(show_spinner="Opening the evaluation store…")
def _open_store(path: str, key: str | None, with_sample: bool) -> Store:
    store = Store(path, key=key, hold=False)
    with store.lease():
        if with_sample and store.is_empty():
            load_sample(store)
    return store


def store() -> Store:
    """The process-wide store (one DuckDB connection per file); callers take cursors from it."""
    return _open_store(str(default_path().resolve()), _secret_key(), _sample_wanted())


@contextmanager
def leased_store() -> Iterator[Store]:
    """Hold the store for one script run; a plain message if an import keeps it busy."""
    try:
        with store().lease() as held:
            yield held
    except StoreBusy as busy:
        st.error(str(busy))
        st.stop()


def current_user() -> str:
    return LOCAL_USER


def sample_note() -> None:
    """A visible note whenever the figures come (partly) from the bundled sample data."""
    if overview(store()).sample_batches:
        st.sidebar.warning(
            "Sample data: the figures shown are from a made-up council bundled with the "
            "dashboard. Remove it on the Upload data page before importing your own."
        )
