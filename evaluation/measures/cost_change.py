"""Cost change, Harrow's before/after method (contract §2 "Cost change").

For each request for support (its conversations taken together), the gross weekly cost of
the person's long-term care the day before the first conversation started (``d0``) is set
against the cost 30 days after the last one ended (``d1``), giving time for changes to care
to be made. Requests still underway, and those where a suspension, cancellation or death
makes the change ambiguous, are counted but kept out of the average, as Harrow did: a death
is not a saving.

Everything is computed in one DuckDB query over the whole selection (no Python loop per
request), so the page stays quick on a million conversations. Money stays DECIMAL in SQL
and Python ``Decimal`` here; it is rounded to the penny only where a figure leaves this
module, and to Harrow's pounds and thousands only on screen (``evaluation.present.money``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from evaluation.measures.intervals import difference_interval, mean_interval
from evaluation.measures.selection import Selection
from evaluation.present.money import change_exact, change_pounds, change_thousands, to_pence
from evaluation.store.connection import Store

WEEKS_IN_YEAR = 52
DAYS_AFTER = 30

# The classes, in the order they are decided (a request is put in the first that applies).
ONGOING, EXCLUDED = "ongoing", "excluded"
INCREASE, DECREASE, NO_CHANGE = "increase", "decrease", "no change"
CLASSES = (INCREASE, DECREASE, NO_CHANGE, ONGOING, EXCLUDED)
COMPLETED = (INCREASE, DECREASE, NO_CHANGE)

# What a summary can be grouped by: columns of the request (from its first conversation).
GROUP_KEYS = ("approach", "site", "cohort", "area")

# Bands of weekly change for the distribution chart: (label, lower bound inclusive, upper
# bound exclusive), in pounds a week; "no change" is exactly zero.
BANDS: tuple[tuple[str, float | None, float | None], ...] = (
    ("down £200 or more", None, -200),
    ("down £100 to £200", -200, -100),
    ("down £50 to £100", -100, -50),
    ("down less than £50", -50, 0),
    ("no change", 0, 0),
    ("up less than £50", 0, 50),
    ("up £50 to £100", 50, 100),
    ("up £100 to £200", 100, 200),
    ("up £200 or more", 200, None),
)

METHOD = (
    "Each request for support counts once, with all its conversations taken together. "
    "The weekly cost of the person's long-term care is taken the day before the first "
    "conversation started and 30 days after the last one ended (time for changes to care to "
    "be made): the sum of the gross weekly cost of their active care packages on that day, "
    "or the before and after costs in the export where it gives them. A request is 'work "
    "still ongoing' while any of its conversations has no end date, or while the day 30 days "
    "after the end has not yet been reached by the data (the extract date of the import, or "
    "the as-of date chosen). It is 'excluded' when care was suspended or cancelled on either "
    "day, the export marks care as suspended, or the person died on or before the later day: "
    "the change would then say more about a hospital stay or a death than about the "
    "conversations. The average change is over increases, decreases and no change; the "
    "full-year impact is that average × 52 weeks × the number of those requests."
)
INTERVAL_NOTE = (
    "The 95% confidence interval for the average is a Student's t interval (mean ± t × "
    "standard deviation ÷ √n); the interval for a difference between two columns is Welch's "
    "t interval, which does not assume both vary alike. Either needs at least two completed "
    "requests per column."
)


@dataclass(frozen=True)
class GroupSummary:
    """Harrow's table column for one group (one approach, or approach × cohort, …)."""

    key: dict[str, str | None]
    conversations: int
    increases: int
    decreases: int
    no_change: int
    ongoing: int
    excluded: int
    total_change: Decimal
    sd: float | None

    @property
    def completed(self) -> int:
        return self.increases + self.decreases + self.no_change

    @property
    def label(self) -> str:
        return " · ".join(v if v is not None else "(none)" for v in self.key.values()) or "All"

    @property
    def mean_exact(self) -> Decimal | None:
        """The average change, unrounded (kept for the full-year impact and differences)."""
        return self.total_change / self.completed if self.completed else None

    @property
    def mean_weekly_change(self) -> Decimal | None:
        """Average change in weekly cost per request, to the penny."""
        mean = self.mean_exact
        return None if mean is None else to_pence(mean)

    @property
    def full_year_impact(self) -> Decimal | None:
        """Average × 52 × completed, which is exactly 52 × the sum of the changes."""
        return None if not self.completed else to_pence(self.total_change * WEEKS_IN_YEAR)

    @property
    def mean_ci95(self) -> tuple[Decimal, Decimal] | None:
        mean = self.mean_exact
        if mean is None:
            return None
        interval = mean_interval(float(mean), self.sd, self.completed)
        if interval is None:
            return None
        return (to_pence(Decimal(str(interval[0]))), to_pence(Decimal(str(interval[1]))))

    @property
    def provisional(self) -> bool:
        """More than a third still ongoing: the figures will move as that work completes."""
        return self.ongoing * 3 > self.conversations

    def as_dict(self) -> dict[str, Any]:
        """The report's shape: group keys, counts, then money in pounds to the penny."""
        ci = self.mean_ci95
        return {
            **self.key,
            "conversations": self.conversations,
            "increases": self.increases,
            "decreases": self.decreases,
            "no_change": self.no_change,
            "ongoing": self.ongoing,
            "excluded": self.excluded,
            "mean_weekly_change": self.mean_weekly_change,
            "full_year_impact": self.full_year_impact,
            "mean_ci95": list(ci) if ci else None,
        }


