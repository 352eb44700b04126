"""The blocks of the Upload data page: check files, import them, the import history with
undo, erasing a person and the templates. Each says plainly what happened.

Files are checked once per session (``ingest.checks.check``) and imported only when every one
is clean, every row is for a site the person may import for, and no row would replace another
site's record (``ingest.importer.ownership_problems``, named as the file's problems); the
store is changed only through ``ingest.importer``, ``store.batches`` and ``admin.erasure``.
What the store refuses at the last moment (another site's ids stored meanwhile, a full disk,
a busy store) is said in its own words, with what was stored before it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import streamlit as st

from evaluation.admin import erasure
from evaluation.admin.access import Permissions, batch_sites, file_sites
from evaluation.core.contract import KINDS
from evaluation.ingest.budget import release_memory
from evaluation.ingest.checks import Checked, check
from evaluation.ingest.importer import Imported, ownership_problems, store_checked
from evaluation.ingest.reading import Problem
from evaluation.ingest.templates import columns_table, template_csv
from evaluation.measures.prepared import prepare
from evaluation.present.exports import to_csv
from evaluation.present.uploads import (
    PROBLEM_HEADINGS,
    blank_cells,
    log_rows,
    nothing_changed,
    problem_lines,
    problem_rows,
)
from evaluation.store import batches
from evaluation.store.connection import Store, StoreError
from ui import components, downloads, mapping
from ui.session import current_user

DETECT = "Detect from the headers"


def choose_kind() -> str | None:
    label = st.selectbox(
        "Kind of file",
        [DETECT, *(k.label for k in KINDS.values())],
        help="Usually detected from the headers.",
    )
    return next((k.name for k in KINDS.values() if k.label == label), None)


def checked_file(
    store: Store,
    name: str,
    read: Callable[[], bytes],
    file_id: str,
    kind: str | None,
    allowed: Permissions,
    reading: mapping.Reading | None = None,
) -> Checked:
    """Check each uploaded file once per session, not on every rerun (its bytes are read only
    then: a copy of 150 MB on every click adds up); a clean file whose ids are another site's
    stored records gets those ids as its problems. ``reading``: the mapping profile chosen,
    or the saved ones to try."""
    cache = st.session_state.setdefault("checked", {})
    reading = reading or mapping.Reading()
    key = (file_id, kind, reading.key)
    if key not in cache:
        bar = st.progress(0.0, text=f"Reading {name}…")
        item = check(
            read(),
            name,
            kind,
            progress=lambda done, stage: bar.progress(done, stage),
            profile=reading.profile,
            saved=reading.saved,
        )
        if item.ok and not refused_sites(item, allowed):
            bar.progress(0.65, f"Checking no row of {item.file_name} is another site's")
            item.problems.extend(ownership_problems(store, item, allowed))
        cache[key] = item
        st.session_state.setdefault("file_ids", {})[item.sha256] = file_id
        bar.empty()
    return cache[key]


IMPORTED = "imported_files"


def not_imported(files: list[Any]) -> list[Any]:
    """The uploaded files not yet imported in this session: an imported file stays in the
    uploader, but is neither checked again nor offered for import a second time."""
    done = st.session_state.get(IMPORTED, set())
    left = [f for f in files if f.file_id not in done]
    if len(left) < len(files):
        names = ", ".join(f.name for f in files if f.file_id in done)
        st.caption("Imported already (see the import history below):")
        st.text(names)
    return left


def mark_imported(file_ids: list[str], summaries: list[str], nothing_new: bool) -> None:
    """Remember the files as imported and what the import did, then draw the page again
    (without its Import button)."""
    st.session_state.setdefault(IMPORTED, set()).update(file_ids)
    st.session_state["last_import"] = summaries
    st.session_state["last_import_unchanged"] = nothing_new
    st.rerun()


def last_import() -> None:
    """What the last import did: rows stored, or plainly that nothing changed."""
    summaries = st.session_state.get("last_import")
    if not summaries:
        return
    if st.session_state.get("last_import_unchanged"):
        st.info(
            "Nothing changed: every row was already stored just as it is in the file(s).",
            icon=":material/info:",
        )
    else:
        st.success("Import finished.")
    st.text("\n".join(summaries))


def refused_sites(item: Checked, allowed: Permissions) -> list[str | None]:
    """The sites in a clean file that this person may not import for (empty: all allowed)."""
    sites = file_sites(item.table)
    if allowed.may_import(sites):
        return []
    return sorted((s for s in sites if not allowed.may_upload(s)), key=lambda s: s or "")


SHOWN_PROBLEMS = 50


def problem_list(
    problems: list[Problem], file_name: str, key: str, headings: Mapping[str, str] | None = None
) -> None:
    """Every problem of a file in full (nothing from it is stored), under the file's own
    headings, and the whole list to download."""
    st.error(f"{len(problems)} problem(s) found: nothing from this file will be stored.")
    rows = problem_rows(problems, headings or {})
    lines = problem_lines(rows)
    st.text("\n".join(lines[:SHOWN_PROBLEMS]))
    if len(lines) > SHOWN_PROBLEMS:
        st.caption(f"The first {SHOWN_PROBLEMS} of {len(lines):,}: download them all below.")
    # The values are the file's own, raw ids included: made only when clicked.
    downloads.person_level(
        "Download the problems as CSV",
        lambda: to_csv(rows, list(PROBLEM_HEADINGS)),
        file_name=f"problems-{file_name}.csv",
        key=key,
    )


def file_report(item: Checked, allowed: Permissions) -> None:
    """What one file's check found: its problems, or its preview and who may import it."""
    with st.container(border=True):
        st.text(f"File: {item.file_name}")
        if item.kind:
            st.caption(f"Detected kind: {item.kind.label} — {len(item.preview)} row(s) previewed")
        mapping.used(item)
        if item.problems:
            problem_list(item.problems, item.file_name, f"problems-{item.sha256}", item.headings)
            return
        st.success(f"No problems: {item.rows} row(s) ready to import.")
        not_yours = refused_sites(item, allowed)
        if not_yours == [None]:
            st.error("Care packages carry no site: only an admin can import them.")
        elif not_yours:
            st.error("This file has rows for sites that are not yours:")
            st.text(", ".join(s or "(no site)" for s in not_yours))
        if item.ignored_columns:
            st.caption("Columns not in the contract, which will be ignored:")
            st.text(", ".join(item.ignored_columns))
        components.table(blank_cells(item.preview))


