"""What people and families say: the first type of evidence (contract §2 "People and families").

Per group of feedback responses: how many there are, and for each of the three questions of
the independent phone interviews (treated well, helped, listened to) the share answering
yes, partly and no — *of the responses that answered that question*, so a blank answer
never counts as a no. Partly is not yes, and is shown beside it. Mean satisfaction is of the
responses that gave a score (1–5).

Small groups are suppressed here, before anything reaches a page or an export (see
``evaluation.measures.suppression``). Comments and stories are returned only where the person
consented to them being quoted or shared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from evaluation.measures.suppression import (
    DEFAULT_THRESHOLD,
    Figure,
    check_threshold,
    fewer_than,
    suppress,
    suppress_total,
)
from evaluation.store.connection import Store

QUESTIONS: dict[str, str] = {
    "treated_well": "Treated well",
    "helped": "Helped",
    "listened_to": "Listened to",
}
ANSWERS = ("yes", "partly", "no")
APPROACH_ORDER = {"three conversations": 0, "usual practice": 1}
NOT_GIVEN = "not given"

# The keys a table can be grouped by, and the SQL that yields each (identifiers from this
# module only; values always go in as bound parameters).
GROUP_SQL: dict[str, str] = {
    "site": "site",
    "approach": "approach",
    "month": "strftime(received_on, '%Y-%m')",
    "method": f"coalesce(nullif(lower(trim(method)), ''), '{NOT_GIVEN}')",
}
GROUP_LABELS = {"site": "Site", "approach": "Approach", "month": "Month", "method": "Method"}

FIGURES = (
    *(Figure(q, f"{q}_answered", tuple(f"{q}_{a}_pct" for a in ANSWERS)) for q in QUESTIONS),
    Figure("satisfaction", "satisfaction_answered", ("satisfaction_mean",)),
)


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage to one decimal place (half up), None of nothing."""
    if not whole:
        return None
    value = Decimal(part * 100) / Decimal(whole)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def mean(total: Decimal | int | float | None, n: int, places: str = "0.01") -> float | None:
    """A mean rounded half up (``places`` as a Decimal exponent), None of nothing."""
    if not n or total is None:
        return None
    value = Decimal(str(total)) / Decimal(n)
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def check_by(by: Sequence[str], allowed: Mapping[str, str]) -> tuple[str, ...]:
    """The grouping keys in order, or ValueError naming what is not allowed."""
    unknown = [k for k in by if k not in allowed]
    if unknown:
        raise ValueError(f"can't group by {', '.join(unknown)}: choose from {', '.join(allowed)}")
    return tuple(dict.fromkeys(by))


def window_sql(column: str, start: date | None, end: date | None) -> tuple[str, list[Any]]:
    """A WHERE clause keeping ``column`` within start..end (either may be open)."""
    if start and end and end < start:
        raise ValueError(f"the period ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y})")
    clauses, params = ["TRUE"], []
    if start:
        clauses.append(f"{column} >= ?")
        params.append(start)
    if end:
        clauses.append(f"{column} <= ?")
        params.append(end)
    return " AND ".join(clauses), params


def consented_sql(
    date_column: str,
    start: date | None,
    end: date | None,
    site: str | None,
    month: str | None,
) -> tuple[list[str], list[Any]]:
    """WHERE clauses (to be joined by AND) for quotable comments: consent given, within the
    period, at one site and in one month (``YYYY-MM``) when asked. Shared by the feedback and
    staff comment lists."""
    where, params = window_sql(date_column, start, end)
    clauses = ["consent_to_quote", where]
    if site:
        clauses.append("site = ?")
        params.append(site)
    if month:
        clauses.append(f"strftime({date_column}, '%Y-%m') = ?")
        params.append(month)
    return clauses, params


def sort_key(row: Mapping[str, Any], by: Sequence[str]) -> tuple[Any, ...]:
    return tuple((APPROACH_ORDER.get(row[k], 9), str(row[k])) for k in by)


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
    filters: dict[str, str] = field(default_factory=dict)

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


def _feedback_figures(raw: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"responses": int(raw["responses"])}
    for q in QUESTIONS:
        answered = int(raw[f"{q}_answered"])
        out[f"{q}_answered"] = answered
        for a in ANSWERS:
            out[f"{q}_{a}_pct"] = percent(int(raw[f"{q}_{a}"]), answered)
    out["satisfaction_answered"] = int(raw["satisfaction_answered"])
    out["satisfaction_mean"] = mean(raw["satisfaction_sum"], out["satisfaction_answered"])
    return out