@dataclass(frozen=True)
class Difference:
    """Average change of column ``a`` minus that of column ``b``, with Welch's interval."""

    a: str
    b: str
    difference: Decimal | None
    ci95: tuple[Decimal, Decimal] | None


@dataclass(frozen=True)
class CostChange:
    """The report: the as-of date used, the grouping and one column per group."""

    as_of: date | None
    as_of_given: bool
    by: tuple[str, ...]
    groups: list[GroupSummary]

    @property
    def conversations(self) -> int:
        return sum(g.conversations for g in self.groups)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "by": list(self.by),
            "groups": [g.as_dict() for g in self.groups],
        }


def check_by(by: Sequence[str]) -> tuple[str, ...]:
    """The grouping columns, checked against the contract (they become SQL identifiers)."""
    chosen = tuple(dict.fromkeys(b.strip().lower() for b in by if b.strip()))
    unknown = [b for b in chosen if b not in GROUP_KEYS]
    if unknown:
        raise ValueError(
            f"can't group by {', '.join(unknown)}: choose from {', '.join(GROUP_KEYS)}"
        )
    return chosen


def _order_key(day: str) -> str:
    """A BIGINT that orders a request's conversations by a date, then conversation number,
    then (as a tie-break, so results never depend on row order) a hash of the id.

    One integer compares far faster than a (date, number, id) tuple on a million rows.
    """
    return (
        f"(date_diff('day', DATE '1970-01-01', {day})::BIGINT * 17179869184"
        " + coalesce(c.conversation, 0)::BIGINT * 4294967296"
        " + (hash(c.conversation_id) % 4294967296)::BIGINT)"
    )


def _narrowing(where: str) -> str:
    """Keep only the requests with a conversation matching the selection's WHERE.

    A request takes its start date, site, approach, cohort and area from its first
    conversation, so every request the selection keeps has such a row: only those requests
    are gathered (a four-week period is a few thousand requests of a million), and the WHERE
    on ``sel`` still decides. Its parameters are the WHERE's, bound first.
    """
    if where == "TRUE":
        return ""
    return f"""
        WHERE coalesce(c.request_id, c.conversation_id) IN (
            SELECT coalesce(request_id, conversation_id) FROM conversations WHERE {where})"""


def _requests_sql(selection: Selection, as_of: date | None) -> tuple[str, list[Any]]:
    """One row per request in the selection, with its dates, costs, class and reason.

    Consumers aggregate it or take an ordered top-N (``ORDER BY … LIMIT``). Never put a bare
    ``LIMIT`` over it: DuckDB 2.0 can hang on a streaming LIMIT above a CTE that is read
    twice (``sel`` here), seen at a million conversations.
    """
    costed, params = _costed_sql(selection)
    return _classified_sql(costed, params, as_of)