def import_block(store: Store, checked: list[Checked], allowed: Permissions, as_of: date) -> None:
    """The Import button, offered only when every file is clean and every row is allowed."""
    ready = [c for c in checked if c.ok]
    if len(ready) < len(checked):
        st.warning(
            "Fix the problems above and upload the file(s) again: nothing has been imported."
        )
        return
    if any(refused_sites(c, allowed) for c in ready):
        st.warning(
            "Nothing has been imported: remove the file(s) with other sites' rows, or ask an "
            "admin to import them."
        )
        return
    if not st.button(f"Import {len(ready)} file(s)", type="primary"):
        return
    results: list[Imported] = []
    bar = st.progress(0.0, text="Importing…")
    for n, item in enumerate(ready):

        def show(done: float, stage: str, n: int = n) -> None:
            bar.progress((n + done) / len(ready), f"File {n + 1} of {len(ready)}: {stage}")

        try:
            results.append(
                store_checked(
                    store,
                    item,
                    as_of=as_of,
                    imported_by=current_user(),
                    progress=show,
                    allowed=allowed,
                )
            )
        except StoreError as error:
            bar.empty()
            _stopped(item, error, results, ready[n + 1 :])
            return
    bar.progress(1.0, "Preparing the dashboard's figures for the new data…")
    prepared(store)
    bar.empty()
    forget_checked()
    ids = st.session_state.get("file_ids", {})
    mark_imported(
        [ids[c.sha256] for c in ready if c.sha256 in ids],
        [r.summary() for r in results],
        all(nothing_changed(r.added, r.replaced) for r in results),
    )


def prepared(store: Store) -> None:
    """After the data changed: the whole-store tables written for the next views
    (``measures.prepared``). The change is stored whatever happens here; if this fails the
    dashboard works its figures out itself, only slower."""
    try:
        prepare(store)
    except StoreError:
        st.caption("The figures will take a little longer to appear the first time.")


def forget_checked() -> None:
    """Drop the session's checked files (their typed rows) and give their memory back."""
    st.session_state.pop("checked", None)
    release_memory()


def _stopped(item: Checked, error: StoreError, done: list[Imported], left: list[Checked]) -> None:
    """An import the store refused part way: what was stored, what was not, and why."""
    st.error(f"{item.file_name} was not stored.")
    st.text(str(error))
    if done:
        st.caption("Stored before it:")
        st.text("\n".join(r.summary() for r in done))
    if left:
        st.caption("Not tried after it: " + ", ".join(c.file_name for c in left))
    forget_checked()  # checked again on the next try


