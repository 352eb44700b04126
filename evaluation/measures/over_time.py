"""Difference over time against a comparison group: did a site's figures move more than usual
practice's when it changed approach?

For a site that changed approach on a date: the change in conversion (or in Harrow's average
change in weekly cost) at that site from before the date to after it, minus the change at the
usual-practice sites over the same two periods — a difference in differences. Whatever moved
everywhere (a hard winter, a new eligibility policy) is taken out, as long as the comparison
sites would have moved as the site did had it not changed (the assumption the page states).
The site's requests count whatever their approach; the comparison is every other site's
usual-practice requests. A request belongs to the period its first conversation began in.

The 95% interval is a percentile bootstrap: each of the four cells (site and comparison,
before and after) is resampled on its own, ``replicates`` times. Resampling n outcomes of 0
or 1 with replacement is one binomial draw of n at the cell's rate; resampling n requests'
weekly changes is one multinomial draw over the cell's distinct changes weighted by their
counts (counted in SQL), so the work grows with replicates × distinct values, never with
requests. The generator is numpy's, seeded (``SEED`` unless told), and the seed is part of
the result: the same data gives the same interval, and anyone can rerun it. Any cell with
fewer than ``threshold`` requests makes the comparison too small, with no figure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from evaluation.core.money import to_pence
from evaluation.core.vocabulary import THREE_CONVERSATIONS, USUAL_PRACTICE
from evaluation.measures.bootstrap import REPLICATES, SEED, mean_interval, rate_bootstrap
from evaluation.measures.conversion import requests_source
from evaluation.measures.costing import classified, costed_source
from evaluation.measures.requests import Source
from evaluation.measures.selection import Selection
from evaluation.measures.strata import CONVERSION, COST_CHANGE
from evaluation.measures.suppression import DEFAULT_THRESHOLD, check_threshold
from evaluation.store.connection import Store
from evaluation.store.figures import cached
from evaluation.store.query import column, one, rows

CELLS = ("site before", "site after", "comparison before", "comparison after")


@dataclass(frozen=True)
class Cell:
    """One side in one period: its requests, and its rate (%) or average change (£) — none
    when it rests on fewer requests than the small-number threshold."""

    requests: int
    value: float | Decimal | None


@dataclass(frozen=True)
class OverTime:
    """The difference in differences, its bootstrap interval and what it rests on.

    Conversion in percentages and points; cost change in pounds to the penny.
    """

    measure: str
    site: str  # as the store spells it
    changed_on: date
    date_from: date | None
    date_to: date | None
    comparison_sites: tuple[str, ...]
    cells: dict[str, Cell]
    seed: int
    replicates: int
    threshold: int
    too_small: tuple[str, ...]  # the cells with fewer than ``threshold`` requests
    site_change: float | Decimal | None = None
    comparison_change: float | Decimal | None = None
    difference: float | Decimal | None = None
    ci95: tuple[Any, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        count = "new_requests" if self.measure == CONVERSION else "completed"
        value = "rate" if self.measure == CONVERSION else "mean_weekly_change"
        return {
            "measure": self.measure,
            "cells": {
                name.replace(" ", "_"): {count: c.requests, value: c.value}
                for name, c in self.cells.items()
            },
            "site_change": self.site_change,
            "comparison_change": self.comparison_change,
            "difference": self.difference,
            "ci95": list(self.ci95) if self.ci95 else None,
            "too_small": list(self.too_small),
        }


def resolve_site(store: Store, site: str) -> str:
    """The store's spelling of ``site`` (case and spaces ignored); ValueError naming the
    sites it has when there is no such site."""
    found = column(
        store,
        "SELECT DISTINCT site FROM conversations WHERE lower(trim(site)) = ? ORDER BY site",
        [site.strip().lower()],
    )
    if not found:
        known = column(store, "SELECT DISTINCT site FROM conversations ORDER BY site")
        raise ValueError(
            f"no site called {site!r} in the store; the sites are: {', '.join(known) or 'none'}"
        )
    return str(found[0])


def changed_sites(store: Store) -> list[str]:
    """The sites with three-conversations requests: the ones that can have changed."""
    return column(
        store,
        "SELECT DISTINCT site FROM conversations WHERE approach = ? ORDER BY site",
        [THREE_CONVERSATIONS],
    )


def suggested_change(store: Store, site: str) -> date | None:
    """A first guess at the day ``site`` changed approach: its first three-conversations
    conversation when it had others before; otherwise the middle of its conversations."""
    first_new, first, last = one(
        store,
        "SELECT min(started_on) FILTER (WHERE approach = ?), min(started_on), max(started_on) "
        "FROM conversations WHERE lower(trim(site)) = ?",
        [THREE_CONVERSATIONS, site.strip().lower()],
    )
    if first is None:
        return None
    if first_new is not None and first_new > first:
        return first_new  # type: ignore[no-any-return]
    return first + timedelta(days=(last - first).days // 2)  # type: ignore[no-any-return]


def _scope(selection: Selection | None) -> Selection:
    """The period and the cohorts and areas; the sites and approaches are the method's own."""
    chosen = selection or Selection()
    return replace(chosen, sites=(), approaches=())


