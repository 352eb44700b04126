"""The Upload page's Client Level Data step: recognise the extract, ask for the innovation
sites' postcode districts the first time, show what the file holds, then import it whole.

The districts and conversation patterns are kept in the store (``ingest.cld.remember``), so
next quarter's extract needs nothing retyped, unless a settings file
(``EVALUATION_CLD_SETTINGS``) sets them. Nothing from the file is previewed row by row: what
it holds is shown as counts (``present.cld``), so no name, date of birth or postcode reaches
the page. Only an admin imports an extract: it covers the whole council and its care packages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from evaluation.admin.access import Permissions
from evaluation.ingest import cld
from evaluation.ingest.cld_read import recognise
from evaluation.ingest.cld_settings import CldSettings, SettingsError, configured, with_sites
from evaluation.present import cld as shown
from evaluation.present.uploads import nothing_changed
from evaluation.store.connection import Store
from ui import components, upload
from ui.session import current_user

SITES_HELP = (
    "One site a line: its name, '=', and the postcode districts it covers, e.g. "
    "'Medway innovation team=ME4,ME5'. People elsewhere are at 'Rest of the council'."
)
PATTERNS_HELP = (
    "One a line, ignoring capitals: a regular expression and the conversation it marks "
    "(initial conversation=1), or one whose first group is the number "
    "(conversation\\s*([123]))."
)


def split(files: list[Any], kind: str | None) -> tuple[list[Any], list[Any]]:
    """(the CLD extracts, the other files); with a kind chosen, nothing is an extract."""
    if kind is not None:
        return [], files
    extracts = [f for f in files if recognise(f.getvalue())]
    return extracts, [f for f in files if f not in extracts]


def step(store: Store, files: list[Any], allowed: Permissions, as_of: date) -> None:
    """The whole CLD step for each extract uploaded."""
    for extract in files:
        with st.container(border=True):
            st.text(f"File: {extract.name}")
            st.caption(
                "Recognised as a Client Level Data (CLD) extract: its Request, Assessment and "
                "Review rows become conversations and its Service rows care packages."
            )
            if not allowed.is_admin:
                st.error(
                    "A Client Level Data extract covers the whole council and its care "
                    "packages: only an admin imports it."
                )
                continue
            chosen = _settings(store)
            if chosen is not None:
                _show(store, extract, chosen, as_of)


def _settings(store: Store) -> CldSettings | None:
    """The settings to use, asking for them when none are known (or the admin changes them)."""
    try:
        from_file = configured()
        current = from_file or cld.remembered(store)
    except SettingsError as error:
        st.error(f"The CLD settings can't be used: {error}")
        return None
    if from_file is not None:
        st.text(shown.settings_text(from_file))
        st.caption("These come from the settings file named by EVALUATION_CLD_SETTINGS.")
        return from_file
    if current is None:
        st.info(
            "First, which postcode districts does each innovation site cover? The dashboard "
            "remembers them for the next extract."
        )
        _form(store, current)
        return None
    st.text(shown.settings_text(current))
    with st.expander("Change the sites or the conversation marks"):
        _form(store, current)
    return current


def _form(store: Store, current: CldSettings | None) -> None:
    with st.form("cld_settings"):
        lines = st.text_area(
            "Innovation sites and their postcode districts",
            value=current.site_lines() if current else "",
            help=SITES_HELP,
            placeholder="Medway innovation team=ME4,ME5",
        )
        patterns = st.text_area(
            "Conversation marks in Event Description",
            value=(current or CldSettings()).pattern_lines(),
            help=PATTERNS_HELP,
        )
        if not st.form_submit_button("Save the sites"):
            return
    try:
        chosen = with_sites(current, lines, patterns)
    except SettingsError as error:
        st.error(str(error))
        return
    cld.remember(store, chosen, current_user())
    st.session_state.pop("cld_checked", None)
    st.rerun()


def _checked(extract: Any, chosen: CldSettings, store: Store) -> cld.CldChecked:
    """Each extract checked once per session and settings, not on every rerun."""
    cache = st.session_state.setdefault("cld_checked", {})
    key = (extract.file_id, chosen.to_json())
    if key not in cache:
        bar = st.progress(0.0, text=f"Reading {extract.name}…")
        cache[key] = cld.check_cld(
            extract.getvalue(),
            extract.name,
            chosen,
            store.key,
            progress=lambda done, stage: bar.progress(done, stage),
        )
        bar.empty()
    return cache[key]


def _show(store: Store, extract: Any, chosen: CldSettings, as_of: date) -> None:
    """What the extract holds (or its problems), and the Import button."""
    checked = _checked(extract, chosen, store)
    if checked.problems:
        upload.problem_list(checked.problems, checked.file_name, f"cld-problems-{checked.sha256}")
        return
    summary = checked.summary
    if summary is None:
        return
    st.success(
        f"No problems: {summary.rows:,} row(s) make {summary.conversation_rows:,} "
        f"conversation(s) and {summary.package_rows:,} care package(s)."
    )
    for heading, rows in shown.sections(summary):
        st.subheader(heading)
        components.table(rows)
    if not st.button("Import the Client Level Data extract", type="primary"):
        return
    bar = st.progress(0.0, text="Importing…")
    result = cld.store_cld(
        store,
        checked,
        as_of=as_of,
        imported_by=current_user(),
        progress=lambda done, stage: bar.progress(done, stage),
    )
    bar.empty()
    st.session_state.pop("cld_checked", None)
    unchanged = all(nothing_changed(r.added, r.replaced) for _, r in result.parts)
    upload.mark_imported([extract.file_id], [result.summary()], unchanged)
