"""A CLD extract's Request, Assessment and Review rows as requests and conversations (§4).

Per person, rows are taken by Event Start Date (Request, then Assessment, then Review on the
same day). A Request row starts a request; an Assessment or Review joins the person's latest
request when it starts no more than 28 days after that request's latest row ended, or while
one of its rows is still open, and starts a request of its own otherwise. Because no row ends
before it starts, the latest end among a person's earlier rows since their last Request row
is the latest end of the request being built, so one pass of window functions finds every
request.

A request with a row whose Event Description carries a conversation mark is a three
conversations request, and its marked rows are its conversations; otherwise its Assessment
and Review rows are (usual practice), or, with none, its Request row.
"""

from __future__ import annotations

import duckdb

from evaluation.core.vocabulary import THREE_CONVERSATIONS, USUAL_PRACTICE
from evaluation.ingest.cld_packages import stable_id
from evaluation.ingest.cld_rows import DAY_ORDER
from evaluation.ingest.cld_settings import REST_OF_COUNCIL, CldSettings
from evaluation.ingest.column_sql import Params

JOIN_DAYS = 28  # an Assessment or Review this long after the request's latest row still joins
OUTCOME_DAYS = 28  # STS001: long-term support starting this long after the request counts
ORDER = "starts_on, day_order, ends_on NULLS LAST, _row"


def mark_sql(settings: CldSettings, bind: Params) -> str:
    """The conversation number a row's Event Description marks (NULL: unmarked); the first
    pattern that matches decides, as the settings list them."""
    branches = []
    for regex, number in settings.patterns:
        pattern = bind(regex)
        if number is None:
            captured = f"TRY_CAST(regexp_extract(description, {pattern}, 1, 'i') AS INTEGER)"
            branches.append(
                f"WHEN regexp_matches(description, {pattern}, 'i') "
                f"AND {captured} IN (1, 2, 3) THEN {captured}"
            )
        else:
            branches.append(f"WHEN regexp_matches(description, {pattern}, 'i') THEN {number}")
    return f"CASE {' '.join(branches)} END"


