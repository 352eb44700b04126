"""Conversion of new requests into long-term support, the flow and repeat requests.

The unit is the request for support (``evaluation.measures.requests``): councils publish
per request (Medway: 20 of 388 new requests, 5.15%; Birmingham: 808 of 9,204, 8.8%), so
every figure here counts requests, never rows. Everything is aggregated in DuckDB, in one
query, so the same code answers for a team of 400 requests and for a million conversations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from evaluation.core.vocabulary import NOT_GIVEN_GROUP
from evaluation.measures.intervals import wilson
from evaluation.measures.rates import percent
from evaluation.measures.reablement import reabled_sql
from evaluation.measures.requests import (
    REPEAT_WINDOW_DAYS,
    Source,
    narrowing,
    request_table_sql,
)
from evaluation.measures.selection import Selection
from evaluation.measures.suppression import DEFAULT_THRESHOLD
from evaluation.store.connection import Store
from evaluation.store.derived import derived, worth_deriving
from evaluation.store.query import rows

# The ways a table can be split. Request-level measures read the request's own columns (from
# its first conversation); the period is the month or quarter the request began.
DIMENSIONS: dict[str, str] = {
    "site": "site",
    "approach": "approach",
    "area": f"coalesce(area, '{NOT_GIVEN_GROUP}')",
    "cohort": f"coalesce(cohort, '{NOT_GIVEN_GROUP}')",
    "request_type": "request_type",
    "age_band": f"coalesce(age_band, '{NOT_GIVEN_GROUP}')",
    "support_reason": f"coalesce(support_reason, '{NOT_GIVEN_GROUP}')",
    "month": "strftime(first_started, '%Y-%m')",
    "quarter": "strftime(first_started, '%Y') || ' Q' || quarter(first_started)",
}


def check_by(by: Iterable[str], allowed: dict[str, str] = DIMENSIONS) -> tuple[str, ...]:
    """The split, checked against ``allowed`` (its keys become SQL through that mapping)."""
    chosen = tuple(by)
    unknown = [d for d in chosen if d not in allowed]
    if unknown:
        raise ValueError(
            f"can't split by {', '.join(unknown)}: use one of {', '.join(sorted(allowed))}"
        )
    return chosen


@dataclass(frozen=True)
class Flow:
    """How far a group's requests went: all of them, those that *had* a Conversation 2 and
    those that had a Conversation 3 (contract §2 "Conversations reached": a request that went
    from 1 straight to 3 counts for 3 and not for 2), and the new requests that led to
    long-term support. Rates are percentages (0–100), None when there is nothing to divide
    by, when every new request is still underway ("not known yet"), or when fewer than
    ``threshold`` new requests would let a rate single a person out."""

    group: dict[str, str]
    requests: int
    new_requests: int
    long_term: int
    reached_conversation_2: int
    reached_conversation_3: int
    new_underway: int = field(default=0, kw_only=True)  # new requests with work still underway
    threshold: int = field(default=DEFAULT_THRESHOLD, kw_only=True)

    @property
    def small(self) -> bool:
        """Too few new requests for a rate: counts are shown, rates and intervals are not."""
        return 0 < self.new_requests < self.threshold

    @property
    def known(self) -> bool:
        """Whether any new request has finished: with all still underway no rate is known."""
        return self.new_requests > self.new_underway

    @property
    def provisional(self) -> bool:
        """More than a third of the new requests still underway: the rate will move as that
        work finishes (the same rule as cost change's)."""
        return self.new_underway * 3 > self.new_requests

    @property
    def rates_shown(self) -> bool:
        return self.new_requests > 0 and self.known and not self.small

    def rate_of(self, part: int) -> float | None:
        """``part`` as a percentage of the new requests, where a rate may be shown."""
        return percent(part, self.new_requests) if self.rates_shown else None

    @property
    def conversion_rate(self) -> float | None:
        return self.rate_of(self.long_term)

    @property
    def no_long_term(self) -> int:
        return self.new_requests - self.long_term

    @property
    def why_no_rate(self) -> str | None:
        """Why the group shows no rate, in words (None when it shows one)."""
        if not self.new_requests:
            return "no new requests"
        if self.small:
            return f"fewer than {self.threshold} new requests"
        if not self.known:
            return f"not known yet: {self.new_underway:,} of {self.new_requests:,} still underway"
        return None


@dataclass(frozen=True)
class ConversionRow(Flow):
    """One group's conversion figures: the flow, repeat requests (a costly self-join the
    Conversations page does without), reablement and the rate's Wilson interval.

    ``repeat_unsure`` counts the new requests that began less than a year after the store's
    first conversation: an earlier request that would make them a repeat may be missing, so
    the repeat rate can only be too low."""

    repeat_requests: int
    reablement: int = field(default=0, kw_only=True)
    repeat_unsure: int = field(default=0, kw_only=True)
    conversion_ci95: tuple[float, float] | None = field(init=False)

    def __post_init__(self) -> None:
        interval = wilson(self.long_term, self.new_requests) if self.rates_shown else None
        object.__setattr__(self, "conversion_ci95", interval)

    @property
    def label(self) -> str:
        return " / ".join(self.group.values()) if self.group else "All requests"

    @property
    def repeat_rate(self) -> float | None:
        return self.rate_of(self.repeat_requests)

    @property
    def reablement_rate(self) -> float | None:
        return self.rate_of(self.reablement)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.group,
            "group": self.label,
            "requests": self.requests,
            "new_requests": self.new_requests,
            "new_underway": self.new_underway,
            "long_term": self.long_term,
            "no_long_term": self.no_long_term,
            "conversion_rate": self.conversion_rate,
            "conversion_ci95": list(self.conversion_ci95) if self.conversion_ci95 else None,
            "no_rate_because": self.why_no_rate,
            "reached_conversation_2": self.reached_conversation_2,
            "reached_conversation_3": self.reached_conversation_3,
            "repeat_requests": self.repeat_requests,
            "repeat_rate": self.repeat_rate,
            "repeat_unsure": self.repeat_unsure,
            "reablement": self.reablement,
            "reablement_rate": self.reablement_rate,
        }


