"""The saved mapping profiles: one row per profile, its TOML exactly as it was saved.

Kept in the store (table ``mapping_profiles``) so a profile made once on the Upload page
survives restarts and is in every backup (``admin.backup`` writes every table). This module
only keeps the text; ``evaluation.ingest.mapping_saved`` checks a profile before it is
saved and reads it back. Names are matched ignoring case and surrounding spaces, so
"Mosaic steps report" saved again replaces the earlier one rather than standing beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evaluation.store.connection import Store
from evaluation.store.query import rows, scalar

TABLE_SQL = """
CREATE TABLE IF NOT EXISTS mapping_profiles (
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    profile VARCHAR NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    saved_by VARCHAR NOT NULL
)
"""
_COLUMNS = "name, kind, profile, saved_at, saved_by"


@dataclass(frozen=True)
class SavedProfile:
    name: str
    kind: str
    text: str  # the TOML
    saved_at: datetime
    saved_by: str


def _held(store: Store) -> bool:
    """Whether the table exists: reading never creates it (that would count as a change)."""
    return bool(
        scalar(
            store,
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = 'mapping_profiles'",
        )
    )


def saved_profiles(store: Store) -> list[SavedProfile]:
    """Every saved profile, the newest first."""
    if not _held(store):
        return []
    found = rows(store, f"SELECT {_COLUMNS} FROM mapping_profiles ORDER BY saved_at DESC, name")
    return [SavedProfile(*row) for row in found]


def find_profile(store: Store, name: str) -> SavedProfile | None:
    """The profile saved under ``name`` (ignoring case and surrounding spaces)."""
    if not _held(store):
        return None
    found = rows(
        store,
        f"SELECT {_COLUMNS} FROM mapping_profiles WHERE lower(trim(name)) = lower(trim(?))",
        [name],
    )
    return SavedProfile(*found[0]) if found else None


def save_profile_text(store: Store, name: str, kind: str, text: str, by: str) -> bool:
    """Save (or replace) a profile's TOML under its name; True if one was replaced."""
    with store.transaction() as cur:
        cur.execute(TABLE_SQL)
        replaced = cur.execute(
            "DELETE FROM mapping_profiles WHERE lower(trim(name)) = lower(trim(?)) RETURNING name",
            [name],
        ).fetchall()
        cur.execute(
            f"INSERT INTO mapping_profiles ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
            [name.strip(), kind, text, datetime.now(), by],
        )
    return bool(replaced)


def remove_profile(store: Store, name: str) -> bool:
    """Remove the profile saved under ``name``; False if there was none."""
    if not _held(store):
        return False
    with store.transaction() as cur:
        removed = cur.execute(
            "DELETE FROM mapping_profiles WHERE lower(trim(name)) = lower(trim(?)) RETURNING name",
            [name],
        ).fetchall()
    return bool(removed)
