"""What every page shares: the one store per process and who is at the keyboard.

This is the only place the dashboard opens the store (``st.cache_resource``: one DuckDB
connection per process; pages take it with ``current_store()`` and pass it to
``evaluation``), and the only place it asks who is signed in and what they may do.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

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
from evaluation.ingest.scratch import sweep_once
from evaluation.measures.overview import overview
from evaluation.store import batches
from evaluation.store.connection import DB_ENV, Store, StoreBusy, default_path
from evaluation.store.figures import cached
from ui import navigation

LOCAL_USER = "local user"
ROLES_ENV = "EVALUATION_ROLES"


def secrets_section(name: str) -> Mapping[str, Any] | None:
    """A section of Streamlit secrets, or None when there is no such section or no secrets."""
    try:
        value = st.secrets.get(name)
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return None
    return value if isinstance(value, Mapping) and value else None


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
    sweep_once()  # copies of uploads a killed dashboard left behind
    store = Store(path, key=key, hold=False)
    with store.lease():
        if with_sample and batches.is_empty(store):
            load_sample(store, today=date.today())  # a newcomer's first look is current
    return store


def current_store() -> Store:
    """The process-wide store (one DuckDB connection per file); callers take cursors from it.

    Only a page run inside app.py's navigation gets it (``navigation.require_frame``): a
    page reached some other way is sent through app.py first, sign-in included.
    """
    navigation.require_frame()
    return _open_store(str(default_path().resolve()), _secret_key(), _sample_wanted())


@contextmanager
def leased_store() -> Iterator[Store]:
    """Hold the store for one script run; a plain message if an import keeps it busy."""
    try:
        with current_store().lease() as held:
            yield held
    except StoreBusy as busy:
        st.error(str(busy))
        st.stop()


# --- who is signed in, and what they may do -----------------------------------------------


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
    if secrets_section("auth") is None:
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
    section = secrets_section("roles")
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


def require(allowed: bool, refusal: str) -> None:
    """Refuse plainly and stop the page when ``allowed`` is false.

    Pages call this themselves, so a refusal holds when the page is reached by its address,
    not only when the menu leaves it out.
    """
    if not allowed:
        st.warning(refusal, icon=":material/block:")
        st.stop()


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
    if cached(current_store(), overview).sample_batches:
        remove = (
            "Remove it on the Upload data page before importing your own."
            if permissions().is_admin
            else "An admin removes it before real data goes in."
        )
        st.sidebar.warning(
            "Sample data: the figures shown are from a made-up council bundled with the "
            f"dashboard. {remove}"
        )
