"""Cost change, Harrow's before/after method (contract §2 "Cost change"): his Tables 1a/1b.

Each request is costed and classed in SQL (``evaluation.measures.costing``); here the classes
are counted per group, the average change and the full-year impact worked out, with their
intervals, and the requests behind a figure listed. Requests still underway, and those where
a suspension, cancellation or death makes the change ambiguous, are counted but kept out of
the average, as Harrow did: a death is not a saving.

Money stays DECIMAL in SQL and Python ``Decimal`` here; it is rounded to the penny only where
a figure leaves this module, and to Harrow's pounds and thousands only for show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from evaluation.core.money import to_pence
from evaluation.measures.costing import (
    DECREASE,
    EXCLUDED,
    INCREASE,
    LEFT_OUT,
    NO_CHANGE,
    ONGOING,
    band_sql,
    classified,
    costed_source,
)
from evaluation.measures.intervals import difference_interval, mean_interval
from evaluation.measures.selection import Selection
from evaluation.measures.suppression import DEFAULT_THRESHOLD
from evaluation.store.connection import Store
from evaluation.store.query import cursor

WEEKS_IN_YEAR = 52

# What a table can be grouped by: columns of the request (from its first conversation).
GROUP_KEYS = ("approach", "site", "cohort", "area", "request_type", "age_band", "support_reason")

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


def group_label(key: Mapping[str, str | None]) -> str:
    """A column's name: its group values joined, "(none)" for a blank one."""
    return " · ".join(v if v is not None else "(none)" for v in key.values()) or "All"


@dataclass(frozen=True)
class GroupSummary:
    """Harrow's table column for one group (one approach, or approach × cohort, …).

    The average, the full-year impact and the interval rest on the completed requests: with
    fewer than ``threshold`` of them they would give away a person's weekly change (a column
    for one person *is* that person's change), so they are None and only the counts of
    Harrow's table are shown (issue 20 item 7)."""

    key: dict[str, str | None]
    conversations: int
    increases: int
    decreases: int
    no_change: int
    ongoing: int
    excluded: int
    total_change: Decimal
    sd: float | None
    threshold: int = field(default=DEFAULT_THRESHOLD, kw_only=True)

    @property
    def completed(self) -> int:
        return self.increases + self.decreases + self.no_change

    @property
    def small(self) -> bool:
        """Too few completed requests for an average (or anything made of one) to be shown."""
        return 0 < self.completed < self.threshold

    @property
    def why_no_average(self) -> str | None:
        """Why the column has no average, in words (None when it has one)."""
        if not self.completed:
            return "not known yet: no completed requests"
        if self.small:
            return f"fewer than {self.threshold} completed requests"
        return None

    @property
    def label(self) -> str:
        return group_label(self.key)

    @property
    def mean_exact(self) -> Decimal | None:
        """The average change, unrounded (kept for the full-year impact and differences)."""
        return self.total_change / self.completed if self.why_no_average is None else None

    @property
    def mean_weekly_change(self) -> Decimal | None:
        """Average change in weekly cost per request, to the penny."""
        mean = self.mean_exact
        return None if mean is None else to_pence(mean)

    @property
    def full_year_impact(self) -> Decimal | None:
        """Average × 52 × completed, which is exactly 52 × the sum of the changes."""
        if self.why_no_average is not None:
            return None
        return to_pence(self.total_change * WEEKS_IN_YEAR)

    @property
    def mean_ci95(self) -> tuple[Decimal, Decimal] | None:
        mean = self.mean_exact
        if mean is None:
            return None
        return _pence(mean_interval(float(mean), self.sd, self.completed))

    @property
    def provisional(self) -> bool:
        """More than a third still ongoing: the figures will move as that work completes."""
        return self.ongoing * 3 > self.conversations

    def count(self, klass: str | None) -> int:
        """The requests of one class (None: all of them)."""
        return {
            None: self.conversations,
            INCREASE: self.increases,
            DECREASE: self.decreases,
            NO_CHANGE: self.no_change,
            ONGOING: self.ongoing,
            EXCLUDED: self.excluded,
        }[klass]

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
            "no_average_because": self.why_no_average,
        }


def _pence(interval: tuple[float, float] | None) -> tuple[Decimal, Decimal] | None:
    if interval is None:
        return None
    return (to_pence(Decimal(str(interval[0]))), to_pence(Decimal(str(interval[1]))))


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