def _sides(site: str, source: Source) -> tuple[str, str, list[Any], list[Any]]:
    """SQL for "at the site", for "one of the two sides", and their parameters."""
    at_site, key = source.site_is(site)
    sides = f"({at_site} OR (approach = ? AND NOT {at_site}))"
    return at_site, sides, key, [*key, USUAL_PRACTICE, *key]


def _cell_name(at_site: bool, after: bool) -> str:
    return f"{'site' if at_site else 'comparison'} {'after' if after else 'before'}"


def _result(
    measure: str,
    site: str,
    changed_on: date,
    scope: Selection,
    sites: set[str],
    counts: dict[str, int],
    seed: int,
    replicates: int,
    threshold: int,
) -> OverTime:
    cells = {name: Cell(counts.get(name, 0), None) for name in CELLS}
    small = tuple(name for name in CELLS if cells[name].requests < threshold)
    return OverTime(
        measure,
        site,
        changed_on,
        scope.date_from,
        scope.date_to,
        tuple(sorted(s for s in sites if s != site)),
        cells,
        seed,
        replicates,
        threshold,
        small,
    )


def conversion_over_time(
    store: Store,
    site: str,
    changed_on: date,
    selection: Selection | None = None,
    *,
    seed: int = SEED,
    replicates: int = REPLICATES,
    threshold: int = DEFAULT_THRESHOLD,
) -> OverTime:
    """Conversion of new requests at ``site`` after ``changed_on`` less before, minus the same
    at the usual-practice sites; ``selection`` gives the period and any cohorts or areas."""
    check_threshold(threshold)
    name, scope = resolve_site(store, site), _scope(selection)
    # Kept per version of the data on what it depends on: a page's new choice of sites or
    # approaches (not part of the method's scope) finds it worked out.
    return cached(store, _conversion_over_time, name, changed_on, scope, seed, replicates,
                  threshold)  # fmt: skip


def _conversion_over_time(
    store: Store,
    name: str,
    changed_on: date,
    scope: Selection,
    seed: int,
    replicates: int,
    threshold: int,
) -> OverTime:
    source = requests_source(store, scope)
    where, params = source.where(scope)
    at_site, sides, site_params, side_params = _sides(name, source)
    found = rows(
        store,
        f"""
        {source.prefix}
        SELECT {at_site} AS at_site, first_started >= ? AS after, count(*),
               count(*) FILTER (WHERE led_to_lts), list(DISTINCT site)
        FROM {source.relation}
        WHERE request_type = 'new' AND {where} AND {sides}
        GROUP BY ALL
        """,
        [*source.params, *site_params, changed_on, *params, *side_params],
        source.tables,
    )
    counts = {_cell_name(a, b): int(n) for a, b, n, _, _ in found}
    hits = {_cell_name(a, b): int(x) for a, b, _, x, _ in found}
    sites = {s for *_, listed in found for s in listed}
    result = _result(
        CONVERSION, name, changed_on, scope, sites, counts, seed, replicates, threshold
    )
    rates = {k: Fraction(hits[k], n) for k, n in counts.items() if n}
    cells = {
        k: Cell(c.requests, float(100 * rates[k]) if c.requests >= threshold else None)
        for k, c in result.cells.items()
    }
    result = replace(result, cells=cells)
    if result.too_small:
        return result
    site_change = rates["site after"] - rates["site before"]
    comparison_change = rates["comparison after"] - rates["comparison before"]
    low, high = rate_bootstrap([(hits[k], counts[k]) for k in CELLS], seed, replicates)
    return replace(
        result,
        site_change=float(100 * site_change),
        comparison_change=float(100 * comparison_change),
        difference=float(100 * (site_change - comparison_change)),
        ci95=(float(low), float(high)),
    )


