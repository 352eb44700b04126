"""The request for support: the one roll-up of conversations that every measure counts.

Councils publish their results per request (Medway: 20 of 388 new requests; Harrow: a
request's cost before its first conversation and after its last), so conversion, cost change
and activity all count requests, and all of them take this one definition:

* **Which rows make a request.** The conversations sharing a ``request_id``; a blank
  ``request_id`` makes the conversation a request of its own. The key keeps the two apart
  (``r:`` + request id, ``c:`` + conversation id), so a request id that happens to equal some
  other row's conversation id never merges two requests.
* **Its first conversation** is the earliest ``started_on``, then the lowest conversation
  number, then the lowest ``conversation_id`` (so nothing depends on row order). The request
  takes its person, request type, site, approach, area, cohort, age band, support reason,
  request date and cost before from that conversation — its value, blank or not — and the
  period filter applies to its start (a request belongs to the month it began).
* **Its last conversation** (latest ``ended_on``, same tie-breaks) gives the cost after.
  ``ended_on`` is the day the last one ended, or NULL while any is still underway;
  ``last_ended_on`` is the last end date seen even then.

Most requests have one conversation, and such a request is just that row: only requests with
more than one go through the aggregate, whose per-row cost is most of a report's time at a
million conversations. Both halves give the same columns, from one list, so they can't drift.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from evaluation.measures.selection import Selection

KEY = "CASE WHEN request_id IS NULL THEN 'c:' || conversation_id ELSE 'r:' || request_id END"
# The conversations' order as one string (the ISO date, the number as one character, the id),
# which sorts exactly as that triple does and compares far faster than a struct.
FIRST_KEY = "CAST(started_on AS VARCHAR) || chr(48 + coalesce(conversation, 0)) || conversation_id"
LAST_KEY = "CAST(ended_on AS VARCHAR) || chr(48 + coalesce(conversation, 0)) || conversation_id"


def _first(column: str) -> str:
    return f"arg_min_null({column}, first_key)"


# (column, its value for a request of one conversation, its aggregate over several)
BASE = (
    ("person_id", "person_id", _first("person_id")),
    ("request_label", "coalesce(request_id, conversation_id)", "min(request_id)"),
    ("request_type", "request_type", _first("request_type")),
    ("site", "site", _first("site")),
    ("approach", "approach", _first("approach")),
    ("area", "area", _first("area")),
    ("cohort", "cohort", _first("cohort")),
    ("age_band", "age_band", _first("age_band")),
    ("support_reason", "support_reason", _first("support_reason")),
    ("requested_on", "requested_on", _first("requested_on")),
    ("first_started", "started_on", "min(started_on)"),
    (
        "ended_on",
        "ended_on",
        "CASE WHEN bool_or(ended_on IS NULL) THEN NULL ELSE max(ended_on) END",
    ),
    ("last_ended_on", "ended_on", "max(ended_on)"),
    ("conversations", "1::BIGINT", "count(*)"),
    ("underway", "(ended_on IS NULL)::BIGINT", "count(*) - count(ended_on)"),
    (
        "led_to_lts",
        "coalesce(long_term_support, FALSE)",
        "coalesce(bool_or(long_term_support), FALSE)",
    ),
    # Conversations reached (contract §2): a request counts for Conversation 2 only if it
    # had one, and for 3 only if it had a 3 — some go from 1 straight to 3.
    *(
        (
            f"had_conversation_{n}",
            f"coalesce(conversation = {n}, FALSE)",
            f"coalesce(bool_or(conversation = {n}), FALSE)",
        )
        for n in (2, 3)
    ),
)
# Whether any conversation names a worker, and whether more than one distinct worker held the
# request: exactly "distinct workers >= 1" and "> 1", without a DISTINCT aggregate.
WORKERS = (
    ("has_worker", "worker_id IS NOT NULL", "count(worker_id) > 0"),
    (
        "several_workers",
        "CASE WHEN worker_id IS NOT NULL THEN FALSE END",
        "min(worker_id) <> max(worker_id)",
    ),
    # How many conversations name a worker: a hand-off can only show where two or more do.
    ("rows_with_worker", "(worker_id IS NOT NULL)::BIGINT", "count(worker_id)"),
)
# What Harrow's method reads: the export's own costs, suspensions, deaths and as-of date.
COSTS = (
    ("before_given", "weekly_cost_before", _first("weekly_cost_before")),
    (
        "after_given",
        "CASE WHEN ended_on IS NOT NULL THEN weekly_cost_after END",
        "arg_max_null(weekly_cost_after, last_key)",
    ),
    (
        "marked_suspended",
        "coalesce(care_suspended, FALSE)",
        "coalesce(bool_or(care_suspended), FALSE)",
    ),
    ("died_on", "died_on", "min(died_on)"),
    ("batch_as_of", "batch_as_of", "max(batch_as_of)"),
)
# The as-of date of each conversation: its batch's extract date, or its site's newest one
# (a full extract re-imported later moves its site on), whichever is later.
_AS_OF_JOIN = """ c LEFT JOIN import_log l ON l.batch_id = c.batch_id
        LEFT JOIN site_as_of a ON a.site = c.site"""
_AS_OF = ", greatest(l.as_of, coalesce(a.as_of, l.as_of)) AS batch_as_of"

_REPEATS = """,
repeats AS (
    SELECT DISTINCT r.request_key
    FROM requests r
    JOIN requests e
      ON e.person_id = r.person_id
     AND e.request_key <> r.request_key
     AND e.ended_on IS NOT NULL
     AND NOT e.led_to_lts
     AND e.ended_on <= r.first_started
     AND date_diff('day', e.ended_on, r.first_started) <= {window}
    WHERE r.request_type = 'new'
),
flagged AS (
    SELECT requests.*, repeats.request_key IS NOT NULL AS is_repeat
    FROM requests LEFT JOIN repeats USING (request_key)
)"""
REPEAT_WINDOW_DAYS = 365


def request_table_sql(
    *,
    repeats: bool = False,
    workers: bool = False,
    costs: bool = False,
    rows_where: str | None = None,
) -> str:
    """``WITH`` clauses defining ``requests`` (one row per request, ``BASE`` columns) and,
    with ``repeats``, ``flagged`` (the same with ``is_repeat``); ``workers`` and ``costs`` add
    those columns. Ask only for what the query reads: the repeat flag is a self-join, about as
    costly as the rest of the query at a million conversations, and DuckDB computes it even
    when nothing reads it.

    ``rows_where`` (from ``narrowing``, its parameters bound before the query's own) keeps
    only the requests with a conversation matching it — and, with ``repeats``, every request
    of their people too (the earlier requests a repeat is judged against). It must be true of
    some conversation of every request the query's own WHERE keeps; it only saves work.
    """
    columns = [*BASE, *(WORKERS if workers else ()), *(COSTS if costs else ())]
    narrow = ""
    if rows_where:
        if repeats:
            rows_where = f"person_id IN (SELECT person_id FROM conversations WHERE {rows_where})"
        narrow = f"\n    WHERE {KEY} IN (SELECT {KEY} FROM conversations WHERE {rows_where})"
    source = f"conversations{_AS_OF_JOIN}" if costs else "conversations"
    prefix = "c." if costs else ""
    single = ",\n        ".join(f"{expr} AS {name}" for name, expr, _ in columns)
    several = ",\n        ".join(f"{agg} AS {name}" for name, _, agg in columns)
    sql = f"""WITH
request_rows AS (
    SELECT {prefix}*, {KEY} AS request_key{_AS_OF if costs else ""}
    FROM {source}{narrow}
),
shared AS (SELECT request_key FROM request_rows GROUP BY request_key HAVING count(*) > 1),
requests AS (
    SELECT request_key,
        {single}
    FROM request_rows ANTI JOIN shared USING (request_key)
    UNION ALL
    SELECT request_key,
        {several}
    FROM (
        SELECT *, {FIRST_KEY} AS first_key, {LAST_KEY} AS last_key
        FROM request_rows SEMI JOIN shared USING (request_key)
    )
    GROUP BY request_key
)"""
    if repeats:
        sql += _REPEATS.format(window=REPEAT_WINDOW_DAYS)
    return sql


def narrowing(
    selection: Selection | None, date_column: str = "started_on", *, first_row: bool = True
) -> tuple[str | None, list[Any]]:
    """A WHERE over conversation rows for ``request_table_sql(rows_where=…)``, or None.

    With ``first_row`` (the query filters on the request's first conversation, which carries
    the request's site, approach, cohort and area and its start) the whole selection applies
    to ``date_column``; otherwise only the period does. Small periods and single sites (the
    meeting view) then roll up a few thousand requests, not a million. A selection that only
    sets an end date keeps nearly every request, so it narrows nothing: gathering the ids
    first would cost more than it saves.
    """
    if selection is None:
        return None, []
    narrowed = (
        selection
        if first_row
        else Selection(date_from=selection.date_from, date_to=selection.date_to)
    )
    if narrowed == Selection() or narrowed == Selection(date_to=narrowed.date_to):
        return None, []
    return narrowed.where(date_column=date_column)


def scope_where(
    selection: Selection | None, date_column: str = "first_started", *, with_dates: bool = True
) -> tuple[str, list[Any]]:
    """The selection as a WHERE over requests (or over conversations, naming their date
    column); without dates for snapshots on one day."""
    if selection is None:
        return "TRUE", []
    if not with_dates:
        selection = replace(selection, date_from=None, date_to=None)
    return selection.where(date_column=date_column)


@dataclass(frozen=True)
class Source:
    """Where a count over requests reads them: ``prefix`` (``WITH`` clauses, open for one
    more), the ``relation`` (a name, or a query to put in parentheses), the ``params`` bound
    before the query's own, the kept ``tables`` to register (``store.derived``) and, for a
    kept table, the distinct ``values`` of its text columns."""

    prefix: str
    relation: str
    params: list[Any]
    tables: dict[str, Any]
    values: dict[str, tuple[Any, ...]] | None = None
    classed: bool = False  # costed requests with their classes as of their own extract date

    def where(
        self, selection: Selection | None, date_column: str = "first_started"
    ) -> tuple[str, list[Any]]:
        """The selection as a WHERE over these requests (``scope_where``)."""
        if self.values is None or selection is None:
            return scope_where(selection, date_column)
        return selection.where_among(self.values, date_column)

    def site_is(self, site: str) -> tuple[str, list[Any]]:
        """SQL true where a request's site is ``site`` (case and surrounding spaces ignored),
        NULL where it has none: over a kept table, an exact match of the spellings present."""
        key = site.strip().lower()
        if self.values is None:
            return "lower(trim(site)) = ?", [key]
        spellings = [v for v in self.values["site"] if v is not None and v.strip().lower() == key]
        if not spellings:
            return "(site <> site)", []  # FALSE, and NULL for no site, as the match gives
        return f"site IN ({', '.join('?' for _ in spellings)})", spellings