def group_requests(con: duckdb.DuckDBPyConnection, settings: CldSettings) -> None:
    """``cld_persons`` → ``cld_events``: every Request, Assessment and Review row with its
    request (``request_key``), whether it starts it, its conversation mark and its id.

    The windows sort only the few columns they read (a window carries every column it is
    given through its sort), and the marks are read once per distinct Event Description.
    """
    day_order = " ".join(f"WHEN '{kind}' THEN {n}" for kind, n in DAY_ORDER.items())
    events = "kind IN ('request', 'assessment', 'review')"
    by_person = f"PARTITION BY person_no ORDER BY {ORDER} ROWS UNBOUNDED PRECEDING"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cld_grouping AS
        WITH ordered AS (
            SELECT _row, person_no, starts_on, ends_on, kind = 'request' AS is_request,
                   CASE kind {day_order} END AS day_order
            FROM cld_persons WHERE {events}
        ),
        segmented AS (
            SELECT *, sum(is_request::INTEGER) OVER ({by_person}) AS segment FROM ordered
        ),
        looked_back AS (
            SELECT *, count(*) OVER earlier AS earlier_rows,
                   bool_or(ends_on IS NULL) OVER earlier AS earlier_open,
                   max(ends_on) OVER earlier AS earlier_end
            FROM segmented
            WINDOW earlier AS (PARTITION BY person_no, segment ORDER BY {ORDER}
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        ),
        starting AS (
            SELECT *, (is_request OR earlier_rows = 0
                       OR (NOT earlier_open AND starts_on > earlier_end + {JOIN_DAYS}))
                      AS starts_request
            FROM looked_back
        )
        SELECT _row, starts_request,
            person_no::BIGINT * 1000000 + sum(starts_request::INTEGER) OVER ({by_person})
                AS request_key
        FROM starting
        """
    )
    bind = Params()
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cld_marks AS
        SELECT description, {mark_sql(settings, bind)} AS mark
        FROM (SELECT DISTINCT description FROM cld_persons
              WHERE {events} AND description IS NOT NULL)
        """,
        bind.values,
    )
    bind = Params()
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cld_events AS
        SELECT p._row, p.person_no, p.person_id, p.kind, p.starts_on, p.ends_on, p.died_on,
               p.birth_on, p.district, p.support_reason, g.request_key, g.starts_request,
               m.mark, {stable_id(bind, "p.kind", prefix="p.")} AS event_id
        FROM cld_persons p JOIN cld_grouping g USING (_row)
        LEFT JOIN cld_marks m ON m.description = p.description
        """,
        bind.values,
    )
    con.execute("DROP TABLE cld_grouping; DROP TABLE cld_marks")


def make_conversations(con: duckdb.DuckDBPyConnection, settings: CldSettings) -> None:
    """``cld_events`` and ``cld_packages`` → ``cld_requests`` (one row per request) and
    ``cld_conversations`` (the contract's columns, plus ``_row`` and ``is_last``)."""
    bind = Params()
    sites = settings.districts
    site = (
        f"coalesce(list_extract({bind(list(sites.values()), 'VARCHAR[]')}, "
        f"list_position({bind(list(sites), 'VARCHAR[]')}, request_district)), "
        f"{bind(REST_OF_COUNCIL)})"
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cld_requests AS
        WITH requests AS (
            SELECT request_key, any_value(person_no) AS person_no,
                   any_value(event_id) FILTER (WHERE starts_request) AS request_id,
                   min(starts_on) AS first_start,
                   min(starts_on) FILTER (WHERE kind = 'request') AS request_row_start,
                   max(ends_on) AS last_end, bool_or(ends_on IS NULL) AS open,
                   bool_or(mark IS NOT NULL) AS marked,
                   count(*) FILTER (WHERE kind IN ('assessment', 'review')) AS assessments,
                   any_value(district) FILTER (WHERE starts_request) AS district,
                   any_value(birth_on) FILTER (WHERE starts_request) AS birth_on,
                   any_value(support_reason) FILTER (WHERE starts_request) AS support_reason
            FROM cld_events GROUP BY request_key
        ),
        long_term AS (SELECT * FROM cld_packages WHERE support = 'long term')
        SELECT r.*,
            EXISTS (SELECT 1 FROM long_term p WHERE p.person_no = r.person_no
                    AND p.starts_on <= r.first_start
                    AND (p.ends_on IS NULL OR p.ends_on >= r.first_start)) AS existing,
            EXISTS (SELECT 1 FROM long_term p WHERE p.person_no = r.person_no
                    AND p.starts_on >= r.first_start
                    AND (r.open OR p.starts_on <= r.last_end + {OUTCOME_DAYS})) AS led_to_lts
        FROM requests r
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE cld_chosen AS
        SELECT e.*, r.request_id, r.first_start, r.request_row_start, r.marked,
               r.existing, r.led_to_lts, r.district AS request_district,
               r.birth_on AS request_birth, r.support_reason AS request_reason
        FROM cld_events e JOIN cld_requests r USING (request_key)
        WHERE CASE WHEN r.marked THEN e.mark IS NOT NULL
                   WHEN r.assessments > 0 THEN e.kind IN ('assessment', 'review')
                   ELSE e.kind = 'request' END
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cld_conversations AS
        WITH last AS (
            -- the request's last conversation: the latest end (one underway is later
            -- still), then the latest start, the highest number, the highest id
            SELECT request_key, min(starts_on) AS first_conversation,
                   arg_max(event_id, (coalesce(ends_on, DATE '9999-12-31'), starts_on,
                                      coalesce(mark, 0), event_id)) AS last_id
            FROM cld_chosen GROUP BY request_key
        ),
        ranked AS (
            SELECT c.*, l.first_conversation, c.event_id = l.last_id AS is_last,
                   year(first_start) - year(request_birth)
                      - CASE WHEN month(first_start) * 100 + day(first_start)
                                  < month(request_birth) * 100 + day(request_birth)
                             THEN 1 ELSE 0 END AS age
            FROM cld_chosen c JOIN last l USING (request_key)
        )
        SELECT _row, person_no, is_last,
            event_id AS conversation_id,
            person_id,
            {site} AS site,
            CASE WHEN marked THEN {bind(THREE_CONVERSATIONS)} ELSE {bind(USUAL_PRACTICE)} END
                AS approach,
            CASE WHEN marked THEN mark END AS conversation,
            CASE WHEN existing THEN 'existing' ELSE 'new' END AS request_type,
            request_id,
            coalesce(request_row_start, first_conversation) AS requested_on,
            starts_on AS started_on,
            ends_on AS ended_on,
            is_last AND led_to_lts AS long_term_support,
            NULL AS worker_id,
            request_district AS area,
            NULL AS cohort,
            NULL AS weekly_cost_before,
            NULL AS weekly_cost_after,
            NULL AS care_suspended,
            died_on,
            CASE WHEN age >= 65 THEN '65+' WHEN age >= 18 THEN '18-64' END AS age_band,
            request_reason AS support_reason
        FROM ranked
        """,
        bind.values,
    )
    con.execute("DROP TABLE cld_chosen")
