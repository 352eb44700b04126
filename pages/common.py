"""What every page shares: the one Store per process, the current user, safe text helpers.

This is the only module under ``pages/`` that knows how the store is opened; pages call
``store()`` and pass it to ``evaluation`` functions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import streamlit as st

from evaluation.admin.access import (
    LOCAL_ADMIN,
    Permissions,
    Person,
    Roles,
    RolesError,
    describe,
    load_roles_file,
    parse_roles,
    permissions_for,
)
from evaluation.ingest.sample_loader import load_sample
from evaluation.measures.overview import overview
from evaluation.measures.selection import Selection
from evaluation.store.connection import DB_ENV, Store, StoreBusy, default_path
from evaluation.store.figures import cached

LOCAL_USER = "local user"
ROLES_ENV = "EVALUATION_ROLES"


def _leave_folder_navigation() -> None:
    """Make every run go through app.py's ``st.navigation``, deep links included.

    Streamlit treats a ``pages/`` folder beside the main script as the old folder-based
    navigation until ``st.navigation`` has run once in the server process, so the very first
    visit to, say, ``/money`` on a fresh server would run that page without app.py (no page
    frame, no store lease). Switching that mode off and rerunning sends the run through
    app.py; the address asked for is kept, because the rerun may not find a page whose
    address differs from its file name (``/cost-change``), and ``follow_deep_link`` goes there.
    Streamlit is pinned, and a browser test opens deep links on a fresh server.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        path = urlparse(st.context.url or "").path.rstrip("/")
        st.session_state["_deep_link"] = path.rsplit("/", 1)[-1]
        st.rerun()


def follow_deep_link(current: Any, pages: Mapping[str, list[Any]]) -> None:
    """After leaving folder mode, open the page the shared link named (see above)."""
    wanted = st.session_state.pop("_deep_link", None)
    if not wanted or current.url_path == wanted:
        return
    for section in pages.values():
        for candidate in section:
            if candidate.url_path == wanted:
                st.switch_page(candidate)


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


# --- who is signed in, and what they may do -----------------------------------------------


def _secrets_section(name: str) -> Mapping[str, Any] | None:
    """A section of Streamlit secrets, or None when there is no such section or no secrets."""
    try:
        value = st.secrets.get(name)
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None
    return value if isinstance(value, Mapping) and value else None


@dataclass(frozen=True)
class Identity:
    """Who is at the keyboard, as far as the app can tell.

    ``sign_in`` is whether an ``[auth]`` section is configured. Without one the app runs for a
    single local user (an analyst's own machine) who may do everything.
    """

    sign_in: bool
    signed_in: bool
    email: str | None = None


def identity() -> Identity:
    """From ``st.user`` when sign-in is configured; the tests replace this function."""
    if _secrets_section("auth") is None:
        return Identity(sign_in=False, signed_in=True)
    user = st.user
    if not user.get("is_logged_in"):
        return Identity(sign_in=True, signed_in=False)
    # Entra ID puts the address in `email` when the account has one, else only in
    # `preferred_username` (the sign-in name, an address in most councils).
    email = user.get("email") or user.get("preferred_username")
    return Identity(sign_in=True, signed_in=True, email=str(email) if email else None)


def roles() -> Roles:
    """The roles file named by EVALUATION_ROLES, else the ``[roles]`` section of secrets.

    Read on every run, so a change to the file applies at the next click without a restart.
    """
    path = os.environ.get(ROLES_ENV)
    if path:
        return load_roles_file(Path(path))
    section = _secrets_section("roles")
    return parse_roles(section) if section else Roles()


@dataclass(frozen=True)
class Visitor:
    """The signed-in person (or the local user), their roles entry and their permissions."""

    identity: Identity
    person: Person | None
    permissions: Permissions

    @property
    def name(self) -> str:
        if not self.identity.sign_in:
            return LOCAL_USER
        return self.identity.email or "unknown"

    @property
    def role(self) -> str:
        return "admin" if not self.identity.sign_in else describe(self.person)


def visitor() -> Visitor:
    """Everything about the current visitor; a broken roles file stops the app, never opens it."""
    who = identity()
    if not who.sign_in:
        return Visitor(who, None, LOCAL_ADMIN)
    if not who.signed_in or not who.email:
        return Visitor(who, None, permissions_for(None))
    try:
        person = roles().find(who.email)
    except RolesError as error:
        st.error(f"The roles file can't be used, so nobody can open the dashboard: {error}")
        st.stop()
    return Visitor(who, person, permissions_for(person))


def current_user() -> str:
    """Who the import log, undo and erasure records name: the email, or "local user"."""
    return visitor().name


def permissions() -> Permissions:
    return visitor().permissions


def may_see_people() -> bool:
    """Whether person-level drill-downs (pseudonymised rows) may be shown: not to directors."""
    return permissions().may_see_people


def require(allowed: bool, refusal: str) -> None:
    """Refuse plainly and stop the page when ``allowed`` is false.

    Pages call this themselves, so a refusal holds when the page is reached by its address,
    not only when the menu leaves it out.
    """
    if not allowed:
        st.warning(refusal, icon=":material/block:")
        st.stop()


def _login_provider() -> str | None:
    """None for a provider set directly under [auth]; else the first [auth.NAME] section."""
    auth = _secrets_section("auth") or {}
    if "client_id" in auth:
        return None
    return next((name for name, value in auth.items() if isinstance(value, Mapping)), None)


