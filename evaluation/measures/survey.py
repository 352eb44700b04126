"""The survey engine that people-and-families feedback and the staff pulse share.

Both are tables of responses at a site, with a date, an approach and some answers; both are
reported per group of responses with small groups hidden, and both have comments quoted only
with consent. What differs is a ``Survey``: its table, date column, the keys it can group by,
the additive counts it sums (SQL) and how those become its figures (Python). Everything else
— grouping, suppression, filters, totals, comments — is here, once.

Suppression (``evaluation.measures.suppression``) works on cells of site × approach × whatever
is asked: small cells are hidden, and every group and total adds up only the cells on show and
says what it left out, so the by-site, by-approach and site-by-approach tables can't be
subtracted from each other to reveal a hidden group. Periods snap to whole weeks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from evaluation.core.vocabulary import NOT_GIVEN, approach_order
from evaluation.measures.suppression import DEFAULT_THRESHOLD, Figure, check_threshold, hide
from evaluation.measures.survey_sums import CellSums, Filter, matches
from evaluation.store.connection import Store
from evaluation.store.query import column, dicts, rows, scalar

STRUCTURE = ("site", "approach")


def blank_as_not_given(sql: str) -> str:
    """A free-text grouping column, lowercased, a blank one reading "not given"."""
    return f"coalesce(nullif(lower(trim({sql})), ''), '{NOT_GIVEN}')"


@dataclass(frozen=True)
class Comments:
    """Where a survey's quotable comments are: their columns (kind → column) and what to show
    beside each (the method or the role), as SQL."""

    columns: tuple[tuple[str, str], ...]
    detail: str
    id_column: str


@dataclass(frozen=True)
class Survey:
    """One kind of survey table: what to count and how the counts become figures."""

    table: str
    date_column: str
    group_sql: Mapping[str, str]
    counts: tuple[str, ...]  # "expression AS name", each additive over responses
    figures: tuple[Figure, ...]  # the figures suppressed on their own count
    to_figures: Callable[[Mapping[str, Any]], dict[str, Any]]
    comments: Comments
    columns: tuple[str, ...]  # the figures of a group, in the order exports list them

    @property
    def additive(self) -> tuple[str, ...]:
        return tuple(c.rsplit(" AS ", 1)[1] for c in self.counts)


@dataclass(frozen=True)
class Measures:
    """One table of groups, suppressed, ready for a page, the CLI or an export."""

    kind: str
    by: tuple[str, ...]
    start: date | None
    end: date | None
    threshold: int
    groups: list[dict[str, Any]]
    total: dict[str, Any]
    filters: dict[str, Filter] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "by": list(self.by),
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "threshold": self.threshold,
            "groups": self.groups,
            "total": self.total,
        }

    @property
    def shown(self) -> list[dict[str, Any]]:
        return [g for g in self.groups if not g.get("suppressed")]

    @property
    def hidden(self) -> list[dict[str, Any]]:
        return [g for g in self.groups if g.get("suppressed")]


def check_by(by: Sequence[str], allowed: Mapping[str, str]) -> tuple[str, ...]:
    """The grouping keys in order, or ValueError naming what is not allowed."""
    unknown = [k for k in by if k not in allowed]
    if unknown:
        raise ValueError(f"can't group by {', '.join(unknown)}: choose from {', '.join(allowed)}")
    return tuple(dict.fromkeys(by))


def window_sql(column_sql: str, start: date | None, end: date | None) -> tuple[str, list[Any]]:
    """A WHERE clause keeping ``column_sql`` within start..end (either may be open)."""
    if start and end and end < start:
        raise ValueError(f"the period ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y})")
    clauses, params = ["TRUE"], []
    if start:
        clauses.append(f"{column_sql} >= ?")
        params.append(start)
    if end:
        clauses.append(f"{column_sql} <= ?")
        params.append(end)
    return " AND ".join(clauses), params


def whole_weeks(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """A survey period widened to whole weeks, Monday to Sunday.

    Two views whose periods differ by a day are then the same view, so subtracting one
    from the other can't single out a day's responses (issue 20 item 7); what remains is a
    week's responses, which the README names as the risk left.
    """
    if start and end and end < start:
        raise ValueError(f"the period ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y})")
    monday = start - timedelta(days=start.weekday()) if start else None
    sunday = end + timedelta(days=6 - end.weekday()) if end else None
    return monday, sunday


def fine_keys(by: Sequence[str], filters: Mapping[str, Filter]) -> tuple[str, ...]:
    """The keys a table is suppressed on: its own, its filters', and site and approach."""
    return tuple(dict.fromkeys([*STRUCTURE, *filters, *by]))