def _costed_sql(selection: Selection) -> tuple[str, list[Any]]:
    """One row per request in the selection with its dates and costs, not yet classified.

    Nothing here depends on the as-of date, so one computation serves the table as it is and
    as it stood on an earlier day (``costs``): the costly part, joining every request to its
    person's care packages, is done once.
    """
    where, where_params = selection.where()
    # A selection that only sets an end date keeps nearly every request (the meeting's "up to
    # the period's end"): gathering their ids first would cost more than it saves.
    only_an_end = selection == Selection(date_to=selection.date_to)
    narrow = "" if only_an_end else _narrowing(where)
    covers = "p.starts_on <= {day} AND (p.ends_on IS NULL OR p.ends_on >= {day})"
    at_d0, at_d1 = covers.format(day="s.d0"), covers.format(day="s.d1")
    sql = f"""
    WITH conv AS (
        SELECT c.*, coalesce(c.request_id, c.conversation_id) AS request_key,
               greatest(l.as_of, coalesce(a.as_of, l.as_of)) AS batch_as_of
        FROM conversations c LEFT JOIN import_log l ON l.batch_id = c.batch_id
        LEFT JOIN site_as_of a ON a.site = c.site{narrow}
    ),
    shared AS (SELECT request_key FROM conv GROUP BY request_key HAVING count(*) > 1),
    req AS (
        SELECT request_key, person_id, site, approach, cohort, area, started_on,
               ended_on AS last_ended_on,
               1::BIGINT AS conversation_rows,
               CASE WHEN ended_on IS NULL THEN 1 ELSE 0 END::BIGINT AS underway,
               weekly_cost_before AS before_given,
               CASE WHEN ended_on IS NOT NULL THEN weekly_cost_after END AS after_given,
               coalesce(care_suspended, false) AS marked_suspended,
               died_on, batch_as_of
        FROM conv ANTI JOIN shared USING (request_key)
        UNION ALL
        SELECT request_key,
               arg_min_null(person_id, first_order) AS person_id,
               arg_min_null(site, first_order) AS site,
               arg_min_null(approach, first_order) AS approach,
               arg_min_null(cohort, first_order) AS cohort,
               arg_min_null(area, first_order) AS area,
               min(started_on) AS started_on,
               max(ended_on) AS last_ended_on,
               count(*) AS conversation_rows,
               count(*) - count(ended_on) AS underway,
               arg_min_null(weekly_cost_before, first_order) AS before_given,
               arg_max_null(weekly_cost_after, last_order) AS after_given,
               coalesce(bool_or(care_suspended), false) AS marked_suspended,
               min(died_on) AS died_on,
               max(batch_as_of) AS batch_as_of
        FROM (
            SELECT c.*, {_order_key("c.started_on")} AS first_order,
                   {_order_key("c.ended_on")} AS last_order
            FROM conv c SEMI JOIN shared USING (request_key)
        )
        GROUP BY request_key
    ),
    sel AS (
        SELECT *, started_on - 1 AS d0,
               CASE WHEN underway = 0 THEN last_ended_on + {DAYS_AFTER} END AS d1
        FROM req WHERE {where}
    ),
    pk AS (
        SELECT s.request_key,
               sum(p.gross_weekly_cost) FILTER (WHERE p.status = 'active' AND {at_d0})
                   AS package_before,
               sum(p.gross_weekly_cost) FILTER (WHERE p.status = 'active' AND {at_d1})
                   AS package_after,
               min(p.status) FILTER (WHERE p.status <> 'active' AND {at_d0}) AS stopped_d0,
               min(p.status) FILTER (WHERE p.status <> 'active' AND {at_d1}) AS stopped_d1
        FROM sel s JOIN care_packages p ON p.person_id = s.person_id
        GROUP BY s.request_key
    ),
    costed AS (
        SELECT s.*, pk.stopped_d0, pk.stopped_d1,
               coalesce(s.before_given, pk.package_before, 0) AS cost_before,
               CASE WHEN s.d1 IS NOT NULL
                    THEN coalesce(s.after_given, pk.package_after, 0) END AS cost_after,
               CASE WHEN s.before_given IS NOT NULL AND s.after_given IS NOT NULL
                         THEN 'export''s before/after columns'
                    WHEN s.before_given IS NULL AND s.after_given IS NULL THEN 'care packages'
                    ELSE 'export''s columns and care packages' END AS cost_source
        FROM sel s LEFT JOIN pk USING (request_key)
    )
    SELECT * FROM costed
    """
    return sql, [*(where_params if narrow else []), *where_params]


