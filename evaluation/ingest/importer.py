"""The import: one function the Upload page and the CLI share.

``import_files`` checks every file first (``evaluation.ingest.checks``) and writes only when
all are clean: a bad file means nothing is stored. Each good file then lands as one batch,
in one transaction, its person and worker ids replaced by pseudonyms on the way in.

Who imports matters (``allowed``, their permissions; the command line imports as an admin):
every row must be for one of their sites, and a row may replace a stored one only when the
stored row's site is theirs too. Both are checked before anything is written, and the second
again inside each batch's transaction (``store.batches.NotYours``), so a file that would
overwrite another site's records is refused whole, with the ids named.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa

from evaluation.admin.access import LOCAL_ADMIN, Permissions, file_sites
from evaluation.ingest.budget import release_memory
from evaluation.ingest.checks import Checked, Progress, check, silent
from evaluation.ingest.cld import CldChecked, CldImported, check_cld, settings_for, store_cld
from evaluation.ingest.cld_read import recognise
from evaluation.ingest.mapping_profile import Profile
from evaluation.ingest.mapping_saved import saved_profiles
from evaluation.ingest.pseudonyms import Pseudonymiser
from evaluation.ingest.reading import Problem
from evaluation.store import batches
from evaluation.store.connection import Store

# Files that add up to no more than this are checked two at a time, larger ones one by one:
# a check of a million rows works every core already, and two at once held 1.5 GB.
SIDE_BY_SIDE_BYTES = 50_000_000


@dataclass(frozen=True)
class Imported:
    """What one file's import did to the store."""

    file_name: str
    kind: str
    batch_id: str | None
    added: int
    replaced: int
    unchanged: int
    as_of: date
    ignored_columns: tuple[str, ...] = ()
    profile: str | None = None  # the mapping profile that read the file

    def summary(self) -> str:
        mapped = f" (read with the mapping profile '{self.profile}')" if self.profile else ""
        name = self.file_name + mapped
        if self.batch_id is None:
            return (
                f"{name}: {self.kind}, nothing new — all {self.unchanged} rows are "
                "already in the store (no batch recorded)"
            )
        if self.added == self.replaced == 0:
            return (
                f"{name}: {self.kind}, batch {self.batch_id}: all {self.unchanged} rows "
                f"already in the store; the data is now as of {self.as_of:%d/%m/%Y}"
            )
        text = (
            f"{name}: {self.kind}, batch {self.batch_id}: {self.added} added, "
            f"{self.replaced} replaced, {self.unchanged} unchanged (as of {self.as_of:%d/%m/%Y})"
        )
        if self.ignored_columns:
            text += f"; ignored columns: {', '.join(self.ignored_columns)}"
        return text


class ImportFailed(Exception):
    """At least one file has problems; nothing was stored."""

    def __init__(self, checked: list[Checked | CldChecked]) -> None:
        super().__init__("nothing was stored: the file(s) have problems")
        self.checked = checked


def import_files(
    store: Store,
    files: list[tuple[str, bytes]],
    *,
    kind: str | None = None,
    as_of: date | None = None,
    imported_by: str = "local user",
    source: str = "upload",
    allowed: Permissions = LOCAL_ADMIN,
    cld_sites: Sequence[str] = (),
    cld_patterns: Sequence[str] = (),
    profile: Profile | None = None,
) -> list[Imported | CldImported]:
    """Check every file, then store each as a batch; if any file has problems, store none.

    ``profile`` maps every file's headings and words; without one, a file whose headings fit
    no kind is read with the saved profile that fits it (``ingest.mapping.choose``).

    Large files are checked one at a time (small ones two at a time: ``SIDE_BY_SIDE_BYTES``),
    each clean file's ids are pseudonymised just before it is written, and its rows are let go
    once it is stored: every step works on all the cores already (DuckDB reads, hashes and
    writes on each; a check types its columns side by side), so two large files at once were
    no quicker at a million rows, only held twice the memory. The
    pseudonyms are shared by the files (the same people come in several). Nothing is written
    until every file is known to be clean; then the batches are written one after another,
    in the order given.

    A Client Level Data extract (``cld``) is recognised by its headers and checked with the
    site districts and conversation patterns given (``cld_settings.combine``); it lands as one
    batch of conversations and care packages. A file read with a ``profile`` is never taken
    for an extract.
    """
    try:
        return _import(
            store,
            files,
            kind=kind,
            written={"as_of": as_of, "imported_by": imported_by, "source": source},
            allowed=allowed,
            cld=(cld_sites, cld_patterns),
            profile=profile,
        )
    finally:
        release_memory()  # the files' checked rows are gone now: give their memory back