# The store's requests with their repeat and reablement flags, kept once per version of the
# data (``store.derived``); the ids are left out, as nothing counted here reads them.
REQUESTS_TABLE = "requests_all"
_FLAGGED = """
SELECT flagged.* EXCLUDE (person_id, request_label, request_key),
       reabled.request_key IS NOT NULL AS reabled
FROM flagged LEFT JOIN reabled USING (request_key)"""


def requests_all_sql() -> str:
    """The whole store's requests with their repeat, reablement and worker flags."""
    return f"{request_table_sql(repeats=True, workers=True)}{reabled_sql()}{_FLAGGED}"


def flagged_source(store: Store, selection: Selection | None) -> Source:
    """The requests (with ``is_repeat`` and ``reabled``) a count over ``selection`` reads.

    On a dashboard, the whole store's requests kept once per version of the data, which the
    query's own WHERE then narrows; elsewhere (a report run once) the selection's own
    roll-up, narrowed before the repeat self-join. Exact either way: a request and its flags
    depend on its person's requests, never on the view."""
    if worth_deriving(store, REQUESTS_TABLE):
        kept = derived(store, REQUESTS_TABLE, requests_all_sql())
        relation, tables = kept.relation(REQUESTS_TABLE), kept.tables(REQUESTS_TABLE)
        return Source("WITH ", relation, [], tables, kept.values)
    rows_where, rows_params = narrowing(selection)
    table = request_table_sql(repeats=True, rows_where=rows_where)
    prefix = f"{table}{reabled_sql()},\nflagged_all AS ({_FLAGGED}),\n"
    return Source(prefix, "flagged_all", rows_params, {})


def requests_source(
    store: Store,
    selection: Selection | None,
    *,
    workers: bool = False,
    narrow: tuple[str, bool] = ("started_on", True),
) -> Source:
    """The requests a count that reads no repeat flag needs (``workers``: with the count of
    workers): the kept table on a dashboard, else the selection's own roll-up, narrowed
    (``narrow``: the date column and ``first_row`` of ``requests.narrowing``)."""
    if worth_deriving(store, REQUESTS_TABLE):
        return replace(flagged_source(store, selection), prefix="")
    rows_where, rows_params = narrowing(selection, narrow[0], first_row=narrow[1])
    table = request_table_sql(workers=workers, rows_where=rows_where)
    return Source(table, "requests", rows_params, {})