def _classified_sql(costed: str, params: list[Any], as_of: date | None) -> tuple[str, list[Any]]:
    """The class, change and reason of each costed request, as of ``as_of`` (else the date
    of the extract each request came in)."""
    sql = f"""
    WITH dated AS (
        SELECT *, coalesce(?::DATE, batch_as_of) AS as_of FROM ({costed})
    ),
    classified AS (
        SELECT *,
               CASE WHEN underway > 0 OR d1 > as_of THEN '{ONGOING}'
                    WHEN stopped_d0 IS NOT NULL OR stopped_d1 IS NOT NULL OR marked_suspended
                         OR died_on <= d1 THEN '{EXCLUDED}'
                    WHEN cost_after > cost_before THEN '{INCREASE}'
                    WHEN cost_after < cost_before THEN '{DECREASE}'
                    ELSE '{NO_CHANGE}' END AS class
        FROM dated
    )
    SELECT *,
           CASE WHEN class IN ('{INCREASE}', '{DECREASE}', '{NO_CHANGE}')
                THEN cost_after - cost_before END AS change,
           CASE class
             WHEN '{ONGOING}' THEN
               CASE WHEN underway = 1
                      THEN 'a conversation is still underway (no end date)'
                    WHEN underway > 1
                      THEN underway || ' conversations are still underway (no end date)'
                    ELSE '30 days after the last conversation ended is '
                         || strftime(d1, '%d/%m/%Y') || ', after the data''s as-of date '
                         || strftime(as_of, '%d/%m/%Y') END
             WHEN '{EXCLUDED}' THEN concat_ws('; ',
               CASE WHEN stopped_d0 IS NOT NULL THEN 'care ' || stopped_d0
                    || ' the day before the first conversation (' || strftime(d0, '%d/%m/%Y')
                    || ')' END,
               CASE WHEN stopped_d1 IS NOT NULL THEN 'care ' || stopped_d1
                    || ' 30 days after the last conversation ended ('
                    || strftime(d1, '%d/%m/%Y') || ')' END,
               CASE WHEN marked_suspended
                    THEN 'the export marks care as suspended or cancelled' END,
               CASE WHEN died_on <= d1
                    THEN 'died on ' || strftime(died_on, '%d/%m/%Y') END)
           END AS reason
    FROM classified
    """
    return sql, [as_of, *params]


def summary(
    store: Store,
    selection: Selection | None = None,
    by: Sequence[str] = ("approach",),
    as_of: date | None = None,
) -> CostChange:
    """Harrow's table: one column per group of the selection.

    ``as_of`` overrides the extract date of each conversation's import batch (work ending
    within 30 days of it counts as ongoing). The report's as-of is that date, or else the
    latest extract date among the requests selected.
    """
    keys = check_by(by)
    sql, params = _requests_sql(selection or Selection(), as_of)
    cur = store.cursor()
    try:
        return _summary(cur, sql, params, keys, as_of)
    finally:
        cur.close()


def _summary(
    cur: Any, sql: str, params: list[Any], keys: tuple[str, ...], as_of: date | None
) -> CostChange:
    """Harrow's table over classified requests (``_classified_sql``)."""
    columns = ", ".join(keys)
    group = f"GROUP BY {columns} ORDER BY {', '.join(f'{k} NULLS LAST' for k in keys)}"
    query = f"""
        SELECT {columns + "," if keys else ""}
               count(*),
               count(*) FILTER (WHERE class = '{INCREASE}'),
               count(*) FILTER (WHERE class = '{DECREASE}'),
               count(*) FILTER (WHERE class = '{NO_CHANGE}'),
               count(*) FILTER (WHERE class = '{ONGOING}'),
               count(*) FILTER (WHERE class = '{EXCLUDED}'),
               coalesce(sum(change), 0),
               stddev_samp(change),
               max(as_of)
        FROM ({sql}) {group if keys else ""}
    """
    rows = cur.execute(query, params).fetchall()
    groups = []
    latest: date | None = None
    for row in rows:
        key = dict(zip(keys, row[: len(keys)], strict=True))
        n, inc, dec, same, ongoing, excluded, total, sd, row_as_of = row[len(keys) :]
        if not n:
            continue
        groups.append(GroupSummary(key, n, inc, dec, same, ongoing, excluded, Decimal(total), sd))
        if row_as_of is not None and (latest is None or row_as_of > latest):
            latest = row_as_of
    return CostChange(as_of or latest, as_of is not None, keys, groups)