def _import(
    store: Store,
    files: list[tuple[str, bytes]],
    *,
    kind: str | None,
    written: dict[str, Any],
    allowed: Permissions,
    cld: tuple[Sequence[str], Sequence[str]],
    profile: Profile | None,
) -> list[Imported | CldImported]:
    """``import_files``' work; ``written`` is what every batch records (as of, by, source)."""
    pseudonyms = Pseudonymiser(store.key)
    extracts = [kind is None and profile is None and recognise(data) for _, data in files]
    settings = settings_for(store, *cld) if any(extracts) else None
    saved = None if profile else saved_profiles(store)
    mapping = {"profile": profile} if profile else {"saved": saved} if saved else {}

    def checked_file(file: tuple[tuple[str, bytes], bool]) -> Checked | CldChecked:
        (name, data), extract = file
        if extract:
            return check_cld(data, name, settings, store.key)
        return check(data, name, kind, **mapping)

    small = sum(len(data) for _, data in files) <= SIDE_BY_SIDE_BYTES
    with ThreadPoolExecutor(2 if small else 1, thread_name_prefix="import-check") as checking:
        checked = list(checking.map(checked_file, zip(files, extracts, strict=True)))
    for item in checked:
        if item.ok:
            item.problems.extend(ownership_problems(store, item, allowed))
    if not all(c.ok for c in checked):
        raise ImportFailed(checked)
    done: list[Imported | CldImported] = []
    for item in checked:
        if isinstance(item, CldChecked):
            done.append(store_cld(store, item, **written))
            continue
        rows = _pseudonymised(item, pseudonyms)
        item.table = None  # its raw ids need not be held while it is written, nor after
        done.append(_write(store, item, rows, allowed=allowed, **written))
        del rows
        release_memory()
    return done


def ownership_problems(
    store: Store, checked: Checked | CldChecked, allowed: Permissions
) -> list[Problem]:
    """Why this clean file may not be imported by this person (none: it may).

    Every row must be for one of their sites; and no row may replace a stored row of a site
    that is not theirs (a site lead reusing another site's ids). Care packages carry no site,
    so only an admin imports them, and a Client Level Data extract covers the whole council."""
    if allowed.is_admin:
        return []
    if isinstance(checked, CldChecked):
        message = "A Client Level Data extract covers the whole council: only an admin imports it."
        return [Problem(None, None, None, message)]
    if checked.table is None or checked.kind is None:
        return []
    sites = file_sites(checked.table)
    if not allowed.may_import(sites):
        if sites == {None}:
            return [
                Problem(
                    None, None, None, "Care packages carry no site: only an admin can import them."
                )
            ]
        others = sorted(s or "(no site)" for s in sites if not allowed.may_upload(s))
        return [
            Problem(
                None,
                "site",
                ", ".join(others),
                "rows for sites that are not yours: nothing from this file can be imported by you",
            )
        ]
    kind = checked.kind
    foreign = batches.foreign_rows(store, kind, checked.table, allowed.may_upload)
    return [
        Problem(
            None,
            kind.id_column,
            identifier,
            f"this id is already stored for {site or '(no site)'}, which is not one of your "
            "sites: a row of another site is never replaced. Give your own record its own id, "
            "or ask an admin.",
        )
        for identifier, site in foreign
    ]


def _pseudonymised(checked: Checked | CldChecked, pseudonyms: Pseudonymiser) -> pa.Table | None:
    """The file's rows with ids replaced (None if it has problems: it won't be stored; a CLD
    extract's ids are pseudonyms already)."""
    if isinstance(checked, CldChecked):
        return None
    if not checked.ok or checked.table is None or checked.kind is None:
        return None
    return pseudonyms.table(checked.table, checked.kind)


def store_checked(
    store: Store,
    checked: Checked,
    *,
    as_of: date | None = None,
    imported_by: str = "local user",
    source: str = "upload",
    progress: Progress = silent,
    allowed: Permissions = LOCAL_ADMIN,
) -> Imported:
    """Write one already-checked file as a batch (the page checks first, then confirms).

    Raises ``StoreError`` when the file would replace another site's rows (``NotYours``),
    the disk is full, or the store is busy: nothing of this file is stored then."""
    if not checked.ok or checked.kind is None or checked.table is None:
        raise ValueError(f"{checked.file_name} has problems: only a clean file can be stored")
    progress(0.7, f"Replacing person and worker ids with pseudonyms in {checked.file_name}")
    rows = Pseudonymiser(store.key).table(checked.table, checked.kind)
    return _write(
        store,
        checked,
        rows,
        as_of=as_of,
        imported_by=imported_by,
        source=source,
        progress=progress,
        allowed=allowed,
    )


def _write(
    store: Store,
    checked: Checked,
    rows: pa.Table | None,
    *,
    as_of: date | None,
    imported_by: str,
    source: str,
    progress: Progress = silent,
    allowed: Permissions = LOCAL_ADMIN,
) -> Imported:
    """Land a checked file's pseudonymised rows as one batch."""
    if checked.kind is None or rows is None:
        raise ValueError(f"{checked.file_name} has problems: only a clean file can be stored")
    day = as_of or date.today()
    progress(0.8, f"Storing {rows.num_rows:,} rows from {checked.file_name}")
    result = batches.write_batch(
        store,
        checked.kind,
        rows,
        file_name=checked.file_name,
        sha256=checked.sha256,
        as_of=day,
        imported_by=imported_by,
        source=source,
        may_replace=None if allowed.is_admin else allowed.may_upload,
    )
    progress(1.0, f"Stored {checked.file_name}")
    return Imported(
        file_name=checked.file_name,
        kind=checked.kind.name,
        batch_id=result.batch_id,
        added=result.added,
        replaced=result.replaced,
        unchanged=result.unchanged,
        as_of=day,
        ignored_columns=tuple(checked.ignored_columns),
        profile=checked.profile,
    )
