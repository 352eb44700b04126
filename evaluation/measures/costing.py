"""Harrow's method in SQL: each request costed the day before and 30 days after, then classed.

For each request (``evaluation.measures.requests``) the gross weekly cost of the person's
long-term care the day before the first conversation started (``d0``) is set against the
cost 30 days after the last one ended (``d1``), giving time for changes to care to be made.
The cost at a day is the sum of the person's active long-term packages covering it (short-term
ones — reablement, ST-Max — are not long-term care), or the export's own before/after columns
where it has them (contract §2 "Cost change").

Costing joins every request to its person's packages, the costly step at a million
conversations, and does not depend on the as-of date; classing does. So the two are separate
SQL: one costing serves the table as it is and as it stood on an earlier day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from evaluation.core.vocabulary import LONG_TERM
from evaluation.measures.requests import Source, narrowing, request_table_sql
from evaluation.measures.selection import Selection
from evaluation.store.connection import Store
from evaluation.store.derived import derived, worth_deriving

DAYS_AFTER = 30

# The classes, in the order they are decided (a request is put in the first that applies).
ONGOING, EXCLUDED = "ongoing", "excluded"
INCREASE, DECREASE, NO_CHANGE = "increase", "decrease", "no change"
CLASSES = (INCREASE, DECREASE, NO_CHANGE, ONGOING, EXCLUDED)
COMPLETED = (INCREASE, DECREASE, NO_CHANGE)

# Where a request's costs came from.
FROM_EXPORT = "export's before/after columns"
FROM_PACKAGES = "care packages"
FROM_BOTH = "export's columns and care packages"


def costed_sql(selection: Selection) -> tuple[str, list[Any]]:
    """One row per request in the selection with its dates and costs, not yet classed.

    Columns: the request's own (``BASE`` and ``COSTS`` of the roll-up), ``d0``, ``d1`` (NULL
    while underway), ``cost_before``, ``cost_after``, ``stopped_d0``/``stopped_d1`` (a
    suspended or cancelled package covering that day), ``unrecorded_d0``/``unrecorded_d1``
    (a long-term package whose cost is not recorded covering it) and ``cost_source``.
    """
    where, where_params = selection.where(date_column="first_started")
    rows_where, rows_params = narrowing(selection)
    covers = "p.starts_on <= {day} AND (p.ends_on IS NULL OR p.ends_on >= {day})"
    at_d0, at_d1 = covers.format(day="s.d0"), covers.format(day="s.d1")
    sql = f"""
    {request_table_sql(costs=True, rows_where=rows_where)},
    sel AS (
        SELECT *, first_started - 1 AS d0,
               CASE WHEN underway = 0 THEN last_ended_on + {DAYS_AFTER} END AS d1
        FROM requests WHERE {where}
    ),
    pk AS (
        SELECT s.request_key,
               sum(p.gross_weekly_cost) FILTER (WHERE p.status = 'active' AND {at_d0})
                   AS package_before,
               sum(p.gross_weekly_cost) FILTER (WHERE p.status = 'active' AND {at_d1})
                   AS package_after,
               min(p.status) FILTER (WHERE p.status <> 'active' AND {at_d0}) AS stopped_d0,
               min(p.status) FILTER (WHERE p.status <> 'active' AND {at_d1}) AS stopped_d1,
               coalesce(bool_or(p.gross_weekly_cost IS NULL AND {at_d0}), FALSE)
                   AS unrecorded_d0,
               coalesce(bool_or(p.gross_weekly_cost IS NULL AND {at_d1}), FALSE)
                   AS unrecorded_d1
        FROM sel s JOIN care_packages p ON p.person_id = s.person_id
        WHERE coalesce(p.support, '{LONG_TERM}') = '{LONG_TERM}'
        GROUP BY s.request_key
    )
    SELECT s.*, pk.stopped_d0, pk.stopped_d1,
           coalesce(pk.unrecorded_d0, FALSE) AS unrecorded_d0,
           coalesce(pk.unrecorded_d1, FALSE) AS unrecorded_d1,
           coalesce(s.before_given, pk.package_before, 0) AS cost_before,
           CASE WHEN s.d1 IS NOT NULL
                THEN coalesce(s.after_given, pk.package_after, 0) END AS cost_after,
           CASE WHEN s.before_given IS NOT NULL AND s.after_given IS NOT NULL
                     THEN '{FROM_EXPORT.replace("'", "''")}'
                WHEN s.before_given IS NULL AND s.after_given IS NULL THEN '{FROM_PACKAGES}'
                ELSE '{FROM_BOTH.replace("'", "''")}' END AS cost_source
    FROM sel s LEFT JOIN pk USING (request_key)
    """
    return sql, [*rows_params, *where_params]


# The store's costed requests, kept once per version of the data (``store.derived``): what
# classing, grouping, standardising and the chart read; the ids and the columns only the
# list of requests behind a figure shows are left out (``cost_drill`` costs its own).
COSTED_TABLE = "costed_all"
LEFT_OUT = (
    "person_id", "request_key", "request_label", "before_given", "after_given", "cost_source",
    "conversations", "last_ended_on",
)  # fmt: skip


def costed_all_sql() -> str:
    """The whole store's costed requests, each also classed as of its own extract date
    (``class_now``, ``change_now``: what a table with no ``as_of`` given reads)."""
    costed, params = costed_sql(Selection())
    if params:  # the whole store's costing binds nothing; relations take no parameters
        raise ValueError("the whole store's costing should bind no parameters")
    kept = f"SELECT * EXCLUDE ({', '.join(LEFT_OUT)}) FROM ({costed})"
    classed, _ = classified_sql(kept, [], None)
    sql = classed.replace("?::DATE", "NULL::DATE", 1)  # as_of: none given
    return (
        f"SELECT * EXCLUDE (as_of, class, change), class AS class_now, change AS change_now "
        f"FROM ({sql})"
    )


def costed_source(store: Store, selection: Selection | None) -> Source:
    """``costed_sql(selection)`` as a view reads it (``relation`` is a query): on a dashboard,
    a filter over the whole store's costed requests (built once per version of the data,
    then tens of milliseconds a view); elsewhere (a report run once) the selection's own
    costing, narrowed before the join.

    Exact either way: a request's costs depend on its own conversations and its person's
    packages, never on the view, and the selection applies to the request's own columns."""
    if not worth_deriving(store, COSTED_TABLE):
        sql, params = costed_sql(selection or Selection())
        return Source("", sql, params, {})
    kept = derived(store, COSTED_TABLE, costed_all_sql())
    where, params = (selection or Selection()).where_among(kept.values, "first_started")
    return Source(
        "", f"SELECT * FROM {kept.relation(COSTED_TABLE)} WHERE {where}", params,
        kept.tables(COSTED_TABLE), kept.values, classed=True,
    )  # fmt: skip


