"""The Money and resources page's figures as people read them: conversion, the area table,
people a week, repeat requests and the estimate of cost avoided."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from evaluation.measures.conversion import ConversionRow
from evaluation.measures.cost_avoided import CostAvoided
from evaluation.measures.weekly import BeforeAfter
from evaluation.present.formats import interval, number, percent, pounds, uk_date
from evaluation.store.regional import RegionalFigure


def conversion_metric(row: ConversionRow, label: str) -> tuple[str, str, str]:
    """(label, rate, what it rests on) for a headline metric."""
    return (
        label,
        percent(row.conversion_rate, 2),
        f"{row.long_term:,} of {row.new_requests:,} new requests led to long-term support "
        f"(95% interval {interval(row.conversion_ci95)}).",
    )


# What the conversion table can be split by, beside approach: the like-for-like fields a CLD
# extract brings (request type, age band, primary support reason) and the export's own.
SPLITS = {
    "site": "Site",
    "request_type": "Request type",
    "age_band": "Age band",
    "support_reason": "Primary support reason",
    "cohort": "Cohort",
}


def site_rows(rows: Sequence[ConversionRow], by: str = "site") -> list[dict[str, Any]]:
    """Conversion, the flow and repeats by site (or another of ``SPLITS``) and approach."""
    return [
        {
            SPLITS[by]: r.group[by],
            "Approach": r.group["approach"].capitalize(),
            "New requests": r.new_requests,
            "Led to long-term support": r.long_term,
            "Conversion": percent(r.conversion_rate, 2),
            "95% interval": interval(r.conversion_ci95),
            "Reached Conversation 2": r.reached_conversation_2,
            "Reached Conversation 3": r.reached_conversation_3,
            "Repeat requests": r.repeat_requests,
            "Repeat rate": percent(r.repeat_rate, 2),
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
            "% long-term": percent(r.conversion_rate, 1),
            "95% interval": interval(r.conversion_ci95, 1),
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
    return (
        f"Repeat rate — {row.group['approach']}",
        percent(row.repeat_rate, 2),
        f"{row.repeat_requests:,} of {row.new_requests:,} new requests.",
    )


def avoided_metrics(
    estimate: CostAvoided, current: ConversionRow, baseline: Decimal
) -> list[tuple[str, str, str | None]]:
    """Fewer people needing long-term support, and the cost avoided a week and a year."""
    expected = baseline / 100 * current.new_requests
    return [
        (
            "Fewer people needing long-term support",
            f"{estimate.people_avoided:,.2f}",
            f"{baseline:.2f}% of {current.new_requests:,} new requests would be "
            f"{expected:,.2f} people; {current.long_term:,} did need it.",
        ),
        ("Cost avoided a week (estimate)", pounds(estimate.per_week), None),
        ("Cost avoided a year (estimate, × 52)", pounds(estimate.per_year), None),
    ]


def avoided_caption(current: ConversionRow, baseline: Decimal, weekly_cost: Decimal) -> str:
    return (
        f"Estimate = (baseline {baseline:.2f}% − current {percent(current.conversion_rate, 2)}) "
        f"× {current.new_requests:,} new requests × £{weekly_cost:,.2f} a week; a year is 52 "
        "weeks. It assumes each person avoided would have had an average package for the whole "
        "period and that nothing else changed: treat it as an order of size, not a budget line."
    )


def regional_rows(figures: Sequence[RegionalFigure]) -> list[dict[str, Any]]:
    """The stored regional figures as a table."""
    return [
        {"Year": f.year, "Measure": f.measure, "Council": f.council_value, "Region": f.region_value}
        for f in figures
    ]
