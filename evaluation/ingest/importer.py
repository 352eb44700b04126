"""The import: one function the Upload page and the CLI share.

``import_files`` checks every file first (``evaluation.ingest.checks``) and writes only when
all are clean: a bad file means nothing is stored. Each good file then lands as one batch,
in one transaction, its person and worker ids replaced by pseudonyms on the way in.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from evaluation.ingest.checks import Checked, Progress, check, silent
from evaluation.ingest.cld import CldChecked, CldImported, check_cld, settings_for, store_cld
from evaluation.ingest.cld_read import recognise
from evaluation.ingest.mapping_profile import Profile
from evaluation.ingest.mapping_saved import saved_profiles
from evaluation.ingest.pseudonyms import Pseudonymiser
from evaluation.store import batches
from evaluation.store.connection import Store

CHECKED_AT_ONCE = 2  # files checked side by side: each holds its rows in memory meanwhile


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
    cld_sites: Sequence[str] = (),
    cld_patterns: Sequence[str] = (),
    profile: Profile | None = None,
) -> list[Imported | CldImported]:
    """Check every file, then store each as a batch; if any file has problems, store none.

    ``profile`` maps every file's headings and words; without one, a file whose headings fit
    no kind is read with the saved profile that fits it (``ingest.mapping.choose``).

    Files are checked two at a time, and each clean file's ids are pseudonymised as soon as
    it is checked, while the others are still being checked or written: DuckDB, Arrow and
    SHA-256 let go of Python's lock while they work, so one file's Python work (scanning its
    lines, hashing its ids) runs on a core the rest leaves idle. The pseudonyms are shared by
    the files (the same people come in several). Nothing is written until every file is known
    to be clean; then the batches are written one after another, in the order given.

    A Client Level Data extract (``cld``) is recognised by its headers and checked with the
    site districts and conversation patterns given (``cld_settings.combine``); it lands as one
    batch of conversations and care packages. A file read with a ``profile`` is never taken
    for an extract.
    """
    pseudonyms = Pseudonymiser(store.key)
    extracts = [kind is None and profile is None and recognise(data) for _, data in files]
    cld = settings_for(store, cld_sites, cld_patterns) if any(extracts) else None
    with (
        ThreadPoolExecutor(CHECKED_AT_ONCE, thread_name_prefix="import-check") as checking,
        ThreadPoolExecutor(1, thread_name_prefix="import-pseudonyms") as hashing,
    ):
        saved = None if profile else saved_profiles(store)
        mapping = {"profile": profile} if profile else {"saved": saved} if saved else {}
        checks = [
            checking.submit(check_cld, data, name, cld, store.key)
            if extract
            else checking.submit(check, data, name, kind, **mapping)
            for (name, data), extract in zip(files, extracts, strict=True)
        ]
        hashed: dict[Future[Checked | CldChecked], Future[pa.Table | None]] = {}
        for done in as_completed(checks):
            hashed[done] = hashing.submit(_pseudonymised, done.result(), pseudonyms)
        checked = [c.result() for c in checks]
        if not all(c.ok for c in checked):
            for pending in hashed.values():
                pending.cancel()
            raise ImportFailed(checked)
        return [
            store_cld(store, c, as_of=as_of, imported_by=imported_by, source=source)
            if isinstance(c, CldChecked)
            else _write(
                store,
                c,
                hashed[future].result(),
                as_of=as_of,
                imported_by=imported_by,
                source=source,
            )
            for future, c in zip(checks, checked, strict=True)
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
) -> Imported:
    """Write one already-checked file as a batch (the page checks first, then confirms)."""
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
) -> Imported:
    """Land a checked file's pseudonymised rows as one batch."""
    if checked.kind is None or rows is None:
        raise ValueError(f"{checked.file_name} has problems: only a clean file can be stored")
    day = as_of or date.today()
    progress(0.8, f"Storing {checked.rows:,} rows from {checked.file_name}")
    result = batches.write_batch(
        store,
        checked.kind,
        rows,
        file_name=checked.file_name,
        sha256=checked.sha256,
        as_of=day,
        imported_by=imported_by,
        source=source,
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
