"""Independent SQL of the same methods: what an analyst who knows DuckDB would write.

The reports are measured against these (``report:NAME:sql`` in ``bench.tasks``): the same
definitions (contract §2: a request is its conversations, its first conversation by start,
number and id; Harrow's costs the day before and 30 days after; repeats within a year of a
request that ended without long-term support; reablement within 28 days), written the plain
way, with window functions and joins over every row, and none of the dashboard's code or
shortcuts (single-conversation requests, narrowing, one string key). Each returns the report's
counts, which the task checks against the dashboard's after the clock stops.
"""

from __future__ import annotations

from typing import Any

import duckdb

# A request per request id (a blank one: the conversation alone), from its first and last
# conversation (window functions) and aggregates over all of them.
_REQUESTS = """
WITH rows_ AS (
    SELECT c.*,
           CASE WHEN c.request_id IS NULL THEN 'c:' || c.conversation_id
                ELSE 'r:' || c.request_id END AS rk,
           greatest(l.as_of, coalesce(a.as_of, l.as_of)) AS batch_as_of
    FROM conversations c
    LEFT JOIN import_log l ON l.batch_id = c.batch_id
    LEFT JOIN site_as_of a ON a.site = c.site
),
ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY rk
               ORDER BY started_on, coalesce(conversation, 0), conversation_id) AS from_first,
           row_number() OVER (PARTITION BY rk
               ORDER BY ended_on DESC NULLS LAST, coalesce(conversation, 0) DESC,
                        conversation_id DESC) AS from_last
    FROM rows_
),
requests AS (
    SELECT rk,
           any_value(person_id) FILTER (WHERE from_first = 1) AS person_id,
           any_value(approach) FILTER (WHERE from_first = 1) AS approach,
           any_value(request_type) FILTER (WHERE from_first = 1) AS request_type,
           any_value(weekly_cost_before) FILTER (WHERE from_first = 1) AS before_given,
           any_value(weekly_cost_after) FILTER (WHERE from_last = 1) AS after_given,
           min(started_on) AS first_started,
           max(ended_on) AS last_ended_on,
           count(*) - count(ended_on) AS underway,
           coalesce(bool_or(long_term_support), FALSE) AS led_to_lts,
           coalesce(bool_or(conversation = 2), FALSE) AS had_2,
           coalesce(bool_or(conversation = 3), FALSE) AS had_3,
           coalesce(bool_or(care_suspended), FALSE) AS marked_suspended,
           min(died_on) AS died_on,
           max(batch_as_of) AS batch_as_of
    FROM ranked
    GROUP BY rk
)"""

COST_CHANGE = (
    _REQUESTS
    + """,
dated AS (
    SELECT *, first_started - 1 AS d0,
           CASE WHEN underway = 0 THEN last_ended_on + 30 END AS d1
    FROM requests
),
costs AS (
    SELECT r.rk,
           sum(p.gross_weekly_cost) FILTER (WHERE p.status = 'active' AND p.starts_on <= r.d0
               AND (p.ends_on IS NULL OR p.ends_on >= r.d0)) AS at_d0,
           sum(p.gross_weekly_cost) FILTER (WHERE p.status = 'active' AND p.starts_on <= r.d1
               AND (p.ends_on IS NULL OR p.ends_on >= r.d1)) AS at_d1,
           bool_or(p.status <> 'active' AND p.starts_on <= r.d0
               AND (p.ends_on IS NULL OR p.ends_on >= r.d0)) AS stopped_d0,
           bool_or(p.status <> 'active' AND p.starts_on <= r.d1
               AND (p.ends_on IS NULL OR p.ends_on >= r.d1)) AS stopped_d1,
           bool_or(p.gross_weekly_cost IS NULL AND p.starts_on <= r.d0
               AND (p.ends_on IS NULL OR p.ends_on >= r.d0)) AS unrecorded_d0,
           bool_or(p.gross_weekly_cost IS NULL AND p.starts_on <= r.d1
               AND (p.ends_on IS NULL OR p.ends_on >= r.d1)) AS unrecorded_d1
    FROM dated r JOIN care_packages p ON p.person_id = r.person_id
    WHERE coalesce(p.support, 'long term') = 'long term'
    GROUP BY r.rk
),
classed AS (
    SELECT d.approach, d.batch_as_of,
           coalesce(d.before_given, c.at_d0, 0) AS before_cost,
           coalesce(d.after_given, c.at_d1, 0) AS after_cost,
           CASE WHEN d.underway > 0 OR d.d1 > d.batch_as_of THEN 'ongoing'
                WHEN coalesce(c.stopped_d0, FALSE) OR coalesce(c.stopped_d1, FALSE)
                     OR d.marked_suspended OR d.died_on <= d.d1
                     OR coalesce(c.unrecorded_d0, FALSE) OR coalesce(c.unrecorded_d1, FALSE)
                     THEN 'excluded'
                WHEN coalesce(d.after_given, c.at_d1, 0) > coalesce(d.before_given, c.at_d0, 0)
                     THEN 'increase'
                WHEN coalesce(d.after_given, c.at_d1, 0) < coalesce(d.before_given, c.at_d0, 0)
                     THEN 'decrease'
                ELSE 'no change' END AS class
    FROM dated d LEFT JOIN costs c USING (rk)
)
SELECT approach, count(*),
       count(*) FILTER (WHERE class = 'increase'),
       count(*) FILTER (WHERE class = 'decrease'),
       count(*) FILTER (WHERE class = 'no change'),
       count(*) FILTER (WHERE class = 'ongoing'),
       count(*) FILTER (WHERE class = 'excluded'),
       coalesce(sum(after_cost - before_cost)
           FILTER (WHERE class IN ('increase', 'decrease', 'no change')), 0)
FROM classed GROUP BY approach ORDER BY approach
"""
)