@dataclass(frozen=True)
class Costs:
    """Harrow's table, its distribution, and the same table as it stood on an earlier day."""

    report: CostChange
    bands: list[dict[str, Any]]
    earlier: CostChange | None


def costs(
    store: Store,
    selection: Selection | None = None,
    by: Sequence[str] = ("approach",),
    earlier: date | None = None,
) -> Costs:
    """``summary`` and ``distribution`` of the selection, and, when ``earlier`` is given,
    ``summary`` of its requests that began by then as of then, from one costing of the
    requests.

    Pages show these together; each on its own joins every request to its person's care
    packages, the costly step at a million conversations, so the costed requests are kept in
    a temporary table on this run's cursor and each figure reads them. The results equal the
    three separate calls (the tests hold them to it).
    """
    keys = check_by(by)
    costed, params = _costed_sql(selection or Selection())
    cur = store.cursor()
    try:
        # Only what classifying and grouping read: the ids are the widest columns.
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE costed_requests AS SELECT * EXCLUDE (person_id, "
            "request_key, before_given, after_given, cost_source, conversation_rows, "
            f"last_ended_on) FROM ({costed})",
            params,
        )
        now, now_params = _classified_sql("SELECT * FROM costed_requests", [], None)
        report = _summary(cur, now, now_params, keys, None)
        bands = _distribution(cur, now, now_params, keys)
        before = None
        if earlier is not None:
            then, then_params = _classified_sql(
                "SELECT * FROM costed_requests WHERE started_on <= ?", [earlier], earlier
            )
            before = _summary(cur, then, then_params, keys, earlier)
        cur.execute("DROP TABLE costed_requests")
    finally:
        cur.close()
    return Costs(report, bands, before)


def difference(a: GroupSummary, b: GroupSummary) -> Difference:
    """How much more (or less) the average weekly change of ``a`` is than that of ``b``."""
    mean_a, mean_b = a.mean_exact, b.mean_exact
    if mean_a is None or mean_b is None:
        return Difference(a.label, b.label, None, None)
    diff = mean_a - mean_b
    interval = difference_interval(float(diff), a.sd, a.completed, b.sd, b.completed)
    ci = None
    if interval is not None:
        ci = (to_pence(Decimal(str(interval[0]))), to_pence(Decimal(str(interval[1]))))
    return Difference(a.label, b.label, to_pence(diff), ci)


REQUEST_COLUMNS = (
    "person_id",
    "request_id",
    "site",
    "approach",
    "cohort",
    "area",
    "conversations",
    "first_started_on",
    "last_ended_on",
    "d0",
    "d1",
    "cost_before",
    "cost_after",
    "change",
    "class",
    "reason",
    "cost_source",
    "as_of",
)


def _group_filter(key: Mapping[str, str | None] | None, klass: str | None) -> tuple[str, list]:
    parts, params = [], []
    for column, value in (key or {}).items():
        check_by([column])
        parts.append(f"{column} IS NOT DISTINCT FROM ?")
        params.append(value)
    if klass is not None:
        if klass not in CLASSES:
            raise ValueError(f"unknown class {klass!r}: choose from {', '.join(CLASSES)}")
        parts.append("class = ?")
        params.append(klass)
    return " AND ".join(parts) or "TRUE", params