def sort_key(row: Mapping[str, Any], by: Sequence[str]) -> tuple[Any, ...]:
    return tuple((approach_order(row[k]), str(row[k])) for k in by)


def measure(
    survey: Survey,
    store: Store,
    by: Sequence[str],
    *,
    start: date | None = None,
    end: date | None = None,
    filters: Mapping[str, Filter] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> Measures:
    """Responses and figures per group, small groups hidden.

    ``filters`` (e.g. ``{"site": "North"}``, or ``{"site": ("North", "South")}`` to add up
    several) keep only matching groups; they are grouping keys too, so the suppression is
    that of the whole table.
    """
    filters = dict(filters or {})
    by = check_by(by, survey.group_sql)
    check_by(list(filters), survey.group_sql)
    start, end = whole_weeks(start, end)
    keys = fine_keys(by, filters)
    dims = [f"{survey.group_sql[k]} AS {k}" for k in keys]
    where, params = window_sql(survey.date_column, start, end)
    sql = f"SELECT {', '.join(dims + list(survey.counts))} FROM {survey.table} WHERE {where}"
    if keys:
        sql += f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}"
    return grouped(survey, dicts(store, sql, params), by, filters, start, end, threshold)


def grouped(
    survey: Survey,
    raw: list[dict[str, Any]],
    by: Sequence[str],
    filters: Mapping[str, Filter],
    start: date | None,
    end: date | None,
    threshold: int,
) -> Measures:
    """Hide cells, sum the cells on show into the groups asked for, then apply the filters.

    ``raw`` holds additive counts per cell (``fine_keys(by, filters)``: site and approach
    always among them). The rule is ``evaluation.measures.suppression``'s: small cells are
    hidden, another cell of the same site × approach where that site × approach's total would
    give them away, and every group and the total add up only the cells on show, saying what
    they left out. Filters pick groups after all this, so a filtered table is one slice of
    the whole table and can't be subtracted from it to reveal anything.
    """
    check_threshold(threshold)
    single = [k for k, v in filters.items() if isinstance(v, str)]
    keys = tuple(dict.fromkeys([*single, *by]))
    cells = _sum_by([r for r in raw if r["responses"]], fine_keys(by, filters), survey.additive)
    base_of = [tuple(c[k] for k in STRUCTURE) for c in cells]
    hidden = hide([int(c["responses"]) for c in cells], base_of, threshold)
    withheld = {
        f.name: hide([int(c[f.count] or 0) for c in cells], base_of, threshold, already=hidden)
        for f in survey.figures
    }
    members: dict[tuple[Any, ...], list[int]] = {}
    for i, cell in enumerate(cells):
        if matches(cell, filters):
            members.setdefault(tuple(cell[k] for k in keys), []).append(i)
    picked = sorted(
        ((dict(zip(keys, key, strict=True)), found) for key, found in members.items()),
        key=lambda item: sort_key(item[0], keys),
    )
    rows = CellSums(
        survey.figures, survey.additive, survey.to_figures, cells, hidden, withheld, threshold
    )
    groups = [{k: named[k] for k in by} | rows.group(found) for named, found in picked]
    total = rows.group([i for _, found in picked for i in found])
    return Measures(survey.table, tuple(by), start, end, threshold, groups, total, dict(filters))


