"""Like for like with usual practice: conversion and cost change, directly standardised.

A site that sees younger people, or more people needing physical support, shows lower
conversion into long-term support and smaller cost rises whatever it does. Direct
standardisation asks what each group's figure would be with usual practice's mix of people:
the group's own figure in each stratum (65+ needing memory and cognition support, say),
weighted by usual practice's share of requests in that stratum. What difference survives is
not the mix of the fields chosen (nothing adjusts for what the data does not record).

* **Strata**: every combination of the chosen fields (default age band × support reason); a
  blank value is a stratum of its own, "(not given)".
* **Left out of both sides** (and named): a stratum one side lacks, and one where either side
  has fewer than ``threshold`` requests (the small-number rule: no rate or average rests on
  fewer than 5). The weights are usual practice's shares of the strata kept. A group with no
  stratum left to compare is too small to compare.
* **Conversion** (new requests): Σ w·p with Price and Bonett's adjusted Wald interval for a
  linear function of proportions (``intervals.linear_proportions_interval``), for the rate and
  for its difference from usual practice on the same strata. The normal approximation
  Σ w² p(1−p)/n covers 80–90% with strata of 5–20 requests at rates near 5%; the coverage
  simulation in ``tests/measures/test_standardise.py`` holds this one near 95%.
* **Cost change** (completed requests, Harrow's method): Σ w·mean with variance Σ w² s²/n and
  Welch–Satterthwaite degrees of freedom (``intervals.linear_means_interval``): the Cost
  change page's t interval for one column, generalised to a weighted sum.
* Figures are exact fractions until they leave here, so a group with usual practice's rate in
  every stratum has exactly usual practice's standardised rate, and a difference of exactly 0.

The counts per stratum come from one SQL query over the request roll-up (for cost change,
over Harrow's classed requests); only groups × strata cells reach Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

from evaluation.core.vocabulary import USUAL_PRACTICE, USUAL_PRACTICE_ALL_SITES
from evaluation.measures import conversion, cost_change
from evaluation.measures.costing import classified, costed_source
from evaluation.measures.selection import Selection
from evaluation.measures.strata import CONVERSION, COST_CHANGE, Cell, Standardised, compare
from evaluation.measures.suppression import DEFAULT_THRESHOLD, check_threshold
from evaluation.store.connection import Store
from evaluation.store.query import rows

DEFAULT_STRATA = ("age_band", "support_reason")
# The fields a comparison can be standardised across (each a request column, as SQL).
STRATA = {
    name: conversion.DIMENSIONS[name]
    for name in ("age_band", "support_reason", "request_type", "cohort", "area")
}


def check_strata(fields: Iterable[str]) -> tuple[str, ...]:
    """The fields to standardise across, checked (they become SQL through ``STRATA``)."""
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in fields if f.strip()))
    unknown = [f for f in chosen if f not in STRATA]
    if unknown or not chosen:
        raise ValueError(
            f"can't standardise across {', '.join(unknown) or 'nothing'}: choose one or more "
            f"of {', '.join(STRATA)}"
        )
    return chosen


def reference_for(selection: Selection) -> tuple[Selection, str]:
    """Usual practice within the selection (its sites, period, cohorts and areas)."""
    return replace(selection, approaches=(USUAL_PRACTICE,)), USUAL_PRACTICE


def _everywhere(selection: Selection) -> tuple[Selection, str]:
    """Usual practice at every site: for sites that have none of their own."""
    return replace(selection, sites=(), approaches=(USUAL_PRACTICE,)), USUAL_PRACTICE_ALL_SITES


def _common(selection: Selection, reference: Selection) -> Selection:
    """What both sides share, to narrow the roll-up: the period, when it is the same."""
    if (selection.date_from, selection.date_to) != (reference.date_from, reference.date_to):
        return Selection()
    return Selection(date_from=selection.date_from, date_to=selection.date_to)


Cells = dict[tuple[Any, ...], dict[tuple[str, ...], Cell]]


def _cells(found: Sequence[Sequence[Any]], width: int) -> tuple[Cells, dict[tuple[str, ...], Cell]]:
    """Rows of (group values…, stratum values…, in group, in reference, n, total, squares)
    as each group's cells and the reference's (summed over its groups)."""
    groups: Cells = {}
    reference: dict[tuple[str, ...], Cell] = {}
    for row in found:
        key, stratum = tuple(row[:width]), tuple(str(v) for v in row[width:-5])
        in_group, in_reference, n, total, squares = row[-5:]
        cell = Cell(int(n), Fraction(total or 0), float(squares or 0.0))
        if in_group:
            cells = groups.setdefault(key, {})
            cells[stratum] = cells.get(stratum, Cell()) + cell
        if in_reference:
            reference[stratum] = reference.get(stratum, Cell()) + cell
    return groups, reference


def _columns(by: Sequence[str], fields: Sequence[str], expression: dict[str, str]) -> str:
    groups = [f"{expression[d]} AS g{i}" for i, d in enumerate(by)]
    strata = [f"{STRATA[f]} AS s{i}" for i, f in enumerate(fields)]
    return "".join(f"{c}, " for c in [*groups, *strata])


def _conversion_cells(
    store: Store, selection: Selection, reference: Selection, by: tuple[str, ...], fields: tuple
) -> list[tuple[Any, ...]]:
    source = conversion.requests_source(store, _common(selection, reference))
    mine, mine_params = source.where(selection)
    usual, usual_params = source.where(reference)
    prefix, rows_params, tables = source.prefix, source.params, source.tables
    sql = f"""
        {prefix}
        SELECT {_columns(by, fields, conversion.DIMENSIONS)}
            ({mine}) AS in_group, ({usual}) AS in_reference,
            count(*), count(*) FILTER (WHERE led_to_lts), 0.0
        FROM {source.relation}
        WHERE request_type = 'new' AND (({mine}) OR ({usual}))
        GROUP BY ALL
    """
    both = [*mine_params, *usual_params]
    return rows(store, sql, [*rows_params, *both, *both], tables)


def _cost_cells(
    store: Store,
    selection: Selection,
    reference: Selection,
    by: tuple[str, ...],
    fields: tuple,
    as_of: date | None,
) -> list[tuple[Any, ...]]:
    source = costed_source(store, _common(selection, reference))
    classed, params = classified(source, as_of)
    mine, mine_params = source.where(selection)
    usual, usual_params = source.where(reference)
    raw = {k: k for k in cost_change.GROUP_KEYS}
    sql = f"""
        SELECT {_columns(by, fields, raw)}
            ({mine}) AS in_group, ({usual}) AS in_reference,
            count(*), sum(change), sum(change::DOUBLE * change::DOUBLE)
        FROM ({classed})
        WHERE change IS NOT NULL AND (({mine}) OR ({usual}))
        GROUP BY ALL
    """
    both = [*mine_params, *usual_params]
    return rows(store, sql, [*both, *params, *both], source.tables)


def _order(key: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, "" if v is None else str(v)) for v in key)


def _standardise(
    measure: str,
    fetch: Any,
    selection: Selection,
    by: tuple[str, ...],
    fields: tuple[str, ...],
    threshold: int,
    label: Any,
) -> Standardised:
    """Fetch the cells against usual practice in the selection; where the selection's sites
    have none (an innovation site on its own), against usual practice at every site."""
    reference, reference_label = reference_for(selection)
    groups, usual = _cells(fetch(selection, reference), len(by))
    if not usual and selection.sites:
        reference, reference_label = _everywhere(selection)
        groups, usual = _cells(fetch(selection, reference), len(by))
    compared = [
        compare(
            measure,
            dict(zip(by, key, strict=True)),
            label(by, key),
            cells,
            usual,
            fields,
            threshold,
        )
        for key, cells in sorted(groups.items(), key=lambda item: _order(item[0]))
    ]
    return Standardised(measure, by, fields, reference_label, usual, threshold, compared)


def standardised_conversion(
    store: Store,
    selection: Selection | None = None,
    by: Iterable[str] = ("approach",),
    fields: Iterable[str] = DEFAULT_STRATA,
    threshold: int = DEFAULT_THRESHOLD,
) -> Standardised:
    """Conversion of each group's new requests, standardised to usual practice's mix."""
    dims, strata = conversion.check_by(by), check_strata(fields)
    check_threshold(threshold)

    def fetch(mine: Selection, usual: Selection) -> list[tuple[Any, ...]]:
        return _conversion_cells(store, mine, usual, dims, strata)

    def label(by: tuple[str, ...], key: tuple[Any, ...]) -> str:
        return " / ".join(str(v) for v in key) if by else "All requests"

    return _standardise(CONVERSION, fetch, selection or Selection(), dims, strata, threshold, label)


def standardised_cost_change(
    store: Store,
    selection: Selection | None = None,
    by: Iterable[str] = ("approach",),
    fields: Iterable[str] = DEFAULT_STRATA,
    as_of: date | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> Standardised:
    """Harrow's average change in weekly cost of each group's completed requests,
    standardised to usual practice's mix of completed requests."""
    dims, strata = cost_change.check_by(tuple(by)), check_strata(fields)
    check_threshold(threshold)

    def fetch(mine: Selection, usual: Selection) -> list[tuple[Any, ...]]:
        return _cost_cells(store, mine, usual, dims, strata, as_of)

    def label(by: tuple[str, ...], key: tuple[Any, ...]) -> str:
        return cost_change.group_label(dict(zip(by, key, strict=True)))

    return _standardise(
        COST_CHANGE, fetch, selection or Selection(), dims, strata, threshold, label
    )