CONVERSION = (
    _REQUESTS
    + """,
repeats AS (
    SELECT DISTINCT r.rk
    FROM requests r JOIN requests e
      ON e.person_id = r.person_id AND e.rk <> r.rk AND e.underway = 0 AND NOT e.led_to_lts
     AND e.last_ended_on <= r.first_started
     AND date_diff('day', e.last_ended_on, r.first_started) <= 365
    WHERE r.request_type = 'new'
),
reabled AS (
    SELECT DISTINCT r.rk
    FROM requests r JOIN care_packages p ON p.person_id = r.person_id
    WHERE r.request_type = 'new' AND p.support = 'short term' AND p.status <> 'cancelled'
      AND (lower(p.service) LIKE '%reablement%'
           OR regexp_matches(lower(p.service), 'st[ -]?max'))
      AND p.starts_on >= r.first_started
      AND (r.underway > 0 OR p.starts_on <= r.last_ended_on + 28)
)
SELECT count(*),
       count(*) FILTER (WHERE request_type = 'new'),
       count(*) FILTER (WHERE request_type = 'new' AND led_to_lts),
       count(*) FILTER (WHERE had_2),
       count(*) FILTER (WHERE had_3),
       count(*) FILTER (WHERE rk IN (SELECT rk FROM repeats)),
       count(*) FILTER (WHERE request_type = 'new' AND underway > 0),
       count(*) FILTER (WHERE rk IN (SELECT rk FROM reabled)),
       count(*) FILTER (WHERE request_type = 'new'
           AND first_started < (SELECT min(started_on) + 365 FROM conversations))
FROM requests
"""
)

QUERIES = {"cost-change": COST_CHANGE, "conversion": CONVERSION}


def run(con: duckdb.DuckDBPyConnection, report: str) -> list[tuple[Any, ...]]:
    return con.execute(QUERIES[report]).fetchall()


def counts(report: str, ours: str) -> list[tuple[Any, ...]]:
    """The same counts from the report's JSON (``bench.tasks.REPORTS``), to compare."""
    import json
    from decimal import Decimal

    found = json.loads(ours)
    if report == "conversion":
        t = found["total"]
        keys = ("requests", "new_requests", "long_term", "reached_conversation_2",
                "reached_conversation_3", "repeat_requests", "new_underway", "reablement",
                "repeat_unsure")  # fmt: skip
        return [tuple(t[k] for k in keys)]
    rows = []
    for g in found["groups"]:
        total = g["full_year_impact"]
        rows.append(
            (g["approach"], g["conversations"], g["increases"], g["decreases"], g["no_change"],
             g["ongoing"], g["excluded"], None if total is None else Decimal(str(total)) / 52)
        )  # fmt: skip
    return rows
