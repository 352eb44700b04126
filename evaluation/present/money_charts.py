"""The Money page's new figures as people read them: direct payments by area and date
(Birmingham's table, and a chart of it), and reablement beside conversion.

Altair specs built from rows ``evaluation`` has already worked out (and hidden where too
few), as ``evaluation.present.charts`` builds its charts: the page shows them, the tests read
them. A group too small for a share shows its counts and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import altair as alt
import pandas as pd

from evaluation.measures.conversion import ConversionRow
from evaluation.measures.direct_payments import DirectPayments
from evaluation.present.formats import percent, uk_date
from evaluation.present.money import rate_cell

WIDTH = 460
FONT = "DejaVu Sans"


def share_cell(row: DirectPayments | None) -> str:
    """``36.7% (11 of 30)``; the counts and why when there is no share; "no one" when the
    group had nobody with long-term support that day."""
    if row is None or not row.people:
        return "no one with long-term support"
    if row.share is None:
        return f"hidden: {row.direct_payment:,} of {row.people:,} is too few"
    return f"{percent(row.share)} ({row.direct_payment:,} of {row.people:,})"


def direct_payment_rows(found: Sequence[DirectPayments], by: str = "area") -> list[dict[str, str]]:
    """Birmingham's layout: a row per group, a column per date."""
    days = sorted({r.on for r in found})
    table: dict[str, dict[date, DirectPayments]] = {}
    for row in found:
        table.setdefault(row.group.get(by, "All"), {})[row.on] = row
    return [
        {by.capitalize(): name, **{uk_date(d): share_cell(cells.get(d)) for d in days}}
        for name, cells in table.items()
    ]


def direct_payment_chart(found: Sequence[DirectPayments], by: str = "area") -> alt.Chart | None:
    """The share by direct payment per group, a bar for each date (groups with a share only)."""
    rows = [
        {
            "group": r.group.get(by, "All"),
            "date": uk_date(r.on),
            "order": r.on.isoformat(),
            "share": r.share,
            "people": r.people,
        }
        for r in found
        if r.share is not None
    ]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    dates = [d for _, d in sorted({(r["order"], r["date"]) for r in rows})]
    groups = len({r["group"] for r in rows})
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title="% of people with long-term support, by direct payment"),
            y=alt.Y("group:N", title=None),
            yOffset=alt.YOffset("date:N", sort=dates),
            color=alt.Color("date:N", title="On", sort=dates),
            tooltip=[
                alt.Tooltip("group:N", title=by.capitalize()),
                alt.Tooltip("date:N", title="On"),
                alt.Tooltip("share:Q", title="% direct payment", format=".1f"),
                alt.Tooltip("people:Q", title="People with long-term support"),
            ],
        )
        .properties(width=WIDTH, height=max(60, 18 * len(dates) * groups))
        .configure(font=FONT)
    )


def describe_direct_payments(found: Sequence[DirectPayments], by: str = "area") -> str:
    """The chart in words: each group's share on each date."""
    rows = direct_payment_rows(found, by)
    if not rows:
        return "Nobody had long-term support on the dates chosen."
    parts = []
    for row in rows:
        name = row.pop(by.capitalize())
        parts.append(f"{name}: " + ", ".join(f"{day} {text}" for day, text in row.items()))
    return "Share by direct payment — " + "; ".join(parts) + "."


def reablement_rows(rows: Sequence[ConversionRow]) -> list[dict[str, Any]]:
    """Reablement beside conversion, per group (Medway: 22 of 388, 5.6%, against 18%)."""
    return [
        {
            "Group": r.label.capitalize(),
            "New requests": r.new_requests,
            "Had reablement": r.reablement,
            "Reablement rate": rate_cell(r, r.reablement_rate),
            "Led to long-term support": r.long_term,
            "Conversion": rate_cell(r, r.conversion_rate),
        }
        for r in rows
    ]


def request_type_rows(rows: Sequence[ConversionRow]) -> list[dict[str, Any]]:
    """The flow by request type (new / existing) and approach: how many requests of each
    kind, how far they went, and conversion (of new requests only)."""
    return [
        {
            "Request type": r.group.get("request_type", ""),
            "Approach": r.group.get("approach", "").capitalize(),
            "Requests": r.requests,
            "Reached Conversation 2": r.reached_conversation_2,
            "Reached Conversation 3": r.reached_conversation_3,
            "New requests": r.new_requests,
            "Conversion": rate_cell(r, r.conversion_rate),
        }
        for r in rows
    ]