def _sum_by(
    raw: list[dict[str, Any]], keys: Sequence[str], additive: Sequence[str]
) -> list[dict[str, Any]]:
    """The additive counts of ``raw`` summed up to ``keys``."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in raw:
        key = tuple(r[k] for k in keys)
        row = out.setdefault(
            key, {**dict(zip(keys, key, strict=True)), **dict.fromkeys(additive, 0)}
        )
        for name in additive:
            row[name] += r[name] or 0
    return list(out.values())


def _drop(row: Mapping[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in keys}


# --- what the table holds ----------------------------------------------------------------

# The tables with a site and a date, and their date column: the only names these read.
DATED_TABLES = {"feedback": "received_on", "staff": "responded_on", "stories": "told_on"}


def periods(store: Store, table: str = "feedback") -> list[str]:
    """The months ('YYYY-MM') the table has rows for, oldest first."""
    day = DATED_TABLES[table]
    return column(store, f"SELECT DISTINCT strftime({day}, '%Y-%m') FROM {table} ORDER BY 1")


def sites(store: Store, table: str = "feedback") -> list[str]:
    """The sites the table has rows for, in name order."""
    DATED_TABLES[table]
    return column(store, f"SELECT DISTINCT site FROM {table} ORDER BY 1")


def latest_day(
    store: Store,
    table: str,
    approach: str,
    sites: Sequence[str] = (),
    before: date | None = None,
) -> date | None:
    """The newest response about ``approach`` at ``sites`` (all when empty) on or before
    ``before``: where the latest pulse is when a period has none."""
    day = DATED_TABLES[table]
    where, params = window_sql(day, None, before)
    sql = f"SELECT max({day}) FROM {table} WHERE approach = ? AND {where}"
    if sites:
        sql += f" AND site IN ({', '.join('?' for _ in sites)})"
    return scalar(store, sql, [approach, *params, *sites])


def has_approach(
    store: Store, table: str, approach: str, start: date | None = None, end: date | None = None
) -> bool:
    """Whether any response in the period is about ``approach`` (so a comparison can show)."""
    where, params = window_sql(DATED_TABLES[table], start, end)
    sql = f"SELECT count(*) FROM {table} WHERE approach = ? AND {where}"
    return bool(scalar(store, sql, [approach, *params]))


# --- comments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Comment:
    """One comment quoted with consent: when, where, and the method or role beside it."""

    day: date
    site: str
    approach: str
    detail: str  # the feedback's method, or the staff member's role
    kind: str  # "what worked", "what didn't work", or "comment"
    text: str


def comments(
    survey: Survey,
    store: Store,
    *,
    site: str | None = None,
    month: str | None = None,
    search: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int | None = None,
) -> list[Comment]:
    """Comments from people who consented to being quoted, newest first.

    ``search`` matches a comment, ignoring case (a plain substring, not a pattern).
    """
    day = survey.date_column
    where, params = window_sql(day, start, end)
    clauses = ["consent_to_quote", where]
    if site:
        clauses.append("site = ?")
        params.append(site)
    if month:
        clauses.append(f"strftime({day}, '%Y-%m') = ?")
        params.append(month)
    texts = ", ".join(f"{c} AS c{i}" for i, (_, c) in enumerate(survey.comments.columns))
    sql = (
        f"SELECT {day} AS day, site, approach, {survey.comments.detail} AS detail, {texts} "
        f"FROM {survey.table} WHERE {' AND '.join(clauses)} "
        f"ORDER BY {day} DESC, {survey.comments.id_column}"
    )
    needle = (search or "").strip().lower()
    kinds = [kind for kind, _ in survey.comments.columns]
    found: list[Comment] = []
    add = found.append
    for day_, site_, approach, detail, *texts in rows(store, sql, params):
        for kind, text in zip(kinds, texts, strict=True):
            if text and (not needle or needle in text.lower()):
                add(Comment(day_, site_, approach, detail, kind, text))
    return found[:limit] if limit else found
