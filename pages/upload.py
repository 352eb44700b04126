"""Upload data: site leads import CSV exports and see at once what was accepted or what is wrong."""

from dataclasses import asdict
from datetime import date

import pandas as pd
import streamlit as st

from evaluation.admin.access import batch_sites, file_sites
from evaluation.admin.erasure import erase_person
from evaluation.core.contract import KINDS
from evaluation.ingest.importer import Checked, check, store_checked
from evaluation.ingest.templates import columns_table, template_csv
from evaluation.present.exports import to_csv
from evaluation.store.connection import StoreError
from pages.common import current_user, require, store, visitor

DETECT = "Detect from the headers"

st.title("Upload data")
who = visitor()
allowed = who.permissions
require(
    allowed.may_upload_any,
    "Uploading data is for admins and site leads. Your role opens every evidence page.",
)
st.write(
    "Upload CSV exports from your recording system (Mosaic, LAS, Eclipse) or from feedback and "
    "staff surveys. Every row is checked against the data contract first: a file is imported "
    "whole, or not at all."
)

kind_label = st.selectbox(
    "Kind of file",
    [DETECT, *(k.label for k in KINDS.values())],
    help="Usually detected from the headers.",
)
kind = next((k.name for k in KINDS.values() if k.label == kind_label), None)
as_of = st.date_input(
    "Data as of (the export's extract date)",
    value=date.today(),
    format="DD/MM/YYYY",
    help="Work that ends after this date counts as still ongoing.",
)
if not allowed.is_admin:
    st.caption(
        "You can import files whose every row is for one of your sites, and undo their "
        "batches. Care packages carry no site, so an admin imports them."
    )
    st.text("Your sites: " + ", ".join(who.person.sites if who.person else ()))
uploads = st.file_uploader("CSV file(s)", accept_multiple_files=True, key="uploads")


def checked_file(name: str, data: bytes, file_id: str) -> Checked:
    """Check each uploaded file once per session, not on every rerun."""
    cache = st.session_state.setdefault("checked", {})
    key = (file_id, kind)
    if key not in cache:
        bar = st.progress(0.0, text=f"Reading {name}…")
        cache[key] = check(data, name, kind, progress=lambda done, stage: bar.progress(done, stage))
        bar.empty()
    return cache[key]


def refused_sites(item: Checked) -> list[str | None]:
    """The sites in a clean file that this person may not import for (empty: all allowed)."""
    sites = file_sites(item.table)
    if allowed.may_import(sites):
        return []
    return sorted((s for s in sites if not allowed.may_upload(s)), key=lambda s: s or "")


checked = [checked_file(u.name, u.getvalue(), u.file_id) for u in uploads or []]
for item in checked:
    with st.container(border=True):
        st.text(f"File: {item.file_name}")
        if item.kind:
            st.caption(f"Detected kind: {item.kind.label} — {len(item.preview)} row(s) previewed")
        if item.problems:
            st.error(
                f"{len(item.problems)} problem(s) found: nothing from this file will be stored."
            )
            problems = [asdict(p) for p in item.problems]
            st.dataframe(pd.DataFrame(problems), hide_index=True)
            st.download_button(
                "Download the problems as CSV",
                to_csv(problems, ["row", "column", "value", "message"]),
                file_name=f"problems-{item.file_name}.csv",
                mime="text/csv",
                key=f"problems-{item.sha256}",
            )
        else:
            st.success(f"No problems: {item.rows} row(s) ready to import.")
            if not_yours := refused_sites(item):
                if not_yours == [None]:
                    st.error("Care packages carry no site: only an admin can import them.")
                else:
                    st.error("This file has rows for sites that are not yours:")
                    st.text(", ".join(s or "(no site)" for s in not_yours))
            if item.ignored_columns:
                st.caption("Columns not in the contract, which will be ignored:")
                st.text(", ".join(item.ignored_columns))
            st.dataframe(pd.DataFrame(item.preview), hide_index=True)

