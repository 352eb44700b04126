"""Settings the dashboard remembers in the store, so they survive restarts and follow the data.

One row per named setting (its value as text, when and by whom it last changed): the CLD
import's site districts and conversation patterns live here once given, so the next
quarter's extract needs nothing retyped. The table is made the first time it is needed, as
the erasure log is.
"""

from __future__ import annotations

from datetime import datetime

from evaluation.store.connection import Store
from evaluation.store.query import cursor

SETTINGS_TABLE = (
    "CREATE TABLE IF NOT EXISTS settings "
    "(name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL, "
    "changed_by VARCHAR NOT NULL)"
)


def read(store: Store, name: str) -> str | None:
    """The setting's value, or None if it was never given."""
    with cursor(store) as cur:
        exists = cur.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'settings' AND NOT temporary"
        ).fetchall()[0][0]
        if not exists:
            return None
        found = cur.execute("SELECT value FROM settings WHERE name = ?", [name]).fetchall()
    return found[0][0] if found else None


def write(store: Store, name: str, value: str, by: str) -> None:
    """Set (or change) a setting; nothing happens when it already has this value."""
    if read(store, name) == value:
        return
    with store.transaction() as cur:
        cur.execute(SETTINGS_TABLE)
        # Delete and insert rather than upsert: a table restored from a backup has no key.
        cur.execute("DELETE FROM settings WHERE name = ?", [name])
        cur.execute(
            "INSERT INTO settings (name, value, changed_at, changed_by) VALUES (?, ?, ?, ?)",
            [name, value, datetime.now().replace(microsecond=0), by],
        )