def _sign_in_screen() -> None:
    st.title("Three Conversations evaluation")
    st.write(
        "This dashboard holds personal data about people who asked for support. "
        "Sign in with your council account to continue."
    )
    if st.button("Sign in", type="primary", icon=":material/login:"):
        st.login(_login_provider())


def _no_access_screen() -> None:
    email = visitor().identity.email
    st.title("No access")
    if email:
        st.text(f"You are signed in as {email}.")
    else:
        st.text("Your sign-in did not give an email address.")
    st.write(
        "This account has no role in the dashboard. Ask the dashboard's administrator to "
        "add you to the roles file if you need to see the evaluation."
    )
    if st.button("Sign out", icon=":material/logout:"):
        st.logout()


def _only(screen: Any, pages: dict[str, list[Any]]) -> None:
    """Show ``screen`` at every page address, with no menu, and end the run.

    Every address of the app is registered to the one screen, so a deep link (a bookmarked
    /upload) shows the sign-in screen, neither the page nor a 'page not found'; and the
    navigation replaces the menu Streamlit would otherwise build from the pages/ folder.
    """
    title = "Sign in" if screen is _sign_in_screen else "No access"
    stand_ins = [
        st.Page(screen, title=title, url_path=entry.url_path or None, default=not entry.url_path)
        for entries in pages.values()
        for entry in entries
    ]
    st.navigation(stand_ins, position="hidden").run()
    st.stop()


def sign_in_gate(pages: dict[str, list[Any]]) -> Visitor:
    """The sign-in screen, or the 'no access' page, or the visitor who may go on.

    Called by app.py before its navigation: nobody reaches a page (or opens the store) before
    they are signed in and listed.
    """
    who = visitor()
    if who.identity.sign_in and not who.identity.signed_in:
        _only(_sign_in_screen, pages)
    if not who.permissions.has_access:
        _only(_no_access_screen, pages)
    return who


def allowed_pages(pages: dict[str, list[Any]], allowed: Permissions) -> dict[str, list[Any]]:
    """The navigation for this role: pages they may not open are hidden from the menu.

    Hidden, not dropped, so that links and typed addresses still land on the page, where its
    own ``require`` refuses plainly (a dropped page would make every "Upload data" link on an
    empty page fail).
    """
    for entries in pages.values():
        for entry in entries:
            if not allowed.may_open(entry.url_path):
                entry._visibility = "hidden"  # Streamlit is pinned; st.Page has no setter
    return pages


def sidebar_identity(who: Visitor) -> None:
    """Who is signed in and in what role, and the way out."""
    if not who.identity.sign_in:
        st.sidebar.caption(f"Signed in as {LOCAL_USER} (no sign-in configured on this machine)")
        return
    st.sidebar.text(f"Signed in as {who.name}\nRole: {who.role}")
    if st.sidebar.button("Sign out", icon=":material/logout:"):
        st.logout()


def sample_note() -> None:
    """A visible note whenever the figures come (partly) from the bundled sample data."""
    if cached(store(), overview).sample_batches:
        remove = (
            "Remove it on the Upload data page before importing your own."
            if permissions().is_admin
            else "An admin removes it before real data goes in."
        )
        st.sidebar.warning(
            "Sample data: the figures shown are from a made-up council bundled with the "
            f"dashboard. {remove}"
        )


def linked_site_index(choices: list[str]) -> int:
    """Which of a page's site choices a shared link names (``?site=…``, one site), else 0.

    The Making it Happen page links to each evidence page with its sites; pages whose site
    filter is a single choice open on that site.
    """
    wanted = [s.strip().lower() for s in st.query_params.get_all("site")]
    if len(wanted) != 1:
        return 0
    lowered = [c.strip().lower() for c in choices]
    return lowered.index(wanted[0]) if wanted[0] in lowered else 0


def pick(label: str, choices: list[str], key: str, preset: tuple[str, ...]) -> tuple[str, ...]:
    """A multiselect that starts from the choices a shared link named (capitals ignored)."""
    lowered = {p.strip().lower() for p in preset}
    default = [c for c in choices if c.lower() in lowered]
    return tuple(st.multiselect(label, choices, default=default, key=key, placeholder="All"))


def request_filters(
    found: Mapping[str, list[str]], key: str, *, caption: str | None = None, extra: bool = False
) -> tuple[Selection, Any]:
    """Sites, approaches, areas and the period by the request's first start date, read from
    and kept in the link; the widgets' keys start with ``key``. ``extra`` adds a third column
    to the period's row and returns it, for a page's own input (the Conversations page's
    snapshot day); otherwise None."""
    preset = Selection.from_query(st.query_params.get_all)
    with st.container(border=True):
        first, second, third = st.columns(3)
        with first:
            sites = pick("Sites", found["site"], f"{key}_sites", preset.sites)
        with second:
            approaches = pick(
                "Approaches", found["approach"], f"{key}_approaches", preset.approaches
            )
        with third:
            areas = pick("Areas", found["area"], f"{key}_areas", preset.areas)
        start, end, *spare = st.columns(3 if extra else 2)
        date_from = start.date_input(
            "Requests that began from",
            value=preset.date_from,
            min_value=date(2000, 1, 1),
            format="DD/MM/YYYY",
            key=f"{key}_from",
        )
        date_to = end.date_input(
            "to",
            value=preset.date_to,
            min_value=date(2000, 1, 1),
            format="DD/MM/YYYY",
            key=f"{key}_to",
        )
        if caption:
            st.caption(caption)
    selection = Selection(
        sites=sites, approaches=approaches, areas=areas, date_from=date_from, date_to=date_to
    )
    return selection, (spare[0] if spare else None)