if checked:
    ready = [c for c in checked if c.ok]
    if len(ready) < len(checked):
        st.warning(
            "Fix the problems above and upload the file(s) again: nothing has been imported."
        )
    elif any(refused_sites(c) for c in ready):
        st.warning(
            "Nothing has been imported: remove the file(s) with other sites' rows, or ask an "
            "admin to import them."
        )
    elif st.button(f"Import {len(ready)} file(s)", type="primary"):
        results = []
        bar = st.progress(0.0, text="Importing…")
        for n, item in enumerate(ready):
            assert not refused_sites(item)  # the button is offered only when none is refused

            def show(done: float, stage: str, n: int = n) -> None:
                bar.progress((n + done) / len(ready), f"File {n + 1} of {len(ready)}: {stage}")

            results.append(
                store_checked(store(), item, as_of=as_of, imported_by=current_user(), progress=show)
            )
        bar.empty()
        st.session_state["last_import"] = [r.summary() for r in results]
        st.session_state.pop("checked", None)

if st.session_state.get("last_import"):
    st.success("Import finished.")
    st.text("\n".join(st.session_state["last_import"]))

st.header("Import history")
history = store().batches()
if not history:
    st.info("Nothing has been imported yet.")
else:
    table = pd.DataFrame(history)
    table["state"] = table["undone_at"].map(lambda t: "active" if pd.isna(t) else "undone")
    st.dataframe(
        table[
            [
                "batch_id",
                "kind",
                "file_name",
                "rows_added",
                "rows_replaced",
                "rows_unchanged",
                "as_of",
                "imported_at",
                "imported_by",
                "state",
            ]
        ],
        hide_index=True,
        column_config={"as_of": st.column_config.DateColumn("as of", format="DD/MM/YYYY")},
    )
    active = [row["batch_id"] for row in history if row["undone_at"] is None]
    if not allowed.is_admin:
        sites = batch_sites(store(), active)
        active = [b for b in active if allowed.may_undo(sites[b])]
        st.caption("You can undo the batches whose rows are all for your sites.")
    if active:
        with st.form("undo"):
            batch = st.selectbox(
                "Undo a batch", active, help="Its rows are removed; rows it replaced come back."
            )
            sure = st.checkbox("Yes, take this batch out of the store")
            if st.form_submit_button("Undo batch"):
                if not sure:
                    st.warning("Tick the box to confirm.")
                else:
                    try:
                        if not allowed.may_undo(batch_sites(store(), [batch])[batch]):
                            raise StoreError(
                                f"Batch {batch} has rows for sites that are not yours."
                            )
                        done = store().undo(batch, by=current_user())
                    except StoreError as error:
                        st.error(str(error))
                    else:
                        st.session_state["last_undo"] = (
                            f"Undid batch {done['batch_id']} ({done['kind']}): "
                            f"{done['removed']} row(s) removed, "
                            f"{done['restored']} earlier row(s) restored."
                        )
                        st.rerun()
    sample = [
        row["batch_id"] for row in history if row["source"] == "sample" and row["undone_at"] is None
    ]
    if sample and allowed.is_admin and st.button("Remove the sample data"):
        for batch in sorted(sample, reverse=True):
            store().undo(batch, by=current_user())
        st.session_state["last_undo"] = f"Removed the sample data ({len(sample)} batches)."
        st.rerun()
if st.session_state.get("last_undo"):
    st.success(st.session_state.pop("last_undo"))

st.header("Erase a person")
st.write(
    "Removes every row about one person — conversations, care packages and the feedback about "
    "their conversations — and rewrites the store so nothing of them remains. This can't be undone."
)
if not allowed.may_erase:
    st.info("Only an admin can erase a person: ask your dashboard's administrator.")
else:
    with st.form("erase"):
        person = st.text_input("The person's id in the source system", type="password")
        confirm = st.checkbox("Yes, erase this person for good")
        if st.form_submit_button("Erase"):
            if not confirm or not person.strip():
                st.warning("Give the id and tick the box to confirm.")
            else:
                try:
                    removed = erase_person(store(), person, by=current_user())
                except StoreError as error:
                    st.error(str(error))
                else:
                    st.success(
                        f"Erased {removed} row(s). "
                        "The erasure log records when and by whom, not the id."
                    )

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
        st.dataframe(pd.DataFrame(columns_table(spec.name)), hide_index=True)