def classified(source: Source, as_of: date | None) -> tuple[str, list[Any]]:
    """``classified_sql`` over a costed ``source``; over the kept table with no ``as_of``
    given, the classes worked out when it was built (the same SQL, run once)."""
    if source.classed and as_of is None:
        sql = (
            f"SELECT * EXCLUDE (class_now, change_now), batch_as_of AS as_of, "
            f"class_now AS class, change_now AS change FROM ({source.relation})"
        )
        return sql, list(source.params)
    relation = source.relation
    if source.classed:  # classed afresh as of the day given
        relation = f"SELECT * EXCLUDE (class_now, change_now) FROM ({relation})"
    return classified_sql(relation, source.params, as_of)


def classified_sql(costed: str, params: list[Any], as_of: date | None) -> tuple[str, list[Any]]:
    """The class and change of each costed request, as of ``as_of`` (else the date of the
    extract each request came in); ``change`` only for the completed classes.

    Never put a bare ``LIMIT`` over it: DuckDB 2.0 can hang on a streaming LIMIT above a CTE
    read twice, seen at a million conversations; take an ordered top-N instead.
    """
    sql = f"""
    WITH dated AS (
        SELECT *, coalesce(?::DATE, batch_as_of) AS as_of FROM ({costed})
    ),
    classified AS (
        SELECT *,
               CASE WHEN underway > 0 OR d1 > as_of THEN '{ONGOING}'
                    WHEN stopped_d0 IS NOT NULL OR stopped_d1 IS NOT NULL OR marked_suspended
                         OR died_on <= d1 OR unrecorded_d0 OR unrecorded_d1 THEN '{EXCLUDED}'
                    WHEN cost_after > cost_before THEN '{INCREASE}'
                    WHEN cost_after < cost_before THEN '{DECREASE}'
                    ELSE '{NO_CHANGE}' END AS class
        FROM dated
    )
    SELECT *,
           CASE WHEN class IN ('{INCREASE}', '{DECREASE}', '{NO_CHANGE}')
                THEN cost_after - cost_before END AS change
    FROM classified
    """
    return sql, [as_of, *params]


def band_sql(bands: tuple[tuple[str, float | None, float | None], ...]) -> str:
    """A CASE giving each ``change`` the index of its band (label, low inclusive, high
    exclusive; a band from 0 to 0 is exactly no change)."""
    cases = []
    for index, (_, low, high) in enumerate(bands):
        if low == 0 and high == 0:
            cases.append(f"WHEN change = 0 THEN {index}")
        elif low is None:
            cases.append(f"WHEN change < {high} THEN {index}")
        elif high is None:
            cases.append(f"WHEN change >= {low} THEN {index}")
        elif low == 0:
            cases.append(f"WHEN change > 0 AND change < {high} THEN {index}")
        else:
            cases.append(f"WHEN change >= {low} AND change < {high} THEN {index}")
    return f"CASE {' '.join(cases)} END"
