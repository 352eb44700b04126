"""Deleting one person's rows, and the erasure log kept as the list of erasures to finish.

An erasure is three steps, each one transaction or one rewrite, so a kill at any point leaves
a state the next opening of the store finishes (``Store.finish_erasures``):

1. the request is logged with the person's pseudonym (``pending``);
2. every row about them is deleted and, in the same transaction, the pseudonym is cleared
   from the log (``delete_pending``);
3. the file is rewritten so their values are gone from its free blocks too, and the log says
   when (``mark_rewritten``).

Only cursors here: ``Store`` calls these inside its own transactions.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from evaluation.store import kept_tables

# Rows about the person: found by their pseudonym, and the feedback about their conversations.
PERSON_TABLES = (
    "conversations",
    "conversations_replaced",
    "care_packages",
    "care_packages_replaced",
)
FEEDBACK_TABLES = ("feedback", "feedback_replaced")
_CONVERSATIONS = (
    "SELECT conversation_id FROM conversations WHERE person_id = ? "
    "UNION SELECT conversation_id FROM conversations_replaced WHERE person_id = ?"
)


def _places() -> list[tuple[str, int]]:
    """(table WHERE condition, how many times the pseudonym is bound) for every row about them."""
    return [
        *((f"{t} WHERE conversation_id IN ({_CONVERSATIONS})", 2) for t in FEEDBACK_TABLES),
        *((f"{t} WHERE person_id = ?", 1) for t in PERSON_TABLES),
    ]


def person_rows(cur: duckdb.DuckDBPyConnection, person: str) -> int:
    """How many rows are about the person with this pseudonym."""
    return sum(
        int(cur.execute(f"SELECT count(*) FROM {where}", [person] * n).fetchall()[0][0])
        for where, n in _places()
    )


def pending(cur: duckdb.DuckDBPyConnection, person: str, by: str) -> None:
    """Step 1: log the request, with the pseudonym, before anything is deleted."""
    cur.execute(
        "INSERT INTO erasure_log (erased_at, erased_by, rows_removed, person) VALUES (?, ?, 0, ?)",
        [_now(), by, person],
    )


def delete_pending(cur: duckdb.DuckDBPyConnection) -> int:
    """Step 2 for every logged request still waiting: delete the rows, clear the pseudonym."""
    removed = 0
    people = [
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT person FROM erasure_log WHERE person IS NOT NULL"
        ).fetchall()
    ]
    if people:  # the whole-store tables hold a row per request: none of theirs may stay
        kept_tables.drop(cur)
    for person in people:
        count = person_rows(cur, person)
        for where, n in _places():
            cur.execute(f"DELETE FROM {where}", [person] * n)
        cur.execute(
            "UPDATE erasure_log SET rows_removed = rows_removed + ?, person = NULL, erased_at = ? "
            "WHERE person = ?",
            [count, _now(), person],
        )
        removed += count
    return removed


def waiting(cur: duckdb.DuckDBPyConnection) -> int:
    """Erasures logged whose rows are still to be deleted."""
    return int(
        cur.execute("SELECT count(*) FROM erasure_log WHERE person IS NOT NULL").fetchall()[0][0]
    )


def unrewritten(cur: duckdb.DuckDBPyConnection) -> int:
    """Erasures whose rows are gone but whose values may remain in the file's free blocks."""
    return int(
        cur.execute(
            "SELECT count(*) FROM erasure_log WHERE person IS NULL AND rewritten_at IS NULL"
        ).fetchall()[0][0]
    )


def mark_rewritten(cur: duckdb.DuckDBPyConnection) -> None:
    """Step 3: the file has just been rewritten; every erasure done before it is complete."""
    cur.execute(
        "UPDATE erasure_log SET rewritten_at = ? WHERE person IS NULL AND rewritten_at IS NULL",
        [_now()],
    )


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
