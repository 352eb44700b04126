"""Erasure: forget one person completely when asked (UK GDPR right to erasure).

Every row about the person goes — their conversations, care packages and the feedback given
about those conversations, including the copies kept for undo — and the database file is
rewritten so that neither their pseudonym nor their words remain in its bytes. The erasure
log records when, by whom and how many rows, never the id.

The log is also the list of erasures still to finish (``store.forget``): the request is logged
before anything is deleted, so an erasure interrupted at any point — a crash, a kill, a disk
with no room for the rewrite — is finished the next time the store opens or an erasure runs.

Stories of difference carry no person id, so they can't be found by person: a story is
withdrawn by undoing its batch or re-importing the stories file without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.core.text import normalise
from evaluation.store import forget
from evaluation.store.connection import Store, StoreError, StoreFull
from evaluation.store.keys import pseudonym
from evaluation.store.query import dicts

DONE = "done"
REWRITE_WAITING = "rows removed; the file is still to be rewritten"
ROWS_WAITING = "requested; the rows are still to be removed"


@dataclass(frozen=True)
class Erased:
    """What an erasure did: this person's rows, and earlier erasures it finished."""

    removed: int
    finished_earlier: int = 0


def erase_person(store: Store, raw_id: str, by: str) -> int:
    """Remove every row about the person with this source-system id; return how many went.

    Raises ``StoreError`` when nobody has that id (nothing is changed, nothing is logged), or
    when the rows are gone but the file could not be rewritten (the log keeps it to finish).
    """
    return erase(store, raw_id, by).removed


def erase(store: Store, raw_id: str, by: str) -> Erased:
    """``erase_person``, saying also how many rows of earlier, interrupted erasures went."""
    if not normalise(raw_id):
        raise StoreError("Give the person's id as it is in the source system.")
    person = pseudonym(store.key, raw_id, "P")
    with store.lease():
        with store.transaction() as cur:
            earlier = forget.delete_pending(cur)  # an interrupted erasure comes first
            found = forget.person_rows(cur, person)
            unfinished = forget.unrewritten(cur)
        if found == 0 and not unfinished:
            if store.finished_on_open:  # this very erasure, interrupted, finished on opening
                store.finished_on_open = False  # said once
                return Erased(removed=0, finished_earlier=earlier)
            raise StoreError("No rows about that person are in the store; nothing was changed.")
        if found:
            # Logged (step 1) in a transaction of its own, before any row is deleted.
            with store.transaction() as cur:
                forget.pending(cur, person, by)
        try:
            removed = store.finish_erasures()
        except StoreFull:
            raise StoreError(
                "The erasure is logged, but the disk holding the store is full, so the rows "
                "could not be removed yet. It is finished the next time the store opens with "
                "room to spare, or when the erasure is run again."
            ) from None
    return Erased(removed=removed if found else 0, finished_earlier=earlier)


def erasures(store: Store) -> list[dict[str, object]]:
    """The erasure log, newest first (no ids in it, by design), with each erasure's state."""
    found = dicts(
        store,
        "SELECT erased_at, erased_by, rows_removed, rewritten_at, person IS NOT NULL AS waiting "
        "FROM erasure_log ORDER BY erased_at DESC",
    )
    return [
        {
            "erased_at": r["erased_at"],
            "erased_by": r["erased_by"],
            "rows_removed": r["rows_removed"],
            "state": ROWS_WAITING
            if r["waiting"]
            else (REWRITE_WAITING if r["rewritten_at"] is None else DONE),
        }
        for r in found
    ]
