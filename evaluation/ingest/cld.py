"""Importing a Client Level Data extract (contract §4): check the whole file, then store it
as conversations and care packages in one batch.

``check_cld`` reads the file into its own in-memory DuckDB, types and checks every row
(``cld_rows``), and only when nothing is wrong makes the care packages (``cld_packages``),
the requests and conversations (``cld_requests``) and the summary (``cld_summary``), all in
SQL. The person's id becomes its pseudonym here, before anything leaves DuckDB, so what the
Upload page keeps between clicks holds no identifier; names, NHS numbers, dates of birth,
full postcodes and GP practices are never read into it at all. ``store_cld`` lands both
kinds in one transaction under one batch id (``batches.one_batch``), so one undo takes the
whole file back out; the same file twice changes nothing, and next quarter's file replaces
the events it shares by id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from evaluation.core.contract import KINDS, Kind
from evaluation.ingest.checks import Progress, display_name, silent
from evaluation.ingest.cld_packages import make_packages
from evaluation.ingest.cld_read import header_cells, match_headers, read_rows
from evaluation.ingest.cld_requests import PatternError, group_requests, make_conversations
from evaluation.ingest.cld_rows import make_lookups, people_sql, type_rows
from evaluation.ingest.cld_rows import problems as row_problems
from evaluation.ingest.cld_settings import STORED_AS, CldSettings, combine
from evaluation.ingest.cld_summary import CldSummary, count_rows, summarise
from evaluation.ingest.column_sql import Params
from evaluation.ingest.pseudonyms import Pseudonymiser
from evaluation.ingest.reading import Problem, Refused
from evaluation.store import batches, settings
from evaluation.store.connection import Store

LABEL = "Client Level Data"
NEEDS_SITES = (
    "This is a Client Level Data extract: say which postcode districts each innovation site "
    'covers, with --cld-site "NAME=DISTRICT,DISTRICT" (once: the store remembers them), or in '
    "the settings file named by EVALUATION_CLD_SETTINGS. Everyone elsewhere is counted at "
    "the site 'Rest of the council'."
)
CONVERSATIONS, PACKAGES = KINDS["conversations"], KINDS["care_packages"]


@dataclass
class CldChecked:
    """A CLD extract read and checked, its conversations and packages made, nothing stored."""

    file_name: str
    sha256: str
    settings: CldSettings
    problems: list[Problem] = field(default_factory=list)
    conversations: pa.Table | None = None  # contract columns, person ids already pseudonyms
    packages: pa.Table | None = None
    summary: CldSummary | None = None
    kind_label: str = LABEL

    @property
    def ok(self) -> bool:
        return not self.problems and self.conversations is not None and self.packages is not None

    @property
    def rows(self) -> int:
        return 0 if self.summary is None else self.summary.rows


@dataclass(frozen=True)
class CldImported:
    """What one CLD extract's import did to the store: a batch, and each kind's counts."""

    file_name: str
    batch_id: str | None
    parts: tuple[tuple[str, batches.BatchResult], ...]
    as_of: date
    found: CldSummary
    used: CldSettings

    def summary(self) -> str:
        counts = "; ".join(
            f"{kind.replace('_', ' ')} {r.added} added, {r.replaced} replaced, "
            f"{r.unchanged} unchanged"
            for kind, r in self.parts
        )
        if self.batch_id is None:
            return f"{self.file_name}: {LABEL}, nothing new — {counts} (no batch recorded)"
        return (
            f"{self.file_name}: {LABEL}, batch {self.batch_id}: {counts} "
            f"(as of {self.as_of:%d/%m/%Y})"
        )


def check_cld(
    data: bytes,
    file_name: str,
    cld: CldSettings | None,
    key: bytes,
    *,
    progress: Progress = silent,
) -> CldChecked:
    """Check a CLD extract whole and make its conversations and care packages (``key`` is the
    store's pseudonym key; ``cld`` None when no site's districts are known yet). Every
    problem is collected; with any, no table is made."""
    name, digest = display_name(file_name), hashlib.sha256(data).hexdigest()
    if cld is None:
        return CldChecked(name, digest, CldSettings(), [Problem(None, None, None, NEEDS_SITES)])
    checked = CldChecked(name, digest, cld)
    headers = header_cells(data) or []
    positions, written, found = match_headers(headers)
    if found:
        checked.problems = found
        return checked
    con = duckdb.connect(config={"preserve_insertion_order": True})
    try:
        progress(0.1, f"Reading {checked.file_name}")
        try:
            checked.problems = read_rows(con, data, headers, positions)
        except Refused as refused:
            checked.problems = [refused.problem]
        if checked.problems:
            return checked
        progress(0.3, f"Checking every row of {checked.file_name}")
        make_lookups(con)
        _people(con, key)
        type_rows(con)
        con.execute("DROP VIEW cld_lines; DROP TABLE cld_text")
        checked.problems = row_problems(con, written)
        if checked.problems:
            return checked
        progress(0.5, f"Finding requests, conversations and care packages in {checked.file_name}")
        counted = count_rows(con)
        repeated = _persons(con)
        make_packages(con)
        try:
            group_requests(con, cld)
        except PatternError as error:
            checked.problems = [_pattern_problem(cld, error)]
            return checked
        make_conversations(con, cld)
        checked.problems = _clashes(con, written)
        if checked.problems:
            return checked
        progress(0.6, f"Counting what {checked.file_name} holds")
        checked.summary = summarise(con, counted, repeated)
        checked.conversations = _contract_table(con, "cld_conversations", CONVERSATIONS)
        checked.packages = _contract_table(con, "cld_packages", PACKAGES)
    finally:
        con.close()
    return checked


# Every column a row's meaning rests on: two rows alike in all of them are one row repeated.
SAME_ROW = (
    "la_code, person, kind, client, reference, starts_on, ends_on, description, birth_on, "
    "died_on, district, support_reason, service_type, component, cost, frequency, planned_units"
)


def _people(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """``cld_people``: each person of the file, numbered, with their pseudonym (the HMAC of
    ``LA Code/LA Person Unique Identifier``). The id goes no further than this table."""
    bind = Params()
    found = con.sql(people_sql(bind), params=bind.values).to_arrow_table()
    keys = pc.binary_join_element_wise(
        pc.fill_null(found.column("la_code"), ""), pc.fill_null(found.column("person"), ""), "/"
    )
    pseudonyms = Pseudonymiser(key).table(pa.table({"person_id": keys}), PACKAGES)
    numbered = found.append_column(
        "person_no", pa.array(range(found.num_rows), pa.int32())
    ).append_column("person_id", pseudonyms.column("person_id"))
    con.register("cld_people_arrow", numbered)
    con.execute("CREATE OR REPLACE TEMP TABLE cld_people AS SELECT * FROM cld_people_arrow")
    con.unregister("cld_people_arrow")


def _persons(con: duckdb.DuckDBPyConnection) -> int:
    """``cld_persons``: the rows about the person (not carers), each exact repeat dropped.
    Returns how many repeats were dropped."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cld_repeats AS
        WITH keyed AS (
            -- two rows alike share their Event Reference (or both have none): only rows
            -- whose reference is shared, or missing, are compared whole
            SELECT _row, la_code, reference, kind FROM cld_typed WHERE client = 'person'
        ),
        candidates AS (
            SELECT * FROM cld_typed SEMI JOIN (
                SELECT _row FROM keyed WHERE reference IS NULL
                   OR (la_code, reference, kind) IN (
                       SELECT (la_code, reference, kind) FROM keyed
                       WHERE reference IS NOT NULL GROUP BY ALL HAVING count(*) > 1)
            ) USING (_row)
            WHERE client = 'person'
        )
        SELECT _row FROM candidates
        QUALIFY row_number() OVER (PARTITION BY {SAME_ROW} ORDER BY _row) > 1
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP VIEW cld_persons AS
        SELECT * EXCLUDE (person, client_type, event_type, starts, ends)
        FROM cld_typed ANTI JOIN cld_repeats USING (_row) WHERE client = 'person'
        """
    )
    return int(con.execute("SELECT count(*) FROM cld_repeats").fetchall()[0][0])


def _pattern_problem(cld: CldSettings, error: PatternError) -> Problem:
    listed = ", ".join(p for p, _ in cld.patterns)
    return Problem(None, None, None, f"a conversation pattern can't be used ({listed}): {error}")


def _clashes(con: duckdb.DuckDBPyConnection, written: dict[str, str]) -> list[Problem]:
    """Two different rows that would make the same conversation or package id."""
    found = []
    for table, column in (("cld_conversations", "conversation_id"), ("cld_packages", "package_id")):
        clashing = con.execute(
            f"SELECT list(_row ORDER BY _row) FROM {table} GROUP BY {column} "
            "HAVING count(*) > 1 ORDER BY min(_row)"
        ).fetchall()
        for (rows,) in clashing:
            first, *later = rows
            for row in later:
                found.append(
                    Problem(
                        row,
                        written["reference"],
                        None,
                        f"the same event as row {first}: the same Event Reference, or with no "
                        "reference the same person, Event Type, Event Start Date and Event "
                        "Description; give each event its own Event Reference",
                    )
                )
    too_large = con.execute(
        "SELECT _row FROM cld_packages WHERE pounds >= 10000000000 ORDER BY _row"
    ).fetchall()
    found.extend(
        Problem(row, written["unit_cost"], None, "the weekly cost this makes is too large")
        for (row,) in too_large
    )
    return sorted(found, key=lambda p: p.row or 0)


def _contract_table(con: duckdb.DuckDBPyConnection, table: str, kind: Kind) -> pa.Table:
    """The contract's columns, in its order and types (in no particular row order: sorting
    half a million rows would cost more than the rest of this step, and nothing needs it)."""
    named = {"gross_weekly_cost": "pounds"}
    columns = ", ".join(
        f"CAST({named.get(c, c)} AS {kind.sql_type(c)}) AS {c}" for c in kind.columns
    )
    return con.sql(f"SELECT {columns} FROM {table}").to_arrow_table()


def store_cld(
    store: Store,
    checked: CldChecked,
    *,
    as_of: date | None = None,
    imported_by: str = "local user",
    source: str = "upload",
    progress: Progress = silent,
) -> CldImported:
    """Land a checked extract's conversations and care packages as one batch, and remember
    its settings for next quarter's file."""
    if not checked.ok or checked.summary is None or checked.conversations is None:
        raise ValueError(f"{checked.file_name} has problems: only a clean file can be stored")
    day = as_of or date.today()
    progress(0.8, f"Storing what {checked.file_name} holds")
    parts = []
    with batches.one_batch(store) as shared:
        for kind, rows in ((CONVERSATIONS, checked.conversations), (PACKAGES, checked.packages)):
            if rows is None:
                raise ValueError(f"{checked.file_name} has no {kind.name}")
            result = batches.write_batch(
                store,
                kind,
                rows,
                file_name=checked.file_name,
                sha256=checked.sha256,
                as_of=day,
                imported_by=imported_by,
                source=source,
                within=shared,
            )
            parts.append((kind.name, result))
        batch_id = shared.batch_id
    remember(store, checked.settings, imported_by)
    progress(1.0, f"Stored {checked.file_name}")
    return CldImported(
        checked.file_name, batch_id, tuple(parts), day, checked.summary, checked.settings
    )


def remembered(store: Store) -> CldSettings | None:
    """The settings the last CLD import (or the Upload page's form) left in the store."""
    text = settings.read(store, STORED_AS)
    return CldSettings.from_json(text) if text else None


def remember(store: Store, chosen: CldSettings, by: str) -> None:
    """Keep the settings for the next extract (the Upload page's form)."""
    settings.write(store, STORED_AS, chosen.to_json(), by)


def settings_for(
    store: Store, sites: Sequence[str] = (), patterns: Sequence[str] = ()
) -> CldSettings | None:
    """The settings an import uses: those given, else the settings file, else the store's
    (``cld_settings.combine``); None when no site's districts are known anywhere."""
    return combine(remembered(store), sites, patterns)
