"""A CLD extract's Request, Assessment and Review rows as requests and conversations (§4).

Per person, rows are taken by Event Start Date (Request, then Assessment, then Review on the
same day). A Request row starts a request; an Assessment or Review joins the person's latest
request when it starts no more than 28 days after that request's latest row ended, or while
one of its rows is still open, and starts a request of its own otherwise. Because no row ends
before it starts, the latest end among a person's earlier rows since their last Request row
is the latest end of the request being built: one running maximum per stretch between Request
rows finds every request. DuckDB sorts the rows; the running maximum and the request numbers
are a few vectorised numpy passes over the sorted columns (``request_numbers``), where the
three window functions that say the same in SQL took most of the import's time.

A request with a row whose Event Description carries a conversation mark is a three
conversations request, and its marked rows are its conversations; otherwise its Assessment
and Review rows are (usual practice), or, with none, its Request row.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evaluation.core.vocabulary import THREE_CONVERSATIONS, USUAL_PRACTICE
from evaluation.ingest.cld_packages import stable_id
from evaluation.ingest.cld_rows import DAY_ORDER
from evaluation.ingest.cld_settings import REST_OF_COUNCIL, CldSettings
from evaluation.ingest.column_sql import Params


class PatternError(ValueError):
    """A conversation pattern DuckDB can't use; the message says why."""


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


def request_numbers(
    person: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    is_open: np.ndarray,
    is_request: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(starts a request?, request number) for rows sorted by person and ``ORDER``; dates
    are whole days (no end before its start; an open row's end is ignored).

    A stretch begins at a person's first row and at each Request row; within it the latest
    end so far is a running maximum, kept apart from the stretch before by adding the
    stretch's number times a span larger than any date difference.
    """
    rows = len(person)
    if rows == 0:
        return np.zeros(0, bool), np.zeros(0, np.int64)
    first = np.ones(rows, bool)
    first[1:] = person[1:] != person[:-1]
    stretch_starts = first | is_request
    stretch = np.cumsum(stretch_starts)
    ends = np.where(is_open, starts, ends).astype(np.int64)
    low = int(starts.min())
    span = int(ends.max()) - low + JOIN_DAYS + 3
    still_open = span - 1  # above every real end: an open row joins whatever follows
    end_value = np.where(is_open, still_open, ends - low)
    latest = np.maximum.accumulate(stretch.astype(np.int64) * span + end_value)
    latest -= stretch.astype(np.int64) * span
    earlier = np.empty(rows, np.int64)
    earlier[0] = -1
    earlier[1:] = latest[:-1]
    gap = (starts.astype(np.int64) - low) > earlier + JOIN_DAYS
    starts_request = stretch_starts | ((earlier != still_open) & gap)
    return starts_request, np.cumsum(starts_request)


def group_requests(con: duckdb.DuckDBPyConnection, settings: CldSettings) -> None:
    """``cld_persons`` → ``cld_events``: every Request, Assessment and Review row with its
    conversation mark, its id, its request (``request_key``) and whether it starts it.

    One sorted query gives the rows with everything the requests need (a join back to the
    rows afterwards cost more than carrying them through the sort).
    """
    day_order = " ".join(f"WHEN '{kind}' THEN {n}" for kind, n in DAY_ORDER.items())
    events = "kind IN ('request', 'assessment', 'review')"
    bind = Params()
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE cld_marks AS
            SELECT description, {mark_sql(settings, bind)} AS mark
            FROM (SELECT DISTINCT description FROM cld_persons
                  WHERE {events} AND description IS NOT NULL)
            """,
            bind.values,
        )
    except duckdb.Error as error:  # a pattern Python's re takes and DuckDB's RE2 does not
        raise PatternError(str(error).splitlines()[0]) from None
    bind = Params()
    ordered = con.sql(
        f"""
        SELECT p._row, p.person_no, p.person_id, p.kind, p.starts_on, p.ends_on, p.died_on,
               p.birth_on, p.district, p.support_reason, m.mark,
               {stable_id(bind, "p.kind", prefix="p.")} AS event_id
        FROM (SELECT *, CASE kind {day_order} END AS day_order FROM cld_persons
              WHERE {events}) p
        LEFT JOIN cld_marks m ON m.description = p.description
        ORDER BY p.person_no, {", ".join(f"p.{c}" for c in ORDER.split(", "))}
        """,
        params=bind.values,
    ).to_arrow_table()
    ends = pc.cast(ordered.column("ends_on"), pa.int32())
    starts_request, numbers = request_numbers(
        ordered.column("person_no").to_numpy(),
        pc.cast(ordered.column("starts_on"), pa.int32()).to_numpy().astype(np.int64),
        pc.fill_null(ends, 0).to_numpy().astype(np.int64),
        pc.is_null(ends).to_numpy(),
        pc.equal(ordered.column("kind"), "request").to_numpy(),
    )
    grouped = ordered.append_column("starts_request", pa.array(starts_request)).append_column(
        "request_key", pa.array(numbers)
    )
    con.register("cld_grouped", grouped)
    con.execute("CREATE OR REPLACE TEMP TABLE cld_events AS SELECT * FROM cld_grouped")
    con.unregister("cld_grouped")
    con.execute("DROP TABLE cld_marks")


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
        WITH spans AS (
            SELECT request_key, max(ends_on) AS last_end, bool_or(ends_on IS NULL) AS open,
                   bool_or(mark IS NOT NULL) AS marked,
                   count(*) FILTER (WHERE kind IN ('assessment', 'review')) AS assessments
            FROM cld_events GROUP BY request_key
        ),
        requests AS (
            -- what a request takes from its first row (the row that starts it; a Request
            -- row always starts one, so only a first row can be the request's Request row)
            SELECT f.request_key, f.person_no, f.event_id AS request_id,
                   f.starts_on AS first_start,
                   CASE WHEN f.kind = 'request' THEN f.starts_on END AS request_row_start,
                   f.district, f.birth_on, f.support_reason, s.* EXCLUDE (request_key)
            FROM cld_events f JOIN spans s USING (request_key) WHERE f.starts_request
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
        f"""
        CREATE OR REPLACE TEMP TABLE cld_conversations AS
        WITH chosen AS MATERIALIZED (
            SELECT e.*, r.request_id, r.first_start, r.request_row_start, r.marked,
                   r.existing, r.led_to_lts, r.district AS request_district,
                   r.birth_on AS request_birth, r.support_reason AS request_reason
            FROM cld_events e JOIN cld_requests r USING (request_key)
            WHERE CASE WHEN r.marked THEN e.mark IS NOT NULL
                       WHEN r.assessments > 0 THEN e.kind IN ('assessment', 'review')
                       ELSE e.kind = 'request' END
        ),
        last AS (
            -- the request's last conversation: the latest end (one underway is later
            -- still), then the latest start, the highest number, the highest id
            SELECT request_key, min(starts_on) AS first_conversation,
                   arg_max(event_id, (coalesce(ends_on, DATE '9999-12-31'), starts_on,
                                      coalesce(mark, 0), event_id)) AS last_id
            FROM chosen GROUP BY request_key
        ),
        ranked AS (
            SELECT c.*, l.first_conversation, c.event_id = l.last_id AS is_last,
                   year(first_start) - year(request_birth)
                      - CASE WHEN month(first_start) * 100 + day(first_start)
                                  < month(request_birth) * 100 + day(request_birth)
                             THEN 1 ELSE 0 END AS age
            FROM chosen c JOIN last l USING (request_key)
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
