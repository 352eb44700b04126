"""The Conversations page's figures as people read them: the flow, the Conversation 1
"bulge", how long things take and hand-offs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from evaluation.measures.activity import (
    AGE_BANDS,
    OLDER_THAN_DAYS,
    Duration,
    OlderFirstConversations,
    UnderwayRow,
)
from evaluation.measures.conversion import Flow
from evaluation.measures.flow import HandOffs
from evaluation.present.formats import days, percent, uk_date


def older_note(older: OlderFirstConversations) -> str | None:
    """The note raised when older Conversation 1s are growing week on week, else None."""
    if not older.growing:
        return None
    return (
        f"Conversation 1s underway for more than {OLDER_THAN_DAYS} days rose from "
        f"{older.week_before} on {uk_date(older.as_of - timedelta(days=7))} to {older.now} on "
        f"{uk_date(older.as_of)}. First conversations are starting faster than they finish: "
        "worth raising at the Reflection or Making it Happen meeting."
    )


def older_caption(older: OlderFirstConversations) -> str:
    """The line under the bulge chart when older Conversation 1s are not growing."""
    return (
        f"Conversation 1s underway for more than {OLDER_THAN_DAYS} days: {older.now} now, "
        f"{older.week_before} a week earlier — not growing."
    )


def flow_stages(flow: Flow) -> list[tuple[str, int, str]]:
    """From Conversation 1 to 2 to 3 and to long-term support: (stage, requests, base)."""
    return [
        ("Conversation 1", flow.requests, "requests for support"),
        ("Reached Conversation 2", flow.reached_conversation_2, "requests"),
        ("Reached Conversation 3", flow.reached_conversation_3, "requests"),
        ("Led to long-term support", flow.long_term, f"of {flow.new_requests:,} new requests"),
    ]


def flow_caption(flow: Flow) -> str:
    return (
        "A request reached Conversation 2 when its furthest conversation was 2 or 3, and "
        "Conversation 3 when it was 3. Long-term support counts new requests only "
        f"({percent(flow.conversion_rate)} of them)."
    )


def underway_rows(rows: Sequence[UnderwayRow]) -> list[dict[str, Any]]:
    """Conversations underway: a row per conversation number, a column per age, a total."""
    bands = [b[0] for b in AGE_BANDS]
    table: dict[str, dict[str, int]] = {}
    for r in rows:
        table.setdefault(r.conversation, dict.fromkeys(bands, 0))[r.band] = r.count
    return [
        {"Conversation": label, **counts, "Total": sum(counts.values())}
        for label, counts in sorted(table.items())
    ]


def complete_rows(durations: Sequence[Duration]) -> list[dict[str, Any]]:
    """Time to complete a conversation, per conversation."""
    return [
        {
            "Conversation": d.group["conversation"],
            "Completed": d.count,
            "Median": days(d.median_days),
            "90th percentile": days(d.p90_days),
        }
        for d in durations
    ]


def waiting_metric(d: Duration) -> tuple[str, str, str, str]:
    """(label, median, what it rests on, the 90th percentile line under it)."""
    return (
        f"Median wait — {d.group['approach']}",
        days(d.median_days),
        f"Over {d.count:,} requests with a request date.",
        f"90th percentile: {days(d.p90_days)}",
    )


def handoff_metric(h: HandOffs) -> tuple[str, str, str]:
    return (
        f"Held by more than one worker — {h.group['approach']}",
        percent(h.share),
        f"{h.more_than_one_worker:,} of {h.requests_with_worker:,} requests with a worker "
        "recorded.",
    )
