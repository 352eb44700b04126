"""Direct payments: of the people with long-term support on a day, how many take it as money.

Birmingham reported the share of people with long-term support who had a direct payment, by
constituency on three dates (Hall Green 26.0% in April 2018, 29.2% in December, 36.7% in
September 2019), as a sign that conversations about what matters lead people to arrange their
own support. Contract §2: on a date, of the people with a long-term package active that day,
the share with one whose service mentions direct payment. A person's area (and site) on a
date is that of their latest conversation started on or before it; a person with none is in
"(not given)". A group of fewer than ``threshold`` people shows its counts and no share.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa

from evaluation.core.vocabulary import LONG_TERM, NOT_GIVEN_GROUP
from evaluation.measures.conversion import check_by
from evaluation.measures.overview import data_as_of
from evaluation.measures.rates import percent
from evaluation.measures.selection import Selection
from evaluation.measures.suppression import DEFAULT_THRESHOLD
from evaluation.store import kept_tables
from evaluation.store.connection import Store
from evaluation.store.figures import cached
from evaluation.store.query import cursor, dicts, rows

# What a table can be split by: the person's place on the day (identifiers from here only).
SPLITS = {"area": "area", "site": "site"}
SERVICE_SQL = "lower(coalesce(p.service, '')) LIKE '%direct payment%'"


@dataclass(frozen=True)
class DirectPayments:
    """One group on one day: the people with long-term support, and those by direct payment."""

    group: dict[str, str]
    on: date
    people: int
    direct_payment: int
    threshold: int = field(default=DEFAULT_THRESHOLD, kw_only=True)

    @property
    def small(self) -> bool:
        return 0 < self.people < self.threshold

    @property
    def share(self) -> float | None:
        """The percentage, rounded half up to one place; None when too few or none."""
        return None if self.small else percent(self.direct_payment, self.people, places=1)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.group,
            "on": self.on.isoformat(),
            "people": self.people,
            "direct_payment": self.direct_payment,
            "direct_payment_pct": self.share,
            "no_share_because": f"fewer than {self.threshold} people" if self.small else None,
        }


def direct_payments(
    store: Store,
    on: Sequence[date],
    by: Iterable[str] = ("area",),
    selection: Selection | None = None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> list[DirectPayments]:
    """The share on each day of ``on``, per group of ``by`` (sorted by group, then day).

    ``selection``'s sites and areas apply to where each person is on the day; its other
    filters (approach, period) say nothing about a package and are not used.
    """
    dims = check_by(tuple(dict.fromkeys(by)), SPLITS)
    days = sorted(set(on))
    if not days:
        return []
    place = Selection(sites=selection.sites, areas=selection.areas) if selection else Selection()
    where, params = place.where(date_column="on_day")
    groups = "".join(f"{SPLITS[d]}, " for d in dims)
    # Each person is in one place on a day, so the counts per place add up: the whole store's
    # are worked out once per version of the data and set of days (every view of the Money
    # page asks for the same three days), and each view sums the places it selects.
    placed = pa.Table.from_pylist(
        cached(store, _counts_by_place, days),
        schema=pa.schema(
            [("on_day", pa.date32()), ("area", pa.string()), ("site", pa.string()),
             ("people", pa.int64()), ("by_payment", pa.int64())]
        ),
    )  # fmt: skip
    sql = f"""
        SELECT {groups} on_day, sum(people), sum(by_payment)
        FROM placed
        WHERE {where}
        GROUP BY ALL
        ORDER BY {groups} on_day
    """
    n = len(dims)
    return [
        DirectPayments(
            {d: str(v) for d, v in zip(dims, row[:n], strict=True)},
            row[n],
            int(row[n + 1]),
            int(row[n + 2]),
            threshold=threshold,
        )
        for row in rows(store, sql, params, {"placed": placed})
    ]


def default_days(as_of: date) -> list[date]:
    """A year back to the data's as-of date, in three steps (Birmingham used three dates)."""
    return [date(as_of.year - 1, as_of.month, 1), date(as_of.year, as_of.month, 1), as_of]


def _counts_by_place(store: Store, days: Sequence[date]) -> list[dict[str, Any]]:
    """The people with long-term support on each day, and those by direct payment, per place
    (area and site, each "(not given)" for a person with no conversation by then).

    The Money page's first view asks for ``default_days``: an import writes their counts
    into the store (``places_prepared``), read here while current; other days are counted."""
    table = kept_tables.stored(PLACES_TABLE)
    with cursor(store) as cur:
        prepared = kept_tables.current(cur, PLACES_TABLE, PLACES_SQL) and set(days) <= {
            r[0] for r in cur.execute(f"SELECT DISTINCT on_day FROM {table}").fetchall()
        }
    if prepared:
        return dicts(
            store,
            f"SELECT on_day, area, site, people, by_payment FROM {table} "
            "WHERE on_day IN (SELECT unnest(?::DATE[]))",
            [list(days)],
        )
    return dicts(store, PLACES_SQL, [list(days)])


def places_prepared(store: Store) -> tuple[str, str, list[Any]] | None:
    """The kept table of the counts per place on the Money page's first days (name, SQL,
    parameters), for ``measures.prepared``; None while the store has no conversations."""
    as_of = data_as_of(store)
    if as_of is None:
        return None
    return PLACES_TABLE, PLACES_SQL, [default_days(as_of)]


PLACES_TABLE = "places_by_day"
PLACES_SQL = f"""
        WITH days AS (SELECT unnest(?::DATE[]) AS on_day),
        active AS (
            SELECT d.on_day, p.person_id, bool_or({SERVICE_SQL}) AS by_payment
            FROM days d
            JOIN care_packages p
              ON p.starts_on <= d.on_day AND (p.ends_on IS NULL OR p.ends_on >= d.on_day)
            WHERE p.status = 'active' AND coalesce(p.support, '{LONG_TERM}') = '{LONG_TERM}'
            GROUP BY d.on_day, p.person_id
        ),
        placed AS (
            SELECT a.on_day, a.person_id, a.by_payment,
                   coalesce(arg_max_null(c.area, c.latest), '{NOT_GIVEN_GROUP}') AS area,
                   coalesce(arg_max_null(c.site, c.latest), '{NOT_GIVEN_GROUP}') AS site
            FROM active a
            LEFT JOIN (
                SELECT person_id, area, site, started_on,
                       CAST(started_on AS VARCHAR) || conversation_id AS latest
                FROM conversations
            ) c ON c.person_id = a.person_id AND c.started_on <= a.on_day
            GROUP BY a.on_day, a.person_id, a.by_payment
        )
        SELECT on_day, area, site, count(*) AS people,
               count(*) FILTER (WHERE by_payment) AS by_payment
        FROM placed
        GROUP BY ALL
    """