def _pence(value: Fraction | float) -> Decimal:
    if isinstance(value, Fraction):
        return to_pence(Decimal(value.numerator) / Decimal(value.denominator))
    return to_pence(Decimal(repr(value)))


def cost_over_time(
    store: Store,
    site: str,
    changed_on: date,
    selection: Selection | None = None,
    *,
    as_of: date | None = None,
    seed: int = SEED,
    replicates: int = REPLICATES,
    threshold: int = DEFAULT_THRESHOLD,
) -> OverTime:
    """Harrow's average change in weekly cost (completed requests) at ``site`` after
    ``changed_on`` less before, minus the same at the usual-practice sites."""
    check_threshold(threshold)
    name, scope = resolve_site(store, site), _scope(selection)
    # Kept as conversion's is: the bootstrap is most of its time at a million conversations.
    return cached(store, _cost_over_time, name, changed_on, scope, as_of, seed, replicates,
                  threshold)  # fmt: skip


def _cost_over_time(
    store: Store,
    name: str,
    changed_on: date,
    scope: Selection,
    as_of: date | None,
    seed: int,
    replicates: int,
    threshold: int,
) -> OverTime:
    values, sites = cost_cells(store, name, changed_on, scope, as_of)
    counts = {k: sum(n for _, n in v) for k, v in values.items()}
    result = _result(
        COST_CHANGE, name, changed_on, scope, sites, counts, seed, replicates, threshold
    )
    means = {
        k: sum((Fraction(c) * n for c, n in v), Fraction(0)) / counts[k]
        for k, v in values.items()
        if counts[k]
    }
    cells = {
        k: Cell(c.requests, _pence(means[k]) if c.requests >= threshold else None)
        for k, c in result.cells.items()
    }
    result = replace(result, cells=cells)
    if result.too_small:
        return result
    low, high = mean_interval(store, [values[k] for k in CELLS], seed, replicates)
    site_change = means["site after"] - means["site before"]
    comparison_change = means["comparison after"] - means["comparison before"]
    return replace(
        result,
        site_change=_pence(site_change),
        comparison_change=_pence(comparison_change),
        difference=_pence(site_change - comparison_change),
        ci95=(_pence(float(low)), _pence(float(high))),
    )


def cost_cells(
    store: Store, name: str, changed_on: date, scope: Selection, as_of: date | None
) -> tuple[dict[str, list[tuple[Decimal, int]]], set[str]]:
    """Each of the four groups' distinct weekly changes with how many requests had each, and
    the sites counted (``cost_over_time``'s inputs to its bootstrap)."""
    source = costed_source(store, scope)
    classed, params = classified(source, as_of)
    at_site, sides, site_params, side_params = _sides(name, source)
    found = rows(
        store,
        f"""
        SELECT {at_site} AS at_site, first_started >= ? AS after, change, count(*),
               list(DISTINCT site)
        FROM ({classed})
        WHERE change IS NOT NULL AND {sides}
        GROUP BY ALL
        ORDER BY ALL
        """,
        [*site_params, changed_on, *params, *side_params],
        source.tables,
    )
    values: dict[str, list[tuple[Decimal, int]]] = {k: [] for k in CELLS}
    sites: set[str] = set()
    for a, b, change, n, listed in found:
        values[_cell_name(a, b)].append((Decimal(change), int(n)))
        sites.update(listed)
    return values, sites
