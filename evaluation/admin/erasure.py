"""Erasure: forget one person completely when asked (UK GDPR right to erasure).

Every row about the person goes — their conversations, care packages and the feedback given
about those conversations, including the copies kept for undo — and the database file is
rewritten so that neither their pseudonym nor their words remain in its bytes. The erasure
log records when, by whom and how many rows, never the id.

Stories of difference carry no person id, so they can't be found by person: a story is
withdrawn by undoing its batch or re-importing the stories file without it.
"""

from __future__ import annotations

from datetime import datetime

from evaluation.store.connection import Store, StoreError
from evaluation.store.keys import pseudonym
from evaluation.store.query import cursor

ERASURE_LOG = (
    "CREATE TABLE IF NOT EXISTS erasure_log "
    "(erased_at TIMESTAMP NOT NULL, erased_by VARCHAR NOT NULL, rows_removed INTEGER NOT NULL)"
)


def erase_person(store: Store, raw_id: str, by: str) -> int:
    """Remove every row about the person with this source-system id; return how many went."""
    if not raw_id.strip():
        raise StoreError("Give the person's id as it is in the source system.")
    person = pseudonym(store.key, raw_id.strip(), "P")
    removed = 0
    with store.transaction() as cur:
        cur.execute(ERASURE_LOG)
        conversation_ids = (
            "SELECT conversation_id FROM conversations WHERE person_id = ? "
            "UNION SELECT conversation_id FROM conversations_replaced WHERE person_id = ?"
        )
        for table in ("feedback", "feedback_replaced"):
            removed += _delete(
                cur, f"{table} WHERE conversation_id IN ({conversation_ids})", [person, person]
            )
        for table in (
            "conversations",
            "conversations_replaced",
            "care_packages",
            "care_packages_replaced",
        ):
            removed += _delete(cur, f"{table} WHERE person_id = ?", [person])
        if removed == 0:
            raise StoreError("No rows about that person are in the store; nothing was changed.")
        cur.execute(
            "INSERT INTO erasure_log VALUES (?, ?, ?)",
            [datetime.now().replace(microsecond=0), by, removed],
        )
    store.rewrite_file()
    return removed


def _delete(cur, where: str, params: list[str]) -> int:  # type: ignore[no-untyped-def]
    count = cur.execute(f"SELECT count(*) FROM {where}", params).fetchall()[0][0]
    cur.execute(f"DELETE FROM {where}", params)
    return int(count)


def erasures(store: Store) -> list[dict[str, object]]:
    """The erasure log, newest first (no ids in it, by design)."""
    with cursor(store) as cur:
        cur.execute(ERASURE_LOG)
        found = cur.execute("SELECT * FROM erasure_log ORDER BY erased_at DESC").fetchall()
    return [{"erased_at": r[0], "erased_by": r[1], "rows_removed": r[2]} for r in found]