def history(store: Store, allowed: Permissions) -> None:
    """The import log, undo of a batch, and removing the sample data."""
    st.header("Import history")
    log = batches.log(store)
    if not log:
        st.info("Nothing has been imported yet.")
        return
    components.table(log_rows(log))
    # A CLD extract's batch logs a row per kind: offer each batch once.
    active = list(dict.fromkeys(row["batch_id"] for row in log if row["undone_at"] is None))
    if not allowed.is_admin:
        sites = batch_sites(store, active)
        active = [b for b in active if allowed.may_undo(sites[b])]
        st.caption("You can undo the batches whose rows are all for your sites.")
    if active:
        _undo_form(store, active, allowed)
    sample = [
        row["batch_id"] for row in log if row["source"] == "sample" and row["undone_at"] is None
    ]
    if sample and allowed.is_admin and st.button("Remove the sample data"):
        for batch in sorted(sample, reverse=True):
            batches.undo(store, batch, by=current_user())
        prepared(store)
        st.session_state["last_undo"] = f"Removed the sample data ({len(sample)} batches)."
        st.rerun()


def _undo_form(store: Store, active: list[str], allowed: Permissions) -> None:
    with st.form("undo"):
        batch = st.selectbox(
            "Undo a batch", active, help="Its rows are removed; rows it replaced come back."
        )
        sure = st.checkbox("Yes, take this batch out of the store")
        if not st.form_submit_button("Undo batch"):
            return
        if not sure:
            st.warning("Tick the box to confirm.")
            return
        try:
            if not allowed.may_undo(batch_sites(store, [batch])[batch]):
                raise StoreError(f"Batch {batch} has rows for sites that are not yours.")
            done = batches.undo(store, batch, by=current_user())
        except StoreError as error:
            st.error(str(error))
            return
        prepared(store)
        st.session_state["last_undo"] = (
            f"Undid batch {done['batch_id']} ({done['kind']}): {done['removed']} row(s) removed, "
            f"{done['restored']} earlier row(s) restored."
        )
        st.rerun()


def erase(store: Store, allowed: Permissions) -> None:
    st.header("Erase a person")
    st.write(
        "Removes every row about one person — conversations, care packages and the feedback "
        "about their conversations — and rewrites the store so nothing of them remains. This "
        "can't be undone."
    )
    if not allowed.may_erase:
        st.info("Only an admin can erase a person: ask your dashboard's administrator.")
        return
    _unfinished(store)
    with st.form("erase"):
        person = st.text_input("The person's id in the source system", type="password")
        confirm = st.checkbox("Yes, erase this person for good")
        if not st.form_submit_button("Erase"):
            return
        if not confirm or not person.strip():
            st.warning("Give the id and tick the box to confirm.")
            return
        try:
            done = erasure.erase(store, person, by=current_user())
        except StoreError as error:
            st.error(str(error))
            return
        prepared(store)
        if done.removed:
            st.success(
                f"Erased {done.removed} row(s). The erasure log records when and by whom, not "
                "the id."
            )
        else:
            st.success(
                "No rows about that person remain: an earlier erasure that had not finished is "
                "now complete."
            )


def _unfinished(store: Store) -> None:
    """An erasure a crash or a full disk left unfinished, and the way to finish it."""
    waiting = [e for e in erasure.erasures(store) if e["state"] != erasure.DONE]
    if not waiting:
        return
    st.warning(
        f"{len(waiting)} erasure(s) are not finished: the store file still has to be "
        "rewritten so that nothing of the person remains in it. The dashboard tries again "
        "each time the store opens; it needs free disk space about the size of the store."
    )
    if st.button("Finish the erasure(s) now"):
        try:
            store.finish_erasures()
        except StoreError as error:
            st.error(str(error))
            return
        st.success("Finished: nothing of the person remains in the store file.")


def templates() -> None:
    st.header("Templates")
    st.write("An empty CSV for each kind, with the columns the dashboard reads.")
    for spec in KINDS.values():
        with st.expander(spec.label):
            st.download_button(
                f"Download the {spec.label.lower()} template",
                template_csv(spec.name),
                file_name=f"{spec.name}-template.csv",
                mime="text/csv",
                key=f"template-{spec.name}",
            )
            components.table(columns_table(spec.name))
