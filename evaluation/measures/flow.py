"""How requests move: the flow from Conversation 1 to 3, the wait, and hand-offs.

Per request (``evaluation.measures.requests``): how far it went and whether it led to
long-term support (as ``conversion`` counts them), the wait from the request to its first
conversation, and whether more than one worker held it. The Conversations page wants all
three per request: ``request_activity`` gives them from one pass over the roll-up, which at a
million conversations is most of the cost of each. Percentiles as ``activity`` computes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from evaluation.measures.activity import Duration, duration, group_of, split
from evaluation.measures.conversion import DIMENSIONS, Flow, check_by, requests_source
from evaluation.measures.rates import percent
from evaluation.measures.selection import Selection
from evaluation.measures.suppression import DEFAULT_THRESHOLD
from evaluation.store.connection import Store
from evaluation.store.query import rows


def waiting_time(
    store: Store, selection: Selection | None = None, by: Iterable[str] = ()
) -> list[Duration]:
    """Days from requested_on to the first conversation's start, per request that has a
    requested_on (median and 90th percentile, ``quantile_cont``). A request dated after its
    first conversation began is a data slip and is left out rather than counted as negative."""
    dims, found = _per_request(
        store,
        selection,
        by,
        "count(*), quantile_cont(date_diff('day', requested_on, first_started), 0.5), "
        "quantile_cont(date_diff('day', requested_on, first_started), 0.9)",
        only="requested_on IS NOT NULL AND requested_on <= first_started",
        workers=False,
    )
    return [duration(dims, r) for r in found]


def _per_request(
    store: Store,
    selection: Selection | None,
    by: Iterable[str],
    measures: str,
    *,
    only: str = "TRUE",
    workers: bool = True,
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """``measures`` (SQL aggregates over the table of requests) per group of ``by``, for the
    requests of the selection that satisfy ``only``; the groups' values come first in each
    row. The request table is built without the repeat flag (a costly self-join) and, unless
    asked, without the count of workers."""
    dims = check_by(by, DIMENSIONS)
    source = requests_source(store, selection, workers=workers)
    where, params = source.where(selection)
    select, names = split(dims, DIMENSIONS)
    sql = f"""
        {source.prefix}
        SELECT {"".join(s + ", " for s in select)} {measures}
        FROM {source.relation}
        WHERE {only} AND {where}
        {"GROUP BY " + ", ".join(names) + " ORDER BY " + ", ".join(names) if dims else ""}
    """
    return dims, rows(store, sql, [*source.params, *params], source.tables)


# --- hand-offs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HandOffs:
    """Requests held by more than one worker. ``can_show`` counts the requests where a
    hand-off could show at all: more than one conversation naming a worker. Where the data
    has one conversation row per request (usual practice's assessment, often) it is 0 and the
    share is not recorded rather than 0%; None when not counted."""

    group: dict[str, str]
    requests_with_worker: int  # requests where at least one conversation names a worker
    more_than_one_worker: int
    can_show: int | None = None

    @property
    def recorded(self) -> bool:
        return self.can_show is None or self.can_show > 0

    @property
    def share(self) -> float | None:
        if not self.recorded:
            return None
        return percent(self.more_than_one_worker, self.requests_with_worker)


def hand_offs(
    store: Store, selection: Selection | None = None, by: Iterable[str] = ()
) -> list[HandOffs]:
    """Share of requests held by more than one distinct worker, among requests with a worker
    recorded (a request with no worker_id says nothing either way)."""
    dims, found = _per_request(
        store,
        selection,
        by,
        "count(*) FILTER (WHERE has_worker), count(*) FILTER (WHERE several_workers), "
        "count(*) FILTER (WHERE rows_with_worker > 1)",
    )
    n = len(dims)
    return [
        HandOffs(group_of(dims, r), int(r[n]), int(r[n + 1]), can_show=int(r[n + 2])) for r in found
    ]


# --- the flow, the wait and the hand-offs together -----------------------------------------


@dataclass(frozen=True)
class RequestActivity:
    """Per group: the flow, the wait (as ``waiting_time``) and hand-offs (as ``hand_offs``)."""

    flow: list[Flow]
    waiting: list[Duration]
    handoffs: list[HandOffs]


def request_activity(
    store: Store,
    selection: Selection | None = None,
    by: Iterable[str] = (),
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> RequestActivity:
    """The flow, ``waiting_time(store, selection, by)`` and ``hand_offs(store, selection, by)``
    from one query: the table of requests is built once, not three times.

    The groups are every group with a request; the wait leaves out (as ``waiting_time`` does)
    a group none of whose requests has a usable request date, unless ``by`` is empty.
    """
    waited = "requested_on IS NOT NULL AND requested_on <= first_started"
    wait = "date_diff('day', requested_on, first_started)"
    dims, grouped = _per_request(
        store,
        selection,
        by,
        f"""count(*),
            count(*) FILTER (WHERE request_type = 'new'),
            count(*) FILTER (WHERE request_type = 'new' AND led_to_lts),
            count(*) FILTER (WHERE had_conversation_2),
            count(*) FILTER (WHERE had_conversation_3),
            count(*) FILTER (WHERE {waited}),
            quantile_cont({wait}, 0.5) FILTER (WHERE {waited}),
            quantile_cont({wait}, 0.9) FILTER (WHERE {waited}),
            count(*) FILTER (WHERE has_worker),
            count(*) FILTER (WHERE several_workers),
            count(*) FILTER (WHERE request_type = 'new' AND ended_on IS NULL),
            count(*) FILTER (WHERE rows_with_worker > 1)""",
    )
    found = RequestActivity([], [], [])
    for r in grouped:
        group = group_of(dims, r)
        n = len(dims)
        flow = Flow(
            group, *(int(v) for v in r[n : n + 5]), new_underway=int(r[n + 10]), threshold=threshold
        )
        found.flow.append(flow)
        if r[n + 5] or not dims:
            found.waiting.append(duration(dims, (*r[:n], *r[n + 5 : n + 8])))
        found.handoffs.append(
            HandOffs(dict(group), int(r[n + 8]), int(r[n + 9]), can_show=int(r[n + 11]))
        )
    return found
