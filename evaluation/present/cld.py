"""What a CLD extract held, as the Upload page and the command line show it before import.

Four short tables: the rows by Event Type; the rows skipped and why; what the import makes of
the rest (requests, conversations by number, care packages, costs not recorded, sites); and
the quirks handled as DHSC does, with the values seen. Every count goes through
``formats.count``.
"""

from __future__ import annotations

from typing import Any

from evaluation.ingest.cld_settings import CldSettings
from evaluation.ingest.cld_summary import OTHER_CLIENT, OTHER_SERVICE, CldSummary
from evaluation.present.formats import count

Rows = list[dict[str, Any]]


def event_rows(summary: CldSummary) -> Rows:
    rows = [{"Event Type": kind, "Rows": count(n)} for kind, n in summary.by_event_type.items()]
    return [*rows, {"Event Type": "All rows", "Rows": count(summary.rows)}]


def skipped_rows(summary: CldSummary) -> Rows:
    """Each reason a row was left out, with the values seen where they explain it."""
    seen = {
        OTHER_CLIENT: summary.other_client_types,
        OTHER_SERVICE: summary.other_service_types,
    }
    rows = []
    for reason, n in summary.skipped.items():
        values = seen.get(reason)
        shown = f"{reason}: {_values(values)}" if values else reason
        rows.append({"Left out": shown, "Rows": count(n)})
    return rows or [{"Left out": "nothing: every row is used", "Rows": count(0)}]


def _each(what: str, counts: dict[str, int]) -> Rows:
    return [{"What": what.format(key), "How many": count(n)} for key, n in counts.items()]


def made_rows(summary: CldSummary) -> Rows:
    """Requests, conversations, packages and sites the import makes."""
    rows = [{"What": "people", "How many": count(summary.people)}]
    rows += _each("requests: {}", summary.requests)
    rows += _each("requests: {} (request type)", summary.request_types)
    rows += _each("conversations: {}", summary.conversations)
    rows += _each("care packages: {}", summary.packages)
    rows += _each("care packages whose cost is not recorded: {}", summary.not_recorded) or [
        {"What": "care packages whose cost is not recorded", "How many": count(0)}
    ]
    rows += _each("requests at {}", summary.sites)
    extra = {
        "requests without a postcode district": summary.no_area,
        "requests without an age band (no date of birth, or under 18)": summary.no_age_band,
    }
    return rows + _each("{}", {what: n for what, n in extra.items() if n})


def quirk_rows(summary: CldSummary) -> Rows:
    """What real submissions carry and DHSC's code takes in its stride."""
    rows = []
    if summary.negative_costs:
        rows.append(
            {
                "Handled": "negative Unit Cost, taken as its size (as DHSC does)",
                "Rows": count(summary.negative_costs),
            }
        )
    if summary.unknown_frequencies:
        rows.append(
            {
                "Handled": "Cost Frequency outside DHSC's list, so the cost is not recorded: "
                + _values(summary.unknown_frequencies),
                "Rows": count(sum(summary.unknown_frequencies.values())),
            }
        )
    return rows


def _values(values: dict[str, int]) -> str:
    return ", ".join(f"'{value}' ({count(n)})" for value, n in values.items())


SECTIONS = (
    ("Rows by Event Type", event_rows),
    ("Rows left out, and why", skipped_rows),
    ("What the import makes", made_rows),
    ("Quirks handled as DHSC does", quirk_rows),
)


def sections(summary: CldSummary) -> list[tuple[str, Rows]]:
    """(heading, rows) for each table that has rows."""
    found = [(heading, make(summary)) for heading, make in SECTIONS]
    return [(heading, rows) for heading, rows in found if rows]


def summary_text(summary: CldSummary) -> str:
    """The same tables as plain lines, for the command line."""
    lines = []
    for heading, rows in sections(summary):
        lines.append(f"{heading}:")
        for row in rows:
            label, figure = list(row.values())
            lines.append(f"  {figure:>9}  {label}")
    return "\n".join(lines)


def settings_text(chosen: CldSettings) -> str:
    """The sites and patterns an import used, in words."""
    sites = "; ".join(f"{site}: {', '.join(d)}" for site, d in chosen.sites)
    patterns = ", ".join(p if n is None else f"{p} (= {n})" for p, n in chosen.patterns)
    return (
        f"Sites by postcode district — {sites}; everyone else at 'Rest of the council'. "
        f"Conversation marks in Event Description (capitals ignored): {patterns}."
    )
