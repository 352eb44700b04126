"""The dashboard's pages, the menu each role sees, and shared links that survive a restart.

Streamlit treats a ``pages/`` folder beside the main script as its old folder navigation
until ``st.navigation`` has run once in the server process. So on a server that has just
started, the first request for a shared link such as ``/money`` runs ``pages/money.py`` by
itself — without app.py's sign-in gate, menu or store lease. Streamlit ignores the folder
once any session has called ``st.navigation``, so only such a first run needs care, and it
takes only public API:

1. app.py marks the session as framed (``mark_framed``) on every run, and pages reach the
   store only through ``require_frame`` (``ui.session.current_store``), so nothing from the
   store shows outside app.py;
2. a page run before app.py has run in its session remembers the address and query it was
   asked for and switches to the entry file (``st.switch_page``, which Streamlit documents
   for folder mode);
3. app.py then calls ``st.navigation``, which ends folder mode for the whole process, and
   ``follow_deep_link`` switches to the page remembered, with its query.

``tests/browser/test_deep_link.py`` opens shared links on freshly started servers: it fails
the day Streamlit changes underneath this.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import streamlit as st

from evaluation.admin.access import Permissions

ENTRY = "app.py"
_FRAMED = "_framed_by_app"
_DEEP_LINK = "_deep_link"


@dataclass(frozen=True)
class PageSpec:
    """One page of the dashboard: its script, its title and icon, and its address."""

    path: str
    title: str
    icon: str
    url_path: str = ""  # "" is the home page


PAGES: dict[str, tuple[PageSpec, ...]] = {
    "Overview": (PageSpec("pages/home.py", "Home", ":material/home:"),),
    "Evidence": (
        PageSpec("pages/meeting.py", "Making it Happen", ":material/groups:", "meeting"),
        PageSpec("pages/people.py", "People and families", ":material/diversity_3:", "people"),
        PageSpec("pages/stories.py", "Stories of difference", ":material/auto_stories:", "stories"),
        PageSpec("pages/staff.py", "Staff experience", ":material/badge:", "staff"),
        PageSpec("pages/money.py", "Money and resources", ":material/payments:", "money"),
        PageSpec("pages/cost_change.py", "Cost change", ":material/trending_down:", "cost-change"),
        PageSpec("pages/conversations.py", "Conversations", ":material/forum:", "conversations"),
    ),
    "Data": (PageSpec("pages/upload.py", "Upload data", ":material/upload_file:", "upload"),),
}


def menu(allowed: Permissions) -> dict[str, list[Any]]:
    """The navigation for this role: pages they may not open are hidden from the menu.

    Hidden, not dropped, so that links and typed addresses still land on the page, where its
    own ``require`` refuses plainly.
    """
    return {
        section: [
            st.Page(
                spec.path,
                title=spec.title,
                icon=spec.icon,
                url_path=spec.url_path or None,
                default=not spec.url_path,
                visibility="visible" if allowed.may_open(spec.url_path) else "hidden",
            )
            for spec in specs
        ]
        for section, specs in PAGES.items()
    }


def stand_ins(screen: Any, title: str) -> list[Any]:
    """One page per address of the dashboard, each showing ``screen`` (sign-in, no access),
    so a bookmarked ``/upload`` shows that screen rather than the page or 'page not found'."""
    return [
        st.Page(screen, title=title, url_path=spec.url_path or None, default=not spec.url_path)
        for specs in PAGES.values()
        for spec in specs
    ]


def mark_framed() -> None:
    """Called by app.py on every run: this session's runs go through the app's frame."""
    st.session_state[_FRAMED] = True


def require_frame() -> None:
    """Send a page run outside app.py (folder mode, above) through app.py first."""
    if st.session_state.get(_FRAMED):
        return
    path = urlparse(st.context.url or "").path.rstrip("/")
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    st.session_state[_DEEP_LINK] = (path.rsplit("/", 1)[-1], query)
    st.switch_page(ENTRY)


def follow_deep_link(current: Any, pages: Mapping[str, list[Any]]) -> None:
    """After a run sent through app.py, open the page that was asked for, with its query."""
    wanted = st.session_state.pop(_DEEP_LINK, None)
    if not wanted:
        return
    url_path, query = wanted
    if current.url_path == url_path:
        return
    for section in pages.values():
        for candidate in section:
            if candidate.url_path == url_path:
                st.switch_page(candidate, query_params=query)