def _feedback_raw(
    store: Store, keys: Sequence[str], start: date | None, end: date | None
) -> list[dict[str, Any]]:
    dims = [f"{GROUP_SQL[k]} AS {k}" for k in keys]
    counts = ["count(*) AS responses"]
    for q in QUESTIONS:
        counts.append(f"count({q}) AS {q}_answered")
        counts.extend(f"count(*) FILTER (WHERE {q} = '{a}') AS {q}_{a}" for a in ANSWERS)
    counts += [
        "count(satisfaction) AS satisfaction_answered",
        "sum(satisfaction) AS satisfaction_sum",
    ]
    where, params = window_sql("received_on", start, end)
    sql = f"SELECT {', '.join(dims + counts)} FROM feedback WHERE {where}"
    if keys:
        sql += f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}"
    return fetch(store, sql, params)


def fetch(store: Store, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = store.cursor()
    try:
        result = cur.execute(sql, params)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        cur.close()


STRUCTURE = ("site", "approach")


def fine_keys(by: Sequence[str], filters: Mapping[str, str]) -> tuple[str, ...]:
    """The keys a table is suppressed on: its own, its filters', and site and approach.

    Site and approach are in every table's suppression, so the by-site table, the
    by-approach table and the site-by-approach table all hide the same groups.
    """
    return tuple(dict.fromkeys([*STRUCTURE, *filters, *by]))


def grouped(
    raw: list[dict[str, Any]],
    *,
    kind: str,
    by: Sequence[str],
    filters: Mapping[str, str],
    start: date | None,
    end: date | None,
    threshold: int,
    to_figures: Any,
    figures: Sequence[Figure],
    additive: Sequence[str],
) -> Measures:
    """Shared by feedback and staff: suppress on the full grouping, then apply the filters.

    ``raw`` holds additive counts per group of ``fine_keys(by, filters)``. Filters are
    grouped on (not applied in SQL) so a filtered table is one slice of a table suppressed
    as a whole; otherwise a filtered view minus the unfiltered one would reveal a hidden
    group.
    """
    check_threshold(threshold)
    keys = tuple(dict.fromkeys([*filters, *by]))
    finer = fine_keys(by, filters)
    raw = [r for r in raw if r["responses"]]
    view_raw = _sum_by(raw, keys, additive)
    rows = [{**{k: r[k] for k in keys}, **to_figures(r)} for r in view_raw]
    rows.sort(key=lambda r: sort_key(r, keys))
    fine_rows = [{**{k: r[k] for k in finer}, **to_figures(r)} for r in raw]
    fine_rows.sort(key=lambda r: sort_key(r, finer))
    raw_by_key = {tuple(r[k] for k in keys): r for r in view_raw}
    safe = suppress(
        rows, keys, figures=figures, threshold=threshold, within=fine_rows, within_by=finer
    )
    picked = [
        (row, raw_by_key[tuple(row[k] for k in keys)])
        for row in safe
        if all(row[k] == v for k, v in filters.items())
    ]
    total_raw = {name: sum(r[name] or 0 for _, r in picked) for name in additive}
    total = suppress_total(to_figures(total_raw), figures=figures, threshold=threshold)
    groups = [{k: row[k] for k in by} | _drop(row, keys) for row, _ in picked]
    return Measures(kind, tuple(by), start, end, threshold, groups, total, dict(filters))


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


FEEDBACK_ADDITIVE = (
    "responses",
    *(f"{q}_{part}" for q in QUESTIONS for part in ("answered", *ANSWERS)),
    "satisfaction_answered",
    "satisfaction_sum",
)


def feedback_measures(
    store: Store,
    by: Sequence[str] = ("site",),
    *,
    start: date | None = None,
    end: date | None = None,
    filters: Mapping[str, str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> Measures:
    """Responses and figures per group of feedback, small groups hidden.

    ``filters`` (e.g. ``{"site": "North"}``) keep only matching groups; they are grouping
    keys too, so the suppression is that of the whole table.
    """
    filters = dict(filters or {})
    by = check_by(by, GROUP_SQL)
    check_by(list(filters), GROUP_SQL)
    raw = _feedback_raw(store, fine_keys(by, filters), start, end)
    return grouped(
        raw,
        kind="feedback",
        by=by,
        filters=filters,
        start=start,
        end=end,
        threshold=threshold,
        to_figures=_feedback_figures,
        figures=FIGURES,
        additive=FEEDBACK_ADDITIVE,
    )


def has_usual_practice(store: Store, start: date | None = None, end: date | None = None) -> bool:
    """Whether any feedback is about usual practice, so a comparison can be shown."""
    where, params = window_sql("received_on", start, end)
    rows = fetch(
        store,
        f"SELECT count(*) AS n FROM feedback WHERE approach = 'usual practice' AND {where}",
        params,
    )
    return bool(rows[0]["n"])


def periods(store: Store, table: str = "feedback") -> list[str]:
    """The months ('YYYY-MM') the table has rows for, oldest first."""
    column = {"feedback": "received_on", "staff": "responded_on", "stories": "told_on"}[table]
    rows = fetch(
        store,
        f"SELECT DISTINCT strftime({column}, '%Y-%m') AS month FROM {table} ORDER BY 1",
        [],
    )
    return [r["month"] for r in rows]


def sites(store: Store, table: str = "feedback") -> list[str]:
    """The sites the table has rows for, in name order."""
    assert table in {"feedback", "staff", "stories"}
    return [r["site"] for r in fetch(store, f"SELECT DISTINCT site FROM {table} ORDER BY 1", [])]


# --- display ---------------------------------------------------------------------------


def pct_text(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}%"


def number_text(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:.{places}f}"


def headline_figure(total: Mapping[str, Any], question: str, threshold: int) -> tuple[str, str]:
    """A headline metric and the line under it saying what it rests on."""
    if question in total.get("withheld", []):
        return "not shown", f"{fewer_than(threshold)} answered"
    answered = total[f"{question}_answered"]
    if not answered:
        return "none", "nobody answered"
    if question == "satisfaction":
        return number_text(total["satisfaction_mean"]), f"of {answered:,} who gave a score"
    return pct_text(total[f"{question}_yes_pct"]), f"of {answered:,} who answered"


def display_rows(
    measures: Measures, labels: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """The feedback table as a person reads it: one row per group, every figure with its base.

    Hidden groups show "fewer than N" and no figures; a question withheld for too few
    answers shows the same words in its own columns.
    """
    labels = {**GROUP_LABELS, **(labels or {})}
    small = fewer_than(measures.threshold)
    out = []
    for group in measures.groups:
        row = {labels[k]: str(group[k]) for k in measures.by}
        row.update(_feedback_cells(group, small))
        out.append(row)
    return out


def total_row(measures: Measures, label: str = "All") -> dict[str, str]:
    small = fewer_than(measures.threshold)
    row = {GROUP_LABELS[k]: label for k in measures.by}
    row.update(_feedback_cells(measures.total, small))
    return row


def _feedback_cells(group: Mapping[str, Any], small: str) -> dict[str, str]:
    if group.get("suppressed"):
        row = {"Responses": small}
        for title in QUESTIONS.values():
            row |= {f"{title}: yes": "", f"{title}: partly": "", f"{title}: no": ""}
            row[f"{title}: answered"] = ""
        return row | {"Mean satisfaction (1–5)": "", "Satisfaction: answered": ""}
    withheld = set(group.get("withheld", []))
    row = {"Responses": str(group["responses"])}
    for q, title in QUESTIONS.items():
        for a in ANSWERS:
            row[f"{title}: {a}"] = pct_text(group[f"{q}_{a}_pct"])
        row[f"{title}: answered"] = small if q in withheld else str(group[f"{q}_answered"])
    row["Mean satisfaction (1–5)"] = number_text(group["satisfaction_mean"])
    row["Satisfaction: answered"] = (
        small if "satisfaction" in withheld else str(group["satisfaction_answered"])
    )
    return row


def describe(measures: Measures, question: str, labels: Mapping[str, str] | None = None) -> str:
    """A sentence giving the % yes for one question per group: the text beside its chart."""
    title = QUESTIONS[question]
    parts = describe_groups(
        measures,
        question,
        f"{question}_yes_pct",
        lambda group: (
            f"{group[f'{question}_yes_pct']:.1f}% yes of "
            f"{group[f'{question}_answered']} who answered"
        ),
    )
    if not parts:
        return f"{title}: no responses."
    return f"{title}, share answering yes — " + "; ".join(parts) + "."


def describe_groups(
    measures: Measures,
    item: str,
    value_key: str,
    shown: Callable[[Mapping[str, Any]], str],
) -> list[str]:
    """Each group's part of a chart's text alternative: its figure in words (``shown``), or
    why it has none — hidden as a small group, nobody answered, or too few answered. The
    feedback and staff charts all say this the same way."""
    small = fewer_than(measures.threshold)
    parts = []
    for group in measures.groups:
        name = group_name(group, measures.by)
        if group.get("suppressed"):
            parts.append(f"{name}: {small} responses, not shown")
        elif group.get(f"{item}_answered") == 0:
            parts.append(f"{name}: nobody answered")
        elif group.get(value_key) is None:
            parts.append(f"{name}: {small} answered, not shown")
        else:
            parts.append(f"{name}: {shown(group)}")
    return parts


def group_name(group: Mapping[str, Any], by: Sequence[str]) -> str:
    return ", ".join(str(group[k]) for k in by) or "All responses"


def chart_rows(measures: Measures) -> list[dict[str, Any]]:
    """Long rows for a chart of % yes: one per group on show and question, with its base."""
    rows = []
    for group in measures.shown:
        for q, title in QUESTIONS.items():
            if group.get(f"{q}_yes_pct") is None:
                continue
            rows.append(
                {
                    **{k: group[k] for k in measures.by},
                    "group": group_name(group, measures.by),
                    "question": title,
                    "yes_pct": group[f"{q}_yes_pct"],
                    "answered": group[f"{q}_answered"],
                }
            )
    return rows


# --- comments and stories --------------------------------------------------------------


COMMENT_COLUMNS = (("what worked", "what_worked"), ("what didn't work", "what_didnt_work"))


@dataclass(frozen=True)
class Comment:
    """One consented comment: what worked or what didn't, never shown without consent."""

    received_on: date
    site: str
    approach: str
    method: str
    kind: str  # "what worked" or "what didn't work"
    text: str


def comments(
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

    ``search`` matches either comment, ignoring case (a plain substring, not a pattern).
    """
    clauses, params = consented_sql("received_on", start, end, site, month)
    sql = (
        "SELECT received_on, site, approach, "
        f"coalesce(nullif(lower(trim(method)), ''), '{NOT_GIVEN}') AS method, "
        "what_worked, what_didnt_work, feedback_id FROM feedback "
        f"WHERE {' AND '.join(clauses)} ORDER BY received_on DESC, feedback_id"
    )
    needle = (search or "").strip().lower()
    found: list[Comment] = []
    for row in fetch(store, sql, params):
        for kind, column in COMMENT_COLUMNS:
            text = row[column]
            if not text or (needle and needle not in text.lower()):
                continue
            found.append(
                Comment(row["received_on"], row["site"], row["approach"], row["method"], kind, text)
            )
    return found[:limit] if limit else found


@dataclass(frozen=True)
class StoryItem:
    story_id: str
    site: str
    told_on: date
    conversation: int | None
    title: str
    story: str

    def heading(self) -> str:
        which = (
            f"Conversation {self.conversation}" if self.conversation else "no conversation given"
        )
        return f"{self.site} · {which} · told {self.told_on:%d/%m/%Y}"


def stories(
    store: Store, *, site: str | None = None, conversation: int | None = None
) -> list[StoryItem]:
    """Stories of difference the teller agreed to share, newest first."""
    clauses, params = ["consent_to_share"], []
    if site:
        clauses.append("site = ?")
        params.append(site)
    if conversation:
        clauses.append("conversation = ?")
        params.append(conversation)
    rows = fetch(
        store,
        "SELECT story_id, site, told_on, conversation, title, story FROM stories "
        f"WHERE {' AND '.join(clauses)} ORDER BY told_on DESC, story_id",
        params,
    )
    return [StoryItem(**row) for row in rows]


def stories_text(items: Sequence[StoryItem]) -> str:
    """The stories as one plain-text document, one after another, for printing or saving."""
    blocks = [f"{s.title}\n{s.heading()}\n\n{s.story}" for s in items]
    return ("\n\n" + "-" * 40 + "\n\n").join(blocks) + "\n"