def conversion(
    store: Store,
    selection: Selection | None = None,
    by: Iterable[str] = (),
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> list[ConversionRow]:
    """Conversion, the flow and repeat requests for each group (one row when ``by`` is empty).

    Groups come back sorted by their labels; a group with requests but no new requests is
    kept, with no rate.
    """
    return conversions(store, selection, [tuple(by)], threshold=threshold)[0]


def _grouping_sets(sets: list[tuple[str, ...]]) -> tuple[list[str], dict[str, str], list[int]]:
    """The columns every grouping uses (g0, g1, …) and each set's GROUPING() id: a bit set
    for each column the set does not group by."""
    seen: set[frozenset[str]] = set()
    for dims in sets:
        if len(set(dims)) != len(dims) or frozenset(dims) in seen:
            raise ValueError(f"split by {', '.join(dims) or 'nothing'} asked twice")
        seen.add(frozenset(dims))
    columns = list(dict.fromkeys(d for dims in sets for d in dims))
    name = {d: f"g{i}" for i, d in enumerate(columns)}
    ids = [
        sum(1 << (len(columns) - 1 - i) for i, d in enumerate(columns) if d not in dims)
        for dims in sets
    ]
    return columns, name, ids


def conversions(
    store: Store,
    selection: Selection | None,
    groupings: Sequence[Iterable[str]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> list[list[ConversionRow]]:
    """``conversion(store, selection, by)`` for each ``by`` in ``groupings``, from one query.

    A page showing conversion by approach, by site and approach, by area and in total would
    otherwise roll up the requests (and their repeat flags) once per table; here it is done
    once and counted with ``GROUPING SETS``. Each list is exactly what ``conversion`` gives
    for that grouping, in the same order; ``()`` is the total (one row, even with no
    requests). Two groupings of the same dimensions (in any order) would be the same set: ask
    once.
    """
    sets = [check_by(by) for by in groupings]
    if not sets:
        return []
    columns, name, ids = _grouping_sets(sets)
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
    source = flagged_source(store, selection)
    where, params = source.where(selection)
    sql = f"""
        {source.prefix}
        history AS (SELECT min(started_on) + {REPEAT_WINDOW_DAYS} AS full_year FROM conversations)
        SELECT {"".join(f"{DIMENSIONS[d]} AS {name[d]}, " for d in columns)}
            {marker} AS set_id,
            count(*) AS requests,
            count(*) FILTER (WHERE request_type = 'new') AS new_requests,
            count(*) FILTER (WHERE request_type = 'new' AND led_to_lts) AS long_term,
            count(*) FILTER (WHERE had_conversation_2) AS reached_2,
            count(*) FILTER (WHERE had_conversation_3) AS reached_3,
            count(*) FILTER (WHERE is_repeat) AS repeats,
            count(*) FILTER (WHERE request_type = 'new' AND ended_on IS NULL) AS new_underway,
            count(*) FILTER (WHERE reabled) AS reablement,
            count(*) FILTER (WHERE request_type = 'new' AND first_started < full_year)
                AS repeat_unsure
        FROM {source.relation} CROSS JOIN history
        WHERE {where}
        GROUP BY GROUPING SETS ({grouping_sets})
        ORDER BY {", ".join(["set_id", *order])}
    """
    found: dict[int, list[ConversionRow]] = {i: [] for i in ids}
    position = {d: i for i, d in enumerate(columns)}
    for row in rows(store, sql, [*source.params, *params], source.tables):
        set_id = row[len(columns)]
        dims = sets[ids.index(set_id)]
        counts = [int(v) for v in row[len(columns) + 1 :]]
        found[set_id].append(
            ConversionRow(
                {d: str(row[position[d]]) for d in dims},
                *counts[:6],
                new_underway=counts[6],
                reablement=counts[7],
                repeat_unsure=counts[8],
                threshold=threshold,
            )
        )
    return [found[i] for i in ids]


def total(
    store: Store, selection: Selection | None = None, *, threshold: int = DEFAULT_THRESHOLD
) -> ConversionRow:
    """The figures for the whole selection (the 'Grand Total' line of Birmingham's table)."""
    return conversion(store, selection, threshold=threshold)[0]


def groups_and_total(
    store: Store,
    selection: Selection | None,
    by: Iterable[str],
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> tuple[list[ConversionRow], ConversionRow]:
    """``conversion(store, selection, by)`` and ``total(store, selection)`` from one query,
    as the report prints them (with no split the groups are the total itself)."""
    dims = tuple(by)
    if not dims:
        (groups,) = conversions(store, selection, [()], threshold=threshold)
        return groups, groups[0]
    groups, (overall,) = conversions(store, selection, [dims, ()], threshold=threshold)
    return groups, overall
