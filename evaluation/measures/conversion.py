"""Conversion of new requests into long-term support, repeat requests, and the cost avoided.

The unit is the *request for support*: the conversations that share a request_id (a blank
request_id makes the conversation its own request). Councils publish their results per
request (Medway: 20 of 388 new requests, 5.15%; Birmingham: 808 of 9,204, 8.8%), so every
figure here counts requests, never rows. Everything is aggregated in DuckDB, in one query per
figure, so the same code answers for a team of 400 requests and for a million conversations.

A request takes its site, approach, area, cohort, person, request type and waiting time from
its *first* conversation (earliest started_on, then lowest conversation number, then id), and
the period filter applies to that first start date: a request belongs to the month it began.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evaluation.measures.selection import Selection
from evaluation.store.connection import Store

Z95 = 1.959963984540054  # two-sided 95% normal quantile, for the Wilson interval
REPEAT_WINDOW_DAYS = 365
WEEKS_IN_YEAR = 52
ROLLING_WEEKS = 4
NOT_GIVEN = "(not given)"

# The ways a table can be split. Request-level measures read the request's own columns (from
# its first conversation); the period is the month or quarter the request began.
DIMENSIONS: dict[str, str] = {
    "site": "site",
    "approach": "approach",
    "area": f"coalesce(area, '{NOT_GIVEN}')",
    "cohort": f"coalesce(cohort, '{NOT_GIVEN}')",
    "month": "strftime(first_started, '%Y-%m')",
    "quarter": "strftime(first_started, '%Y') || ' Q' || quarter(first_started)",
}


def scope_where(
    selection: Selection | None, date_column: str, *, with_dates: bool = True
) -> tuple[str, list[Any]]:
    """The shared selection as a WHERE fragment over a relation with the conversations' column
    names (``site``, ``approach``, ``cohort``, ``area``) and ``date_column``; without dates
    for snapshots on one day."""
    if selection is None:
        return "TRUE", []
    if not with_dates:
        selection = replace(selection, date_from=None, date_to=None)
    return selection.where(date_column=date_column)


# The order of a request's conversations: start date, then conversation number, then id (the
# tie-break, so results never depend on row order). Written as one string (the ISO date, the
# number as one character, the id), which sorts exactly as that triple does (years 1–9999,
# numbers 0–3) and compares far faster than a struct.
FIRST_KEY = "CAST(started_on AS VARCHAR) || chr(48 + coalesce(conversation, 0)) || conversation_id"

# One row per request. ``ended_on`` is the day its last conversation ended, or NULL while any
# of its conversations is still underway; ``lts_ended_on`` is the last end date seen, used to
# place long-term support in a week even if a later conversation is still open.
#
# Most requests have a single conversation, and such a request is just that conversation's
# row: only requests with more than one ("shared" request keys) go through the aggregate,
# whose per-row cost (seven arg_min over a string key) is most of a report's time at a
# million conversations. Both halves give the same columns; for one row each aggregate below
# is the row's own value.
_REQUESTS = """
request_rows AS (
    SELECT *, {key} AS request_key
    FROM conversations{narrow}
),
shared AS (SELECT request_key FROM request_rows GROUP BY request_key HAVING count(*) > 1),
requests AS (
    SELECT
        request_key, person_id, request_type, site, approach, area, cohort, requested_on,
        started_on AS first_started,
        ended_on,
        ended_on AS lts_ended_on,
        coalesce(long_term_support, FALSE) AS led_to_lts,
        conversation AS furthest{single_workers}
    FROM request_rows ANTI JOIN shared USING (request_key)
    UNION ALL
    SELECT
        request_key,
        arg_min(person_id, first_key) AS person_id,
        arg_min(request_type, first_key) AS request_type,
        arg_min(site, first_key) AS site,
        arg_min(approach, first_key) AS approach,
        arg_min(area, first_key) AS area,
        arg_min(cohort, first_key) AS cohort,
        arg_min(requested_on, first_key) AS requested_on,
        min(started_on) AS first_started,
        CASE WHEN bool_or(ended_on IS NULL) THEN NULL ELSE max(ended_on) END AS ended_on,
        max(ended_on) AS lts_ended_on,
        coalesce(bool_or(long_term_support), FALSE) AS led_to_lts,
        max(conversation) AS furthest{workers}
    FROM (
        SELECT *, {first_key} AS first_key
        FROM request_rows SEMI JOIN shared USING (request_key)
    )
    GROUP BY request_key
)"""
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
)
""".replace("{window}", str(REPEAT_WINDOW_DAYS))
# Whether any conversation names a worker, and whether more than one distinct worker held the
# request: exactly "distinct workers >= 1" and "> 1", without a DISTINCT aggregate.
_WORKERS = """,
        count(worker_id) > 0 AS has_worker,
        min(worker_id) <> max(worker_id) AS several_workers"""
