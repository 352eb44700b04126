"""The requests behind one cell of Harrow's table: the drill-down for admins and site leads.

One group's key and one class (``increase`` … ``excluded``) select the costed, classed
requests (``evaluation.measures.costing``) behind a figure, each with the dates, costs and
flags that say why it is in that class (``present.cost_tables.reason`` words them). Person
ids are the store's pseudonyms; the page lists them only for roles that may see people.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from evaluation.measures.cost_change import check_by
from evaluation.measures.costing import CLASSES, classified_sql, costed_sql
from evaluation.measures.selection import Selection
from evaluation.store.connection import Store
from evaluation.store.query import dicts


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
    ``Decimal`` pounds to the penny. ``present.cost_tables.reason`` words why each request
    is ongoing or excluded.
    """
    costed, params = costed_sql(selection or Selection())
    sql, params = classified_sql(costed, params, as_of)
    where, extra = _group_filter(key, klass)
    order = ", ".join(f"'{c}'" for c in CLASSES)
    query = f"""
        SELECT person_id, request_label AS request_id, site, approach, cohort, area,
               conversations, first_started AS first_started_on, last_ended_on, d0, d1,
               cost_before, cost_after, change, class, cost_source, as_of, underway,
               stopped_d0, stopped_d1, marked_suspended, died_on
        FROM ({sql}) WHERE {where}
        ORDER BY list_position([{order}], class), first_started, request_label, request_key
        {"LIMIT ?" if limit is not None else ""}
    """
    return dicts(store, query, [*params, *extra, *([limit] if limit is not None else [])])