def summary(
    store: Store,
    selection: Selection | None = None,
    by: Sequence[str] = ("approach",),
    as_of: date | None = None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> CostChange:
    """Harrow's table: one column per group of the selection.

    ``as_of`` overrides the extract date of each conversation's import batch (work ending
    within 30 days of it counts as ongoing). The report's as-of is that date, or else the
    latest extract date among the requests selected.
    """
    keys = check_by(by)
    source = costed_source(store, selection)
    sql, params = classified(source, as_of)
    with cursor(store, source.tables) as cur:
        return _summary(cur, sql, params, keys, as_of, threshold)


def _summary(
    cur: Any,
    sql: str,
    params: list[Any],
    keys: tuple[str, ...],
    as_of: date | None,
    threshold: int = DEFAULT_THRESHOLD,
) -> CostChange:
    """Harrow's table over classed requests (``classified_sql``)."""
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
    groups = []
    latest: date | None = None
    for row in cur.execute(query, params).fetchall():
        key = dict(zip(keys, row[: len(keys)], strict=True))
        n, inc, dec, same, ongoing, excluded, total, sd, row_as_of = row[len(keys) :]
        if not n:
            continue
        groups.append(
            GroupSummary(
                key, n, inc, dec, same, ongoing, excluded, Decimal(total), sd, threshold=threshold
            )
        )
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
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> Costs:
    """``summary`` and ``distribution`` of the selection, and, when ``earlier`` is given,
    ``summary`` of its requests that began by then as of then, from one costing.

    Pages show these together; each on its own joins every request to its person's care
    packages, so the costed requests are kept in a temporary table on this call's cursor and
    each figure reads them. The results equal the separate calls (the tests hold them to it).
    """
    keys = check_by(by)
    source = costed_source(store, selection)
    costed, params, tables = source.relation, source.params, source.tables
    with cursor(store, tables) as cur:
        if not source.classed:  # no kept table: cost the selection once, into a temporary one
            # Only what classing and grouping read: the ids are the widest columns.
            cur.execute(
                "CREATE OR REPLACE TEMP TABLE costed_requests AS "
                f"SELECT * EXCLUDE ({', '.join(LEFT_OUT)}) FROM ({costed})",
                params,
            )
            source = replace(source, relation="SELECT * FROM costed_requests", params=[])
        now, now_params = classified(source, None)
        report = _summary(cur, now, now_params, keys, None, threshold)
        bands = _distribution(cur, now, now_params, keys, threshold)
        before = None
        if earlier is not None:
            upto = f"SELECT * FROM ({source.relation}) WHERE first_started <= ?"
            then, then_params = classified(
                replace(source, relation=upto, params=[*source.params, earlier]), earlier
            )
            before = _summary(cur, then, then_params, keys, earlier, threshold)
        if not source.classed:
            cur.execute("DROP TABLE costed_requests")
    return Costs(report, bands, before)


def difference(a: GroupSummary, b: GroupSummary) -> Difference:
    """How much more (or less) the average weekly change of ``a`` is than that of ``b``; None
    where either has no average to show (none completed, or too few)."""
    mean_a, mean_b = a.mean_exact, b.mean_exact
    if mean_a is None or mean_b is None:
        return Difference(a.label, b.label, None, None)
    diff = mean_a - mean_b
    interval = difference_interval(float(diff), a.sd, a.completed, b.sd, b.completed)
    return Difference(a.label, b.label, to_pence(diff), _pence(interval))


def distribution(
    store: Store,
    selection: Selection | None = None,
    by: Sequence[str] = ("approach",),
    as_of: date | None = None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> list[dict[str, Any]]:
    """Completed requests per band of weekly change, per group (for the chart); a group of
    fewer than ``threshold`` completed requests is left out, as its average is.

    Counted in SQL so the chart stays small whatever the number of requests.
    """
    keys = check_by(by)
    source = costed_source(store, selection)
    sql, params = classified(source, as_of)
    with cursor(store, source.tables) as cur:
        return _distribution(cur, sql, params, keys, threshold)


def _distribution(
    cur: Any, sql: str, params: list[Any], keys: tuple[str, ...], threshold: int
) -> list[dict[str, Any]]:
    """Bands of weekly change over classed requests (``classified_sql``)."""
    columns = "".join(f"{k}, " for k in keys)
    query = f"""
        SELECT {columns}{band_sql(BANDS)} AS band, count(*) FROM ({sql})
        WHERE change IS NOT NULL GROUP BY ALL ORDER BY ALL
    """
    result = []
    for row in cur.execute(query, params).fetchall():
        key = dict(zip(keys, row[: len(keys)], strict=True))
        result.append(
            {
                "group": group_label(key),
                "band": BANDS[row[-2]][0],
                "order": row[-2],
                "requests": row[-1],
            }
        )
    completed: dict[str, int] = {}
    for item in result:
        completed[item["group"]] = completed.get(item["group"], 0) + item["requests"]
    return [item for item in result if completed[item["group"]] >= threshold]