def requests(
    store: Store,
    selection: Selection | None = None,
    key: Mapping[str, str | None] | None = None,
    klass: str | None = None,
    as_of: date | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The requests behind one cell of the table: one group's ``key`` and one class.

    Ids are the store's pseudonyms (person) and the export's request ids; money is
    ``Decimal`` pounds to the penny.
    """
    sql, params = _requests_sql(selection or Selection(), as_of)
    where, extra = _group_filter(key, klass)
    order = ", ".join(f"'{c}'" for c in CLASSES)
    query = f"""
        SELECT person_id, request_key, site, approach, cohort, area, conversation_rows,
               started_on, last_ended_on, d0, d1, cost_before, cost_after, change, class,
               reason, cost_source, as_of
        FROM ({sql}) WHERE {where}
        ORDER BY list_position([{order}], class), started_on, request_key
        {"LIMIT ?" if limit is not None else ""}
    """
    cur = store.cursor()
    try:
        rows = cur.execute(
            query, [*params, *extra, *([limit] if limit is not None else [])]
        ).fetchall()
    finally:
        cur.close()
    return [dict(zip(REQUEST_COLUMNS, row, strict=True)) for row in rows]


def distribution(
    store: Store,
    selection: Selection | None = None,
    by: Sequence[str] = ("approach",),
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    """Completed requests per band of weekly change, per group (for the chart).

    Counted in SQL so the chart stays small whatever the number of requests.
    """
    keys = check_by(by)
    sql, params = _requests_sql(selection or Selection(), as_of)
    cur = store.cursor()
    try:
        return _distribution(cur, sql, params, keys)
    finally:
        cur.close()


def _distribution(
    cur: Any, sql: str, params: list[Any], keys: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Bands of weekly change over classified requests (``_classified_sql``)."""
    cases = []
    for index, (_, low, high) in enumerate(BANDS):
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
    band = f"CASE {' '.join(cases)} END"
    columns = "".join(f"{k}, " for k in keys)
    query = f"""
        SELECT {columns}{band} AS band, count(*) FROM ({sql})
        WHERE change IS NOT NULL GROUP BY ALL ORDER BY ALL
    """
    rows = cur.execute(query, params).fetchall()
    result = []
    for row in rows:
        key = dict(zip(keys, row[: len(keys)], strict=True))
        label = " · ".join(v if v is not None else "(none)" for v in key.values()) or "All"
        result.append(
            {"group": label, "band": BANDS[row[-2]][0], "order": row[-2], "requests": row[-1]}
        )
    return result


def describe_distribution(bands: list[dict[str, Any]]) -> str:
    """The chart in one sentence per group, for people who can't see it."""
    groups: dict[str, dict[str, int]] = {}
    for item in bands:
        groups.setdefault(item["group"], {})[item["band"]] = item["requests"]
    sentences = []
    for group, counts in groups.items():
        total = sum(counts.values())
        up = sum(n for band, n in counts.items() if band.startswith("up"))
        down = sum(n for band, n in counts.items() if band.startswith("down"))
        same = counts.get("no change", 0)
        commonest = max(counts, key=lambda band: counts[band])
        sentences.append(
            f"{group}: of {total} completed request(s), {up} went up, {down} went down and "
            f"{same} had no change in weekly cost; the most common band is '{commonest}' "
            f"({counts[commonest]})."
        )
    return " ".join(sentences)


# --- Harrow's table, as the page and the CLI show it --------------------------------------

ROW_LABELS = (
    "Conversations",
    "Increases to long term care",
    "Decreases to long term care",
    "No change",
    "Work still ongoing",
    "Excluded due to suspensions, etc.",
    "Average change in level of care per person",
    "Approx. impact on full-year budget",
    "95% confidence interval for the average",
)
# The class each count row stands for (for the drill-down behind a cell).
ROW_CLASS = {
    ROW_LABELS[1]: INCREASE,
    ROW_LABELS[2]: DECREASE,
    ROW_LABELS[3]: NO_CHANGE,
    ROW_LABELS[4]: ONGOING,
    ROW_LABELS[5]: EXCLUDED,
}


@dataclass(frozen=True)
class Cell:
    """What a reader sees (rounded as Harrow's report) and the exact figure behind it."""

    shown: str
    exact: str


def table(report: CostChange) -> list[tuple[str, list[Cell]]]:
    """Harrow's rows, one cell per group: counts as they are, money rounded as the report
    rounds it (average to the pound, full year to the nearest £1,000), exact figures kept."""
    rows: list[tuple[str, list[Cell]]] = [(label, []) for label in ROW_LABELS]
    for g in report.groups:
        counts = (g.conversations, g.increases, g.decreases, g.no_change, g.ongoing, g.excluded)
        for index, count in enumerate(counts):
            rows[index][1].append(Cell(f"{count:,}", f"{count:,} request(s)"))
        mean, year, ci = g.mean_weekly_change, g.full_year_impact, g.mean_ci95
        rows[6][1].append(
            Cell(change_pounds(mean), f"{change_exact(mean)} a week" if mean is not None else "")
        )
        rows[7][1].append(Cell(change_thousands(year), change_exact(year)))
        rows[8][1].append(
            Cell(
                f"{change_pounds(ci[0])} to {change_pounds(ci[1])}" if ci else "",
                f"{change_exact(ci[0])} to {change_exact(ci[1])} a week"
                if ci
                else "needs at least two completed requests",
            )
        )
    return rows


SUMMARY_COLUMNS = (
    "conversations",
    "increases",
    "decreases",
    "no_change",
    "ongoing",
    "excluded",
    "mean_weekly_change",
    "full_year_impact",
    "mean_ci95_low",
    "mean_ci95_high",
)


def summary_rows(report: CostChange) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows and columns for the CSV export: exact figures, pounds to the penny."""
    rows = []
    for g in report.groups:
        row = g.as_dict()
        ci = row.pop("mean_ci95")
        row["mean_ci95_low"], row["mean_ci95_high"] = ci if ci else (None, None)
        rows.append(row)
    return rows, [*report.by, *SUMMARY_COLUMNS]


def to_html(report: CostChange, caption: str) -> str:
    """Harrow's table as an accessible HTML table: a caption, column and row headers with
    ``scope``, the exact figure in each cell's ``title`` (shown on hover). Every piece of
    text, site and cohort names included, is escaped."""
    cell_style = "padding:0.3rem 0.75rem;border-bottom:1px solid rgba(128,128,128,0.35);"
    head = "".join(
        f'<th scope="col" style="{cell_style}text-align:right">{escape(g.label)}</th>'
        for g in report.groups
    )
    body = []
    for label, cells in table(report):
        tds = "".join(
            f'<td title="{escape(c.exact)}" style="{cell_style}text-align:right">'
            f"{escape(c.shown)}</td>"
            for c in cells
        )
        body.append(
            f'<tr><th scope="row" style="{cell_style}text-align:left;font-weight:normal">'
            f"{escape(label)}</th>{tds}</tr>"
        )
    return (
        '<table style="border-collapse:collapse;width:auto;min-width:50%">'
        f'<caption style="caption-side:top;text-align:left;padding-bottom:0.5rem">'
        f"{escape(caption)}</caption>"
        f'<thead><tr><th scope="col" style="{cell_style}text-align:left">Measure</th>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def describe_difference(diff: Difference) -> str:
    """The difference between two columns in a sentence a director can repeat."""
    if diff.difference is None:
        return (
            f"{diff.a} minus {diff.b}: no difference can be worked out until both have "
            "completed requests."
        )
    text = f"{diff.a} minus {diff.b}: {change_exact(diff.difference)} a week per person"
    if diff.ci95 is None:
        return text + " (no interval: each side needs at least two completed requests)."
    low, high = diff.ci95
    text += f" (95% interval {change_exact(low)} to {change_exact(high)})."
    if low <= 0 <= high:
        return text + " The interval includes zero, so the data can't tell the two apart yet."
    return text + " The interval excludes zero."


DRILL_COLUMNS = {
    "person_id": "Person (pseudonym)",
    "request_id": "Request",
    "site": "Site",
    "approach": "Approach",
    "cohort": "Cohort",
    "area": "Area",
    "conversations": "Conversations",
    "first_started_on": "First started",
    "last_ended_on": "Last ended",
    "d0": "Day before (d0)",
    "d1": "30 days after (d1)",
    "cost_before": "Weekly cost at d0",
    "cost_after": "Weekly cost at d1",
    "change": "Change",
    "class": "Class",
    "reason": "Reason",
    "cost_source": "Costs from",
}
