"""The Money and resources page's figures as people read them: conversion, the area table,
people a week, repeat requests and the estimate of cost avoided."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from evaluation.measures.conversion import ConversionRow, Flow
from evaluation.measures.cost_avoided import CostAvoided
from evaluation.measures.weekly import BeforeAfter
from evaluation.present.formats import (
    interval,
    number,
    percent,
    pounds_thousands,
    uk_date,
)
from evaluation.store.regional import RegionalFigure


def rate_cell(row: Flow, value: float | None, places: int = 2) -> str:
    """A rate as written, or why there is none: "not known yet", "hidden", "no new requests"."""
    why = row.why_no_rate
    if why is None:
        return percent(value, places)
    if row.small:
        return "hidden"
    return "not known yet" if row.new_requests else why


def interval_cell(row: ConversionRow, places: int = 2) -> str:
    return interval(row.conversion_ci95, places) if row.why_no_rate is None else rate_cell(row, 0)


def underway_note(row: Flow) -> str:
    """ "provisional: 25 of 31 still underway" (or just how many are), "" when none is."""
    if not row.new_underway:
        return ""
    text = f"{row.new_underway:,} of {row.new_requests:,} still underway"
    return f"provisional: {text}" if row.provisional else text


def conversion_metric(row: ConversionRow, label: str) -> tuple[str, str, str]:
    """(label, rate, what it rests on) for a headline metric; the reason when no rate."""
    counts = f"{row.long_term:,} of {row.new_requests:,} new requests led to long-term support"
    why = row.why_no_rate
    if why is not None:
        return label, rate_cell(row, None), f"{counts} ({why})."
    underway = underway_note(row)
    underway = f"; {underway}" if underway else ""
    return (
        label,
        percent(row.conversion_rate, 2),
        f"{counts} (95% interval {interval(row.conversion_ci95)}){underway}.",
    )


def site_rows(rows: Sequence[ConversionRow]) -> list[dict[str, Any]]:
    """Conversion, the flow and repeats by site and approach."""
    return [
        {
            "Site": r.group["site"],
            "Approach": r.group["approach"].capitalize(),
            "New requests": r.new_requests,
            "Led to long-term support": r.long_term,
            "Conversion": rate_cell(r, r.conversion_rate),
            "95% interval": interval_cell(r),
            "Reached Conversation 2": r.reached_conversation_2,
            "Reached Conversation 3": r.reached_conversation_3,
            "Repeat requests": r.repeat_requests,
            "Repeat rate": rate_cell(r, r.repeat_rate),
        }
        for r in rows
    ]


def area_rows(rows: Sequence[ConversionRow], overall: ConversionRow) -> list[dict[str, Any]]:
    """Birmingham's table: long-term support for new requests by area, then the total."""

    def line(area: str, r: ConversionRow) -> dict[str, Any]:
        return {
            "Area": area,
            "Requests for support": r.new_requests,
            "Long-term support": r.long_term,
            "No long-term support": r.no_long_term,
            "% long-term": rate_cell(r, r.conversion_rate, 1),
            "95% interval": interval_cell(r, 1),
        }

    return [*(line(r.group["area"], r) for r in rows), line("Total", overall)]


def per_week(compared: BeforeAfter, change: date) -> list[tuple[str, str, str]]:
    """People a week before and after the day compared, as metrics."""
    return [
        (
            "Before: people a week",
            number(compared.per_week_before, 1),
            f"Mean over {compared.weeks_before} week(s) before {uk_date(change)}.",
        ),
        (
            "After: people a week",
            number(compared.per_week_after, 1),
            f"Mean over {compared.weeks_after} week(s) from {uk_date(change)}.",
        ),
    ]


def repeat_metric(row: ConversionRow) -> tuple[str, str, str]:
    base = f"{row.repeat_requests:,} of {row.new_requests:,} new requests"
    why = row.why_no_rate
    return (
        f"Repeat rate — {row.group['approach']}",
        rate_cell(row, row.repeat_rate),
        f"{base} ({why})." if why else f"{base}.{repeat_flag(row, ' ')}",
    )


def repeat_flag(row: ConversionRow, lead: str = "") -> str:
    """The warning when the store can't hold a full year before some requests ("" if not)."""
    if not row.repeat_unsure:
        return ""
    return (
        f"{lead}May be too low: {row.repeat_unsure:,} of {row.new_requests:,} new requests "
        "began less than a year after the first conversation in the store, so an earlier "
        "request that would make them a repeat may be missing."
    )


def baseline_interval(usual: ConversionRow | None, baseline: Decimal) -> tuple[float, float] | None:
    """Usual practice's interval when the baseline is usual practice's own rate (as shown,
    to 2 places); None when the baseline was typed in."""
    if usual is None or usual.conversion_rate is None or usual.conversion_ci95 is None:
        return None
    shown = Decimal(percent(usual.conversion_rate, 2).rstrip("%"))
    return usual.conversion_ci95 if shown == baseline else None


def no_estimate(current: ConversionRow | None) -> str:
    """Why there is no estimate of cost avoided."""
    if current is None or not current.new_requests:
        return "No new requests under three conversations in this selection to estimate from."
    return (
        "No conversion rate under three conversations to estimate from in this selection "
        f"({current.why_no_rate})."
    )


def _people(value: Decimal) -> str:
    return number(value, 0)


def avoided_metrics(
    estimate: CostAvoided, current: ConversionRow, baseline: Decimal
) -> list[tuple[str, str, str | None]]:
    """Fewer people needing long-term support and the cost avoided a year, rounded to whole
    people and to £1,000 as befits an estimate, each with its range."""
    expected = baseline / 100 * current.new_requests
    low, high = estimate.people_range
    year_low, year_high = estimate.per_year_range
    return [
        (
            "Fewer people needing long-term support (estimate)",
            f"about {_people(estimate.people_avoided)}",
            f"{baseline:.2f}% of {current.new_requests:,} new requests would be about "
            f"{_people(expected)} people; {current.long_term:,} did need it. Range "
            f"{_people(low)} to {_people(high)} from the rates' 95% intervals.",
        ),
        (
            "Cost avoided a year (estimate)",
            f"about {pounds_thousands(estimate.per_year)}",
            f"Range {pounds_thousands(year_low)} to {pounds_thousands(year_high)} a year, from "
            "the rates' 95% intervals; a year is 52 weeks.",
        ),
    ]


def avoided_caption(current: ConversionRow, baseline: Decimal, weekly_cost: Decimal) -> str:
    rate = percent(current.conversion_rate, 2) if current.conversion_rate is not None else "–"
    return (
        f"Estimate = (baseline {baseline:.2f}% − current {rate}) × {current.new_requests:,} "
        f"new requests × £{weekly_cost:,.2f} a week; a year is 52 weeks. It assumes each "
        "person avoided would have had an average package for the whole period and that "
        "nothing else changed: treat it as an order of size, not a budget line. "
        + AVOIDED_AND_COST_CHANGE
    )


AVOIDED_AND_COST_CHANGE = (
    "It is not the cost change on the Cost change page: that measures what happened to the "
    "weekly cost of care of the people who had conversations, this prices people who did "
    "not start long-term support at all, so the two overlap and must not be added together."
)


def regional_rows(figures: Sequence[RegionalFigure]) -> list[dict[str, Any]]:
    """The stored regional figures as a table."""
    return [
        {"Year": f.year, "Measure": f.measure, "Council": f.council_value, "Region": f.region_value}
        for f in figures
    ]
