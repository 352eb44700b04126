"""Sign-in: nobody reaches a page, or the store, before they are signed in and listed.

With no ``[auth]`` section in secrets the dashboard runs for a single local user; with one,
Streamlit's ``st.login`` signs people in through the council's identity provider and the
roles file says what each may do (``evaluation.admin.access``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from ui import navigation
from ui.session import Visitor, secrets_section, visitor


def _login_provider() -> str | None:
    """None for a provider set directly under [auth]; else the first [auth.NAME] section."""
    auth = secrets_section("auth") or {}
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


def _only(screen: Any, title: str) -> None:
    """Show ``screen`` at every page address, with no menu, and end the run."""
    st.navigation(navigation.stand_ins(screen, title), position="hidden").run()
    st.stop()


def sign_in_gate() -> Visitor:
    """The sign-in screen, or the 'no access' page, or the visitor who may go on."""
    who = visitor()
    if who.identity.sign_in and not who.identity.signed_in:
        _only(_sign_in_screen, "Sign in")
    if not who.permissions.has_access:
        _only(_no_access_screen, "No access")
    return who
