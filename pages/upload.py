"""Upload data: site leads import CSV exports and see at once what was accepted or what is wrong.

Figures: each file's check (``ingest.checks.check``, once per session) and the import log
(``store.batches.log``), shown by ``ui.upload``; nothing is stored until every file is clean.
A Client Level Data extract is checked and summarised by ``ingest.cld.check_cld`` and shown
by ``ui.cld``. A file whose headings fit no kind gets ``ui.mapping``'s "Map your columns"
step (its preview ``present.mapping.preview_rows``); ``ui.mapping_profiles`` lists the saved
profiles (``store.profiles``).
"""

from datetime import date

import streamlit as st

from ui import cld, mapping, mapping_profiles, upload
from ui.session import current_store, require, visitor

st.title("Upload data")
who = visitor()
allowed = who.permissions
require(
    allowed.may_upload_any,
    "Uploading data is for admins and site leads. Your role opens every evidence page.",
)
st.write(
    "Upload CSV exports from your recording system (Mosaic, LAS, Eclipse), the Client Level "
    "Data extract your council sends NHS England, or feedback and staff surveys. Every row is "
    "checked first: a file is imported whole, or not at all."
)
store = current_store()
kind = upload.choose_kind()
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
reading = mapping.reading(store)
files = st.file_uploader("CSV file(s)", accept_multiple_files=True, key="uploads")
extracts, files = cld.split(upload.not_imported(files or []), kind)
cld.step(store, extracts, allowed, as_of)
checked = [
    upload.checked_file(store, f.name, f.getvalue, f.file_id, kind, allowed, reading) for f in files
]
for given, item in zip(files, checked, strict=True):
    upload.file_report(item, allowed)
    mapping.step(store, item, given.getvalue(), reading)
if checked:
    upload.import_block(store, checked, allowed, as_of)
upload.last_import()

upload.history(store, allowed)
if st.session_state.get("last_undo"):
    st.success(st.session_state.pop("last_undo"))
mapping_profiles.saved_block(store)
upload.erase(store, allowed)
upload.templates()
