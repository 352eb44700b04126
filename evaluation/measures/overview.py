"""What the store holds: the figures on the home page and in ``python -m evaluation batches``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from evaluation.core.contract import KINDS
from evaluation.store.connection import Store
from evaluation.store.query import cursor, scalar

DATE_COLUMN = {
    "conversations": "started_on",
    "care_packages": "starts_on",
    "feedback": "received_on",
    "stories": "told_on",
    "staff": "responded_on",
}


@dataclass(frozen=True)
class KindSummary:
    kind: str
    label: str
    rows: int
    first: date | None
    last: date | None
    by_site: dict[str, int]


@dataclass(frozen=True)
class Overview:
    kinds: list[KindSummary]
    last_import: dict[str, Any] | None
    sample_batches: int

    @property
    def empty(self) -> bool:
        return all(k.rows == 0 for k in self.kinds)


def overview(store: Store) -> Overview:
    """Counts per kind and site, date ranges, the last import, and whether sample data is in."""
    with cursor(store) as cur:
        return _overview(cur)


def _overview(cur: Any) -> Overview:
    kinds = []
    for name, kind in KINDS.items():
        column = DATE_COLUMN[name]
        rows, first, last = cur.execute(
            f"SELECT count(*), min({column}), max({column}) FROM {name}"
        ).fetchall()[0]
        by_site: dict[str, int] = {}
        if "site" in kind.columns:
            by_site = dict(
                cur.execute(
                    f"SELECT site, count(*) FROM {name} GROUP BY site ORDER BY site"
                ).fetchall()
            )
        kinds.append(KindSummary(name, kind.label, int(rows), first, last, by_site))
    last_rows = cur.execute(
        "SELECT batch_id, kind, file_name, imported_at, imported_by, as_of FROM import_log "
        "WHERE undone_at IS NULL ORDER BY imported_at DESC, batch_id DESC LIMIT 1"
    ).fetchall()
    last_import = None
    if last_rows:
        keys = ("batch_id", "kind", "file_name", "imported_at", "imported_by", "as_of")
        last_import = dict(zip(keys, last_rows[0], strict=True))
    sample_batches = cur.execute(
        "SELECT count(*) FROM import_log WHERE source = 'sample' AND undone_at IS NULL"
    ).fetchall()[0][0]
    return Overview(kinds, last_import, int(sample_batches))


def data_as_of(store: Store) -> date | None:
    """The newest extract date among the conversations batches still in the store."""
    return scalar(
        store,
        "SELECT max(as_of) FROM import_log WHERE kind = 'conversations' AND undone_at IS NULL",
    )


def age_in_days(moment: datetime | date, today: date | None = None) -> int:
    day = moment.date() if isinstance(moment, datetime) else moment
    return ((today or date.today()) - day).days
