"""Like for like with usual practice, in the Making it Happen summary and the pack.

The money section's last table: conversion and Harrow's average change in weekly cost for
three conversations, as they are and standardised to usual practice's mix of people by age
band and support reason, set against usual practice on the same mix, with the difference and
its 95% interval, and a sentence each saying what the evidence allows ("the data cannot tell
them apart", "too small to compare"). Every request that began up to the period's end
counts, as for Harrow's table: four weeks of requests are too few to compare like for like.
The figures are ``measures.standardise``'s, worded by ``present.compare``, and the commands
that print them are added to the section.
"""

from __future__ import annotations

from dataclasses import replace

from evaluation.core.vocabulary import THREE_CONVERSATIONS
from evaluation.measures.selection import Selection
from evaluation.measures.standardise import (
    DEFAULT_STRATA,
    standardised_conversion,
    standardised_cost_change,
)
from evaluation.measures.strata import Standardised
from evaluation.measures.suppression import DEFAULT_THRESHOLD
from evaluation.meeting.model import Period, Section, Table
from evaluation.meeting.wording import REPORT, site_options
from evaluation.present import compare as shown
from evaluation.present.formats import MISSING
from evaluation.store.connection import Store
from evaluation.store.figures import cached

MEASURES = ("Conversion into long-term support", "Average change in weekly cost")


def _row(label: str, result: Standardised) -> tuple[list[str], str]:
    """The table's row for one measure, and the sentence saying what it shows."""
    group = result.group([THREE_CONVERSATIONS])
    m = result.measure
    if group is None:
        return [label, MISSING, "no requests", "", ""], f"{label}: no three conversations requests."
    if group.too_small:
        return [label, shown.value_text(m, group.crude), shown.TOO_SMALL, "", ""], shown.verdict(
            group, result
        )
    return [
        label,
        shown.value_text(m, group.crude),
        f"{shown.value_text(m, group.standardised)} ({shown.interval_text(m, group.ci95)})",
        shown.value_text(m, group.reference_value),
        f"{shown.difference_text(m, group.difference)} "
        f"({shown.interval_text(m, group.difference_ci95, difference=True)})",
    ], shown.verdict(group, result)


def comparison(
    store: Store, sites: tuple[str, ...], period: Period, threshold: int = DEFAULT_THRESHOLD
) -> tuple[Table, list[str]]:
    """The like-for-like table (what it shows in its caption) and the commands that print
    its figures."""
    selection = Selection(sites=sites, date_to=period.end)
    # Kept on their own: every view with the same sites and end date shares them.
    results = (
        cached(store, standardised_conversion, selection, ("approach",), DEFAULT_STRATA, threshold),
        cached(
            store,
            standardised_cost_change,
            selection,
            ("approach",),
            DEFAULT_STRATA,
            None,
            threshold,
        ),
    )
    rows, sentences = zip(
        *(_row(m, r) for m, r in zip(MEASURES, results, strict=True)), strict=True
    )
    reference = results[0].reference_label
    table = Table(
        f"Like for like with usual practice: requests that began up to {period.end:%d/%m/%Y}",
        [
            "",
            "Three conversations",
            "Like for like (95% interval)",
            f"{reference.capitalize()}, same mix",
            "Difference (95% interval)",
        ],
        [list(r) for r in rows],
        " ".join([*sentences, shown.coverage_note(results[0])]),
    )
    options = f"--by approach{site_options(sites)} --to {period.end.isoformat()}"
    fields = ",".join(DEFAULT_STRATA)
    commands = [
        f"{REPORT} conversion {options} --standardise {fields}",
        f"{REPORT} cost-change {options} --standardise {fields}",
    ]
    return table, commands


def with_comparison(
    section: Section,
    store: Store,
    sites: tuple[str, ...],
    period: Period,
    threshold: int = DEFAULT_THRESHOLD,
) -> Section:
    """The money section with the like-for-like table and its commands added."""
    table, commands = comparison(store, sites, period, threshold)
    return replace(
        section, tables=[*section.tables, table], commands=[*section.commands, *commands]
    )