_SINGLE_WORKERS = """,
        worker_id IS NOT NULL AS has_worker,
        CASE WHEN worker_id IS NOT NULL THEN FALSE END AS several_workers"""


_KEY = "CASE WHEN request_id IS NULL THEN 'c:' || conversation_id ELSE 'r:' || request_id END"


def request_table_sql(
    *, repeats: bool = True, workers: bool = True, rows_where: str | None = None
) -> str:
    """``WITH`` clauses defining ``requests`` (one row per request) and, with ``repeats``,
    ``flagged`` (the same with its repeat flag ``is_repeat``); ``workers`` adds
    ``has_worker`` and ``several_workers``. Ask only for what the query reads: the repeat
    flag is a self-join, about as costly as the rest of the query at a million
    conversations, and DuckDB computes it even when nothing reads it.

    ``rows_where`` (from ``rows_scope``, its parameters bound before the query's own) keeps
    only the requests with a conversation matching it, and with ``repeats`` every request of
    their people too (the earlier requests a repeat is judged against). It must be true of
    some conversation of every request the query's own WHERE keeps; it only saves work.
    """
    narrow = ""
    if rows_where:
        rows = f"SELECT {_KEY} FROM conversations WHERE "
        if repeats:
            rows += f"person_id IN (SELECT person_id FROM conversations WHERE {rows_where})"
        else:
            rows += rows_where
        narrow = f"\n    WHERE {_KEY} IN ({rows})"
    sql = _REQUESTS.replace("{workers}", _WORKERS if workers else "")
    sql = sql.replace("{single_workers}", _SINGLE_WORKERS if workers else "")
    sql = sql.replace("{first_key}", FIRST_KEY).replace("{key}", _KEY).replace("{narrow}", narrow)
    return "WITH " + sql + (_REPEATS if repeats else "")


def rows_scope(
    selection: Selection | None, date_column: str, *, first_row: bool = True
) -> tuple[str | None, list[Any]]:
    """A WHERE over conversation rows for ``request_table_sql(rows_where=…)``: the period on
    ``date_column`` and, with ``first_row`` (the query filters on the request's first
    conversation), its sites and approaches, which every conversation has, so the first one
    carries them. None when the selection narrows nothing. Small periods and single sites
    (the meeting view) then aggregate a few thousand requests, not a million."""
    if selection is None:
        return None, []
    narrowed = Selection(
        sites=selection.sites if first_row else (),
        approaches=selection.approaches if first_row else (),
        date_from=selection.date_from,
        date_to=selection.date_to,
    )
    if narrowed == Selection():
        return None, []
    return narrowed.where(date_column=date_column)


def check_by(by: Iterable[str], allowed: dict[str, str] = DIMENSIONS) -> tuple[str, ...]:
    chosen = tuple(by)
    unknown = [d for d in chosen if d not in allowed]
    if unknown:
        raise ValueError(
            f"can't split by {', '.join(unknown)}: use one of {', '.join(sorted(allowed))}"
        )
    return chosen


def percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval, in percent. Used rather than p ± 1.96·se because it stays inside
    0–100% and behaves for the small areas and the low rates (5%) conversion produces."""
    if total == 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    low = 0.0 if successes == 0 else 100.0 * max(0.0, centre - half)
    high = 100.0 if successes == total else 100.0 * min(1.0, centre + half)
    return (low, high)


@dataclass(frozen=True)
class ConversionRow:
    """One group's conversion figures. Rates are percentages (0–100), None when nothing to
    divide by. ``reached_conversation_2/3`` count requests whose furthest conversation was at
    least 2 / was 3 (Medway's 388 → 29 → 19), among all the group's requests."""

    group: dict[str, str]
    requests: int
    new_requests: int
    long_term: int
    reached_conversation_2: int
    reached_conversation_3: int
    repeat_requests: int
    conversion_ci95: tuple[float, float] | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "conversion_ci95", wilson(self.long_term, self.new_requests))

    @property
    def label(self) -> str:
        return " / ".join(self.group.values()) if self.group else "All requests"

    @property
    def no_long_term(self) -> int:
        return self.new_requests - self.long_term

    @property
    def conversion_rate(self) -> float | None:
        return percent(self.long_term, self.new_requests)

    @property
    def repeat_rate(self) -> float | None:
        return percent(self.repeat_requests, self.new_requests)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.group,
            "group": self.label,
            "requests": self.requests,
            "new_requests": self.new_requests,
            "long_term": self.long_term,
            "no_long_term": self.no_long_term,
            "conversion_rate": self.conversion_rate,
            "conversion_ci95": list(self.conversion_ci95) if self.conversion_ci95 else None,
            "reached_conversation_2": self.reached_conversation_2,
            "reached_conversation_3": self.reached_conversation_3,
            "repeat_requests": self.repeat_requests,
            "repeat_rate": self.repeat_rate,
        }


def conversion(
    store: Store, selection: Selection | None = None, by: Iterable[str] = ()
) -> list[ConversionRow]:
    """Conversion, the funnel and repeat requests for each group (one row when ``by`` is empty).

    Groups come back sorted by their labels; a group with requests but no new requests is
    kept, with no rate.
    """
    return conversions(store, selection, [tuple(by)])[0]


def conversions(
    store: Store, selection: Selection | None, groupings: Sequence[Iterable[str]]
) -> list[list[ConversionRow]]:
    """``conversion(store, selection, by)`` for each ``by`` in ``groupings``, from one query.

    A page showing conversion by approach, by site and approach, by area and in total would
    otherwise build the table of requests (and its repeat flags) once per table, each time
    over the whole store; here it is built once and counted with ``GROUPING SETS``. Each list
    is exactly what ``conversion`` gives for that grouping, in the same order; ``()`` is the
    total (one row, even with no requests). Two groupings of the same dimensions (in any
    order) would be the same set: ask once.
    """
    sets = [check_by(by) for by in groupings]
    seen: set[frozenset[str]] = set()
    for dims in sets:
        if len(set(dims)) != len(dims) or frozenset(dims) in seen:
            raise ValueError(f"split by {', '.join(dims) or 'nothing'} asked twice")
        seen.add(frozenset(dims))
    if not sets:
        return []
    # Every dimension any grouping uses is a column g0, g1, …; GROUPING(g0, g1, …) says which
    # set a row is from (a bit set for each column the set does not group by).
    columns = list(dict.fromkeys(d for dims in sets for d in dims))
    name = {d: f"g{i}" for i, d in enumerate(columns)}
    ids = [
        sum(1 << (len(columns) - 1 - i) for i, d in enumerate(columns) if d not in dims)
        for dims in sets
    ]
    marker = f"GROUPING({', '.join(name.values())})" if columns else "0"
    grouping_sets = ", ".join("(" + ", ".join(name[d] for d in dims) + ")" for dims in sets)
    # Within each set, rows sort by that set's dimensions in its own order, as ``conversion``
    # sorts them (the columns a set does not group by are NULL throughout the set).
    depth = max(len(dims) for dims in sets)
    order = [
        "CASE "
        + " ".join(
            f"WHEN set_id = {ids[k]} THEN {name[dims[position]]}"
            for k, dims in enumerate(sets)
            if position < len(dims)
        )
        + " END"
        for position in range(depth)
    ]
    where, params = scope_where(selection, "first_started")
    rows_where, rows_params = rows_scope(selection, "started_on")
    sql = f"""
        {request_table_sql(workers=False, rows_where=rows_where)}
        SELECT {"".join(f"{DIMENSIONS[d]} AS {name[d]}, " for d in columns)}
            {marker} AS set_id,
            count(*) AS requests,
            count(*) FILTER (WHERE request_type = 'new') AS new_requests,
            count(*) FILTER (WHERE request_type = 'new' AND led_to_lts) AS long_term,
            count(*) FILTER (WHERE furthest >= 2) AS reached_2,
            count(*) FILTER (WHERE furthest >= 3) AS reached_3,
            count(*) FILTER (WHERE is_repeat) AS repeats
        FROM flagged
        WHERE {where}
        GROUP BY GROUPING SETS ({grouping_sets})
        ORDER BY {", ".join(["set_id", *order])}
    """
    cur = store.cursor()
    try:
        rows = cur.execute(sql, [*rows_params, *params]).fetchall()
    finally:
        cur.close()
    found: dict[int, list[ConversionRow]] = {i: [] for i in ids}
    position = {d: i for i, d in enumerate(columns)}
    for row in rows:
        set_id = row[len(columns)]
        dims = sets[ids.index(set_id)]
        found[set_id].append(
            ConversionRow(
                {d: str(row[position[d]]) for d in dims},
                *(int(v) for v in row[len(columns) + 1 :]),
            )
        )
    return [found[i] for i in ids]


def total(store: Store, selection: Selection | None = None) -> ConversionRow:
    """The figures for the whole selection (the 'Grand Total' line of Birmingham's table)."""
    return conversion(store, selection)[0]


def groups_and_total(
    store: Store, selection: Selection | None, by: Iterable[str]
) -> tuple[list[ConversionRow], ConversionRow]:
    """``conversion(store, selection, by)`` and ``total(store, selection)`` from one query,
    as the report prints them (with no split the groups are the total itself)."""
    dims = tuple(by)
    if not dims:
        (groups,) = conversions(store, selection, [()])
        return groups, groups[0]
    groups, (overall,) = conversions(store, selection, [dims, ()])
    return groups, overall


# --- new long-term support per week ------------------------------------------------------


@dataclass(frozen=True)
class WeekRow:
    group: dict[str, str]
    week: date  # the Monday (ISO week) the request's last conversation ended
    long_term: int
    rolling_mean: float | None  # mean of this week and the 3 before; None for the first 3


def weekly_long_term(
    store: Store, selection: Selection | None = None, by: Iterable[str] = ()
) -> list[WeekRow]:
    """New requests that led to long-term support, per ISO week their last conversation ended.

    Weeks with none are filled in as zero (a quiet week is a figure, not a gap), from the
    first to the last week with any — or across the selection's dates when it has them. The
    selection's dates apply to the week's end date here, not to the request's start, because
    this is a series in time of outcomes. The rolling mean is trailing, over 4 weeks.
    """
    dims = check_by(by, {k: v for k, v in DIMENSIONS.items() if k not in ("month", "quarter")})
    where, params = scope_where(selection, "lts_ended_on")
    # The week is that of the last end date seen, which some conversation of the request has.
    rows_where, rows_params = rows_scope(selection, "ended_on", first_row=False)
    group_cols = [f"{DIMENSIONS[d]} AS g{i}" for i, d in enumerate(dims)]
    g_names = [f"g{i}" for i in range(len(dims))]
    start = getattr(selection, "date_from", None) if selection else None
    end = getattr(selection, "date_to", None) if selection else None
    sql = f"""
        {request_table_sql(repeats=False, workers=False, rows_where=rows_where)},
        counts AS (
            SELECT {"".join(c + ", " for c in group_cols)}
                CAST(date_trunc('week', lts_ended_on) AS DATE) AS week, count(*) AS n
            FROM requests
            WHERE request_type = 'new' AND led_to_lts AND lts_ended_on IS NOT NULL AND {where}
            GROUP BY ALL
        ),
        span AS (
            SELECT coalesce(CAST(date_trunc('week', CAST(? AS DATE)) AS DATE), min(week)) AS a,
                   coalesce(CAST(date_trunc('week', CAST(? AS DATE)) AS DATE), max(week)) AS b
            FROM counts
        ),
        weeks AS (
            SELECT CAST(unnest(generate_series(a, b, INTERVAL 7 DAY)) AS DATE) AS week
            FROM span WHERE a IS NOT NULL AND b IS NOT NULL AND a <= b
        ),
        groups AS (SELECT DISTINCT {", ".join(g_names) if dims else "1 AS g"} FROM counts),
        grid AS (
            SELECT {"".join(f"groups.{g}, " for g in g_names)} weeks.week,
                coalesce(counts.n, 0) AS n
            FROM groups CROSS JOIN weeks
            LEFT JOIN counts ON counts.week = weeks.week
                {"".join(f" AND counts.{g} = groups.{g}" for g in g_names)}
        )
        SELECT {"".join(g + ", " for g in g_names)} week, n,
            CASE WHEN row_number() OVER w >= {ROLLING_WEEKS}
                 THEN avg(n) OVER (w ROWS BETWEEN {ROLLING_WEEKS - 1} PRECEDING AND CURRENT ROW)
            END AS rolling
        FROM grid
        WINDOW w AS ({"PARTITION BY " + ", ".join(g_names) if dims else ""} ORDER BY week)
        ORDER BY {"".join(g + ", " for g in g_names)} week
    """
    cur = store.cursor()
    try:
        rows = cur.execute(sql, [*rows_params, *params, start, end]).fetchall()
    finally:
        cur.close()
    return [
        WeekRow(
            {d: str(v) for d, v in zip(dims, row[: len(dims)], strict=True)},
            row[len(dims)],
            int(row[len(dims) + 1]),
            None if row[len(dims) + 2] is None else float(row[len(dims) + 2]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class BeforeAfter:
    change: date
    weeks_before: int
    per_week_before: float | None
    weeks_after: int
    per_week_after: float | None


def before_after(series: Sequence[WeekRow], change: date) -> BeforeAfter:
    """Mean new long-term support per week before and from the week of ``change`` (Harrow's
    7.2 → 5.5 a week), over the weeks in the series."""
    monday = change - timedelta(days=change.weekday())
    before = [w.long_term for w in series if w.week < monday]
    after = [w.long_term for w in series if w.week >= monday]
    return BeforeAfter(
        change,
        len(before),
        sum(before) / len(before) if before else None,
        len(after),
        sum(after) / len(after) if after else None,
    )


# --- the cost avoided --------------------------------------------------------------------


@dataclass(frozen=True)
class CostAvoided:
    """An estimate, never a saving proven: what the fall in conversion would cost if the people
    who did not need long-term support had needed an average package."""

    baseline_rate: Decimal  # percent
    current_rate: Decimal  # percent, exact to 4 places
    new_requests: int
    people_avoided: Decimal  # baseline × requests − long-term, to 2 places
    weekly_cost: Decimal  # the average weekly package cost entered
    per_week: Decimal  # £ a week, to the penny
    per_year: Decimal  # per_week × 52

    @property
    def weeks_in_year(self) -> int:
        return WEEKS_IN_YEAR


def cost_avoided(
    baseline_rate: Decimal | float | str,
    new_requests: int,
    long_term: int,
    weekly_cost: Decimal | float | str,
) -> CostAvoided:
    """(baseline conversion − current conversion) × new requests × weekly package cost.

    (baseline − long_term/new) × new is the same as baseline × new − long_term: the people
    expected to need long-term support at the old rate, less those who did (Medway: 7% of 388
    = 27.16 expected, 20 did, 7.16 fewer). Pounds are Decimal to the penny; a year is 52 weeks.
    """
    baseline = Decimal(str(baseline_rate))
    cost = Decimal(str(weekly_cost))
    people = (baseline / 100 * new_requests - long_term).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    exact = baseline / 100 * new_requests - long_term
    per_week = (exact * cost).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    current = (
        (Decimal(long_term) * 100 / new_requests).quantize(Decimal("0.0001"))
        if new_requests
        else Decimal(0)
    )
    return CostAvoided(
        baseline_rate=baseline,
        current_rate=current,
        new_requests=new_requests,
        people_avoided=people,
        weekly_cost=cost,
        per_week=per_week,
        per_year=per_week * WEEKS_IN_YEAR,
    )


def average_weekly_package_cost(store: Store) -> Decimal | None:
    """Mean gross weekly cost of the active care packages in the store: a starting value for the
    estimate, which the user can change. Summed as DECIMAL so pence stay exact."""
    cur = store.cursor()
    try:
        total_cost, count = cur.execute(
            "SELECT sum(gross_weekly_cost), count(*) FROM care_packages WHERE status = 'active'"
        ).fetchall()[0]
    finally:
        cur.close()
    if not count:
        return None
    return (Decimal(total_cost) / count).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def options(store: Store) -> dict[str, list[str]]:
    """The sites, approaches, areas and cohorts in the store, for filter pickers."""
    cur = store.cursor()
    found: dict[str, list[str]] = {}
    try:
        for column in ("site", "approach", "area", "cohort"):
            found[column] = [
                r[0]
                for r in cur.execute(
                    f"SELECT DISTINCT {column} FROM conversations "
                    f"WHERE {column} IS NOT NULL ORDER BY 1"
                ).fetchall()
            ]
    finally:
        cur.close()
    return found


def date_span(store: Store) -> tuple[date, date] | None:
    """The first and last day a conversation started, for the date pickers."""
    cur = store.cursor()
    try:
        first, last = cur.execute(
            "SELECT min(started_on), max(started_on) FROM conversations"
        ).fetchall()[0]
    finally:
        cur.close()
    return (first, last) if first else None
